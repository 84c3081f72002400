import { describe, expect, it } from "vitest";
import { mongodbClusterProblems, mongodbRestoreProblems, psmdbS3Problems } from "../../policy/rules/tenancy/mongodb-cluster";
import { messagesOf, planned } from "../helpers/policy-fixtures";

/**
 * The checks of `tenancy-mongodb-cluster` called directly, each message and edge written out: the admission
 * twin's tests (test/components/guardrails/mongodb-policy.test.ts) compare admit/deny of whole rendered objects,
 * which left the messages, the bucket and prefix forms, the exporter sidecar and the user roles open (found by
 * `npm run mutation -- policy-mongodb`). Importing only the rule keeps each mutant's run short.
 */

const TARGET = { endpointURL: "https://s3.example.com", destinationPrefix: "s3://backups/db/" };
const ANY_TARGET = { endpointURL: "", destinationPrefix: "" };
const CONFIG = { databaseBackupTarget: TARGET, maxDatabaseInstances: 3 };
const S3 = { endpointUrl: "https://s3.example.com", bucket: "backups", prefix: "db/shop", credentialsSecret: "database-backup-s3" };
const EXPORTER = "docker.io/percona/mongodb_exporter:0.53.0";
const ARGS = ["--mongodb.uri=mongodb://127.0.0.1:27017/admin", "--mongodb.direct-connect", "--collector.pbm", "--collector.replicasetstatus", "--collector.diagnosticdata", "--web.listen-address=:9216"];
const ENV = (cluster: string) => [
    { name: "MONGODB_USER", valueFrom: { secretKeyRef: { name: `${cluster}-users`, key: "MONGODB_CLUSTER_MONITOR_USER" } } },
    { name: "MONGODB_PASSWORD", valueFrom: { secretKeyRef: { name: `${cluster}-users`, key: "MONGODB_CLUSTER_MONITOR_PASSWORD" } } },
];
const RUN = { "platform/pool": "run" };
const problems = (spec: Record<string, unknown>, name = "mongodb") => mongodbClusterProblems(spec, "shop", CONFIG, name);
/** Problems other than placement (a replica set without nodeSelector reports it; that check has its own tests). */
const unplaced = (spec: Record<string, unknown>, name = "mongodb") => problems(spec, name).filter((p) => !/nodeSelector|tolerations|affinity/.test(p));
const base = (): Record<string, any> => ({
    image: "docker.io/percona/percona-server-mongodb:8.0.19-7",
    replsets: [{ name: "rs0", size: 3, nodeSelector: RUN }],
    backup: { enabled: true, storages: { s3: { type: "s3", s3: S3 } } },
});

