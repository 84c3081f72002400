import { describe, expect, it } from "vitest";
import type { PlatformConfig } from "../../../lib/config/schema";
import { configFromParts, stackConfig } from "../../helpers/config";
import { clusterCapacity, estimatedMonthlyTotal, estimateMonthlyCost, UnknownPriceError } from "../../../lib/cost/estimate";
import { HETZNER_PRICES, type PriceTable } from "../../../lib/cost/prices";
import { formatCostEstimate } from "../../../tools/cost/report";

/** A cloud-only config: 3 servers, 4 run and 2 edge nodes, 2 floating IPs; `overrides` merged at the top level. */
function config(overrides: Record<string, unknown> = {}): PlatformConfig {
    return configFromParts({
        servers: { count: 3, kind: "cloud", serverType: "ccx23" },
        pools: [
            { role: "run", kind: "cloud", count: 4, serverType: "cax31" },
            { role: "edge", kind: "cloud", count: 2, serverType: "cx23" },
        ],
        edge: { floatingIps: 2 },
        ...overrides,
    });
}

const P = HETZNER_PRICES;
const EU = P.cloudServers.eu;
/**
 * Monthly EUR excl. VAT per cloud node (server with its primary IPv4) as www.hetzner.com/cloud listed them on
 * 2026-09-04 ([plans-2026-09] in lib/hetzner/server-types.ts), written here, not read from the table.
 */
const PAGE = { cx23: 5.99, cx43: 16.49, cax31: 21.49, ccx23: 86.49, cpx22: 19.99, cpx32: 35.99, cpx42: 69.99, ccx33: 138.99 } as const;
const cloudNode = (type: keyof typeof PAGE) => PAGE[type];

