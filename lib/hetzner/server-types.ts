/**
 * Hetzner Cloud server types: the one table the config schema (which types a stack may name), the cost
 * estimate (lib/cost) and the offline answer to the availability invoke (tools/offline) all read.
 *
 * Compiled 2026-12-01 through the stored-reference `search` tool (docs, pages and code corpora); no live page
 * was fetched and Hetzner's own price pages (www.hetzner.com/cloud, the price-adjustment statement) are not in
 * those corpora. What each figure rests on is marked in the data, not only here:
 *
 * - Sizes (vCPU, memory, disk) come from [list-2025-10], cross-checked against [plans-2026-09] (vCPU, memory)
 *   and [bench-2026-07] (CPX12, CPX22, CPX32 disks).
 * - Prices: `basis: "transcribed"` means the figure is the one [plans-2026-09] copied from www.hetzner.com/cloud
 *   on 2026-09-04, after both 2026 adjustments (2026-04-01 for every server, 2026-06-15 for new orders and
 *   rescales): a third party's transcription of Hetzner's page, dated, not Hetzner's page read here. That page
 *   lists each type with its primary IPv4 (EUR 0.50 on the same page): `pageMonthlyEur` keeps the figure as
 *   listed and the server alone costs that minus the IPv4. Two independent sources agree with that reading:
 *   [bench-2026-07] paid EUR 13.67 incl. 19 % VAT for a CPX12 without IPv4 (= 11.49 net = 11.99 − 0.50), and
 *   [list-2025-10] lists CPX22 at 6.49 where [bench-2025-10] paid 7.13 gross without IPv4 (= 5.99 = 6.49 − 0.50).
 *   No figure here was derived from a percentage: the published ranges (shared lines +30–38 %, dedicated
 *   +113–175 % on 2026-06-15, as the lead quoted Hetzner's page) could not be confirmed from a stored copy of
 *   that page, and the transcribed figures make them unnecessary. Where a post-2026-04-01 server-only figure
 *   exists they agree: CX33 EUR 6.49 from the Pricing API on 2026-05-27 (devantler-tech/platform commit
 *   cb791c6) → 8.49, +31 %. The CPX line (shared vCPU too) rose far more than +38 % (CPX22 5.99 in Oct 2025 →
 *   19.49).
 *   `price: null` means no post-2026-06-15 figure was found for that type in that location group; the cost
 *   estimate then refuses with a clear error instead of guessing.
 * - Hourly prices: none of the post-2026-06-15 sources states them; Hetzner bills hourly up to the monthly
 *   cap, so the monthly cap is what the estimate uses. `hourlyEur` stays null until a source gives it.
 * - Status per location group: `deprecated` rows name their replacement, the same line's smallest current
 *   type with at least the vCPUs and memory (cx*2 → cx*3 are the same sizes). Deprecation dates are those the
 *   review of 2026-12-01 gave (issue 13, /work/shared/DESIGN.md), matching Hetzner's per-location deprecation
 *   model of the API since 2025-09-24 [ansible-5.3.0]. CX and CAX are sold in the EU only, CPX gen 1
 *   (cpx11–cpx51) still in the US only, CPX gen 2 in the EU and Singapore [list-2025-10, plans-2026-09].
 * - Orderability is live state the table cannot promise: [plans-2026-09] shows every CX and CAX type as "not
 *   available" on 2026-09-04 (`reportedUnorderableOn`), and public reports say the shared lines often are.
 *   The real run therefore asks the hcloud API before creating any server (lib/hetzner/availability.ts).
 *
 * Sources:
 * - [plans-2026-09] www.hetzner.com/cloud as transcribed on 2026-09-04 into a public repository's plan table
 *   (`HETZNER_CLOUD_PLANS`; its page-reviews.ts dates the read `HETZNER_PLAN_TABLE_READ_ON = "2026-09-04"`;
 *   stored-reference file ids 70173063404 and 69697427166): EUR per month excl. VAT with the primary IPv4,
 *   an "available" flag per plan, `ipv4PerMonth: 0.5`, Object Storage base EUR 6.49, Singapore CCX13 EUR 54.49.
 * - [list-2025-10] tonoid/hcloud-multiregion-mongodb-replicaset HETZNER_SERVERS.md ("Last update: Oct 21, 2025"):
 *   sizes and pre-2026 prices of every CCX, CPX, CX and CAX type per location group.
 * - [bench-2026-07] gist.github.com/derhuerst/4ef9a832e031bf82d6e640e2dd6b2d24 (VPS price & performance
 *   comparison): CPX12 1 vCPU / 2 GB / 40 GB at EUR 13.67 incl. VAT, benchmarked 2026-07-22.
 * - [bench-2025-10] the same gist: CPX22 2 vCPU / 4 GB / 80 GB and CPX32 4 / 8 / 160 "no IPv4", 2025-10-21.
 * - [ansible-5.3.0] hetzner.hcloud 5.3.0 release notes (2025-09-26): "Server Types now depend on Locations",
 *   deprecation moved to the per-location list.
 */

