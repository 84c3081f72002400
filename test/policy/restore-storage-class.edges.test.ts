import { describe, expect, it } from "vitest";
import { evaluatePolicyReport } from "../../policy/offline";
import { claimSelectionProblems, claimSpecsOf, classAnnotationsOf, storageClassProblem, tenancyRestoreStorageClass } from "../../policy/rules/tenancy/restore-storage-class";
import { k8sObject, messagesOf, planned } from "../helpers/policy-fixtures";

/**
 * The walkers and messages of `tenancy-restore-storage-class` called directly, each edge and each path written
 * out: volume-policy.test.ts reaches them through whole objects and mostly asserts admit/deny, which left the
 * paths, the Percona claim specs and malformed input open (found by `npm run mutation -- policy-restore-class`).
 */

const BETA = "volume.beta.kubernetes.io/storage-class";
const CLAIM = "kubernetes:core/v1:PersistentVolumeClaim";
const SELECTION = "Kubernetes reads this annotation before spec.storageClassName, so it would name a class (another project's restore class) past the check; name the class in storageClassName";
const BINDING = "it binds the claim to an existing volume (possibly another project's) instead of a new one from the class; remove it";

describe("claimSpecsOf", () => {
    it("names each claim template's spec by its path, below spec by default, arrays indexed", () => {
        expect(claimSpecsOf({ volumeClaimTemplates: [{ spec: { a: 1 } }, { spec: { b: 2 } }] })).toEqual([
            { path: "spec.volumeClaimTemplates[0].spec", spec: { a: 1 } },
            { path: "spec.volumeClaimTemplates[1].spec", spec: { b: 2 } },
        ]);
        expect(claimSpecsOf({ sidecarPVCs: [{ spec: { c: 3 } }] }, "spec.pxc")).toEqual([{ path: "spec.pxc.sidecarPVCs[0].spec", spec: { c: 3 } }]);
        expect(claimSpecsOf({ template: { spec: { volumes: [{ name: "x" }, { ephemeral: { volumeClaimTemplate: { spec: { d: 4 } } } }] } } })).toEqual([
            { path: "spec.template.spec.volumes[1].ephemeral.volumeClaimTemplate.spec", spec: { d: 4 } },
        ]);
        expect(claimSpecsOf([{ volumeClaimTemplate: { spec: { e: 5 } } }], "spec.list")).toEqual([{ path: "spec.list[0].volumeClaimTemplate.spec", spec: { e: 5 } }]);
    });

    it("takes the Percona operators' claim specs (pvcTemplate, volumeSpec.persistentVolumeClaim) but not a pod volume's claim reference", () => {
        expect(claimSpecsOf({ replsets: [{ volumeSpec: { persistentVolumeClaim: { storageClassName: "x" } } }] })).toEqual([
            { path: "spec.replsets[0].volumeSpec.persistentVolumeClaim", spec: { storageClassName: "x" } },
        ]);
        expect(claimSpecsOf({ pxc: { volumeSpec: { pvcTemplate: { volumeName: "pv-1" } } } })).toEqual([{ path: "spec.pxc.volumeSpec.pvcTemplate", spec: { volumeName: "pv-1" } }]);
        expect(claimSpecsOf({ volumes: [{ persistentVolumeClaim: { claimName: "data" } }] })).toEqual([]);
        expect(claimSpecsOf({ persistentVolumeClaimX: { storageClassName: "x" }, xpvcTemplate: { storageClassName: "y" } })).toEqual([]);
    });

    it("skips templates without a spec, templates that are not objects and template lists that are not lists", () => {
        expect(claimSpecsOf({ volumeClaimTemplates: [{ metadata: { name: "data" } }, null, "text"] })).toEqual([]);
        expect(claimSpecsOf({ volumeClaimTemplate: null })).toEqual([]);
        expect(claimSpecsOf({ volumeClaimTemplates: { spec: { a: 1 } } })).toEqual([]);
        expect(claimSpecsOf("text")).toEqual([]);
    });
});

describe("classAnnotationsOf", () => {
    it("finds both class annotations in annotations maps only, at every depth, with their paths", () => {
        expect(classAnnotationsOf({ annotations: { [BETA]: "x", "volume.kubernetes.io/storage-class": "y", other: "z" } }, "metadata")).toEqual([
            `metadata.annotations["${BETA}"]`,
            'metadata.annotations["volume.kubernetes.io/storage-class"]',
        ]);
        expect(classAnnotationsOf({ items: [{ inheritedMetadata: { annotations: { [BETA]: "" } } }] }, "spec")).toEqual([`spec.items[0].inheritedMetadata.annotations["${BETA}"]`]);
        expect(classAnnotationsOf({ labels: { [BETA]: "x" } }, "metadata")).toEqual([]);
        expect(classAnnotationsOf({ annotations: null }, "metadata")).toEqual([]);
        expect(classAnnotationsOf({ annotations: "text" }, "metadata")).toEqual([]);
    });
});

