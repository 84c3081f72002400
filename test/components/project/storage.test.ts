import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MINIO_CLIENT_IMAGE } from "../../../charts/images";
import { projectContext } from "../../../components/project/common";
import { BUCKET_RESERVATION_RESOURCE, BUCKET_SCRIPT, bucketName, bucketPolicy, renderBucketJob, renderBucketReservation, renderBucketSecrets } from "../../../components/project/storage";
import { bucketQuotaBytes } from "../../../lib/tenants/footprint";
import { shellcheck } from "../../helpers/tools";
import { project, stackPlatformConfig } from "./fixtures";

const dev = stackPlatformConfig("dev");
const ctx = projectContext(project({ bucket: { name: "uploads" } }), dev);

describe("bucket", () => {
    it("is named after the project with '--' before the bucket name (MinIO bucket names are global)", () => {
        expect(bucketName(ctx)).toBe("shop--uploads");
        expect(bucketName(projectContext(project({ bucket: {} }), dev))).toBe("shop");
    });

    it("gives tenants a and a-b different buckets for b-c and c (the old '-' join gave both a-b-c)", () => {
        const first = bucketName(projectContext(project({ name: "a", bucket: { name: "b-c" } }), dev));
        const second = bucketName(projectContext(project({ name: "a-b", bucket: { name: "c" } }), dev));
        expect(first).toBe("a--b-c");
        expect(second).toBe("a-b--c");
        expect(first).not.toBe(second);
    });

    it("gets a policy that reaches this bucket and nothing else", () => {
        const resources = bucketPolicy("shop-uploads").Statement.flatMap((s) => s.Resource);
        expect(resources).toEqual(["arn:aws:s3:::shop-uploads", "arn:aws:s3:::shop-uploads/*"]);
        expect(bucketPolicy("shop-uploads").Statement.flatMap((s) => s.Action).some((a) => a.includes("*") || a.startsWith("admin:"))).toBe(false);
    });

    it("is created by a Job in the minio namespace with the pinned mc image and a restricted pod", () => {
        const job = renderBucketJob(ctx);
        expect(job.metadata).toMatchObject({ name: "bucket-shop", namespace: "minio", labels: { "platform/project": "shop", "platform/service": "bucket" } });
        const pod = job.spec!.template.spec!;
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.restartPolicy).toBe("Never");
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        const container = pod.containers[0]!;
        expect(container.image).toBe(MINIO_CLIENT_IMAGE);
        expect(MINIO_CLIENT_IMAGE).toMatch(/^quay\.io\/minio\/mc:RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$/);
        expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } });
        // mc only issues a few admin calls: a small, bounded container (sized in the Job, not by the tenant).
        expect(container.resources).toEqual({ requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } });
        expect(job.spec?.activeDeadlineSeconds).toBeGreaterThan(0);
    });

    it("reads the root credentials from the minio-root Secret contract and the tenant keys from its own Secret", () => {
        const env = renderBucketJob(ctx).spec!.template.spec!.containers[0]!.env!;
        const ref = (name: string) => env.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
        expect(ref("MINIO_ROOT_USER")).toEqual({ name: "minio-root", key: "rootUser" });
        expect(ref("MINIO_ROOT_PASSWORD")).toEqual({ name: "minio-root", key: "rootPassword" });
        expect(ref("TENANT_ACCESS_KEY")).toEqual({ name: "bucket-shop", key: "ACCESS_KEY" });
        expect(ref("TENANT_SECRET_KEY")).toEqual({ name: "bucket-shop", key: "SECRET_KEY" });
        expect(env.filter((e) => e.value !== undefined).map((e) => e.value).join(" ")).not.toMatch(/AKEXAMPLE|SKEXAMPLE/);
    });

    it("puts the credentials in the project namespace for services and in minio for the Job", () => {
        const { tenant, minio } = renderBucketSecrets(ctx, { accessKey: "AK", secretKey: "SK" });
        expect(tenant.metadata?.namespace).toBe("shop");
        expect(tenant.stringData).toEqual({ S3_ENDPOINT: "http://minio.minio.svc.cluster.local:9000", S3_BUCKET: "shop--uploads", S3_ACCESS_KEY_ID: "AK", S3_SECRET_ACCESS_KEY: "SK" });
        expect(minio.metadata?.namespace).toBe("minio");
        expect(minio.stringData).toEqual({ ACCESS_KEY: "AK", SECRET_KEY: "SK" });
    });
});

