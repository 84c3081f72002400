import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { planComponent } from "../../helpers/component-plan";
import { kubernetesObjects } from "../../../tools/offline/artifacts";
import type { PlannedResource, StackPlan } from "../../../tools/offline/plan-types";
import { flattenProject, renderProject, renderSecrets } from "../../../components/project/render";
import type { Project as ProjectComponent } from "../../../components/project/project";
import { validateObject } from "../../helpers/k8s-schema";
import { project, stackPlatformConfig, TEST_BACKUP_KEYS, wholeProjects } from "./fixtures";

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
            uses: ["database"],
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
        const wholeProject = await wholeProjects();
        const { Sandbox } = await import("../../../components/project/sandbox");
        const sandbox = new Sandbox("sandbox", {}, { provider });
        component = wholeProject("shop", { project: spec, config, secretValues: pulumi.secret({ API_KEY: "s3cr3t-value" }) }, { provider, dependsOn: [sandbox] });
        const docs = wholeProject("docs", { project: gitSpec, config, secretValues: pulumi.secret({}) }, { provider, dependsOn: [sandbox] });
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
/** A project's resources in both stacks: its Project's (tenant stack) and its ProjectGrants' (platform stack). */
const whole = (name: string) => [...under(`platform:project:Project/${name}`), ...under(`platform:project:ProjectGrants/${name}`)];
const DEPLOYER_KINDS = new Set(["Role", "RoleBinding"]);

describe("Project component", () => {
    it("registers a platform:project:Project and a platform:project:ProjectGrants per project, every child parented to one of them", () => {
        const projects = byType("platform:project:Project");
        expect(projects.map((p) => p.name).sort()).toEqual(["docs", "shop"]);
        expect(byType("platform:project:ProjectGrants").map((p) => p.name).sort()).toEqual(["docs", "shop"]);
        expect(under("platform:project:Project/shop").length).toBeGreaterThan(12);
        expect(under("platform:project:ProjectGrants/shop").length).toBeGreaterThan(12);
        // The tenant stack's Project holds nothing that encodes a grant and nothing outside the project's namespace.
        for (const object of kubernetesObjects(under("platform:project:Project/shop"))) {
            expect(["Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy", "ServiceAccount"], object.kind).not.toContain(object.kind);
            expect(object.metadata?.namespace, `${object.kind}/${object.metadata?.name}`).toBe("shop");
        }
        // Every Kubernetes object of the plan belongs to a Project, a ProjectGrants, the deployers' namespace or the Sandbox.
        const parents = new Set([
            ...projects.map((p) => p.urn),
            ...byType("platform:project:ProjectGrants").map((p) => p.urn),
            urnOf("platform:project:DeployerNamespace", "tenant-deployers"),
            urnOf("platform:project:Sandbox", "sandbox"),
        ]);
        for (const resource of plan.resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom && !r.type.startsWith("pulumi:providers"))) {
            expect(parents.has(resource.parent ?? ""), resource.name).toBe(true);
        }
    });

    it("registers exactly the objects the renderers produce, fields passed through unchanged", () => {
        const rendered = renderProject(spec, config);
        const expected = flattenProject(rendered, renderSecrets(rendered.context, { app: { API_KEY: "x" }, database: { password: "x", rootPassword: "x" }, bucket: { accessKey: "x", secretKey: "x" } }));
        const registered = kubernetesObjects(whole("shop")).filter((o) => !DEPLOYER_KINDS.has(o.kind) && o.metadata?.namespace !== "tenant-deployers");
        const key = (o: { kind: string; metadata?: { namespace?: string; name?: string } }) => `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
        expect(registered.map(key).sort()).toEqual(expected.map(key).sort());
        for (const object of expected.filter((o) => o.kind !== "Secret")) {
            const match = registered.find((r) => key(r) === key(object));
            expect(match, key(object)).toEqual(expect.objectContaining(JSON.parse(JSON.stringify(object))));
        }
    });

    it("uses the resource types the brief calls for", () => {
        const types = new Set(whole("shop").map((r) => r.type));
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
        const docsTypes = whole("docs").map((r) => r.type);
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
            "tenant-deployers/docs-token",
            "tenant-deployers/shop-token",
        ]);
        for (const secret of secrets) {
            // A deployer's token Secret has no input data: the token controller fills it.
            if (secret.inputs.type !== "kubernetes.io/service-account-token") {
                expect(secret.secretInputs, secret.name).toContain("stringData");
            }
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
        // The platform stack's side: the namespace first, then what encodes the grants and the deployer's binding.
        // (Across stacks the order is the stacks' order: the platform stack, then the tenant stacks.)
        for (const grant of ["shop-resourcequota-compute-and-objects", "shop-limitrange-container-defaults", "shop-networkpolicy-default-deny", "shop-networkpolicy-allow-dns", "shop-serviceaccount-workload", "shop-networkpolicy-allow-database-api-server", "shop-secret-bucket-credentials"]) {
            dependsOn(grant, "shop-namespace-shop");
        }
        dependsOn("shop-job-minio-bucket-shop", "shop-secret-minio-bucket-shop");
        const deployerRole = plan.resources.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role" && r.name === "shop-deployer")!;
        const deployerBinding = plan.resources.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding" && r.name === "shop-deployer")!;
        expect(deployerRole.dependencies).toContain(find("shop-namespace-shop").urn);
        expect(deployerBinding.dependencies).toContain(deployerRole.urn);
        // The tenant stack's side, and the component's own dependsOn (the sandbox) on every child.
        dependsOn("shop-secret-app-secrets", "sandbox-runtimeclass", "sandbox-admission-policy", "sandbox-admission-binding");
        dependsOn("shop-cluster-database", "shop-secret-database-credentials");
        // The base-backup schedule names the Cluster.
        dependsOn("shop-scheduledbackup-database-base", "shop-cluster-database");
        dependsOn("shop-deployment-web", "shop-secret-app-secrets", "shop-secret-database-credentials", "shop-cluster-database");
        dependsOn("shop-statefulset-cache", "shop-persistentvolumeclaim-data-cache-0");
        // A workload waits only for the data services it uses (web: the database; cache: none), never for a backup schedule.
        const waitsFor = (name: string, target: string) => find(name).dependencies.includes(find(target).urn);
        expect(waitsFor("shop-deployment-web", "shop-scheduledbackup-database-base"), "web → the backup schedule").toBe(false);
        expect(waitsFor("shop-statefulset-cache", "shop-cluster-database"), "cache → the database it does not use").toBe(false);
        expect(waitsFor("shop-statefulset-cache", "shop-scheduledbackup-database-base"), "cache → the backup schedule").toBe(false);
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
        const retained = whole("shop").filter((r) => r.retainOnDelete).map((r) => r.name).sort();
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
