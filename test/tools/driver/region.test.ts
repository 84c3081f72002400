import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { DeployArgs } from "../../../tools/driver/args";
import { checkCatalog } from "../../../tools/driver/catalog";
import { StackLockedError } from "../../../tools/driver/exit-codes";
import { runDeploy } from "../../../tools/driver/orchestrate";
import { fakeRepos, harness, loadEngineEvents, type FakeScript, type HarnessOptions } from "../../helpers/fake-workspace";

const repo = fakeRepos();

function args(command: DeployArgs["command"], extra: Partial<DeployArgs> = {}): DeployArgs {
    return { command, stack: "dev", yes: false, allowProductionDestroy: false, tenants: [], all: false, parallel: 4, ...extra };
}

const PASSPHRASE = { PULUMI_CONFIG_PASSPHRASE: "correct horse battery staple", PLATFORM_ACCEPT_DATA_LOSS: "dev-run-0" };
const TENANTS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
const stackOf = (id: string) => `dev--${id}`;
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

describe("order", () => {
    it("runs the platform stack to its end before the first tenant stack starts, then every tenant of the catalog", async () => {
        const { root, h } = run({ ...CHANGES, delayMs: 5 }, {});
        expect(await runDeploy(args("preview", { all: true }), h.deps)).toBe(0);
        const entries = h.timeline.entries;
        const platformEnd = entries.findIndex((e) => e.stack === "dev" && e.at === "end");
        const firstTenant = entries.findIndex((e) => e.stack !== "dev");
        expect(platformEnd).toBeGreaterThanOrEqual(0);
        expect(platformEnd).toBeLessThan(firstTenant);
        expect(h.opened.map((o) => o.stackName)).toEqual(["dev", ...TENANTS.map(stackOf)]);
        // Tenant stacks belong to the tenant program; the platform stack to the repository root.
        expect(h.opened[0]?.workDir).toBe(root);
        expect(new Set(h.opened.slice(1).map((o) => o.workDir))).toEqual(new Set([path.join(root, "programs", "tenant")]));
        expect(h.listed.map((l) => l.workDir)).toEqual([path.join(root, "programs", "tenant")]);
    });

    it("destroys a region's tenant stacks first and the platform last, only when every tenant stack is gone", async () => {
        const backendStacks = ["dev", ...TENANTS.slice(0, 3).map(stackOf)];
        const ok = run({ events: loadEngineEvents("destroy"), delayMs: 2 }, { backendStacks, catalog: TENANTS.slice(0, 3) });
        expect(await runDeploy(args("destroy", { all: true, yes: true, confirm: "dev" }), ok.h.deps)).toBe(0);
        expect(startOrder(ok.h)).toHaveLength(4);
        expect(startOrder(ok.h)[3]).toBe("dev");
        const blocked = run({ events: loadEngineEvents("destroy") }, { backendStacks, catalog: TENANTS.slice(0, 3), scripts: { [stackOf("bravo")]: FAILED } });
        expect(await runDeploy(args("destroy", { all: true, yes: true, confirm: "dev" }), blocked.h.deps)).toBe(1);
        expect(startOrder(blocked.h)).not.toContain("dev");
        expect(blocked.h.stdout()).toContain("destroy of stack dev: skipped (exit 1)");
        expect(blocked.h.stdout()).toContain("not run: 1 tenant stack(s) were not destroyed (bravo)");
    });
});

