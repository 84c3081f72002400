import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { shortcutsEnabled } from "./shortcuts-switch";

/**
 * A cache on disk of what the offline plan derives from a file's bytes alone (a tenant file's parsed YAML, a stack
 * file's parsed config), shared by every plan process: a region plan's catalog check and its tenant workers, and
 * every later plan of the same files. A one-tenant plan of a region of 1,000 tenants paid for parsing its region's
 * stack file (every project's grant) on every run; a region plan parsed each of its tenant files once per process.
 *
 * Keyed by a SHA-256 of the file's content, never its name or modification time, together with the code that
 * derives the value (the precompiled bundle's path, size and modification time, {@link BUNDLE_STAMP_VARIABLE},
 * which changes whenever a bundled source does): a changed byte, or changed code, is a miss and the value is
 * derived again. Only values that survive JSON unchanged are kept; a file the derivation refuses (a YAML error)
 * is never cached, so its problem is reported from the file every time. Entries are written to a temporary name
 * and renamed, so parallel plans never read half an entry; an unreadable entry is a miss.
 *
 * Used only by the offline plan started through tools/precompiled.cjs (which sets the bundle stamp) with the
 * offline shortcuts on (`PLATFORM_OFFLINE_SHORTCUTS=0` turns it off); never under a real `pulumi up`.
 */

/** The environment variable tools/precompiled.cjs sets to the identity of the bundle it runs. */
export const BUNDLE_STAMP_VARIABLE = "PLATFORM_BUNDLE_STAMP";

/** Where the cache lives unless `PLATFORM_CONTENT_CACHE_DIR` says otherwise (bin/ is not committed). */
export const DEFAULT_CACHE_DIR = path.resolve(__dirname, "../../bin/cache/content");

/** A content-addressed cache of derived values, by kind (what was derived) and the source's text. */
export class ContentCache {
    /** The kinds whose directory this process made sure of. */
    private readonly directories = new Set<string>();

    constructor(
        /** Directory of the entries. */
        readonly dir: string,
        /** Identity of the code deriving the values: part of every key. */
        readonly codeStamp: string,
    ) {}

    /** The entry's file for `kind` and `text`. */
    entryFile(kind: string, text: string): string {
        const key = createHash("sha256").update(this.codeStamp).update("\0").update(kind).update("\0").update(text).digest("hex");
        return path.join(this.dir, kind, `${key}.json`);
    }

    /** The value derived from `text` before, or undefined. */
    get(kind: string, text: string): unknown {
        try {
            return (JSON.parse(fs.readFileSync(this.entryFile(kind, text), "utf8")) as { value: unknown }).value;
        } catch {
            return undefined;
        }
    }

    /** Keeps `value` as derived from `text`, when JSON carries it unchanged (otherwise keeps nothing). */
    set(kind: string, text: string, value: unknown): void {
        const json = JSON.stringify({ value });
        if (json === undefined || !isDeepStrictEqual((JSON.parse(json) as { value: unknown }).value, value)) {
            return;
        }
        const file = this.entryFile(kind, text);
        const temporary = `${file}.${process.pid}.tmp`;
        try {
            if (!this.directories.has(kind)) {
                fs.mkdirSync(path.dirname(file), { recursive: true });
                this.directories.add(kind);
            }
            fs.writeFileSync(temporary, json);
            fs.renameSync(temporary, file);
        } catch {
            // A cache that cannot be written (read-only checkout, full disk) only costs the next run the derivation.
            fs.rmSync(temporary, { force: true });
        }
    }

    /** The value derived from `text`: the cached one, or `derive(text)` (kept unless `keep` says no). */
    through<T>(kind: string, text: string, derive: () => T, keep: (value: T) => boolean = () => true): T {
        const known = this.get(kind, text);
        if (known !== undefined) {
            return known as T;
        }
        const value = derive();
        if (keep(value)) {
            this.set(kind, text, value);
        }
        return value;
    }
}

/**
 * The offline plan's cache, or undefined when it is off: not started through tools/precompiled.cjs (no bundle
 * stamp: tsx, vitest, a real Pulumi run), or the offline shortcuts are off.
 */
export function offlineContentCache(env: NodeJS.ProcessEnv = process.env): ContentCache | undefined {
    const stamp = env[BUNDLE_STAMP_VARIABLE];
    if (!stamp || !shortcutsEnabled(env)) {
        return undefined;
    }
    return new ContentCache(env.PLATFORM_CONTENT_CACHE_DIR ?? DEFAULT_CACHE_DIR, stamp);
}
