import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { DATABASE_SERVICE_ACCOUNT_PATTERN, OPERATOR_INTERNAL_SECRET_PATTERN, PLATFORM_BACKUP_SECRET, PLATFORM_REDIS_SECRET, podSecretReferences } from "../../lib/catalogue";
import { isPlatformNamespace } from "../../lib/namespaces";
import { forWorkloads } from "../../lib/rule-helpers";
import { asString } from "../../lib/values";

/**
 * The platform's backup Secret in a tenant namespace holds keys to every project's archive: only the
 * CloudNativePG operator's pods may read it, and those are created by the operator, never registered by Pulumi.
 * So no workload Pulumi registers in a tenant namespace may reference it (secret or projected volume, env
 * `secretKeyRef`, `envFrom.secretRef`) or run as a database Cluster's ServiceAccount, whose Role reads it; nor any
 * of the Secrets the MySQL and MongoDB operators keep for themselves ({@link OPERATOR_INTERNAL_SECRET_PATTERN}:
 * root and backup users' passwords, TLS keys, keyfiles), nor the Redis operator's ({@link PLATFORM_REDIS_SECRET}:
 * Redis's `default` password and the ACL file; only the operator's StatefulSets mount it).
 * The admission twin (components/guardrails, pod policy) holds the same rule for every other sender.
 */
export const workloadNoPlatformBackupSecret: ResourceValidationPolicy = {
    name: "workload-no-platform-backup-secret",
    description: `Tenant workloads must not read the Secret ${PLATFORM_BACKUP_SECRET}, ${PLATFORM_REDIS_SECRET} or a database operator's own Secrets, or run as a database ServiceAccount.`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateResource: forWorkloads(({ args, podSpec, namespace, config }, report) => {
        if (isPlatformNamespace(namespace, config.platformNamespaces)) {
            args.notApplicable("platform namespace");
        }
        const secrets = podSecretReferences(podSpec);
        if (secrets.includes(PLATFORM_BACKUP_SECRET)) {
            report(`pod reads the Secret ${PLATFORM_BACKUP_SECRET} (the platform's backup bucket keys, for the CloudNativePG operator only)`);
        }
        if (secrets.includes(PLATFORM_REDIS_SECRET)) {
            report(`pod reads the Secret ${PLATFORM_REDIS_SECRET} (Redis's default password and ACL file, for the Redis operator's StatefulSets only): services read redis-credentials through uses: [redis]`);
        }
        const internal = new RegExp(OPERATOR_INTERNAL_SECRET_PATTERN);
        for (const name of new Set(secrets.filter((secret) => internal.test(secret)))) {
            report(`pod reads the Secret ${name}, a database operator's own (system users' passwords, TLS keys, keyfiles): the project's own credentials Secret is the one to read`);
        }
        const pattern = new RegExp(DATABASE_SERVICE_ACCOUNT_PATTERN);
        for (const field of ["serviceAccountName", "serviceAccount"]) {
            const account = asString(podSpec[field]);
            if (account !== undefined && pattern.test(account)) {
                report(`pod ${field} is ${account}, a database Cluster's ServiceAccount (its Role reads ${PLATFORM_BACKUP_SECRET})`);
            }
        }
    }),
};
