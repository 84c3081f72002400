import type { PlatformConfig } from "../../lib/config/schema";
import { NAMESPACES } from "../../lib/conventions";
import { chartValues, type Values } from "../../charts/versions";
import { MONGODB_IMAGES } from "../../charts/images";
import { resources, type ResourceBlock, type WorkloadResources } from "../../charts/resources";
import { CONTROL_PLANE_TOLERATIONS } from "../nodes/placement";

/**
 * The Percona Operator for MongoDB: one cluster-wide Deployment in `psmdb-system` that runs every tenant's
 * `PerconaServerMongoDB` replica set, its scheduled backups and restores (Percona Backup for MongoDB). Chosen over
 * the MongoDB Community operator, which has no backup or restore of its own: this one archives full backups and
 * the oplog (point-in-time recovery) to S3 and restores from them declaratively (`PerconaServerMongoDBRestore`).
 */

/** Helm release name (the chart's Deployment, ServiceAccount and ClusterRole are named after it). */
export const PSMDB_RELEASE = "psmdb-operator";

/**
 * The API user the operator acts as (ServiceAccount `psmdb-operator.fullname`: the release name, as it contains
 * the chart name): the replica-set pods and Jobs it creates arrive with this user.
 */
export const PSMDB_OPERATOR_USER = `system:serviceaccount:${NAMESPACES.psmdb}:${PSMDB_RELEASE}`;

/** Resources of the operator (one controller for every replica set; it holds no data). */
export function psmdbOperatorSizing(): ResourceBlock {
    return resources("50m", "128Mi", "256Mi");
}

/**
 * Values of the operator release: pinned image, on the servers beside the other controllers. One replica: the
 * chart's default, and the operator is not on the data path (replica sets keep serving while it restarts).
 */
export function renderPsmdbOperatorValues(_config: PlatformConfig): Values {
    return chartValues("psmdbOperator", {
        image: { tag: MONGODB_IMAGES.operator.tag },
        replicaCount: 1,
        resources: psmdbOperatorSizing(),
        nodeSelector: { "node-role.kubernetes.io/control-plane": "true" },
        tolerations: CONTROL_PLANE_TOLERATIONS,
    });
}

/** The operator's workload for the sizing report. */
export function psmdbOperatorWorkloads(_config: PlatformConfig): WorkloadResources[] {
    return [{ addon: "psmdb-operator", workload: PSMDB_RELEASE, kind: "Deployment", pods: 1, containers: { "psmdb-operator": psmdbOperatorSizing() } }];
}
