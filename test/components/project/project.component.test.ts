import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { planComponent } from "../../helpers/component-plan";
import { kubernetesObjects } from "../../../tools/offline/artifacts";
import type { PlannedResource, StackPlan } from "../../../tools/offline/plan-types";
import { flattenProject, renderProject, renderSecrets } from "../../../components/project/render";
import type { Project as ProjectComponent } from "../../../components/project/project";
import { validateObject } from "../../helpers/k8s-schema";
import { project, stackPlatformConfig, TEST_BACKUP_KEYS } from "./fixtures";

/**
 * The Project component under the Pulumi mock engine (the offline plan's harness: it installs
 * `setMocks` with preview=false, then imports the program dynamically and records every registration with
 * its secret inputs, `additionalSecretOutputs`, parent, provider and dependencies).
 */

const config = stackPlatformConfig("fsn1");
const spec = project({
    trust: "untrusted",
    services: [
        {
            name: "web",
            image: "ghcr.io/example/web:1.4.2",
            port: 8080,
            autoscale: { min: 2, max: 4 },
            secretEnv: ["API_KEY"],
            metrics: { port: 9100 },
            expose: { public: true, customDomains: ["shop.example.org"] },
        },
        { name: "cache", image: "docker.io/library/redis:7.4.2-alpine", port: 6379, runAsUser: 999, volumes: [{ name: "data", size: "5Gi", mountPath: "/data" }], expose: { public: false } },
    ],
    database: { engine: "postgresql" },
    bucket: { name: "media" },
});
const gitSpec = project({ name: "docs", trust: "trusted", git: { repoURL: "https://github.com/example/docs.git" } });

let plan: StackPlan;
let component: ProjectComponent | undefined;

beforeAll(async () => {
    plan = await planComponent(async (provider) => {
        const { Project } = await import("../../../components/project/project");
        const { Sandbox } = await import("../../../components/project/sandbox");
        const sandbox = new Sandbox("sandbox", {}, { provider });
        component = new Project("shop", { project: spec, config, secretValues: pulumi.secret({ API_KEY: "s3cr3t-value" }) }, { provider, dependsOn: [sandbox] });
        const docs = new Project("docs", { project: gitSpec, config, secretValues: pulumi.secret({}) }, { provider, dependsOn: [sandbox] });
        return {
            urls: component.urls,
            namespace: component.namespace,
            bucket: component.bucket,
            databaseEndpoint: component.databaseEndpoint,
            databaseCredentials: component.databaseCredentials,
            docsCredentials: docs.databaseCredentials,
        };
    });
});

const byType = (type: string) => plan.resources.filter((r) => r.type === type);
const urnOf = (type: string, name: string) => plan.resources.find((r) => r.type === type && r.name === name)?.urn ?? `missing ${type} ${name}`;
const under = (component: string) => {
    const parent = urnOf(component.split("/")[0]!, component.split("/")[1]!);
    return plan.resources.filter((r) => r.parent === parent);
};

