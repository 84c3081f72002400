/**
 * Hetzner list prices the monthly cost estimate is computed from: EUR per month, excluding VAT, for the
 * German/Finnish locations (fsn1, nbg1, hel1), which share one price list.
 *
 * Read on 2026-11-22 through the stored-reference `search` tool (pages, docs and code corpora); no live page
 * was fetched. Every entry carries its own `basis` so the report can say how much of a total rests on what:
 * - "verified": a source dated after Hetzner's 2026-04-01 price adjustment states the figure;
 * - "dated":    a source states the figure, but it predates 2026-04-01 (that adjustment raised most cloud
 *               compute by roughly 30-37 % and volumes/snapshots by 30 % per cloudtally.eu, "The Hetzner Cloud
 *               costs you're probably missing", reviewed 2026-04-18), so the current price is likely higher;
 * - "assumed":  no stored source could be found; the figure is the last list price known to the author.
 * Hetzner also changed prices for new orders and rescales on 2026-06-15 without publishing tables in any
 * source available here (cloudtally.eu, "Hetzner's June 2026 price increase", 2026-05-28): servers ordered
 * after that date may cost more than any figure below. Treat the estimate as a lower bound and refresh this
 * table from `GET https://api.hetzner.cloud/v1/pricing` (net prices) before budgeting.
 *
 * Sources:
 * - [api-2026-05] devantler-tech/platform commit cb791c6 (2026-05-27): values "pulled directly from the Hetzner
 *   Cloud Pricing API (GET /v1/pricing, location fsn1)", net: CX33 EUR 6.49/month, volumes EUR 0.0572/GB-month,
 *   traffic overage EUR 1.00/TB, 20 TB included per server.
 * - [vdhome-2026-04] docs.vdhome.be/reference/costs ("Monthly Costs (Actual -- 2026-04-15)"): cx23 EUR 3.99,
 *   cx33 EUR 6.49.
 * - [list-2025-10] tonoid/hcloud-multiregion-mongodb-replicaset HETZNER_SERVERS.md ("Last update: Oct 21, 2025"):
 *   CAX and CCX prices for Germany/Finland; an IPv6-only server saves EUR 0.50/month (the primary IPv4).
 * - [docs-objstore-2024] docs.hetzner.com/storage/object-storage/overview (revisions 2024-10-31 and 2024-12-06):
 *   a monthly base price capped at about EUR 5 including 1 TB storage and 1 TB egress; the product page lists
 *   EUR 4.99.
 * - [web-2025-08] hetzner.com navigation as harvested on 2025-08-19 (fernandobandeira/djinn,
 *   harvested/research/2025-08-19_deep_research_hetzner_cloud_vps_hosting_for_go_applications_0ee770.md):
 *   "AX-Line from EUR 37.30" (the AX41-NVMe).
 */

/** How well a price is backed by a source (see the file comment). */
export type PriceBasis = "verified" | "dated" | "assumed";

/** One price with its provenance. */
export interface Price {
    /** EUR per month (or per unit and month where the name says so), excluding VAT. */
    monthlyEur: number;
    /** How well the figure is backed. */
    basis: PriceBasis;
    /** Source tag from the file comment, or why it is assumed. */
    source: string;
}

/** A Hetzner Cloud server type: price plus the sizing the overhead report compares against. */
export interface CloudServerPrice extends Price {
    /** vCPUs (shared or dedicated, as sold). */
    vcpu: number;
    /** Memory in GB as sold (Hetzner's "GB" are GiB). */
    memoryGb: number;
    /** Outgoing traffic included per month in TB (EU locations). */
    includedTrafficTb: number;
}

/** A bare-metal (Robot) server model. */
export interface BaremetalPrice extends Price {
    /** CPU threads (what Kubernetes counts as CPUs). */
    vcpu: number;
    /** Memory in GB. */
    memoryGb: number;
}

/** Everything the estimate needs, injectable so tests can compute expectations from the same table. */
export interface PriceTable {
    /** Day the prices were read (ISO date). */
    readOn: string;
    /** Cloud server types by lowercase hcloud name. */
    cloudServers: Readonly<Record<string, CloudServerPrice>>;
    /** Bare-metal models by Robot product name. */
    baremetal: Readonly<Record<string, BaremetalPrice>>;
    /** Model assumed for a bare-metal pool when none is given. */
    defaultBaremetalModel: string;
    /** Primary IPv4 of a cloud server (billed separately from the server type since 2024). */
    primaryIpv4: Price;
    /** One floating IPv4. */
    floatingIpv4: Price;
    /** Cloud volume, per GB and month. */
    volumePerGb: Price;
    /** Object Storage base fee per account and month (includes 1 TB storage and 1 TB egress). */
    objectStorageBase: Price;
    /** Cloud traffic beyond the included amount, per TB. */
    trafficOveragePerTb: Price;
}

