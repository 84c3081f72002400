import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { DeployArgs } from "../../../tools/driver/args";
import { checkCatalog } from "../../../tools/driver/catalog";
import { StackLockedError } from "../../../tools/driver/exit-codes";
import { buildCompiledPrograms, runDeploy } from "../../../tools/driver/orchestrate";
import { fakeRepos, harness, loadEngineEvents, type FakeScript, type HarnessOptions } from "../../helpers/fake-workspace";

const repo = fakeRepos();

function args(command: DeployArgs["command"], extra: Partial<DeployArgs> = {}): DeployArgs {
    return { command, stack: "dev", yes: false, allowProductionDestroy: false, tenants: [], all: false, parallel: 4, ...extra };
}

const PASSPHRASE = { PULUMI_CONFIG_PASSPHRASE: "correct horse battery staple", PLATFORM_ACCEPT_DATA_LOSS: "dev-run-0" };
const TENANTS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
const stackOf = (id: string) => `dev--${id}`;
const grantsOf = (id: string) => `dev--${id}--grants`;
/** A tenant's two stacks in the order its pipeline runs them: grants, then app. */
const pipelineOf = (id: string) => [grantsOf(id), stackOf(id)];
const CHANGES: FakeScript = { events: loadEngineEvents("preview-changes") };
const UNCHANGED: FakeScript = { events: loadEngineEvents("drift-none") };
const FAILED: FakeScript = { events: loadEngineEvents("up-failed"), error: new Error("code: 255\n stderr: error: update failed: secret bravo-db not found\n") };
const POLICY: FakeScript = { events: loadEngineEvents("preview-policy-violation"), error: new Error("code: 255\n stderr: error: preview failed\n") };
const LOCKED: FakeScript = { error: new StackLockedError("error: the stack is currently locked by 1 lock(s)") };

function run(script: FakeScript, options: HarnessOptions, env: NodeJS.ProcessEnv = PASSPHRASE, root = repo()) {
    return { root, h: harness(root, script, env, undefined, { catalog: TENANTS, ...options }) };
}

function startOrder(h: ReturnType<typeof harness>): string[] {
    return h.timeline.entries.filter((e) => e.at === "start").map((e) => e.stack);
}

/** Each tenant's grants stack ended before its app stack started (the pipeline of one tenant is sequential). */
function expectGrantsBeforeApps(h: ReturnType<typeof harness>, ids: readonly string[]): void {
    const entries = h.timeline.entries;
    for (const id of ids) {
        const grantsEnd = entries.findIndex((e) => e.stack === grantsOf(id) && e.at === "end");
        const appStart = entries.findIndex((e) => e.stack === stackOf(id) && e.at === "start");
        expect(grantsEnd, id).toBeGreaterThanOrEqual(0);
        expect(grantsEnd, id).toBeLessThan(appStart);
    }
}

