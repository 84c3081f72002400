import { describe, expect, it } from "vitest";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { DeployArgs } from "../../../tools/driver/args";
import { buildFailureReason, failedBuildsOf } from "../../../tools/driver/builds";
import { runDeploy } from "../../../tools/driver/orchestrate";
import { buildName, type BuildIdentity } from "../../../lib/registry";
import { fakeRepos, harness, loadEngineEvents, type FakeScript } from "../../helpers/fake-workspace";

/**
 * A failed build leaves the running release untouched: the deploy names the project whose build failed and does
 * not run its app stack (its workload keeps the digest it runs), at the Automation API boundary.
 */

const COMMIT = "4fd5f7d6bba4ba5fcd1a95f4ad6f3fbd8b5dd7a1";

/** The build identity of the fixtures' source (schema defaults: path ".", builder railpack) at a commit. */
const identityAt = (commit: string, source: Partial<BuildIdentity> = {}): BuildIdentity => ({ commit, git: "https://github.com/example/web.git", path: ".", builder: "railpack", ...source });
const nameOf = (project: string, service: string, commit: string, source: Partial<BuildIdentity> = {}) => buildName(project, service, identityAt(commit, source));
const grantsUrn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::platform::pulumi:pulumi:Stack$platform:project:ProjectGrants$${type}::${name}`;
const jobOf = (project: string, service: string) => `${project}-job-builds-${nameOf(project, service, COMMIT)}`;

function failedEvent(urn: string, type: string, sequence: number): EngineEvent {
    return { sequence, timestamp: 1732330007, resOpFailedEvent: { metadata: { op: "create", urn, type, provider: "", logical: true } as never, status: 2, steps: 1 } } as EngineEvent;
}

describe("failed builds among a stack's failed resources", () => {
    it("attributes a failed build Job and a failed digest read-back to their project, and nothing else", () => {
        const failed = [
            { urn: grantsUrn("dev", "kubernetes:batch/v1:Job", jobOf("shop-eu", "web")), type: "kubernetes:batch/v1:Job" },
            { urn: grantsUrn("dev", "command:local:Command", "shop-eu-web-api-image-digest"), type: "command:local:Command" },
            // A project Job of the tenant namespace (the bucket Job) and a node command are not builds.
            { urn: grantsUrn("dev", "kubernetes:batch/v1:Job", "shop-job-bucket-setup"), type: "kubernetes:batch/v1:Job" },
            { urn: "urn:pulumi:dev::platform::pulumi:pulumi:Stack$platform:cluster:K3sCluster$command:remote:Command::dev-server-0-k3s-start", type: "command:remote:Command" },
        ];
        expect(failedBuildsOf(failed, ["shop", "shop-eu"])).toEqual([
            { project: "shop-eu", resource: jobOf("shop-eu", "web"), step: "build" },
            { project: "shop-eu", resource: "shop-eu-web-api-image-digest", step: "digest" },
        ]);
        expect(buildFailureReason(failedBuildsOf(failed, ["shop-eu"]), "dev")).toMatch(/^not run: the build failed in stack dev .*the running release keeps the image it runs/);
    });
});

describe("a failed build at the Automation API boundary", () => {
    const repo = fakeRepos();
    const args: DeployArgs = { command: "up", stack: "dev", yes: true, allowProductionDestroy: false, tenants: [], all: true, parallel: 4 };

    it("runs no app stack of the project whose build failed, names the build, and leaves its release as it is", async () => {
        const events = loadEngineEvents("up-failed").filter((e) => !e.resOpFailedEvent);
        // The preview passes; the up's build Job of bravo fails in bravo's grants stack (BackoffLimitExceeded, one attempt).
        const bravoGrants: FakeScript = {
            events: loadEngineEvents("drift-none"),
            byMethod: {
                up: {
                    events: [...events.slice(0, -1), failedEvent(grantsUrn("dev--bravo--grants", "kubernetes:batch/v1:Job", jobOf("bravo", "web")), "kubernetes:batch/v1:Job", 90), events.at(-1)!],
                    error: new Error("code: 255\n stderr: error: update failed: Job builds/build-bravo-web failed: BackoffLimitExceeded\n"),
                },
            },
        };
        const h = harness(repo(), { events: loadEngineEvents("drift-none") }, { PULUMI_CONFIG_PASSPHRASE: "x" }, undefined, { catalog: ["alpha", "bravo"], scripts: { "dev--bravo--grants": bravoGrants } });
        expect(await runDeploy(args, h.deps)).toBe(1);
        // bravo's app stack did not run: its build failed in its grants stack, which runs before it, so its
        // workload did not change; alpha's pipeline is not held up.
        const started = h.timeline.entries.filter((e) => e.at === "start").map((e) => e.stack);
        expect(started).not.toContain("dev--bravo");
        expect(started).toEqual(expect.arrayContaining(["dev", "dev--alpha--grants", "dev--alpha", "dev--bravo--grants"]));
        expect(h.stdout()).toMatch(/update of stack dev--bravo: skipped[\s\S]*not run: the build failed in stack dev--bravo--grants \(bravo-job-builds-build-bravo-web-/);
        expect(h.stdout()).toContain("the running release keeps the image it runs");
        expect(h.stdout()).toMatch(/dev--alpha\s+tenant alpha: (ok|succeeded|unchanged)/);
    });
});
