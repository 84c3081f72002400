/**
 * `npm run mutation [-- [--score-only | --survivors | --rerun | --from-scratch] [--module] <module> ...]`: StrykerJS over the modules that carry the product's guarantees
 * (test/mutations/modules.json), one Stryker run per module, incremental (test/mutations/incremental/<module>.json, committed,
 * keeps the results of unchanged code and tests), then the mutation score of each module. Not part of CI.
 * Target: at least 80% of the mutants killed in each module; the survivors left are listed, with the reason
 * each is equivalent, in test/mutations/equivalent.md. `MUTATION_TYPECHECK=0` runs Stryker without its TypeScript
 * checker (the bottleneck on a loaded 2-core machine); the survivors are then compile-checked here, and those
 * the compiler rejects count as invalid. Mutants the compiler would reject but a test kills still count as killed.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Minimatch } from "minimatch";
import * as ts from "typescript";
import { compileRejected, type ReportFile, type ReportMutant } from "./mutation-compile";
// @ts-expect-error: plain JavaScript module without declarations (stryker.config.mjs imports it natively)
import { entryFile, writeCheckerTsconfig } from "./mutation-targets.mjs";

const ROOT = path.resolve(__dirname, "..");
const TARGET = 80;

interface MutationModule {
    /** Source globs Stryker mutates. */
    mutate: string[];
    /** Test files that guard them. */
    tests: string[];
    /** Stryker's timeout slack for this module (stryker.config.mjs; default 45 s). */
    timeoutMS?: number;
}

/** Mutant counts of one module from Stryker's JSON report (mutation-testing-report-schema). */
export interface ModuleScore {
    /** Module name (a key of modules.json). */
    name: string;
    /** Killed or timed out: a test noticed. */
    detected: number;
    /** Survived or not covered by any test. */
    undetected: number;
    /** Rejected by the TypeScript checker or the runtime: not counted. */
    invalid: number;
    /** Of `invalid`: survivors of a run without the checker that the compiler rejects afterwards. */
    rejectedSurvivors: number;
    /** detected / (detected + undetected), percent. */
    score: number;
    /** Surviving mutants as `file:line  mutator  replacement`. */
    survivors: string[];
}

/** Reads a Stryker JSON report into a score; `rejected`: ids of survivors the compiler rejects (invalid). */
export function scoreOf(name: string, report: { files: Record<string, { mutants: Array<{ id: string; status: string; mutatorName: string; replacement?: string; location: { start: { line: number } } }> }> }, rejected: ReadonlySet<string> = new Set()): ModuleScore {
    let detected = 0;
    let undetected = 0;
    let invalid = 0;
    let rejectedSurvivors = 0;
    const survivors: string[] = [];
    for (const [file, { mutants }] of Object.entries(report.files)) {
        for (const mutant of mutants) {
            if (rejected.has(mutant.id)) {
                invalid++;
                rejectedSurvivors++;
            } else if (mutant.status === "Killed" || mutant.status === "Timeout") {
                detected++;
            } else if (mutant.status === "Survived" || mutant.status === "NoCoverage") {
                undetected++;
                survivors.push(`${file}:${mutant.location.start.line}  ${mutant.mutatorName}  ${JSON.stringify(mutant.replacement ?? "")}`);
            } else {
                invalid++;
            }
        }
    }
    const total = detected + undetected;
    return { name, detected, undetected, invalid, rejectedSurvivors, score: total === 0 ? 100 : (100 * detected) / total, survivors };
}

const UNDETECTED = new Set(["Survived", "NoCoverage"]);

/** One module's score with what the README table records beside it: how long the run took and the machine's load. */
export interface ModuleRun {
    /** The module's score. */
    score: ModuleScore;
    /** Wall-clock seconds of the module's Stryker run (and compile check). */
    seconds: number;
    /** 1-minute load average when the module started and when it ended (os.loadavg()[0]). */
    load: { start: number; end: number };
}

/** How the modules of one `npm run mutation` ran: wall time of the whole command and modules side by side. */
export interface RunTotals {
    /** Wall-clock seconds from the first module's start to the last one's end. */
    wallSeconds: number;
    /** Modules run side by side (MUTATION_LANES). */
    lanes: number;
}

