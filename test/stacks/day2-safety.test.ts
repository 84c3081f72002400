import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runPlan, type PlanRun } from "../helpers/synth";
import { errorFileFor } from "../../tools/offline/output-dir";
import type { ChangeReport } from "../../tools/offline/change-plan";

// Issue 18's acceptance, end to end: the real index.ts planned offline for variants of the dev catalog, each
// compared with `--against` the plan before the change.

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-day2-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const SHIPPED = path.join(ROOT, "stacks", "dev", "projects");
// A MySQL database and a data volume: the dev example before the seed examples replaced it, kept as the fixture.
const OVERLAY = fs.readFileSync(path.join(ROOT, "test", "fixtures", "day2", "overlay.yaml"), "utf8");
const HELLO = fs.readFileSync(path.join(SHIPPED, "hello.yaml"), "utf8");

/** A catalog root with the dev stack's hello.yaml and, unless null, this overlay.yaml. */
function catalog(name: string, overlay: string | null): string {
    const root = path.join(scratch, `catalog-${name}`);
    const dir = path.join(root, "stacks", "dev", "projects");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "hello.yaml"), HELLO);
    if (overlay !== null) {
        fs.writeFileSync(path.join(dir, "overlay.yaml"), overlay);
    }
    return root;
}

const edited = (from: string, to: string, text = OVERLAY) => {
    expect(text).toContain(from);
    return text.replace(from, to);
};

const outOf = (name: string) => path.join(scratch, `out-${name}`);
const planOf = (name: string) => path.join(outOf(name), "plan.json");
const changesOf = (run: PlanRun): ChangeReport => JSON.parse(fs.readFileSync(path.join(run.outDir, "changes.json"), "utf8"));

function plan(name: string, overlay: string | null, against?: string, extra: string[] = []): Promise<PlanRun> {
    return runPlan("dev", { outDir: outOf(name), catalogRoot: catalog(name, overlay), tenants: true, args: [...(against ? ["--against", planOf(against)] : []), ...extra] });
}

/** Runs the plans two at a time (the machines have two cores), each after the plans it is compared against. */
async function inPairs(jobs: Array<() => Promise<PlanRun>>): Promise<PlanRun[]> {
    const results: PlanRun[] = [];
    for (let i = 0; i < jobs.length; i += 2) {
        results.push(...(await Promise.all(jobs.slice(i, i + 2).map((job) => job()))));
    }
    return results;
}

const EXPLICIT_EPHEMERAL = edited("storage: 30Gi, pods: 12}", "storage: 30Gi, pods: 12, ephemeralStorage: 12Gi}");
const runs: Record<string, PlanRun> = {};

beforeAll(async () => {
    const [baseline, fixedQuota] = await inPairs([() => plan("baseline", OVERLAY), () => plan("fixed-quota", EXPLICIT_EPHEMERAL)]);
    Object.assign(runs, { baseline, fixedQuota });
    const [removed, decommissioned, renamed, replicas, grown, shrunk] = await inPairs([
        () => plan("removed", null, "baseline"),
        () => plan("decommissioned", `${OVERLAY}decommission: {confirm: overlay}\n`, "baseline"),
        () => plan("renamed", edited("name: overlay\n", "name: cars\nid: overlay\n"), "baseline"),
        () => plan("replicas", edited("    replicas: 2\n", "    replicas: 3\n", EXPLICIT_EPHEMERAL), "fixed-quota"),
        () => plan("grown", edited("size: 10Gi, class: fast", "size: 12Gi, class: fast"), "baseline"),
        () => plan("shrunk", edited("size: 10Gi, class: fast", "size: 8Gi, class: fast"), "baseline"),
    ]);
    Object.assign(runs, { removed, decommissioned, renamed, replicas, grown, shrunk });
    const [afterDecommission] = await inPairs([() => plan("after-decommission", null, "decommissioned")]);
    runs.afterDecommission = afterDecommission!;
}, 600_000);

