import { describe, expect, it } from "vitest";
import { stackConfig } from "../helpers/config";
import { readManifests, readPlan, STACKS } from "../helpers/plans";
import { backupDrill, drillMysqlBackup, restoredMongoProject, restoredProject, restoredRedisProject, type DrillInput, type PlannedObject } from "../../tools/offline/backup-drill";
import { renderRestoreStorageClasses } from "../../components/backups/volume-restores";
import { crdSchemaErrors } from "../helpers/crd-schema";
import { exampleTenants } from "../components/project/fixtures";
import { renderProject } from "../../components/project/render";
import { validateObject } from "../helpers/k8s-schema";

/**
 * The offline disaster-recovery drill: plan each shipped region (the global setup writes out/<stack>/), plan
 * its restore from the backups it declares, and check that every stateful object of every tenant has a backup
 * path the restore reads, off the cluster on production.
 */

function drillInput(stack: string): DrillInput {
    const releases = readPlan(stack).resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    const longhorn = releases.find((r) => r.inputs?.name === "longhorn");
    const velero = releases.find((r) => r.inputs?.name === "velero");
    return {
        veleroLocation: velero?.inputs?.values?.configuration?.backupStorageLocation?.[0],
        config: stackConfig(stack),
        objects: readManifests(stack) as unknown as PlannedObject[],
        longhornBackupTarget: longhorn?.inputs?.values?.defaultBackupStore?.backupTarget,
        projects: exampleTenants(stack).map((t) => t.spec),
    };
}

describe.each(STACKS)("backup drill of stack %s", (stack) => {
    const input = drillInput(stack);
    const report = backupDrill(input);

    it("finds a backup path for every tenant database and volume, and a restore that reads it", () => {
        expect(report.problems).toEqual([]);
        const stateful = input.objects.filter((o) => o.kind === "Cluster" || o.kind === "PerconaServerMongoDB" || o.kind === "PerconaXtraDBCluster" || o.kind === "RedisReplication" || (o.kind === "StatefulSet" && (o.spec?.volumeClaimTemplates ?? []).length > 0));
        expect(stateful.length).toBeGreaterThan(0);
        for (const object of stateful) {
            expect(report.paths.some((p) => p.object.startsWith(`${object.metadata.namespace}/${object.kind}/${object.metadata.name}`)), `${object.metadata.namespace}/${object.metadata.name}`).toBe(true);
        }
    });

    it("backs up every tenant namespace's objects with Velero, to the stack's off-cluster bucket", () => {
        const namespaces = input.objects.filter((o) => o.kind === "Namespace" && o.metadata.labels?.["platform/tenant"] !== undefined).map((o) => o.metadata.name);
        const velero = report.paths.filter((p) => p.method === "velero-schedule");
        expect(velero.map((p) => p.object).sort()).toEqual(input.projects.map((p) => `${p.id}/Namespace/${p.id}`).sort());
        for (const path of velero) {
            expect(path.endpoint).toBe(`https://${input.config.backup.s3!.endpoint}`);
            expect(path.offCluster).toBe(true);
        }
        expect(namespaces.length === 0 || namespaces.length === velero.length).toBe(true);
    });

    it("plans the restore of every PostgreSQL database as schema-valid objects in its next generation", () => {
        for (const spec of input.projects.filter((p) => p.database?.engine === "postgresql")) {
            const restored = renderProject(restoredProject(spec, "2026-11-30T23:15:00Z"), input.config);
            const objects = [...restored.database!.companions, ...restored.database!.workloads];
            expect(objects.map((o) => validateObject(o)).filter((r) => r.status !== "valid")).toEqual([]);
            expect(restored.database!.workloads[0]!.metadata!.name).toBe(`database-g${spec.database!.generation + 1}`);
        }
    });
});

