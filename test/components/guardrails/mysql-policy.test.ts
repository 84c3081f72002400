import { describe, expect, it } from "vitest";
import { renderMysqlPolicy } from "../../../components/guardrails/admission-policies";
import { databaseAdmission } from "../../../components/guardrails/database-admission";
import { renderMysqlCluster, renderMysqlRestore } from "../../../components/project/mysql";
import { projectContext } from "../../../components/project/common";
import { restoredProject } from "../../../tools/offline/backup-drill";
import { admit } from "../../../tools/offline/admission";
import { policyPackConfigFile, stackPackConfig } from "../../../tools/offline/policy-config";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { MYSQL_OPERATOR_IMAGES } from "../../../charts/images";
import { PXC_KEY_HOLDING_IMAGES, PXC_POD_SERVICE_ACCOUNT, PXC_RUNTIME_IMAGES, PXC_SANDBOX_CONFIGURATION, PXC_TYPES, PXC_USER_NAME, PXC_USER_PASSWORD_SECRET } from "../../../policy/rules/tenancy/mysql-cluster";
import { DATABASE_IMAGES } from "../../../charts/images";
import { SERVICE_ACCOUNT } from "../../../components/project/common";
import { DATABASE_SECRET, DATABASE_USER } from "../../../components/project/database";
import { validateObject } from "../../helpers/k8s-schema";
import { keysSorted, messagesOf, planned, tenantNamespace } from "../../helpers/policy-fixtures";
import { ROOT } from "../../helpers/synth";
import { project, stackPlatformConfig } from "../project/fixtures";

/**
 * The admission twin of `tenancy-mysql-cluster` (platform-tenant-mysql): the API server model
 * (tools/offline/admission.ts) must deny exactly the PerconaXtraDBClusters and restores the pack reports and
 * admit the ones the program renders, with the same stack settings on both sides. Expected outcomes are written
 * here per fixture.
 */

const config = stackPlatformConfig("fsn1");
const pair = renderMysqlPolicy({ allowedRegistries: config.allowedRegistries, ...databaseAdmission(config) });
const pack = stackPackConfig(readStackConfig(ROOT, "fsn1"));
const shop = project({ name: "shop", database: { engine: "mysql", instances: 3 } });
const cluster = renderMysqlCluster(projectContext(shop, config));
const untrustedCluster = renderMysqlCluster(projectContext(project({ name: "shop", trust: "untrusted", database: { engine: "mysql", instances: 3 } }), config));
const serverPoolCluster = renderMysqlCluster(projectContext(shop, { ...config, pools: config.pools.filter((pool) => pool.role !== "run") }));
const restored = projectContext(restoredProject(shop, "2026-11-30T23:15:00Z"), config);
const restore = renderMysqlRestore(restored)!;
type Spec = Record<string, any>;
const backup = cluster.spec.backup as Spec;
const spec = (changes: Spec) => ({ ...cluster.spec, ...changes });
const withStorage = (name: string, changes: Spec) => spec({ backup: { ...backup, storages: { ...backup.storages, [name]: { ...backup.storages[name], ...changes } } } });
const withS3 = (name: string, changes: Spec) => withStorage(name, { s3: { ...backup.storages[name].s3, ...changes } });
const withPart = (part: string, changes: Spec) => spec({ [part]: { ...(cluster.spec[part] as Spec), ...changes } });
const restoreSpec = (changes: Spec) => ({ ...restore.spec, ...changes });
const source = restore.spec.backupSource as Spec;
const pitr = restore.spec.pitr as Spec;

function decide(kind: "PerconaXtraDBCluster" | "PerconaXtraDBClusterRestore", objectSpec: Spec, name?: string): { admission: "admit" | "deny"; pack: "admit" | "deny"; messages: string[] } {
    const base = kind === "PerconaXtraDBCluster" ? cluster : restore;
    const object = { ...base, metadata: { ...base.metadata, name: name ?? base.metadata.name }, spec: objectSpec };
    const decision = admit(pair.policy, pair.binding, { object, namespaceObject: tenantNamespace("shop").inputs, operation: "CREATE" });
    const reported = messagesOf("tenancy-mysql-cluster", [planned(kind === "PerconaXtraDBCluster" ? PXC_TYPES.cluster : PXC_TYPES.restore, base.metadata.name, object)], pack);
    return { admission: decision.allowed ? "admit" : "deny", pack: reported.length === 0 ? "admit" : "deny", messages: decision.messages };
}

