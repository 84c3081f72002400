import { describe, expect, it } from "vitest";
import { validateObject } from "../helpers/k8s-schema";
import { readManifests, STACKS } from "../helpers/plans";

/**
 * Kinds no `@kubernetes-models/*` package describes. They are listed here with the reason, reported on every
 * run, and any other kind without a schema fails the test.
 */
const UNSCHEMED_KINDS: Record<string, string> = {
    "metallb.io/v1beta1/IPAddressPool": "no @kubernetes-models package for MetalLB CRDs",
    "metallb.io/v1beta1/L2Advertisement": "no @kubernetes-models package for MetalLB CRDs",
    "longhorn.io/v1beta2/RecurringJob": "no @kubernetes-models package for Longhorn CRDs",
};

describe.each(STACKS)("Kubernetes objects of stack %s", (stack) => {
    const objects = readManifests(stack);

    it("has objects to validate", () => {
        expect(objects.length).toBeGreaterThan(0);
    });

    it("validates every object against the Kubernetes OpenAPI schemas", () => {
        const results = objects.map(validateObject);
        const invalid = results.filter((r) => r.status === "invalid");
        expect(invalid.map((r) => `${r.id}: ${r.error}`)).toEqual([]);
        const unschemed = results.filter((r) => r.status === "no-schema");
        const unknown = unschemed.filter((r) => !UNSCHEMED_KINDS[r.id.split(" ")[0]!]);
        expect(unknown.map((r) => r.id), "objects without any schema: add a CRD model or list the kind with a reason").toEqual([]);
        const skipped = [...new Set(unschemed.map((r) => r.id.split(" ")[0]!))];
        if (skipped.length > 0) {
            console.info(`[${stack}] not schema-checked (${unschemed.length} objects): ${skipped.map((k) => `${k} (${UNSCHEMED_KINDS[k]})`).join("; ")}`);
        }
        expect(results.filter((r) => r.status === "valid").length).toBeGreaterThan(unschemed.length);
    });
});
