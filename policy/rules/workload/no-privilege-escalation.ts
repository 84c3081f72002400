import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

/**
 * allowPrivilegeEscalation must be explicitly false: the default (true) lets setuid binaries and file
 * capabilities raise privileges inside the container (Pod Security Standards, restricted).
 */
export const workloadNoPrivilegeEscalation: ResourceValidationPolicy = {
    name: "workload-no-privilege-escalation",
    description: "Containers must set securityContext.allowPrivilegeEscalation: false.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ containers }, report) => {
        for (const ref of containers) {
            if (ref.securityContext.allowPrivilegeEscalation !== false) {
                report(`${describeContainer(ref)} does not set allowPrivilegeEscalation: false`);
            }
        }
    }),
};