describe("order", () => {
    it("runs the platform stack to its end before the first tenant stack starts, then every tenant of the catalog", async () => {
        const { root, h } = run({ ...CHANGES, delayMs: 5 }, {});
        expect(await runDeploy(args("preview", { all: true }), h.deps)).toBe(0);
        const entries = h.timeline.entries;
        const platformEnd = entries.findIndex((e) => e.stack === "dev" && e.at === "end");
        const firstTenant = entries.findIndex((e) => e.stack !== "dev");
        expect(platformEnd).toBeGreaterThanOrEqual(0);
        expect(platformEnd).toBeLessThan(firstTenant);
        expect(h.opened[0]?.stackName).toBe("dev");
        expect(h.opened.slice(1).map((o) => o.stackName).sort()).toEqual(TENANTS.flatMap(pipelineOf).sort());
        expectGrantsBeforeApps(h, TENANTS);
        // App stacks belong to the tenant program, grants stacks to the grants program; the platform stack to the repository root.
        expect(h.opened[0]?.workDir).toBe(root);
        expect(new Set(h.opened.filter((o) => o.stackName.endsWith("--grants")).map((o) => o.workDir))).toEqual(new Set([path.join(root, "programs", "grants")]));
        expect(new Set(h.opened.slice(1).filter((o) => !o.stackName.endsWith("--grants")).map((o) => o.workDir))).toEqual(new Set([path.join(root, "programs", "tenant")]));
        expect(h.listed.map((l) => l.workDir)).toEqual([path.join(root, "programs", "tenant"), path.join(root, "programs", "grants")]);
    });

    it("builds the tenant programs' bundles once, before any stack runs; a failed build runs no stack", async () => {
        const { root, h } = run(CHANGES, {});
        const builds: Array<{ dirs: readonly string[]; operationsBefore: number }> = [];
        h.deps.buildPrograms = async (dirs) => {
            builds.push({ dirs, operationsBefore: h.timeline.entries.length });
        };
        expect(await runDeploy(args("preview", { all: true }), h.deps)).toBe(0);
        expect(builds).toEqual([{ dirs: [path.join(root, "programs", "grants"), path.join(root, "programs", "tenant")], operationsBefore: 0 }]);

        const broken = run(CHANGES, {});
        broken.h.deps.buildPrograms = async () => {
            throw new Error("programs/grants/index.ts: Expected \";\" but found \"}\"");
        };
        expect(await runDeploy(args("preview", { all: true }), broken.h.deps)).toBe(1);
        expect(broken.h.opened).toEqual([]);
        expect(broken.h.stderr()).toContain("could not build the tenant programs (programs/compiled.cjs); no stack was run");
        expect(broken.h.stderr()).toContain("programs/grants/index.ts");
    });

    it("builds nothing for a program the CLI compiles itself (typescript: true or no options)", async () => {
        const root = repo();
        // The fake repository's programs are `runtime: nodejs` only: TypeScript by the CLI's default.
        await expect(buildCompiledPrograms([path.join(root, "programs", "grants"), path.join(root, "programs", "tenant")])).resolves.toBeUndefined();
        expect(fs.existsSync(path.join(root, "bin"))).toBe(false);
    });

    it("destroys a region's tenant stacks first and the platform last, only when every tenant stack is gone", async () => {
        const backendStacks = ["dev", ...TENANTS.slice(0, 3).map(stackOf)];
        const ok = run({ events: loadEngineEvents("destroy"), delayMs: 2 }, { backendStacks, catalog: TENANTS.slice(0, 3) });
        expect(await runDeploy(args("destroy", { all: true, yes: true, confirm: "dev" }), ok.h.deps)).toBe(0);
        expect(startOrder(ok.h)).toHaveLength(7);
        expect(startOrder(ok.h)[6]).toBe("dev");
        // Each tenant: its app stack, then its grants stack (the reverse of up).
        for (const id of TENANTS.slice(0, 3)) {
            const entries = ok.h.timeline.entries;
            expect(entries.findIndex((e) => e.stack === stackOf(id) && e.at === "end"), id).toBeLessThan(entries.findIndex((e) => e.stack === grantsOf(id) && e.at === "start"));
        }
        const blocked = run({ events: loadEngineEvents("destroy") }, { backendStacks, catalog: TENANTS.slice(0, 3), scripts: { [stackOf("bravo")]: FAILED } });
        expect(await runDeploy(args("destroy", { all: true, yes: true, confirm: "dev" }), blocked.h.deps)).toBe(1);
        expect(startOrder(blocked.h)).not.toContain("dev");
        // bravo's grants stack (its namespace, its data) stays while its app stack is not destroyed.
        expect(startOrder(blocked.h)).not.toContain(grantsOf("bravo"));
        expect(startOrder(blocked.h)).toContain(grantsOf("alpha"));
        expect(blocked.h.stdout()).toContain(`not run: the app stack ${stackOf("bravo")} was not destroyed (exit 1)`);
        expect(blocked.h.stdout()).toContain("destroy of stack dev: skipped (exit 1)");
        expect(blocked.h.stdout()).toContain("not run: 1 tenant(s) were not destroyed (bravo)");
    });
});

