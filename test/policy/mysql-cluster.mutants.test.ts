import { describe, expect, it } from "vitest";
import { mysqlClusterProblems } from "../../policy/rules/tenancy/mysql-cluster";
import { messagesOf, planned } from "../helpers/policy-fixtures";

/**
 * `tenancy-mysql-cluster`: the pod labels and annotations of every pod group the operator creates, the backup
 * schedules one by one, the placement of an HAProxy that is not there, and a PerconaXtraDBClusterBackup judged by
 * its metadata only, each message written out (survivors of `npm run mutation -- policy-mysql`, 2026-12-03: no
 * guard case reached them). Calls only the rule: no Pulumi SDK.
 */

const TARGET = { endpointURL: "https://s3.example.com", destinationPrefix: "s3://backups/db/" };
const CONFIG = { databaseBackupTarget: TARGET, maxDatabaseInstances: 3 };
const S3 = { endpointUrl: "https://s3.example.com", bucket: "backups/db/shop", credentialsSecret: "database-backup-s3" };
const RUN_POOL = { nodeSelector: { "platform/pool": "run" } };
const problems = (spec: Record<string, unknown>) => mysqlClusterProblems(spec, "shop", CONFIG, "database");
const LABEL_REASON = "(a label the project's NetworkPolicies, Services or the operator select pods by: only the platform's";
const ANNOTATION_REASON = "is set (annotations on the operator's pods are the platform's: none)";

describe("mysqlClusterProblems, pod labels and annotations", () => {
    const tenantLabels = { "platform/service": "web", "platform/project": "shop", team: "payments" };

    it("holds each pod group's labels to the platform's values of the reserved keys, naming the group", () => {
        const spec = {
            pxc: { size: 3, ...RUN_POOL, labels: tenantLabels },
            haproxy: { enabled: true, ...RUN_POOL, labels: { "app.kubernetes.io/name": "haproxy" } },
            proxysql: { enabled: false, labels: { "platform/project": "caracal" } },
            backup: { storages: { s3: { type: "s3", s3: S3, ...RUN_POOL, labels: { "platform/trust": "root" } } }, schedule: [{ name: "daily", schedule: "0 3 * * *", storageName: "s3" }] },
        };
        expect(problems(spec).filter((p) => p.includes("labels"))).toEqual([
            `pxc.labels["platform/service"] is "web" ${LABEL_REASON} ["database"])`,
            `haproxy.labels["app.kubernetes.io/name"] is "haproxy" ${LABEL_REASON} ["database"])`,
            `proxysql.labels["platform/project"] is "caracal" ${LABEL_REASON} ["shop"])`,
            `backup.storages.s3.labels["platform/trust"] is "root" ${LABEL_REASON} ["trusted","untrusted"])`,
        ]);
    });

    it("passes the platform's own label values", () => {
        const spec = { pxc: { size: 3, ...RUN_POOL, labels: { "platform/service": "database", "platform/project": "shop", team: "payments" } } };
        expect(problems(spec).filter((p) => p.includes("labels"))).toEqual([]);
    });

    it("refuses annotations on any pod group and on the backup section", () => {
        const spec = {
            pxc: { size: 3, ...RUN_POOL, annotations: { "x/y": "z" } },
            haproxy: { enabled: true, ...RUN_POOL, annotations: {} },
            proxysql: { enabled: false, annotations: { a: "b" } },
            backup: { annotations: { c: "d" }, storages: { s3: { type: "s3", s3: S3, ...RUN_POOL, annotations: { e: "f" } } }, schedule: [{ name: "daily", schedule: "0 3 * * *", storageName: "s3" }] },
        };
        expect(problems(spec).filter((p) => p.includes("annotations"))).toEqual([
            `pxc.annotations ${ANNOTATION_REASON}`,
            `haproxy.annotations ${ANNOTATION_REASON}`,
            `proxysql.annotations ${ANNOTATION_REASON}`,
            `backup.storages.s3.annotations ${ANNOTATION_REASON}`,
            `backup.annotations ${ANNOTATION_REASON}`,
        ]);
        expect(problems({ pxc: { size: 3, ...RUN_POOL }, backup: { storages: { s3: { type: "s3", s3: S3, ...RUN_POOL } }, schedule: [{ name: "daily", schedule: "0 3 * * *", storageName: "s3" }] } })).toEqual([]);
    });
});

describe("mysqlClusterProblems, backup schedules and HAProxy placement", () => {
    const storages = { s3: { type: "s3", s3: S3, ...RUN_POOL } };

    it("refuses each schedule entry more often than hourly, by its index", () => {
        const schedule = [
            { name: "daily", schedule: "0 3 * * *", storageName: "s3" },
            { name: "often", schedule: "*/5 * * * *", storageName: "s3" },
            { name: "hourly", schedule: "@hourly", storageName: "s3" },
            { name: "none", storageName: "s3" },
        ];
        expect(problems({ pxc: { size: 3, ...RUN_POOL }, backup: { storages, schedule } })).toEqual([
            'backup.schedule[1].schedule "*/5 * * * *" may run more often than hourly (fixed minutes, or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly; no @every, no TZ=)',
            "backup.schedule[3].schedule undefined may run more often than hourly (fixed minutes, or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly; no @every, no TZ=)",
        ]);
    });

    it("places no HAProxy the spec does not have", () => {
        expect(problems({ pxc: { size: 3, ...RUN_POOL }, backup: { storages, schedule: [{ name: "daily", schedule: "0 3 * * *", storageName: "s3" }] } })).toEqual([]);
    });
});

describe("tenancy-mysql-cluster on a PerconaXtraDBClusterBackup", () => {
    const backup = (metadata: Record<string, unknown>, spec: Record<string, unknown>) =>
        planned("kubernetes:pxc.percona.com/v1:PerconaXtraDBClusterBackup", "backup", { apiVersion: "pxc.percona.com/v1", kind: "PerconaXtraDBClusterBackup", metadata: { name: "backup", namespace: "shop", ...metadata }, spec });

    it("judges its metadata only, not as a restore", () => {
        // A restore's backupSource outside the project's folder would be refused; on a Backup the operator reads no such field.
        expect(messagesOf("tenancy-mysql-cluster", [backup({}, { pxcCluster: "database", storageName: "s3", backupSource: { destination: "s3://elsewhere/x", s3: S3 } })], { databaseBackupTarget: TARGET })).toEqual([]);
        expect(messagesOf("tenancy-mysql-cluster", [backup({ annotations: { "percona.com/resync-in-progress": "true" } }, { pxcCluster: "database", storageName: "s3" })], { databaseBackupTarget: TARGET })).toEqual([
            'PerconaXtraDBClusterBackup in namespace "shop": metadata.annotations["percona.com/resync-in-progress"] is set (the operator acts on percona.com annotations: a Vault wait, a forced restore, a resync or a restart no tenant may set)',
        ]);
    });
});
