import { describe, expect, it } from "vitest";
import { mysqlClusterProblems, mysqlRestoreProblems, pxcS3Problems } from "../../policy/rules/tenancy/mysql-cluster";
import { messagesOf, planned } from "../helpers/policy-fixtures";

/**
 * The checks of `tenancy-mysql-cluster` called directly, each message and edge written out: the admission-twin
 * tests (test/components/guardrails/mysql-policy.test.ts) compare admit/deny of whole rendered objects, which
 * left the messages, the bucket-prefix forms and most near misses open (found by `npm run mutation --
 * policy-mysql`, 75.6% in its first run). Importing only the rule keeps each mutant's run short.
 */

const TARGET = { endpointURL: "https://s3.example.com", destinationPrefix: "s3://backups/db/" };
const ANY_TARGET = { endpointURL: "", destinationPrefix: "" };
const CONFIG = { databaseBackupTarget: TARGET, maxDatabaseInstances: 3 };
const KEYS = { credentialsSecret: "database-backup-s3" };
const S3 = { endpointUrl: "https://s3.example.com", bucket: "backups/db/shop", ...KEYS };
const CA = "(the platform's target is verified against the public CAs)";

describe("pxcS3Problems", () => {
    it("needs a location, below the namespace's folder of the target's prefix (without s3://), without ..", () => {
        expect(pxcS3Problems(undefined, "shop", TARGET, "backup.storages.s3")).toEqual(["backup.storages.s3 has no s3 location"]);
        expect(pxcS3Problems(S3, "shop", TARGET, "x")).toEqual([]);
        expect(pxcS3Problems({ ...S3, bucket: "backups/db/shop/daily" }, "shop", TARGET, "x")).toEqual([]);
        expect(pxcS3Problems({ ...S3, bucket: "backups/db/shopping" }, "shop", TARGET, "x")).toEqual(['x bucket "backups/db/shopping" is not below the namespace\'s own folder backups/db/shop/']);
        expect(pxcS3Problems({ ...S3, bucket: "backups/db/shop/../caracal" }, "shop", TARGET, "x")).toEqual(['x bucket "backups/db/shop/../caracal" climbs out of its folder']);
        expect(pxcS3Problems({ ...S3, bucket: undefined }, "shop", TARGET, "x")).toEqual(['x bucket "" is not below the namespace\'s own folder backups/db/shop/']);
        expect(pxcS3Problems({ ...S3, caBundle: { name: "ca" } }, "shop", TARGET, "x")).toEqual([`x caBundle is set ${CA}`]);
        // Only a leading s3:// is the scheme: the rest of the prefix is the path, whatever it spells.
        const oddTarget = { endpointURL: "https://s3.example.com", destinationPrefix: "backups/s3://db/" };
        expect(pxcS3Problems({ ...S3, bucket: "backups/s3://db/shop" }, "shop", oddTarget, "x")).toEqual([]);
        expect(pxcS3Problems({ ...S3, bucket: "backups/db/shop" }, "shop", oddTarget, "x")).toEqual(['x bucket "backups/db/shop" is not below the namespace\'s own folder backups/s3://db/shop/']);
    });

    it("without a platform prefix: any bucket path with the namespace as a folder", () => {
        expect(pxcS3Problems({ ...S3, endpointUrl: "https://other.example.com", bucket: "b/shop" }, "shop", ANY_TARGET, "x")).toEqual([]);
        expect(pxcS3Problems({ ...S3, endpointUrl: "https://other.example.com", bucket: "b/shopping" }, "shop", ANY_TARGET, "x")).toEqual(['x bucket "b/shopping" is not below the namespace\'s own folder <bucket>/.../shop/']);
    });

    it("names the endpoint field endpointUrl and the location in the endpoint's message", () => {
        expect(pxcS3Problems({ ...S3, endpointUrl: "https://minio.minio.svc" }, "shop", ANY_TARGET, "backupSource").join("\n")).toMatch(/^backupSource endpointUrl/);
        expect(pxcS3Problems({ ...S3, endpointUrl: undefined }, "shop", TARGET, "x").join("\n")).toMatch(/^x endpointUrl ""/);
    });
});

