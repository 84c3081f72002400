import { describe, expect, it } from "vitest";
import {
    backupCredentials,
    backupTarget,
    csiReplicas,
    longhornReplicaCount,
    longhornWorkloads,
    renderLonghornValues,
    renderRecurringJobs,
    renderStorageClasses,
    storageNodeMetadata,
    storageNodes,
} from "../../../components/longhorn/values";
import { validateObject } from "../../helpers/k8s-schema";
import { configWith, shippedConfig } from "../../charts/fixtures";

/** RecurringJob spec fields of the longhorn.io/v1beta2 CRD in chart 1.12.1 (no schema package exists). */
const RECURRING_JOB_FIELDS = ["concurrency", "cron", "groups", "labels", "name", "parameters", "retain", "task"];

describe("replica count", () => {
    it.each([
        [1, 1],
        [2, 2],
        [3, 3],
        [5, 3],
    ])("follows the storage nodes: %i storage node(s) → %i replica(s), in the setting and both StorageClasses", (nodes, replicas) => {
        const config = configWith({ storageNodes: nodes });
        expect(longhornReplicaCount(config)).toBe(replicas);
        expect((renderLonghornValues(config) as any).defaultSettings.defaultReplicaCount).toBe(JSON.stringify({ v1: String(replicas), v2: String(replicas) }));
        for (const sc of renderStorageClasses(config)) {
            expect(sc.parameters!.numberOfReplicas).toBe(String(replicas));
        }
    });

    it.each([1, 3])("creates a volume with degraded availability at %i storage node(s): one storage node out does not hold every new claim", (nodes) => {
        expect((renderLonghornValues(configWith({ storageNodes: nodes })) as any).defaultSettings.allowVolumeCreationWithDegradedAvailability).toBe(true);
    });

    it("counts schedulable servers as storage nodes (the dev stack: one server and one run node)", () => {
        const dev = shippedConfig("dev");
        expect(storageNodes(dev, "dev").map((n) => n.hostname)).toEqual(["dev-server-0", "dev-run-0"]);
        expect(longhornReplicaCount(dev)).toBe(2);
    });

    it("refuses a stack without storage nodes", () => {
        expect(() => longhornReplicaCount(configWith({ storageNodes: 0 }))).toThrow(/at least one storage node/);
    });
});

describe("StorageClasses", () => {
    const [standard, fast] = renderStorageClasses(shippedConfig("hel1"));

    it("makes `standard` the default: replicated, no locality, any storage disk", () => {
        expect(standard!.metadata).toMatchObject({ name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } });
        expect(standard!.parameters).toMatchObject({ dataLocality: "disabled", numberOfReplicas: "3" });
        expect(standard!.parameters!.diskSelector).toBeUndefined();
    });

    it("makes `fast` best-effort local on NVMe disks of nodes tagged fast", () => {
        expect(fast!.metadata).toMatchObject({ name: "fast", annotations: { "storageclass.kubernetes.io/is-default-class": "false" } });
        expect(fast!.parameters).toMatchObject({ dataLocality: "best-effort", diskSelector: "nvme", nodeSelector: "fast", numberOfReplicas: "3" });
    });

    it("are schema-valid Longhorn classes", () => {
        for (const sc of [standard!, fast!]) {
            expect(sc.provisioner).toBe("driver.longhorn.io");
            expect(validateObject(sc)).toMatchObject({ status: "valid" });
        }
    });
});

