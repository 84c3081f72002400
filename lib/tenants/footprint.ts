import { quantity } from "../quantity";
import type { ContainerSpec, DatabaseSpec, ProjectSpec, ServiceSpec } from "./schema";

/**
 * Sizing rules shared by the tenant validation (a project must fit its own quota) and the Project
 * component (which renders exactly these numbers into containers and the ResourceQuota). Keeping them in
 * one place means a valid tenant file can always be scheduled inside its namespace quota, including one
 * extra pod per Deployment during a rolling update.
 */

/** The namespace's `limits.cpu` quota is this multiple of the project's `quota.cpu` (CPU may burst). */
export const CPU_LIMIT_FACTOR = 2;

/** Container resources as the schema declares them (`limits.cpu` optional). */
export interface ResourceSpec {
    /** Guaranteed share. */
    requests: { cpu: string; memory: string };
    /** Ceiling; `cpu` defaults to {@link CPU_LIMIT_FACTOR} × the request. */
    limits: { cpu?: string | undefined; memory: string };
}

/** Size limit of each `tmpDirs` emptyDir. */
export const TMP_DIR_SIZE = "1Gi";

/** Ephemeral storage of a container beyond its emptyDirs: logs and the (read-only) root's writable layer. */
export const CONTAINER_SCRATCH = "256Mi";

/** The database pod's emptyDirs (socket directory and /tmp). */
export const DATABASE_EMPTY_DIRS = { run: "64Mi", tmp: "1Gi" } as const;

/**
 * The containers the platform adds beside each mongod of a project's MongoDB (components/project/mongodb.ts):
 * Percona Backup for MongoDB's agent (it streams logical backups and oplog chunks to the bucket, so it holds a
 * buffer) and the metrics exporter. The mongod container itself is sized by the tenant file.
 */