describe("mysqlClusterProblems", () => {
    const problems = (spec: Record<string, unknown>, name = "database") => mysqlClusterProblems(spec, "shop", CONFIG, name);
    const sized = { pxc: { size: 3 } };

    it("pins the cluster name and the size, with their reasons", () => {
        expect(problems(sized, "db")).toContain('metadata.name "db" is not database or database-g<N> (the operator names its system-user, TLS and environment Secrets after the cluster; only those names are kept from tenant pods)');
        expect(problems(sized, "database-g2").join("\n")).not.toMatch(/metadata\.name/);
        for (const size of [0, 4, 2.5, "3", undefined]) {
            expect(problems({ pxc: { size } })).toContain(`pxc.size ${String(size)} is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)`);
        }
        for (const size of [1, 3]) {
            expect(problems({ pxc: { size } }).join("\n")).not.toMatch(/pxc\.size/);
        }
    });

    it("keeps the version service off, in either case", () => {
        expect(problems({ ...sized, upgradeOptions: { apply: "Recommended" } })).toContain('upgradeOptions.apply is "Recommended" (the version service would choose the images, the backup image included): only disabled or never');
        expect(problems({ ...sized, upgradeOptions: { apply: "Never" } }).join("\n")).not.toMatch(/upgradeOptions\.apply/);
        expect(problems({ ...sized, upgradeOptions: { versionServiceEndpoint: "https://check.percona.com" } })).toContain("upgradeOptions.versionServiceEndpoint is set (images come from the platform's pins, never a version service)");
    });

    it("allows only the pinned images and parts, accounts and configuration", () => {
        const found = problems({
            pxc: { size: 3, image: "evil/pxc:1", serviceAccountName: "default", configuration: "[mysqld]\nplugin_load=x\n", replicationChannels: [{ name: "c" }], sidecars: [{ name: "s" }] },
            haproxy: { image: "evil/haproxy:1", configuration: "global\n", serviceAccountName: "workload" },
            proxysql: { enabled: true },
            pmm: { enabled: true },
            logcollector: { enabled: false },
            backup: { serviceAccountName: "default", image: "evil/xtrabackup:1" },
            initContainer: { image: "evil/init:1" },
            initImage: "evil/init:2",
            secretsName: "stolen",
            vaultSecretName: "vault",
        });
        expect(found).toEqual(
            expect.arrayContaining([
                'pxc.image "evil/pxc:1" is not one of the platform\'s pinned images (docker.io/percona/percona-xtradb-cluster:8.0.44-35.1, docker.io/percona/percona-xtradb-cluster:8.4.7-7.1)',
                'haproxy.image "evil/haproxy:1" is not one of the platform\'s pinned images (docker.io/percona/haproxy:2.8.17)',
                "proxysql.enabled is true (the platform does not run proxysql: its image, configuration and probes would be the tenant's)",
                "pmm.enabled is true (the platform does not run pmm: its image, configuration and probes would be the tenant's)",
                'pxc.serviceAccountName is "default", not the platform\'s workload',
                "pxc.configuration is set (only the platform's sandbox configuration: it names what the server loads and runs)",
                "haproxy.configuration is set (only the platform's configuration: it names what the server loads and runs)",
                'backup.serviceAccountName is "default", not the platform\'s workload (the backup Jobs hold the keys)',
                "pxc.replicationChannels is set (asynchronous replication to or from a server outside the platform's backups)",
                'secretsName is "stolen", not database-secrets (the operator writes its system users\' passwords into it)',
                "vaultSecretName is set (the operator's pods mount it; the operator names it after the cluster)",
                'backup.image "evil/xtrabackup:1" is not one of the platform\'s XtraBackup images (it runs with the backup keys)',
                'initContainer.image "evil/init:1" is not the platform\'s operator image (it prepares the pods that hold the backup keys)',
                'initImage "evil/init:2" is not the platform\'s operator image (it prepares the pods that hold the backup keys)',
                "pxc.sidecars is set (no tenant containers, environment or volumes in the operator's pods)",
            ]),
        );
        expect(found.join("\n")).not.toMatch(/logcollector|haproxy\.serviceAccountName/);
        const pinned = problems({ pxc: { size: 3, image: "docker.io/percona/percona-xtradb-cluster:8.4.7-7.1", configuration: "[mysqld]\ninnodb_use_native_aio=0\n", serviceAccountName: "workload" }, haproxy: { image: "docker.io/percona/haproxy:2.8.17" }, secretsName: "database-secrets", backup: { image: "docker.io/percona/percona-xtrabackup:8.4.0-5.1", serviceAccountName: "workload" }, initImage: "docker.io/percona/percona-xtradb-cluster-operator:1.19.0" });
        expect(pinned.join("\n")).not.toMatch(/image|configuration|serviceAccountName|secretsName/);
    });

    it("holds a disabled ProxySQL and HAProxy to the same account, configuration and injection rules, the sandbox configuration being the server's only", () => {
        const found = problems({
            ...sized,
            proxysql: { enabled: false, serviceAccountName: "default", configuration: "datadir=/x\n", sidecars: [{ name: "s" }] },
            haproxy: { enabled: false, configuration: "[mysqld]\ninnodb_use_native_aio=0\n" },
        });
        expect(found).toEqual(
            expect.arrayContaining([
                'proxysql.serviceAccountName is "default", not the platform\'s workload',
                "proxysql.configuration is set (only the platform's configuration: it names what the server loads and runs)",
                "haproxy.configuration is set (only the platform's configuration: it names what the server loads and runs)",
                "proxysql.sidecars is set (no tenant containers, environment or volumes in the operator's pods)",
            ]),
        );
    });

    it("needs s3 storages on the platform's target with TLS, no container options, and a schedule", () => {
        expect(problems({ ...sized, backup: { storages: {} } })).toContain("backup has no storages (tenant clusters back up to the platform's off-cluster target)");
        expect(problems({ ...sized, backup: {} })).toContain("backup has no storages (tenant clusters back up to the platform's off-cluster target)");
        const found = problems({ ...sized, backup: { storages: { nfs: { type: "filesystem", verifyTLS: false, containerOptions: { args: {} }, s3: { ...S3, caBundle: {} } } } } });
        expect(found).toEqual(
            expect.arrayContaining([
                "backup.storages.nfs is of type filesystem, not s3 (the platform's target)",
                "backup.storages.nfs.verifyTLS is false",
                "backup.storages.nfs.containerOptions is set (the backup Jobs hold the platform's keys: no tenant arguments or environment)",
                `backup.storages.nfs caBundle is set ${CA}`,
                "backup.schedule is empty (no full backup to restore from)",
            ]),
        );
        const fine = problems({ ...sized, backup: { storages: { s3: { type: "s3", verifyTLS: true, s3: S3 } }, schedule: [{ name: "daily", schedule: "0 3 * * *", storageName: "s3" }] } });
        // Placement is checked apart (below): these storages carry no nodeSelector.
        expect(fine.filter((p) => !/nodeSelector/.test(p))).toEqual([]);
    });

    it("places the backup jobs and HAProxy, unless HAProxy is disabled", () => {
        const placed = (spec: Record<string, unknown>) => problems(spec).filter((p) => /nodeSelector|tolerations|affinity/.test(p));
        const off = { nodeSelector: { "platform/pool": "build" } };
        const of = (spec: Record<string, unknown>, part: string) => placed(spec).filter((p) => p.startsWith(part));
        expect(of({ ...sized, haproxy: { enabled: false, ...off } }, "haproxy.")).toEqual([]);
        expect(of({ ...sized, haproxy: { ...off } }, "haproxy.")).toHaveLength(1);
        expect(of({ pxc: { size: 3, ...off } }, "pxc.")).toHaveLength(1);
        expect(of({ ...sized, backup: { storages: { s3: { type: "s3", s3: S3, ...off } } } }, "backup.storages.s3.")).toHaveLength(1);
        expect(of({ pxc: { size: 3, nodeSelector: { "platform/pool": "run" } } }, "pxc.")).toEqual([]);
    });

    it("pins each user's name, schemas, grants, hosts and password Secret", () => {
        const user = { name: "app", dbs: ["shop"], grants: ["ALL PRIVILEGES"], passwordSecretRef: { name: "database-credentials", key: "password" } };
        expect(problems({ ...sized, users: [user] }).join("\n")).not.toMatch(/users/);
        expect(problems({ ...sized, users: [{ ...user, hosts: ["%"], withGrantOption: false }] }).join("\n")).not.toMatch(/users/);
        expect(problems({ ...sized, users: [{ ...user, dbs: [] }, null] })).toEqual(
            expect.arrayContaining([
                "users[0] has no dbs (grants on every schema, the operator's system schema included)",
                "users[1] has no dbs (grants on every schema, the operator's system schema included)",
                "users[1].name is undefined, not the platform's app (the operator would set a system user's password and grants from the tenant's Secret)",
                "users[1].passwordSecretRef names undefined, not the platform-written database-credentials",
            ]),
        );
        const found = problems({ ...sized, users: [{ name: "root", dbs: ["MySQL", "shop%", 7], grants: ["SUPER"], withGrantOption: true, hosts: ["10.%"], passwordSecretRef: { name: "mine" } }] });
        expect(found).toEqual(
            expect.arrayContaining([
                'users[0].dbs names "MySQL" (a system schema, a pattern or not a plain identifier: the operator puts it into SQL as it is)',
                'users[0].dbs names "shop%" (a system schema, a pattern or not a plain identifier: the operator puts it into SQL as it is)',
                "users[0].dbs names 7 (a system schema, a pattern or not a plain identifier: the operator puts it into SQL as it is)",
                `users[0].name is "root", not the platform's app (the operator would set a system user's password and grants from the tenant's Secret)`,
                'users[0].grants is ["SUPER"], not ["ALL PRIVILEGES"] (the operator puts grants into SQL as they are)',
                "users[0].withGrantOption is set (the user could hand its grants on)",
                'users[0].hosts is ["10.%"], not ["%"]',
                'users[0].passwordSecretRef names "mine", not the platform-written database-credentials',
            ]),
        );
    });

    it("keeps TLS on", () => {
        expect(problems({ ...sized, tls: { enabled: false } })).toContain("TLS is off (tls.enabled, unsafeFlags.tls)");
        expect(problems({ ...sized, unsafeFlags: { tls: true } })).toContain("TLS is off (tls.enabled, unsafeFlags.tls)");
        expect(problems({ ...sized, tls: { enabled: true }, unsafeFlags: { tls: false } })).not.toContain("TLS is off (tls.enabled, unsafeFlags.tls)");
    });
});

