import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { IStorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, TENANT_STORAGE_CLASSES } from "../../lib/conventions";
import type { ProjectSpec } from "../../lib/tenants/schema";
import { requirement, type Provides } from "../../lib/requirements";
import { renderStorageClasses } from "../longhorn/values";
import { restoreStorageClassName } from "../project/volumes";
import { longhornBackupUrl, volumeRestoresOf } from "./restore-plan";

/**
 * Volume restores declared in tenant files (`services[].volumes[].restore`): Longhorn creates a volume from a
 * backup when the claim's StorageClass carries `fromBackup` (longhorn-manager v1.12.1 csi/util.go reads the
 * parameter into the new volume's `FromBackup`; the value is the backup URL, `<backup target>?backup=<name>&volume=<volume>`
 * as backupstore.EncodeBackupURL writes it). A StorageClass is cluster-scoped and its parameters are immutable,
 * so each restore gets one of its own, written by the platform stack (tenant stacks register no cluster-scoped
 * objects): the tenant class's parameters plus `fromBackup`, reclaim policy Retain. The tenant's claim names it,
 * so the claim is new (the change plan's data-loss gate shows the old claim replaced; its volume is retained).
 * Which backups a project may name is granted per project in the stack config (lib/tenants/load.ts).
 */

/** The StorageClass of each declared restore in the catalog. */
export function renderRestoreStorageClasses(config: PlatformConfig, projects: readonly ProjectSpec[]): IStorageClass[] {
    const tenantClasses = renderStorageClasses(config);
    return projects.flatMap((project) =>
        volumeRestoresOf(project, config).map((restore): IStorageClass => {
            const base = tenantClasses.find((sc) => sc.metadata?.name === TENANT_STORAGE_CLASSES[restore.class])!;
            return {
                ...base,
                metadata: {
                    name: restoreStorageClassName(restore.namespace, restore.claim),
                    labels: { [LABELS.managedBy]: "pulumi", [LABELS.project]: restore.namespace },
                    annotations: { "storageclass.kubernetes.io/is-default-class": "false" },
                },
                reclaimPolicy: "Retain",
                parameters: { ...base.parameters, fromBackup: longhornBackupUrl(config, restore) },
            };
        }),
    );
}

/** Arguments of {@link VolumeRestores}. */
export interface VolumeRestoresArgs {
    /** Validated stack configuration (the Longhorn backup target). */
    config: PlatformConfig;
    /** The region's validated catalog (restores already checked against the grants). */
    projects: readonly ProjectSpec[];
}

/** The restore StorageClasses of the catalog (`platform:backups:VolumeRestores`); pass Longhorn as `opts.dependsOn`. */
export class VolumeRestores extends pulumi.ComponentResource {
    /** Names of the StorageClasses. */
    readonly storageClasses: string[];
    /** What it provides: each restore's StorageClass. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: VolumeRestoresArgs, opts?: pulumi.ComponentResourceOptions) {
        const classes = renderRestoreStorageClasses(args.config, args.projects);
        super("platform:backups:VolumeRestores", name, {}, opts);
        this.storageClasses = classes.map((sc) => sc.metadata!.name!);
        const provides: Record<string, pulumi.Resource[]> = {};
        for (const sc of classes) {
            const created = new k8s.storage.v1.StorageClass(
                `${name}-${sc.metadata!.name}`,
                { metadata: sc.metadata as k8s.types.input.meta.v1.ObjectMeta, provisioner: sc.provisioner, parameters: sc.parameters, reclaimPolicy: sc.reclaimPolicy, volumeBindingMode: sc.volumeBindingMode, allowVolumeExpansion: sc.allowVolumeExpansion },
                { parent: this },
            );
            provides[requirement.storageClass(sc.metadata!.name!)] = [created];
        }
        this.provides = provides;
        this.registerOutputs({ storageClasses: this.storageClasses });
    }
}