const LEGACY = "pre-2026 list price, no stored source found";
const EU_TRAFFIC_TB = 20;

const cloud = (monthlyEur: number, vcpu: number, memoryGb: number, basis: PriceBasis, source: string): CloudServerPrice => ({
    monthlyEur,
    vcpu,
    memoryGb,
    includedTrafficTb: EU_TRAFFIC_TB,
    basis,
    source,
});

/** Hetzner Cloud server types (EU locations), excluding the primary IPv4. */
export const CLOUD_SERVER_PRICES: Readonly<Record<string, CloudServerPrice>> = {
    // Shared vCPU, Intel/AMD, generation 2: no longer orderable since the cx*3 line replaced it (Oct 2025);
    // kept because running stacks reference them.
    cx22: cloud(3.79, 2, 4, "assumed", LEGACY),
    cx32: cloud(6.8, 4, 8, "assumed", LEGACY),
    cx42: cloud(16.4, 8, 16, "assumed", LEGACY),
    cx52: cloud(32.4, 16, 32, "assumed", LEGACY),
    // Shared vCPU, generation 3 (the current cost-optimised line).
    cx23: cloud(3.99, 2, 4, "verified", "vdhome-2026-04"),
    cx33: cloud(6.49, 4, 8, "verified", "api-2026-05, vdhome-2026-04"),
    // Shared vCPU, AMD (EU); the cpx*2 line superseded these in the EU in Oct 2025.
    cpx11: cloud(4.35, 2, 2, "assumed", LEGACY),
    cpx21: cloud(7.55, 3, 4, "assumed", LEGACY),
    cpx31: cloud(13.6, 4, 8, "assumed", LEGACY),
    cpx41: cloud(25.2, 8, 16, "assumed", LEGACY),
    cpx51: cloud(54.9, 16, 32, "assumed", LEGACY),
    // Shared vCPU, Ampere arm64.
    cax11: cloud(3.79, 2, 4, "dated", "list-2025-10"),
    cax21: cloud(6.49, 4, 8, "dated", "list-2025-10"),
    cax31: cloud(12.49, 8, 16, "dated", "list-2025-10"),
    cax41: cloud(24.49, 16, 32, "dated", "list-2025-10"),
    // Dedicated vCPU, AMD.
    ccx13: cloud(12.49, 2, 8, "dated", "list-2025-10"),
    ccx23: cloud(24.49, 4, 16, "dated", "list-2025-10"),
    ccx33: cloud(48.49, 8, 32, "dated", "list-2025-10"),
    ccx43: cloud(96.49, 16, 64, "dated", "list-2025-10"),
    ccx53: cloud(192.49, 32, 128, "dated", "list-2025-10"),
    ccx63: cloud(288.49, 48, 192, "dated", "list-2025-10"),
};

/**
 * Robot bare-metal models, monthly, excluding VAT and the one-off setup fee Hetzner reintroduced in 2026
 * (a one-off is not a monthly cost). One IPv4 is included in a dedicated server's price.
 */
export const BAREMETAL_PRICES: Readonly<Record<string, BaremetalPrice>> = {
    AX41: { monthlyEur: 37.3, vcpu: 12, memoryGb: 64, basis: "dated", source: "web-2025-08 (AX41-NVMe)" },
    AX52: { monthlyEur: 64, vcpu: 16, memoryGb: 64, basis: "assumed", source: LEGACY },
    AX102: { monthlyEur: 104, vcpu: 32, memoryGb: 128, basis: "assumed", source: LEGACY },
};

/** The price table the platform uses. */
export const HETZNER_PRICES: PriceTable = {
    readOn: "2026-11-22",
    cloudServers: CLOUD_SERVER_PRICES,
    baremetal: BAREMETAL_PRICES,
    // The mid-range model: enough cores for the run pool's gVisor sandboxes and Longhorn replicas.
    defaultBaremetalModel: "AX52",
    primaryIpv4: { monthlyEur: 0.5, basis: "dated", source: "list-2025-10 (IPv6-only saves EUR 0.50)" },
    floatingIpv4: { monthlyEur: 3, basis: "assumed", source: LEGACY },
    volumePerGb: { monthlyEur: 0.0572, basis: "verified", source: "api-2026-05" },
    objectStorageBase: { monthlyEur: 4.99, basis: "dated", source: "docs-objstore-2024" },
    trafficOveragePerTb: { monthlyEur: 1, basis: "verified", source: "api-2026-05" },
};