describe("psmdbS3Problems", () => {
    it("needs the platform's bucket and a prefix below the namespace's folder, without ..", () => {
        expect(psmdbS3Problems(undefined, "shop", TARGET, "backupSource")).toEqual(["backupSource has no s3 location"]);
        expect(psmdbS3Problems(S3, "shop", TARGET, "x")).toEqual([]);
        expect(psmdbS3Problems({ ...S3, prefix: "db/shop/daily" }, "shop", TARGET, "x")).toEqual([]);
        expect(psmdbS3Problems({ ...S3, bucket: "other" }, "shop", TARGET, "x")).toEqual(['x bucket "other" is not the platform\'s bucket backups']);
        expect(psmdbS3Problems({ ...S3, bucket: "backups/db" }, "shop", TARGET, "x")).toEqual(['x bucket "backups/db" is not the platform\'s bucket backups']);
        expect(psmdbS3Problems({ ...S3, prefix: "db/shopping" }, "shop", TARGET, "x")).toEqual(['x prefix "db/shopping" is not below the namespace\'s own folder db/shop/']);
        expect(psmdbS3Problems({ ...S3, prefix: undefined, bucket: undefined }, "shop", TARGET, "x")).toEqual(['x bucket "" is not the platform\'s bucket backups', 'x prefix "" is not below the namespace\'s own folder db/shop/']);
        expect(psmdbS3Problems({ ...S3, prefix: "db/shop/../caracal" }, "shop", TARGET, "x")).toEqual(['x prefix "db/shop/../caracal" climbs out of its folder']);
        const tls = "x sets caBundle or insecureSkipTLSVerify (the platform's target is verified against the public CAs)";
        expect(psmdbS3Problems({ ...S3, caBundle: {} }, "shop", TARGET, "x")).toEqual([tls]);
        expect(psmdbS3Problems({ ...S3, insecureSkipTLSVerify: true }, "shop", TARGET, "x")).toEqual([tls]);
        expect(psmdbS3Problems({ ...S3, insecureSkipTLSVerify: false }, "shop", TARGET, "x")).toEqual([]);
    });

    it("without a platform prefix: any bucket without a slash, a prefix with the namespace as a folder", () => {
        const other = { ...S3, endpointUrl: "https://other.example.com" };
        expect(psmdbS3Problems({ ...other, bucket: "b", prefix: "x/shop" }, "shop", ANY_TARGET, "x")).toEqual([]);
        expect(psmdbS3Problems({ ...other, bucket: "b/c", prefix: "shopping" }, "shop", ANY_TARGET, "x")).toEqual(['x bucket "b/c" is not the platform\'s bucket', 'x prefix "shopping" is not below the namespace\'s own folder .../shop/']);
        expect(psmdbS3Problems({ ...S3, endpointUrl: "https://minio.minio.svc" }, "shop", ANY_TARGET, "backupSource").join("\n")).toMatch(/^backupSource endpointUrl/);
    });

    it("takes the folder of a prefix with or without a trailing slash", () => {
        expect(psmdbS3Problems(S3, "shop", { ...TARGET, destinationPrefix: "s3://backups/db" }, "x")).toEqual([]);
        expect(psmdbS3Problems({ ...S3, prefix: "shop" }, "shop", { ...TARGET, destinationPrefix: "s3://backups/" }, "x")).toEqual([]);
    });

    it("with a platform prefix, the namespace as some folder is not enough: below <folder>/<namespace>/ only", () => {
        expect(psmdbS3Problems({ ...S3, prefix: "elsewhere/shop" }, "shop", TARGET, "x")).toEqual(['x prefix "elsewhere/shop" is not below the namespace\'s own folder db/shop/']);
    });

    it("strips the s3:// scheme only in front of the target's prefix: one further in is part of the folder", () => {
        const target = { ...TARGET, destinationPrefix: "backups/s3://db/" };
        expect(psmdbS3Problems({ ...S3, prefix: "s3:/db/shop" }, "shop", target, "x")).toEqual([]);
        expect(psmdbS3Problems({ ...S3, prefix: "db/shop" }, "shop", target, "x")).toEqual(['x prefix "db/shop" is not below the namespace\'s own folder s3:/db/shop/']);
    });

    it("judges a location without endpointUrl as the empty endpoint", () => {
        expect(psmdbS3Problems({ ...S3, endpointUrl: undefined }, "shop", TARGET, "x")).toEqual(['x endpointUrl "" is not an HTTPS endpoint outside the cluster']);
    });
});