const CLUSTER_CASES: Array<{ title: string; spec: Spec; expected: "admit" | "deny"; name?: string }> = [
    { title: "the cluster the program renders", spec: cluster.spec, expected: "admit" },
    { title: "the cluster with its keys sorted, as `pulumi preview` serialises it", spec: keysSorted(cluster.spec) as Spec, expected: "admit" },
    { title: "its next generation, restored", spec: renderMysqlCluster(restored).spec, name: renderMysqlCluster(restored).metadata.name, expected: "admit" },
    { title: "another generation's system users", spec: cluster.spec, name: renderMysqlCluster(restored).metadata.name, expected: "deny" },
    { title: "a single node", spec: renderMysqlCluster(projectContext(project({ name: "shop", database: { engine: "mysql" } }), config)).spec, expected: "admit" },
    { title: "no backup", spec: spec({ backup: undefined }), expected: "deny" },
    { title: "no schedule", spec: spec({ backup: { ...backup, schedule: [] } }), expected: "deny" },
    { title: "backups in the in-cluster MinIO", spec: withS3("offsite", { endpointUrl: "http://minio.minio.svc.cluster.local:9000" }), expected: "deny" },
    { title: "backups on another endpoint", spec: withS3("offsite", { endpointUrl: "https://s3.attacker.example" }), expected: "deny" },
    { title: "binlogs in another project's folder", spec: withS3("offsite-binlogs", { bucket: "platform-backups-fsn1/fsn1/caracal/database/binlogs" }), expected: "deny" },
    { title: "a bucket path climbing out", spec: withS3("offsite", { bucket: "platform-backups-fsn1/fsn1/shop/../caracal" }), expected: "deny" },
    { title: "keys from the tenant's own Secret", spec: withS3("offsite", { credentialsSecret: "mine" }), expected: "deny" },
    { title: "a tenant CA bundle", spec: withS3("offsite", { caBundle: { name: "mine", key: "ca.crt" } }), expected: "deny" },
    { title: "a filesystem storage", spec: withStorage("offsite", { type: "filesystem" }), expected: "deny" },
    { title: "TLS verification off", spec: withStorage("offsite", { verifyTLS: false }), expected: "deny" },
    { title: "container options on the backup Jobs", spec: withStorage("offsite", { containerOptions: { env: [{ name: "X", value: "1" }] } }), expected: "deny" },
    { title: "a tenant image holding the backup keys", spec: spec({ backup: { ...backup, image: "ghcr.io/attacker/xtrabackup:1" } }), expected: "deny" },
    { title: "a tenant init image", spec: spec({ initContainer: { ...(cluster.spec.initContainer as Spec), image: "ghcr.io/attacker/init:1" } }), expected: "deny" },
    { title: "the deprecated initImage, a tenant's", spec: spec({ initImage: "ghcr.io/attacker/init:1" }), expected: "deny" },
    { title: "a sidecar beside the nodes", spec: withPart("pxc", { sidecars: [{ name: "x", image: "ghcr.io/attacker/x:1" }] }), expected: "deny" },
    { title: "the backup Secret as the nodes' environment", spec: withPart("pxc", { envVarsSecret: "database-backup-s3" }), expected: "deny" },
    { title: "a sidecar volume on HAProxy", spec: withPart("haproxy", { sidecarVolumes: [{ name: "k", secret: { secretName: "database-backup-s3" } }] }), expected: "deny" },
    { title: "a user with grants on every schema", spec: spec({ users: [{ name: "admin", grants: ["ALL PRIVILEGES"], passwordSecretRef: { name: "database-credentials", key: "DATABASE_PASSWORD" } }] }), expected: "deny" },
    { title: "TLS off", spec: spec({ tls: { enabled: false }, unsafeFlags: { tls: true, pxcSize: false } }), expected: "deny" },
    { title: "more nodes than the limit", spec: withPart("pxc", { size: 5 }), expected: "deny" },
    // Review 19, finding 1: the version service chooses the images (the backup image with the keys first).
    { title: "the version service upgrading to latest", spec: spec({ upgradeOptions: { apply: "latest" } }), expected: "deny" },
    { title: "a tenant's version service", spec: spec({ upgradeOptions: { apply: "disabled", versionServiceEndpoint: "https://versions.tenant.example" } }), expected: "deny" },
    { title: "upgrades off, written in capitals", spec: spec({ upgradeOptions: { apply: "Never" } }), expected: "admit" },
    { title: "a tenant-built node image", spec: withPart("pxc", { image: "registry.platform.internal/shop/pxc:1" }), expected: "deny" },
    { title: "a tenant HAProxy image", spec: withPart("haproxy", { image: "docker.io/library/haproxy:3.0" }), expected: "deny" },
    { title: "ProxySQL switched on", spec: withPart("proxysql", { enabled: true, image: "docker.io/percona/proxysql2:2.7.3" }), expected: "deny" },
    { title: "PMM switched on", spec: spec({ pmm: { enabled: true, image: "ghcr.io/attacker/pmm:1", serverHost: "pmm.attacker.example" } }), expected: "deny" },
    { title: "the log collector switched on", spec: spec({ logcollector: { enabled: true, configuration: "[INPUT]\n    Name exec\n    Command id\n" } }), expected: "deny" },
    { title: "an exec liveness probe on the nodes", spec: withPart("pxc", { livenessProbes: { exec: { command: ["sh", "-c", "id"] } } }), expected: "deny" },
    { title: "an exec readiness probe on HAProxy", spec: withPart("haproxy", { readinessProbes: { exec: { command: ["sh", "-c", "id"] } } }), expected: "deny" },
    { title: "a lifecycle hook on the nodes", spec: withPart("pxc", { lifecycle: { postStart: { exec: { command: ["sh", "-c", "id"] } } } }), expected: "deny" },
    { title: "the nodes under a database ServiceAccount", spec: withPart("pxc", { serviceAccountName: "database" }), expected: "deny" },
    { title: "a tenant my.cnf", spec: withPart("pxc", { configuration: "[mysqld]\nplugin-load-add=x.so\n" }), expected: "deny" },
    { title: "the sandbox my.cnf the platform renders", spec: withPart("pxc", { configuration: PXC_SANDBOX_CONFIGURATION }), expected: "admit" },
    { title: "a haproxy.cfg with external checks", spec: withPart("haproxy", { configuration: "global\n  external-check\n" }), expected: "deny" },
    { title: "the backup Jobs under another ServiceAccount", spec: spec({ backup: { ...backup, serviceAccountName: "database" } }), expected: "deny" },
    { title: "the operator's system users in the backup Secret", spec: spec({ secretsName: "database-backup-s3" }), expected: "deny" },
    { title: "the backup Secret mounted as the nodes' TLS", spec: spec({ sslSecretName: "database-backup-s3" }), expected: "deny" },
    { title: "the backup Secret as the nodes' Vault keyring", spec: withPart("pxc", { vaultSecretName: "database-backup-s3" }), expected: "deny" },
    { title: "a user on the mysql schema", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], dbs: ["mysql"] }] }), expected: "deny" },
    { title: "a user on a schema pattern", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], dbs: ["%"] }] }), expected: "deny" },
    // Review 19b, major 1: the operator formats grants and dbs raw into its SQL (users_custom.go at v1.19.0).
    { title: "grants escaping their database", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], grants: ["ALL PRIVILEGES ON *.* TO 'shop'@'%' WITH GRANT OPTION #"] }] }), expected: "deny" },
    { title: "grants with the grant option", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], withGrantOption: true }] }), expected: "deny" },
    { title: "grants beyond the rendered ones", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], grants: ["ALL PRIVILEGES", "SUPER"] }] }), expected: "deny" },
    { title: "a user without grants", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], grants: undefined }] }), expected: "deny" },
    { title: "a user on the mysql schema with a trailing blank", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], dbs: ["mysql "] }] }), expected: "deny" },
    { title: "a database name carrying SQL", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], dbs: ["shop; DROP DATABASE mysql"] }] }), expected: "deny" },
    { title: "a user from another host", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], hosts: ["10.0.0.1"] }] }), expected: "deny" },
    { title: "the grant option switched off explicitly", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], withGrantOption: false }] }), expected: "admit" },
    // Review 19b, major 2: the operator's Secrets are kept from tenant pods only under the rendered cluster names.
    { title: "a cluster named x (its internal-x would be mountable)", spec: spec({ secretsName: "x-secrets" }), name: "x", expected: "deny" },
    { title: "a cluster named x without secretsName", spec: spec({ secretsName: undefined }), name: "x", expected: "deny" },
    { title: "a cluster named database-x", spec: spec({ secretsName: undefined }), name: "database-x", expected: "deny" },
    { title: "a replication channel from a server of the tenant's", spec: spec({ pxc: { ...(cluster.spec.pxc as Spec), replicationChannels: [{ name: "in", isSource: false, sourcesList: [{ host: "mysql.attacker.example", port: 3306 }] }] } }), expected: "deny" },
    { title: "a user's password from the backup Secret", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], passwordSecretRef: { name: "database-backup-s3", key: "AWS_SECRET_ACCESS_KEY" } }] }), expected: "deny" },
    // Review f19c 1: a tenant user named like an operator system user (pkg/pxc/users/users.go UserNames at v1.19.0).
    ...["root", "operator", "monitor", "xtrabackup", "replication", "proxyadmin", "pmmserver", "Root", "operator ", "shop"].map((name) => ({
        title: `a user named ${JSON.stringify(name)}`,
        spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], name }] }),
        expected: "deny" as const,
    })),
    { title: "a user without a name", spec: spec({ users: [{ ...(cluster.spec.users as Spec[])[0], name: undefined }] }), expected: "deny" },
    // Review 19b, 8c: placement pinned to what the renderer produces for any trust and pool (OPERATOR_PLACEMENT).
    { title: "an untrusted project's cluster (gVisor)", spec: untrustedCluster.spec, expected: "admit" },
    { title: "a cluster on a stack without a run pool", spec: serverPoolCluster.spec, expected: "admit" },
    { title: "nodes tolerating every taint", spec: withPart("pxc", { tolerations: [{ operator: "Exists" }] }), expected: "deny" },
    { title: "nodes tolerating the control plane's taint too", spec: withPart("pxc", { tolerations: [...(cluster.spec.pxc as Spec).tolerations, { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] }), expected: "deny" },
    { title: "nodes without tolerations", spec: withPart("pxc", { tolerations: undefined }), expected: "admit" },
    { title: "nodes on the edge pool", spec: withPart("pxc", { nodeSelector: { "platform/pool": "edge" } }), expected: "deny" },
    { title: "nodes with an extra node label", spec: withPart("pxc", { nodeSelector: { ...(cluster.spec.pxc as Spec).nodeSelector, "kubernetes.io/hostname": "fsn1-server-0" } }), expected: "deny" },
    { title: "nodes without a nodeSelector", spec: withPart("pxc", { nodeSelector: undefined }), expected: "deny" },
    { title: "nodes with an advanced node affinity", spec: withPart("pxc", { affinity: { advanced: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "platform/pool", operator: "In", values: ["server"] }] }] } } } } }), expected: "deny" },
    { title: "nodes with anti-affinity on another key", spec: withPart("pxc", { affinity: { antiAffinityTopologyKey: "none" } }), expected: "deny" },
    { title: "nodes with runc named explicitly", spec: withPart("pxc", { runtimeClassName: "runc" }), expected: "deny" },
    { title: "nodes with a priority class", spec: withPart("pxc", { priorityClassName: "system-cluster-critical" }), expected: "deny" },
    { title: "nodes with a topology spread", spec: withPart("pxc", { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "platform/pool", whenUnsatisfiable: "DoNotSchedule" }] }), expected: "deny" },
    { title: "nodes with a scheduler of their own", spec: withPart("pxc", { schedulerName: "tenant-scheduler" }), expected: "deny" },
    { title: "HAProxy tolerating every taint", spec: withPart("haproxy", { tolerations: [{ operator: "Exists" }] }), expected: "deny" },
    { title: "a disabled HAProxy with tolerations (no pods)", spec: spec({ haproxy: { enabled: false, tolerations: [{ operator: "Exists" }] } }), expected: "admit" },
    { title: "backup Jobs tolerating every taint", spec: withStorage("offsite", { tolerations: [{ operator: "Exists" }] }), expected: "deny" },
    { title: "backup Jobs with a node affinity", spec: withStorage("offsite", { affinity: { nodeAffinity: {} } }), expected: "deny" },
    { title: "backup Jobs on the edge pool", spec: withStorage("offsite", { nodeSelector: { "platform/pool": "edge" } }), expected: "deny" },
    { title: "backup Jobs with a priority class", spec: withStorage("offsite", { priorityClassName: "system-node-critical" }), expected: "deny" },
];

