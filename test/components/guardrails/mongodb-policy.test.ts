import { describe, expect, it } from "vitest";
import { renderMongodbPolicy } from "../../../components/guardrails/admission-policies";
import { databaseAdmission } from "../../../components/guardrails/database-admission";
import { MONGODB_SECRET, MONGODB_USERS, renderMongoDbCluster, renderMongoDbRestore } from "../../../components/project/mongodb";
import { projectContext } from "../../../components/project/common";
import { restoredMongoProject } from "../../../tools/offline/backup-drill";
import { admit } from "../../../tools/offline/admission";
import { policyPackConfigFile, stackPackConfig } from "../../../tools/offline/policy-config";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { PSMDB_TYPES, PSMDB_USER, PSMDB_USER_PASSWORD_SECRET } from "../../../policy/rules/tenancy/mongodb-cluster";
import { validateObject } from "../../helpers/k8s-schema";
import { keysSorted, messagesOf, planned, tenantNamespace } from "../../helpers/policy-fixtures";
import { ROOT } from "../../helpers/synth";
import { project, stackPlatformConfig } from "../project/fixtures";

/**
 * The admission twin of `tenancy-mongodb-cluster` (platform-tenant-mongodb, review 19 finding 7): the API server
 * model (tools/offline/admission.ts) must deny exactly the PerconaServerMongoDBs and restores the pack reports and
 * admit the ones the program renders, with the same stack settings on both sides. Expected outcomes are written
 * here per fixture.
 */

const config = stackPlatformConfig("fsn1");
const pair = renderMongodbPolicy({ allowedRegistries: config.allowedRegistries, ...databaseAdmission(config) });
const pack = stackPackConfig(readStackConfig(ROOT, "fsn1"));
const shop = project({ name: "shop", mongodb: { instances: 3 } });
const cluster = renderMongoDbCluster(projectContext(shop, config));
const untrustedCluster = renderMongoDbCluster(projectContext(project({ name: "shop", trust: "untrusted", mongodb: { instances: 3 } }), config));
const serverPoolCluster = renderMongoDbCluster(projectContext(shop, { ...config, pools: config.pools.filter((pool) => pool.role !== "run") }));
const restoredContext = projectContext(restoredMongoProject(shop, "2026-11-30T23:15:00Z"), config);
const restored = renderMongoDbCluster(restoredContext);
const restore = renderMongoDbRestore(restoredContext)!;
type Spec = Record<string, any>;
const backup = cluster.spec.backup as Spec;
const replset = (cluster.spec.replsets as Spec[])[0]!;
const exporter = (replset.sidecars as Spec[])[0]!;
const users = cluster.spec.users as Spec[];
const spec = (changes: Spec) => ({ ...cluster.spec, ...changes });
const withS3 = (changes: Spec) => spec({ backup: { ...backup, storages: { offsite: { ...backup.storages.offsite, s3: { ...backup.storages.offsite.s3, ...changes } } } } });
const withStorage = (changes: Spec) => spec({ backup: { ...backup, storages: { offsite: { ...backup.storages.offsite, ...changes } } } });
const withReplset = (changes: Spec) => spec({ replsets: [{ ...replset, ...changes }] });
const withExporter = (changes: Spec) => withReplset({ sidecars: [{ ...exporter, ...changes }] });
const withUserRoles = (roles: Spec[]) => spec({ users: [{ ...users[0], roles }] });
const source = restore.spec.backupSource as Spec;
const restoreSpec = (changes: Spec) => ({ ...restore.spec, ...changes });
const withSource = (changes: Spec) => restoreSpec({ backupSource: { ...source, ...changes } });

function decide(kind: "PerconaServerMongoDB" | "PerconaServerMongoDBRestore", objectSpec: Spec, name?: string): { admission: "admit" | "deny"; pack: "admit" | "deny"; messages: string[]; reported: string[] } {
    const base = kind === "PerconaServerMongoDB" ? cluster : restore;
    const object = { ...base, metadata: { ...base.metadata, name: name ?? base.metadata.name }, spec: objectSpec };
    const decision = admit(pair.policy, pair.binding, { object, namespaceObject: tenantNamespace("shop").inputs, operation: "CREATE" });
    const reported = messagesOf("tenancy-mongodb-cluster", [planned(kind === "PerconaServerMongoDB" ? PSMDB_TYPES.cluster : PSMDB_TYPES.restore, object.metadata.name, object)], pack);
    return { admission: decision.allowed ? "admit" : "deny", pack: reported.length === 0 ? "admit" : "deny", messages: decision.messages, reported };
}

