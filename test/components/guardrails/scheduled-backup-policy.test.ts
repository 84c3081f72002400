import { describe, expect, it } from "vitest";
import { renderDatabasePolicy, renderMongodbPolicy, renderMysqlPolicy } from "../../../components/guardrails/admission-policies";
import { databaseAdmission } from "../../../components/guardrails/database-admission";
import { projectContext } from "../../../components/project/common";
import { renderMongoDbCluster } from "../../../components/project/mongodb";
import { renderMysqlCluster } from "../../../components/project/mysql";
import { renderScheduledBackup } from "../../../components/project/postgresql";
import { CNPG_SCHEDULED_BACKUP_TYPE } from "../../../policy/rules/tenancy/database-cluster";
import { PSMDB_TYPES } from "../../../policy/rules/tenancy/mongodb-cluster";
import { PXC_TYPES } from "../../../policy/rules/tenancy/mysql-cluster";
import { admit } from "../../../tools/offline/admission";
import { stackPackConfig } from "../../../tools/offline/policy-config";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { messagesOf, planned, tenantNamespace } from "../../helpers/policy-fixtures";
import { ROOT } from "../../helpers/synth";
import { project, stackPlatformConfig } from "../project/fixtures";

/**
 * Review 19d: a tenant's backup schedules run at most hourly (CloudNativePG `ScheduledBackup`, robfig/cron v1 with
 * seconds first; the Percona operators' `backup.schedule`/`backup.tasks`, robfig/cron v3's 5 fields), and a
 * ScheduledBackup backs up the project's own Cluster the platform's way. The pack (`tenancy-database-cluster`,
 * `tenancy-mysql-cluster`, `tenancy-mongodb-cluster`) and the twins decide alike. Expected outcomes are written per case.
 */

const config = stackPlatformConfig("fsn1");
const pack = stackPackConfig(readStackConfig(ROOT, "fsn1"));
const admission = { allowedRegistries: config.allowedRegistries, ...databaseAdmission(config) };
const namespaceObject = tenantNamespace("shop").inputs;
type Spec = Record<string, any>;

const scheduled = renderScheduledBackup(projectContext(project({ name: "shop", database: { engine: "postgresql", instances: 2 } }), config))!;
const databases = renderDatabasePolicy(admission);

function decideScheduledBackup(spec: Spec) {
    const object = { ...scheduled, spec };
    const decision = admit(databases.policy, databases.binding, { object, namespaceObject, operation: "CREATE" });
    const reported = messagesOf("tenancy-database-cluster", [planned(CNPG_SCHEDULED_BACKUP_TYPE, scheduled.metadata.name, object)], pack);
    return { admission: decision.allowed ? "admit" : "deny", pack: reported.length === 0 ? "admit" : "deny", messages: [...decision.messages, ...reported] };
}

const withSpec = (changes: Spec): Spec => ({ ...scheduled.spec, ...changes });

const SCHEDULED_BACKUP_CASES: Array<{ title: string; spec: Spec; expected: "admit" | "deny" }> = [
    { title: "the ScheduledBackup the program renders", spec: scheduled.spec, expected: "admit" },
    { title: "hourly, at minute 15", spec: withSpec({ schedule: "0 15 * * * *" }), expected: "admit" },
    { title: "five fields (the day of week is optional in robfig/cron v1)", spec: withSpec({ schedule: "0 0 3 * *" }), expected: "admit" },
    { title: "the @daily descriptor", spec: withSpec({ schedule: "@daily" }), expected: "admit" },
    { title: "every second", spec: withSpec({ schedule: "* * * * * *" }), expected: "deny" },
    { title: "every minute, at second 0", spec: withSpec({ schedule: "0 * * * * *" }), expected: "deny" },
    { title: "every 5 minutes", spec: withSpec({ schedule: "0 */5 * * * *" }), expected: "deny" },
    { title: "two minutes an hour", spec: withSpec({ schedule: "0 0,30 * * * *" }), expected: "deny" },
    { title: "a minute range", spec: withSpec({ schedule: "0 0-59 3 * * *" }), expected: "deny" },
    { title: "? as the seconds", spec: withSpec({ schedule: "? 0 3 * * *" }), expected: "deny" },
    { title: "@every 1s", spec: withSpec({ schedule: "@every 1s" }), expected: "deny" },
    { title: "a minute out of range", spec: withSpec({ schedule: "0 60 3 * * *" }), expected: "deny" },
    { title: "a tab between the fields", spec: withSpec({ schedule: "0\t0 3 * * *" }), expected: "deny" },
    { title: "another namespace's object name for the cluster", spec: withSpec({ cluster: { name: "web" } }), expected: "deny" },
    { title: "the next generation's Cluster", spec: withSpec({ cluster: { name: "database-g1" } }), expected: "admit" },
    { title: "volume snapshots", spec: withSpec({ method: "volumeSnapshot" }), expected: "deny" },
    { title: "a plugin of the tenant's", spec: withSpec({ method: "plugin", pluginConfiguration: { name: "x.example.com" } }), expected: "deny" },
    { title: "the primary as the target", spec: withSpec({ target: "primary" }), expected: "deny" },
    { title: "Backups owned by nobody", spec: withSpec({ backupOwnerReference: "none" }), expected: "deny" },
    { title: "suspended", spec: withSpec({ suspend: true }), expected: "deny" },
    { title: "not suspended, said out loud", spec: withSpec({ suspend: false }), expected: "admit" },
    { title: "a cold backup", spec: withSpec({ online: false }), expected: "deny" },
];

