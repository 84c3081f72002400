import { asArray, asRecord, asString, at } from "./values";

/**
 * Where each workload kind keeps its pod spec, and iteration over every container of a pod spec
 * (containers, initContainers and ephemeralContainers: each can run arbitrary code on the node).
 */

/** Pod-spec path per workload kind (the kind is matched with any API group version that serves it). */
const POD_SPEC_PATHS: ReadonlyArray<{ pattern: RegExp; path: readonly string[] }> = [
    { pattern: /^kubernetes:core\/v1:Pod$/, path: ["spec"] },
    { pattern: /^kubernetes:(apps|extensions)\/[^:]+:(Deployment|StatefulSet|DaemonSet|ReplicaSet)$/, path: ["spec", "template", "spec"] },
    { pattern: /^kubernetes:core\/v1:ReplicationController$/, path: ["spec", "template", "spec"] },
    { pattern: /^kubernetes:batch\/[^:]+:Job$/, path: ["spec", "template", "spec"] },
    { pattern: /^kubernetes:batch\/[^:]+:CronJob$/, path: ["spec", "jobTemplate", "spec", "template", "spec"] },
    // Argo Rollouts replaces a Deployment (blue/green releases): the same pod template.
    { pattern: /^kubernetes:argoproj\.io\/[^:]+:Rollout$/, path: ["spec", "template", "spec"] },
];

/** Workload type tokens the catalogue names explicitly (the matcher also accepts other served versions). */
export const WORKLOAD_TYPES = [
    "kubernetes:core/v1:Pod",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:core/v1:ReplicationController",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:argoproj.io/v1alpha1:Rollout",
] as const;

/** Workloads that run to completion (no probes expected). */
const BATCH_PATTERN = /^kubernetes:batch\/[^:]+:(Job|CronJob)$/;

/** The pod-spec path of a workload type, or `undefined` when the type is not a workload. */
export function podSpecPathOf(type: string): readonly string[] | undefined {
    return POD_SPEC_PATHS.find((p) => p.pattern.test(type))?.path;
}

/** Whether a resource type runs pods. */
export function isWorkloadType(type: string): boolean {
    return podSpecPathOf(type) !== undefined;
}

/** Whether a workload type runs to completion (Job, CronJob). */
export function isBatchWorkloadType(type: string): boolean {
    return BATCH_PATTERN.test(type);
}

/** The pod spec of a workload's props (`{}` when the workload has none yet). */
export function podSpecOf(type: string, props: unknown): Record<string, unknown> {
    const path = podSpecPathOf(type);
    return path ? (asRecord(at(props, path)) ?? {}) : {};
}

/** The three container lists of a pod spec. */
export type ContainerKind = "containers" | "initContainers" | "ephemeralContainers";

/** One container of a pod spec. */
export interface ContainerRef {
    /** Which list it is in. */
    kind: ContainerKind;
    /** Index within that list. */
    index: number;
    /** `name`, or `#<index>` when unnamed. */
    name: string;
    /** The container object. */
    container: Record<string, unknown>;
    /** Its `securityContext` (empty object when unset). */
    securityContext: Record<string, unknown>;
}

const LABEL: Record<ContainerKind, string> = {
    containers: "container",
    initContainers: "initContainer",
    ephemeralContainers: "ephemeralContainer",
};

/** Every container of a pod spec, optionally limited to some lists. */
export function containersOf(podSpec: Record<string, unknown>, kinds: readonly ContainerKind[] = ["containers", "initContainers", "ephemeralContainers"]): ContainerRef[] {
    const refs: ContainerRef[] = [];
    for (const kind of kinds) {
        asArray(podSpec[kind]).forEach((entry, index) => {
            const container = asRecord(entry) ?? {};
            refs.push({
                kind,
                index,
                name: asString(container.name) ?? `#${index}`,
                container,
                securityContext: asRecord(container.securityContext) ?? {},
            });
        });
    }
    return refs;
}

/** How messages name a container: `container "web"`, `initContainer "migrate"`, `ephemeralContainer "debug"`. */
export function describeContainer(ref: ContainerRef): string {
    return `${LABEL[ref.kind]} "${ref.name}"`;
}

/** The pod-level `securityContext` (empty object when unset). */
export function podSecurityContextOf(podSpec: Record<string, unknown>): Record<string, unknown> {
    return asRecord(podSpec.securityContext) ?? {};
}

/** The volumes of a pod spec. */
export function volumesOf(podSpec: Record<string, unknown>): Array<{ name: string; volume: Record<string, unknown> }> {
    return asArray(podSpec.volumes).map((entry, index) => {
        const volume = asRecord(entry) ?? {};
        return { name: asString(volume.name) ?? `#${index}`, volume };
    });
}

/** The pod template's metadata (labels, annotations) of a workload: beside its pod spec. */
export function podMetadataOf(type: string, props: unknown): Record<string, unknown> {
    const path = podSpecPathOf(type);
    return path ? (asRecord(at(props, [...path.slice(0, -1), "metadata"])) ?? {}) : {};
}