describe("estimateMonthlyCost", () => {
    it("prices every pool, the floating IPs and the snapshot bucket from the table", () => {
        const estimate = estimateMonthlyCost(config());
        const byPool = Object.fromEntries(estimate.lines.map((l) => [l.pool, l.monthlyEur]));
        expect(Object.keys(byPool)).toEqual(["servers", "run", "edge", "floating IPs", "etcd snapshots"]);
        expect(byPool.servers).toBeCloseTo(3 * cloudNode("ccx23"), 10);
        expect(byPool.run).toBeCloseTo(4 * cloudNode("cax31"), 10);
        expect(byPool.edge).toBeCloseTo(2 * cloudNode("cx23"), 10);
        expect(byPool["floating IPs"]).toBeCloseTo(2 * P.floatingIpv4.monthlyEur, 10);
        expect(byPool["etcd snapshots"]).toBeCloseTo(P.objectStorageBase.monthlyEur, 10);
        const expectedTotal =
            3 * cloudNode("ccx23") + 4 * cloudNode("cax31") + 2 * cloudNode("cx23") + 2 * P.floatingIpv4.monthlyEur + P.objectStorageBase.monthlyEur;
        expect(estimate.totalMonthlyEur).toBeCloseTo(expectedTotal, 10);
        expect(estimate.includedTrafficTb).toBe(
            3 * EU.ccx23!.includedTrafficTb + 4 * EU.cax31!.includedTrafficTb + 2 * EU.cx23!.includedTrafficTb,
        );
    });

    it("accepts server types in any case (hcloud names are lowercase)", () => {
        const upper = estimateMonthlyCost(config({ servers: { count: 1, kind: "cloud", serverType: "CCX23" } }));
        expect(upper.lines[0]!.monthlyEur).toBeCloseTo(cloudNode("ccx23"), 10);
    });

    it("uses the given table, so a price change moves the total by exactly count × delta", () => {
        const bumped: PriceTable = { ...P, cloudServers: { ...P.cloudServers, eu: { ...EU, cax31: { ...EU.cax31!, monthlyEur: EU.cax31!.monthlyEur + 10 } } } };
        const base = estimateMonthlyCost(config()).totalMonthlyEur;
        expect(estimateMonthlyCost(config(), { prices: bumped }).totalMonthlyEur).toBeCloseTo(base + 4 * 10, 10);
    });

    it("prices bare-metal pools per model: explicit option, a model named in serverType, else the default", () => {
        const robot = (serverType?: string) => ({ role: "run", kind: "baremetal", count: 2, robotServers: [1001, 1002], ...(serverType ? { serverType } : {}) });
        const edge = { role: "edge", kind: "cloud", count: 1, serverType: "cx23" };
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

    it("is in EUR and bills the floating IPs as one item per address", () => {
        const estimate = estimateMonthlyCost(config());
        expect(estimate.currency).toBe("EUR");
        const floating = estimate.lines.find((l) => l.pool === "floating IPs")!;
        expect(floating.items.map((i) => [i.description, i.quantity])).toEqual([["floating IPv4", 2]]);
        expect(floating.notes).toEqual([]);
    });

    it("gives the program no total for an unknown price, but lets every other error through", () => {
        // A table without the location's cloud prices is a programming error, not an unknown type: it must not
        // pass silently as "no reference".
        const broken = { ...HETZNER_PRICES, cloudServers: {} } as unknown as PriceTable;
        expect(() => estimatedMonthlyTotal(config(), { prices: broken })).toThrow(TypeError);
    });

    it("names a cloud server type without a price in the location and lists the priced ones", () => {
        // The schema rejects unknown types; the estimate still guards against a table without a figure (here: a
        // type sold in the US, asked for in fsn1, reaching the estimate unvalidated).
        const cfg = { ...config(), pools: [{ ...config().pools[1]!, serverType: "cpx11" }, { ...config().pools[0]!, serverType: "cx23" }] };
        expect(() => estimateMonthlyCost(cfg)).toThrow(UnknownPriceError);
        // The program's metering reference: no figure rather than a failed `pulumi up`.
        expect(estimatedMonthlyTotal(cfg)).toBeUndefined();
        expect(estimatedMonthlyTotal(config())).toBe(estimateMonthlyCost(config()).totalMonthlyEur);
        try {
            estimateMonthlyCost(cfg);
        } catch (error) {
            const message = (error as Error).message;
            expect(message).toContain('"cpx11" in fsn1');
            expect(message).toContain('pool "edge"');
            for (const known of Object.keys(EU)) {
                expect(message).toContain(known);
            }
        }
    });

    it("names the error class and lists the priced types sorted, comma-separated", () => {
        const cfg = { ...config(), pools: [{ ...config().pools[1]!, serverType: "cpx11" }] };
        let caught: unknown;
        try {
            estimateMonthlyCost(cfg);
        } catch (error) {
            caught = error;
        }
        expect((caught as Error).name).toBe("UnknownPriceError");
        const listed = /known types: ([^(]+) \(add the figure/.exec((caught as Error).message)![1]!.split(", ");
        expect(listed).toEqual([...listed].sort());
        expect(new Set(listed)).toEqual(new Set(Object.keys(EU)));
    });

    it("an empty pool has no items; floating IPs carry no notes", () => {
        const cfg = config({
            servers: { count: 1, kind: "cloud", serverType: "cx23", schedulable: true },
            pools: [
                { role: "run", kind: "cloud", count: 0, serverType: "cx23" },
                { role: "edge", kind: "cloud", count: 1, serverType: "cx23" },
            ],
        });
        const estimate = estimateMonthlyCost(cfg);
        expect(estimate.lines.find((l) => l.pool === "run")).toEqual({ pool: "run", items: [], monthlyEur: 0, notes: [] });
        expect(estimate.lines.find((l) => l.pool === "floating IPs")!.notes).toEqual([]);
    });

    it("a stack that costs nothing (a table of zero prices) rests 0% on unverified prices, not NaN", () => {
        const zero = JSON.parse(JSON.stringify(P), (key, value) => (key === "monthlyEur" ? 0 : value)) as PriceTable;
        const estimate = estimateMonthlyCost(config(), { prices: zero });
        expect(estimate.totalMonthlyEur).toBe(0);
        expect(estimate.unverifiedShare).toBe(0);
    });

    it("names an unknown bare-metal model", () => {
        const cfg = config({ pools: [{ role: "run", kind: "baremetal", count: 1, robotServers: [7] }, { role: "edge", kind: "cloud", count: 1 }] });
        expect(() => estimateMonthlyCost(cfg, { baremetalModels: { run: "EX44" } })).toThrow(/"EX44".*known models: AX102, AX41, AX42, AX52/);
    });

    it("leaves a bucket outside Hetzner unpriced and says so; empty pools cost nothing", () => {
        const cfg = config({
            cluster: { k3sVersion: "v1.31.6+k3s1", etcdSnapshots: { s3: { endpoint: "s3.eu-central-1.amazonaws.com", bucket: "etcd-test" } } },
            pools: [
                { role: "run", kind: "cloud", count: 0, serverType: "cx23" },
                { role: "edge", kind: "cloud", count: 1, serverType: "cx23" },
            ],
            servers: { count: 1, kind: "cloud", serverType: "cx23", schedulable: true },
        });
        const estimate = estimateMonthlyCost(cfg);
        const snapshots = estimate.lines.find((l) => l.pool === "etcd snapshots")!;
        expect(snapshots.monthlyEur).toBe(0);
        expect(snapshots.notes.join(" ")).toContain("outside Hetzner");
        expect(estimate.lines.find((l) => l.pool === "run")!.monthlyEur).toBe(0);
        expect(estimate.totalMonthlyEur).toBeCloseTo(2 * cloudNode("cx23") + 2 * P.floatingIpv4.monthlyEur, 10);
    });

    it("reports the share resting on unverified prices and renders every line", () => {
        // A table where every price is verified except the floating IPs: the share is theirs alone, written
        // out from the table, not summed from the estimate's own lines.
        const verified = JSON.parse(JSON.stringify(P), (key, value) => (key === "basis" ? "verified" : value)) as PriceTable;
        expect(estimateMonthlyCost(config(), { prices: verified }).unverifiedShare).toBe(0);
        const floatingAssumed: PriceTable = { ...verified, floatingIpv4: { ...verified.floatingIpv4, basis: "assumed" } };
        const partly = estimateMonthlyCost(config(), { prices: floatingAssumed });
        expect(partly.unverifiedShare).toBeCloseTo((2 * P.floatingIpv4.monthlyEur) / partly.totalMonthlyEur, 10);
        expect(partly.unverifiedShare).toBeGreaterThan(0);
        const estimate = estimateMonthlyCost(config());
        const text = formatCostEstimate(estimate);
        for (const pool of ["servers", "run", "edge", "floating IPs", "etcd snapshots", "total"]) {
            expect(text).toContain(pool);
        }
        expect(text).toContain(estimate.totalMonthlyEur.toFixed(2));
    });
});

describe("estimateMonthlyCost against Hetzner's page (figures written from [plans-2026-09])", () => {
    it("prices the server table's types: the per-node figure is the page's price with the primary IPv4", () => {
        const estimate = estimateMonthlyCost(config());
        const byPool = Object.fromEntries(estimate.lines.map((l) => [l.pool, l.monthlyEur]));
        expect(byPool.servers).toBeCloseTo(3 * 86.49, 10);
        expect(byPool.run).toBeCloseTo(4 * 21.49, 10);
        expect(byPool.edge).toBeCloseTo(2 * 5.99, 10);
        // The server item and the IPv4 item split the page figure: 85.99 + 0.50 for a CCX23.
        const servers = estimate.lines[0]!.items;
        expect(servers.map((i) => [i.description, i.unitMonthlyEur])).toEqual([
            ["ccx23 cloud server", expect.closeTo(85.99, 10)],
            ["primary IPv4", 0.5],
        ]);
        // 2 floating IPs at the (assumed) EUR 3 and the Object Storage base fee of EUR 6.49.
        expect(estimate.totalMonthlyEur).toBeCloseTo(259.47 + 85.96 + 11.98 + 6 + 6.49, 10);
    });

    it.each([
        // servers, run, edge, build (page figures), floating IPs × EUR 3, Object Storage EUR 6.49
        ["dev", 16.49 + 16.49 + 5.99 + 8.99 + 1 * 3 + 6.49],
        ["hel1", 3 * 35.99 + 3 * 69.99 + 2 * 19.99 + 1 * 3 + 6.49],
    ])("prices the shipped stack %s from the table", (stack, expected) => {
        expect(estimateMonthlyCost(stackConfig(stack)).totalMonthlyEur).toBeCloseTo(expected, 10);
    });

    it("prices the fsn1 stack's cloud pools and the AX102 model its bare-metal run pool names", () => {
        const lines = Object.fromEntries(estimateMonthlyCost(stackConfig("fsn1")).lines.map((l) => [l.pool, l]));
        expect(lines.servers!.monthlyEur).toBeCloseTo(3 * 86.49, 10);
        expect(lines.build!.monthlyEur).toBeCloseTo(138.99, 10);
        expect(lines.edge!.monthlyEur).toBeCloseTo(2 * 35.99, 10);
        expect(lines.run!.monthlyEur).toBeCloseTo(3 * 257.3, 10);
    });

    it("prices by the location's group: ccx13 in Singapore is not the EU figure", () => {
        const sin = configFromParts({
            location: "sin",
            servers: { count: 1, kind: "cloud", serverType: "ccx13", schedulable: true },
            pools: [{ role: "edge", kind: "cloud", count: 1, serverType: "ccx13" }],
        });
        expect(estimateMonthlyCost(sin).lines[0]!.monthlyEur).toBeCloseTo(54.49, 10);
        const fsn1 = configFromParts({
            servers: { count: 1, kind: "cloud", serverType: "ccx13", schedulable: true },
            pools: [{ role: "edge", kind: "cloud", count: 1, serverType: "ccx13" }],
        });
        expect(estimateMonthlyCost(fsn1).lines[0]!.monthlyEur).toBeCloseTo(43.49, 10);
    });

    it("refuses a type sold in the location but without a post-2026-06-15 figure instead of guessing", () => {
        const ash = configFromParts({
            location: "ash",
            servers: { count: 1, kind: "cloud", serverType: "ccx23", schedulable: true },
            pools: [{ role: "edge", kind: "cloud", count: 1, serverType: "cpx21" }],
        });
        expect(() => estimateMonthlyCost(ash)).toThrow(/"ccx23" in ash/);
    });
});

describe("clusterCapacity", () => {
    it("sums CPUs and memory of every node from the same table", () => {
        const capacity = clusterCapacity(config())!;
        // ccx23: 4 vCPU / 16 GB, cax31: 8 / 16, cx23: 2 / 4 ([list-2025-10]).
        expect(capacity.cpu).toBe(3 * 4 + 4 * 8 + 2 * 2);
        expect(capacity.memory).toBe((3 * 16 + 4 * 16 + 2 * 4) * 2 ** 30);
    });

    it("counts a bare-metal pool by its model (explicit per pool, servers included, else the default)", () => {
        // AX102: 16 cores / 32 threads, 128 GB; AX41: 6 cores / 12 threads, 64 GB (Hetzner's product pages).
        const robot = { role: "run", kind: "baremetal", count: 2, robotServers: [1001, 1002] };
        const edge = { role: "edge", kind: "cloud", count: 1, serverType: "cx23" };
        const cfg = config({ pools: [robot, edge] });
        expect(clusterCapacity(cfg, { baremetalModels: { run: "AX102" } })).toEqual({ cpu: 3 * 4 + 2 * 32 + 2, memory: (3 * 16 + 2 * 128 + 4) * 2 ** 30 });
        expect(clusterCapacity(cfg, { baremetalModels: { run: "AX41" } })).toEqual({ cpu: 3 * 4 + 2 * 12 + 2, memory: (3 * 16 + 2 * 64 + 4) * 2 ** 30 });
        const metalServers = config({ servers: { count: 3, kind: "baremetal", robotServers: [1, 2, 3], schedulable: true }, pools: [edge] });
        expect(clusterCapacity(metalServers, { baremetalModels: { servers: "AX102" } })).toEqual({ cpu: 3 * 32 + 2, memory: (3 * 128 + 4) * 2 ** 30 });
    });

    it("is undefined when a type is unknown", () => {
        expect(clusterCapacity({ ...config(), servers: { ...config().servers, serverType: "cx99" } })).toBeUndefined();
    });
});

describe("price table", () => {
    it("has a positive price, a basis and a source for every entry", () => {
        const entries = [...Object.values(P.cloudServers).flatMap((group) => Object.values(group)), ...Object.values(P.baremetal), P.primaryIpv4, P.floatingIpv4, P.volumePerGb, P.objectStorageBase, P.trafficOveragePerTb];
        for (const entry of entries) {
            expect(entry.monthlyEur).toBeGreaterThan(0);
            expect(["transcribed", "derived", "verified", "dated", "assumed"]).toContain(entry.basis);
            expect(entry.source.length).toBeGreaterThan(0);
        }
        expect(P.baremetal[P.defaultBaremetalModel]?.monthlyEur).toBeGreaterThan(0);
        expect(P.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    });
});

describe("etcd snapshot bucket and the printed estimate", () => {
    const snapshots = (cfg: PlatformConfig) => estimateMonthlyCost(cfg).lines.find((l) => l.pool === "etcd snapshots")!;
    const cluster = (endpoint: string) => ({ k3sVersion: "v1.31.6+k3s1", etcdSnapshots: { s3: { endpoint, bucket: "etcd-test" } } });

    it("prices Hetzner Object Storage once per account, with or without a port, and notes a shared Longhorn bucket", () => {
        for (const endpoint of ["fsn1.your-objectstorage.com", "your-objectstorage.com", "hel1.your-objectstorage.com:443"]) {
            const line = snapshots(config({ cluster: cluster(endpoint) }));
            expect(line.items.map((i) => i.description), endpoint).toEqual(["Object Storage base fee (incl. 1 TB storage, 1 TB egress)"]);
            expect(line.monthlyEur, endpoint).toBe(P.objectStorageBase.monthlyEur);
            expect(line.notes, endpoint).toEqual([]);
        }
        const shared = snapshots(
            config({
                cluster: cluster("fsn1.your-objectstorage.com"),
                addons: { longhorn: { backupTarget: "external", external: { endpoint: "fsn1.your-objectstorage.com", bucket: "longhorn-backups" } } },
            }),
        );
        expect(shared.notes).toEqual(["shared with the Longhorn backup bucket"]);
        const elsewhere = snapshots(
            config({
                cluster: cluster("fsn1.your-objectstorage.com"),
                addons: { longhorn: { backupTarget: "external", external: { endpoint: "s3.example.org", bucket: "longhorn-backups" } } },
            }),
        );
        expect(elsewhere.notes).toEqual([]);
        // Longhorn backing up to its in-cluster MinIO shares nothing, whatever external target is still configured.
        const inCluster = snapshots(
            config({
                cluster: cluster("fsn1.your-objectstorage.com"),
                addons: { longhorn: { backupTarget: "minio", external: { endpoint: "fsn1.your-objectstorage.com", bucket: "longhorn-backups" } } },
            }),
        );
        expect(inCluster.notes).toEqual([]);
    });

    it("does not fail on a config that asks for external backups without naming the target (not validated)", () => {
        // The schema refuses this; the estimate reads the target optionally rather than stop `npm run plan`.
        const validated = config({ cluster: cluster("fsn1.your-objectstorage.com") });
        const unvalidated = { ...validated, addons: { ...validated.addons, longhorn: { ...validated.addons.longhorn, backupTarget: "external" as const, external: undefined } } };
        expect(snapshots(unvalidated).notes).toEqual([]);
    });

    it("does not take a look-alike host for Hetzner's", () => {
        for (const endpoint of ["your-objectstorage.com.example.org", "notyour-objectstorage.com", "minio.example.org"]) {
            const line = snapshots(config({ cluster: cluster(endpoint) }));
            expect(line.items, endpoint).toEqual([]);
            expect(line.notes, endpoint).toEqual([`bucket on ${endpoint} is outside Hetzner: not estimated`]);
        }
    });

    it("prints every line, item, flag, the total, the unverified share and the traffic terms", () => {
        const text = formatCostEstimate({
            currency: "EUR",
            lines: [
                {
                    pool: "servers",
                    items: [
                        { description: "cx22", quantity: 3, unitMonthlyEur: 4.5, monthlyEur: 13.5, basis: "verified" },
                        { description: "primary IPv4", quantity: 3, unitMonthlyEur: 0.5, monthlyEur: 1.5, basis: "dated" },
                    ],
                    monthlyEur: 15,
                    notes: [],
                },
                { pool: "etcd snapshots", items: [], monthlyEur: 0, notes: ["one", "two"] },
            ],
            totalMonthlyEur: 15,
            includedTrafficTb: 20,
            trafficOveragePerTbEur: 1,
            unverifiedShare: 0.1,
            pricesReadOn: "2026-11-22",
        });
        expect(text.split("\n")).toEqual([
            "Monthly cost estimate (EUR, excl. VAT; Hetzner list prices read 2026-11-22; lib/hetzner/server-types.ts, lib/cost/prices.ts):",
            "  servers          EUR    15.00",
            "        3 × cx22 @ 4.50",
            "        3 × primary IPv4 @ 0.50 [dated]",
            "  etcd snapshots   EUR     0.00   (one; two)",
            "  total            EUR    15.00",
            "  10% of the total rests on prices not read from Hetzner directly: [transcribed] (a dated copy of Hetzner's page after the 2026-06-15 adjustment), [derived] (such a figure minus the IPv4 it includes), [dated] (before 2026-04-01: likely low) or [assumed] (no source found).",
            "  Traffic: 20 TB/month egress included with the cloud servers; beyond that EUR 1.00/TB.",
        ]);
    });
});
