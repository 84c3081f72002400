import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, packConfig, type PackConfig } from "../../lib/config";
import { metadataOf, namespaceOf, specOf } from "../../lib/kubernetes";
import { forTenantObjects } from "../../lib/rule-helpers";
import { asArray, asRecord, asString, at, isTrue } from "../../lib/values";
import { PLATFORM_BACKUP_SECRET } from "../../lib/catalogue";
import { operatorPlacementProblems } from "../../lib/operator-placement";
import { backupScheduleProblem, CNPG_HOURLY_SCHEDULE_PATTERN } from "../../lib/backup-schedule";
import { DATABASE_POD_SERVICE, operatorPodLabelProblems } from "../../lib/operator-pod-labels";
import { DATABASE_IMAGES } from "../../../charts/images";
import { STORAGE_CLASSES, TENANT_STORAGE_CLASSES } from "../../../lib/conventions";

/** Pulumi type of a CloudNativePG Cluster (postgresql.cnpg.io/v1). */
export const CNPG_CLUSTER_TYPE = "kubernetes:postgresql.cnpg.io/v1:Cluster";

/** Pulumi type of a CloudNativePG ScheduledBackup (postgresql.cnpg.io/v1). */
export const CNPG_SCHEDULED_BACKUP_TYPE = "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup";

/**
 * The ScheduledBackup spec a tenant may write (api/v1/scheduledbackup_types.go at 1.30.0): the fields
 * components/project/postgresql.ts renderScheduledBackup writes plus `suspend: false`, with these values pinned.
 * `method` barmanObjectStore (the default: volume snapshots need CRDs k3s lacks, `pluginConfiguration` runs a
 * plugin of the tenant's choosing), `target` prefer-standby (the primary is not loaded), `backupOwnerReference`
 * self (the Backups go with their ScheduledBackup). `suspend: true` and `online`/`onlineConfiguration` (a cold
 * backup fences the primary) are refused; `schedule` is at most hourly (policy/lib/backup-schedule.ts) and
 * `cluster.name` one of the project's Clusters ({@link CNPG_CLUSTER_NAME_PATTERN}).
 */
export const CNPG_SCHEDULED_BACKUP_PINS = { method: "barmanObjectStore", target: "prefer-standby", backupOwnerReference: "self" } as const;

/** Fields of a tenant ScheduledBackup's spec ({@link CNPG_SCHEDULED_BACKUP_PINS}). */
export const CNPG_SCHEDULED_BACKUP_FIELDS = ["cluster", "schedule", "method", "immediate", "target", "backupOwnerReference", "suspend"] as const;

/**
 * Names a tenant Cluster may have: `database` or `database-g<N>` (components/project/database.ts clusterName). The
 * operator names its superuser, replication, CA and server Secrets after the Cluster (api/v1/cluster_types.go at
 * 1.30.0), and only those names are kept from tenant pods and writers (OPERATOR_INTERNAL_SECRET_PATTERN).
 */
export const CNPG_CLUSTER_NAME_PATTERN = "^database(-g[0-9]+)?$";

/**
 * The application owner's Secret a tenant Cluster bootstraps from (`bootstrap.initdb.secret`,
 * `bootstrap.recovery.secret`: components/project/database.ts DATABASE_SECRET, platform-written). The operator
 * sets the owner's password from whatever Secret is named there (GetApplicationSecretName at 1.30.0), so a tenant
 * naming one of the operator's own would hand its contents to the owner role.
 */
export const CNPG_BOOTSTRAP_SECRET = "database-credentials";

/**
 * Fields of `bootstrap.initdb` the platform never renders whose SQL the operator runs as the postgres superuser
 * (api/v1/cluster_types.go BootstrapInitDB at 1.30.0): `ALTER ROLE app SUPERUSER` there would hand the tenant what
 * `enableSuperuserAccess` keeps from it. `spec.managed` (roles with `superuser: true` and a password of the tenant's;
 * extra Services of any type) is refused whole for the same reason.
 */
export const CNPG_SUPERUSER_SQL_FIELDS = ["postInitSQL", "postInitApplicationSQL", "postInitTemplateSQL", "postInitSQLRefs", "postInitApplicationSQLRefs", "postInitTemplateSQLRefs"] as const;

