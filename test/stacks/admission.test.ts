import { describe, expect, it } from "vitest";
import type { IValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import type { IValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { ADMISSION_POLICY_NAMES } from "../../components/guardrails/admission-policies";
import { SANDBOX_POLICY_NAME } from "../../components/project/sandbox";
import { RESTORE_STORAGE_CLASS } from "../../lib/conventions";
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

    // Review 19, findings 2 and 3, against the policies as this stack plans them.
    const deniedBy = (object: Record<string, any>, namespace: Record<string, any>) =>
        policies.filter((policy) => !admit(policy, bindings.find((b) => b.spec?.policyName === policy.metadata?.name)!, { object, namespaceObject: namespace, operation: "CREATE" }).allowed).map((p) => p.metadata?.name);

    it("refuses a claim in one tenant namespace on another project's restore StorageClass", () => {
        const [own, namespace] = [...tenantNamespaces][0]!;
        const other = "another-project";
        const claim = (storageClassName: string) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data-web-0", namespace: own }, spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: "1Gi" } } } });
        expect(deniedBy(claim(RESTORE_STORAGE_CLASS.name(other, "data-web-0")), namespace)).toEqual([ADMISSION_POLICY_NAMES.volumes]);
        expect(deniedBy(claim(RESTORE_STORAGE_CLASS.name(own, "data-web-0")), namespace)).toEqual([]);
    });

    // fsn1 ships one (caracal, untrusted); the other stacks plan no Redis.
    it.skipIf(stack !== "fsn1")("refuses a planned RedisReplication with an exec probe added (its pods run outside gVisor)", () => {
        const group = objects.find((o) => o.kind === "RedisReplication")!;
        expect(group?.metadata?.namespace).toBe("caracal");
        const namespace = tenantNamespaces.get(group.metadata.namespace)!;
        expect(deniedBy(group, namespace)).toEqual([]);
        const probed = { ...group, spec: { ...group.spec, livenessProbe: { exec: { command: ["sh", "-c", "id"] } } } };
        expect(deniedBy(probed, namespace)).toEqual([ADMISSION_POLICY_NAMES.redis]);
    });
});