const CLUSTER_CASES: Array<{ title: string; spec: Spec; expected: "admit" | "deny"; name?: string }> = [
    { title: "the replica set the program renders", spec: cluster.spec, expected: "admit" },
    { title: "the replica set with its keys sorted, as `pulumi preview` serialises it", spec: keysSorted(cluster.spec) as Spec, expected: "admit" },
    { title: "its next generation, restored", spec: restored.spec, name: restored.metadata.name, expected: "admit" },
    { title: "a single member", spec: renderMongoDbCluster(projectContext(project({ name: "shop", mongodb: { instances: 1 } }), config)).spec, expected: "admit" },
    { title: "another generation's system users", spec: cluster.spec, name: restored.metadata.name, expected: "deny" },
    { title: "backups off", spec: spec({ backup: { ...backup, enabled: false } }), expected: "deny" },
    { title: "no storage", spec: spec({ backup: { ...backup, storages: {} } }), expected: "deny" },
    { title: "backups in the in-cluster MinIO", spec: withS3({ endpointUrl: "http://minio.minio.svc.cluster.local:9000" }), expected: "deny" },
    { title: "backups on another endpoint", spec: withS3({ endpointUrl: "https://s3.attacker.example" }), expected: "deny" },
    { title: "backups in another bucket", spec: withS3({ bucket: "attacker-bucket" }), expected: "deny" },
    { title: "backups in another project's folder", spec: withS3({ prefix: "fsn1/caracal/mongodb" }), expected: "deny" },
    { title: "a prefix climbing out", spec: withS3({ prefix: "fsn1/shop/../caracal/mongodb" }), expected: "deny" },
    { title: "a bucket carrying the path", spec: withS3({ bucket: "platform-backups-fsn1/fsn1/caracal", prefix: "fsn1/shop/mongodb" }), expected: "deny" },
    { title: "keys from the tenant's own Secret", spec: withS3({ credentialsSecret: "mine" }), expected: "deny" },
    { title: "TLS verification off", spec: withS3({ insecureSkipTLSVerify: true }), expected: "deny" },
    { title: "a tenant CA bundle", spec: withS3({ caBundle: { name: "mine", key: "ca.crt" } }), expected: "deny" },
    { title: "a filesystem storage", spec: withStorage({ type: "filesystem", filesystem: { path: "/data" } }), expected: "deny" },
    { title: "a minio storage", spec: withStorage({ type: "minio", minio: { bucket: "x", endpointUrl: "https://s3.attacker.example", credentialsSecret: "database-backup-s3" } }), expected: "deny" },
    { title: "the version service upgrading to latest", spec: spec({ upgradeOptions: { apply: "latest" } }), expected: "deny" },
    { title: "a tenant's version service", spec: spec({ upgradeOptions: { apply: "disabled", versionServiceEndpoint: "https://versions.tenant.example" } }), expected: "deny" },
    { title: "upgrades off, written in capitals", spec: spec({ upgradeOptions: { apply: "Never" } }), expected: "admit" },
    { title: "a tenant-built mongod", spec: spec({ image: "registry.platform.internal/shop/mongod:1" }), expected: "deny" },
    { title: "a tenant init image", spec: spec({ initImage: "ghcr.io/attacker/init:1" }), expected: "deny" },
    { title: "a tenant backup agent holding the keys", spec: spec({ backup: { ...backup, image: "ghcr.io/attacker/pbm:1" } }), expected: "deny" },
    { title: "PMM switched on", spec: spec({ pmm: { enabled: true, image: "ghcr.io/attacker/pmm:1" } }), expected: "deny" },
    { title: "the log collector switched on", spec: spec({ logcollector: { enabled: true, envFrom: [{ secretRef: { name: "database-backup-s3" } }] } }), expected: "deny" },
    { title: "sharding switched on", spec: spec({ sharding: { enabled: true, mongos: { size: 1, sidecars: [{ name: "x", image: "ghcr.io/attacker/x:1" }] } } }), expected: "deny" },
    { title: "a Vault of the tenant's", spec: spec({ vault: { endpointURL: "https://vault.attacker.example" } }), expected: "deny" },
    { title: "custom roles", spec: spec({ roles: [{ role: "x", db: "admin", privileges: [{ resource: { db: "admin", collection: "pbmConfig" }, actions: ["find"] }] }] }), expected: "deny" },
    { title: "the operator's system users in the backup Secret", spec: spec({ secrets: { users: "database-backup-s3" } }), expected: "deny" },
    { title: "the backup Secret as the cluster's TLS", spec: spec({ secrets: { ...(cluster.spec.secrets as Spec), ssl: "database-backup-s3" } }), expected: "deny" },
    { title: "a user's password from the backup Secret", spec: spec({ users: [{ ...users[0], passwordSecretRef: { name: "database-backup-s3", key: "AWS_SECRET_ACCESS_KEY" } }] }), expected: "deny" },
    { title: "the app user as root", spec: withUserRoles([{ name: "root", db: "admin" }]), expected: "deny" },
    { title: "the app user writing admin (PBM's configuration)", spec: withUserRoles([{ name: "readWrite", db: "admin" }]), expected: "deny" },
    { title: "a sidecar of the tenant's", spec: withReplset({ sidecars: [exporter, { name: "x", image: "ghcr.io/attacker/x:1" }] }), expected: "deny" },
    { title: "the exporter with a command", spec: withExporter({ command: ["sh", "-c", "id"] }), expected: "deny" },
    { title: "the exporter mounting a volume", spec: withReplset({ sidecars: [{ ...exporter, volumeMounts: [{ name: "k", mountPath: "/k" }] }], sidecarVolumes: [{ name: "k", secret: { secretName: "internal-mongodb-users" } }] }), expected: "deny" },
    { title: "the exporter reading the backup Secret", spec: withExporter({ env: [{ name: "K", valueFrom: { secretKeyRef: { name: "database-backup-s3", key: "AWS_SECRET_ACCESS_KEY" } } }] }), expected: "deny" },
    { title: "the exporter with an exec probe", spec: withExporter({ readinessProbe: { exec: { command: ["sh", "-c", "id"] } } }), expected: "deny" },
    { title: "environment on mongod", spec: withReplset({ env: [{ name: "LD_PRELOAD", value: "/tmp/x.so" }] }), expected: "deny" },
    { title: "an exec liveness probe on mongod", spec: withReplset({ livenessProbe: { exec: { command: ["sh", "-c", "id"] } } }), expected: "deny" },
    { title: "a hook script", spec: withReplset({ hookScript: { script: "id" } }), expected: "deny" },
    { title: "a mongod configuration", spec: withReplset({ configuration: "setParameter:\n  enableTestCommands: 1\n" }), expected: "deny" },
    { title: "an external member", spec: withReplset({ externalNodes: [{ host: "mongo.attacker.example", votes: 0 }] }), expected: "deny" },
    { title: "an arbiter", spec: withReplset({ arbiter: { enabled: true, size: 1 } }), expected: "deny" },
    { title: "a backup agent mount", spec: spec({ backup: { ...backup, volumeMounts: [{ name: "x", mountPath: "/x" }] } }), expected: "deny" },
    { title: "a physical restore's mongod of the tenant's", spec: spec({ backup: { ...backup, configuration: { restoreOptions: { mongodLocation: "/tmp/mongod" } } } }), expected: "deny" },
    { title: "more members than the limit", spec: withReplset({ size: 5 }), expected: "deny" },
    // Review 19b, blocker 5 and major 2: no tenant-known password may reach PBM's admin.pbmConfig (or the oplog carrying its writes).
    { title: "a cluster named x (its internal-x-users would be mountable)", spec: { ...cluster.spec, secrets: { users: "x-users" }, replsets: [{ ...replset, sidecars: [{ ...exporter, env: exporter.env.map((e: Spec) => (e.valueFrom?.secretKeyRef?.name === "mongodb-users" ? { ...e, valueFrom: { secretKeyRef: { ...e.valueFrom.secretKeyRef, name: "x-users" } } } : e)) }] }] }, name: "x", expected: "deny" },
    { title: "a cluster named mongodb-x", spec: { ...cluster.spec, secrets: undefined }, name: "mongodb-x", expected: "deny" },
    { title: "the app user with clusterMonitor", spec: withUserRoles([{ name: "clusterMonitor", db: "admin" }]), expected: "deny" },
    { title: "the app user reading local (the oplog with PBM's writes)", spec: withUserRoles([{ name: "read", db: "local" }]), expected: "deny" },
    { title: "the app user reading admin (admin.pbmConfig)", spec: withUserRoles([{ name: "read", db: "admin" }]), expected: "deny" },
    {
        title: "a monitoring user of the tenant's, password in its own Secret",
        spec: spec({ users: [users[0], { name: "metrics", db: "admin", passwordSecretRef: { name: MONGODB_SECRET, key: "METRICS_PASSWORD" }, roles: [{ name: "clusterMonitor", db: "admin" }, { name: "read", db: "local" }] }] }),
        expected: "deny",
    },
    { title: "the exporter logging in with the tenant's password", spec: withExporter({ env: [{ name: "MONGODB_USER", value: "app" }, { name: "MONGODB_PASSWORD", valueFrom: { secretKeyRef: { name: MONGODB_SECRET, key: "MONGODB_PASSWORD" } } }] }), expected: "deny" },
    // Review 19c, minor 5: the same keys from another Secret (another generation's system users) pass only without the name pin.
    { title: "the exporter environment from another Secret", spec: withExporter({ env: exporter.env.map((e: Spec) => ({ ...e, valueFrom: { secretKeyRef: { ...e.valueFrom.secretKeyRef, name: "mongodb-g1-users" } } })) }), expected: "deny" },
    { title: "the exporter with an extra plain variable", spec: withExporter({ env: [...exporter.env, { name: "HTTP_PROXY", value: "http://attacker.example:3128" }] }), expected: "deny" },
    { title: "the exporter without its environment", spec: withExporter({ env: undefined }), expected: "deny" },
    { title: "the exporter against another server", spec: withExporter({ args: ["--mongodb.uri=mongodb://mongo.attacker.example:27017/admin", ...exporter.args.slice(1)] }), expected: "deny" },
    { title: "the exporter with an extra collector", spec: withExporter({ args: [...exporter.args, "--collector.dbstats"] }), expected: "deny" },
    // Review f19c 1: validateUser (custom_users.go at v1.22.0) reserves only the names it read from internal-<cluster>-users.
    ...["backup", "clusterAdmin", "clusterMonitor", "userAdmin", "databaseAdmin", "App", "app "].map((name) => ({
        title: `a user named ${JSON.stringify(name)}`,
        spec: spec({ users: [{ ...users[0], name }] }),
        expected: "deny" as const,
    })),
    { title: "the app user in another authentication database", spec: spec({ users: [{ ...users[0], db: "$external" }] }), expected: "deny" },
    { title: "the app user without its authentication database", spec: spec({ users: [{ ...users[0], db: undefined }] }), expected: "deny" },
    // Review 19b, 8c: placement pinned to what the renderer produces for any trust and pool (OPERATOR_PLACEMENT).
    { title: "an untrusted project's replica set (gVisor)", spec: untrustedCluster.spec, expected: "admit" },
    { title: "a replica set on a stack without a run pool", spec: serverPoolCluster.spec, expected: "admit" },
    { title: "members tolerating every taint", spec: withReplset({ tolerations: [{ operator: "Exists" }] }), expected: "deny" },
    { title: "members without tolerations", spec: withReplset({ tolerations: [] }), expected: "admit" },
    { title: "members on the edge pool", spec: withReplset({ nodeSelector: { "platform/pool": "edge" } }), expected: "deny" },
    { title: "members without a nodeSelector", spec: withReplset({ nodeSelector: undefined }), expected: "deny" },
    { title: "members with an advanced node affinity", spec: withReplset({ affinity: { antiAffinityTopologyKey: "kubernetes.io/hostname", advanced: { nodeAffinity: {} } } }), expected: "deny" },
    { title: "members with runc named explicitly", spec: withReplset({ runtimeClassName: "runc" }), expected: "deny" },
    { title: "members with a priority class", spec: withReplset({ priorityClassName: "system-cluster-critical" }), expected: "deny" },
    { title: "members with a topology spread", spec: withReplset({ topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "platform/pool", whenUnsatisfiable: "DoNotSchedule" }] }), expected: "deny" },
    { title: "a scheduler of the tenant's", spec: spec({ schedulerName: "tenant-scheduler" }), expected: "deny" },
    { title: "restores under runc named explicitly", spec: spec({ backup: { ...backup, runtimeClassName: "runc" } }), expected: "deny" },
];

