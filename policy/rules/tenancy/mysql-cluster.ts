import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, packConfig, type PackConfig } from "../../lib/config";
import { namespaceOf, specOf } from "../../lib/kubernetes";
import { forTenantObjects } from "../../lib/rule-helpers";
import { asArray, asRecord, asString, at, isTrue, sameValue } from "../../lib/values";
import { PLATFORM_BACKUP_SECRET } from "../../lib/catalogue";
import { backupEndpointProblems, platformCredentialsProblems } from "./database-cluster";
import { operatorPlacementProblems } from "../../lib/operator-placement";
import { perconaMetadataProblems } from "../../lib/percona-metadata";
import { DATABASE_POD_SERVICE, operatorPodLabelProblems } from "../../lib/operator-pod-labels";
import { backupScheduleProblem, PERCONA_HOURLY_SCHEDULE_PATTERN } from "../../lib/backup-schedule";

/**
 * Pulumi types of the Percona XtraDB Cluster kinds (pxc.percona.com/v1): tenants get clusters and restores; a
 * backup object is the operator's (from the cluster's schedule), and only its metadata is judged here.
 */
export const PXC_TYPES = {
    cluster: "kubernetes:pxc.percona.com/v1:PerconaXtraDBCluster",
    restore: "kubernetes:pxc.percona.com/v1:PerconaXtraDBClusterRestore",
    backup: "kubernetes:pxc.percona.com/v1:PerconaXtraDBClusterBackup",
} as const;

/**
 * Images the operator runs with the platform's backup keys in their environment or beside them (XtraBackup in
 * the backup and restore Jobs and the binlog collector; the operator image as their init container, which copies
 * the binaries those run): the pinned ones only. The pack is a standalone package, so they are written here;
 * test/policy/mysql-cluster.test.ts keeps them equal to charts/images.ts.
 */
export const PXC_KEY_HOLDING_IMAGES = {
    backup: ["docker.io/percona/percona-xtrabackup:8.0.35-34.1", "docker.io/percona/percona-xtrabackup:8.4.0-5.1"],
    init: ["docker.io/percona/percona-xtradb-cluster-operator:1.19.0"],
} as const;

/**
 * Images of the operator's other pods (the database nodes, HAProxy): the pinned ones only (charts/images.ts, kept
 * equal by test/components/guardrails/mysql-policy.test.ts). A node runs with the operator's system users mounted.
 */
export const PXC_RUNTIME_IMAGES = {
    pxc: ["docker.io/percona/percona-xtradb-cluster:8.0.44-35.1", "docker.io/percona/percona-xtradb-cluster:8.4.7-7.1"],
    haproxy: ["docker.io/percona/haproxy:2.8.17"],
} as const;

/**
 * The one `pxc.configuration` (my.cnf) the platform renders: gVisor's partial AIO support for sandboxed nodes
 * (components/project/mysql.ts uses this constant). Any other configuration is the tenant's, and my.cnf names
 * files and plugins the server loads.
 */
export const PXC_SANDBOX_CONFIGURATION = "[mysqld]\ninnodb_use_native_aio=0\n";

/** The ServiceAccount the platform gives the operator's node and HAProxy pods (components/project/common.ts SERVICE_ACCOUNT). */
export const PXC_POD_SERVICE_ACCOUNT = "workload";

/** The tenant Secret the platform's MySQL user takes its password from (components/project/database.ts DATABASE_SECRET). */
export const PXC_USER_PASSWORD_SECRET = "database-credentials";

/** Names a tenant cluster may have: `database` or `database-g<N>` (the operator names its Secrets after it, OPERATOR_INTERNAL_SECRET_PATTERN). */
export const PXC_CLUSTER_NAME_PATTERN = "^database(-g[0-9]+)?$";

/**
 * What a tenant user's `grants`, `hosts` and `dbs` may be. The operator formats them raw into SQL
 * (pkg/controller/pxc/users_custom.go at v1.19.0: `GRANT <grants joined> ON <db>.* TO ...`, `CREATE DATABASE IF NOT
 * EXISTS <db>`; only the user and host are escaped), so `grants` is pinned to what the platform renders, `dbs` to
 * plain identifiers and `hosts` to the rendered `%`.
 */
