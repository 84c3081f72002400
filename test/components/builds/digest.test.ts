import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withImageDigest } from "../../../components/builds/digest";
import { renderWorkload } from "../../../components/project/workloads";
import { projectContext } from "../../../components/project/common";
import { PLACEHOLDER_DIGEST, PLACEHOLDER_DIGEST_ANNOTATION } from "../../../lib/registry";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { dependencyNames, named, ofType, planComponent } from "../../helpers/component-plan";
import { project, stackPlatformConfig } from "../project/fixtures";

/**
 * The workload runs its build's image by digest: the BuildKit container reports the digest in its termination
 * message, the deploy reads it from the Job's pod (components/builds/build-digest.js, against a local HTTP server
 * speaking the pods API here) and replaces the placeholder; the offline plan, where nothing ran, keeps the
 * placeholder, annotated, and a failed build stops the deploy before the workload changes.
 */

const { digestOfJob, clusterAccess } = require("../../../components/builds/build-digest.js") as {
    digestOfJob: (args: { kubeconfig: string; namespace: string; job: string; container: string }) => Promise<string>;
    clusterAccess: (kubeconfig: string) => { server: string; token?: string };
};

const COMMIT = "4fd5f7d6bba4ba5fcd1a95f4ad6f3fbd8b5dd7a1";
const DIGEST = `sha256:${"c3".repeat(32)}`;
const dev = stackPlatformConfig("dev");
const spec = project({ name: "shop", services: [{ name: "web", port: 8080, build: { git: "https://github.com/example/web.git", commit: COMMIT } }] });
const workload = renderWorkload(projectContext(spec, dev), spec.services[0]!);

describe("the built image's digest in the workload", () => {
    it("replaces the placeholder and its annotation with the reported digest", () => {
        expect(workload.metadata?.annotations?.[PLACEHOLDER_DIGEST_ANNOTATION]).toBeDefined();
        const resolved = withImageDigest(workload, "web", DIGEST);
        expect(resolved.spec!.template.spec!.containers[0]!.image).toBe(`registry.platform.internal/shop/web:${COMMIT}@${DIGEST}`);
        expect(resolved.metadata?.annotations).toBeUndefined();
        expect(workload.spec!.template.spec!.containers[0]!.image).toContain(PLACEHOLDER_DIGEST);
    });

    it("keeps the annotated placeholder without a report, and refuses a report that is no digest", () => {
        expect(withImageDigest(workload, "web", undefined)).toBe(workload);
        expect(() => withImageDigest(workload, "web", "")).toThrow(/not an image digest/);
        expect(() => withImageDigest(workload, "web", "latest")).toThrow(/not an image digest/);
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

describe("the Project's release order", () => {
    let plan: StackPlan;

    beforeAll(async () => {
        plan = await planComponent(async (provider) => {
            const { Project } = await import("../../../components/project/project");
            const shop = new Project("shop", { project: spec, config: dev, secretValues: {}, kubeconfig: "apiVersion: v1" }, { provider });
            return { namespace: shop.namespace };
        });
    }, 120_000);

    it("builds, then reads the digest, then changes the workload (a failed build leaves the running release as it is)", () => {
        const job = ofType(plan, "kubernetes:batch/v1:Job").find((j) => (j.inputs.metadata as { namespace?: string }).namespace === "builds")!;
        expect(job.name).toBe("shop-job-builds-build-shop-web-4fd5f7d6bba4");
        const digest = named(plan, "shop-web-image-digest");
        expect(dependencyNames(plan, digest)).toContain(job.name);
        expect(digest.secretInputs).toContain("environment");
        const deployment = named(plan, "shop-deployment-web");
        expect(dependencyNames(plan, deployment)).toEqual(expect.arrayContaining([job.name, digest.name]));
        // Offline nothing ran: the placeholder, annotated.
        const inputs = deployment.inputs as any;
        expect(inputs.spec.template.spec.containers[0].image).toBe(`registry.platform.internal/shop/web:${COMMIT}@${PLACEHOLDER_DIGEST}`);
        expect(inputs.metadata.annotations[PLACEHOLDER_DIGEST_ANNOTATION]).toMatch(/^placeholder/);
    });
});