describe("parallelism", () => {
    it.each([1, 2, 4, 6])("never runs more than --parallel %i tenant stacks at once, and runs that many at once", async (parallel) => {
        const { h } = run({ ...UNCHANGED, delayMs: 15 }, {});
        expect(await runDeploy(args("preview", { tenants: TENANTS, parallel }), h.deps)).toBe(0);
        expect(h.timeline.maxRunning).toBe(parallel);
        expect([...startOrder(h)].sort()).toEqual(TENANTS.flatMap(pipelineOf).sort());
        expectGrantsBeforeApps(h, TENANTS);
        // Tenants start in catalog order: the k-th tenant's grants stack starts before the (k+1)-th's.
        const grantsStarts = startOrder(h).filter((stack) => stack.endsWith("--grants"));
        expect(grantsStarts).toEqual(TENANTS.map(grantsOf));
    });

    it("starts the next tenant as soon as any one finishes (a pool, not batches)", async () => {
        const scripts = { [stackOf("alpha")]: { ...UNCHANGED, delayMs: 120 } };
        const { h } = run({ ...UNCHANGED, delayMs: 5 }, { scripts });
        expect(await runDeploy(args("preview", { tenants: TENANTS, parallel: 2 }), h.deps)).toBe(0);
        const entries = h.timeline.entries;
        const alphaEnd = entries.findIndex((e) => e.stack === stackOf("alpha") && e.at === "end");
        // While alpha runs, the second slot works through every other tenant.
        for (const id of TENANTS.slice(1)) {
            expect(entries.findIndex((e) => e.stack === stackOf(id) && e.at === "end"), id).toBeLessThan(alphaEnd);
        }
    });

    it("holds at most fewer stacks than --parallel when the catalog is smaller", async () => {
        const { h } = run({ ...UNCHANGED, delayMs: 10 }, { catalog: TENANTS.slice(0, 3) });
        expect(await runDeploy(args("preview", { all: true, parallel: 4 }), h.deps)).toBe(0);
        expect(h.timeline.maxRunning).toBe(3);
    });
});

describe("partial failure and exit codes", () => {
    it("runs every tenant although some fail, reports each one's exit code and returns the most severe", async () => {
        const root = repo();
        const json = path.join(root, "preview.json");
        const { h } = run(UNCHANGED, { scripts: { [stackOf("bravo")]: FAILED, [stackOf("delta")]: POLICY, [stackOf("echo")]: LOCKED } }, PASSPHRASE, root);
        expect(await runDeploy(args("preview", { all: true, jsonPath: json }), h.deps)).toBe(1);
        expect(startOrder(h)[0]).toBe("dev");
        expect(startOrder(h).slice(1).sort()).toEqual(TENANTS.flatMap(pipelineOf).sort());
        const report = JSON.parse(fs.readFileSync(json, "utf8"));
        expect(report).toMatchObject({ command: "preview", region: "dev", exitCode: 1, status: "failed", parallel: 4, catalogTenants: 6 });
        expect(Object.fromEntries(Object.entries(report.tenants as Record<string, { exitCode: number; status: string }>).map(([id, t]) => [id, `${t.exitCode} ${t.status}`]))).toEqual({
            alpha: "0 succeeded",
            bravo: "1 failed",
            charlie: "0 succeeded",
            delta: "2 policy-violation",
            echo: "4 locked",
            foxtrot: "0 succeeded",
        });
        expect(report.tenants.bravo.error).toContain("secret bravo-db not found");
        expect(report.platform.exitCode).toBe(0);
        expect(h.stdout()).toContain("preview of stack dev--bravo: failed (exit 1)");
        expect(h.stdout()).toMatch(/dev--delta +tenant delta: policy-violation \(exit 2\)/);
    });

    it.each([
        ["policy violation over a locked stack", { [stackOf("delta")]: POLICY, [stackOf("echo")]: LOCKED }, 2],
        ["a locked stack over nothing", { [stackOf("echo")]: LOCKED }, 4],
    ])("ranks %s", async (_label, scripts, expected) => {
        const { h } = run(UNCHANGED, { scripts });
        expect(await runDeploy(args("preview", { all: true }), h.deps)).toBe(expected);
    });

    it("ranks a locked stack over drift found elsewhere (the locked one was not checked)", async () => {
        const drift: FakeScript = { events: loadEngineEvents("drift-found") };
        const { h } = run(UNCHANGED, { scripts: { [stackOf("alpha")]: drift, [stackOf("bravo")]: LOCKED } });
        expect(await runDeploy(args("drift", { all: true }), h.deps)).toBe(4);
        const onlyDrift = run(UNCHANGED, { scripts: { [stackOf("alpha")]: drift } });
        expect(await runDeploy(args("drift", { all: true }), onlyDrift.h.deps)).toBe(3);
    });
});

