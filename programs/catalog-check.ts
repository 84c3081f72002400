import { parsePlatformConfig } from "../lib/config/load";
import type { PlatformConfig } from "../lib/config/schema";
import { catalogDirectory, otherStackDomains, validateTenantDocuments, type TenantProject } from "../lib/tenants/load";
import { readCatalogDirectory } from "../lib/tenants/read";
import { resourceCollisions } from "../components/project/urns";
import { longhornReplicaCount } from "../components/longhorn/values";
import { capacityCheck } from "../lib/tenants/capacity";
import { bucketCapacityCheck } from "../components/minio/values";
import { budgetFloorCheck } from "../lib/cost/project";

/**
 * The region's catalog check: everything that needs the whole catalog at once (unique ids, names, hosts and
 * bucket names, custom domains against every platform domain, grants, per-tenant limits, resource-name
 * collisions), run before any stack of the region. The offline plan and the deploy driver call it first; the
 * platform program runs it on its own catalog. A tenant stack then validates only its own file (and its
 * secrets, which only it holds) against the contract.
 */

/** The validated region: its platform configuration and its tenant catalog. */
export interface CheckedRegion {
    /** Region (platform stack) name. */
    region: string;
    /** The validated plain configuration of `Pulumi.<region>.yaml`. */
    config: PlatformConfig;
    /** Every tenant project of `stacks/<region>/projects/`, validated together. */
    tenants: TenantProject[];
}

/** Where the check reads from. */
export interface CatalogCheckInput {
    /** Region (platform stack) name. */
    region: string;
    /** The raw `Pulumi.<region>.yaml` config, flat `namespace:key → string` as Pulumi hands it to a program. */
    rawConfig: Readonly<Record<string, string>>;
    /** Directory holding `Pulumi.<stack>.yaml` files (the other stacks' domains are read from there). */
    stackDir: string;
    /** Root of `stacks/<region>/projects/` (defaults to `stackDir`). */
    catalogRoot?: string;
    /**
     * Secret names per project id, when the caller holds them (tests and the bench); without them the secrets
     * are left to each tenant stack, the only place their values live.
     */
    secretNames?: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Validates the region's config and whole catalog; throws `InputValidationError` with every problem (file,
 * key, fix) and registers nothing.
 */
export function checkRegionCatalog(input: CatalogCheckInput): CheckedRegion {
    const { config } = parsePlatformConfig(input.rawConfig, `Pulumi.${input.region}.yaml`);
    return { region: input.region, config, tenants: checkCatalogAgainst(config, input) };
}

/**
 * Catalogs this process checked, by everything the check read (config, region, the files' names and texts, the
 * other stacks' domains, the secret names), with the projects it found. The offline region plan runs the catalog
 * check first and the platform program runs it again on the same bytes: the second answer is the first's, as a
 * copy (its share of a 1,000-tenant plan was ~4% of the CPU). A failed check is not kept: it throws every time.
 * `PLATFORM_OFFLINE_SHORTCUTS=0` checks every time.
 */
const checkedCatalogs = new Map<string, TenantProject[]>();

/** The most catalogs {@link checkedCatalogs} keeps (a region plan needs one; a test process plans several regions). */
const CHECKED_CATALOGS_KEPT = 4;

/** The catalog part of {@link checkRegionCatalog}, against an already validated config. */
export function checkCatalogAgainst(config: PlatformConfig, input: Omit<CatalogCheckInput, "rawConfig">): TenantProject[] {
    const rootDir = input.catalogRoot ?? input.stackDir;
    const reads = readCatalogDirectory(catalogDirectory(rootDir, input.region), rootDir);
    const others = otherStackDomains(input.stackDir, input.region);
    const remember = process.env.PLATFORM_OFFLINE_SHORTCUTS !== "0";
    const key = remember
        ? JSON.stringify([config, input.region, reads, others, input.secretNames ? [...input.secretNames].map(([id, names]) => [id, [...names]]) : null])
        : "";
    const known = remember ? checkedCatalogs.get(key) : undefined;
    if (known) {
        return structuredClone(known);
    }
    const documents = reads.filter((r): r is { file: string; text: string } => "text" in r);
    const refused = reads.flatMap((r) => ("problem" in r ? [r.problem] : []));
    const projects = validateTenantDocuments(
        documents,
        {
            stack: input.region,
            config,
            ...(input.secretNames ? { secretNames: input.secretNames } : {}),
            otherStackDomains: others,
            catalogChecks: [resourceCollisions(config), capacityCheck(config, { stack: input.region, storageReplicas: longhornReplicaCount(config) }), bucketCapacityCheck(config, `Pulumi.${input.region}.yaml`), budgetFloorCheck(config, longhornReplicaCount(config))],
        },
        refused,
    );
    if (remember) {
        if (checkedCatalogs.size >= CHECKED_CATALOGS_KEPT) {
            checkedCatalogs.delete(checkedCatalogs.keys().next().value!);
        }
        checkedCatalogs.set(key, structuredClone(projects));
    }
    return projects;
}
