import { describe, expect, it } from "vitest";
import type { PlannedResource } from "../../tools/offline/plan-types";
import { evaluatePolicies } from "../../policy/offline";
import { tenancyPodPlacement } from "../../policy/rules/tenancy/pod-placement";
import { compliantPodSpec, platformNamespace, tenantNamespace, workload } from "../helpers/policy-fixtures";

/**
 * `tenancy-pod-placement` outside the happy path (found by `npm run mutation -- policy-pod-placement`): the
 * admission tests only ever place workloads in tenant namespaces with every value known.
 */

/** The SDK's error class is recognised by name (policy/lib/values.ts). */
class UnknownValueError extends Error {}

const messagesOf = (resources: PlannedResource[]) => evaluatePolicies(resources, {}, { policies: [tenancyPodPlacement] }).map((v) => v.message);
const pinned = (name: string, namespace: string) => workload("Deployment", name, namespace, { ...compliantPodSpec(), nodeName: "fsn1-server-0" });

describe("tenancy-pod-placement", () => {
    it("reports a tenant workload pinned to a node, naming it, and leaves a platform namespace's workload alone", () => {
        expect(messagesOf([tenantNamespace("shop"), platformNamespace("traefik"), pinned("web", "shop"), pinned("proxy", "traefik")])).toEqual([expect.stringMatching(/^Deployment "shop\/web" .*nodeName fsn1-server-0/)]);
        expect(messagesOf([tenantNamespace("shop"), platformNamespace("traefik"), pinned("proxy", "traefik")])).toEqual([]);
    });

    it("skips a workload whose spec is unknown at preview (it runs again after the update) and judges the others", () => {
        const unknown = pinned("later", "shop");
        const inputs = { ...unknown.inputs };
        Object.defineProperty(inputs, "spec", { enumerable: true, get: () => { throw new UnknownValueError("spec is unknown during preview"); } });
        expect(messagesOf([tenantNamespace("shop"), { ...unknown, inputs }])).toEqual([]);
        expect(messagesOf([tenantNamespace("shop"), { ...unknown, inputs }, pinned("web", "shop")])).toHaveLength(1);
    });
});
