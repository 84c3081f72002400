import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { applyMutant, compileRejected } from "../../tools/mutation-compile";
import { formatSummary, importsRecordOf, lanesOf, mergeSurvivorRun, mutatedFiles, parseArgs, projectImportGraph, scoreOf, sdkImportChain, staleReason, survivorPatterns } from "../../tools/mutation";
// @ts-expect-error: plain JavaScript module without declarations (stryker.config.mjs imports it natively)
import { declarationRanges, entryFile, mutatePatterns } from "../../tools/mutation-targets.mjs";
import { ROOT } from "../helpers/synth";

const SOURCE = [
    'import { z } from "zod";', //                      1
    "", //                                              2
    "/** A doc comment above belongs to the next line. */", // 3
    "export function first(a: number): number {", //    4
    "    return a + 1;", //                             5
    "}", //                                             6
    "const second = z", //                              7
    "    .string()", //                                 8
    "    .min(1);", //                                  9
    "export const third = 3, fourth = 4;", //          10
    "class Fifth {}", //                                11
    "",
].join("\n");

describe("mutate entries narrowed to named declarations (tools/mutation-targets.mjs)", () => {
    it("gives each named top-level declaration its own line range, whole statements included", () => {
        expect(declarationRanges("x.ts", SOURCE, ["second", "first", "fourth", "Fifth"])).toEqual([
            { name: "second", start: 7, end: 9 },
            { name: "first", start: 4, end: 6 },
            { name: "fourth", start: 10, end: 10 },
            { name: "Fifth", start: 11, end: 11 },
        ]);
    });

    it("refuses a name the file does not declare at top level, naming the file and the name", () => {
        expect(() => declarationRanges("lib/x.ts", SOURCE, ["first", "a", "gone"])).toThrow(/modules\.json: lib\/x\.ts declares no top-level a, gone/);
    });

    it("keeps globs as they are and turns file#names into Stryker's file:start-end patterns", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mutation-targets-"));
        try {
            fs.mkdirSync(path.join(dir, "lib"));
            fs.writeFileSync(path.join(dir, "lib/x.ts"), SOURCE);
            expect(mutatePatterns(["policy/**/*.ts", "!policy/index.ts", "lib/x.ts#first, third"], dir)).toEqual(["policy/**/*.ts", "!policy/index.ts", "lib/x.ts:4-6", "lib/x.ts:10-10"]);
            expect(entryFile("lib/x.ts#first")).toBe("lib/x.ts");
            expect(entryFile("policy/**/*.ts")).toBe("policy/**/*.ts");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("every narrowed entry of modules.json still names declarations its file has", () => {
        const { modules } = JSON.parse(fs.readFileSync(path.join(ROOT, "test/mutations/modules.json"), "utf8")) as { modules: Record<string, { mutate: string[] }> };
        const narrowed = Object.values(modules).flatMap((m) => m.mutate).filter((e) => e.includes("#"));
        expect(narrowed.length).toBeGreaterThan(0);
        for (const pattern of mutatePatterns(narrowed, ROOT) as string[]) {
            expect(pattern).toMatch(/^[\w/.-]+\.ts:\d+-\d+$/);
        }
    });
});

describe("compile check of survivors (tools/mutation-compile.ts)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mutation-compile-"));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const text = "export const count: number = 1;\nexport const label = `n=${count}`;\n";
    const at = (line: number, from: number, to: number) => ({ start: { line, column: from }, end: { line, column: to } });
    // `1` is the 30th character of line 1 (1-based columns, end exclusive, as in Stryker's report).
    const literal = at(1, 30, 31);

    it("applies a mutant at its 1-based line and column", () => {
        expect(applyMutant(text, { replacement: "2", location: literal })).toBe("export const count: number = 2;\nexport const label = `n=${count}`;\n");
        expect(applyMutant(text, { replacement: "``", location: at(2, 22, 34) })).toBe("export const count: number = 1;\nexport const label = ``;\n");
    });

    it("rejects only the mutants the compiler refuses", () => {
        fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, include: ["a.ts"] }));
        fs.writeFileSync(path.join(dir, "a.ts"), text);
        const file = path.join(dir, "a.ts");
        const mutants = [
            { id: "typed", status: "Survived", mutatorName: "StringLiteral", replacement: '"one"', location: literal },
            { id: "valid", status: "Survived", mutatorName: "ArithmeticOperator", replacement: "2", location: literal },
            { id: "other", status: "Survived", mutatorName: "StringLiteral", replacement: "``", location: at(2, 22, 34) },
        ];
        expect([...compileRejected(path.join(dir, "tsconfig.json"), { [file]: { source: text, mutants } }, new Set(["typed", "valid", "other"]))]).toEqual(["typed"]);
    });
});

