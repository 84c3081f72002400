import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { artifactFiles, STACKS } from "../helpers/plans";
import { cloudInitSchema } from "../helpers/tools";

describe.each(STACKS)("user-data of stack %s", (stack) => {
    const files = artifactFiles(stack, "user-data");

    it("exists for every node", () => {
        expect(files.length).toBeGreaterThan(0);
    });

    it.each(files.map((f) => [path.basename(f), f]))("%s passes cloud-init schema", (_name, file) => {
        const result = cloudInitSchema(fs.readFileSync(file, "utf8"));
        expect(result.ok, result.output).toBe(true);
    });
});
