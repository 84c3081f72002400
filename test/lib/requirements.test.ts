import { describe, expect, it } from "vitest";
import {
    apiGroupOf,
    creationNeeds,
    phaseOf,
    readinessNeeds,
    waitsForServices,
    WAITS_FOR_SERVICES_ANNOTATION,
    mergeProvides,
    Needs,
    providersOf,
    releaseRequirements,
    requirementsOf,
    UnmetRequirementsError,
    type UnmetRequirement,
} from "../../lib/requirements";

const pod = (spec: Record<string, unknown>) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" }, spec: { template: { spec } } });

describe("requirementsOf", () => {
    it("reads the API group of a kind outside the built-in groups, and no group for built-in kinds", () => {
        expect(apiGroupOf("monitoring.coreos.com/v1")).toBe("monitoring.coreos.com");
        expect(apiGroupOf("v1")).toBe("");
        expect(requirementsOf({ apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "m", namespace: "shop" } }, ["shop"])).toEqual([
            "api-group:monitoring.coreos.com",
        ]);
        for (const apiVersion of ["v1", "apps/v1", "batch/v1", "networking.k8s.io/v1", "policy/v1", "autoscaling/v2", "storage.k8s.io/v1", "node.k8s.io/v1"]) {
            expect(requirementsOf({ apiVersion, kind: "X", metadata: { name: "x", namespace: "shop" } }, ["shop"]), apiVersion).toEqual([]);
        }
    });

    it("needs a namespace the consumer does not create, but not its own", () => {
        const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "bucket", namespace: "minio" }, spec: { template: { spec: { containers: [] } } } };
        expect(requirementsOf(job, ["shop"])).toEqual(["namespace:minio"]);
        expect(requirementsOf(job, ["minio"])).toEqual([]);
        expect(requirementsOf({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", namespace: "ignored" } })).toEqual([]);
    });

    it("needs the StorageClass of a claim, of every claim template, but none for a claim without a class", () => {
        const claim = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data", namespace: "shop" }, spec: { storageClassName: "fast" } };
        expect(requirementsOf(claim, ["shop"])).toEqual(["storage-class:fast"]);
        expect(requirementsOf({ ...claim, spec: {} }, ["shop"])).toEqual([]);
        const sts = {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            metadata: { name: "db", namespace: "shop" },
            spec: { volumeClaimTemplates: [{ spec: { storageClassName: "standard" } }, { spec: { storageClassName: "fast" } }], template: { spec: { containers: [] } } },
        };
        expect(requirementsOf(sts, ["shop"])).toEqual(["storage-class:fast", "storage-class:standard"]);
    });

    it("needs the RuntimeClass and the pool a pod template names, for every workload kind", () => {
        expect(requirementsOf(pod({ runtimeClassName: "gvisor", nodeSelector: { "platform/pool": "run" }, containers: [] }), ["shop"])).toEqual([
            "nodes:run",
            "runtime-class:gvisor",
        ]);
        const cron = { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "c", namespace: "shop" }, spec: { jobTemplate: { spec: { template: { spec: { nodeSelector: { "platform/pool": "build" } } } } } } };
        expect(requirementsOf(cron, ["shop"])).toEqual(["nodes:build"]);
        const bare = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "shop" }, spec: { runtimeClassName: "gvisor" } };
        expect(requirementsOf(bare, ["shop"])).toEqual(["runtime-class:gvisor"]);
        // Other node labels are not pools.
        expect(requirementsOf(pod({ nodeSelector: { "kubernetes.io/os": "linux" }, containers: [] }), ["shop"])).toEqual([]);
    });

    it("needs a platform Service a container is pointed at by its cluster DNS name, not its own namespace's", () => {
        const env = [
            { name: "MINIO_URL", value: "http://minio.minio.svc.cluster.local:9000" },
            { name: "OWN", value: "mongodb://mongo.shop.svc.cluster.local:27017/db" },
            { name: "SHORT", value: "mongodb://mongo:27017" },
            { name: "FROM_SECRET", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
        ];
        expect(requirementsOf(pod({ initContainers: [{ name: "i", env: [env[0]] }], containers: [{ name: "c", env }] }), ["shop"])).toEqual(["service:minio/minio"]);
    });

    it("returns nothing for what is not an object", () => {
        expect(requirementsOf(undefined)).toEqual([]);
        expect(requirementsOf("Deployment")).toEqual([]);
    });
});

describe("releaseRequirements", () => {
    it("collects every storageClass/storageClassName the values set, and platform Services they name", () => {
        const values = {
            persistence: { storageClass: "standard" },
            prometheus: { spec: { volumeClaimTemplate: { spec: { storageClassName: "fast" } } } },
            disabled: { storageClass: "-" },
            empty: { storageClassName: "" },
            loki: { storage: { s3: { endpoint: "http://minio.minio.svc.cluster.local:9000" } } },
            datasource: ["http://loki.monitoring.svc.cluster.local:3100"],
            // A class named under another key is not a claim.
            label: { className: "standard", other: "storage-class" },
        };
        expect(releaseRequirements(values, ["monitoring"])).toEqual(["service:minio/minio", "storage-class:fast", "storage-class:standard"]);
        expect(releaseRequirements(values)).toContain("service:monitoring/loki");
    });
});

