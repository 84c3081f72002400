import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { platformConfigSchema, type PlatformConfig } from "../../lib/config/schema";

const ROOT = path.resolve(__dirname, "../..");

/** The `platform:` keys of `Pulumi.<stack>.yaml`, parsed with js-yaml and validated with the config schema. */
export function shippedConfig(stack: string): PlatformConfig {
    const doc = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    const plain = Object.fromEntries(
        Object.entries(doc.config)
            .filter(([key]) => key.startsWith("platform:"))
            .map(([key, value]) => [key.slice("platform:".length), value]),
    );
    return platformConfigSchema.parse(plain);
}

/**
 * A valid configuration with `storageNodes` storage nodes in the run pool (servers not schedulable), an
 * edge pool of `edgeNodes` and `floatingIps` floating IPs; `overrides` are merged at the top level.
 */
export function configWith(options: { storageNodes: number; edgeNodes?: number; floatingIps?: number; environment?: "dev" | "staging" | "production"; overrides?: Record<string, unknown> }): PlatformConfig {
    return platformConfigSchema.parse({
        environment: options.environment ?? "staging",
        location: "fsn1",
        domain: "apps.example.com",
        acmeEmail: "ops@example.com",
        mesh: { magicDnsSuffix: "tail1a2b3c.ts.net", admins: ["alice@example.com"] },
        cluster: { k3sVersion: "v1.31.6+k3s1", etcdSnapshots: { s3: { endpoint: "fsn1.your-objectstorage.com", bucket: "etcd-test" } } },
        servers: { count: 1, schedulable: false },
        pools: [
            { role: "run", count: Math.max(1, options.storageNodes), storage: options.storageNodes > 0 },
            { role: "edge", count: options.edgeNodes ?? 1, dedicated: true },
        ],
        edge: { floatingIps: options.floatingIps ?? 1 },
        ...options.overrides,
    });
}
