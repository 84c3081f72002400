import { describe, expect, it } from "vitest";
import { backupEndpointProblems, databaseClusterProblems, isInClusterEndpoint, objectStoreProblems, platformCredentialsProblems } from "../../policy/rules/tenancy/database-cluster";

/**
 * The shared backup-location checks of the database rules (CloudNativePG, PXC, PSMDB) called directly, each
 * edge written out: the pack and admission tests reach them through whole Clusters, which left these open
 * (found by `npm run mutation -- policy-data`).
 */

const SECRET = "database-backup-s3";
const target = { endpointURL: "https://s3.example.com", destinationPrefix: "s3://backups/db/" };
const anyTarget = { endpointURL: "", destinationPrefix: "" };
const credentials = { accessKeyId: { name: SECRET, key: "ACCESS_KEY_ID" }, secretAccessKey: { name: SECRET, key: "ACCESS_SECRET_KEY" } };

describe("isInClusterEndpoint", () => {
    it.each([
        ["https://minio", "a bare Service name"],
        ["https://minio.minio.svc", "a .svc name"],
        ["https://MinIO.Minio.SVC", "a .svc name in capitals"],
        ["https://minio.minio.svc.cluster.local", "a cluster.local name"],
        ["https://backup.cluster.local", "a cluster.local name without .svc"],
        ["https://s3.svc.example.com", ".svc. inside the name"],
        ["http://s3.example.com", "plain HTTP"],
        ["xhttps://s3.example.com", "something before the scheme"],
        ["https://s3.example.com/bucket", "a path after the host"],
        ["https://s3.example.com:port", "a port that is not a number"],
    ])("counts %s (%s) as in the cluster or not HTTPS", (url) => {
        expect(isInClusterEndpoint(url)).toBe(true);
    });

    it.each([
        ["https://s3.example.com"],
        ["https://s3.example.com/"],
        ["https://s3.example.com:9000"],
        ["https://backup.svcs.example.com"],
        ["https://s3.cluster.localdomain.example"],
    ])("counts %s as an HTTPS endpoint outside the cluster", (url) => {
        expect(isInClusterEndpoint(url)).toBe(false);
    });
});

describe("backupEndpointProblems and platformCredentialsProblems", () => {
    it("name the field, the endpoint and the target", () => {
        expect(backupEndpointProblems("endpointUrl", "https://minio.minio.svc", target, "storages.s3")).toEqual(['storages.s3 endpointUrl "https://minio.minio.svc" is not an HTTPS endpoint outside the cluster']);
        expect(backupEndpointProblems("endpointUrl", "https://other.example.com", target, "storages.s3")).toEqual(['storages.s3 endpointUrl "https://other.example.com" is not the platform\'s backup target https://s3.example.com']);
        expect(backupEndpointProblems("endpointUrl", "https://other.example.com", anyTarget, "storages.s3")).toEqual([]);
    });

    it("accept only the platform-written Secret, saying what was found", () => {
        expect(platformCredentialsProblems(SECRET, "storages.s3")).toEqual([]);
        expect(platformCredentialsProblems(undefined, "storages.s3")).toEqual([`storages.s3 credentialsSecret is not set, not the platform-written ${SECRET}`]);
        expect(platformCredentialsProblems("mine", "storages.s3")).toEqual([`storages.s3 credentialsSecret is "mine", not the platform-written ${SECRET}`]);
    });
});

