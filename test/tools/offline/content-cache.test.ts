import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BUNDLE_STAMP_VARIABLE, ContentCache, offlineContentCache } from "../../../tools/offline/content-cache";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { parseTenantYaml, TENANT_YAML_KIND } from "../../../lib/tenants/read";
import { useDerivedStore } from "../../../lib/derived-store";
import { ROOT, runPlan } from "../../helpers/synth";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "content-cache-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("the offline plan's content cache", () => {
    afterEach(() => {
        delete process.env[BUNDLE_STAMP_VARIABLE];
        delete process.env.PLATFORM_CONTENT_CACHE_DIR;
        useDerivedStore(undefined);
    });

    it("answers a text it derived before, and derives again for a changed byte or changed code", () => {
        const dir = fs.mkdtempSync(path.join(scratch, "unit-"));
        const cache = new ContentCache(dir, "bundle-a");
        const derived: string[] = [];
        const derive = (text: string) => () => {
            derived.push(text);
            return { length: text.length, text };
        };
        expect(cache.through("kind", "name: a\n", derive("name: a\n"))).toEqual({ length: 8, text: "name: a\n" });
        expect(cache.through("kind", "name: a\n", derive("name: a\n"))).toEqual({ length: 8, text: "name: a\n" });
        expect(derived).toEqual(["name: a\n"]);
        // One byte changed: a miss.
        expect(cache.through("kind", "name: b\n", derive("name: b\n"))).toEqual({ length: 8, text: "name: b\n" });
        expect(derived).toEqual(["name: a\n", "name: b\n"]);
        // The same text derived by other code (a rebuilt bundle), or as another kind: a miss.
        expect(new ContentCache(dir, "bundle-b").get("kind", "name: a\n")).toBeUndefined();
        expect(cache.get("other-kind", "name: a\n")).toBeUndefined();
        // The key is the content, not a file name or a modification time: the same bytes anywhere are one entry.
        expect(fs.readdirSync(path.join(dir, "kind"))).toHaveLength(2);
    });

    it("keeps nothing JSON would change, nothing `keep` refuses, and misses on an unreadable entry", () => {
        const dir = fs.mkdtempSync(path.join(scratch, "unit-"));
        const cache = new ContentCache(dir, "bundle");
        cache.set("kind", "inf", { value: Number.POSITIVE_INFINITY });
        cache.set("kind", "undefined", { value: undefined });
        expect(cache.get("kind", "inf")).toBeUndefined();
        expect(cache.get("kind", "undefined")).toBeUndefined();
        cache.through("kind", "refused", () => ({ problem: "bad" }), () => false);
        expect(cache.get("kind", "refused")).toBeUndefined();
        cache.set("kind", "torn", { ok: true });
        fs.writeFileSync(cache.entryFile("kind", "torn"), "{\"value\": {\"ok\"");
        expect(cache.get("kind", "torn")).toBeUndefined();
    });

    it("is on only for a plan run from the precompiled bundle with the offline shortcuts on", () => {
        expect(offlineContentCache({})).toBeUndefined();
        expect(offlineContentCache({ [BUNDLE_STAMP_VARIABLE]: "[1]", PLATFORM_OFFLINE_SHORTCUTS: "0" })).toBeUndefined();
        const cache = offlineContentCache({ [BUNDLE_STAMP_VARIABLE]: "[1]", PLATFORM_CONTENT_CACHE_DIR: scratch });
        expect(cache?.dir).toBe(scratch);
        expect(cache?.codeStamp).toBe("[1]");
    });

    it("reads a stack file's config from the cache while its bytes are unchanged, and parses it again once one changes", () => {
        const dir = fs.mkdtempSync(path.join(scratch, "stack-"));
        process.env[BUNDLE_STAMP_VARIABLE] = "stack-test";
        process.env.PLATFORM_CONTENT_CACHE_DIR = path.join(dir, "cache");
        const file = path.join(dir, "Pulumi.r1.yaml");
        fs.writeFileSync(file, "config:\n  platform:domain: one.example.com\n");
        expect(readStackConfig(dir, "r1")).toEqual({ "platform:domain": "one.example.com" });
        const entry = new ContentCache(path.join(dir, "cache"), "stack-test").entryFile("stack-config", fs.readFileSync(file, "utf8"));
        expect(fs.existsSync(entry)).toBe(true);
        // Proves the entry is what is read: a doctored entry for the same bytes is answered as it is.
        fs.writeFileSync(entry, JSON.stringify({ value: { "platform:domain": "from-the-cache.example.com" } }));
        expect(readStackConfig(dir, "r1")).toEqual({ "platform:domain": "from-the-cache.example.com" });
        // A changed byte (same size, same second) is read from the file.
        fs.writeFileSync(file, "config:\n  platform:domain: two.example.com\n");
        expect(readStackConfig(dir, "r1")).toEqual({ "platform:domain": "two.example.com" });
    });

    it("hands parseTenantYaml the stored data of a text it parsed before, and parses a changed text", () => {
        const stored = new Map<string, unknown>();
        useDerivedStore({ get: (kind, text) => (kind === TENANT_YAML_KIND ? stored.get(text) : undefined), set: (kind, text, data) => kind === TENANT_YAML_KIND && stored.set(text, data) });
        // Unique texts: the in-process map of parsed documents must not answer first.
        const text = `name: cache-probe-${process.pid}-${Date.now()}\n`;
        expect(parseTenantYaml(text, "a.yaml")).toEqual({ data: { name: expect.stringMatching(/^cache-probe-/) } });
        expect([...stored.keys()]).toEqual([text]);
        const changed = text.replace("name:", "name:  ");
        stored.set(changed, { name: "from-the-store" });
        expect(parseTenantYaml(changed, "a.yaml")).toEqual({ data: { name: "from-the-store" } });
        // A document with a problem is neither stored nor answered from the store.
        const broken = `name: [unclosed-${Date.now()}\n`;
        expect("problem" in parseTenantYaml(broken, "a.yaml")).toBe(true);
        expect(stored.has(broken)).toBe(false);
    });

    it("plans a changed tenant file as changed: a one-tenant plan after an edit plans the edit, not the cached file", async () => {
        const root = path.join(scratch, "catalog");
        const projects = path.join(root, "stacks", "dev", "projects");
        fs.mkdirSync(projects, { recursive: true });
        const original = fs.readFileSync(path.join(ROOT, "stacks", "dev", "projects", "hello.yaml"), "utf8");
        fs.writeFileSync(path.join(projects, "hello.yaml"), original);
        const cacheDir = path.join(scratch, "plan-cache");
        const env = { PLATFORM_CONTENT_CACHE_DIR: cacheDir };
        const imageOf = (outDir: string) => {
            const plan = JSON.parse(fs.readFileSync(path.join(outDir, "plan.json"), "utf8")) as { resources: Array<{ type: string; inputs: { spec?: { template?: { spec?: { containers?: Array<{ image: string }> } } } } }> };
            return plan.resources.filter((r) => r.type === "kubernetes:apps/v1:Deployment").map((r) => r.inputs.spec?.template?.spec?.containers?.[0]?.image);
        };
        const first = await runPlan("dev", { outDir: path.join(scratch, "first"), catalogRoot: root, env, tenants: true, args: ["--tenant", "hello", "--app-only"] });
        expect(first.code, first.stderr).toBe(0);
        expect(imageOf(first.outDir)).toEqual(["ghcr.io/stefanprodan/podinfo:6.9.1"]);
        // The plan read its tenant file and stack file through the cache.
        expect(fs.readdirSync(cacheDir)).toEqual(expect.arrayContaining(["stack-config", "tenant-yaml", "project-spec"]));
        fs.writeFileSync(path.join(projects, "hello.yaml"), original.replace("podinfo:6.9.1", "podinfo:6.9.2"));
        const second = await runPlan("dev", { outDir: path.join(scratch, "second"), catalogRoot: root, env, tenants: true, args: ["--tenant", "hello", "--app-only"] });
        expect(second.code, second.stderr).toBe(0);
        expect(imageOf(second.outDir)).toEqual(["ghcr.io/stefanprodan/podinfo:6.9.2"]);
        expect(fs.readdirSync(path.join(cacheDir, "tenant-yaml"))).toHaveLength(2);
        expect(fs.readdirSync(path.join(cacheDir, "project-spec"))).toHaveLength(2);
    }, 120_000);
});
