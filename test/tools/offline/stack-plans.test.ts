import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { regionExitCode, tenantBatches } from "../../../tools/offline/stack-plans";
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
            for (const file of ["plan.json", "policy.json"]) {
                expect(fs.readFileSync(path.join(batch, id, file), "utf8"), `${id}/${file}`).toBe(fs.readFileSync(path.join(alone, file), "utf8"));
                expect(fs.readFileSync(path.join(region, "tenants", id, file), "utf8"), `${id}/${file}`).toBe(fs.readFileSync(path.join(alone, file), "utf8"));
            }
        }
    });
});
