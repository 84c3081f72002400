import { describe, expect, it } from "vitest";
import { projectContext } from "../../../components/project/common";
import {
    archivePath,
    BACKUP_S3_SECRET,
    cnpgSchedule,
    renderPostgresCluster,
    renderPostgresNetworkPolicies,
    renderPostgresPodMonitor,
    renderScheduledBackup,
} from "../../../components/project/postgresql";
import { renderProject, renderSecrets } from "../../../components/project/render";
import { crdSchemaErrors } from "../../helpers/crd-schema";
import { validateObject } from "../../helpers/k8s-schema";
import { project, SAMPLE_SECRETS, stackPlatformConfig } from "./fixtures";

const fsn1 = stackPlatformConfig("fsn1");
const noTarget = stackPlatformConfig("dev", { backup: {} });
const ctxFor = (database: Record<string, unknown>, config = fsn1) => projectContext(project({ name: "shop-eu", database: { engine: "postgresql", ...database } }), config);
type Spec = Record<string, any>;
const specOf = (database: Record<string, unknown>, config = fsn1): Spec => renderPostgresCluster(ctxFor(database, config)).spec as Spec;

describe("PostgreSQL as a CloudNativePG Cluster", () => {
    it("runs the requested instances on different run nodes, with a PDB only once there is a replica", () => {
        const ha = specOf({ instances: 3, size: "30Gi", class: "standard" });
        expect(ha.instances).toBe(3);
        expect(ha.affinity).toMatchObject({ enablePodAntiAffinity: true, topologyKey: "kubernetes.io/hostname", podAntiAffinityType: "required", nodeSelector: { "platform/pool": "run" } });
        expect(ha.enablePDB).toBe(true);
        expect(ha.storage).toEqual({ size: "30Gi", storageClass: "standard", resizeInUseVolumes: true });
        // A single instance with a PDB would block every drain (kured, k3s upgrades).
        expect(specOf({}).enablePDB).toBe(false);
        expect(specOf({}).enableSuperuserAccess).toBe(false);
    });

    it("bootstraps an empty database owned by the app user from the credentials Secret", () => {
        expect(specOf({}).bootstrap).toEqual({ initdb: { database: "shop_eu", owner: "app", secret: { name: "database-credentials" } } });
    });

    it("archives WAL and base backups off-cluster, per namespace and generation, kept for platform:backup.retentionDays", () => {
        const backup = specOf({}).backup;
        expect(backup.retentionPolicy).toBe(`${fsn1.backup.retentionDays}d`);
        expect(backup.barmanObjectStore).toMatchObject({
            destinationPath: `s3://${fsn1.backup.s3!.bucket}/${fsn1.backup.s3!.folder}/shop-eu/database/`,
            endpointURL: `https://${fsn1.backup.s3!.endpoint}`,
            serverName: "database",
            s3Credentials: { accessKeyId: { name: BACKUP_S3_SECRET, key: "ACCESS_KEY_ID" }, secretAccessKey: { name: BACKUP_S3_SECRET, key: "ACCESS_SECRET_KEY" } },
        });
        expect(archivePath(fsn1, "other", 0)).not.toBe(archivePath(fsn1, "shop-eu", 0));
        expect(archivePath(fsn1, "shop-eu", 1)).not.toBe(archivePath(fsn1, "shop-eu", 0));
    });

    it("recovers a new generation from an earlier one's archive, to a point in time, and archives into its own path", () => {
        const restored = renderPostgresCluster(ctxFor({ generation: 1, restore: { fromGeneration: 0, targetTime: "2026-11-30T23:15:00Z" } }));
        const spec = restored.spec as Spec;
        expect(restored.metadata.name).toBe("database-g1");
        expect(spec.bootstrap).toEqual({
            recovery: { source: "origin", database: "shop_eu", owner: "app", secret: { name: "database-credentials" }, recoveryTarget: { targetTime: "2026-11-30T23:15:00Z" } },
        });
        expect(spec.externalClusters).toEqual([expect.objectContaining({ name: "origin", barmanObjectStore: expect.objectContaining({ destinationPath: archivePath(fsn1, "shop-eu", 0), serverName: "database" }) })]);
        expect(spec.backup.barmanObjectStore.destinationPath).toBe(archivePath(fsn1, "shop-eu", 1));
        // Without a target time: recovery replays the whole archive.
        const latest = specOf({ generation: 1, restore: { fromGeneration: 0 } });
        expect(latest.bootstrap.recovery.recoveryTarget).toBeUndefined();
    });

    it("grows the volume in place: a larger size changes the same Cluster's storage.size and nothing else", () => {
        const before = renderPostgresCluster(ctxFor({ size: "20Gi", instances: 2 }));
        const after = renderPostgresCluster(ctxFor({ size: "40Gi", instances: 2 }));
        expect(after.metadata).toEqual(before.metadata);
        expect({ ...(after.spec as Spec), storage: undefined }).toEqual({ ...(before.spec as Spec), storage: undefined });
        expect((after.spec as Spec).storage.size).toBe("40Gi");
    });

    it("schedules base backups on platform:backup.schedule (CloudNativePG's cron has seconds first), from a standby", () => {
        const scheduled = renderScheduledBackup(ctxFor({ generation: 3 }))!;
        expect(scheduled.spec).toMatchObject({ cluster: { name: "database-g3" }, schedule: `0 ${fsn1.backup.schedule}`, method: "barmanObjectStore", immediate: true, target: "prefer-standby" });
        expect(cnpgSchedule("30 2 * * *")).toBe("0 30 2 * * *");
    });

    it("has no backup section, ScheduledBackup or bucket Secret on a stack without a target", () => {
        const ctx = ctxFor({}, noTarget);
        expect((renderPostgresCluster(ctx).spec as Spec).backup).toBeUndefined();
        expect(renderScheduledBackup(ctx)).toBeUndefined();
        const rendered = renderProject(ctx.project, noTarget);
        expect(renderSecrets(rendered.context, SAMPLE_SECRETS).map((s) => s.metadata?.name)).not.toContain(BACKUP_S3_SECRET);
        expect(renderPostgresNetworkPolicies(ctx).map((p) => p.metadata?.name)).not.toContain("allow-database-backup-bucket");
    });

    it("scrapes every instance with project and cluster labels for the backup alerts", () => {
        const monitor = renderPostgresPodMonitor(ctxFor({ generation: 1, restore: { fromGeneration: 0 } }));
        expect(monitor.spec.selector).toEqual({ matchLabels: { "cnpg.io/cluster": "database-g1" } });
        expect(monitor.spec.podMetricsEndpoints?.[0]?.relabelings?.map((r) => r.targetLabel)).toEqual(["cluster", "project"]);
        expect(validateObject(monitor).status).toBe("valid");
    });

    it("opens only the operator's, Prometheus', the API server's and the bucket's ports to the instances", () => {
        const policies = renderPostgresNetworkPolicies(ctxFor({}));
        expect(policies.map((p) => p.metadata?.name)).toEqual(["allow-database-operator", "allow-database-api-server", "allow-database-backup-bucket"]);
        const bucket = policies[2]!.spec!.egress![0]!;
        expect(bucket.ports).toEqual([{ protocol: "TCP", port: 443 }]);
        expect(bucket.to?.[0]?.ipBlock?.except).toEqual(expect.arrayContaining(["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16"]));
        expect(policies[1]!.spec!.egress!.map((e) => e.to?.[0]?.ipBlock?.cidr)).toEqual(["100.64.0.0/10", "10.43.0.1/32"]);
        for (const policy of policies) {
            expect(validateObject(policy).status, policy.metadata?.name).toBe("valid");
        }
    });

    it("validates every rendered CloudNativePG object against the operator's CRD at the pinned version", () => {
        const variants = [ctxFor({ instances: 2 }), ctxFor({ generation: 2, restore: { fromGeneration: 1, targetTime: "2026-11-30T23:15:00+01:00" } }), ctxFor({}, noTarget)];
        for (const ctx of variants) {
            for (const object of [renderPostgresCluster(ctx), renderScheduledBackup(ctx)].filter((o) => o !== undefined)) {
                expect(crdSchemaErrors(object), `${object.kind} ${object.metadata.name}`).toEqual([]);
            }
        }
    });

    it("the CRD check catches a misspelled or mistyped field (the API server would drop it silently)", () => {
        const cluster: Spec = renderPostgresCluster(ctxFor({}));
        const errorsOf = (object: Spec) => crdSchemaErrors(object);
        expect(errorsOf({ ...cluster, spec: { ...cluster.spec, enablePodAntiAfinity: true } })).toEqual([expect.stringContaining("must NOT have additional properties")]);
        expect(errorsOf({ ...cluster, spec: { ...cluster.spec, instances: "two" } })?.length).toBeGreaterThan(0);
        const backup = (cluster.spec as Spec).backup;
        expect(errorsOf({ ...cluster, spec: { ...cluster.spec, backup: { ...backup, barmanObjectStore: { ...backup.barmanObjectStore, endpointUrl: "x" } } } })?.length).toBeGreaterThan(0);
    });
});
