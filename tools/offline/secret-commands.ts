import type { PlannedResource } from "./plan-types";

/**
 * The `pulumi config set --secret` commands a real deploy still needs: the offline run invents every secret
 * (tools/offline/stack-files.ts `syntheticSecrets`); those whose synthetic value reached a registered resource
 * are the ones the program really uses on this stack. Structured secrets (`platform:tenantSecrets`,
 * `platform:alertingSecrets`) are listed per leaf, as `--path` commands.
 */

/** One secret the offline run invented and the program used. */
export interface MissingSecret {
    /** Config key, with `--path` syntax for a structured secret's leaf (`platform:tenantSecrets.shop.API_KEY`). */
    key: string;
    /** The command that sets it on the real stack. */
    command: string;
}

/** Every leaf of a config value: `[path suffix, value]` (a JSON object is walked, anything else is one leaf). */
function leaves(value: string): Array<[string, string]> {
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        return [["", value]];
    }
    const out: Array<[string, string]> = [];
    const walk = (node: unknown, suffix: string) => {
        if (typeof node === "object" && node !== null && !Array.isArray(node)) {
            for (const [k, v] of Object.entries(node)) {
                walk(v, `${suffix}.${k}`);
            }
        } else if (typeof node === "string") {
            out.push([suffix, node]);
        }
    };
    walk(parsed, "");
    return out.length > 0 || typeof parsed !== "object" ? out : [];
}

/**
 * The secrets a real deploy must set: the synthetic values (`secrets`, key → value) that occur in a secret input
 * of some resource, minus the keys the stack file already sets (`stackConfig`: its `secure:` values exist on
 * the real stack, encrypted).
 */
export function missingSecrets(resources: readonly PlannedResource[], secrets: Readonly<Record<string, string>>, stackConfig: Readonly<Record<string, string>>): MissingSecret[] {
    // Every string of every secret input, and the decoded text of those that are base64 (user-data, scripts).
    const strings: string[] = [];
    const collect = (node: unknown): void => {
        if (typeof node === "string") {
            strings.push(node);
            if (node.length >= 16 && /^[A-Za-z0-9+/=\s]+$/.test(node)) {
                strings.push(Buffer.from(node, "base64").toString("utf8"));
            }
        } else if (Array.isArray(node)) {
            node.forEach(collect);
        } else if (typeof node === "object" && node !== null) {
            Object.values(node).forEach(collect);
        }
    };
    for (const r of resources) {
        r.secretInputs.forEach((k) => collect(r.inputs[k]));
    }
    const haystack = strings.join("\n");
    const out: MissingSecret[] = [];
    for (const [key, value] of Object.entries(secrets).sort(([a], [b]) => a.localeCompare(b))) {
        if (key in stackConfig) {
            continue;
        }
        for (const [suffix, leaf] of leaves(value)) {
            if (leaf.length < 8 || !haystack.includes(leaf)) {
                continue;
            }
            const full = `${key}${suffix}`;
            // tailscale:tailnet is synthesized for the provider but is not a secret.
            const secret = key === "tailscale:tailnet" ? "" : "--secret ";
            out.push({ key: full, command: suffix === "" ? `pulumi config set ${secret}${key} <value>` : `pulumi config set --secret --path '${full}' <value>` });
        }
    }
    return out;
}
