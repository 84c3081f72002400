import { describe, expect, it } from "vitest";
import { changeReport, renderChangeReport, type ChangeResource } from "../../../tools/offline/change-plan";
import { pathUnder } from "../../../tools/offline/replacement-rules";
import { projectContext } from "../../../components/project/common";
import { renderMongoDbCluster } from "../../../components/project/mongodb";
import { renderMysqlCluster } from "../../../components/project/mysql";
import { renderPostgresCluster } from "../../../components/project/postgresql";
import { renderRedisReplication } from "../../../components/project/redis";
import { renderVeleroRestore, renderVeleroSchedules } from "../../../components/backups/values";
import { project, stackPlatformConfig } from "../../components/project/fixtures";

const PROJECT = "urn:pulumi:dev::platform::platform:project:Project::shop";
const k8s = (kind: string, name: string, inputs: Record<string, unknown>, extra: Partial<ChangeResource> = {}): ChangeResource => ({
    urn: `urn:pulumi:dev::platform::platform:project:Project$kubernetes:${kind}::shop-${name}`,
    type: `kubernetes:${kind}`,
    name: `shop-${name}`,
    parent: PROJECT,
    inputs,
    ...extra,
});
const labels = { "platform/project": "shop" };
const namespace = (annotations: Record<string, string> = {}) => k8s("core/v1:Namespace", "namespace-shop", { metadata: { name: "shop", labels, annotations } }, { retainOnDelete: true });
const claim = (size: string, storageClassName = "tenant-fast") =>
    k8s("core/v1:PersistentVolumeClaim", "pvc-data-web-0", { metadata: { name: "data-web-0", namespace: "shop", labels }, spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: size } } } }, { retainOnDelete: true });
const statefulSet = (size: string, replicas = 1, ignoreChanges?: string[]) =>
    k8s(
        "apps/v1:StatefulSet",
        "statefulset-web",
        { metadata: { name: "web", namespace: "shop", labels }, spec: { replicas, serviceName: "web-headless", volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: size } } } }] } },
        { retainOnDelete: true, ...(ignoreChanges ? { ignoreChanges } : {}) },
    );
const deployment = (replicas: number) => k8s("apps/v1:Deployment", "deployment-api", { metadata: { name: "api", namespace: "shop", labels }, spec: { replicas, selector: { matchLabels: labels } } });
const component: ChangeResource = { urn: PROJECT, type: "platform:project:Project", name: "shop", inputs: {} };
const IGNORE_TEMPLATE_SIZE = ["spec.volumeClaimTemplates[*].spec.resources"];