describe("module score (tools/mutation.ts)", () => {
    const mutant = (id: string, status: string, line: number) => ({ id, status, mutatorName: "ConditionalExpression", replacement: "true", location: { start: { line } } });

    it("counts killed and timed-out as detected, survived and uncovered as not, the rest and compiler-rejected survivors as invalid", () => {
        const report = { files: { "lib/x.ts": { mutants: [mutant("1", "Killed", 1), mutant("2", "Timeout", 2), mutant("3", "Survived", 3), mutant("4", "NoCoverage", 4), mutant("5", "CompileError", 5), mutant("6", "Survived", 6)] } } };
        expect(scoreOf("x", report, new Set(["6"]))).toEqual({
            name: "x",
            detected: 2,
            undetected: 2,
            invalid: 2,
            rejectedSurvivors: 1,
            score: 50,
            survivors: ['lib/x.ts:3  ConditionalExpression  "true"', 'lib/x.ts:4  ConditionalExpression  "true"'],
        });
    });
});

describe("retesting only the survivors (npm run mutation -- --survivors)", () => {
    const loc = (line: number, from: number, to: number) => ({ start: { line, column: from }, end: { line, column: to } });
    const full = {
        files: {
            "lib/x.ts": {
                source: "const a = 1;\nconst b = a > 0;\n",
                mutants: [
                    { id: "1", status: "Killed", mutatorName: "EqualityOperator", replacement: "a >= 0", location: loc(2, 11, 16) },
                    { id: "2", status: "Survived", mutatorName: "ConditionalExpression", replacement: "true", location: loc(2, 11, 16) },
                    { id: "3", status: "NoCoverage", mutatorName: "ConditionalExpression", replacement: "false", location: loc(2, 11, 16) },
                ],
            },
            "lib/y.ts": { source: "changed since", mutants: [{ id: "4", status: "Killed", mutatorName: "StringLiteral", replacement: '""', location: loc(1, 1, 3) }] },
        },
    };

    it("names each survivor's span in Stryker's 0-based columns, and only survivors", () => {
        expect(survivorPatterns(full, (file) => full.files[file as keyof typeof full.files].source)).toEqual(["lib/x.ts:2:10-2:16", "lib/x.ts:2:10-2:16"]);
    });

    it("refuses a file whose source changed since the report, but not one without survivors", () => {
        expect(() => survivorPatterns(full, (file) => (file === "lib/x.ts" ? "const a = 2;\n" : "anything"))).toThrow("lib/x.ts changed since the last report: run the module without --survivors");
        expect(survivorPatterns(full, (file) => (file === "lib/x.ts" ? full.files["lib/x.ts"].source : "anything"))).toHaveLength(2);
    });

    it("takes the rerun's status for each survivor it retested, and keeps every other status", () => {
        const rerun = {
            files: {
                "lib/x.ts": {
                    source: full.files["lib/x.ts"].source,
                    mutants: [
                        { id: "a", status: "Killed", mutatorName: "ConditionalExpression", replacement: "true", location: loc(2, 11, 16) },
                        // An already killed mutant inside a survivor's span is retested too: its old status stays.
                        { id: "b", status: "Survived", mutatorName: "EqualityOperator", replacement: "a >= 0", location: loc(2, 11, 16) },
                    ],
                },
            },
        };
        const merged = mergeSurvivorRun(full, rerun);
        expect(merged.files["lib/x.ts"]!.mutants.map((m) => [m.id, m.status])).toEqual([["1", "Killed"], ["2", "Killed"], ["3", "NoCoverage"]]);
        expect(merged.files["lib/y.ts"]).toEqual(full.files["lib/y.ts"]);
    });
});

