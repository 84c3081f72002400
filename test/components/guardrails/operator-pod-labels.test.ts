import { describe, expect, it } from "vitest";
import { renderDatabasePolicy, renderMongodbPolicy, renderMysqlPolicy } from "../../../components/guardrails/admission-policies";
import { databaseAdmission } from "../../../components/guardrails/database-admission";
import { projectContext } from "../../../components/project/common";
import { renderMongoDbCluster } from "../../../components/project/mongodb";
import { renderMysqlCluster } from "../../../components/project/mysql";
import { renderPostgresCluster } from "../../../components/project/postgresql";
import { CNPG_CLUSTER_TYPE } from "../../../policy/rules/tenancy/database-cluster";
import { PSMDB_TYPES } from "../../../policy/rules/tenancy/mongodb-cluster";
import { PXC_TYPES } from "../../../policy/rules/tenancy/mysql-cluster";
import { admit } from "../../../tools/offline/admission";
import { stackPackConfig } from "../../../tools/offline/policy-config";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { messagesOf, planned, tenantNamespace } from "../../helpers/policy-fixtures";
import { ROOT } from "../../helpers/synth";
import { project, stackPlatformConfig } from "../project/fixtures";

/**
 * Review 19d: the labels a tenant puts on the pods a database operator creates (CloudNativePG
 * `inheritedMetadata.labels`, the Percona operators' per-component `labels`) carry the platform's and the
 * operators' keys only with the values the platform renders: `platform/service: web` on the instances would give
 * the pods holding the backup keys the web services' internet egress and Traefik's ingress. Annotations on the
 * Percona operators' pods are refused (CloudNativePG's inheritedMetadata.annotations already were). Pack and twin
 * decide alike; expected outcomes are written per case.
 */

const config = stackPlatformConfig("fsn1");
const pack = stackPackConfig(readStackConfig(ROOT, "fsn1"));
const admission = { allowedRegistries: config.allowedRegistries, ...databaseAdmission(config) };
type Spec = Record<string, any>;
type Engine = "postgresql" | "mysql" | "mongodb";

const clusters: Record<Engine, { kind: string; metadata: { name: string }; spec: Spec }> = {
    postgresql: renderPostgresCluster(projectContext(project({ name: "shop", database: { engine: "postgresql", instances: 2 } }), config)),
    mysql: renderMysqlCluster(projectContext(project({ name: "shop", database: { engine: "mysql", instances: 3 } }), config)),
    mongodb: renderMongoDbCluster(projectContext(project({ name: "shop", mongodb: { instances: 3 } }), config)),
};
const pairs = { postgresql: renderDatabasePolicy(admission), mysql: renderMysqlPolicy(admission), mongodb: renderMongodbPolicy(admission) };
const rules = { postgresql: "tenancy-database-cluster", mysql: "tenancy-mysql-cluster", mongodb: "tenancy-mongodb-cluster" };
const types = { postgresql: CNPG_CLUSTER_TYPE, mysql: PXC_TYPES.cluster, mongodb: PSMDB_TYPES.cluster };

function decide(engine: Engine, spec: Spec) {
    const object = { ...clusters[engine], spec };
    const decision = admit(pairs[engine].policy, pairs[engine].binding, { object, namespaceObject: tenantNamespace("shop").inputs, operation: "CREATE" });
    const reported = messagesOf(rules[engine], [planned(types[engine], clusters[engine].metadata.name, object)], pack);
    return { admission: decision.allowed ? "admit" : "deny", pack: reported.length === 0 ? "admit" : "deny", messages: [...decision.messages, ...reported] };
}

const pg = clusters.postgresql.spec;
const inherited = (labels: Record<string, string>) => ({ ...pg, inheritedMetadata: { labels: { ...pg.inheritedMetadata.labels, ...labels } } });
const my = clusters.mysql.spec;
const pxcPart = (part: string, changes: Spec) => ({ ...my, [part]: { ...my[part], ...changes } });
const pxcLabels = (part: string, labels: Record<string, string>) => pxcPart(part, { labels: { ...my[part].labels, ...labels } });
const pxcStorage = (changes: Spec) => ({ ...my, backup: { ...my.backup, storages: { ...my.backup.storages, offsite: { ...my.backup.storages.offsite, ...changes } } } });
const mg = clusters.mongodb.spec;
const replset = (changes: Spec) => ({ ...mg, replsets: [{ ...mg.replsets[0], ...changes }] });

