import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/synth";
import { importedSpecifiers } from "../helpers/imports";

/**
 * Arrows point one way (DESIGN.md "Layout"): tools → programs → components → lib. The program code that
 * `pulumi up` runs (programs/, components/, lib/) never imports tooling from tools/ (the offline engine, the
 * driver, the cost report): a tool's dependencies and side effects would ride along into every deployment.
 */

const PROGRAM_LAYERS = ["programs", "components", "lib"];
const TOOLS = path.join(ROOT, "tools");

function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? (entry.name === "node_modules" ? [] : filesUnder(full)) : /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [full] : [];
    });
}

/** `file imports specifier` for every relative import of a file under a program layer that resolves into tools/. */
function toolImports(files: readonly string[], read: (file: string) => string): string[] {
    return files.flatMap((file) =>
        importedSpecifiers(read(file))
            .filter((specifier) => specifier.startsWith(".") && path.resolve(path.dirname(file), specifier).startsWith(TOOLS + path.sep))
            .map((specifier) => `${path.relative(ROOT, file)} imports ${specifier}`),
    );
}

describe("program code imports no tooling", () => {
    it("finds an import of tools/ (so the check below can fail)", () => {
        const file = path.join(ROOT, "programs/platform/index.ts");
        expect(toolImports([file], () => 'import { estimatedMonthlyTotal } from "../../tools/cost/estimate";\nimport { x } from "../../lib/cost/estimate";')).toEqual([
            "programs/platform/index.ts imports ../../tools/cost/estimate",
        ]);
    });

    it("no file under programs/, components/ or lib/ imports from tools/", () => {
        const files = PROGRAM_LAYERS.flatMap((layer) => filesUnder(path.join(ROOT, layer)));
        expect(files.length).toBeGreaterThan(50);
        expect(toolImports(files, (file) => fs.readFileSync(file, "utf8"))).toEqual([]);
    });
});
