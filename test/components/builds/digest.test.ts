import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withImageDigest } from "../../../components/builds/digest";
import { renderWorkload } from "../../../components/project/workloads";
import { renderRollout } from "../../../components/project/rollout";
import { projectContext } from "../../../components/project/common";
import { imageDigestsOf } from "../../../components/project/grants";
import { PLATFORM_REGISTRY } from "../../../lib/conventions";
import { buildName, builtImageTag, type BuildIdentity, PLACEHOLDER_DIGEST, PLACEHOLDER_DIGEST_ANNOTATION } from "../../../lib/registry";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { dependencyNames, named, ofType, planComponent } from "../../helpers/component-plan";
import { project, stackPlatformConfig } from "../project/fixtures";

/**
 * The workload runs its build's image by digest: the BuildKit container reports the digest in its termination
 * message, the platform stack reads it from the Job's pod (components/builds/build-digest.js, against a local HTTP server
 * speaking the pods API here) and replaces the placeholder; the offline plan, where nothing ran, keeps the
 * placeholder, annotated; the tenant stack deploys the digest its contract entry carries.
 */

const { digestOfJob, clusterAccess } = require("../../../components/builds/build-digest.js") as {
    digestOfJob: (args: { kubeconfig: string; namespace: string; job: string; container: string }) => Promise<string>;
    clusterAccess: (kubeconfig: string) => { server: string; token?: string };
};

const COMMIT = "4fd5f7d6bba4ba5fcd1a95f4ad6f3fbd8b5dd7a1";

/** The build identity of the fixtures' source (schema defaults: path ".", builder railpack) at a commit. */
const identityAt = (commit: string, source: Partial<BuildIdentity> = {}): BuildIdentity => ({ commit, git: "https://github.com/example/web.git", path: ".", builder: "railpack", ...source });
const nameOf = (project: string, service: string, commit: string, source: Partial<BuildIdentity> = {}) => buildName(project, service, identityAt(commit, source));
/** The fixtures' image tag: the commit and the hash of their source (URL, path ".", builder railpack). */
const TAG = builtImageTag(identityAt(COMMIT));
const DIGEST = `sha256:${"c3".repeat(32)}`;
const dev = stackPlatformConfig("dev");
const spec = project({ name: "shop", services: [{ name: "web", port: 8080, build: { git: "https://github.com/example/web.git", commit: COMMIT } }] });
const workload = renderWorkload(projectContext(spec, dev), spec.services[0]!);

describe("the built image's digest in the workload", () => {
    it("replaces the placeholder and its annotation with the reported digest", () => {
        expect(workload.metadata?.annotations?.[PLACEHOLDER_DIGEST_ANNOTATION]).toBeDefined();
        const resolved = withImageDigest(workload, "web", DIGEST);
        expect(resolved.spec!.template.spec!.containers[0]!.image).toBe(`registry.platform.internal/shop/web:${TAG}@${DIGEST}`);
        expect(resolved.metadata?.annotations).toBeUndefined();
        expect(workload.spec!.template.spec!.containers[0]!.image).toContain(PLACEHOLDER_DIGEST);
    });

    it("keeps the annotated placeholder without a report, and refuses a report that is no digest", () => {
        expect(withImageDigest(workload, "web", undefined)).toBe(workload);
        expect(() => withImageDigest(workload, "web", "")).toThrow(/not an image digest/);
        expect(() => withImageDigest(workload, "web", "latest")).toThrow(/not an image digest/);
    });
});

describe("a built service released blue/green", () => {
    const blueGreen = project({ name: "shop", services: [{ name: "web", port: 8080, build: { git: "https://github.com/example/web.git", commit: COMMIT }, strategy: "blueGreen" }] });
    const rollout = renderRollout(projectContext(blueGreen, dev), blueGreen.services[0]!);

    it("is a Rollout annotated at the placeholder until its digest replaces it", () => {
        expect(rollout.kind).toBe("Rollout");
        expect(rollout.metadata.annotations?.[PLACEHOLDER_DIGEST_ANNOTATION]).toMatch(/^placeholder/);
        expect(rollout.spec.template.spec!.imagePullSecrets).toEqual([{ name: PLATFORM_REGISTRY.pullSecret }]);
        const resolved = withImageDigest(rollout, "web", DIGEST);
        expect(resolved.spec.template.spec!.containers[0]!.image).toBe(`registry.platform.internal/shop/web:${TAG}@${DIGEST}`);
        expect(resolved.metadata.annotations).toBeUndefined();
    });
});

