import type { PlatformConfig } from "../../lib/config/schema";
import { GIB, quantity } from "../../lib/quantity";
import type { InputProblem } from "../../lib/validation";
import type { TenantProject } from "../../lib/tenants/load";
import { NAMESPACES, PLATFORM_BUCKETS, STORAGE_CLASSES } from "../../lib/conventions";
import { storageNodeCount } from "../nodes/node-plan";
import { MINIO_IMAGES } from "../../charts/images";
import { chartValues, type Values } from "../../charts/versions";
import { resources, sizingProfile, type ResourceBlock, type WorkloadResources } from "../../charts/resources";
import { LONGHORN_BACKUP_BUCKET } from "../longhorn/values";
import { MINIO_ROOT_SECRET } from "../project/storage";

/**
 * The platform's MinIO (official MinIO chart 5.4.0; the Bitnami chart is not used: its images moved
 * behind Bitnami's paid catalogue in 2025). Each MinIO drive is a Longhorn volume of
 * `addons.minio.volumeSize`. Standalone (one pod, one drive) until the stack has four storage nodes,
 * then distributed with one pod and drive per storage node (erasure coding needs at least four drives;
 * one drive per node keeps a node loss to one drive). The buckets for platform data (Loki chunks and
 * ruler, Longhorn backups) are created by the chart's provisioning job, each with a user restricted to it.
 */

/** Helm release name: the chart then names its Services `minio` and `minio-console`. */
export const MINIO_RELEASE = "minio";

/** Root credentials Secret: the contract the Project component's bucket Job already reads (components/project/storage.ts). */
export { MINIO_ROOT_SECRET };

/** Secret holding the platform users' secret keys, one key per user. */
export const MINIO_USERS_SECRET = "minio-platform-users";

/** Erasure coding needs at least this many drives. */
export const MIN_DISTRIBUTED_DRIVES = 4;

/** Largest erasure set MinIO forms. */
export const MAX_DISTRIBUTED_DRIVES = 16;

/** Buckets of the Loki add-on. */
export const LOKI_BUCKETS = { chunks: PLATFORM_BUCKETS.lokiChunks, ruler: PLATFORM_BUCKETS.lokiRuler } as const;

/** How MinIO runs on a stack. */
export interface MinioLayout {
    /** Chart mode. */
    mode: "standalone" | "distributed";
    /** MinIO pods. */
    replicas: number;
    /** Drives (Longhorn volumes) per pod. */
    drivesPerNode: number;
}

/** Standalone below four storage nodes, else distributed with one pod and drive per storage node (max 16). */
export function minioLayout(config: PlatformConfig): MinioLayout {
    const nodes = storageNodeCount(config);
    if (nodes >= MIN_DISTRIBUTED_DRIVES) {
        return { mode: "distributed", replicas: Math.min(nodes, MAX_DISTRIBUTED_DRIVES), drivesPerNode: 1 };
    }
    return { mode: "standalone", replicas: 1, drivesPerNode: 1 };
}

/**
 * Parity drives MinIO gives an erasure set of `drives` when no storage class is configured (the chart sets
 * none): getDefaultParityBlocks in minio's cmd/format-erasure.go, 1 for 2–3 drives, 2 for 4–5, 3 for 6–7, else 4.
 */
export function defaultParityDrives(drives: number): number {
    return drives <= 1 ? 0 : drives <= 3 ? 1 : drives <= 5 ? 2 : drives <= 7 ? 3 : 4;
}

/** Bytes of objects MinIO can hold: one drive standalone; distributed, the data drives of its one erasure set. */
export function minioUsableBytes(config: PlatformConfig): number {
    const layout = minioLayout(config);
    const drives = layout.replicas * layout.drivesPerNode;
    return quantity(config.addons.minio.volumeSize) * (drives - defaultParityDrives(drives));
}

/**
 * The catalog check of the tenants' bucket quotas against what MinIO can hold: the hard quotas together must fit
 * MinIO's usable capacity, or a full drive stops every bucket (the platform's Loki and Longhorn buckets too)
 * before any tenant reaches its own quota. The largest bucket's file is named.
 */