export const PXC_USER_PINS = { grants: ["ALL PRIVILEGES"], hosts: ["%"], dbPattern: "^[A-Za-z0-9_]+$" } as const;

/**
 * The one MySQL user name a tenant cluster may ask for (components/project/database.ts DATABASE_USER). The operator
 * skips only names exactly equal to its system users (users_custom.go sysUserNames over pkg/pxc/users/users.go
 * UserNames at v1.19.0: a Go map lookup, case-sensitive and untrimmed), while MySQL compares account names in a
 * PAD SPACE column (mysql.user.User is CHAR(32), so `root ` is `root`): `users[].name` is pinned to the rendered
 * name, which is no system user in either comparison.
 */
export const PXC_USER_NAME = "app";


/** MySQL's own schemas: a user with grants on one of them administers the server (mysql.user, the operator's users). */
export const MYSQL_SYSTEM_SCHEMAS = ["mysql", "sys", "performance_schema", "information_schema"] as const;

/**
 * Fields of `pxc`, `haproxy` and `proxysql` (pkg/apis/pxc/v1/pxc_types.go PodSpec at v1.19.0) that put
 * tenant-chosen containers, commands, environment, volumes or Secrets into pods the operator creates: sidecars and
 * their volumes and claims, the `envVarsSecret` (envFrom of the main container), extra claims, the hook script
 * the entrypoint runs, `lifecycle` hooks and the `readinessProbes`/`livenessProbes` (corev1 probes: `exec`
 * commands), and the TLS/Vault Secrets the pods mount. The pod admission policy lets the operator's pods read the
 * backup Secret (its backup Jobs and collector must), so nothing of the tenant's may run or be mounted beside them.
 */
export const PXC_INJECTION_FIELDS = [
    "sidecars",
    "sidecarVolumes",
    "sidecarPVCs",
    "envVarsSecret",
    "extraPVCs",
    "hookScript",
    "lifecycle",
    "readinessProbes",
    "livenessProbes",
    "sslSecretName",
    "sslInternalSecretName",
    "vaultSecretName",
] as const;

/** Top-level Secret names of a PerconaXtraDBCluster the pods mount (the operator derives each from the cluster name when absent). */
export const PXC_SECRET_NAME_FIELDS = ["sslSecretName", "sslInternalSecretName", "vaultSecretName", "logCollectorSecretName"] as const;

/** Components the platform does not run (each brings an image, a configuration and probes of its own): they stay disabled. */
export const PXC_DISABLED_PARTS = ["proxysql", "pmm", "logcollector"] as const;

/** Values of `upgradeOptions.apply` that keep the operator from asking a version service for images (version.go versionUpgradeEnabled lower-cases it). */
export const PXC_UPGRADE_OFF = ["disabled", "never"] as const;

/** The bucket path every tenant storage must stay below: `<bucket>/<folder>/<namespace>/` (the target's prefix without `s3://`). */
function bucketPrefix(target: PackConfig["databaseBackupTarget"], namespace: string): string | undefined {
    return target.destinationPrefix !== "" ? `${target.destinationPrefix.replace(/^s3:\/\//, "")}${namespace}/` : undefined;
}

/** Problems of one S3 location (a storage's `s3`, or a restore source's): the platform's target, below the namespace's folder, with the platform's keys. */
export function pxcS3Problems(s3: Record<string, unknown> | undefined, namespace: string, target: PackConfig["databaseBackupTarget"], what: string): string[] {
    if (!s3) {
        return [`${what} has no s3 location`];
    }
    const problems: string[] = [];
    const endpoint = asString(s3.endpointUrl) ?? "";
    const bucket = asString(s3.bucket) ?? "";
    problems.push(...backupEndpointProblems("endpointUrl", endpoint, target, what));
    const prefix = bucketPrefix(target, namespace);
    if (prefix !== undefined ? !`${bucket}/`.startsWith(prefix) : !bucket.split("/").includes(namespace)) {
        problems.push(`${what} bucket "${bucket}" is not below the namespace's own folder ${prefix ?? `<bucket>/.../${namespace}/`}`);
    }
    if (bucket.split("/").includes("..")) {
        problems.push(`${what} bucket "${bucket}" climbs out of its folder`);
    }
    problems.push(...platformCredentialsProblems(s3.credentialsSecret, what));
    if (s3.caBundle !== undefined) {
        problems.push(`${what} caBundle is set (the platform's target is verified against the public CAs)`);
    }
    return problems;
}

