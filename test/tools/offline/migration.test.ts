import { describe, expect, it } from "vitest";
import { checkGrantsMove, checkMigration, grantKeysOf, grantMigrationCommands, grantsStackMigrationCommands, migrationCommands, migrationResources, owningProject, urnKey } from "../../../tools/offline/migration";

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
        expect(check).toEqual({ moves: [{ id: "shop", resources: 2 }], stays: 1, grants: [{ id: "shop", resources: 0 }], problems: [] });
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

    it("moves each Project to its tenant stack with its secrets, moves its grant objects on to its grants stack, removes platform:tenantSecrets, then previews every side", () => {
        const namespaceKey = `${PROJECT}$kubernetes:core/v1:Namespace::shop-namespace-shop`;
        const commands = migrationCommands("dev", "acme", [{ id: "shop", secretNames: ["API_TOKEN"], grantKeys: [namespaceKey] }]);
        expect(commands).toEqual([
            "pulumi stack init acme/platform-tenant/dev--shop --cwd programs/tenant",
            "pulumi config get --path 'platform:tenantSecrets.shop.API_TOKEN' --stack acme/platform/dev | pulumi config set --secret --path 'tenant:secrets.API_TOKEN' --stack acme/platform-tenant/dev--shop --cwd programs/tenant",
            "pulumi state move --source acme/platform/dev --dest acme/platform-tenant/dev--shop --yes 'urn:pulumi:dev::platform::platform:project:Project::shop'",
            "pulumi stack init acme/platform-grants/dev--shop--grants --cwd programs/grants",
            `pulumi state move --source acme/platform-tenant/dev--shop --dest acme/platform-grants/dev--shop--grants --yes 'urn:pulumi:dev--shop::platform-tenant::${namespaceKey}'`,
            expect.stringMatching(/^pulumi config rm platform:tenantSecrets --stack acme\/platform\/dev/),
            expect.stringMatching(/^pulumi preview --stack acme\/platform\/dev --diff/),
            expect.stringMatching(/^pulumi up --stack acme\/platform\/dev$/),
            expect.stringMatching(/^npm run deploy -- preview --stack dev --all/),
        ]);
    });
});

