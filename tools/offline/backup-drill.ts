import type { PlatformConfig } from "../../lib/config/schema";
import { MINIO_ENDPOINT, NAMESPACES, STORAGE_CLASSES, TENANT_NAMESPACE_LABEL, TENANT_STORAGE_CLASSES } from "../../lib/conventions";
import type { ProjectSpec } from "../../lib/tenants/schema";
import { backupTarget as longhornBackupTarget } from "../../components/longhorn/values";
import { renderPostgresCluster } from "../../components/project/postgresql";
import { projectContext } from "../../components/project/common";
import { VELERO_LOCATION } from "../../components/backups/values";
import { mongoBackupLocation, renderMongoDbRestore } from "../../components/project/mongodb";
import { redisClaimName, redisGroupName } from "../../components/project/redis";
import { longhornBackupUrl, volumeRestoresOf } from "../../components/backups/restore-plan";
import { mysqlBackupLocation, renderMysqlRestore } from "../../components/project/mysql";
import { clusterName } from "../../components/project/database";

/**
 * The offline disaster-recovery drill over a planned region: every stateful object of every tenant (a
 * CloudNativePG Cluster, a Percona PerconaServerMongoDB or PerconaXtraDBCluster, an OpsTree RedisReplication's member claims, a
 * StatefulSet volume claim, a standalone PersistentVolumeClaim) must have a backup path
 * in the plan, and the restore plan (the same tenants with a restore declared) must read exactly the path the
 * backups write. On a production stack every backup path must leave the cluster. What it cannot prove: that the
 * bucket exists, the keys work or a restore succeeds (that needs a cluster; README: Disaster recovery).
 */

/** A Kubernetes object as the plan writes it. */
export interface PlannedObject {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
    spec?: Record<string, any>;
}

/** Where one stateful object's backups go. */
export interface BackupPath {
    /** `namespace/kind/name[/claim]` of the stateful object. */
    object: string;
    /** How it is backed up. */
    method: "cnpg-barman" | "longhorn-recurring-backup" | "velero-schedule" | "psmdb-pbm" | "pxc-xtrabackup" | "pxc-binlogs";
    /** Backup location (archive path or Longhorn backup target URL). */
    location: string;
    /** S3 endpoint the location is on. */
    endpoint: string;
    /** Whether the endpoint is outside the cluster (not the in-cluster MinIO, not a cluster Service). */
    offCluster: boolean;
}

/** What the drill found. */
export interface DrillReport {
    /** Backup path of every stateful object that has one. */
    paths: BackupPath[];
    /** Stateful objects without a backup path, paths that stay in-cluster on production, restores that read elsewhere. */
    problems: string[];
}

/** What the drill reads from a planned stack. */
export interface DrillInput {
    /** The stack's validated configuration. */
    config: PlatformConfig;
    /** Every Kubernetes object of the plan. */
    objects: readonly PlannedObject[];
    /** `defaultBackupStore.backupTarget` of the planned Longhorn release (undefined when Longhorn has none). */
    longhornBackupTarget: string | undefined;
    /** The stack's tenant projects (the restore plan renders them with a restore declared). */
    projects: readonly ProjectSpec[];
    /**
     * The default BackupStorageLocation of the planned Velero release (`configuration.backupStorageLocation` of
     * its values), undefined when the plan has no Velero.
     */
    veleroLocation: { name: string; bucket: string; prefix?: string; config: { s3Url: string } } | undefined;
}

const inCluster = (endpoint: string) => endpoint.includes(MINIO_ENDPOINT.host) || /\.svc(\.cluster\.local)?(:\d+)?(\/|$)/.test(endpoint);

/** The tenant spec as its restore is declared: the next generation, recovering from the current one's archive. */
export function restoredProject(spec: ProjectSpec, targetTime?: string): ProjectSpec {
    if (!spec.database) {
        return spec;
    }
    const generation = spec.database.generation;
    // A MySQL restore starts from a named full backup of the current generation (PostgreSQL reads the whole archive).
    const backup = spec.database.engine === "mysql" ? { backup: drillMysqlBackup(generation) } : {};
    return { ...spec, database: { ...spec.database, generation: generation + 1, restore: { fromGeneration: generation, ...backup, ...(targetTime ? { targetTime } : {}) } } };
}