describe("build-digest.js against the Kubernetes pods API", () => {
    let server: http.Server;
    let kubeconfig: string;
    const asked: string[] = [];
    let pods: unknown[] = [];

    beforeAll(async () => {
        server = http.createServer((request, response) => {
            asked.push(`${request.headers.authorization} ${request.url}`);
            response.setHeader("Content-Type", "application/json");
            response.end(JSON.stringify({ kind: "PodList", items: pods }));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const port = (server.address() as AddressInfo).port;
        kubeconfig = [
            "apiVersion: v1",
            "kind: Config",
            "current-context: platform",
            "contexts: [{name: platform, context: {cluster: c, user: u}}]",
            `clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}/"}}]`,
            "users: [{name: u, user: {token: t0ken}}]",
        ].join("\n");
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const pod = (created: string, container: string, terminated: Record<string, unknown> | undefined) => ({
        metadata: { name: `b-${created}`, creationTimestamp: created },
        status: { containerStatuses: [{ name: container, state: terminated ? { terminated } : { running: {} } }] },
    });

    it("reads the newest successful pod's termination message of the Job's BuildKit container", async () => {
        pods = [
            pod("2026-12-01T10:00:00Z", "buildkit", { exitCode: 0, message: `sha256:${"aa".repeat(32)}` }),
            pod("2026-12-01T11:00:00Z", "buildkit", { exitCode: 0, message: `${DIGEST}\n` }),
            pod("2026-12-01T12:00:00Z", "buildkit", { exitCode: 1, message: `sha256:${"bb".repeat(32)}` }),
        ];
        await expect(digestOfJob({ kubeconfig, namespace: "builds", job: "build-shop-web-4fd5f7d6bba4", container: "buildkit" })).resolves.toBe(DIGEST);
        expect(asked.at(-1)).toBe("Bearer t0ken /api/v1/namespaces/builds/pods?labelSelector=job-name%3Dbuild-shop-web-4fd5f7d6bba4");
        expect(clusterAccess(kubeconfig).server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it("fails naming the Job when no pod reported a digest (a failed or still running build)", async () => {
        pods = [pod("2026-12-01T12:00:00Z", "buildkit", { exitCode: 1, message: "" }), pod("2026-12-01T12:01:00Z", "buildkit", undefined), pod("2026-12-01T12:02:00Z", "source", { exitCode: 0, message: DIGEST })];
        await expect(digestOfJob({ kubeconfig, namespace: "builds", job: "build-x", container: "buildkit" })).rejects.toThrow(/Job builds\/build-x/);
    });
});

describe("the build's release order across the two stacks", () => {
    let plan: StackPlan;
    let released: StackPlan;

    // The platform stack's ProjectGrants builds and reads the digest back; the tenant stack's Project deploys the
    // digest its contract entry carries (here: none, as offline, then one, as after a real build).
    const register = (imageDigests: Record<string, string> | undefined) =>
        planComponent(async (provider) => {
            const k8s = await import("@pulumi/kubernetes");
            const { Project } = await import("../../../components/project/project");
            const { ProjectGrants } = await import("../../../components/project/grants");
            const { syntheticKubeconfig } = await import("../../../tools/offline/mock-engine");
            const grants = new ProjectGrants(
                "shop",
                { project: spec, config: dev, adminKubeconfig: syntheticKubeconfig("https://127.0.0.1:6443"), deployerNamespace: new k8s.core.v1.Namespace("deployers", {}, { provider }), registryPullPassword: "pull-robot-secret" },
                { provider },
            );
            const shop = new Project("shop", { project: spec, config: dev, secretValues: {}, ...(imageDigests ? { imageDigests } : {}) }, { provider });
            return { namespace: shop.namespace, imageDigests: grants.imageDigests };
        });

    beforeAll(async () => {
        plan = await register(undefined);
        released = await register({ web: DIGEST });
    }, 240_000);

    const byParent = (p: StackPlan, type: string) => p.resources.filter((r) => r.urn.includes(`::${type}$`));

    it("the platform stack builds, then reads the digest with its admin kubeconfig; the tenant stack does neither", () => {
        const job = ofType(plan, "kubernetes:batch/v1:Job").find((j) => (j.inputs.metadata as { namespace?: string }).namespace === "builds")!;
        expect(job.name).toBe(`shop-job-builds-${nameOf("shop", "web", COMMIT)}`);
        expect(job.urn).toContain("::platform:project:ProjectGrants$");
        const digest = named(plan, "shop-web-image-digest");
        expect(digest.urn).toContain("::platform:project:ProjectGrants$");
        expect(dependencyNames(plan, digest)).toContain(job.name);
        expect(digest.secretInputs).toContain("environment");
        expect(byParent(plan, "platform:project:Project").filter((r) => r.type === "command:local:Command" || (r.inputs.metadata as { namespace?: string } | undefined)?.namespace === "builds")).toEqual([]);
    });

    it("the tenant workload keeps the annotated placeholder offline and runs the digest its contract entry carries", () => {
        const offline = named(plan, "shop-deployment-web").inputs as any;
        expect(offline.spec.template.spec.containers[0].image).toBe(`registry.platform.internal/shop/web:${TAG}@${PLACEHOLDER_DIGEST}`);
        expect(offline.metadata.annotations[PLACEHOLDER_DIGEST_ANNOTATION]).toMatch(/^placeholder/);
        expect(plan.outputs?.["imageDigests"]).toEqual({});
        const deployed = named(released, "shop-deployment-web").inputs as any;
        expect(deployed.spec.template.spec.containers[0].image).toBe(`registry.platform.internal/shop/web:${TAG}@${DIGEST}`);
        expect(deployed.metadata.annotations?.[PLACEHOLDER_DIGEST_ANNOTATION]).toBeUndefined();
    });

    it("the platform stack writes the pull Secret into the project namespace, after the namespace", () => {
        const pull = ofType(plan, "kubernetes:core/v1:Secret").find((r) => (r.inputs.metadata as { name?: string }).name === PLATFORM_REGISTRY.pullSecret)!;
        expect(pull.urn).toContain("::platform:project:ProjectGrants$");
        expect((pull.inputs.metadata as { namespace?: string }).namespace).toBe("shop");
        expect(dependencyNames(plan, pull)).toContain("shop-namespace-shop");
        expect(pull.secretInputs).toContain("stringData");
    });
});

describe("a new commit's build", () => {
    const NEXT = "9a0c1e2f3b4d5c6e7f8091a2b3c4d5e6f7081920";
    const grantsPlan = (commit: string) =>
        planComponent(async (provider) => {
            const k8s = await import("@pulumi/kubernetes");
            const { ProjectGrants } = await import("../../../components/project/grants");
            const { syntheticKubeconfig } = await import("../../../tools/offline/mock-engine");
            const at = project({ name: "shop", services: [{ name: "web", port: 8080, build: { git: "https://github.com/example/web.git", commit } }] });
            new ProjectGrants("shop", { project: at, config: dev, adminKubeconfig: syntheticKubeconfig("https://127.0.0.1:6443"), deployerNamespace: new k8s.core.v1.Namespace("deployers", {}, { provider }) }, { provider });
            return {};
        });
    let before: StackPlan;
    let after: StackPlan;
    beforeAll(async () => {
        before = await grantsPlan(COMMIT);
        after = await grantsPlan(NEXT);
    }, 240_000);
    const buildJob = (p: StackPlan) => ofType(p, "kubernetes:batch/v1:Job").find((j) => (j.inputs.metadata as { namespace?: string }).namespace === "builds")!;

    it("is another Job, and the digest is read again only after that Job completed (a failed build leaves the old digest)", () => {
        expect(buildJob(after).name).not.toBe(buildJob(before).name);
        expect((buildJob(after).inputs.metadata as { name: string }).name).toBe(nameOf("shop", "web", NEXT));
        for (const [p, commit] of [[before, COMMIT], [after, NEXT]] as const) {
            const digest = named(p, "shop-web-image-digest");
            // Same Command, new trigger: replaced (re-read) on a new commit, after its Job; while the Job fails
            // it is not replaced, so its old output, the digest in the contract, stays.
            expect(digest.inputs.triggers).toEqual([nameOf("shop", "web", commit)]);
            expect(dependencyNames(p, digest)).toContain(buildJob(p).name);
        }
    });

    it("is awaited to its deadline, and a failed one is replaced by the next up (the same commit retried)", () => {
        const job = buildJob(before);
        expect(job.customTimeouts?.create).toBe("65m");
        expect(job.customTimeouts?.update).toBe("65m");
        expect(job.deleteBeforeReplace).toBe(true);
        expect((job.inputs.metadata as { annotations?: Record<string, string> }).annotations).toEqual({ "pulumi.com/replaceUnready": "true" });
        expect(Number.parseInt(job.customTimeouts!.create, 10) * 60).toBeGreaterThan((job.inputs.spec as { activeDeadlineSeconds: number }).activeDeadlineSeconds);
    });
});

describe("the digests ProjectGrants reports", () => {
    it("keeps each reported digest by service, leaves out a service that reported nothing, refuses anything else", () => {
        expect(imageDigestsOf([["web", `${DIGEST}\n`], ["api", undefined], ["worker", ""]])).toEqual({ web: DIGEST });
        expect(() => imageDigestsOf([["web", "Error: no pod"]])).toThrow(/service web reported "Error: no pod", not an image digest/);
    });
});
