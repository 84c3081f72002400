import type { ISecret } from "kubernetes-models/v1/Secret";
import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, NAMESPACES, PLATFORM_NAMESPACES } from "../../lib/conventions";
import { chartValues, type Values } from "../../charts/versions";
import { VELERO_IMAGES } from "../../charts/images";
import { resources, sizingProfile, type ResourceBlock, type WorkloadResources } from "../../charts/resources";
import { CONTROL_PLANE_TOLERATIONS } from "../nodes/placement";

/**
 * Velero: backups of the cluster's objects (every kind, Secrets included) to the stack's off-cluster bucket
 * (`platform:backup.s3`), one Schedule per tenant namespace and one for the platform namespaces and the
 * cluster-scoped objects, kept `platform:backup.retentionDays`. Never to the in-cluster MinIO: without an
 * off-cluster bucket there is no Velero at all (a production stack must have one, lib/config/schema.ts).
 *
 * Volume data is not Velero's: Longhorn's recurring backups carry it to the off-cluster Longhorn target, and a
 * volume is restored from there (the tenant file's `restore:`). Velero's file-system backup would need its
 * node agent on every node, running as root with the host's `/var/lib/kubelet/pods` mounted (charts/velero
 * templates/node-agent-daemonset.yaml at 12.1.0), against the platform's no-hostPath rule, and would copy the same
 * Longhorn data a second time; CSI snapshots need the VolumeSnapshot CRDs and snapshot controller, which k3s does
 * not ship. Both are block-level independent of gVisor: Longhorn backs up the block device, not what a runsc
 * sandbox sees. PersistentVolumes and their claims are therefore left out of the Schedules (a claim restored
 * without its data would bind an empty volume), and so is every object of the database operators (a database is
 * recovered from its operator's own backups, {@link DATABASE_OPERATOR_RESOURCES}); a tenant's Schedule also leaves
 * out the StatefulSets, Pods and Jobs ({@link EXCLUDED_FROM_TENANT_SCHEDULES}).
 */

/** Helm release name (the chart's Deployment is `velero` whatever the release is called). */
export const VELERO_RELEASE = "velero";

/** Secret (namespace velero) holding the bucket's keys as the AWS plugin's credentials file (key `cloud`). */
export const VELERO_CREDENTIALS_SECRET = "velero-backup-target";

/** Name of the BackupStorageLocation every Schedule writes to. */
export const VELERO_LOCATION = "default";

/** Folder below the bucket's own folder where Velero writes (databases use `<folder>/<namespace>/...`). */
export const VELERO_PREFIX = "velero";

/** Name of the Schedule covering the platform namespaces and the cluster-scoped objects. */
export const PLATFORM_SCHEDULE = "platform";

/**
 * Every kind of the database operators at their pins (CloudNativePG 1.30.0 config/crd/bases; the Percona XtraDB
 * Cluster 1.19.0, Percona MongoDB 1.22.0 and OpsTree Redis v0.26.0 CRDs of charts/crds.ts), as Velero names a
 * resource (`<plural>.<group>`). None is restored: an operator acts on what it finds, and with Velero's copy it
 * would act on the wrong thing. A restored CloudNativePG Cluster finds no claims of its own (Velero carries none),
 * so the operator bootstraps it as its spec says, `initdb` for a first generation: an empty database under the
 * old name, archiving into the old one's folder (1.30.0 internal/controller/cluster_restore.go adopts orphan
 * claims only). A restored Percona or Redis object is the same empty cluster; a restored
 * PerconaXtraDBClusterRestore or PerconaServerMongoDBRestore (its status stripped by Velero) runs the restore
 * again over the live database, a restored Backup object a new backup. A tenant database comes back from the
 * operator's own backups through the tenant file's `restore:` (README "Restore a tenant database"), and its
 * objects from the tenant stack.
 */
export const DATABASE_OPERATOR_RESOURCES = [
    ...["backups", "clusterimagecatalogs", "clusters", "databaseroles", "databases", "failoverquorums", "imagecatalogs", "poolers", "publications", "scheduledbackups", "subscriptions"].map((r) => `${r}.postgresql.cnpg.io`),
    ...["perconaxtradbclusters", "perconaxtradbclusterbackups", "perconaxtradbclusterrestores"].map((r) => `${r}.pxc.percona.com`),
    ...["perconaservermongodbs", "perconaservermongodbbackups", "perconaservermongodbrestores"].map((r) => `${r}.psmdb.percona.com`),
    ...["redis", "redisclusters", "redisreplications", "redissentinels"].map((r) => `${r}.redis.redis.opstreelabs.in`),
] as const;

