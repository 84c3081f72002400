import { describe, expect, it } from "vitest";
import { MAX_HOSTNAME_LENGTH, disruptiveSettings, nodeHostname, planNodes, stackLabel, storageNodeCount } from "../../../components/nodes/node-plan";
import { parsePlatformConfig } from "../../../lib/config/parse";
import { configFromParts, rawStackConfig, stackConfig } from "../../helpers/config";
import { STACKS } from "../../helpers/plans";

describe("node plan", () => {
    it("derives the dev stack's nodes from config", () => {
        const nodes = planNodes(stackConfig("dev"), "dev");
        expect(nodes.map((n) => [n.id, n.hostname, n.role, n.kind, n.generation])).toEqual([
            ["fsn1-server-0", "dev-server-0", "server", "cloud", 0],
            ["fsn1-run-0", "dev-run-0", "agent", "cloud", 0],
            ["fsn1-edge-0", "dev-edge-0", "edge", "cloud", 0],
            ["fsn1-build-0", "dev-build-0", "agent", "cloud", 0],
        ]);
        // dev's only server is schedulable: no CriticalAddonsOnly taint, and it carries storage.
        expect(nodes[0]!.taints).toEqual([]);
        expect(nodes[0]!.storage).toBe(true);
        expect(nodes[2]!.taints).toEqual(["pool=edge:NoSchedule"]);
        // Builds (BuildKit) run on the dedicated build node only.
        expect(nodes[3]!.taints).toEqual(["pool=build:NoSchedule"]);
    });

    it("gives the HA stack 3 tainted servers, a bare-metal run pool with Robot numbers, and dedicated pools", () => {
        const config = stackConfig("fsn1");
        const nodes = planNodes(config, "fsn1");
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

    it("names nodes uniquely across every shipped stack (they share one tailnet and may share an hcloud project)", () => {
        expect(STACKS.length).toBeGreaterThanOrEqual(3);
        const owners = new Map<string, string>();
        for (const stack of STACKS) {
            for (const node of planNodes(stackConfig(stack), stack)) {
                expect(owners.get(node.hostname), `${node.hostname} of stack ${stack}`).toBeUndefined();
                owners.set(node.hostname, stack);
            }
        }
        // dev and fsn1 are both in fsn1: location-based names (fsn1-server-0) collided.
        expect(stackConfig("dev").location).toBe(stackConfig("fsn1").location);
    });

    it("makes every hostname a DNS label of at most 63 characters, also for odd stack names", () => {
        const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
        for (const stack of [...STACKS, "Prod_EU.fsn1", "a"]) {
            for (const node of planNodes(stackConfig("fsn1"), stack)) {
                expect(node.hostname).toMatch(label);
                expect(node.hostname.length).toBeLessThanOrEqual(MAX_HOSTNAME_LENGTH);
            }
        }
        expect(stackLabel("Prod_EU.fsn1")).toBe("prod-eu-fsn1");
        // The longest suffix (-build-49-g999) still fits with the longest stack name the error recommends.
        const longest = "s".repeat(MAX_HOSTNAME_LENGTH - "-build-49-g999".length);
        expect(nodeHostname(longest, "build", 49, 999)).toHaveLength(MAX_HOSTNAME_LENGTH);
        expect(() => nodeHostname(`${longest}x`, "build", 49, 999)).toThrow(/at most 63 characters/);
        expect(() => nodeHostname("___", "run", 0, 0)).toThrow(/not a DNS label/);
    });

    it("gives a node of a higher generation its own name and keeps every other node's", () => {
        const base = planNodes(stackConfig("fsn1"), "fsn1");
        const pools = JSON.parse(rawStackConfig("fsn1")["platform:pools"]!) as Array<Record<string, unknown>>;
        pools.find((p) => p.role === "run")!.generations = { "1": 2 };
        const bumped = planNodes(stackConfig("fsn1", { "platform:pools": JSON.stringify(pools) }), "fsn1");
        const changed = bumped.filter((n, i) => n.hostname !== base[i]!.hostname);
        expect(changed.map((n) => [n.id, n.hostname, n.generation])).toEqual([["fsn1-run-1", "fsn1-run-1-g2", 2]]);
        expect(bumped.map((n) => n.id)).toEqual(base.map((n) => n.id));
    });

    it("rejects a generation for a node index the pool does not have, naming the key", () => {
        const servers = { ...(JSON.parse(rawStackConfig("dev")["platform:servers"]!) as object), generations: { "3": 1 } };
        const raw = rawStackConfig("dev", { "platform:servers": JSON.stringify(servers) });
        expect(() => parsePlatformConfig(raw, "Pulumi.dev.yaml")).toThrow(/1 problem\(s\)[\s\S]*servers\.generations\.3[\s\S]*node index 3 does not exist in a pool of count 1/);
    });

    it("lists what would resize or reinstall a running node: server type for cloud, image and disk layout for bare metal", () => {
        const config = stackConfig("fsn1");
        const nodes = planNodes(config, "fsn1");
        expect(disruptiveSettings(nodes.find((n) => n.kind === "cloud")!, config)).toEqual({ replace: "location=fsn1", resize: "serverType=ccx23" });
        const metal = disruptiveSettings(nodes.find((n) => n.kind === "baremetal")!, config);
        expect(metal.resize).toBe("");
        expect(metal.replace).toContain("partitions=/boot:ext4:1G,/:ext4:200G,/var/lib/longhorn:xfs:all");
        expect(metal.replace).toContain("robotServer=2481001");
        // The hostname (and so the generation) is not a disruptive setting: a generation bump is its own acknowledgement ...
        const pools = [{ role: "edge", count: 1 }, { role: "run", count: 1 }];
        const ha = configFromParts({ servers: { count: 3 }, pools });
        const haBumped = configFromParts({ servers: { count: 3, generations: { "0": 4 } }, pools });
        expect(disruptiveSettings(planNodes(haBumped, "x")[0]!, haBumped)).toEqual(disruptiveSettings(planNodes(ha, "x")[0]!, ha));
        // ... except for the only server: its next generation is a new, empty cluster, refused without the flag.
        const single = configFromParts({ servers: { count: 1 }, pools });
        const singleBumped = configFromParts({ servers: { count: 1, generations: { "0": 1 } }, pools });
        expect(disruptiveSettings(planNodes(single, "x")[0]!, single).replace).toBe("location=fsn1 cluster=x-server-0");
        expect(disruptiveSettings(planNodes(singleBumped, "x")[0]!, singleBumped).replace).toBe("location=fsn1 cluster=x-server-0-g1");
    });
});
