import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forWorkloads } from "../../lib/rule-helpers";

/** Host namespaces a pod must not share: each lets it see or impersonate the node's processes or network. */
export const HOST_NAMESPACE_FIELDS = ["hostNetwork", "hostPID", "hostIPC"] as const;

/** No hostNetwork, hostPID or hostIPC (Pod Security Standards, baseline). */
export const workloadNoHostNamespaces: ResourceValidationPolicy = {
    name: "workload-no-host-namespaces",
    description: "Pods must not share the host's network, PID or IPC namespace.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: forWorkloads(({ podSpec }, report) => {
        for (const field of HOST_NAMESPACE_FIELDS) {
            if (podSpec[field] === true) {
                report(`pod sets ${field}: true`);
            }
        }
    }),
};