describe("Project component", () => {
    it("registers a platform:project:Project with every child parented to it", () => {
        const projects = byType("platform:project:Project");
        expect(projects.map((p) => p.name).sort()).toEqual(["docs", "shop"]);
        const children = under("platform:project:Project/shop");
        expect(children.length).toBeGreaterThan(25);
        // Every Kubernetes object of the plan belongs to a Project or the Sandbox.
        const parents = new Set([...projects.map((p) => p.urn), urnOf("platform:project:Sandbox", "sandbox")]);
        for (const resource of plan.resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom && !r.type.startsWith("pulumi:providers"))) {
            expect(parents.has(resource.parent ?? ""), resource.name).toBe(true);
        }
    });

    it("registers exactly the objects the renderers produce, fields passed through unchanged", () => {
        const rendered = renderProject(spec, config);
        const expected = flattenProject(rendered, renderSecrets(rendered.context, { app: { API_KEY: "x" }, database: { password: "x", rootPassword: "x" }, bucket: { accessKey: "x", secretKey: "x" } }));
        const registered = kubernetesObjects(under("platform:project:Project/shop"));
        const key = (o: { kind: string; metadata?: { namespace?: string; name?: string } }) => `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
        expect(registered.map(key).sort()).toEqual(expected.map(key).sort());
        for (const object of expected.filter((o) => o.kind !== "Secret")) {
            const match = registered.find((r) => key(r) === key(object));
            expect(match, key(object)).toEqual(expect.objectContaining(JSON.parse(JSON.stringify(object))));
        }
    });

    it("uses the resource types the brief calls for", () => {
        const types = new Set(under("platform:project:Project/shop").map((r) => r.type));
        for (const type of [
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:ResourceQuota",
            "kubernetes:core/v1:LimitRange",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "kubernetes:core/v1:ServiceAccount",
            "kubernetes:core/v1:Secret",
            "kubernetes:core/v1:Service",
            "kubernetes:apps/v1:Deployment",
            "kubernetes:apps/v1:StatefulSet",
            "kubernetes:batch/v1:Job",
            "kubernetes:networking.k8s.io/v1:Ingress",
            "kubernetes:policy/v1:PodDisruptionBudget",
            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
            "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
            "random:index/randomPassword:RandomPassword",
        ]) {
            expect(types.has(type), type).toBe(true);
        }
        const docsTypes = under("platform:project:Project/docs").map((r) => r.type);
        expect(docsTypes).toEqual(expect.arrayContaining(["kubernetes:argoproj.io/v1alpha1:AppProject", "kubernetes:argoproj.io/v1alpha1:Application"]));
        expect(docsTypes).not.toContain("random:index/randomPassword:RandomPassword");
        expect(docsTypes).not.toContain("kubernetes:batch/v1:Job");
    });

    it("creates the gVisor RuntimeClass and its admission policy once, in the Sandbox", () => {
        const runtimeClasses = byType("kubernetes:node.k8s.io/v1:RuntimeClass");
        expect(runtimeClasses).toHaveLength(1);
        expect(runtimeClasses[0]!.inputs).toMatchObject({ metadata: { name: "gvisor" }, handler: "runsc", scheduling: { nodeSelector: { "platform/gvisor": "true" } } });
        expect(under("platform:project:Sandbox/sandbox").map((r) => r.type).sort()).toEqual([
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy",
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding",
            "kubernetes:node.k8s.io/v1:RuntimeClass",
        ]);
    });

    it("marks every Secret's data secret, in inputs and in outputs", () => {
        const secrets = byType("kubernetes:core/v1:Secret");
        expect(secrets.map((s) => `${(s.inputs.metadata as { namespace: string }).namespace}/${(s.inputs.metadata as { name: string }).name}`).sort()).toEqual([
            "docs/app-secrets",
            "minio/bucket-shop",
            "shop/app-secrets",
            "shop/bucket-credentials",
            "shop/database-credentials",
        ]);
        for (const secret of secrets) {
            expect(secret.secretInputs, secret.name).toContain("stringData");
            expect(secret.additionalSecretOutputs, secret.name).toEqual(expect.arrayContaining(["data", "stringData"]));
        }
        const app = secrets.find((s) => s.name === "shop-secret-app-secrets")!;
        expect(app.inputs.stringData).toEqual({ API_KEY: "s3cr3t-value" });
    });

    it("generates credentials with RandomPassword, result marked secret, and wires them into the Secrets", () => {
        const passwords = byType("random:index/randomPassword:RandomPassword").filter((r) => r.name.startsWith("shop-"));
        expect(passwords.map((p) => p.name).sort()).toEqual(["shop-bucket-access-key", "shop-bucket-secret-key", "shop-database-password", "shop-database-root-password"]);
        for (const password of passwords) {
            expect(password.additionalSecretOutputs, password.name).toContain("result");
            expect(password.inputs).toMatchObject({ special: false });
            expect(password.inputs.length as number).toBeGreaterThanOrEqual(20);
        }
        const database = byType("kubernetes:core/v1:Secret").find((s) => s.name === "shop-secret-database-credentials")!;
        const stringData = database.inputs.stringData as Record<string, string>;
        expect(stringData.DATABASE_PASSWORD).toMatch(/^[A-Za-z0-9_-]{32}$/);
        expect(stringData.DATABASE_HOST).toBe("database-rw.shop.svc.cluster.local");
        // The backup bucket's keys reach every project's archive: the platform stack writes that Secret, a Project never does.
        expect(byType("kubernetes:core/v1:Secret").filter((s) => (s.inputs.metadata as { name?: string }).name === "database-backup-s3")).toEqual([]);
        expect(JSON.stringify(plan.resources.map((r) => r.inputs))).not.toContain(TEST_BACKUP_KEYS.secretKey);
        const minio = byType("kubernetes:core/v1:Secret").find((s) => s.name === "shop-secret-minio-bucket-shop")!;
        const tenant = byType("kubernetes:core/v1:Secret").find((s) => s.name === "shop-secret-bucket-credentials")!;
        expect((minio.inputs.stringData as Record<string, string>).ACCESS_KEY).toBe((tenant.inputs.stringData as Record<string, string>).S3_ACCESS_KEY_ID);
    });

    it("exports the database credentials as a secret output, the rest in plain", async () => {
        expect(plan.outputs.databaseCredentials).toBe("[secret]");
        expect(plan.outputs.docsCredentials).toBe("[secret]");
        expect(await pulumi.isSecret(component!.databaseCredentials)).toBe(true);
        const credentials = await new Promise<unknown>((resolve) => component!.databaseCredentials.apply(resolve));
        expect(credentials).toMatchObject({ host: "database-rw.shop.svc.cluster.local", port: 5432, database: "shop", username: "app" });
        expect(plan.outputs.urls).toEqual(["https://web.shop.fsn1.platform.example.com/", "https://shop.example.org/"]);
        expect(plan.outputs.namespace).toBe("shop");
        expect(plan.outputs.bucket).toBe("shop--media");
        expect(plan.outputs.databaseEndpoint).toBe("database-rw.shop.svc.cluster.local:5432");
    });

    it("uses the stack's Kubernetes provider for every Kubernetes object", () => {
        const providerUrn = urnOf("pulumi:providers:kubernetes", "k8s");
        for (const resource of plan.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:"))) {
            expect(resource.provider?.startsWith(providerUrn), resource.name).toBe(true);
        }
    });

    it("orders the transaction: add-ons/sandbox → namespace → guardrails → secrets and database → workloads", () => {
        const find = (name: string): PlannedResource => plan.resources.find((r) => r.name === name)!;
        const dependsOn = (name: string, ...on: string[]) => {
            const resource = find(name);
            for (const target of on) {
                expect(resource.dependencies, `${name} → ${target}`).toContain(find(target).urn);
            }
        };
        // A dependency on a component is a dependency on its children: the RuntimeClass and the admission policy.
        dependsOn("shop-namespace-shop", "sandbox-runtimeclass", "sandbox-admission-policy", "sandbox-admission-binding");
        dependsOn("shop-resourcequota-compute-and-objects", "shop-namespace-shop");
        const guardrails = ["shop-namespace-shop", "shop-resourcequota-compute-and-objects", "shop-limitrange-container-defaults", "shop-networkpolicy-default-deny", "shop-networkpolicy-allow-dns", "shop-serviceaccount-workload"];
        dependsOn("shop-cluster-database", ...guardrails, "shop-secret-database-credentials");
        // The base-backup schedule names the Cluster; the instances' network rules are in place before it.
        dependsOn("shop-scheduledbackup-database-base", "shop-cluster-database");
        dependsOn("shop-networkpolicy-allow-database-api-server", ...guardrails);
        dependsOn("shop-deployment-web", ...guardrails, "shop-secret-app-secrets", "shop-secret-database-credentials", "shop-cluster-database", "shop-job-minio-bucket-shop");
        dependsOn("shop-statefulset-cache", ...guardrails);
        dependsOn("shop-job-minio-bucket-shop", "shop-secret-minio-bucket-shop");
        dependsOn("shop-secret-minio-bucket-shop", "sandbox-runtimeclass");
        dependsOn("shop-horizontalpodautoscaler-web", "shop-deployment-web");
        // Pulumi awaits a Service until ready pods back it: a workload waiting on its Service would deadlock.
        for (const [workload, service] of [["shop-deployment-web", "shop-service-web"], ["shop-statefulset-cache", "shop-service-cache"]] as const) {
            expect(find(workload).dependencies, `${workload} must not wait for ${service}`).not.toContain(find(service).urn);
        }
    });

    it("registers only objects that validate against the Kubernetes and CRD schemas", () => {
        const results = kubernetesObjects(plan.resources).map(validateObject);
        expect(results.length).toBeGreaterThan(40);
        expect(results.filter((r) => r.status !== "valid")).toEqual([]);
    });

    it("keeps tenant data when the file goes: namespace, database, volume StatefulSet and its claims retainOnDelete; nothing else", () => {
        const retained = under("platform:project:Project/shop").filter((r) => r.retainOnDelete).map((r) => r.name).sort();
        // The CloudNativePG Cluster and its ScheduledBackup are retained always: a new generation keeps the old one
        // running until an operator removes it (README: restores).
        expect(retained).toEqual(["shop-cluster-database", "shop-namespace-shop", "shop-persistentvolumeclaim-data-cache-0", "shop-scheduledbackup-database-base", "shop-statefulset-cache"]);
    });

    it("registers each replica's claim before the StatefulSet, which ignores its template's size (growth is an update of the claim)", () => {
        const claims = under("platform:project:Project/shop").filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim");
        const cache = under("platform:project:Project/shop").find((r) => r.name === "shop-statefulset-cache")!;
        expect(claims.map((c) => (c.inputs.metadata as { name: string }).name)).toEqual(["data-cache-0"]);
        expect(cache.dependencies).toEqual(expect.arrayContaining(claims.map((c) => c.urn)));
        expect(cache.ignoreChanges).toEqual(["spec.volumeClaimTemplates[*].spec.resources"]);
        const template = (cache.inputs.spec as { volumeClaimTemplates: Array<{ spec: unknown }> }).volumeClaimTemplates[0]!;
        expect(claims[0]!.inputs.spec).toEqual(template.spec);
        expect(under("platform:project:Project/shop").find((r) => r.name === "shop-cluster-database")!.ignoreChanges).toBeUndefined();
    });
});
