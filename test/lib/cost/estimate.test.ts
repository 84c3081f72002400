import { describe, expect, it } from "vitest";
import type { PlatformConfig } from "../../../lib/config/schema";
import { configFromParts } from "../../helpers/config";
import { clusterCapacity, estimateMonthlyCost, formatCostEstimate, UnknownPriceError } from "../../../lib/cost/estimate";
import { HETZNER_PRICES, type PriceTable } from "../../../lib/cost/prices";

/** A cloud-only config: 3 servers, 4 run and 2 edge nodes, 2 floating IPs; `overrides` merged at the top level. */
function config(overrides: Record<string, unknown> = {}): PlatformConfig {
    return configFromParts({
        servers: { count: 3, kind: "cloud", serverType: "ccx23" },
        pools: [
            { role: "run", kind: "cloud", count: 4, serverType: "cax31" },
            { role: "edge", kind: "cloud", count: 2, serverType: "cx22" },
        ],
        edge: { floatingIps: 2 },
        ...overrides,
    });
}

const P = HETZNER_PRICES;
const cloudNode = (type: string) => P.cloudServers[type]!.monthlyEur + P.primaryIpv4.monthlyEur;

describe("estimateMonthlyCost", () => {
    it("prices every pool, the floating IPs and the snapshot bucket from the table", () => {
        const estimate = estimateMonthlyCost(config());
        const byPool = Object.fromEntries(estimate.lines.map((l) => [l.pool, l.monthlyEur]));
        expect(Object.keys(byPool)).toEqual(["servers", "run", "edge", "floating IPs", "etcd snapshots"]);
        expect(byPool.servers).toBeCloseTo(3 * cloudNode("ccx23"), 10);
        expect(byPool.run).toBeCloseTo(4 * cloudNode("cax31"), 10);
        expect(byPool.edge).toBeCloseTo(2 * cloudNode("cx22"), 10);
        expect(byPool["floating IPs"]).toBeCloseTo(2 * P.floatingIpv4.monthlyEur, 10);
        expect(byPool["etcd snapshots"]).toBeCloseTo(P.objectStorageBase.monthlyEur, 10);
        const expectedTotal =
            3 * cloudNode("ccx23") + 4 * cloudNode("cax31") + 2 * cloudNode("cx22") + 2 * P.floatingIpv4.monthlyEur + P.objectStorageBase.monthlyEur;
        expect(estimate.totalMonthlyEur).toBeCloseTo(expectedTotal, 10);
        expect(estimate.includedTrafficTb).toBe(
            3 * P.cloudServers.ccx23!.includedTrafficTb + 4 * P.cloudServers.cax31!.includedTrafficTb + 2 * P.cloudServers.cx22!.includedTrafficTb,
        );
    });

    it("accepts server types in any case (hcloud names are lowercase)", () => {
        const upper = estimateMonthlyCost(config({ servers: { count: 1, kind: "cloud", serverType: "CCX23" } }));
        expect(upper.lines[0]!.monthlyEur).toBeCloseTo(cloudNode("ccx23"), 10);
    });

    it("uses the given table, so a price change moves the total by exactly count × delta", () => {
        const bumped: PriceTable = { ...P, cloudServers: { ...P.cloudServers, cax31: { ...P.cloudServers.cax31!, monthlyEur: P.cloudServers.cax31!.monthlyEur + 10 } } };
        const base = estimateMonthlyCost(config()).totalMonthlyEur;
        expect(estimateMonthlyCost(config(), { prices: bumped }).totalMonthlyEur).toBeCloseTo(base + 4 * 10, 10);
    });

    it("prices bare-metal pools per model: explicit option, a model named in serverType, else the default", () => {
        const robot = (serverType?: string) => ({ role: "run", kind: "baremetal", count: 2, robotServers: [1001, 1002], ...(serverType ? { serverType } : {}) });
        const edge = { role: "edge", kind: "cloud", count: 1, serverType: "cx22" };
        const runLine = (cfg: PlatformConfig, models?: Record<string, string>) => estimateMonthlyCost(cfg, { baremetalModels: models }).lines.find((l) => l.pool === "run")!;

        const byDefault = runLine(config({ pools: [robot(), edge] }));
        expect(byDefault.monthlyEur).toBeCloseTo(2 * P.baremetal[P.defaultBaremetalModel]!.monthlyEur, 10);
        expect(byDefault.notes.join(" ")).toContain(`assumed ${P.defaultBaremetalModel}`);

        const named = runLine(config({ pools: [robot("AX102"), edge] }));
        expect(named.monthlyEur).toBeCloseTo(2 * P.baremetal.AX102!.monthlyEur, 10);
        expect(named.notes).toEqual([]);

        const explicit = runLine(config({ pools: [robot("AX102"), edge] }), { run: "ax41" });
        expect(explicit.monthlyEur).toBeCloseTo(2 * P.baremetal.AX41!.monthlyEur, 10);
        // A dedicated server's IPv4 is part of its price: no primary-IP item.
        expect(explicit.items.map((i) => i.description)).toEqual(["AX41 bare-metal server"]);
    });

    it("names an unknown cloud server type and lists the known ones", () => {
        const cfg = config({ pools: [{ role: "edge", kind: "cloud", count: 1, serverType: "cx99" }, { role: "run", kind: "cloud", count: 1, serverType: "cx22" }] });
        expect(() => estimateMonthlyCost(cfg)).toThrow(UnknownPriceError);
        try {
            estimateMonthlyCost(cfg);
        } catch (error) {
            const message = (error as Error).message;
            expect(message).toContain('"cx99"');
            expect(message).toContain('pool "edge"');
            for (const known of Object.keys(P.cloudServers)) {
                expect(message).toContain(known);
            }
        }
    });

    it("names an unknown bare-metal model", () => {
        const cfg = config({ pools: [{ role: "run", kind: "baremetal", count: 1, robotServers: [7] }, { role: "edge", kind: "cloud", count: 1 }] });
        expect(() => estimateMonthlyCost(cfg, { baremetalModels: { run: "EX44" } })).toThrow(/"EX44".*known models: AX102, AX41, AX52/);
    });

    it("leaves a bucket outside Hetzner unpriced and says so; empty pools cost nothing", () => {
        const cfg = config({
            cluster: { k3sVersion: "v1.31.6+k3s1", etcdSnapshots: { s3: { endpoint: "s3.eu-central-1.amazonaws.com", bucket: "etcd-test" } } },
            pools: [
                { role: "run", kind: "cloud", count: 0, serverType: "cx22" },
                { role: "edge", kind: "cloud", count: 1, serverType: "cx22" },
            ],
            servers: { count: 1, kind: "cloud", serverType: "cx22", schedulable: true },
        });
        const estimate = estimateMonthlyCost(cfg);
        const snapshots = estimate.lines.find((l) => l.pool === "etcd snapshots")!;
        expect(snapshots.monthlyEur).toBe(0);
        expect(snapshots.notes.join(" ")).toContain("outside Hetzner");
        expect(estimate.lines.find((l) => l.pool === "run")!.monthlyEur).toBe(0);
        expect(estimate.totalMonthlyEur).toBeCloseTo(2 * cloudNode("cx22") + 2 * P.floatingIpv4.monthlyEur, 10);
    });

    it("reports the share resting on unverified prices and renders every line", () => {
        const estimate = estimateMonthlyCost(config());
        const unverified = estimate.lines.flatMap((l) => l.items).filter((i) => i.basis !== "verified").reduce((a, i) => a + i.monthlyEur, 0);
        expect(estimate.unverifiedShare).toBeCloseTo(unverified / estimate.totalMonthlyEur, 10);
        const text = formatCostEstimate(estimate);
        for (const pool of ["servers", "run", "edge", "floating IPs", "etcd snapshots", "total"]) {
            expect(text).toContain(pool);
        }
        expect(text).toContain(estimate.totalMonthlyEur.toFixed(2));
    });
});

