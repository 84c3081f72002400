import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forWorkloads } from "../../lib/rule-helpers";

/**
 * Advisory: pods set automountServiceAccountToken: false; a mounted token is an API credential for anyone
 * who gets code execution in the pod, and tenant apps do not talk to the Kubernetes API.
 */
export const workloadNoServiceAccountToken: ResourceValidationPolicy = {
    name: "workload-no-service-account-token",
    description: "Pods should set automountServiceAccountToken: false.",
    enforcementLevel: "advisory",
    severity: "low",
    validateResource: forWorkloads(({ podSpec }, report) => {
        if (podSpec.automountServiceAccountToken !== false) {
            report("pod does not set automountServiceAccountToken: false");
        }
    }),
};
