import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { parsePlatformConfig } from "../../lib/config/parse";
import { platformConfigSchema, type PlatformConfig } from "../../lib/config/schema";
import { readStackConfig, syntheticSecrets } from "../../tools/offline/stack-files";
import { ROOT } from "./synth";

/** The raw config map of a shipped stack plus synthetic secrets, as the offline plan passes it. */
export function rawStackConfig(stack: string, overrides: Record<string, string> = {}): Record<string, string> {
    const config = { ...readStackConfig(ROOT, stack), ...overrides };
    return { ...syntheticSecrets(config), ...config };
}

/**
 * The plain config of a shipped stack: `Pulumi.<stack>.yaml` parsed with js-yaml, its `platform:` keys (prefix
 * dropped, `override` merged over them at the top level) validated with the config schema; secrets are not part
 * of the plain model.
 */
export function shippedPlatformConfig(stack: string, override: Record<string, unknown> = {}): PlatformConfig {
    const doc = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    const plain = Object.fromEntries(
        Object.entries(doc.config)
            .filter(([key]) => key.startsWith("platform:"))
            .map(([key, value]) => [key.slice("platform:".length), value]),
    );
    return platformConfigSchema.parse({ ...plain, ...override });
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
