import type { ResourceValidationPolicy } from "@pulumi/policy";
import { MONGODB_IMAGES } from "../../../charts/images";
import { configSchemaFor, packConfig, type PackConfig } from "../../lib/config";
import { namespaceOf, specOf } from "../../lib/kubernetes";
import { forTenantObjects } from "../../lib/rule-helpers";
import { asArray, asRecord, asString, at, isTrue, sameValue } from "../../lib/values";
import { OPERATOR_PLACEMENT, operatorPlacementProblems } from "../../lib/operator-placement";
import { PLATFORM_BACKUP_SECRET } from "../../lib/catalogue";
import { backupEndpointProblems, platformCredentialsProblems } from "./database-cluster";
import { perconaMetadataProblems } from "../../lib/percona-metadata";
import { DATABASE_POD_SERVICE, operatorPodLabelProblems } from "../../lib/operator-pod-labels";
import { backupScheduleProblem, PERCONA_HOURLY_SCHEDULE_PATTERN } from "../../lib/backup-schedule";

/** Pulumi types of the Percona Operator for MongoDB kinds tenants get (psmdb.percona.com/v1). */
export const PSMDB_TYPES = {
    cluster: "kubernetes:psmdb.percona.com/v1:PerconaServerMongoDB",
    restore: "kubernetes:psmdb.percona.com/v1:PerconaServerMongoDBRestore",
    /** The operator's (from the replica set's schedule): only its metadata is judged. */
    backup: "kubernetes:psmdb.percona.com/v1:PerconaServerMongoDBBackup",
} as const;

/**
 * The images a tenant replica set may run (charts/images.ts): mongod, the operator's init image (it copies the
 * entrypoint the mongod and backup-agent containers run), Percona Backup for MongoDB (the agent that reads and
 * writes the bucket) and the metrics exporter, the one sidecar the platform adds.
 */
export const PSMDB_PINNED_IMAGES = {
    mongod: Object.values<string>(MONGODB_IMAGES.mongod),
    init: [`${MONGODB_IMAGES.operator.repository}:${MONGODB_IMAGES.operator.tag}`],
    backup: [MONGODB_IMAGES.backup as string],
    exporter: [MONGODB_IMAGES.exporter as string],
} as const;

/** The tenant Secret the platform's MongoDB users take their passwords from (components/project/mongodb.ts MONGODB_SECRET). */
export const PSMDB_USER_PASSWORD_SECRET = "mongodb-credentials";

/**
 * The one MongoDB user (name and authentication database) a tenant replica set may ask for
 * (components/project/mongodb.ts MONGODB_USERS). The operator's validateUser (custom_users.go at v1.22.0) refuses only
 * names found among the values of the `internal-<cluster>-users` Secret, and an absent or unread Secret reserves
 * nothing; `users[].name`/`db` are pinned to the rendered ones instead.
 */
export const PSMDB_USER = { name: "app", db: "admin" } as const;

/** Name of the one sidecar the platform renders (the exporter, components/project/mongodb.ts). */
export const PSMDB_EXPORTER_SIDECAR = "metrics";

/** Names a tenant replica set may have: `mongodb` or `mongodb-g<N>` (the operator's Secrets are named after it, OPERATOR_INTERNAL_SECRET_PATTERN). */
export const PSMDB_CLUSTER_NAME_PATTERN = "^mongodb(-g[0-9]+)?$";

/** The exporter's arguments, exactly (mongod on 127.0.0.1:27017, metrics on :9216); a tenant's sidecar passes no others. */
export const PSMDB_EXPORTER_ARGS: readonly string[] = ["--mongodb.uri=mongodb://127.0.0.1:27017/admin", "--mongodb.direct-connect", "--collector.pbm", "--collector.replicasetstatus", "--collector.diagnosticdata", "--web.listen-address=:9216"];

/**
 * Keys of the operator's system-users Secret (`<cluster>-users`, pkg/apis/psmdb/v1/psmdb_types.go at v1.22.0) with
 * its clusterMonitor system user. That user (pkg/controller/perconaservermongodb/mgo.go getRoles: explainRole with
 * `find` on every collection, `read` on local) reads PBM's `admin.pbmConfig` and the oplog carrying its writes,
 * i.e. the bucket keys; the exporter logs in as it so its password never sits in a tenant-readable Secret.
 */
