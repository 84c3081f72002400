import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Pruning of the offline plan's content cache (tools/offline/content-cache.ts), called at the end of a plan. Its
 * entries are keyed by content and by the bundle that derived them, so nothing ever overwrites one: every edited
 * tenant file and every rebuilt bundle (a whole region's entries at once) leaves entries nothing will read again.
 *
 * An entry goes when it was written before the running bundle was built (its key holds an older bundle's stamp,
 * so this checkout's plans can never hit it), or when it was neither written nor read for {@link
 * CONTENT_CACHE_MAX_IDLE_MS}. "Read" is the access time as the file system keeps it: under `relatime` (Linux's
 * default) a read moves it when it is older than a day, so an entry read daily stays; under `noatime` it is the
 * write time, and an entry in use is derived again once a week. No size cap: the two rules bound the cache by what
 * the last week's plans of this bundle read, which is what a cap would have to keep anyway.
 *
 * Cheap: at most once per {@link CONTENT_CACHE_PRUNE_INTERVAL_MS} (a marker file's modification time, one `stat`
 * for the plans in between), then one `readdir` per kind and one `stat` per entry. Safe beside running plans: an
 * entry removed under a reader is a miss, derived again. A cache directory shared by several checkouts
 * (`PLATFORM_CONTENT_CACHE_DIR`) loses the other checkouts' entries older than this one's bundle: a re-derivation,
 * never a wrong answer.
 */

/** An entry neither written nor read for this long is removed (7 days). */
export const CONTENT_CACHE_MAX_IDLE_MS = 7 * 24 * 3600_000;

/** A plan prunes only when the last prune is older than this (1 hour). */
export const CONTENT_CACHE_PRUNE_INTERVAL_MS = 3600_000;

/** A temporary entry (`<entry>.<pid>.tmp`, written and renamed at once) older than this was left by a killed plan (10 min). */
const ABANDONED_TEMPORARY_MS = 10 * 60_000;

/** The file whose modification time is the last prune. */
const MARKER = ".last-prune";

/** Options of {@link pruneContentCache}. */
export interface ContentCachePruneOptions {
    /** The time now (ms since the epoch); tests pass a fixed one. */
    now?: number;
    /** When the running bundle was built ({@link bundleBuiltAt}); undefined keeps entries of every bundle. */
    codeBuiltMs?: number;
}

/** What a prune did. */
export interface ContentCachePruneResult {
    /** Entries (and abandoned temporary files) removed. */
    removed: number;
    /** Entries kept. */
    kept: number;
}

/**
 * Removes the entries of the content cache in `dir` that no plan of the running bundle will read; undefined when
 * the last prune is recent (nothing looked at). Never throws: a cache that cannot be pruned costs only space.
 */
export function pruneContentCache(dir: string, options: ContentCachePruneOptions = {}): ContentCachePruneResult | undefined {
    const now = options.now ?? Date.now();
    const marker = path.join(dir, MARKER);
    try {
        if (now - fs.statSync(marker).mtimeMs < CONTENT_CACHE_PRUNE_INTERVAL_MS) {
            return undefined;
        }
    } catch {
        // No marker yet (or no cache at all): prune.
    }
    const result: ContentCachePruneResult = { removed: 0, kept: 0 };
    for (const kind of entriesOf(dir)) {
        if (!kind.isDirectory()) {
            continue;
        }
        const kindDir = path.join(dir, kind.name);
        for (const entry of entriesOf(kindDir)) {
            const file = path.join(kindDir, entry.name);
            try {
                const { mtimeMs, atimeMs } = fs.statSync(file);
                const dead = entry.name.endsWith(".tmp")
                    ? now - mtimeMs > ABANDONED_TEMPORARY_MS
                    : (options.codeBuiltMs !== undefined && mtimeMs < options.codeBuiltMs) || now - Math.max(mtimeMs, atimeMs) > CONTENT_CACHE_MAX_IDLE_MS;
                if (dead) {
                    fs.rmSync(file, { force: true });
                    result.removed += 1;
                } else {
                    result.kept += 1;
                }
            } catch {
                // Removed by a concurrent prune.
            }
        }
    }
    try {
        fs.mkdirSync(dir, { recursive: true });
        fs.writeFileSync(marker, "");
        fs.utimesSync(marker, now / 1000, now / 1000);
    } catch {
        // A read-only cache: pruned again next time.
    }
    return result;
}

/** The directory's entries, none when it cannot be read. */
function entriesOf(dir: string): fs.Dirent[] {
    try {
        return fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return [];
    }
}

/**
 * When the bundle named by a code stamp was built: the stamp tools/precompiled.cjs sets is `[bundle, size,
 * mtimeMs]` (JSON); undefined for any other stamp.
 */
export function bundleBuiltAt(codeStamp: string): number | undefined {
    try {
        const parsed: unknown = JSON.parse(codeStamp);
        return Array.isArray(parsed) && parsed.length === 3 && typeof parsed[2] === "number" && Number.isFinite(parsed[2]) ? parsed[2] : undefined;
    } catch {
        return undefined;
    }
}