describe("the platform stack with named tenants", () => {
    it("up previews the platform first and updates it only when the preview proposes changes (each up behind its data-loss gate)", async () => {
        const changed = run(CHANGES, {});
        expect(await runDeploy(args("up", { tenants: ["bravo"], yes: true }), changed.h.deps)).toBe(0);
        expect(changed.h.timeline.entries.filter((e) => e.at === "start").map((e) => `${e.stack} ${e.method}`)).toEqual([
            "dev preview",
            "dev preview",
            "dev up",
            "dev--bravo--grants preview",
            "dev--bravo--grants up",
            "dev--bravo preview",
            "dev--bravo up",
        ]);

        const unchanged = run(UNCHANGED, {});
        expect(await runDeploy(args("up", { tenants: ["bravo"], yes: true }), unchanged.h.deps)).toBe(0);
        expect(unchanged.h.timeline.entries.filter((e) => e.at === "start").map((e) => `${e.stack} ${e.method}`)).toEqual([
            "dev preview",
            "dev--bravo--grants preview",
            "dev--bravo--grants up",
            "dev--bravo preview",
            "dev--bravo up",
        ]);
        expect(unchanged.h.stdout()).toContain("unchanged: previewed, not updated");
    });

    it("up of a new project runs the platform stack once: its namespace and database backup Secret come from its grants stack, before its app stack", async () => {
        // bravo's stacks are new; its grants stack creates its namespace (ProjectGrants) before its app stack runs.
        const { h } = run(CHANGES, { catalog: ["alpha", "bravo", "charlie"], backendStacks: ["dev", stackOf("alpha"), stackOf("charlie")] });
        expect(await runDeploy(args("up", { all: true, yes: true, parallel: 1 }), h.deps)).toBe(0);
        expect(h.timeline.entries.filter((e) => e.at === "start").map((e) => `${e.stack} ${e.method}`)).toEqual([
            "dev preview",
            "dev up",
            ...["alpha", "bravo", "charlie"].flatMap((id) => pipelineOf(id).flatMap((stack) => [`${stack} preview`, `${stack} up`])),
        ]);
    });

    it("a failing grants stack skips only its tenant's app stack (reported, exit code); the other tenants go on", async () => {
        const root = repo();
        const json = path.join(root, "up.json");
        const markdown = path.join(root, "up.md");
        const { h } = run(CHANGES, { catalog: ["alpha", "bravo", "charlie"], scripts: { [grantsOf("bravo")]: FAILED } }, PASSPHRASE, root);
        expect(await runDeploy(args("up", { all: true, yes: true, jsonPath: json, markdownPath: markdown }), h.deps)).toBe(1);
        expect(startOrder(h)).not.toContain(stackOf("bravo"));
        for (const id of ["alpha", "charlie"]) {
            expect(h.workspaces.get(stackOf(id))!.calls.map((c) => c.method), id).toContain("up");
        }
        expect(h.stdout()).toContain(`update of stack ${stackOf("bravo")}: skipped (exit 1)`);
        expect(h.stdout()).toContain(`not run: its grants stack ${grantsOf("bravo")} failed (exit 1)`);
        const report = JSON.parse(fs.readFileSync(json, "utf8"));
        expect(report.grants.bravo).toMatchObject({ exitCode: 1, status: "failed" });
        expect(report.tenants.bravo).toMatchObject({ exitCode: 1, status: "skipped" });
        expect(report.grants.alpha).toMatchObject({ exitCode: 0 });
        // The PR summary groups both stacks under the tenant: bravo's grants row and app row next to each other.
        const rows = fs.readFileSync(markdown, "utf8").split("\n").filter((line) => line.startsWith("| `dev"));
        const bravoRows = rows.map((row, index) => [row, index] as const).filter(([row]) => row.includes("`bravo`"));
        expect(bravoRows.map(([row]) => row.split("|")[1]!.trim())).toEqual([`\`${grantsOf("bravo")}\``, `\`${stackOf("bravo")}\``]);
        expect(bravoRows[1]![1] - bravoRows[0]![1]).toBe(1);
    });

    it("up runs no tenant when the platform failed; preview runs the tenants regardless", async () => {
        const up = run(CHANGES, { scripts: { dev: FAILED } });
        expect(await runDeploy(args("up", { all: true, yes: true }), up.h.deps)).toBe(1);
        expect(startOrder(up.h)).toEqual(["dev"]);
        expect(up.h.stdout()).toContain("update of stack dev--alpha--grants: skipped (exit 1)");
        expect(up.h.stdout()).toContain("update of stack dev--alpha: skipped (exit 1)");
        expect(up.h.stdout()).toContain("not run: the platform stack dev failed (exit 1)");
        const preview = run(UNCHANGED, { scripts: { dev: POLICY } });
        expect(await runDeploy(args("preview", { all: true }), preview.h.deps)).toBe(2);
        expect(startOrder(preview.h)[0]).toBe("dev");
        expect(startOrder(preview.h).slice(1).sort()).toEqual(TENANTS.flatMap(pipelineOf).sort());
    });

    it("preview, refresh and drift of named tenants leave the platform stack alone", async () => {
        for (const command of ["preview", "refresh", "drift"] as const) {
            const { h } = run(UNCHANGED, {});
            expect(await runDeploy(args(command, { tenants: ["charlie", "alpha"], yes: true }), h.deps), command).toBe(0);
            // Catalog order, whatever order the command line named them in.
            expect(startOrder(h).filter((stack) => stack.endsWith("--grants")), command).toEqual([grantsOf("alpha"), grantsOf("charlie")]);
            expect([...startOrder(h)].sort(), command).toEqual([...pipelineOf("alpha"), ...pipelineOf("charlie")].sort());
        }
    });

    it("refuses a tenant that is not in the catalog before any stack runs, naming the catalog", async () => {
        const { h } = run(UNCHANGED, { backendStacks: ["dev--gone"] });
        expect(await runDeploy(args("preview", { tenants: ["gone"] }), h.deps)).toBe(1);
        expect(h.stderr()).toContain("tenant gone is not in the catalog of region dev (its stack is pending deletion: the tenant file was removed); tenants: alpha, bravo, charlie, delta, echo, foxtrot.");
        expect(h.opened).toEqual([]);
    });
});

