import { describe, expect, it } from "vitest";
import type { PlannedResource } from "../../tools/offline/plan-types";
import { tenancyDefaultDenyNetworkPolicy } from "../../policy/rules/tenancy/default-deny-network-policy";
import { evaluatePolicies } from "../../policy/offline";
import { compliantTenant, networkPolicy, tenantRbac } from "../helpers/policy-fixtures";

/**
 * Preview-time unknowns in stack policies: a value the engine does not know yet throws the SDK's
 * UnknownValueError when read. A stack policy gives such a resource the benefit of the doubt (it runs again
 * after the update, with every value known) and judges the rest as usual.
 */

/** The SDK's error class is recognised by name (policy/lib/values.ts). */
class UnknownValueError extends Error {}

/** The resource with `spec` unknown: reading it throws as the policy SDK's proxy does. */
function withUnknownSpec(resource: PlannedResource): PlannedResource {
    const props = { ...resource.inputs };
    Object.defineProperty(props, "spec", { enumerable: true, get: () => { throw new UnknownValueError("spec is unknown during preview"); } });
    return { ...resource, inputs: props };
}

/** This rule alone: the resource rules of the pack do not take unknowns as stack rules do. */
const messagesOf = (resources: PlannedResource[]) => evaluatePolicies(resources, {}, { policies: [tenancyDefaultDenyNetworkPolicy] }).map((v) => v.message);
const tenantWithoutDeny = () => [...compliantTenant("shop"), ...tenantRbac("shop")].filter((r) => r.name !== "shop-networkpolicy-default-deny");

describe("tenancy-default-deny-network-policy with unknown values", () => {
    it("takes a tenant policy whose spec is unknown at preview for a default deny in both directions", () => {
        const unknownDeny = withUnknownSpec(networkPolicy("shop", "default-deny", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress"], ingress: [{}] }));
        expect(messagesOf([...tenantWithoutDeny(), unknownDeny])).toEqual([]);
    });

    it("still reports the namespace when no policy at all denies by default", () => {
        const allowWeb = networkPolicy("shop", "allow-web", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] });
        expect(messagesOf([...tenantWithoutDeny(), allowWeb])).toEqual(['tenant namespace "shop" has no default-deny NetworkPolicy for Ingress and Egress']);
    });
});
