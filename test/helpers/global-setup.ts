import { synthesizeShippedStacks } from "./synth";

/**
 * Synthesizes every shipped stack once (in child processes running the real index.ts under the mock engine)
 * before the test files run; tests read `out/<stack>/plan.json` through `test/helpers/plans.ts`.
 * `PLATFORM_SYNTH=off` skips it while iterating on pure unit tests; plan-based tests then fail loudly.
 */
export default async function setup(): Promise<void> {
    if (process.env.PLATFORM_SYNTH === "off") {
        return;
    }
    await synthesizeShippedStacks();
}