/** CPU architecture as the hcloud API names it. */
export type Architecture = "x86" | "arm";

/** Whether the vCPUs are shared with other tenants or dedicated hyper-threads. */
export type CpuKind = "shared" | "dedicated";

/** Location groups that share one price list and one product range. */
export const LOCATION_GROUPS = {
    eu: ["fsn1", "nbg1", "hel1"],
    us: ["ash", "hil"],
    sin: ["sin"],
} as const satisfies Record<string, readonly string[]>;

/** A location group: `eu` (fsn1, nbg1, hel1), `us` (ash, hil) or `sin`. */
export type LocationGroup = keyof typeof LOCATION_GROUPS;

/** Source tags of the file comment. */
export type ServerTypeSource = "plans-2026-09" | "list-2025-10" | "bench-2026-07" | "bench-2025-10" | "review-2026-12";

/** What a price figure rests on (see the file comment). */
export type ServerPriceBasis = "transcribed" | "derived";

/** The price of one type in one location group. */
export interface ServerTypePrice {
    /** EUR per month excl. VAT as the source lists it. */
    pageMonthlyEur: number;
    /** Whether `pageMonthlyEur` includes the primary IPv4 (Hetzner's page lists servers with it). */
    includesPrimaryIpv4: boolean;
    /** EUR per hour excl. VAT, when a source states it. */
    hourlyEur: number | null;
    /** How the figure was obtained. */
    basis: ServerPriceBasis;
    /** Where it comes from. */
    source: ServerTypeSource;
}

/** A type sold in a location group. */
export interface CurrentOffer {
    status: "current";
    /** The price there, or null when no figure dated after 2026-06-15 was found. */
    price: ServerTypePrice | null;
    /** Day a source showed the type as not orderable on Hetzner's page (live state: the real run asks the API). */
    reportedUnorderableOn?: string;
}

/** A type Hetzner no longer sells in a location group. */
export interface DeprecatedOffer {
    status: "deprecated";
    /** Day the deprecation was announced. */
    deprecatedOn: string;
    /** Day since which it cannot be ordered. */
    unorderableSince: string;
    /** The current type to use instead. */
    replacement: string;
    /** Where the dates come from. */
    source: ServerTypeSource;
}

/** One location group's view of a type. */
export type ServerTypeOffer = CurrentOffer | DeprecatedOffer;

/** One hcloud server type. */
export interface ServerTypeSpec {
    /** hcloud name, lowercase. */
    name: string;
    /** CPU architecture. */
    architecture: Architecture;
    /** vCPUs as sold. */
    vcpu: number;
    /** Memory in GB as sold (Hetzner's "GB" are GiB). */
    memoryGb: number;
    /** Local NVMe disk in GB. */
    diskGb: number;
    /** Shared or dedicated vCPUs. */
    cpu: CpuKind;
    /** Hetzner's product line. */
    line: "Cost-Optimized" | "Regular Performance" | "General Purpose";
    /** Where the sizes come from. */
    specSource: ServerTypeSource;
    /** Location groups that sell (or sold) the type; a group not listed never offered it. */
    offers: Partial<Record<LocationGroup, ServerTypeOffer>>;
}

/** Day the table was compiled. */
export const SERVER_TYPES_TABLE_DATE = "2026-12-01";
/** Day the newest price source read Hetzner's page. */
export const SERVER_TYPES_PRICES_READ_ON = "2026-09-04";
/** Primary IPv4 per month, excl. VAT, as the same page lists it [plans-2026-09]. */
export const PRIMARY_IPV4_MONTHLY_EUR = 0.5;

const EU_GEN1_RETIRED = { deprecatedOn: "2025-10-16", unorderableSince: "2025-12-31", source: "review-2026-12" } as const;
const SHARED_UNORDERABLE = "2026-09-04";

