import type { ResourceValidationPolicy } from "@pulumi/policy";
import { LABELS, RESTORE_STORAGE_CLASS } from "../../../lib/conventions";
import { configSchemaFor, packConfig } from "../../lib/config";
import { metadataOf, namespaceOf, specOf } from "../../lib/kubernetes";
import { isPlatformNamespace } from "../../lib/namespaces";
import { WORKLOAD_TYPES } from "../../lib/pod-spec";
import { forTypes } from "../../lib/rule-helpers";
import { asRecord, asString } from "../../lib/values";

/** Pulumi type of a StorageClass. */
export const STORAGE_CLASS_TYPE = "kubernetes:storage.k8s.io/v1:StorageClass";

/** Pulumi type of a claim. */
export const CLAIM_TYPE = "kubernetes:core/v1:PersistentVolumeClaim";

/**
 * Tenant objects that name a claim's class: the claim itself, every workload (a StatefulSet's claim templates,
 * a pod template's ephemeral volumes, `volumes[].ephemeral.volumeClaimTemplate`), and the database operators'
 * objects, whose operators create the claims (`storageClassName`, or CloudNativePG's `storageClass`).
 */
export const CLAIM_CLASS_TYPES: readonly string[] = [
    ...new Set([
        CLAIM_TYPE,
        ...WORKLOAD_TYPES,
        "kubernetes:postgresql.cnpg.io/v1:Cluster",
        "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication",
        "kubernetes:pxc.percona.com/v1:PerconaXtraDBCluster",
        "kubernetes:psmdb.percona.com/v1:PerconaServerMongoDB",
    ]),
];

/**
 * Claim annotations that choose a StorageClass, refused on every tenant claim and claim template (the platform
 * writes none). Kubernetes reads `volume.beta.kubernetes.io/storage-class` BEFORE `spec.storageClassName`
 * (k8s.io/component-helpers storage/volume GetPersistentVolumeClaimClass at v0.31, "Use beta annotation first",
 * used by the PV controller and the DefaultStorageClass admission plugin's PersistentVolumeClaimHasClass; the
 * CSI external-provisioner's sig-storage-lib-external-provisioner controller and Longhorn's CSI driver go
 * through the same helper), so a claim with the annotation names a class past any check of the field. No
 * release reads a non-beta `volume.kubernetes.io/storage-class`; it is refused too, so a reader added later
 * cannot reopen the path.
 */
export const CLAIM_CLASS_ANNOTATIONS: readonly string[] = ["volume.beta.kubernetes.io/storage-class", "volume.kubernetes.io/storage-class"];

/**
 * Claim-spec fields that pick an existing volume instead of a new one from the class, refused on tenant claims and
 * claim templates (the platform renders none; a project restores through its own restore class):
 * - `volumeName` binds the claim to that PersistentVolume (the PV controller's syncUnboundClaim binds a claim
 *   naming an Available volume whose claimRef is empty), e.g. a retained volume of another project freed by an
 *   operator;
 * - `selector` binds it to any Available volume with those labels (dynamic provisioning refuses a selector, so
 *   it only ever serves static binding).
 * `dataSource`/`dataSourceRef` stay allowed in the claim's own namespace (a clone of the project's own claim or
 * VolumeSnapshot): the API server drops `dataSourceRef.namespace` while the alpha CrossNamespaceVolumeDataSource
 * gate is off (k3s 1.31 default), and it is refused here besides, so no claim is filled from another namespace.
 */
export const CLAIM_BINDING_FIELDS: readonly string[] = ["volumeName", "selector"];