describe("day-2 safety of the dev stack (offline plans compared with --against)", () => {
    it("the baselines plan clean", () => {
        expect([runs.baseline!.code, runs.fixedQuota!.code], runs.baseline!.stderr + runs.fixedQuota!.stderr).toEqual([0, 0]);
    });

    it("removing a tenant with data exits 5, naming the tenant and its data", () => {
        const run = runs.removed!;
        expect(run.code, run.stderr).toBe(5);
        expect(run.stderr).toMatch(/Data at risk \(overlay\): .*database overlay\/database/);
        expect(run.stdout).toContain("NOT ACKNOWLEDGED: delete overlay-persistentvolumeclaim-data-mongo-0 (tenant overlay): volume overlay/data-mongo-0 (10Gi), left behind unmanaged (retainOnDelete)");
        expect(run.stdout).toMatch(/namespace overlay holding .*volume overlay\/data-mongo-0/);
        const changes = changesOf(run);
        expect(new Set(changes.unacknowledged.map((d) => d.tenant))).toEqual(new Set(["overlay"]));
    });

    it("its decommission first (workloads stopped, final backup, nothing lost yet), then the removal: the deletes are listed and allowed", () => {
        const first = runs.decommissioned!;
        expect(first.code, first.stderr + first.stdout).toBe(0);
        const steps = changesOf(first).steps;
        expect(steps.filter((s) => s.op === "delete" || s.op === "replace")).toEqual([]);
        expect(steps).toContainEqual(expect.objectContaining({ op: "update", name: "overlay-statefulset-mongo", fields: ["spec.replicas"] }));
        expect(steps).toEqual(expect.arrayContaining([expect.objectContaining({ op: "create", name: "overlay-final-backup" }), expect.objectContaining({ op: "update", name: "overlay-namespace-overlay" })]));
        const second = runs.afterDecommission!;
        expect(second.code, second.stderr + second.stdout).toBe(0);
        const changes = changesOf(second);
        expect(changes.unacknowledged).toEqual([]);
        expect(changes.dataAtRisk.map((d) => d.name)).toEqual(expect.arrayContaining(["overlay-namespace-overlay", "overlay-persistentvolumeclaim-data-mongo-0", "overlay-perconaxtradbcluster-database"]));
        expect(new Set(changes.dataAtRisk.map((d) => d.acknowledgedBy))).toEqual(new Set(["decommission of overlay declared in the catalog"]));
        expect(second.stdout).toMatch(/-\s+delete\s+kubernetes:core\/v1:PersistentVolumeClaim overlay-persistentvolumeclaim-data-mongo-0 \[tenant overlay\]\n/);
    });

    it("a rename keeps every stateful resource (same URN and physical name): only hosts change, exit 0", () => {
        const run = runs.renamed!;
        expect(run.code, run.stderr + run.stdout).toBe(0);
        const changes = changesOf(run);
        expect(changes.steps.filter((s) => s.op !== "update")).toEqual([]);
        expect(changes.dataAtRisk).toEqual([]);
        type Written = { urn: string; type: string; inputs: { metadata?: { name?: string; namespace?: string } } };
        // The platform stack's plan and the tenants' grants and app stack plans beside it.
        const resourcesOf = (name: string): Written[] => {
            const tenants = path.join(outOf(name), "tenants");
            const files = [planOf(name), ...fs.readdirSync(tenants).flatMap((id) => [path.join(tenants, id, "grants", "plan.json"), path.join(tenants, id, "plan.json")])];
            return files.flatMap((f) => (JSON.parse(fs.readFileSync(f, "utf8")) as { resources: Written[] }).resources);
        };
        const before = resourcesOf("baseline");
        const after = resourcesOf("renamed");
        const stateful = (resources: Written[]) =>
            resources
                .filter((r) => /PersistentVolumeClaim|StatefulSet|Namespace|batch\/v1:Job/.test(r.type) && /platform:project:(Project|ProjectGrants)\$/.test(r.urn))
                .map((r) => `${r.urn} ${r.inputs.metadata?.namespace ?? ""}/${r.inputs.metadata?.name ?? ""}`)
                .sort();
        expect(stateful(after)).toEqual(stateful(before));
        expect(stateful(before).length).toBeGreaterThan(3);
        expect(changes.steps.some((s) => s.type === "kubernetes:networking.k8s.io/v1:Ingress")).toBe(true);
    });

    it("a replica change is one update, exit 0", () => {
        const run = runs.replicas!;
        expect(run.code, run.stderr + run.stdout).toBe(0);
        expect(changesOf(run).steps).toEqual([expect.objectContaining({ op: "update", name: "overlay-deployment-backend", fields: ["spec.replicas"] })]);
    });

    it("a volume growth is an in-place update of the claim, no replace", () => {
        const run = runs.grown!;
        expect(run.code, run.stderr + run.stdout).toBe(0);
        const steps = changesOf(run).steps;
        expect(steps.filter((s) => s.op !== "update")).toEqual([]);
        expect(steps).toContainEqual(expect.objectContaining({ op: "update", name: "overlay-persistentvolumeclaim-data-mongo-0", fields: ["spec.resources.requests.storage"] }));
        expect(steps.map((s) => s.name)).not.toContain("overlay-statefulset-mongo");
    });

    it("a shrink is refused, naming the claim", () => {
        const run = runs.shrunk!;
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("overlay-persistentvolumeclaim-data-mongo-0 spec.resources.requests.storage: shrinking a volume from 10Gi to 8Gi is refused");
    });

    it("a failed plan leaves the previous plan.json untouched and writes its error beside it", async () => {
        const before = fs.readFileSync(planOf("baseline"));
        const run = await runPlan("dev", { outDir: outOf("baseline"), catalogRoot: catalog("broken", edited("budget: {monthly: 25}", "budget: {monthly: 25}\ncolour: blue")) });
        expect(run.code).toBe(1);
        expect(fs.readFileSync(planOf("baseline")).equals(before)).toBe(true);
        expect(fs.readdirSync(scratch).filter((f) => f.includes(".staging-"))).toEqual([]);
        const error = JSON.parse(fs.readFileSync(errorFileFor(outOf("baseline")), "utf8")) as { problems: Array<{ path: string }> };
        expect(error.problems.map((p) => p.path)).toEqual(["colour"]);
        const again = await runPlan("dev", { outDir: outOf("baseline"), catalogRoot: catalog("baseline", OVERLAY), tenants: true });
        expect(again.code).toBe(0);
        expect(fs.existsSync(errorFileFor(outOf("baseline")))).toBe(false);
    }, 120_000);
});