/** Kinds no Schedule carries: volume data comes back from Longhorn, databases from their operators' backups. */
export const EXCLUDED_FROM_SCHEDULES = ["persistentvolumeclaims", "persistentvolumes", ...DATABASE_OPERATOR_RESOURCES] as const;

/**
 * What a tenant namespace's Schedule (and its Restore) leaves out beyond {@link EXCLUDED_FROM_SCHEDULES}: the
 * objects that act, which their owners re-create and which Velero could not give back their owner (it strips
 * ownerReferences on restore, pkg/restore/restore.go resetMetadata at v1.18.1). A StatefulSet restored without its
 * claims' data provisions empty claims under the names a volume or Redis restore fills from Longhorn, and an
 * operator's StatefulSet (the Percona operators' carry no label Velero could select them by: 1.19.0
 * pkg/pxc/app/statefulset node.go) would run empty database members with the operator's labels; a restored Pod
 * (bare, its owner's reference gone) mounts whatever claim has its name; a restored Job runs again, an operator's
 * backup or restore Job included (Velero skips completed Jobs only). Their owners are the tenant stack (Pulumi),
 * the tenant's Argo CD and the operators, which bring them back from what is restored or re-declared.
 */
export const EXCLUDED_FROM_TENANT_SCHEDULES = [...EXCLUDED_FROM_SCHEDULES, "pods", "statefulsets.apps", "jobs.batch"] as const;

/** Object stored by a Velero CRD (no `@kubernetes-models` package exists; validated against the chart's CRDs at the pin). */
export interface VeleroObject {
    apiVersion: "velero.io/v1";
    kind: "Schedule" | "Restore";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: Record<string, unknown>;
}

/** Where Velero writes in the bucket: `<folder>/velero` (or `velero` without a folder); undefined without a bucket. */
export function veleroPrefix(config: PlatformConfig): string | undefined {
    const s3 = config.backup.s3;
    if (!s3) {
        return undefined;
    }
    const folder = s3.folder.replace(/^\/+|\/+$/g, "");
    return folder ? `${folder}/${VELERO_PREFIX}` : VELERO_PREFIX;
}

/** Whether the stack runs Velero: only with an off-cluster bucket (never into the in-cluster MinIO). */
export function veleroEnabled(config: PlatformConfig): boolean {
    return config.backup.s3 !== undefined;
}

/** Velero's TTL for a backup: the retention in days as a Go duration. */
export function backupTtl(config: PlatformConfig): string {
    return `${config.backup.retentionDays * 24}h0m0s`;
}

/** Resources of the Velero server and of the plugin copy init container. */
export function veleroSizing(config: PlatformConfig): { server: ResourceBlock; plugin: ResourceBlock } {
    return {
        server: sizingProfile(config) === "small" ? resources("50m", "128Mi", "512Mi") : resources("100m", "256Mi", "1Gi"),
        plugin: resources("10m", "32Mi", "64Mi"),
    };
}

/** The AWS plugin's credentials file for the bucket's keys (INI, profile `default`). */
export function veleroCredentialsFile(keys: { accessKey: string; secretKey: string }): string {
    return `[default]\naws_access_key_id=${keys.accessKey}\naws_secret_access_key=${keys.secretKey}\n`;
}

/** The credentials Secret the chart mounts at /credentials (its `credentials.existingSecret`). */
export function renderVeleroCredentialsSecret(keys: { accessKey: string; secretKey: string }): ISecret {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: VELERO_CREDENTIALS_SECRET, namespace: NAMESPACES.velero, labels: { [LABELS.managedBy]: "pulumi" } },
        type: "Opaque",
        stringData: { cloud: veleroCredentialsFile(keys) },
    };
}

