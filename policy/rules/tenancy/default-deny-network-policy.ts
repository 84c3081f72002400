import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { defaultDeniedDirections } from "../../lib/network-policy";
import { forTenantNamespaces } from "../../lib/rule-helpers";

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
            const denied = defaultDeniedDirections(resources, tenant.name);
            const open = (["Ingress", "Egress"] as const).filter((direction) => !denied[direction]);
            if (open.length > 0) {
                report(`tenant namespace "${tenant.name}" has no default-deny NetworkPolicy for ${open.join(" and ")}`, tenant.resource.urn);
            }
        }
    }),
};
