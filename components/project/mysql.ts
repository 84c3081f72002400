import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import { DEFAULT_DATABASE_VERSION, MYSQL_OPERATOR_IMAGES } from "../../charts/images";
import { CHARTS } from "../../charts/versions";
import type { PlatformConfig } from "../../lib/config/schema";
import { GVISOR_RUNTIME_CLASS, LABELS, NAMESPACES, PROMETHEUS_POD_LABELS, STORAGE_CLASSES } from "../../lib/conventions";
import { CONTAINER_SCRATCH, MYSQL_COMPANION_RESOURCES, databaseEphemeralStorage, mysqlProxyPods } from "../../lib/tenants/footprint";
import { MYSQL_BACKUP_NAME, type DatabaseSpec } from "../../lib/tenants/schema";
import { PLATFORM_BACKUP_SECRET } from "../../policy/lib/catalogue";
import { PXC_SANDBOX_CONFIGURATION } from "../../policy/rules/tenancy/mysql-cluster";
import { containerResources, containerSecurityContext, hasRunPool, objectLabels, objectMeta, podSecurityContext, SERVICE_ACCOUNT, type ProjectContext } from "./common";
import { clusterName, DATABASE_COMPONENT, DATABASE_SECRET, DATABASE_USER, databaseImage, databaseName, requireDatabase } from "./database";
import { egressExcept } from "./network-policies";
import { mongoRetentionCount, pitrDate } from "./mongodb";

/**
 * A project's MySQL database as a Percona Operator for MySQL based on Percona XtraDB Cluster
 * `PerconaXtraDBCluster` (pxc.percona.com/v1 at operator 1.19.0; every field below is checked against
 * charts/pxc-operator/crd-*.yaml by the tests): `instances` Percona XtraDB Cluster nodes (synchronous Galera
 * replication) on different nodes with a PodDisruptionBudget, HAProxy in front of 3 or more (clients reach one
 * writer), scheduled XtraBackup full backups and the binlog collector (point-in-time recovery) writing to the
 * stack's off-cluster bucket, a PodMonitor on the collector, and a restore of an earlier generation's backup
 * (`database.restore`) as a `PerconaXtraDBClusterRestore`.
 *
 * Names: the cluster is `database` (generation 0) or `database-g<N>`; the operator derives `<name>-pxc` (the
 * nodes' StatefulSet and Service), `<name>-haproxy`, `<name>-pitr`, `<name>-secrets` (the system users it
 * generates) and `internal-<name>`. Backups live under `s3://<bucket>/<folder>/<namespace>/<name>/` (each a folder
 * `<name>-<YYYY-MM-DD-HH:MM:SS>-full`) and the binlogs under `.../<name>/binlogs/`, so each project and generation
 * has its own prefix and a restored cluster never writes into the backups it reads.
 */

/** Object stored by a Percona XtraDB Cluster CRD (no `@kubernetes-models` package exists; validated against the committed CRD). */
export interface PxcObject {
    apiVersion: "pxc.percona.com/v1";
    kind: "PerconaXtraDBCluster" | "PerconaXtraDBClusterRestore";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: Record<string, unknown>;
}

/** MySQL's port. */
export const MYSQL_PORT = 3306;

/** The admin port the operator manages users through (pkg/pxc/app/statefulset/node.go at v1.19.0). */
export const MYSQL_ADMIN_PORT = 33062;

/** The binlog collector's metrics port (`metrics`, cmd/pitr/main.go). */
export const BINLOG_COLLECTOR_METRICS_PORT = 8080;

/** uid of the `mysql` user of Percona's XtraDB Cluster, XtraBackup and HAProxy images (the operator's default fsGroup). */
export const MYSQL_UID = 1001;

/** The Percona operator's pod labels naming the cluster and the component (pkg/naming/labels.go at v1.19.0). */
export const PXC_LABELS = { cluster: "app.kubernetes.io/instance", component: "app.kubernetes.io/component" } as const;

/** Names of the backup storages in `spec.backup.storages`: full backups, and the binlogs beside them. */
export const MYSQL_STORAGES = { backups: "offsite", binlogs: "offsite-binlogs" } as const;

/** Seconds between binlog uploads (the operator's example value; PITR can recover up to the last upload). */
export const BINLOG_UPLOAD_SECONDS = 60;

/** The project's MySQL database; throws for a project without one. */
function requireMysql(ctx: ProjectContext): DatabaseSpec {
    const database = requireDatabase(ctx);
    if (database.engine !== "mysql") {
        throw new Error(`project ${ctx.project.id}: the database is ${database.engine}, not mysql`);
    }
    return database;
}

