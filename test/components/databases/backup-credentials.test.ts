import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { planComponent } from "../../helpers/component-plan";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { renderBackupCredentialSecrets } from "../../../components/databases/backup-credentials";
import { renderPostgresCluster } from "../../../components/project/postgresql";
import { renderMongoDbCluster } from "../../../components/project/mongodb";
import { renderMysqlCluster } from "../../../components/project/mysql";
import { projectContext } from "../../../components/project/common";
import { project, stackPlatformConfig, TEST_BACKUP_KEYS } from "../project/fixtures";

/**
 * The backup bucket's keys are written by the platform stack into each database project's namespace, under
 * the name the tenant's Cluster reads (CloudNativePG and the Percona operators take credentials only from the
 * cluster's namespace); projects without a database or MongoDB, and stacks without a target, get none.
 */

const config = stackPlatformConfig("fsn1");
const shop = project({ name: "shop", database: { engine: "postgresql" } });
const blog = project({ name: "blog", database: { engine: "mysql" } });
const docs = project({ name: "docs" });
const notes = project({ name: "notes", mongodb: {} });

describe("renderBackupCredentialSecrets", () => {
    it("writes one Secret per PostgreSQL project, in its namespace, under the name its Cluster reads", () => {
        const secrets = renderBackupCredentialSecrets(config, [shop, docs], TEST_BACKUP_KEYS);
        expect(secrets.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`)).toEqual(["shop/database-backup-s3"]);
        expect(secrets[0]!.stringData).toMatchObject({ ACCESS_KEY_ID: TEST_BACKUP_KEYS.accessKey, ACCESS_SECRET_KEY: TEST_BACKUP_KEYS.secretKey });
        const store = (renderPostgresCluster(projectContext(shop, config)).spec as { backup: { barmanObjectStore: { s3Credentials: Record<string, { name: string; key: string }> } } }).backup.barmanObjectStore;
        expect(Object.values(store.s3Credentials).map((ref) => ref.name)).toEqual(["database-backup-s3", "database-backup-s3"]);
        for (const ref of Object.values(store.s3Credentials)) {
            expect(Object.keys(secrets[0]!.stringData!)).toContain(ref.key);
        }
    });

    it("writes it for a MongoDB project too, under the key names the Percona operator reads (pkg/psmdb/backup/pbm.go at v1.22.0)", () => {
        const secrets = renderBackupCredentialSecrets(config, [notes, docs], TEST_BACKUP_KEYS);
        expect(secrets.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`)).toEqual(["notes/database-backup-s3"]);
        expect(secrets[0]!.stringData).toMatchObject({ AWS_ACCESS_KEY_ID: TEST_BACKUP_KEYS.accessKey, AWS_SECRET_ACCESS_KEY: TEST_BACKUP_KEYS.secretKey });
        const storages = (renderMongoDbCluster(projectContext(notes, config)).spec as { backup: { storages: Record<string, { s3: { credentialsSecret: string } }> } }).backup.storages;
        expect(Object.values(storages).map((s) => s.s3.credentialsSecret)).toEqual([secrets[0]!.metadata!.name]);
    });

    it("writes it for a MySQL project too, under the key names the Percona XtraDB Cluster operator reads (pkg/pxc/backup/job.go at v1.19.0)", () => {
        const secrets = renderBackupCredentialSecrets(config, [blog, docs], TEST_BACKUP_KEYS);
        expect(secrets.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`)).toEqual(["blog/database-backup-s3"]);
        expect(secrets[0]!.stringData).toMatchObject({ AWS_ACCESS_KEY_ID: TEST_BACKUP_KEYS.accessKey, AWS_SECRET_ACCESS_KEY: TEST_BACKUP_KEYS.secretKey });
        const storages = (renderMysqlCluster(projectContext(blog, config)).spec as { backup: { storages: Record<string, { s3: { credentialsSecret: string } }> } }).backup.storages;
        expect(Object.values(storages).map((s) => s.s3.credentialsSecret)).toEqual([secrets[0]!.metadata!.name, secrets[0]!.metadata!.name]);
    });

    it("writes nothing on a stack without an off-cluster target", () => {
        const noTarget = { ...config, backup: { ...config.backup, s3: undefined } };
        expect(renderBackupCredentialSecrets(noTarget, [shop], TEST_BACKUP_KEYS)).toEqual([]);
    });
});

describe("DatabaseBackupCredentials component", () => {
    let plan: StackPlan;
    beforeAll(async () => {
        plan = await planComponent(async (provider) => {
            const { DatabaseBackupCredentials } = await import("../../../components/databases/backup-credentials");
            const component = new DatabaseBackupCredentials("backup", { config, projects: [shop, docs], keys: { accessKey: pulumi.secret(TEST_BACKUP_KEYS.accessKey), secretKey: pulumi.secret(TEST_BACKUP_KEYS.secretKey) } }, { provider });
            return { namespaces: component.namespaces };
        });
    });

    it("registers the Secret as a secret, under the component", () => {
        const secrets = plan.resources.filter((r) => r.type === "kubernetes:core/v1:Secret");
        expect(secrets.map((s) => s.name)).toEqual(["backup-shop"]);
        expect(secrets[0]!.additionalSecretOutputs).toContain("stringData");
        expect(secrets[0]!.parent).toContain("platform:databases:BackupCredentials");
        expect(plan.outputs.namespaces).toEqual(["shop"]);
    });

    it("refuses a PostgreSQL project on a backup stack without keys", async () => {
        const { DatabaseBackupCredentials } = await import("../../../components/databases/backup-credentials");
        expect(() => new DatabaseBackupCredentials("x", { config, projects: [shop] })).toThrow(/platform:backupS3AccessKey/);
    });
});
