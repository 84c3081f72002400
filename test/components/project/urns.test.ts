import { afterEach, describe, expect, it } from "vitest";
import { projectResourceKeys, RESOURCE_KEYS_KIND, resourceCollisions } from "../../../components/project/urns";
import { useDerivedStore } from "../../../lib/derived-store";
import { exampleTenants, stackPlatformConfig } from "./fixtures";

const config = stackPlatformConfig("dev");

/** A store that records what is asked and kept (the offline plan's content cache, in memory). */
function memoryStore() {
    const values = new Map<string, unknown>();
    const asked: string[] = [];
    useDerivedStore({
        // Only the resource keys: the tenant files' parses are not what these tests are about.
        get: (kind, text) => {
            if (kind !== RESOURCE_KEYS_KIND) return undefined;
            asked.push(kind);
            return values.get(text);
        },
        set: (kind, text, value) => {
            if (kind === RESOURCE_KEYS_KIND) values.set(text, value);
        },
    });
    return { values, asked };
}

describe("resource collisions with a derived store", () => {
    afterEach(() => useDerivedStore(undefined));

    it("keeps each project's keys and answers them again while spec and config are unchanged", () => {
        const store = memoryStore();
        const tenants = exampleTenants("dev");
        expect(resourceCollisions(config)(tenants)).toEqual([]);
        expect(store.values.size).toBe(tenants.length);
        expect([...store.values.values()]).toEqual(tenants.map((t) => projectResourceKeys(t.spec, config)));
        // Doctored stored keys are what the check reads: two projects now share one key and are refused.
        for (const key of store.values.keys()) store.values.set(key, ["platform:project:Project$same::key"]);
        const problems = resourceCollisions(config)(tenants);
        expect(problems).toHaveLength(1);
        expect(problems[0]!.problem).toMatch(/would both register/);
        expect(store.asked.length).toBe(2 * tenants.length);
    });

    it("renders a project again when its spec or the config changes", () => {
        const store = memoryStore();
        const tenants = exampleTenants("dev");
        resourceCollisions(config)(tenants);
        for (const key of store.values.keys()) store.values.set(key, ["platform:project:Project$same::key"]);
        // Another config (its domain): nothing stored for it, every project rendered again, no collision.
        expect(resourceCollisions({ ...config, domain: "other.example.com" })(tenants)).toEqual([]);
        // A changed spec: rendered again, so the doctored entry of the unchanged spec is not read for it.
        const renamed = tenants.map((t) => ({ ...t, spec: { ...t.spec, owner: { ...t.spec.owner, name: `${t.spec.owner.name} (renamed)` } } }));
        expect(resourceCollisions(config)(renamed)).toEqual([]);
    });
});