describe("providers", () => {
    const longhorn = { "storage-class:fast": ["sc-fast"], "storage-class:standard": ["sc-standard"] };
    const minio = { "service:minio/minio": ["minio-release"], "namespace:minio": ["minio-namespace"] };

    it("resolves each requirement to its providers, once each, in order", () => {
        const unmet: UnmetRequirement[] = [];
        const platform = mergeProvides(longhorn, minio, { "storage-class:fast": ["sc-fast-2"] });
        expect(providersOf(["storage-class:fast", "namespace:minio", "service:minio/minio", "storage-class:fast"], platform, "Job/x", unmet)).toEqual([
            "sc-fast",
            "sc-fast-2",
            "minio-namespace",
            "minio-release",
        ]);
        expect(unmet).toEqual([]);
    });

    it("collects unmet requirements (a Service nobody declares is not one) and skips the consumer's own", () => {
        const unmet: UnmetRequirement[] = [];
        expect(providersOf(["api-group:argoproj.io", "service:monitoring/loki", "storage-class:fast", "admission:tenant"], longhorn, "Application/x", unmet, new Set(["admission:tenant"]))).toEqual([
            "sc-fast",
        ]);
        expect(unmet).toEqual([{ requirement: "api-group:argoproj.io", neededBy: "Application/x" }]);
        const error = new UnmetRequirementsError("project shop", unmet);
        expect(error.message).toBe(
            "project shop: 1 requirement(s) no platform component provides; nothing was registered for it.\n" +
                "  - Application/x needs api-group:argoproj.io\n" +
                "  fix: enable the add-on that provides it (platform:addons), or change the object to use one the stack has",
        );
    });

    it("Needs resolves against the platform and stops with every unmet need; without a platform it resolves to nothing", () => {
        const needs = new Needs("Velero velero", longhorn);
        expect(needs.of(["storage-class:fast"], "Release/velero")).toEqual(["sc-fast"]);
        expect(needs.of(["api-group:velero.io", "storage-class:slow"], "Schedule/daily")).toEqual([]);
        expect(() => needs.throwIfUnmet()).toThrow(
            /^Velero velero: 2 requirement\(s\) no platform component provides; nothing was registered for it\.\n {2}- Schedule\/daily needs api-group:velero\.io\n {2}- Schedule\/daily needs storage-class:slow\n/,
        );
        const standalone = new Needs<string>("tenant stack", undefined);
        expect(standalone.of(["storage-class:fast", "api-group:argoproj.io"], "StatefulSet/db")).toEqual([]);
        expect(() => standalone.throwIfUnmet()).not.toThrow();
    });
});

describe("requirement phases", () => {
    it("makes a Service a readiness need of long-running consumers and a creation need of run-once ones; everything else a creation need", () => {
        const keys = ["api-group:longhorn.io", "namespace:minio", "service:minio/minio", "storage-class:standard"];
        for (const kind of ["Release", "Deployment", "StatefulSet", "DaemonSet", "Rollout"]) {
            expect(readinessNeeds(keys, kind), kind).toEqual(["service:minio/minio"]);
            expect(creationNeeds(keys, kind), kind).toEqual(["api-group:longhorn.io", "namespace:minio", "storage-class:standard"]);
        }
        for (const kind of ["Job", "CronJob", "Pod"]) {
            expect(phaseOf("service:minio/minio", kind), kind).toBe("create");
            expect(creationNeeds(keys, kind), kind).toEqual(keys);
        }
    });

    it("makes a Service a readiness need of a Job annotated as waiting for its Services itself, and only of a Job", () => {
        const keys = ["namespace:registry", "service:registry/harbor"];
        const annotated = { metadata: { annotations: { [WAITS_FOR_SERVICES_ANNOTATION]: "true" } } };
        expect(waitsForServices(annotated)).toBe(true);
        expect(waitsForServices({ metadata: { annotations: { [WAITS_FOR_SERVICES_ANNOTATION]: "false" } } })).toBe(false);
        expect(waitsForServices({ metadata: {} })).toBe(false);
        expect(readinessNeeds(keys, "Job", true)).toEqual(["service:registry/harbor"]);
        expect(creationNeeds(keys, "Job", true)).toEqual(["namespace:registry"]);
        // A bare Pod or a CronJob's run is not covered by the annotation: it runs once.
        expect(phaseOf("service:registry/harbor", "Pod", true)).toBe("create");
        expect(phaseOf("service:registry/harbor", "CronJob", true)).toBe("create");
    });
});
