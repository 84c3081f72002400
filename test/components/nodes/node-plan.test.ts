import { describe, expect, it } from "vitest";
import { planNodes, storageNodeCount } from "../../../components/nodes/node-plan";
import { stackConfig } from "../../helpers/config";

describe("node plan", () => {
    it("derives the dev stack's nodes from config", () => {
        const nodes = planNodes(stackConfig("dev"));
        expect(nodes.map((n) => [n.hostname, n.role, n.kind])).toEqual([
            ["fsn1-server-0", "server", "cloud"],
            ["fsn1-run-0", "agent", "cloud"],
            ["fsn1-edge-0", "edge", "cloud"],
        ]);
        // dev's only server is schedulable: no CriticalAddonsOnly taint, and it carries storage.
        expect(nodes[0]!.taints).toEqual([]);
        expect(nodes[0]!.storage).toBe(true);
        expect(nodes[2]!.taints).toEqual(["pool=edge:NoSchedule"]);
    });

    it("gives the HA stack 3 tainted servers, a bare-metal run pool with Robot numbers, and dedicated pools", () => {
        const config = stackConfig("fsn1");
        const nodes = planNodes(config);
        const servers = nodes.filter((n) => n.role === "server");
        expect(servers).toHaveLength(3);
        expect(servers.every((s) => s.taints.includes("CriticalAddonsOnly=true:NoExecute"))).toBe(true);
        const run = nodes.filter((n) => n.pool === "run");
        expect(run.map((n) => [n.kind, n.robotServer])).toEqual([
            ["baremetal", 2481001],
            ["baremetal", 2481002],
            ["baremetal", 2481003],
        ]);
        expect(run.every((n) => n.labels["platform/gvisor"] === "true" && n.taints.length === 0)).toBe(true);
        expect(nodes.filter((n) => n.pool === "build").every((n) => n.taints.includes("pool=build:NoSchedule"))).toBe(true);
        expect(nodes.filter((n) => n.role === "edge")).toHaveLength(2);
        expect(storageNodeCount(config)).toBe(3);
    });

    it("names nodes uniquely", () => {
        for (const stack of ["dev", "fsn1", "hel1"]) {
            const names = planNodes(stackConfig(stack)).map((n) => n.hostname);
            expect(new Set(names).size).toBe(names.length);
        }
    });
});
