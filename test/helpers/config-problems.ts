import { expect } from "vitest";
import { parsePlatformConfig } from "../../lib/config/parse";
import { InputValidationError, type InputProblem } from "../../lib/validation";

// Apart from test/helpers/config.ts, which fixtures outside vitest import too: this one needs vitest's expect.

/** The aggregated problems of a raw config the loader must reject (the test fails when it is accepted). */
export function configProblems(raw: Record<string, string>, source = "Pulumi.test.yaml"): InputProblem[] {
    try {
        parsePlatformConfig(raw, source);
    } catch (error) {
        expect(error).toBeInstanceOf(InputValidationError);
        return (error as InputValidationError).problems;
    }
    throw new Error("expected the config to be rejected");
}
