// StrykerJS configuration for `npm run mutation` (tools/mutation.ts sets MUTATION_MODULE to one entry of
// test/mutations/modules.json per run). Not part of CI: see README "Mutation testing".
import { readFileSync } from "node:fs";

const { modules } = JSON.parse(readFileSync(new URL("./test/mutations/modules.json", import.meta.url), "utf8"));
const name = process.env.MUTATION_MODULE;
const module = modules[name];
if (!module) {
    throw new Error(`MUTATION_MODULE must name one of ${Object.keys(modules).join(", ")} (got ${name}); run \`npm run mutation\``);
}

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
    packageManager: "npm",
    testRunner: "vitest",
    vitest: { configFile: "vitest.mutation.config.mts", related: false },
    checkers: ["typescript"],
    tsconfigFile: "tsconfig.mutation.json",
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    mutate: module.mutate,
    coverageAnalysis: "perTest",
    incremental: true,
    incrementalFile: `reports/mutation/${name}.incremental.json`,
    reporters: ["json", "clear-text", "progress"],
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
    concurrency: 2,
    timeoutMS: 5_000,
    ignorePatterns: ["out", "reports", ".stryker-tmp", "bin", ".pulumi-state"],
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
};
