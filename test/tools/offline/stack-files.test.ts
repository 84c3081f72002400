import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { tenantSecretNamesOf, tenantSecretNamesOfProject } from "../../../tools/offline/stack-files";

describe("secret names of one project", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-names-"));
    const project = (name: string, extra = "") => `name: ${name}\n${extra}services:\n  - name: api\n    secretEnv: [API_TOKEN, API_TOKEN, DB_URL]\n  - name: web\n`;
    fs.writeFileSync(path.join(dir, "shop.yaml"), project("shop"));
    fs.writeFileSync(path.join(dir, "blog.yaml"), project("blog"));
    fs.writeFileSync(path.join(dir, "renamed.yaml"), project("store", "id: renamed\n"));
    fs.writeFileSync(path.join(dir, "broken.yaml"), "name: [unclosed\n");

    it("reads the project's own file only, keyed by its id, as the whole-catalog reader does", () => {
        expect(tenantSecretNamesOfProject(dir, "shop")).toEqual(["API_TOKEN", "DB_URL"]);
        expect(tenantSecretNamesOfProject(dir, "renamed")).toEqual(["API_TOKEN", "DB_URL"]);
        const all = tenantSecretNamesOf(dir);
        for (const id of ["shop", "blog", "renamed"]) {
            expect(tenantSecretNamesOfProject(dir, id)).toEqual(all[id]);
        }
    });

    it("finds nothing for a missing, unparsable or mismatching file", () => {
        expect(tenantSecretNamesOfProject(dir, "missing")).toEqual([]);
        expect(tenantSecretNamesOfProject(dir, "broken")).toEqual([]);
        fs.writeFileSync(path.join(dir, "other.yaml"), project("elsewhere"));
        expect(tenantSecretNamesOfProject(dir, "other")).toEqual([]);
    });
});
