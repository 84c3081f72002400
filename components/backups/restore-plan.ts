// The restores a project declares and the backup URL Longhorn reads, apart from the VolumeRestores component
// (volume-restores.ts): the backup drill and the database admission tests use them without the Pulumi SDKs.
import type { PlatformConfig } from "../../lib/config/schema";
import type { TENANT_STORAGE_CLASSES } from "../../lib/conventions";
import type { ProjectSpec, ServiceSpec } from "../../lib/tenants/schema";
import { backupTarget } from "../longhorn/values";
import { projectContext } from "../project/common";
import { claimName } from "../project/volumes";
import { redisClaimName, redisGroupName } from "../project/redis";

/** One declared restore: the claim it fills and the backup it reads. */
export interface VolumeRestore {
    /** Tenant namespace. */
    namespace: string;
    /** The claim restored (`<volume>-<service>-<ordinal>`). */
    claim: string;
    /** The tenant volume class the restored claim keeps. */
    class: keyof typeof TENANT_STORAGE_CLASSES;
    /** Longhorn backup name. */
    backup: string;
    /** Longhorn volume the backup is of. */
    volume: string;
}

/** The restores a project declares: service volumes, and every member claim of a restored Redis generation (all from the one backup). */
export function volumeRestoresOf(project: ProjectSpec, config: PlatformConfig): VolumeRestore[] {
    const { namespace } = projectContext(project, config);
    const volumes = project.services.flatMap((service: ServiceSpec) =>
        service.volumes.flatMap((volume) =>
            volume.restore ? [{ namespace, claim: claimName(service, volume, volume.restore.ordinal), class: volume.class, backup: volume.restore.backup, volume: volume.restore.volume }] : [],
        ),
    );
    const redis = project.redis;
    const members = redis?.restore
        ? Array.from({ length: redis.replicas }, (_, ordinal) => ({ namespace, claim: redisClaimName(redisGroupName(redis), ordinal), class: redis.class, backup: redis.restore!.backup, volume: redis.restore!.volume }))
        : [];
    return [...volumes, ...members];
}

/** The backup URL Longhorn reads (`<target>?backup=<name>&volume=<volume>`, query keys in Go's url.Values order). */
export function longhornBackupUrl(config: PlatformConfig, restore: Pick<VolumeRestore, "backup" | "volume">): string {
    return `${backupTarget(config).url}?backup=${restore.backup}&volume=${restore.volume}`;
}
