import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { planDir, STACKS } from "../helpers/plans";

/**
 * The policy pack over every shipped stack's synthesized plan (evaluated by `npm run plan`, which the global
 * setup runs). Advisory findings are allowed only for the policies the README lists with a reason.
 */
const DOCUMENTED_ADVISORIES = new Set(["workload-image-digest", "workload-probes"]);

/** A documented advisory of one container only: the build Jobs' BuildKit container keeps a writable root. */
const documentedForContainer = (v: { policy: string; message: string }) => v.policy === "workload-read-only-root-filesystem" && /^container "buildkit" /.test(v.message);

describe.each(STACKS)("policy pack over stack %s", (stack) => {
    const violations = JSON.parse(fs.readFileSync(path.join(planDir(stack), "policy.json"), "utf8")) as Array<{ policy: string; enforcementLevel: string; message: string }>;

    it("has zero mandatory violations", () => {
        expect(violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
    });

    it("has only the advisories the README explains", () => {
        const undocumented = violations.filter((v) => v.enforcementLevel === "advisory" && !DOCUMENTED_ADVISORIES.has(v.policy) && !documentedForContainer(v));
        expect(undocumented.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
    });
});
