import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { LABELS, NAMESPACES, PROMETHEUS_POD_LABELS } from "../../lib/conventions";
import { HARBOR_RELEASE } from "./values";

/**
 * Labels every pod of the Harbor release carries (harbor-helm v1.19.1 templates/_helpers.tpl `harbor.matchLabels`:
 * `release: <release>`, `app: harbor`), the front's `component` label (templates/nginx/deployment.yaml) and the
 * port its container listens on without TLS (`containerPort: 8080`; the Service's port 80 maps to it).
 */
export const HARBOR_PODS = {
    labels: { release: HARBOR_RELEASE, app: "harbor" },
    front: { component: "nginx" },
    frontPort: 8080,
    /** Metrics port of core, registry, jobservice and the exporter (values.yaml `metrics.*.port`). */
    metricsPort: 8001,
} as const;

const policy = (name: string, spec: INetworkPolicy["spec"]): INetworkPolicy => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: NAMESPACES.registry, labels: { [LABELS.managedBy]: "pulumi" } },
    spec,
});

/**
 * Ingress of the `registry` namespace: nothing reaches a Harbor pod but another Harbor pod, except the front
 * (nginx), which every client reaches on its one port (nodes' containerd from the host network, builds, the
 * configurator; the front authenticates every request), and Prometheus on the metrics port. The backends
 * (distribution on 5000, core, PostgreSQL, Redis, Trivy, jobservice) are then unreachable from build pods even
 * with their credentials. Egress stays open: Trivy fetches its databases, jobservice runs replications.
 */
export function renderRegistryNetworkPolicies(): INetworkPolicy[] {
    return [
        policy("default-deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] }),
        policy("allow-harbor-internal", {
            podSelector: { matchLabels: { ...HARBOR_PODS.labels } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ podSelector: { matchLabels: { ...HARBOR_PODS.labels } } }] }],
        }),
        policy("allow-harbor-front", {
            podSelector: { matchLabels: { ...HARBOR_PODS.labels, ...HARBOR_PODS.front } },
            policyTypes: ["Ingress"],
            ingress: [{ ports: [{ protocol: "TCP", port: HARBOR_PODS.frontPort }] }],
        }),
        policy("allow-prometheus", {
            podSelector: { matchLabels: { ...HARBOR_PODS.labels } },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACES.monitoring } }, podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } } }],
                    ports: [{ protocol: "TCP", port: HARBOR_PODS.metricsPort }],
                },
            ],
        }),
    ];
}
