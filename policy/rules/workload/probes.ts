import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeContainer, isBatchWorkloadType } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

/**
 * Advisory: long-running containers declare readiness and liveness probes, so traffic only reaches ready pods
 * and a wedged process is restarted. Jobs and CronJobs run to completion and are not checked.
 */
export const workloadProbes: ResourceValidationPolicy = {
    name: "workload-probes",
    description: "Long-running containers should declare readiness and liveness probes.",
    enforcementLevel: "advisory",
    severity: "low",
    validateResource: forWorkloads(({ type, containers, args }, report) => {
        if (isBatchWorkloadType(type)) {
            args.notApplicable("Jobs and CronJobs run to completion");
        }
        for (const ref of containers.filter((c) => c.kind === "containers")) {
            const missing = ["readinessProbe", "livenessProbe"].filter((probe) => ref.container[probe] === undefined || ref.container[probe] === null);
            if (missing.length > 0) {
                report(`${describeContainer(ref)} has no ${missing.join(" or ")}`);
            }
        }
    }),
};