/** The XtraBackup image matching the server's major version. */
export function xtrabackupImage(database: Pick<DatabaseSpec, "version">): string {
    const version = database.version ?? DEFAULT_DATABASE_VERSION.mysql;
    const images: Readonly<Record<string, string>> = MYSQL_OPERATOR_IMAGES.backup;
    const image = images[version];
    if (!image) {
        throw new Error(`MySQL ${version} has no pinned XtraBackup (pinned: ${Object.keys(images).join(", ")})`);
    }
    return image;
}

/** Key prefix (inside the bucket, no leading or trailing slash) of one generation's full backups. */
export function mysqlBackupPrefix(config: PlatformConfig, namespace: string, generation: number): string {
    const folder = (config.backup.s3?.folder ?? "").replace(/^\/+|\/+$/g, "");
    return [folder, namespace, clusterName({ generation })].filter(Boolean).join("/");
}

/** Location of one generation's backups (`s3://<bucket>/<prefix>/`), undefined without a backup target. */
export function mysqlBackupLocation(config: PlatformConfig, namespace: string, generation: number): string | undefined {
    return config.backup.s3 ? `s3://${config.backup.s3.bucket}/${mysqlBackupPrefix(config, namespace, generation)}/` : undefined;
}

/** The S3 part of a storage (and of a restore's sources): the operator takes `bucket` as `<bucket>/<path>`. */
function s3Target(config: PlatformConfig, namespace: string, generation: number, suffix = ""): Record<string, unknown> {
    const s3 = config.backup.s3!;
    return {
        bucket: `${s3.bucket}/${mysqlBackupPrefix(config, namespace, generation)}${suffix}`,
        region: s3.region,
        endpointUrl: `https://${s3.endpoint}`,
        credentialsSecret: PLATFORM_BACKUP_SECRET,
    };
}

/** Security context of the operator-made containers: restricted, except a writable root (the entrypoints write their configuration under /etc and /tmp). */
function operandSecurityContext(): ISecurityContext {
    return { ...containerSecurityContext(MYSQL_UID), readOnlyRootFilesystem: false };
}

