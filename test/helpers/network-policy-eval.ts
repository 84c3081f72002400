import * as net from "node:net";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { ILabelSelector } from "@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector";

/**
 * A small evaluator of Kubernetes NetworkPolicy semantics (networking.k8s.io/v1, as the docs define them) for
 * tests: a connection is allowed when the source pod's namespace lets it out (no policy selecting the pod with
 * policyType Egress, or one of their egress rules matches) and the destination pod's namespace lets it in (the
 * same for Ingress). Peers: `podSelector` alone is the policy's namespace, `namespaceSelector` (with an optional
 * `podSelector`) other namespaces, `ipBlock` addresses outside the pod network (a host, the internet). Services
 * are resolved by the caller: policies see the destination pod after kube-proxy's DNAT. Pure (no vitest).
 */

/** A pod, or an address outside the pod network (`ip` only: a node's host network, the internet). */
export type Endpoint = { namespace: string; labels: Readonly<Record<string, string>> } | { ip: string };

/** A destination port. */
export interface Port {
    port: number;
    protocol?: "TCP" | "UDP";
}

function selects(selector: ILabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
    if (selector === undefined) {
        return true;
    }
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const byExpressions = (selector.matchExpressions ?? []).every((e) => {
        const value = labels[e.key];
        switch (e.operator) {
            case "In":
                return value !== undefined && (e.values ?? []).includes(value);
            case "NotIn":
                return value === undefined || !(e.values ?? []).includes(value);
            case "Exists":
                return value !== undefined;
            case "DoesNotExist":
                return value === undefined;
            default:
                throw new Error(`unknown selector operator ${e.operator}`);
        }
    });
    return byLabels && byExpressions;
}

function inCidr(ip: string, cidr: string): boolean {
    const [base, bits] = cidr.split("/");
    const list = new net.BlockList();
    list.addSubnet(base!, Number(bits), net.isIPv6(base!) ? "ipv6" : "ipv4");
    return list.check(ip, net.isIPv6(ip) ? "ipv6" : "ipv4");
}

type Peer = NonNullable<NonNullable<INetworkPolicy["spec"]>["ingress"]>[number]["from"] extends (infer P)[] | undefined ? P : never;

function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint, namespaceLabels: (name: string) => Record<string, string>): boolean {
    if ("ip" in other) {
        return peer.ipBlock !== undefined && inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e) => inCidr(other.ip, e));
    }
    if (peer.ipBlock !== undefined) {
        return false;
    }
    const namespaceOk = peer.namespaceSelector === undefined ? other.namespace === policyNamespace : selects(peer.namespaceSelector, namespaceLabels(other.namespace));
    return namespaceOk && selects(peer.podSelector, other.labels);
}

function portMatches(ports: Array<{ port?: number | string; protocol?: string; endPort?: number }> | undefined, port: Port): boolean {
    if (ports === undefined || ports.length === 0) {
        return true;
    }
    return ports.some((p) => (p.protocol ?? "TCP") === (port.protocol ?? "TCP") && (p.port === undefined || (typeof p.port === "number" && port.port >= p.port && port.port <= (p.endPort ?? p.port))));
}

function typesOf(policy: INetworkPolicy): string[] {
    return policy.spec?.policyTypes ?? ["Ingress", ...(policy.spec?.egress ? ["Egress"] : [])];
}

/** Whether the policies let `source` open a connection to `destination` on `port`. */
export function connectionAllowed(policies: readonly INetworkPolicy[], source: Endpoint, destination: Endpoint, port: Port): boolean {
    const namespaceLabels = (name: string) => ({ "kubernetes.io/metadata.name": name });
    const side = (pod: Endpoint, direction: "Ingress" | "Egress", other: Endpoint) => {
        if ("ip" in pod) {
            return true;
        }
        const applying = policies.filter((p) => p.metadata?.namespace === pod.namespace && typesOf(p).includes(direction) && selects(p.spec?.podSelector, pod.labels));
        if (applying.length === 0) {
            return true;
        }
        return applying.some((p) => {
            const rules = direction === "Ingress" ? (p.spec?.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (p.spec?.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
            return rules.some((r) => (r.peers === undefined || r.peers.length === 0 || r.peers.some((peer) => peerMatches(peer, pod.namespace, other, namespaceLabels))) && portMatches(r.ports as never, port));
        });
    };
    return side(source, "Egress", destination) && side(destination, "Ingress", source);
}
