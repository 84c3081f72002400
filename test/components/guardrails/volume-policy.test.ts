import { describe, expect, it } from "vitest";
import { renderVolumePolicy } from "../../../components/guardrails/admission-policies";
import { STATEFULSET_CONTROLLER_USER } from "../../../components/project/sandbox";
import { NAMESPACES, RESTORE_STORAGE_CLASS } from "../../../lib/conventions";
import { admit } from "../../../tools/offline/admission";
import { validateObject } from "../../helpers/k8s-schema";
import { k8sObject, messagesOf, planned, tenantNamespace } from "../../helpers/policy-fixtures";

/**
 * The admission twin of `tenancy-restore-storage-class` (platform-tenant-volumes), review 19 finding 3: a restore
 * StorageClass carries one project's Longhorn backup, so a claim of any other namespace naming it would be filled
 * with that backup. Every writer of claims is held (the tenant stack, Argo CD syncing the tenant's repository,
 * the StatefulSet controller from a claim template); the pack holds the same at preview, including claim
 * templates and the database objects whose operators make claims. Expected outcomes are written per case.
 */

const pair = renderVolumePolicy({ allowedRegistries: ["ghcr.io"] });
const ARGOCD_USER = `system:serviceaccount:${NAMESPACES.argocd}:argocd-application-controller`;

const claim = (namespace: string, storageClassName?: string) => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "data-store-0", namespace },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, ...(storageClassName === undefined ? {} : { storageClassName }) },
});

type Case = { title: string; namespace: string; storageClassName?: string; username?: string; expected: "admit" | "deny" };

const CASES: Case[] = [
    { title: "a claim on a tenant class", namespace: "shop", storageClassName: "tenant-fast", expected: "admit" },
    { title: "a claim without a class (the default class)", namespace: "shop", expected: "admit" },
    { title: "a claim on its own restore class", namespace: "shop", storageClassName: RESTORE_STORAGE_CLASS.name("shop", "data-store-0"), expected: "admit" },
    { title: "a claim on another project's restore class", namespace: "shop", storageClassName: RESTORE_STORAGE_CLASS.name("caracal", "data-store-0"), expected: "deny" },
    { title: "the same, synced by Argo CD from the tenant's repository", namespace: "shop", storageClassName: RESTORE_STORAGE_CLASS.name("caracal", "data-store-0"), username: ARGOCD_USER, expected: "deny" },
    { title: "the same, made by the StatefulSet controller from a claim template", namespace: "shop", storageClassName: RESTORE_STORAGE_CLASS.name("caracal", "redis-redis-0"), username: STATEFULSET_CONTROLLER_USER, expected: "deny" },
    // The old names collided: restore-a-b-c was both (a-b, c) and (a, b-c). The new ones keep the owner apart.
    { title: "namespace a on namespace a-b's class", namespace: "a", storageClassName: RESTORE_STORAGE_CLASS.name("a-b", "c"), expected: "deny" },
    { title: "namespace a-b on namespace a's class", namespace: "a-b", storageClassName: RESTORE_STORAGE_CLASS.name("a", "b-c"), expected: "deny" },
    { title: "a class of the former scheme (restore-<namespace>-<claim>)", namespace: "a", storageClassName: "restore-a-b-c", expected: "deny" },
    { title: "a restore-prefixed name with the namespace only as a prefix of the segment", namespace: "shop", storageClassName: "restore.shopping.data-0", expected: "deny" },
];

function decide(object: Record<string, unknown>, namespace: string, extra: { username?: string; operation?: "CREATE" | "UPDATE"; oldObject?: Record<string, unknown> } = {}) {
    return admit(pair.policy, pair.binding, {
        object,
        namespaceObject: tenantNamespace(namespace).inputs,
        operation: extra.operation ?? "CREATE",
        ...(extra.oldObject ? { oldObject: extra.oldObject } : {}),
        ...(extra.username ? { userInfo: { username: extra.username, groups: ["system:serviceaccounts"] } } : {}),
    });
}

