import { CLOUD_METADATA_RANGES, SMTP_PORTS } from "../../lib/network-rules";
import { cidrTextContains } from "./network";
import { K8S_TYPES, isEmptySelector, specOf } from "./kubernetes";
import type { StackValidation } from "@pulumi/policy";
import { namespacesOf, resourcesInNamespace, type NamespaceInfo, type ResourceView } from "./namespaces";
import { asArray, asRecord, asString, asStrings, whenKnown } from "./values";

/**
 * NetworkPolicy reading: rules, peers, ports, and what a rule lets traffic reach (the cloud metadata address,
 * SMTP, every namespace).
 */

/** The cloud metadata address (Hetzner serves user-data, secrets included, here): the program's one source. */
export const METADATA_ADDRESS: string = CLOUD_METADATA_RANGES[0]!;
/** Mail ports tenants must never reach: the program's one source (lib/network-rules.ts). */
export { SMTP_PORTS };

/** One ingress or egress rule. */
export interface PolicyRule {
    /** Position (messages count from 1). */
    index: number;
    /** `from` (ingress) or `to` (egress) peers; empty means "every peer". */
    peers: Array<Record<string, unknown>>;
    /** Ports; empty means "every port". */
    ports: Array<Record<string, unknown>>;
}

/** The ingress or egress rules of a NetworkPolicy spec. */
export function rulesOf(spec: Record<string, unknown>, direction: "ingress" | "egress"): PolicyRule[] {
    const peerKey = direction === "ingress" ? "from" : "to";
    return asArray(spec[direction]).map((entry, index) => {
        const rule = asRecord(entry) ?? {};
        return {
            index: index + 1,
            peers: asArray(rule[peerKey]).map((p) => asRecord(p) ?? {}),
            ports: asArray(rule.ports).map((p) => asRecord(p) ?? {}),
        };
    });
}

/** The policy types a NetworkPolicy declares (Kubernetes infers them when absent). */
export function policyTypesOf(spec: Record<string, unknown>): string[] {
    const declared = asStrings(spec.policyTypes);
    if (declared.length > 0 || spec.policyTypes !== undefined) {
        return declared;
    }
    return ["Ingress", ...(spec.egress !== undefined ? ["Egress"] : [])];
}

/** Whether a peer is an IP block (traffic to or from outside the pod network). */
export function ipBlockOf(peer: Record<string, unknown>): { cidr: string; except: string[] } | undefined {
    const block = asRecord(peer.ipBlock);
    const cidr = asString(block?.cidr);
    return block && cidr ? { cidr, except: asStrings(block.except) } : undefined;
}

/** Whether a peer selects pods in every namespace (`namespaceSelector: {}`). */
export function selectsEveryNamespace(peer: Record<string, unknown>): boolean {
    return peer.namespaceSelector !== undefined && isEmptySelector(peer.namespaceSelector);
}

/**
 * Whether an egress rule can reach an address: an empty peer list reaches everything; an ipBlock reaches the
 * address when its CIDR contains it and no `except` entry does. Pod and namespace selectors only reach pods.
 */
export function ruleReachesAddress(rule: PolicyRule, address: string): boolean {
    if (rule.peers.length === 0) {
        return true;
    }
    return rule.peers.some((peer) => {
        const block = ipBlockOf(peer);
        return block !== undefined && cidrTextContains(block.cidr, address) && !block.except.some((e) => cidrTextContains(e, address));
    });
}

/** Whether an egress rule leaves the cluster (no peers at all, or an ipBlock peer). */
export function ruleLeavesCluster(rule: PolicyRule): boolean {
    return rule.peers.length === 0 || rule.peers.some((peer) => ipBlockOf(peer) !== undefined);
}

/**
 * The numeric TCP ports of a rule's port entries that fall on one of `ports` (`endPort` ranges included).
 * Named ports resolve on destination pods only, inside the cluster, so they are not counted.
 */
export function tcpPortsHit(rule: PolicyRule, ports: readonly number[]): number[] {
    const hit = new Set<number>();
    for (const entry of rule.ports) {
        const protocol = (asString(entry.protocol) ?? "TCP").toUpperCase();
        if (protocol !== "TCP") {
            continue;
        }
        const port = typeof entry.port === "number" ? entry.port : typeof entry.port === "string" && /^\d+$/.test(entry.port) ? Number(entry.port) : undefined;
        if (entry.port === undefined || entry.port === null) {
            // A port entry without a port matches every port of the protocol.
            ports.forEach((p) => hit.add(p));
            continue;
        }
        if (port === undefined) {
            continue;
        }
        const end = typeof entry.endPort === "number" ? entry.endPort : port;
        ports.filter((p) => p >= port && p <= end).forEach((p) => hit.add(p));
    }
    return [...hit].sort((a, b) => a - b);
}

/**
 * The directions a namespace's NetworkPolicies deny by default: a policy with `podSelector: {}`, the direction in
 * its policyTypes and no rule for it (one policy for both directions or one per direction both count). A policy
 * with values unknown at preview gets the benefit of the doubt; the stack policies run again after the update.
 */
export function defaultDeniedDirections(resources: readonly ResourceView[], namespace: string): { Ingress: boolean; Egress: boolean } {
    const denied = { Ingress: false, Egress: false };
    for (const policy of resourcesInNamespace(resources, K8S_TYPES.networkPolicy, namespace)) {
        const unknown = whenKnown(() => {
            const spec = specOf(policy.props);
            if (isEmptySelector(spec.podSelector)) {
                const types = policyTypesOf(spec);
                denied.Ingress ||= types.includes("Ingress") && rulesOf(spec, "ingress").length === 0;
                denied.Egress ||= types.includes("Egress") && rulesOf(spec, "egress").length === 0;
            }
            return false;
        }, true);
        if (unknown) {
            denied.Ingress = denied.Egress = true;
        }
    }
    return denied;
}

/** A NetworkPolicy direction. */
export type PolicyDirection = "Ingress" | "Egress";

/** What {@link declaredNamespacesDefaultDeny} checks: which declared namespaces, which directions, and the words of the result. */
export interface DefaultDenyCheck {
    /** Whether a Namespace declared in the stack is one the rule covers. */
    covers: (namespace: NamespaceInfo) => boolean;
    /** The directions each covered namespace must deny by default. */
    directions: readonly PolicyDirection[];
    /** Why the rule does not apply when the stack declares no covered namespace. */
    notApplicable: string;
    /** The violation for a covered namespace and the directions it leaves open. */
    message: (namespace: string, open: readonly PolicyDirection[]) => string;
}

/**
 * A stack validation: every Namespace declared in the stack that `check.covers` denies `check.directions` by
 * default ({@link defaultDeniedDirections}); reported on the Namespace. The platform namespaces that need a
 * default-deny (database operators, builds) share it, so what counts as one is decided once.
 */
export function declaredNamespacesDefaultDeny(check: DefaultDenyCheck): StackValidation {
    return (args, report) => {
        const resources = args.resources as unknown as ResourceView[];
        const covered = [...namespacesOf(resources, []).values()].filter(check.covers);
        if (covered.length === 0) {
            args.notApplicable(check.notApplicable);
        }
        for (const namespace of covered) {
            const denied = defaultDeniedDirections(resources, namespace.name);
            const open = check.directions.filter((direction) => !denied[direction]);
            if (open.length > 0) {
                report(check.message(namespace.name, open), namespace.resource.urn);
            }
        }
    };
}
