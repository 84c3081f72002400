import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { OPERATOR_INTERNAL_SECRET_PATTERN, OPERATOR_SECRET_PATTERNS, PLATFORM_WRITTEN_SECRETS, type DatabaseOperator } from "../../lib/catalogue";
import { TENANT_PROJECT } from "../../../lib/stacks/naming";
import { K8S_TYPES, metadataOf, namespaceOf } from "../../lib/kubernetes";
import { forTenantObjects } from "../../lib/rule-helpers";

/**
 * The MySQL and MongoDB operators generate their system users' passwords into Secrets named after the cluster
 * ({@link OPERATOR_INTERNAL_SECRET_PATTERN}) and take whatever such a Secret holds: a tenant that writes one first
 * (or edits it, which the operators sync) chooses the root, backup or clusterAdmin password, and MongoDB's backup
 * and clusterAdmin users read PBM's configuration with the bucket keys; `<cluster>-env-vars-pxc` becomes the MySQL
 * nodes' environment. So no tenant object is such a Secret; the admission twin (`platform-tenant-secrets`)
 * lets only the operators write them. Nor does a tenant app stack (Pulumi project `platform-tenant`) write the
 * Secrets the grants stack writes into its namespace ({@link PLATFORM_WRITTEN_SECRETS}: backup and bucket keys, the
 * Redis users' Secrets with the ACL file).
 */
export const tenancyNoOperatorSecrets: ResourceValidationPolicy = {
    name: "tenancy-no-operator-secrets",
    description: "Tenant Secrets must not take the names the CloudNativePG, MySQL and MongoDB operators keep for their own (system users, TLS keys, keyfiles, node environment).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateResource: forTenantObjects([K8S_TYPES.secret], (args, report) => {
        const name = metadataOf(args.props).name ?? "";
        if (new RegExp(OPERATOR_INTERNAL_SECRET_PATTERN).test(name)) {
            const owner = (Object.keys(OPERATOR_SECRET_PATTERNS) as DatabaseOperator[]).find((o) => new RegExp(OPERATOR_SECRET_PATTERNS[o]).test(name));
            report(`Secret "${name}" in namespace "${namespaceOf(args.props)}" takes a name ${OPERATOR_NAMES[owner!]} keeps for its own Secrets (its system users' passwords, keys or environment): only ${OPERATOR_NAMES[owner!]} writes it; name the Secret otherwise`);
        }
        if (PLATFORM_WRITTEN_SECRETS.includes(name) && projectOfUrn(args.urn) === TENANT_PROJECT) {
            report(`Secret "${name}" in namespace "${namespaceOf(args.props)}" is the platform's (the backup or bucket keys, or the Redis users and ACL file, its grants stack writes): a tenant app stack must not create or replace it`);
        }
    }),
};

/** The operators as the messages name them. */
const OPERATOR_NAMES: Readonly<Record<DatabaseOperator, string>> = { cnpg: "the CloudNativePG operator", pxc: "the MySQL (Percona XtraDB Cluster) operator", psmdb: "the MongoDB (Percona) operator" };

/** The Pulumi project of a resource URN (`urn:pulumi:<stack>::<project>::…`). */
function projectOfUrn(urn: string): string | undefined {
    return urn.split("::")[1];
}
