import { describe, expect, it } from "vitest";
import { ACME_SOLVER_IMAGE, renderRuntimeClass, renderSandboxPolicy, renderSandboxPolicyBinding, SANDBOX_POLICY_NAME } from "../../../components/project/sandbox";
import { projectContext } from "../../../components/project/common";
import { renderNamespace } from "../../../components/project/namespace";
import { planNodes } from "../../../components/nodes/node-plan";
import { validateObject } from "../../helpers/k8s-schema";
import { project, stackPlatformConfig, TENANT_STACKS } from "./fixtures";

describe("gVisor sandbox", () => {
    it("is the RuntimeClass gvisor with the runsc handler, scheduled onto gVisor nodes", () => {
        const runtimeClass = renderRuntimeClass();
        expect(runtimeClass).toMatchObject({ metadata: { name: "gvisor" }, handler: "runsc" });
        expect(runtimeClass.scheduling?.nodeSelector).toEqual({ "platform/gvisor": "true" });
        expect(runtimeClass.scheduling?.tolerations).toEqual([{ key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" }]);
    });

    it("schedules onto nodes that exist: every stack labels its tenant nodes platform/gvisor", () => {
        for (const stack of TENANT_STACKS) {
            const nodes = planNodes(stackPlatformConfig(stack), stack);
            const tenantNodes = nodes.filter((n) => n.pool === "run");
            expect(tenantNodes.length, stack).toBeGreaterThan(0);
            expect(tenantNodes.every((n) => n.labels["platform/gvisor"] === "true"), stack).toBe(true);
        }
    });

    it("admits pods in untrusted tenant namespaces only with runtimeClassName gvisor", () => {
        const policy = renderSandboxPolicy();
        expect(policy.spec?.failurePolicy).toBe("Fail");
        expect(policy.spec?.matchConstraints?.resourceRules).toEqual([{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] }]);
        expect(policy.spec?.validations).toEqual([expect.objectContaining({ expression: "has(object.spec.runtimeClassName) && object.spec.runtimeClassName == 'gvisor'", reason: "Forbidden" })]);
        const exemption = policy.spec?.matchConditions?.[0]?.expression ?? "";
        expect(exemption).toContain("'acme.cert-manager.io/http01-solver' in object.metadata.labels");
        expect(exemption).toContain(`c.image.startsWith('${ACME_SOLVER_IMAGE}')`);
        expect(exemption).toContain("!has(c.command)");
        expect(exemption.startsWith("!(")).toBe(true);
    });

    it("binds to exactly the namespaces the Project labels untrusted", () => {
        const binding = renderSandboxPolicyBinding();
        expect(binding.spec).toEqual({
            policyName: SANDBOX_POLICY_NAME,
            validationActions: ["Deny"],
            matchResources: { namespaceSelector: { matchLabels: { "platform/tenant": "true", "platform/trust": "untrusted" } } },
        });
        const selector = binding.spec!.matchResources!.namespaceSelector!.matchLabels!;
        const matches = (labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
        const config = stackPlatformConfig("dev");
        expect(matches(renderNamespace(projectContext(project({ trust: "untrusted" }), config)).metadata!.labels!)).toBe(true);
        expect(matches(renderNamespace(projectContext(project({ trust: "trusted" }), config)).metadata!.labels!)).toBe(false);
    });

    it("validates against the Kubernetes schemas", () => {
        for (const object of [renderRuntimeClass(), renderSandboxPolicy(), renderSandboxPolicyBinding()]) {
            expect(validateObject(object)).toMatchObject({ status: "valid" });
        }
    });
});
