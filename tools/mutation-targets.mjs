// Resolves the `mutate` entries of test/mutations/modules.json into Stryker's mutate patterns. An entry is a
// glob (`policy/rules/**/*.ts`, `!policy/rules/index.ts`) or a file narrowed to named top-level declarations
// (`lib/tenants/schema.ts#checkContainer,projectSchema`): each name becomes the line range of its declaration
// (`lib/tenants/schema.ts:313-354`), found in the current source, so the range follows the code when others
// edit the file. Plain JavaScript because stryker.config.mjs imports it natively (no TypeScript loader there).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import ts from "typescript";

/**
 * Line ranges (1-based, inclusive) of the named top-level declarations of a TypeScript source: functions,
 * `const`/`let` variables (the whole statement), classes. Throws, naming the file, for a name it does not declare.
 * @param {string} fileName the file, for messages
 * @param {string} text its source
 * @param {readonly string[]} names declarations to find
 * @returns {Array<{ name: string, start: number, end: number }>}
 */
export function declarationRanges(fileName, text, names) {
    const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
    const found = new Map();
    for (const statement of source.statements) {
        /** @type {string[]} */
        let declared = [];
        if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
            declared = [statement.name.text];
        } else if (ts.isVariableStatement(statement)) {
            declared = statement.declarationList.declarations.filter((d) => ts.isIdentifier(d.name)).map((d) => d.name.text);
        }
        const start = source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1;
        const end = source.getLineAndCharacterOfPosition(statement.getEnd()).line + 1;
        for (const name of declared) {
            found.set(name, { name, start, end });
        }
    }
    const missing = names.filter((n) => !found.has(n));
    if (missing.length > 0) {
        throw new Error(`test/mutations/modules.json: ${fileName} declares no top-level ${missing.join(", ")}; rename the entry after the code moved`);
    }
    return names.map((n) => found.get(n));
}

/**
 * Stryker mutate patterns of one module's entries.
 * @param {readonly string[]} entries globs, or `file#name,name` entries
 * @param {string} root repository root
 * @returns {string[]}
 */
export function mutatePatterns(entries, root) {
    return entries.flatMap((entry) => {
        const hash = entry.indexOf("#");
        if (hash < 0) {
            return [entry];
        }
        const file = entry.slice(0, hash);
        const names = entry.slice(hash + 1).split(",").map((n) => n.trim()).filter((n) => n !== "");
        return declarationRanges(file, readFileSync(path.join(root, file), "utf8"), names).map((r) => `${file}:${r.start}-${r.end}`);
    });
}

/**
 * The files an entry names, without its declaration list: what the TypeScript checker's project includes.
 * @param {string} entry
 * @returns {string}
 */
export function entryFile(entry) {
    const hash = entry.indexOf("#");
    return hash < 0 ? entry : entry.slice(0, hash);
}

/**
 * The TypeScript project the checker (and the compile check of survivors) uses for one module: only its
 * mutated files and guarding tests, with what they import, not the whole program. Written, git-ignored, to
 * `.stryker-tsconfig/<module>.json`.
 * @param {string} root repository root
 * @param {string} name module name
 * @param {{ mutate: readonly string[], tests: readonly string[] }} module its entries
 * @returns {string} the file written, relative to `root`
 */
export function writeCheckerTsconfig(root, name, module) {
    const file = `.stryker-tsconfig/${name}.json`;
    mkdirSync(path.join(root, ".stryker-tsconfig"), { recursive: true });
    const include = [...module.mutate.map(entryFile), ...module.tests].filter((glob) => !glob.startsWith("!")).map((glob) => `../${glob}`);
    writeFileSync(path.join(root, file), `${JSON.stringify({ extends: "../tsconfig.json", include }, null, 2)}\n`);
    return file;
}