/** Every claim spec of an object below `path`: claim templates, ephemeral and operator claim templates (`volumeSpec.persistentVolumeClaim`, `pvcTemplate`, `sidecarPVCs`). */
export function claimSpecsOf(value: unknown, path = "spec"): Array<{ path: string; spec: Record<string, unknown> }> {
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => claimSpecsOf(item, `${path}[${i}]`));
    }
    const record = asRecord(value);
    if (!record) {
        return [];
    }
    return Object.entries(record).flatMap(([key, child]) => {
        const at = `${path}.${key}`;
        const templates = key === "volumeClaimTemplates" || key === "sidecarPVCs" ? (Array.isArray(child) ? child : []) : key === "volumeClaimTemplate" ? [child] : undefined;
        if (templates) {
            return templates.flatMap((template, i) => {
                const spec = asRecord(asRecord(template)?.spec);
                const here = Array.isArray(child) ? `${at}[${i}].spec` : `${at}.spec`;
                return spec ? [{ path: here, spec }, ...claimSpecsOf(spec, here)] : [];
            });
        }
        const direct = asRecord(child);
        // A pod volume's `persistentVolumeClaim` is a reference ({claimName}); the Percona operators' is a claim spec.
        if (direct && (key === "pvcTemplate" || (key === "persistentVolumeClaim" && !("claimName" in direct)))) {
            return [{ path: at, spec: direct }];
        }
        return claimSpecsOf(child, at);
    });
}

/** Every class-choosing annotation in an object's `annotations` maps below `path` (inherited metadata, claim template metadata, Percona claim annotations). */
export function classAnnotationsOf(value: unknown, path: string): string[] {
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => classAnnotationsOf(item, `${path}[${i}]`));
    }
    const record = asRecord(value);
    if (!record) {
        return [];
    }
    return Object.entries(record).flatMap(([key, child]) => {
        const at = `${path}.${key}`;
        const own = key === "annotations" ? CLAIM_CLASS_ANNOTATIONS.filter((annotation) => asRecord(child)?.[annotation] !== undefined).map((annotation) => `${at}["${annotation}"]`) : [];
        return [...own, ...classAnnotationsOf(child, at)];
    });
}

/** Why an object's claims or claim templates choose a class or a volume past the class check, one line each. */
export function claimSelectionProblems(type: string, props: Record<string, unknown>): string[] {
    const annotations = [...(type === CLAIM_TYPE ? classAnnotationsOf({ annotations: metadataOf(props).annotations }, "metadata") : []), ...classAnnotationsOf(specOf(props), "spec")];
    const specs = type === CLAIM_TYPE ? [{ path: "spec", spec: specOf(props) }] : claimSpecsOf(specOf(props));
    return [
        ...annotations.map((path) => `${path} is set: Kubernetes reads this annotation before spec.storageClassName, so it would name a class (another project's restore class) past the check; name the class in storageClassName`),
        ...specs.flatMap(({ path, spec }) => [
            ...CLAIM_BINDING_FIELDS.filter((field) => spec[field] !== undefined).map((field) => `${path}.${field} is set: it binds the claim to an existing volume (possibly another project's) instead of a new one from the class; remove it`),
            ...(asRecord(spec.dataSourceRef)?.namespace !== undefined ? [`${path}.dataSourceRef.namespace is set: a claim is filled only from its own namespace; remove it`] : []),
        ]),
    ];
}

const CLASS_KEYS = new Set(["storageClassName", "storageClass"]);

/** Every class name an object's spec names, with its path (`spec.volumeClaimTemplates[0].spec.storageClassName`). */
export function claimClassesOf(value: unknown, path = "spec"): Array<{ path: string; name: string }> {
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => claimClassesOf(item, `${path}[${i}]`));
    }
    const record = asRecord(value);
    if (!record) {
        return [];
    }
    return Object.entries(record).flatMap(([key, child]) => {
        const name = CLASS_KEYS.has(key) ? asString(child) : undefined;
        return name !== undefined ? [{ path: `${path}.${key}`, name }] : claimClassesOf(child, `${path}.${key}`);
    });
}