describe("storage nodes", () => {
    it("label storage nodes for a configured default disk; NVMe disks and cloud nodes get the fast tags", () => {
        const dev = shippedConfig("dev");
        const meta = storageNodeMetadata(storageNodes(dev, "dev")[0]!, dev);
        expect(meta.labels).toEqual({ "node.longhorn.io/create-default-disk": "config" });
        expect(JSON.parse(meta.annotations["node.longhorn.io/default-disks-config"]!)).toEqual([{ path: "/var/lib/longhorn/", allowScheduling: true, tags: ["nvme"] }]);
        expect(JSON.parse(meta.annotations["node.longhorn.io/default-node-tags"]!)).toEqual(["fast"]);
    });

    it("tag bare-metal disks NVMe only when every drive is an NVMe device", () => {
        const fsn1 = shippedConfig("fsn1");
        const metal = storageNodes(fsn1, "fsn1").find((n) => n.kind === "baremetal")!;
        expect(JSON.parse(storageNodeMetadata(metal, fsn1).annotations["node.longhorn.io/default-disks-config"]!)[0].tags).toEqual(["nvme"]);
        const sata = { ...fsn1, baremetal: { ...fsn1.baremetal, drives: ["/dev/sda", "/dev/sdb"] } };
        expect(JSON.parse(storageNodeMetadata(metal, sata).annotations["node.longhorn.io/default-disks-config"]!)[0].tags).toEqual([]);
    });

    it("only get disks where labelled (createDefaultDiskLabeledNodes)", () => {
        expect((renderLonghornValues(shippedConfig("dev")) as any).defaultSettings.createDefaultDiskLabeledNodes).toBe(true);
    });
});

describe("backups", () => {
    it("go to the in-cluster MinIO by default", () => {
        const dev = shippedConfig("dev");
        expect(backupTarget(dev)).toEqual({ url: "s3://longhorn-backups@us-east-1/", endpoint: "http://minio.minio.svc.cluster.local:9000" });
        expect((renderLonghornValues(dev) as any).defaultBackupStore).toEqual({ backupTarget: "s3://longhorn-backups@us-east-1/", backupTargetCredentialSecret: "longhorn-backup-target", pollInterval: 300 });
        expect(backupCredentials(dev, "a", "s")).toEqual({ AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s", AWS_ENDPOINTS: "http://minio.minio.svc.cluster.local:9000" });
    });

    it("go to the external bucket when configured", () => {
        expect(backupTarget(shippedConfig("fsn1"))).toEqual({ url: "s3://platform-longhorn-fsn1@fsn1/", endpoint: "https://fsn1.your-objectstorage.com" });
    });

    it("run as recurring snapshot and backup jobs for every volume (default group)", () => {
        const jobs = renderRecurringJobs();
        expect(jobs.map((j) => [j.spec.task, j.spec.cron, j.spec.retain])).toEqual([
            ["snapshot", "0 */6 * * *", 8],
            ["backup", "30 2 * * *", 14],
        ]);
        for (const job of jobs) {
            expect(job.spec.groups).toEqual(["default"]);
            expect(job.spec.name).toBe(job.metadata.name);
            expect(Object.keys(job.spec).every((k) => RECURRING_JOB_FIELDS.includes(k))).toBe(true);
            expect(validateObject(job).status).toBe("no-schema");
        }
    });
});

describe("Longhorn values", () => {
    it("keep the UI private, skip the chart's own class, set CSI resources and replica counts", () => {
        const dev = shippedConfig("dev");
        const v = renderLonghornValues(dev) as any;
        expect(v.persistence.createStorageClass).toBe(false);
        expect(v.ingress.enabled).toBe(false);
        expect(v.service.ui.type).toBe("ClusterIP");
        expect(v.longhornManager.resources).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } });
        const csi = JSON.parse(v.defaultSettings.systemManagedCSIComponentsResourceLimits);
        expect(Object.keys(csi).sort()).toEqual(["csi-attacher", "csi-provisioner", "csi-resizer", "csi-snapshotter", "longhorn-csi-plugin", "longhorn-liveness-probe", "node-driver-registrar"]);
        expect(v.csi.attacherReplicaCount).toBe(csiReplicas(dev));
        expect(v.defaultSettings.upgradeChecker).toBe(false);
    });

    it("count node agents on every untainted node (not the dedicated edge, not tainted servers)", () => {
        expect(longhornWorkloads(shippedConfig("dev")).find((w) => w.workload === "longhorn-manager")!.pods).toBe(2);
        expect(longhornWorkloads(shippedConfig("hel1")).find((w) => w.workload === "longhorn-manager")!.pods).toBe(3);
    });
});
