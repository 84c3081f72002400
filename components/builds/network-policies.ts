import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { TENANT_EGRESS_EXCEPT_IPV4 } from "../../lib/network-rules";

/**
 * The builds namespace's network: a build runs tenant code (Dockerfile `RUN` steps, Railpack's install and build
 * commands), so its pods get a tenant's network and less: no ingress at all; egress only to cluster DNS, the
 * platform registry's front end (Harbor's nginx, behind the `harbor` Service: pushes and Harbor's token service)
 * and the internet on HTTP(S) (the git source, base images, package registries), never to private, tailnet,
 * link-local (cloud metadata) or other reserved ranges — so no Harbor backend (its distribution with the chart's
 * internal htpasswd, its database), no Loki, Prometheus, Longhorn or API server, no SMTP. Pure.
 */

/** Harbor's nginx pods (goharbor/harbor-helm v1.19.1 templates/nginx/deployment.yaml labels, the `harbor` Service's targetPort). */
export const HARBOR_FRONT_END = { labels: { app: "harbor", component: "nginx" }, port: 8080 } as const;

/** Internet ports a build may reach: HTTP and HTTPS (git over HTTPS, registries, package indexes). */
export const BUILD_INTERNET_PORTS: readonly number[] = [80, 443];

const meta = (name: string) => ({ name, namespace: NAMESPACES.builds, labels: { [LABELS.managedBy]: "pulumi" } });
const namespacePeer = (namespace: string, podLabels: Record<string, string>) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } }, podSelector: { matchLabels: podLabels } });

/** The NetworkPolicies of the builds namespace, default-deny first. */
export function renderBuildNetworkPolicies(): INetworkPolicy[] {
    return [
        { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta("default-deny"), spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: meta("allow-build-egress"),
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: [namespacePeer(NAMESPACES.kubeSystem, { "k8s-app": "kube-dns" })],
                        ports: [
                            { protocol: "UDP", port: 53 },
                            { protocol: "TCP", port: 53 },
                        ],
                    },
                    { to: [namespacePeer(NAMESPACES.registry, HARBOR_FRONT_END.labels)], ports: [{ protocol: "TCP", port: HARBOR_FRONT_END.port }] },
                    { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...TENANT_EGRESS_EXCEPT_IPV4] } }], ports: BUILD_INTERNET_PORTS.map((port) => ({ protocol: "TCP" as const, port })) },
                ],
            },
        },
    ];
}