/** The summary table `npm run mutation` prints: counts, score, duration and load of each module, then the total time. */
export function formatSummary(runs: readonly ModuleRun[], totals?: RunTotals, target = TARGET): string {
    const minutes = (s: number) => `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2)} s`;
    const lines = ["module               mutants  killed  survived  invalid   score  duration      load (start-end)"];
    for (const { score: s, seconds, load } of runs) {
        const mutants = s.detected + s.undetected + s.invalid;
        lines.push(
            `${s.name.padEnd(20)} ${String(mutants).padStart(7)}  ${String(s.detected).padStart(6)}  ${String(s.undetected).padStart(8)}  ${String(s.invalid).padStart(7)}  ${s.score.toFixed(1).padStart(5)}%  ${minutes(seconds).padStart(12)}  ${load.start.toFixed(1)}-${load.end.toFixed(1)}${s.score < target ? `  < ${target}%` : ""}`,
        );
    }
    const total = runs.reduce((n, r) => n + r.seconds, 0);
    lines.push(
        totals === undefined || totals.lanes === 1
            ? `total ${minutes(totals?.wallSeconds ?? total)} for ${runs.length} module(s) on ${os.cpus().length} CPU(s)`
            : `total ${minutes(totals.wallSeconds)} for ${runs.length} module(s) on ${os.cpus().length} CPU(s), ${totals.lanes} side by side (module durations add up to ${minutes(total)})`,
    );
    return lines.join("\n");
}

/**
 * Stryker mutate patterns that cover exactly the survivors of a report (`file:line:col-line:col`, Stryker's
 * columns 0-based, a column of slack at the end). Refuses a file whose source changed since the report: the
 * locations would be wrong; run that module in full instead.
 */
export function survivorPatterns(report: { files: Record<string, ReportFile> }, readSource: (file: string) => string): string[] {
    return Object.entries(report.files).flatMap(([file, { source, mutants }]) => {
        const undetected = mutants.filter((m) => UNDETECTED.has(m.status));
        if (undetected.length > 0 && readSource(file) !== source) {
            throw new Error(`${file} changed since the last report: run the module without --survivors`);
        }
        return undetected.map((m) => `${file}:${m.location.start.line}:${m.location.start.column - 1}-${m.location.end.line}:${m.location.end.column}`);
    });
}

/** The full report with each survivor's status replaced by its status in a rerun of the survivors. */
export function mergeSurvivorRun(full: { files: Record<string, ReportFile> }, rerun: { files: Record<string, ReportFile> }): { files: Record<string, ReportFile> } {
    const key = (file: string, m: ReportMutant) => `${file}|${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}|${m.mutatorName}|${m.replacement ?? ""}`;
    const again = new Map(Object.entries(rerun.files).flatMap(([file, f]) => f.mutants.map((m) => [key(file, m), m.status] as const)));
    const files = Object.fromEntries(
        Object.entries(full.files).map(([file, f]) => [file, { ...f, mutants: f.mutants.map((m) => (UNDETECTED.has(m.status) && again.has(key(file, m)) ? { ...m, status: again.get(key(file, m))! } : m)) }]),
    );
    return { ...full, files };
}

/** What `npm run mutation` was asked to do. */
export interface MutationArgs {
    /** Modules named (positionally or with `--module <name>`); empty: all of them. */
    modules: string[];
    /** Score the last reports again without running Stryker. */
    scoreOnly: boolean;
    /** Retest only the survivors of the last report. */
    survivors: boolean;
    /** Start Stryker even for a module whose committed incremental report is current. */
    rerun: boolean;
    /** Retest every mutant, reusing no result of the incremental file (Stryker's `--force`); implies `rerun`. */
    fromScratch: boolean;
}

/** Parses the command line after `npm run mutation --`; throws on an unknown switch or a `--module` without a name. */
export function parseArgs(argv: readonly string[]): MutationArgs {
    const args: MutationArgs = { modules: [], scoreOnly: false, survivors: false, rerun: false, fromScratch: false };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        if (arg === "--") {
            continue;
        } else if (arg === "--score-only") {
            args.scoreOnly = true;
        } else if (arg === "--survivors") {
            args.survivors = true;
        } else if (arg === "--rerun") {
            args.rerun = true;
        } else if (arg === "--from-scratch") {
            args.rerun = true;
            args.fromScratch = true;
        } else if (arg === "--module" || arg.startsWith("--module=")) {
            const value = arg === "--module" ? argv[++i] : arg.slice("--module=".length);
            if (value === undefined || value === "" || value.startsWith("--")) {
                throw new Error("--module needs a module name (a key of test/mutations/modules.json)");
            }
            args.modules.push(value);
        } else if (arg.startsWith("--")) {
            throw new Error(`unknown switch ${arg}; use --module <name>, --score-only, --survivors, --rerun or --from-scratch`);
        } else {
            args.modules.push(arg);
        }
    }
    return args;
}

