import { describe, expect, it } from "vitest";
import { projectContext } from "../../../components/project/common";
import {
    mysqlBackupLocation,
    MYSQL_STORAGES,
    PXC_LABELS,
    renderMysqlCluster,
    renderMysqlNetworkPolicies,
    renderMysqlPodMonitor,
    renderMysqlRestore,
    xtrabackupImage,
} from "../../../components/project/mysql";
import { mongoRetentionCount } from "../../../components/project/mongodb";
import { renderDatabase } from "../../../components/project/render";
import { renderResourceQuota } from "../../../components/project/namespace";
import { DATABASE_IMAGES, MYSQL_OPERATOR_IMAGES } from "../../../charts/images";
import { PLATFORM_BACKUP_SECRET } from "../../../policy/lib/catalogue";
import { projectSchema } from "../../../lib/tenants/schema";
import { projectFootprint } from "../../../lib/tenants/footprint";
import { crdSchemaErrors } from "../../helpers/crd-schema";
import { validateObject } from "../../helpers/k8s-schema";
import { project, stackPlatformConfig } from "./fixtures";

const fsn1 = stackPlatformConfig("fsn1");
const noTarget = stackPlatformConfig("dev", { backup: {} });
const ctxFor = (database: Record<string, unknown>, config = fsn1, extra: Record<string, unknown> = {}) => projectContext(project({ name: "shop-eu", database: { engine: "mysql", ...database }, ...extra }), config);
type Spec = Record<string, any>;
const specOf = (database: Record<string, unknown>, config = fsn1, extra: Record<string, unknown> = {}): Spec => renderMysqlCluster(ctxFor(database, config, extra)).spec as Spec;
const BACKUP = "database-2026-11-30-03:00:21-full";

