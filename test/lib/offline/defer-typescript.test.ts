import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

describe("deferred TypeScript compiler (offline planner)", () => {
    it("keeps the SDK from loading the compiler until a function is serialized, then serializes with it", () => {
        const fixture = path.resolve(__dirname, "../../fixtures/defer-typescript-check.ts");
        const run = spawnSync(process.execPath, ["--import", "tsx", fixture], { encoding: "utf8", cwd: path.resolve(__dirname, "../../.."), timeout: 60_000 });
        expect(run.stderr).toBe("");
        const result = JSON.parse(run.stdout) as { afterImport: boolean; afterSerialize: boolean; text: string };
        expect(result.afterImport).toBe(false);
        expect(result.afterSerialize).toBe(true);
        // The closure serializer captured the free variable, which needs the compiler's parse.
        expect(result.text).toContain("offset");
        expect(result.text).toMatch(/40/);
    });
});
