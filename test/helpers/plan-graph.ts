import type { WrittenResource } from "./plans";

/**
 * The wait relation of a written plan, as the engine orders creates (and as tools/offline/critical-path.ts
 * models them): a resource waits for its dependencies, its provider, and whatever its ancestors wait for
 * (a component's `dependsOn` gates its children); waiting is transitive.
 */
export class PlanGraph {
    readonly byUrn: ReadonlyMap<string, WrittenResource>;
    private readonly closures = new Map<string, ReadonlySet<string>>();

    constructor(readonly resources: readonly WrittenResource[]) {
        this.byUrn = new Map(resources.map((r) => [r.urn, r]));
    }

    /** Direct waits of a resource: dependencies, provider, and the parent's waits (not the parent itself). */
    private direct(r: WrittenResource): string[] {
        const out = [...r.dependencies];
        const provider = (r as WrittenResource & { provider?: string }).provider;
        if (provider) {
            out.push(provider.slice(0, provider.lastIndexOf("::")));
        }
        return out.filter((u) => this.byUrn.has(u) && !this.isAncestor(u, r));
    }

    private isAncestor(candidate: string, r: WrittenResource): boolean {
        for (let p = r.parent; p; p = this.byUrn.get(p)?.parent) {
            if (p === candidate) {
                return true;
            }
        }
        return false;
    }

    /** Every resource `urn` waits for, transitively (ancestors' waits included). */
    waitsFor(urn: string): ReadonlySet<string> {
        const cached = this.closures.get(urn);
        if (cached) {
            return cached;
        }
        const seen = new Set<string>();
        const stack = [urn];
        while (stack.length > 0) {
            const u = stack.pop()!;
            const r = this.byUrn.get(u);
            if (!r) {
                continue;
            }
            for (const d of this.direct(r)) {
                if (!seen.has(d)) {
                    seen.add(d);
                    stack.push(d);
                }
            }
            if (r.parent && this.byUrn.has(r.parent)) {
                stack.push(r.parent);
            }
        }
        seen.delete(urn);
        this.closures.set(urn, seen);
        return seen;
    }

    /** Whether `urn` waits for `other`. */
    waits(urn: string, other: string): boolean {
        return this.waitsFor(urn).has(other);
    }

    /** Descendants of a component (children, grandchildren, ...). */
    descendants(urn: string): WrittenResource[] {
        return this.resources.filter((r) => this.isAncestor(urn, r));
    }

    /** What anything inside a component waits for outside it. */
    externalWaits(urn: string): Set<string> {
        const inside = new Set([urn, ...this.descendants(urn).map((r) => r.urn)]);
        const out = new Set<string>();
        for (const member of inside) {
            for (const w of this.waitsFor(member)) {
                if (!inside.has(w)) {
                    out.add(w);
                }
            }
        }
        return out;
    }

    /** The top-level component a resource belongs to (itself when top level; the stack does not count). */
    topLevel(r: WrittenResource): WrittenResource {
        let at = r;
        while (at.parent && this.byUrn.has(at.parent) && this.byUrn.get(at.parent)!.type !== "pulumi:pulumi:Stack") {
            at = this.byUrn.get(at.parent)!;
        }
        return at;
    }
}
