import { describe, expect, it } from "vitest";
import { renderMongodbPolicy, renderMysqlPolicy } from "../../../components/guardrails/admission-policies";
import { databaseAdmission } from "../../../components/guardrails/database-admission";
import { PSMDB_OPERATOR_USER } from "../../../components/databases/mongodb-values";
import { PXC_OPERATOR_USER } from "../../../components/databases/mysql-values";
import { projectContext } from "../../../components/project/common";
import { renderMongoDbCluster, renderMongoDbRestore } from "../../../components/project/mongodb";
import { renderMysqlCluster, renderMysqlRestore } from "../../../components/project/mysql";
import { PSMDB_TYPES } from "../../../policy/rules/tenancy/mongodb-cluster";
import { PXC_TYPES } from "../../../policy/rules/tenancy/mysql-cluster";
import { restoredMongoProject, restoredProject } from "../../../tools/offline/backup-drill";
import { admit } from "../../../tools/offline/admission";
import { stackPackConfig } from "../../../tools/offline/policy-config";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { messagesOf, planned, tenantNamespace } from "../../helpers/policy-fixtures";
import { ROOT } from "../../helpers/synth";
import { project, stackPlatformConfig } from "../project/fixtures";

/**
 * Review 19d: the annotations and finalizers the pinned Percona operators act on (policy/lib/percona-metadata.ts
 * lists them from the sources) are refused on every tenant Percona object, by the pack rules
 * `tenancy-mysql-cluster`/`tenancy-mongodb-cluster` and their twins `platform-tenant-mysql`/`platform-tenant-mongodb`;
 * each operator may write them on its own objects, and a tenant update may keep what the operator wrote.
 * Expected outcomes are written per case.
 */

const config = stackPlatformConfig("fsn1");
const pack = stackPackConfig(readStackConfig(ROOT, "fsn1"));
const admission = { allowedRegistries: config.allowedRegistries, ...databaseAdmission(config) };
const mysqlShop = project({ name: "shop", database: { engine: "mysql", instances: 3 } });
const mongoShop = project({ name: "shop", mongodb: { instances: 3 } });

type Engine = "mysql" | "mongodb";
type Kind = "cluster" | "restore" | "backup";
type Object = { apiVersion: string; kind: string; metadata: Record<string, any>; spec: Record<string, unknown> };

const objects: Record<Engine, Record<Kind, Object>> = {
    mysql: {
        cluster: renderMysqlCluster(projectContext(mysqlShop, config)),
        restore: renderMysqlRestore(projectContext(restoredProject(mysqlShop, "2026-11-30T23:15:00Z"), config))!,
        backup: { apiVersion: "pxc.percona.com/v1", kind: "PerconaXtraDBClusterBackup", metadata: { name: "cron-database-offsite-1", namespace: "shop" }, spec: { pxcCluster: "database", storageName: "offsite" } },
    },
    mongodb: {
        cluster: renderMongoDbCluster(projectContext(mongoShop, config)),
        restore: renderMongoDbRestore(projectContext(restoredMongoProject(mongoShop, "2026-11-30T23:15:00Z"), config))!,
        backup: { apiVersion: "psmdb.percona.com/v1", kind: "PerconaServerMongoDBBackup", metadata: { name: "cron-mongodb-1", namespace: "shop" }, spec: { clusterName: "mongodb", storageName: "offsite" } },
    },
};
const pairs = { mysql: renderMysqlPolicy(admission), mongodb: renderMongodbPolicy(admission) };
const rules = { mysql: "tenancy-mysql-cluster", mongodb: "tenancy-mongodb-cluster" };
const types = { mysql: PXC_TYPES, mongodb: PSMDB_TYPES };
const operators = { mysql: PXC_OPERATOR_USER, mongodb: PSMDB_OPERATOR_USER };

const withMetadata = (object: Object, metadata: Record<string, unknown>): Object => ({ ...object, metadata: { ...object.metadata, ...metadata } });

function decide(engine: Engine, kind: Kind, metadata: Record<string, unknown>, request: { username?: string; oldMetadata?: Record<string, unknown> } = {}) {
    const base = objects[engine][kind];
    const object = withMetadata(base, metadata);
    const decision = admit(pairs[engine].policy, pairs[engine].binding, {
        object,
        namespaceObject: tenantNamespace("shop").inputs,
        operation: request.oldMetadata ? "UPDATE" : "CREATE",
        ...(request.oldMetadata ? { oldObject: withMetadata(base, request.oldMetadata) } : {}),
        ...(request.username ? { userInfo: { username: request.username } } : {}),
    });
    const reported = messagesOf(rules[engine], [planned(types[engine][kind], base.metadata.name, object)], pack);
    return { admission: decision.allowed ? "admit" : "deny", pack: reported.length === 0 ? "admit" : "deny", messages: decision.messages };
}

