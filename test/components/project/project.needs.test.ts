import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { planComponent } from "../../helpers/component-plan";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { project, stackPlatformConfig, wholeProjects } from "./fixtures";

/**
 * A Project's children wait for exactly the providers of what each needs (lib/requirements.ts), given a
 * `platform` of stand-ins, one per requirement key: the test sees which stand-in each child waits for.
 */

const config = stackPlatformConfig("fsn1");
const full = project({
    name: "shop",
    trust: "untrusted",
    services: [
        { name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, metrics: { port: 9100 }, expose: { public: true }, uses: ["database", "bucket"] },
        { name: "cache", image: "docker.io/library/redis:7.4.2-alpine", port: 6379, runAsUser: 999, volumes: [{ name: "data", size: "5Gi", class: "fast", mountPath: "/data" }], expose: { public: false }, uses: ["bucket"] },
    ],
    database: { engine: "postgresql", class: "standard" },
    bucket: { name: "media" },
    git: { repoURL: "https://github.com/example/shop.git" },
});
const plain = project({ name: "plain", trust: "trusted", services: [{ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, expose: { public: true } }] });

/** Every requirement key a project may have, each with its own stand-in resource. */
const KEYS = [
    "admission:tenant",
    "admission:untrusted-tenant",
    "nodes:run",
    "nodes:server",
    "storage-class:fast",
    "storage-class:standard",
    "storage-class:tenant-fast",
    "storage-class:tenant-standard",
    "runtime-class:gvisor",
    "service:minio/minio",
    "namespace:minio",
    "namespace:argocd",
    "api-group:argoproj.io",
    "api-group:monitoring.coreos.com",
    "api-group:postgresql.cnpg.io",
];
const standIn = (key: string) => `stand-in-${key.replace(/[^a-z0-9]+/g, "-")}`;

let plan: StackPlan;

beforeAll(async () => {
    plan = await planComponent(async (provider) => {
        const k8s = await import("@pulumi/kubernetes");
        const wholeProject = await wholeProjects();
        const platform = Object.fromEntries(KEYS.map((key) => [key, [new k8s.core.v1.ConfigMap(standIn(key), { metadata: { name: standIn(key), namespace: "default" } }, { provider })]]));
        wholeProject("shop", { project: full, config, secretValues: pulumi.secret({}), platform }, { provider });
        wholeProject("plain", { project: plain, config, secretValues: pulumi.secret({}), platform }, { provider });
        return {};
    });
});

/** The stand-ins a child waits for directly. */
const standInsOf = (name: string): string[] => {
    const resource = plan.resources.find((r) => r.name === name);
    if (!resource) {
        throw new Error(`${name} is not in the plan: ${plan.resources.map((r) => r.name).join(", ")}`);
    }
    return resource.dependencies
        .map((urn) => plan.resources.find((r) => r.urn === urn)!.name)
        .filter((n) => n.startsWith("stand-in-"))
        .sort();
};
const s = (...keys: string[]) => keys.map(standIn).sort();

