import { describe, expect, it } from "vitest";
import { clusterAnnotationProblems, clusterFieldProblems, clusterPinnedValueProblems, databaseClusterProblems, objectStoreProblems } from "../../policy/rules/tenancy/database-cluster";
import { messagesOf, planned } from "../helpers/policy-fixtures";

/**
 * The pinned values, refused fields and annotations of `tenancy-database-cluster` called directly, each message
 * written out (found by `npm run mutation -- policy-postgres`: the twin's tests compare admit/deny only, and
 * database-cluster.edges.test.ts covers the backup location). Importing only the rule keeps mutant runs short.
 */

const IMAGES = "ghcr.io/cloudnative-pg/postgresql:16.10-system-trixie, ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie";
const PODS = "the instance pods hold the platform's whole-bucket backup keys";
const ONLY = "a tenant Cluster carries only the fields the platform renders";

describe("clusterPinnedValueProblems", () => {
    const pinned = { imageName: "ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie", affinity: { nodeSelector: { "platform/pool": "run" } } };

    it("passes the pinned values and names each other one with its reason", () => {
        expect(clusterPinnedValueProblems(pinned)).toEqual([]);
        expect(clusterPinnedValueProblems({ ...pinned, imagePullPolicy: "IfNotPresent", affinity: { ...pinned.affinity, enablePodAntiAffinity: true, topologyKey: "kubernetes.io/hostname", podAntiAffinityType: "required" }, monitoring: { enablePodMonitor: false }, bootstrap: { initdb: { owner: "app" }, recovery: { owner: "app" } }, storage: { storageClass: "tenant-standard" } })).toEqual([]);
        expect(
            clusterPinnedValueProblems({
                ...pinned,
                imageName: undefined,
                imagePullPolicy: "Always",
                affinity: { ...pinned.affinity, enablePodAntiAffinity: false, topologyKey: "zone", podAntiAffinityType: "preferred" },
                monitoring: { enablePodMonitor: true },
                bootstrap: { initdb: { owner: "postgres" }, recovery: { owner: "root" } },
                storage: { storageClass: "longhorn" },
            }),
        ).toEqual([
            `imageName null is not one of the platform's pinned PostgreSQL images (${IMAGES}): ${PODS}`,
            'imagePullPolicy "Always" is not IfNotPresent',
            "affinity.enablePodAntiAffinity false is not true (instances on different nodes)",
            'affinity.topologyKey "zone" is not "kubernetes.io/hostname" (instances on different nodes)',
            'affinity.podAntiAffinityType "preferred" is not "required" (instances on different nodes)',
            "monitoring.enablePodMonitor is true (the platform's PodMonitor scrapes the instances)",
            'bootstrap.initdb.owner "postgres" is not app (the operator sets that role\'s password from the owner Secret)',
            'bootstrap.recovery.owner "root" is not app (the operator sets that role\'s password from the owner Secret)',
            'storage.storageClass "longhorn" is not a tenant Longhorn class (fast, standard, tenant-fast, tenant-standard)',
        ]);
        expect(clusterPinnedValueProblems({ ...pinned, imageName: "postgres:17" })).toEqual([`imageName "postgres:17" is not one of the platform's pinned PostgreSQL images (${IMAGES}): ${PODS}`]);
        expect(clusterPinnedValueProblems({ ...pinned, storage: { storageClass: 7 } })).toEqual(["storage.storageClass 7 is not a tenant Longhorn class (fast, standard, tenant-fast, tenant-standard)"]);
    });

    it("places the instances on the tenant pool (affinity.nodeSelector)", () => {
        expect(clusterPinnedValueProblems({ imageName: pinned.imageName }).join("\n")).toMatch(/^affinity\.nodeSelector/);
        expect(clusterPinnedValueProblems({ imageName: pinned.imageName, affinity: { nodeSelector: { "platform/pool": "build" } } }).join("\n")).toMatch(/^affinity\.nodeSelector/);
    });
});

