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
        isolate: true,
        testTimeout: 120_000,
    },
});
