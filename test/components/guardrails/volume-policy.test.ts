import { describe, expect, it } from "vitest";
import { PV_CONTROLLER_USER, renderVolumePolicy } from "../../../components/guardrails/admission-policies";
import { STATEFULSET_CONTROLLER_USER } from "../../../components/project/sandbox-policy";
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
    it("is a schema-valid ValidatingAdmissionPolicy on claims and claim templates, bound to tenant namespaces", () => {
        expect(validateObject(pair.policy).status).toBe("valid");
        expect(validateObject(pair.binding).status).toBe("valid");
        expect(pair.policy.spec!.matchConstraints!.resourceRules).toEqual([
            expect.objectContaining({ apiGroups: [""], resources: ["persistentvolumeclaims", "pods"], operations: ["CREATE", "UPDATE"] }),
            expect.objectContaining({ apiGroups: ["apps"], resources: ["statefulsets"] }),
            expect.objectContaining({ apiGroups: ["postgresql.cnpg.io"], resources: ["clusters"] }),
            expect.objectContaining({ apiGroups: ["psmdb.percona.com"], resources: ["perconaservermongodbs"] }),
        ]);
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

/**
 * Review 19b finding 3: a class or a volume chosen past spec.storageClassName. Kubernetes reads the beta
 * annotation before the field (component-helpers GetPersistentVolumeClaimClass), volumeName/selector bind an
 * existing volume, a namespaced dataSourceRef fills the claim from elsewhere. Each case is held on the claim
 * (admission, whoever creates it) and on the template the pack sees at preview; expected outcomes per case.
 */
describe("claims and claim templates choose no class or volume past storageClassName (review 19b, 3)", () => {
    const BETA = "volume.beta.kubernetes.io/storage-class";
    const other = RESTORE_STORAGE_CLASS.name("caracal", "data-store-0");
    const claimSpec = { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, storageClassName: "tenant-fast" };
    const withAnnotations = (annotations: Record<string, string>, spec: Record<string, unknown> = claimSpec) => ({ ...claim("shop"), metadata: { name: "data-store-0", namespace: "shop", annotations }, spec });
    const statefulSet = (template: Record<string, unknown>, podVolumes: unknown[] = []) => ({
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "web", namespace: "shop" },
        spec: { serviceName: "web", selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "ghcr.io/shop/web:1" }], volumes: podVolumes } }, volumeClaimTemplates: [template] },
    });
    const ephemeral = (template: Record<string, unknown>) => [{ name: "scratch", ephemeral: { volumeClaimTemplate: template } }];
    const pod = (volumes: unknown[]) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "shop" }, spec: { containers: [{ name: "web", image: "ghcr.io/shop/web:1" }], volumes } });
    const postgres = (extra: Record<string, unknown>) => ({ apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster", metadata: { name: "database", namespace: "shop" }, spec: { instances: 1, storage: { storageClass: "tenant-fast", size: "10Gi" }, ...extra } });
    const mongo = (pvc: Record<string, unknown>) => ({
        apiVersion: "psmdb.percona.com/v1",
        kind: "PerconaServerMongoDB",
        metadata: { name: "mongodb", namespace: "shop" },
        spec: { replsets: [{ name: "rs0", size: 1, volumeSpec: { persistentVolumeClaim: { storageClassName: "tenant-fast", resources: { requests: { storage: "10Gi" } }, ...pvc } } }] },
    });
    const TYPES: Record<string, string> = {
        PersistentVolumeClaim: "kubernetes:core/v1:PersistentVolumeClaim",
        StatefulSet: "kubernetes:apps/v1:StatefulSet",
        Pod: "kubernetes:core/v1:Pod",
        Cluster: "kubernetes:postgresql.cnpg.io/v1:Cluster",
        PerconaServerMongoDB: "kubernetes:psmdb.percona.com/v1:PerconaServerMongoDB",
    };
    type TemplateCase = { title: string; object: Record<string, unknown>; expected: "admit" | "deny" };
    const CASES: TemplateCase[] = [
        { title: "a claim naming another project's restore class by the beta annotation only", object: withAnnotations({ [BETA]: other }, { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } }), expected: "deny" },
        { title: "a claim with the beta annotation naming a tenant class", object: withAnnotations({ [BETA]: "tenant-fast" }), expected: "deny" },
        { title: "a claim with the non-beta spelling", object: withAnnotations({ "volume.kubernetes.io/storage-class": other }), expected: "deny" },
        { title: "a claim with unrelated annotations", object: withAnnotations({ "example.com/owner": "shop" }), expected: "admit" },
        { title: "a claim binding a chosen volume (volumeName)", object: { ...claim("shop", "tenant-fast"), spec: { ...claimSpec, volumeName: "pvc-caracal-data" } }, expected: "deny" },
        { title: "a claim selecting volumes by label", object: { ...claim("shop", "tenant-fast"), spec: { ...claimSpec, selector: { matchLabels: { "platform/project": "caracal" } } } }, expected: "deny" },
        { title: "a claim filled from another namespace (dataSourceRef.namespace)", object: { ...claim("shop", "tenant-fast"), spec: { ...claimSpec, dataSourceRef: { kind: "PersistentVolumeClaim", name: "data", namespace: "caracal" } } }, expected: "deny" },
        { title: "a clone of the project's own claim (dataSource in its namespace)", object: { ...claim("shop", "tenant-fast"), spec: { ...claimSpec, dataSource: { kind: "PersistentVolumeClaim", name: "data" } } }, expected: "admit" },
        { title: "a StatefulSet claim template with the beta annotation", object: statefulSet({ metadata: { name: "data", annotations: { [BETA]: other } }, spec: claimSpec }), expected: "deny" },
        { title: "a StatefulSet claim template with volumeName", object: statefulSet({ metadata: { name: "data" }, spec: { ...claimSpec, volumeName: "pvc-caracal-data" } }), expected: "deny" },
        { title: "a plain StatefulSet claim template", object: statefulSet({ metadata: { name: "data" }, spec: claimSpec }), expected: "admit" },
        { title: "a StatefulSet pod template's ephemeral volume with the beta annotation", object: statefulSet({ metadata: { name: "data" }, spec: claimSpec }, ephemeral({ metadata: { annotations: { [BETA]: other } }, spec: claimSpec })), expected: "deny" },
        { title: "a pod's ephemeral volume with the beta annotation", object: pod(ephemeral({ metadata: { annotations: { [BETA]: other } }, spec: claimSpec })), expected: "deny" },
        { title: "a pod's ephemeral volume with a selector", object: pod(ephemeral({ spec: { ...claimSpec, selector: { matchLabels: { a: "b" } } } })), expected: "deny" },
        { title: "a pod's plain ephemeral volume", object: pod(ephemeral({ metadata: { labels: { a: "b" } }, spec: claimSpec })), expected: "admit" },
        { title: "a PostgreSQL cluster copying the beta annotation onto its claims (inheritedMetadata)", object: postgres({ inheritedMetadata: { annotations: { [BETA]: other } } }), expected: "deny" },
        { title: "a PostgreSQL cluster with inherited labels only", object: postgres({ inheritedMetadata: { labels: { "platform/project": "shop" } } }), expected: "admit" },
        { title: "a MongoDB replica set's claim annotations with the beta annotation", object: mongo({ annotations: { [BETA]: other } }), expected: "deny" },
        { title: "a MongoDB replica set's plain claim", object: mongo({}), expected: "admit" },
    ];

    it.each(CASES)("$title: $expected by admission and by the pack", ({ object, expected }) => {
        const decision = decide(object, "shop");
        expect(decision.allowed ? "admit" : "deny", decision.messages.join("; ")).toBe(expected);
        const reported = messagesOf("tenancy-restore-storage-class", [planned(TYPES[object.kind as string]!, "object", object)]);
        expect(reported.length === 0 ? "admit" : "deny", reported.join("; ")).toBe(expected);
    });

    it("pack: a Deployment's ephemeral volume with the beta annotation is refused at preview (its pods meet admission later)", () => {
        const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" }, spec: { template: { spec: { containers: [], volumes: ephemeral({ metadata: { annotations: { [BETA]: other } }, spec: claimSpec }) } } } };
        expect(messagesOf("tenancy-restore-storage-class", [planned("kubernetes:apps/v1:Deployment", "web", deployment)])).toEqual([
            expect.stringContaining(`spec.template.spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.annotations["${BETA}"] is set`),
        ]);
    });

    it("admission: only the PV controller sets volumeName on an unbound claim; updates keeping it or the annotation pass", () => {
        const unbound = claim("shop", "tenant-fast");
        const bound = { ...unbound, spec: { ...unbound.spec, volumeName: "pvc-1" } };
        expect(decide(bound, "shop", { operation: "UPDATE", oldObject: unbound, username: PV_CONTROLLER_USER }).allowed).toBe(true);
        expect(decide(bound, "shop", { operation: "UPDATE", oldObject: unbound }).allowed).toBe(false);
        expect(decide({ ...bound, metadata: { ...bound.metadata, annotations: { "pv.kubernetes.io/bind-completed": "yes" } } }, "shop", { operation: "UPDATE", oldObject: bound }).allowed).toBe(true);
        // Adding the annotation to an unbound claim is a new class choice; keeping one it was created with is not.
        expect(decide(withAnnotations({ [BETA]: other }), "shop", { operation: "UPDATE", oldObject: withAnnotations({}) }).allowed).toBe(false);
        expect(decide(withAnnotations({ [BETA]: "tenant-fast", a: "b" }), "shop", { operation: "UPDATE", oldObject: withAnnotations({ [BETA]: "tenant-fast" }) }).allowed).toBe(true);
    });
});
