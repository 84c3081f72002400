import type { IVolume } from "kubernetes-models/v1/Volume";
import type { IVolumeMount } from "kubernetes-models/v1/VolumeMount";
import type { PlatformConfig, PoolRole } from "../../lib/config/schema";
import { LABELS } from "../../lib/conventions";
import { nodeShapes } from "./node-plan";

/**
 * Where the add-ons' pods go, derived from the node plan so the charts and the nodes agree on labels and
 * taints: pool `<role>` nodes carry `platform/pool=<role>`; dedicated pools are tainted
 * `pool=<role>:NoSchedule`; non-schedulable servers are tainted `CriticalAddonsOnly=true:NoExecute`.
 */

/** A toleration as charts take it. */
export interface Toleration {
    key?: string;
    operator: "Equal" | "Exists";
    value?: string;
    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
    tolerationSeconds?: number;
}

/** Node selector and tolerations that pin a pod to one agent pool. */
export function poolPlacement(config: PlatformConfig, role: PoolRole): { nodeSelector: Record<string, string>; tolerations: Toleration[] } {
    const pool = config.pools.find((p) => p.role === role);
    return {
        nodeSelector: { [LABELS.pool]: role },
        tolerations: pool?.dedicated ? [{ key: "pool", operator: "Equal", value: role, effect: "NoSchedule" }] : [],
    };
}

/** Tolerates the servers' CriticalAddonsOnly taint (platform controllers may run on the control plane). */
export const CONTROL_PLANE_TOLERATIONS: Toleration[] = [{ key: "CriticalAddonsOnly", operator: "Exists" }];

/** Number of nodes in an agent pool. */
export function poolSize(config: PlatformConfig, role: PoolRole): number {
    return config.pools.filter((p) => p.role === role).reduce((n, p) => n + p.count, 0);
}

/** Every node of the stack. */
export function nodeCount(config: PlatformConfig): number {
    return nodeShapes(config).length;
}

/** Nodes without any taint: where a pod that tolerates nothing can land (Longhorn's node agents, for example). */
export function untaintedNodeCount(config: PlatformConfig): number {
    return nodeShapes(config).filter((n) => n.taints.length === 0).length;
}

/** Pod Security level a platform namespace enforces. */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/**
 * A platform namespace, labelled with the Pod Security level it really needs (k3s' admission config
 * enforces `restricted` by default and exempts the namespaces whose node agents need host access; the
 * label documents the same decision on the object).
 */
export function renderPlatformNamespace(name: string, level: PodSecurityLevel): {
    apiVersion: "v1";
    kind: "Namespace";
    metadata: { name: string; labels: Record<string, string> };
} {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name,
            labels: {
                "app.kubernetes.io/managed-by": "pulumi",
                "app.kubernetes.io/part-of": "platform",
                "pod-security.kubernetes.io/enforce": level,
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/warn": level,
            },
        },
    };
}

/**
 * A short-lived projected API token at the standard path, for platform pods that talk to the API server but
 * set `automountServiceAccountToken: false` (the policy pack's advisory): the same token, CA and namespace
 * files the automount would give, with a one-hour token the kubelet rotates.
 */
export const API_TOKEN: { readonly mount: IVolumeMount; readonly volume: IVolume } = {
    mount: { name: "api-token", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
    volume: {
        name: "api-token",
        projected: {
            sources: [
                { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
                { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
            ],
        },
    },
};
