import type { PlatformConfig } from "../../lib/config/schema";
import type { NodeSpec } from "../nodes/node-plan";
import { CHARTS, chartValues, type Values } from "../../charts/versions";
import { CONTROL_PLANE_TOLERATIONS } from "../nodes/placement";
import { resources, sizingProfile, type ResourceBlock, type WorkloadResources } from "../../charts/resources";

/**
 * kubelet-csr-approver approves the kubelets' serving-certificate CSRs (`kubernetes.io/kubelet-serving`),
 * which every node requests because k3s runs the kubelet with `rotate-server-certificates=true`; without an
 * approver `kubectl logs/exec/port-forward`, metrics-server and HPA fail against every node. It approves a
 * CSR only when the requester is `system:node:<name>`, the one DNS name is that node name and matches the
 * provider regex (exactly this stack's node names), and every IP address lies in the tailnet ranges (k3s
 * registers nodes with their tailnet address as node-ip); anything else is denied.
 */

/** Helm release name (also the Deployment's name). */
export const KUBELET_CSR_APPROVER_RELEASE = "kubelet-csr-approver";

/** The namespace the chart runs in (PSA-exempt; it holds the cluster's own controllers). */
export const KUBELET_CSR_APPROVER_NAMESPACE = "kube-system";

/**
 * Addresses a kubelet may put into its serving certificate: Tailscale's CGNAT IPv4 range and its IPv6 ULA
 * prefix (every node IP the cluster knows is a tailnet address).
 */
export const TAILNET_IP_PREFIXES = ["100.64.0.0/10", "fd7a:115c:a1e0::/48"] as const;

/** Regex matching exactly the given node names (anchored, dots and dashes escaped). */
export function nodeNameRegex(nodes: readonly Pick<NodeSpec, "hostname">[]): string {
    const names = [...new Set(nodes.map((n) => n.hostname))].sort();
    if (names.length === 0) {
        throw new Error("kubelet-csr-approver needs at least one node name");
    }
    for (const name of names) {
        if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name)) {
            throw new Error(`node name "${name}" is not a DNS label; the CSR approver's regex would not match it`);
        }
    }
    return `^(${names.join("|")})$`;
}

/** Resources of the approver (a small controller watching CSRs). */
export function kubeletCsrApproverSizing(): ResourceBlock {
    return resources("10m", "48Mi", "128Mi");
}

/** Replicas: one on small stacks, two (leader election) elsewhere. */
export function kubeletCsrApproverReplicas(config: PlatformConfig): number {
    return sizingProfile(config) === "small" ? 1 : 2;
}

/** Values of the approver release for this stack's nodes: on the servers, which are Ready first. */
export function renderKubeletCsrApproverValues(config: PlatformConfig, nodes: readonly Pick<NodeSpec, "hostname">[]): Values {
    return chartValues("kubeletCsrApprover", {
        // The chart's default (its appVersion) made explicit: each release publishes chart X.Y.Z with image vX.Y.Z.
        image: { tag: `v${CHARTS.kubeletCsrApprover.version}` },
        providerRegex: nodeNameRegex(nodes),
        providerIpPrefixes: [...TAILNET_IP_PREFIXES],
        replicas: kubeletCsrApproverReplicas(config),
        resources: kubeletCsrApproverSizing(),
        nodeSelector: { "node-role.kubernetes.io/control-plane": "true" },
        tolerations: CONTROL_PLANE_TOLERATIONS,
    });
}

/** The approver's workload for the sizing report. */
export function kubeletCsrApproverWorkloads(config: PlatformConfig): WorkloadResources[] {
    return [
        {
            addon: "kubelet-csr-approver",
            workload: KUBELET_CSR_APPROVER_RELEASE,
            kind: "Deployment",
            pods: kubeletCsrApproverReplicas(config),
            containers: { "kubelet-csr-approver": kubeletCsrApproverSizing() },
        },
    ];
}
