import type { IObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import type { ILabelSelector } from "@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector";
import type { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import type { ServiceSpec } from "../../lib/tenants/schema";
import { ANALYSIS_ARGS, ANALYSIS_TEMPLATES } from "../argo-rollouts/analysis";
import { selectorLabels, type ProjectContext } from "./common";
import { declaredReplicas, podTemplate, previewServiceName, workloadMeta } from "./workloads";

/**
 * The Rollout of a blue/green service (`strategy: blueGreen`), in place of its Deployment: the same pod
 * template (labels, placement, sandbox, probes, resources), released by Argo Rollouts. A new template starts a
 * second ReplicaSet behind the preview Service; the platform's `platform-readiness` analysis must pass before
 * the active Service switches to it (at once with `promotion: auto`, on `kubectl argo rollouts promote` with
 * `manual`); after the switch, for a public service, `platform-error-rate` watches its 5xx share through
 * Traefik and a failure switches back. The previous ReplicaSet keeps running `scaleDownDelaySeconds`.
 */

/** One analysis argument: a literal value, the Rollout's namespace, or the new ReplicaSet's pod-template hash. */
export interface RolloutAnalysisArg {
    name: string;
    value?: string;
    valueFrom?: { fieldRef?: { fieldPath: string }; podTemplateHashValue?: "Stable" | "Latest" };
}

/** A reference to analysis templates with their arguments. */
export interface RolloutAnalysis {
    templates: Array<{ templateName: string; clusterScope: true }>;
    args: RolloutAnalysisArg[];
}

/** An Argo Rollouts Rollout (argoproj.io/v1alpha1; schema: charts/argo-rollouts/crd-rollout.yaml). */
export interface IRollout {
    apiVersion: "argoproj.io/v1alpha1";
    kind: "Rollout";
    metadata: IObjectMeta;
    spec: {
        replicas?: number;
        revisionHistoryLimit: number;
        selector: ILabelSelector;
        template: IPodTemplateSpec;
        strategy: {
            blueGreen: {
                activeService: string;
                previewService: string;
                autoPromotionEnabled: boolean;
                scaleDownDelaySeconds: number;
                prePromotionAnalysis: RolloutAnalysis;
                postPromotionAnalysis?: RolloutAnalysis;
            };
        };
    };
}

/**
 * The Service fields Argo Rollouts writes on a blue/green service's active and preview Services: at v1.9.0
 * (rollout/service.go `switchServiceSelector`, lines 24-70) the controller strategic-merge-patches
 * `spec.selector["rollouts-pod-template-hash"]` (and the `argo-rollouts.argoproj.io/managed-by-rollouts`
 * annotation). `ServiceSpec.selector` is an atomic map (core/v1 `+mapType=atomic`), so a Pulumi apply that sends
 * the selector owns all of it and drops the controller's key until its next reconcile (during a preview the
 * preview Service then selects both ReplicaSets). Pulumi therefore ignores the selector after creation; the
 * selector's own labels (project, service) never change for a service.
 */
export const ROLLOUT_MANAGED_SERVICE_FIELDS: readonly string[] = ["spec.selector"];

/** Whether an object is the active or preview Service of a blue/green service (the selector is Argo's after creation). */
export function isRolloutManagedService(service: ServiceSpec, object: { kind: string; metadata?: { name?: string } }): boolean {
    return isBlueGreen(service) && object.kind === "Service" && [service.name, previewServiceName(service)].includes(object.metadata?.name ?? "");
}

/** Whether a service releases blue/green. */
export function isBlueGreen(service: ServiceSpec): boolean {
    return service.strategy.type === "blueGreen";
}

/**
 * Arguments every platform template takes: the Rollout's own namespace and name (never literals: the Rollout,
 * its active Service and the service are one name, so a release can only be judged by its own series), the
 * cadence.
 */
function commonArgs(service: ServiceSpec & { strategy: { type: "blueGreen" } }): RolloutAnalysisArg[] {
    return [
        { name: ANALYSIS_ARGS.namespace, valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        { name: ANALYSIS_ARGS.service, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
        { name: ANALYSIS_ARGS.count, value: String(service.strategy.analysis.count) },
        { name: ANALYSIS_ARGS.interval, value: `${service.strategy.analysis.intervalSeconds}s` },
    ];
}

/** The Rollout of a blue/green service. */
export function renderRollout(ctx: ProjectContext, service: ServiceSpec): IRollout {
    if (service.strategy.type !== "blueGreen") {
        throw new Error(`service ${service.name} does not release blue/green`);
    }
    const blueGreen = service as ServiceSpec & { strategy: { type: "blueGreen" } };
    const template = (name: string) => [{ templateName: name, clusterScope: true as const }];
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: workloadMeta(ctx, service),
        spec: {
            ...declaredReplicas(ctx, service),
            revisionHistoryLimit: 5,
            selector: { matchLabels: selectorLabels(ctx, service.name) },
            template: podTemplate(ctx, service),
            strategy: {
                blueGreen: {
                    activeService: service.name,
                    previewService: previewServiceName(service),
                    autoPromotionEnabled: blueGreen.strategy.promotion === "auto",
                    scaleDownDelaySeconds: blueGreen.strategy.scaleDownDelaySeconds,
                    prePromotionAnalysis: {
                        templates: template(ANALYSIS_TEMPLATES.readiness),
                        args: [...commonArgs(blueGreen), { name: ANALYSIS_ARGS.podTemplateHash, valueFrom: { podTemplateHashValue: "Latest" } }],
                    },
                    // Only a public service has Traefik traffic to judge; an internal one is judged by readiness alone.
                    ...(service.expose?.public
                        ? {
                              postPromotionAnalysis: {
                                  templates: template(ANALYSIS_TEMPLATES.errorRate),
                                  args: [...commonArgs(blueGreen), { name: ANALYSIS_ARGS.maxErrorRate, value: String(blueGreen.strategy.analysis.maxErrorRate) }],
                              },
                          }
                        : {}),
                },
            },
        },
    };
}