/** Keys of one `barmanObjectStore` the platform renders (components/project/postgresql.ts objectStore), by level below it. */
export const CNPG_STORE_ALLOWED_FIELDS: Readonly<Record<string, readonly string[]>> = {
    "": ["destinationPath", "endpointURL", "serverName", "s3Credentials", "wal", "data"],
    wal: ["compression", "maxParallel"],
    data: ["compression"],
};

/** Keys of one `externalClusters` entry the platform renders: a restore source is a name and the project's own archive. */
export const CNPG_EXTERNAL_CLUSTER_FIELDS = ["name", "barmanObjectStore"] as const;

/**
 * The Cluster spec as an allow-list: every key (by level below `spec`) that components/project/postgresql.ts
 * renderPostgresCluster writes, and nothing else (review f19d). The instance pods hold the platform's
 * whole-bucket keys ({@link PLATFORM_BACKUP_SECRET}, for WAL archiving), so any field that puts code, files,
 * environment or SQL of the tenant's into them, or moves them, reads every project's backups. Fields of
 * ClusterSpec at 1.30.0 (api/v1/cluster_types.go) that are not listed are refused, each for the reason in
 * {@link CNPG_REFUSED_FIELDS}. Values are pinned in {@link databaseClusterProblems}: `imageName` to
 * charts/images.ts, `imagePullPolicy` IfNotPresent, placement to OPERATOR_PLACEMENT, `monitoring` as rendered,
 * the owner `app`, `storage.storageClass` a Longhorn class; `instances` within the limit, `storage.size` and
 * `resources` a tenant choice the namespace's ResourceQuota and LimitRange bound.
 */
export const CNPG_ALLOWED_FIELDS: Readonly<Record<string, readonly string[]>> = {
    "": ["instances", "imageName", "imagePullPolicy", "inheritedMetadata", "primaryUpdateStrategy", "primaryUpdateMethod", "enablePDB", "enableSuperuserAccess", "storage", "resources", "affinity", "bootstrap", "externalClusters", "backup", "monitoring"],
    inheritedMetadata: ["labels"],
    storage: ["size", "storageClass", "resizeInUseVolumes"],
    resources: ["requests", "limits"],
    affinity: ["enablePodAntiAffinity", "topologyKey", "podAntiAffinityType", "nodeSelector", "tolerations"],
    bootstrap: ["initdb", "recovery"],
    "bootstrap.initdb": ["database", "owner", "secret"],
    "bootstrap.recovery": ["source", "database", "owner", "secret", "recoveryTarget"],
    "bootstrap.recovery.recoveryTarget": ["targetTime"],
    backup: ["barmanObjectStore", "retentionPolicy"],
    ...Object.fromEntries(Object.entries(CNPG_STORE_ALLOWED_FIELDS).map(([path, keys]) => [path === "" ? "backup.barmanObjectStore" : `backup.barmanObjectStore.${path}`, keys])),
    monitoring: ["enablePodMonitor"],
};

const NOT_RENDERED = "not a field the platform renders";
const IN_THE_PODS = "the instance pods hold the platform's whole-bucket backup keys";

/**
 * Why the fields of ClusterSpec at 1.30.0 (api/v1/cluster_types.go) outside {@link CNPG_ALLOWED_FIELDS} are
 * refused (path below `spec`); any other field is refused as {@link NOT_RENDERED}.
 */
