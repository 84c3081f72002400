import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { checkCatalogAgainst, checkRegionCatalog } from "../../programs/catalog-check";
import { projectSchema } from "../../lib/tenants/schema";
import { InputValidationError } from "../../lib/validation";
import { rawStackConfig, stackConfig } from "../helpers/config";
import { ROOT } from "../helpers/synth";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "catalog-check-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
});

/** A copy of the dev catalog under its own root, so a test may edit it. */
function devCatalogCopy(name: string): string {
    const root = path.join(scratch, name);
    fs.cpSync(path.join(ROOT, "stacks", "dev", "projects"), path.join(root, "stacks", "dev", "projects"), { recursive: true });
    return root;
}

describe("the catalog check, run twice in one process on the same bytes (the region plan, then the platform program)", () => {
    it("validates once: the second answer is a copy of the first (equal, no object shared)", () => {
        const catalogRoot = devCatalogCopy("twice");
        const parse = vi.spyOn(projectSchema, "safeParse");
        const first = checkRegionCatalog({ region: "dev", rawConfig: rawStackConfig("dev"), stackDir: ROOT, catalogRoot }).tenants;
        const parsedFirst = parse.mock.calls.length;
        expect(parsedFirst).toBe(first.length);
        // What the platform program does: its own parse of the same config, the same catalog.
        const second = checkCatalogAgainst(stackConfig("dev"), { region: "dev", stackDir: ROOT, catalogRoot });
        expect(parse.mock.calls.length).toBe(parsedFirst);
        expect(second).toEqual(first);
        expect(second).not.toBe(first);
        expect(second[0]!.spec).not.toBe(first[0]!.spec);
        second[0]!.spec.services.length = 0;
        expect(checkCatalogAgainst(stackConfig("dev"), { region: "dev", stackDir: ROOT, catalogRoot })).toEqual(first);
    });

    it("validates again when anything it read changed: a file's text, the config, or with PLATFORM_OFFLINE_SHORTCUTS=0", () => {
        const catalogRoot = devCatalogCopy("changed");
        const parse = vi.spyOn(projectSchema, "safeParse");
        const check = () => checkCatalogAgainst(stackConfig("dev"), { region: "dev", stackDir: ROOT, catalogRoot });
        const before = check();
        const calls = () => parse.mock.calls.length;
        let seen = calls();
        const file = path.join(catalogRoot, "stacks", "dev", "projects", "hello.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^name: hello$/m, "name: hello\nid: hello"));
        expect(check()).toEqual(before);
        expect(calls()).toBeGreaterThan(seen);
        seen = calls();
        // A file that became invalid is reported, not answered from memory.
        fs.writeFileSync(file, "name: hello\nservices: 3\n");
        expect(check).toThrow(InputValidationError);
        seen = calls();
        fs.rmSync(file);
        // A removed file: the catalog is checked again (the remembered answer held hello); the remaining files'
        // schema output is reused, their other checks run again.
        expect(check().map((p) => p.spec.name)).toEqual(before.filter((p) => p.spec.name !== "hello").map((p) => p.spec.name));
        seen = calls();
        // Another config: the files are validated again against it (the schema's output, a function of a file's
        // text alone, is reused from the same process: lib/tenants/load.ts), so what it refuses is refused.
        const otherConfig = stackConfig("dev", { "platform:allowedRegistries": JSON.stringify(["registry.example.com"]) });
        expect(() => checkCatalogAgainst(otherConfig, { region: "dev", stackDir: ROOT, catalogRoot })).toThrow(/registry\.example\.com|allowedRegistries/);
        seen = calls();
        vi.stubEnv("PLATFORM_OFFLINE_SHORTCUTS", "0");
        check();
        check();
        expect(calls()).toBe(seen + 2 * (before.length - 1));
    });
});