describe("platform-tenant-volumes (admission twin of tenancy-restore-storage-class)", () => {
    it("is a schema-valid ValidatingAdmissionPolicy on claims, bound to tenant namespaces", () => {
        expect(validateObject(pair.policy).status).toBe("valid");
        expect(validateObject(pair.binding).status).toBe("valid");
        expect(pair.policy.spec!.matchConstraints!.resourceRules).toEqual([expect.objectContaining({ resources: ["persistentvolumeclaims"], operations: ["CREATE", "UPDATE"] })]);
        expect(pair.binding.spec!.matchResources!.namespaceSelector).toEqual({ matchLabels: { "platform/tenant": "true" } });
    });

    it.each(CASES)("$title: $expected by admission and by the pack", ({ namespace, storageClassName, username, expected }) => {
        const object = claim(namespace, storageClassName);
        const decision = decide(object, namespace, { username });
        expect(decision.allowed ? "admit" : "deny", decision.messages.join("; ")).toBe(expected);
        const reported = messagesOf("tenancy-restore-storage-class", [planned("kubernetes:core/v1:PersistentVolumeClaim", "claim", object)]);
        expect(reported.length === 0 ? "admit" : "deny", reported.join("; ")).toBe(expected);
    });

    it("admits updates of an existing claim that keep its class, and refuses setting another project's class on a claim without one", () => {
        const existing = claim("shop", "tenant-fast");
        expect(decide({ ...existing, metadata: { ...existing.metadata, annotations: { "pv.kubernetes.io/bind-completed": "yes" } } }, "shop", { operation: "UPDATE", oldObject: existing }).allowed).toBe(true);
        const classless = claim("shop");
        expect(decide(claim("shop", RESTORE_STORAGE_CLASS.name("caracal", "data-store-0")), "shop", { operation: "UPDATE", oldObject: classless }).allowed).toBe(false);
        expect(decide(claim("shop", RESTORE_STORAGE_CLASS.name("shop", "data-store-0")), "shop", { operation: "UPDATE", oldObject: classless }).allowed).toBe(true);
    });

    it("pack: refuses another project's restore class in a StatefulSet claim template and in a database object's storage", () => {
        const other = RESTORE_STORAGE_CLASS.name("caracal", "data-web-0");
        const statefulSet = k8sObject("kubernetes:apps/v1:StatefulSet", "shop", "web", {
            spec: { serviceName: "web", selector: {}, template: { spec: { containers: [] } }, volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { storageClassName: other } }] },
        });
        expect(messagesOf("tenancy-restore-storage-class", [statefulSet])).toEqual([expect.stringContaining(`spec.volumeClaimTemplates[0].spec.storageClassName "${other}" is project "caracal"'s restore StorageClass`)]);
        const cluster = k8sObject("kubernetes:postgresql.cnpg.io/v1:Cluster", "shop", "database", { spec: { instances: 1, storage: { storageClass: other, size: "10Gi" } } });
        expect(messagesOf("tenancy-restore-storage-class", [cluster])).toHaveLength(1);
        const own = k8sObject("kubernetes:apps/v1:StatefulSet", "shop", "web", { spec: { volumeClaimTemplates: [{ spec: { storageClassName: RESTORE_STORAGE_CLASS.name("shop", "data-web-0") } }] } });
        expect(messagesOf("tenancy-restore-storage-class", [own])).toEqual([]);
    });

    it("pack: every StorageClass that restores a backup is named restore.<namespace>.<claim> and labelled with that project", () => {
        const storageClass = (name: string, labels: Record<string, string>, parameters: Record<string, string>) =>
            k8sObject("kubernetes:storage.k8s.io/v1:StorageClass", undefined, name, { provisioner: "driver.longhorn.io", parameters }, labels);
        const fromBackup = { fromBackup: "s3://platform-longhorn-fsn1@fsn1/?backup=backup-1&volume=pvc-1" };
        expect(messagesOf("tenancy-restore-storage-class", [storageClass("restore.shop.data-store-0", { "platform/project": "shop" }, fromBackup)])).toEqual([]);
        expect(messagesOf("tenancy-restore-storage-class", [storageClass("restore-shop-data-store-0", { "platform/project": "shop" }, fromBackup)])).toEqual([expect.stringContaining("is not named restore.<namespace>.<claim>")]);
        expect(messagesOf("tenancy-restore-storage-class", [storageClass("tenant-fast-copy", {}, fromBackup)])).toHaveLength(1);
        expect(messagesOf("tenancy-restore-storage-class", [storageClass("restore.shop.data-store-0", { "platform/project": "caracal" }, fromBackup)])).toEqual([expect.stringContaining('belongs to namespace "shop"')]);
        expect(messagesOf("tenancy-restore-storage-class", [storageClass("tenant-fast", {}, { numberOfReplicas: "2" })])).toEqual([]);
        // Longhorn's own classes spell "no backup" as an empty fromBackup.
        expect(messagesOf("tenancy-restore-storage-class", [storageClass("tenant-fast", {}, { numberOfReplicas: "2", fromBackup: "" })])).toEqual([]);
    });
});
