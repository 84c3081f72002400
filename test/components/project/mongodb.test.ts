import { describe, expect, it } from "vitest";
import { projectContext } from "../../../components/project/common";
import {
    mongoBackupLocation,
    mongoRetentionCount,
    MONGODB_SECRET,
    pitrDate,
    PSMDB_CLUSTER_LABEL,
    renderMongoDbCluster,
    renderMongoDbNetworkPolicies,
    renderMongoDbPodMonitor,
    renderMongoDbRestore,
    renderMongoDbSecret,
} from "../../../components/project/mongodb";
import { MONGODB_IMAGES } from "../../../charts/images";
import { PLATFORM_BACKUP_SECRET } from "../../../policy/lib/catalogue";
import { projectSchema } from "../../../lib/tenants/schema";
import { crdSchemaErrors } from "../../helpers/crd-schema";
import { validateObject } from "../../helpers/k8s-schema";
import { project, stackPlatformConfig } from "./fixtures";

const fsn1 = stackPlatformConfig("fsn1");
const noTarget = stackPlatformConfig("dev", { backup: {} });
const ctxFor = (mongodb: Record<string, unknown>, config = fsn1, extra: Record<string, unknown> = {}) => projectContext(project({ name: "shop-eu", mongodb, ...extra }), config);
type Spec = Record<string, any>;
const specOf = (mongodb: Record<string, unknown>, config = fsn1, extra: Record<string, unknown> = {}): Spec => renderMongoDbCluster(ctxFor(mongodb, config, extra)).spec as Spec;