/**
 * The files a module's `mutate` entries select among `candidates` (repository-relative paths), with Stryker's
 * semantics: entries in order, a `!` entry removes what it matches, `file#declarations` selects the file
 * (minimatch, the matcher Stryker's project reader uses).
 */
export function mutatedFiles(entries: readonly string[], candidates: readonly string[]): string[] {
    const selected = new Set<string>();
    for (const entry of entries) {
        const negated = entry.startsWith("!");
        const matcher = new Minimatch(entryFile(negated ? entry.slice(1) : entry) as string, { dot: true });
        for (const file of candidates.filter((c) => matcher.match(c))) {
            if (negated) {
                selected.delete(file);
            } else {
                selected.add(file);
            }
        }
    }
    return [...selected].sort();
}

/** The TypeScript files under the static directories of a module's entries (what `mutatedFiles` chooses from). */
function candidateFiles(entries: readonly string[]): string[] {
    const dirs = new Set(
        entries.map((entry) => {
            const segments = (entryFile(entry.replace(/^!/, "")) as string).split("/");
            const firstGlob = segments.findIndex((s) => /[*?[\]{}]/.test(s));
            return (firstGlob < 0 ? segments.slice(0, -1) : segments.slice(0, firstGlob)).join("/");
        }),
    );
    const walk = (dir: string): string[] =>
        fs.existsSync(path.join(ROOT, dir))
            ? fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((d) => {
                  const rel = dir === "" ? d.name : `${dir}/${d.name}`;
                  return d.isDirectory() ? (d.name === "node_modules" ? [] : walk(rel)) : /\.[cm]?[jt]s$/.test(d.name) ? [rel] : [];
              })
            : [];
    return [...new Set([...dirs].flatMap(walk))];
}

/** The parts of a committed incremental report (Stryker's JSON report) that say what it was measured on. */
export interface IncrementalReport {
    /** Mutated files with their source at the time of the run. */
    files: Record<string, ReportFile>;
    /** Test files with their source at the time of the run. */
    testFiles?: Record<string, { source?: string }>;
}

/**
 * Why a module must run again, or `undefined` when its committed incremental report still describes today's
 * code: the same files mutated, each with the same source, the same guard test files with the same source, and
 * the same project files imported by either, transitively (`projectImportGraph`: helpers such as
 * lib/network-rules.ts, policy/lib/*, test/helpers/*), each with the bytes recorded at the run (`imports`, the
 * module's `.imports.json`). Stryker's own incremental mode compares only the first two (it would reuse every
 * result after a helper changed), so such a module is scored from the committed report without starting
 * Stryker, which would still build a sandbox and run every guard test once first. Packages are not compared.
 */