describe("tenant ScheduledBackups (tenancy-database-cluster and platform-tenant-databases)", () => {
    it("renders a schedule with seconds first", () => {
        expect(scheduled.spec.schedule).toBe("0 0 3 * * *");
    });

    it.each(SCHEDULED_BACKUP_CASES)("$title: $expected by admission and by the pack", ({ spec, expected }) => {
        const outcome = decideScheduledBackup(spec);
        expect(outcome.admission, outcome.messages.join("; ")).toBe(expected);
        expect(outcome.pack, outcome.messages.join("; ")).toBe(expected);
    });
});

const mysqlCluster = renderMysqlCluster(projectContext(project({ name: "shop", database: { engine: "mysql", instances: 3 } }), config));
const mongoCluster = renderMongoDbCluster(projectContext(project({ name: "shop", mongodb: { instances: 3 } }), config));
const mysql = renderMysqlPolicy(admission);
const mongodb = renderMongodbPolicy(admission);

function decidePercona(engine: "mysql" | "mongodb", schedule: string) {
    const base = engine === "mysql" ? mysqlCluster : mongoCluster;
    const backup = base.spec.backup as Spec;
    const list = engine === "mysql" ? "schedule" : "tasks";
    const object = { ...base, spec: { ...base.spec, backup: { ...backup, [list]: (backup[list] as Spec[]).map((entry) => ({ ...entry, schedule })) } } };
    const pair = engine === "mysql" ? mysql : mongodb;
    const decision = admit(pair.policy, pair.binding, { object, namespaceObject, operation: "CREATE" });
    const reported = messagesOf(engine === "mysql" ? "tenancy-mysql-cluster" : "tenancy-mongodb-cluster", [planned(engine === "mysql" ? PXC_TYPES.cluster : PSMDB_TYPES.cluster, base.metadata.name, object)], pack);
    return { admission: decision.allowed ? "admit" : "deny", pack: reported.length === 0 ? "admit" : "deny", messages: [...decision.messages, ...reported] };
}

const PERCONA_CASES: Array<{ schedule: string; expected: "admit" | "deny" }> = [
    { schedule: "0 3 * * *", expected: "admit" },
    { schedule: "30 * * * *", expected: "admit" },
    { schedule: "@weekly", expected: "admit" },
    { schedule: "* * * * *", expected: "deny" },
    { schedule: "*/10 * * * *", expected: "deny" },
    { schedule: "0,30 3 * * *", expected: "deny" },
    { schedule: "@every 1s", expected: "deny" },
    { schedule: "TZ=Europe/Berlin 0 3 * * *", expected: "deny" },
    { schedule: "0 0 3 * * *", expected: "deny" },
];

describe("the Percona operators' backup schedules (tenancy-mysql-cluster, tenancy-mongodb-cluster and their twins)", () => {
    it.each(["mysql", "mongodb"] as const)("%s: the rendered cluster keeps the stack's schedule", (engine) => {
        expect(decidePercona(engine, config.backup.schedule)).toMatchObject({ admission: "admit", pack: "admit" });
    });

    it.each(PERCONA_CASES.flatMap((c) => (["mysql", "mongodb"] as const).map((engine) => ({ ...c, engine }))))("$engine, $schedule: $expected by admission and by the pack", ({ engine, schedule, expected }) => {
        const outcome = decidePercona(engine, schedule);
        expect(outcome.admission, outcome.messages.join("; ")).toBe(expected);
        expect(outcome.pack, outcome.messages.join("; ")).toBe(expected);
    });
});