describe("migration of the grant objects to the platform stack (contract 2 -> 3)", () => {
    const GRANTS = "platform:project:ProjectGrants";
    const grantsRoot = `urn:pulumi:dev::platform::pulumi:pulumi:Stack$${GRANTS}::shop`;
    const platformWithGrants = [
        ...platform,
        res("dev", "platform", GRANTS, "shop"),
        res("dev", "platform", `${GRANTS}$kubernetes:core/v1:Namespace`, "shop-namespace-shop", { metadata: { name: "shop" } }, grantsRoot),
        res("dev", "platform", `${GRANTS}$kubernetes:core/v1:ServiceAccount`, "shop-deployer", {}, grantsRoot),
        res("dev", "platform", `${GRANTS}$kubernetes:rbac.authorization.k8s.io/v1:Role`, "shop-deployer", {}, grantsRoot),
        res("dev", "platform", `${GRANTS}$kubernetes:core/v1:Secret`, "shop-deployer-token", {}, grantsRoot),
        res("dev", "platform", "platform:project:DeployerNamespace", "tenant-deployers"),
    ];
    const tenantWithoutGrants = tenant().filter((r) => r.type !== "kubernetes:core/v1:Namespace");

    it("adopts a project's grant objects in the platform stack under its ProjectGrants with the same inputs; only the deployers are new", () => {
        const check = checkMigration(migrationResources(single), migrationResources(platformWithGrants), { shop: migrationResources(tenantWithoutGrants) });
        expect(check).toEqual({ moves: [{ id: "shop", resources: 1 }], stays: 1, grants: [{ id: "shop", resources: 1 }], problems: [] });
    });

    it("reports a grant object that neither stack declares as deleted, and one with other inputs as updated", () => {
        const lost = checkMigration(migrationResources(single), migrationResources(platform), { shop: migrationResources(tenantWithoutGrants) });
        expect(lost.problems).toEqual([`tenant stack of shop: ${PROJECT}$kubernetes:core/v1:Namespace::shop-namespace-shop is missing: it would be deleted`]);
        const renamed = platformWithGrants.map((r) => (r.urn.endsWith("Namespace::shop-namespace-shop") ? { ...r, inputs: { metadata: { name: "store" } } } : r));
        const changed = checkMigration(migrationResources(single), migrationResources(renamed), { shop: migrationResources(tenantWithoutGrants) });
        expect(changed.problems).toEqual([`platform stack: ${GRANTS}$kubernetes:core/v1:Namespace::shop-namespace-shop has other inputs than in the single stack: it would be updated`]);
    });

    it("moves the grant objects named by the grants plan from each tenant stack to its grants stack, then updates the platform stack before the tenants", () => {
        const keys = grantKeysOf(migrationResources(platformWithGrants), "shop");
        expect(keys).toEqual([`${PROJECT}$kubernetes:core/v1:Namespace::shop-namespace-shop`]);
        expect(grantMigrationCommands("dev", "acme", [{ id: "shop", grantKeys: keys }])).toEqual([
            "pulumi stack init acme/platform-grants/dev--shop--grants --cwd programs/grants",
            `pulumi state move --source acme/platform-tenant/dev--shop --dest acme/platform-grants/dev--shop--grants --yes 'urn:pulumi:dev--shop::platform-tenant::${PROJECT}$kubernetes:core/v1:Namespace::shop-namespace-shop'`,
            expect.stringMatching(/^pulumi up --stack acme\/platform\/dev /),
            expect.stringMatching(/^npm run deploy -- preview --stack dev --all/),
        ]);
    });

    it("with grants stacks, adopts a project's grant objects in its grants stack, not the platform stack", () => {
        const grantsStack = [
            res("dev--shop--grants", "platform-grants", "pulumi:providers:kubernetes", "cluster"),
            ...platformWithGrants.filter((r) => r.urn.includes(GRANTS)).map((r) => ({ ...r, urn: r.urn.replace("urn:pulumi:dev::platform::", "urn:pulumi:dev--shop--grants::platform-grants::"), parent: r.parent?.replace("urn:pulumi:dev::platform::", "urn:pulumi:dev--shop--grants::platform-grants::") })),
        ];
        const platformNow = platformWithGrants.filter((r) => !r.urn.includes(GRANTS));
        const check = checkMigration(migrationResources(single), migrationResources(platformNow), { shop: migrationResources(tenantWithoutGrants) }, { shop: migrationResources(grantsStack) });
        expect(check).toEqual({ moves: [{ id: "shop", resources: 1 }], stays: 1, grants: [{ id: "shop", resources: 1 }], problems: [] });
        // A grant object the grants stack does not declare is looked for in the app stack; one left in the platform stack is new there.
        const stale = checkMigration(migrationResources(single), migrationResources(platformWithGrants), { shop: migrationResources(tenantWithoutGrants) }, { shop: migrationResources(grantsStack.slice(0, 1)) });
        expect(stale.problems).toContain(`tenant stack of shop: ${PROJECT}$kubernetes:core/v1:Namespace::shop-namespace-shop is missing: it would be deleted`);
        expect(stale.problems).toContain(`platform stack: ${GRANTS}$kubernetes:core/v1:Namespace::shop-namespace-shop is new (the single stack had no such resource): it would be created`);
    });
});

