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
    const used = resources.filter((r) => r.secretInputs.length > 0).map((r) => JSON.stringify(r.secretInputs.map((k) => r.inputs[k])));
    const haystack = used.join("\n");
    const out: MissingSecret[] = [];
    for (const [key, value] of Object.entries(secrets).sort(([a], [b]) => a.localeCompare(b))) {
        if (key in stackConfig) {
            continue;
        }
        for (const [suffix, leaf] of leaves(value)) {
            // Scripts and user-data carry some secrets base64-encoded.
            const forms = [JSON.stringify(leaf).slice(1, -1), Buffer.from(leaf).toString("base64").replace(/=+$/, "")];
            if (leaf.length < 8 || !forms.some((form) => haystack.includes(form))) {
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