const RESTORE_CASES: Array<{ title: string; spec: Spec; expected: "admit" | "deny" }> = [
    { title: "the restore the program renders", spec: restore.spec, expected: "admit" },
    { title: "without a point in time", spec: restoreSpec({ pitr: undefined }), expected: "admit" },
    { title: "from a backup object of its own (backupName)", spec: { clusterName: restore.spec.clusterName, backupName: "scheduled-1" }, expected: "admit" },
    { title: "from another project's backup", spec: withSource({ destination: "s3://platform-backups-fsn1/fsn1/caracal/mongodb/2026-01-01T03:00:00Z", s3: { ...source.s3, prefix: "fsn1/caracal/mongodb" } }), expected: "deny" },
    { title: "another project's prefix behind its own destination", spec: withSource({ s3: { ...source.s3, prefix: "fsn1/caracal/mongodb" } }), expected: "deny" },
    { title: "from a path climbing out", spec: withSource({ destination: "s3://platform-backups-fsn1/fsn1/shop/../caracal/mongodb/x" }), expected: "deny" },
    { title: "with the tenant's keys", spec: withSource({ s3: { ...source.s3, credentialsSecret: "mine" } }), expected: "deny" },
    { title: "from another endpoint", spec: withSource({ s3: { ...source.s3, endpointUrl: "https://s3.attacker.example" } }), expected: "deny" },
    { title: "from a filesystem", spec: withSource({ filesystem: { path: "/data" } }), expected: "deny" },
];

