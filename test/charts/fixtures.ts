import type { PlatformConfig } from "../../lib/config/schema";
import { configFromParts, shippedPlatformConfig } from "../helpers/config";

/** The `platform:` keys of `Pulumi.<stack>.yaml`, parsed with js-yaml and validated with the config schema. */
export function shippedConfig(stack: string): PlatformConfig {
    return shippedPlatformConfig(stack);
}

/**
 * A valid configuration with `storageNodes` storage nodes in the run pool (servers not schedulable), an
 * edge pool of `edgeNodes` and `floatingIps` floating IPs; `overrides` are merged at the top level.
 */
export function configWith(options: { storageNodes: number; edgeNodes?: number; floatingIps?: number; environment?: "dev" | "staging" | "production"; overrides?: Record<string, unknown> }): PlatformConfig {
    return configFromParts({
        environment: options.environment ?? "staging",
        servers: { count: 1, schedulable: false },
        pools: [
            { role: "run", count: Math.max(1, options.storageNodes), storage: options.storageNodes > 0 },
            { role: "edge", count: options.edgeNodes ?? 1, dedicated: true },
        ],
        edge: { floatingIps: options.floatingIps ?? 1 },
        ...options.overrides,
    });
}