describe("bucket quota", () => {
    it.each([
        ["10Gi", 10 * 1024 ** 3],
        ["1Mi", 1024 ** 2],
        ["1.5Gi", 1536 * 1024 ** 2],
        ["10G", 10e9],
        ["100Ti", 100 * 1024 ** 4],
        // A fraction of a byte rounds up: the quota is never below what the file asked for.
        ["1500m", 2],
    ])("converts %s to %d bytes, the unit mc quota set --size reads without a suffix", (size, bytes) => {
        expect(bucketQuotaBytes(size)).toBe(bytes);
    });

    it("refuses a size beyond what a double holds exactly", () => {
        expect(() => bucketQuotaBytes("9Ei")).toThrow(/too large/);
    });

    it("hands the Job the file's bucket.size in bytes (default 10Gi)", () => {
        const env = (c: typeof ctx) => renderBucketJob(c).spec!.template.spec!.containers[0]!.env!.find((e) => e.name === "QUOTA_BYTES")?.value;
        expect(env(ctx)).toBe("10737418240");
        expect(env(projectContext(project({ bucket: { name: "uploads", size: "250Gi" } }), dev))).toBe(String(250 * 1024 ** 3));
    });

    it("records the reservation in the minio namespace, where the tenant cannot write, under a resource no claim uses", () => {
        const reservation = renderBucketReservation(projectContext(project({ bucket: { name: "uploads", size: "25Gi" } }), dev));
        expect(reservation.kind).toBe("ResourceQuota");
        expect(reservation.metadata).toMatchObject({ name: "bucket-shop", namespace: "minio", labels: { "platform/project": "shop" } });
        expect(reservation.spec?.hard).toEqual({ [BUCKET_RESERVATION_RESOURCE]: String(25 * 1024 ** 3) });
        // A storage-class-scoped storage request: a class name no StorageClass has, so it limits nothing real.
        expect(BUCKET_RESERVATION_RESOURCE).toMatch(/^[a-z0-9-]+\.storageclass\.storage\.k8s\.io\/requests\.storage$/);
    });
});