describe("pending deletion", () => {
    const backendStacks = ["dev", "dev--alpha", "dev--gone", "dev--old-shop", "fsn1--alpha", "acme/platform-tenant/dev--zulu"];
    const backendGrantsStacks = ["dev--alpha--grants", "dev--gone--grants", "acme/platform-grants/dev--old-shop--grants", "dev--orphan--grants", "fsn1--alpha--grants"];

    it("lists tenant stacks without a tenant file from the backend and never runs them", async () => {
        const root = repo();
        const markdown = path.join(root, "up.md");
        const json = path.join(root, "up.json");
        const { h } = run(UNCHANGED, { backendStacks, backendGrantsStacks, catalog: ["alpha", "bravo"] }, PASSPHRASE, root);
        expect(await runDeploy(args("up", { all: true, yes: true, markdownPath: markdown, jsonPath: json }), h.deps)).toBe(0);
        // Every up starts with its data-loss gate (a preview of the same stack): the stacks in order of first start.
        expect([...new Set(startOrder(h))].sort()).toEqual(["dev", ...pipelineOf("alpha"), ...pipelineOf("bravo")].sort());
        expectGrantsBeforeApps(h, ["alpha", "bravo"]);
        // Orphaned grants stacks too, grouped under their tenant (the backend lists gone's and old-shop's, and a lone one of orphan).
        const pending = [
            { tenant: "gone", stack: "dev--gone" },
            { tenant: "gone", stack: "dev--gone--grants" },
            { tenant: "old-shop", stack: "dev--old-shop" },
            { tenant: "old-shop", stack: "dev--old-shop--grants" },
            { tenant: "orphan", stack: "dev--orphan--grants" },
            { tenant: "zulu", stack: "dev--zulu" },
        ];
        expect(JSON.parse(fs.readFileSync(json, "utf8")).pendingDeletion).toEqual(pending);
        expect(h.stdout()).toContain("pending deletion (tenant file removed; never destroyed without an explicit decommission");
        expect(h.stdout()).toContain("    dev--old-shop (tenant old-shop)");
        const md = fs.readFileSync(markdown, "utf8");
        expect(md).toContain("#### Pending deletion: 6 stack(s) of 4 tenant(s) without a tenant file");
        expect(md).toContain("- `dev--orphan--grants` (tenant `orphan`)");
        expect(md).toContain("- `dev--gone` (tenant `gone`)");
    });

    it("is reported by a platform-only run too", async () => {
        const { h } = run(UNCHANGED, { backendStacks, catalog: ["alpha"] });
        expect(await runDeploy(args("preview"), h.deps)).toBe(0);
        expect(startOrder(h)).toEqual(["dev"]);
        expect(h.stdout()).toContain("    dev--gone (tenant gone)");
    });

    it("is destroyed only when named and confirmed with its stack name; a tenant with a file is refused", async () => {
        const ok = run({ events: loadEngineEvents("destroy") }, { backendStacks, catalog: ["alpha"] });
        expect(await runDeploy(args("destroy", { tenants: ["gone"], yes: true, confirm: "dev--gone" }), ok.h.deps)).toBe(0);
        // Its app stack first, then its grants stack.
        expect(startOrder(ok.h)).toEqual(["dev--gone", "dev--gone--grants"]);
        const lone = run({ events: loadEngineEvents("destroy") }, { backendStacks, backendGrantsStacks, catalog: ["alpha"] });
        expect(await runDeploy(args("destroy", { tenants: ["orphan"], yes: true, confirm: "dev--orphan" }), lone.h.deps)).toBe(0);
        expect(startOrder(lone.h)).toEqual(["dev--orphan--grants"]);

        const wrong = run({}, { backendStacks, catalog: ["alpha"] });
        expect(await runDeploy(args("destroy", { tenants: ["gone"], yes: true, confirm: "dev" }), wrong.h.deps)).toBe(1);
        expect(wrong.h.stderr()).toContain("--confirm dev does not match the stack dev--gone; nothing was destroyed.");

        const live = run({}, { backendStacks, catalog: ["alpha"] });
        expect(await runDeploy(args("destroy", { tenants: ["alpha"], yes: true, confirm: "dev--alpha" }), live.h.deps)).toBe(1);
        expect(live.h.stderr()).toContain("tenant alpha still has a tenant file: a tenant stack is destroyed only after its decommission.");

        const platform = run({}, { backendStacks, catalog: ["alpha"] });
        expect(await runDeploy(args("destroy", { yes: true, confirm: "dev" }), platform.h.deps)).toBe(1);
        expect(platform.h.stderr()).toContain("stack dev still has 4 tenant stack(s) (alpha, gone, old-shop, zulu): destroying the platform would strand them.");
        for (const refused of [wrong, live, platform]) {
            expect(refused.h.opened).toEqual([]);
        }
    });
});