export const CNPG_REFUSED_FIELDS: Readonly<Record<string, string>> = {
    imageCatalogRef: `an image catalog of the tenant's names the Postgres image the pods run, and ${IN_THE_PODS}`,
    env: `copied into the instance manager and Postgres container, whose startup acts on its environment (${IN_THE_PODS})`,
    envFrom: `copies a ConfigMap or Secret of the tenant's into the instance container's environment (${IN_THE_PODS})`,
    projectedVolumeTemplate: `mounts ConfigMaps, Secrets and tokens of the tenant's choice into the instance pods under /projected (${IN_THE_PODS})`,
    serviceAccountTemplate: "annotations and labels on the instances' ServiceAccount (cloud workload identity) of the tenant's",
    serviceAccountName: "the instances run as the ServiceAccount the operator creates, with its Role, not one of the tenant's",
    plugins: "a CNPG-I plugin of the tenant's takes over backup, WAL archiving or the instance pods' lifecycle",
    postgresql: "parameters (archive_command, shared_preload_libraries, session_preload_libraries), pg_hba, pg_ident, ldap and synchronous settings: loads code and opens authentication in a server that holds the keys",
    certificates: "server and client CA Secrets of the tenant's would let it sign a streaming-replica (superuser-equivalent) client certificate",
    tablespaces: "extra volumes and claims (own storage classes) the operator mounts in the instance pods",
    walStorage: "a second claim of a storage class the tenant chooses",
    ephemeralVolumeSource: "a scratch volume from a claim template the tenant chooses",
    ephemeralVolumesSizeLimit: NOT_RENDERED,
    "affinity.nodeAffinity": "draws the instance pods onto a node of the tenant's choice (platform nodes)",
    "affinity.additionalPodAffinity": "draws the instance pods next to pods of the tenant's choice",
    "affinity.additionalPodAntiAffinity": NOT_RENDERED,
    topologySpreadConstraints: "the platform schedules the instances with the default spread",
    priorityClassName: "a priority class could preempt platform pods",
    schedulerName: "a scheduler of the tenant's chooses the node",
    "inheritedMetadata.annotations": "annotations the operator copies onto the pods, claims and Services (storage class, Longhorn and load balancer annotations)",
    imagePullSecrets: "the pinned images are public; no pull credentials of the tenant's",
    "monitoring.customQueriesConfigMap": "queries of the tenant's the exporter runs in every instance (as cnpg_metrics_exporter, a pg_monitor member, at 1.30.0: docs/src/monitoring.md, pkg/management/postgres/metrics_exporter_role.go), on every database and reading every session's statements",
    "monitoring.customQueriesSecret": "as customQueriesConfigMap, from a Secret the instance manager reads by the tenant's name",
    "monitoring.disableDefaultQueries": NOT_RENDERED,
    "monitoring.podMonitorMetricRelabelings": "the platform's PodMonitor scrapes the instances",
    "monitoring.podMonitorRelabelings": "the platform's PodMonitor scrapes the instances",
    "monitoring.tls": NOT_RENDERED,
    replica: "a replica cluster streams from or archives to a source of the tenant's",
    replicationSlots: NOT_RENDERED,
    podSecurityContext: "the operator's restricted security context",
    securityContext: "the operator's restricted security context",
    seccompProfile: "the operator's RuntimeDefault profile",
    probes: "exec probes of the tenant's",
    postgresUID: "the image's postgres uid 26",
    postgresGID: "the image's postgres gid 26",
    podSelectorRefs: NOT_RENDERED,
    "storage.pvcTemplate": "a claim template of the tenant's (dataSource from another claim or snapshot, selector, volumeName)",
    "bootstrap.pg_basebackup": "copies another server: a tenant Cluster starts empty or from its own archive",
    "bootstrap.recovery.backup": "recovers from a Backup object of the tenant's naming, not from the project's archive",
    "bootstrap.recovery.volumeSnapshots": "recovers from volume snapshots of the tenant's naming",
    "bootstrap.initdb.import": "imports from an external server",
    "backup.barmanObjectStore.endpointCA": "a CA of the tenant's would let a look-alike endpoint receive the archive",
    "backup.volumeSnapshot": "snapshots of a class the tenant chooses",
    "backup.target": NOT_RENDERED,
    superuserSecret: "no tenant gets the postgres superuser",
    managed: "managed roles can be superusers with a password of the tenant's; managed Services expose the database",
    "monitoring.metricsQueriesTTL": NOT_RENDERED,
    ...Object.fromEntries(
        ["description", "logLevel", "minSyncReplicas", "maxSyncReplicas", "nodeMaintenanceWindow", "primaryLease", "startDelay", "stopDelay", "smartShutdownTimeout", "switchoverDelay", "failoverDelay", "livenessProbeTimeout"].map((key) => [key, `${NOT_RENDERED} (the operator's defaults)`]),
    ),
};

/** PostgreSQL images a tenant Cluster may run: the pinned ones (charts/images.ts DATABASE_IMAGES.postgresql). */
export const CNPG_IMAGES: readonly string[] = Object.values(DATABASE_IMAGES.postgresql);

/** The owner role of a tenant database (components/project/database.ts DATABASE_USER). */
export const CNPG_OWNER = "app";