/**
 * Every problem of a tenant PerconaXtraDBCluster's spec (exported for the tests and the offline drill). Beyond the
 * backup target, the fields that choose what runs (audited against pkg/apis/pxc/v1/pxc_types.go and
 * pkg/controller/pxc/version.go at v1.19.0): `upgradeOptions.apply`/`versionServiceEndpoint` (the version service
 * writes `pxc.image`, `backup.image`, `haproxy.image`, `proxysql.image`, `pmm.image`, `logcollector.image`, and the
 * in-memory object reaches the binlog collector before the patch), `pxc.image`, `haproxy.image`, `backup.image`,
 * `initImage`, `initContainer.image`, `proxysql`/`pmm`/`logcollector` (disabled), per part
 * {@link PXC_INJECTION_FIELDS}, `serviceAccountName` and `configuration` (my.cnf; haproxy.cfg runs
 * `external-check` commands), `backup.serviceAccountName` (the ServiceAccount the platform gives), each storage's `containerOptions` (env and arguments of
 * the key-holding Jobs) and `s3.credentialsSecret`/`caBundle`, the top-level `secretsName` (the operator's system
 * users, `<cluster>-secrets`) and {@link PXC_SECRET_NAME_FIELDS}, and `users[].passwordSecretRef`/`dbs`.
 * `clusterName` is the object's metadata.name, pinned to {@link PXC_CLUSTER_NAME_PATTERN}; `users[]` to {@link PXC_USER_PINS}.
 */