describe("mongodbClusterProblems", () => {
    it("passes the rendered shape", () => {
        expect(problems(base())).toEqual([]);
    });

    it("pins the name, the version service off and the images, with their lists", () => {
        expect(unplaced(base(), "db")).toEqual(['metadata.name "db" is not mongodb or mongodb-g<N> (the operator names its system-user and key Secrets after the cluster; only those names are kept from tenant pods)']);
        expect(unplaced(base(), "mongodb-g3")).toEqual([]);
        expect(unplaced({ ...base(), upgradeOptions: { apply: "8.0-recommended", versionServiceEndpoint: "https://v" } })).toEqual([
            'upgradeOptions.apply is "8.0-recommended" (the version service would choose the images, the backup agent\'s included): only disabled or never',
            "upgradeOptions.versionServiceEndpoint is set (images come from the platform's pins, never a version service)",
        ]);
        expect(unplaced({ ...base(), upgradeOptions: { apply: "Disabled" } })).toEqual([]);
        expect(unplaced({ ...base(), image: undefined })).toEqual(['image "undefined" is not one of the platform\'s pinned images (docker.io/percona/percona-server-mongodb:7.0.30-16, docker.io/percona/percona-server-mongodb:8.0.19-7)']);
        expect(unplaced({ ...base(), initImage: "evil/init:1", backup: { ...base().backup, image: "evil/pbm:1" } })).toEqual([
            'initImage "evil/init:1" is not one of the platform\'s pinned images (docker.io/percona/percona-server-mongodb-operator:1.22.0)',
            'backup.image "evil/pbm:1" is not one of the platform\'s pinned images (docker.io/percona/percona-backup-mongodb:2.12.0)',
        ]);
        expect(unplaced({ ...base(), initImage: "docker.io/percona/percona-server-mongodb-operator:1.22.0", backup: { ...base().backup, image: "docker.io/percona/percona-backup-mongodb:2.12.0" } })).toEqual([]);
    });

    it("keeps the parts off, no vault or roles, the users Secret and the mounted Secrets the operator's", () => {
        expect(unplaced({ ...base(), sharding: { enabled: true }, pmm: { enabled: true }, logcollector: { enabled: false }, vault: {}, roles: [], secrets: { users: "mine", keyFile: "k", ldapSecret: "l" } })).toEqual([
            "sharding.enabled is true (the platform does not run sharding: its pods, image or configuration would be the tenant's)",
            "pmm.enabled is true (the platform does not run pmm: its pods, image or configuration would be the tenant's)",
            "vault is set (a Vault of the tenant's holds the system users)",
            "roles is set (custom roles can grant anything on the system databases)",
            'secrets.users is "mine", not mongodb-users (the operator writes its system users\' passwords into it)',
            "secrets.keyFile is set (the operator's pods mount it; the operator names it after the cluster)",
            "secrets.ldapSecret is set (the operator's pods mount it; the operator names it after the cluster)",
        ]);
        expect(unplaced({ ...base(), secrets: { users: "mongodb-users" } })).toEqual([]);
    });

    it("pins the users to app@admin with the platform's Secret and tenant roles on tenant databases", () => {
        const user = { name: "app", db: "admin", passwordSecretRef: { name: "mongodb-credentials", key: "password" }, roles: [{ name: "readWrite", db: "shop" }, { name: "dbAdmin", db: "shop" }] };
        expect(unplaced({ ...base(), users: [user] })).toEqual([]);
        expect(unplaced({ ...base(), users: [{ ...user, name: "root", passwordSecretRef: { name: "mine" }, roles: [{ name: "readWrite", db: "admin" }, { name: "root", db: "shop" }] }, { ...user, db: "shop" }] })).toEqual([
            'users[0] is "root"@"admin", not the platform\'s app@admin (a system user\'s name would take its password and roles from the tenant\'s Secret)',
            "users[0].passwordSecretRef is not the platform-written mongodb-credentials",
            "users[0] holds readWrite@admin (tenant users hold read, readWrite, dbAdmin on their own databases)",
            "users[0] holds root@shop (tenant users hold read, readWrite, dbAdmin on their own databases)",
            'users[1] is "app"@"shop", not the platform\'s app@admin (a system user\'s name would take its password and roles from the tenant\'s Secret)',
        ]);
    });

    it("reports a user that is no object instead of failing on it", () => {
        const notAUser = (index: number) => [
            `users[${index}] is undefined@undefined, not the platform's app@admin (a system user's name would take its password and roles from the tenant's Secret)`,
            `users[${index}].passwordSecretRef is not the platform-written mongodb-credentials`,
        ];
        expect(unplaced({ ...base(), users: ["app", null] })).toEqual([...notAUser(0), ...notAUser(1)]);
    });

    it("schedules with the default scheduler and runs the backup agents as the platform says", () => {
        expect(unplaced({ ...base(), schedulerName: "mine", backup: { ...base().backup, runtimeClassName: "runc" } })).toEqual([
            "schedulerName is set (the platform schedules tenant database pods with the default scheduler)",
            'backup.runtimeClassName "runc" is neither unset nor gvisor',
        ]);
        expect(unplaced({ ...base(), backup: { ...base().backup, runtimeClassName: "gvisor" } })).toEqual([]);
    });

    it("bounds each replica set and refuses what it would inject, extra members and sidecars but the exporter", () => {
        expect(unplaced({ ...base(), replsets: [] })).toEqual(["replsets is empty"]);
        for (const size of [0, 4, 2.5, "3"]) {
            expect(unplaced({ ...base(), replsets: [{ name: "rs0", size }] })).toEqual([`replsets[0].size ${String(size)} is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)`]);
        }
        expect(unplaced({ ...base(), replsets: [{ name: "rs0", size: 1, env: [], configuration: "x", arbiter: { enabled: true }, hidden: { enabled: false } }] })).toEqual([
            "replsets[0].env is set (no tenant commands, environment, volumes or configuration in the operator's pods)",
            "replsets[0].configuration is set (no tenant commands, environment, volumes or configuration in the operator's pods)",
            "replsets[0].arbiter.enabled is true (extra member pods are not offered)",
        ]);
        expect(problems({ ...base(), replsets: [{ name: "rs0", size: 1 }] }).join("\n")).toMatch(/^replsets\[0\]\.nodeSelector/);
    });

    it("allows the exporter sidecar exactly as rendered", () => {
        const exporter = { name: "metrics", image: EXPORTER, args: ARGS, env: ENV("mongodb") };
        const withSidecar = (sidecar: Record<string, unknown>, name = "mongodb") => unplaced({ ...base(), replsets: [{ name: "rs0", size: 3, sidecars: [sidecar] }] }, name);
        expect(withSidecar(exporter)).toEqual([]);
        expect(withSidecar({ ...exporter, env: ENV("mongodb-g2") }, "mongodb-g2")).toEqual([]);
        const where = "replsets[0].sidecars[0]";
        expect(withSidecar({ ...exporter, name: "shell" })).toEqual([`${where} is not the platform's exporter (metrics, ${EXPORTER})`]);
        expect(withSidecar({ ...exporter, image: "evil/exporter:1" })).toEqual([`${where} is not the platform's exporter (metrics, ${EXPORTER})`]);
        expect(withSidecar({ ...exporter, command: ["sh"], envFrom: [], readinessProbe: { exec: {} }, startupProbe: { httpGet: {} } })).toEqual([`${where}.command is set`, `${where}.envFrom is set`, `${where}.readinessProbe.exec is set (a command in the replica set's pod)`]);
        expect(withSidecar({ ...exporter, args: [...ARGS, "--collector.collstats"] })).toEqual([`${where}.args are not the platform's exporter arguments (${ARGS.join(" ")})`]);
        expect(withSidecar({ ...exporter, args: undefined, env: undefined })).toEqual([`${where}.args are not the platform's exporter arguments (${ARGS.join(" ")})`, `${where}.env is not the platform's exporter environment (MONGODB_USER and MONGODB_PASSWORD from mongodb-users)`]);
        expect(withSidecar({ ...exporter, env: ENV("mongodb-g2") })).toEqual([`${where}.env is not the platform's exporter environment (MONGODB_USER and MONGODB_PASSWORD from mongodb-users)`]);
        expect(withSidecar({ ...exporter, lifecycle: {}, volumeMounts: [], volumeDevices: [], livenessProbe: { exec: {} }, startupProbe: { exec: {} } })).toEqual([
            `${where}.lifecycle is set`,
            `${where}.volumeMounts is set`,
            `${where}.volumeDevices is set`,
            `${where}.livenessProbe.exec is set (a command in the replica set's pod)`,
            `${where}.startupProbe.exec is set (a command in the replica set's pod)`,
        ]);
    });

    it("needs backups on, s3 storages only on the platform's target, and no agent injection", () => {
        expect(unplaced({ ...base(), backup: { enabled: false, storages: {} } })).toEqual(["backup.enabled is not true (tenant replica sets back up to the platform's off-cluster target)", "backup has no storages"]);
        expect(unplaced({ ...base(), backup: { enabled: true } })).toEqual(["backup has no storages"]);
        expect(unplaced({ ...base(), backup: { enabled: true, storages: { gcs: { type: "gcs", gcs: {}, minio: {}, s3: S3 } }, volumeMounts: [], configuration: {} } })).toEqual([
            "backup.storages.gcs is of type gcs, not s3 (the platform's target)",
            "backup.storages.gcs.minio is set (only the platform's S3 target)",
            "backup.storages.gcs.gcs is set (only the platform's S3 target)",
            "backup.volumeMounts is set (the backup agents hold the platform's keys)",
            "backup.configuration is set (the backup agents hold the platform's keys)",
        ]);
        expect(unplaced({ ...base(), backup: { enabled: true, storages: { s3: { type: "s3", s3: S3, azure: {}, filesystem: {} } } } })).toEqual([
            "backup.storages.s3.azure is set (only the platform's S3 target)",
            "backup.storages.s3.filesystem is set (only the platform's S3 target)",
        ]);
        expect(unplaced({ ...base(), backup: { enabled: true, storages: { s3: { type: "s3" } } } })).toEqual(["backup.storages.s3 has no s3 location"]);
    });

    it("keeps reserved labels and all annotations off every pod group: each replica set, its extra members and the backup agents", () => {
        const labels = { "platform/service": "web", team: "shop" };
        const label = (where: string) => `${where}.labels["platform/service"] is "web" (a label the project's NetworkPolicies, Services or the operator select pods by: only the platform's ["mongodb"])`;
        const annotated = (where: string) => `${where}.annotations is set (annotations on the operator's pods are the platform's: none)`;
        const group = { labels, annotations: {} };
        // Each member's own fields, not its replica set's: the replica set carries labels only, so a member read as its replica set would report no annotations.
        const second = { name: "rs1", size: 1, nodeSelector: RUN, labels, nonvoting: group, hidden: group, arbiter: { annotations: {} } };
        expect(unplaced({ ...base(), replsets: [...base().replsets, second], backup: { ...base().backup, ...group } })).toEqual([
            label("replsets[1]"),
            ...["replsets[1].nonvoting", "replsets[1].hidden"].flatMap((where) => [label(where), annotated(where)]),
            annotated("replsets[1].arbiter"),
            label("backup"),
            annotated("backup"),
        ]);
        expect(unplaced({ ...base(), replsets: [{ ...base().replsets[0], labels: { "platform/service": "mongodb", team: "shop" } }] })).toEqual([]);
    });

    it("runs backup tasks at most hourly", () => {
        const tooOften = (index: number, schedule: string) =>
            `backup.tasks[${index}].schedule ${schedule} may run more often than hourly (fixed minutes, or one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly; no @every, no TZ=)`;
        expect(unplaced({ ...base(), backup: { ...base().backup, tasks: [{ name: "daily", schedule: "0 3 * * *" }, { name: "often", schedule: "* * * * *" }, { name: "unset" }] } })).toEqual([
            tooOften(1, '"* * * * *"'),
            tooOften(2, "undefined"),
        ]);
    });
});

