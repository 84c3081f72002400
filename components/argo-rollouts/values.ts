import type { PlatformConfig } from "../../lib/config/schema";
import { chartValues, type Values } from "../../charts/versions";
import { ARGO_ROLLOUTS_VERSION } from "../../charts/images";
import { CONTROL_PLANE_TOLERATIONS } from "../nodes/placement";
import { resources, sizingProfile, type ResourceBlock } from "../../charts/resources";

/**
 * Argo Rollouts runs the blue/green releases of tenant services that declare `strategy: blueGreen`
 * (components/project/rollout.ts): it switches the active Service to the new ReplicaSet after the analysis
 * against the platform Prometheus passes, and back on a failed analysis or an undo. One controller for the
 * cluster; no traffic router and no dashboard.
 */

/** Helm release name (also the controller Deployment's name). */
export const ARGO_ROLLOUTS_RELEASE = "argo-rollouts";

/** The controller's resources: it watches Rollouts, ReplicaSets, Services and AnalysisRuns and queries Prometheus. */
export function argoRolloutsSizing(config: PlatformConfig): ResourceBlock {
    return sizingProfile(config) === "small" ? resources("25m", "96Mi", "256Mi") : resources("50m", "128Mi", "512Mi");
}

/** One controller on small stacks, two elsewhere (the chart adds `--leader-elect` above one replica). */
export function argoRolloutsReplicas(config: PlatformConfig): number {
    return sizingProfile(config) === "small" ? 1 : 2;
}

/** Values of the Argo Rollouts release: the controller on the servers (it must run while tenant nodes drain). */
export function renderArgoRolloutsValues(config: PlatformConfig): Values {
    return chartValues("argoRollouts", {
        controller: {
            image: { tag: ARGO_ROLLOUTS_VERSION },
            replicas: argoRolloutsReplicas(config),
            resources: argoRolloutsSizing(config),
            tolerations: CONTROL_PLANE_TOLERATIONS,
        },
    });
}
