import type { PolicyConfigSchema } from "@pulumi/policy";
import { PLATFORM_NAMESPACES } from "../../lib/conventions";
import { asArray } from "./values";

/**
 * The pack's configuration: the exemptions and allow-lists the rules read. CrossGuard configures policies one
 * by one (`--policy-pack-config` maps policy name → settings), so every policy that reads a key declares it in
 * its own `configSchema` with the same default; {@link packConfig} merges what the engine passes over these
 * defaults, so a rule behaves the same whether or not the CLI applied the schema defaults.
 */

/** Name of the policy pack (the CLI reports violations as `hetzner-platform@v<version>`). */
export const POLICY_PACK_NAME = "hetzner-platform";

/** Settings every configurable policy understands. */
export interface PackConfig {
    /** Namespaces owned by the platform: exempt from tenant rules (never from workload security). */
    platformNamespaces: string[];
    /**
     * Registries (or `registry/path` prefixes) workload images may come from. Images without a registry are
     * Docker Hub images (`docker.io`).
     */
    allowedRegistries: string[];
    /**
     * What a firewall may open to 0.0.0.0/0 or ::/0: `"<port>"`, `"<from>-<to>"`, optionally `/tcp` or `/udp`
     * (tcp when omitted), or a port-less protocol name (`esp`, `gre`). ICMP is always allowed (path MTU
     * discovery needs it and it carries no service).
     */
    allowedPublicPorts: Array<string | number>;
    /**
     * Kubernetes minor version of the cluster (`v1.31`): which sysctls are safe depends on it. Keep it equal to
     * the minor of `platform:cluster.k3sVersion` (a test checks the shipped stacks).
     */
    kubernetesVersion: string;
    /**
     * The platform's off-cluster database backup target: every tenant PostgreSQL Cluster archives to
     * `<destinationPrefix><namespace>/` on `endpointURL` (`platform:backup.s3`). Empty strings when the stack has
     * none: the rule then still requires an HTTPS endpoint outside the cluster and the namespace in the path.
     */
    databaseBackupTarget: { endpointURL: string; destinationPrefix: string };
    /** PostgreSQL instances one tenant Cluster may run (`platform:tenantLimits.maxDatabaseInstances`). */
    maxDatabaseInstances: number;
}

/** Names of the configuration keys. */
export type PackConfigKey = keyof PackConfig;

/** Defaults: the conventions' platform namespaces, the four public registries, HTTP(S) and Tailscale's UDP port. */
export const DEFAULT_PACK_CONFIG: Readonly<PackConfig> = Object.freeze({
    platformNamespaces: [...PLATFORM_NAMESPACES],
    allowedRegistries: ["docker.io", "ghcr.io", "quay.io", "registry.k8s.io"],
    allowedPublicPorts: ["80", "443", "41641/udp"],
    kubernetesVersion: "v1.31",
    databaseBackupTarget: { endpointURL: "", destinationPrefix: "" },
    maxDatabaseInstances: 3,
});

const KEY_SCHEMAS: { [K in PackConfigKey]: PolicyConfigSchema["properties"][string] } = {
    platformNamespaces: {
        type: "array",
        items: { type: "string" },
        description: "Namespaces owned by the platform, exempt from tenant rules.",
        default: [...DEFAULT_PACK_CONFIG.platformNamespaces],
    },
    allowedRegistries: {
        type: "array",
        items: { type: "string" },
        description: "Registries (or registry/path prefixes) images may be pulled from.",
        default: [...DEFAULT_PACK_CONFIG.allowedRegistries],
    },
    allowedPublicPorts: {
        type: "array",
        items: { type: ["string", "integer"] },
        description: 'Ports a firewall may open to the world: "443", "8000-8010", "41641/udp", "esp".',
        default: [...DEFAULT_PACK_CONFIG.allowedPublicPorts],
    },
    kubernetesVersion: {
        type: "string",
        description: "Kubernetes minor version of the cluster (v1.31): decides which sysctls are safe.",
        default: DEFAULT_PACK_CONFIG.kubernetesVersion,
    },
    databaseBackupTarget: {
        type: "object",
        properties: { endpointURL: { type: "string" }, destinationPrefix: { type: "string" } },
        description: "The off-cluster database backup target: endpoint URL and s3://bucket/folder/ prefix (platform:backup.s3).",
        default: { ...DEFAULT_PACK_CONFIG.databaseBackupTarget },
    },
    maxDatabaseInstances: {
        type: "integer",
        description: "PostgreSQL instances one tenant Cluster may run (platform:tenantLimits.maxDatabaseInstances).",
        default: DEFAULT_PACK_CONFIG.maxDatabaseInstances,
    },
};

/** The `configSchema` of a policy that reads the given keys (each with its default). */
export function configSchemaFor(...keys: PackConfigKey[]): PolicyConfigSchema {
    const properties: PolicyConfigSchema["properties"] = {};
    for (const key of keys) {
        properties[key] = KEY_SCHEMAS[key];
    }
    return { properties };
}

