import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { clusterEgressExcept } from "../../lib/network-rules";
import { HARBOR_PODS } from "../registry/network-policies";

/** Internet ports a build may use: git over HTTPS, base images and package registries. */
export const BUILD_INTERNET_PORTS = [80, 443] as const;

const policy = (name: string, spec: INetworkPolicy["spec"]): INetworkPolicy => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: NAMESPACES.builds, labels: { [LABELS.managedBy]: "pulumi" } },
    spec,
});

/**
 * The network of the `builds` namespace, where tenant code runs (a Dockerfile `RUN`, Railpack's install and build
 * steps): everything denied, then DNS to CoreDNS, the Harbor front (nginx, which authenticates every push with the
 * project's robot; never distribution's backend port or Harbor's database), and the public internet on 80/443 with
 * the tenants' `except` list (no private, tailnet, cluster or link-local address: not the kube-apiserver, Loki,
 * Prometheus, Longhorn or the cloud metadata address; no SMTP). Nothing reaches a build pod.
 */
export function renderBuildNetworkPolicies(cluster: { clusterCidr: string; serviceCidr: string }): INetworkPolicy[] {
    return [
        policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy("allow-dns", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACES.kubeSystem } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
            ],
        }),
        policy("allow-registry-front", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACES.registry } }, podSelector: { matchLabels: { ...HARBOR_PODS.labels, ...HARBOR_PODS.front } } }],
                    ports: [{ protocol: "TCP", port: HARBOR_PODS.frontPort }],
                },
            ],
        }),
        policy("allow-egress-internet-web", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: clusterEgressExcept(cluster) } }], ports: BUILD_INTERNET_PORTS.map((port) => ({ protocol: "TCP", port })) }],
        }),
    ];
}
