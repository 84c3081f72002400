import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { artifactFiles, STACKS } from "../helpers/plans";

function promtoolCheck(file: string): { ok: boolean; output: string } {
    const which = spawnSync("sh", ["-c", "command -v promtool"]);
    if (which.status !== 0) {
        throw new Error("promtool is not installed: apt-get install -y prometheus (bash .ci/run does this)");
    }
    const run = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8" });
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

describe.each(STACKS)("Prometheus rule groups of stack %s", (stack) => {
    const files = artifactFiles(stack, "rules");

    it("exist (metering and platform alerts)", () => {
        expect(files.length).toBeGreaterThan(0);
    });

    it.each(files.map((f) => [path.basename(f), f]))("%s passes promtool check rules", (_name, file) => {
        const result = promtoolCheck(file);
        expect(result.ok, result.output).toBe(true);
        expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
    });
});
