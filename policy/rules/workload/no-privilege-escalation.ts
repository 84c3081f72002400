import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";
import { buildExceptionProblems } from "../../lib/build-exception";

/**
 * allowPrivilegeEscalation must be explicitly false: the default (true) lets setuid binaries and file
 * capabilities raise privileges inside the container (Pod Security Standards, restricted). The one exception is
 * rootless BuildKit in a platform build pod meeting every condition of the build exception: its set-uid
 * newuidmap/newgidmap need escalation, bounded to SETUID/SETGID (policy/lib/build-exception.ts).
 */
export const workloadNoPrivilegeEscalation: ResourceValidationPolicy = {
    name: "workload-no-privilege-escalation",
    description: "Containers must set securityContext.allowPrivilegeEscalation: false.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ containers, podSpec, namespace, podLabels }, report) => {
        for (const ref of containers) {
            if (ref.securityContext.allowPrivilegeEscalation !== false && buildExceptionProblems(namespace, podSpec, ref, podLabels).length > 0) {
                report(`${describeContainer(ref)} does not set allowPrivilegeEscalation: false`);
            }
        }
    }),
};