describe("clusterFieldProblems", () => {
    it("names each field outside the allow-list with its reason, or the default one, external sources included", () => {
        expect(clusterFieldProblems({ instances: 1, env: [], madeUp: 1, affinity: { nodeAffinity: {}, additionalPodAntiAffinity: undefined } })).toEqual([
            `env is set (copied into the instance manager and Postgres container, whose startup acts on its environment (${PODS})): ${ONLY}`,
            `madeUp is set (not a field the platform renders): ${ONLY}`,
            `affinity.nodeAffinity is set (draws the instance pods onto a node of the tenant's choice (platform nodes)): ${ONLY}`,
        ]);
        const sources = Array.from({ length: 11 }, (_, i) => ({ name: `s${i}`, barmanObjectStore: { destinationPath: "s3://b/x", endpointCA: { name: "ca" } }, connectionParameters: { host: "h" }, ...(i === 10 ? { env: [] } : {}) }));
        expect(clusterFieldProblems({ externalClusters: sources }).filter((p) => p.startsWith("externalClusters[10]"))).toEqual([
            `externalClusters[10].env is set (copied into the instance manager and Postgres container, whose startup acts on its environment (${PODS})): ${ONLY}`,
            `externalClusters[10].barmanObjectStore.endpointCA is set (not a field the platform renders): ${ONLY}`,
        ]);
        expect(clusterFieldProblems({ externalClusters: [{ name: "s", password: { name: "p" }, barmanObjectStore: undefined, plugin: undefined }] })).toEqual([`externalClusters[0].password is set (not a field the platform renders): ${ONLY}`]);
        expect(clusterFieldProblems({ externalClusters: [null] })).toEqual([]);
        // Only a leading source prefix is dropped to look up the reason: a hostile key spelling one inside it is not env.
        expect(clusterFieldProblems({ "envexternalClusters[0].": 1 })).toEqual([`envexternalClusters[0]. is set (not a field the platform renders): ${ONLY}`]);
    });
});

describe("clusterAnnotationProblems", () => {
    it("refuses cnpg.io annotations and any <x>.cnpg.io one, in any case, and nothing else", () => {
        expect(clusterAnnotationProblems({ "cnpg.io/podPatch": "[]", "k8s.enterprisedb.io/x": "y", "A.CNPG.IO/fencedInstances": "*", "example.com/cnpg.io/x": "z", "xcnpg.io/y": "1" })).toEqual([
            'metadata.annotations["cnpg.io/podPatch"] is set (the operator acts on cnpg.io annotations: a pod patch or a switch no tenant may set)',
            'metadata.annotations["A.CNPG.IO/fencedInstances"] is set (the operator acts on cnpg.io annotations: a pod patch or a switch no tenant may set)',
        ]);
        expect(clusterAnnotationProblems(undefined)).toEqual([]);
    });
});

describe("databaseClusterProblems and objectStoreProblems edges", () => {
    const config = { databaseBackupTarget: { endpointURL: "", destinationPrefix: "" }, maxDatabaseInstances: 3 };

    it("bounds instances to 1..maxDatabaseInstances", () => {
        for (const instances of [0, 4, 1.5, "2", undefined]) {
            expect(databaseClusterProblems({ instances }, "shop", config)).toContain(`instances ${String(instances)} is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)`);
        }
        expect(databaseClusterProblems({ instances: 3 }, "shop", config).join("\n")).not.toMatch(/^instances/m);
    });

    it("pins the store's serverName to the Cluster names", () => {
        const store = { destinationPath: "s3://b/shop/", endpointURL: "https://s3.example.com", s3Credentials: { accessKeyId: { name: "database-backup-s3", key: "a" }, secretAccessKey: { name: "database-backup-s3", key: "s" } } };
        expect(objectStoreProblems({ ...store, serverName: "database-g2" }, "shop", config.databaseBackupTarget, "backup")).toEqual([]);
        expect(objectStoreProblems({ ...store, serverName: "../caracal" }, "shop", config.databaseBackupTarget, "backup")).toEqual(['backup serverName "../caracal" is not database or database-g<N> (it is a folder below destinationPath)']);
        expect(objectStoreProblems({ ...store, serverName: 7 }, "shop", config.databaseBackupTarget, "backup")).toEqual(["backup serverName 7 is not database or database-g<N> (it is a folder below destinationPath)"]);
    });

    it("reports a nameless Cluster's problems through the rule", () => {
        const cluster = planned("kubernetes:postgresql.cnpg.io/v1:Cluster", "database", { metadata: { namespace: "shop" }, spec: { instances: 9 } });
        expect(messagesOf("tenancy-database-cluster", [cluster], { maxDatabaseInstances: 3 }).join("\n")).toMatch(/metadata\.name "" is not database or database-g<N>/);
    });
});
