import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asRecord, asStrings, dropsAll, normaliseCapability } from "../../lib/values";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";
import { buildExceptionProblems } from "../../lib/build-exception";

/** The only capability a container may add back (binding ports below 1024). */
export const ALLOWED_ADDED_CAPABILITIES: readonly string[] = ["NET_BIND_SERVICE"];

/**
 * Capabilities: drop ALL, add at most NET_BIND_SERVICE (Pod Security Standards, restricted); rootless BuildKit in
 * a platform build pod meeting the build exception keeps SETUID/SETGID for its set-uid id-map helpers.
 */
export const workloadCapabilities: ResourceValidationPolicy = {
    name: "workload-capabilities",
    description: "Containers must drop ALL capabilities and add at most NET_BIND_SERVICE.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ containers, podSpec, namespace, podLabels }, report) => {
        for (const ref of containers) {
            if (buildExceptionProblems(namespace, podSpec, ref, podLabels).length === 0) {
                continue; // rootless BuildKit of a platform build (policy/lib/catalogue.ts BUILD_EXCEPTION)
            }
            const capabilities = asRecord(ref.securityContext.capabilities) ?? {};
            if (!asStrings(capabilities.drop).some(dropsAll)) {
                report(`${describeContainer(ref)} does not drop ALL capabilities`);
            }
            const added = asStrings(capabilities.add).filter((c) => !ALLOWED_ADDED_CAPABILITIES.includes(normaliseCapability(c)));
            if (added.length > 0) {
                report(`${describeContainer(ref)} adds capabilities ${added.join(", ")}`);
            }
        }
    }),
};
