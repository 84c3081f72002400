import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import { MINIO_CLIENT_IMAGE } from "../../charts/images";
import { MINIO_ENDPOINT, NAMESPACES } from "../../lib/conventions";
import { BUCKET_RESERVATION_RESOURCE, bucketObjectName as bucketObjectNameOf, tenantBucketName } from "../../lib/tenants/names";
import { bucketQuotaBytes } from "../../lib/tenants/footprint";
import { renderPlatformJob } from "../../lib/platform-job";
import { objectLabels, objectMeta, type ProjectContext } from "./common";

/**
 * The optional object-storage bucket in the platform MinIO, created without the MinIO operator: a Job in
 * the `minio` namespace runs the pinned `mc` client with the MinIO root credentials and creates the bucket,
 * a policy limited to it and a per-project MinIO user with generated keys. The keys reach the project as
 * the Secret `bucket-credentials` and as `S3_*` environment variables.
 *
 * Ownership: MinIO has one bucket namespace for the platform and every tenant. The Job claims a bucket only
 * when it creates it (and then tags it `platform-project=<project>`) or when the bucket already carries that
 * tag; any other existing bucket (the platform's, another project's, or one left untagged) fails the Job
 * before the policy or the user is touched, so a bucket is never granted to a project that does not own it.
 * Tenant users get no `s3:PutBucketTagging`, so they cannot forge the tag.
 *
 * Contract with the MinIO add-on: a Secret `minio-root` in namespace `minio` with the keys `rootUser` and
 * `rootPassword` (the MinIO chart's `existingSecret` layout), and the S3 API at
 * `http://minio.minio.svc.cluster.local:9000`; pods of the `minio` namespace must be allowed to reach it.
 */

/** `platform/service` value of the bucket objects. */
export const BUCKET_COMPONENT = "bucket";

/** Secret in the project namespace with the `S3_*` values. */
export const BUCKET_SECRET = "bucket-credentials";

/** The MinIO root credentials Secret the MinIO add-on creates in namespace `minio`. */
export const MINIO_ROOT_SECRET = { name: "minio-root", userKey: "rootUser", passwordKey: "rootPassword" } as const;

/** uid of the bucket Job (the `mc` image has no fixed user; it only writes its config to /tmp). */
export const BUCKET_JOB_UID = 10001;

/** Generated MinIO credentials of the project user. */
export interface BucketCredentials {
    /** Access key (the MinIO user name). */
    accessKey: string;
    /** Secret key. */
    secretKey: string;
}

function requireBucket(ctx: ProjectContext): NonNullable<ProjectContext["project"]["bucket"]> {
    if (!ctx.project.bucket) {
        throw new Error(`project ${ctx.project.id} has no bucket`);
    }
    return ctx.project.bucket;
}

/** Bucket tag naming the project that owns a bucket. */
export const BUCKET_OWNER_TAG = "platform-project";

/**
 * Bucket name: `<project>` or `<project>--<name>` (MinIO bucket names are global; `--` never occurs inside
 * a project or bucket name, so the mapping is injective; see lib/tenants/names.ts).
 */
export function bucketName(ctx: ProjectContext): string {
    return tenantBucketName(ctx.project.id, requireBucket(ctx).name);
}

/** Name of the MinIO policy (and of the Job and Secret in the minio namespace). */
export function bucketObjectName(ctx: ProjectContext): string {
    return bucketObjectNameOf(ctx.project.id);
}

/** The S3 endpoint URL inside the cluster. */
export function minioUrl(): string {
    return `http://${MINIO_ENDPOINT.host}:${MINIO_ENDPOINT.port}`;
}

/** MinIO (IAM-style) policy: every S3 action on this bucket and its objects, nothing else. */
export function bucketPolicy(bucket: string): { Version: string; Statement: Array<{ Effect: string; Action: string[]; Resource: string[] }> } {
    return {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: [`arn:aws:s3:::${bucket}`] },
            { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: [`arn:aws:s3:::${bucket}/*`] },
        ],
    };
}

/** The credentials Secret in the project namespace (read by services) and its twin in `minio` (read by the Job). */
export function renderBucketSecrets(ctx: ProjectContext, credentials: BucketCredentials): { tenant: ISecret; minio: ISecret } {
    return {
        tenant: {
            apiVersion: "v1",
            kind: "Secret",
            metadata: objectMeta(ctx, BUCKET_SECRET, BUCKET_COMPONENT),
            type: "Opaque",
            stringData: {
                S3_ENDPOINT: minioUrl(),
                S3_BUCKET: bucketName(ctx),
                S3_ACCESS_KEY_ID: credentials.accessKey,
                S3_SECRET_ACCESS_KEY: credentials.secretKey,
            },
        },
        minio: {
            apiVersion: "v1",
            kind: "Secret",
            metadata: objectMeta(ctx, bucketObjectName(ctx), BUCKET_COMPONENT, NAMESPACES.minio),
            type: "Opaque",
            stringData: { ACCESS_KEY: credentials.accessKey, SECRET_KEY: credentials.secretKey },
        },
    };
}

/** Environment the platform injects into every service of a project with a bucket. */
export function bucketEnv(ctx: ProjectContext): IEnvVar[] {
    const fromSecret = (name: string): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: BUCKET_SECRET, key: name } } });
    return [
        { name: "S3_ENDPOINT", value: minioUrl() },
        { name: "S3_BUCKET", value: bucketName(ctx) },
        fromSecret("S3_ACCESS_KEY_ID"),
        fromSecret("S3_SECRET_ACCESS_KEY"),
    ];
}

