import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { NAMESPACES } from "../../lib/conventions";
import { releaseArgs } from "../../charts/versions";
import { requirement, type Provides } from "../../lib/requirements";
import { renderPlatformNamespace } from "../nodes/placement";
import { ARGO_ROLLOUTS_RELEASE, renderArgoRolloutsValues } from "./values";
import { renderAnalysisTemplates } from "./analysis";

/** Arguments of the Argo Rollouts add-on. */
export interface ArgoRolloutsArgs {
    /** Validated stack configuration (sizing profile). */
    config: PlatformConfig;
}

/**
 * Argo Rollouts (`platform:addons:ArgoRollouts`): its namespace (PSA restricted), the pinned chart with its
 * CRDs (templates, upgraded with the release) and the platform's ClusterAnalysisTemplates (analysis.ts). Needs the Prometheus Operator CRDs (its ServiceMonitor) in
 * `dependsOn`.
 */
export class ArgoRollouts extends pulumi.ComponentResource {
    /** Name of the Helm release. */
    readonly releaseName: pulumi.Output<string>;
    /** The argoproj.io API group (Rollout, AnalysisTemplate, AnalysisRun, Experiment CRDs) and the namespace. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: ArgoRolloutsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:addons:ArgoRollouts", name, {}, opts);
        const ns = renderPlatformNamespace(NAMESPACES.argoRollouts, "restricted");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            releaseArgs("argoRollouts", { name: ARGO_ROLLOUTS_RELEASE, namespace: NAMESPACES.argoRollouts, values: renderArgoRolloutsValues(args.config) }),
            { parent: this, dependsOn: [namespace] },
        );
        for (const template of renderAnalysisTemplates()) {
            new k8s.apiextensions.CustomResource(
                `${name}-${template.metadata.name}`,
                { apiVersion: template.apiVersion, kind: template.kind, metadata: template.metadata, spec: template.spec },
                { parent: this, dependsOn: [release] },
            );
        }
        this.provides = { [requirement.apiGroup("argoproj.io")]: [release], [requirement.namespace(NAMESPACES.argoRollouts)]: [namespace] };
        this.releaseName = release.name;
        this.registerOutputs({ releaseName: this.releaseName });
    }
}