export function staleReason(report: IncrementalReport, mutated: readonly string[], tests: readonly string[], readSource: (file: string) => string | undefined, imports: ImportsRecord | undefined): string | undefined {
    const reported = Object.keys(report.files).sort();
    const added = mutated.filter((f) => !reported.includes(f));
    const removed = reported.filter((f) => !mutated.includes(f));
    if (added.length > 0 || removed.length > 0) {
        return `mutated files differ from the last run (${[...added.map((f) => `+${f}`), ...removed.map((f) => `-${f}`)].join(", ")})`;
    }
    const changed = reported.find((f) => readSource(f) !== report.files[f]!.source);
    if (changed) {
        return `${changed} changed since the last run`;
    }
    const testFiles = report.testFiles ?? {};
    const testsBefore = Object.keys(testFiles).sort();
    if (testsBefore.join("\n") !== [...tests].sort().join("\n")) {
        return "the guard test files differ from the last run";
    }
    const changedTest = testsBefore.find((f) => readSource(f) !== testFiles[f]!.source);
    if (changedTest) {
        return `${changedTest} changed since the last run`;
    }
    if (imports === undefined) {
        return "no record of the files the mutated files and guard tests import (its .imports.json)";
    }
    const own = new Set([...mutated, ...tests]);
    const helpers = projectImportGraph([...own], readSource).filter((f) => !own.has(f));
    const recorded = Object.keys(imports.files).sort();
    const newHelpers = helpers.filter((f) => !(f in imports.files));
    const goneHelpers = recorded.filter((f) => !helpers.includes(f));
    if (newHelpers.length > 0 || goneHelpers.length > 0) {
        return `the files the mutated files and guard tests import differ from the last run (${[...newHelpers.map((f) => `+${f}`), ...goneHelpers.map((f) => `-${f}`)].join(", ")})`;
    }
    const changedHelper = helpers.find((f) => sourceDigest(readSource(f) ?? "") !== imports.files[f]);
    return changedHelper ? `${changedHelper} (imported by the mutated files or guard tests) changed since the last run` : undefined;
}

/** Packages whose index takes seconds to load in a fresh test worker: a guard set that loads them pays that per mutant. */
export const HEAVY_SDKS: readonly string[] = ["@pulumi/pulumi", "@pulumi/kubernetes", "@pulumi/hcloud", "@pulumi/tailscale", "@pulumi/random", "@pulumi/command"];

/** Reads a repository file, or `undefined` when there is none (a directory, a package, a missing path). */
function readRepositoryFile(file: string): string | undefined {
    const full = path.join(ROOT, file);
    return fs.existsSync(full) && fs.statSync(full).isFile() ? fs.readFileSync(full, "utf8") : undefined;
}

/**
 * The module specifiers a source imports. `loadOnly`: only what loads when the file is imported (every
 * import, `export … from` and top-level `require` that is not type-only; the compiler may still elide one,
 * counting it is the safe side). Otherwise every reference to another file, type-only imports and `import()`
 * or `require()` anywhere included: whatever can change what the file does or how it compiles.
 */
function importSpecifiers(file: string, text: string, loadOnly: boolean): string[] {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
    const specifiers: string[] = [];
    const literal = (node: ts.Node | undefined) => (node && ts.isStringLiteralLike(node) ? node.text : undefined);
    for (const statement of source.statements) {
        let specifier: string | undefined;
        if (ts.isImportDeclaration(statement) && (!loadOnly || !statement.importClause?.isTypeOnly)) {
            specifier = literal(statement.moduleSpecifier);
        } else if (ts.isExportDeclaration(statement) && (!loadOnly || !statement.isTypeOnly)) {
            specifier = literal(statement.moduleSpecifier);
        } else if (ts.isImportEqualsDeclaration(statement) && (!loadOnly || !statement.isTypeOnly) && ts.isExternalModuleReference(statement.moduleReference)) {
            specifier = literal(statement.moduleReference.expression);
        } else if (loadOnly && ts.isVariableStatement(statement)) {
            for (const declaration of statement.declarationList.declarations) {
                const init = declaration.initializer && ts.isAsExpression(declaration.initializer) ? declaration.initializer.expression : declaration.initializer;
                if (init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === "require") {
                    const required = literal(init.arguments[0]);
                    if (required !== undefined) {
                        specifiers.push(required);
                    }
                }
            }
        }
        if (specifier !== undefined) {
            specifiers.push(specifier);
        }
    }
    if (!loadOnly) {
        const visit = (node: ts.Node): void => {
            if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === "require"))) {
                const called = literal(node.arguments[0]);
                if (called !== undefined) {
                    specifiers.push(called);
                }
            } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
                const typed = literal(node.argument.literal);
                if (typed !== undefined) {
                    specifiers.push(typed);
                }
            }
            ts.forEachChild(node, visit);
        };
        ts.forEachChild(source, visit);
    }
    return specifiers;
}

/** The repository file a relative specifier names from `from`, as the TypeScript and Node resolvers would find it, or `undefined`. */
function resolveRelative(from: string, specifier: string, readSource: (file: string) => string | undefined): string | undefined {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
    return [base, `${base}.ts`, `${base}.mts`, `${base}/index.ts`, base.replace(/\.[cm]?js$/, ".ts")].find((candidate) => candidate !== "" && !candidate.startsWith("..") && readSource(candidate) !== undefined);
}