describe("migration of every project's ProjectGrants from the platform stack to its grants stack (contract 3 -> 4)", () => {
    const GRANTS = "platform:project:ProjectGrants";
    const BACKUP = "platform:databases:BackupCredentials";
    const inPlatform = (chain: string, name: string, inputs: unknown = {}, parent?: string) => res("dev", "platform", chain, name, inputs, parent && `urn:pulumi:dev::platform::pulumi:pulumi:Stack$${parent}`);
    const inGrants = (chain: string, name: string, inputs: unknown = {}, parent?: string) => res("dev--shop--grants", "platform-grants", chain, name, inputs, parent && `urn:pulumi:dev--shop--grants::platform-grants::pulumi:pulumi:Stack$${parent}`);
    const before = [
        inPlatform("platform:mesh:Mesh", "mesh"),
        inPlatform(GRANTS, "shop"),
        inPlatform(`${GRANTS}$kubernetes:core/v1:Namespace`, "shop-namespace-shop", { metadata: { name: "shop" } }, `${GRANTS}::shop`),
        inPlatform(BACKUP, "database-backup-credentials"),
        inPlatform(`${BACKUP}$kubernetes:core/v1:Secret`, "database-backup-credentials-shop", {}, `${BACKUP}::database-backup-credentials`),
    ];
    const after = [inPlatform("platform:mesh:Mesh", "mesh")];
    const grants = (inputs: unknown = { metadata: { name: "shop" } }) => [
        inGrants("pulumi:providers:kubernetes", "cluster"),
        inGrants(GRANTS, "shop"),
        inGrants(`${GRANTS}$kubernetes:core/v1:Namespace`, "shop-namespace-shop", inputs, `${GRANTS}::shop`),
        inGrants(BACKUP, "database-backup-credentials"),
        inGrants(`${BACKUP}$kubernetes:core/v1:Secret`, "database-backup-credentials-shop", {}, `${BACKUP}::database-backup-credentials`),
    ];

    it("is one-to-one when each project's ProjectGrants and backup Secret are in its grants stack with the same inputs", () => {
        expect(checkGrantsMove(migrationResources(before), migrationResources(after), { shop: migrationResources(grants()) })).toEqual({ moves: [{ id: "shop", resources: 3 }], stays: 2, problems: [] });
    });

    it("reports a moved resource missing or changed, one left behind, and a project without a grants stack", () => {
        const changed = checkGrantsMove(migrationResources(before), migrationResources(after), { shop: migrationResources(grants({ metadata: { name: "store" } })) });
        expect(changed.problems).toEqual([`grants stack of shop: ${GRANTS}$kubernetes:core/v1:Namespace::shop-namespace-shop has other inputs than in the contract-3 platform stack: it would be updated`]);
        const lost = checkGrantsMove(migrationResources(before), migrationResources(after), { shop: migrationResources(grants().slice(0, 2)) });
        expect(lost.problems).toEqual([
            `grants stack of shop: ${GRANTS}$kubernetes:core/v1:Namespace::shop-namespace-shop is missing: it would be deleted`,
            `grants stack of shop: ${BACKUP}$kubernetes:core/v1:Secret::database-backup-credentials-shop is missing: it would be deleted`,
        ]);
        const none = checkGrantsMove(migrationResources(before), migrationResources(after), {});
        expect(none.problems).toContain(`${GRANTS}::shop belongs to project shop, which has no grants stack: it would be deleted`);
        const kept = checkGrantsMove(migrationResources(before), migrationResources([...after, inPlatform(`${GRANTS}$kubernetes:core/v1:Namespace`, "shop-namespace-shop", { metadata: { name: "shop" } })]), { shop: migrationResources(grants()) });
        expect(kept.problems).toEqual([`platform stack: ${GRANTS}$kubernetes:core/v1:Namespace::shop-namespace-shop is new (the contract-3 platform stack had no such resource): it would be created`]);
    });

    it("creates each grants stack, moves its ProjectGrants (children follow) and its backup Secret, then updates the platform before the tenants", () => {
        expect(grantsStackMigrationCommands("dev", "acme", [{ id: "shop", backupSecret: true }, { id: "blog", backupSecret: false }])).toEqual([
            "pulumi stack init acme/platform-grants/dev--shop--grants --cwd programs/grants",
            `pulumi state move --source acme/platform/dev --dest acme/platform-grants/dev--shop--grants --yes 'urn:pulumi:dev::platform::${GRANTS}::shop' 'urn:pulumi:dev::platform::${BACKUP}$kubernetes:core/v1:Secret::database-backup-credentials-shop'`,
            "pulumi stack init acme/platform-grants/dev--blog--grants --cwd programs/grants",
            `pulumi state move --source acme/platform/dev --dest acme/platform-grants/dev--blog--grants --yes 'urn:pulumi:dev::platform::${GRANTS}::blog'`,
            expect.stringMatching(/^pulumi preview --stack acme\/platform\/dev --diff/),
            expect.stringMatching(/^pulumi up --stack acme\/platform\/dev /),
            expect.stringMatching(/^npm run deploy -- preview --stack dev --all/),
        ]);
    });
});
