/**
 * Everything the driver takes from the process environment: backend, secrets provider and the secret config
 * values (never read from files or argv, so CI can inject them from its secret store).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** One environment variable that becomes a secret stack config value. */
export interface SecretEnvMapping {
    /** Environment variable name. */
    env: string;
    /** Stack config key it is written to, as a secret. */
    key: string;
    /** What it is, for the README table and error messages. */
    description: string;
    /**
     * Which stacks receive it: `platform` (the region's platform stack), or `tenants` (each tenant stack gets
     * only its own entry, see {@link tenantSecretsById}; the platform stack never holds tenants' secrets).
     */
    target: "platform" | "tenants";
}

/** The documented environment variables and the config keys they set (always as secrets). */
export const SECRET_ENV_MAPPINGS: readonly SecretEnvMapping[] = [
    { env: "HCLOUD_TOKEN", key: "hcloud:token", description: "Hetzner Cloud API token", target: "platform" },
    { env: "TAILSCALE_API_KEY", key: "tailscale:apiKey", description: "Tailscale API key", target: "platform" },
    { env: "TAILSCALE_OAUTH_CLIENT_ID", key: "tailscale:oauthClientId", description: "Tailscale OAuth client id (instead of an API key)", target: "platform" },
    { env: "TAILSCALE_OAUTH_CLIENT_SECRET", key: "tailscale:oauthClientSecret", description: "Tailscale OAuth client secret", target: "platform" },
    { env: "HETZNER_ROBOT_USER", key: "platform:robotUser", description: "Robot web-service user (bare-metal pools)", target: "platform" },
    { env: "HETZNER_ROBOT_PASSWORD", key: "platform:robotPassword", description: "Robot web-service password", target: "platform" },
    { env: "ETCD_S3_ACCESS_KEY", key: "platform:etcdS3AccessKey", description: "etcd snapshot bucket access key", target: "platform" },
    { env: "ETCD_S3_SECRET_KEY", key: "platform:etcdS3SecretKey", description: "etcd snapshot bucket secret key", target: "platform" },
    { env: "BACKUP_S3_ACCESS_KEY", key: "platform:backupS3AccessKey", description: "external Longhorn backup bucket access key", target: "platform" },
    { env: "BACKUP_S3_SECRET_KEY", key: "platform:backupS3SecretKey", description: "external Longhorn backup bucket secret key", target: "platform" },
    { env: "HETZNER_DNS_TOKEN", key: "platform:hetznerDnsToken", description: "Hetzner DNS API token (cert-manager DNS-01)", target: "platform" },
    { env: "PLATFORM_TENANT_SECRETS", key: "tenant:secrets", description: 'tenant secret values as JSON: {"<project id>": {"<NAME>": "<value>"}}; each tenant stack gets its own as tenant:secrets', target: "tenants" },
];

/**
 * Variables whose values are credentials although they are not stack config; their values are redacted from
 * every rendered text too.
 */
export const CREDENTIAL_ENV_VARS: readonly string[] = [
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_ACCESS_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AZURE_STORAGE_KEY",
    "GITHUB_TOKEN",
];

/** A config value as the Automation API's `setAllConfig` takes it. */
export interface SecretConfigValue {
    /** The plaintext value (the CLI encrypts it). */
    value: string;
    /** Always true: these keys are never stored in plaintext. */
    secret: true;
}

/** What was derived from the environment for one run. */
export interface DeployEnvironment {
    /** Backend URL passed to the CLI as `PULUMI_BACKEND_URL`. */
    backendUrl: string;
    /** True when the backend is the default local file backend inside the repo. */
    defaultBackend: boolean;
    /** `--secrets-provider` for a newly created stack (`PULUMI_SECRETS_PROVIDER`), if any. */
    secretsProvider?: string;
    /** Secret config to set on the platform stack before the operation, keyed by config key. */
    secretConfig: Record<string, SecretConfigValue>;
    /** Every secret value known to the driver (config secrets, credentials), for redaction. */
    secretValues: string[];
    /** Problems that stop the run, each a complete sentence with the fix. */
    problems: string[];
}

/** Stack-file facts that influence the environment checks. */
export interface StackFileFacts {
    /** `secretsprovider:` of the stack file, if set (a stack created with a KMS provider needs no passphrase). */
    secretsProvider?: string;
}

// GitHub Actions expands a missing `secrets.X` to "", so an empty variable means "not provided", never "set to
// empty": writing "" would overwrite a value stored in the stack with nothing.
function present(env: NodeJS.ProcessEnv, name: string): string | undefined {
    const value = env[name];
    return value === undefined || value === "" ? undefined : value;
}

/**
 * The default backend: a file backend in `<repo>/.pulumi-state` (git-ignored).
 *
 * @param repoRoot absolute path of the repository
 */
export function defaultBackendUrl(repoRoot: string): string {
    return pathToFileURL(path.join(repoRoot, ".pulumi-state")).href;
}

/**
 * The local directory of a `file://` backend URL, or undefined for any other backend. The CLI does not create
 * the directory itself, so the driver does.
 *
 * @param url a backend URL
 */
export function localBackendDirectory(url: string): string | undefined {
    if (!url.startsWith("file://")) {
        return undefined;
    }
    try {
        return fileURLToPath(url.split("?")[0] ?? url);
    } catch {
        // `file://~/x` and `file://relative` are accepted by the CLI but are not file URLs in the WHATWG sense.
        return undefined;
    }
}

/**
 * The backend URL with any user-info (e.g. `postgres://user:password@host`) removed, for printing.
 *
 * @param url a backend URL
 */
export function displayBackendUrl(url: string): string {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1***@");
}

function isPulumiCloud(url: string): boolean {
    return /^https:\/\/(api|app)\.pulumi\.com\/?/.test(url);
}

