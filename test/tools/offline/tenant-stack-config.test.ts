import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { BUNDLE_STAMP_VARIABLE } from "../../../tools/offline/content-cache";
import { stackPackConfig } from "../../../tools/offline/policy-config";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { readTenantStackConfig, TENANT_STACK_CONFIG_KIND } from "../../../tools/offline/tenant-stack-config";
import { generateTenants, regionStackDoc, shippedShapes } from "../../../tools/bench/tenants";
import { changedTenant, releasedText } from "../../../tools/bench";
import { ROOT, runPlan } from "../../helpers/synth";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "tenant-stack-config-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const grantsOf = (config: Record<string, string>) => JSON.parse(config["platform:projectGrants"] ?? "{}") as Record<string, unknown>;

describe("a one-tenant plan's view of its region's stack file", () => {
    afterEach(() => {
        delete process.env[BUNDLE_STAMP_VARIABLE];
        delete process.env.PLATFORM_CONTENT_CACHE_DIR;
        delete process.env.PLATFORM_OFFLINE_SHORTCUTS;
    });

    it("holds only the project's own grant, every other key as the file has it, and the region's pack configuration", () => {
        const whole = readStackConfig(ROOT, "fsn1");
        const ids = Object.keys(grantsOf(whole));
        expect(ids.length).toBeGreaterThan(1);
        const [id, other] = ids as [string, string];
        const view = readTenantStackConfig(ROOT, "fsn1", id);
        expect(grantsOf(view.config)).toEqual({ [id]: grantsOf(whole)[id] });
        expect({ ...view.config, "platform:projectGrants": undefined }).toEqual({ ...whole, "platform:projectGrants": undefined });
        // The pack configuration stays the region's (every stack's policy-config.json holds it), not the project's.
        expect(view.packConfig).toEqual(stackPackConfig(whole));
        const otherOnly = readTenantStackConfig(ROOT, "fsn1", other);
        expect(otherOnly.packConfig).toEqual(view.packConfig);
        // A project without a grant sees none, and nobody else's.
        expect(grantsOf(readTenantStackConfig(ROOT, "fsn1", "no-such-project").config)).toEqual({});
        // With the offline shortcuts off, the whole config (the SDK's own paths: the comparison plan).
        process.env.PLATFORM_OFFLINE_SHORTCUTS = "0";
        expect(readTenantStackConfig(ROOT, "fsn1", id).config).toEqual(whole);
    });

    it("is one cache entry per project and stack file content: a changed byte of the file is a miss", () => {
        const dir = fs.mkdtempSync(path.join(scratch, "cache-"));
        const root = fs.mkdtempSync(path.join(scratch, "root-"));
        const file = path.join(root, "Pulumi.dev.yaml");
        fs.copyFileSync(path.join(ROOT, "Pulumi.fsn1.yaml"), file);
        process.env[BUNDLE_STAMP_VARIABLE] = "[\"bundle\"]";
        process.env.PLATFORM_CONTENT_CACHE_DIR = dir;
        const [id] = Object.keys(grantsOf(readStackConfig(root, "dev"))) as [string];
        const first = readTenantStackConfig(root, "dev", id);
        const entries = () => fs.readdirSync(path.join(dir, TENANT_STACK_CONFIG_KIND));
        expect(entries()).toHaveLength(1);
        // Answered from the entry: the file's bytes are unchanged (the entry is what a later plan reads instead).
        const [entry] = entries() as [string];
        fs.writeFileSync(path.join(dir, TENANT_STACK_CONFIG_KIND, entry), JSON.stringify({ value: { ...first, config: { ...first.config, "platform:domain": "from-the-entry.example" } } }));
        expect(readTenantStackConfig(root, "dev", id).config["platform:domain"]).toBe("from-the-entry.example");
        // Another project of the same file: its own entry.
        readTenantStackConfig(root, "dev", "another-project");
        expect(entries()).toHaveLength(2);
        // One byte of the stack file changed: derived from the file again.
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/platform:domain: (\S+)/, "platform:domain: changed.example"));
        expect(readTenantStackConfig(root, "dev", id).config["platform:domain"]).toBe("changed.example");
    });
});

/**
 * A generated region as `npm run bench` writes it (tools/bench/tenants.ts), its stack file `doc` given: its root,
 * stack file and released tenant.
 */
function writeRegion(tenants: ReturnType<typeof generateTenants>, doc: { config: Record<string, unknown> }) {
    const root = path.join(scratch, `region-${tenants.length}`);
    const projects = path.join(root, "stacks", "dev", "projects");
    fs.mkdirSync(projects, { recursive: true });
    for (const t of tenants) fs.writeFileSync(path.join(projects, `${t.name}.yaml`), t.text);
    const configFile = path.join(root, "Pulumi.dev.yaml");
    fs.writeFileSync(configFile, yaml.dump(doc, { lineWidth: 200 }));
    const tenant = changedTenant(tenants);
    return { root, configFile, projects, tenant, tenantFile: path.join(projects, `${tenant.name}.yaml`) };
}

/** What test/helpers/count-reads.cjs wrote for one plan process. */
interface Counts {
    filesRead: Record<string, number>;
    parsed: { json: number; jsYaml: number; yaml: number };
    bundleStamp: string;
}

