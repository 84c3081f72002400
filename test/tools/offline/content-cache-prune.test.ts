import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ContentCache } from "../../../tools/offline/content-cache";
import { bundleBuiltAt, CONTENT_CACHE_MAX_IDLE_MS, CONTENT_CACHE_PRUNE_INTERVAL_MS, pruneContentCache } from "../../../tools/offline/content-cache-prune";
import { TENANT_YAML_KIND } from "../../../lib/tenants/read";
import { ROOT, runPlan } from "../../helpers/synth";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "content-cache-prune-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const DAY = 24 * 3600_000;
const NOW = Date.UTC(2026, 11, 2, 6, 0, 0);

/** Sets a file's access and modification times (ms since the epoch). */
function touch(file: string, modifiedMs: number, accessedMs = modifiedMs): void {
    fs.utimesSync(file, accessedMs / 1000, modifiedMs / 1000);
}

/** The entry file of `text`, written at `modifiedMs` (and read at `accessedMs`). */
function entryAt(cache: ContentCache, text: string, modifiedMs: number, accessedMs = modifiedMs): string {
    cache.set("kind", text, { text });
    const file = cache.entryFile("kind", text);
    touch(file, modifiedMs, accessedMs);
    return file;
}

describe("pruning the offline plan's content cache", () => {
    it("removes entries written before the running bundle was built and keeps the ones written since", () => {
        const cache = new ContentCache(fs.mkdtempSync(path.join(scratch, "code-")), "bundle");
        const built = NOW - 2 * 3600_000;
        const older = entryAt(cache, "by the previous bundle", built - 1);
        const newer = entryAt(cache, "by this bundle", built + 1);
        expect(pruneContentCache(cache.dir, { now: NOW, codeBuiltMs: built })).toEqual({ removed: 1, kept: 1 });
        expect([fs.existsSync(older), fs.existsSync(newer)]).toEqual([false, true]);
    });

    it("removes entries neither written nor read for a week, and keeps an old entry read since", () => {
        expect(CONTENT_CACHE_MAX_IDLE_MS).toBe(7 * DAY);
        const cache = new ContentCache(fs.mkdtempSync(path.join(scratch, "idle-")), "bundle");
        const idle = entryAt(cache, "bytes that no longer exist", NOW - 8 * DAY);
        const read = entryAt(cache, "bytes read yesterday", NOW - 30 * DAY, NOW - DAY);
        const recent = entryAt(cache, "bytes written six days ago", NOW - 6 * DAY);
        expect(pruneContentCache(cache.dir, { now: NOW })).toEqual({ removed: 1, kept: 2 });
        expect([idle, read, recent].map((f) => fs.existsSync(f))).toEqual([false, true, true]);
    });

    it("removes a temporary entry a killed plan left, not one being written", () => {
        const dir = fs.mkdtempSync(path.join(scratch, "tmp-"));
        fs.mkdirSync(path.join(dir, "kind"));
        const abandoned = path.join(dir, "kind", "aa.json.111.tmp");
        const writing = path.join(dir, "kind", "bb.json.222.tmp");
        fs.writeFileSync(abandoned, "{");
        fs.writeFileSync(writing, "{");
        touch(abandoned, NOW - 11 * 60_000);
        touch(writing, NOW - 60_000);
        expect(pruneContentCache(dir, { now: NOW })).toEqual({ removed: 1, kept: 1 });
        expect(fs.readdirSync(path.join(dir, "kind"))).toEqual(["bb.json.222.tmp"]);
    });

    it("looks at nothing within an hour of the last prune", () => {
        const cache = new ContentCache(fs.mkdtempSync(path.join(scratch, "interval-")), "bundle");
        expect(pruneContentCache(cache.dir, { now: NOW })).toEqual({ removed: 0, kept: 0 });
        const idle = entryAt(cache, "idle", NOW - 8 * DAY);
        expect(pruneContentCache(cache.dir, { now: NOW + CONTENT_CACHE_PRUNE_INTERVAL_MS - 1 })).toBeUndefined();
        expect(fs.existsSync(idle)).toBe(true);
        expect(pruneContentCache(cache.dir, { now: NOW + CONTENT_CACHE_PRUNE_INTERVAL_MS + 1 })).toEqual({ removed: 1, kept: 0 });
        expect(fs.existsSync(idle)).toBe(false);
    });

    it("prunes nothing of a cache that does not exist, and does not throw", () => {
        expect(pruneContentCache(path.join(scratch, "missing", "cache"), { now: NOW })).toEqual({ removed: 0, kept: 0 });
    });

    it("reads the build time from the stamp tools/precompiled.cjs sets, and no other", () => {
        expect(bundleBuiltAt(JSON.stringify(["/repo/bin/precompiled/plan.js", 123456, 1764655200123.5]))).toBe(1764655200123.5);
        for (const other of ["bundle-a", "[1]", "[\"plan.js\", 1, \"late\"]", "{}"]) {
            expect(bundleBuiltAt(other)).toBeUndefined();
        }
    });

    it("runs at the end of a plan: a one-tenant plan removes the entry an older bundle wrote and keeps its own", async () => {
        const cacheDir = path.join(scratch, "plan-cache");
        const stale = path.join(cacheDir, "tenant-yaml", `${"0".repeat(64)}.json`);
        fs.mkdirSync(path.dirname(stale), { recursive: true });
        fs.writeFileSync(stale, JSON.stringify({ value: { name: "written by an older bundle" } }));
        // Written a minute before the bundle the plan runs was built (a rebuild by the plan itself only moves that later).
        const bundle = path.join(ROOT, "bin", "precompiled", "plan.js");
        touch(stale, (fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : Date.now()) - 60_000);
        const run = await runPlan("dev", { outDir: path.join(scratch, "plan-out"), env: { PLATFORM_CONTENT_CACHE_DIR: cacheDir }, tenants: true, args: ["--tenant", "hello", "--app-only"] });
        expect(run.code, run.stderr).toBe(0);
        expect(fs.existsSync(stale)).toBe(false);
        // The plan's own entry of its tenant file stays (the key the bundle's stamp makes, as tools/precompiled.cjs sets it).
        const { size, mtimeMs } = fs.statSync(bundle);
        const own = new ContentCache(cacheDir, JSON.stringify([bundle, size, mtimeMs])).entryFile(TENANT_YAML_KIND, fs.readFileSync(path.join(ROOT, "stacks", "dev", "projects", "hello.yaml"), "utf8"));
        expect(fs.existsSync(own)).toBe(true);
        expect(fs.existsSync(path.join(cacheDir, ".last-prune"))).toBe(true);
    }, 120_000);
});
