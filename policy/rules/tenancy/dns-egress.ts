import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, isEmptySelector, specOf } from "../../lib/kubernetes";
import { resourcesInNamespace } from "../../lib/namespaces";
import { rulesOf } from "../../lib/network-policy";
import { forTenantNamespaces } from "../../lib/rule-helpers";
import { asString, whenKnown } from "../../lib/values";

/** The DNS port. */
export const DNS_PORT = 53;

/**
 * Each tenant namespace allows DNS egress (UDP 53) for all its pods (`podSelector: {}`): with default-deny in
 * place, pods without it cannot resolve any name, Services included.
 */
export const tenancyDnsEgress: StackValidationPolicy = {
    name: "tenancy-dns-egress",
    description: "Every tenant namespace must allow DNS egress (UDP 53) for all pods.",
    enforcementLevel: "mandatory",
    severity: "medium",
    configSchema: configSchemaFor("platformNamespaces"),
    validateStack: forTenantNamespaces(({ resources, tenants }, report) => {
        for (const tenant of tenants) {
            const allowsDns = resourcesInNamespace(resources, K8S_TYPES.networkPolicy, tenant.name).some((policy) =>
                whenKnown(() => {
                    const spec = specOf(policy.props);
                    return (
                        isEmptySelector(spec.podSelector) &&
                        rulesOf(spec, "egress").some((rule) =>
                            rule.ports.some((port) => (asString(port.protocol) ?? "TCP").toUpperCase() === "UDP" && (port.port === DNS_PORT || port.port === String(DNS_PORT))),
                        )
                    );
                }, true),
            );
            if (!allowsDns) {
                report(`tenant namespace "${tenant.name}" has no NetworkPolicy allowing DNS egress (UDP ${DNS_PORT}) for all pods`, tenant.resource.urn);
            }
        }
    }),
};
