import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord } from "../../lib/values";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

const present = (value: unknown) => value !== undefined && value !== null && value !== "";

/**
 * CPU and memory requests plus a memory limit on every container and init container: requests let the
 * scheduler and the ResourceQuota account for the pod, the memory limit keeps one tenant from exhausting a
 * node. (Ephemeral containers cannot declare resources; Kubernetes rejects them there.)
 */
export const workloadResources: ResourceValidationPolicy = {
    name: "workload-resources",
    description: "Containers must request CPU and memory and limit memory.",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: forWorkloads(({ containers }, report) => {
        for (const ref of containers.filter((c) => c.kind !== "ephemeralContainers")) {
            const resources = asRecord(ref.container.resources) ?? {};
            const requests = asRecord(resources.requests) ?? {};
            const limits = asRecord(resources.limits) ?? {};
            const missing = [
                ...(present(requests.cpu) ? [] : ["requests.cpu"]),
                ...(present(requests.memory) ? [] : ["requests.memory"]),
                ...(present(limits.memory) ? [] : ["limits.memory"]),
            ];
            if (missing.length > 0) {
                report(`${describeContainer(ref)} does not set resources ${missing.join(", ")}`);
            }
        }
    }),
};