describe("mongodbRestoreProblems", () => {
    const source = { destination: "s3://backups/db/shop/2026-11-30T23:15:00Z", s3: S3 };

    it("reads only the namespace's own backups on the platform's target", () => {
        expect(mongodbRestoreProblems({ backupSource: source }, "shop", CONFIG)).toEqual([]);
        expect(mongodbRestoreProblems({ backupName: "daily" }, "shop", CONFIG)).toEqual([]);
        expect(mongodbRestoreProblems({ backupSource: { ...source, destination: "s3://backups/db/caracal/x", azure: {}, filesystem: {} } }, "shop", CONFIG)).toEqual([
            "backupSource.azure is set (only the platform's S3 target)",
            "backupSource.filesystem is set (only the platform's S3 target)",
            'backupSource.destination "s3://backups/db/caracal/x" is not below the namespace\'s own folder s3://backups/db/shop/',
        ]);
        expect(mongodbRestoreProblems({ backupSource: { ...source, destination: "s3://backups/db/shop/../caracal" } }, "shop", CONFIG)).toEqual(['backupSource.destination "s3://backups/db/shop/../caracal" climbs out of its folder']);
        expect(mongodbRestoreProblems({ backupSource: { s3: S3 } }, "shop", CONFIG)).toEqual(['backupSource.destination "" is not below the namespace\'s own folder s3://backups/db/shop/']);
        expect(mongodbRestoreProblems({ backupSource: { destination: source.destination } }, "shop", CONFIG)).toEqual(["backupSource has no s3 location"]);
        expect(mongodbRestoreProblems({ backupSource: { ...source, minio: {}, gcs: {} } }, "shop", CONFIG)).toEqual(["backupSource.minio is set (only the platform's S3 target)", "backupSource.gcs is set (only the platform's S3 target)"]);
        // With a platform prefix, the namespace as some folder is not enough.
        expect(mongodbRestoreProblems({ backupSource: { ...source, destination: "s3://elsewhere/shop/x" } }, "shop", CONFIG)).toEqual(['backupSource.destination "s3://elsewhere/shop/x" is not below the namespace\'s own folder s3://backups/db/shop/']);
    });

    it("without a platform prefix: a destination with the namespace as a folder", () => {
        const other = { ...S3, endpointUrl: "https://other.example.com", bucket: "b", prefix: "shop" };
        expect(mongodbRestoreProblems({ backupSource: { destination: "s3://b/shop/x", s3: other } }, "shop", { databaseBackupTarget: ANY_TARGET })).toEqual([]);
        expect(mongodbRestoreProblems({ backupSource: { destination: "s3://b/shopping/x", s3: other } }, "shop", { databaseBackupTarget: ANY_TARGET })).toEqual(['backupSource.destination "s3://b/shopping/x" is not below the namespace\'s own folder .../shop/']);
    });
});

