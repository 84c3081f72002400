import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { INetworkPolicyPort } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort";
import { LABELS, NAMESPACES, TENANT_NAMESPACE_LABEL } from "../../lib/conventions";
import { apiServerEgressPeers, clusterEgressExcept } from "../../lib/network-rules";
import { CNPG_PORTS } from "../project/postgresql";
import { BINLOG_COLLECTOR_METRICS_PORT, MYSQL_ADMIN_PORT, MYSQL_PORT } from "../project/mysql";
import { MONGODB_PORTS } from "../project/mongodb";
import { REDIS_PORTS } from "../project/redis";

/**
 * The egress of a database operator's namespace: everything denied, then DNS, the Kubernetes API, the tenant
 * namespaces' database ports the operator connects to, and (for the operators that read and delete backups in the
 * bucket themselves) HTTPS to the internet outside the cluster's and private ranges. An operator holds a
 * cluster-wide ServiceAccount and reads every tenant's backup keys; without this it could reach anything from the
 * node network to the cloud metadata service. Ingress (the API server calling webhooks, Prometheus scraping) is
 * left as it is.
 */

/** What one operator's pods reach, from the pinned operators' sources. */
export interface OperatorEgress {
    /** The operator's namespace. */
    namespace: string;
    /** TCP ports of pods in tenant namespaces the operator connects to. */
    tenantPorts: readonly number[];
    /** Whether the operator itself talks to the backup bucket (HTTPS). */
    objectStorage: boolean;
}

/**
 * The operators' needs, from their sources at the pinned versions:
 * - CloudNativePG 1.30.0 reaches each instance manager's status API (pkg/management/url StatusPort 8000) and opens
 *   no PostgreSQL connection of its own; the instances archive to the bucket themselves (barman-cloud).
 * - Percona XtraDB Cluster operator 1.19.0 runs SQL on the nodes (3306 and the admin port 33062: users, system
 *   users, Galera state) and reads the binlog collector (8080, the port the tenant namespace opens to it); it lists
 *   and deletes backups in the bucket itself (pkg/controller/pxcbackup runS3BackupFinalizer, backup.CheckPITRErrors
 *   through storage.NewClient).
 * - Percona Operator for MongoDB 1.22.0 connects to every mongod (27017: replica set, users, PBM through its
 *   collections) and opens the S3 storage itself (pkg/controller/perconaservermongodbbackup s3.New: deleting backups).
 * - OpsTree Redis Operator 0.26.0 connects to every member (6379) and Sentinel (26379) to set up replication.
 */
export const OPERATOR_EGRESS: readonly OperatorEgress[] = [
    { namespace: NAMESPACES.cnpg, tenantPorts: [CNPG_PORTS.status], objectStorage: false },
    { namespace: NAMESPACES.pxc, tenantPorts: [MYSQL_PORT, MYSQL_ADMIN_PORT, BINLOG_COLLECTOR_METRICS_PORT], objectStorage: true },
    { namespace: NAMESPACES.psmdb, tenantPorts: [MONGODB_PORTS.mongod], objectStorage: true },
    { namespace: NAMESPACES.redisOperator, tenantPorts: [REDIS_PORTS.redis, REDIS_PORTS.sentinel], objectStorage: false },
];

/** The cluster settings the rules read: the service CIDR (the API's ClusterIP) and both CIDRs kept out of the internet rule. */
export interface OperatorEgressCluster {
    /** Pod CIDR (`platform:cluster.clusterCidr`). */
    clusterCidr: string;
    /** Service CIDR (`platform:cluster.serviceCidr`). */
    serviceCidr: string;
    /** Whether the stack has an off-cluster backup target (`platform:backup.s3`): without one no operator reaches a bucket. */
    backupTarget: boolean;
}

const tcp = (port: number): INetworkPolicyPort => ({ protocol: "TCP", port });

/** The NetworkPolicies of one operator namespace, default-deny egress first. */
export function renderOperatorEgressPolicies(operator: OperatorEgress, cluster: OperatorEgressCluster): INetworkPolicy[] {
    const policy = (name: string, egress: NonNullable<INetworkPolicy["spec"]>["egress"]): INetworkPolicy => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name, namespace: operator.namespace, labels: { [LABELS.managedBy]: "pulumi" } },
        spec: { podSelector: {}, policyTypes: ["Egress"], ...(egress ? { egress } : {}) },
    });
    const policies = [
        policy("default-deny-egress", undefined),
        policy("allow-dns", [
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACES.kubeSystem } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [{ protocol: "UDP", port: 53 }, tcp(53)],
            },
        ]),
        policy(
            "allow-api-server",
            apiServerEgressPeers(cluster.serviceCidr).map(({ cidr, port }) => ({ to: [{ ipBlock: { cidr } }], ports: [tcp(port)] })),
        ),
        policy("allow-tenant-databases", [{ to: [{ namespaceSelector: { matchLabels: { [TENANT_NAMESPACE_LABEL]: "true" } } }], ports: operator.tenantPorts.map(tcp) }]),
    ];
    if (operator.objectStorage && cluster.backupTarget) {
        // The bucket is a host name (platform:backup.s3.endpoint), so the rule is the tenants' HTTPS-to-the-internet one.
        policies.push(policy("allow-backup-bucket", [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: clusterEgressExcept(cluster) } }], ports: [tcp(443)] }]));
    }
    return policies;
}

/** The egress policies of the operator namespace `namespace` (one of {@link OPERATOR_EGRESS}). */
export function operatorEgressPolicies(namespace: string, config: { cluster: { clusterCidr: string; serviceCidr: string }; backup: { s3?: unknown } }): INetworkPolicy[] {
    const operator = OPERATOR_EGRESS.find((o) => o.namespace === namespace);
    if (!operator) {
        throw new Error(`no egress rules for the operator namespace ${namespace}`);
    }
    return renderOperatorEgressPolicies(operator, { ...config.cluster, backupTarget: config.backup.s3 !== undefined });
}
