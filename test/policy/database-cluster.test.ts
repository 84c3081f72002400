import { describe, expect, it } from "vitest";
import { messagesOf, planned } from "../helpers/policy-fixtures";
import { renderPostgresCluster } from "../../components/project/postgresql";
import { projectContext } from "../../components/project/common";
import { restoredProject } from "../../tools/offline/backup-drill";
import { policyPackConfigFile, stackPackConfig } from "../../tools/offline/policy-config";
import { readStackConfig } from "../../tools/offline/stack-files";
import { ROOT } from "../helpers/synth";
import { project, stackPlatformConfig } from "../components/project/fixtures";

/**
 * `tenancy-database-cluster`: a tenant namespace's CloudNativePG Cluster archives to the platform's off-cluster
 * target below its own folder with the platform-written keys, restores only from its own archive, runs without
 * superuser access and within the instance limit. The Cluster the program renders passes with the shipped
 * stack's pack config; hostile variants of it fail, each for its own reason.
 */

const RULE = "tenancy-database-cluster";
const config = stackPlatformConfig("fsn1");
const pack = stackPackConfig(readStackConfig(ROOT, "fsn1"));
const shop = project({ name: "shop", database: { engine: "postgresql", instances: 2 } });
const rendered = renderPostgresCluster(projectContext(shop, config));
const asResource = (spec: Record<string, unknown>, namespace = "shop") => planned("kubernetes:postgresql.cnpg.io/v1:Cluster", "database", { ...rendered, metadata: { ...rendered.metadata, namespace }, spec });
const store = (rendered.spec.backup as { barmanObjectStore: Record<string, any> }).barmanObjectStore;
const withStore = (changes: Record<string, unknown>) => ({ ...rendered.spec, backup: { ...(rendered.spec.backup as object), barmanObjectStore: { ...store, ...changes } } });

describe("tenancy-database-cluster", () => {
    it("reads the stack's backup target and instance limit from platform:backup and platform:tenantLimits", () => {
        expect(pack.databaseBackupTarget).toEqual({ endpointURL: "https://fsn1.your-objectstorage.com", destinationPrefix: "s3://platform-backups-fsn1/fsn1/" });
        expect(policyPackConfigFile(pack)[RULE]).toEqual({ databaseBackupTarget: pack.databaseBackupTarget });
    });

    it("passes the Cluster the program renders, and its restore into the next generation", () => {
        expect(messagesOf(RULE, [asResource(rendered.spec)], pack)).toEqual([]);
        const restore = renderPostgresCluster(projectContext(restoredProject(shop, "2026-11-30T23:15:00Z"), config));
        expect(messagesOf(RULE, [asResource(restore.spec)], pack)).toEqual([]);
    });

    it("refuses an archive in the in-cluster MinIO, elsewhere than the platform's target, or in another project's folder", () => {
        expect(messagesOf(RULE, [asResource(withStore({ endpointURL: "http://minio.minio.svc.cluster.local:9000" }))], pack)).toEqual([expect.stringMatching(/not an HTTPS endpoint outside the cluster/)]);
        expect(messagesOf(RULE, [asResource(withStore({ endpointURL: "https://s3.attacker.example" }))], pack)).toEqual([expect.stringMatching(/not the platform's backup target/)]);
        expect(messagesOf(RULE, [asResource(withStore({ destinationPath: "s3://platform-backups-fsn1/fsn1/caracal/database/" }))], pack)).toEqual([expect.stringMatching(/not below the namespace's own folder s3:\/\/platform-backups-fsn1\/fsn1\/shop\//)]);
        expect(messagesOf(RULE, [asResource(withStore({ destinationPath: "s3://platform-backups-fsn1/fsn1/shop/../caracal/" }))], pack)).toEqual([expect.stringMatching(/climbs out of its folder/)]);
        // Without a configured target the rule still wants an outside HTTPS endpoint and the namespace in the path.
        expect(messagesOf(RULE, [asResource(withStore({ destinationPath: "s3://b/caracal/database/" }))])).toEqual([expect.stringMatching(/not below the namespace's own folder/)]);
    });

    it("refuses a Cluster without a backup, or with keys from another Secret", () => {
        const { backup: _, ...noBackup } = rendered.spec;
        expect(messagesOf(RULE, [asResource(noBackup)], pack)).toEqual([expect.stringMatching(/backup has no barmanObjectStore/)]);
        const ownKeys = withStore({ s3Credentials: { accessKeyId: { name: "my-keys", key: "a" }, secretAccessKey: { name: "database-backup-s3", key: "ACCESS_SECRET_KEY" } } });
        expect(messagesOf(RULE, [asResource(ownKeys)], pack)).toEqual([expect.stringMatching(/accessKeyId reads Secret "my-keys", not the platform-written database-backup-s3/)]);
        const inherit = withStore({ s3Credentials: { inheritFromIAMRole: true, accessKeyId: store.s3Credentials.accessKeyId, secretAccessKey: store.s3Credentials.secretAccessKey } });
        expect(messagesOf(RULE, [asResource(inherit)], pack)).toEqual([expect.stringMatching(/inheritFromIAMRole is not allowed/)]);
    });

    it("refuses superuser access, too many instances, and restores from another project's archive or a live server", () => {
        expect(messagesOf(RULE, [asResource({ ...rendered.spec, enableSuperuserAccess: true })], pack)).toEqual([expect.stringMatching(/enableSuperuserAccess/)]);
        expect(messagesOf(RULE, [asResource({ ...rendered.spec, superuserSecret: { name: "mine" } })], pack)).toEqual([expect.stringMatching(/superuserSecret/)]);
        expect(messagesOf(RULE, [asResource({ ...rendered.spec, instances: 4 })], pack)).toEqual([expect.stringMatching(/instances 4 is outside 1\.\.3/)]);
        const foreign = { ...rendered.spec, externalClusters: [{ name: "origin", barmanObjectStore: { ...store, destinationPath: "s3://platform-backups-fsn1/fsn1/caracal/database/" } }] };
        expect(messagesOf(RULE, [asResource(foreign)], pack)).toEqual([expect.stringMatching(/externalClusters\[0\] destinationPath .* not below the namespace's own folder/)]);
        const live = { ...rendered.spec, externalClusters: [{ name: "origin", connectionParameters: { host: "database-rw.caracal.svc" }, barmanObjectStore: store }] };
        expect(messagesOf(RULE, [asResource(live)], pack)).toEqual([expect.stringMatching(/streams from a live server/)]);
    });

    it("leaves Clusters in platform namespaces alone", () => {
        expect(messagesOf(RULE, [asResource({ ...rendered.spec, enableSuperuserAccess: true }, "cnpg-system")], pack)).toEqual([]);
    });
});