const RESTORE_CASES: Array<{ title: string; spec: Spec; expected: "admit" | "deny" }> = [
    { title: "the restore the program renders", spec: restore.spec, expected: "admit" },
    { title: "without a point in time", spec: restoreSpec({ pitr: undefined }), expected: "admit" },
    { title: "from another project's backup", spec: restoreSpec({ backupSource: { ...source, destination: "s3://platform-backups-fsn1/fsn1/caracal/database/database-2026-01-01-03:00:00-full" } }), expected: "deny" },
    { title: "from a path climbing out", spec: restoreSpec({ backupSource: { ...source, destination: "s3://platform-backups-fsn1/fsn1/shop/../caracal/database/x" } }), expected: "deny" },
    { title: "with the tenant's keys", spec: restoreSpec({ backupSource: { ...source, s3: { ...source.s3, credentialsSecret: "mine" } } }), expected: "deny" },
    { title: "from another endpoint", spec: restoreSpec({ backupSource: { ...source, s3: { ...source.s3, endpointUrl: "https://s3.attacker.example" } } }), expected: "deny" },
    { title: "from a volume", spec: restoreSpec({ backupSource: { ...source, pvc: { type: "filesystem" } } }), expected: "deny" },
    { title: "binlogs from another project", spec: restoreSpec({ pitr: { ...pitr, backupSource: { s3: { ...pitr.backupSource.s3, bucket: "platform-backups-fsn1/fsn1/caracal/database/binlogs" } } } }), expected: "deny" },
    { title: "with container options", spec: restoreSpec({ containerOptions: { args: { xbcloud: ["--s3-endpoint=https://s3.attacker.example"] } } }), expected: "deny" },
    { title: "naming an image in its source", spec: restoreSpec({ backupSource: { ...source, image: "ghcr.io/attacker/xtrabackup:1" } }), expected: "deny" },
    { title: "naming the backup Secret as its source's TLS", spec: restoreSpec({ backupSource: { ...source, sslSecretName: "database-backup-s3" } }), expected: "deny" },
];

