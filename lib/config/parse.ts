// The pure half of the stack configuration: parsing and validation without the Pulumi SDK (load.ts reads the
// runtime and wraps the secrets). The config tests and fixtures import this file, so their test workers do not
// load the SDK, whose index costs seconds each time.
import { CONFIG_EXAMPLES, platformConfigSchema, type PlatformConfig } from "./schema";
import { InputValidationError, issuesToProblems, type InputProblem } from "../validation";
import { alertingSecretProblems } from "./alerting";
import { k3sUpgradeProblems } from "./k3s-version";
import { SECRET_KEYS, type SecretKey } from "./secret-keys";

/** Config namespace of this project (`platform:<key>`). */
export const CONFIG_NAMESPACE = "platform";

/**
 * Reads and validates the whole `platform:*` configuration of the current stack from a flat
 * `key → raw string` map (as Pulumi stores it). Throws `InputValidationError` listing every problem.
 */
export function parsePlatformConfig(raw: Readonly<Record<string, string>>, source: string): {
    config: PlatformConfig;
    secretRaw: Partial<Record<SecretKey, string>>;
} {
    const problems: InputProblem[] = [];
    const known = new Set(Object.keys(platformConfigSchema.def.shape ?? {}));
    const plain: Record<string, unknown> = {};
    const secretRaw: Partial<Record<SecretKey, string>> = {};
    for (const [fullKey, value] of Object.entries(raw)) {
        const [namespace, key] = splitKey(fullKey);
        if (namespace !== CONFIG_NAMESPACE) {
            continue;
        }
        if ((SECRET_KEYS as readonly string[]).includes(key)) {
            secretRaw[key as SecretKey] = value;
            continue;
        }
        if (!known.has(key)) {
            problems.push({
                source,
                path: fullKey,
                problem: `unknown config key`,
                fix: `remove it, or use one of: ${[...known, ...SECRET_KEYS].map((k) => `platform:${k}`).join(", ")}`,
            });
            continue;
        }
        plain[key] = decodeConfigValue(value);
    }
    const parsed = platformConfigSchema.safeParse(plain);
    if (!parsed.success) {
        problems.push(...issuesToProblems(source, "platform:", parsed.error.issues, CONFIG_EXAMPLES).map(fixRootPath));
    }
    if (parsed.success) {
        problems.push(...missingSecrets(parsed.data, secretRaw, raw, source));
        const { k3sVersion, previousK3sVersion } = parsed.data.cluster;
        problems.push(
            ...k3sUpgradeProblems(previousK3sVersion, k3sVersion, { source, targetKey: "platform:cluster.k3sVersion", runningKey: "platform:cluster.previousK3sVersion" }),
        );
    }
    if (problems.length > 0) {
        throw new InputValidationError(problems);
    }
    return { config: parsed.data as PlatformConfig, secretRaw };
}

function fixRootPath(problem: InputProblem): InputProblem {
    // "platform:" + "pools[1].count" is joined as "platform:.pools…" by joinPath; keep Pulumi's key syntax.
    return { ...problem, path: problem.path.replace(/^platform:\./, "platform:") };
}

function splitKey(fullKey: string): [string, string] {
    const index = fullKey.indexOf(":");
    return index < 0 ? ["", fullKey] : [fullKey.slice(0, index), fullKey.slice(index + 1)];
}

/** Decodes a raw Pulumi config string: JSON for objects, arrays, numbers and booleans, else the string. */
export function decodeConfigValue(value: string): unknown {
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[") || /^-?\d+(\.\d+)?$/.test(trimmed) || trimmed === "true" || trimmed === "false") {
        try {
            return JSON.parse(trimmed);
        } catch {
            return value;
        }
    }
    return value;
}