describe("platform-tenant-mongodb (admission twin of tenancy-mongodb-cluster)", () => {
    it("renders the server pool on a stack without a run pool, gVisor for untrusted projects (fixtures of the placement cases)", () => {
        expect(((serverPoolCluster.spec.replsets as Spec[])[0] as Spec).nodeSelector).toEqual({ "platform/pool": "server" });
        expect(((untrustedCluster.spec.replsets as Spec[])[0] as Spec).runtimeClassName).toBe("gvisor");
    });

    it("is a schema-valid ValidatingAdmissionPolicy bound to tenant namespaces, holding the stack's target and limit", () => {
        expect(validateObject(pair.policy).status).toBe("valid");
        expect(validateObject(pair.binding).status).toBe("valid");
        expect(JSON.stringify(pair.policy.spec)).toContain("'platform-backups-fsn1'");
        expect(JSON.stringify(pair.policy.spec)).toContain("r.size <= 3");
        expect(policyPackConfigFile(pack)["tenancy-mongodb-cluster"]).toEqual({ databaseBackupTarget: pack.databaseBackupTarget });
    });

    it.each(CLUSTER_CASES)("replica set, $title: $expected by admission and by the pack", ({ spec: clusterSpec, expected, name }) => {
        const outcome = decide("PerconaServerMongoDB", clusterSpec, name);
        expect(outcome.admission, outcome.messages.join("; ")).toBe(expected);
        expect(outcome.pack, outcome.reported.join("; ")).toBe(expected);
    });

    it.each(RESTORE_CASES)("restore, $title: $expected by admission and by the pack", ({ spec: restoreSpecValue, expected }) => {
        const outcome = decide("PerconaServerMongoDBRestore", restoreSpecValue);
        expect(outcome.admission, outcome.messages.join("; ")).toBe(expected);
        expect(outcome.pack, outcome.reported.join("; ")).toBe(expected);
    });

    it("pins the user to the one the program renders (the pack cannot import it)", () => {
        expect(users.map((user) => ({ name: user.name, db: user.db }))).toEqual([{ ...PSMDB_USER }]);
        expect(PSMDB_USER.name).toBe(MONGODB_USERS.app);
    });

    it("names the platform's credentials Secret as components/project/mongodb.ts writes it", () => {
        expect(PSMDB_USER_PASSWORD_SECRET).toBe(MONGODB_SECRET);
    });
});
