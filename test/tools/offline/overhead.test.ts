import { describe, expect, it } from "vitest";
import { configFromParts } from "../../helpers/config";
import { formatOverhead, nodeCountsOf, platformOverhead, type NodeCounts } from "../../../tools/offline/overhead";
import type { PlannedResource } from "../../../tools/offline/plan-types";
import { GIB, quantity } from "../../../lib/quantity";

const MI = 2 ** 20;
const NODES: NodeCounts = { total: 5, byPool: { server: 1, run: 3, edge: 1 } };

function resource(type: string, name: string, inputs: Record<string, unknown>): PlannedResource {
    return { urn: `urn:pulumi:test::platform::${type}::${name}`, type, name, custom: true, inputs, secretInputs: [], additionalSecretOutputs: [], dependencies: [] };
}

const release = (name: string, namespace: string, values: unknown) => resource("kubernetes:helm.sh/v3:Release", name, { chart: name, name, namespace, values });

function workload(kind: "Deployment" | "StatefulSet" | "DaemonSet", name: string, namespace: string, podSpec: Record<string, unknown>, replicas?: number) {
    return resource(`kubernetes:apps/v1:${kind}`, name, {
        apiVersion: "apps/v1",
        kind,
        metadata: { name, namespace },
        spec: { ...(replicas !== undefined ? { replicas } : {}), selector: {}, template: { metadata: {}, spec: podSpec } },
    });
}

const container = (name: string, requests: Record<string, string>, limits?: Record<string, string>) => ({ name, image: "x:1", resources: { requests, ...(limits ? { limits } : {}) } });

describe("platformOverhead: Helm values", () => {
    it("multiplies a block by a sibling replicas/replicaCount and counts a block without one once", () => {
        const values = {
            replicaCount: 2,
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
            webhook: { replicas: 3, resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } } },
            cainjector: { resources: { requests: { cpu: 0.25, memory: "1Gi" } } },
        };
        const result = platformOverhead([release("cert-manager", "cert-manager", values)], NODES);
        const row = result.rows[0]!;
        expect(row.source).toBe("helm:cert-manager/cert-manager");
        expect(row.requests.cpu).toBeCloseTo(2 * 0.1 + 3 * 0.05 + 0.25, 10);
        expect(row.requests.memory).toBe(2 * 128 * MI + 3 * 64 * MI + GIB);
        expect(row.limits.cpu).toBeCloseTo(2 * 0.5, 10);
        expect(row.limits.memory).toBe(2 * 256 * MI + 3 * 128 * MI);
        expect(row.containers).toBe(2 + 3 + 1);
        expect(row.withoutCpuLimit).toBe(3 + 1);
        expect(row.withoutMemoryLimit).toBe(1);
        expect(result.requests).toEqual(row.requests);
    });

    it("counts DaemonSet blocks once per node: by key, by kind marker, or by the chart's deployment.kind", () => {
        const block = { requests: { cpu: "10m", memory: "16Mi" } };
        const result = platformOverhead(
            [
                release("metallb", "metallb-system", { controller: { resources: block }, speaker: { resources: block } }),
                release("traefik", "traefik", { deployment: { kind: "DaemonSet" }, resources: block }),
                release("agent", "monitoring", { collector: { kind: "DaemonSet", resources: block } }),
            ],
            NODES,
        );
        const cpu = Object.fromEntries(result.rows.map((r) => [r.source, r.requests.cpu]));
        expect(cpu["helm:metallb-system/metallb"]).toBeCloseTo(0.01 + NODES.total * 0.01, 10);
        expect(cpu["helm:traefik/traefik"]).toBeCloseTo(NODES.total * 0.01, 10);
        expect(cpu["helm:monitoring/agent"]).toBeCloseTo(NODES.total * 0.01, 10);
        expect(result.requests.memory).toBe((1 + 3 * NODES.total) * 16 * MI);
    });

    it("finds blocks deep in the values and inside lists, and ignores `resources` that are not requests/limits", () => {
        const values = {
            prometheus: { prometheusSpec: { replicas: 2, resources: { requests: { cpu: "1", memory: "2Gi" } } } },
            extraContainers: [{ name: "sidecar", resources: { requests: { cpu: "20m", memory: "32Mi" } } }],
            crds: { resources: ["a", "b"] },
            rbac: { resources: { create: true } },
        };
        const row = platformOverhead([release("kps", "monitoring", values)], NODES).rows[0]!;
        expect(row.requests.cpu).toBeCloseTo(2 * 1 + 0.02, 10);
        expect(row.requests.memory).toBe(2 * 2 * GIB + 32 * MI);
        expect(row.containers).toBe(3);
    });

    it("skips releases that declare no resources and reports values that are not quantities", () => {
        const result = platformOverhead(
            [release("empty", "argocd", { server: { replicas: 2 } }), release("bad", "minio", { resources: { requests: { cpu: "lots", memory: "1Gi" } } })],
            NODES,
        );
        expect(result.rows.map((r) => r.source)).toEqual(["helm:minio/bad"]);
        expect(result.rows[0]!.requests.memory).toBe(GIB);
        expect(result.unparsed).toEqual(['helm:minio/bad resources.requests.cpu: "lots"']);
    });
});

