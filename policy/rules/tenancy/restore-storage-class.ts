import type { ResourceValidationPolicy } from "@pulumi/policy";
import { LABELS, RESTORE_STORAGE_CLASS } from "../../../lib/conventions";
import { configSchemaFor, packConfig } from "../../lib/config";
import { metadataOf, namespaceOf, specOf } from "../../lib/kubernetes";
import { isPlatformNamespace } from "../../lib/namespaces";
import { forTypes } from "../../lib/rule-helpers";
import { asRecord, asString } from "../../lib/values";

/** Pulumi type of a StorageClass. */
export const STORAGE_CLASS_TYPE = "kubernetes:storage.k8s.io/v1:StorageClass";

/**
 * Tenant objects that name a claim's class: the claim itself, a StatefulSet's claim templates, and the database
 * operators' objects, whose operators create the claims (`storageClassName`, or CloudNativePG's `storageClass`).
 */
export const CLAIM_CLASS_TYPES: readonly string[] = [
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:postgresql.cnpg.io/v1:Cluster",
    "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication",
    "kubernetes:pxc.percona.com/v1:PerconaXtraDBCluster",
    "kubernetes:psmdb.percona.com/v1:PerconaServerMongoDB",
];

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
 */
export const tenancyRestoreStorageClass: ResourceValidationPolicy = {
    name: "tenancy-restore-storage-class",
    description: "Tenant claims use only their own namespace's restore StorageClasses (restore.<namespace>.<claim>), and every StorageClass restoring a backup is named and labelled after its one project.",
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
        for (const { path, name } of claimClassesOf(specOf(args.props))) {
            const problem = restoreClassProblem(namespace, name);
            if (problem) {
                report(`${args.type.split(":").pop()} in namespace "${namespace}": ${path} "${name}" ${problem}`);
            }
        }
    }),
};