export function mysqlClusterProblems(
    spec: Record<string, unknown>,
    namespace: string,
    config: Pick<PackConfig, "databaseBackupTarget" | "maxDatabaseInstances">,
    clusterName: string,
): string[] {
    const problems: string[] = [];
    if (!new RegExp(PXC_CLUSTER_NAME_PATTERN).test(clusterName)) {
        problems.push(`metadata.name "${clusterName}" is not database or database-g<N> (the operator names its system-user, TLS and environment Secrets after the cluster; only those names are kept from tenant pods)`);
    }
    const apply = asString(at(spec, ["upgradeOptions", "apply"]));
    if (apply !== undefined && !(PXC_UPGRADE_OFF as readonly string[]).includes(apply.toLowerCase())) {
        problems.push(`upgradeOptions.apply is "${apply}" (the version service would choose the images, the backup image included): only ${PXC_UPGRADE_OFF.join(" or ")}`);
    }
    if (at(spec, ["upgradeOptions", "versionServiceEndpoint"]) !== undefined) {
        problems.push("upgradeOptions.versionServiceEndpoint is set (images come from the platform's pins, never a version service)");
    }
    for (const [path, image, allowed] of [
        ["pxc.image", at(spec, ["pxc", "image"]), PXC_RUNTIME_IMAGES.pxc],
        ["haproxy.image", at(spec, ["haproxy", "image"]), PXC_RUNTIME_IMAGES.haproxy],
    ] as const) {
        if (image !== undefined && !(allowed as readonly string[]).includes(String(image))) {
            problems.push(`${path} "${String(image)}" is not one of the platform's pinned images (${allowed.join(", ")})`);
        }
    }
    for (const part of PXC_DISABLED_PARTS) {
        if (isTrue(at(spec, [part, "enabled"]))) {
            problems.push(`${part}.enabled is true (the platform does not run ${part}: its image, configuration and probes would be the tenant's)`);
        }
    }
    for (const part of ["pxc", "haproxy", "proxysql"]) {
        const account = at(spec, [part, "serviceAccountName"]);
        if (account !== undefined && account !== PXC_POD_SERVICE_ACCOUNT) {
            problems.push(`${part}.serviceAccountName is "${String(account)}", not the platform's ${PXC_POD_SERVICE_ACCOUNT}`);
        }
        const configuration = at(spec, [part, "configuration"]);
        if (configuration !== undefined && !(part === "pxc" && configuration === PXC_SANDBOX_CONFIGURATION)) {
            problems.push(`${part}.configuration is set (only the platform's${part === "pxc" ? " sandbox" : ""} configuration: it names what the server loads and runs)`);
        }
    }
    const backupAccount = at(spec, ["backup", "serviceAccountName"]);
    if (backupAccount !== undefined && backupAccount !== PXC_POD_SERVICE_ACCOUNT) {
        problems.push(`backup.serviceAccountName is "${String(backupAccount)}", not the platform's ${PXC_POD_SERVICE_ACCOUNT} (the backup Jobs hold the keys)`);
    }
    // pxc_types.go at v1.19.0 PXCSpec.ReplicationChannels: the nodes replicate from (or to) a source host the tenant names.
    if (at(spec, ["pxc", "replicationChannels"]) !== undefined) {
        problems.push("pxc.replicationChannels is set (asynchronous replication to or from a server outside the platform's backups)");
    }
    if (spec.secretsName !== undefined && spec.secretsName !== `${clusterName}-secrets`) {
        problems.push(`secretsName is "${String(spec.secretsName)}", not ${clusterName}-secrets (the operator writes its system users' passwords into it)`);
    }
    for (const field of PXC_SECRET_NAME_FIELDS) {
        if (spec[field] !== undefined) {
            problems.push(`${field} is set (the operator's pods mount it; the operator names it after the cluster)`);
        }
    }
    const size = at(spec, ["pxc", "size"]);
    if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > config.maxDatabaseInstances) {
        problems.push(`pxc.size ${String(size)} is outside 1..${config.maxDatabaseInstances} (platform:tenantLimits.maxDatabaseInstances)`);
    }
    const storages = asRecord(at(spec, ["backup", "storages"]));
    if (!storages || Object.keys(storages).length === 0) {
        problems.push("backup has no storages (tenant clusters back up to the platform's off-cluster target)");
    }
    for (const [name, value] of Object.entries(storages ?? {})) {
        const storage = asRecord(value) ?? {};
        if (storage.type !== "s3") {
            problems.push(`backup.storages.${name} is of type ${String(storage.type)}, not s3 (the platform's target)`);
        }
        if (storage.verifyTLS === false) {
            problems.push(`backup.storages.${name}.verifyTLS is false`);
        }
        if (storage.containerOptions !== undefined) {
            problems.push(`backup.storages.${name}.containerOptions is set (the backup Jobs hold the platform's keys: no tenant arguments or environment)`);
        }
        problems.push(...pxcS3Problems(asRecord(storage.s3), namespace, config.databaseBackupTarget, `backup.storages.${name}`));
    }
    if (storages && asArray(at(spec, ["backup", "schedule"])).length === 0) {
        problems.push("backup.schedule is empty (no full backup to restore from)");
    }
    // The operator parses these with robfig/cron v3's standard parser and panics on `@every` (AddFuncWithSeconds).
    for (const [index, entry] of asArray(at(spec, ["backup", "schedule"])).entries()) {
        const problem = backupScheduleProblem(at(entry, ["schedule"]), PERCONA_HOURLY_SCHEDULE_PATTERN, `backup.schedule[${index}].schedule`);
        if (problem !== undefined) {
            problems.push(problem);
        }
    }
    const backupImage = asString(at(spec, ["backup", "image"]));
    if (backupImage !== undefined && !(PXC_KEY_HOLDING_IMAGES.backup as readonly string[]).includes(backupImage)) {
        problems.push(`backup.image "${backupImage}" is not one of the platform's XtraBackup images (it runs with the backup keys)`);
    }
    for (const [path, image] of [["initContainer.image", at(spec, ["initContainer", "image"])], ["initImage", spec.initImage]] as const) {
        if (image !== undefined && !(PXC_KEY_HOLDING_IMAGES.init as readonly string[]).includes(String(image))) {
            problems.push(`${path} "${String(image)}" is not the platform's operator image (it prepares the pods that hold the backup keys)`);
        }
    }
    // Placement of every pod group the operator creates (a disabled HAProxy creates none).
    problems.push(...operatorPlacementProblems(asRecord(spec.pxc) ?? {}, "pxc.", "operator"));
    if (spec.haproxy !== undefined && at(spec, ["haproxy", "enabled"]) !== false) {
        problems.push(...operatorPlacementProblems(asRecord(spec.haproxy) ?? {}, "haproxy.", "operator"));
    }
    for (const [name, value] of Object.entries(asRecord(at(spec, ["backup", "storages"])) ?? {})) {
        problems.push(...operatorPlacementProblems(asRecord(value) ?? {}, `backup.storages.${name}.`, "core"));
    }
    // Pod labels and annotations of every pod group the operator creates: the platform's labels only, no annotations.
    const podGroups: Array<[string, unknown]> = [
        ...["pxc", "haproxy", "proxysql"].map((part): [string, unknown] => [part, spec[part]]),
        ...Object.entries(asRecord(at(spec, ["backup", "storages"])) ?? {}).map(([name, value]): [string, unknown] => [`backup.storages.${name}`, value]),
    ];
    for (const [where, group] of podGroups) {
        problems.push(...operatorPodLabelProblems(at(group, ["labels"]), namespace, DATABASE_POD_SERVICE.mysql, `${where}.labels`));
        if (at(group, ["annotations"]) !== undefined) {
            problems.push(`${where}.annotations is set (annotations on the operator's pods are the platform's: none)`);
        }
    }
    if (at(spec, ["backup", "annotations"]) !== undefined) {
        problems.push("backup.annotations is set (annotations on the operator's pods are the platform's: none)");
    }
    for (const part of ["pxc", "haproxy", "proxysql"]) {
        for (const field of PXC_INJECTION_FIELDS) {
            if (at(spec, [part, field]) !== undefined) {
                problems.push(`${part}.${field} is set (no tenant containers, environment or volumes in the operator's pods)`);
            }
        }
    }
    for (const [index, user] of asArray(spec.users).entries()) {
        const dbs = asArray(asRecord(user)?.dbs);
        if (dbs.length === 0) {
            problems.push(`users[${index}] has no dbs (grants on every schema, the operator's system schema included)`);
        }
        for (const db of dbs) {
            if (typeof db !== "string" || !new RegExp(PXC_USER_PINS.dbPattern).test(db) || (MYSQL_SYSTEM_SCHEMAS as readonly string[]).includes(db.toLowerCase())) {
                problems.push(`users[${index}].dbs names ${JSON.stringify(db)} (a system schema, a pattern or not a plain identifier: the operator puts it into SQL as it is)`);
            }
        }
        const record = asRecord(user) ?? {};
        if (record.name !== PXC_USER_NAME) {
            problems.push(`users[${index}].name is ${JSON.stringify(record.name)}, not the platform's ${PXC_USER_NAME} (the operator would set a system user's password and grants from the tenant's Secret)`);
        }
        if (!sameValue(record.grants ?? null, PXC_USER_PINS.grants)) {
            problems.push(`users[${index}].grants is ${JSON.stringify(record.grants)}, not ${JSON.stringify(PXC_USER_PINS.grants)} (the operator puts grants into SQL as they are)`);
        }
        if (record.withGrantOption !== undefined && record.withGrantOption !== false) {
            problems.push(`users[${index}].withGrantOption is set (the user could hand its grants on)`);
        }
        if (record.hosts !== undefined && !sameValue(record.hosts, PXC_USER_PINS.hosts)) {
            problems.push(`users[${index}].hosts is ${JSON.stringify(record.hosts)}, not ${JSON.stringify(PXC_USER_PINS.hosts)}`);
        }
        const secretName = at(user, ["passwordSecretRef", "name"]);
        if (secretName !== PXC_USER_PASSWORD_SECRET) {
            problems.push(`users[${index}].passwordSecretRef names ${JSON.stringify(secretName)}, not the platform-written ${PXC_USER_PASSWORD_SECRET}`);
        }
    }
    if (at(spec, ["tls", "enabled"]) === false || isTrue(at(spec, ["unsafeFlags", "tls"]))) {
        problems.push("TLS is off (tls.enabled, unsafeFlags.tls)");
    }
    return problems;
}