describe("the summary npm run mutation prints (tools/mutation.ts)", () => {
    const score = (name: string, detected: number, undetected: number, invalid: number) => ({ name, detected, undetected, invalid, rejectedSurvivors: 0, score: (100 * detected) / (detected + undetected), survivors: [] });

    it("gives each module its mutant count, score, duration and load, flags those under the target and sums the time", () => {
        const text = formatSummary([
            { score: score("cost", 90, 10, 5), seconds: 125.4, load: { start: 1.25, end: 14 } },
            { score: score("tenants", 70, 30, 0), seconds: 3605, load: { start: 20, end: 19.96 } },
        ]);
        expect(text.split("\n")).toEqual([
            "module               mutants  killed  survived  invalid   score  duration      load (start-end)",
            "cost                     105      90        10        5   90.0%    2 min  5 s  1.3-14.0",
            "tenants                  100      70        30        0   70.0%   60 min  5 s  20.0-20.0  < 80%",
            `total 62 min 10 s for 2 module(s) on ${os.cpus().length} CPU(s)`,
        ]);
    });

    it("with modules side by side, gives the command's wall time and what the module durations add up to", () => {
        const runs = [
            { score: score("cost", 90, 10, 5), seconds: 600, load: { start: 1, end: 2 } },
            { score: score("tenants", 100, 0, 0), seconds: 500, load: { start: 2, end: 3 } },
        ];
        expect(formatSummary(runs, { wallSeconds: 610.2, lanes: 2 }).split("\n").at(-1)).toBe(`total 10 min 10 s for 2 module(s) on ${os.cpus().length} CPU(s), 2 side by side (module durations add up to 18 min 20 s)`);
        expect(formatSummary(runs, { wallSeconds: 1105, lanes: 1 }).split("\n").at(-1)).toBe(`total 18 min 25 s for 2 module(s) on ${os.cpus().length} CPU(s)`);
    });
});

describe("modules side by side (MUTATION_LANES)", () => {
    it("is one lane unless set, and refuses anything but a positive integer", () => {
        expect(lanesOf({})).toBe(1);
        expect(lanesOf({ MUTATION_LANES: "2" })).toBe(2);
        expect(() => lanesOf({ MUTATION_LANES: "0" })).toThrow("MUTATION_LANES must be a positive integer, got 0");
        expect(() => lanesOf({ MUTATION_LANES: "1.5" })).toThrow("MUTATION_LANES must be a positive integer, got 1.5");
        expect(() => lanesOf({ MUTATION_LANES: "two" })).toThrow("MUTATION_LANES must be a positive integer, got two");
    });
});

describe("the command line of npm run mutation (tools/mutation.ts)", () => {
    it("takes modules positionally and with --module, in order, and the switches anywhere", () => {
        expect(parseArgs(["--", "cost", "--module", "critical-path", "--survivors", "--module=tenants"])).toEqual({ modules: ["cost", "critical-path", "tenants"], scoreOnly: false, survivors: true, rerun: false, fromScratch: false });
        expect(parseArgs(["--score-only", "--rerun"])).toEqual({ modules: [], scoreOnly: true, survivors: false, rerun: true, fromScratch: false });
        expect(parseArgs(["cost", "--from-scratch"])).toEqual({ modules: ["cost"], scoreOnly: false, survivors: false, rerun: true, fromScratch: true });
    });

    it("refuses --module without a name and an unknown switch, saying what is accepted", () => {
        expect(() => parseArgs(["--module"])).toThrow("--module needs a module name (a key of test/mutations/modules.json)");
        expect(() => parseArgs(["--module", "--rerun"])).toThrow("--module needs a module name");
        expect(() => parseArgs(["--module="])).toThrow("--module needs a module name");
        expect(() => parseArgs(["--modul", "cost"])).toThrow("unknown switch --modul; use --module <name>, --score-only, --survivors, --rerun or --from-scratch");
    });
});

