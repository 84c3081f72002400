import { afterEach, describe, expect, it } from "vitest";
import { parseTaint, renderNodeLabelScript, renderPoolReadyScript } from "../../../components/cluster/node-pool-scripts";
import { planNodes } from "../../../components/nodes/node-plan";
import { stackConfig } from "../../helpers/config";
import { fakeCluster, type FakeCluster, type FakeNode } from "../../helpers/fake-kubectl";
import { shellcheck } from "../../helpers/tools";

const FAST = { registerSeconds: 2, readySeconds: 2, pollSeconds: 1 };
const clusters: FakeCluster[] = [];
const cluster = (nodes: FakeNode[]) => {
    const c = fakeCluster(nodes);
    clusters.push(c);
    return c;
};
afterEach(() => clusters.splice(0).forEach((c) => c.dispose()));

describe("node label and taint reconciliation", () => {
    it("brings a registered node to a changed plan: platform labels and taints only, others untouched", () => {
        // Registered as a shared storage node; the plan now makes the pool dedicated and turns storage off.
        const fake = cluster([
            {
                name: "fsn1-run-0",
                labels: { "platform/pool": "run", "platform/storage": "true", "kubernetes.io/hostname": "fsn1-run-0", "node.longhorn.io/create-default-disk": "config" },
                taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }],
                ready: true,
            },
        ]);
        const script = renderNodeLabelScript({ hostname: "fsn1-run-0", labels: { "platform/pool": "run", "platform/gvisor": "true" }, taints: ["pool=run:NoSchedule"] }, FAST);
        const result = fake.run(script);
        expect(result.status, result.stderr).toBe(0);
        const [node] = fake.nodes();
        expect(node!.labels).toEqual({ "platform/pool": "run", "platform/gvisor": "true", "kubernetes.io/hostname": "fsn1-run-0", "node.longhorn.io/create-default-disk": "config" });
        expect(node!.taints).toEqual([{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }, { key: "pool", value: "run", effect: "NoSchedule" }]);
    });

    it("removes the servers' CriticalAddonsOnly taint when they become schedulable, and is idempotent", () => {
        const fake = cluster([{ name: "fsn1-server-0", labels: { "platform/pool": "server" }, taints: [{ key: "CriticalAddonsOnly", value: "true", effect: "NoExecute" }], ready: true }]);
        const script = renderNodeLabelScript({ hostname: "fsn1-server-0", labels: { "platform/pool": "server", "platform/storage": "true" }, taints: [] }, FAST);
        expect(fake.run(script).status).toBe(0);
        expect(fake.run(script).status).toBe(0);
        expect(fake.nodes()[0]).toMatchObject({ labels: { "platform/pool": "server", "platform/storage": "true" }, taints: [] });
    });

    it("moves a taint to a new value instead of stacking two", () => {
        const fake = cluster([{ name: "n", labels: {}, taints: [{ key: "pool", value: "build", effect: "NoSchedule" }], ready: true }]);
        expect(fake.run(renderNodeLabelScript({ hostname: "n", labels: { "platform/pool": "run" }, taints: ["pool=run:NoSchedule"] }, FAST)).status).toBe(0);
        expect(fake.nodes()[0]!.taints).toEqual([{ key: "pool", value: "run", effect: "NoSchedule" }]);
    });

    it("fails with a clear message when the node never registers", () => {
        const fake = cluster([]);
        const result = fake.run(renderNodeLabelScript({ hostname: "fsn1-run-9", labels: { "platform/pool": "run" }, taints: [] }, FAST), 30);
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("node fsn1-run-9 did not register within 2s");
    });

    it("renders shellcheck-clean scripts for every node of a shipped stack", () => {
        for (const node of planNodes(stackConfig("fsn1"), "fsn1")) {
            const result = shellcheck(renderNodeLabelScript(node));
            expect(result.ok, `${node.hostname}: ${result.output}`).toBe(true);
        }
    });

    it("parses the node plan's taints and rejects malformed or foreign ones", () => {
        expect(parseTaint("CriticalAddonsOnly=true:NoExecute")).toEqual({ key: "CriticalAddonsOnly", value: "true", effect: "NoExecute" });
        expect(parseTaint("pool=edge:NoSchedule")).toEqual({ key: "pool", value: "edge", effect: "NoSchedule" });
        expect(() => parseTaint("pool=edge")).toThrow(/key\[=value\]:NoSchedule/);
        expect(() => renderNodeLabelScript({ hostname: "n", labels: {}, taints: ["gpu=true:NoSchedule"] })).toThrow(/not one the platform owns/);
        expect(() => renderNodeLabelScript({ hostname: "n; rm -rf /", labels: {}, taints: [] })).toThrow(/cannot pass unquoted/);
    });
});

describe("pool readiness wait", () => {
    const pool = (ready: boolean[]): FakeNode[] => [
        ...ready.map((r, i) => ({ name: `fsn1-run-${i}`, labels: { "platform/pool": "run" }, taints: [], ready: r })),
        { name: "fsn1-edge-0", labels: { "platform/pool": "edge" }, taints: [], ready: false },
    ];

    it("succeeds once every node of the pool is Ready, ignoring other pools", () => {
        const result = cluster(pool([true, true, true])).run(renderPoolReadyScript("run", 3, FAST));
        expect(result.status, result.stderr).toBe(0);
        expect(result.stdout).toContain("pool run: 3/3 nodes Ready");
    });

    it("fails at its deadline, listing the pool's nodes, while one is not Ready or not registered", () => {
        for (const nodes of [pool([true, false, true]), pool([true, true])]) {
            const result = cluster(nodes).run(renderPoolReadyScript("run", 3, FAST), 30);
            expect(result.status).toBe(1);
            expect(result.stderr).toMatch(/pool run: only 2 of 3 nodes Ready within 2s/);
            expect(result.stderr).toContain("fsn1-run-0");
        }
    });

    it("passes shellcheck", () => {
        const result = shellcheck(renderPoolReadyScript("edge", 2));
        expect(result.ok, result.output).toBe(true);
    });
});