describe("MySQL as a Percona PerconaXtraDBCluster", () => {
    it("passes the operator's CRD schema at the pinned version (1 and 3 nodes, restore), with and without a backup target", () => {
        const objects = [
            renderMysqlCluster(ctxFor({ instances: 3 })),
            renderMysqlCluster(ctxFor({}, noTarget)),
            renderMysqlCluster(ctxFor({ version: "8.0" }, fsn1, { trust: "trusted" })),
            renderMysqlRestore(ctxFor({ generation: 1, restore: { fromGeneration: 0, backup: BACKUP, targetTime: "2026-11-30T23:15:00+01:00" } }))!,
            renderMysqlRestore(ctxFor({ generation: 1, restore: { fromGeneration: 0, backup: BACKUP } }))!,
        ];
        for (const object of objects) {
            expect(crdSchemaErrors(object), `${object.kind} ${object.metadata.name}`).toEqual([]);
        }
    });

    it("refuses a field the CRD does not declare (the validator is not vacuous)", () => {
        const object = renderMysqlCluster(ctxFor({}));
        expect(crdSchemaErrors({ ...object, spec: { ...object.spec, pxcz: {} } } as object & { apiVersion: string; kind: string })).not.toEqual([]);
    });

    it("runs the requested nodes on different run nodes with a PDB, HAProxy in front of three, pinned images, the version service off", () => {
        const spec = specOf({ instances: 3, size: "30Gi", class: "standard", version: "8.0" });
        expect(spec.pxc).toMatchObject({ size: 3, affinity: { antiAffinityTopologyKey: "kubernetes.io/hostname" }, nodeSelector: { "platform/pool": "run" }, podDisruptionBudget: { maxUnavailable: 1 } });
        expect(spec.pxc.volumeSpec.persistentVolumeClaim).toEqual({ storageClassName: "standard", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "30Gi" } } });
        expect(spec.pxc.image).toBe(DATABASE_IMAGES.mysql["8.0"]);
        expect(spec.backup.image).toBe(MYSQL_OPERATOR_IMAGES.backup["8.0"]);
        expect(spec.haproxy).toMatchObject({ enabled: true, size: 2, image: MYSQL_OPERATOR_IMAGES.haproxy, affinity: { antiAffinityTopologyKey: "kubernetes.io/hostname" }, podDisruptionBudget: { maxUnavailable: 1 } });
        expect(spec.initContainer.image).toBe(`${MYSQL_OPERATOR_IMAGES.operator.repository}:${MYSQL_OPERATOR_IMAGES.operator.tag}`);
        expect(spec).toMatchObject({ upgradeOptions: { apply: "disabled" }, unsafeFlags: { pxcSize: false }, updateStrategy: "SmartUpdate", tls: { enabled: true }, proxysql: { enabled: false }, logcollector: { enabled: false }, pmm: { enabled: false } });
        // One node is below the operator's safe size: it must be told, and without a proxy SmartUpdate is refused.
        const single = specOf({});
        expect(single).toMatchObject({ unsafeFlags: { pxcSize: true }, updateStrategy: "RollingUpdate", haproxy: { enabled: false } });
        expect(single.pxc.image).toBe(DATABASE_IMAGES.mysql["8.4"]);
        expect(xtrabackupImage({})).toBe(MYSQL_OPERATOR_IMAGES.backup["8.4"]);
    });

    it("runs every pod restricted as the mysql user, untrusted tenants' in gVisor without native AIO, trusted ones without", () => {
        const spec = specOf({ instances: 3 });
        for (const part of [spec.pxc, spec.haproxy, spec.backup.storages[MYSQL_STORAGES.backups], spec.backup.storages[MYSQL_STORAGES.binlogs]]) {
            expect(part.podSecurityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1001, fsGroup: 1001, seccompProfile: { type: "RuntimeDefault" } });
            expect(part.containerSecurityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
            expect(part.runtimeClassName).toBe("gvisor");
        }
        expect(spec.initContainer.containerSecurityContext).toMatchObject({ runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
        expect(spec.pxc.configuration).toContain("innodb_use_native_aio=0");
        const trusted = specOf({}, fsn1, { trust: "trusted" });
        expect(trusted.pxc.runtimeClassName).toBeUndefined();
        expect(trusted.pxc.configuration).toBeUndefined();
    });

    it("backs up to the off-cluster bucket, per namespace and generation, binlogs beside, keeping retentionDays of runs", () => {
        const backup = specOf({}).backup;
        const s3 = fsn1.backup.s3!;
        const target = { region: s3.region, endpointUrl: `https://${s3.endpoint}`, credentialsSecret: PLATFORM_BACKUP_SECRET };
        expect(backup.storages[MYSQL_STORAGES.backups]).toMatchObject({ type: "s3", verifyTLS: true, s3: { bucket: `${s3.bucket}/${s3.folder}/shop-eu/database`, ...target } });
        expect(backup.storages[MYSQL_STORAGES.binlogs]).toMatchObject({ type: "s3", s3: { bucket: `${s3.bucket}/${s3.folder}/shop-eu/database/binlogs`, ...target } });
        expect(backup.pitr).toMatchObject({ enabled: true, storageName: MYSQL_STORAGES.binlogs, timeBetweenUploads: 60 });
        expect(backup.schedule).toEqual([
            { name: "scheduled", schedule: fsn1.backup.schedule, storageName: MYSQL_STORAGES.backups, retention: { type: "count", count: mongoRetentionCount(fsn1.backup.schedule, fsn1.backup.retentionDays), deleteFromStorage: true } },
        ]);
        expect(mysqlBackupLocation(fsn1, "shop-eu", 1)).toBe(`s3://${s3.bucket}/${s3.folder}/shop-eu/database-g1/`);
        expect(specOf({}, noTarget).backup).toBeUndefined();
    });

    it("restores a new generation from a named backup of an earlier one, replayed from its binlogs to a UTC point in time", () => {
        const ctx = ctxFor({ generation: 2, restore: { fromGeneration: 1, backup: "database-g1-2026-11-30-03:00:21-full", targetTime: "2026-11-30T23:15:00+01:00" } });
        const restore = renderMysqlRestore(ctx)!;
        const s3 = fsn1.backup.s3!;
        expect(restore.metadata.name).toBe("database-g2-from-g1");
        expect(restore.spec).toEqual({
            pxcCluster: "database-g2",
            backupSource: {
                destination: `${mysqlBackupLocation(fsn1, "shop-eu", 1)}database-g1-2026-11-30-03:00:21-full`,
                s3: expect.objectContaining({ bucket: `${s3.bucket}/${s3.folder}/shop-eu/database-g1`, credentialsSecret: PLATFORM_BACKUP_SECRET }),
            },
            pitr: { type: "date", date: "2026-11-30 22:15:00", backupSource: { s3: expect.objectContaining({ bucket: `${s3.bucket}/${s3.folder}/shop-eu/database-g1/binlogs` }) } },
        });
        // The new generation writes its own backups, never into the folder it reads.
        expect(renderMysqlCluster(ctx).spec.backup).toMatchObject({ storages: { offsite: { s3: { bucket: `${s3.bucket}/${s3.folder}/shop-eu/database-g2` } } } });
        expect(renderMysqlRestore(ctxFor({}))).toBeUndefined();
        expect(() => renderMysqlRestore(ctxFor({ generation: 1, restore: { fromGeneration: 0, backup: BACKUP } }, noTarget))).toThrow(/needs platform:backup.s3/);
        expect(renderDatabase(ctx)!.workloads.map((o) => o.kind)).toEqual(["PerconaXtraDBCluster", "PerconaXtraDBClusterRestore"]);
    });

    it("declares the app user with its own database only, its password from the credentials Secret", () => {
        expect(specOf({}).users).toEqual([{ name: "app", passwordSecretRef: { name: "database-credentials", key: "DATABASE_PASSWORD" }, dbs: ["shop_eu"], hosts: ["%"], grants: ["ALL PRIVILEGES"] }]);
    });

    it("scrapes the binlog collector, labelled with the project and cluster", () => {
        const monitor = renderMysqlPodMonitor(ctxFor({}));
        expect(monitor.spec.selector).toEqual({ matchLabels: { [PXC_LABELS.cluster]: "database", [PXC_LABELS.component]: "pitr" } });
        expect(monitor.spec.podMetricsEndpoints![0]!.port).toBe("metrics");
        expect(monitor.spec.podMetricsEndpoints![0]!.relabelings!.map((r) => r.targetLabel)).toEqual(["cluster", "project"]);
        expect(validateObject(monitor).status).toBe("valid");
        expect(renderDatabase(ctxFor({}, noTarget))!.companions.map((o) => o.kind)).toEqual(["NetworkPolicy"]);
    });

    it("admits the operator and Prometheus, and lets only the backup movers (not the nodes or HAProxy) reach the bucket over HTTPS", () => {
        const policies = renderMysqlNetworkPolicies(ctxFor({}));
        expect(policies.map((p) => p.metadata!.name)).toEqual(["allow-mysql-operator", "allow-mysql-backup-bucket"]);
        expect(JSON.stringify(policies[0]!.spec!.ingress)).toContain('"kubernetes.io/metadata.name":"pxc-system"');
        expect(policies[1]!.spec!.podSelector).toEqual({ matchLabels: { [PXC_LABELS.cluster]: "database" }, matchExpressions: [{ key: PXC_LABELS.component, operator: "NotIn", values: ["pxc", "haproxy"] }] });
        expect(policies[1]!.spec!.egress).toEqual([expect.objectContaining({ ports: [{ protocol: "TCP", port: 443 }] })]);
        expect(renderMysqlNetworkPolicies(ctxFor({}, noTarget)).map((p) => p.metadata!.name)).toEqual(["allow-mysql-operator"]);
        for (const policy of policies) {
            expect(validateObject(policy).status).toBe("valid");
        }
    });

    it("counts the nodes, HAProxy, the collector and one backup Job in the footprint, and the operator's Services in the quota", () => {
        const three = projectContext(project({ name: "shop-eu", database: { engine: "mysql", instances: 3, size: "20Gi" } }), fsn1);
        const one = projectContext(project({ name: "shop-eu", database: { engine: "mysql", instances: 1, size: "20Gi" } }), fsn1);
        // 3 nodes + 2 HAProxy + collector + backup Job, against 1 node + collector + backup Job.
        expect(projectFootprint(three.project).pods - projectFootprint(one.project).pods).toBe(4);
        expect(projectFootprint(three.project).storage - projectFootprint(one.project).storage).toBe(2 * 20 * 2 ** 30);
        const services = (ctx: typeof one) => Number(renderResourceQuota(ctx).spec!.hard!.services);
        expect(services(three) - services(one)).toBe(1);
    });
});