function stringList(value: unknown, key: string): string[] {
    if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
        throw new Error(`policy config ${key} must be a list of strings`);
    }
    return [...(value as string[])];
}

/**
 * Validates a (partial) pack config and fills the defaults. Throws on a wrongly typed key: a misconfigured
 * exemption list must not silently become "exempt nothing" or "exempt everything".
 */
export function resolvePackConfig(partial: Readonly<Record<string, unknown>> = {}): PackConfig {
    const merged: PackConfig = {
        platformNamespaces: [...DEFAULT_PACK_CONFIG.platformNamespaces],
        allowedRegistries: [...DEFAULT_PACK_CONFIG.allowedRegistries],
        allowedPublicPorts: [...DEFAULT_PACK_CONFIG.allowedPublicPorts],
        kubernetesVersion: DEFAULT_PACK_CONFIG.kubernetesVersion,
        databaseBackupTarget: { ...DEFAULT_PACK_CONFIG.databaseBackupTarget },
        maxDatabaseInstances: DEFAULT_PACK_CONFIG.maxDatabaseInstances,
    };
    if (partial.platformNamespaces !== undefined) {
        merged.platformNamespaces = stringList(partial.platformNamespaces, "platformNamespaces");
    }
    if (partial.allowedRegistries !== undefined) {
        merged.allowedRegistries = stringList(partial.allowedRegistries, "allowedRegistries");
    }
    if (partial.allowedPublicPorts !== undefined) {
        const ports = asArray(partial.allowedPublicPorts);
        if (!Array.isArray(partial.allowedPublicPorts) || ports.some((p) => typeof p !== "string" && typeof p !== "number")) {
            throw new Error("policy config allowedPublicPorts must be a list of strings or numbers");
        }
        merged.allowedPublicPorts = ports as Array<string | number>;
    }
    if (partial.kubernetesVersion !== undefined) {
        if (typeof partial.kubernetesVersion !== "string" || !/^v?1\.\d+/.test(partial.kubernetesVersion)) {
            throw new Error("policy config kubernetesVersion must be a Kubernetes 1.x version such as v1.31");
        }
        merged.kubernetesVersion = partial.kubernetesVersion;
    }
    if (partial.databaseBackupTarget !== undefined) {
        const target = partial.databaseBackupTarget as Record<string, unknown> | null;
        if (target === null || typeof target !== "object" || typeof target.endpointURL !== "string" || typeof target.destinationPrefix !== "string") {
            throw new Error("policy config databaseBackupTarget must be {endpointURL: string, destinationPrefix: string}");
        }
        merged.databaseBackupTarget = { endpointURL: target.endpointURL, destinationPrefix: target.destinationPrefix };
    }
    if (partial.maxDatabaseInstances !== undefined) {
        if (typeof partial.maxDatabaseInstances !== "number" || !Number.isInteger(partial.maxDatabaseInstances) || partial.maxDatabaseInstances < 1) {
            throw new Error("policy config maxDatabaseInstances must be a positive integer");
        }
        merged.maxDatabaseInstances = partial.maxDatabaseInstances;
    }
    return merged;
}

/** The effective config of a policy run: what `getConfig()` returns, merged over {@link DEFAULT_PACK_CONFIG}. */
export function packConfig(args: { getConfig<T extends object>(): T }): PackConfig {
    const config = args.getConfig<Record<string, unknown>>();
    // The offline evaluator hands every rule of a run the same deeply frozen config: resolved once per such
    // object (resolving it per rule and resource was ~0.6 ms of each tenant stack). Frozen, so no rule can
    // change what the next one reads; an unfrozen config (the real pack's) is resolved afresh each time.
    if (!Object.isFrozen(config)) {
        return resolvePackConfig(config);
    }
    let resolved = resolvedFrozenConfigs.get(config);
    if (!resolved) {
        const fresh = resolvePackConfig(config);
        resolved = Object.freeze({
            ...fresh,
            platformNamespaces: Object.freeze(fresh.platformNamespaces),
            allowedRegistries: Object.freeze(fresh.allowedRegistries),
            allowedPublicPorts: Object.freeze(fresh.allowedPublicPorts),
        }) as PackConfig;
        resolvedFrozenConfigs.set(config, resolved);
    }
    return resolved;
}

/** {@link packConfig}'s results for frozen configs, by the config object. */
const resolvedFrozenConfigs = new WeakMap<object, PackConfig>();

/**
 * `initialConfig` of the PolicyPack: for every policy with a `configSchema`, the defaults of the keys it
 * declares (published packs show these as the starting configuration).
 */
export function initialPackConfig(policies: ReadonlyArray<{ name: string; configSchema?: PolicyConfigSchema }>): Record<string, Record<string, unknown>> {
    const initial: Record<string, Record<string, unknown>> = {};
    for (const policy of policies) {
        const properties = policy.configSchema?.properties;
        if (!properties) {
            continue;
        }
        const defaults: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(properties)) {
            if (typeof schema === "object" && schema.default !== undefined) {
                defaults[key] = schema.default;
            }
        }
        initial[policy.name] = defaults;
    }
    return initial;
}
