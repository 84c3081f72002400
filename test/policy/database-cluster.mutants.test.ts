import { describe, expect, it } from "vitest";
import { CNPG_SCHEDULED_BACKUP_TYPE, databaseClusterProblems, scheduledBackupProblems } from "../../policy/rules/tenancy/database-cluster";
import { messagesOf, planned } from "../helpers/policy-fixtures";

/**
 * `tenancy-database-cluster`'s ScheduledBackup half and the Cluster's inherited pod labels, each message written
 * out: the only ScheduledBackup cases were the admission-twin comparison (test/components/guardrails/
 * scheduled-backup-policy.test.ts), outside the module's guard set, so `npm run mutation -- policy-postgres`
 * found every mutant of scheduledBackupProblems uncovered (2026-12-03). Calls only the rule: no Pulumi SDK.
 */

const RULE = "tenancy-database-cluster";
/** The spec components/project/postgresql.ts renderScheduledBackup writes for the project's first Cluster. */
const RENDERED = { cluster: { name: "database" }, schedule: "0 0 3 * * *", method: "barmanObjectStore", immediate: true, target: "prefer-standby", backupOwnerReference: "self" };
const FIELDS = "cluster, schedule, method, immediate, target, backupOwnerReference, suspend";
const HOURLY = "(fixed seconds and minutes, or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly; no @every, no TZ=)";

describe("scheduledBackupProblems", () => {
    it("passes the rendered spec, a later generation's Cluster, suspend false and an unset method", () => {
        expect(scheduledBackupProblems(RENDERED)).toEqual([]);
        expect(scheduledBackupProblems({ ...RENDERED, cluster: { name: "database-g12" }, suspend: false })).toEqual([]);
        const { method: _, ...noMethod } = RENDERED;
        expect(scheduledBackupProblems(noMethod)).toEqual([]);
        expect(scheduledBackupProblems({ ...RENDERED, schedule: "@daily" })).toEqual([]);
    });

    it("refuses fields outside the rendered ones, each by name", () => {
        expect(scheduledBackupProblems({ ...RENDERED, pluginConfiguration: { name: "x" }, online: false })).toEqual([
            `pluginConfiguration is set (a tenant ScheduledBackup sets only ${FIELDS})`,
            `online is set (a tenant ScheduledBackup sets only ${FIELDS})`,
        ]);
    });

    it("refuses a schedule more often than hourly, or none", () => {
        expect(scheduledBackupProblems({ ...RENDERED, schedule: "* 0 3 * * *" })).toEqual([`schedule "* 0 3 * * *" may run more often than hourly ${HOURLY}`]);
        const { schedule: _, ...noSchedule } = RENDERED;
        expect(scheduledBackupProblems(noSchedule)).toEqual([`schedule undefined may run more often than hourly ${HOURLY}`]);
    });

    it("backs up only the project's own Cluster, named as a string", () => {
        const because = "is not the project's Cluster (database or database-g<N>)";
        expect(scheduledBackupProblems({ ...RENDERED, cluster: { name: "other" } })).toEqual([`cluster.name "other" ${because}`]);
        expect(scheduledBackupProblems({ ...RENDERED, cluster: { name: "database-g" } })).toEqual([`cluster.name "database-g" ${because}`]);
        // A list reads as "database" to a RegExp; the operator wants a string.
        expect(scheduledBackupProblems({ ...RENDERED, cluster: { name: ["database"] } })).toEqual([`cluster.name ["database"] ${because}`]);
        expect(scheduledBackupProblems({ ...RENDERED, cluster: "database" })).toEqual([`cluster.name undefined ${because}`]);
    });

    it("pins the method, the target and the owner reference, and refuses a suspended schedule", () => {
        expect(scheduledBackupProblems({ ...RENDERED, method: "volumeSnapshot" })).toEqual(['method "volumeSnapshot" is not barmanObjectStore (the Cluster\'s archive on the platform\'s target)']);
        expect(scheduledBackupProblems({ ...RENDERED, method: "plugin" })).toEqual(['method "plugin" is not barmanObjectStore (the Cluster\'s archive on the platform\'s target)']);
        expect(scheduledBackupProblems({ ...RENDERED, target: "primary" })).toEqual(['target "primary" is not the platform\'s prefer-standby']);
        const { target: _t, backupOwnerReference: _o, ...unpinned } = RENDERED;
        expect(scheduledBackupProblems(unpinned)).toEqual(["target undefined is not the platform's prefer-standby", "backupOwnerReference undefined is not the platform's self"]);
        expect(scheduledBackupProblems({ ...RENDERED, backupOwnerReference: "cluster" })).toEqual(['backupOwnerReference "cluster" is not the platform\'s self']);
        expect(scheduledBackupProblems({ ...RENDERED, suspend: true })).toEqual(["suspend is true (the project's base backups would stop)"]);
    });
});

describe("tenancy-database-cluster on a ScheduledBackup", () => {
    const object = (spec: Record<string, unknown>) => planned(CNPG_SCHEDULED_BACKUP_TYPE, "database-base", { apiVersion: "postgresql.cnpg.io/v1", kind: "ScheduledBackup", metadata: { name: "database-base", namespace: "shop" }, spec });

    it("judges it by the ScheduledBackup checks alone, naming the kind and the namespace", () => {
        expect(messagesOf(RULE, [object(RENDERED)])).toEqual([]);
        expect(messagesOf(RULE, [object({ ...RENDERED, target: "primary", suspend: true })])).toEqual([
            'ScheduledBackup in namespace "shop": target "primary" is not the platform\'s prefer-standby',
            'ScheduledBackup in namespace "shop": suspend is true (the project\'s base backups would stop)',
        ]);
    });
});

describe("databaseClusterProblems, inherited pod labels", () => {
    it("holds inheritedMetadata.labels to the platform's values of the reserved keys", () => {
        const spec = { instances: 1, inheritedMetadata: { labels: { "platform/service": "web", "platform/project": "shop", team: "payments" } } };
        const labelProblems = databaseClusterProblems(spec, "shop", { databaseBackupTarget: { endpointURL: "", destinationPrefix: "" }, maxDatabaseInstances: 3 }, "database").filter((p) => p.includes("labels"));
        expect(labelProblems).toEqual(['inheritedMetadata.labels["platform/service"] is "web" (a label the project\'s NetworkPolicies, Services or the operator select pods by: only the platform\'s ["database"])']);
    });
});