describe("the tenant file's MySQL database", () => {
    const baseDoc = { name: "shop", owner: { name: "Shop", email: "shop@example.com" }, quota: { cpu: "4", memory: "8Gi", storage: "50Gi", pods: 20 }, services: [{ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080 }] };
    const parse = (database: Record<string, unknown>) => projectSchema.safeParse({ ...baseDoc, database: { engine: "mysql", ...database } });
    const messages = (result: ReturnType<typeof parse>) => (result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));

    it("takes 1, 3 or 5 nodes", () => {
        expect(parse({ instances: 3 }).success).toBe(true);
        expect(parse({ instances: 5 }).success).toBe(true);
        expect(messages(parse({ instances: 2 }))).toEqual([expect.stringMatching(/^database.instances: a MySQL cluster runs 1, 3 or 5 nodes \(2 cannot keep a majority/)]);
        expect(messages(parse({ instances: 7 }))).toEqual([expect.stringMatching(/^database.instances: .*more than the operator's safe maximum of 5/)]);
    });

    it("restores from a named backup of the source generation, to a point in time after it", () => {
        expect(parse({ generation: 1, restore: { fromGeneration: 0, backup: BACKUP, targetTime: "2026-11-30T23:15:00Z" } }).success).toBe(true);
        expect(messages(parse({ generation: 1, restore: { fromGeneration: 0 } }))).toEqual(["database.restore.backup: a MySQL restore starts from a full backup"]);
        expect(messages(parse({ generation: 1, restore: { fromGeneration: 0, backup: "yesterday" } }))).toEqual([expect.stringMatching(/^database.restore.backup: must be a backup folder like/)]);
        expect(messages(parse({ generation: 2, restore: { fromGeneration: 1, backup: BACKUP } }))).toEqual([expect.stringMatching(/^database.restore.backup: backup .* is of cluster database, not of generation 1 \(database-g1\)/)]);
        expect(messages(parse({ generation: 1, restore: { fromGeneration: 0, backup: BACKUP, targetTime: "2026-11-30T02:00:00Z" } }))).toEqual([expect.stringMatching(/^database.restore.targetTime: the point in time must come after the backup/)]);
        expect(messages(parse({ generation: 0, restore: { fromGeneration: 0, backup: BACKUP } }))).toEqual([expect.stringMatching(/^database.generation: a restore from generation 0 must create a newer generation/)]);
    });

    it("refuses a backup name on a PostgreSQL restore (it reads the whole archive)", () => {
        const pg = projectSchema.safeParse({ ...baseDoc, database: { engine: "postgresql", generation: 1, restore: { fromGeneration: 0, backup: BACKUP } } });
        expect(messages(pg)).toEqual([expect.stringMatching(/^database.restore.backup: a PostgreSQL restore reads the whole archive/)]);
    });
});