describe("which files a module mutates (tools/mutation.ts, Stryker's pattern semantics)", () => {
    const files = ["policy/rules/tenancy/a.ts", "policy/rules/tenancy/mysql.ts", "policy/rules/tenancy/sub/b.ts", "policy/rules/index.ts", "lib/x.ts"];

    it("selects what the globs match, minus the ! entries, and a narrowed entry's file", () => {
        expect(mutatedFiles(["policy/rules/tenancy/*.ts", "!policy/rules/tenancy/mysql.ts", "lib/x.ts#first,third"], files)).toEqual(["lib/x.ts", "policy/rules/tenancy/a.ts"]);
        expect(mutatedFiles(["policy/rules/**/*.ts", "!policy/rules/index.ts"], files)).toEqual(["policy/rules/tenancy/a.ts", "policy/rules/tenancy/mysql.ts", "policy/rules/tenancy/sub/b.ts"]);
    });

    it("every module of modules.json mutates at least one file that exists", () => {
        const { modules } = JSON.parse(fs.readFileSync(path.join(ROOT, "test/mutations/modules.json"), "utf8")) as { modules: Record<string, { mutate: string[] }> };
        const all = (dir: string): string[] => fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? all(`${dir}/${d.name}`) : [`${dir}/${d.name}`]));
        const sources = ["lib", "components", "policy", "tools"].flatMap(all);
        for (const [name, module] of Object.entries(modules)) {
            expect(mutatedFiles(module.mutate, sources), name).not.toEqual([]);
        }
    });
});