const page = (pageMonthlyEur: number): ServerTypePrice => ({ pageMonthlyEur, includesPrimaryIpv4: true, hourlyEur: null, basis: "transcribed", source: "plans-2026-09" });
const current = (price: ServerTypePrice | null, reportedUnorderableOn?: string): CurrentOffer =>
    reportedUnorderableOn ? { status: "current", price, reportedUnorderableOn } : { status: "current", price };
const retired = (replacement: string): DeprecatedOffer => ({ status: "deprecated", replacement, ...EU_GEN1_RETIRED });

type Row = Omit<ServerTypeSpec, "name" | "specSource"> & { specSource?: ServerTypeSource };
const LINES = {
    cx: { line: "Cost-Optimized", architecture: "x86", cpu: "shared" },
    cax: { line: "Cost-Optimized", architecture: "arm", cpu: "shared" },
    cpx: { line: "Regular Performance", architecture: "x86", cpu: "shared" },
    ccx: { line: "General Purpose", architecture: "x86", cpu: "dedicated" },
} as const;
const row = (family: keyof typeof LINES, vcpu: number, memoryGb: number, diskGb: number, offers: ServerTypeSpec["offers"], specSource?: ServerTypeSource): Row => ({
    ...LINES[family],
    vcpu,
    memoryGb,
    diskGb,
    offers,
    ...(specSource ? { specSource } : {}),
});

const ROWS: Record<string, Row> = {
    // Cost-Optimized, Intel/AMD, generation 3 (EU only).
    cx23: row("cx", 2, 4, 40, { eu: current(page(5.99), SHARED_UNORDERABLE) }),
    cx33: row("cx", 4, 8, 80, { eu: current(page(8.99), SHARED_UNORDERABLE) }),
    cx43: row("cx", 8, 16, 160, { eu: current(page(16.49), SHARED_UNORDERABLE) }),
    cx53: row("cx", 16, 32, 320, { eu: current(page(29.99), SHARED_UNORDERABLE) }),
    // Generation 2, replaced one to one by the cx*3 types of the same size.
    cx22: row("cx", 2, 4, 40, { eu: retired("cx23") }),
    cx32: row("cx", 4, 8, 80, { eu: retired("cx33") }),
    cx42: row("cx", 8, 16, 160, { eu: retired("cx43") }),
    cx52: row("cx", 16, 32, 320, { eu: retired("cx53") }),
    // Cost-Optimized, Ampere arm64 (EU only).
    cax11: row("cax", 2, 4, 40, { eu: current(page(6.49), SHARED_UNORDERABLE) }),
    cax21: row("cax", 4, 8, 80, { eu: current(page(10.99), SHARED_UNORDERABLE) }),
    cax31: row("cax", 8, 16, 160, { eu: current(page(21.49), SHARED_UNORDERABLE) }),
    cax41: row("cax", 16, 32, 320, { eu: current(page(41.49), SHARED_UNORDERABLE) }),
    // Regular Performance, AMD, generation 2 (EU and Singapore; no post-2026-06-15 Singapore price found).
    cpx12: row("cpx", 1, 2, 40, { eu: current(page(11.99)), sin: current(null) }, "bench-2026-07"),
    cpx22: row("cpx", 2, 4, 80, { eu: current(page(19.99)), sin: current(null) }),
    cpx32: row("cpx", 4, 8, 160, { eu: current(page(35.99)), sin: current(null) }),
    cpx42: row("cpx", 8, 16, 320, { eu: current(page(69.99)), sin: current(null) }),
    cpx52: row("cpx", 12, 24, 480, { eu: current(page(100.99)), sin: current(null) }),
    cpx62: row("cpx", 16, 32, 640, { eu: current(page(130.49)), sin: current(null) }),
    // Generation 1: retired in the EU, still the Regular Performance line in the US.
    cpx11: row("cpx", 2, 2, 40, { eu: retired("cpx22"), us: current(page(17.99)) }),
    cpx21: row("cpx", 3, 4, 80, { eu: retired("cpx32"), us: current(page(32.49)) }),
    cpx31: row("cpx", 4, 8, 160, { eu: retired("cpx32"), us: current(page(62.99)) }),
    cpx41: row("cpx", 8, 16, 240, { eu: retired("cpx42"), us: current(page(120.99)) }),
    cpx51: row("cpx", 16, 32, 360, { eu: retired("cpx62"), us: current(page(238.49)) }),
    // General Purpose, dedicated AMD vCPUs, every location (US and Singapore prices after 2026-06-15 not found,
    // except Singapore CCX13).
    ccx13: row("ccx", 2, 8, 80, { eu: current(page(43.49)), us: current(null), sin: current(page(54.49)) }),
    ccx23: row("ccx", 4, 16, 160, { eu: current(page(86.49)), us: current(null), sin: current(null) }),
    ccx33: row("ccx", 8, 32, 240, { eu: current(page(138.99)), us: current(null), sin: current(null) }),
    ccx43: row("ccx", 16, 64, 360, { eu: current(page(276.49)), us: current(null), sin: current(null) }),
    ccx53: row("ccx", 32, 128, 600, { eu: current(page(533.99)), us: current(null), sin: current(null) }),
    ccx63: row("ccx", 48, 192, 960, { eu: current(page(853.99)), us: current(null), sin: current(null) }),
};