/** Why a tenant object in `namespace` may not name `name` as a claim class, or undefined when it may. */
export function restoreClassProblem(namespace: string, name: string): string | undefined {
    if (!name.startsWith(RESTORE_STORAGE_CLASS.prefix) || name.startsWith(RESTORE_STORAGE_CLASS.ownedPrefix(namespace))) {
        return undefined;
    }
    const owner = RESTORE_STORAGE_CLASS.ownerOf(name);
    return owner
        ? `is project "${owner}"'s restore StorageClass: a claim on it would read that project's Longhorn backup (a project restores only its own, declared in its file)`
        : `is not a restore StorageClass of this namespace (${RESTORE_STORAGE_CLASS.ownedPrefix(namespace)}<claim>): classes named ${RESTORE_STORAGE_CLASS.prefix}… carry a backup and belong to one project`;
}

/** Why a StorageClass breaks the restore-class scheme the admission twin relies on, or undefined. */
export function storageClassProblem(props: Record<string, unknown>): string | undefined {
    const { name = "", labels } = metadataOf(props);
    // Longhorn's own classes carry `fromBackup: ""` (no backup).
    const fromBackup = asString(asRecord(props.parameters)?.fromBackup) || undefined;
    if (fromBackup === undefined && !name.startsWith(RESTORE_STORAGE_CLASS.prefix)) {
        return undefined;
    }
    const owner = RESTORE_STORAGE_CLASS.ownerOf(name);
    if (!owner) {
        return `StorageClass "${name}" ${fromBackup !== undefined ? "restores a backup (fromBackup) but " : ""}is not named ${RESTORE_STORAGE_CLASS.name("<namespace>", "<claim>")}: the admission policy tells a restore class's project from its name only`;
    }
    if (labels[LABELS.project] !== owner) {
        return `StorageClass "${name}" belongs to namespace "${owner}" by its name but is labelled ${LABELS.project}: ${labels[LABELS.project] ?? "(unset)"}`;
    }
    return undefined;
}

/**
 * A restore StorageClass serves one project only. Restore classes are cluster-scoped and carry a project's
 * Longhorn backup (`fromBackup`), so a claim on one, from any namespace, is filled with that backup. Tenant
 * objects (claims, StatefulSet claim templates, database objects whose operators create claims) may name a
 * class starting with `restore` only when it is `restore.<their namespace>.<claim>`; and every StorageClass
 * with `fromBackup` is named that way and labelled with its owner, so the name is enough to tell. The admission
 * twin (components/guardrails, platform-tenant-volumes) holds the same on every claim created in a tenant
 * namespace, whoever sends it: the tenant stack, its Argo CD sync, the StatefulSet controller or an operator.
 * Nor does any tenant claim or claim template choose its class or volume another way: no class annotation
 * ({@link CLAIM_CLASS_ANNOTATIONS}, read before the field), no `volumeName`/`selector` binding to an existing
 * volume and no cross-namespace `dataSourceRef` ({@link CLAIM_BINDING_FIELDS}).
 */
export const tenancyRestoreStorageClass: ResourceValidationPolicy = {
    name: "tenancy-restore-storage-class",
    description: "Tenant claims use only their own namespace's restore StorageClasses (restore.<namespace>.<claim>) and choose no class or volume otherwise (no storage-class annotation, volumeName, selector or cross-namespace dataSourceRef), and every StorageClass restoring a backup is named and labelled after its one project.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateResource: forTypes([STORAGE_CLASS_TYPE, ...CLAIM_CLASS_TYPES], (args, report) => {
        if (args.type === STORAGE_CLASS_TYPE) {
            const problem = storageClassProblem(args.props);
            if (problem) {
                report(problem);
            }
            return;
        }
        const namespace = namespaceOf(args.props);
        if (isPlatformNamespace(namespace, packConfig(args).platformNamespaces)) {
            args.notApplicable("platform namespace");
        }
        for (const problem of claimSelectionProblems(args.type, args.props)) {
            report(`${args.type.split(":").pop()} in namespace "${namespace}": ${problem}`);
        }
        for (const { path, name } of claimClassesOf(specOf(args.props))) {
            const problem = restoreClassProblem(namespace, name);
            if (problem) {
                report(`${args.type.split(":").pop()} in namespace "${namespace}": ${path} "${name}" ${problem}`);
            }
        }
    }),
};
