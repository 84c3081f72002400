import type { ResourceValidationPolicy } from "@pulumi/policy";
import { volumesOf } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

/** Volume sources the Pod Security Standard `restricted` allows. */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = [
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/**
 * Only the restricted volume types: other sources (hostPath, nfs, iscsi, rbd, cephfs, …) reach storage or
 * hosts outside the tenant's quota and the cluster's access control.
 */
export const workloadRestrictedVolumeTypes: ResourceValidationPolicy = {
    name: "workload-restricted-volume-types",
    description: `Pod volumes must be one of: ${RESTRICTED_VOLUME_TYPES.join(", ")}.`,
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ podSpec }, report) => {
        for (const { name, volume } of volumesOf(podSpec)) {
            const sources = Object.keys(volume).filter((key) => key !== "name" && volume[key] !== undefined && volume[key] !== null);
            for (const source of sources.filter((s) => !RESTRICTED_VOLUME_TYPES.includes(s))) {
                report(`volume "${name}" uses the ${source} volume type`);
            }
        }
    }),
};