export const MONGODB_COMPANION_RESOURCES = {
    backupAgent: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
    exporter: { requests: { cpu: "25m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
} as const satisfies Record<string, ResourceSpec>;

/**
 * The containers the platform adds to a project's Redis (components/project/redis.ts): the metrics exporter
 * beside every member, and each of the {@link REDIS_SENTINELS} Sentinels of a group with replicas. The Redis
 * container itself is sized by the tenant file.
 */
export const REDIS_COMPANION_RESOURCES = {
    exporter: { requests: { cpu: "25m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
    sentinel: { requests: { cpu: "25m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
} as const satisfies Record<string, ResourceSpec>;

/** Sentinels of a Redis group with replicas: three, so two agree on a failover while one node is lost. */
export const REDIS_SENTINELS = 3;

/**
 * The containers the Percona XtraDB Cluster operator runs beside a project's MySQL nodes
 * (components/project/mysql.ts), sized by the platform; each mysqld container is sized by the tenant file.
 * `init` copies the operator's entrypoint into every pod; `haproxy` and `haproxyMonitor` are the two containers of
 * each HAProxy pod (clusters of 3 or more); `binlogCollector` uploads the binlogs (point-in-time recovery);
 * `backup` is the XtraBackup Job's container (it streams the backup to the bucket, so it holds a buffer).
 */
export const MYSQL_COMPANION_RESOURCES = {
    init: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    haproxy: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    haproxyMonitor: { requests: { cpu: "25m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
    binlogCollector: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    backup: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
} as const satisfies Record<string, ResourceSpec>;

/** HAProxy pods in front of a MySQL cluster of `instances` nodes: none for one node (clients reach it directly), else the operator's safe minimum of 2. */
export function mysqlProxyPods(instances: number): number {
    return instances >= 3 ? 2 : 0;
}

/** Ephemeral storage the namespace quota keeps beyond the declared pods (ACME solver, git-synced pods). */
export const EPHEMERAL_HEADROOM = "2Gi";

const MIB = 2 ** 20;

/** Formats bytes as a whole-MiB quantity (rounded up). */
export function mebibytes(bytes: number): string {
    return `${Math.ceil(bytes / MIB - 1e-9)}Mi`;
}

/** Ephemeral storage a container requests and is limited to: its tmpDirs plus {@link CONTAINER_SCRATCH}. */
export function serviceEphemeralStorage(container: Pick<ContainerSpec, "tmpDirs">): string {
    return mebibytes(container.tmpDirs.length * quantity(TMP_DIR_SIZE) + quantity(CONTAINER_SCRATCH));
}

/** Ephemeral storage of the database container: its emptyDirs plus {@link CONTAINER_SCRATCH}. */
export function databaseEphemeralStorage(): string {
    return mebibytes(quantity(DATABASE_EMPTY_DIRS.run) + quantity(DATABASE_EMPTY_DIRS.tmp) + quantity(CONTAINER_SCRATCH));
}

/**
 * The namespace's claim quota (`requests.storage`): `quota.storage` less the bucket's quota, which MinIO holds on
 * its own volume; without this a git-synced claim could take the share the bucket already reserves. Rounded
 * down to whole MiB so it never exceeds what the file grants.
 */
export function claimStorageQuota(spec: ProjectSpec): string {
    if (!spec.bucket) {
        return spec.quota.storage;
    }
    return `${Math.max(0, Math.floor((quantity(spec.quota.storage) - quantity(spec.bucket.size)) / MIB + 1e-9))}Mi`;
}

/** The namespace's ephemeral-storage quota: the file's `quota.ephemeralStorage`, else the pods' need plus headroom. */
export function ephemeralStorageQuota(spec: ProjectSpec): string {
    return spec.quota.ephemeralStorage ?? mebibytes(projectFootprint(spec).ephemeralStorage + quantity(EPHEMERAL_HEADROOM));
}

/** Formats cores as a millicore quantity (`0.25` → `250m`). */
export function millicores(cores: number): string {
    return `${Math.ceil(cores * 1000 - 1e-9)}m`;
}

/** The CPU limit a container gets: the declared one, else {@link CPU_LIMIT_FACTOR} × its request. */
export function cpuLimit(resources: ResourceSpec): string {
    return resources.limits.cpu ?? millicores(quantity(resources.requests.cpu) * CPU_LIMIT_FACTOR);
}

/** Largest number of pods a service runs (autoscale max, else replicas, else 1). */
export function maxReplicas(service: ServiceSpec): number {
    return service.autoscale?.max ?? service.replicas ?? 1;
}

/** Smallest number of pods a service runs in steady state (autoscale min, else replicas, else 1). */
export function minReplicas(service: ServiceSpec): number {
    return service.autoscale?.min ?? service.replicas ?? 1;
}

/** Whether a service runs as a StatefulSet (it has volumes, one volume set per replica, or is clustered). */
export function isStateful(service: ServiceSpec): boolean {
    return service.volumes.length > 0 || service.cluster !== undefined;
}

/** Summed resource needs of a project at its largest scale. CPU in cores, memory and storage in bytes. */
export interface Footprint {
    /** Σ requests.cpu. */
    requestsCpu: number;
    /** Σ requests.memory. */
    requestsMemory: number;
    /** Σ limits.cpu (declared or defaulted). */
    limitsCpu: number;
    /** Σ limits.memory. */
    limitsMemory: number;
    /** Σ PersistentVolumeClaim sizes (volumes × replicas, plus one database volume per instance). */
    storage: number;
    /** Σ ephemeral-storage limits (emptyDirs, logs), equal to the requests. */
    ephemeralStorage: number;
    /** The bucket's hard quota in bytes (0 without a bucket): reserved on MinIO's volume, not a claim of its own. */
    bucket: number;
    /** Number of pods. */
    pods: number;
    /** Number of PersistentVolumeClaims. */
    persistentVolumeClaims: number;
}

/**
 * A bucket quota in whole bytes, the unit `mc quota set --size` reads without a suffix (mc parses it with
 * go-humanize's ParseBytes, where `10G` would be 10^9 and a bare number is bytes): `10Gi` is 10737418240.
 * A fraction of a byte rounds up; a size beyond 2^53 bytes (8 PiB) cannot be written exactly and is refused.
 */
export function bucketQuotaBytes(size: string): number {
    const bytes = Math.ceil(quantity(size));
    if (!Number.isSafeInteger(bytes)) {
        throw new Error(`bucket size ${size} is too large to be a MinIO quota (at most 2^53 - 1 bytes)`);
    }
    return bytes;
}

/** One pod's effective needs (what the quota charges): CPU in cores, memory and storage in bytes. */
interface PodShape {
    requestsCpu: number;
    requestsMemory: number;
    limitsCpu: number;
    limitsMemory: number;
    ephemeral: number;
    count: number;
}

type Dim = Exclude<keyof PodShape, "count">;
const DIMS: readonly Dim[] = ["requestsCpu", "requestsMemory", "limitsCpu", "limitsMemory", "ephemeral"];

function containerShape(resources: ResourceSpec, ephemeral: string): Omit<PodShape, "count"> {
    return {
        requestsCpu: quantity(resources.requests.cpu),
        requestsMemory: quantity(resources.requests.memory),
        limitsCpu: quantity(cpuLimit(resources)),
        limitsMemory: quantity(resources.limits.memory),
        ephemeral: quantity(ephemeral),
    };
}

/**
 * A pod's effective resources as the scheduler and the ResourceQuota count them: per dimension the larger of
 * the sum of its containers and its largest init container (init containers run one at a time, before).
 */
export function podShape(containers: ReadonlyArray<Pick<ContainerSpec, "resources" | "tmpDirs">>, inits: ReadonlyArray<Pick<ContainerSpec, "resources" | "tmpDirs">> = [], count = 1): PodShape {
    const shapes = containers.map((c) => containerShape(c.resources, serviceEphemeralStorage(c)));
    const initShapes = inits.map((c) => containerShape(c.resources, serviceEphemeralStorage(c)));
    const out = { count } as PodShape;
    for (const dim of DIMS) {
        out[dim] = Math.max(
            shapes.reduce((total, s) => total + s[dim], 0),
            ...initShapes.map((s) => s[dim]),
        );
    }
    return out;
}

/** The shape of one pod of a service (its container, sidecars and init containers). */
export function servicePodShape(service: ServiceSpec, count = 1): PodShape {
    return podShape([service, ...service.sidecars], service.initContainers, count);
}

function podShapes(spec: ProjectSpec): { steady: PodShape[]; surge: PodShape[] } {
    const steady: PodShape[] = spec.services.map((s) => servicePodShape(s, maxReplicas(s)));
    if (spec.database?.engine === "postgresql") {
        steady.push({ ...containerShape(spec.database.resources, databaseEphemeralStorage()), count: spec.database.instances });
    }
    if (spec.database?.engine === "mysql") {
        // Percona XtraDB Cluster: the nodes, HAProxy in front of 3 or more, the binlog collector, and one backup
        // Job's pod at a time (the operator runs scheduled backups one after the other); each with the init copy.
        const init = [{ resources: MYSQL_COMPANION_RESOURCES.init, tmpDirs: [] }];
        const c = (resources: ResourceSpec) => ({ resources, tmpDirs: [] });
        steady.push({ ...containerShape(spec.database.resources, databaseEphemeralStorage()), count: spec.database.instances });
        steady.push(podShape([c(MYSQL_COMPANION_RESOURCES.haproxy), c(MYSQL_COMPANION_RESOURCES.haproxyMonitor)], init, mysqlProxyPods(spec.database.instances)));
        steady.push(podShape([c(MYSQL_COMPANION_RESOURCES.binlogCollector)], init));
        steady.push(podShape([c(MYSQL_COMPANION_RESOURCES.backup)], init));
    }
    if (spec.mongodb) {
        const mongo = [spec.mongodb.resources, MONGODB_COMPANION_RESOURCES.backupAgent, MONGODB_COMPANION_RESOURCES.exporter].map((resources) => ({ resources, tmpDirs: [] }));
        steady.push(podShape(mongo, [], spec.mongodb.instances));
    }
    if (spec.redis) {
        const members = [spec.redis.resources, REDIS_COMPANION_RESOURCES.exporter].map((resources) => ({ resources, tmpDirs: [] }));
        steady.push(podShape(members, [], spec.redis.replicas));
        if (spec.redis.replicas > 1) {
            steady.push(podShape([{ resources: REDIS_COMPANION_RESOURCES.sentinel, tmpDirs: [] }], [], REDIS_SENTINELS));
        }
    }
    // A Job and a CronJob run (at most) one pod at a time: concurrency Forbid, retries one after the other.
    steady.push(...spec.jobs.map((job) => podShape([job])));
    // Deployments roll with maxSurge 1: one extra pod of one Deployment may exist at a time. A blue/green
    // release runs the new version's full set beside the old one (preview replicas = replicas) until it is
    // promoted and the old set is scaled down.
    const surge = spec.services
        .filter((s) => !isStateful(s) && maxReplicas(s) > 0)
        .map((s) => servicePodShape(s, s.strategy.type === "blueGreen" ? maxReplicas(s) : 1));
    return { steady, surge };
}

/**
 * The project's footprint at maximum scale, plus the largest single release surge per dimension (a
 * Deployment's one surge pod, maxSurge 1; a blue/green service's whole new set; StatefulSets and the database
 * roll without surge).
 */
export function projectFootprint(spec: ProjectSpec): Footprint {
    const { steady, surge } = podShapes(spec);
    const sum = (dim: Dim) => steady.reduce((total, p) => total + p[dim] * p.count, 0);
    const peak = (dim: Dim) => Math.max(0, ...surge.map((p) => p[dim] * p.count));
    const volumeBytes = spec.services.reduce(
        (total, s) => total + s.volumes.reduce((v, volume) => v + quantity(volume.size), 0) * maxReplicas(s),
        0,
    );
    const claims = spec.services.reduce((total, s) => total + s.volumes.length * maxReplicas(s), 0);
    return {
        requestsCpu: sum("requestsCpu") + peak("requestsCpu"),
        requestsMemory: sum("requestsMemory") + peak("requestsMemory"),
        limitsCpu: sum("limitsCpu") + peak("limitsCpu"),
        limitsMemory: sum("limitsMemory") + peak("limitsMemory"),
        storage: volumeBytes + (spec.database ? quantity(spec.database.size) * spec.database.instances : 0) + (spec.mongodb ? quantity(spec.mongodb.size) * spec.mongodb.instances : 0) + (spec.redis ? quantity(spec.redis.size) * spec.redis.replicas : 0),
        ephemeralStorage: sum("ephemeral") + peak("ephemeral"),
        bucket: spec.bucket ? quantity(spec.bucket.size) : 0,
        pods: steady.reduce((total, p) => total + p.count, 0) + Math.max(0, ...surge.map((p) => p.count)),
        persistentVolumeClaims: claims + (spec.database ? spec.database.instances : 0) + (spec.mongodb?.instances ?? 0) + (spec.redis?.replicas ?? 0),
    };
}

/** Problems of one container's resources (a request above its limit is rejected by the API server). */
export function resourceProblems(resources: ResourceSpec | DatabaseSpec["resources"]): string[] {
    const problems: string[] = [];
    if (quantity(resources.requests.memory) > quantity(resources.limits.memory)) {
        problems.push(`requests.memory ${resources.requests.memory} exceeds limits.memory ${resources.limits.memory}`);
    }
    if (resources.limits.cpu !== undefined && quantity(resources.requests.cpu) > quantity(resources.limits.cpu)) {
        problems.push(`requests.cpu ${resources.requests.cpu} exceeds limits.cpu ${resources.limits.cpu}`);
    }
    return problems;
}
