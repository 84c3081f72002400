import type { PlatformConfig } from "../../lib/config/schema";
import { chartValues, type Values } from "../../charts/versions";
import { CNPG_OPERATOR_IMAGE } from "../../charts/images";
import { resources, sizingProfile, type ResourceBlock, type WorkloadResources } from "../../charts/resources";
import { CONTROL_PLANE_TOLERATIONS } from "../nodes/placement";

/**
 * The CloudNativePG operator: one cluster-wide Deployment in `cnpg-system` that runs every tenant's PostgreSQL
 * `Cluster` (components/project/database.ts renders those). Its admission webhooks refuse an invalid Cluster
 * (`failurePolicy: Fail`), so a broken spec stops `pulumi up` instead of being half-applied.
 */

/** Helm release name (the chart's Deployment and ServiceAccount are `<release>-cloudnative-pg`). */
export const CNPG_RELEASE = "cnpg";

/**
 * The API user the operator acts as (its ServiceAccount, named by the chart's `cloudnative-pg.serviceAccountName`
 * helper: the fullname `<release>-cloudnative-pg`): the instance and job pods it creates arrive with this user.
 */
export const CNPG_OPERATOR_USER = `system:serviceaccount:cnpg-system:${CNPG_RELEASE}-cloudnative-pg`;

/** Resources of the operator (one controller reconciling every Cluster, plus the webhooks). */
export function cnpgOperatorSizing(): ResourceBlock {
    return resources("50m", "128Mi", "512Mi");
}

/**
 * Replicas: one on small stacks. The operator is not on the data path (PostgreSQL keeps serving while it is
 * down), but its webhooks are: with one replica a rollout briefly refuses Cluster changes; two elsewhere.
 */
export function cnpgOperatorReplicas(config: PlatformConfig): number {
    return sizingProfile(config) === "small" ? 1 : 2;
}

/** Values of the operator release: pinned image, on the servers beside the other controllers. */
export function renderCnpgOperatorValues(config: PlatformConfig): Values {
    return chartValues("cloudnativePg", {
        image: { tag: CNPG_OPERATOR_IMAGE.tag },
        replicaCount: cnpgOperatorReplicas(config),
        resources: cnpgOperatorSizing(),
        nodeSelector: { "node-role.kubernetes.io/control-plane": "true" },
        tolerations: CONTROL_PLANE_TOLERATIONS,
    });
}

/** The operator's workload for the sizing report. */
export function cnpgOperatorWorkloads(config: PlatformConfig): WorkloadResources[] {
    return [
        {
            addon: "cloudnative-pg",
            workload: `${CNPG_RELEASE}-cloudnative-pg`,
            kind: "Deployment",
            pods: cnpgOperatorReplicas(config),
            containers: { manager: cnpgOperatorSizing() },
        },
    ];
}