describe("platform-tenant-mysql (admission twin of tenancy-mysql-cluster)", () => {
    it("renders the server pool on a stack without a run pool, gVisor for untrusted projects (fixtures of the placement cases)", () => {
        expect((serverPoolCluster.spec.pxc as Spec).nodeSelector).toEqual({ "platform/pool": "server" });
        expect((untrustedCluster.spec.pxc as Spec).runtimeClassName).toBe("gvisor");
    });

    it("is a schema-valid ValidatingAdmissionPolicy bound to tenant namespaces, holding the stack's target and limit", () => {
        expect(validateObject(pair.policy).status).toBe("valid");
        expect(validateObject(pair.binding).status).toBe("valid");
        expect(JSON.stringify(pair.policy.spec)).toContain("'platform-backups-fsn1/fsn1/' + variables.namespace + '/'");
        expect(JSON.stringify(pair.policy.spec)).toContain("object.spec.pxc.size <= 3");
        expect(policyPackConfigFile(pack)["tenancy-mysql-cluster"]).toEqual({ databaseBackupTarget: pack.databaseBackupTarget });
    });

    it.each(CLUSTER_CASES)("cluster, $title: $expected by admission and by the pack", ({ spec: clusterSpec, expected, name }) => {
        const outcome = decide("PerconaXtraDBCluster", clusterSpec, name);
        expect(outcome.admission, outcome.messages.join("; ")).toBe(expected);
        expect(outcome.pack).toBe(expected);
    });

    it.each(RESTORE_CASES)("restore, $title: $expected by admission and by the pack", ({ spec: restoreSpecValue, expected }) => {
        const outcome = decide("PerconaXtraDBClusterRestore", restoreSpecValue);
        expect(outcome.admission, outcome.messages.join("; ")).toBe(expected);
        expect(outcome.pack).toBe(expected);
    });

    it("pins the user name to the one the program renders (the pack cannot import it)", () => {
        expect(PXC_USER_NAME).toBe(DATABASE_USER);
        expect((cluster.spec.users as Spec[]).map((user) => user.name)).toEqual([DATABASE_USER]);
    });

    it("pins the images that hold the backup keys to charts/images.ts (the pack cannot import it)", () => {
        expect([...PXC_KEY_HOLDING_IMAGES.backup].sort()).toEqual(Object.values(MYSQL_OPERATOR_IMAGES.backup).sort());
        expect(PXC_KEY_HOLDING_IMAGES.init).toEqual([`${MYSQL_OPERATOR_IMAGES.operator.repository}:${MYSQL_OPERATOR_IMAGES.operator.tag}`]);
        expect([...PXC_RUNTIME_IMAGES.pxc].sort()).toEqual(Object.values(DATABASE_IMAGES.mysql).sort());
        expect(PXC_RUNTIME_IMAGES.haproxy).toEqual([MYSQL_OPERATOR_IMAGES.haproxy]);
        expect(PXC_POD_SERVICE_ACCOUNT).toBe(SERVICE_ACCOUNT);
        expect(PXC_USER_PASSWORD_SECRET).toBe(DATABASE_SECRET);
    });
});
