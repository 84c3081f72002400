// Apart from load.ts, which reads them through the Pulumi SDK: the offline tools and the test fixtures that only
// need the names stay free of the SDK (its index costs seconds to load in every test worker).

/** Secret `platform:*` keys; never part of the plain config model. */
export const SECRET_KEYS = [
    "robotUser",
    "robotPassword",
    "etcdS3AccessKey",
    "etcdS3SecretKey",
    "backupS3AccessKey",
    "backupS3SecretKey",
    "billingS3AccessKey",
    "billingS3SecretKey",
    "hetznerDnsToken",
    "tenantSecrets",
    "alertingSecrets",
] as const;

/** Name of a secret `platform:*` key. */
export type SecretKey = (typeof SECRET_KEYS)[number];
