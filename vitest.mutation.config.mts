import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

// The test files that guard the module under mutation (test/mutations/modules.json), without the global
// setup that plans every shipped stack: these are pure unit tests, and each mutant reruns them.
const { modules } = JSON.parse(readFileSync(new URL("./test/mutations/modules.json", import.meta.url), "utf8"));
const module = modules[process.env.MUTATION_MODULE ?? ""];

export default defineConfig({
    test: {
        include: module ? module.tests : ["test/**/*.test.ts"],
        pool: "forks",
        // One worker and one module graph per Stryker test run (Stryker's runner sets the threads pool with one
        // worker): a mutant whose covering tests sit in several guard files loads the code under test and its
        // dependencies once, not once per file. The guard files keep no state across files: config's 174 mutants
        // got the same statuses with isolation on and off (README "Mutation testing"). MUTATION_ISOLATE=1 turns it back on.
        // What it changes: Stryker activates the mutant in its setup file's beforeAll, on the worker's global, so
        // a guard file loaded after another in the same run executes its load-time code with the mutant active. A
        // guard test must call the code under test inside its `it` (which ignoreStatic requires anyway).
        isolate: process.env.MUTATION_ISOLATE === "1",
        testTimeout: 120_000,
    },
});
