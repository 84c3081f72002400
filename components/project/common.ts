import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import type { IPodSpec } from "kubernetes-models/v1/PodSpec";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import type { PlatformConfig } from "../../lib/config/schema";
import { GVISOR_RUNTIME_CLASS, LABELS } from "../../lib/conventions";
import { podSecurityContext } from "../../lib/platform-job";
import { cpuLimit, type ResourceSpec } from "../../lib/tenants/footprint";
import type { ProjectSpec } from "../../lib/tenants/schema";

/**
 * Shared pieces of the Project renderers: the render context, labels, placement on the run pool and the
 * restricted security contexts every tenant container gets.
 */

/** Everything a renderer needs to know about one project. */
export interface ProjectContext {
    /** The validated tenant project. */
    project: ProjectSpec;
    /** The validated stack configuration. */
    config: PlatformConfig;
    /** Namespace of the project (its id). */
    namespace: string;
}

/** Builds the render context of a project. */
export function projectContext(project: ProjectSpec, config: PlatformConfig): ProjectContext {
    return { project, config, namespace: project.id };
}

/** `platform/service` value of namespace-wide objects (namespace, quota, policies, service account). */
export const SHARED_COMPONENT = "shared";

/** The ServiceAccount every tenant pod runs as (no API token mounted). */
export const SERVICE_ACCOUNT = "workload";

/** Secret holding the project's `secretEnv` values (from its tenant stack's `tenant:secrets`). */
export const APP_SECRET = "app-secrets";

/** Labels that select the pods of one component of a project. */
export function selectorLabels(ctx: ProjectContext, component: string): Record<string, string> {
    return { [LABELS.project]: ctx.project.id, [LABELS.service]: component };
}

/**
 * Labels on every object of a project, pods included: Loki and Prometheus select by `platform/project`
 * and `platform/service`; `platform/trust` lets policies tell sandboxed pods apart.
 */
export function objectLabels(ctx: ProjectContext, component: string): Record<string, string> {
    return {
        ...selectorLabels(ctx, component),
        [LABELS.trust]: ctx.project.trust,
        [LABELS.managedBy]: "pulumi",
        "app.kubernetes.io/name": component,
        "app.kubernetes.io/part-of": ctx.project.id,
    };
}

/** Metadata of a namespaced object of the project. */
export function objectMeta(ctx: ProjectContext, name: string, component: string, namespace = ctx.namespace): IObjectMeta {
    return { name, namespace, labels: objectLabels(ctx, component) };
}

/** Whether the stack has run nodes; without them tenants run on schedulable servers. */
export function hasRunPool(config: PlatformConfig): boolean {
    return config.pools.some((p) => p.role === "run" && p.count > 0);
}

/**
 * Where tenant pods run: the run pool (`platform/pool: run`, tolerating its `pool=run:NoSchedule` taint),
 * or the schedulable servers of a stack without run nodes. Untrusted pods add the gVisor RuntimeClass,
 * whose scheduling constraint (`platform/gvisor: "true"`) the RuntimeClass admission merges in.
 */
export function podPlacement(ctx: ProjectContext): Pick<IPodSpec, "nodeSelector" | "tolerations" | "runtimeClassName"> {
    const untrusted = ctx.project.trust === "untrusted";
    return {
        nodeSelector: { [LABELS.pool]: hasRunPool(ctx.config) ? "run" : "server" },
        tolerations: [{ key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" }],
        ...(untrusted ? { runtimeClassName: GVISOR_RUNTIME_CLASS.name } : {}),
    };
}

// Tenant renderers import the restricted contexts from here; the platform's own Jobs share them (lib/platform-job.ts).
export { containerSecurityContext, podSecurityContext } from "../../lib/platform-job";

/** The pod fields every tenant pod shares: service account without token, no service links, placement. */
export function basePodSpec(ctx: ProjectContext, uid: number): Pick<
    IPodSpec,
    "serviceAccountName" | "automountServiceAccountToken" | "enableServiceLinks" | "securityContext" | "nodeSelector" | "tolerations" | "runtimeClassName"
> {
    return {
        serviceAccountName: SERVICE_ACCOUNT,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: podSecurityContext(uid),
        ...podPlacement(ctx),
    };
}

/**
 * Container resources with the CPU limit made explicit (the ResourceQuota counts limits) and the
 * ephemeral storage (emptyDirs, logs) requested and limited, so the namespace quota counts it too.
 */
export function containerResources(resources: ResourceSpec, ephemeralStorage: string): IResourceRequirements {
    return {
        requests: { cpu: resources.requests.cpu, memory: resources.requests.memory, "ephemeral-storage": ephemeralStorage },
        limits: { cpu: cpuLimit(resources), memory: resources.limits.memory, "ephemeral-storage": ephemeralStorage },
    };
}

/** Spread replicas across nodes; best effort so a one-node stack still schedules. */
export function topologySpread(ctx: ProjectContext, component: string): NonNullable<IPodSpec["topologySpreadConstraints"]> {
    return [
        {
            maxSkew: 1,
            topologyKey: "kubernetes.io/hostname",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: selectorLabels(ctx, component) },
        },
    ];
}
