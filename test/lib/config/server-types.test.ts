import { describe, expect, it } from "vitest";
import { DEFAULT_SERVER_TYPE } from "../../../lib/config/schema";
import { configFromParts, rawStackConfig, stackConfig } from "../../helpers/config";
import { configProblems } from "../../helpers/config-problems";
import { STACKS } from "../../helpers/plans";

const problemsOf = configProblems;

describe("server types in the stack config", () => {
    it("rejects deprecated types with the replacement as the fix, aggregated with the other problems", () => {
        const raw = rawStackConfig("dev", {
            "platform:servers": JSON.stringify({ count: 1, kind: "cloud", serverType: "cx42", schedulable: true }),
            "platform:pools": JSON.stringify([
                { role: "run", kind: "cloud", count: 1, serverType: "cx43" },
                { role: "edge", kind: "cloud", count: 1, serverType: "cx22" },
            ]),
            "platform:acmeEmail": "not-an-address",
        });
        const problems = problemsOf(raw, "Pulumi.dev.yaml");
        expect(problems.map((p) => p.path).sort()).toEqual(["platform:acmeEmail", "platform:pools[1].serverType", "platform:servers.serverType"]);
        const edge = problems.find((p) => p.path === "platform:pools[1].serverType")!;
        expect(edge).toEqual({
            source: "Pulumi.dev.yaml",
            path: "platform:pools[1].serverType",
            problem: "server type cx22 is deprecated in fsn1 since 2025-10-16 and cannot be ordered since 2025-12-31",
            fix: "serverType: cx23   # 2 vCPU, 4 GB, 40 GB (was 2 vCPU, 4 GB)",
        });
        expect(problems.find((p) => p.path === "platform:servers.serverType")!.fix).toMatch(/^serverType: cx43 /);
    });

    it("rejects the EU-retired CPX generation in the EU but accepts it in the US, where Hetzner still sells it", () => {
        const pools = JSON.stringify([{ role: "edge", kind: "cloud", count: 1, serverType: "cpx31" }]);
        const servers = JSON.stringify({ count: 1, kind: "cloud", serverType: "cpx41", schedulable: true });
        const eu = problemsOf(rawStackConfig("hel1", { "platform:pools": pools, "platform:servers": servers }));
        expect(eu.map((p) => [p.path, p.fix.split("   #")[0]])).toEqual([
            ["platform:servers.serverType", "serverType: cpx42"],
            ["platform:pools[0].serverType", "serverType: cpx32"],
        ]);
        expect(stackConfig("hel1", { "platform:location": "ash", "platform:pools": pools, "platform:servers": servers }).servers.serverType).toBe("cpx41");
    });

    it("rejects unknown types and types not sold in the location, listing the ones sold there", () => {
        const raw = rawStackConfig("dev", {
            "platform:pools": JSON.stringify([
                { role: "run", kind: "cloud", count: 1, serverType: "cx99" },
                { role: "edge", kind: "cloud", count: 1, serverType: "cx23" },
            ]),
            "platform:location": "ash",
        });
        const problems = problemsOf(raw);
        const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
        expect(byPath["platform:pools[0].serverType"]!.problem).toContain('unknown Hetzner Cloud server type "cx99"');
        expect(byPath["platform:pools[1].serverType"]!.problem).toBe("server type cx23 is not sold in ash");
        expect(byPath["platform:pools[1].serverType"]!.fix).toMatch(/^use a type sold in ash: cpx11, /);
        // dev's server pool (cx43) is EU-only too.
        expect(byPath["platform:servers.serverType"]!.problem).toBe("server type cx43 is not sold in ash");
    });

    it("leaves serverType of bare-metal pools alone (it may name a Robot model for the estimate)", () => {
        const config = stackConfig("fsn1", {
            "platform:pools": JSON.stringify([
                { role: "run", kind: "baremetal", count: 3, robotServers: [2481001, 2481002, 2481003], serverType: "AX102" },
                { role: "edge", kind: "cloud", count: 2, serverType: "cpx32" },
            ]),
        });
        expect(config.pools[0]!.serverType).toBe("AX102");
    });

    it("defaults to a type sold today in the EU", () => {
        expect(DEFAULT_SERVER_TYPE).toBe("cx33");
        const config = configFromParts({ servers: { count: 1, schedulable: true }, pools: [{ role: "edge", count: 1 }] });
        expect([config.servers.serverType, config.pools[0]!.serverType]).toEqual(["cx33", "cx33"]);
    });

    it.each(STACKS)("shipped stack %s names only current types of similar size to the retired ones", (stack) => {
        const config = stackConfig(stack);
        const cloud = [config.servers, ...config.pools].filter((p) => p.kind === "cloud").map((p) => p.serverType);
        const expected: Record<string, string[]> = {
            dev: ["cx43", "cx43", "cx23", "cx33"], // was cx42, cx42, cx22; the build node is new
            fsn1: ["ccx23", "ccx33", "cpx32"], // edge was cx32
            hel1: ["cpx32", "cpx42", "cpx22"], // was cpx31, cpx41, cx22
        };
        expect(cloud).toEqual(expected[stack]);
    });
});