export const PSMDB_MONITOR_KEYS = { user: "MONGODB_CLUSTER_MONITOR_USER", password: "MONGODB_CLUSTER_MONITOR_PASSWORD" } as const;

/** The exporter's environment, exactly: the clusterMonitor system user from the replica set's `<cluster>-users`. */
export function psmdbExporterEnv(clusterName: string): Array<{ name: string; valueFrom: { secretKeyRef: { name: string; key: string } } }> {
    const fromUsers = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: `${clusterName}-users`, key } } });
    return [fromUsers("MONGODB_USER", PSMDB_MONITOR_KEYS.user), fromUsers("MONGODB_PASSWORD", PSMDB_MONITOR_KEYS.password)];
}

/**
 * Fields of a replica set (ReplsetSpec and its inline MultiAZ, pkg/apis/psmdb/v1/psmdb_types.go at v1.22.0) that
 * put tenant-chosen containers, commands, environment, volumes, hosts or configuration into the operator's pods:
 * sidecar volumes and claims, the hook script (`script` or a ConfigMap the entrypoint runs), `env`/`envFrom` of
 * mongod, the probes (`exec` commands), mongod's `configuration`, members outside the cluster (`externalNodes`),
 * host overrides and aliases, and a ServiceAccount of the tenant's choosing. Sidecars are held apart: only the
 * platform's exporter.
 */
export const PSMDB_REPLSET_INJECTION_FIELDS = [
    "sidecarVolumes",
    "sidecarPVCs",
    "hookScript",
    "env",
    "envFrom",
    "readinessProbe",
    "livenessProbe",
    "configuration",
    "externalNodes",
    "replsetOverrides",
    "hostAliases",
    "serviceAccountName",
] as const;

/** Extra member kinds of a replica set, each a pod spec of its own with sidecars and probes: not offered. */
export const PSMDB_EXTRA_MEMBERS = ["arbiter", "nonvoting", "hidden"] as const;

/** Components the platform does not run (each brings an image, configuration and environment of its own): they stay disabled. */
export const PSMDB_DISABLED_PARTS = ["sharding", "pmm", "logcollector"] as const;

/**
 * Backup fields that choose what runs beside the keys: the agent's ServiceAccount, extra mounts, the hook script and
 * `configuration` (restoreOptions.mongodLocation/mongodLocationMap name the mongod binary a physical restore runs).
 */
export const PSMDB_BACKUP_INJECTION_FIELDS = ["serviceAccountName", "volumeMounts", "hookScript", "configuration"] as const;

/** Secret names of `spec.secrets` other than `users`, which the pods mount (the operator names each after the cluster when absent). */
export const PSMDB_SECRET_NAME_FIELDS = ["ssl", "sslInternal", "keyFile", "encryptionKey", "vault", "sse", "ldapSecret"] as const;

/** Roles a tenant user may hold on its own databases. */
export const PSMDB_TENANT_ROLES = ["read", "readWrite", "dbAdmin"] as const;

/** MongoDB's own databases (users, roles, PBM's configuration with the storage keys, the oplog). */
export const MONGODB_SYSTEM_DATABASES = ["admin", "local", "config"] as const;

/** Values of `upgradeOptions.apply` that keep the operator from asking a version service for images (version.go versionUpgradeEnabled lower-cases it). */
export const PSMDB_UPGRADE_OFF = ["disabled", "never"] as const;