describe("claimSelectionProblems", () => {
    it("on a claim: its own annotations and spec, each problem with its path and its fix", () => {
        expect(claimSelectionProblems(CLAIM, { metadata: { annotations: { [BETA]: "x" } }, spec: { volumeName: "pv-1", selector: {}, dataSourceRef: { name: "d", namespace: "caracal" } } })).toEqual([
            `metadata.annotations["${BETA}"] is set: ${SELECTION}`,
            `spec.volumeName is set: ${BINDING}`,
            `spec.selector is set: ${BINDING}`,
            "spec.dataSourceRef.namespace is set: a claim is filled only from its own namespace; remove it",
        ]);
        expect(claimSelectionProblems(CLAIM, { metadata: {}, spec: { dataSourceRef: { name: "d" }, storageClassName: "tenant-fast" } })).toEqual([]);
    });

    it("on another object: not its own metadata (a StatefulSet's annotations choose no class), only its claim templates", () => {
        expect(claimSelectionProblems("kubernetes:apps/v1:StatefulSet", { metadata: { annotations: { [BETA]: "x" } }, spec: { volumeClaimTemplates: [{ metadata: { annotations: { [BETA]: "x" } }, spec: { volumeName: "pv-1" } }] } })).toEqual([
            `spec.volumeClaimTemplates[0].metadata.annotations["${BETA}"] is set: ${SELECTION}`,
            `spec.volumeClaimTemplates[0].spec.volumeName is set: ${BINDING}`,
        ]);
    });
});

describe("storageClassProblem", () => {
    it("leaves classes alone that restore nothing and are not named restore…, parameters or not", () => {
        expect(storageClassProblem({ metadata: { name: "tenant-fast" } })).toBeUndefined();
        expect(storageClassProblem({ metadata: { name: "tenant-fast" }, parameters: { fromBackup: "" } })).toBeUndefined();
    });

    it("holds a class named restore… to the scheme even without fromBackup, and says which rule it breaks", () => {
        expect(storageClassProblem({ metadata: { name: "restore.shop.data-0", labels: {} } })).toBe('StorageClass "restore.shop.data-0" belongs to namespace "shop" by its name but is labelled platform/project: (unset)');
        expect(storageClassProblem({ metadata: { name: "restore.shop.data-0", labels: { "platform/project": "caracal" } } })).toBe('StorageClass "restore.shop.data-0" belongs to namespace "shop" by its name but is labelled platform/project: caracal');
        expect(storageClassProblem({ metadata: { name: "restore-shop-data-0" } })).toBe('StorageClass "restore-shop-data-0" is not named restore.<namespace>.<claim>: the admission policy tells a restore class\'s project from its name only');
    });

    it("says a class restores a backup when it does, nameless or not", () => {
        expect(storageClassProblem({ metadata: {}, parameters: { fromBackup: "s3://b" } })).toBe('StorageClass "" restores a backup (fromBackup) but is not named restore.<namespace>.<claim>: the admission policy tells a restore class\'s project from its name only');
        expect(storageClassProblem({ metadata: { name: "copy" }, parameters: { fromBackup: "s3://b" } })).toBe('StorageClass "copy" restores a backup (fromBackup) but is not named restore.<namespace>.<claim>: the admission policy tells a restore class\'s project from its name only');
    });
});

describe("tenancy-restore-storage-class messages", () => {
    const other = "restore.caracal.data-store-0";
    const claim = (namespace: string, spec: Record<string, unknown>) => planned(CLAIM, "claim", { metadata: { name: "data-store-0", namespace }, spec });

    it("names the object's kind and namespace, the field's path and the class", () => {
        expect(messagesOf("tenancy-restore-storage-class", [claim("shop", { storageClassName: other, volumeName: "pv-1" })])).toEqual([
            `PersistentVolumeClaim in namespace "shop": spec.volumeName is set: ${BINDING}`,
            `PersistentVolumeClaim in namespace "shop": spec.storageClassName "${other}" is project "caracal"'s restore StorageClass: a claim on it would read that project's Longhorn backup (a project restores only its own, declared in its file)`,
        ]);
        const cluster = k8sObject("kubernetes:postgresql.cnpg.io/v1:Cluster", "shop", "database", { spec: { storage: { storageClass: "restore.shop" } } });
        expect(messagesOf("tenancy-restore-storage-class", [cluster])).toEqual([
            'Cluster in namespace "shop": spec.storage.storageClass "restore.shop" is not a restore StorageClass of this namespace (restore.shop.<claim>): classes named restore… carry a backup and belong to one project',
        ]);
    });

    it("does not apply to platform namespaces (the platform's own restores)", () => {
        expect(messagesOf("tenancy-restore-storage-class", [claim("backups", { storageClassName: other, volumeName: "pv-1" })], { platformNamespaces: ["backups"] })).toEqual([]);
        expect(messagesOf("tenancy-restore-storage-class", [claim("shop", { storageClassName: other })], { platformNamespaces: ["backups"] })).toHaveLength(1);
        // CrossGuard shows the reason next to the skipped resource.
        const report = evaluatePolicyReport([claim("backups", { storageClassName: other })], { platformNamespaces: ["backups"] }, { policies: [tenancyRestoreStorageClass] });
        expect(report.notApplicable).toEqual([{ policy: "tenancy-restore-storage-class", urn: claim("backups", {}).urn, reason: "platform namespace" }]);
    });
});
