import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import type { ISecret } from "kubernetes-models/v1/Secret";
import { LABELS, NAMESPACES, PROMETHEUS_POD_LABELS, STORAGE_CLASSES } from "../../lib/conventions";
import type { PlatformConfig } from "../../lib/config/schema";
import { databaseEphemeralStorage } from "../../lib/tenants/footprint";
import type { DatabaseSpec } from "../../lib/tenants/schema";
import { containerResources, hasRunPool, objectLabels, objectMeta, type ProjectContext } from "./common";
import { clusterName, DATABASE_COMPONENT, DATABASE_SECRET, DATABASE_USER, databaseImage, databaseName, requireDatabase } from "./database";
import { egressExcept } from "./network-policies";
import { apiServerEgressPeers } from "../../lib/network-rules";
import { PSMDB_S3_KEYS } from "./mongodb";
import { PLATFORM_BACKUP_SECRET } from "../../policy/lib/catalogue";

/**
 * A PostgreSQL database as a CloudNativePG `Cluster` (postgresql.cnpg.io/v1 at operator 1.30.0; every field
 * below is checked against charts/cloudnative-pg/crd-clusters.yaml by the tests): `instances` pods (one
 * primary, streaming replicas) on different nodes, a PodDisruptionBudget from the operator once there is a
 * replica, continuous WAL archiving and base backups to the stack's off-cluster bucket (`platform:backup.s3`)
 * through the in-tree `barmanObjectStore` (deprecated upstream since 1.26 in favour of the Barman Cloud plugin,
 * still served by 1.30), a ScheduledBackup on `platform:backup.schedule`, retention `platform:backup.retentionDays`,
 * a PodMonitor, and point-in-time recovery from an earlier generation's archive (`database.restore`).
 *
 * Names: the Cluster is `database` (generation 0) or `database-g<N>`; its archive is
 * `s3://<bucket>/<folder>/<namespace>/<cluster>/`, so each project and generation has its own path and a
 * restored cluster never writes into the archive it reads (CloudNativePG refuses a non-empty archive anyway).
 */

/** Object stored by a CloudNativePG CRD (no `@kubernetes-models` package exists; validated against the committed CRD). */
export interface CnpgObject {
    apiVersion: "postgresql.cnpg.io/v1";
    kind: "Cluster" | "ScheduledBackup";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: Record<string, unknown>;
}

/** Secret in the project namespace with the backup bucket's keys (CloudNativePG reads it from the Cluster's namespace). */
export const BACKUP_S3_SECRET = PLATFORM_BACKUP_SECRET;

/** Keys of {@link BACKUP_S3_SECRET}. */
export const BACKUP_S3_KEYS = { accessKey: "ACCESS_KEY_ID", secretKey: "ACCESS_SECRET_KEY" } as const;

/** Name of the external cluster a restore reads from (`bootstrap.recovery.source`). */
export const RESTORE_SOURCE = "origin";

/** Ports of a CloudNativePG instance pod: PostgreSQL, the instance manager's status API, metrics. */
export const CNPG_PORTS = { postgresql: 5432, status: 8000, metrics: 9187 } as const;

/** CloudNativePG's pod label naming the Cluster an instance belongs to. */
export const CNPG_CLUSTER_LABEL = "cnpg.io/cluster";

/**
 * The database backup target of a stack: the endpoint URL and the prefix below which each namespace has its
 * folder (`<destinationPrefix><namespace>/`); the policy pack and the admission policy hold tenant Clusters to it.
 */
export function databaseBackupTarget(backup: PlatformConfig["backup"]): { endpointURL: string; destinationPrefix: string } | undefined {
    const s3 = backup.s3;
    if (!s3) {
        return undefined;
    }
    const folder = s3.folder ? `${s3.folder.replace(/^\/+|\/+$/g, "")}/` : "";
    return { endpointURL: `https://${s3.endpoint}`, destinationPrefix: `s3://${s3.bucket}/${folder}` };
}

/** Archive location of one generation of the project's database in the backup bucket. */
export function archivePath(config: PlatformConfig, namespace: string, generation: number): string | undefined {
    const target = databaseBackupTarget(config.backup);
    return target ? `${target.destinationPrefix}${namespace}/${clusterName({ generation })}/` : undefined;
}

