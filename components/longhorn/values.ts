import type { IStorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, LONGHORN_DATA_PATH, MINIO_ENDPOINT, NAMESPACES, PLATFORM_BUCKETS, STORAGE_CLASSES, TENANT_STORAGE_CLASSES } from "../../lib/conventions";
import { planNodes, storageNodeCount, type NodeSpec } from "../nodes/node-plan";
import { chartValues, type Values } from "../../charts/versions";
import { untaintedNodeCount } from "../nodes/placement";
import { resources, sizingProfile, type ResourceBlock, type WorkloadResources } from "../../charts/resources";

/**
 * Longhorn: replicated block storage on the storage nodes. Storage nodes are the nodes the node plan marks
 * `storage` (`platform/storage=true`): every node of a pool with `storage: true`, and the servers when they
 * are schedulable (a small stack's server carries volumes too). Only those nodes get a Longhorn disk
 * (`createDefaultDiskLabeledNodes` plus the node label this component sets), so replicas live there only,
 * while Longhorn's node agents run on every untainted node so any workload node can attach a volume.
 */

/** Helm release name. */
export const LONGHORN_RELEASE = "longhorn";

/** Secret (in longhorn-system) with the backup target's S3 credentials. */
export const BACKUP_CREDENTIALS_SECRET = "longhorn-backup-target";

/** The MinIO bucket of Longhorn backups (when the backup target is the in-cluster MinIO). */
export const LONGHORN_BACKUP_BUCKET = PLATFORM_BUCKETS.longhornBackups;

/** Label and annotations that make Longhorn create a node's default disk from our description. */
export const LONGHORN_NODE_CONFIG = {
    createDiskLabel: "node.longhorn.io/create-default-disk",
    disksAnnotation: "node.longhorn.io/default-disks-config",
    nodeTagsAnnotation: "node.longhorn.io/default-node-tags",
} as const;

/** Maximum replicas per volume: three copies survive two node losses, more only costs disk. */
export const MAX_REPLICAS = 3;

/** Default replica count: one per storage node, at most three. Throws when no node carries storage. */
export function longhornReplicaCount(config: PlatformConfig): number {
    const nodes = storageNodeCount(config);
    if (nodes < 1) {
        throw new Error("Longhorn needs at least one storage node: set storage: true on a pool (or make the servers schedulable)");
    }
    return Math.min(nodes, MAX_REPLICAS);
}

/**
 * Whether a node's Longhorn disk is NVMe: Hetzner Cloud servers have local NVMe SSDs; bare-metal nodes
 * when every drive installimage uses is an NVMe device.
 */
export function hasNvme(node: NodeSpec, config: PlatformConfig): boolean {
    return node.kind === "cloud" || config.baremetal.drives.every((d) => d.startsWith("/dev/nvme"));
}

/** Labels and annotations a storage node gets so Longhorn creates its disk, tagged `nvme` and the node `fast` where true. */
export function storageNodeMetadata(node: NodeSpec, config: PlatformConfig): { labels: Record<string, string>; annotations: Record<string, string> } {
    const nvme = hasNvme(node, config);
    return {
        labels: { [LONGHORN_NODE_CONFIG.createDiskLabel]: "config" },
        annotations: {
            [LONGHORN_NODE_CONFIG.disksAnnotation]: JSON.stringify([{ path: LONGHORN_DATA_PATH, allowScheduling: true, tags: nvme ? ["nvme"] : [] }]),
            [LONGHORN_NODE_CONFIG.nodeTagsAnnotation]: JSON.stringify(nvme ? ["fast"] : []),
        },
    };
}

/**
 * The storage-node label patches the release waits for: when the first server (the one the kubeconfig is read
 * from, Ready before any Kubernetes object exists) is a storage node, its patch only, so Helm's timeout starts
 * with a node for longhorn-manager and the volumes, and the manager DaemonSet covers the storage nodes that
 * register later (their labels follow, each once its node is Ready). Otherwise every storage node's patch, as no
 * node is known to be Ready first. Pure: patches in the order of `nodes`.
 */
