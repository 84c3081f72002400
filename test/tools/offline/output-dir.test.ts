import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { createStagingDir, publishedPathOf, publishStagingDir } from "../../../tools/offline/output-dir";

describe("staging directory", () => {
    it("names where a staged path lands once published, for the directory itself and paths inside it", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "output-dir-"));
        const outDir = path.join(root, "out", "dev");
        const staging = createStagingDir(outDir);
        const tenant = path.join(staging, "tenants", "hello");
        fs.mkdirSync(tenant, { recursive: true });
        expect(publishedPathOf(staging)).toBe(outDir);
        expect(publishedPathOf(tenant)).toBe(path.join(outDir, "tenants", "hello"));
        publishStagingDir(staging, outDir);
        expect(fs.existsSync(staging)).toBe(false);
        expect(fs.existsSync(publishedPathOf(tenant))).toBe(true);
        fs.rmSync(root, { recursive: true, force: true });
    });

    it("leaves other paths alone, a tenant called like a staging suffix included", () => {
        expect(publishedPathOf("out/dev/tenants/hello")).toBe("out/dev/tenants/hello");
        expect(publishedPathOf("out/dev/tenants/staging-1")).toBe("out/dev/tenants/staging-1");
        expect(publishedPathOf("out/dev.staging-12x/plan.json")).toBe("out/dev.staging-12x/plan.json");
    });
});