/** The bucket and the path below it every tenant location must stay in: `<bucket>`, `<folder>/<namespace>/` (from the target's prefix). */
function ownLocation(target: PackConfig["databaseBackupTarget"], namespace: string): { bucket: string; path: string } | undefined {
    if (target.destinationPrefix === "") {
        return undefined;
    }
    const [bucket = "", ...folder] = target.destinationPrefix.replace(/^s3:\/\//, "").split("/");
    return { bucket, path: [...folder.filter(Boolean), namespace, ""].join("/") };
}

/** Problems of one PBM S3 location (a storage's `s3`, a restore source's): the platform's target, below the namespace's folder, with the platform's keys. */
export function psmdbS3Problems(s3: Record<string, unknown> | undefined, namespace: string, target: PackConfig["databaseBackupTarget"], what: string): string[] {
    if (!s3) {
        return [`${what} has no s3 location`];
    }
    const problems: string[] = [];
    const endpoint = asString(s3.endpointUrl) ?? "";
    const bucket = asString(s3.bucket) ?? "";
    const prefix = asString(s3.prefix) ?? "";
    problems.push(...backupEndpointProblems("endpointUrl", endpoint, target, what));
    const own = ownLocation(target, namespace);
    if (bucket.includes("/") || (own !== undefined && bucket !== own.bucket)) {
        problems.push(`${what} bucket "${bucket}" is not the platform's bucket${own ? ` ${own.bucket}` : ""}`);
    }
    if (own !== undefined ? !`${prefix}/`.startsWith(own.path) : !prefix.split("/").includes(namespace)) {
        problems.push(`${what} prefix "${prefix}" is not below the namespace's own folder ${own?.path ?? `.../${namespace}/`}`);
    }
    if (prefix.split("/").includes("..")) {
        problems.push(`${what} prefix "${prefix}" climbs out of its folder`);
    }
    problems.push(...platformCredentialsProblems(s3.credentialsSecret, what));
    if (s3.caBundle !== undefined || isTrue(s3.insecureSkipTLSVerify)) {
        problems.push(`${what} sets caBundle or insecureSkipTLSVerify (the platform's target is verified against the public CAs)`);
    }
    return problems;
}

/** Problems of one sidecar: only the platform's exporter, with its pinned image, arguments and environment and no command, mount, hook or exec probe. */
function sidecarProblems(sidecar: Record<string, unknown>, where: string, clusterName: string): string[] {
    const problems: string[] = [];
    if (sidecar.name !== PSMDB_EXPORTER_SIDECAR || !(PSMDB_PINNED_IMAGES.exporter as readonly string[]).includes(String(sidecar.image))) {
        problems.push(`${where} is not the platform's exporter (${PSMDB_EXPORTER_SIDECAR}, ${PSMDB_PINNED_IMAGES.exporter.join(", ")})`);
    }
    for (const field of ["command", "lifecycle", "volumeMounts", "volumeDevices", "envFrom"]) {
        if (sidecar[field] !== undefined) {
            problems.push(`${where}.${field} is set`);
        }
    }
    for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
        if (at(sidecar, [probe, "exec"]) !== undefined) {
            problems.push(`${where}.${probe}.exec is set (a command in the replica set's pod)`);
        }
    }
    // Exactly the rendered values: another URI, collector or plain MONGODB_USER would be the tenant's choice inside the replica set's pod.
    if (!sameValue(sidecar.args ?? null, PSMDB_EXPORTER_ARGS)) {
        problems.push(`${where}.args are not the platform's exporter arguments (${PSMDB_EXPORTER_ARGS.join(" ")})`);
    }
    if (!sameValue(sidecar.env ?? null, psmdbExporterEnv(clusterName))) {
        problems.push(`${where}.env is not the platform's exporter environment (MONGODB_USER and MONGODB_PASSWORD from ${clusterName}-users)`);
    }
    return problems;
}

/**
 * Every problem of a tenant PerconaServerMongoDB's spec (exported for the tests and the admission twin's cases).
 * The fields audited against pkg/apis/psmdb/v1/psmdb_types.go and pkg/controller/perconaservermongodb/version.go at
 * v1.22.0: `upgradeOptions.apply`/`versionServiceEndpoint` (the version service writes `image`, `backup.image`,
 * `pmm.image`), `image`, `initImage`, `backup.image`, `sharding`/`pmm`/`logcollector` (disabled; mongos and the
 * config servers are pod specs of their own, the log collector has env and a configuration), `vault`, `roles`
 * (custom roles), `secrets.users` (`<cluster>-users`, the operator's system users) and
 * {@link PSMDB_SECRET_NAME_FIELDS}, `users[].passwordSecretRef`/`roles`, per replica set `sidecars` (the platform's
 * exporter only), {@link PSMDB_REPLSET_INJECTION_FIELDS} and {@link PSMDB_EXTRA_MEMBERS}, `backup`
 * {@link PSMDB_BACKUP_INJECTION_FIELDS}, and each storage's type and `s3` location (`credentialsSecret`,
 * `caBundle`, `insecureSkipTLSVerify`). `clusterName` is the object's metadata.name, pinned to {@link PSMDB_CLUSTER_NAME_PATTERN}.
 */
