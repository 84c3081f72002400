/**
 * Names of shared resources derived from tenant input. Every derivation is injective: a project name or a
 * bucket name never contains `--`, so `<project>--<bucket>` splits back into exactly one pair and never
 * equals a bare `<project>` (which has no `--`). Platform-owned names are checked against these separately
 * (see the tenant catalog validation), because a platform name may look like any tenant name.
 */

/** Longest project name (it is the namespace and a prefix of bucket, Job and Argo CD names). */
export const PROJECT_NAME_MAX = 30;

/** Longest bucket name part of the tenant file. */
export const BUCKET_NAME_MAX = 30;

/** Separator of derived names; forbidden inside every tenant-chosen name. */
export const NAME_SEPARATOR = "--";

/** A lowercase DNS label of at most `max` characters without `--` (the separator of derived names). */
export function labelPattern(max: number): RegExp {
    return new RegExp(`^(?!.*--)[a-z]([-a-z0-9]{0,${max - 2}}[a-z0-9])?$`);
}

/** Message of {@link labelPattern}. */
export function labelMessage(max: number): string {
    return `must be a lowercase DNS label (a-z, 0-9, '-'), starting with a letter, at most ${max} characters, without '--'`;
}

/** The MinIO bucket of a project: `<project>` for the default bucket, `<project>--<name>` for a named one. */
export function tenantBucketName(project: string, bucket?: string): string {
    return bucket ? `${project}${NAME_SEPARATOR}${bucket}` : project;
}

/**
 * Why a bucket name breaks the S3/MinIO naming rules; `undefined` when it is valid. The rules: 3 to 63
 * characters of a-z, 0-9, '.', '-', starting and ending with a letter or digit, no '..', not an IPv4
 * address, none of the prefixes or suffixes S3 reserves (`xn--`, `sthree-`, `-s3alias`, `--ol-s3`, …).
 */
export function bucketNameProblem(bucket: string): string | undefined {
    if (bucket.length < 3 || bucket.length > 63) {
        return `"${bucket}" has ${bucket.length} characters; a bucket name has 3 to 63`;
    }
    if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket) || bucket.includes("..")) {
        return `"${bucket}" must use a-z, 0-9, '.' and '-' only, start and end with a letter or digit, and have no '..'`;
    }
    if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
        return `"${bucket}" looks like an IP address`;
    }
    const prefix = ["xn--", "sthree-", "amzn-s3-demo-"].find((p) => bucket.startsWith(p));
    const suffix = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].find((s) => bucket.endsWith(s));
    if (prefix || suffix) {
        return `"${bucket}" uses the ${prefix ? `prefix ${prefix}` : `suffix ${suffix}`} that S3 reserves`;
    }
    return undefined;
}

/** Prefix of the names of a project's bucket objects in the minio namespace. */
export const BUCKET_OBJECT_PREFIX = "bucket-";

/** Name of the MinIO policy, Job, Secret and reservation ResourceQuota of a project's bucket in the minio namespace. */
export function bucketObjectName(project: string): string {
    return `${BUCKET_OBJECT_PREFIX}${project}`;
}

/**
 * The resource a bucket's reserved size is recorded under (components/project/storage.ts
 * renderBucketReservation): a storage-class scoped `requests.storage` of a StorageClass that does not exist, so
 * the quota limits no claim in `minio` while kube-state-metrics exports its `hard` value (`kube_resourcequota`)
 * for metering.
 */
export const BUCKET_RESERVATION_RESOURCE = "platform-bucket-reservation.storageclass.storage.k8s.io/requests.storage";
