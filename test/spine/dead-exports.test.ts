import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/synth";

/**
 * An export nothing reads (not the program, not a tool, not a test) is dead code that still looks like a
 * contract: a reader trusts it, a change keeps it compiling. The programs' index.ts files are exempt (their
 * exports are stack outputs Pulumi reads).
 */

const SOURCE_ROOTS = ["components", "lib", "policy", "programs", "tools", "charts", "test"];

function typeScriptFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
            return entry.name === "node_modules" ? [] : typeScriptFiles(file);
        }
        return file.endsWith(".ts") ? [file] : [];
    });
}

describe("exports", () => {
    it("are each read somewhere besides their declaration", () => {
        const texts = new Map(SOURCE_ROOTS.flatMap((root) => typeScriptFiles(path.join(ROOT, root))).map((f) => [path.relative(ROOT, f), fs.readFileSync(f, "utf8")]));
        const uses = new Map<string, number>();
        for (const text of texts.values()) {
            for (const word of text.match(/[A-Za-z_$][\w$]*/g) ?? []) {
                uses.set(word, (uses.get(word) ?? 0) + 1);
            }
        }
        const dead: string[] = [];
        let checked = 0;
        for (const [file, text] of texts) {
            if (file.startsWith(`test${path.sep}`) || /^programs[/\\][^/\\]+[/\\]index\.ts$/.test(file)) {
                continue;
            }
            for (const match of text.matchAll(/^export (?:async )?(?:function|const|let|class|type|interface|enum) ([A-Za-z_$][\w$]*)/gm)) {
                const name = match[1]!;
                checked++;
                if (uses.get(name) === 1) {
                    dead.push(`${file}: ${name}`);
                }
            }
        }
        expect(dead).toEqual([]);
        // Not vacuous: the scan saw the program's exports.
        expect(checked).toBeGreaterThan(500);
    });
});
