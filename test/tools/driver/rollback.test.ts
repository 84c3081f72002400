import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { parseDeployArgs, UsageError, type DeployArgs } from "../../../tools/driver/args";
import { runDeploy } from "../../../tools/driver/orchestrate";
import { IMAGES_OUTPUT, PINS_KEY, PREVIOUS_IMAGES_KEY } from "../../../lib/stacks/releases";
import { fakeRepos, harness, loadEngineEvents, type FakeScript } from "../../helpers/fake-workspace";

/**
 * `npm run deploy -- rollback --stack <s> --tenant <t> --service <svc> [--to <commit>]`: the arguments, the image it
 * chooses from the tenant stack's own history, the pin it writes into the tenant stack file (kept, in code), and
 * the one tenant stack it then updates — at the Automation API boundary (the fake workspace).
 */

const repo = fakeRepos();
const commit = (n: number) => `${String(n).repeat(40)}`.slice(0, 40);
const digest = (n: number) => `sha256:${String(n).repeat(64)}`.slice(0, 71);
const image = (n: number) => ({ commit: commit(n), digest: digest(n) });
const PASSPHRASE = { PULUMI_CONFIG_PASSPHRASE: "correct horse battery staple" };

function parsed(argv: string[]): DeployArgs {
    const result = parseDeployArgs(argv);
    if (result.kind !== "run") {
        throw new Error("expected a run");
    }
    return result.args;
}

function usageError(argv: string[]): string {
    try {
        parseDeployArgs(argv);
    } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
    }
    throw new Error(`no usage error for ${argv.join(" ")}`);
}

describe("rollback arguments", () => {
    it("takes one tenant, a service and optionally the commit to return to", () => {
        expect(parsed(["rollback", "--stack", "dev", "--tenant", "paas-app", "--service", "app", "--yes"])).toMatchObject({ command: "rollback", tenants: ["paas-app"], service: "app", yes: true });
        expect(parsed(["rollback", "--stack", "dev", "--tenant", "paas-app", "--service", "app", "--to", "4fd5f7d", "--yes"]).to).toBe("4fd5f7d");
        expect(parsed(["rollback", "--stack", "dev", "--tenant", "paas-app", "--service", "app"]).to).toBeUndefined();
    });

    it("refuses what it cannot roll back: no or several tenants, no service, a ref instead of a commit, --service elsewhere", () => {
        expect(usageError(["rollback", "--stack", "dev", "--service", "app"])).toMatch(/exactly one --tenant/);
        expect(usageError(["rollback", "--stack", "dev", "--tenant", "a", "--tenant", "b", "--service", "app"])).toMatch(/exactly one --tenant/);
        expect(usageError(["rollback", "--stack", "dev", "--tenant", "paas-app"])).toMatch(/needs --service/);
        expect(usageError(["rollback", "--stack", "dev", "--tenant", "paas-app", "--service", "app", "--to", "main"])).toMatch(/--to needs a commit id/);
        expect(usageError(["rollback", "--stack", "dev", "--tenant", "paas-app", "--service", "app", "--to", "abc12"])).toMatch(/--to needs a commit id/);
        expect(usageError(["up", "--stack", "dev", "--tenant", "paas-app", "--service", "app"])).toMatch(/only apply to rollback/);
    });
});

describe("rollback at the Automation API boundary", () => {
    const args = (extra: Partial<DeployArgs> = {}): DeployArgs => ({ command: "rollback", stack: "dev", yes: true, allowProductionDestroy: false, tenants: ["paas-app"], all: false, parallel: 4, service: "app", ...extra });
    const tenantFile = (root: string) => path.join(root, "programs", "tenant", "Pulumi.dev--paas-app.yaml");

    /** A tenant stack whose last up ran image 3 after 2 and 1; the fake writes plain config as the CLI does. */
    function setup(history: unknown = { app: [image(3), image(2), image(1)] }, existingPins?: Record<string, unknown>) {
        const root = repo();
        fs.writeFileSync(tenantFile(root), yaml.dump({ config: { ...(existingPins ? { [PINS_KEY]: JSON.stringify(existingPins) } : {}) } }));
        const tenant: FakeScript = {
            events: loadEngineEvents("drift-none"),
            outputs: { [IMAGES_OUTPUT]: { value: history, secret: false } },
            onSetPlainConfig: (config) => {
                const document = (yaml.load(fs.readFileSync(tenantFile(root), "utf8")) ?? {}) as { config?: Record<string, unknown> };
                fs.writeFileSync(tenantFile(root), yaml.dump({ ...document, config: { ...(document.config ?? {}), ...config } }));
            },
        };
        const h = harness(root, { events: loadEngineEvents("drift-none") }, PASSPHRASE, undefined, { catalog: ["paas-app", "shop"], scripts: { "dev--paas-app": tenant } });
        return { root, h };
    }
    const pinsIn = (root: string) => JSON.parse(((yaml.load(fs.readFileSync(tenantFile(root), "utf8")) as { config: Record<string, string> }).config[PINS_KEY]) ?? "{}");

    it("pins the image before the current one in the tenant stack file, which stays, then updates that tenant stack alone", async () => {
        const { root, h } = setup();
        expect(await runDeploy(args(), h.deps)).toBe(0);
        expect(pinsIn(root)).toEqual({ app: image(2) });
        // Only the app stack ran: its preview gate and its up; the platform stack and the grants stack (its builds) were not touched.
        expect(h.timeline.entries.filter((e) => e.at === "start").map((e) => `${e.stack} ${e.method}`)).toEqual(["dev--paas-app preview", "dev--paas-app up"]);
        expect(h.stdout()).toContain(`service app returns to commit ${commit(2)} (${digest(2)}), pinned as ${PINS_KEY}.app in programs/tenant/Pulumi.dev--paas-app.yaml`);
        // The up is handed the stack's own history, so the new history keeps what a later rollback needs.
        const handed = h.workspaces.get("dev--paas-app")!.calls.find((c) => c.method === "setSecretConfig")!.options as Record<string, { value: string }>;
        expect(JSON.parse(handed[PREVIOUS_IMAGES_KEY]!.value)).toEqual({ app: [image(3), image(2), image(1)] });
    });

    it("returns to the named commit and keeps the other services' pins", async () => {
        const { root, h } = setup({ app: [image(3), image(2), image(1)] }, { worker: image(5) });
        expect(await runDeploy(args({ to: commit(1).slice(0, 9) }), h.deps)).toBe(0);
        expect(pinsIn(root)).toEqual({ worker: image(5), app: image(1) });
    });

    it("writes nothing and runs nothing when there is no earlier image, or the commit is not in the history", async () => {
        for (const [history, to, message] of [
            [{ app: [image(3)] }, undefined, /only one built image/],
            [{ app: [image(3), image(2)] }, "9999999", /commit 9999999 is not among the last 2 images/],
            [{}, undefined, /service app has no released built image/],
        ] as const) {
            const { root, h } = setup(history);
            expect(await runDeploy(args(to ? { to } : {}), h.deps)).toBe(1);
            expect(pinsIn(root)).toEqual({});
            expect(h.timeline.entries).toEqual([]);
            expect(h.stdout()).toMatch(message);
        }
    });

    it("needs --yes like up", async () => {
        const { h } = setup();
        expect(await runDeploy(args({ yes: false }), h.deps)).toBe(1);
        expect(h.stderr()).toMatch(/rollback changes infrastructure .* needs --yes/);
    });
});
