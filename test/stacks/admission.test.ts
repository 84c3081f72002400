import { describe, expect, it } from "vitest";
import type { IValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import type { IValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { ADMISSION_POLICY_NAMES } from "../../components/guardrails/admission-policies";
import { SANDBOX_POLICY_NAME } from "../../components/project/sandbox";
import { admit, RESOURCE_OF_KIND } from "../../tools/offline/admission";
import { validateObject } from "../helpers/k8s-schema";
import { readManifests, STACKS } from "../helpers/plans";

/**
 * The admission policies as each shipped stack plans them, run (CEL evaluated offline) over every object that
 * stack puts into a tenant namespace: the platform's own tenant objects must pass its own guardrails, or the
 * first real `up` would be refused by the API server.
 */
describe.each(STACKS)("admission policies of stack %s", (stack) => {
    const objects = readManifests(stack) as Array<Record<string, any>>;
    const policies = objects.filter((o) => o.kind === "ValidatingAdmissionPolicy") as IValidatingAdmissionPolicy[];
    const bindings = objects.filter((o) => o.kind === "ValidatingAdmissionPolicyBinding") as IValidatingAdmissionPolicyBinding[];
    const tenantNamespaces = new Map(objects.filter((o) => o.kind === "Namespace" && o.metadata?.labels?.["platform/tenant"] === "true").map((o) => [o.metadata.name as string, o]));

    it("plans every guardrail policy with its binding", () => {
        for (const name of [...Object.values(ADMISSION_POLICY_NAMES), SANDBOX_POLICY_NAME]) {
            expect(policies.map((p) => p.metadata?.name)).toContain(name);
            expect(bindings.find((b) => b.spec?.policyName === name)?.spec?.validationActions).toEqual(["Deny"]);
        }
        expect(tenantNamespaces.size).toBeGreaterThan(0);
        for (const object of [...policies, ...bindings]) {
            expect(validateObject(object).status, object.metadata?.name).toBe("valid");
        }
    });

    it("admits every object the stack puts into a tenant namespace", () => {
        const guarded = new Set(policies.flatMap((p) => (p.spec?.matchConstraints?.resourceRules ?? []).flatMap((r) => r.resources ?? [])));
        // Every resource a policy guards is known to the offline REST mapping, so no guarded object is skipped below.
        // Subresources (pods/ephemeralcontainers) are requests on a running pod, never objects a stack creates.
        expect([...guarded].filter((r) => !r.includes("/") && !Object.values(RESOURCE_OF_KIND).includes(r))).toEqual([]);
        const denied: string[] = [];
        let checked = 0;
        for (const object of objects) {
            const namespace = tenantNamespaces.get(object.metadata?.namespace);
            if (!namespace || !RESOURCE_OF_KIND[object.kind]) {
                continue;
            }
            for (const policy of policies) {
                const binding = bindings.find((b) => b.spec?.policyName === policy.metadata?.name)!;
                const decision = admit(policy, binding, { object, namespaceObject: namespace, operation: "CREATE" });
                checked += decision.matched ? 1 : 0;
                if (!decision.allowed) {
                    denied.push(`${object.kind} ${object.metadata.namespace}/${object.metadata.name}: ${decision.messages.join("; ")}`);
                }
            }
        }
        expect(denied).toEqual([]);
        expect(checked).toBeGreaterThan(tenantNamespaces.size);
    });
});