describe("MongoDB as a Percona PerconaServerMongoDB", () => {
    it("passes the operator's CRD schema at the pinned version (replica set, restore), with and without a backup target", () => {
        const objects = [
            renderMongoDbCluster(ctxFor({ instances: 3 })),
            renderMongoDbCluster(ctxFor({}, noTarget)),
            renderMongoDbCluster(ctxFor({}, fsn1, { trust: "trusted" })),
            renderMongoDbRestore(ctxFor({ generation: 1, restore: { fromGeneration: 0, backup: "2026-11-30T03:00:21Z", targetTime: "2026-11-30T23:15:00+01:00" } }))!,
        ];
        for (const object of objects) {
            expect(crdSchemaErrors(object), `${object.kind} ${object.metadata.name}`).toEqual([]);
        }
    });

    it("refuses a field the CRD does not declare (the validator is not vacuous)", () => {
        const object = renderMongoDbCluster(ctxFor({}));
        expect(crdSchemaErrors({ ...object, spec: { ...object.spec, replsetz: [] } } as object & { apiVersion: string; kind: string })).not.toEqual([]);
    });

    it("runs the requested members on different run nodes with a PDB, pinned images, and the operator's version service off", () => {
        const spec = specOf({ instances: 3, size: "30Gi", class: "standard", version: "7.0" });
        const replset = spec.replsets[0];
        expect(replset).toMatchObject({ name: "rs0", size: 3, affinity: { antiAffinityTopologyKey: "kubernetes.io/hostname" }, nodeSelector: { "platform/pool": "run" }, podDisruptionBudget: { maxUnavailable: 1 } });
        expect(replset.volumeSpec.persistentVolumeClaim).toEqual({ storageClassName: "standard", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "30Gi" } } });
        expect(spec.image).toBe(MONGODB_IMAGES.mongod["7.0"]);
        expect(spec.initImage).toBe(`${MONGODB_IMAGES.operator.repository}:${MONGODB_IMAGES.operator.tag}`);
        expect(spec.upgradeOptions).toEqual({ apply: "disabled" });
        expect(spec.unsafeFlags).toEqual({ replsetSize: false });
        // One member is below the operator's safe size: it must be told, or it refuses the object.
        expect(specOf({}).unsafeFlags).toEqual({ replsetSize: true });
        expect(specOf({}).image).toBe(MONGODB_IMAGES.mongod["8.0"]);
    });

    it("runs untrusted tenants' members in gVisor and trusted ones without", () => {
        expect(specOf({}).replsets[0].runtimeClassName).toBe("gvisor");
        expect(specOf({}, fsn1, { trust: "trusted" }).replsets[0].runtimeClassName).toBeUndefined();
    });

    it("backs up to the off-cluster bucket, per namespace and generation, with the oplog, keeping retentionDays of runs", () => {
        const backup = specOf({}).backup;
        const s3 = fsn1.backup.s3!;
        expect(backup.storages.offsite).toEqual({
            main: true,
            type: "s3",
            s3: { bucket: s3.bucket, prefix: `${s3.folder}/shop-eu/mongodb`, region: s3.region, endpointUrl: `https://${s3.endpoint}`, credentialsSecret: PLATFORM_BACKUP_SECRET },
        });
        expect(backup.pitr).toEqual({ enabled: true, compressionType: "gzip" });
        expect(backup.tasks).toEqual([expect.objectContaining({ enabled: true, schedule: fsn1.backup.schedule, storageName: "offsite", type: "logical", retention: { type: "count", count: mongoRetentionCount(fsn1.backup.schedule, fsn1.backup.retentionDays), deleteFromStorage: true } })]);
        expect(mongoBackupLocation(fsn1, "shop-eu", 1)).toBe(`s3://${s3.bucket}/${s3.folder}/shop-eu/mongodb-g1/`);
        expect(mongoBackupLocation(fsn1, "other", 0)).not.toBe(mongoBackupLocation(fsn1, "shop-eu", 0));
        expect(specOf({}, noTarget).backup).toEqual({ enabled: false, image: MONGODB_IMAGES.backup });
    });

    it("turns retention days into a count of scheduled runs (the operator's only retention type), plus the run before the window", () => {
        // Daily for 30 days: 30 runs in the window, plus the one before it that the oldest restore starts from.
        expect(mongoRetentionCount("0 3 * * *", 30)).toBe(31);
        expect(mongoRetentionCount("0 */6 * * *", 7)).toBe(29);
        // Sundays in the 30 days from Monday 2026-01-05: the 11th, 18th, 25th and 1 February.
        expect(mongoRetentionCount("0 3 * * 0", 30)).toBe(5);
    });

    it("restores a new generation from a named backup of an earlier one, replayed to a UTC point in time", () => {
        const ctx = ctxFor({ generation: 2, restore: { fromGeneration: 1, backup: "2026-11-30T03:00:21Z", targetTime: "2026-11-30T23:15:00+01:00" } });
        const restore = renderMongoDbRestore(ctx)!;
        expect(restore.metadata.name).toBe("mongodb-g2-from-g1");
        expect(restore.spec).toEqual({
            clusterName: "mongodb-g2",
            backupSource: {
                type: "logical",
                destination: `${mongoBackupLocation(fsn1, "shop-eu", 1)}2026-11-30T03:00:21Z`,
                s3: expect.objectContaining({ prefix: `${fsn1.backup.s3!.folder}/shop-eu/mongodb-g1`, credentialsSecret: PLATFORM_BACKUP_SECRET }),
            },
            pitr: { type: "date", date: "2026-11-30 22:15:00" },
        });
        // The new generation writes its own backups, never into the prefix it reads.
        expect(renderMongoDbCluster(ctx).spec.backup).toMatchObject({ storages: { offsite: { s3: { prefix: `${fsn1.backup.s3!.folder}/shop-eu/mongodb-g2` } } } });
        expect(renderMongoDbRestore(ctxFor({}))).toBeUndefined();
        expect(pitrDate("2026-01-02T03:04:05Z")).toBe("2026-01-02 03:04:05");
    });

    it("scrapes the exporter beside every mongod as the operator's clusterMonitor system user, labelled with the project and replica set", () => {
        const sidecar = specOf({}).replsets[0].sidecars[0];
        expect(sidecar.image).toBe(MONGODB_IMAGES.exporter);
        expect(sidecar.args).toContain("--collector.pbm");
        // The monitor user reads admin.pbmConfig (the bucket keys): its password is in the operator's Secret, never in the tenant's.
        expect(sidecar.env).toEqual([
            { name: "MONGODB_USER", valueFrom: { secretKeyRef: { name: "mongodb-users", key: "MONGODB_CLUSTER_MONITOR_USER" } } },
            { name: "MONGODB_PASSWORD", valueFrom: { secretKeyRef: { name: "mongodb-users", key: "MONGODB_CLUSTER_MONITOR_PASSWORD" } } },
        ]);
        expect(specOf({}).users.map((u: Spec) => u.name)).toEqual(["app"]);
        expect(Object.keys(renderMongoDbSecret(ctxFor({}), { password: "p" }).stringData!)).toEqual(["MONGODB_URI", "MONGODB_HOST", "MONGODB_PORT", "MONGODB_DATABASE", "MONGODB_USER", "MONGODB_PASSWORD"]);
        expect(sidecar.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        const monitor = renderMongoDbPodMonitor(ctxFor({}));
        expect(monitor.spec.selector).toEqual({ matchLabels: { [PSMDB_CLUSTER_LABEL]: "mongodb" } });
        expect(monitor.spec.podMetricsEndpoints![0]!.relabelings!.map((r) => r.targetLabel)).toEqual(["cluster", "project"]);
        expect(validateObject(monitor).status).toBe("valid");
    });

    it("admits the operator and Prometheus, and lets the backup agent reach the bucket over HTTPS only", () => {
        const policies = renderMongoDbNetworkPolicies(ctxFor({}));
        expect(policies.map((p) => p.metadata!.name)).toEqual(["allow-mongodb-operator", "allow-mongodb-backup-bucket"]);
        expect(JSON.stringify(policies[0]!.spec!.ingress)).toContain('"kubernetes.io/metadata.name":"psmdb-system"');
        expect(policies[1]!.spec!.egress).toEqual([expect.objectContaining({ ports: [{ protocol: "TCP", port: 443 }] })]);
        expect(renderMongoDbNetworkPolicies(ctxFor({}, noTarget)).map((p) => p.metadata!.name)).toEqual(["allow-mongodb-operator"]);
        for (const policy of policies) {
            expect(validateObject(policy).status).toBe("valid");
        }
    });

    it("declares the app user on the project's database and hands services a URI naming the replica set", () => {
        const ctx = ctxFor({});
        const users = renderMongoDbCluster(ctx).spec.users as Spec[];
        expect(users[0]).toEqual({ name: "app", db: "admin", passwordSecretRef: { name: MONGODB_SECRET, key: "MONGODB_PASSWORD" }, roles: [{ name: "readWrite", db: "shop_eu" }, { name: "dbAdmin", db: "shop_eu" }] });
        const secret = renderMongoDbSecret(ctx, { password: "p@ss/word" });
        expect(secret.stringData!.MONGODB_URI).toBe("mongodb://app:p%40ss%2Fword@mongodb-rs0.shop-eu.svc.cluster.local:27017/shop_eu?replicaSet=rs0&authSource=admin");
        expect(validateObject(secret).status).toBe("valid");
    });
});