const CASES: Array<{ title: string; engine: Engine; kind: Kind; metadata: Record<string, unknown>; expected: "admit" | "deny" }> = [
    { title: "the MySQL cluster the program renders", engine: "mysql", kind: "cluster", metadata: {}, expected: "admit" },
    { title: "the MySQL restore the program renders", engine: "mysql", kind: "restore", metadata: {}, expected: "admit" },
    { title: "a MySQL backup object without metadata of the operator's", engine: "mysql", kind: "backup", metadata: {}, expected: "admit" },
    { title: "a MySQL cluster waiting for a Vault token", engine: "mysql", kind: "cluster", metadata: { annotations: { "percona.com/issue-vault-token": "true" } }, expected: "deny" },
    { title: "a MySQL cluster with a volume resize marker", engine: "mysql", kind: "cluster", metadata: { annotations: { "percona.com/pvc-resize-in-progress": "2026-12-01T00:00:00Z" } }, expected: "deny" },
    { title: "a MySQL restore forcing an inconsistent point in time", engine: "mysql", kind: "restore", metadata: { annotations: { "percona.com/unsafe-pitr": "true" } }, expected: "deny" },
    { title: "a MySQL restore with a headless Service", engine: "mysql", kind: "restore", metadata: { annotations: { "percona.com/headless-service": "true" } }, expected: "deny" },
    { title: "a MySQL cluster deleting its claims and Secrets with it", engine: "mysql", kind: "cluster", metadata: { finalizers: ["percona.com/delete-pxc-pvc"] }, expected: "deny" },
    { title: "a MySQL backup deleting its files from the bucket", engine: "mysql", kind: "backup", metadata: { finalizers: ["percona.com/delete-backup"] }, expected: "deny" },
    { title: "an internal.percona.com finalizer", engine: "mysql", kind: "backup", metadata: { finalizers: ["internal.percona.com/release-lock"] }, expected: "deny" },
    { title: "a percona.com annotation in capitals", engine: "mysql", kind: "cluster", metadata: { annotations: { "Percona.COM/issue-vault-token": "" } }, expected: "deny" },
    { title: "an annotation the MySQL operator ignores", engine: "mysql", kind: "cluster", metadata: { annotations: { "example.com/owner": "shop" } }, expected: "admit" },
    { title: "the MongoDB replica set the program renders", engine: "mongodb", kind: "cluster", metadata: {}, expected: "admit" },
    { title: "the MongoDB restore the program renders", engine: "mongodb", kind: "restore", metadata: {}, expected: "admit" },
    { title: "a MongoDB replica set asking for a PBM resync", engine: "mongodb", kind: "cluster", metadata: { annotations: { "percona.com/resync-pbm": "true" } }, expected: "deny" },
    { title: "a MongoDB replica set with a preserved restart marker", engine: "mongodb", kind: "cluster", metadata: { annotations: { "percona.com/preserved-restarted-at.mongodb-rs0": "2026-12-01T00:00:00Z" } }, expected: "deny" },
    { title: "a MongoDB replica set deleting its oplog chunks from the bucket", engine: "mongodb", kind: "cluster", metadata: { finalizers: ["percona.com/delete-pitr-chunks"] }, expected: "deny" },
    { title: "a MongoDB replica set deleting its claims", engine: "mongodb", kind: "cluster", metadata: { finalizers: ["percona.com/delete-psmdb-pvc"] }, expected: "deny" },
    { title: "a MongoDB restore with a percona.com annotation", engine: "mongodb", kind: "restore", metadata: { annotations: { "percona.com/update-mongos-first": "true" } }, expected: "deny" },
    { title: "a MongoDB backup deleting its files from the bucket", engine: "mongodb", kind: "backup", metadata: { finalizers: ["percona.com/delete-backup"] }, expected: "deny" },
    { title: "a finalizer of another controller", engine: "mongodb", kind: "cluster", metadata: { finalizers: ["example.com/keep"] }, expected: "admit" },
];

describe("percona.com annotations and finalizers on tenant Percona objects (pack and twin)", () => {
    it.each(CASES)("$title: $expected by admission and by the pack", ({ engine, kind, metadata, expected }) => {
        const outcome = decide(engine, kind, metadata);
        expect(outcome.admission, outcome.messages.join("; ")).toBe(expected);
        expect(outcome.pack).toBe(expected);
    });

    it.each(["mysql", "mongodb"] as const)("%s: the operator writes its own markers; another operator does not", (engine) => {
        const marker = { annotations: { "percona.com/pvc-resize-in-progress": "2026-12-01T00:00:00Z" } };
        expect(decide(engine, "cluster", marker, { username: operators[engine] }).admission).toBe("admit");
        expect(decide(engine, "cluster", marker, { username: operators[engine === "mysql" ? "mongodb" : "mysql"] }).admission).toBe("deny");
    });

    it.each(["mysql", "mongodb"] as const)("%s: a tenant update keeps what the operator wrote, and changes or adds nothing of it", (engine) => {
        const written = { annotations: { "percona.com/pvc-resize-in-progress": "2026-12-01T00:00:00Z" }, finalizers: ["percona.com/delete-backup"] };
        expect(decide(engine, "cluster", written, { oldMetadata: written }).admission).toBe("admit");
        expect(decide(engine, "cluster", { annotations: { "percona.com/pvc-resize-in-progress": "2026-12-02T00:00:00Z" } }, { oldMetadata: written }).admission).toBe("deny");
        expect(decide(engine, "cluster", { ...written, finalizers: ["percona.com/delete-backup", "percona.com/delete-ssl"] }, { oldMetadata: written }).admission).toBe("deny");
    });
});
