import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor, packConfig, type PackConfig } from "../../lib/config";
import { metadataOf, namespaceOf, specOf } from "../../lib/kubernetes";
import { forTenantObjects } from "../../lib/rule-helpers";
import { asArray, asRecord, asString, at, isTrue } from "../../lib/values";
import { PLATFORM_BACKUP_SECRET } from "../../lib/catalogue";

/** Pulumi type of a CloudNativePG Cluster (postgresql.cnpg.io/v1). */
export const CNPG_CLUSTER_TYPE = "kubernetes:postgresql.cnpg.io/v1:Cluster";

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
        for (const problem of databaseClusterProblems(specOf(args.props), namespace, packConfig(args), metadataOf(args.props).name ?? "")) {
            report(`Cluster in namespace "${namespace}": ${problem}`);
        }
    }),
};
