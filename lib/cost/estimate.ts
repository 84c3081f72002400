import type { AgentPool, PlatformConfig, ServerPool } from "../config/schema";
import { locationGroupOf } from "../hetzner/server-types";
import { HETZNER_PRICES, type CloudServerPrice, type Price, type PriceBasis, type PriceTable } from "./prices";

/**
 * Monthly cost of one region stack from its validated configuration alone (no plan needed): servers,
 * agent pools, floating IPs and the Object Storage account that holds etcd snapshots. Pure: same config,
 * same table, same numbers. Traffic is not billed here: egress is unknown offline, so the report states
 * the included allowance instead.
 */

/** One priced item of a cost line. */
export interface CostItem {
    /** What is billed, e.g. `cx42 cloud server` or `primary IPv4`. */
    description: string;
    /** How many. */
    quantity: number;
    /** EUR per unit and month. */
    unitMonthlyEur: number;
    /** quantity × unit price. */
    monthlyEur: number;
    /** How well the unit price is backed (see lib/cost/prices.ts). */
    basis: PriceBasis;
}

/** One line of the estimate: a pool or a stack-wide item. */
export interface CostLine {
    /** `servers`, an agent pool role (`run`, `build`, `edge`), `floating IPs` or `etcd snapshots`. */
    pool: string;
    /** Priced items. */
    items: CostItem[];
    /** Sum of the items. */
    monthlyEur: number;
    /** Qualifiers a reader needs (e.g. which bare-metal model was assumed). */
    notes: string[];
}

/** The whole estimate. */
export interface CostEstimate {
    /** Always EUR: Hetzner bills in EUR. */
    currency: "EUR";
    /** Lines in a stable order: servers, agent pools in config order, floating IPs, etcd snapshots. */
    lines: CostLine[];
    /** Sum of every line, EUR per month excluding VAT. */
    totalMonthlyEur: number;
    /** Outgoing traffic included with the cloud servers, TB per month (overage is billed per TB). */
    includedTrafficTb: number;
    /** EUR per TB of egress beyond the included traffic. */
    trafficOveragePerTbEur: number;
    /** Share of the total whose unit price is not "verified" (0..1). */
    unverifiedShare: number;
    /** Day the price table was read. */
    pricesReadOn: string;
}

/** Options of the estimate. */
export interface EstimateOptions {
    /**
     * Bare-metal model per pool (`servers` for the control plane, else the agent pool role, e.g. `{run: "AX102"}`). The config schema
     * has no field for it, so it is taken here; without it a bare-metal pool whose `serverType` names a known
     * model (e.g. `AX102`) uses that, else the table's default model.
     */
    baremetalModels?: Readonly<Record<string, string>>;
    /** Price table; defaults to the platform's (tests pass it explicitly to derive expectations). */
    prices?: PriceTable;
}

/** Thrown when the config names a server type or model the price table does not know. */
export class UnknownPriceError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnknownPriceError";
    }
}

/**
 * The estimate's monthly total, or undefined when the price table does not know a server type or model: the
 * program's idle-cost line (components/metering) then goes without a reference instead of stopping `pulumi up`.
 */
export function estimatedMonthlyTotal(config: PlatformConfig, options: EstimateOptions = {}): number | undefined {
    try {
        return estimateMonthlyCost(config, options).totalMonthlyEur;
    } catch (error) {
        if (error instanceof UnknownPriceError) {
            return undefined;
        }
        throw error;
    }
}