describe("change plan", () => {
    it("a replica change is one update of spec.replicas and no data at risk", () => {
        const report = changeReport([component, namespace(), deployment(2)], [component, namespace(), deployment(3)]);
        expect(report.steps).toEqual([expect.objectContaining({ op: "update", name: "shop-deployment-api", fields: ["spec.replicas"], replaceReasons: [], refused: [], tenant: "shop" })]);
        expect(report.dataAtRisk).toEqual([]);
    });

    it("a volume growth updates the claim in place; the StatefulSet template's size is ignored (ignoreChanges)", () => {
        const before = [component, namespace(), claim("10Gi"), statefulSet("10Gi", 1, IGNORE_TEMPLATE_SIZE)];
        const after = [component, namespace(), claim("20Gi"), statefulSet("20Gi", 1, IGNORE_TEMPLATE_SIZE)];
        const report = changeReport(before, after);
        expect(report.steps).toEqual([expect.objectContaining({ op: "update", name: "shop-pvc-data-web-0", fields: ["spec.resources.requests.storage"], replaceReasons: [], refused: [] })]);
        expect(report.unacknowledged).toEqual([]);
        // Without ignoreChanges the template change replaces the StatefulSet (pulumi-kubernetes forceNew) and loses data.
        const unguarded = changeReport([statefulSet("10Gi")], [statefulSet("20Gi")]);
        expect(unguarded.steps[0]).toMatchObject({ op: "replace", replaceReasons: ["spec.volumeClaimTemplates (pulumi-kubernetes forceNew)"] });
        expect(unguarded.unacknowledged.map((d) => d.data)).toEqual(["StatefulSet shop/web with claims data 10Gi"]);
    });

    it("a shrink is refused (Kubernetes only grows claims); a storage class change replaces the claim and is data at risk", () => {
        const shrink = changeReport([claim("20Gi")], [claim("10Gi")]);
        expect(shrink.refused).toEqual([expect.stringMatching(/^shop-pvc-data-web-0 spec\.resources\.requests\.storage: shrinking a volume from 20Gi to 10Gi is refused/)]);
        const moved = changeReport([claim("20Gi", "tenant-fast")], [claim("20Gi", "tenant-standard")]);
        expect(moved.steps[0]).toMatchObject({ op: "replace", replaceReasons: ["spec.storageClassName (pulumi-kubernetes forceNew)"] });
        expect(moved.unacknowledged.map((d) => d.data)).toEqual(["volume shop/data-web-0 (20Gi)"]);
    });

    it("knows the database operator's cluster as a database, and refuses shrinking its storage", () => {
        const cluster = (size: string) => k8s("postgresql.cnpg.io/v1:Cluster", "cluster-database", { metadata: { name: "database", namespace: "shop", labels }, spec: { instances: 1, storage: { size } } });
        expect(changeReport([cluster("10Gi")], []).unacknowledged.map((d) => d.data)).toEqual(["database shop/database (CloudNativePG, 10Gi)"]);
        expect(changeReport([cluster("10Gi")], [cluster("20Gi")]).steps[0]).toMatchObject({ op: "update", refused: [] });
        expect(changeReport([cluster("20Gi")], [cluster("10Gi")]).refused).toEqual([expect.stringContaining("spec.storage.size: shrinking a volume from 20Gi to 10Gi is refused")]);
    });

    // Issue 19 point 3: every stateful operator kind the program renders counts, deleted or replaced (one list, STATEFUL_OPERATOR_KINDS).
    const config = stackPlatformConfig("fsn1");
    const rendered = (object: { apiVersion: string; kind: string; metadata: { name: string } }) => k8s(`${object.apiVersion}:${object.kind}`, `${object.kind.toLowerCase()}-${object.metadata.name}`, object as unknown as Record<string, unknown>);
    const STATEFUL_CASES = [
        { kind: "CloudNativePG Cluster", object: renderPostgresCluster(projectContext(project({ name: "shop", database: { engine: "postgresql", size: "15Gi" } }), config)), data: "database shop/database (CloudNativePG, 15Gi)" },
        { kind: "PerconaXtraDBCluster", object: renderMysqlCluster(projectContext(project({ name: "shop", database: { engine: "mysql", size: "12Gi" } }), config)), data: "database shop/database (Percona XtraDB Cluster, 12Gi)" },
        { kind: "PerconaServerMongoDB", object: renderMongoDbCluster(projectContext(project({ name: "shop", mongodb: { size: "7Gi" } }), config)), data: "database shop/mongodb (Percona Server for MongoDB, 7Gi)" },
        { kind: "RedisReplication", object: renderRedisReplication(projectContext(project({ name: "shop", redis: { size: "3Gi" } }), config)), data: "database shop/redis (Redis replication, 3Gi)" },
    ];
    it.each(STATEFUL_CASES)("counts a deleted or replaced $kind as data at risk", ({ object, data }) => {
        const before = rendered(object);
        expect(changeReport([before], []).unacknowledged.map((d) => d.data)).toEqual([data]);
        expect(changeReport([before], [{ ...before, inputs: { ...before.inputs, metadata: { ...(before.inputs.metadata as object), name: "other" } } }]).unacknowledged.map((d) => [d.op, d.data])).toEqual([["replace", data]]);
        expect(changeReport([before], [before]).dataAtRisk).toEqual([]);
    });

    it("holds Velero's Schedules and Restores as no data (their backups outlive them)", () => {
        const objects = [...renderVeleroSchedules(config, ["shop"]), renderVeleroRestore("shop", "shop-restore", {})].map((o) => rendered(o));
        expect(changeReport(objects, []).dataAtRisk).toEqual([]);
    });

    it("removing a tenant names its data (retained objects too: they would be left unmanaged) until something acknowledges it", () => {
        const before = [component, namespace(), claim("10Gi"), statefulSet("10Gi")];
        const report = changeReport(before, []);
        expect(report.steps.map((s) => [s.op, s.name, s.retained ?? false])).toEqual(
            expect.arrayContaining([
                ["delete", "shop-namespace-shop", true],
                ["delete", "shop-pvc-data-web-0", true],
            ]),
        );
        expect(report.unacknowledged.map((d) => [d.tenant, d.data])).toEqual(
            expect.arrayContaining([
                ["shop", "volume shop/data-web-0 (10Gi), left behind unmanaged (retainOnDelete)"],
                ["shop", expect.stringMatching(/^namespace shop holding volume shop\/data-web-0 \(10Gi\); StatefulSet shop\/web with claims data 10Gi/)],
            ]),
        );
        expect(renderChangeReport(report)).toContain("would destroy data nothing acknowledged (tenant shop)");
        expect(changeReport(before, [], { accepted: ["shop"] }).unacknowledged).toEqual([]);
        expect(changeReport(before, [], { accepted: ["shop-pvc-data-web-0"] }).unacknowledged.map((d) => d.name)).not.toContain("shop-pvc-data-web-0");
    });

    it("a decommission deployed before (the namespace annotation in the earlier plan) allows the deletes", () => {
        const before = [component, namespace({ "platform/decommission": "requested" }), { ...claim("10Gi"), retainOnDelete: undefined }];
        const report = changeReport(before, []);
        expect(report.dataAtRisk.map((d) => d.acknowledgedBy)).toEqual(["decommission of shop declared in the catalog", "decommission of shop declared in the catalog"]);
        expect(report.unacknowledged).toEqual([]);
    });

    it("an alias carries a resource over to its new URN: a rename, not a delete and a create", () => {
        const old = claim("10Gi");
        const renamed = { ...old, urn: `${old.urn}-renamed`, aliases: [old.urn] };
        const report = changeReport([old], [renamed]);
        expect(report.steps).toEqual([]);
        expect(report.dataAtRisk).toEqual([]);
    });

    it("names the replacement input of hcloud servers and Robot reinstalls, and their data", () => {
        const server = (image: string): ChangeResource => ({ urn: "urn:pulumi:dev::platform::platform:nodes:CloudNode$hcloud:index/server:Server::dev-run-0", type: "hcloud:index/server:Server", name: "dev-run-0", inputs: { name: "dev-run-0", image, serverType: "cx43" } });
        const report = changeReport([server("ubuntu-24.04")], [server("ubuntu-26.04")]);
        expect(report.steps[0]).toMatchObject({ op: "replace", replaceReasons: ["image (pulumi-hcloud (terraform-provider-hcloud ForceNew))"] });
        expect(report.unacknowledged.map((d) => d.data)).toEqual(["cloud server dev-run-0 and its local disk"]);
        const resize = changeReport([server("u")], [{ ...server("u"), inputs: { name: "dev-run-0", image: "u", serverType: "cx53" } }]);
        expect(resize.steps[0]).toMatchObject({ op: "update", fields: ["serverType"] });
        const robot = (autosetup: string): ChangeResource => ({ urn: "urn:pulumi:fsn1::platform::platform:baremetal:Server$pulumi-nodejs:dynamic:Resource::fsn1-run-0", type: "pulumi-nodejs:dynamic:Resource", name: "fsn1-run-0", inputs: { hostname: "fsn1-run-0", autosetup } });
        const reinstall = changeReport([robot("a")], [robot("b")]);
        expect(reinstall.steps[0]).toMatchObject({ op: "replace", replaceReasons: ["autosetup (Robot provider diff: reinstall)"] });
        expect(reinstall.unacknowledged[0]!.data).toMatch(/^bare-metal server fsn1-run-0: a reinstall wipes its disks/);
    });

    it("matches changed paths to rule patterns with [*] and whole-array changes", () => {
        expect(pathUnder("spec.template.spec.containers[0].image", "spec.template")).toBe(true);
        expect(pathUnder("spec.volumeClaimTemplates[1].spec.resources.requests.storage", "spec.volumeClaimTemplates[*].spec.resources")).toBe(true);
        expect(pathUnder("spec.volumeClaimTemplates", "spec.volumeClaimTemplates[*].spec.resources")).toBe(true);
        expect(pathUnder("spec.replicas", "spec.selector")).toBe(false);
        expect(pathUnder("spec.selectorX", "spec.selector")).toBe(false);
    });
});
