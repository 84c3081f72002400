import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, specOf } from "../../lib/kubernetes";
import { SMTP_PORTS, ruleLeavesCluster, rulesOf, tcpPortsHit } from "../../lib/network-policy";
import { forTenantObjects } from "../../lib/rule-helpers";

/**
 * Tenant egress never opens a mail port (SMTP_PORTS: 25, 465, 587, 2525): mail sent from the platform's addresses gets them blocklisted for
 * every tenant. A rule that leaves the cluster without a port list opens every port, SMTP included.
 */
export const tenancyEgressNoSmtp: ResourceValidationPolicy = {
    name: "tenancy-egress-no-smtp",
    description: `Tenant NetworkPolicy egress must not allow SMTP ports ${SMTP_PORTS.join("/")}.`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateResource: forTenantObjects([K8S_TYPES.networkPolicy], (args, report) => {
        for (const rule of rulesOf(specOf(args.props), "egress")) {
            if (rule.ports.length === 0) {
                if (ruleLeavesCluster(rule)) {
                    report(`egress rule ${rule.index} allows every port outside the cluster, SMTP ${SMTP_PORTS.join("/")} included`);
                }
                continue;
            }
            const hit = tcpPortsHit(rule, SMTP_PORTS);
            if (hit.length > 0) {
                report(`egress rule ${rule.index} allows SMTP port ${hit.join(", ")}`);
            }
        }
    }),
};
