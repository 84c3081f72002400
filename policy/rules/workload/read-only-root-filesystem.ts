import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

/**
 * Advisory: a read-only root filesystem (writable paths as emptyDir mounts) keeps an intruder from
 * persisting tools or rewriting the app's code.
 */
export const workloadReadOnlyRootFilesystem: ResourceValidationPolicy = {
    name: "workload-read-only-root-filesystem",
    description: "Containers should set readOnlyRootFilesystem: true.",
    enforcementLevel: "advisory",
    severity: "low",
    validateResource: forWorkloads(({ containers }, report) => {
        for (const ref of containers.filter((c) => c.kind !== "ephemeralContainers")) {
            if (ref.securityContext.readOnlyRootFilesystem !== true) {
                report(`${describeContainer(ref)} does not set readOnlyRootFilesystem: true`);
            }
        }
    }),
};
