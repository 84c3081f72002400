import { describe, expect, it } from "vitest";
import { InputValidationError, type InputProblem } from "../../../lib/validation";
import { validateTenantDocuments, type TenantContext } from "../../../lib/tenants/load";
import { renderProject } from "../../../components/project/render";
import { projectResourceKeys } from "../../../components/project/urns";
import { meteringProjects } from "../../../components/metering/render";
import { tenantSecretNamesOf } from "../../../tools/offline/stack-files";
import { allObjects, project, stackPlatformConfig } from "../../components/project/fixtures";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// The stable project id: everything physical keys on it, `name` only names hosts.

const dev = stackPlatformConfig("dev");
const SHOP = [
    "name: shop",
    "owner: {name: Shop team, email: shop@example.com}",
    "quota: {cpu: '4', memory: 8Gi, storage: 50Gi, pods: 20}",
    "services:",
    "  - name: web",
    "    image: ghcr.io/example/web:1.4.2",
    "    port: 8080",
    "    secretEnv: [API_TOKEN]",
    "    expose: {public: true}",
    "bucket: {}",
    "database: {engine: postgresql}",
].join("\n");
const file = (id: string) => `stacks/dev/projects/${id}.yaml`;

function problemsOf(documents: Array<{ file: string; text: string }>, context: Partial<TenantContext> = {}): InputProblem[] {
    try {
        validateTenantDocuments(documents, { config: dev, secretNames: new Map([["shop", new Set(["API_TOKEN"])]]), ...context });
    } catch (error) {
        expect(error).toBeInstanceOf(InputValidationError);
        return (error as InputValidationError).problems;
    }
    throw new Error("validation passed, but the documents are invalid");
}

