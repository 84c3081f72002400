import { describe, expect, it } from "vitest";
import { renderPodPolicy } from "../../../components/guardrails/admission-policies";
import { admit } from "../../../tools/offline/admission";
import { everyExample } from "../project/fixtures";

/**
 * The pod policy's writer-exempt checks (the platform's backup Secret, the operators' own Secrets, the Redis
 * operator's Secret, a database Cluster's ServiceAccount) judge the pod spec. An operator's pods carry exactly
 * those references, so an UPDATE that leaves the spec alone (the garbage collector orphaning a pod, an admin's
 * label or annotation) must pass; one that changes the spec, or any CREATE, is judged as before.
 */

const paasApp = everyExample().find((e) => e.stack === "fsn1" && e.objects.some((o) => o.kind === "Deployment"))!;
const namespace = paasApp.objects.find((o) => o.kind === "Namespace")! as unknown as Record<string, any>;
const deployment = paasApp.objects.find((o) => o.kind === "Deployment")! as unknown as Record<string, any>;
const { policy, binding } = renderPodPolicy({ allowedRegistries: paasApp.config.allowedRegistries });

/** The four checks' messages, in the policy's order. */
const CHECKS = [/must not read the Secret database-backup-s3/, /must not read a database operator's own Secrets/, /must not read the Secret redis-internal/, /must not run as a database Cluster's ServiceAccount/];

/** An operator-written pod holding every reference the four checks look for (as a mix of operators' pods would). */
function operatorPod(): Record<string, any> {
    const spec = structuredClone(deployment.spec.template.spec);
    spec.serviceAccountName = "database";
    spec.volumes = [...(spec.volumes ?? []), { name: "backup", secret: { secretName: "database-backup-s3" } }, { name: "acl", secret: { secretName: "redis-internal" } }];
    spec.containers[0].env = [...(spec.containers[0].env ?? []), { name: "ROOT", valueFrom: { secretKeyRef: { name: "database-secrets", key: "root" } } }];
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "database-1", namespace: namespace.metadata.name, labels: { app: "db" }, ownerReferences: [{ apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster", name: "database", uid: "u1" }] },
        spec,
    };
}

/** Which of the four checks refuse the request. */
function refused(request: { object: Record<string, any>; oldObject?: Record<string, any>; username: string; subResource?: string }): number[] {
    const decision = admit(policy, binding, {
        object: request.object,
        ...(request.oldObject ? { oldObject: request.oldObject, operation: "UPDATE" as const } : { operation: "CREATE" as const }),
        namespaceObject: namespace,
        userInfo: { username: request.username },
        ...(request.subResource ? { subResource: request.subResource } : {}),
    });
    expect(decision.matched).toBe(true);
    return CHECKS.flatMap((check, index) => (decision.messages.some((m) => check.test(m)) ? [index] : []));
}

describe("the pod policy's spec checks on an operator's pods", () => {
    it("refuse every reference on CREATE by anyone but the operators", () => {
        expect(refused({ object: operatorPod(), username: "system:serviceaccount:tenant-deployers:shop" })).toEqual([0, 1, 2, 3]);
    });

    it("admit the garbage collector removing an ownerReference, and an admin's label and annotation, the spec unchanged", () => {
        const old = operatorPod();
        const orphaned = structuredClone(old);
        delete orphaned.metadata.ownerReferences;
        expect(refused({ object: orphaned, oldObject: old, username: "system:serviceaccount:kube-system:generic-garbage-collector" })).toEqual([]);
        const labelled = structuredClone(old);
        labelled.metadata.labels.team = "payments";
        labelled.metadata.annotations = { "example.com/note": "drained" };
        expect(refused({ object: labelled, oldObject: old, username: "admin@example.com" })).toEqual([]);
    });

    it("refuse an UPDATE that changes the spec: an image swap, an ephemeral container", () => {
        const old = operatorPod();
        const swapped = structuredClone(old);
        swapped.spec.containers[0].image = "ghcr.io/tenant/tool:1.0";
        expect(refused({ object: swapped, oldObject: old, username: "system:serviceaccount:tenant-deployers:shop" })).toEqual([0, 1, 2, 3]);
        const debug = structuredClone(old);
        debug.spec.ephemeralContainers = [{ name: "debug", image: "ghcr.io/tenant/tool:1.0", targetContainerName: old.spec.containers[0].name }];
        expect(refused({ object: debug, oldObject: old, username: "admin@example.com", subResource: "ephemeralcontainers" })).toEqual([0, 1, 2, 3]);
    });

    it("refuse a Deployment whose template gains a reference on UPDATE, and any other spec change while the references stay", () => {
        const old = structuredClone(deployment);
        const gained = structuredClone(old);
        gained.spec.template.spec.serviceAccountName = "database-g2";
        expect(refused({ object: gained, oldObject: old, username: "system:serviceaccount:tenant-deployers:shop" })).toEqual([3]);
        const scaled = structuredClone(gained);
        scaled.spec.replicas = 5;
        expect(refused({ object: scaled, oldObject: gained, username: "admin@example.com" })).toEqual([3]);
        const relabelled = structuredClone(gained);
        relabelled.metadata.labels = { ...relabelled.metadata.labels, team: "payments" };
        expect(refused({ object: relabelled, oldObject: gained, username: "admin@example.com" })).toEqual([]);
    });

    // Found by review: comparing the template's pod spec only let a tenant rewrite the rest of an operator's workload.
    it("refuse a tenant re-labelling, scaling or changing the claim retention of an operator's StatefulSet, its pod spec kept", () => {
        const statefulSet = {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name: "database-pxc", namespace: namespace.metadata.name },
            spec: {
                replicas: 3,
                serviceName: "database-pxc",
                selector: { matchLabels: { app: "db" } },
                persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                template: { metadata: { labels: { app: "db", "platform/service": "database" } }, spec: operatorPod().spec },
            },
        };
        const deployer = "system:serviceaccount:tenant-deployers:shop";
        const changed = (change: (o: any) => void) => {
            const copy = structuredClone(statefulSet) as any;
            change(copy);
            return copy;
        };
        expect(refused({ object: changed((o) => (o.spec.template.metadata.labels["platform/service"] = "web")), oldObject: statefulSet, username: deployer })).toEqual([0, 1, 2, 3]);
        expect(refused({ object: changed((o) => (o.spec.template.metadata.annotations = { "example.com/x": "y" })), oldObject: statefulSet, username: deployer })).toEqual([0, 1, 2, 3]);
        expect(refused({ object: changed((o) => (o.spec.replicas = 9)), oldObject: statefulSet, username: deployer })).toEqual([0, 1, 2, 3]);
        expect(refused({ object: changed((o) => (o.spec.persistentVolumeClaimRetentionPolicy.whenScaled = "Delete")), oldObject: statefulSet, username: deployer })).toEqual([0, 1, 2, 3]);
        // Its own metadata is not the pods': an annotation on the StatefulSet passes.
        expect(refused({ object: changed((o) => (o.metadata.annotations = { "example.com/note": "x" })), oldObject: statefulSet, username: deployer })).toEqual([]);
    });
});