export function releaseAfter<T>(nodes: readonly NodeSpec[], patches: readonly T[]): T[] {
    const first = nodes.findIndex((n) => n.role === "server" && n.index === 0);
    return first >= 0 ? [patches[first]!] : [...patches];
}

/** The storage nodes (by hostname, which is the Kubernetes node name) of stack `stack`. */
export function storageNodes(config: PlatformConfig, stack: string): NodeSpec[] {
    return planNodes(config, stack).filter((n) => n.storage);
}

/** Where Longhorn backups go: `s3://bucket@region/folder/` plus the endpoint the credentials Secret names. */
export function backupTarget(config: PlatformConfig): { url: string; endpoint: string } {
    const target = config.addons.longhorn;
    if (target.backupTarget === "external") {
        if (!target.external) {
            throw new Error("addons.longhorn.backupTarget external needs addons.longhorn.external");
        }
        const folder = target.external.folder ? `${target.external.folder.replace(/^\/+|\/+$/g, "")}/` : "";
        return { url: `s3://${target.external.bucket}@${target.external.region}/${folder}`, endpoint: `https://${target.external.endpoint}` };
    }
    // MinIO ignores the region, the S3 client needs one.
    return { url: `s3://${LONGHORN_BACKUP_BUCKET}@us-east-1/`, endpoint: `http://${MINIO_ENDPOINT.host}:${MINIO_ENDPOINT.port}` };
}

/** The credentials Secret's data for the backup target (Longhorn reads these AWS_* keys). */
export function backupCredentials(config: PlatformConfig, accessKey: string, secretKey: string): Record<string, string> {
    return { AWS_ACCESS_KEY_ID: accessKey, AWS_SECRET_ACCESS_KEY: secretKey, AWS_ENDPOINTS: backupTarget(config).endpoint };
}

const CSI_COMPONENTS = ["csi-attacher", "csi-provisioner", "csi-resizer", "csi-snapshotter"] as const;

/** Resources of Longhorn's workloads that the chart lets us set. */
export function longhornSizing(config: PlatformConfig): { manager: ResourceBlock; csiSidecar: ResourceBlock; csiPlugin: ResourceBlock; registrar: ResourceBlock; livenessProbe: ResourceBlock } {
    const small = sizingProfile(config) === "small";
    return {
        manager: small ? resources("50m", "128Mi", "512Mi") : resources("100m", "256Mi", "1Gi"),
        csiSidecar: resources("10m", "24Mi", "96Mi"),
        csiPlugin: small ? resources("10m", "48Mi", "192Mi") : resources("25m", "64Mi", "256Mi"),
        registrar: resources("5m", "16Mi", "48Mi"),
        livenessProbe: resources("5m", "16Mi", "48Mi"),
    };
}

/** Replicas of each CSI sidecar Deployment (Longhorn's default is 3). */
export function csiReplicas(config: PlatformConfig): number {
    return sizingProfile(config) === "small" ? 1 : Math.min(2, Math.max(1, untaintedNodeCount(config)));
}

/** Longhorn's per-data-engine setting format: `{"v1":"<value>","v2":"<value>"}`. */
const perEngine = (value: string | number) => JSON.stringify({ v1: String(value), v2: String(value) });