describe("mysqlRestoreProblems", () => {
    const source = { destination: "s3://backups/db/shop/database-2026-11-30", s3: S3 };

    it("reads only the namespace's own backups on the platform's target, with the cluster's images and Secrets", () => {
        expect(mysqlRestoreProblems({ backupSource: source }, "shop", CONFIG)).toEqual([]);
        expect(mysqlRestoreProblems({}, "shop", CONFIG)).toEqual([]);
        expect(mysqlRestoreProblems({ backupSource: { ...source, destination: "s3://backups/db/caracal/x", pvc: {}, image: "evil:1", vaultSecretName: "v" } }, "shop", CONFIG)).toEqual([
            "backupSource reads a volume or Azure (only the platform's S3 target)",
            'backupSource.destination "s3://backups/db/caracal/x" is not below the namespace\'s own folder s3://backups/db/shop/',
            "backupSource.image is set (the restore runs the cluster's pinned images and Secrets)",
            "backupSource.vaultSecretName is set (the restore runs the cluster's pinned images and Secrets)",
        ]);
        expect(mysqlRestoreProblems({ backupSource: { ...source, destination: "s3://backups/db/shop/../caracal", azure: {}, sslSecretName: "s", sslInternalSecretName: "i" } }, "shop", CONFIG)).toEqual([
            "backupSource reads a volume or Azure (only the platform's S3 target)",
            'backupSource.destination "s3://backups/db/shop/../caracal" climbs out of its folder',
            "backupSource.sslSecretName is set (the restore runs the cluster's pinned images and Secrets)",
            "backupSource.sslInternalSecretName is set (the restore runs the cluster's pinned images and Secrets)",
        ]);
        expect(mysqlRestoreProblems({ backupSource: { s3: S3 } }, "shop", CONFIG)).toEqual(['backupSource.destination "" is not below the namespace\'s own folder s3://backups/db/shop/']);
        expect(mysqlRestoreProblems({ backupSource: { ...source, s3: { ...S3, caBundle: {} } } }, "shop", CONFIG)).toEqual([`backupSource caBundle is set ${CA}`]);
    });

    it("without a platform prefix: any destination with the namespace as a folder", () => {
        const anyConfig = { databaseBackupTarget: ANY_TARGET };
        expect(mysqlRestoreProblems({ backupSource: { destination: "s3://b/shop/x", s3: { ...S3, bucket: "b/shop" } } }, "shop", anyConfig)).toEqual([]);
        expect(mysqlRestoreProblems({ backupSource: { destination: "s3://b/shopping/x", s3: { ...S3, bucket: "b/shop" } } }, "shop", anyConfig)).toEqual(['backupSource.destination "s3://b/shopping/x" is not below the namespace\'s own folder .../shop/']);
    });

    it("holds a point-in-time source to the same target, and the restore Job to no container options", () => {
        expect(mysqlRestoreProblems({ backupSource: source, pitr: { backupSource: { s3: { ...S3, bucket: "backups/db/caracal" } } } }, "shop", CONFIG)).toEqual([
            'pitr.backupSource bucket "backups/db/caracal" is not below the namespace\'s own folder backups/db/shop/',
        ]);
        expect(mysqlRestoreProblems({ backupSource: source, pitr: { backupSource: { pvc: {} } } }, "shop", CONFIG)).toEqual(["pitr.backupSource reads a volume or Azure (only the platform's S3 target)"]);
        expect(mysqlRestoreProblems({ backupSource: source, pitr: { backupSource: { azure: {} } } }, "shop", CONFIG)).toEqual(["pitr.backupSource reads a volume or Azure (only the platform's S3 target)"]);
        expect(mysqlRestoreProblems({ backupSource: source, containerOptions: {} }, "shop", CONFIG)).toEqual(["containerOptions is set (the restore Job holds the platform's keys: no tenant arguments or environment)"]);
    });
});

