import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, packConfig, type PackConfig } from "../../lib/config";
import { namespaceOf, specOf } from "../../lib/kubernetes";
import { forTenantObjects } from "../../lib/rule-helpers";
import { asArray, asRecord, asString, at, isTrue } from "../../lib/values";
import { PLATFORM_BACKUP_SECRET } from "../../lib/catalogue";
import { isInClusterEndpoint } from "./database-cluster";

/** Pulumi types of the Percona XtraDB Cluster kinds tenants get (pxc.percona.com/v1). */
export const PXC_TYPES = { cluster: "kubernetes:pxc.percona.com/v1:PerconaXtraDBCluster", restore: "kubernetes:pxc.percona.com/v1:PerconaXtraDBClusterRestore" } as const;

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
 * Fields that put tenant-chosen containers, environment or volumes into pods the operator creates. The pod
 * admission policy lets the operator's pods read the backup Secret (its backup Jobs and collector must), so
 * nothing of the tenant's may run or be mounted beside them.
 */
export const PXC_INJECTION_FIELDS = ["sidecars", "sidecarVolumes", "sidecarPVCs", "envVarsSecret", "extraPVCs", "hookScript"] as const;

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
    if (isInClusterEndpoint(endpoint)) {
        problems.push(`${what} endpointUrl "${endpoint}" is not an HTTPS endpoint outside the cluster`);
    } else if (target.endpointURL !== "" && endpoint !== target.endpointURL) {
        problems.push(`${what} endpointUrl "${endpoint}" is not the platform's backup target ${target.endpointURL}`);
    }
    const prefix = bucketPrefix(target, namespace);
    if (prefix !== undefined ? !`${bucket}/`.startsWith(prefix) : !bucket.split("/").includes(namespace)) {
        problems.push(`${what} bucket "${bucket}" is not below the namespace's own folder ${prefix ?? `<bucket>/.../${namespace}/`}`);
    }
    if (bucket.split("/").includes("..")) {
        problems.push(`${what} bucket "${bucket}" climbs out of its folder`);
    }
    if (asString(s3.credentialsSecret) !== PLATFORM_BACKUP_SECRET) {
        problems.push(`${what} credentialsSecret is ${asString(s3.credentialsSecret) === undefined ? "not set" : `"${asString(s3.credentialsSecret)}"`}, not the platform-written ${PLATFORM_BACKUP_SECRET}`);
    }
    if (s3.caBundle !== undefined) {
        problems.push(`${what} caBundle is set (the platform's target is verified against the public CAs)`);
    }
    return problems;
}

/** Every problem of a tenant PerconaXtraDBCluster's spec (exported for the tests and the offline drill). */
export function mysqlClusterProblems(spec: Record<string, unknown>, namespace: string, config: Pick<PackConfig, "databaseBackupTarget" | "maxDatabaseInstances">): string[] {
    const problems: string[] = [];
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
    const backupImage = asString(at(spec, ["backup", "image"]));
    if (backupImage !== undefined && !(PXC_KEY_HOLDING_IMAGES.backup as readonly string[]).includes(backupImage)) {
        problems.push(`backup.image "${backupImage}" is not one of the platform's XtraBackup images (it runs with the backup keys)`);
    }
    for (const [path, image] of [["initContainer.image", at(spec, ["initContainer", "image"])], ["initImage", spec.initImage]] as const) {
        if (image !== undefined && !(PXC_KEY_HOLDING_IMAGES.init as readonly string[]).includes(String(image))) {
            problems.push(`${path} "${String(image)}" is not the platform's operator image (it prepares the pods that hold the backup keys)`);
        }
    }
    for (const part of ["pxc", "haproxy", "proxysql"]) {
        for (const field of PXC_INJECTION_FIELDS) {
            if (at(spec, [part, field]) !== undefined) {
                problems.push(`${part}.${field} is set (no tenant containers, environment or volumes in the operator's pods)`);
            }
        }
    }
    for (const [index, user] of asArray(spec.users).entries()) {
        if (asArray(asRecord(user)?.dbs).length === 0) {
            problems.push(`users[${index}] has no dbs (grants on every schema, the operator's system schema included)`);
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
    description: `Tenant MySQL clusters (Percona XtraDB Cluster) back up to the platform's off-cluster target with the Secret ${PLATFORM_BACKUP_SECRET}, run only the platform's images beside the backup keys, restore only from their own backups and stay within the instance limit.`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces", "databaseBackupTarget", "maxDatabaseInstances"),
    validateResource: forTenantObjects([PXC_TYPES.cluster, PXC_TYPES.restore], (args, report) => {
        const namespace = namespaceOf(args.props);
        const config = packConfig(args);
        const cluster = args.type === PXC_TYPES.cluster;
        for (const problem of cluster ? mysqlClusterProblems(specOf(args.props), namespace, config) : mysqlRestoreProblems(specOf(args.props), namespace, config)) {
            report(`${cluster ? "PerconaXtraDBCluster" : "PerconaXtraDBClusterRestore"} in namespace "${namespace}": ${problem}`);
        }
    }),
};