/** Values of the Longhorn release. */
export function renderLonghornValues(config: PlatformConfig): Values {
    const replicas = longhornReplicaCount(config);
    const sizing = longhornSizing(config);
    const small = sizingProfile(config) === "small";
    const csi = Object.fromEntries(CSI_COMPONENTS.map((c) => [c, sizing.csiSidecar]));
    const target = backupTarget(config);
    return chartValues("longhorn", {
        csi: {
            attacherReplicaCount: csiReplicas(config),
            provisionerReplicaCount: csiReplicas(config),
            resizerReplicaCount: csiReplicas(config),
            snapshotterReplicaCount: csiReplicas(config),
        },
        defaultSettings: {
            defaultReplicaCount: perEngine(replicas),
            // Instance managers reserve a share of each node's CPU; a dev stack's small nodes keep less.
            guaranteedInstanceManagerCPU: perEngine(small ? 5 : 12),
            systemManagedCSIComponentsResourceLimits: JSON.stringify({
                ...csi,
                "longhorn-csi-plugin": sizing.csiPlugin,
                "node-driver-registrar": sizing.registrar,
                "longhorn-liveness-probe": sizing.livenessProbe,
            }),
        },
        defaultBackupStore: {
            backupTarget: target.url,
            backupTargetCredentialSecret: BACKUP_CREDENTIALS_SECRET,
            pollInterval: 300,
        },
        longhornManager: { resources: sizing.manager },
        longhornUI: { replicas: small ? 1 : 2 },
    });
}

/** Name of Longhorn's ServiceMonitor (the chart's own name, longhorn/longhorn@v1.12.1:chart/templates/servicemonitor.yaml). */
export const LONGHORN_SERVICE_MONITOR = "longhorn-prometheus-servicemonitor";

/** How often Prometheus scrapes longhorn-manager. */
export const LONGHORN_SCRAPE_INTERVAL = "60s";

/**
 * Longhorn's ServiceMonitor, as the chart renders it at v1.12.1 (chart/templates/servicemonitor.yaml: every
 * longhorn-manager pod's `manager` port, in the release namespace) but created by the component, not the chart:
 * a release that renders a monitoring.coreos.com kind cannot install before the Prometheus Operator CRDs, and
 * Longhorn is the start of the volume chain (its CSI driver gates every claim), so only this object waits for them.
 */
export function renderLonghornServiceMonitor() {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: {
            name: LONGHORN_SERVICE_MONITOR,
            namespace: NAMESPACES.longhorn,
            labels: { ...labels, "app.kubernetes.io/name": "longhorn", name: LONGHORN_SERVICE_MONITOR },
        },
        spec: {
            selector: { matchLabels: { app: "longhorn-manager" } },
            namespaceSelector: { matchNames: [NAMESPACES.longhorn] },
            endpoints: [{ port: "manager", interval: LONGHORN_SCRAPE_INTERVAL }],
        },
    } as const;
}

/** Longhorn's workloads for the sizing report. */
export function longhornWorkloads(config: PlatformConfig): WorkloadResources[] {
    const sizing = longhornSizing(config);
    const agents = untaintedNodeCount(config);
    const csi = csiReplicas(config);
    const small = sizingProfile(config) === "small";
    return [
        { addon: "longhorn", workload: "longhorn-manager", kind: "DaemonSet", pods: agents, containers: { "longhorn-manager": sizing.manager }, note: "every untainted node" },
        {
            addon: "longhorn",
            workload: "longhorn-csi-plugin",
            kind: "DaemonSet",
            pods: agents,
            containers: { "longhorn-csi-plugin": sizing.csiPlugin, "node-driver-registrar": sizing.registrar, "longhorn-liveness-probe": sizing.livenessProbe },
            note: "every untainted node; resources through defaultSettings.systemManagedCSIComponentsResourceLimits",
        },
        ...CSI_COMPONENTS.map((c) => ({ addon: "longhorn", workload: c, kind: "Deployment" as const, pods: csi, containers: { [c]: sizing.csiSidecar } })),
        {
            addon: "longhorn",
            workload: "longhorn-ui",
            kind: "Deployment",
            pods: small ? 1 : 2,
            containers: {},
            note: "the chart exposes no resources for the UI, the driver deployer, engine-image and instance-manager pods (instance managers reserve guaranteedInstanceManagerCPU of each node's CPU, no memory)",
        },
    ];
}

const labels = { [LABELS.managedBy]: "pulumi" };

/**
 * The StorageClasses. `standard` is the cluster default: full replica count on any storage disk, no
 * locality, so a PVC that names no class still survives node loss and can always be scheduled. `fast`
 * keeps a replica on the consuming node when it can (best-effort locality) and uses only NVMe disks on
 * nodes tagged `fast`. The tenant classes (`tenant-standard`, `tenant-fast`) are the same two with reclaim policy
 * Retain: a tenant's deleted claim keeps its Longhorn volume until an operator releases the PersistentVolume.
 */