describe("skipping a module whose committed incremental report is current (tools/mutation.ts)", () => {
    const report = {
        files: { "lib/x.ts": { source: "const x = 1;\n", mutants: [] }, "lib/y.ts": { source: "const y = 2;\n", mutants: [] } },
        testFiles: { "test/x.test.ts": { source: "it('x')\n" } },
    };
    const today: Record<string, string> = { "lib/x.ts": "const x = 1;\n", "lib/y.ts": "const y = 2;\n", "test/x.test.ts": "it('x')\n" };
    const read = (edits: Record<string, string | undefined> = {}) => (file: string) => (file in edits ? edits[file] : today[file]);
    // lib/x.ts and the test import nothing: there are no helpers to record.
    const NO_HELPERS = { files: {} };

    it("is current when the same files are mutated and tested, each with the source of the run", () => {
        expect(staleReason(report, ["lib/y.ts", "lib/x.ts"], ["test/x.test.ts"], read(), NO_HELPERS)).toBeUndefined();
    });

    it("must run again when a mutated file changed, was added or removed", () => {
        expect(staleReason(report, ["lib/x.ts", "lib/y.ts"], ["test/x.test.ts"], read({ "lib/y.ts": "const y = 3;\n" }), NO_HELPERS)).toBe("lib/y.ts changed since the last run");
        expect(staleReason(report, ["lib/x.ts", "lib/y.ts", "lib/z.ts"], ["test/x.test.ts"], read(), NO_HELPERS)).toBe("mutated files differ from the last run (+lib/z.ts)");
        expect(staleReason(report, ["lib/x.ts"], ["test/x.test.ts"], read(), NO_HELPERS)).toBe("mutated files differ from the last run (-lib/y.ts)");
    });

    it("must run again when a guard test file changed, was added or removed", () => {
        expect(staleReason(report, ["lib/x.ts", "lib/y.ts"], ["test/x.test.ts"], read({ "test/x.test.ts": "it('x2')\n" }), NO_HELPERS)).toBe("test/x.test.ts changed since the last run");
        expect(staleReason(report, ["lib/x.ts", "lib/y.ts"], ["test/x.test.ts", "test/y.test.ts"], read(), NO_HELPERS)).toBe("the guard test files differ from the last run");
        expect(staleReason(report, ["lib/x.ts", "lib/y.ts"], [], read(), NO_HELPERS)).toBe("the guard test files differ from the last run");
        expect(staleReason({ files: report.files }, ["lib/x.ts", "lib/y.ts"], ["test/x.test.ts"], read(), NO_HELPERS)).toBe("the guard test files differ from the last run");
    });
    describe("the helpers the mutated files and guard tests import", () => {
        // lib/x.ts imports a helper that imports another (with a .js specifier); the test imports a test helper,
        // a type-only module and one it loads with import(); a package is not followed.
        const sources: Record<string, string> = {
            "lib/x.ts": 'import { h } from "./helper";\nimport { z } from "zod";\nexport const x = h;\n',
            "lib/helper.ts": 'export { deeper as h } from "./deeper.js";\n',
            "lib/deeper.ts": "export const deeper = 1;\n",
            "test/x.test.ts": 'import { fixture } from "./helpers/fixture";\nimport type { T } from "../lib/types";\nit("x", async () => { await import("../lib/late"); });\n',
            "test/helpers/fixture.ts": "export const fixture = {};\n",
            "lib/types.ts": "export type T = string;\n",
            "lib/late.ts": "export const late = 2;\n",
        };
        const helpers = ["lib/deeper.ts", "lib/helper.ts", "lib/late.ts", "lib/types.ts", "test/helpers/fixture.ts"];
        const withHelpers = {
            files: { "lib/x.ts": { source: sources["lib/x.ts"]!, mutants: [] } },
            testFiles: { "test/x.test.ts": { source: sources["test/x.test.ts"] } },
        };
        const readWith = (edits: Record<string, string | undefined> = {}) => (file: string) => (file in edits ? edits[file] : sources[file]);
        const recorded = importsRecordOf(helpers, readWith());

        it("are every project file reached through relative imports of any kind, transitively, and no package", () => {
            expect(projectImportGraph(["lib/x.ts", "test/x.test.ts"], readWith())).toEqual(["lib/deeper.ts", "lib/helper.ts", "lib/late.ts", "lib/types.ts", "lib/x.ts", "test/helpers/fixture.ts", "test/x.test.ts"]);
        });

        it("leave the module current while each has the bytes recorded at the run", () => {
            expect(staleReason(withHelpers, ["lib/x.ts"], ["test/x.test.ts"], readWith(), recorded)).toBeUndefined();
        });

        it("make it run again when one changed, even two imports deep, or when the mutated code imports a new one", () => {
            expect(staleReason(withHelpers, ["lib/x.ts"], ["test/x.test.ts"], readWith({ "lib/deeper.ts": "export const deeper = 2;\n" }), recorded)).toBe("lib/deeper.ts (imported by the mutated files or guard tests) changed since the last run");
            expect(staleReason(withHelpers, ["lib/x.ts"], ["test/x.test.ts"], readWith({ "test/helpers/fixture.ts": "export const fixture = { a: 1 };\n" }), recorded)).toBe("test/helpers/fixture.ts (imported by the mutated files or guard tests) changed since the last run");
            expect(staleReason(withHelpers, ["lib/x.ts"], ["test/x.test.ts"], readWith({ "lib/deeper.ts": 'export { other as deeper } from "./other";\n', "lib/other.ts": "export const other = 1;\n" }), recorded)).toBe(
                "the files the mutated files and guard tests import differ from the last run (+lib/other.ts)",
            );
        });

        it("make it run again when there is no record of them (a report from before the record existed)", () => {
            expect(staleReason(withHelpers, ["lib/x.ts"], ["test/x.test.ts"], readWith(), undefined)).toBe("no record of the files the mutated files and guard tests import (its .imports.json)");
        });

        it("of a real module include the shared policy helpers and test helpers, and a change to one is noticed", () => {
            const { modules } = JSON.parse(fs.readFileSync(path.join(ROOT, "test/mutations/modules.json"), "utf8")) as { modules: Record<string, { mutate: string[]; tests: string[] }> };
            const module = modules["policy-mysql"]!;
            const read = (file: string) => (fs.existsSync(path.join(ROOT, file)) && fs.statSync(path.join(ROOT, file)).isFile() ? fs.readFileSync(path.join(ROOT, file), "utf8") : undefined);
            const own = [...module.mutate, ...module.tests];
            const graph = projectImportGraph(own, read);
            expect(graph).toEqual(expect.arrayContaining(["policy/lib/values.ts", "policy/rules/tenancy/database-cluster.ts", "test/helpers/policy-fixtures.ts"]));
            expect(graph.some((f) => f.includes("node_modules"))).toBe(false);
            const report = { files: { [module.mutate[0]!]: { source: read(module.mutate[0]!)!, mutants: [] } }, testFiles: Object.fromEntries(module.tests.map((t) => [t, { source: read(t) }])) };
            const helpers = graph.filter((f) => !own.includes(f));
            const record = importsRecordOf(helpers, read);
            expect(staleReason(report, module.mutate, module.tests, read, record)).toBeUndefined();
            const edited = (file: string) => (file === "policy/lib/values.ts" ? `${read(file)}\n// edited\n` : read(file));
            expect(staleReason(report, module.mutate, module.tests, edited, record)).toBe("policy/lib/values.ts (imported by the mutated files or guard tests) changed since the last run");
        });
    });
});

