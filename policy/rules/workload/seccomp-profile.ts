import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord, asString } from "../../lib/values";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";
import { buildExceptionProblems } from "../../lib/build-exception";

/** Seccomp profile types that filter syscalls. */
export const ALLOWED_SECCOMP_TYPES: readonly string[] = ["RuntimeDefault", "Localhost"];

const seccompType = (securityContext: Record<string, unknown>) => asString(asRecord(securityContext.seccompProfile)?.type);

/**
 * Seccomp RuntimeDefault or Localhost for every container (its own profile or the pod's); `Unconfined` is
 * refused at either level (Pod Security Standards, restricted), except for rootless BuildKit in a platform build
 * pod that meets every condition of the build exception (policy/lib/build-exception.ts).
 */
export const workloadSeccompProfile: ResourceValidationPolicy = {
    name: "workload-seccomp-profile",
    description: "Pods must run with seccomp profile RuntimeDefault or Localhost.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ containers, podSecurityContext, podSpec, namespace, podLabels }, report) => {
        const podType = seccompType(podSecurityContext);
        if (podType !== undefined && !ALLOWED_SECCOMP_TYPES.includes(podType)) {
            report(`pod securityContext sets seccompProfile.type: ${podType}`);
        }
        for (const ref of containers) {
            const own = seccompType(ref.securityContext);
            if (own === "Unconfined" && buildExceptionProblems(namespace, podSpec, ref, podLabels).length === 0) {
                continue; // rootless BuildKit of a platform build (policy/lib/catalogue.ts BUILD_EXCEPTION)
            }
            if (own !== undefined && !ALLOWED_SECCOMP_TYPES.includes(own)) {
                report(`${describeContainer(ref)} sets seccompProfile.type: ${own}`);
            } else if (own === undefined && podType === undefined) {
                report(`${describeContainer(ref)} has no seccomp profile (set RuntimeDefault on the pod or the container)`);
            }
        }
    }),
};
