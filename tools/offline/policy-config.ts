import { z } from "zod";
import { backupSchema, grantedPublicPorts, projectGrantSchema, tenantLimitsSchema } from "../../lib/config/schema";
import { DEFAULT_PACK_CONFIG, type PackConfig } from "../../policy/lib/config";
import { databaseBackupTarget } from "../../components/project/postgresql";

/**
 * The policy-pack configuration a stack needs: the public ports its operators granted to projects
 * (`platform:projectGrants.<id>.publicPorts`) join `allowedPublicPorts`, so the edge firewall may open
 * exactly those beside 80/443 and Tailscale's port. The offline plan evaluates the pack with it and writes it
 * to `out/<stack>/policy-config.json` for `pulumi preview --policy-pack policy --policy-pack-config <file>`.
 * The allowance comes from the stack config (operators), never from a tenant file.
 */

/**
 * The database rule's settings from `platform:backup.s3` and `platform:tenantLimits.maxDatabaseInstances`: the
 * archive prefix is the one components/project/postgresql.ts writes (`s3://<bucket>/<folder>/<namespace>/...`).
 */
function databaseSettings(stackConfig: Readonly<Record<string, string>>): Partial<PackConfig> {
    const parse = <T>(key: string, schema: z.ZodType<T>): T | undefined => {
        const raw = stackConfig[key];
        const parsed = schema.safeParse(raw === undefined ? {} : JSON.parse(raw));
        return parsed.success ? parsed.data : undefined;
    };
    const backup = parse("platform:backup", backupSchema);
    const limits = parse("platform:tenantLimits", tenantLimitsSchema);
    const out: Partial<PackConfig> = {};
    const target = backup ? databaseBackupTarget(backup) : undefined;
    if (target) {
        out.databaseBackupTarget = target;
    }
    if (limits && limits.maxDatabaseInstances !== DEFAULT_PACK_CONFIG.maxDatabaseInstances) {
        out.maxDatabaseInstances = limits.maxDatabaseInstances;
    }
    return out;
}

/** Pack configuration of a stack from its raw config (`platform:*` keys as JSON strings, as the CLI holds them). */
export function stackPackConfig(stackConfig: Readonly<Record<string, string>>): Partial<PackConfig> {
    const raw = stackConfig["platform:projectGrants"];
    const parsed = raw === undefined ? undefined : z.record(z.string(), projectGrantSchema).safeParse(JSON.parse(raw));
    // An invalid grant fails the program's own validation first; the pack then keeps its defaults.
    const granted = parsed?.success ? grantedPublicPorts(parsed.data) : [];
    return {
        ...(granted.length > 0 ? { allowedPublicPorts: [...DEFAULT_PACK_CONFIG.allowedPublicPorts, ...granted.map((p) => `${p.port}/${p.protocol.toLowerCase()}`)] } : {}),
        ...databaseSettings(stackConfig),
    };
}

/** The `--policy-pack-config` file: per policy, its configuration (only the policies that need one). */
export function policyPackConfigFile(config: Partial<PackConfig>): Record<string, Record<string, unknown>> {
    const database = {
        ...(config.databaseBackupTarget ? { databaseBackupTarget: config.databaseBackupTarget } : {}),
        ...(config.maxDatabaseInstances !== undefined ? { maxDatabaseInstances: config.maxDatabaseInstances } : {}),
    };
    return {
        ...(config.allowedPublicPorts ? { "network-firewall-public-ports": { allowedPublicPorts: config.allowedPublicPorts } } : {}),
        ...(Object.keys(database).length > 0 ? { "tenancy-database-cluster": database, "tenancy-mysql-cluster": database, "tenancy-mongodb-cluster": database } : {}),
        // Redis members count against the same instance limit.
        ...(config.maxDatabaseInstances !== undefined ? { "tenancy-redis-replication": { maxDatabaseInstances: config.maxDatabaseInstances } } : {}),
    };
}
