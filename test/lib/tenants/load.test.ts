import { afterEach, describe, expect, it, vi } from "vitest";
import { validateTenantDocuments } from "../../../lib/tenants/load";
import { projectSchema } from "../../../lib/tenants/schema";
import { stackPlatformConfig } from "../../components/project/fixtures";

const dev = stackPlatformConfig("dev");
const FILE = "stacks/dev/projects/memo.yaml";
/** A valid tenant file, unique per call so no earlier test's parse answers it. */
const text = (tag: string) =>
    ["name: memo", "owner: {name: Memo team, email: memo@example.com}", "quota: {cpu: '1', memory: 1Gi, storage: 1Gi, pods: 4}", "services:", "  - name: web", `    image: ghcr.io/example/web:1.0.${tag}`, "    port: 8080"].join("\n");

describe("tenant validation in one process", () => {
    afterEach(() => {
        vi.restoreAllMocks();
        delete process.env.PLATFORM_OFFLINE_SHORTCUTS;
    });

    it("runs the project schema once per text (a tenant's grants and app stacks share it), each caller getting its own copy", () => {
        const schema = vi.spyOn(projectSchema, "safeParse");
        const tag = String(Date.now());
        const [first] = validateTenantDocuments([{ file: FILE, text: text(tag) }], { config: dev });
        const [second] = validateTenantDocuments([{ file: FILE, text: text(tag) }], { config: dev, secretNames: new Map([["memo", new Set<string>()]]) });
        expect(schema).toHaveBeenCalledTimes(1);
        expect(second).toEqual(first);
        first!.spec.services[0]!.port = 1;
        expect(second!.spec.services[0]!.port).toBe(8080);
        // A changed byte is validated again.
        validateTenantDocuments([{ file: FILE, text: `${text(tag)}\n` }], { config: dev });
        expect(schema).toHaveBeenCalledTimes(2);
    });

    it("runs every other check every time, against each caller's own context", () => {
        const tag = String(Date.now() + 1);
        validateTenantDocuments([{ file: FILE, text: text(tag) }], { config: dev });
        // The same text against a config whose registries do not allow its image is refused.
        expect(() => validateTenantDocuments([{ file: FILE, text: text(tag) }], { config: { ...dev, allowedRegistries: ["registry.example.com"] } })).toThrow(/registr/i);
    });

    it("runs the schema every time with PLATFORM_OFFLINE_SHORTCUTS=0", () => {
        process.env.PLATFORM_OFFLINE_SHORTCUTS = "0";
        const schema = vi.spyOn(projectSchema, "safeParse");
        const tag = String(Date.now() + 2);
        validateTenantDocuments([{ file: FILE, text: text(tag) }], { config: dev });
        validateTenantDocuments([{ file: FILE, text: text(tag) }], { config: dev });
        expect(schema).toHaveBeenCalledTimes(2);
    });
});
