import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { NAMESPACES, RESTORE_STORAGE_CLASS, TENANT_STORAGE_CLASSES } from "../../lib/conventions";
import { isStateful, maxReplicas } from "../../lib/tenants/footprint";
import type { ServiceSpec } from "../../lib/tenants/schema";
import { objectLabels, type ProjectContext } from "./common";

/**
 * Tenant volumes that grow in place. A StatefulSet's `volumeClaimTemplates` cannot change (Kubernetes refuses
 * it; pulumi-kubernetes replaces the StatefulSet), so the platform registers each replica's claim itself, under
 * the name the StatefulSet controller gives it (`<volume>-<statefulset>-<ordinal>`), before the StatefulSet: the
 * controller finds the claim and uses it. A larger `size` is then an update of the claim's
 * `resources.requests.storage` (pulumi-kubernetes stopped replacing claims on a size change in
 * pulumi-kubernetes#1705; Longhorn's StorageClasses allow expansion), and the StatefulSet ignores its template's
 * size after creation. A smaller size is refused by the change plan and by the API.
 *
 * Claims bind through the retaining tenant StorageClasses, carry Longhorn's recurring-job labels (nightly backup
 * in the `default` group, plus the final-backup group while the project is decommissioned), and skip Pulumi's
 * await: a claim on a WaitForFirstConsumer class is Pending until its pod exists, and older providers await a
 * bound claim on update (pulumi-kubernetes#3130, #4181).
 */

/** Longhorn syncs recurring-job labels from a claim to its volume only when the claim carries this one. */
export const LONGHORN_LABEL_SOURCE = { "recurring-job.longhorn.io/source": "enabled" } as const;

/** The Longhorn recurring-job group of a project's final backup. */
export function finalBackupGroup(ctx: ProjectContext): string {
    return `decommission-${ctx.project.id}`;
}

/** Labels that put a claim's Longhorn volume in the nightly backup and, while decommissioning, the final one. */
export function recurringJobLabels(ctx: ProjectContext): Record<string, string> {
    return {
        ...LONGHORN_LABEL_SOURCE,
        "recurring-job-group.longhorn.io/default": "enabled",
        ...(ctx.project.decommission ? { [`recurring-job-group.longhorn.io/${finalBackupGroup(ctx)}`]: "enabled" } : {}),
    };
}

/**
 * Name of the StorageClass of one declared restore (components/backups/volume-restores.ts writes it in the
 * platform stack): `restore.<namespace>.<claim>`, owned by the namespace the name carries (lib/conventions.ts
 * RESTORE_STORAGE_CLASS; the admission twin refuses a claim of any other namespace on it).
 */
export function restoreStorageClassName(namespace: string, claim: string): string {
    return RESTORE_STORAGE_CLASS.name(namespace, claim);
}

/** The claim the StatefulSet controller would create for `volume` of replica `ordinal` (same name, same spec). */
export function claimName(service: ServiceSpec, volume: ServiceSpec["volumes"][number], ordinal: number): string {
    return `${volume.name}-${service.name}-${ordinal}`;
}

/** Every claim of a stateful service: each volume for each replica up to its maximum scale. */
export function renderVolumeClaims(ctx: ProjectContext, service: ServiceSpec): IPersistentVolumeClaim[] {
    if (!isStateful(service)) {
        return [];
    }
    const ordinals = Array.from({ length: maxReplicas(service) }, (_, i) => i);
    return ordinals.flatMap((ordinal) =>
        service.volumes.map(
            (volume): IPersistentVolumeClaim => ({
                apiVersion: "v1",
                kind: "PersistentVolumeClaim",
                metadata: {
                    name: claimName(service, volume, ordinal),
                    namespace: ctx.namespace,
                    labels: { ...objectLabels(ctx, service.name), ...recurringJobLabels(ctx) },
                    annotations: { "pulumi.com/skipAwait": "true" },
                },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    // A declared restore fills this claim from its Longhorn backup (components/backups/volume-restores.ts).
                    storageClassName: volume.restore && volume.restore.ordinal === ordinal ? restoreStorageClassName(ctx.namespace, claimName(service, volume, ordinal)) : TENANT_STORAGE_CLASSES[volume.class],
                    resources: { requests: { storage: volume.size } },
                },
            }),
        ),
    );
}

/** A Longhorn RecurringJob (longhorn.io/v1beta2; no schema package exists for it). */
export interface FinalBackupJob {
    apiVersion: "longhorn.io/v1beta2";
    kind: "RecurringJob";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: { name: string; task: "backup"; cron: string; retain: number; concurrency: number; groups: string[]; labels: Record<string, string> };
}

/**
 * The final backup of a decommissioned project: a Longhorn backup job for the project's volumes (the group its
 * claims join), every 30 minutes while the decommission is declared, keeping the latest backup in the backup
 * target after the volumes are gone. The workloads are stopped meanwhile, so the backup is of quiet data.
 */
export function renderFinalBackupJob(ctx: ProjectContext): FinalBackupJob | undefined {
    if (!ctx.project.decommission || !ctx.project.services.some(isStateful)) {
        return undefined;
    }
    const name = finalBackupGroup(ctx);
    return {
        apiVersion: "longhorn.io/v1beta2",
        kind: "RecurringJob",
        metadata: { name, namespace: NAMESPACES.longhorn, labels: objectLabels(ctx, "decommission") },
        spec: { name, task: "backup", cron: "*/30 * * * *", retain: 1, concurrency: 2, groups: [name], labels: { "platform/final-backup": ctx.project.id } },
    };
}
