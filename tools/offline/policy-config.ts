import { z } from "zod";
import { grantedPublicPorts, projectGrantSchema } from "../../lib/config/schema";
import { DEFAULT_PACK_CONFIG, type PackConfig } from "../../policy/lib/config";

/**
 * The policy-pack configuration a stack needs: the public ports its operators granted to projects
 * (`platform:projectGrants.<id>.publicPorts`) join `allowedPublicPorts`, so the edge firewall may open
 * exactly those beside 80/443 and Tailscale's port. The offline plan evaluates the pack with it and writes it
 * to `out/<stack>/policy-config.json` for `pulumi preview --policy-pack policy --policy-pack-config <file>`.
 * The allowance comes from the stack config (operators), never from a tenant file.
 */

/** Pack configuration of a stack from its raw config (`platform:*` keys as JSON strings, as the CLI holds them). */
export function stackPackConfig(stackConfig: Readonly<Record<string, string>>): Partial<PackConfig> {
    const raw = stackConfig["platform:projectGrants"];
    const parsed = raw === undefined ? undefined : z.record(z.string(), projectGrantSchema).safeParse(JSON.parse(raw));
    // An invalid grant fails the program's own validation first; the pack then keeps its defaults.
    const granted = parsed?.success ? grantedPublicPorts(parsed.data) : [];
    if (granted.length === 0) {
        return {};
    }
    return { allowedPublicPorts: [...DEFAULT_PACK_CONFIG.allowedPublicPorts, ...granted.map((p) => `${p.port}/${p.protocol.toLowerCase()}`)] };
}

/** The `--policy-pack-config` file: per policy, its configuration (only the policies that need one). */
export function policyPackConfigFile(config: Partial<PackConfig>): Record<string, Record<string, unknown>> {
    return config.allowedPublicPorts ? { "network-firewall-public-ports": { allowedPublicPorts: config.allowedPublicPorts } } : {};
}
