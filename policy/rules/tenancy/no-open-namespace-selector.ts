import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, specOf } from "../../lib/kubernetes";
import { rulesOf, selectsEveryNamespace } from "../../lib/network-policy";
import { forTenantObjects } from "../../lib/rule-helpers";

/**
 * No `namespaceSelector: {}` peers in tenant NetworkPolicies: an empty selector means "every namespace", which
 * opens the tenant to (or lets it reach) every other tenant. Peers must name namespaces by label.
 */
export const tenancyNoOpenNamespaceSelector: ResourceValidationPolicy = {
    name: "tenancy-no-open-namespace-selector",
    description: "Tenant NetworkPolicies must not allow traffic from or to every namespace (namespaceSelector: {}).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateResource: forTenantObjects([K8S_TYPES.networkPolicy], (args, report) => {
        const spec = specOf(args.props);
        for (const direction of ["ingress", "egress"] as const) {
            for (const rule of rulesOf(spec, direction)) {
                rule.peers.forEach((peer, index) => {
                    if (selectsEveryNamespace(peer)) {
                        report(`${direction} rule ${rule.index} peer ${index + 1} selects every namespace (namespaceSelector: {})`);
                    }
                });
            }
        }
    }),
};