/** `barmanObjectStore` of one archive: the bucket over HTTPS, keys from {@link BACKUP_S3_SECRET}, gzip. */
function objectStore(config: PlatformConfig, namespace: string, generation: number): Record<string, unknown> {
    const s3 = config.backup.s3!;
    return {
        destinationPath: archivePath(config, namespace, generation),
        endpointURL: `https://${s3.endpoint}`,
        serverName: clusterName({ generation }),
        s3Credentials: {
            accessKeyId: { name: BACKUP_S3_SECRET, key: BACKUP_S3_KEYS.accessKey },
            secretAccessKey: { name: BACKUP_S3_SECRET, key: BACKUP_S3_KEYS.secretKey },
        },
        wal: { compression: "gzip", maxParallel: 2 },
        data: { compression: "gzip" },
    };
}

/** How the new cluster is created: an empty database, or a recovery from an earlier generation's archive. */
function bootstrap(ctx: ProjectContext, database: DatabaseSpec): Record<string, unknown> {
    const owner = { database: databaseName(ctx), owner: DATABASE_USER, secret: { name: DATABASE_SECRET } };
    if (!database.restore) {
        return { initdb: owner };
    }
    return {
        recovery: {
            source: RESTORE_SOURCE,
            ...owner,
            ...(database.restore.targetTime ? { recoveryTarget: { targetTime: database.restore.targetTime } } : {}),
        },
    };
}