/** Every server type the platform knows, by lowercase hcloud name. */
export const SERVER_TYPES: Readonly<Record<string, ServerTypeSpec>> = Object.fromEntries(
    Object.entries(ROWS).map(([name, row]) => [name, { ...row, name, specSource: row.specSource ?? "list-2025-10" }]),
);

/** The location group of an hcloud location, or undefined for a location the table does not cover. */
export function locationGroupOf(location: string): LocationGroup | undefined {
    for (const [group, locations] of Object.entries(LOCATION_GROUPS) as Array<[LocationGroup, readonly string[]]>) {
        if (locations.includes(location)) {
            return group;
        }
    }
    return undefined;
}

/** Types currently sold in a location group, cheapest first (types without a price last, by name). */
export function currentTypesIn(group: LocationGroup): ServerTypeSpec[] {
    const monthly = (t: ServerTypeSpec) => {
        const offer = t.offers[group];
        return offer?.status === "current" && offer.price ? offer.price.pageMonthlyEur : Number.POSITIVE_INFINITY;
    };
    return Object.values(SERVER_TYPES)
        .filter((t) => t.offers[group]?.status === "current")
        .sort((a, b) => monthly(a) - monthly(b) || a.name.localeCompare(b.name));
}

/** Server-only monthly price (without the primary IPv4) of a price figure. */
export function serverOnlyMonthlyEur(price: ServerTypePrice): number {
    return price.includesPrimaryIpv4 ? price.pageMonthlyEur - PRIMARY_IPV4_MONTHLY_EUR : price.pageMonthlyEur;
}

/** Why a stack may not use a server type in its location, with the fix; undefined when it may. */
export interface ServerTypeRejection {
    /** What is wrong. */
    problem: string;
    /** The value to use instead (or where to look). */
    fix: string;
}

/**
 * Checks a configured server type against the table for the stack's location: unknown, deprecated (with the
 * replacement) and not sold there (with what is) are rejected. Pure and offline; whether a current type can
 * be ordered right now is the availability check's question.
 */
export function rejectServerType(serverType: string, location: string): ServerTypeRejection | undefined {
    const group = locationGroupOf(location);
    if (!group) {
        return undefined; // the location itself is rejected by the schema
    }
    const name = serverType.toLowerCase();
    const spec = SERVER_TYPES[name];
    const offered = currentTypesIn(group).map((t) => t.name);
    const sizeOf = (t: ServerTypeSpec) => `${t.vcpu} vCPU, ${t.memoryGb} GB`;
    if (!spec) {
        return {
            problem: `unknown Hetzner Cloud server type "${serverType}" (lib/hetzner/server-types.ts, dated ${SERVER_TYPES_TABLE_DATE})`,
            fix: `use a type sold in ${location}: ${offered.join(", ")}`,
        };
    }
    const offer = spec.offers[group];
    if (offer?.status === "deprecated") {
        const replacement = SERVER_TYPES[offer.replacement]!;
        return {
            problem: `server type ${name} is deprecated in ${location} since ${offer.deprecatedOn} and cannot be ordered since ${offer.unorderableSince}`,
            fix: `serverType: ${replacement.name}   # ${sizeOf(replacement)}, ${replacement.diskGb} GB (was ${sizeOf(spec)})`,
        };
    }
    if (!offer) {
        return {
            problem: `server type ${name} is not sold in ${location}`,
            fix: `use a type sold in ${location}: ${offered.join(", ")}`,
        };
    }
    return undefined;
}
