import type { PlatformConfig } from "../../lib/config/schema";
import { NAMESPACES } from "../../lib/conventions";
import { chartValues, type Values } from "../../charts/versions";
import { REDIS_IMAGES } from "../../charts/images";
import { resources, type ResourceBlock, type WorkloadResources } from "../../charts/resources";
import { CONTROL_PLANE_TOLERATIONS } from "../nodes/placement";

/**
 * The OpsTree Redis Operator: one cluster-wide Deployment in `redis-operator` that runs every tenant's
 * `RedisReplication` (a primary with replicas, and an embedded Sentinel group that fails over to a replica).
 * Chosen over the alternatives for Redis-compatible tenants (README: Tenant Redis): Apache-2.0 and maintained
 * (a release every one to three months), pod and container security contexts for every container it makes (Pod
 * Security `restricted`), a metrics exporter sidecar and Sentinel failover in one object. The Dragonfly operator
 * snapshots to S3 but Dragonfly itself is BSL 1.1, which forbids offering it as a database service; the Valkey
 * operators are young (valkey-io's says "not ready for production", chideat's has one maintainer) and SAP's
 * drives Bitnami's charts, whose images moved behind a paywall. None of them, OpsTree included, sets a pod's
 * `runtimeClassName`, so tenant Redis runs without the gVisor sandbox (README says what holds it instead).
 */

/** Helm release name (the chart names its Deployment, ServiceAccount and ClusterRole `redisOperator.name`). */
export const REDIS_RELEASE = "redis-operator";

/**
 * The API user the operator acts as (ServiceAccount `serviceAccountName: redis-operator` of the chart's
 * values): the Redis StatefulSets, Services and PodDisruptionBudgets in tenant namespaces arrive with this user.
 */
export const REDIS_OPERATOR_USER = `system:serviceaccount:${NAMESPACES.redisOperator}:redis-operator`;

/**
 * Resources of the operator (one controller for every tenant's Redis; it holds no data). The chart's default is
 * 500m/500Mi requested; its 500m CPU limit is kept, written out so the sizing report shows what Helm renders.
 */
export function redisOperatorSizing(): ResourceBlock {
    return resources("50m", "128Mi", "256Mi", "500m");
}

/**
 * Values of the operator release: pinned image (also the init image the chart passes as INIT_CONTAINER_IMAGE,
 * unused while GenerateConfigInInitContainer is off), on the servers beside the other controllers. One
 * replica (the chart's default, leader election on): Redis keeps serving and Sentinel keeps failing over while
 * the operator restarts.
 */
export function renderRedisOperatorValues(_config: PlatformConfig): Values {
    return chartValues("redisOperator", {
        redisOperator: { imageTag: REDIS_IMAGES.operator.tag, initContainerImageTag: REDIS_IMAGES.operator.tag },
        replicas: 1,
        resources: redisOperatorSizing(),
        nodeSelector: { "node-role.kubernetes.io/control-plane": "true" },
        tolerations: CONTROL_PLANE_TOLERATIONS,
    });
}

/** The operator's workload for the sizing report. */
export function redisOperatorWorkloads(_config: PlatformConfig): WorkloadResources[] {
    return [{ addon: "redis-operator", workload: REDIS_RELEASE, kind: "Deployment", pods: 1, containers: { "redis-operator": redisOperatorSizing() } }];
}