describe("catalog check", () => {
    it("runs over the real tenant files before any stack; a problem in one file stops the whole run", async () => {
        const root = repo({ catalogs: true });
        const good = harness(root, UNCHANGED, PASSPHRASE, undefined, { catalog: checkCatalog });
        expect(await runDeploy(args("preview", { all: true }), good.deps)).toBe(0);
        expect(good.opened.map((o) => o.stackName).sort()).toEqual(["dev", "dev--hello--grants", "dev--hello", "dev--paas-app--grants", "dev--paas-app"].sort());

        // Two projects claiming the same custom domain: each file is valid alone.
        const hello = fs.readFileSync(path.join(root, "stacks", "dev", "projects", "hello.yaml"), "utf8");
        fs.writeFileSync(path.join(root, "stacks", "dev", "projects", "hello2.yaml"), hello.replace("name: hello", "name: hello2"));
        const bad = harness(root, UNCHANGED, PASSPHRASE, undefined, { catalog: checkCatalog });
        expect(await runDeploy(args("preview", { tenants: ["hello"] }), bad.deps)).toBe(1);
        expect(bad.stderr()).toContain("the catalog of region dev has");
        expect(bad.stderr()).toContain("stacks/dev/projects/hello2.yaml");
        expect(bad.opened).toEqual([]);
        expect(bad.listed).toEqual([]);
    });

    it("stops the run when the backend's stacks cannot be listed", async () => {
        const { h } = run(UNCHANGED, { listError: new Error("code: 255\n stderr: error: could not read bucket: AccessDenied\n") });
        expect(await runDeploy(args("preview", { all: true }), h.deps)).toBe(1);
        expect(h.stderr()).toContain("could not list the tenant stacks of region dev: error: could not read bucket: AccessDenied");
        expect(h.opened).toEqual([]);
    });

    it("refuses tenant stacks when the tenant program is missing", async () => {
        const root = repo({ tenantProgram: false });
        const h = harness(root, UNCHANGED, PASSPHRASE, undefined, { catalog: TENANTS });
        expect(await runDeploy(args("preview", { all: true }), h.deps)).toBe(1);
        expect(h.stderr()).toContain(`the tenant program is missing: ${path.join(root, "programs", "tenant", "Pulumi.yaml")} does not exist`);
        expect(h.opened).toEqual([]);
    });
});