/** Values of the Velero release: the off-cluster bucket as the only location, the S3 plugin, pinned images. */
export function renderVeleroValues(config: PlatformConfig): Values {
    const s3 = config.backup.s3;
    if (!s3) {
        throw new Error("Velero needs platform:backup.s3 (an off-cluster bucket); it never backs up into the cluster");
    }
    const sizing = veleroSizing(config);
    return chartValues("velero", {
        image: { tag: VELERO_IMAGES.server.tag },
        resources: sizing.server,
        initContainers: [
            {
                name: "velero-plugin-for-aws",
                image: VELERO_IMAGES.awsPlugin,
                imagePullPolicy: "IfNotPresent",
                resources: sizing.plugin,
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                volumeMounts: [{ mountPath: "/target", name: "plugins" }],
            },
        ],
        credentials: { existingSecret: VELERO_CREDENTIALS_SECRET },
        configuration: {
            backupStorageLocation: [
                {
                    name: VELERO_LOCATION,
                    provider: "aws",
                    bucket: s3.bucket,
                    prefix: veleroPrefix(config),
                    default: true,
                    accessMode: "ReadWrite",
                    config: {
                        region: s3.region,
                        s3Url: `https://${s3.endpoint}`,
                        s3ForcePathStyle: "true",
                        // The AWS SDK v2 default checksums are refused by several S3-compatible stores
                        // (velero-plugin-for-aws README, "Non-AWS S3 compatible provider known issues").
                        checksumAlgorithm: "",
                    },
                },
            ],
            defaultBackupTTL: backupTtl(config),
        },
        // Deterministic: the Prometheus Operator CRDs are installed first (the release depends on them).
        metrics: { serviceMonitor: { autodetect: false } },
        nodeSelector: { "node-role.kubernetes.io/control-plane": "true" },
        tolerations: CONTROL_PLANE_TOLERATIONS,
    });
}

/** The Schedule of one namespace set, on `platform:backup.schedule`, kept `platform:backup.retentionDays`. */
function schedule(config: PlatformConfig, name: string, template: Record<string, unknown>): VeleroObject {
    return {
        apiVersion: "velero.io/v1",
        kind: "Schedule",
        metadata: { name, namespace: NAMESPACES.velero, labels: { [LABELS.managedBy]: "pulumi" } },
        spec: {
            schedule: config.backup.schedule,
            // Backups outlive the Schedule: deleting a project must not delete the backups it could be restored from.
            useOwnerReferencesInBackup: false,
            template: {
                storageLocation: VELERO_LOCATION,
                ttl: backupTtl(config),
                snapshotVolumes: false,
                defaultVolumesToFsBackup: false,
                excludedResources: [...EXCLUDED_FROM_SCHEDULES],
                ...template,
            },
        },
    };
}

/** Name of a tenant namespace's Schedule (the Velero restore of a tenant file reads its backups). */
export function tenantScheduleName(namespace: string): string {
    return `tenant-${namespace}`;
}

/**
 * The Schedules: one per tenant namespace (a project's objects restore on their own, and a tenant's restore can
 * only name backups of its own namespace), one for the platform namespaces with the cluster-scoped objects.
 */
export function renderVeleroSchedules(config: PlatformConfig, tenantNamespaces: readonly string[]): VeleroObject[] {
    const tenants = [...new Set(tenantNamespaces)].sort().map((namespace) =>
        schedule(config, tenantScheduleName(namespace), {
            includedNamespaces: [namespace],
            includeClusterResources: false,
            excludedResources: [...EXCLUDED_FROM_TENANT_SCHEDULES],
            metadata: { labels: { [LABELS.project]: namespace } },
        }),
    );
    const platform = schedule(config, PLATFORM_SCHEDULE, {
        includedNamespaces: PLATFORM_NAMESPACES.filter((ns) => ns !== NAMESPACES.velero),
        includeClusterResources: true,
    });
    return [platform, ...tenants];
}

/** Velero's workload for the sizing report. */
export function veleroWorkloads(config: PlatformConfig): WorkloadResources[] {
    if (!veleroEnabled(config)) {
        return [];
    }
    const sizing = veleroSizing(config);
    return [{ addon: "velero", workload: "velero", kind: "Deployment", pods: 1, containers: { "velero-plugin-for-aws": sizing.plugin, velero: sizing.server }, note: "the plugin container is an init container (copies the plugin, then exits)" }];
}

/**
 * A Velero Restore of one tenant namespace from its own Schedule's newest backup (or one named backup of that
 * Schedule): only that namespace, never cluster-scoped objects, existing objects left as they are
 * (`existingResourcePolicy: none`, Velero's default, stated). Volume data is not part of it (see the module comment).
 */
export function renderVeleroRestore(namespace: string, name: string, from: { backup?: string }): VeleroObject {
    return {
        apiVersion: "velero.io/v1",
        kind: "Restore",
        metadata: { name, namespace: NAMESPACES.velero, labels: { [LABELS.managedBy]: "pulumi", [LABELS.project]: namespace } },
        spec: {
            ...(from.backup ? { backupName: from.backup } : { scheduleName: tenantScheduleName(namespace) }),
            includedNamespaces: [namespace],
            includeClusterResources: false,
            excludedResources: [...EXCLUDED_FROM_TENANT_SCHEDULES],
            restorePVs: false,
            existingResourcePolicy: "none",
        },
    };
}