describe("guard sets that do not load the Pulumi SDKs (tools/mutation.ts sdkImportChain)", () => {
    const files: Record<string, string> = {
        "test/a.test.ts": 'import { x } from "../lib/a";\nimport type { T } from "../lib/typed";\nimport { RunError } from "@pulumi/pulumi/errors";\n',
        "lib/a.ts": 'export { y } from "./b";\nexport async function later() { return import("@pulumi/kubernetes"); }\n',
        "lib/b.ts": 'import * as pulumi from "@pulumi/pulumi";\n',
        "lib/typed.ts": 'import * as k8s from "@pulumi/kubernetes";\n',
        "test/c.test.ts": 'import type { T } from "../lib/typed";\nimport { type U } from "../lib/d";\n',
        "lib/d.ts": 'const sdk = require("@pulumi/random") as unknown;\n',
        "test/e.test.ts": 'import { x } from "../lib/e";\n',
        "lib/e.ts": 'import { a } from "./e-helper.js";\n',
        "lib/e-helper.ts": "export const a = 1;\n",
    };
    const read = (file: string) => files[file];

    it("names the files through which a test loads an SDK's index, following re-exports", () => {
        expect(sdkImportChain("test/a.test.ts", read)).toEqual(["test/a.test.ts", "lib/a.ts", "lib/b.ts", "@pulumi/pulumi"]);
    });

    it("counts a top-level require and an import whose names are all types but not the whole import marked type", () => {
        expect(sdkImportChain("test/c.test.ts", read)).toEqual(["test/c.test.ts", "lib/d.ts", "@pulumi/random"]);
    });

    it("is undefined without one: type-only imports, subpaths and an import() inside a function do not load the index", () => {
        expect(sdkImportChain("test/e.test.ts", read)).toBeUndefined();
        expect(sdkImportChain("lib/typed.ts", (f) => (f === "lib/typed.ts" ? 'import type * as k8s from "@pulumi/kubernetes";\n' : undefined))).toBeUndefined();
        expect(sdkImportChain("lib/a.ts", (f) => (f === "lib/a.ts" ? files[f] : undefined))).toBeUndefined();
    });

    // Each mutant's run starts a fresh test worker that loads what its guard files import; an SDK's index costs
    // 1-2 s there (README "Mutation testing"), once per mutant.
    it("no module's guard files load an SDK index", () => {
        const { modules } = JSON.parse(fs.readFileSync(path.join(ROOT, "test/mutations/modules.json"), "utf8")) as { modules: Record<string, { tests: string[] }> };
        const loading = Object.entries(modules)
            .flatMap(([name, module]) => module.tests.map((test) => ({ name, chain: sdkImportChain(test) })))
            .filter(({ chain }) => chain !== undefined)
            .map(({ name, chain }) => `${name}: ${chain!.join(" -> ")}`);
        expect(loading).toEqual([]);
    });
});
