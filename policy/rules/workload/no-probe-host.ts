import type { ResourceValidationPolicy } from "@pulumi/policy";
import { HOST_HANDLERS, LIFECYCLE_HOOKS, PROBE_FIELDS } from "../../lib/catalogue";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";
import { asRecord, asString } from "../../lib/values";

/**
 * Probes and lifecycle hooks target the pod itself: a `host` makes the kubelet, from the node and outside every
 * NetworkPolicy, call any address (the metadata service, the API server, a neighbour). Pod Security baseline
 * forbids it only from Kubernetes 1.34 (pod-security-admission policy/check_hostProbesAndhostLifecycle.go).
 */
export const workloadNoProbeHost: ResourceValidationPolicy = {
    name: "workload-no-probe-host",
    description: "Probes and lifecycle hooks must not set a host.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ containers }, report) => {
        for (const ref of containers) {
            const handlers: Array<[string, unknown]> = [
                ...PROBE_FIELDS.map((field): [string, unknown] => [field, ref.container[field]]),
                ...LIFECYCLE_HOOKS.map((hook): [string, unknown] => [`lifecycle.${hook}`, asRecord(ref.container.lifecycle)?.[hook]]),
            ];
            for (const [where, handler] of handlers) {
                for (const kind of HOST_HANDLERS) {
                    const host = asString(asRecord(asRecord(handler)?.[kind])?.host) ?? "";
                    if (host !== "") {
                        report(`${describeContainer(ref)} ${where}.${kind}.host is ${host}`);
                    }
                }
            }
        }
    }),
};