/**
 * The idempotent provisioning script (POSIX sh, no tools beyond `mc`: the image is ubi-micro). Re-runs
 * keep the bucket and its data; `quota set`, `policy create` and `user add` overwrite, the attach is skipped
 * when done. The quota is given in bytes (see bucketQuotaBytes) and is a MinIO hard quota: the server refuses a
 * write when the scanner's last count of the bucket's usage plus the object reaches it, so between two scanner
 * cycles a bucket can overshoot by what was written meanwhile.
 * The bucket is created without `--ignore-existing`: an existing bucket is used only when its owner tag
 * (`mc tag list --json` prints `"<key>": "<value>"`) names this project; otherwise the Job fails.
 */
export const BUCKET_SCRIPT = [
    "set -eu",
    'mc() { command mc --config-dir /tmp/mc --quiet --no-color "$@"; }',
    'mc alias set platform "$MINIO_URL" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null',
    'if mc mb "platform/$BUCKET"; then',
    '  mc tag set "platform/$BUCKET" "$OWNER_TAG=$PROJECT"',
    "else",
    '  tags="$(mc tag list --json "platform/$BUCKET" 2>&1 || true)"',
    '  case "$tags" in',
    '    *"\\"$OWNER_TAG\\": \\"$PROJECT\\""*) echo "bucket $BUCKET already belongs to project $PROJECT" ;;',
    '    *) echo "refusing bucket $BUCKET: it exists (or MinIO failed) and is not tagged $OWNER_TAG=$PROJECT; it belongs to the platform or another project" >&2; exit 1 ;;',
    "  esac",
    "fi",
    // A hard quota (mc >= RELEASE.2022: `mc quota set`; `mc admin bucket quota` is deprecated): set on every run,
    // so a changed bucket.size takes effect and a quota cleared by hand comes back.
    'mc quota set "platform/$BUCKET" --size "$QUOTA_BYTES"',
    'printf \'%s\' "$POLICY_JSON" > /tmp/policy.json',
    'mc admin policy create platform "$POLICY" /tmp/policy.json',
    'mc admin user add platform "$TENANT_ACCESS_KEY" "$TENANT_SECRET_KEY"',
    'info="$(mc admin user info platform "$TENANT_ACCESS_KEY")"',
    'case "$info" in',
    '  *"$POLICY"*) echo "policy $POLICY already attached" ;;',
    '  *) mc admin policy attach platform "$POLICY" --user "$TENANT_ACCESS_KEY" ;;',
    "esac",
    'echo "bucket $BUCKET ready for user $TENANT_ACCESS_KEY"',
    "",
].join("\n");

/** The bucket Job in the `minio` namespace (restricted security context, read-only root, bounded runtime). */
export function renderBucketJob(ctx: ProjectContext): IJob {
    const name = bucketObjectName(ctx);
    const bucket = bucketName(ctx);
    const secretEnv = (envName: string, secret: string, key: string): IEnvVar => ({ name: envName, valueFrom: { secretKeyRef: { name: secret, key } } });
    return renderPlatformJob(objectMeta(ctx, name, BUCKET_COMPONENT, NAMESPACES.minio), {
        uid: BUCKET_JOB_UID,
        labels: objectLabels(ctx, BUCKET_COMPONENT),
        backoffLimit: 6,
        activeDeadlineSeconds: 900,
        container: {
            name: "mc",
            image: MINIO_CLIENT_IMAGE,
            imagePullPolicy: "IfNotPresent",
            command: ["/bin/sh", "-c", BUCKET_SCRIPT],
            env: [
                { name: "MINIO_URL", value: minioUrl() },
                { name: "BUCKET", value: bucket },
                { name: "PROJECT", value: ctx.project.id },
                { name: "OWNER_TAG", value: BUCKET_OWNER_TAG },
                { name: "POLICY", value: name },
                { name: "QUOTA_BYTES", value: String(bucketQuotaBytes(requireBucket(ctx).size)) },
                { name: "POLICY_JSON", value: JSON.stringify(bucketPolicy(bucket)) },
                secretEnv("MINIO_ROOT_USER", MINIO_ROOT_SECRET.name, MINIO_ROOT_SECRET.userKey),
                secretEnv("MINIO_ROOT_PASSWORD", MINIO_ROOT_SECRET.name, MINIO_ROOT_SECRET.passwordKey),
                secretEnv("TENANT_ACCESS_KEY", name, "ACCESS_KEY"),
                secretEnv("TENANT_SECRET_KEY", name, "SECRET_KEY"),
            ],
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
        },
        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
    });
}

/** The resource the reservation ResourceQuota records the bucket's size under. */
export { BUCKET_RESERVATION_RESOURCE };

/**
 * The bucket's reserved size as a ResourceQuota `bucket-<project>` in the `minio` namespace, created by the
 * platform's grants stack (the tenant has no access to that namespace, so it cannot lower what it is billed).
 * Metering reads it (components/metering/rules.ts, RECORDED.bucketReserved): the same bytes the Job gives MinIO.
 */
export function renderBucketReservation(ctx: ProjectContext): IResourceQuota {
    return {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: objectMeta(ctx, bucketObjectName(ctx), BUCKET_COMPONENT, NAMESPACES.minio),
        spec: { hard: { [BUCKET_RESERVATION_RESOURCE]: String(bucketQuotaBytes(requireBucket(ctx).size)) } },
    };
}
