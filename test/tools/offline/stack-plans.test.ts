import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { defaultTenantParallelism, exitWhenFlushed, LARGE_REGION_TENANTS, workerLineReader, planTenantsBesidePlatform, regionExitCode, tenantBatches, type TenantPlanResult } from "../../../tools/offline/stack-plans";
import { ROOT, runPlan } from "../../helpers/synth";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "stack-plans-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("tenant plan workers", () => {
    it("share the tenants round-robin over at most `workers` batches", () => {
        expect(tenantBatches(["a", "b", "c", "d", "e"], 2)).toEqual([
            ["a", "c", "e"],
            ["b", "d"],
        ]);
        expect(tenantBatches(["a", "b"], 4)).toEqual([["a"], ["b"]]);
        expect(tenantBatches([], 4)).toEqual([]);
        expect(tenantBatches(["a"], 0)).toEqual([["a"]]);
    });

    it("plan a small region's tenants in process and a large one's in 2 workers unless --parallel says otherwise", () => {
        expect(LARGE_REGION_TENANTS).toBe(500);
        expect([0, 4, 499].map(defaultTenantParallelism)).toEqual([1, 1, 1]);
        expect([500, 1000].map(defaultTenantParallelism)).toEqual([2, 2]);
    });

    it("start the tenant plans beside the platform stack's, keeping them when its contract is the computed one", async () => {
        const events: string[] = [];
        let finishPlatform!: () => void;
        const platformDone = new Promise<void>((resolve) => (finishPlatform = resolve));
        const tenants = (against: string): Promise<TenantPlanResult[]> => {
            events.push(`tenants against the ${against} contract`);
            return Promise.resolve([{ id: "a", code: 0, stderr: against }]);
        };
        const run = planTenantsBesidePlatform({
            computedContract: { projects: { a: {} } },
            planPlatform: async () => {
                events.push("platform started");
                await platformDone;
                events.push("platform done");
                return { code: 0, contract: { projects: { a: {} } } };
            },
            planTenants: tenants,
        });
        await new Promise((resolve) => setImmediate(resolve));
        // The tenant plans did not wait for the platform stack.
        expect(events).toEqual(["tenants against the computed contract", "platform started"]);
        finishPlatform();
        expect(await run).toEqual({ platformCode: 0, tenants: [{ id: "a", code: 0, stderr: "computed" }], replanned: false });
        expect(events).toEqual(["tenants against the computed contract", "platform started", "platform done"]);
    });

    it("plan every tenant again against the platform plan's contract when it is not the computed one, and none after a failed platform plan", async () => {
        const against: string[] = [];
        const planTenants = (contract: string): Promise<TenantPlanResult[]> => {
            against.push(contract);
            return Promise.resolve([{ id: "a", code: 0, stderr: contract }]);
        };
        const differing = await planTenantsBesidePlatform({ computedContract: { domain: "a.example.com" }, planPlatform: async () => ({ code: 2, contract: { domain: "b.example.com" } }), planTenants });
        expect(differing).toEqual({ platformCode: 2, tenants: [{ id: "a", code: 0, stderr: "platform" }], replanned: true });
        expect(against).toEqual(["computed", "platform"]);
        against.length = 0;
        const failed = await planTenantsBesidePlatform({ computedContract: {}, planPlatform: async () => ({ code: 1, contract: undefined }), planTenants });
        expect(failed).toEqual({ platformCode: 1, tenants: undefined, replanned: false });
        expect(against).toEqual(["computed"]);
        // A worker that could not start while the contracts agree is the plan's error, not a reason to plan again.
        await expect(planTenantsBesidePlatform({ computedContract: {}, planPlatform: async () => ({ code: 0, contract: {} }), planTenants: () => Promise.reject(new Error("spawn failed")) })).rejects.toThrow("spawn failed");
    });

    it("map a region's exit codes through the one table: failure over policy violation, unknown codes fail", () => {
        expect(regionExitCode([0, 2, 0])).toBe(2);
        expect(regionExitCode([2, 1])).toBe(1);
        expect(regionExitCode([0, 137])).toBe(1);
        expect(regionExitCode([])).toBe(0);
    });

    it("plan each tenant of a batch exactly as a plan of that tenant alone (one worker, tenants one after the other)", async () => {
        const region = path.join(scratch, "region");
        const run = await runPlan("dev", { outDir: region, tenants: true, env: {} });
        expect(run.code, run.stderr).toBe(0);
        const ids = fs.readdirSync(path.join(region, "tenants")).sort();
        expect(ids).toEqual(["hello", "paas-app"]);
        const batch = path.join(scratch, "batch");
        const worker = spawnSync(
            process.execPath,
            [path.join(ROOT, "tools/precompiled.cjs"), path.join(ROOT, "tools/plan.ts"), "--stack", "dev", "--tenant-batch", ids.join(","), "--contract", path.join(region, "contract.json"), "--out", batch, "--quiet"],
            { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } },
        );
        expect(worker.status, worker.stderr).toBe(0);
        expect(worker.stdout.trim().split("\n")).toEqual(["PLATFORM_TENANT_EXIT hello 0", "PLATFORM_TENANT_EXIT paas-app 0"]);
        for (const id of ids) {
            const alone = path.join(scratch, `alone-${id}`);
            const single = spawnSync(
                process.execPath,
                [path.join(ROOT, "tools/precompiled.cjs"), path.join(ROOT, "tools/plan.ts"), "--stack", "dev", "--tenant", id, "--contract", path.join(region, "contract.json"), "--out", alone, "--quiet"],
                { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } },
            );
            expect(single.status, single.stderr).toBe(0);
            for (const file of ["plan.json", "policy.json", "grants/plan.json", "grants/policy.json"]) {
                expect(fs.readFileSync(path.join(batch, id, file), "utf8"), `${id}/${file}`).toBe(fs.readFileSync(path.join(alone, file), "utf8"));
                expect(fs.readFileSync(path.join(region, "tenants", id, file), "utf8"), `${id}/${file}`).toBe(fs.readFileSync(path.join(alone, file), "utf8"));
            }
        }
    });

    it("write a region plan by worker processes (--parallel 2) byte for byte as the serial plan: every file of every stack", async () => {
        // fsn1: four tenants, so each of the two workers plans two tenants one after the other.
        const serial = await runPlan("fsn1", { outDir: path.join(scratch, "serial"), tenants: true, args: ["--parallel", "1"] });
        expect(serial.code, serial.stderr).toBe(0);
        const parallel = await runPlan("fsn1", { outDir: path.join(scratch, "parallel"), tenants: true, args: ["--parallel", "2"] });
        expect(parallel.code, parallel.stderr).toBe(0);
        const files = (dir: string): string[] => (fs.readdirSync(dir, { recursive: true, withFileTypes: false }) as string[]).sort();
        const serialFiles = files(serial.outDir);
        expect(fs.readdirSync(path.join(serial.outDir, "tenants")).length).toBe(4);
        expect(files(parallel.outDir)).toEqual(serialFiles);
        for (const file of serialFiles) {
            const a = path.join(serial.outDir, file);
            if (fs.statSync(a).isFile()) {
                expect(fs.readFileSync(path.join(parallel.outDir, file)).equals(fs.readFileSync(a)), file).toBe(true);
            }
        }
    });

    it("declare only the outputs a tenant has: no undefined bucket or database output, and no SDK warning about one", async () => {
        const hello = await runPlan("dev", { outDir: path.join(scratch, "outputs-hello"), tenants: true, args: ["--tenant", "hello"] });
        expect(hello.code, hello.stderr).toBe(0);
        expect(`${hello.stdout}${hello.stderr}`).not.toMatch(/Undefined value/);
        const helloOutputs = (JSON.parse(fs.readFileSync(path.join(hello.outDir, "plan.json"), "utf8")) as { outputs: Record<string, unknown> }).outputs;
        expect(Object.keys(helloOutputs).sort()).toEqual(["namespace", "projectId", "urls"]);
        // paas-app has a database (and no bucket): its endpoint and credentials are outputs.
        const paas = await runPlan("dev", { outDir: path.join(scratch, "outputs-paas"), tenants: true, args: ["--tenant", "paas-app"] });
        expect(paas.code, paas.stderr).toBe(0);
        expect(`${paas.stdout}${paas.stderr}`).not.toMatch(/Undefined value/);
        const paasOutputs = (JSON.parse(fs.readFileSync(path.join(paas.outDir, "plan.json"), "utf8")) as { outputs: Record<string, unknown> }).outputs;
        // Its app is built from git: the image history a rollback reads is an output too (empty offline: no build ran).
        expect(Object.keys(paasOutputs).sort()).toEqual(["databaseCredentials", "databaseEndpoint", "images", "namespace", "projectId", "urls"]);
        expect(paasOutputs.images).toEqual({});
        expect(paasOutputs.databaseEndpoint).toMatch(/^[a-z0-9.-]+:\d+$/);
    }, 120_000);

    it("plan one tenant against its own grant and contract entry exactly as against the whole region's (PLATFORM_OFFLINE_SHORTCUTS=0)", async () => {
        // fsn1: four tenants, one with public ports; each plan alone narrows the region config to its grant.
        for (const id of ["chain-nodes", "cars"]) {
            const narrowed = await runPlan("fsn1", { outDir: path.join(scratch, `narrowed-${id}`), tenants: true, args: ["--tenant", id] });
            const whole = await runPlan("fsn1", { outDir: path.join(scratch, `whole-${id}`), tenants: true, args: ["--tenant", id], env: { PLATFORM_OFFLINE_SHORTCUTS: "0" } });
            expect(narrowed.code, narrowed.stderr).toBe(0);
            expect(whole.code, whole.stderr).toBe(0);
            const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8")) as { resources: Array<{ urn: string; dependencies: string[]; secretInputs: string[] }>; outputs: unknown };
            const comparable = (plan: ReturnType<typeof read>) =>
                new Map(plan.resources.map((r) => [r.urn, { ...r, dependencies: [...r.dependencies].sort(), secretInputs: [...r.secretInputs].sort() }]));
            const fast = comparable(read(narrowed.outDir));
            const slow = comparable(read(whole.outDir));
            expect([...fast.keys()].sort()).toEqual([...slow.keys()].sort());
            for (const [urn, resource] of fast) {
                expect(slow.get(urn), urn).toEqual(resource);
            }
            expect(read(narrowed.outDir).outputs).toEqual(read(whole.outDir).outputs);
            // Violations follow registration order, which the shortcuts change: compared as sets.
            const violations = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, "policy.json"), "utf8")) as unknown[]).map((v) => JSON.stringify(v)).sort();
            expect(violations(narrowed.outDir)).toEqual(violations(whole.outDir));
            for (const file of ["policy-config.json", "secrets-to-set.txt"]) {
                expect(fs.readFileSync(path.join(narrowed.outDir, file), "utf8"), `${id}/${file}`).toBe(fs.readFileSync(path.join(whole.outDir, file), "utf8"));
            }
        }
    }, 300_000);
});

