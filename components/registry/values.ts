import type { Output } from "@pulumi/pulumi";
import type { PlatformConfig } from "../../lib/config/schema";
import { PLATFORM_REGISTRY, STORAGE_CLASSES } from "../../lib/conventions";
import { registryClusterIp } from "../../lib/registry";
import { chartValues, type Values } from "../../charts/versions";

/** Helm release name of Harbor. */
export const HARBOR_RELEASE = "harbor";

/** Secrets the platform writes before the release, so `helm upgrade` never rotates them (the chart would). */
export const HARBOR_SECRETS = {
    /** Admin password (`HARBOR_ADMIN_PASSWORD`): the configurator Job logs in with it. */
    admin: { name: "harbor-admin", key: "HARBOR_ADMIN_PASSWORD" },
    /** Core's encryption key of stored credentials (`secretKey`, 16 characters). */
    secretKey: { name: "harbor-secret-key", key: "secretKey" },
    /**
     * The credential core and jobservice use against the distribution backend (`harbor-registry:5000`), which
     * accepts nothing else: `registry.credentials.existingSecret`, keys `REGISTRY_PASSWD` (the password) and
     * `REGISTRY_HTPASSWD` (`<user>:<bcrypt>`), harbor-helm v1.19.1 templates/core/core-dpl.yaml,
     * jobservice-dpl.yaml, registry/registry-dpl.yaml. The chart's default is a published password.
     */
    registryCredentials: { name: "harbor-registry-credentials", passwordKey: "REGISTRY_PASSWD", htpasswdKey: "REGISTRY_HTPASSWD" },
} as const;

/** User of the distribution backend's htpasswd (not secret; the chart's default is `harbor_registry_user`). */
export const REGISTRY_BACKEND_USER = "harbor-core";

/** Sizes of Harbor's own volumes beside the image layers (`platform:addons.registry.storageSize`). */
const SMALL_VOLUMES = { jobLog: "1Gi", database: "2Gi", redis: "1Gi", trivy: "5Gi" } as const;

/**
 * Harbor's values for a stack: the fixed ClusterIP and external URL every client uses, every volume on Longhorn
 * (`standard`, the layers on `platform:addons.registry.storageSize`), the admin password, secret key and
 * backend credential from Secrets the component writes, the internal database's password (the chart reads it
 * from `database.internal.password` only: it has no existingSecret for the internal database at v1.19.1; the
 * component passes a secret Output there, so only that value is secret in the release's inputs), Trivy on,
 * metrics scraped.
 */
export function renderHarborValues(config: PlatformConfig, databasePassword: string | Output<string>): Values {
    const registry = config.addons.registry;
    const claim = (size: string) => ({ storageClass: STORAGE_CLASSES.standard, accessMode: "ReadWriteOnce", size });
    return chartValues("harbor", {
        expose: { clusterIP: { name: PLATFORM_REGISTRY.service, staticClusterIP: registryClusterIp(config.cluster.serviceCidr) } },
        externalURL: `http://${PLATFORM_REGISTRY.host}`,
        existingSecretAdminPassword: HARBOR_SECRETS.admin.name,
        existingSecretAdminPasswordKey: HARBOR_SECRETS.admin.key,
        existingSecretSecretKey: HARBOR_SECRETS.secretKey.name,
        registry: { credentials: { username: REGISTRY_BACKEND_USER, existingSecret: HARBOR_SECRETS.registryCredentials.name } },
        database: { internal: { password: databasePassword } },
        persistence: {
            persistentVolumeClaim: {
                registry: claim(registry.storageSize),
                jobservice: { jobLog: claim(SMALL_VOLUMES.jobLog) },
                database: claim(SMALL_VOLUMES.database),
                redis: claim(SMALL_VOLUMES.redis),
                trivy: claim(SMALL_VOLUMES.trivy),
            },
        },
    });
}