describe("bucket provisioning script", () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-mc-"));
    afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it("passes shellcheck", () => {
        const result = shellcheck(`#!/bin/sh\n${BUCKET_SCRIPT}`);
        expect(result.output).toBe("");
        expect(result.ok).toBe(true);
    });

    let runs = 0;
    /**
     * Runs the script against a fake `mc` that logs its arguments, fails `mb` when the bucket `exists`,
     * answers `tag list --json` like mc does (MarshalIndent: `"key": "value"`) with `ownerTag` or no tags,
     * and prints `userInfo` for `admin user info`.
     */
    function run(userInfo: string, bucket: { exists?: boolean; ownerTag?: string } = {}): { status: number | null; calls: string[]; policy: string | undefined; tmp: string; stderr: string } {
        const dir = path.join(scratch, `run-${runs++}`);
        const bin = path.join(dir, "bin");
        const tmp = path.join(dir, "tmp");
        fs.mkdirSync(bin, { recursive: true });
        fs.mkdirSync(tmp, { recursive: true });
        const log = path.join(dir, "calls.log");
        const tagList = bucket.ownerTag
            ? `printf '{\\n  "tagset": {\\n    "platform-project": "%s"\\n  },\\n  "status": "success"\\n}\\n' "${bucket.ownerTag}"`
            : `echo "mc: <ERROR> No tags found" >&2; exit 1`;
        fs.writeFileSync(
            path.join(bin, "mc"),
            [
                "#!/bin/sh",
                `printf '%s\\n' "$*" >> "${log}"`,
                'case "$*" in',
                `  *" mb "*) ${bucket.exists ? 'echo "mc: <ERROR> Unable to make bucket: you already own it" >&2; exit 1' : "exit 0"} ;;`,
                `  *"tag list"*) ${tagList} ;;`,
                `  *"admin user info"*) printf '%s\\n' "${userInfo}" ;;`,
                "esac",
                "",
            ].join("\n"),
            { mode: 0o755 },
        );
        const env: Record<string, string> = { PATH: `${bin}:/usr/bin:/bin` };
        for (const e of renderBucketJob(ctx).spec!.template.spec!.containers[0]!.env!) {
            env[e.name] = e.value ?? `secret-${e.name}`;
        }
        const result = spawnSync("sh", ["-c", BUCKET_SCRIPT.replace(/\/tmp\//g, `${tmp}/`)], { env, encoding: "utf8" });
        const policyFile = path.join(tmp, "policy.json");
        return {
            status: result.status,
            calls: (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []).map((c) => c.replace(/^--config-dir \S+ --quiet --no-color /, "")),
            policy: fs.existsSync(policyFile) ? fs.readFileSync(policyFile, "utf8") : undefined,
            tmp,
            stderr: result.stderr,
        };
    }

    it("creates and tags the bucket, then the policy and user, then attaches the policy", () => {
        const { status, calls, policy, tmp } = run("AccessKey: secret-TENANT_ACCESS_KEY  Status: enabled");
        expect(status).toBe(0);
        expect(calls).toEqual([
            "alias set platform http://minio.minio.svc.cluster.local:9000 secret-MINIO_ROOT_USER secret-MINIO_ROOT_PASSWORD",
            "mb platform/shop--uploads",
            "tag set platform/shop--uploads platform-project=shop",
            "quota set platform/shop--uploads --size 10737418240",
            `admin policy create platform bucket-shop ${tmp}/policy.json`,
            "admin user add platform secret-TENANT_ACCESS_KEY secret-TENANT_SECRET_KEY",
            "admin user info platform secret-TENANT_ACCESS_KEY",
            "admin policy attach platform bucket-shop --user secret-TENANT_ACCESS_KEY",
        ]);
        expect(JSON.parse(policy!)).toEqual(bucketPolicy("shop--uploads"));
    });

    it("sets the hard quota again on a re-run with its own bucket (a changed bucket.size takes effect)", () => {
        const { status, calls } = run("AccessKey: secret-TENANT_ACCESS_KEY  PolicyName: bucket-shop  Status: enabled", { exists: true, ownerTag: "shop" });
        expect(status).toBe(0);
        expect(calls.filter((c) => c.startsWith("quota set"))).toEqual(["quota set platform/shop--uploads --size 10737418240"]);
        // The quota goes on after the ownership check and before the tenant user can write.
        expect(calls.findIndex((c) => c.startsWith("quota set"))).toBeLessThan(calls.findIndex((c) => c.startsWith("admin user add")));
    });

    it("never creates with --ignore-existing", () => {
        expect(BUCKET_SCRIPT).not.toContain("--ignore-existing");
    });

    it("reuses its own existing bucket (tagged for this project) and skips the attach where already attached", () => {
        const { status, calls } = run("AccessKey: secret-TENANT_ACCESS_KEY  PolicyName: bucket-shop  Status: enabled", { exists: true, ownerTag: "shop" });
        expect(status).toBe(0);
        expect(calls.some((c) => c.startsWith("tag set"))).toBe(false);
        expect(calls.some((c) => c.includes("admin policy attach"))).toBe(false);
        expect(calls).toContain("admin user add platform secret-TENANT_ACCESS_KEY secret-TENANT_SECRET_KEY");
    });

    it.each([
        ["the platform's or another project's (tagged for another owner)", { exists: true, ownerTag: "loki" }],
        ["a project whose name extends this one (tag shop2)", { exists: true, ownerTag: "shop2" }],
        ["untagged (created outside the platform)", { exists: true }],
    ])("refuses an existing bucket that is %s before any policy or user is touched", (_, bucket) => {
        const { status, calls, policy, stderr } = run("AccessKey: secret-TENANT_ACCESS_KEY  Status: enabled", bucket);
        expect(status).toBe(1);
        expect(stderr).toContain("refusing bucket shop--uploads");
        expect(calls.filter((c) => c.startsWith("admin ") || c.startsWith("tag set") || c.startsWith("quota "))).toEqual([]);
        expect(policy).toBeUndefined();
    });
});