export function renderStorageClasses(config: PlatformConfig): IStorageClass[] {
    const replicas = String(longhornReplicaCount(config));
    const common = {
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        provisioner: "driver.longhorn.io",
        allowVolumeExpansion: true,
        reclaimPolicy: "Delete",
        // Bind when the pod is scheduled, so best-effort locality starts next to it.
        volumeBindingMode: "WaitForFirstConsumer",
    } as const;
    const standard = { numberOfReplicas: replicas, dataLocality: "disabled", staleReplicaTimeout: "30", fsType: "ext4", fromBackup: "" };
    const fast = { ...standard, dataLocality: "best-effort", diskSelector: "nvme", nodeSelector: "fast" };
    const notDefault = { "storageclass.kubernetes.io/is-default-class": "false" };
    return [
        { ...common, metadata: { name: STORAGE_CLASSES.standard, labels, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, parameters: standard },
        { ...common, metadata: { name: STORAGE_CLASSES.fast, labels, annotations: notDefault }, parameters: fast },
        { ...common, reclaimPolicy: "Retain", metadata: { name: TENANT_STORAGE_CLASSES.standard, labels, annotations: notDefault }, parameters: standard },
        { ...common, reclaimPolicy: "Retain", metadata: { name: TENANT_STORAGE_CLASSES.fast, labels, annotations: notDefault }, parameters: fast },
    ];
}

/** A Longhorn RecurringJob (longhorn.io/v1beta2; no schema package exists for it). */
export interface RecurringJob {
    apiVersion: "longhorn.io/v1beta2";
    kind: "RecurringJob";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: { name: string; task: "snapshot" | "backup"; cron: string; retain: number; concurrency: number; groups: string[]; labels: Record<string, string> };
}

/**
 * Snapshots every six hours (two days kept) and a nightly backup to the backup target (two weeks kept),
 * for every volume: both jobs are in the `default` group, which applies to volumes without job labels.
 */
export function renderRecurringJobs(): RecurringJob[] {
    const job = (name: string, task: RecurringJob["spec"]["task"], cron: string, retain: number): RecurringJob => ({
        apiVersion: "longhorn.io/v1beta2",
        kind: "RecurringJob",
        metadata: { name, namespace: NAMESPACES.longhorn, labels },
        spec: { name, task, cron, retain, concurrency: 2, groups: ["default"], labels: { "platform/recurring-job": name } },
    });
    return [job("snapshot-6h", "snapshot", "0 */6 * * *", 8), job("backup-nightly", "backup", "30 2 * * *", 14)];
}

/**
 * Default container requests in longhorn-system, for the pods the chart gives no resources setting (UI,
 * driver deployer and its init container, the manager's image pre-pull sidecar, the upgrade/uninstall hook
 * jobs) and the engine-image pods Longhorn creates at runtime. Requests only: a default *limit* would also
 * cap the instance-manager pods Longhorn creates (every volume engine of a node runs in one), and an
 * OOM-kill there stops every volume on the node. Instance managers and CSI pods are sized through Longhorn's
 * settings (`guaranteedInstanceManagerCPU`, `systemManagedCSIComponentsResourceLimits`).
 */
export const LONGHORN_DEFAULT_REQUESTS = { cpu: "10m", memory: "64Mi" } as const;

/** The LimitRange of longhorn-system (default requests only, no default limits, no min/max). */
export function renderLonghornLimitRange(): { metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { limits: { type: "Container"; defaultRequest: Record<string, string> }[] } } {
    return {
        metadata: { name: "default-requests", namespace: NAMESPACES.longhorn, labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "platform" } },
        spec: { limits: [{ type: "Container", defaultRequest: { ...LONGHORN_DEFAULT_REQUESTS } }] },
    };
}
