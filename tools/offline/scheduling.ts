import { selectorMatches, type LabelSelector } from "./label-selector";

/**
 * Which nodes of a node plan a pod template can be scheduled on, from the scheduler's hard rules that are
 * knowable offline: taints with effect NoSchedule/NoExecute against the pod's tolerations, the node selector,
 * and required node affinity (`In`, `NotIn`, `Exists`, `DoesNotExist`). Resources and pod (anti-)affinity are
 * not modelled (they decide *which* feasible node, not *whether* one is feasible). Nodes carry the labels the
 * node plan gives them plus `kubernetes.io/os=linux` and `kubernetes.io/hostname` (set by the kubelet).
 */

/** A node as this model needs it. */
export interface SchedulableNode {
    /** Node name (hostname). */
    readonly name: string;
    /** Taints as `key[=value]:Effect`. */
    readonly taints: readonly string[];
    /** Node labels from the node plan. */
    readonly labels: Readonly<Record<string, string>>;
}

/** The scheduling-relevant part of a pod template. */
export interface PodPlacement {
    /** Node selector. */
    readonly nodeSelector?: Readonly<Record<string, string>>;
    /** Tolerations (Kubernetes form). */
    readonly tolerations?: readonly Readonly<Record<string, unknown>>[];
    /** `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`. */
    readonly requiredNodeAffinity?: readonly unknown[];
}

/** A parsed taint. */
export interface Taint {
    /** Key. */
    readonly key: string;
    /** Value ("" when none). */
    readonly value: string;
    /** Effect. */
    readonly effect: string;
}

/** Parses `key[=value]:Effect`. */
export function parseTaint(text: string): Taint {
    const match = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text);
    if (!match) {
        throw new Error(`not a taint: "${text}" (expected key[=value]:Effect)`);
    }
    return { key: match[1]!, value: match[2] ?? "", effect: match[3]! };
}

/** Whether a toleration tolerates a taint (Kubernetes' `ToleratesTaint`). */
export function tolerates(toleration: Readonly<Record<string, unknown>>, taint: Taint): boolean {
    const effect = typeof toleration.effect === "string" ? toleration.effect : "";
    if (effect !== "" && effect !== taint.effect) {
        return false;
    }
    const key = typeof toleration.key === "string" ? toleration.key : "";
    const operator = typeof toleration.operator === "string" ? toleration.operator : "Equal";
    if (key === "") {
        return operator === "Exists";
    }
    if (key !== taint.key) {
        return false;
    }
    return operator === "Exists" || String(toleration.value ?? "") === taint.value;
}

function nodeLabels(node: SchedulableNode): Record<string, string> {
    return { "kubernetes.io/os": "linux", "kubernetes.io/hostname": node.name, ...node.labels };
}

function termMatches(term: unknown, labels: Record<string, string>): boolean {
    // A node selector term has matchExpressions only (matchFields is not modelled).
    return selectorMatches({ matchExpressions: (term as LabelSelector | undefined)?.matchExpressions ?? [] }, labels);
}

/** Whether the pod can be scheduled on the node (hard rules only). */
export function schedulableOn(pod: PodPlacement, node: SchedulableNode): boolean {
    const tolerations = pod.tolerations ?? [];
    for (const taint of node.taints.map(parseTaint)) {
        if (taint.effect !== "PreferNoSchedule" && !tolerations.some((t) => tolerates(t, taint))) {
            return false;
        }
    }
    const labels = nodeLabels(node);
    if (!Object.entries(pod.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)) {
        return false;
    }
    const terms = pod.requiredNodeAffinity ?? [];
    return terms.length === 0 || terms.some((t) => termMatches(t, labels));
}

/** The nodes the pod can be scheduled on. */
export function feasibleNodes<N extends SchedulableNode>(pod: PodPlacement, nodes: readonly N[]): N[] {
    return nodes.filter((n) => schedulableOn(pod, n));
}
