import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPeer } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer";
import type { INetworkPolicyPort } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort";
import { LABELS, MINIO_ENDPOINT, NAMESPACES, PROMETHEUS_POD_LABELS, TRAEFIK } from "../../lib/conventions";
import { serviceHosts } from "../../lib/tenants/load";
import { clusterEgressExcept, TENANT_EGRESS_EXCEPT_IPV4 } from "../../lib/network-rules";
import { objectMeta, selectorLabels, SHARED_COMPONENT, type ProjectContext } from "./common";
import { DATABASE_COMPONENT } from "./database";
import type { ServiceSpec } from "../../lib/tenants/schema";
import { podPorts } from "./workloads";
import { passthroughPortName } from "./routes";
import { REDIS_POD_EXCLUSION } from "./redis";

/**
 * The network isolation of a project. Everything is denied (ingress and egress, every pod), then allowed:
 *
 * - DNS to CoreDNS in kube-system (UDP/TCP 53);
 * - any traffic between the project's own pods (same namespace, nothing else);
 * - ingress from the Traefik pods (namespace traefik) to each public service, on the ports Traefik forwards
 *   to it only (main port, passthrough TLS port, public TCP/UDP ports); to the cert-manager HTTP-01 solver
 *   when the stack solves challenges over HTTP;
 * - ingress from Prometheus (namespace monitoring) to each service's metrics port;
 * - egress to MinIO (namespace minio, port 9000) when the project has a bucket;
 * - egress to the public internet on TCP 80/443 only, never to private, tailnet, cluster or link-local
 *   (cloud metadata) addresses. Mail ports are never open, so no tenant can send spam from the platform's
 *   IPs; other ports only through the tenant file's `egress.ports` (SMTP refused by validation).
 *   The database pod gets no internet egress at all.
 *
 * Every namespace selector names one namespace by `kubernetes.io/metadata.name`; none is empty.
 */

/**
 * Address ranges no tenant pod may reach through the internet allow rule: private, tailnet, loopback, the
 * whole link-local range (cloud metadata), multicast and reserved (lib/network-rules.ts). The rule is IPv4
 * only, so no IPv6 destination is reachable at all.
 */
export const EGRESS_EXCEPT = TENANT_EGRESS_EXCEPT_IPV4;

/** The internet ports every project may use. */
export const INTERNET_PORTS = [80, 443] as const;

/** Port the cert-manager HTTP-01 solver pods listen on. */
export const ACME_SOLVER_PORT = 8089;

const namespacePeer = (namespace: string, podLabels?: Readonly<Record<string, string>>): INetworkPolicyPeer => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
    ...(podLabels ? { podSelector: { matchLabels: { ...podLabels } } } : {}),
});

const tcp = (port: number): INetworkPolicyPort => ({ protocol: "TCP", port });

/** The `except` list of the internet rule: the fixed ranges plus cluster CIDRs configured outside them. */
export function egressExcept(ctx: ProjectContext): string[] {
    return clusterEgressExcept(ctx.config.cluster);
}

function policy(ctx: ProjectContext, name: string, component: string, spec: INetworkPolicy["spec"]): INetworkPolicy {
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: objectMeta(ctx, name, component), spec };
}

/**
 * The ports Traefik forwards to a service: the main port behind its Ingress, the TLS port of a passthrough
 * service, and each public TCP/UDP port behind its entry point.
 */
export function traefikPorts(service: ServiceSpec): INetworkPolicyPort[] {
    const ports: INetworkPolicyPort[] = [];
    const pod = podPorts(service);
    const passthrough = passthroughPortName(service);
    if (service.expose?.public && passthrough === undefined && service.port !== undefined) {
        ports.push(tcp(service.port));
    }
    const tlsPort = pod.find((p) => p.name === passthrough);
    if (tlsPort) {
        ports.push(tcp(tlsPort.port));
    }
    for (const p of pod.filter((q) => q.public)) {
        ports.push({ protocol: p.protocol, port: p.port });
    }
    return ports;
}

/** Every NetworkPolicy of the project, default-deny first. */
export function renderNetworkPolicies(ctx: ProjectContext): INetworkPolicy[] {
    const { project } = ctx;
    const policies: INetworkPolicy[] = [
        policy(ctx, "default-deny", SHARED_COMPONENT, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy(ctx, "allow-dns", SHARED_COMPONENT, {
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
            ],
        }),
        policy(ctx, "allow-same-namespace", SHARED_COMPONENT, {
            podSelector: project.redis ? REDIS_POD_EXCLUSION : {},
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [{ podSelector: {} }] }],
            egress: [{ to: [{ podSelector: {} }] }],
        }),
    ];

    const publicServices = project.services.filter((s) => serviceHosts(project, s.name, ctx.config.domain).length > 0);
    for (const service of project.services) {
        const ports = traefikPorts(service);
        if (ports.length > 0) {
            policies.push(
                policy(ctx, `allow-traefik-${service.name}`, service.name, {
                    podSelector: { matchLabels: selectorLabels(ctx, service.name) },
                    policyTypes: ["Ingress"],
                    ingress: [{ from: [namespacePeer(NAMESPACES.traefik, TRAEFIK.podLabels)], ports }],
                }),
            );
        }
    }
    if (publicServices.length > 0 && !ctx.config.addons.certManager.hetznerDns) {
        // cert-manager starts its HTTP-01 solver pod in this namespace; Traefik must reach it.
        policies.push(
            policy(ctx, "allow-acme-http01-solver", SHARED_COMPONENT, {
                podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [namespacePeer(NAMESPACES.traefik, TRAEFIK.podLabels)], ports: [tcp(ACME_SOLVER_PORT)] }],
            }),
        );
    }
    for (const service of project.services.filter((s) => s.metrics)) {
        policies.push(
            policy(ctx, `allow-prometheus-${service.name}`, service.name, {
                podSelector: { matchLabels: selectorLabels(ctx, service.name) },
                policyTypes: ["Ingress"],
                ingress: [{ from: [namespacePeer(NAMESPACES.monitoring, PROMETHEUS_POD_LABELS)], ports: [tcp(service.metrics!.port)] }],
            }),
        );
    }

    const notDatabase = { matchExpressions: [{ key: LABELS.service, operator: "NotIn", values: [DATABASE_COMPONENT] }] };
    const internet: INetworkPolicyPeer = { ipBlock: { cidr: "0.0.0.0/0", except: egressExcept(ctx) } };
    policies.push(
        policy(ctx, "allow-egress-internet-web", SHARED_COMPONENT, {
            podSelector: notDatabase,
            policyTypes: ["Egress"],
            egress: [{ to: [internet], ports: INTERNET_PORTS.map(tcp) }],
        }),
    );
    if (project.egress) {
        policies.push(
            policy(ctx, "allow-egress-internet-extra", SHARED_COMPONENT, {
                podSelector: notDatabase,
                policyTypes: ["Egress"],
                egress: [{ to: [internet], ports: project.egress.ports.map((p) => ({ protocol: p.protocol, port: p.port })) }],
            }),
        );
    }
    if (project.bucket) {
        policies.push(
            policy(ctx, "allow-egress-minio", SHARED_COMPONENT, {
                podSelector: notDatabase,
                policyTypes: ["Egress"],
                egress: [{ to: [namespacePeer(NAMESPACES.minio)], ports: [tcp(MINIO_ENDPOINT.port)] }],
            }),
        );
    }
    return policies;
}