describe("Project children and the platform", () => {
    it("the namespace waits for the tenant admission policies, and the sandbox's only when the tenant is untrusted", () => {
        expect(standInsOf("shop-namespace-shop")).toEqual(s("admission:tenant", "admission:untrusted-tenant"));
        expect(standInsOf("plain-namespace-plain")).toEqual(s("admission:tenant"));
    });

    it("a pod waits for its pool, its RuntimeClass, the StorageClass of its own claims only, and MinIO when it is given the S3 endpoint", () => {
        // Services that use the bucket get its S3_ENDPOINT (MinIO's cluster DNS name); the database's pods are the
        // operator's, so the Cluster waits only for the operator's API group.
        expect(standInsOf("shop-statefulset-cache")).toEqual(s("nodes:run", "runtime-class:gvisor", "storage-class:tenant-fast", "service:minio/minio"));
        expect(standInsOf("shop-cluster-database")).toEqual(s("api-group:postgresql.cnpg.io"));
        expect(standInsOf("shop-deployment-web")).toEqual(s("nodes:run", "runtime-class:gvisor", "service:minio/minio"));
        expect(standInsOf("plain-deployment-web")).toEqual(s("nodes:run"));
    });

    it("the bucket Job waits for MinIO's S3 Service and namespace; its Secret for the namespace", () => {
        expect(standInsOf("shop-job-minio-bucket-shop")).toEqual(s("namespace:minio", "service:minio/minio"));
        expect(standInsOf("shop-secret-minio-bucket-shop")).toEqual(s("namespace:minio"));
    });

    it("custom resources wait for the release of their API group", () => {
        expect(standInsOf("shop-servicemonitor-web")).toEqual(s("api-group:monitoring.coreos.com"));
        expect(standInsOf("shop-application-argocd-shop")).toEqual(s("api-group:argoproj.io", "namespace:argocd"));
        expect(standInsOf("shop-appproject-argocd-shop")).toEqual(s("api-group:argoproj.io", "namespace:argocd"));
    });

    it("objects in the project's namespace without such needs wait for no platform resource", () => {
        for (const name of ["shop-resourcequota-compute-and-objects", "shop-service-web", "shop-secret-app-secrets", "plain-service-web", "plain-ingress-web"]) {
            expect(standInsOf(name), name).toEqual([]);
        }
    });

    it("a project without volumes, bucket, metrics or git waits for none of their providers", () => {
        const waited = new Set(plan.resources.filter((r) => r.name.startsWith("plain-")).flatMap((r) => standInsOf(r.name)));
        expect([...waited].sort()).toEqual(s("admission:tenant", "nodes:run"));
    });
});

describe("a need nothing provides", () => {
    it("stops each side of the project with every unmet need listed, before any of its resources is registered", async () => {
        const caught: Record<string, unknown> = {};
        const partial = await planComponent(async (provider) => {
            const k8s = await import("@pulumi/kubernetes");
            const { Project } = await import("../../../components/project/project");
            const { ProjectGrants } = await import("../../../components/project/grants");
            const platform = Object.fromEntries(
                KEYS.filter((k) => k !== "api-group:argoproj.io" && k !== "storage-class:tenant-fast").map((key) => [key, [new k8s.core.v1.ConfigMap(standIn(key), { metadata: { name: standIn(key) } }, { provider })]]),
            );
            try {
                new ProjectGrants("shop", { project: full, config, adminKubeconfig: "", deployerNamespace: new k8s.core.v1.Namespace("deployers", {}, { provider }), platform }, { provider });
            } catch (error) {
                caught.grants = error;
            }
            try {
                new Project("shop", { project: full, config, secretValues: pulumi.secret({}), platform }, { provider });
            } catch (error) {
                caught.project = error;
            }
            return {};
        });
        const grants = caught.grants as Error;
        const tenant = caught.project as Error;
        expect([grants.name, tenant.name]).toEqual(["UnmetRequirementsError", "UnmetRequirementsError"]);
        // The platform stack's side: the Argo CD objects need the Argo CD CRDs.
        expect(grants.message).toContain("project shop (platform grants): 2 requirement(s) no platform component provides");
        expect(grants.message).toContain("AppProject/shop needs api-group:argoproj.io");
        expect(grants.message).toContain("Application/shop needs api-group:argoproj.io");
        // The tenant stack's side: the volume's claim and its StatefulSet both need the tenant StorageClass.
        expect(tenant.message).toContain("project shop: 2 requirement(s) no platform component provides");
        expect(tenant.message).toContain("PersistentVolumeClaim/data-cache-0 needs storage-class:tenant-fast");
        expect(tenant.message).toContain("StatefulSet/cache needs storage-class:tenant-fast");
        expect(partial.resources.filter((r) => r.name.startsWith("shop")).map((r) => r.name)).toEqual([]);
    });
});