function missingSecrets(
    config: PlatformConfig,
    secretRaw: Partial<Record<SecretKey, string>>,
    raw: Readonly<Record<string, string>>,
    source: string,
): InputProblem[] {
    const needed: Array<{ key: string; why: string; present: boolean }> = [];
    const baremetal = [config.servers, ...config.pools].some((p) => p.kind === "baremetal" && (("count" in p && p.count > 0) || p.robotServers.length > 0));
    const has = (k: SecretKey) => secretRaw[k] !== undefined && secretRaw[k] !== "";
    if (baremetal) {
        needed.push({ key: "platform:robotUser", why: "a pool is kind baremetal", present: has("robotUser") });
        needed.push({ key: "platform:robotPassword", why: "a pool is kind baremetal", present: has("robotPassword") });
    }
    needed.push({ key: "platform:etcdS3AccessKey", why: "etcd snapshots go to S3", present: has("etcdS3AccessKey") });
    needed.push({ key: "platform:etcdS3SecretKey", why: "etcd snapshots go to S3", present: has("etcdS3SecretKey") });
    const backupWhy = backupCredentialsReason(config);
    if (backupWhy) {
        needed.push({ key: "platform:backupS3AccessKey", why: backupWhy, present: has("backupS3AccessKey") });
        needed.push({ key: "platform:backupS3SecretKey", why: backupWhy, present: has("backupS3SecretKey") });
    }
    if (config.billing.ledger.target === "own") {
        needed.push({ key: "platform:billingS3AccessKey", why: "billing.ledger.target is own", present: has("billingS3AccessKey") });
        needed.push({ key: "platform:billingS3SecretKey", why: "billing.ledger.target is own", present: has("billingS3SecretKey") });
    }
    if (config.addons.certManager.hetznerDns) {
        needed.push({ key: "platform:hetznerDnsToken", why: "addons.certManager.hetznerDns is true", present: has("hetznerDnsToken") });
    }
    needed.push({ key: "hcloud:token", why: "every stack creates Hetzner Cloud servers", present: raw["hcloud:token"] !== undefined || !!process.env.HCLOUD_TOKEN });
    needed.push({
        key: "tailscale:apiKey",
        why: "every node joins the tailnet (or set tailscale:oauthClientId and tailscale:oauthClientSecret)",
        present:
            raw["tailscale:apiKey"] !== undefined ||
            (raw["tailscale:oauthClientId"] !== undefined && raw["tailscale:oauthClientSecret"] !== undefined) ||
            !!process.env.TAILSCALE_API_KEY ||
            !!process.env.TAILSCALE_OAUTH_CLIENT_ID,
    });
    const alertingProblems = (() => {
        const needsSecrets = config.alerting.receivers.some((r) => r.webhook || r.slack) || config.alerting.smtp?.username !== undefined;
        if (!needsSecrets && secretRaw.alertingSecrets === undefined) {
            return [];
        }
        if (secretRaw.alertingSecrets === undefined) {
            return [{ source, path: "platform:alertingSecrets", problem: "required secret is not set (alert receivers need URLs or the SMTP password)", fix: `pulumi config set --secret platform:alertingSecrets '{"smtpPassword": "…", "urls": {"<receiver>": "https://…"}}'` }];
        }
        return alertingSecretProblems(config.alerting, decodeConfigValue(secretRaw.alertingSecrets)).map((problem) => ({
            source,
            path: "platform:alertingSecrets",
            problem,
            fix: `pulumi config set --secret platform:alertingSecrets '{"smtpPassword": "…", "urls": {"<receiver>": "https://…"}}'`,
        }));
    })();
    if (secretRaw.tenantSecrets !== undefined) {
        // Not read any more: each project's secretEnv values live only in its own tenant stack's config, so no
        // platform state or config holds every tenant's secrets. Refused, so a value left here is not silently lost.
        return [
            {
                source,
                path: "platform:tenantSecrets",
                problem: "is no longer read: a project's secretEnv values live only in its own tenant stack's config (tenant:secrets of <region>--<id>)",
                fix:
                    "move each value: pulumi config get --path 'platform:tenantSecrets.<id>.<NAME>' --stack <region> | pulumi config set --secret --path 'tenant:secrets.<NAME>' --stack <region>--<id> --cwd programs/tenant " +
                    "(or PLATFORM_TENANT_SECRETS for the driver), then pulumi config rm platform:tenantSecrets --stack <region>",
            },
            ...alertingProblems,
        ];
    }
    return [
        ...needed
            .filter((n) => !n.present)
            .map((n) => ({
                source,
                path: n.key,
                problem: `required secret is not set (${n.why})`,
                fix: `pulumi config set --secret ${n.key} <value>`,
            })),
        ...alertingProblems,
    ];
}

/** Why the stack needs the backup bucket credentials (Longhorn's external target, platform:backup.s3), or undefined. */
export function backupCredentialsReason(config: PlatformConfig): string | undefined {
    const uses = [
        ...(config.addons.longhorn.backupTarget === "external" ? ["Longhorn backups go to an external S3 target"] : []),
        ...(config.backup.s3 ? ["database and cluster-object backups go to platform:backup.s3"] : []),
    ];
    return uses.length > 0 ? uses.join("; ") : undefined;
}
