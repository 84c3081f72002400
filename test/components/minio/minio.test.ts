import { describe, expect, it } from "vitest";
import { MINIO_ROOT_SECRET as PROJECT_CONTRACT } from "../../../components/project/storage";
import { MINIO_IMAGES } from "../../../charts/images";
import { baseValues } from "../../../charts/versions";
import { minioLayout, minioWorkloads, platformBuckets, platformUsers, renderMinioValues, MINIO_ROOT_SECRET } from "../../../components/minio/values";
import { configWith, shippedConfig } from "../../charts/fixtures";

describe("MinIO layout", () => {
    it.each([
        [1, "standalone", 1],
        [3, "standalone", 1],
        [4, "distributed", 4],
        [5, "distributed", 5],
        [20, "distributed", 16],
    ] as const)("%i storage node(s) → %s with %i pod(s)", (nodes, mode, replicas) => {
        const config = configWith({ storageNodes: nodes });
        expect(minioLayout(config)).toEqual({ mode, replicas, drivesPerNode: 1 });
        const v = renderMinioValues(config) as any;
        expect(v.mode).toBe(mode);
        expect(v.replicas).toBe(replicas);
        expect(minioWorkloads(config)[0]!.kind).toBe(mode === "distributed" ? "StatefulSet" : "Deployment");
        if (mode === "distributed") {
            expect(v.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe("kubernetes.io/hostname");
        } else {
            expect(v.affinity).toBeUndefined();
        }
    });

    it("puts each drive on a Longhorn `standard` volume of the configured size", () => {
        const v = renderMinioValues(shippedConfig("dev")) as any;
        expect(v.persistence).toEqual({ enabled: true, accessMode: "ReadWriteOnce", size: "10Gi", storageClass: "standard" });
    });
});

describe("MinIO provisioning", () => {
    it("creates the Loki and Longhorn buckets with one user each, limited to its buckets", () => {
        const dev = shippedConfig("dev");
        expect(platformBuckets(dev)).toEqual(["loki-chunks", "loki-ruler", "longhorn-backups"]);
        const v = renderMinioValues(dev) as any;
        expect(v.buckets).toEqual([
            { name: "loki-chunks", policy: "none", purge: false },
            { name: "loki-ruler", policy: "none", purge: false },
            { name: "longhorn-backups", policy: "none", purge: false },
        ]);
        expect(v.users).toEqual([
            { accessKey: "loki", existingSecret: "minio-platform-users", existingSecretKey: "loki", policy: "loki" },
            { accessKey: "longhorn", existingSecret: "minio-platform-users", existingSecretKey: "longhorn", policy: "longhorn" },
        ]);
        const loki = v.policies.find((p: { name: string }) => p.name === "loki");
        const resources = loki.statements.flatMap((s: { resources: string[] }) => s.resources);
        expect(resources).toEqual(["arn:aws:s3:::loki-chunks", "arn:aws:s3:::loki-ruler", "arn:aws:s3:::loki-chunks/*", "arn:aws:s3:::loki-ruler/*"]);
        expect(JSON.stringify(v.policies)).not.toMatch(/s3:\*|arn:aws:s3:::\*/);
    });

    it("provisions no Longhorn user or bucket when Longhorn backs up elsewhere", () => {
        const fsn1 = shippedConfig("fsn1");
        expect(platformUsers(fsn1).map((u) => u.name)).toEqual(["loki"]);
        expect(platformBuckets(fsn1)).toEqual(["loki-chunks", "loki-ruler"]);
    });

    it("takes root credentials from the Secret the Project component's bucket Job reads, never from values", () => {
        expect(MINIO_ROOT_SECRET).toEqual(PROJECT_CONTRACT);
        const v = renderMinioValues(shippedConfig("dev")) as any;
        expect(v.existingSecret).toBe(PROJECT_CONTRACT.name);
        expect(v.rootUser).toBeUndefined();
        expect(v.rootPassword).toBeUndefined();
        expect(JSON.stringify(v)).not.toContain("console123");
        expect(baseValues("minio").users).toEqual([]);
    });

    it("runs the maintained fork's images, restricted, console private", () => {
        const v = renderMinioValues(shippedConfig("dev")) as any;
        expect(v.image).toEqual({ repository: MINIO_IMAGES.server.repository, tag: MINIO_IMAGES.server.tag });
        expect(v.mcImage).toEqual({ repository: MINIO_IMAGES.client.repository, tag: MINIO_IMAGES.client.tag });
        expect(v.securityContext).toMatchObject({ enabled: true, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        expect(v.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
        expect(v.consoleService.type).toBe("ClusterIP");
        expect(v.consoleIngress.enabled).toBe(false);
        expect(v.resources).toEqual({ requests: { cpu: "100m", memory: "384Mi" }, limits: { memory: "1Gi" } });
    });
});
