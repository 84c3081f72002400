/**
 * The source credentials of a tenant's private builds, as the driver hands them to the stack that runs its
 * builds: the names come from the tenant file (`services[].build.credentials`), the values from the tenant's own
 * secrets only — its app stack config (`tenant:secrets`, set with `pulumi config set --secret --path`) and the
 * driver's PLATFORM_TENANT_SECRETS entry for it — never from the platform stack's config. Only the named values are
 * handed over, not the tenant's other secrets.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/** The secret names the builds of tenant `id` of `region` read their source token from (sorted, once each). */
export function buildCredentialNames(repoRoot: string, region: string, id: string): string[] {
    const file = path.join(repoRoot, "stacks", region, "projects", `${id}.yaml`);
    if (!fs.existsSync(file)) {
        return [];
    }
    const document = yaml.load(fs.readFileSync(file, "utf8")) as { services?: Array<{ build?: { credentials?: unknown } }> } | undefined;
    const names = (document?.services ?? []).map((service) => service?.build?.credentials).filter((name): name is string => typeof name === "string");
    return [...new Set(names)].sort();
}

/** A `tenant:secrets` config value (JSON object of NAME → value) as a map; anything else is empty. */
export function secretValuesOf(value: string | undefined): Record<string, string> {
    if (value === undefined) {
        return {};
    }
    try {
        const parsed: unknown = JSON.parse(value);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
            return {};
        }
        return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
    } catch {
        return {};
    }
}

/**
 * The tokens to hand over: each named value, from the app stack's own config first, else from the driver's
 * environment entry of this tenant. Names without a value are left out (the program refuses them, naming the fix).
 */
export function buildSourceTokens(names: readonly string[], appStackSecrets: Readonly<Record<string, string>>, environmentSecrets: Readonly<Record<string, string>> = {}): Record<string, string> {
    const tokens: Record<string, string> = {};
    for (const name of names) {
        const value = appStackSecrets[name] ?? environmentSecrets[name];
        if (value !== undefined) {
            tokens[name] = value;
        }
    }
    return tokens;
}