describe("tenancy-mongodb-cluster messages", () => {
    it("name the kind and the namespace", () => {
        const restore = planned("kubernetes:psmdb.percona.com/v1:PerconaServerMongoDBRestore", "restore", { metadata: { name: "restore", namespace: "shop" }, spec: { backupSource: { destination: "s3://elsewhere/x", s3: S3 } } });
        expect(messagesOf("tenancy-mongodb-cluster", [restore], { databaseBackupTarget: TARGET })).toEqual(['PerconaServerMongoDBRestore in namespace "shop": backupSource.destination "s3://elsewhere/x" is not below the namespace\'s own folder s3://backups/db/shop/']);
        const cluster = planned("kubernetes:psmdb.percona.com/v1:PerconaServerMongoDB", "mongodb", { metadata: { name: "mongodb", namespace: "shop" }, spec: { ...base(), schedulerName: "x" } });
        expect(messagesOf("tenancy-mongodb-cluster", [cluster], { databaseBackupTarget: TARGET, maxDatabaseInstances: 3 })).toEqual(['PerconaServerMongoDB in namespace "shop": schedulerName is set (the platform schedules tenant database pods with the default scheduler)']);
    });

    it("judge a replica set without a name as the empty name", () => {
        const nameless = planned("kubernetes:psmdb.percona.com/v1:PerconaServerMongoDB", "nameless", { metadata: { namespace: "shop" }, spec: base() });
        expect(messagesOf("tenancy-mongodb-cluster", [nameless], { databaseBackupTarget: TARGET, maxDatabaseInstances: 3 })).toEqual([
            'PerconaServerMongoDB in namespace "shop": metadata.name "" is not mongodb or mongodb-g<N> (the operator names its system-user and key Secrets after the cluster; only those names are kept from tenant pods)',
        ]);
    });

    it("judge only the metadata of a PerconaServerMongoDBBackup, never its spec as a restore's", () => {
        const backup = planned("kubernetes:psmdb.percona.com/v1:PerconaServerMongoDBBackup", "manual", {
            metadata: { name: "manual", namespace: "shop" },
            spec: { clusterName: "mongodb", storageName: "s3", backupSource: { destination: "s3://elsewhere/x", s3: S3 } },
        });
        expect(messagesOf("tenancy-mongodb-cluster", [backup], { databaseBackupTarget: TARGET })).toEqual([]);
    });
});