describe("tenancy-mysql-cluster messages", () => {
    it("name the kind and the namespace", () => {
        const restore = planned("kubernetes:pxc.percona.com/v1:PerconaXtraDBClusterRestore", "restore", { metadata: { name: "restore", namespace: "shop" }, spec: { backupSource: { destination: "s3://elsewhere/x", s3: S3 }, containerOptions: {} } });
        expect(messagesOf("tenancy-mysql-cluster", [restore], { databaseBackupTarget: TARGET })).toEqual([
            'PerconaXtraDBClusterRestore in namespace "shop": backupSource.destination "s3://elsewhere/x" is not below the namespace\'s own folder s3://backups/db/shop/',
            'PerconaXtraDBClusterRestore in namespace "shop": containerOptions is set (the restore Job holds the platform\'s keys: no tenant arguments or environment)',
        ]);
        const cluster = planned("kubernetes:pxc.percona.com/v1:PerconaXtraDBCluster", "database", { metadata: { name: "database", namespace: "shop" }, spec: { pxc: { size: 9 } } });
        expect(messagesOf("tenancy-mysql-cluster", [cluster], { databaseBackupTarget: TARGET, maxDatabaseInstances: 3 })).toContain('PerconaXtraDBCluster in namespace "shop": pxc.size 9 is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)');
        const nameless = planned("kubernetes:pxc.percona.com/v1:PerconaXtraDBCluster", "database", { metadata: { namespace: "shop" }, spec: { pxc: { size: 1 } } });
        expect(messagesOf("tenancy-mysql-cluster", [nameless], { databaseBackupTarget: TARGET, maxDatabaseInstances: 3 })).toContain(
            'PerconaXtraDBCluster in namespace "shop": metadata.name "" is not database or database-g<N> (the operator names its system-user, TLS and environment Secrets after the cluster; only those names are kept from tenant pods)',
        );
    });
});
