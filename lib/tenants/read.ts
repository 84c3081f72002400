import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import type { InputProblem } from "../validation";
import { derivedStore } from "../derived-store";

/**
 * Reading untrusted tenant files. A file is read only when it is a regular file (never a symlink, device,
 * FIFO or directory) of bounded size, opened with O_NOFOLLOW so a swap between the check and the read cannot
 * slip a symlink in; its YAML is parsed with an alias budget before anything else looks at it.
 *
 * The parser is `yaml` (eemeli/yaml), not js-yaml: js-yaml 4 expands aliases without any limit (a
 * 600-byte "billion laughs" document takes seconds and gigabytes), while `yaml` counts alias expansions
 * (`maxAliasCount`) and throws before the expanded value exists.
 */

/** Largest tenant file read (the biggest shipped one is a few KiB). */
export const MAX_TENANT_FILE_BYTES = 256 * 1024;

/** Alias nodes a tenant document may resolve (aliases are legal YAML, but a tenant file needs few). */
export const MAX_TENANT_ALIASES = 50;

/** One tenant file as read: its text, or the problem that stopped the read. */
export type TenantFileRead = { file: string; text: string } | { file: string; problem: InputProblem };

/**
 * Reads `absolute` (reported as `file`) when it is a regular file within {@link MAX_TENANT_FILE_BYTES};
 * never follows a symlink.
 */
export function readTenantFile(absolute: string, file: string): TenantFileRead {
    const refuse = (problem: string, fix: string): TenantFileRead => ({ file, problem: { source: file, path: "(file)", problem, fix } });
    let stat: fs.Stats;
    try {
        stat = fs.lstatSync(absolute);
    } catch (error) {
        return refuse(`cannot be read: ${(error as Error).message}`, "make it a readable regular file");
    }
    if (stat.isSymbolicLink()) {
        return refuse("is a symbolic link; tenant files are read only as regular files", `replace the link by the file itself (cp --remove-destination "$(readlink -f ${path.basename(file)})" ${path.basename(file)})`);
    }
    if (!stat.isFile()) {
        return refuse("is not a regular file (a directory, device or pipe)", "remove it from the catalog directory, or replace it by a regular YAML file");
    }
    let fd: number;
    try {
        fd = fs.openSync(absolute, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | (fs.constants.O_NONBLOCK ?? 0));
    } catch (error) {
        return refuse(`cannot be opened without following links: ${(error as Error).message}`, "make it a regular file");
    }
    try {
        const opened = fs.fstatSync(fd);
        if (!opened.isFile()) {
            return refuse("is not a regular file", "replace it by a regular YAML file");
        }
        if (opened.size > MAX_TENANT_FILE_BYTES) {
            return refuse(`is ${opened.size} bytes, more than the ${MAX_TENANT_FILE_BYTES} a tenant file may have`, "split the project or remove what it does not need");
        }
        // Read at most one byte past the cap: a file that grows after fstat is still bounded.
        const buffer = Buffer.alloc(MAX_TENANT_FILE_BYTES + 1);
        let length = 0;
        for (let n = 1; n > 0 && length < buffer.length; length += n) {
            n = fs.readSync(fd, buffer, length, buffer.length - length, null);
        }
        if (length > MAX_TENANT_FILE_BYTES) {
            return refuse(`is more than ${MAX_TENANT_FILE_BYTES} bytes`, "split the project or remove what it does not need");
        }
        return { file, text: buffer.subarray(0, length).toString("utf8") };
    } finally {
        fs.closeSync(fd);
    }
}

/**
 * Lists and reads every `*.yaml`/`*.yml` entry of a catalog directory (sorted), refusing a catalog
 * directory that is itself a symlink. A missing directory is an empty catalog.
 */
export function readCatalogDirectory(dir: string, rootDir: string): TenantFileRead[] {
    let stat: fs.Stats;
    try {
        stat = fs.lstatSync(dir);
    } catch {
        return [];
    }
    const relative = path.relative(rootDir, dir);
    if (stat.isSymbolicLink() || !stat.isDirectory()) {
        return [{ file: relative, problem: { source: relative, path: "(directory)", problem: "is not a plain directory (a symbolic link or a file)", fix: "keep the tenant files in a real directory inside the repository" } }];
    }
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
        .sort()
        .map((f) => readTenantFile(path.join(dir, f), path.relative(rootDir, path.join(dir, f))));
}

/**
 * Parses one tenant document with the YAML 1.2 core schema, unique keys and the alias budget. Returns the
 * data, or the problem (syntax error, several documents, alias bomb) with the file and a fix.
 */
export function parseTenantYaml(text: string, file: string): { data: unknown } | { problem: InputProblem } {
    // The same text is parsed several times in one process: the region's catalog check, the offline plan's
    // secret-name scan, then the tenant stack's own validation. Parsed once (a copy each time, so no caller
    // sees another's objects); only documents without a problem are kept (a problem names its file).
    const known = parsedDocuments.get(text);
    if (known !== undefined) {
        return { data: structuredClone(known.data) };
    }
    // Parsed by an earlier plan process from the same bytes (the offline plan's content cache; see lib/derived-store.ts).
    const stored = derivedStore()?.get(TENANT_YAML_KIND, text);
    const parsed = stored !== undefined ? { data: stored } : parseTenantYamlUncached(text, file);
    if ("data" in parsed) {
        if (stored === undefined) {
            derivedStore()?.set(TENANT_YAML_KIND, text, parsed.data);
        }
        if (parsedDocuments.size >= PARSED_DOCUMENTS_KEPT) {
            parsedDocuments.clear();
        }
        parsedDocuments.set(text, { data: structuredClone(parsed.data) });
    }
    return parsed;
}

/** The {@link derivedStore} kind of a tenant file's parsed data. */
export const TENANT_YAML_KIND = "tenant-yaml";

/** How many parsed documents {@link parseTenantYaml} keeps (a region's catalog: a few MB). */
const PARSED_DOCUMENTS_KEPT = 5000;

/** Documents {@link parseTenantYaml} parsed without a problem, by their text. */
const parsedDocuments = new Map<string, { data: unknown }>();

function parseTenantYamlUncached(text: string, file: string): { data: unknown } | { problem: InputProblem } {
    const refuse = (problem: string, fix: string) => ({ problem: { source: file, path: "(file)", problem, fix } });
    if (text.length > MAX_TENANT_FILE_BYTES) {
        return refuse(`is more than ${MAX_TENANT_FILE_BYTES} bytes`, "split the project or remove what it does not need");
    }
    let doc;
    try {
        doc = parseDocument(text, { schema: "core", uniqueKeys: true, merge: false, prettyErrors: false, strict: true });
    } catch (error) {
        return refuse(`is not valid YAML: ${firstLine(error)}`, "fix the YAML syntax (indentation, quotes)");
    }
    const error = doc.errors[0];
    if (error) {
        const several = error.code === "MULTIPLE_DOCS";
        return refuse(several ? "holds more than one YAML document" : `is not valid YAML: ${firstLine(error)}`, several ? "keep one project per file (remove the '---' separators)" : "fix the YAML syntax (indentation, quotes)");
    }
    try {
        return { data: doc.toJS({ maxAliasCount: MAX_TENANT_ALIASES }) };
    } catch (error) {
        return refuse(`expands too many YAML aliases (${firstLine(error)})`, `write the values out; at most ${MAX_TENANT_ALIASES} alias expansions are allowed`);
    }
}

function firstLine(error: unknown): string {
    return ((error as Error).message ?? String(error)).split("\n")[0] ?? "";
}