/**
 * A full backup folder the drill restores a MySQL generation from (the operator names them
 * `<cluster>-<YYYY-MM-DD-HH:MM:SS>-full`; any name of that shape lies in the same folder).
 */
export function drillMysqlBackup(generation: number): string {
    return `${clusterName({ generation })}-2026-01-01-03:00:00-full`;
}

/** A full backup name the drill restores from (PBM names backups by their start time; any name of that shape reads the same prefix). */
export const DRILL_MONGODB_BACKUP = "2026-01-01T03:00:00Z";

/** The tenant spec with a MongoDB restore declared: the next generation, from a backup of the current one (and its oplog, to a point in time). */
export function restoredMongoProject(spec: ProjectSpec, targetTime?: string): ProjectSpec {
    if (!spec.mongodb) {
        return spec;
    }
    const generation = spec.mongodb.generation;
    return { ...spec, mongodb: { ...spec.mongodb, generation: generation + 1, restore: { fromGeneration: generation, backup: DRILL_MONGODB_BACKUP, ...(targetTime ? { targetTime } : {}) } } };
}

/** A Longhorn backup and volume the drill restores a Redis generation from (any names of that shape read the same target). */
export const DRILL_REDIS_BACKUP = { backup: "backup-0123456789abcdef", volume: "pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f" } as const;

/** The tenant spec with a Redis restore declared: the next generation, every member from one Longhorn backup of the current one. */
export function restoredRedisProject(spec: ProjectSpec): ProjectSpec {
    if (!spec.redis) {
        return spec;
    }
    const generation = spec.redis.generation;
    return { ...spec, redis: { ...spec.redis, generation: generation + 1, restore: { fromGeneration: generation, ...DRILL_REDIS_BACKUP } } };
}