export function mongodbClusterProblems(spec: Record<string, unknown>, namespace: string, config: Pick<PackConfig, "databaseBackupTarget" | "maxDatabaseInstances">, clusterName: string): string[] {
    const problems: string[] = [];
    if (!new RegExp(PSMDB_CLUSTER_NAME_PATTERN).test(clusterName)) {
        problems.push(`metadata.name "${clusterName}" is not mongodb or mongodb-g<N> (the operator names its system-user and key Secrets after the cluster; only those names are kept from tenant pods)`);
    }
    const apply = asString(at(spec, ["upgradeOptions", "apply"]));
    if (apply !== undefined && !(PSMDB_UPGRADE_OFF as readonly string[]).includes(apply.toLowerCase())) {
        problems.push(`upgradeOptions.apply is "${apply}" (the version service would choose the images, the backup agent's included): only ${PSMDB_UPGRADE_OFF.join(" or ")}`);
    }
    if (at(spec, ["upgradeOptions", "versionServiceEndpoint"]) !== undefined) {
        problems.push("upgradeOptions.versionServiceEndpoint is set (images come from the platform's pins, never a version service)");
    }
    for (const [path, image, allowed] of [
        ["image", spec.image, PSMDB_PINNED_IMAGES.mongod],
        ["initImage", spec.initImage, PSMDB_PINNED_IMAGES.init],
        ["backup.image", at(spec, ["backup", "image"]), PSMDB_PINNED_IMAGES.backup],
    ] as const) {
        if ((path === "image" || image !== undefined) && !(allowed as readonly string[]).includes(String(image))) {
            problems.push(`${path} "${String(image)}" is not one of the platform's pinned images (${allowed.join(", ")})`);
        }
    }
    for (const part of PSMDB_DISABLED_PARTS) {
        if (isTrue(at(spec, [part, "enabled"]))) {
            problems.push(`${part}.enabled is true (the platform does not run ${part}: its pods, image or configuration would be the tenant's)`);
        }
    }
    for (const field of ["vault", "roles"]) {
        if (spec[field] !== undefined) {
            problems.push(`${field} is set (${field === "vault" ? "a Vault of the tenant's holds the system users" : "custom roles can grant anything on the system databases"})`);
        }
    }
    const users = at(spec, ["secrets", "users"]);
    if (users !== undefined && users !== `${clusterName}-users`) {
        problems.push(`secrets.users is "${String(users)}", not ${clusterName}-users (the operator writes its system users' passwords into it)`);
    }
    for (const field of PSMDB_SECRET_NAME_FIELDS) {
        if (at(spec, ["secrets", field]) !== undefined) {
            problems.push(`secrets.${field} is set (the operator's pods mount it; the operator names it after the cluster)`);
        }
    }
    for (const [index, user] of asArray(spec.users).entries()) {
        if (at(user, ["name"]) !== PSMDB_USER.name || at(user, ["db"]) !== PSMDB_USER.db) {
            problems.push(`users[${index}] is ${JSON.stringify(at(user, ["name"]))}@${JSON.stringify(at(user, ["db"]))}, not the platform's ${PSMDB_USER.name}@${PSMDB_USER.db} (a system user's name would take its password and roles from the tenant's Secret)`);
        }
        if (at(user, ["passwordSecretRef", "name"]) !== PSMDB_USER_PASSWORD_SECRET) {
            problems.push(`users[${index}].passwordSecretRef is not the platform-written ${PSMDB_USER_PASSWORD_SECRET}`);
        }
        for (const role of asArray(asRecord(user)?.roles)) {
            const name = String(at(role, ["name"]));
            const db = String(at(role, ["db"]));
            const tenantRole = !(MONGODB_SYSTEM_DATABASES as readonly string[]).includes(db) && (PSMDB_TENANT_ROLES as readonly string[]).includes(name);
            if (!tenantRole) {
                problems.push(`users[${index}] holds ${name}@${db} (tenant users hold ${PSMDB_TENANT_ROLES.join(", ")} on their own databases)`);
            }
        }
    }
    // The replica-set members' scheduler and the backup (restore) pods' runtime: the platform's (OPERATOR_PLACEMENT).
    if (spec.schedulerName !== undefined) {
        problems.push("schedulerName is set (the platform schedules tenant database pods with the default scheduler)");
    }
    const backupRuntime = at(spec, ["backup", "runtimeClassName"]);
    if (backupRuntime !== undefined && !(OPERATOR_PLACEMENT.runtimeClassNames as readonly unknown[]).includes(backupRuntime)) {
        problems.push(`backup.runtimeClassName ${JSON.stringify(backupRuntime)} is neither unset nor ${OPERATOR_PLACEMENT.runtimeClassNames.join(", ")}`);
    }
    const replsets = asArray(spec.replsets);
    if (replsets.length === 0) {
        problems.push("replsets is empty");
    }
    for (const [index, value] of replsets.entries()) {
        const replset = asRecord(value) ?? {};
        const where = `replsets[${index}]`;
        problems.push(...operatorPlacementProblems(replset, `${where}.`, "operator"));
        const size = replset.size;
        if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > config.maxDatabaseInstances) {
            problems.push(`${where}.size ${String(size)} is outside 1..${config.maxDatabaseInstances} (platform:tenantLimits.maxDatabaseInstances)`);
        }
        for (const field of PSMDB_REPLSET_INJECTION_FIELDS) {
            if (replset[field] !== undefined) {
                problems.push(`${where}.${field} is set (no tenant commands, environment, volumes or configuration in the operator's pods)`);
            }
        }
        for (const member of PSMDB_EXTRA_MEMBERS) {
            if (isTrue(at(replset, [member, "enabled"]))) {
                problems.push(`${where}.${member}.enabled is true (extra member pods are not offered)`);
            }
        }
        for (const [s, sidecar] of asArray(replset.sidecars).entries()) {
            problems.push(...sidecarProblems(asRecord(sidecar) ?? {}, `${where}.sidecars[${s}]`, clusterName));
        }
    }
    if (!isTrue(at(spec, ["backup", "enabled"]))) {
        problems.push("backup.enabled is not true (tenant replica sets back up to the platform's off-cluster target)");
    }
    const storages = asRecord(at(spec, ["backup", "storages"]));
    if (!storages || Object.keys(storages).length === 0) {
        problems.push("backup has no storages");
    }
    for (const [name, value] of Object.entries(storages ?? {})) {
        const storage = asRecord(value) ?? {};
        if (storage.type !== "s3") {
            problems.push(`backup.storages.${name} is of type ${String(storage.type)}, not s3 (the platform's target)`);
        }
        for (const other of ["minio", "gcs", "azure", "filesystem"]) {
            if (storage[other] !== undefined) {
                problems.push(`backup.storages.${name}.${other} is set (only the platform's S3 target)`);
            }
        }
        problems.push(...psmdbS3Problems(asRecord(storage.s3), namespace, config.databaseBackupTarget, `backup.storages.${name}`));
    }
    for (const field of PSMDB_BACKUP_INJECTION_FIELDS) {
        if (at(spec, ["backup", field]) !== undefined) {
            problems.push(`backup.${field} is set (the backup agents hold the platform's keys)`);
        }
    }
    // Pod labels and annotations of every pod group the operator creates: the platform's labels only, no annotations.
    const podGroups: Array<[string, unknown]> = [
        ...replsets.flatMap((replset, index): Array<[string, unknown]> => [
            [`replsets[${index}]`, replset],
            ...["nonvoting", "hidden", "arbiter"].map((member): [string, unknown] => [`replsets[${index}].${member}`, at(replset, [member])]),
        ]),
        ["backup", spec.backup],
    ];
    for (const [where, group] of podGroups) {
        problems.push(...operatorPodLabelProblems(at(group, ["labels"]), namespace, DATABASE_POD_SERVICE.mongodb, `${where}.labels`));
        if (at(group, ["annotations"]) !== undefined) {
            problems.push(`${where}.annotations is set (annotations on the operator's pods are the platform's: none)`);
        }
    }
    for (const [index, task] of asArray(at(spec, ["backup", "tasks"])).entries()) {
        const problem = backupScheduleProblem(at(task, ["schedule"]), PERCONA_HOURLY_SCHEDULE_PATTERN, `backup.tasks[${index}].schedule`);
        if (problem !== undefined) {
            problems.push(problem);
        }
    }
    return problems;
}

