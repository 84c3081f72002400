import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/synth";
import { importedSpecifiers } from "../helpers/imports";

/**
 * charts/ is pinned data (chart versions, values, images, sizing shapes): the program's layers import it,
 * never the other way round. A chart module that imports a component or lib/ would tie the data to the code
 * and close an import cycle.
 */

const CHARTS = path.join(ROOT, "charts");

function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? filesUnder(full) : /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [full] : [];
    });
}

describe("charts/ imports nothing from the program", () => {
    it("finds imports of every form (so the check below can fail)", () => {
        const sample = [
            'import { a } from "../lib/config/schema";',
            'import type { B } from "../components/nodes/node-plan";',
            'export { c } from "../lib/conventions";',
            'import "../lib/side-effect";',
            'const d = require("../components/x");',
            'const e = await import("../lib/y");',
            'import * as yaml from "js-yaml";',
        ].join("\n");
        expect(importedSpecifiers(sample)).toEqual(
            expect.arrayContaining(["../lib/config/schema", "../components/nodes/node-plan", "../lib/conventions", "../lib/side-effect", "../components/x", "../lib/y", "js-yaml"]),
        );
    });

    it("no file under charts/ imports from components/ or lib/ (or anything else outside charts/)", () => {
        const offenders: string[] = [];
        for (const file of filesUnder(CHARTS)) {
            for (const specifier of importedSpecifiers(fs.readFileSync(file, "utf8"))) {
                if (!specifier.startsWith(".")) {
                    continue; // node: builtins and packages
                }
                const target = path.resolve(path.dirname(file), specifier);
                if (!target.startsWith(CHARTS + path.sep)) {
                    offenders.push(`${path.relative(ROOT, file)} imports ${specifier}`);
                }
            }
        }
        expect(offenders).toEqual([]);
    });
});