function isTruthy(value: string | undefined): boolean {
    return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

// Tenant secret values are redacted one by one as well as the whole JSON: a provider error may echo a single one.
function tenantSecretValues(json: string, problems: string[]): string[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(json);
    } catch {
        // The value itself is never echoed: it is a secret.
        problems.push("PLATFORM_TENANT_SECRETS is not valid JSON; expected {\"<project>\": {\"<NAME>\": \"<value>\"}}.");
        return [];
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        problems.push("PLATFORM_TENANT_SECRETS must be a JSON object: {\"<project>\": {\"<NAME>\": \"<value>\"}}.");
        return [];
    }
    const values: string[] = [];
    for (const [project, secrets] of Object.entries(parsed as Record<string, unknown>)) {
        if (secrets === null || typeof secrets !== "object" || Array.isArray(secrets)) {
            problems.push(`PLATFORM_TENANT_SECRETS.${project} must be an object of NAME → string value.`);
            continue;
        }
        for (const [name, value] of Object.entries(secrets as Record<string, unknown>)) {
            if (typeof value !== "string") {
                problems.push(`PLATFORM_TENANT_SECRETS.${project}.${name} must be a string.`);
                continue;
            }
            values.push(value);
        }
    }
    return values;
}

/**
 * The tenant secret values of `PLATFORM_TENANT_SECRETS` by tenant id (`{}` when unset or invalid: the invalid
 * case is already one of {@link readDeployEnvironment}'s problems). Each tenant stack receives only its own.
 *
 * @param env the process environment
 */
export function tenantSecretsById(env: NodeJS.ProcessEnv): Record<string, Record<string, string>> {
    const json = present(env, "PLATFORM_TENANT_SECRETS");
    if (json === undefined) {
        return {};
    }
    try {
        const parsed: unknown = JSON.parse(json);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
            return {};
        }
        const out: Record<string, Record<string, string>> = {};
        for (const [id, secrets] of Object.entries(parsed as Record<string, unknown>)) {
            if (secrets !== null && typeof secrets === "object" && !Array.isArray(secrets)) {
                out[id] = Object.fromEntries(Object.entries(secrets as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
            }
        }
        return out;
    } catch {
        return {};
    }
}

/**
 * Derives backend, secrets provider, secret config and redaction values from the environment and lists every
 * problem at once.
 *
 * @param env the process environment
 * @param repoRoot absolute path of the repository (for the default backend)
 * @param stackFile facts read from `Pulumi.<stack>.yaml`
 */
export function readDeployEnvironment(env: NodeJS.ProcessEnv, repoRoot: string, stackFile: StackFileFacts = {}): DeployEnvironment {
    const problems: string[] = [];
    const configuredBackend = present(env, "PULUMI_BACKEND_URL");
    const backendUrl = configuredBackend ?? defaultBackendUrl(repoRoot);
    if (configuredBackend === undefined && isTruthy(env.CI)) {
        // A CI runner's checkout is thrown away: a state file in it would make every `up` create the region anew.
        problems.push(
            "PULUMI_BACKEND_URL is not set but CI is: the default backend (.pulumi-state in the checkout) is discarded with the runner. " +
                "Set PULUMI_BACKEND_URL to a persistent backend: an S3 bucket (s3://<bucket>?endpoint=<region>.your-objectstorage.com&region=<region> with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or https://api.pulumi.com with PULUMI_ACCESS_TOKEN.",
        );
    }
    const secretsProvider = present(env, "PULUMI_SECRETS_PROVIDER");
    const effectiveProvider = secretsProvider ?? stackFile.secretsProvider;
    const usesPassphrase = effectiveProvider === undefined ? !isPulumiCloud(backendUrl) : effectiveProvider === "passphrase";
    // An empty passphrase is legal for the CLI, so "set" here means defined, not non-empty.
    if (usesPassphrase && env.PULUMI_CONFIG_PASSPHRASE === undefined && present(env, "PULUMI_CONFIG_PASSPHRASE_FILE") === undefined) {
        problems.push(
            "The stack's secrets are encrypted with a passphrase: set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE " +
                "(or PULUMI_SECRETS_PROVIDER, e.g. awskms://…, for a new stack).",
        );
    }
    const passphraseFile = present(env, "PULUMI_CONFIG_PASSPHRASE_FILE");
    if (passphraseFile !== undefined && env.PULUMI_CONFIG_PASSPHRASE === undefined && !fs.existsSync(passphraseFile)) {
        problems.push(`PULUMI_CONFIG_PASSPHRASE_FILE points to ${passphraseFile}, which does not exist.`);
    }

    const secretConfig: Record<string, SecretConfigValue> = {};
    const secretValues: string[] = [];
    for (const mapping of SECRET_ENV_MAPPINGS) {
        const value = present(env, mapping.env);
        if (value === undefined) {
            continue;
        }
        if (mapping.target === "platform") {
            secretConfig[mapping.key] = { value, secret: true };
        }
        secretValues.push(value);
        if (mapping.env === "PLATFORM_TENANT_SECRETS") {
            secretValues.push(...tenantSecretValues(value, problems));
        }
    }
    for (const name of CREDENTIAL_ENV_VARS) {
        const value = present(env, name);
        if (value !== undefined) {
            secretValues.push(value);
        }
    }
    if (passphraseFile !== undefined && fs.existsSync(passphraseFile)) {
        const passphrase = fs.readFileSync(passphraseFile, "utf8").trim();
        if (passphrase !== "") {
            secretValues.push(passphrase);
        }
    }
    return {
        backendUrl,
        defaultBackend: configuredBackend === undefined,
        secretsProvider,
        secretConfig,
        secretValues,
        problems,
    };
}