export function bucketCapacityCheck(config: PlatformConfig, stackFile: string): (projects: readonly TenantProject[]) => InputProblem[] {
    return (projects) => {
        const withBucket = projects.filter((p) => p.spec.bucket);
        const total = withBucket.reduce((sum, p) => sum + quantity(p.spec.bucket!.size), 0);
        const usable = minioUsableBytes(config);
        if (total <= usable) {
            return [];
        }
        const largest = [...withBucket].sort((a, b) => quantity(b.spec.bucket!.size) - quantity(a.spec.bucket!.size))[0]!;
        const gib = (bytes: number) => `${Math.ceil((bytes / GIB) * 100) / 100}Gi`;
        const layout = minioLayout(config);
        return [
            {
                source: largest.file,
                path: "bucket.size",
                problem: `the tenants' bucket quotas add up to ${gib(total)}, more than the ${gib(usable)} MinIO can hold (${layout.mode}, ${layout.replicas * layout.drivesPerNode} drive(s) of addons.minio.volumeSize ${config.addons.minio.volumeSize}); a full drive stops every bucket, the platform's too`,
                fix: `a smaller bucket.size in the largest tenants (this file is the largest), or a larger platform:addons.minio.volumeSize in ${stackFile}`,
            },
        ];
    };
}

/** A MinIO user the platform provisions: name, the buckets it may use. */
export interface PlatformUser {
    /** Access key (user name); also its key in the users Secret and its policy name. */
    name: string;
    /** Buckets it gets full object access to. */
    buckets: string[];
}

/** The platform users: Loki always, Longhorn when its backups go to this MinIO. */
export function platformUsers(config: PlatformConfig): PlatformUser[] {
    return [
        { name: "loki", buckets: [LOKI_BUCKETS.chunks, LOKI_BUCKETS.ruler] },
        ...(config.addons.longhorn.backupTarget === "minio" ? [{ name: "longhorn", buckets: [LONGHORN_BACKUP_BUCKET] }] : []),
    ];
}

/** The buckets the provisioning job creates. */
export function platformBuckets(config: PlatformConfig): string[] {
    return platformUsers(config).flatMap((u) => u.buckets);
}

/** Resources of a MinIO pod and of the provisioning job's containers. */
export function minioSizing(config: PlatformConfig): { server: ResourceBlock; job: ResourceBlock } {
    return {
        server: sizingProfile(config) === "small" ? resources("100m", "384Mi", "1Gi") : resources("250m", "1Gi", "4Gi"),
        job: resources("10m", "32Mi", "128Mi"),
    };
}

/** Values of the MinIO release. */
export function renderMinioValues(config: PlatformConfig): Values {
    const layout = minioLayout(config);
    const sizing = minioSizing(config);
    const users = platformUsers(config);
    return chartValues("minio", {
        mode: layout.mode,
        replicas: layout.replicas,
        drivesPerNode: layout.drivesPerNode,
        image: { repository: MINIO_IMAGES.server.repository, tag: MINIO_IMAGES.server.tag },
        mcImage: { repository: MINIO_IMAGES.client.repository, tag: MINIO_IMAGES.client.tag },
        persistence: { enabled: true, size: config.addons.minio.volumeSize, storageClass: STORAGE_CLASSES.standard },
        resources: sizing.server,
        // Distributed: never two MinIO pods (two drives of one erasure set) on one node.
        ...(layout.mode === "distributed"
            ? {
                  affinity: {
                      podAntiAffinity: {
                          requiredDuringSchedulingIgnoredDuringExecution: [
                              { labelSelector: { matchLabels: { app: "minio", release: MINIO_RELEASE } }, topologyKey: "kubernetes.io/hostname" },
                          ],
                      },
                  },
                  podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
              }
            : {}),
        policies: users.map((u) => ({
            name: u.name,
            statements: [
                { effect: "Allow", resources: u.buckets.map((b) => `arn:aws:s3:::${b}`), actions: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"] },
                {
                    effect: "Allow",
                    resources: u.buckets.map((b) => `arn:aws:s3:::${b}/*`),
                    actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                },
            ],
        })),
        users: users.map((u) => ({ accessKey: u.name, existingSecret: MINIO_USERS_SECRET, existingSecretKey: u.name, policy: u.name })),
        buckets: platformBuckets(config).map((name) => ({ name, policy: "none", purge: false })),
        makePolicyJob: { resources: sizing.job },
        makeUserJob: { resources: sizing.job },
        makeBucketJob: { resources: sizing.job },
    });
}

/** MinIO's workloads for the sizing report. */
export function minioWorkloads(config: PlatformConfig): WorkloadResources[] {
    const layout = minioLayout(config);
    const sizing = minioSizing(config);
    return [
        {
            addon: "minio",
            workload: "minio",
            kind: layout.mode === "distributed" ? "StatefulSet" : "Deployment",
            pods: layout.replicas,
            containers: { minio: sizing.server },
            note: `${layout.mode}, ${layout.replicas * layout.drivesPerNode} drive(s) of ${config.addons.minio.volumeSize}`,
        },
        { addon: "minio", workload: "minio-post-job", kind: "Job", pods: 1, containers: { policy: sizing.job, user: sizing.job, bucket: sizing.job } },
    ];
}
