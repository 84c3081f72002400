import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, asRecord } from "../../lib/values";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";

/**
 * No hostPort: it binds the node's address, bypassing Services, NetworkPolicies and the firewall's view of
 * which nodes serve what (Pod Security Standards, baseline).
 */
export const workloadNoHostPorts: ResourceValidationPolicy = {
    name: "workload-no-host-ports",
    description: "Containers must not bind host ports.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ containers }, report) => {
        for (const ref of containers) {
            for (const entry of asArray(ref.container.ports)) {
                const port = asRecord(entry) ?? {};
                if (port.hostPort !== undefined && port.hostPort !== null && port.hostPort !== 0) {
                    report(`${describeContainer(ref)} binds hostPort ${String(port.hostPort)}`);
                }
            }
        }
    }),
};