/** Placement of every pod of the cluster: the run pool (or the servers), gVisor for untrusted projects. */
function placement(ctx: ProjectContext): Record<string, unknown> {
    return {
        nodeSelector: { [LABELS.pool]: hasRunPool(ctx.config) ? "run" : "server" },
        tolerations: [{ key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" }],
        ...(ctx.project.trust === "untrusted" ? { runtimeClassName: GVISOR_RUNTIME_CLASS.name } : {}),
    };
}

/** One backup storage: where, and how the operator's backup Job and binlog collector pods run. */
function storage(ctx: ProjectContext, generation: number, suffix = ""): Record<string, unknown> {
    return {
        type: "s3",
        verifyTLS: true,
        s3: s3Target(ctx.config, ctx.namespace, generation, suffix),
        ...placement(ctx),
        // The backup Jobs' pods carry the project's labels (quota, policies, metering).
        labels: objectLabels(ctx, DATABASE_COMPONENT),
        resources: containerResources(MYSQL_COMPANION_RESOURCES.backup, CONTAINER_SCRATCH),
        podSecurityContext: podSecurityContext(MYSQL_UID),
        containerSecurityContext: operandSecurityContext(),
    };
}

/** The `spec.backup` of a cluster on a stack with a backup target: daily full backups and the binlog collector. */
function backupSpec(ctx: ProjectContext, database: DatabaseSpec): Record<string, unknown> {
    const { config } = ctx;
    return {
        image: xtrabackupImage(database),
        imagePullPolicy: "IfNotPresent",
        serviceAccountName: SERVICE_ACCOUNT,
        storages: {
            [MYSQL_STORAGES.backups]: storage(ctx, database.generation),
            // Binlogs in their own folder beside the backups: the operator's documentation asks for a storage of their own.
            [MYSQL_STORAGES.binlogs]: storage(ctx, database.generation, "/binlogs"),
        },
        pitr: {
            enabled: true,
            storageName: MYSQL_STORAGES.binlogs,
            timeBetweenUploads: BINLOG_UPLOAD_SECONDS,
            timeoutSeconds: BINLOG_UPLOAD_SECONDS,
            resources: containerResources(MYSQL_COMPANION_RESOURCES.binlogCollector, CONTAINER_SCRATCH),
        },
        schedule: [
            {
                name: "scheduled",
                schedule: config.backup.schedule,
                storageName: MYSQL_STORAGES.backups,
                // The operator's retention counts backups, like Percona's MongoDB operator: the same count.
                retention: { type: "count", count: mongoRetentionCount(config.backup.schedule, config.backup.retentionDays), deleteFromStorage: true },
            },
        ],
    };
}

/** The PerconaXtraDBCluster of the project's MySQL database. */
export function renderMysqlCluster(ctx: ProjectContext): PxcObject {
    const database = requireMysql(ctx);
    const name = clusterName(database);
    const labels = objectLabels(ctx, DATABASE_COMPONENT);
    const proxies = mysqlProxyPods(database.instances);
    const init = { image: `${MYSQL_OPERATOR_IMAGES.operator.repository}:${MYSQL_OPERATOR_IMAGES.operator.tag}`, resources: containerResources(MYSQL_COMPANION_RESOURCES.init, CONTAINER_SCRATCH), containerSecurityContext: operandSecurityContext() };
    const pods = {
        ...placement(ctx),
        serviceAccountName: SERVICE_ACCOUNT,
        // Pods, PVCs and Services the operator creates carry the project's labels (quota, policies, metering).
        labels,
        // Nodes on different hosts: a host loss costs one node, never the majority.
        affinity: { antiAffinityTopologyKey: "kubernetes.io/hostname" },
        podDisruptionBudget: { maxUnavailable: 1 },
        podSecurityContext: podSecurityContext(MYSQL_UID),
        containerSecurityContext: operandSecurityContext(),
    };
    return {
        apiVersion: "pxc.percona.com/v1",
        kind: "PerconaXtraDBCluster",
        metadata: { name, namespace: ctx.namespace, labels },
        spec: {
            crVersion: CHARTS.pxcOperator.version,
            secretsName: `${name}-secrets`,
            initContainer: init,
            // The operator refuses fewer than 3 nodes unless told; one node is the tenant's choice (no HA).
            unsafeFlags: { pxcSize: database.instances < 3 },
            // SmartUpdate (replicas first, the writer last) needs a proxy in front.
            updateStrategy: proxies > 0 ? "SmartUpdate" : "RollingUpdate",
            // Versions are pinned here: never let the operator ask Percona's version service for other images.
            upgradeOptions: { apply: "disabled" },
            tls: { enabled: true },
            users: [
                {
                    name: DATABASE_USER,
                    passwordSecretRef: { name: DATABASE_SECRET, key: "DATABASE_PASSWORD" },
                    // The operator creates the database and grants on it only (users_custom.go at v1.19.0).
                    dbs: [databaseName(ctx)],
                    hosts: ["%"],
                    grants: ["ALL PRIVILEGES"],
                },
            ],
            pxc: {
                ...pods,
                size: database.instances,
                image: databaseImage(database),
                imagePullPolicy: "IfNotPresent",
                autoRecovery: true,
                resources: containerResources(database.resources, databaseEphemeralStorage()),
                // gVisor's AIO support is partial: sandboxed instances use InnoDB's own I/O threads.
                ...(ctx.project.trust === "untrusted" ? { configuration: PXC_SANDBOX_CONFIGURATION } : {}),
                volumeSpec: {
                    persistentVolumeClaim: {
                        storageClassName: STORAGE_CLASSES[database.class],
                        accessModes: ["ReadWriteOnce"],
                        resources: { requests: { storage: database.size } },
                    },
                },
                gracePeriod: 600,
            },
            haproxy:
                proxies > 0
                    ? {
                          ...pods,
                          enabled: true,
                          size: proxies,
                          image: MYSQL_OPERATOR_IMAGES.haproxy,
                          imagePullPolicy: "IfNotPresent",
                          resources: containerResources(MYSQL_COMPANION_RESOURCES.haproxy, CONTAINER_SCRATCH),
                          sidecarResources: containerResources(MYSQL_COMPANION_RESOURCES.haproxyMonitor, CONTAINER_SCRATCH),
                          replicasServiceEnabled: false,
                          gracePeriod: 30,
                      }
                    : { enabled: false },
            proxysql: { enabled: false },
            // Logs go through the platform's collector (Alloy), not the operator's Fluent Bit sidecar.
            logcollector: { enabled: false },
            pmm: { enabled: false },
            ...(ctx.config.backup.s3 ? { backup: backupSpec(ctx, database) } : {}),
        },
    };
}

/** The restore of a new generation from an earlier one's full backup (and binlogs, to a point in time), when `database.restore` is declared. */
export function renderMysqlRestore(ctx: ProjectContext): PxcObject | undefined {
    const database = requireMysql(ctx);
    const restore = database.restore;
    if (!restore) {
        return undefined;
    }
    if (!ctx.config.backup.s3) {
        throw new Error(`project ${ctx.project.id}: database.restore needs platform:backup.s3 (the backups it reads)`);
    }
    if (!restore.backup || !MYSQL_BACKUP_NAME.test(restore.backup)) {
        throw new Error(`project ${ctx.project.id}: a MySQL restore names the full backup to start from (database.restore.backup)`);
    }
    const name = clusterName(database);
    return {
        apiVersion: "pxc.percona.com/v1",
        kind: "PerconaXtraDBClusterRestore",
        metadata: { name: `${name}-from-g${restore.fromGeneration}`, namespace: ctx.namespace, labels: objectLabels(ctx, DATABASE_COMPONENT) },
        spec: {
            pxcCluster: name,
            backupSource: {
                destination: `${mysqlBackupLocation(ctx.config, ctx.namespace, restore.fromGeneration)}${restore.backup}`,
                s3: s3Target(ctx.config, ctx.namespace, restore.fromGeneration),
            },
            ...(restore.targetTime
                ? { pitr: { type: "date", date: pitrDate(restore.targetTime), backupSource: { s3: s3Target(ctx.config, ctx.namespace, restore.fromGeneration, "/binlogs") } } }
                : {}),
        },
    };
}

/** The PodMonitor of the binlog collector (adds `cluster` and `project`, which the alerts group by). */
export function renderMysqlPodMonitor(ctx: ProjectContext): IPodMonitor {
    const name = clusterName(requireMysql(ctx));
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: objectMeta(ctx, name, DATABASE_COMPONENT),
        spec: {
            selector: { matchLabels: { [PXC_LABELS.cluster]: name, [PXC_LABELS.component]: "pitr" } },
            podMetricsEndpoints: [
                {
                    port: "metrics",
                    relabelings: [
                        { sourceLabels: ["__meta_kubernetes_pod_label_app_kubernetes_io_instance"], targetLabel: "cluster", action: "replace" },
                        { sourceLabels: ["__meta_kubernetes_pod_label_platform_project"], targetLabel: "project", action: "replace" },
                    ],
                },
            ],
        },
    };
}

/**
 * What the cluster needs beyond the namespace's default-deny and same-namespace rules: the operator reaches
 * every node (it manages the users through the admin port and checks the cluster) and the binlog collector,
 * Prometheus the collector, and the pods that move backups (backup and restore Jobs, the collector) the bucket
 * over HTTPS. The nodes and HAProxy get no internet egress.
 */
export function renderMysqlNetworkPolicies(ctx: ProjectContext): INetworkPolicy[] {
    const name = clusterName(requireMysql(ctx));
    const meta = (policy: string) => objectMeta(ctx, policy, DATABASE_COMPONENT);
    const namespaceOf = (namespace: string) => ({ matchLabels: { "kubernetes.io/metadata.name": namespace } });
    const policies: INetworkPolicy[] = [
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta("allow-mysql-operator"),
            spec: {
                podSelector: { matchLabels: { [PXC_LABELS.cluster]: name } },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ namespaceSelector: namespaceOf(NAMESPACES.pxc) }],
                        ports: [MYSQL_PORT, MYSQL_ADMIN_PORT, BINLOG_COLLECTOR_METRICS_PORT].map((port) => ({ protocol: "TCP", port })),
                    },
                    { from: [{ namespaceSelector: namespaceOf(NAMESPACES.monitoring), podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } } }], ports: [{ protocol: "TCP", port: BINLOG_COLLECTOR_METRICS_PORT }] },
                ],
            },
        },
    ];
    if (ctx.config.backup.s3) {
        policies.push({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta("allow-mysql-backup-bucket"),
            spec: {
                // The collector (component pitr) and the backup and restore Jobs (no component label), never the nodes or HAProxy.
                podSelector: { matchLabels: { [PXC_LABELS.cluster]: name }, matchExpressions: [{ key: PXC_LABELS.component, operator: "NotIn", values: ["pxc", "haproxy"] }] },
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: egressExcept(ctx) } }], ports: [{ protocol: "TCP", port: 443 }] }],
            },
        });
    }
    return policies;
}
