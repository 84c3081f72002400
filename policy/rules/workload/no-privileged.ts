import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

/**
 * No privileged containers: a privileged container has every capability and the host's devices, i.e. it owns
 * the node (Pod Security Standards, baseline).
 */
export const workloadNoPrivileged: ResourceValidationPolicy = {
    name: "workload-no-privileged",
    description: "Containers must not run privileged.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: forWorkloads(({ containers }, report) => {
        for (const ref of containers) {
            if (ref.securityContext.privileged === true) {
                report(`${describeContainer(ref)} sets securityContext.privileged: true`);
            }
        }
    }),
};
