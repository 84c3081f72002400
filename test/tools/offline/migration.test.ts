import { describe, expect, it } from "vitest";
import { checkMigration, migrationCommands, migrationResources, owningProject, urnKey } from "../../../tools/offline/migration";

const PROJECT = "platform:project:Project";
const res = (stack: string, project: string, chain: string, name: string, inputs: unknown = {}, parent?: string) => ({
    urn: `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack$${chain}::${name}`,
    type: chain.split("$").pop()!,
    inputs,
    ...(parent ? { parent } : {}),
});
const single = [
    res("dev", "platform", "pulumi:pulumi:Stack", "platform-dev"),
    res("dev", "platform", "platform:mesh:Mesh", "mesh"),
    res("dev", "platform", PROJECT, "shop"),
    res("dev", "platform", `${PROJECT}$kubernetes:core/v1:Namespace`, "shop-namespace-shop", { metadata: { name: "shop" } }, `urn:pulumi:dev::platform::pulumi:pulumi:Stack$${PROJECT}::shop`),
];
const platform = [res("dev", "platform", "pulumi:pulumi:Stack", "platform-dev"), res("dev", "platform", "platform:mesh:Mesh", "mesh")];
const tenant = (inputs: unknown = { metadata: { name: "shop" } }) => [
    res("dev--shop", "platform-tenant", "pulumi:pulumi:Stack", "platform-tenant-dev--shop"),
    res("dev--shop", "platform-tenant", "pulumi:providers:kubernetes", "cluster"),
    res("dev--shop", "platform-tenant", PROJECT, "shop"),
    res("dev--shop", "platform-tenant", `${PROJECT}$kubernetes:core/v1:Namespace`, "shop-namespace-shop", inputs, `urn:pulumi:dev--shop::platform-tenant::pulumi:pulumi:Stack$${PROJECT}::shop`),
];

describe("migration from the single-stack layout", () => {
    it("keys a URN by its type chain and name, without stack, project and root stack", () => {
        expect(urnKey("urn:pulumi:dev::platform::pulumi:pulumi:Stack$platform:project:Project$kubernetes:core/v1:Namespace::shop-namespace-shop")).toBe(
            "platform:project:Project$kubernetes:core/v1:Namespace::shop-namespace-shop",
        );
        expect(urnKey("urn:pulumi:dev--shop::platform-tenant::platform:project:Project::shop")).toBe("platform:project:Project::shop");
        expect(() => urnKey("shop")).toThrow(/not a Pulumi URN/);
    });

    it("assigns a resource to the project whose Project it descends from", () => {
        const resources = migrationResources(single);
        const byKey = new Map(resources.map((r) => [r.key, r]));
        expect(resources.map((r) => owningProject(r, byKey))).toEqual([undefined, "shop", "shop"]);
    });

    it("is one-to-one when every resource is in its new stack with the same inputs", () => {
        const check = checkMigration(migrationResources(single), migrationResources(platform), { shop: migrationResources(tenant()) });
        expect(check).toEqual({ moves: [{ id: "shop", resources: 2 }], stays: 1, problems: [] });
    });

    it("reports what would be deleted, created or updated", () => {
        const changed = checkMigration(migrationResources(single), migrationResources(platform), { shop: migrationResources(tenant({ metadata: { name: "store" } })) });
        expect(changed.problems).toEqual(["tenant stack of shop: platform:project:Project$kubernetes:core/v1:Namespace::shop-namespace-shop has other inputs than in the single stack: it would be updated"]);
        const lost = checkMigration(migrationResources(single), migrationResources(platform), {});
        expect(lost.problems).toContain("platform:project:Project::shop belongs to project shop, which has no tenant stack: it would be deleted");
        const extra = checkMigration(migrationResources(single), migrationResources([...platform, res("dev", "platform", "platform:extra:Thing", "new")]), { shop: migrationResources(tenant()) });
        expect(extra.problems).toEqual(["platform stack: platform:extra:Thing::new is new (the single stack had no such resource): it would be created"]);
        const missing = checkMigration(migrationResources(single), migrationResources(platform.slice(0, 1)), { shop: migrationResources(tenant()) });
        expect(missing.problems).toEqual(["platform stack: platform:mesh:Mesh::mesh is missing: it would be deleted"]);
    });

    it("moves each Project to its tenant stack with its secrets, then previews both sides", () => {
        const commands = migrationCommands("dev", "acme", [{ id: "shop", secretNames: ["API_TOKEN"] }]);
        expect(commands).toEqual([
            "pulumi stack init acme/platform-tenant/dev--shop --cwd programs/tenant",
            "pulumi config get --path 'platform:tenantSecrets.shop.API_TOKEN' --stack acme/platform/dev | pulumi config set --secret --path 'tenant:secrets.API_TOKEN' --stack acme/platform-tenant/dev--shop --cwd programs/tenant",
            "pulumi state move --source acme/platform/dev --dest acme/platform-tenant/dev--shop --yes 'urn:pulumi:dev::platform::platform:project:Project::shop'",
            expect.stringMatching(/^pulumi preview --stack acme\/platform\/dev --diff/),
            expect.stringMatching(/^pulumi preview --stack acme\/platform-tenant\/dev--shop --cwd programs\/tenant/),
        ]);
    });
});
