import { describe, expect, it } from "vitest";
import { bucketCapacityCheck, defaultParityDrives, minioUsableBytes } from "../../../components/minio/values";
import type { TenantProject } from "../../../lib/tenants/load";
import { configWith } from "../../charts/fixtures";
import { project } from "../project/fixtures";

const GiB = 2 ** 30;
const withMinio = (storageNodes: number, volumeSize: string) => configWith({ storageNodes, overrides: { addons: { minio: { volumeSize } } } });
const tenant = (name: string, bucket?: Record<string, unknown>): TenantProject => ({
    file: `stacks/test/projects/${name}.yaml`,
    spec: project({ name, quota: { cpu: "4", memory: "8Gi", storage: "1Ti", pods: 20 }, ...(bucket ? { bucket } : {}) }),
});

describe("MinIO's usable capacity for buckets", () => {
    it.each([
        // Default parity of one erasure set (minio cmd/format-erasure.go getDefaultParityBlocks), written out.
        [1, 0],
        [4, 2],
        [5, 2],
        [6, 3],
        [7, 3],
        [8, 4],
        [16, 4],
    ])("%i drive(s) keep %i for parity", (drives, parity) => {
        expect(defaultParityDrives(drives)).toBe(parity);
    });

    it.each([
        [1, 1 * 100],
        [3, 1 * 100],
        // 4 drives of 100Gi, 2 of them parity.
        [4, 2 * 100],
        [8, 4 * 100],
        [20, 12 * 100],
    ])("%i storage node(s), 100Gi drives: %iGi", (nodes, gib) => {
        expect(minioUsableBytes(withMinio(nodes, "100Gi"))).toBe(gib * GiB);
    });
});

describe("the tenants' bucket quotas against MinIO", () => {
    const config = withMinio(1, "50Gi");
    const check = bucketCapacityCheck(config, "Pulumi.test.yaml");

    it("accept quotas that fit MinIO's drive, projects without a bucket counting nothing", () => {
        expect(check([tenant("alpha", { size: "20Gi" }), tenant("beta", { size: "30Gi" }), tenant("gamma")])).toEqual([]);
    });

    it("refuse quotas that add up beyond it, naming the largest bucket's file and both fixes", () => {
        const problems = check([tenant("alpha", { size: "20Gi" }), tenant("beta", { size: "25Gi" }), tenant("gamma", {})]);
        expect(problems).toEqual([
            {
                source: "stacks/test/projects/beta.yaml",
                path: "bucket.size",
                problem: "the tenants' bucket quotas add up to 55Gi, more than the 50Gi MinIO can hold (standalone, 1 drive(s) of addons.minio.volumeSize 50Gi); a full drive stops every bucket, the platform's too",
                fix: "a smaller bucket.size in the largest tenants (this file is the largest), or a larger platform:addons.minio.volumeSize in Pulumi.test.yaml",
            },
        ]);
    });
});