/** Every problem of a tenant PerconaServerMongoDBRestore's spec: it reads only the project's own backups on the platform's target. */
export function mongodbRestoreProblems(spec: Record<string, unknown>, namespace: string, config: Pick<PackConfig, "databaseBackupTarget">): string[] {
    const problems: string[] = [];
    const source = asRecord(spec.backupSource);
    if (!source) {
        return problems;
    }
    for (const other of ["minio", "gcs", "azure", "filesystem"]) {
        if (source[other] !== undefined) {
            problems.push(`backupSource.${other} is set (only the platform's S3 target)`);
        }
    }
    const destination = asString(source.destination) ?? "";
    const prefix = config.databaseBackupTarget.destinationPrefix !== "" ? `${config.databaseBackupTarget.destinationPrefix}${namespace}/` : undefined;
    if (prefix !== undefined ? !destination.startsWith(prefix) : !destination.split("/").includes(namespace)) {
        problems.push(`backupSource.destination "${destination}" is not below the namespace's own folder ${prefix ?? `.../${namespace}/`}`);
    }
    if (destination.split("/").includes("..")) {
        problems.push(`backupSource.destination "${destination}" climbs out of its folder`);
    }
    problems.push(...psmdbS3Problems(asRecord(source.s3), namespace, config.databaseBackupTarget, "backupSource"));
    return problems;
}

