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
} as const;

/** Sizes of Harbor's own volumes beside the image layers (`platform:addons.registry.storageSize`). */
const SMALL_VOLUMES = { jobLog: "1Gi", database: "2Gi", redis: "1Gi", trivy: "5Gi" } as const;

/**
 * Harbor's values for a stack: the fixed ClusterIP and external URL every client uses, every volume on Longhorn
 * (`standard`, the layers on `platform:addons.registry.storageSize`), the admin password and secret key from
 * Secrets the component writes, Trivy on, metrics scraped.
 */
export function renderHarborValues(config: PlatformConfig): Values {
    const registry = config.addons.registry;
    const claim = (size: string) => ({ storageClass: STORAGE_CLASSES.standard, accessMode: "ReadWriteOnce", size });
    return chartValues("harbor", {
        expose: { clusterIP: { name: PLATFORM_REGISTRY.service, staticClusterIP: registryClusterIp(config.cluster.serviceCidr) } },
        externalURL: `http://${PLATFORM_REGISTRY.host}`,
        existingSecretAdminPassword: HARBOR_SECRETS.admin.name,
        existingSecretAdminPasswordKey: HARBOR_SECRETS.admin.key,
        existingSecretSecretKey: HARBOR_SECRETS.secretKey.name,
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