describe("tenant-batch worker output", () => {
    const read = (chunks: string[]) => {
        const exits: [string, number][] = [];
        const other: string[] = [];
        const reader = workerLineReader({ onExit: (id, code) => exits.push([id, code]), onOther: (line) => other.push(line) });
        chunks.forEach(reader.push);
        reader.end();
        return { exits, other };
    };

    it("reads result lines split across chunks, and the last one without its newline", () => {
        expect(read(["PLATFORM_TENANT_EXIT a 0\nPLATFORM_TEN", "ANT_EXIT b 2\nhello\n", "PLATFORM_TENANT_EXIT c 1"])).toEqual({
            exits: [
                ["a", 0],
                ["b", 2],
                ["c", 1],
            ],
            other: ["hello"],
        });
    });

    it("passes on a last line that is no result, and nothing for an empty output", () => {
        expect(read(["PLATFORM_MAX_RSS_KIB=12"]).other).toEqual(["PLATFORM_MAX_RSS_KIB=12"]);
        expect(read([])).toEqual({ exits: [], other: [] });
        expect(read(["PLATFORM_TENANT_EXIT a zero\n"]).other).toEqual(["PLATFORM_TENANT_EXIT a zero"]);
    });

    it("exits only after every stream has handed over what was written before", async () => {
        const written: string[] = [];
        const slow = () =>
            new Writable({
                write(chunk: Buffer, _encoding, done) {
                    setTimeout(() => {
                        written.push(chunk.toString());
                        done();
                    }, 5);
                },
            });
        const [out, err] = [slow(), slow()];
        out.write("PLATFORM_TENANT_EXIT a 0\n");
        err.write("problem\n");
        const exited = new Promise<{ code: number; written: string[] }>((resolve) => exitWhenFlushed(2, [out, err], (code) => resolve({ code, written: [...written] })));
        expect(written).toEqual([]);
        const { code, written: before } = await exited;
        expect(code).toBe(2);
        expect(before).toEqual(expect.arrayContaining(["PLATFORM_TENANT_EXIT a 0\n", "problem\n"]));
    });
});