/** Longhorn storage classes a tenant Cluster's volumes may use (no restore classes, which read another backup). */
export const CNPG_STORAGE_CLASSES: readonly string[] = [...Object.values(STORAGE_CLASSES), ...Object.values(TENANT_STORAGE_CLASSES)];

/** Pinned values of the anti-affinity the platform renders: instances on different nodes, required. */
export const CNPG_ANTI_AFFINITY = { enablePodAntiAffinity: true, topologyKey: "kubernetes.io/hostname", podAntiAffinityType: "required" } as const;

/** The keys of `allowed` (path → keys) that `value` sets outside them, as paths below `prefix`. */
function fieldsOutside(value: Record<string, unknown>, allowed: Readonly<Record<string, readonly string[]>>, prefix: string): string[] {
    const outside: string[] = [];
    for (const [path, keys] of Object.entries(allowed)) {
        const record = asRecord(path === "" ? value : at(value, path.split(".")));
        for (const key of Object.keys(record ?? {}).filter((k) => !keys.includes(k) && record![k] !== undefined)) {
            outside.push(`${prefix}${path === "" ? "" : `${path}.`}${key}`);
        }
    }
    return outside;
}

/** The fields of a Cluster spec outside {@link CNPG_ALLOWED_FIELDS}, with each one's reason. */
export function clusterFieldProblems(spec: Record<string, unknown>): string[] {
    const fields = fieldsOutside(spec, CNPG_ALLOWED_FIELDS, "");
    for (const [index, source] of asArray(spec.externalClusters).entries()) {
        const record = asRecord(source) ?? {};
        fields.push(...Object.keys(record).filter((k) => !(CNPG_EXTERNAL_CLUSTER_FIELDS as readonly string[]).includes(k) && k !== "connectionParameters" && record[k] !== undefined).map((k) => `externalClusters[${index}].${k}`));
        fields.push(...fieldsOutside(asRecord(record.barmanObjectStore) ?? {}, CNPG_STORE_ALLOWED_FIELDS, `externalClusters[${index}].barmanObjectStore.`));
    }
    // These have their own messages in databaseClusterProblems.
    const ownMessage = new Set(["bootstrap.pg_basebackup", "superuserSecret", "managed", ...CNPG_SUPERUSER_SQL_FIELDS.map((f) => `bootstrap.initdb.${f}`)]);
    return fields.filter((f) => !ownMessage.has(f)).map((field) => `${field} is set (${CNPG_REFUSED_FIELDS[field.replace(/^externalClusters\[\d+\]\./, "")] ?? NOT_RENDERED}): a tenant Cluster carries only the fields the platform renders`);
}

/** Why the pinned values of a Cluster spec (image, pull policy, placement, monitoring, owner, storage class) differ from the rendered ones. */
export function clusterPinnedValueProblems(spec: Record<string, unknown>): string[] {
    const problems: string[] = [];
    if (!CNPG_IMAGES.includes(asString(spec.imageName) ?? "")) {
        problems.push(`imageName ${JSON.stringify(spec.imageName ?? null)} is not one of the platform's pinned PostgreSQL images (${CNPG_IMAGES.join(", ")}): ${IN_THE_PODS}`);
    }
    if (spec.imagePullPolicy !== undefined && spec.imagePullPolicy !== "IfNotPresent") {
        problems.push(`imagePullPolicy ${JSON.stringify(spec.imagePullPolicy)} is not IfNotPresent`);
    }
    const affinity = asRecord(spec.affinity) ?? {};
    problems.push(...operatorPlacementProblems(affinity, "affinity.", "operator"));
    for (const [key, pinned] of Object.entries(CNPG_ANTI_AFFINITY)) {
        if (affinity[key] !== undefined && affinity[key] !== pinned) {
            problems.push(`affinity.${key} ${JSON.stringify(affinity[key])} is not ${JSON.stringify(pinned)} (instances on different nodes)`);
        }
    }
    if (isTrue(at(spec, ["monitoring", "enablePodMonitor"]))) {
        problems.push("monitoring.enablePodMonitor is true (the platform's PodMonitor scrapes the instances)");
    }
    for (const method of ["initdb", "recovery"]) {
        const owner = at(spec, ["bootstrap", method, "owner"]);
        if (owner !== undefined && owner !== CNPG_OWNER) {
            problems.push(`bootstrap.${method}.owner ${JSON.stringify(owner)} is not ${CNPG_OWNER} (the operator sets that role's password from the owner Secret)`);
        }
    }
    const storageClass = at(spec, ["storage", "storageClass"]);
    if (storageClass !== undefined && !CNPG_STORAGE_CLASSES.includes(asString(storageClass) ?? "")) {
        problems.push(`storage.storageClass ${JSON.stringify(storageClass)} is not a tenant Longhorn class (${CNPG_STORAGE_CLASSES.join(", ")})`);
    }
    return problems;
}

