import { afterEach, describe, expect, it } from "vitest";
import { projectResourceKeys, RESOURCE_KEYS_KIND, resourceCollisions } from "../../../components/project/urns";
import { useDerivedStore } from "../../../lib/derived-store";
import { exampleTenants, stackPlatformConfig } from "./fixtures";
import { plannedTenants, readGrantsPlan, readTenantPlan, STACKS } from "../../helpers/plans";
import { PROJECT_GRANTS_TYPE, TENANT_PROJECT_TYPE } from "../../../lib/conventions";

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

// Issue 19 leftover 3: the keys are the URNs (below `urn:pulumi:<stack>::<project>::`) the shipped stacks' plans register,
// the Redis and bucket passwords under ProjectGrants (the grants stack), the database's under Project (the app stack).
describe("projectResourceKeys against the shipped plans", () => {
    const OWNERS = [TENANT_PROJECT_TYPE, PROJECT_GRANTS_TYPE];
    const keyOf = (urn: string) => urn.split("::").slice(2).join("::");
    const isProjectResource = (key: string) => OWNERS.some((type) => key.startsWith(`${type}$`) || key === `pulumi:pulumi:Stack$${type}::${key.split("::")[1]}`);

    it.each(STACKS.flatMap((stack) => plannedTenants(stack).map((id) => [stack, id] as const)))("%s/%s: every key the Project and ProjectGrants register, and no other", (stack, id) => {
        const tenant = exampleTenants(stack).find((t) => t.spec.id === id)!;
        const planned = [...readGrantsPlan(stack, id).resources, ...readTenantPlan(stack, id).resources].map((r) => keyOf(r.urn)).filter(isProjectResource);
        expect(new Set(planned).size).toBe(planned.length);
        expect([...projectResourceKeys(tenant.spec, stackPlatformConfig(stack))].sort()).toEqual(planned.sort());
    });

    it("puts the Redis passwords in the grants stack and the database's in the app stack (caracal, fsn1)", () => {
        const grants = readGrantsPlan("fsn1", "caracal").resources.map((r) => keyOf(r.urn));
        const app = readTenantPlan("fsn1", "caracal").resources.map((r) => keyOf(r.urn));
        for (const user of ["operator", "app", "exporter"]) {
            expect(grants).toContain(`platform:project:ProjectGrants$random:index/randomPassword:RandomPassword::caracal-redis-${user}-password`);
        }
        expect(app).toContain("platform:project:Project$random:index/randomPassword:RandomPassword::caracal-database-password");
        const keys = projectResourceKeys(exampleTenants("fsn1").find((t) => t.spec.id === "caracal")!.spec, stackPlatformConfig("fsn1"));
        expect(keys).toContain("platform:project:ProjectGrants$random:index/randomPassword:RandomPassword::caracal-redis-app-password");
        expect(keys).not.toContain("platform:project:Project$random:index/randomPassword:RandomPassword::caracal-redis-app-password");
    });
});
