import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, packConfig, type PackConfig } from "../../lib/config";
import { namespaceOf, specOf } from "../../lib/kubernetes";
import { forTenantObjects } from "../../lib/rule-helpers";
import { asArray, asRecord, asString, at, isTrue } from "../../lib/values";
import { PLATFORM_BACKUP_SECRET } from "../../lib/catalogue";

/** Pulumi type of a CloudNativePG Cluster (postgresql.cnpg.io/v1). */
export const CNPG_CLUSTER_TYPE = "kubernetes:postgresql.cnpg.io/v1:Cluster";

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
    for (const key of Object.keys(credentials).filter((k) => k !== "accessKeyId" && k !== "secretAccessKey" && k !== "region")) {
        problems.push(`${what} s3Credentials.${key} is not allowed (the platform's keys only)`);
    }
    return problems;
}

/** Every problem of a tenant Cluster's spec (exported for the tests and the offline drill). */
export function databaseClusterProblems(spec: Record<string, unknown>, namespace: string, config: Pick<PackConfig, "databaseBackupTarget" | "maxDatabaseInstances">): string[] {
    const problems: string[] = [];
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
    return problems;
}

/**
 * A tenant namespace's CloudNativePG Cluster archives to the platform's off-cluster backup target, below its own
 * namespace's folder, with the keys the platform stack writes ({@link PLATFORM_BACKUP_SECRET}); a restore reads
 * only the project's own archive the same way; no superuser access; instances within the platform limit. The
 * admission twin (components/guardrails, database policy) holds the same for Clusters that do not come from Pulumi.
 */
export const tenancyDatabaseCluster: ResourceValidationPolicy = {
    name: "tenancy-database-cluster",
    description: `Tenant PostgreSQL Clusters back up to the platform's off-cluster target with the Secret ${PLATFORM_BACKUP_SECRET}, restore only from their own archive, have no superuser access and stay within the instance limit.`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces", "databaseBackupTarget", "maxDatabaseInstances"),
    validateResource: forTenantObjects([CNPG_CLUSTER_TYPE], (args, report) => {
        const namespace = namespaceOf(args.props);
        for (const problem of databaseClusterProblems(specOf(args.props), namespace, packConfig(args))) {
            report(`Cluster in namespace "${namespace}": ${problem}`);
        }
    }),
};