/** Runs the drill over one planned stack. */
export function backupDrill(input: DrillInput): DrillReport {
    const { config, objects } = input;
    const paths: BackupPath[] = [];
    const problems: string[] = [];
    const tenantNamespaces = new Set(objects.filter((o) => o.kind === "Namespace" && o.metadata.labels?.[TENANT_NAMESPACE_LABEL] !== undefined).map((o) => o.metadata.name!));
    const id = (o: PlannedObject, extra = "") => `${o.metadata.namespace}/${o.kind}/${o.metadata.name}${extra}`;

    // Longhorn: a backup job in the `default` group covers every volume without job labels.
    const longhornJob = objects.find((o) => o.kind === "RecurringJob" && o.metadata.namespace === NAMESPACES.longhorn && o.spec?.task === "backup" && (o.spec?.groups ?? []).includes("default"));
    const expectedTarget = longhornBackupTarget(config);
    const longhornPath = (object: string, storageClass: string | undefined): void => {
        // The tenant classes are the same Longhorn classes with reclaim policy Retain (components/longhorn/values.ts).
        // A declared restore's class (components/backups/volume-restores.ts) is a Longhorn class of the plan too.
        const restoreClasses = objects.filter((o) => o.kind === "StorageClass" && (o as { provisioner?: string }).provisioner === "driver.longhorn.io").map((o) => o.metadata.name!);
        if (!storageClass || ![...Object.values<string>(STORAGE_CLASSES), ...Object.values<string>(TENANT_STORAGE_CLASSES), ...restoreClasses].includes(storageClass)) {
            problems.push(`${object}: storage class ${storageClass ?? "(default)"} is not a Longhorn class, so no Longhorn backup covers it`);
            return;
        }
        if (!longhornJob || !input.longhornBackupTarget) {
            problems.push(`${object}: no Longhorn recurring backup job or backup target in the plan`);
            return;
        }
        if (input.longhornBackupTarget !== expectedTarget.url) {
            problems.push(`${object}: Longhorn backs up to ${input.longhornBackupTarget}, not the configured ${expectedTarget.url}`);
        }
        paths.push({ object, method: "longhorn-recurring-backup", location: input.longhornBackupTarget, endpoint: expectedTarget.endpoint, offCluster: !inCluster(expectedTarget.endpoint) });
    };

    for (const o of objects.filter((x) => tenantNamespaces.has(x.metadata.namespace ?? ""))) {
        if (o.kind === "Cluster" && o.apiVersion === "postgresql.cnpg.io/v1") {
            const store = o.spec?.backup?.barmanObjectStore;
            const scheduled = objects.find((s) => s.kind === "ScheduledBackup" && s.metadata.namespace === o.metadata.namespace && s.spec?.cluster?.name === o.metadata.name);
            if (!store?.destinationPath) {
                problems.push(`${id(o)}: no WAL archive / base backup destination (spec.backup.barmanObjectStore)`);
                continue;
            }
            if (!scheduled) {
                problems.push(`${id(o)}: no ScheduledBackup, so no base backup to recover from`);
            }
            paths.push({ object: id(o), method: "cnpg-barman", location: store.destinationPath, endpoint: store.endpointURL ?? "", offCluster: !inCluster(store.endpointURL ?? "") });
        }
        if (o.kind === "PerconaServerMongoDB" && o.apiVersion === "psmdb.percona.com/v1") {
            const backup = o.spec?.backup;
            const storage = backup?.storages ? (Object.values(backup.storages) as Array<{ main?: boolean; s3?: { bucket?: string; prefix?: string; endpointUrl?: string } }>).find((st) => st.main) : undefined;
            if (!backup?.enabled || !storage?.s3?.bucket) {
                problems.push(`${id(o)}: no backup storage (spec.backup.storages with a main S3 storage)`);
                continue;
            }
            if (!(backup.tasks ?? []).some((t: { enabled?: boolean; schedule?: string }) => t.enabled && t.schedule)) {
                problems.push(`${id(o)}: no enabled scheduled backup task, so no full backup to restore from`);
            }
            if (!backup.pitr?.enabled) {
                problems.push(`${id(o)}: oplog archiving (spec.backup.pitr) is off, so no point-in-time recovery`);
            }
            const location = `s3://${storage.s3.bucket}/${storage.s3.prefix ? `${storage.s3.prefix}/` : ""}`;
            paths.push({ object: id(o), method: "psmdb-pbm", location, endpoint: storage.s3.endpointUrl ?? "", offCluster: !inCluster(storage.s3.endpointUrl ?? "") });
        }
        if (o.kind === "RedisReplication" && o.apiVersion === "redis.redis.opstreelabs.in/v1beta2") {
            // The operator turns persistence (RDB + AOF in /data) on only with a claim template; its claims are
            // `<group>-<group>-<i>` on the template's class.
            const template = o.spec?.storage?.volumeClaimTemplate;
            if (!template) {
                problems.push(`${id(o)}: no volume claim template (spec.storage.volumeClaimTemplate), so no persistence and nothing to back up`);
                continue;
            }
            if (o.metadata.labels?.["recurring-job.longhorn.io/source"] !== "enabled" || o.metadata.labels?.["recurring-job-group.longhorn.io/default"] !== "enabled") {
                problems.push(`${id(o)}: the group does not label its claims into the nightly Longhorn backup group (recurring-job labels on the object)`);
            }
            longhornPath(id(o, `/${o.metadata.name}`), template.spec?.storageClassName);
        }
        if (o.kind === "PerconaXtraDBCluster" && o.apiVersion === "pxc.percona.com/v1") {
            type Storage = { type?: string; s3?: { bucket?: string; endpointUrl?: string } };
            const backup = o.spec?.backup;
            const storages: Record<string, Storage> = backup?.storages ?? {};
            const scheduled = ((backup?.schedule ?? []) as Array<{ schedule?: string; storageName?: string }>).find((t) => t.schedule && storages[t.storageName ?? ""]?.s3?.bucket);
            if (!scheduled) {
                problems.push(`${id(o)}: no scheduled full backup to an S3 storage (spec.backup.schedule, spec.backup.storages)`);
                continue;
            }
            const full = storages[scheduled.storageName!]!.s3!;
            paths.push({ object: id(o), method: "pxc-xtrabackup", location: `s3://${full.bucket}/`, endpoint: full.endpointUrl ?? "", offCluster: !inCluster(full.endpointUrl ?? "") });
            const binlogs = backup.pitr?.enabled ? storages[backup.pitr.storageName ?? ""]?.s3 : undefined;
            if (!binlogs?.bucket) {
                problems.push(`${id(o)}: binlog collection (spec.backup.pitr to an S3 storage) is off, so no point-in-time recovery`);
            } else {
                paths.push({ object: id(o, "/binlogs"), method: "pxc-binlogs", location: `s3://${binlogs.bucket}/`, endpoint: binlogs.endpointUrl ?? "", offCluster: !inCluster(binlogs.endpointUrl ?? "") });
            }
        }
        if (o.kind === "StatefulSet") {
            for (const claim of o.spec?.volumeClaimTemplates ?? []) {
                longhornPath(id(o, `/${claim.metadata?.name}`), claim.spec?.storageClassName);
            }
        }
        if (o.kind === "PersistentVolumeClaim") {
            longhornPath(id(o), o.spec?.storageClassName);
        }
    }

    // Velero: every tenant namespace's objects (Secrets, ConfigMaps, what Argo CD synced) in a Schedule of its own.
    const veleroSchedules = objects.filter((o) => o.kind === "Schedule" && o.apiVersion === "velero.io/v1");
    for (const namespace of [...tenantNamespaces].sort()) {
        const object = `${namespace}/Namespace/${namespace}`;
        const covering = veleroSchedules.filter((s) => (s.spec?.template?.includedNamespaces ?? []).includes(namespace));
        if (covering.length === 0) {
            problems.push(`${object}: no Velero Schedule backs up the namespace's objects`);
            continue;
        }
        const location = input.veleroLocation;
        if (!location) {
            problems.push(`${object}: Velero Schedule ${covering[0]!.metadata.name} but no Velero backup location in the plan`);
            continue;
        }
        for (const s of covering) {
            if ((s.spec?.template?.storageLocation ?? VELERO_LOCATION) !== location.name) {
                problems.push(`${object}: Velero Schedule ${s.metadata.name} writes to location ${s.spec?.template?.storageLocation}, not the planned ${location.name}`);
            }
        }
        paths.push({ object, method: "velero-schedule", location: `s3://${location.bucket}/${location.prefix ? `${location.prefix}/` : ""}`, endpoint: location.config.s3Url, offCluster: !inCluster(location.config.s3Url) });
    }

    if (config.environment === "production") {
        for (const path of paths.filter((p) => !p.offCluster)) {
            problems.push(`${path.object}: backups stay inside the cluster (${path.endpoint}) on a production stack`);
        }
    }

    // The restore plan: each database recovered into its next generation must read the archive the plan writes.
    for (const spec of input.projects.filter((p) => p.database?.engine === "postgresql")) {
        const restored = renderPostgresCluster(projectContext(restoredProject(spec), config));
        const planned = paths.find((p) => p.method === "cnpg-barman" && p.object.startsWith(`${projectContext(spec, config).namespace}/Cluster/`));
        const source = (restored.spec.externalClusters as Array<{ barmanObjectStore: { destinationPath: string; endpointURL: string } }> | undefined)?.[0]?.barmanObjectStore;
        if (!planned) {
            problems.push(`${spec.id}: the database has no backup for a restore to read`);
        } else if (source?.destinationPath !== planned.location || source.endpointURL !== planned.endpoint) {
            problems.push(`${spec.id}: the restore reads ${source?.endpointURL} ${source?.destinationPath}, the backups go to ${planned.endpoint} ${planned.location}`);
        }
    }
    // Each MySQL database: the restored generation's backupSource and binlog source must read what the plan writes.
    for (const spec of input.projects.filter((p) => p.database?.engine === "mysql")) {
        const ctx = projectContext(spec, config);
        const object = (suffix = "") => (p: BackupPath) => p.object.startsWith(`${ctx.namespace}/PerconaXtraDBCluster/`) && p.object.endsWith(suffix);
        const full = paths.find((p) => p.method === "pxc-xtrabackup" && object()(p));
        const binlogs = paths.find((p) => p.method === "pxc-binlogs" && object("/binlogs")(p));
        if (!full) {
            problems.push(`${spec.id}: the MySQL database has no backup for a restore to read`);
            continue;
        }
        const restore = renderMysqlRestore(projectContext(restoredProject(spec, "2026-01-02T00:00:00Z"), config));
        const source = restore?.spec.backupSource as { destination?: string; s3?: { endpointUrl?: string } } | undefined;
        const pitr = (restore?.spec.pitr as { backupSource?: { s3?: { bucket?: string; endpointUrl?: string } } } | undefined)?.backupSource?.s3;
        const expected = mysqlBackupLocation(config, ctx.namespace, spec.database!.generation);
        if (!source?.destination?.startsWith(full.location) || full.location !== expected || source.s3?.endpointUrl !== full.endpoint) {
            problems.push(`${spec.id}: the MySQL restore reads ${source?.s3?.endpointUrl} ${source?.destination}, the backups go to ${full.endpoint} ${full.location}`);
        }
        if (binlogs && (`s3://${pitr?.bucket}/` !== binlogs.location || pitr?.endpointUrl !== binlogs.endpoint)) {
            problems.push(`${spec.id}: the MySQL point-in-time restore replays binlogs from ${pitr?.endpointUrl} s3://${pitr?.bucket}/, the collector writes to ${binlogs.endpoint} ${binlogs.location}`);
        }
    }
    // The same for each MongoDB: the restored generation's backupSource must read the prefix the plan writes.
    for (const spec of input.projects.filter((p) => p.mongodb)) {
        const ctx = projectContext(spec, config);
        const planned = paths.find((p) => p.method === "psmdb-pbm" && p.object.startsWith(`${ctx.namespace}/PerconaServerMongoDB/`));
        if (!planned) {
            problems.push(`${spec.id}: the MongoDB has no backup for a restore to read`);
            continue;
        }
        const restore = renderMongoDbRestore(projectContext(restoredMongoProject(spec), config));
        const source = restore?.spec.backupSource as { destination?: string; s3?: { endpointUrl?: string } } | undefined;
        const expected = mongoBackupLocation(config, ctx.namespace, spec.mongodb!.generation);
        if (!source?.destination?.startsWith(planned.location) || planned.location !== expected || source.s3?.endpointUrl !== planned.endpoint) {
            problems.push(`${spec.id}: the MongoDB restore reads ${source?.s3?.endpointUrl} ${source?.destination}, the backups go to ${planned.endpoint} ${planned.location}`);
        }
    }
    // Each Redis: the restored generation's claims must be filled from the Longhorn backup target the plan writes to.
    for (const spec of input.projects.filter((p) => p.redis)) {
        const ctx = projectContext(spec, config);
        const planned = paths.find((p) => p.method === "longhorn-recurring-backup" && p.object.startsWith(`${ctx.namespace}/RedisReplication/`));
        if (!planned) {
            problems.push(`${spec.id}: the Redis has no backup for a restore to read`);
            continue;
        }
        const restored = restoredRedisProject(spec);
        const group = redisGroupName(restored.redis!);
        const restores = volumeRestoresOf(restored, config).filter((r) => r.claim.startsWith(`${group}-`));
        const expected = Array.from({ length: restored.redis!.replicas }, (_, i) => redisClaimName(group, i));
        const urls = restores.map((r) => longhornBackupUrl(config, r));
        if (restores.map((r) => r.claim).join() !== expected.join() || urls.some((u) => !u.startsWith(`${planned.location}?`))) {
            problems.push(`${spec.id}: the Redis restore fills ${restores.map((r) => r.claim).join(", ") || "no claim"} from ${urls[0] ?? "nothing"}, the backups go to ${planned.location} (claims ${expected.join(", ")})`);
        }
    }
    return { paths, problems };
}
