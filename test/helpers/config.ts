import { parsePlatformConfig } from "../../lib/config/parse";
import { platformConfigSchema, type PlatformConfig } from "../../lib/config/schema";
import { readStackConfig, syntheticSecrets } from "../../tools/offline/stack-files";
import { ROOT } from "./synth";

/** The raw config map of a shipped stack plus synthetic secrets, as the offline plan passes it. */
export function rawStackConfig(stack: string, overrides: Record<string, string> = {}): Record<string, string> {
    const config = { ...readStackConfig(ROOT, stack), ...overrides };
    return { ...syntheticSecrets(config), ...config };
}

/** The validated config of a shipped stack. */
export function stackConfig(stack: string, overrides: Record<string, string> = {}): PlatformConfig {
    return parsePlatformConfig(rawStackConfig(stack, overrides), `Pulumi.${stack}.yaml`).config;
}

/**
 * A valid config built from parts, independent of the shipped stack files: the required keys (a dev stack in
 * fsn1 with a tailnet, a k3s version and an etcd snapshot bucket) with `parts` merged over them at the top
 * level; the schema fills every default.
 */
export function configFromParts(parts: Record<string, unknown> = {}): PlatformConfig {
    return platformConfigSchema.parse({
        environment: "dev",
        location: "fsn1",
        domain: "apps.example.com",
        acmeEmail: "ops@example.com",
        mesh: { magicDnsSuffix: "tail1a2b3c.ts.net", admins: ["alice@example.com"] },
        cluster: { k3sVersion: "v1.31.6+k3s1", etcdSnapshots: { s3: { endpoint: "fsn1.your-objectstorage.com", bucket: "etcd-test" } } },
        ...parts,
    });
}
