import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

/**
 * Non-root: every container runs with `runAsNonRoot: true` (its own or the pod's), and no level sets
 * `runAsUser: 0` (Pod Security Standards, restricted). Root in a container is root on the node after any
 * escape.
 */
export const workloadRunAsNonRoot: ResourceValidationPolicy = {
    name: "workload-run-as-non-root",
    description: "Containers must run as non-root: runAsNonRoot true and runAsUser not 0.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ containers, podSecurityContext }, report) => {
        if (podSecurityContext.runAsUser === 0) {
            report("pod securityContext sets runAsUser: 0");
        }
        for (const ref of containers) {
            const nonRoot = ref.securityContext.runAsNonRoot ?? podSecurityContext.runAsNonRoot;
            if (nonRoot !== true) {
                report(`${describeContainer(ref)} does not run with runAsNonRoot: true (set it on the container or the pod)`);
            }
            if (ref.securityContext.runAsUser === 0) {
                report(`${describeContainer(ref)} sets runAsUser: 0`);
            }
        }
    }),
};
