import type { ResourceValidationPolicy } from "@pulumi/policy";
import { volumesOf } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

/** No hostPath volumes: a host directory mounted into a pod reads or rewrites the node (container escape). */
export const workloadNoHostPath: ResourceValidationPolicy = {
    name: "workload-no-host-path",
    description: "Pods must not mount hostPath volumes.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: forWorkloads(({ podSpec }, report) => {
        for (const { name, volume } of volumesOf(podSpec)) {
            if (volume.hostPath !== undefined && volume.hostPath !== null) {
                report(`volume "${name}" is a hostPath volume`);
            }
        }
    }),
};