/** Every problem of a tenant PerconaXtraDBClusterRestore's spec: it reads only the project's own backups on the platform's target. */
export function mysqlRestoreProblems(spec: Record<string, unknown>, namespace: string, config: Pick<PackConfig, "databaseBackupTarget">): string[] {
    const problems: string[] = [];
    const source = asRecord(spec.backupSource);
    if (source) {
        if (source.pvc !== undefined || source.azure !== undefined) {
            problems.push("backupSource reads a volume or Azure (only the platform's S3 target)");
        }
        const destination = asString(source.destination) ?? "";
        const prefix = config.databaseBackupTarget.destinationPrefix !== "" ? `${config.databaseBackupTarget.destinationPrefix}${namespace}/` : undefined;
        if (prefix !== undefined ? !destination.startsWith(prefix) : !destination.split("/").includes(namespace)) {
            problems.push(`backupSource.destination "${destination}" is not below the namespace's own folder ${prefix ?? `.../${namespace}/`}`);
        }
        if (destination.split("/").includes("..")) {
            problems.push(`backupSource.destination "${destination}" climbs out of its folder`);
        }
        for (const field of ["image", "sslSecretName", "sslInternalSecretName", "vaultSecretName"]) {
            if (source[field] !== undefined) {
                problems.push(`backupSource.${field} is set (the restore runs the cluster's pinned images and Secrets)`);
            }
        }
        problems.push(...pxcS3Problems(asRecord(source.s3), namespace, config.databaseBackupTarget, "backupSource"));
    }
    const pitrSource = asRecord(at(spec, ["pitr", "backupSource"]));
    if (pitrSource?.s3 !== undefined) {
        problems.push(...pxcS3Problems(asRecord(pitrSource.s3), namespace, config.databaseBackupTarget, "pitr.backupSource"));
    }
    if (pitrSource?.pvc !== undefined || pitrSource?.azure !== undefined) {
        problems.push("pitr.backupSource reads a volume or Azure (only the platform's S3 target)");
    }
    if (spec.containerOptions !== undefined) {
        problems.push("containerOptions is set (the restore Job holds the platform's keys: no tenant arguments or environment)");
    }
    return problems;
}