/**
 * A tenant namespace's PerconaServerMongoDB backs up to the platform's off-cluster target below its own
 * namespace's folder with the platform-written keys ({@link PLATFORM_BACKUP_SECRET}), runs only the platform's
 * pinned images (no version service), puts nothing of the tenant's into the operator's pods beside the backup
 * agent and stays within the member limit; a PerconaServerMongoDBRestore reads only the project's own backups.
 * The admission twin (components/guardrails, `platform-tenant-mongodb`) holds the same for objects that do not
 * come from Pulumi.
 */
export const tenancyMongodbCluster: ResourceValidationPolicy = {
    name: "tenancy-mongodb-cluster",
    description: `Tenant MongoDB replica sets (Percona Operator for MongoDB) back up to the platform's off-cluster target with the Secret ${PLATFORM_BACKUP_SECRET}, run only the platform's pinned images and nothing of the tenant's beside the backup agent, restore only from their own backups and stay within the instance limit; no replica set, restore or backup carries an annotation or finalizer the operator acts on (percona.com/…).`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces", "databaseBackupTarget", "maxDatabaseInstances"),
    validateResource: forTenantObjects([PSMDB_TYPES.cluster, PSMDB_TYPES.restore, PSMDB_TYPES.backup], (args, report) => {
        const namespace = namespaceOf(args.props);
        const config = packConfig(args);
        const kind = args.type.slice(args.type.lastIndexOf(":") + 1);
        const specProblems =
            args.type === PSMDB_TYPES.cluster
                ? mongodbClusterProblems(specOf(args.props), namespace, config, asString(at(args.props, ["metadata", "name"])) ?? "")
                : args.type === PSMDB_TYPES.restore
                  ? mongodbRestoreProblems(specOf(args.props), namespace, config)
                  : [];
        for (const problem of [...specProblems, ...perconaMetadataProblems(args.props.metadata)]) {
            report(`${kind} in namespace "${namespace}": ${problem}`);
        }
    }),
};
