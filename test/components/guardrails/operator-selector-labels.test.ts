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

/** The selector-label denials of an UPDATE from `oldObject` to `object` (a non-exempt writer unless `username`). */
function updateDenials(oldObject: Record<string, unknown>, object: Record<string, unknown>, username = "admin@example.com", subResource?: string): string[] {
    const decision = admit(policy, binding, {
        object,
        oldObject,
        namespaceObject: namespace as unknown as Record<string, unknown>,
        operation: "UPDATE",
        userInfo: { username },
        ...(subResource ? { subResource } : {}),
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

// Issue 19 leftover 1: an UPDATE is judged against oldObject (null on CREATE): keeping what an operator wrote is not writing it.
describe("operator selector labels on UPDATE", () => {
    const INSTANCE = { "cnpg.io/cluster": "database", "cnpg.io/instanceRole": "primary", "app.kubernetes.io/instance": "database" };
    const instancePod = () => pod({ ...INSTANCE, app: "db" });
    const relabel = <T extends Record<string, any>>(object: T, labels: Record<string, string | undefined>, at: (o: T) => Record<string, any> = (o) => o.metadata): T => {
        const copy = structuredClone(object);
        const metadata = at(copy);
        metadata.labels = Object.fromEntries(Object.entries({ ...metadata.labels, ...labels }).filter(([, v]) => v !== undefined));
        return copy;
    };

    it("admits an admin's label, an annotation and a removed ownerReference on an operator's pod, the labels kept", () => {
        const old = { ...instancePod(), metadata: { ...instancePod().metadata, ownerReferences: [{ apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster", name: "database", uid: "u1" }] } };
        expect(updateDenials(old, relabel(old, { team: "payments" }))).toEqual([]);
        expect(updateDenials(old, { ...old, metadata: { ...old.metadata, annotations: { "example.com/note": "x" } } })).toEqual([]);
        const { ownerReferences: _, ...orphaned } = old.metadata;
        expect(updateDenials(old, { ...old, metadata: orphaned }, "system:serviceaccount:kube-system:generic-garbage-collector")).toEqual([]);
    });

    it("admits dropping an operator label (nothing is granted by a label that is gone)", () => {
        expect(updateDenials(instancePod(), relabel(instancePod(), { "cnpg.io/instanceRole": undefined }))).toEqual([]);
    });

    it.each([
        ["adds cnpg.io/cluster to a tenant's pod", pod({ app: "web" }), { "cnpg.io/cluster": "database" }],
        ["adds redis_setup_type to a tenant's pod", pod({ app: "web" }), { redis_setup_type: "sentinel" }],
        ["changes an operator pod's cnpg.io/instanceRole", instancePod(), { "cnpg.io/instanceRole": "replica" }],
        ["changes an operator pod's cnpg.io/cluster", instancePod(), { "cnpg.io/cluster": "database-g2" }],
        ["turns app.kubernetes.io/instance into a database's", pod({ "app.kubernetes.io/instance": "web" }), { "app.kubernetes.io/instance": "mongodb" }],
        ["adds percona.com/cluster beside kept CNPG labels", instancePod(), { "percona.com/cluster": "database" }],
    ])("refuses an UPDATE that %s", (_, old, labels) => {
        expect(updateDenials(old, relabel(old, labels))).toHaveLength(1);
    });

    it("refuses a changed pod spec while the operator's labels stay: an image swap or an ephemeral container would run under them", () => {
        const old = instancePod();
        const swapped = structuredClone(old);
        swapped.spec.containers[0].image = "ghcr.io/tenant/tool:1.0";
        expect(updateDenials(old, swapped)).toHaveLength(1);
        const debug = structuredClone(old);
        debug.spec.ephemeralContainers = [{ name: "debug", image: swapped.spec.containers[0].image, targetContainerName: old.spec.containers[0].name }];
        expect(updateDenials(old, debug, "admin@example.com", "ephemeralcontainers")).toHaveLength(1);
        // The same change on a pod without operator labels is not this rule's.
        const plain = pod({ app: "web" });
        const plainSwapped = { ...structuredClone(plain), spec: swapped.spec };
        expect(updateDenials(plain, plainSwapped)).toEqual([]);
        // The operator itself changes its pods' images (a minor upgrade).
        expect(updateDenials(old, swapped, "system:serviceaccount:cnpg-system:cnpg-cloudnative-pg")).toEqual([]);
    });

    it("keeps judging templates: the StatefulSet's own annotation passes, a template label added or changed is refused, so is a changed template (a restart annotation, a new image)", () => {
        const statefulSet = {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name: "redis", namespace: namespace.metadata!.name },
            spec: { selector: { matchLabels: { app: "redis" } }, serviceName: "redis", template: { metadata: { labels: { app: "redis", redis_setup_type: "replication" } }, spec: structuredClone(deployment.spec.template.spec) } },
        };
        const template = (o: typeof statefulSet) => o.spec.template.metadata;
        const restarted = structuredClone(statefulSet);
        (restarted.spec.template.metadata as Record<string, unknown>).annotations = { "kubectl.kubernetes.io/restartedAt": "2026-12-03T10:00:00Z" };
        // A restart annotation changes the template (the whole spec must stay while the operator's labels do):
        // restarting an operator's workload is the operator's to do, and it is an exempt writer.
        expect(updateDenials(statefulSet, restarted)).toHaveLength(1);
        expect(updateDenials(statefulSet, restarted, "system:serviceaccount:redis-operator:redis-operator")).toEqual([]);
        const annotated = structuredClone(statefulSet);
        (annotated.metadata as Record<string, unknown>).annotations = { "example.com/note": "x" };
        expect(updateDenials(statefulSet, annotated)).toEqual([]);
        expect(updateDenials(statefulSet, relabel(statefulSet, { redis_setup_type: "sentinel" }, template))).toHaveLength(1);
        expect(updateDenials(statefulSet, relabel(statefulSet, { "cnpg.io/cluster": "database" }, template))).toHaveLength(1);
        const reimaged = structuredClone(statefulSet);
        reimaged.spec.template.spec.containers[0].image = "ghcr.io/tenant/tool:1.0";
        expect(updateDenials(statefulSet, reimaged)).toHaveLength(1);
        // A tenant Deployment gaining one on UPDATE is refused as on CREATE.
        expect(updateDenials(deployment, withTemplateLabels({ "cnpg.io/cluster": "database" }))).toHaveLength(1);
        expect(updateDenials(deployment, withTemplateLabels({ team: "a" }))).toEqual([]);
        // A CronJob's template two levels down.
        const job = cronJob({ "percona.com/cluster": "database" });
        const jobTemplate = (o: ReturnType<typeof cronJob>) => o.spec.jobTemplate.spec.template.metadata;
        // Another template label beside a kept operator label changes the spec: refused like any spec change.
        expect(updateDenials(job, relabel(job, { team: "a" }, jobTemplate))).toHaveLength(1);
        expect(updateDenials(job, { ...job, metadata: { ...job.metadata, labels: { team: "a" } } })).toEqual([]);
        expect(updateDenials(cronJob({}), job)).toHaveLength(1);
    });

    it("judges a Rollout's ephemeral metadata against the existing Rollout's", () => {
        const rollout = (labels: Record<string, string>) => ({
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Rollout",
            metadata: { name: "web", namespace: namespace.metadata!.name },
            spec: { selector: deployment.spec.selector, template: structuredClone(deployment.spec.template), strategy: { blueGreen: { activeService: "web", previewMetadata: { labels } } } },
        });
        expect(updateDenials(rollout({ track: "preview" }), rollout({ track: "preview", redis_setup_type: "sentinel" }))).toHaveLength(1);
        expect(updateDenials(rollout({ track: "preview" }), rollout({ track: "next" }))).toEqual([]);
    });

    it("CREATE is unchanged: oldObject is null there, so no label counts as kept", () => {
        expect(labelDenials(instancePod())).toHaveLength(1);
        expect(labelDenials(instancePod(), "system:serviceaccount:cnpg-system:cnpg-cloudnative-pg")).toEqual([]);
    });

    it("does not see the kubelet's status writes: the policy matches pods and pods/ephemeralcontainers, not pods/status", () => {
        const rules = policy.spec!.matchConstraints!.resourceRules!.flatMap((r) => r.resources ?? []);
        expect(rules).toContain("pods");
        expect(rules).toContain("pods/ephemeralcontainers");
        expect(rules.filter((r) => r.includes("/") && r !== "pods/ephemeralcontainers")).toEqual([]);
        const running = instancePod();
        const decision = admit(policy, binding, { object: running, oldObject: running, namespaceObject: namespace as unknown as Record<string, unknown>, operation: "UPDATE", userInfo: { username: "system:node:dev-run-0" }, subResource: "status" });
        expect(decision.matched).toBe(false);
    });
});