/**
 * A tenant namespace's PerconaXtraDBCluster backs up to the platform's off-cluster target below its own
 * namespace's folder with the platform-written keys ({@link PLATFORM_BACKUP_SECRET}), runs only the platform's
 * images where the keys are, puts nothing of the tenant's into the operator's pods, keeps TLS and stays within the
 * node limit; a PerconaXtraDBClusterRestore reads only the project's own backups. The admission twin
 * (components/guardrails, `platform-tenant-mysql`) holds the same for objects that do not come from Pulumi.
 */
export const tenancyMysqlCluster: ResourceValidationPolicy = {
    name: "tenancy-mysql-cluster",
    description: `Tenant MySQL clusters (Percona XtraDB Cluster) back up to the platform's off-cluster target with the Secret ${PLATFORM_BACKUP_SECRET}, run only the platform's images beside the backup keys, restore only from their own backups and stay within the instance limit; no cluster, restore or backup carries an annotation or finalizer the operator acts on (percona.com/…).`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces", "databaseBackupTarget", "maxDatabaseInstances"),
    validateResource: forTenantObjects([PXC_TYPES.cluster, PXC_TYPES.restore, PXC_TYPES.backup], (args, report) => {
        const namespace = namespaceOf(args.props);
        const config = packConfig(args);
        const kind = args.type.slice(args.type.lastIndexOf(":") + 1);
        const specProblems =
            args.type === PXC_TYPES.cluster
                ? mysqlClusterProblems(specOf(args.props), namespace, config, asString(at(args.props, ["metadata", "name"])) ?? "")
                : args.type === PXC_TYPES.restore
                  ? mysqlRestoreProblems(specOf(args.props), namespace, config)
                  : [];
        for (const problem of [...specProblems, ...perconaMetadataProblems(args.props.metadata)]) {
            report(`${kind} in namespace "${namespace}": ${problem}`);
        }
    }),
};
