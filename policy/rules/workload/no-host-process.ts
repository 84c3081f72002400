import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";
import { asRecord } from "../../lib/values";

/**
 * No Windows HostProcess containers: they run as a process on the node with its network and file system
 * (Pod Security Standards baseline, pod-security-admission policy/check_windowsHostProcess.go). The platform runs
 * no Windows nodes; the field is refused anyway so a pod spec cannot wait for one.
 */
export const workloadNoHostProcess: ResourceValidationPolicy = {
    name: "workload-no-host-process",
    description: "Pods and containers must not set windowsOptions.hostProcess.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: forWorkloads(({ podSecurityContext, containers }, report) => {
        if (asRecord(podSecurityContext.windowsOptions)?.hostProcess === true) {
            report("pod sets windowsOptions.hostProcess: true");
        }
        for (const ref of containers) {
            if (asRecord(ref.securityContext.windowsOptions)?.hostProcess === true) {
                report(`${describeContainer(ref)} sets windowsOptions.hostProcess: true`);
            }
        }
    }),
};
