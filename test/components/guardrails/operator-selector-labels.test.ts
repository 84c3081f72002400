import { describe, expect, it } from "vitest";
import { OPERATOR_LABEL_WRITERS, renderPodPolicy } from "../../../components/guardrails/admission-policies";
import type { TenantObject } from "../../../components/project/render";
import { admit } from "../../../tools/offline/admission";
import { everyExample } from "../project/fixtures";

/**
 * The pod policy refuses the database operators' selector labels on pods and pod templates that anyone but an
 * operator (or a controller copying a template) writes: the project's NetworkPolicies select the database
 * instances by `cnpg.io/cluster` and the Percona clusters by `app.kubernetes.io/instance`, and give those pods the
 * API server's and object storage's egress.
 */

const paasApp = everyExample().find((e) => e.stack === "fsn1" && e.objects.some((o) => o.kind === "Deployment"))!;
const namespace = paasApp.objects.find((o) => o.kind === "Namespace")!;
const deployment = paasApp.objects.find((o) => o.kind === "Deployment")! as unknown as Record<string, any>;
const { policy, binding } = renderPodPolicy({ allowedRegistries: paasApp.config.allowedRegistries });
const SELECTOR_MESSAGE = /operator's selector labels/;

function labelDenials(object: Record<string, unknown>, username?: string): string[] {
    const decision = admit(policy, binding, {
        object,
        namespaceObject: namespace as unknown as Record<string, unknown>,
        operation: "CREATE",
        ...(username ? { userInfo: { username } } : {}),
    });
    expect(decision.matched).toBe(true);
    return decision.messages.filter((m) => SELECTOR_MESSAGE.test(m));
}

const withTemplateLabels = (labels: Record<string, string>) => {
    const copy = structuredClone(deployment);
    copy.spec.template.metadata = { ...copy.spec.template.metadata, labels: { ...copy.spec.template.metadata?.labels, ...labels } };
    return copy;
};
const pod = (labels: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: namespace.metadata!.name, labels },
    spec: structuredClone(deployment.spec.template.spec),
});
const cronJob = (labels: Record<string, string>) => ({
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "c", namespace: namespace.metadata!.name },
    spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { metadata: { labels }, spec: { ...structuredClone(deployment.spec.template.spec), restartPolicy: "Never" } } } } },
});

describe("operator selector labels on tenant pods", () => {
    it("admits the project's own Deployment as rendered", () => {
        expect(labelDenials(deployment)).toEqual([]);
    });

    it.each([
        ["cnpg.io/cluster", "database"],
        ["cnpg.io/instanceRole", "primary"],
        ["CNPG.io/cluster", "database"],
        ["postgresql.cnpg.io/anything", "x"],
        ["percona.com/cluster", "database"],
        ["app.kubernetes.io/instance", "database"],
        ["app.kubernetes.io/instance", "database-g3"],
        ["app.kubernetes.io/instance", "mongodb"],
        ["app.kubernetes.io/instance", "mongodb-g12"],
        ["redis_setup_type", "replication"],
        ["redis_setup_type", "sentinel"],
    ])("refuses %s=%s on a tenant's Deployment template, Pod and CronJob template", (key, value) => {
        for (const object of [withTemplateLabels({ [key]: value }), pod({ [key]: value }), cronJob({ [key]: value })]) {
            expect(labelDenials(object), `${object.kind} ${key}=${value}`).toHaveLength(1);
        }
    });

    it.each([
        ["app.kubernetes.io/instance", "my-release"],
        ["app.kubernetes.io/instance", "database-cache"],
        ["app.kubernetes.io/instance", "xdatabase"],
        ["example.com/cnpg.io", "x"],
        ["notcnpg.io.example/cluster", "database"],
        ["app", "redis"],
        ["redis_setup_type_x", "replication"],
    ])("admits the tenant's own %s=%s", (key, value) => {
        expect(labelDenials(withTemplateLabels({ [key]: value }))).toEqual([]);
        expect(labelDenials(pod({ [key]: value }))).toEqual([]);
    });

    it("admits a template without labels", () => {
        const bare = structuredClone(deployment);
        delete bare.spec.template.metadata;
        expect(labelDenials(bare)).toEqual([]);
    });

    it("lets the operators and the pod-creating controllers write those labels, no one else", () => {
        const instance = pod({ "cnpg.io/cluster": "database", "app.kubernetes.io/instance": "database" });
        expect(OPERATOR_LABEL_WRITERS).toEqual(
            expect.arrayContaining([
                "system:serviceaccount:cnpg-system:cnpg-cloudnative-pg",
                "system:serviceaccount:kube-system:statefulset-controller",
                "system:serviceaccount:kube-system:replicaset-controller",
                // The PXC operator's binlog collector is a Deployment labelled with its cluster: its ReplicaSets are the deployment controller's.
                "system:serviceaccount:kube-system:deployment-controller",
                "system:kube-controller-manager",
            ]),
        );
        for (const user of OPERATOR_LABEL_WRITERS) {
            expect(labelDenials(instance, user), user).toEqual([]);
        }
        for (const user of [`system:serviceaccount:${namespace.metadata!.name}:deployer`, "system:serviceaccount:argocd:argocd-application-controller", "alice"]) {
            expect(labelDenials(instance, user), user).toHaveLength(1);
        }
    });
});

// Review 2026-12-03: Argo Rollouts copies a strategy's ephemeral metadata onto the ReplicaSets and live pods itself.
describe("operator selector labels in a Rollout's ephemeral metadata", () => {
    const rollout = (strategy: Record<string, unknown>) => ({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { name: "web", namespace: namespace.metadata!.name },
        spec: { selector: deployment.spec.selector, template: structuredClone(deployment.spec.template), strategy },
    });

    it.each([
        ["blueGreen", "activeMetadata"],
        ["blueGreen", "previewMetadata"],
        ["canary", "stableMetadata"],
        ["canary", "canaryMetadata"],
    ])("refuses redis_setup_type and cnpg.io/cluster in %s.%s", (strategy, field) => {
        for (const labels of [{ redis_setup_type: "sentinel" }, { "cnpg.io/cluster": "database" }]) {
            expect(labelDenials(rollout({ [strategy]: { activeService: "web", [field]: { labels } } })), `${strategy}.${field}`).toHaveLength(1);
        }
        expect(labelDenials(rollout({ [strategy]: { activeService: "web", [field]: { labels: { track: "preview" } } } }))).toEqual([]);
    });

    it("admits a Rollout without ephemeral metadata", () => {
        expect(labelDenials(rollout({ blueGreen: { activeService: "web" } }))).toEqual([]);
    });
});
