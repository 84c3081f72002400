/**
 * Which stacks a region has and which of them a run touches: the region's platform stack and one stack per tenant
 * (named from the region and the tenant's stable id), the catalog check that runs before any of them, and the
 * tenant stacks that exist in the backend but have no tenant file any more ("pending deletion").
 *
 * Pure apart from {@link RegionLayout}'s file paths: the orchestration hands in the catalog and the backend's
 * stack list, so the selection is tested without a CLI.
 */
import * as path from "node:path";
import type { Subcommand } from "./args";
import { grantsStackName, parseGrantsStackName, parseTenantStackName, platformStackName, tenantStackName } from "../../lib/stacks/naming";

/** A tenant of the region's catalog, as the catalog check reports it. */
export interface CatalogTenant {
    /** Stable project id (`id` of the tenant file, default its `name`): names the tenant stack. */
    id: string;
    /** The tenant file, relative to the repository root. */
    file: string;
}

/** Result of the catalog check over every tenant file of a region. */
export interface CatalogResult {
    /** Every tenant of the catalog (empty when the check failed before reading them). */
    tenants: CatalogTenant[];
    /** Problems found over the whole catalog (unique ids, hosts, bucket names, quota totals...), one sentence each. */
    problems: string[];
}

/** Checks a region's whole catalog before any stack runs. */
export type CatalogCheck = (repoRoot: string, region: string) => CatalogResult | Promise<CatalogResult>;

/** One stack the driver can run. */
export interface StackTarget {
    /**
     * `platform` for the region's platform stack, `grants` for a tenant's grants stack (`<region>--<id>--grants`,
     * platform-owned, run with the admin credential before the app stack), `tenant` for its app stack.
     */
    role: "platform" | "grants" | "tenant";
    /** Tenant id (grants and app stacks). */
    tenant?: string;
    /** The Pulumi stack name. */
    stackName: string;
    /** The Pulumi project directory the stack's program lives in. */
    workDir: string;
}

/** Where a region's stacks live and how tenant stacks are named. */
export interface RegionLayout {
    /**
     * The platform stack of a region.
     *
     * @param region the region (the `--stack` argument)
     */
    platform(region: string): StackTarget;
    /**
     * The stack of one tenant.
     *
     * @param region the region
     * @param id the tenant's stable id
     */
    tenant(region: string, id: string): StackTarget;
    /**
     * The tenant id a stack name belongs to in this region, or undefined when it is not one of its tenant stacks.
     *
     * @param region the region
     * @param stackName a stack name as the backend lists it (possibly qualified `org/project/stack`)
     */
    tenantIdOf(region: string, stackName: string): string | undefined;
    /** Directory of the tenant program (where the backend's tenant stacks are listed). */
    tenantWorkDir: string;
    /**
     * The grants stack of one tenant (programs/grants): the platform-owned part of the project.
     *
     * @param region the region
     * @param id the tenant's stable id
     */
    grants(region: string, id: string): StackTarget;
    /**
     * The tenant id a grants stack name belongs to in this region, or undefined when it is not one of its grants stacks.
     *
     * @param region the region
     * @param stackName a stack name as the backend lists it
     */
    grantsIdOf(region: string, stackName: string): string | undefined;
    /** Directory of the grants program (where the backend's grants stacks are listed). */
    grantsWorkDir: string;
}

/**
 * The repository's layout: the platform program at the root's `Pulumi.yaml`, the tenant program in
 * `programs/tenant/`; stack names from lib/stacks/naming.ts (`<region>` and `<region>--<id>`).
 *
 * @param repoRoot absolute path of the repository
 */
export function repositoryLayout(repoRoot: string): RegionLayout {
    const tenantWorkDir = path.join(repoRoot, "programs", "tenant");
    const grantsWorkDir = path.join(repoRoot, "programs", "grants");
    return {
        tenantWorkDir,
        grantsWorkDir,
        grants: (region, id) => ({ role: "grants", tenant: id, stackName: grantsStackName(region, id), workDir: grantsWorkDir }),
        grantsIdOf: (region, stackName) => {
            const parsed = parseGrantsStackName(stackName);
            return parsed?.region === region ? parsed.id : undefined;
        },
        platform: (region) => ({ role: "platform", stackName: platformStackName(region), workDir: repoRoot }),
        tenant: (region, id) => ({ role: "tenant", tenant: id, stackName: tenantStackName(region, id), workDir: tenantWorkDir }),
        tenantIdOf: (region, stackName) => {
            const parsed = parseTenantStackName(stackName);
            return parsed?.region === region ? parsed.id : undefined;
        },
    };
}

