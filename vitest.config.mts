import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Each file gets its own process: the Pulumi runtime keeps global state (mocks, config, stack).
        pool: "forks",
        isolate: true,
        testTimeout: 120_000,
        hookTimeout: 300_000,
        globalSetup: ["test/helpers/global-setup.ts"],
    },
});