describe("platformOverhead: plain workloads", () => {
    it("multiplies Deployments and StatefulSets by replicas (default 1), summing containers", () => {
        const result = platformOverhead(
            [
                workload("Deployment", "failover", "kube-system", { containers: [container("a", { cpu: "50m", memory: "64Mi" }, { memory: "128Mi" }), container("b", { cpu: "25m", memory: "32Mi" }, { cpu: "100m", memory: "64Mi" })] }, 2),
                workload("StatefulSet", "store", "minio", { containers: [container("c", { cpu: "1", memory: "1Gi" }, { memory: "2Gi" })] }),
            ],
            NODES,
        );
        const [deployment, statefulSet] = result.rows;
        expect(deployment!.requests.cpu).toBeCloseTo(2 * (0.05 + 0.025), 10);
        expect(deployment!.requests.memory).toBe(2 * (64 + 32) * MI);
        expect(deployment!.limits.memory).toBe(2 * (128 + 64) * MI);
        expect(deployment!.containers).toBe(4);
        expect(deployment!.withoutCpuLimit).toBe(2);
        expect(statefulSet!.requests.cpu).toBe(1);
        expect(statefulSet!.multiplier).toBe("1 replica(s)");
    });

    it("multiplies DaemonSets by all nodes, or by the nodes of the pool their selector names", () => {
        const spec = { containers: [container("agent", { cpu: "100m", memory: "100Mi" }, { memory: "200Mi" })] };
        const result = platformOverhead(
            [
                workload("DaemonSet", "everywhere", "monitoring", spec),
                workload("DaemonSet", "run-only", "kube-system", { ...spec, nodeSelector: { "platform/pool": "run" } }),
            ],
            NODES,
        );
        expect(result.rows[0]!.requests.cpu).toBeCloseTo(NODES.total * 0.1, 10);
        expect(result.rows[1]!.requests.cpu).toBeCloseTo(NODES.byPool.run! * 0.1, 10);
        expect(result.requests.memory).toBe((NODES.total + NODES.byPool.run!) * 100 * MI);
    });

    it("uses the effective pod request when an init container asks for more than the containers", () => {
        const result = platformOverhead(
            [workload("Deployment", "migrate", "argocd", { initContainers: [container("init", { cpu: "2", memory: "64Mi" })], containers: [container("app", { cpu: "500m", memory: "1Gi" })] }, 3)],
            NODES,
        );
        expect(result.requests.cpu).toBeCloseTo(3 * 2, 10);
        expect(result.requests.memory).toBe(3 * GIB);
    });

    it("ignores workloads outside platform namespaces (tenants) and other kinds", () => {
        const spec = { containers: [container("app", { cpu: "1", memory: "1Gi" })] };
        const result = platformOverhead(
            [workload("Deployment", "shop-web", "shop", spec), resource("kubernetes:batch/v1:Job", "job", { metadata: { namespace: "kube-system" }, spec: { template: { spec } } })],
            NODES,
        );
        expect(result.rows).toEqual([]);
        expect(result.requests).toEqual({ cpu: 0, memory: 0 });
    });
});

describe("nodeCountsOf and formatting", () => {
    it("counts nodes per pool from the config", () => {
        const config = configFromParts({
            servers: { count: 3 },
            pools: [
                { role: "run", count: 4 },
                { role: "edge", count: 2 },
            ],
        });
        const counts = nodeCountsOf(config, "test");
        expect({ total: counts.total, byPool: counts.byPool }).toEqual({ total: 9, byPool: { server: 3, run: 4, edge: 2 } });
        expect(counts.nodes?.map((n) => n.name)).toHaveLength(9);
    });

    it("prints totals and the share of capacity", () => {
        const overhead = platformOverhead([release("loki", "monitoring", { singleBinary: { replicas: 1, resources: { requests: { cpu: "2", memory: "4Gi" } } } })], NODES);
        const text = formatOverhead(overhead, { cpu: 8, memory: quantity("16Gi") });
        expect(text).toContain("helm:monitoring/loki");
        expect(text).toContain("2.00 CPU");
        expect(text).toContain("25.0% of the cluster's 8 CPU");
        expect(text).toContain("25.0% of its 16.00 GiB");
    });
});
