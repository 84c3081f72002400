import { SERVER_TYPES, LOCATION_GROUPS, PRIMARY_IPV4_MONTHLY_EUR, SERVER_TYPES_PRICES_READ_ON, serverOnlyMonthlyEur, type LocationGroup } from "../hetzner/server-types";
import { ROBOT_MODELS } from "../hetzner/robot-models";

/**
 * Hetzner list prices the monthly cost estimate is computed from: EUR per month, excluding VAT.
 *
 * Cloud server types are not priced here: they come from lib/hetzner/server-types.ts, the table the config
 * schema and the availability check read too (one table, so a type the config accepts is a type the estimate
 * prices), per location group. Every other entry carries its own `basis` so the report can say how much of a
 * total rests on what:
 * - "transcribed": a source dated after Hetzner's 2026-06-15 adjustment states the figure (for server types: a
 *   dated third-party transcription of Hetzner's page, see lib/hetzner/server-types.ts);
 * - "derived":  computed from a cited figure by a stated rule (e.g. page price minus the IPv4 it includes);
 * - "verified": a source dated after the 2026-04-01 adjustment states the figure, and the 2026-06-15 one did
 *   not touch that product (Hetzner's 2026-05-27 notice exempts IPs, volumes, snapshots and Object Storage);
 * - "dated":    a source states the figure, but it predates 2026-04-01 (that adjustment raised most products by
 *   roughly 30-37 % per cloudtally.eu, reviewed 2026-04-18), so the current price is likely higher;
 * - "assumed":  no stored source could be found; the figure is the last list price known to the author.
 * Refresh from `GET https://api.hetzner.cloud/v1/pricing` (net prices per location) before budgeting.
 *
 * Sources:
 * - [plans-2026-09] see lib/hetzner/server-types.ts: primary IPv4 EUR 0.50, Object Storage base EUR 6.49.
 * - [api-2026-05] devantler-tech/platform commit cb791c6 (2026-05-27): values "pulled directly from the Hetzner
 *   Cloud Pricing API (GET /v1/pricing, location fsn1)", net: volumes EUR 0.0572/GB-month, traffic overage
 *   EUR 1.00/TB, 20 TB included per server.
 * - [notice-2026-05] Hetzner's e-mail of 2026-05-27 as posted on pastebin.com/GPkzvM77: the 2026-06-15 increase
 *   applies to newly ordered Cloud and Dedicated Servers, "not to ... IPs, storage products, load balancers,
 *   volumes, snapshots, and object storage".
 * - [web-2025-08] hetzner.com navigation as harvested on 2025-08-19 (fernandobandeira/djinn,
 *   harvested/research/2025-08-19_deep_research_hetzner_cloud_vps_hosting_for_go_applications_0ee770.md):
 *   "AX-Line from EUR 37.30" (the AX41-NVMe).
 */

/** How well a price is backed by a source (see the file comment). */
export type PriceBasis = "transcribed" | "derived" | "verified" | "dated" | "assumed";

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
    /** Cloud server types by location group, then lowercase hcloud name (only types with a known price). */
    cloudServers: Readonly<Record<LocationGroup, Readonly<Record<string, CloudServerPrice>>>>;
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

/**
 * Current cloud server types with a known price in one location group, from lib/hetzner/server-types.ts: the
 * server alone (the page figure minus the primary IPv4 it includes; the estimate bills the IPv4 separately).
 * Included traffic is the EU allowance ([api-2026-05]); other groups include less, so their figure is an upper
 * bound of what is included.
 */
export function cloudServerPrices(group: LocationGroup): Readonly<Record<string, CloudServerPrice>> {
    const prices: Record<string, CloudServerPrice> = {};
    for (const spec of Object.values(SERVER_TYPES)) {
        const offer = spec.offers[group];
        if (offer?.status !== "current" || !offer.price) {
            continue;
        }
        prices[spec.name] = {
            monthlyEur: serverOnlyMonthlyEur(offer.price),
            vcpu: spec.vcpu,
            memoryGb: spec.memoryGb,
            includedTrafficTb: EU_TRAFFIC_TB,
            basis: offer.price.includesPrimaryIpv4 ? "derived" : offer.price.basis,
            source: offer.price.includesPrimaryIpv4 ? `${offer.price.source} page figure ${offer.price.pageMonthlyEur.toFixed(2)} minus the primary IPv4` : offer.price.source,
        };
    }
    return prices;
}

const CLOUD_SERVER_PRICES = Object.fromEntries(
    (Object.keys(LOCATION_GROUPS) as LocationGroup[]).map((group) => [group, cloudServerPrices(group)]),
) as Record<LocationGroup, Readonly<Record<string, CloudServerPrice>>>;

/**
 * Robot bare-metal models, monthly, excluding VAT and the one-off setup fee Hetzner reintroduced in 2026
 * (a one-off is not a monthly cost). One IPv4 is included in a dedicated server's price.
 */
export const BAREMETAL_PRICES: Readonly<Record<string, BaremetalPrice>> = {
    AX41: { monthlyEur: 37.3, vcpu: ROBOT_MODELS.AX41!.vcpu, memoryGb: ROBOT_MODELS.AX41!.memoryGb, basis: "dated", source: "web-2025-08 (AX41-NVMe)" },
    // New-order prices in Germany after 2026-06-15 (8c/16t Ryzen 7 PRO 8700GE, 64 GB: bojak83318/server-signal-archive
    // offer 214154, 2026-02-02).
    AX42: { monthlyEur: 97.3, vcpu: ROBOT_MODELS.AX42!.vcpu, memoryGb: ROBOT_MODELS.AX42!.memoryGb, basis: "transcribed", source: "plans-2026-09 (AX42 Germany, new order)" },
    AX52: { monthlyEur: 64, vcpu: ROBOT_MODELS.AX52!.vcpu, memoryGb: ROBOT_MODELS.AX52!.memoryGb, basis: "assumed", source: LEGACY },
    AX102: { monthlyEur: 257.3, vcpu: ROBOT_MODELS.AX102!.vcpu, memoryGb: ROBOT_MODELS.AX102!.memoryGb, basis: "transcribed", source: "plans-2026-09 (AX102 Germany, new order)" },
};

/** The price table the platform uses. */
export const HETZNER_PRICES: PriceTable = {
    readOn: SERVER_TYPES_PRICES_READ_ON,
    cloudServers: CLOUD_SERVER_PRICES,
    baremetal: BAREMETAL_PRICES,
    // The mid-range model with a post-2026-06-15 price: enough cores for the run pool's gVisor sandboxes and
    // Longhorn replicas.
    defaultBaremetalModel: "AX42",
    primaryIpv4: { monthlyEur: PRIMARY_IPV4_MONTHLY_EUR, basis: "transcribed", source: "plans-2026-09 (ipv4PerMonth 0.5; exempt from 2026-06-15 per notice-2026-05)" },
    floatingIpv4: { monthlyEur: 3, basis: "assumed", source: LEGACY },
    volumePerGb: { monthlyEur: 0.0572, basis: "verified", source: "api-2026-05" },
    objectStorageBase: { monthlyEur: 6.49, basis: "transcribed", source: "plans-2026-09 (base EUR 6.49; exempt from 2026-06-15 per notice-2026-05)" },
    trafficOveragePerTb: { monthlyEur: 1, basis: "verified", source: "api-2026-05" },
};
