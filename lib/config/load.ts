import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "./schema";
import type { AlertingSecretValues } from "./alerting";
import { backupCredentialsReason, decodeConfigValue, parsePlatformConfig } from "./parse";
import type { SecretKey } from "./secret-keys";

export { CONFIG_NAMESPACE, decodeConfigValue, parsePlatformConfig } from "./parse";

/** Secrets of the stack, each wrapped as a Pulumi secret Output. */
export interface PlatformSecrets {
    /** Robot web-service credentials; present when any pool is bare metal. */
    robot?: { user: pulumi.Output<string>; password: pulumi.Output<string> };
    /** Credentials of the etcd snapshot bucket. */
    etcdS3: { accessKey: pulumi.Output<string>; secretKey: pulumi.Output<string> };
    /**
     * Credentials of the off-cluster backup buckets (Longhorn's external target and platform:backup.s3); present
     * when either is configured.
     */
    backupS3?: { accessKey: pulumi.Output<string>; secretKey: pulumi.Output<string> };
    /** Credentials of the billing ledger's own bucket; present when billing.ledger.target is own. */
    billingS3?: { accessKey: pulumi.Output<string>; secretKey: pulumi.Output<string> };
    /** Hetzner DNS API token for cert-manager DNS-01; present when addons.certManager.hetznerDns. */
    hetznerDnsToken?: pulumi.Output<string>;
    /** SMTP password and webhook/Slack URLs of the alert receivers. */
    alerting: pulumi.Output<AlertingSecretValues>;
}

/** Configuration plus secrets of one stack. */
export interface LoadedConfig {
    /** Validated plain configuration. */
    config: PlatformConfig;
    /** Secret values. */
    secrets: PlatformSecrets;
}

/** Wraps the raw secret strings as Pulumi secrets. */
export function wrapSecrets(config: PlatformConfig, secretRaw: Partial<Record<SecretKey, string>>): PlatformSecrets {
    const secret = (key: SecretKey) => pulumi.secret(secretRaw[key] ?? "");
    const baremetal = [config.servers, ...config.pools].some((p) => p.kind === "baremetal");
    return {
        robot: baremetal ? { user: secret("robotUser"), password: secret("robotPassword") } : undefined,
        etcdS3: { accessKey: secret("etcdS3AccessKey"), secretKey: secret("etcdS3SecretKey") },
        backupS3:
            backupCredentialsReason(config) !== undefined
                ? { accessKey: secret("backupS3AccessKey"), secretKey: secret("backupS3SecretKey") }
                : undefined,
        billingS3: config.billing.ledger.target === "own" ? { accessKey: secret("billingS3AccessKey"), secretKey: secret("billingS3SecretKey") } : undefined,
        hetznerDnsToken: config.addons.certManager.hetznerDns ? secret("hetznerDnsToken") : undefined,
        alerting: pulumi.secret(alertingSecretValues(secretRaw.alertingSecrets)),
    };
}

function alertingSecretValues(raw: string | undefined): AlertingSecretValues {
    const decoded = raw === undefined ? {} : (decodeConfigValue(raw) as Partial<AlertingSecretValues>);
    return { ...(decoded.smtpPassword !== undefined ? { smtpPassword: decoded.smtpPassword } : {}), urls: { ...(decoded.urls ?? {}) } };
}

/** Loads the current stack's configuration from the Pulumi runtime. */
export function loadPlatformConfig(): LoadedConfig {
    const raw = pulumi.runtime.allConfig() as Record<string, string>;
    const source = `Pulumi.${pulumi.getStack()}.yaml`;
    const { config, secretRaw } = parsePlatformConfig(raw, source);
    return { config, secrets: wrapSecrets(config, secretRaw) };
}