/** Whether an S3 endpoint URL is a cluster-internal address (a Service name, `*.svc`, `*.cluster.local`) or not HTTPS. */
export function isInClusterEndpoint(endpointURL: string): boolean {
    const match = /^https:\/\/([^/:]+)(:\d+)?\/?$/.exec(endpointURL);
    if (!match) {
        return true;
    }
    const host = match[1]!.toLowerCase();
    return !host.includes(".") || /\.svc$/.test(host) || /\.cluster\.local$/.test(host) || /\.svc\./.test(host);
}

/**
 * The endpoint problem of a tenant's backup location (CloudNativePG's `endpointURL`, the Percona operators'
 * `endpointUrl`, named `field` in the message): HTTPS outside the cluster, and the platform's target when it has one.
 */
export function backupEndpointProblems(field: string, endpoint: string, target: PackConfig["databaseBackupTarget"], what: string): string[] {
    if (isInClusterEndpoint(endpoint)) {
        return [`${what} ${field} "${endpoint}" is not an HTTPS endpoint outside the cluster`];
    }
    if (target.endpointURL !== "" && endpoint !== target.endpointURL) {
        return [`${what} ${field} "${endpoint}" is not the platform's backup target ${target.endpointURL}`];
    }
    return [];
}

/** The Percona operators' `credentialsSecret` of a backup location: only the platform-written Secret holds the keys. */
export function platformCredentialsProblems(credentialsSecret: unknown, what: string): string[] {
    const name = asString(credentialsSecret);
    return name === PLATFORM_BACKUP_SECRET ? [] : [`${what} credentialsSecret is ${name === undefined ? "not set" : `"${name}"`}, not the platform-written ${PLATFORM_BACKUP_SECRET}`];
}

/**
 * Problems of one `barmanObjectStore` (the Cluster's own archive, or a restore source): the platform's bucket
 * over HTTPS outside the cluster, below the namespace's own folder, with the platform-written keys. A tenant
 * file is hostile input: naming another project's folder would read (restore) or overwrite (archive) its data.
 */
export function objectStoreProblems(store: Record<string, unknown> | undefined, namespace: string, target: PackConfig["databaseBackupTarget"], what: string): string[] {
    if (!store) {
        return [`${what} has no barmanObjectStore`];
    }
    const problems: string[] = [];
    const endpoint = asString(store.endpointURL) ?? "";
    const destination = asString(store.destinationPath) ?? "";
    problems.push(...backupEndpointProblems("endpoint", endpoint, target, what));
    const expectedPrefix = target.destinationPrefix !== "" ? `${target.destinationPrefix}${namespace}/` : undefined;
    if (expectedPrefix !== undefined ? !destination.startsWith(expectedPrefix) : !destination.split("/").includes(namespace)) {
        problems.push(`${what} destinationPath "${destination}" is not below the namespace's own folder ${expectedPrefix ?? `.../${namespace}/`}`);
    }
    if (destination.split("/").includes("..")) {
        problems.push(`${what} destinationPath "${destination}" climbs out of its folder`);
    }
    const credentials = asRecord(store.s3Credentials) ?? {};
    for (const key of ["accessKeyId", "secretAccessKey"]) {
        const name = asString(at(credentials, [key, "name"]));
        if (name !== PLATFORM_BACKUP_SECRET) {
            problems.push(`${what} s3Credentials.${key} reads ${name === undefined ? "no Secret" : `Secret "${name}"`}, not the platform-written ${PLATFORM_BACKUP_SECRET}`);
        }
    }
    // `region` names a Secret too, and the operator grants the instances' Role `get` on it (pkg/specs/roles.go at
    // 1.30.0): only the platform's own.
    const regionFromPlatform = (k: string) => k === "region" && asString(at(credentials, ["region", "name"])) === PLATFORM_BACKUP_SECRET;
    for (const key of Object.keys(credentials).filter((k) => k !== "accessKeyId" && k !== "secretAccessKey" && !regionFromPlatform(k))) {
        problems.push(`${what} s3Credentials.${key} is not allowed (the platform's keys only)`);
    }
    // barman-cloud joins destinationPath and serverName into the object keys: a serverName with `/` or `..` leaves
    // the project's folder. Only the platform's Cluster names (one generation each) are folders of the project.
    const serverName = store.serverName;
    if (serverName !== undefined && !(typeof serverName === "string" && new RegExp(CNPG_CLUSTER_NAME_PATTERN).test(serverName))) {
        problems.push(`${what} serverName ${JSON.stringify(serverName)} is not database or database-g<N> (it is a folder below destinationPath)`);
    }
    return problems;
}