describe("project id", () => {
    it("defaults to the name", () => {
        expect(project({}).id).toBe("shop");
        expect(project({ id: "shop-1" }).id).toBe("shop-1");
    });

    it("a renamed project (new name, same id) keeps namespace, bucket, database, labels and every resource name; only hosts change", () => {
        const services = [{ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, expose: { public: true } }];
        const before = project({ services, bucket: {}, database: { engine: "postgresql" } });
        const after = project({ id: "shop", name: "store", services, bucket: {}, database: { engine: "postgresql" } });
        expect(projectResourceKeys(after, dev)).toEqual(projectResourceKeys(before, dev));
        const namesOf = (spec: typeof before) => allObjects(spec, dev).map((o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`);
        expect(namesOf(after)).toEqual(namesOf(before));
        const renderedAfter = renderProject(after, dev);
        expect(renderedAfter.context.namespace).toBe("shop");
        expect(renderedAfter.namespace.metadata?.labels?.["platform/project"]).toBe("shop");
        expect(renderedAfter.urls).toEqual([`https://web.store.${dev.domain}/`]);
        expect(renderProject(before, dev).urls).toEqual([`https://web.shop.${dev.domain}/`]);
        const database = JSON.stringify(renderedAfter.database?.workloads);
        expect(database).toContain('"shop"');
        expect(database).not.toContain("store");
        expect(meteringProjects([after])).toEqual([{ name: "shop" }]);
    });

    it("is what grants and secrets are keyed on", () => {
        const renamed = SHOP.replace("name: shop", "id: shop\nname: store").replace("bucket: {}\n", "bucket: {}\ntrust: trusted\n");
        const grantedById = stackPlatformConfig("dev", { projectGrants: { shop: { trust: "trusted" } } });
        expect(() => validateTenantDocuments([{ file: file("shop"), text: renamed }], { config: grantedById, secretNames: new Map([["shop", new Set(["API_TOKEN"])]]) })).not.toThrow();
        const grantedByName = stackPlatformConfig("dev", { projectGrants: { store: { trust: "trusted" } } });
        const problems = problemsOf([{ file: file("shop"), text: renamed }], { config: grantedByName, secretNames: new Map([["store", new Set(["API_TOKEN"])]]) });
        expect(problems.find((p) => p.path === "trust")?.fix).toContain("platform:projectGrants.shop");
        expect(problems.find((p) => p.path === "services[web].secretEnv[0]")?.fix).toMatch(/'tenant:secrets\.API_TOKEN' <value> --stack [a-z0-9<>-]+--shop --cwd programs\/tenant/);
    });

    it("the offline secret synthesis keys on the id", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "project-id-"));
        fs.writeFileSync(path.join(dir, "shop.yaml"), SHOP.replace("name: shop", "id: shop\nname: store"));
        expect(tenantSecretNamesOf(dir)).toEqual({ shop: ["API_TOKEN"] });
    });

    it("a rename without an id is refused with the fix that keeps the data: add id: <old name>", () => {
        const problems = problemsOf([{ file: file("shop"), text: SHOP.replace("name: shop", "name: store") }]);
        const rename = problems.find((p) => p.path === "name" && /must live in store\.yaml/.test(p.problem));
        expect(rename, JSON.stringify(problems)).toBeDefined();
        expect(rename!.fix).toMatch(/keep the file and add id: shop/);
        expect(rename!.fix).not.toMatch(/^rename the file/);
    });

    it("an explicit id other than the file name is reported at id", () => {
        const problems = problemsOf([{ file: file("shop"), text: SHOP.replace("name: shop", "id: shop-2\nname: shop") }]);
        expect(problems).toContainEqual(expect.objectContaining({ source: file("shop"), path: "id", problem: expect.stringMatching(/must live in shop-2\.yaml/), fix: expect.stringMatching(/set id: shop/) }));
    });

    it("must be unique across the catalog", () => {
        const problems = problemsOf([
            { file: file("shop"), text: SHOP },
            { file: "stacks/dev/projects/shop.yml", text: SHOP.replace("name: shop", "id: shop\nname: store") },
        ]);
        expect(problems).toContainEqual(expect.objectContaining({ source: "stacks/dev/projects/shop.yml", path: "id", problem: expect.stringMatching(/id "shop" is already the id of stacks\/dev\/projects\/shop\.yaml/) }));
    });

    it("is no other namespace plus '-<suffix>' (Traefik's <namespace>-<service> backend names would collide)", () => {
        // shop/eu-web and shop-eu/web are both Traefik's "shop-eu-web-http@kubernetes".
        const withSibling = problemsOf([
            { file: file("shop"), text: SHOP },
            { file: file("shop-eu"), text: SHOP.replace("name: shop", "id: shop-eu\nname: shopeu") },
        ]);
        expect(withSibling).toContainEqual(
            expect.objectContaining({ source: file("shop-eu"), path: "id", problem: expect.stringMatching(/"shop-eu" and stacks\/dev\/projects\/shop\.yaml \("shop"\) differ only by a "-<suffix>"/), fix: expect.stringContaining('"shopeu"') }),
        );
        // Either order: the later file is the offender.
        const reversed = problemsOf([
            { file: file("shop-eu"), text: SHOP.replace("name: shop", "id: shop-eu\nname: shopeu") },
            { file: file("shop"), text: SHOP },
        ]);
        expect(reversed).toContainEqual(expect.objectContaining({ source: file("shop"), path: "name", problem: expect.stringContaining('project id "shop" and stacks/dev/projects/shop-eu.yaml') }));
        // A platform namespace always wins: "cert" beside cert-manager.
        const platform = problemsOf([{ file: file("cert"), text: SHOP.replace("name: shop", "id: cert\nname: shop") }]);
        expect(platform).toContainEqual(expect.objectContaining({ path: "id", problem: expect.stringContaining(`the platform's namespace cert-manager`) }));
        // Sharing a prefix without the dash is no collision.
        expect(() =>
            validateTenantDocuments(
                [
                    { file: file("shop"), text: SHOP },
                    { file: file("shopping"), text: SHOP.replace("name: shop", "id: shopping\nname: shopping") },
                ],
                { config: dev, secretNames: new Map([["shop", new Set(["API_TOKEN"])], ["shopping", new Set(["API_TOKEN"])]]) },
            ),
        ).not.toThrow();
    });

    it("follows the name's label rules and reserved namespaces", () => {
        const badLabel = problemsOf([{ file: file("Shop_1"), text: SHOP.replace("name: shop", "id: Shop_1\nname: shop") }]);
        expect(badLabel).toContainEqual(expect.objectContaining({ path: "id", fix: expect.stringContaining("id: shop") }));
        const reserved = problemsOf([{ file: file("kube-system"), text: SHOP.replace("name: shop", "id: kube-system\nname: shop") }]);
        expect(reserved).toContainEqual(expect.objectContaining({ path: "id", problem: expect.stringMatching(/system or platform namespace/) }));
    });
});
