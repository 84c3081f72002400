import { GUARD_ENV } from "../../components/nodes/disruption-guard";

/**
 * Compares two offline plans of one stack (before and after a config change), resource by URN: what a
 * `pulumi preview` would add, remove, update or replace, as far as the plans show it. Secret inputs are
 * `"[secret]"` in both plans, so a change inside them is not visible; a replacement is recognised from the
 * resource's own `replaceOnChanges` (the program's declaration, and @pulumi/command's `triggers[*]`), not
 * from provider schemas.
 */

/** The parts of a planned or written resource the comparison reads. */
export interface ComparableResource {
    urn: string;
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    replaceOnChanges?: string[];
}

/** One resource that exists in both plans with different inputs. */
export interface ResourceChange {
    urn: string;
    type: string;
    name: string;
    /** Top-level input keys whose value differs. */
    changedInputs: string[];
    /** Changed inputs named by `replaceOnChanges`: non-empty means the resource is replaced. */
    replacedBy: string[];
    /** Every changed leaf path (`spec.replicas`, `spec.template.spec.containers[0].image`), sorted. */
    changedPaths: string[];
}

/** The difference between two plans. */
export interface PlanComparison {
    /** URNs only in the later plan. */
    added: string[];
    /** URNs only in the earlier plan. */
    removed: string[];
    /** Resources in both with changed inputs. */
    changed: ResourceChange[];
}

/** The top-level input a `replaceOnChanges` path names (`triggers[*]` → `triggers`, `a.b` → `a`). */
function topLevelKey(path: string): string {
    return path.split(/[.[]/)[0]!;
}

/** Compares the plans; resources are matched by URN. */
export function comparePlans(before: readonly ComparableResource[], after: readonly ComparableResource[]): PlanComparison {
    const earlier = new Map(before.map((r) => [r.urn, r]));
    const later = new Map(after.map((r) => [r.urn, r]));
    const changed: ResourceChange[] = [];
    for (const resource of after) {
        const old = earlier.get(resource.urn);
        if (!old) {
            continue;
        }
        const keys = [...new Set([...Object.keys(old.inputs), ...Object.keys(resource.inputs)])].sort();
        const changedInputs = keys.filter((k) => JSON.stringify(old.inputs[k]) !== JSON.stringify(resource.inputs[k]));
        if (changedInputs.length === 0) {
            continue;
        }
        const replaceKeys = (resource.replaceOnChanges ?? []).map(topLevelKey);
        const replacedBy = replaceKeys.includes("*") ? changedInputs : changedInputs.filter((k) => replaceKeys.includes(k));
        changed.push({ urn: resource.urn, type: resource.type, name: resource.name, changedInputs, replacedBy, changedPaths: changedPaths(old.inputs, resource.inputs) });
    }
    return {
        added: after.filter((r) => !earlier.has(r.urn)).map((r) => r.urn),
        removed: before.filter((r) => !later.has(r.urn)).map((r) => r.urn),
        changed,
    };
}

/**
 * The paths at which two values differ, down to the leaves: objects key by key, arrays of equal length element
 * by element; an array whose length changed, or a value whose type changed, is one path.
 */
export function changedPaths(before: unknown, after: unknown, prefix = ""): string[] {
    if (JSON.stringify(before) === JSON.stringify(after)) {
        return [];
    }
    const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => changedPaths(before[key], after[key], prefix === "" ? key : `${prefix}.${key}`));
    }
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
        return before.flatMap((item, index) => changedPaths(item, after[index], `${prefix}[${index}]`));
    }
    return [prefix === "" ? "(root)" : prefix];
}

/** A node whose disruptive settings change between two plans: its guard refuses without `platform:allowDisruptive`. */
export interface NodeDisruption {
    /** Node hostname. */
    node: string;
    /** Settings before. */
    before: string;
    /** Settings after. */
    after: string;
}

/** The nodes a change would resize or reinstall (from their disruption guards' settings). */
export function disruptedNodes(before: readonly ComparableResource[], after: readonly ComparableResource[]): NodeDisruption[] {
    const settingsOf = (r: ComparableResource) => (r.inputs.environment as Record<string, string> | undefined)?.[GUARD_ENV.settings];
    const earlier = new Map(before.filter((r) => r.name.endsWith("-disruption-guard")).map((r) => [r.urn, r]));
    return after
        .filter((r) => r.name.endsWith("-disruption-guard") && earlier.has(r.urn))
        .filter((r) => settingsOf(earlier.get(r.urn)!) !== settingsOf(r))
        .map((r) => ({
            node: (r.inputs.environment as Record<string, string>)[GUARD_ENV.node]!,
            before: settingsOf(earlier.get(r.urn)!) ?? "",
            after: settingsOf(r) ?? "",
        }));
}