/**
 * The chain of repository files through which `file` loads one of `HEAVY_SDKS` when it is imported, or
 * `undefined`. Follows every import, `export … from` and top-level `require` that is not type-only (the
 * compiler may still elide one; counting it is the safe side); an `import()` inside a function loads only when
 * called and is not followed. A subpath (`@pulumi/pulumi/errors`) is not the index and is not counted.
 */
export function sdkImportChain(file: string, readSource: (file: string) => string | undefined = readRepositoryFile): string[] | undefined {
    const seen = new Set<string>();
    const visit = (current: string): string[] | undefined => {
        if (seen.has(current)) {
            return undefined;
        }
        seen.add(current);
        for (const specifier of importSpecifiers(current, readSource(current) ?? "", true)) {
            if (HEAVY_SDKS.includes(specifier)) {
                return [current, specifier];
            }
            if (specifier.startsWith(".")) {
                const next = resolveRelative(current, specifier, readSource);
                const chain = next === undefined ? undefined : visit(next);
                if (chain) {
                    return [current, ...chain];
                }
            }
        }
        return undefined;
    };
    return visit(file);
}

/**
 * Every repository file `roots` reach through relative imports, transitively, the roots included, sorted:
 * type-only imports, `export … from`, `import()` and `require()` anywhere count (`importSpecifiers`), a
 * package (node_modules) does not. A JSON or `.mjs` file is followed as far as TypeScript can parse it.
 */
export function projectImportGraph(roots: readonly string[], readSource: (file: string) => string | undefined = readRepositoryFile): string[] {
    const seen = new Set<string>();
    const pending = roots.filter((root) => readSource(root) !== undefined);
    while (pending.length > 0) {
        const current = pending.pop()!;
        if (seen.has(current)) {
            continue;
        }
        seen.add(current);
        if (!/\.[cm]?[jt]sx?$/.test(current)) {
            continue;
        }
        for (const specifier of importSpecifiers(current, readSource(current) ?? "", false)) {
            const next = specifier.startsWith(".") ? resolveRelative(current, specifier, readSource) : undefined;
            if (next !== undefined && !seen.has(next)) {
                pending.push(next);
            }
        }
    }
    return [...seen].sort();
}

