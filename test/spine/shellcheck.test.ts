import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { artifactFiles, STACKS } from "../helpers/plans";
import { shellcheck } from "../helpers/tools";

describe.each(STACKS)("scripts of stack %s", (stack) => {
    const files = artifactFiles(stack, "scripts");

    it("include the node bootstrap and k3s start scripts", () => {
        const names = files.map((f) => path.basename(f));
        expect(names.some((n) => n.includes("platform-bootstrap.sh"))).toBe(true);
        expect(names.some((n) => n.includes("k3s-start"))).toBe(true);
    });

    it.each(files.map((f) => [path.basename(f), f]))("%s passes shellcheck", (_name, file) => {
        const result = shellcheck(fs.readFileSync(file, "utf8"));
        expect(result.ok, result.output).toBe(true);
    });
});