describe("MongoDB in the drill (fsn1: cars)", () => {
    const fsn1 = drillInput("fsn1");
    const report = backupDrill(fsn1);
    const mongo = (o: PlannedObject) => o.kind === "PerconaServerMongoDB";

    it("finds the replica set's PBM backups off the cluster, and a restore of the next generation that reads them", () => {
        expect(fsn1.objects.filter(mongo).map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(["cars/mongodb"]);
        expect(report.paths.filter((p) => p.method === "psmdb-pbm")).toEqual([
            { object: "cars/PerconaServerMongoDB/mongodb", method: "psmdb-pbm", location: `s3://${fsn1.config.backup.s3!.bucket}/${fsn1.config.backup.s3!.folder}/cars/mongodb/`, endpoint: `https://${fsn1.config.backup.s3!.endpoint}`, offCluster: true },
        ]);
        for (const spec of fsn1.projects.filter((p) => p.mongodb)) {
            const restored = renderProject(restoredMongoProject(spec, "2026-11-30T23:15:00Z"), fsn1.config);
            const objects = [...restored.mongodb!.companions, ...restored.mongodb!.workloads];
            expect(objects.map((o) => o.kind)).toEqual(["NetworkPolicy", "NetworkPolicy", "PodMonitor", "PerconaServerMongoDB", "PerconaServerMongoDBRestore"]);
            expect(objects.map((o) => validateObject(o)).filter((r) => r.status !== "valid")).toEqual([]);
            expect(restored.mongodb!.workloads[0]!.metadata.name).toBe(`mongodb-g${spec.mongodb!.generation + 1}`);
        }
    });

    it("reports a replica set without backups, without a schedule or oplog archive, in the cluster on production, or restored from elsewhere", () => {
        const withBackup = (change: (backup: Record<string, any>) => Record<string, any>) => fsn1.objects.map((o): PlannedObject => (mongo(o) ? { ...o, spec: { ...o.spec, backup: change(o.spec!.backup) } } : o));
        expect(backupDrill({ ...fsn1, objects: withBackup((b) => ({ ...b, enabled: false })) }).problems).toEqual(
            expect.arrayContaining([expect.stringMatching(/PerconaServerMongoDB\/mongodb: no backup storage/), expect.stringMatching(/cars: the MongoDB has no backup for a restore to read/)]),
        );
        expect(backupDrill({ ...fsn1, objects: withBackup((b) => ({ ...b, tasks: [], pitr: { enabled: false } })) }).problems).toEqual(
            expect.arrayContaining([expect.stringMatching(/no enabled scheduled backup task/), expect.stringMatching(/oplog archiving .* is off/)]),
        );
        const inCluster = withBackup((b) => ({ ...b, storages: { offsite: { ...b.storages.offsite, s3: { ...b.storages.offsite.s3, endpointUrl: "http://minio.minio.svc.cluster.local:9000" } } } }));
        expect(backupDrill({ ...fsn1, objects: inCluster }).problems).toEqual(expect.arrayContaining([expect.stringMatching(/PerconaServerMongoDB\/mongodb: backups stay inside the cluster/)]));
        const elsewhere = withBackup((b) => ({ ...b, storages: { offsite: { ...b.storages.offsite, s3: { ...b.storages.offsite.s3, prefix: "x" } } } }));
        expect(backupDrill({ ...fsn1, objects: elsewhere }).problems).toEqual(expect.arrayContaining([expect.stringMatching(/cars: the MongoDB restore reads .* the backups go to .*\/x\//)]));
    });
});

describe.each(["fsn1", "hel1"])("Redis in the drill (%s: caracal)", (stack) => {
    const input = drillInput(stack);
    const report = backupDrill(input);
    const redis = (o: PlannedObject) => o.kind === "RedisReplication";

    it("finds the group's member volumes in the Longhorn backup off the cluster, and a restore of the next generation that reads them", () => {
        expect(input.objects.filter(redis).map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(["caracal/redis"]);
        expect(report.paths.filter((p) => p.object.startsWith("caracal/RedisReplication/"))).toEqual([
            { object: "caracal/RedisReplication/redis/redis", method: "longhorn-recurring-backup", location: input.longhornBackupTarget, endpoint: expect.any(String), offCluster: expect.any(Boolean) },
        ]);
        // The same target as every other Longhorn volume of the stack; off the cluster on the production region.
        const path = report.paths.find((p) => p.object.startsWith("caracal/RedisReplication/"))!;
        const others = report.paths.filter((p) => p.method === "longhorn-recurring-backup" && !p.object.startsWith("caracal/RedisReplication/"));
        expect(others.length).toBeGreaterThan(0);
        expect(others.every((p) => p.endpoint === path.endpoint && p.offCluster === path.offCluster)).toBe(true);
        if (stack === "fsn1") {
            expect(path).toMatchObject({ endpoint: expect.stringMatching(/^https:\/\//), offCluster: true });
        }
        for (const spec of input.projects.filter((p) => p.redis)) {
            const restored = restoredRedisProject(spec);
            const rendered = renderProject(restored, input.config).redis!;
            const claims = rendered.companions.filter((o) => o.kind === "PersistentVolumeClaim");
            expect(claims.map((c) => c.metadata!.name)).toEqual(Array.from({ length: spec.redis!.replicas }, (_, i) => `redis-g1-redis-g1-${i}`));
            const classes = renderRestoreStorageClasses(input.config, [restored]);
            expect(classes.map((c) => c.metadata!.name)).toEqual(claims.map((c) => c.spec!.storageClassName));
            for (const sc of classes) {
                expect(sc.parameters!.fromBackup!.startsWith(`${input.longhornBackupTarget}?backup=`)).toBe(true);
                expect(validateObject(sc).status).toBe("valid");
            }
        }
    });

    it("reports a group without persistence, off the Longhorn classes, or outside the nightly backup group", () => {
        const change = (f: (o: PlannedObject) => PlannedObject) => input.objects.map((o) => (redis(o) ? f(o) : o));
        const noStorage = change((o) => ({ ...o, spec: { ...o.spec, storage: undefined } }));
        expect(backupDrill({ ...input, objects: noStorage }).problems).toEqual(
            expect.arrayContaining([expect.stringMatching(/RedisReplication\/redis: no volume claim template/), expect.stringMatching(/caracal: the Redis has no backup for a restore to read/)]),
        );
        const localPath = change((o) => ({ ...o, spec: { ...o.spec, storage: { ...o.spec!.storage, volumeClaimTemplate: { spec: { ...o.spec!.storage.volumeClaimTemplate.spec, storageClassName: "local-path" } } } } }));
        expect(backupDrill({ ...input, objects: localPath }).problems).toEqual(expect.arrayContaining([expect.stringMatching(/RedisReplication\/redis\/redis: storage class local-path is not a Longhorn class/)]));
        const unlabelled = change((o) => ({ ...o, metadata: { ...o.metadata, labels: { "platform/project": "caracal" } } }));
        expect(backupDrill({ ...input, objects: unlabelled }).problems).toEqual([expect.stringMatching(/RedisReplication\/redis: the group does not label its claims into the nightly Longhorn backup group/)]);
    });
});

describe("MySQL in the drill (fsn1: cars)", () => {
    const fsn1 = drillInput("fsn1");
    const report = backupDrill(fsn1);
    const pxc = (o: PlannedObject) => o.kind === "PerconaXtraDBCluster";
    const s3 = () => fsn1.config.backup.s3!;

    it("finds the cluster's full backups and binlogs off the cluster, and a point-in-time restore of the next generation that reads them", () => {
        expect(fsn1.objects.filter(pxc).map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(["cars/database"]);
        // The hand-written MySQL StatefulSet is gone: the operator owns the nodes.
        expect(fsn1.objects.filter((o) => o.kind === "StatefulSet" && o.metadata.namespace === "cars" && o.metadata.name === "database")).toEqual([]);
        expect(report.paths.filter((p) => p.method === "pxc-xtrabackup" || p.method === "pxc-binlogs")).toEqual([
            { object: "cars/PerconaXtraDBCluster/database", method: "pxc-xtrabackup", location: `s3://${s3().bucket}/${s3().folder}/cars/database/`, endpoint: `https://${s3().endpoint}`, offCluster: true },
            { object: "cars/PerconaXtraDBCluster/database/binlogs", method: "pxc-binlogs", location: `s3://${s3().bucket}/${s3().folder}/cars/database/binlogs/`, endpoint: `https://${s3().endpoint}`, offCluster: true },
        ]);
        for (const spec of fsn1.projects.filter((p) => p.database?.engine === "mysql")) {
            const restored = renderProject(restoredProject(spec, "2026-11-30T23:15:00Z"), fsn1.config);
            const objects = [...restored.database!.companions, ...restored.database!.workloads];
            expect(objects.map((o) => o.kind)).toEqual(["NetworkPolicy", "NetworkPolicy", "PodMonitor", "PerconaXtraDBCluster", "PerconaXtraDBClusterRestore"]);
            expect(restored.database!.companions.map((o) => validateObject(o)).filter((r) => r.status !== "valid")).toEqual([]);
            expect(restored.database!.workloads.map((o) => crdSchemaErrors(o as never))).toEqual([[], []]);
            expect(restored.database!.workloads[1]!.spec).toMatchObject({ pxcCluster: `database-g${spec.database!.generation + 1}`, backupSource: { destination: `s3://${s3().bucket}/${s3().folder}/cars/database/${drillMysqlBackup(0)}` } });
        }
    });

    it("reports a cluster without scheduled backups, without binlogs, in the cluster on production, or restored from elsewhere", () => {
        const withBackup = (change: (backup: Record<string, any>) => Record<string, any>) => fsn1.objects.map((o): PlannedObject => (pxc(o) ? { ...o, spec: { ...o.spec, backup: change(o.spec!.backup) } } : o));
        expect(backupDrill({ ...fsn1, objects: withBackup((b) => ({ ...b, schedule: [] })) }).problems).toEqual(
            expect.arrayContaining([expect.stringMatching(/PerconaXtraDBCluster\/database: no scheduled full backup/), expect.stringMatching(/cars: the MySQL database has no backup for a restore to read/)]),
        );
        expect(backupDrill({ ...fsn1, objects: withBackup((b) => ({ ...b, pitr: { ...b.pitr, enabled: false } })) }).problems).toEqual([expect.stringMatching(/binlog collection .* is off/)]);
        const storage = (b: Record<string, any>, name: string, s3: Record<string, unknown>) => ({ ...b, storages: { ...b.storages, [name]: { ...b.storages[name], s3: { ...b.storages[name].s3, ...s3 } } } });
        const inCluster = withBackup((b) => storage(b, "offsite", { endpointUrl: "http://minio.minio.svc.cluster.local:9000" }));
        expect(backupDrill({ ...fsn1, objects: inCluster }).problems).toEqual(expect.arrayContaining([expect.stringMatching(/PerconaXtraDBCluster\/database: backups stay inside the cluster/)]));
        const elsewhere = withBackup((b) => storage(b, "offsite", { bucket: `${s3().bucket}/x` }));
        expect(backupDrill({ ...fsn1, objects: elsewhere }).problems).toEqual([expect.stringMatching(/cars: the MySQL restore reads .* the backups go to .*\/x\//)]);
        const binlogsElsewhere = withBackup((b) => storage(b, "offsite-binlogs", { bucket: `${s3().bucket}/y` }));
        expect(backupDrill({ ...fsn1, objects: binlogsElsewhere }).problems).toEqual([expect.stringMatching(/cars: the MySQL point-in-time restore replays binlogs from .* the collector writes to .*\/y\//)]);
    });
});

describe("the drill fails when it should", () => {
    const fsn1 = drillInput("fsn1");

    it("reports a tenant volume whose class no Longhorn backup covers, and a database without an archive or schedule", () => {
        const objects = fsn1.objects.map((o): PlannedObject => {
            if (o.kind === "StatefulSet" && (o.spec?.volumeClaimTemplates ?? []).length > 0) {
                return { ...o, spec: { ...o.spec, volumeClaimTemplates: o.spec!.volumeClaimTemplates.map((c: any) => ({ ...c, spec: { ...c.spec, storageClassName: "local-path" } })) } };
            }
            if (o.kind === "Cluster") {
                return { ...o, spec: { ...o.spec, backup: undefined } };
            }
            return o;
        });
        const problems = backupDrill({ ...fsn1, objects }).problems;
        expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/StatefulSet\/.*local-path is not a Longhorn class/), expect.stringMatching(/Cluster\/database: no WAL archive/), expect.stringMatching(/has no backup for a restore to read/)]));
        const unscheduled = backupDrill({ ...fsn1, objects: fsn1.objects.filter((o) => o.kind !== "ScheduledBackup") }).problems;
        expect(unscheduled).toEqual(expect.arrayContaining([expect.stringMatching(/no ScheduledBackup/)]));
    });

    it("reports volumes when the plan has no Longhorn backup job", () => {
        const problems = backupDrill({ ...fsn1, objects: fsn1.objects.filter((o) => o.kind !== "RecurringJob") }).problems;
        expect(problems.some((p) => /no Longhorn recurring backup job/.test(p))).toBe(true);
    });

    it("refuses backups that stay in the cluster on a production stack", () => {
        const config = { ...fsn1.config, backup: { ...fsn1.config.backup, s3: { ...fsn1.config.backup.s3!, endpoint: "minio.minio.svc.cluster.local:9000" } }, addons: { ...fsn1.config.addons, longhorn: { backupTarget: "minio" as const } } };
        const objects = fsn1.objects.map((o): PlannedObject =>
            o.kind === "Cluster" ? { ...o, spec: { ...o.spec, backup: { ...o.spec!.backup, barmanObjectStore: { ...o.spec!.backup.barmanObjectStore, endpointURL: "http://minio.minio.svc.cluster.local:9000" } } } } : o,
        );
        const problems = backupDrill({ ...fsn1, config, objects, longhornBackupTarget: "s3://longhorn-backups@us-east-1/" }).problems;
        expect(problems.filter((p) => /stay inside the cluster/.test(p)).length).toBeGreaterThanOrEqual(2);
        expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/Cluster\/database: backups stay inside the cluster/), expect.stringMatching(/StatefulSet\/.*backups stay inside the cluster/)]));
    });

    it("reports a tenant namespace without a Velero Schedule, and Schedules without a planned location", () => {
        const unscheduled = backupDrill({ ...fsn1, objects: fsn1.objects.filter((o) => !(o.kind === "Schedule" && o.metadata.name === `tenant-${fsn1.projects[0]!.id}`)) }).problems;
        expect(unscheduled).toEqual([`${fsn1.projects[0]!.id}/Namespace/${fsn1.projects[0]!.id}: no Velero Schedule backs up the namespace's objects`]);
        const noLocation = backupDrill({ ...fsn1, veleroLocation: undefined }).problems;
        expect(noLocation.length).toBe(fsn1.projects.length);
        expect(noLocation.every((p) => /no Velero backup location in the plan/.test(p))).toBe(true);
    });

    it("refuses Velero backups into the in-cluster MinIO on a production stack", () => {
        const inCluster = { ...fsn1.veleroLocation!, config: { ...fsn1.veleroLocation!.config, s3Url: "http://minio.minio.svc.cluster.local:9000" } };
        const problems = backupDrill({ ...fsn1, veleroLocation: inCluster }).problems;
        expect(problems.filter((p) => /Namespace\/.*backups stay inside the cluster/.test(p)).length).toBe(fsn1.projects.length);
    });

    it("reports a restore that would read another archive than the backups write", () => {
        const objects = fsn1.objects.map((o): PlannedObject =>
            o.kind === "Cluster" ? { ...o, spec: { ...o.spec, backup: { ...o.spec!.backup, barmanObjectStore: { ...o.spec!.backup.barmanObjectStore, destinationPath: "s3://elsewhere/x/" } } } } : o,
        );
        expect(backupDrill({ ...fsn1, objects }).problems).toEqual(expect.arrayContaining([expect.stringMatching(/the restore reads .* the backups go to .*s3:\/\/elsewhere\/x\//)]));
    });
});
