/**
 * Which stacks a pull request (or a push) touches, from the files it changes: a tenant file touches that tenant's
 * stack; a region's stack config touches its platform and every tenant of it; program code touches every stack
 * of every region; documentation, tests and offline tooling touch none. A path no rule knows touches everything:
 * a missed preview is worse than a superfluous one. Pure: the caller reads the diff and the files (tools/ci-select.ts).
 */

import { labelPattern, PROJECT_NAME_MAX } from "../../lib/tenants/names";

/** One changed file of the diff (`git diff --name-status`). */
export interface FileChange {
    /** `A` added, `M` modified, `D` deleted, `R` renamed (or moved), `C` copied, `T` type changed. */
    status: "A" | "M" | "D" | "R" | "C" | "T";
    /** Path after the change (for `D`: the deleted path). */
    path: string;
    /** Path before a rename or copy. */
    from?: string;
}

/** Reads the project id of a tenant file on one side of the diff (undefined when it cannot be read). */
export type TenantIdReader = (side: "base" | "head", path: string) => string | undefined;

/** What one region's run must cover. */
export interface RegionSelection {
    /** The region (`Pulumi.<region>.yaml`). */
    region: string;
    /** `all`: the platform and every tenant (`--all`); `tenants`: only {@link tenants} (`--tenant`). */
    scope: "all" | "tenants";
    /** Tenant ids to run (scope `tenants`), sorted. */
    tenants: string[];
    /** Tenant ids whose file the change removes: their stacks become pending deletion, nothing runs for them. */
    removed: string[];
    /** Why, one line per rule that fired. */
    reasons: string[];
}

/** One entry of the workflow's job matrix. */
export interface MatrixEntry {
    /** Region. */
    stack: string;
    /** The driver's selection arguments (`--all` or `--tenant a --tenant b`). */
    selection: string;
}

/** The whole result. */
export interface ChangeSelection {
    /** Regions that need a run, sorted. */
    regions: RegionSelection[];
    /** Files that touch no stack. */
    ignored: string[];
}

// Program input: code and data the platform or tenant program, the policy pack or the driver itself reads.
const PROGRAM_PATHS: readonly RegExp[] = [
    /^index\.ts$/,
    /^Pulumi\.yaml$/,
    /^programs\//,
    /^components\//,
    /^lib\//,
    /^charts\//,
    /^policy\//,
    /^package(-lock)?\.json$/,
    /^tsconfig\.json$/,
    /^tools\/deploy\.ts$/,
    /^tools\/driver\//,
];

// Nothing a stack reads: docs, tests and their fixtures, the offline tooling, CI plumbing.
const NO_STACK_PATHS: readonly RegExp[] = [
    /\.md$/,
    /^test\//,
    /^\.ci\//,
    /^\.github\//,
    /^\.gitignore$/,
    /^tools\/(offline|cost|render|logs)\//,
    /^tools\/(plan|bench|mutation|render-charts|ci-select|logs)\.ts$/,
    /^stryker\.config\.mjs$/,
    /^vitest(\.[a-z]+)?\.config\.mts$/,
    /^LICENSE$/,
];

// Region names and tenant ids reach a shell command line in the workflow: only these characters pass.
const STACK_CONFIG = /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/;
const TENANT_FILE = /^stacks\/([A-Za-z0-9_.-]+)\/projects\/([^/]+)\.ya?ml$/;
const TENANT_ID = labelPattern(PROJECT_NAME_MAX);

/**
 * The stacks the changes touch.
 *
 * @param changes the diff
 * @param regions the regions that exist (`Pulumi.<region>.yaml` at the head)
 * @param readId reads a tenant file's project id (`id`, else `name`) on either side
 */