describe("a one-tenant plan in a region of 10 or 1,000 tenants (counted, not timed)", () => {
    it("reads the same bytes but its region's stack file, parses the same, and reads no other tenant's file", { timeout: 300_000 }, async () => {
        const cache = fs.mkdtempSync(path.join(scratch, "plan-cache-"));
        const counted = async (region: ReturnType<typeof writeRegion>, label: string, args: readonly string[]): Promise<Counts> => {
            const countsFile = path.join(scratch, `${label}.json`);
            const run = await runPlan("dev", {
                outDir: path.join(scratch, `out-${label}`),
                catalogRoot: region.root,
                configFile: region.configFile,
                tenants: true,
                args: ["--tenant", region.tenant.name, ...args],
                env: { PLATFORM_CONTENT_CACHE_DIR: cache, COUNT_READS_FILE: countsFile, NODE_OPTIONS: `--require ${path.join(ROOT, "test/helpers/count-reads.cjs")}` },
            });
            expect(run.code, `${label}: ${run.stderr}`).toBe(0);
            return JSON.parse(fs.readFileSync(countsFile, "utf8")) as Counts;
        };
        // Both regions on the large one's config (its pools, MinIO size, limits): the stack files differ only in the
        // other projects' grants, so whatever the plans read or parse beyond the same few bytes grows with them.
        const shapes = shippedShapes(ROOT);
        const largeTenants = generateTenants(shapes, 1000);
        const smallTenants = generateTenants(shapes, 10);
        const { doc } = regionStackDoc(path.join(ROOT, "Pulumi.dev.yaml"), "dev", largeTenants);
        const grants = doc.config["platform:projectGrants"] as Record<string, unknown>;
        const small = writeRegion(smallTenants, { config: { ...doc.config, "platform:projectGrants": Object.fromEntries(smallTenants.map((t) => [t.name, grants[t.name]])) } });
        const large = writeRegion(largeTenants, doc);
        expect(smallTenants.map((t) => grants[t.name])).not.toContain(undefined);
        expect(small.tenant.name.length).toBe(large.tenant.name.length);
        const measure = async (round: number) => {
            const plans = [];
            for (const region of [small, large]) {
                // The first plan of the stack file's bytes derives its view (and the whole config) once.
                const cold = await counted(region, `cold-${round}-${path.basename(region.root)}`, ["--app-only"]);
                // A release: the tenant's file changes (its own parse and validation run again), the stack file does not.
                fs.writeFileSync(region.tenantFile, releasedText(region.tenant.text, 2 * round));
                const app = await counted(region, `app-${round}-${path.basename(region.root)}`, ["--app-only"]);
                fs.writeFileSync(region.tenantFile, releasedText(region.tenant.text, 2 * round + 1));
                const both = await counted(region, `both-${round}-${path.basename(region.root)}`, []);
                plans.push({ region, cold, app, both, stackFileBytes: fs.statSync(region.configFile).size });
            }
            return plans;
        };
        // A bundle rebuilt meanwhile by a parallel test (a stale bundle at the start) keys the cache anew: measure again.
        const sameBundle = (plans: Awaited<ReturnType<typeof measure>>) => new Set(plans.flatMap((p) => [p.cold, p.app, p.both].map((c) => c.bundleStamp))).size === 1;
        let plans = await measure(0);
        if (!sameBundle(plans)) {
            fs.rmSync(cache, { recursive: true, force: true });
            plans = await measure(1);
        }
        expect(sameBundle(plans)).toBe(true);
        const [s, l] = plans as [(typeof plans)[number], (typeof plans)[number]];
        // The regions differ in what a plan that read them whole would pay for: the counter sees it in the cold plan.
        expect(l.stackFileBytes).toBeGreaterThan(30 * s.stackFileBytes);
        expect(l.cold.parsed.jsYaml - s.cold.parsed.jsYaml).toBeGreaterThan(0.9 * (l.stackFileBytes - s.stackFileBytes));
        const parsedChars = (c: Counts) => c.parsed.json + c.parsed.jsYaml + c.parsed.yaml;
        const readBytes = (c: Counts, stackFile: string) => Object.entries(c.filesRead).filter(([file]) => file !== stackFile).reduce((n, [, bytes]) => n + bytes, 0);
        for (const mode of ["app", "both"] as const) {
            // The stack file is read once, whole (its bytes key the cached view: nothing can know them unread).
            expect(s[mode].filesRead[s.region.configFile], mode).toBe(s.stackFileBytes);
            expect(l[mode].filesRead[l.region.configFile], mode).toBe(l.stackFileBytes);
            // Of the catalog, only the tenant's own file.
            for (const plan of [s, l]) {
                expect(Object.keys(plan[mode].filesRead).filter((file) => file.startsWith(plan.region.projects)), mode).toEqual([plan.region.tenantFile]);
            }
            // Everything else the same, but for the released tenant's name (paas-app-0004 or -0500) in what is
            // hashed or printed: 256 bytes, where reading the other projects' grants cost ~180 KB read and ~340 KB
            // parsed at 1,000 tenants.
            expect(Math.abs(readBytes(l[mode], l.region.configFile) - readBytes(s[mode], s.region.configFile)), mode).toBeLessThan(256);
            expect(Math.abs(parsedChars(l[mode]) - parsedChars(s[mode])), mode).toBeLessThan(256);
        }
    });
});
