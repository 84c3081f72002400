import { describe, expect, it } from "vitest";
import type { PlannedResource } from "../../tools/offline/plan-types";
import { tenancyDefaultDenyNetworkPolicy } from "../../policy/rules/tenancy/default-deny-network-policy";
import { messagesOfRule, networkPolicy, tenancyFixtureWithout, withUnknown } from "../helpers/policy-fixtures";

/**
 * Preview-time unknowns in stack policies: a value the engine does not know yet throws the SDK's
 * UnknownValueError when read. A stack policy gives such a resource the benefit of the doubt (it runs again
 * after the update, with every value known) and judges the rest as usual.
 */

const messagesOf = (resources: PlannedResource[]) => messagesOfRule(tenancyDefaultDenyNetworkPolicy, resources);
const tenantWithoutDeny = () => tenancyFixtureWithout(["shop-networkpolicy-default-deny"]);

describe("tenancy-default-deny-network-policy with unknown values", () => {
    it("takes a tenant policy whose spec is unknown at preview for a default deny in both directions", () => {
        const unknownDeny = withUnknown(networkPolicy("shop", "default-deny", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress"], ingress: [{}] }), "spec");
        expect(messagesOf([...tenantWithoutDeny(), unknownDeny])).toEqual([]);
    });

    it("still reports the namespace when no policy at all denies by default", () => {
        const allowWeb = networkPolicy("shop", "allow-web", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] });
        expect(messagesOf([...tenantWithoutDeny(), allowWeb])).toEqual(['tenant namespace "shop" has no default-deny NetworkPolicy for Ingress and Egress']);
    });
});