describe("objectStoreProblems", () => {
    it("reports an empty store field by field, with empty strings for what is missing", () => {
        expect(objectStoreProblems({}, "shop", target, "backup")).toEqual([
            'backup endpoint "" is not an HTTPS endpoint outside the cluster',
            'backup destinationPath "" is not below the namespace\'s own folder s3://backups/db/shop/',
            `backup s3Credentials.accessKeyId reads no Secret, not the platform-written ${SECRET}`,
            `backup s3Credentials.secretAccessKey reads no Secret, not the platform-written ${SECRET}`,
        ]);
    });

    it("without a platform prefix, asks for the namespace as a folder of the path", () => {
        const store = (destinationPath: string) => ({ endpointURL: "https://s3.example.com", destinationPath, s3Credentials: credentials });
        expect(objectStoreProblems(store("s3://tenant-backups/shop/db"), "shop", anyTarget, "backup")).toEqual([]);
        expect(objectStoreProblems(store("s3://tenant-backups/blog/db"), "shop", anyTarget, "backup")).toEqual(['backup destinationPath "s3://tenant-backups/blog/db" is not below the namespace\'s own folder .../shop/']);
        expect(objectStoreProblems(store("s3://backups/db/shop/x"), "shop", target, "backup")).toEqual([]);
        // With a platform prefix, the namespace as a folder elsewhere is not enough.
        expect(objectStoreProblems(store("s3://elsewhere/shop/"), "shop", target, "backup")).toEqual(['backup destinationPath "s3://elsewhere/shop/" is not below the namespace\'s own folder s3://backups/db/shop/']);
    });

    it("names another Secret and refuses every credential key but the two and region", () => {
        const store = {
            endpointURL: "https://s3.example.com",
            destinationPath: "s3://backups/db/shop/",
            s3Credentials: { accessKeyId: { name: "mine", key: "id" }, secretAccessKey: credentials.secretAccessKey, region: { name: SECRET, key: "REGION" }, sessionToken: { name: "mine", key: "t" } },
        };
        expect(objectStoreProblems(store, "shop", target, "externalClusters[0]")).toEqual([
            `externalClusters[0] s3Credentials.accessKeyId reads Secret "mine", not the platform-written ${SECRET}`,
            "externalClusters[0] s3Credentials.sessionToken is not allowed (the platform's keys only)",
        ]);
    });
});

describe("databaseClusterProblems", () => {
    const spec = (changes: Record<string, unknown>) => ({
        instances: 1,
        imageName: "ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie",
        affinity: { nodeSelector: { "platform/pool": "run" } },
        backup: { barmanObjectStore: { endpointURL: "https://s3.example.com", destinationPath: "s3://backups/db/shop/", s3Credentials: credentials } },
        ...changes,
    });
    const config = { databaseBackupTarget: target, maxDatabaseInstances: 3 };

    it("accepts 1 up to the limit of instances, and refuses 0 and one more", () => {
        expect(databaseClusterProblems(spec({ instances: 1 }), "shop", config)).toEqual([]);
        expect(databaseClusterProblems(spec({ instances: 3 }), "shop", config)).toEqual([]);
        expect(databaseClusterProblems(spec({ instances: 0 }), "shop", config)).toEqual(["instances 0 is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)"]);
        expect(databaseClusterProblems(spec({ instances: 4 }), "shop", config)).toEqual(["instances 4 is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)"]);
        expect(databaseClusterProblems(spec({ instances: 2.5 }), "shop", config)).toEqual(["instances 2.5 is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)"]);
        expect(databaseClusterProblems(spec({ instances: "2" }), "shop", config)).toEqual(["instances 2 is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)"]);
    });

    it("names what the superuser checks refuse: the Cluster's name, a foreign bootstrap Secret, managed roles, superuser SQL", () => {
        expect(databaseClusterProblems(spec({}), "shop", config, "database-g2")).toEqual([]);
        expect(databaseClusterProblems(spec({}), "shop", config, "mine")).toEqual([
            'metadata.name "mine" is not database or database-g<N> (the operator names its superuser, replication, CA and server Secrets after the Cluster; only those names are kept from tenant pods)',
        ]);
        expect(databaseClusterProblems(spec({ bootstrap: { initdb: { secret: { name: "mine" } } } }), "shop", config)).toEqual(['bootstrap.initdb.secret is {"name":"mine"}, not the platform-written database-credentials']);
        expect(databaseClusterProblems(spec({ managed: { roles: [] } }), "shop", config)).toEqual([
            "managed is set (managed roles can be superusers with a password of the tenant's; managed Services expose the database)",
        ]);
        expect(databaseClusterProblems(spec({ bootstrap: { initdb: { postInitSQL: ["select 1"] } } }), "shop", config)).toEqual(["bootstrap.initdb.postInitSQL is set (the operator runs it as the postgres superuser)"]);
    });

    it("refuses a pg_basebackup bootstrap, saying why", () => {
        expect(databaseClusterProblems(spec({ bootstrap: { pg_basebackup: { source: "elsewhere" } } }), "shop", config)).toEqual([
            "bootstrap.pg_basebackup copies another server: a tenant Cluster starts empty or from its own archive",
        ]);
    });
});