/**
 * Annotations the operator acts on (`cnpg.io/…`, and any `<x>.cnpg.io/…`) are refused on a tenant Cluster: at
 * 1.30.0 `cnpg.io/podPatch` is a JSON patch applied to every instance pod (pkg/specs/pods.go; the webhook checks
 * only that it parses), which adds a container or swaps the image past every field check, and others switch WAL
 * archiving or fencing off (`cnpg.io/skipWalArchiving`, `cnpg.io/fencedInstances`). The platform renders none.
 */
export function clusterAnnotationProblems(annotations: unknown): string[] {
    return Object.keys(asRecord(annotations) ?? {})
        .filter((key) => /^([a-z0-9.-]+\.)?cnpg\.io\//i.test(key))
        .map((key) => `metadata.annotations["${key}"] is set (the operator acts on cnpg.io annotations: a pod patch or a switch no tenant may set)`);
}

/** Every problem of a tenant Cluster's spec (exported for the tests and the offline drill). */
export function databaseClusterProblems(
    spec: Record<string, unknown>,
    namespace: string,
    config: Pick<PackConfig, "databaseBackupTarget" | "maxDatabaseInstances">,
    clusterName?: string,
): string[] {
    const problems: string[] = [];
    if (clusterName !== undefined && !new RegExp(CNPG_CLUSTER_NAME_PATTERN).test(clusterName)) {
        problems.push(`metadata.name "${clusterName}" is not database or database-g<N> (the operator names its superuser, replication, CA and server Secrets after the Cluster; only those names are kept from tenant pods)`);
    }
    for (const method of ["initdb", "recovery"]) {
        const secret = at(spec, ["bootstrap", method, "secret"]);
        if (secret !== undefined && at(secret, ["name"]) !== CNPG_BOOTSTRAP_SECRET) {
            problems.push(`bootstrap.${method}.secret is ${JSON.stringify(secret)}, not the platform-written ${CNPG_BOOTSTRAP_SECRET}`);
        }
    }
    const instances = spec.instances;
    if (typeof instances !== "number" || !Number.isInteger(instances) || instances < 1 || instances > config.maxDatabaseInstances) {
        problems.push(`instances ${String(instances)} is outside 1..${config.maxDatabaseInstances} (platform:tenantLimits.maxDatabaseInstances)`);
    }
    if (isTrue(spec.enableSuperuserAccess)) {
        problems.push("enableSuperuserAccess is true (no tenant gets the postgres superuser)");
    }
    if (spec.superuserSecret !== undefined) {
        problems.push("superuserSecret is set (no tenant gets the postgres superuser)");
    }
    if (spec.managed !== undefined) {
        problems.push("managed is set (managed roles can be superusers with a password of the tenant's; managed Services expose the database)");
    }
    for (const field of CNPG_SUPERUSER_SQL_FIELDS) {
        if (at(spec, ["bootstrap", "initdb", field]) !== undefined) {
            problems.push(`bootstrap.initdb.${field} is set (the operator runs it as the postgres superuser)`);
        }
    }
    problems.push(...objectStoreProblems(asRecord(at(spec, ["backup", "barmanObjectStore"])), namespace, config.databaseBackupTarget, "backup"));
    for (const [index, source] of asArray(spec.externalClusters).entries()) {
        const record = asRecord(source) ?? {};
        if (record.connectionParameters !== undefined) {
            problems.push(`externalClusters[${index}] streams from a live server (connectionParameters): restores read the project's own archive only`);
        }
        problems.push(...objectStoreProblems(asRecord(record.barmanObjectStore), namespace, config.databaseBackupTarget, `externalClusters[${index}]`));
    }
    if (at(spec, ["bootstrap", "pg_basebackup"]) !== undefined) {
        problems.push("bootstrap.pg_basebackup copies another server: a tenant Cluster starts empty or from its own archive");
    }
    problems.push(...clusterPinnedValueProblems(spec), ...clusterFieldProblems(spec));
    // The operator copies these onto every instance pod, claim and Service.
    problems.push(...operatorPodLabelProblems(at(spec, ["inheritedMetadata", "labels"]), namespace, DATABASE_POD_SERVICE.postgresql, "inheritedMetadata.labels"));
    return problems;
}

/** Every problem of a tenant ScheduledBackup's spec ({@link CNPG_SCHEDULED_BACKUP_PINS}). */
export function scheduledBackupProblems(spec: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const field of Object.keys(spec).filter((k) => !(CNPG_SCHEDULED_BACKUP_FIELDS as readonly string[]).includes(k))) {
        problems.push(`${field} is set (a tenant ScheduledBackup sets only ${CNPG_SCHEDULED_BACKUP_FIELDS.join(", ")})`);
    }
    const schedule = backupScheduleProblem(spec.schedule, CNPG_HOURLY_SCHEDULE_PATTERN, "schedule");
    if (schedule !== undefined) {
        problems.push(schedule);
    }
    const cluster = at(spec, ["cluster", "name"]);
    if (!(typeof cluster === "string" && new RegExp(CNPG_CLUSTER_NAME_PATTERN).test(cluster))) {
        problems.push(`cluster.name ${JSON.stringify(cluster)} is not the project's Cluster (database or database-g<N>)`);
    }
    if (spec.method !== undefined && spec.method !== CNPG_SCHEDULED_BACKUP_PINS.method) {
        problems.push(`method ${JSON.stringify(spec.method)} is not ${CNPG_SCHEDULED_BACKUP_PINS.method} (the Cluster's archive on the platform's target)`);
    }
    for (const field of ["target", "backupOwnerReference"] as const) {
        if (spec[field] !== CNPG_SCHEDULED_BACKUP_PINS[field]) {
            problems.push(`${field} ${JSON.stringify(spec[field])} is not the platform's ${CNPG_SCHEDULED_BACKUP_PINS[field]}`);
        }
    }
    if (isTrue(spec.suspend)) {
        problems.push("suspend is true (the project's base backups would stop)");
    }
    return problems;
}

