// StrykerJS configuration for `npm run mutation` (tools/mutation.ts sets MUTATION_MODULE to one entry of
// test/mutations/modules.json per run). Not part of CI: see README "Mutation testing".
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { mutatePatterns, writeCheckerTsconfig } from "./tools/mutation-targets.mjs";

const { modules } = JSON.parse(readFileSync(new URL("./test/mutations/modules.json", import.meta.url), "utf8"));
const name = process.env.MUTATION_MODULE;
// `npm run mutation -- --survivors <module>`: only the last report's survivors, into a report of their own,
// without touching the committed incremental file (tools/mutation.ts merges the statuses).
const survivors = process.env.MUTATION_SURVIVORS ? JSON.parse(process.env.MUTATION_SURVIVORS) : undefined;
const module = modules[name];
if (!module) {
    throw new Error(`MUTATION_MODULE must name one of ${Object.keys(modules).join(", ")} (got ${name}); run \`npm run mutation\``);
}

if (module.timeoutMS !== undefined && !(Number.isInteger(module.timeoutMS) && module.timeoutMS > 0)) {
    throw new Error(`test/mutations/modules.json: ${name}.timeoutMS must be a positive integer of milliseconds (got ${JSON.stringify(module.timeoutMS)})`);
}

// The TypeScript checker type-checks its project for every mutant: only this module's files and guard tests.
const tsconfigFile = writeCheckerTsconfig(fileURLToPath(new URL(".", import.meta.url)), name, module);

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
    packageManager: "npm",
    testRunner: "vitest",
    vitest: { configFile: "vitest.mutation.config.mts", related: false },
    // MUTATION_TYPECHECK=0 runs without the TypeScript checker (on a loaded 2-core machine it is the bottleneck):
    // mutants the compiler would reject then run as JavaScript; tools/mutation.ts compile-checks the survivors.
    checkers: process.env.MUTATION_TYPECHECK === "0" ? [] : ["typescript"],
    tsconfigFile,
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    // `file#declaration,…` entries become the line ranges of those declarations in today's source.
    mutate: survivors ?? mutatePatterns(module.mutate, fileURLToPath(new URL(".", import.meta.url))),
    coverageAnalysis: "perTest",
    // Static mutants (code run while a test file loads, before any test: module-level constants, and renders
    // at the top of a test file) are not activated under the vitest runner here: rules.ts's `if (true)` in
    // checkProjects and robot-client.ts's empty default base URL make their guards fail when applied by hand,
    // yet Stryker reported both survived. With ignoreStatic, a mutant also reached from inside a test runs
    // those tests with the mutant active at run time; one reached only at load time is Ignored (not counted).
    ignoreStatic: true,
    incremental: survivors === undefined,
    // Committed: a rerun only tests the mutants whose code or covering tests changed since.
    incrementalFile: `test/mutations/incremental/${name}.json`,
    reporters: ["json", "clear-text", "progress"],
    jsonReporter: { fileName: `reports/mutation/${name}${survivors ? ".survivors" : ""}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
    // Two processes in all on the shared 2-core machine: one run at concurrency 2, or two runs at 1 each.
    concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
    // Generous: on a shared machine a slow run is not an infinite loop (a load-induced timeout would count as a kill).
    // At load 22 a run of network-policies' guard file (it imports the whole project renderer) took longer than
    // 15 s + 1.5 × its net time and its first three mutants timed out; 45 s leaves room for that.
    // A module may set less (test/mutations/modules.json `timeoutMS`): critical-path's guard tests take 25 ms, and
    // its 14 endless-loop mutants (`v--` counters) held a lane for 45 s each, a third of the module's time.
    timeoutMS: module.timeoutMS ?? 45_000,
    ignorePatterns: ["out", "reports", ".stryker-tmp", "bin", ".pulumi-state", "test/mutations/incremental"],
    // One sandbox folder per module, so two modules can run side by side.
    tempDirName: `.stryker-tmp/${name}`,
    cleanTempDir: "always",
};