/** What a run does with the platform stack. */
export type PlatformStep =
    /** Not touched. */
    | "none"
    /** The subcommand itself runs on it. */
    | "run"
    /** `up` with tenants: a preview first; the update only when it proposes changes. */
    | "up-if-changed";

/** The stacks one run touches, in the order they run. */
export interface RunSelection {
    /** What happens to the platform stack. */
    platform: PlatformStep;
    /** True when the platform runs after the tenants (destroy), else before. */
    platformLast: boolean;
    /** Tenant ids to run, in catalog order (pending-deletion ids for destroy). */
    tenants: string[];
    /** Tenants with a grants or app stack in the backend but no tenant file, sorted. Listed, never run unless destroyed by name. */
    pendingDeletion: string[];
}

/** What the command line asked for. */
export interface SelectionRequest {
    /** The subcommand. */
    command: Subcommand;
    /** `--tenant` ids (empty: none named). */
    tenants: readonly string[];
    /** `--all`. */
    all: boolean;
}

/**
 * Decides which stacks run. No selection: the platform stack alone (today's single-stack behaviour). `--tenant`:
 * those tenants; `up` also previews the platform first and updates it when it changed, so a tenant never deploys
 * against a platform that is behind its own program. `--all`: the platform, then every tenant of the catalog
 * (destroy: every tenant stack of the region, then the platform). Throws with a message naming the fix when a
 * `--tenant` is not in the catalog, or when destroy would remove data nobody decommissioned.
 *
 * @param request the command line's selection
 * @param catalog ids of the region's tenant files, in catalog order
 * @param existingApps tenant ids that have an app stack in the backend
 * @param region the region, for messages
 * @param existingGrants tenant ids that have a grants stack in the backend (a tenant with either has a stack)
 */
export function selectStacks(request: SelectionRequest, catalog: readonly string[], existingApps: readonly string[], region: string, existingGrants: readonly string[] = []): RunSelection {
    const existing = [...new Set([...existingApps, ...existingGrants])];
    const inCatalog = new Set(catalog);
    const pendingDeletion = [...new Set(existing.filter((id) => !inCatalog.has(id)))].sort();
    const destroy = request.command === "destroy";
    if (request.all) {
        // Destroying a region removes every tenant stack it has, files or not; other commands run the catalog.
        const tenants = destroy ? [...catalog.filter((id) => existing.includes(id)), ...pendingDeletion] : [...catalog];
        return { platform: "run", platformLast: destroy, tenants, pendingDeletion };
    }
    if (request.tenants.length === 0) {
        if (destroy && existing.length > 0) {
            throw new Error(
                `stack ${region} still has ${existing.length} tenant stack(s) (${[...existing].sort().join(", ")}): destroying the platform would strand them. ` +
                    `Destroy the whole region with --all, or the tenants first.`,
            );
        }
        return { platform: "run", platformLast: false, tenants: [], pendingDeletion };
    }
    const problems: string[] = [];
    for (const id of request.tenants) {
        if (destroy) {
            if (inCatalog.has(id)) {
                problems.push(
                    `tenant ${id} still has a tenant file: a tenant stack is destroyed only after its decommission. Remove (or decommission) its file first; its stack is then pending deletion.`,
                );
            } else if (!existing.includes(id)) {
                problems.push(`tenant ${id} has no stack in region ${region}${pendingDeletion.length > 0 ? `; pending deletion: ${pendingDeletion.join(", ")}` : ""}.`);
            }
        } else if (!inCatalog.has(id)) {
            const hint = pendingDeletion.includes(id) ? " (its stack is pending deletion: the tenant file was removed)" : "";
            problems.push(`tenant ${id} is not in the catalog of region ${region}${hint}; tenants: ${catalog.join(", ") || "(none)"}.`);
        }
    }
    if (problems.length > 0) {
        throw new Error(problems.join("\n"));
    }
    const named = new Set(request.tenants);
    const tenants = destroy ? pendingDeletion.filter((id) => named.has(id)) : catalog.filter((id) => named.has(id));
    return { platform: request.command === "up" ? "up-if-changed" : "none", platformLast: false, tenants, pendingDeletion };
}