const CASES: Array<{ title: string; engine: Engine; spec: Spec; expected: "admit" | "deny" }> = [
    { title: "the PostgreSQL Cluster the program renders", engine: "postgresql", spec: pg, expected: "admit" },
    { title: "instances labelled as the web service", engine: "postgresql", spec: inherited({ "platform/service": "web" }), expected: "deny" },
    { title: "instances labelled as another project's", engine: "postgresql", spec: inherited({ "platform/project": "caracal" }), expected: "deny" },
    { title: "instances claiming the primary's role label", engine: "postgresql", spec: inherited({ "cnpg.io/instanceRole": "primary" }), expected: "deny" },
    { title: "instances with an app.kubernetes.io label of the tenant's", engine: "postgresql", spec: inherited({ "app.kubernetes.io/component": "web" }), expected: "deny" },
    { title: "instances with a kubernetes.io label", engine: "postgresql", spec: inherited({ "node-role.kubernetes.io/control-plane": "true" }), expected: "deny" },
    { title: "a label of the tenant's own", engine: "postgresql", spec: inherited({ team: "payments" }), expected: "admit" },
    { title: "instances labelled trusted (no policy reads a pod's trust)", engine: "postgresql", spec: inherited({ "platform/trust": "trusted" }), expected: "admit" },
    { title: "the MySQL cluster the program renders", engine: "mysql", spec: my, expected: "admit" },
    { title: "MySQL nodes labelled as the web service", engine: "mysql", spec: pxcLabels("pxc", { "platform/service": "web" }), expected: "deny" },
    { title: "HAProxy labelled as the web service", engine: "mysql", spec: pxcLabels("haproxy", { "platform/service": "web" }), expected: "deny" },
    { title: "MySQL nodes claiming the backup component", engine: "mysql", spec: pxcLabels("pxc", { "app.kubernetes.io/component": "backup" }), expected: "deny" },
    { title: "backup Job pods labelled as the web service", engine: "mysql", spec: pxcStorage({ labels: { ...my.backup.storages.offsite.labels, "platform/service": "web" } }), expected: "deny" },
    { title: "annotations on the MySQL nodes", engine: "mysql", spec: pxcPart("pxc", { annotations: { "prometheus.io/scrape": "true" } }), expected: "deny" },
    { title: "annotations on the backup Job pods", engine: "mysql", spec: pxcStorage({ annotations: { x: "1" } }), expected: "deny" },
    { title: "a MySQL label of the tenant's own", engine: "mysql", spec: pxcLabels("pxc", { team: "payments" }), expected: "admit" },
    { title: "the MongoDB replica set the program renders", engine: "mongodb", spec: mg, expected: "admit" },
    { title: "MongoDB members labelled as the web service", engine: "mongodb", spec: replset({ labels: { ...mg.replsets[0].labels, "platform/service": "web" } }), expected: "deny" },
    { title: "MongoDB members labelled as the database (not mongodb)", engine: "mongodb", spec: replset({ labels: { ...mg.replsets[0].labels, "platform/service": "database" } }), expected: "deny" },
    { title: "annotations on the MongoDB members", engine: "mongodb", spec: replset({ annotations: { x: "1" } }), expected: "deny" },
    { title: "percona.com labels on the backup pods", engine: "mongodb", spec: { ...mg, backup: { ...mg.backup, labels: { "percona.com/cluster": "other" } } }, expected: "deny" },
];

describe("labels and annotations on the database operators' pods (pack and twin)", () => {
    it.each(CASES)("$engine, $title: $expected by admission and by the pack", ({ engine, spec, expected }) => {
        const outcome = decide(engine, spec);
        expect(outcome.admission, outcome.messages.join("; ")).toBe(expected);
        expect(outcome.pack, outcome.messages.join("; ")).toBe(expected);
    });
});