/**
 * A tenant namespace's CloudNativePG Cluster archives to the platform's off-cluster backup target, below its own
 * namespace's folder, with the keys the platform stack writes ({@link PLATFORM_BACKUP_SECRET}); a restore reads
 * only the project's own archive the same way; no superuser access; instances within the platform limit; only the
 * fields the platform renders ({@link CNPG_ALLOWED_FIELDS}, reasons in {@link CNPG_REFUSED_FIELDS}), with the
 * pinned image, placement, monitoring and owner ({@link clusterPinnedValueProblems}). The
 * admission twin (components/guardrails, database policy) holds the same for Clusters that do not come from Pulumi.
 */
export const tenancyDatabaseCluster: ResourceValidationPolicy = {
    name: "tenancy-database-cluster",
    description: `Tenant PostgreSQL Clusters back up to the platform's off-cluster target with the Secret ${PLATFORM_BACKUP_SECRET}, restore only from their own archive, have no superuser access and stay within the instance limit; their ScheduledBackups run at most hourly with the platform's method, target and owner.`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces", "databaseBackupTarget", "maxDatabaseInstances"),
    validateResource: forTenantObjects([CNPG_CLUSTER_TYPE, CNPG_SCHEDULED_BACKUP_TYPE], (args, report) => {
        const namespace = namespaceOf(args.props);
        if (args.type === CNPG_SCHEDULED_BACKUP_TYPE) {
            for (const problem of scheduledBackupProblems(specOf(args.props))) {
                report(`ScheduledBackup in namespace "${namespace}": ${problem}`);
            }
            return;
        }
        for (const problem of [...databaseClusterProblems(specOf(args.props), namespace, packConfig(args), metadataOf(args.props).name ?? ""), ...clusterAnnotationProblems(metadataOf(args.props).annotations)]) {
            report(`Cluster in namespace "${namespace}": ${problem}`);
        }
    }),
};