/** The CloudNativePG Cluster of the project database. */
export function renderPostgresCluster(ctx: ProjectContext): CnpgObject {
    const database = requireDatabase(ctx);
    const { config } = ctx;
    const labels = objectLabels(ctx, DATABASE_COMPONENT);
    const backups = config.backup.s3 !== undefined;
    return {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Cluster",
        metadata: { name: clusterName(database), namespace: ctx.namespace, labels },
        spec: {
            instances: database.instances,
            imageName: databaseImage(database),
            imagePullPolicy: "IfNotPresent",
            // Pods, PVCs and Services the operator creates carry the project's labels (quota, policies, metering).
            inheritedMetadata: { labels },
            // Minor-version and configuration rollouts switch the primary over without a human.
            primaryUpdateStrategy: "unsupervised",
            primaryUpdateMethod: "switchover",
            // With one instance a PDB would block every node drain (kured, upgrades); with replicas it keeps one up.
            enablePDB: database.instances > 1,
            enableSuperuserAccess: false,
            storage: { size: database.size, storageClass: STORAGE_CLASSES[database.class], resizeInUseVolumes: true },
            resources: containerResources(database.resources, databaseEphemeralStorage()),
            affinity: {
                // Instances on different nodes: a node loss costs one copy, never all of them.
                enablePodAntiAffinity: true,
                topologyKey: "kubernetes.io/hostname",
                podAntiAffinityType: "required",
                nodeSelector: { [LABELS.pool]: hasRunPool(config) ? "run" : "server" },
                tolerations: [{ key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" }],
            },
            bootstrap: bootstrap(ctx, database),
            ...(database.restore
                ? { externalClusters: [{ name: RESTORE_SOURCE, barmanObjectStore: objectStore(config, ctx.namespace, database.restore.fromGeneration) }] }
                : {}),
            ...(backups
                ? { backup: { barmanObjectStore: objectStore(config, ctx.namespace, database.generation), retentionPolicy: `${config.backup.retentionDays}d` } }
                : {}),
            // The PodMonitor below replaces the deprecated `monitoring.enablePodMonitor`.
            monitoring: { enablePodMonitor: false },
        },
    };
}

/** CloudNativePG's 6-field cron (seconds first) from the stack's 5-field `platform:backup.schedule`. */
export function cnpgSchedule(cron: string): string {
    return `0 ${cron}`;
}

/** The daily (per `platform:backup.schedule`) base backup; absent without a backup target. */
export function renderScheduledBackup(ctx: ProjectContext): CnpgObject | undefined {
    const database = requireDatabase(ctx);
    if (!ctx.config.backup.s3) {
        return undefined;
    }
    return {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "ScheduledBackup",
        metadata: { name: `${clusterName(database)}-base`, namespace: ctx.namespace, labels: objectLabels(ctx, DATABASE_COMPONENT) },
        spec: {
            cluster: { name: clusterName(database) },
            schedule: cnpgSchedule(ctx.config.backup.schedule),
            method: "barmanObjectStore",
            // A fresh cluster gets its first base backup at once: PITR needs one to start from.
            immediate: true,
            // Backups from a replica when there is one, so the primary is not loaded.
            target: "prefer-standby",
            backupOwnerReference: "self",
        },
    };
}

/** Scrapes every instance's exporter; `project` and `cluster` labels for the backup alerts and routing. */
export function renderPostgresPodMonitor(ctx: ProjectContext): IPodMonitor {
    const database = requireDatabase(ctx);
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: objectMeta(ctx, clusterName(database), DATABASE_COMPONENT),
        spec: {
            selector: { matchLabels: { [CNPG_CLUSTER_LABEL]: clusterName(database) } },
            podMetricsEndpoints: [
                {
                    port: "metrics",
                    relabelings: [
                        { sourceLabels: ["__meta_kubernetes_pod_label_cnpg_io_cluster"], targetLabel: "cluster", action: "replace" },
                        { sourceLabels: ["__meta_kubernetes_pod_label_platform_project"], targetLabel: "project", action: "replace" },
                    ],
                },
            ],
        },
    };
}

/**
 * What the instance pods need beyond the namespace's default-deny and same-namespace rules: the operator reaches
 * each instance manager (status port) and Prometheus the exporter; each instance reaches the API server (the
 * instance manager reconciles itself; k3s serves it on the nodes' tailnet addresses, port 6443, behind the
 * `kubernetes` Service) and the backup bucket over HTTPS. No other internet egress.
 */
export function renderPostgresNetworkPolicies(ctx: ProjectContext): INetworkPolicy[] {
    const database = requireDatabase(ctx);
    const podSelector = { matchLabels: { [CNPG_CLUSTER_LABEL]: clusterName(database) } };
    const meta = (name: string) => objectMeta(ctx, name, DATABASE_COMPONENT);
    const namespaceOf = (name: string) => ({ matchLabels: { "kubernetes.io/metadata.name": name } });
    const policies: INetworkPolicy[] = [
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta("allow-database-operator"),
            spec: {
                podSelector,
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [{ namespaceSelector: namespaceOf(NAMESPACES.cnpg) }], ports: [{ protocol: "TCP", port: CNPG_PORTS.status }, { protocol: "TCP", port: CNPG_PORTS.postgresql }] },
                    { from: [{ namespaceSelector: namespaceOf(NAMESPACES.monitoring), podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } } }], ports: [{ protocol: "TCP", port: CNPG_PORTS.metrics }] },
                ],
            },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta("allow-database-api-server"),
            spec: {
                podSelector,
                policyTypes: ["Egress"],
                egress: apiServerEgressPeers(ctx.config.cluster.serviceCidr).map(({ cidr, port }) => ({ to: [{ ipBlock: { cidr } }], ports: [{ protocol: "TCP", port }] })),
            },
        },
    ];
    if (ctx.config.backup.s3) {
        policies.push({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta("allow-database-backup-bucket"),
            spec: {
                podSelector,
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: egressExcept(ctx) } }], ports: [{ protocol: "TCP", port: 443 }] }],
            },
        });
    }
    return policies;
}

/**
 * The backup bucket's keys as the Secret CloudNativePG and the Percona MongoDB operator read, under each one's key
 * names (one Secret, so the guardrails' rule on {@link BACKUP_S3_SECRET} covers both); the platform stack writes
 * it (components/databases/backup-credentials.ts).
 */
export function renderBackupCredentialsSecret(ctx: ProjectContext, keys: { accessKey: string; secretKey: string }): ISecret {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: objectMeta(ctx, BACKUP_S3_SECRET, DATABASE_COMPONENT),
        type: "Opaque",
        stringData: {
            [BACKUP_S3_KEYS.accessKey]: keys.accessKey,
            [BACKUP_S3_KEYS.secretKey]: keys.secretKey,
            [PSMDB_S3_KEYS.accessKey]: keys.accessKey,
            [PSMDB_S3_KEYS.secretKey]: keys.secretKey,
        },
    };
}
