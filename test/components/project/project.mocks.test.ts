import { beforeAll, describe, expect, it } from "vitest";
import { isSecret, resolve, setupMocks, type Registration } from "../../helpers/mock-pulumi";
import type { Project as ProjectComponent } from "../../../components/project/project";
import { project, stackPlatformConfig, wholeProjects } from "./fixtures";

/**
 * A minimal trusted project through the shared component-test mocks (setMocks first, then the component
 * modules imported dynamically): only what the tenant asked for is created, and outputs resolve.
 */

const spec = project({
    name: "hello",
    trust: "trusted",
    quota: { cpu: "1", memory: "1Gi", storage: "1Gi", pods: 4 },
    services: [{ name: "web", image: "ghcr.io/stefanprodan/podinfo:6.9.1", port: 9898, replicas: 1, expose: { public: true } }],
});

let registrations: Registration[];
let hello: ProjectComponent;

beforeAll(async () => {
    registrations = await setupMocks("dev");
    const pulumi = await import("@pulumi/pulumi");
    const wholeProject = await wholeProjects();
    hello = wholeProject("hello", { project: spec, config: stackPlatformConfig("dev"), secretValues: pulumi.secret({ UNUSED: "v" }) });
    // Children register asynchronously (after their dependencies): wait until the RPC queue has drained.
    await pulumi.runtime.disconnect();
});

const kinds = () => registrations.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.type.split(":").pop());

describe("a minimal trusted project", () => {
    it("creates the isolation frame and one Deployment, nothing optional", () => {
        expect(registrations.find((r) => r.type === "platform:project:Project")?.name).toBe("hello");
        expect(kinds().sort()).toEqual(
            [
                "Namespace",
                "ResourceQuota",
                "LimitRange",
                "NetworkPolicy", // default-deny
                "NetworkPolicy", // dns
                "NetworkPolicy", // same namespace
                "NetworkPolicy", // traefik → web
                "NetworkPolicy", // acme http-01 solver
                "NetworkPolicy", // internet 80/443
                "ServiceAccount",
                "Secret",
                "Service",
                "Deployment",
                "Ingress",
                // The deployer: its namespace (once per region), ServiceAccount, token, Role and RoleBinding.
                "Namespace",
                "ServiceAccount",
                "Secret",
                "Role",
                "RoleBinding",
                // These mocks see reads too: the token Secret, read back once the token controller filled it.
                "Secret",
            ].sort(),
        );
        expect(registrations.some((r) => r.type.startsWith("random:"))).toBe(false);
    });

    it("runs the pod without the sandbox, on the run pool", () => {
        const deployment = registrations.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
        const pod = deployment.inputs.spec.template.spec;
        expect(pod.runtimeClassName).toBeUndefined();
        expect(pod.nodeSelector).toEqual({ "platform/pool": "run" });
        expect(deployment.inputs.spec.replicas).toBe(1);
        expect(registrations.some((r) => r.type === "kubernetes:policy/v1:PodDisruptionBudget")).toBe(false);
    });

    it("labels the namespace as a trusted tenant", () => {
        const namespace = registrations.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === "hello")!;
        expect(namespace.inputs.metadata.labels).toMatchObject({ "platform/tenant": "true", "platform/project": "hello", "platform/trust": "trusted", "pod-security.kubernetes.io/enforce": "restricted" });
    });

    it("resolves its outputs: URLs, namespace, and no bucket or database", async () => {
        expect(await resolve(hello.urls)).toEqual(["https://web.hello.dev.platform.example.com/"]);
        expect(await resolve(hello.namespace)).toBe("hello");
        expect(await resolve(hello.bucket)).toBeUndefined();
        expect(await resolve(hello.databaseEndpoint)).toBeUndefined();
        expect(await isSecret(hello.databaseCredentials)).toBe(true);
        expect(await isSecret(hello.urls)).toBe(false);
    });
});
