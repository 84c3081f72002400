import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

/** procMount Default: `Unmasked` exposes /proc paths the runtime masks (Pod Security Standards, baseline). */
export const workloadProcMount: ResourceValidationPolicy = {
    name: "workload-proc-mount",
    description: "Containers must use the Default procMount.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ containers }, report) => {
        for (const ref of containers) {
            const procMount = ref.securityContext.procMount;
            if (procMount !== undefined && procMount !== null && procMount !== "Default") {
                report(`${describeContainer(ref)} sets procMount: ${String(procMount)}`);
            }
        }
    }),
};
