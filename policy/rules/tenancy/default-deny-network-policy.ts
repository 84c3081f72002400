import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, isEmptySelector, specOf } from "../../lib/kubernetes";
import { resourcesInNamespace } from "../../lib/namespaces";
import { policyTypesOf, rulesOf } from "../../lib/network-policy";
import { forTenantNamespaces } from "../../lib/rule-helpers";
import { whenKnown } from "../../lib/values";

/**
 * Each tenant namespace has a default-deny NetworkPolicy for both directions: `podSelector: {}`, policyTypes
 * Ingress and Egress, and no rules. Everything a tenant may talk to is then an explicit allow on top.
 * (One policy for both directions or one per direction both count.)
 */
export const tenancyDefaultDenyNetworkPolicy: StackValidationPolicy = {
    name: "tenancy-default-deny-network-policy",
    description: "Every tenant namespace must have a default-deny ingress and egress NetworkPolicy (podSelector {}, no rules).",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: configSchemaFor("platformNamespaces"),
    validateStack: forTenantNamespaces(({ resources, tenants }, report) => {
        for (const tenant of tenants) {
            const denied = { Ingress: false, Egress: false };
            for (const policy of resourcesInNamespace(resources, K8S_TYPES.networkPolicy, tenant.name)) {
                // A policy with values unknown at preview gets the benefit of the doubt; the stack policies run
                // again after the update, when every value is known.
                const unknown = whenKnown(() => {
                    const spec = specOf(policy.props);
                    if (isEmptySelector(spec.podSelector)) {
                        const types = policyTypesOf(spec);
                        denied.Ingress ||= types.includes("Ingress") && rulesOf(spec, "ingress").length === 0;
                        denied.Egress ||= types.includes("Egress") && rulesOf(spec, "egress").length === 0;
                    }
                    return false;
                }, true);
                if (unknown) {
                    denied.Ingress = denied.Egress = true;
                }
            }
            const open = (["Ingress", "Egress"] as const).filter((direction) => !denied[direction]);
            if (open.length > 0) {
                report(`tenant namespace "${tenant.name}" has no default-deny NetworkPolicy for ${open.join(" and ")}`, tenant.resource.urn);
            }
        }
    }),
};