/** Estimates the monthly cost of a stack. Throws `UnknownPriceError` naming an unknown type and the known ones. */
export function estimateMonthlyCost(config: PlatformConfig, options: EstimateOptions = {}): CostEstimate {
    const prices = options.prices ?? HETZNER_PRICES;
    const lines: CostLine[] = [];
    let includedTrafficTb = 0;

    const poolLine = (poolName: string, pool: ServerPool | AgentPool, count: number): CostLine => {
        const line: CostLine = { pool: poolName, items: [], monthlyEur: 0, notes: [] };
        if (count === 0) {
            return line;
        }
        if (pool.kind === "cloud") {
            const type = pool.serverType.toLowerCase();
            const cloudPrices = cloudPricesAt(config.location, prices);
            const price = cloudPrices[type];
            if (!price) {
                throw new UnknownPriceError(
                    `pool "${poolName}": no price for Hetzner Cloud server type "${pool.serverType}" in ${config.location}; known types: ${Object.keys(cloudPrices).sort().join(", ")} (add the figure to lib/hetzner/server-types.ts)`,
                );
            }
            line.items.push(item(`${type} cloud server`, count, price));
            // Every cloud node has a public IPv4 (components/nodes/cloud-node.ts enables it for the tailnet
            // bootstrap and the edge entry), billed as a primary IP on top of the server type.
            line.items.push(item("primary IPv4", count, prices.primaryIpv4));
            includedTrafficTb += price.includedTrafficTb * count;
        } else {
            const model = baremetalModelOf(poolName, pool, options.baremetalModels, prices);
            const price = prices.baremetal[model];
            if (!price) {
                throw new UnknownPriceError(
                    `pool "${poolName}": no price for bare-metal model "${model}"; known models: ${Object.keys(prices.baremetal).sort().join(", ")} (add it to lib/cost/prices.ts)`,
                );
            }
            line.items.push(item(`${model} bare-metal server`, count, price));
            if (!options.baremetalModels?.[poolName] && prices.baremetal[pool.serverType.toUpperCase()] === undefined) {
                line.notes.push(`model not configured; assumed ${model}`);
            }
        }
        line.monthlyEur = sum(line.items);
        return line;
    };

    lines.push(poolLine("servers", config.servers, config.servers.count));
    for (const pool of config.pools) {
        lines.push(poolLine(pool.role, pool, pool.count));
    }
    const floating: CostLine = { pool: "floating IPs", items: [item("floating IPv4", config.edge.floatingIps, prices.floatingIpv4)], monthlyEur: 0, notes: [] };
    floating.monthlyEur = sum(floating.items);
    lines.push(floating);
    lines.push(snapshotLine(config, prices));

    const totalMonthlyEur = lines.reduce((acc, l) => acc + l.monthlyEur, 0);
    const unverified = lines.flatMap((l) => l.items).filter((i) => i.basis !== "verified").reduce((acc, i) => acc + i.monthlyEur, 0);
    return {
        currency: "EUR",
        lines,
        totalMonthlyEur,
        includedTrafficTb,
        trafficOveragePerTbEur: prices.trafficOveragePerTb.monthlyEur,
        unverifiedShare: totalMonthlyEur > 0 ? unverified / totalMonthlyEur : 0,
        pricesReadOn: prices.readOn,
    };
}

/** Cloud server prices of the location's group (empty for a location the table does not cover). */
function cloudPricesAt(location: string, prices: PriceTable): Readonly<Record<string, CloudServerPrice>> {
    const group = locationGroupOf(location);
    return group ? prices.cloudServers[group] : {};
}

function baremetalModelOf(poolName: string, pool: ServerPool | AgentPool, explicit: Readonly<Record<string, string>> | undefined, prices: PriceTable): string {
    const configured = explicit?.[poolName];
    if (configured) {
        return configured.toUpperCase();
    }
    // serverType defaults to a cloud type (cx33) even for bare-metal pools; only a known model name counts.
    const fromType = pool.serverType.toUpperCase();
    return prices.baremetal[fromType] ? fromType : prices.defaultBaremetalModel;
}

function snapshotLine(config: PlatformConfig, prices: PriceTable): CostLine {
    const line: CostLine = { pool: "etcd snapshots", items: [], monthlyEur: 0, notes: [] };
    const endpoint = config.cluster.etcdSnapshots.s3.endpoint;
    if (/(^|\.)your-objectstorage\.com(:\d+)?$/.test(endpoint)) {
        // The base fee is per account, not per bucket: Longhorn's external backups on Hetzner share it.
        line.items.push(item("Object Storage base fee (incl. 1 TB storage, 1 TB egress)", 1, prices.objectStorageBase));
        if (config.addons.longhorn.backupTarget === "external" && config.addons.longhorn.external?.endpoint.endsWith("your-objectstorage.com")) {
            line.notes.push("shared with the Longhorn backup bucket");
        }
    } else {
        line.notes.push(`bucket on ${endpoint} is outside Hetzner: not estimated`);
    }
    line.monthlyEur = sum(line.items);
    return line;
}

function item(description: string, quantity: number, price: Price): CostItem {
    return { description, quantity, unitMonthlyEur: price.monthlyEur, monthlyEur: quantity * price.monthlyEur, basis: price.basis };
}

function sum(items: readonly CostItem[]): number {
    return items.reduce((acc, i) => acc + i.monthlyEur, 0);
}

/**
 * CPUs and memory (bytes) of every node as sold, from the same table and bare-metal model choice as the
 * estimate; `undefined` when a type or model is unknown (the cost estimate reports that error).
 */
export function clusterCapacity(config: PlatformConfig, options: EstimateOptions = {}): { cpu: number; memory: number } | undefined {
    const prices = options.prices ?? HETZNER_PRICES;
    let cpu = 0;
    let memory = 0;
    const pools: Array<[string, ServerPool | AgentPool, number]> = [["servers", config.servers, config.servers.count], ...config.pools.map((p): [string, AgentPool, number] => [p.role, p, p.count])];
    for (const [name, pool, count] of pools) {
        const machine = pool.kind === "cloud" ? cloudPricesAt(config.location, prices)[pool.serverType.toLowerCase()] : prices.baremetal[baremetalModelOf(name, pool, options.baremetalModels, prices)];
        if (!machine) {
            return undefined;
        }
        cpu += machine.vcpu * count;
        memory += machine.memoryGb * 2 ** 30 * count;
    }
    return { cpu, memory };
}
