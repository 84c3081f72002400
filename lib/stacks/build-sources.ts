import { tenantStackName } from "./naming";

/**
 * How a tenant's private build source tokens reach the stack that runs its builds: the deploy driver reads them
 * from the tenant's own secrets (its app stack config `tenant:secrets`, or the driver's PLATFORM_TENANT_SECRETS
 * entry) and hands them over as secret config under {@link BUILD_SOURCE_TOKENS_KEY}, on every run (the stack file is
 * restored afterwards): `{"<project id>": {"<NAME>": "<token>"}}`, only the names the tenant's builds give in
 * `build.credentials`. Outside the `platform:` namespace on purpose: it is no platform setting an operator sets.
 */

/** Config key of the handed-over tokens (secret). */
export const BUILD_SOURCE_TOKENS_KEY = "builds:sourceTokens";

/** The tokens of project `id` from the raw config (undefined entries when nothing was handed over). */
export function buildSourceTokensOf(raw: Readonly<Record<string, string>>, id: string): Record<string, string> {
    const value = raw[BUILD_SOURCE_TOKENS_KEY];
    if (value === undefined) {
        return {};
    }
    try {
        const parsed = JSON.parse(value) as Record<string, unknown>;
        const own = parsed?.[id];
        if (own === null || typeof own !== "object" || Array.isArray(own)) {
            return {};
        }
        return Object.fromEntries(Object.entries(own as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
    } catch {
        return {};
    }
}

/** The fix of a missing token: where the tenant sets it (its app stack's config), and that the driver hands it over. */
export function buildSourceTokenFix(region: string, id: string, name: string): string {
    return `pulumi config set --secret --path 'tenant:secrets.${name}' <token> --stack ${tenantStackName(region, id)} --cwd programs/tenant, then npm run deploy -- up --stack ${region} --tenant ${id} --yes (it hands the token to the build)`;
}
