import { describe, expect, it } from "vitest";
import {
    kubeletCsrApproverWorkloads,
    nodeNameRegex,
    renderKubeletCsrApproverValues,
    TAILNET_IP_PREFIXES,
} from "../../../components/kubelet-csr-approver/values";
import { planNodes } from "../../../components/nodes/node-plan";
import { CHARTS } from "../../../charts/versions";
import { shippedConfig } from "../../charts/fixtures";

const dev = shippedConfig("dev");
const fsn1 = shippedConfig("fsn1");

/** The approver's DNS-name check (internal/controller/regex_ip_checks.go@v1.2.14): prefixed by the node name, then the provider regex. */
function approverAcceptsDnsName(values: Record<string, any>, nodeName: string, dnsName: string): boolean {
    return dnsName.startsWith(nodeName) && new RegExp(values.providerRegex as string).test(dnsName);
}

describe("kubelet-csr-approver values", () => {
    it("approve exactly the stack's node names and nothing that merely starts or ends with one", () => {
        const nodes = planNodes(fsn1, "fsn1");
        const values = renderKubeletCsrApproverValues(fsn1, nodes);
        for (const node of nodes) {
            expect(approverAcceptsDnsName(values, node.hostname, node.hostname), node.hostname).toBe(true);
            expect(approverAcceptsDnsName(values, node.hostname, `${node.hostname}.attacker.example`)).toBe(false);
            expect(approverAcceptsDnsName(values, node.hostname, `${node.hostname}x`)).toBe(false);
        }
        // Another stack's node (same naming scheme) and a name outside the plan are refused.
        expect(approverAcceptsDnsName(values, "hel1-run-0", "hel1-run-0")).toBe(false);
        expect(approverAcceptsDnsName(values, "fsn1-run-99", "fsn1-run-99")).toBe(false);
    });

    it("hold IP SANs to the tailnet ranges with DNS resolution bypassed (node names resolve nowhere in-cluster)", () => {
        const values = renderKubeletCsrApproverValues(dev, planNodes(dev, "dev"));
        expect(values).toMatchObject({ bypassDnsResolution: true, bypassHostnameCheck: false, allowedDnsNames: 1, skipDenyStep: false, ignoreNonSystemNode: false });
        expect(values.providerIpPrefixes).toEqual(["100.64.0.0/10", "fd7a:115c:a1e0::/48"]);
        expect(TAILNET_IP_PREFIXES).toContain("100.64.0.0/10");
    });

    it("pin the image to the chart's release and run on the servers, tolerating their taint", () => {
        const values = renderKubeletCsrApproverValues(fsn1, planNodes(fsn1, "fsn1"));
        expect(values.image).toEqual({ repository: "ghcr.io/postfinance/kubelet-csr-approver", tag: `v${CHARTS.kubeletCsrApprover.version}` });
        expect(values.nodeSelector).toEqual({ "node-role.kubernetes.io/control-plane": "true" });
        expect(values.tolerations).toEqual([{ key: "CriticalAddonsOnly", operator: "Exists" }]);
        expect(values.replicas).toBe(2);
        expect(values.leaderElection).toBe(true);
        expect(renderKubeletCsrApproverValues(dev, planNodes(dev, "dev")).replicas).toBe(1);
    });

    it("size the workload from the same block the values carry", () => {
        const values = renderKubeletCsrApproverValues(dev, planNodes(dev, "dev"));
        const [workload] = kubeletCsrApproverWorkloads(dev);
        expect(workload!.containers["kubelet-csr-approver"]).toEqual(values.resources);
        expect(workload!.pods).toBe(values.replicas);
    });

    it("refuse names a DNS label cannot hold and an empty node list", () => {
        expect(() => nodeNameRegex([])).toThrow(/at least one node/);
        expect(() => nodeNameRegex([{ hostname: "a|.*" }])).toThrow(/not a DNS label/);
    });
});