describe("the tenant file's mongodb", () => {
    const parse = (mongodb: Record<string, unknown>, extra: Record<string, unknown> = {}) => projectSchema.safeParse({ ...baseDoc, mongodb, ...extra });
    const baseDoc = { name: "shop", owner: { name: "Shop", email: "shop@example.com" }, quota: { cpu: "4", memory: "8Gi", storage: "50Gi", pods: 20 }, services: [{ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080 }] };
    const messages = (result: ReturnType<typeof parse>) => (result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));

    it("refuses an even member count, a restore into its own generation and a point in time before the backup", () => {
        expect(messages(parse({ instances: 2 }))).toEqual(["mongodb.instances: 2 members cannot elect a primary after losing half of them"]);
        expect(messages(parse({ generation: 0, restore: { fromGeneration: 0, backup: "2026-11-30T03:00:21Z" } }))).toEqual([expect.stringMatching(/^mongodb.generation: a restore from generation 0 must create a newer generation/)]);
        expect(messages(parse({ generation: 1, restore: { fromGeneration: 0, backup: "2026-11-30T03:00:21Z", targetTime: "2026-11-30T02:00:00Z" } }))).toEqual([expect.stringMatching(/^mongodb.restore.targetTime: the point in time must come after the backup/)]);
        expect(messages(parse({ generation: 1, restore: { fromGeneration: 0, backup: "yesterday" } }))).toEqual([expect.stringMatching(/^mongodb.restore.backup: must be a PBM backup name/)]);
        expect(parse({ instances: 3, generation: 1, restore: { fromGeneration: 0, backup: "2026-11-30T03:00:21Z", targetTime: "2026-11-30T23:15:00Z" } }).success).toBe(true);
    });

    it("refuses uses: [mongodb] without a mongodb, and a service in the replica set's name space", () => {
        const withoutMongo = projectSchema.safeParse({ ...baseDoc, services: [{ ...baseDoc.services[0], uses: ["mongodb"] }] });
        expect(messages(withoutMongo)).toEqual(["services.0.uses.0: uses: mongodb, but the project has no mongodb"]);
        const shadow = parse({}, { services: [{ ...baseDoc.services[0], name: "mongodb-rs0" }] });
        expect(messages(shadow)).toEqual([expect.stringMatching(/^services.0.name: "mongodb-rs0" is in the MongoDB replica set's name space/)]);
        const injected = parse({}, { services: [{ ...baseDoc.services[0], env: { MONGODB_URI: "mongodb://x" } }] });
        expect(messages(injected)).toEqual(["services.0.env: MONGODB_URI is set by the platform for the MongoDB connection (to containers with uses: [mongodb])"]);
    });
});