describe("parallelism", () => {
    it.each([1, 2, 4, 6])("never runs more than --parallel %i tenant stacks at once, and runs that many at once", async (parallel) => {
        const { h } = run({ ...UNCHANGED, delayMs: 15 }, {});
        expect(await runDeploy(args("preview", { tenants: TENANTS, parallel }), h.deps)).toBe(0);
        expect(h.timeline.maxRunning).toBe(parallel);
        expect(startOrder(h)).toEqual(TENANTS.map(stackOf));
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
        expect(startOrder(h)).toEqual(["dev", ...TENANTS.map(stackOf)]);
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
        expect(changed.h.timeline.entries.filter((e) => e.at === "start").map((e) => `${e.stack} ${e.method}`)).toEqual(["dev preview", "dev preview", "dev up", "dev--bravo preview", "dev--bravo up"]);

        const unchanged = run(UNCHANGED, {});
        expect(await runDeploy(args("up", { tenants: ["bravo"], yes: true }), unchanged.h.deps)).toBe(0);
        expect(unchanged.h.timeline.entries.filter((e) => e.at === "start").map((e) => `${e.stack} ${e.method}`)).toEqual(["dev preview", "dev--bravo preview", "dev--bravo up"]);
        expect(unchanged.h.stdout()).toContain("unchanged: previewed, not updated");
    });

    it("up of a new project runs the platform stack once: its namespace and database backup Secret come from the platform stack", async () => {
        // bravo's tenant stack is new; the platform stack creates its namespace (ProjectGrants) before any tenant runs.
        const { h } = run(CHANGES, { catalog: ["alpha", "bravo", "charlie"], backendStacks: ["dev", stackOf("alpha"), stackOf("charlie")] });
        expect(await runDeploy(args("up", { all: true, yes: true, parallel: 1 }), h.deps)).toBe(0);
        expect(h.timeline.entries.filter((e) => e.at === "start").map((e) => `${e.stack} ${e.method}`)).toEqual([
            "dev preview",
            "dev up",
            ...["alpha", "bravo", "charlie"].flatMap((id) => [`${stackOf(id)} preview`, `${stackOf(id)} up`]),
        ]);
    });

    it("up runs no tenant when the platform failed; preview runs the tenants regardless", async () => {
        const up = run(CHANGES, { scripts: { dev: FAILED } });
        expect(await runDeploy(args("up", { all: true, yes: true }), up.h.deps)).toBe(1);
        expect(startOrder(up.h)).toEqual(["dev"]);
        expect(up.h.stdout()).toContain("update of stack dev--alpha: skipped (exit 1)");
        expect(up.h.stdout()).toContain("not run: the platform stack dev failed (exit 1)");
        const preview = run(UNCHANGED, { scripts: { dev: POLICY } });
        expect(await runDeploy(args("preview", { all: true }), preview.h.deps)).toBe(2);
        expect(startOrder(preview.h)).toEqual(["dev", ...TENANTS.map(stackOf)]);
    });

    it("preview, refresh and drift of named tenants leave the platform stack alone", async () => {
        for (const command of ["preview", "refresh", "drift"] as const) {
            const { h } = run(UNCHANGED, {});
            expect(await runDeploy(args(command, { tenants: ["charlie", "alpha"], yes: true }), h.deps), command).toBe(0);
            // Catalog order, whatever order the command line named them in.
            expect(startOrder(h), command).toEqual([stackOf("alpha"), stackOf("charlie")]);
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

    it("lists tenant stacks without a tenant file from the backend and never runs them", async () => {
        const root = repo();
        const markdown = path.join(root, "up.md");
        const json = path.join(root, "up.json");
        const { h } = run(UNCHANGED, { backendStacks, catalog: ["alpha", "bravo"] }, PASSPHRASE, root);
        expect(await runDeploy(args("up", { all: true, yes: true, markdownPath: markdown, jsonPath: json }), h.deps)).toBe(0);
        // Every up starts with its data-loss gate (a preview of the same stack): the stacks in order of first start.
        expect([...new Set(startOrder(h))]).toEqual(["dev", "dev--alpha", "dev--bravo"]);
        const pending = [
            { tenant: "gone", stack: "dev--gone" },
            { tenant: "old-shop", stack: "dev--old-shop" },
            { tenant: "zulu", stack: "dev--zulu" },
        ];
        expect(JSON.parse(fs.readFileSync(json, "utf8")).pendingDeletion).toEqual(pending);
        expect(h.stdout()).toContain("pending deletion (tenant file removed; never destroyed without an explicit decommission");
        expect(h.stdout()).toContain("    dev--old-shop (tenant old-shop)");
        const md = fs.readFileSync(markdown, "utf8");
        expect(md).toContain("#### Pending deletion: 3 tenant stack(s) without a tenant file");
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
        expect(startOrder(ok.h)).toEqual(["dev--gone"]);

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
        expect(good.opened.map((o) => o.stackName)).toEqual(["dev", "dev--hello", "dev--paas-app"]);

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

    it("hands each tenant stack the platform contract with only its own entry and only its own deployer kubeconfig, read from the platform stack", async () => {
        const grant = (id: string) => ({ namespace: id, grant: { trust: "untrusted" } });
        const projectGrant = (id: string) => ({ trust: "untrusted", customDomains: [`${id}.example.org`] });
        const contract = {
            contractVersion: 3,
            region: "dev",
            platformConfig: { domain: "dev.example.com", projectGrants: { alpha: projectGrant("alpha"), bravo: projectGrant("bravo"), charlie: projectGrant("charlie") } },
            projects: { alpha: grant("alpha"), bravo: grant("bravo"), charlie: grant("charlie") },
        };
        const credentials = { alpha: "kubeconfig-of-alpha", bravo: "kubeconfig-of-bravo", charlie: "kubeconfig-of-charlie" };
        const platform: FakeScript = { ...UNCHANGED, outputs: { platformContract: { value: contract, secret: false } }, secretOutputs: { projectCredentials: credentials } };
        for (const selection of [{ all: true }, { tenants: ["alpha", "bravo"] }]) {
            const { h } = run(UNCHANGED, { catalog: ["alpha", "bravo", "charlie"], scripts: { dev: platform } });
            expect(await runDeploy(args("preview", selection), h.deps)).toBe(0);
            for (const id of selection.tenants ?? ["alpha", "bravo", "charlie"]) {
                const [config, ...more] = h.workspaces.get(stackOf(id))!.calls.filter((c) => c.method === "setSecretConfig").map((c) => c.options as Record<string, { value: string; secret: boolean }>);
                expect(more).toEqual([]);
                expect(Object.keys(config!).sort()).toEqual(["tenant:contract", "tenant:kubeconfig"]);
                expect(config!["tenant:kubeconfig"]).toEqual({ value: `kubeconfig-of-${id}`, secret: true });
                // Only its own entry and its own grant: nothing of what another project was granted.
                expect(JSON.parse(config!["tenant:contract"]!.value)).toEqual({
                    ...contract,
                    platformConfig: { domain: "dev.example.com", projectGrants: { [id]: projectGrant(id) } },
                    projects: { [id]: grant(id) },
                });
                const others = Object.keys(credentials).filter((other) => other !== id);
                for (const other of others) {
                    expect(JSON.stringify(config), `${id} holds ${other}'s credential`).not.toContain(`kubeconfig-of-${other}`);
                }
            }
            // The platform stack's outputs are read one project at a time, the contract once.
            const reads = h.workspaces.get("dev")!.calls.filter((c) => c.method === "secretOutputEntry").map((c) => c.options?.key);
            expect(reads.sort()).toEqual([...(selection.tenants ?? ["alpha", "bravo", "charlie"])].sort());
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