export function selectChangedStacks(changes: readonly FileChange[], regions: readonly string[], readId: TenantIdReader): ChangeSelection {
    const known = new Set(regions);
    const byRegion = new Map<string, { all: boolean; tenants: Set<string>; removed: Set<string>; reasons: string[] }>();
    const entry = (region: string) => {
        let e = byRegion.get(region);
        if (!e) {
            e = { all: false, tenants: new Set(), removed: new Set(), reasons: [] };
            byRegion.set(region, e);
        }
        return e;
    };
    const everything = (reason: string) => {
        for (const region of regions) {
            const e = entry(region);
            e.all = true;
            e.reasons.push(reason);
        }
    };
    const ignored: string[] = [];
    const tenantSide = (side: "base" | "head", file: string): { region: string; id: string } | undefined => {
        const match = TENANT_FILE.exec(file);
        if (!match) {
            return undefined;
        }
        // A file that cannot be read (or parsed) still names its tenant: the file name is the id's default.
        return { region: match[1]!, id: readId(side, file) ?? match[2]! };
    };
    // A tenant file whose id is no valid id cannot name a stack (and must not reach a command line): its region
    // runs whole, and the catalog check there reports the file.
    const validOr = (side: { region: string; id: string } | undefined, file: string): { region: string; id: string } | undefined => {
        if (side && !TENANT_ID.test(side.id) && known.has(side.region)) {
            const e = entry(side.region);
            e.all = true;
            e.reasons.push(`${file}: its id is not a valid project id, so every stack of ${side.region} (the catalog check reports the file)`);
            return undefined;
        }
        return side;
    };

    for (const change of changes) {
        const paths = change.from !== undefined && change.from !== change.path ? [change.from, change.path] : [change.path];
        let matched = false;
        for (const file of paths) {
            const isOld = file === change.from && change.from !== change.path;
            const stackConfig = STACK_CONFIG.exec(file);
            if (stackConfig) {
                matched = true;
                const region = stackConfig[1]!;
                if (known.has(region)) {
                    const e = entry(region);
                    e.all = true;
                    e.reasons.push(`${file} changed: the platform stack and every tenant of ${region}`);
                } else {
                    ignored.push(file); // a removed region: nothing left to preview
                }
                continue;
            }
            if (TENANT_FILE.test(file)) {
                matched = true;
                const gone = change.status === "D" || (isOld && change.status === "R");
                const before = change.status === "A" || (change.status === "C" && !isOld) || (change.status === "R" && !isOld) ? undefined : validOr(tenantSide("base", file), file);
                const after = gone ? undefined : validOr(tenantSide("head", file), file);
                for (const side of [before, after]) {
                    if (side && !known.has(side.region)) {
                        ignored.push(file);
                    }
                }
                if (after && known.has(after.region)) {
                    const e = entry(after.region);
                    e.tenants.add(after.id);
                    e.reasons.push(`${file}: tenant ${after.id}`);
                }
                // The id (or the file) moved away: the old id's stack has no file any more.
                if (before && known.has(before.region) && (after === undefined || after.id !== before.id || after.region !== before.region)) {
                    const e = entry(before.region);
                    e.removed.add(before.id);
                    e.reasons.push(`${file}: tenant ${before.id} removed (its stack becomes pending deletion)`);
                }
                continue;
            }
            if (PROGRAM_PATHS.some((pattern) => pattern.test(file))) {
                matched = true;
                everything(`${file}: program code, every stack`);
                continue;
            }
            if (NO_STACK_PATHS.some((pattern) => pattern.test(file))) {
                matched = true;
                ignored.push(file);
                continue;
            }
        }
        if (!matched) {
            everything(`${change.path}: no rule knows this path, so every stack (add it to tools/driver/changes.ts)`);
        }
    }

    const out: RegionSelection[] = [];
    for (const region of [...byRegion.keys()].sort()) {
        const e = byRegion.get(region)!;
        const removed = [...e.removed].filter((id) => !e.tenants.has(id)).sort();
        if (!e.all && e.tenants.size === 0 && removed.length === 0) {
            continue;
        }
        out.push({ region, scope: e.all ? "all" : "tenants", tenants: e.all ? [] : [...e.tenants].sort(), removed, reasons: [...new Set(e.reasons)] });
    }
    return { regions: out, ignored: [...new Set(ignored)].sort() };
}

/**
 * The workflow's job matrix: one entry per region that has a stack to run. A region whose only change removes
 * tenant files runs no stack (the next full run lists them as pending deletion).
 *
 * @param selection what {@link selectChangedStacks} returned
 */
export function previewMatrix(selection: ChangeSelection): MatrixEntry[] {
    return selection.regions
        .filter((r) => r.scope === "all" || r.tenants.length > 0)
        .map((r) => ({ stack: r.region, selection: r.scope === "all" ? "--all" : r.tenants.map((id) => `--tenant ${id}`).join(" ") }));
}