describe("secrets and output per tenant", () => {
    const secrets = JSON.stringify({ alpha: { API_KEY: "alpha-secret-value-1" }, bravo: { API_KEY: "bravo-secret-value-2" } });
    const HCLOUD = "hc-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV";

    it("gives each tenant stack its own secret values and nothing else; the platform's credentials stay on the platform", async () => {
        const { h } = run(UNCHANGED, { catalog: ["alpha", "bravo", "charlie"] }, { ...PASSPHRASE, HCLOUD_TOKEN: HCLOUD, PLATFORM_TENANT_SECRETS: secrets });
        expect(await runDeploy(args("preview", { all: true }), h.deps)).toBe(0);
        const configOf = (stack: string) => h.workspaces.get(stack)?.calls.filter((c) => c.method === "setSecretConfig").map((c) => c.options);
        expect(configOf("dev--alpha")).toEqual([{ "tenant:secrets": { value: JSON.stringify({ API_KEY: "alpha-secret-value-1" }), secret: true } }]);
        expect(configOf("dev--bravo")).toEqual([{ "tenant:secrets": { value: JSON.stringify({ API_KEY: "bravo-secret-value-2" }), secret: true } }]);
        expect(configOf("dev--charlie")).toEqual([]);
        // The platform stack gets its credentials and none of the tenants' secrets.
        expect(Object.keys(configOf("dev")?.[0] ?? {})).toEqual(["hcloud:token"]);
    });

    it("hands each grants stack the contract narrowed to its project, the admin kubeconfig and its own pull password; each app stack the entry and deployer kubeconfig its grants stack exported", async () => {
        const entry = (id: string) => ({ namespace: id, grant: { trust: "untrusted" }, imageDigests: {} });
        const projectGrant = (id: string) => ({ trust: "untrusted", customDomains: [`${id}.example.org`] });
        const contract = {
            contractVersion: 4,
            region: "dev",
            platformConfig: { domain: "dev.example.com", projectGrants: { alpha: projectGrant("alpha"), bravo: projectGrant("bravo"), charlie: projectGrant("charlie") } },
            projects: { alpha: entry("alpha"), bravo: entry("bravo"), charlie: entry("charlie") },
        };
        const pulls = { alpha: "pull-of-alpha", bravo: "pull-of-bravo", charlie: "pull-of-charlie" };
        const digest = (id: string) => ({ app: `sha256:${id.padEnd(64, "0").slice(0, 64)}` });
        const platform: FakeScript = {
            ...UNCHANGED,
            outputs: { platformContract: { value: contract, secret: false } },
            secretValues: { kubeconfig: "admin-kubeconfig-of-dev" },
            secretOutputs: { registryPullPasswords: pulls },
        };
        const grantsScript = (id: string): FakeScript => ({
            ...UNCHANGED,
            outputs: { projectContract: { value: { ...entry(id), imageDigests: digest(id) }, secret: false } },
            secretValues: { deployerKubeconfig: `kubeconfig-of-${id}` },
        });
        const env = { ...PASSPHRASE, BACKUP_S3_ACCESS_KEY: "backup-access", BACKUP_S3_SECRET_KEY: "backup-secret" };
        for (const selection of [{ all: true }, { tenants: ["alpha", "bravo"] }]) {
            const scripts = Object.fromEntries([["dev", platform], ...["alpha", "bravo", "charlie"].map((id) => [grantsOf(id), grantsScript(id)])]);
            const { h } = run(UNCHANGED, { catalog: ["alpha", "bravo", "charlie"], scripts }, env);
            expect(await runDeploy(args("preview", selection), h.deps)).toBe(0);
            const configOf = (stack: string) => {
                const [config, ...more] = h.workspaces.get(stack)!.calls.filter((c) => c.method === "setSecretConfig").map((c) => c.options as Record<string, { value: string; secret: boolean }>);
                expect(more).toEqual([]);
                return config!;
            };
            for (const id of selection.tenants ?? ["alpha", "bravo", "charlie"]) {
                const others = Object.keys(pulls).filter((other) => other !== id);
                const grants = configOf(grantsOf(id));
                expect(Object.keys(grants).sort()).toEqual(["grants:backupS3AccessKey", "grants:backupS3SecretKey", "grants:contract", "grants:kubeconfig", "grants:registryPullPassword"]);
                expect(grants["grants:kubeconfig"]).toEqual({ value: "admin-kubeconfig-of-dev", secret: true });
                expect(grants["grants:registryPullPassword"]).toEqual({ value: `pull-of-${id}`, secret: true });
                expect(JSON.parse(grants["grants:contract"]!.value)).toEqual({
                    ...contract,
                    platformConfig: { domain: "dev.example.com", projectGrants: { [id]: projectGrant(id) } },
                    projects: { [id]: entry(id) },
                });
                for (const other of others) {
                    expect(JSON.stringify(grants), `${id}'s grants stack holds ${other}'s pull password`).not.toContain(`pull-of-${other}`);
                }
                const app = configOf(stackOf(id));
                expect(Object.keys(app).sort()).toEqual(["tenant:contract", "tenant:kubeconfig"]);
                expect(app["tenant:kubeconfig"]).toEqual({ value: `kubeconfig-of-${id}`, secret: true });
                // Only its own entry (with the digests its grants stack's builds pushed) and its own grant.
                expect(JSON.parse(app["tenant:contract"]!.value)).toEqual({
                    ...contract,
                    platformConfig: { domain: "dev.example.com", projectGrants: { [id]: projectGrant(id) } },
                    projects: { [id]: { ...entry(id), imageDigests: digest(id) } },
                });
                // No admin credential, pull password or backup key in an app stack.
                for (const secret of ["admin-kubeconfig-of-dev", `pull-of-${id}`, "backup-secret", ...others.map((o) => `kubeconfig-of-${o}`)]) {
                    expect(JSON.stringify(app), `${id}'s app stack holds ${secret}`).not.toContain(secret);
                }
            }
            // The platform stack's outputs are read one project at a time, the contract and the admin kubeconfig once.
            const calls = h.workspaces.get("dev")!.calls;
            expect(calls.filter((c) => c.method === "secretOutputEntry").map((c) => c.options?.key).sort()).toEqual([...(selection.tenants ?? ["alpha", "bravo", "charlie"])].sort());
            expect(calls.filter((c) => c.method === "secretOutput").map((c) => c.options?.name)).toEqual(["kubeconfig"]);
        }
    });

    it("prefixes every streamed line with its stack and redacts every tenant's secrets in every stream", async () => {
        const scripts = {
            "dev--alpha": { ...UNCHANGED, output: ["Previewing update (dev--alpha):\n", "  leaked bravo-secret-value-2\n"] },
            "dev--bravo": { ...UNCHANGED, stderr: ["warning: one\nwarning: two\n"] },
        };
        const { h } = run(UNCHANGED, { catalog: ["alpha", "bravo"], scripts }, { ...PASSPHRASE, PLATFORM_TENANT_SECRETS: secrets });
        expect(await runDeploy(args("preview", { all: true }), h.deps)).toBe(0);
        expect(h.stdout()).toContain("[dev--alpha] Previewing update (dev--alpha):\n[dev--alpha]   leaked [secret]\n");
        expect(h.stderr()).toContain("[dev--bravo] warning: one\n[dev--bravo] warning: two\n");
        expect(h.stdout()).not.toContain("bravo-secret-value-2");
    });
});
