import type { PlatformConfig } from "../../lib/config/schema";
import { NAMESPACES } from "../../lib/conventions";
import { chartValues, type Values } from "../../charts/versions";
import { MYSQL_OPERATOR_IMAGES } from "../../charts/images";
import { resources, type ResourceBlock, type WorkloadResources } from "../../charts/resources";
import { CONTROL_PLANE_TOLERATIONS } from "../nodes/placement";

/**
 * The Percona Operator for MySQL based on Percona XtraDB Cluster: one cluster-wide Deployment in `pxc-system`
 * that runs every tenant's `PerconaXtraDBCluster` (MySQL-compatible Percona XtraDB Cluster, Galera replication),
 * its scheduled XtraBackup backups, the binlog collector (point-in-time recovery) and declarative restores
 * (`PerconaXtraDBClusterRestore`). Why this operator: README, Platform add-ons.
 */

/** Helm release name (the chart's Deployment, ServiceAccount and ClusterRole are named after it). */
export const PXC_RELEASE = "pxc-operator";

/**
 * The API user the operator acts as (ServiceAccount `pxc-operator.fullname`: the release name, as it contains the
 * chart name): the StatefulSets, the binlog collector Deployment and the backup and restore Jobs it creates arrive
 * with this user.
 */
export const PXC_OPERATOR_USER = `system:serviceaccount:${NAMESPACES.pxc}:${PXC_RELEASE}`;

/** Resources of the operator (one controller for every cluster; it holds no data); the limits are the chart's defaults. */
export function pxcOperatorSizing(): ResourceBlock {
    return resources("50m", "128Mi", "500Mi", "200m");
}

/**
 * Values of the operator release: pinned image, on the servers beside the other controllers. One replica: the
 * chart's default, and the operator is not on the data path (clusters keep serving while it restarts).
 */
export function renderPxcOperatorValues(_config: PlatformConfig): Values {
    return chartValues("pxcOperator", {
        image: `${MYSQL_OPERATOR_IMAGES.operator.repository}:${MYSQL_OPERATOR_IMAGES.operator.tag}`,
        replicaCount: 1,
        resources: pxcOperatorSizing(),
        nodeSelector: { "node-role.kubernetes.io/control-plane": "true" },
        tolerations: CONTROL_PLANE_TOLERATIONS,
    });
}

/** The operator's workload for the sizing report. */
export function pxcOperatorWorkloads(_config: PlatformConfig): WorkloadResources[] {
    return [{ addon: "pxc-operator", workload: PXC_RELEASE, kind: "Deployment", pods: 1, containers: { "percona-xtradb-cluster-operator": pxcOperatorSizing() } }];
}
