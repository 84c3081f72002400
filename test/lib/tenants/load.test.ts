import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { otherStackDomains, STACK_DOMAIN_KIND, validateTenantDocuments } from "../../../lib/tenants/load";
import { useDerivedStore } from "../../../lib/derived-store";
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

describe("the other regions' platform domains", () => {
    afterEach(() => useDerivedStore(undefined));

    it("are kept per stack file content, so a tenant plan does not parse another region's whole file again", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "other-domains-"));
        try {
            const tag = String(Date.now());
            // Another region's file holds that region's every grant; only its domain is wanted.
            const grants = Array.from({ length: 200 }, (_, i) => `    p${i}: {trust: untrusted}`).join("\n");
            const big = `# ${tag}\nconfig:\n  platform:domain: big.example.com\n  platform:projectGrants:\n${grants}\n`;
            const bare = `# ${tag}\nconfig:\n  platform:location: hel1\n`;
            fs.writeFileSync(path.join(root, "Pulumi.dev.yaml"), `config:\n  platform:domain: dev.example.com\n`);
            fs.writeFileSync(path.join(root, "Pulumi.big.yaml"), big);
            fs.writeFileSync(path.join(root, "Pulumi.bare.yaml"), bare);
            const entries = new Map<string, unknown>();
            useDerivedStore({ get: (kind, text) => entries.get(`${kind}\0${text}`), set: (kind, text, value) => void entries.set(`${kind}\0${text}`, value) });
            expect(otherStackDomains(root, "dev")).toEqual([{ stack: "big", domain: "big.example.com" }]);
            expect(entries.get(`${STACK_DOMAIN_KIND}\0${big}`)).toBe("big.example.com");
            expect(entries.get(`${STACK_DOMAIN_KIND}\0${bare}`)).toBeNull();
            // The next process: a file's domain is answered from its entry, not from a parse of the file.
            const next = `# ${tag} next\nconfig:\n  platform:domain: big.example.com\n`;
            fs.writeFileSync(path.join(root, "Pulumi.big.yaml"), next);
            entries.set(`${STACK_DOMAIN_KIND}\0${next}`, "from-the-entry.example");
            expect(otherStackDomains(root, "dev")).toEqual([{ stack: "big", domain: "from-the-entry.example" }]);
            // Without a store (a real Pulumi run), the file itself.
            useDerivedStore(undefined);
            expect(otherStackDomains(root, "dev")).toEqual([{ stack: "big", domain: "big.example.com" }]);
            // A region's file outgrows a tenant file's bound (256 KiB at ~1,300 tenants): its domain still counts.
            const huge = `config:\n  platform:domain: huge.example.com\n  platform:projectGrants:\n${Array.from({ length: 12_000 }, (_, i) => `    project-${i}: {trust: untrusted}`).join("\n")}\n`;
            expect(huge.length).toBeGreaterThan(256 * 1024);
            fs.writeFileSync(path.join(root, "Pulumi.big.yaml"), huge);
            expect(otherStackDomains(root, "dev")).toEqual([{ stack: "big", domain: "huge.example.com" }]);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