/** SHA-256 of a source, hex: what the record of a module's imported helpers keeps of each file. */
export function sourceDigest(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/**
 * The record of the helpers a module's run saw (`test/mutations/incremental/<module>.imports.json`, committed
 * beside the report): every project file the mutated files and guard tests import, transitively, with the
 * digest of its bytes. The mutated files and the guard tests themselves are in Stryker's report.
 */
export interface ImportsRecord {
    /** Repository-relative path to SHA-256 of the file's bytes at the run. */
    files: Record<string, string>;
}

const IMPORTS_COMMENT = "Written by npm run mutation with the incremental report beside it: SHA-256 of every project file the module's mutated files and guard tests import at that run. A changed file here makes the module run again (tools/mutation.ts staleReason).";

/** The record of `helpers` as they read today. */
export function importsRecordOf(helpers: readonly string[], readSource: (file: string) => string | undefined = readRepositoryFile): ImportsRecord {
    return { files: Object.fromEntries(helpers.map((file) => [file, sourceDigest(readSource(file) ?? "")])) };
}

/** Runs a command to completion without blocking the other lane: output to the terminal, or to `logFile`. */
function runCommand(command: string, argv: readonly string[], env: NodeJS.ProcessEnv, logFile: string | undefined): Promise<{ status: number | null }> {
    const log = logFile === undefined ? undefined : fs.openSync(logFile, "w");
    return new Promise((resolve) => {
        const child = spawn(command, argv, { cwd: ROOT, env, stdio: log === undefined ? "inherit" : ["ignore", log, log] });
        child.on("error", () => resolve({ status: null }));
        child.on("close", (status) => {
            if (log !== undefined) {
                fs.closeSync(log);
            }
            resolve({ status });
        });
    });
}

/**
 * How many modules run side by side (`MUTATION_LANES`, default 1). With 2, each Stryker runs at concurrency 1 and
 * a module's serial phases (sandbox copy, instrumenting, dry run, the compile check of survivors, the last
 * mutants) overlap the other module's mutant runs instead of leaving a core idle; each module's Stryker output
 * then goes to `reports/mutation/<module>.log`.
 */
export function lanesOf(env: NodeJS.ProcessEnv): number {
    const lanes = Number(env.MUTATION_LANES ?? 1);
    if (!Number.isInteger(lanes) || lanes < 1) {
        throw new Error(`MUTATION_LANES must be a positive integer, got ${env.MUTATION_LANES}`);
    }
    return lanes;
}

async function main(): Promise<number> {
    const { modules } = JSON.parse(fs.readFileSync(path.join(ROOT, "test/mutations/modules.json"), "utf8")) as { modules: Record<string, MutationModule> };
    let args: MutationArgs;
    let lanes: number;
    try {
        args = parseArgs(process.argv.slice(2));
        lanes = lanesOf(process.env);
    } catch (error) {
        console.error((error as Error).message);
        return 1;
    }
    // --score-only: score the last reports in reports/mutation/ again without running Stryker.
    const scoreOnly = args.scoreOnly;
    // --survivors: retest only the survivors of the last report (after new tests), then merge the statuses.
    const survivorsOnly = args.survivors;
    const requested = args.modules;
    const unknown = requested.filter((name) => !(name in modules));
    if (unknown.length > 0) {
        console.error(`unknown module(s) ${unknown.join(", ")}; modules: ${Object.keys(modules).join(", ")}`);
        return 1;
    }
    const names = requested.length > 0 ? requested : Object.keys(modules);
    const childEnv = lanes > 1 ? { ...process.env, MUTATION_CONCURRENCY: process.env.MUTATION_CONCURRENCY ?? "1" } : process.env;
    const logOf = (name: string) => (lanes > 1 ? path.join(ROOT, "reports/mutation", `${name}.log`) : undefined);
    fs.mkdirSync(path.join(ROOT, "reports/mutation"), { recursive: true });
    const runModule = async (name: string): Promise<ModuleRun | string> => {
        const started = Date.now();
        const loadAtStart = os.loadavg()[0]!;
        console.log(`\n=== mutation: ${name} (${modules[name]!.mutate.join(", ")}) ===${lanes > 1 ? ` (Stryker's output: reports/mutation/${name}.log)` : ""}`);
        const reportFile = path.join(ROOT, "reports/mutation", `${name}.json`);
        const incrementalFile = path.join(ROOT, "test/mutations/incremental", `${name}.json`);
        const importsFile = path.join(ROOT, "test/mutations/incremental", `${name}.imports.json`);
        const mutated = mutatedFiles(modules[name]!.mutate, candidateFiles(modules[name]!.mutate));
        const stale = scoreOnly || survivorsOnly || args.rerun || !fs.existsSync(incrementalFile)
            ? "run"
            : staleReason(JSON.parse(fs.readFileSync(incrementalFile, "utf8")) as IncrementalReport, mutated, modules[name]!.tests, readRepositoryFile, fs.existsSync(importsFile) ? (JSON.parse(fs.readFileSync(importsFile, "utf8")) as ImportsRecord) : undefined);
        // The helpers as Stryker's sandbox copies them now, recorded once its run has rewritten the incremental file.
        const own = new Set([...mutated, ...modules[name]!.tests]);
        const importsAtStart = importsRecordOf(projectImportGraph([...own]).filter((f) => !own.has(f)));
        if (stale !== undefined && stale !== "run") {
            console.log(`${name}: running Stryker: ${stale}`);
        }
        let unchanged = false;
        let run: { status: number | null };
        if (scoreOnly) {
            run = { status: 0 };
        } else if (stale === undefined) {
            // Nothing Stryker compares changed: its results are today's (and the compile check of survivors below
            // runs whatever switch the committed run had).
            console.log(`${name}: unchanged since the committed incremental run: scored from it, Stryker not started (--rerun to force)`);
            fs.copyFileSync(incrementalFile, reportFile);
            writeCheckerTsconfig(ROOT, name, modules[name]!);
            unchanged = true;
            run = { status: 0 };
        } else if (survivorsOnly) {
            if (!fs.existsSync(reportFile)) {
                return `no report of ${name} to take the survivors from: run it in full first`;
            }
            const full = JSON.parse(fs.readFileSync(reportFile, "utf8")) as { files: Record<string, ReportFile> };
            const patterns = survivorPatterns(full, (file) => fs.readFileSync(path.join(ROOT, file), "utf8"));
            console.log(`${name}: retesting the ${patterns.length} survivors of the last report`);
            run = await runCommand("npx", ["stryker", "run", "stryker.config.mjs"], { ...childEnv, MUTATION_MODULE: name, MUTATION_SURVIVORS: JSON.stringify(patterns) }, logOf(name));
            const rerunFile = path.join(ROOT, "reports/mutation", `${name}.survivors.json`);
            if (run.status === 0 && fs.existsSync(rerunFile)) {
                fs.writeFileSync(reportFile, JSON.stringify(mergeSurvivorRun(full, JSON.parse(fs.readFileSync(rerunFile, "utf8")))));
            }
        } else {
            run = await runCommand("npx", ["stryker", "run", "stryker.config.mjs", ...(args.fromScratch ? ["--force"] : [])], { ...childEnv, MUTATION_MODULE: name }, logOf(name));
            if (run.status === 0) {
                fs.writeFileSync(importsFile, `${JSON.stringify({ $comment: IMPORTS_COMMENT, ...importsAtStart }, null, 4)}\n`);
            }
        }
        if (run.status !== 0 || !fs.existsSync(reportFile)) {
            return `stryker failed for ${name} (exit ${run.status}${scoreOnly ? ", or no report to score" : ""}${lanes > 1 ? `; see reports/mutation/${name}.log` : ""})`;
        }
        const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as { files: Record<string, ReportFile> };
        const rejected = new Set<string>();
        if (process.env.MUTATION_TYPECHECK === "0" || unchanged) {
            const survivors = new Set(Object.values(report.files).flatMap((f) => f.mutants.filter((m) => m.status === "Survived" || m.status === "NoCoverage").map((m) => m.id)));
            console.log(`${name}: compile check of ${survivors.size} survivors (the run had no TypeScript checker)`);
            for (const id of compileRejected(path.join(ROOT, ".stryker-tsconfig", `${name}.json`), report.files, survivors)) {
                rejected.add(id);
            }
        }
        const score = scoreOf(name, report, rejected);
        console.log(`${name}: ${score.score.toFixed(1)}%${rejected.size > 0 ? ` (${rejected.size} survivors rejected by the compiler, not counted)` : ""} in ${Math.round((Date.now() - started) / 1000)} s`);
        return { score, seconds: (Date.now() - started) / 1000, load: { start: loadAtStart, end: os.loadavg()[0]! } };
    };
    const started = Date.now();
    const results = new Map<string, ModuleRun>();
    const failures: string[] = [];
    // Side by side, the largest modules first (by their committed report), so no lane is left with a long one at the end.
    const size = (name: string) => {
        const file = path.join(ROOT, "test/mutations/incremental", `${name}.json`);
        return fs.existsSync(file) ? Object.values((JSON.parse(fs.readFileSync(file, "utf8")) as IncrementalReport).files).reduce((n, f) => n + f.mutants.length, 0) : Number.MAX_SAFE_INTEGER;
    };
    const queue = lanes > 1 ? [...names].sort((x, y) => size(y) - size(x)) : [...names];
    const lane = async (): Promise<void> => {
        for (let name = queue.shift(); name !== undefined && failures.length === 0; name = queue.shift()) {
            const result = await runModule(name);
            if (typeof result === "string") {
                failures.push(result);
            } else {
                results.set(name, result);
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(lanes, names.length) }, lane));
    if (failures.length > 0) {
        console.error(failures.join("\n"));
        return 1;
    }
    const runs = names.map((name) => results.get(name)!);
    console.log(`\n${formatSummary(runs, { wallSeconds: (Date.now() - started) / 1000, lanes })}`);
    for (const s of runs.map((r) => r.score).filter((x) => x.survivors.length > 0)) {
        console.log(`\nsurvivors in ${s.name} (kill them with a test or explain them in test/mutations/equivalent.md):`);
        for (const line of s.survivors) {
            console.log(`  ${line}`);
        }
    }
    return 0;
}

if (require.main === module) {
    void main().then((code) => {
        process.exitCode = code;
    });
}