describe("clusterCapacity", () => {
    it("sums CPUs and memory of every node from the same table", () => {
        const capacity = clusterCapacity(config())!;
        const t = P.cloudServers;
        expect(capacity.cpu).toBe(3 * t.ccx23!.vcpu + 4 * t.cax31!.vcpu + 2 * t.cx22!.vcpu);
        expect(capacity.memory).toBe((3 * t.ccx23!.memoryGb + 4 * t.cax31!.memoryGb + 2 * t.cx22!.memoryGb) * 2 ** 30);
    });

    it("is undefined when a type is unknown", () => {
        expect(clusterCapacity(config({ servers: { count: 1, kind: "cloud", serverType: "cx99" } }))).toBeUndefined();
    });
});

describe("price table", () => {
    it("has a positive price, a basis and a source for every entry", () => {
        const entries = [...Object.values(P.cloudServers), ...Object.values(P.baremetal), P.primaryIpv4, P.floatingIpv4, P.volumePerGb, P.objectStorageBase, P.trafficOveragePerTb];
        for (const entry of entries) {
            expect(entry.monthlyEur).toBeGreaterThan(0);
            expect(["verified", "dated", "assumed"]).toContain(entry.basis);
            expect(entry.source.length).toBeGreaterThan(0);
        }
        expect(P.baremetal[P.defaultBaremetalModel]).toBeDefined();
        expect(P.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });
});
