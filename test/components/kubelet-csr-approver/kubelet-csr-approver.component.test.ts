import { beforeAll, describe, expect, it } from "vitest";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { named, planComponent } from "../../helpers/component-plan";
import { planNodes } from "../../../components/nodes/node-plan";
import { shippedConfig } from "../../charts/fixtures";

let plan: StackPlan;
const config = shippedConfig("fsn1");

beforeAll(async () => {
    plan = await planComponent(async (provider) => {
        const { KubeletCsrApprover } = await import("../../../components/kubelet-csr-approver/kubelet-csr-approver");
        const approver = new KubeletCsrApprover("approver", { config, nodes: planNodes(config, "test") }, { provider });
        return { release: approver.releaseName };
    });
});

describe("kubelet-csr-approver component", () => {
    it("installs the pinned chart into kube-system under the component, atomically", () => {
        expect(named(plan, "approver").type).toBe("platform:addons:KubeletCsrApprover");
        const release = named(plan, "approver-release");
        expect(release.parent).toBe(named(plan, "approver").urn);
        expect(release.inputs).toMatchObject({
            chart: "kubelet-csr-approver",
            version: "1.2.14",
            repositoryOpts: { repo: "https://postfinance.github.io/kubelet-csr-approver" },
            namespace: "kube-system",
            atomic: true,
        });
        expect((release.inputs.values as { providerRegex: string }).providerRegex).toBe(`^(${planNodes(config, "test").map((n) => n.hostname).sort().join("|")})$`);
        expect(plan.outputs.release).toBe("kubelet-csr-approver");
    });
});
