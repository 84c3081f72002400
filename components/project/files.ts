import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import type { ConfigMapSpec, ContainerSpec } from "../../lib/tenants/schema";
import { TMP_DIR_SIZE } from "../../lib/tenants/footprint";
import { APP_SECRET, objectMeta, SHARED_COMPONENT, type ProjectContext } from "./common";

/**
 * Files and scratch space of tenant containers: the project's ConfigMaps, its secret values mounted as
 * read-only files (keys of the `app-secrets` Secret projected under chosen file names) and the emptyDirs of
 * `tmpDirs`. Volume names carry the container's prefix so a sidecar's mounts never collide with the service's.
 */

/** Mode of secret files: owner and the pod's fsGroup may read, nobody writes (0440). */
export const SECRET_FILE_MODE = 0o440;
/** Mode of ConfigMap files (0444). */
export const CONFIG_FILE_MODE = 0o444;

/** A ConfigMap of the project. */
export function renderConfigMap(ctx: ProjectContext, configMap: ConfigMapSpec): IConfigMap {
    return { apiVersion: "v1", kind: "ConfigMap", metadata: objectMeta(ctx, configMap.name, SHARED_COMPONENT), data: { ...configMap.data } };
}

/** The volume-name prefix of a container's own volumes: none for a pod's main container. */
export function volumePrefix(containerName: string | undefined): string {
    return containerName ? `${containerName}-` : "";
}

/** The volumes a container brings to its pod (tmpDirs and files). */
export function containerVolumes(container: Pick<ContainerSpec, "tmpDirs" | "files">, prefix: string): IVolume[] {
    return [
        ...container.tmpDirs.map((_, index): IVolume => ({ name: `${prefix}tmp-${index}`, emptyDir: { sizeLimit: TMP_DIR_SIZE } })),
        ...container.files.map((file, index): IVolume => ({
            name: `${prefix}files-${index}`,
            ...(file.secret
                ? {
                      secret: {
                          secretName: APP_SECRET,
                          defaultMode: SECRET_FILE_MODE,
                          items: Object.entries(file.secret)
                              .sort(([a], [b]) => a.localeCompare(b))
                              .map(([path, key]) => ({ key, path })),
                      },
                  }
                : { configMap: { name: file.configMap!, defaultMode: CONFIG_FILE_MODE } }),
        })),
    ];
}

/** The mounts of a container's tmpDirs and files (files read-only). */
export function containerMounts(container: Pick<ContainerSpec, "tmpDirs" | "files">, prefix: string): IVolumeMount[] {
    return [
        ...container.tmpDirs.map((mountPath, index) => ({ name: `${prefix}tmp-${index}`, mountPath })),
        ...container.files.map((file, index) => ({ name: `${prefix}files-${index}`, mountPath: file.mountPath, readOnly: true })),
    ];
}
