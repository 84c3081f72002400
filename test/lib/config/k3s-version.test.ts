import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../lib/config/parse";
import { classifyK3sUpgrade, k3sUpgradeProblems, parseK3sVersion } from "../../../lib/config/k3s-version";
import { InputValidationError } from "../../../lib/validation";
import { rawStackConfig } from "../../helpers/config";

/** The dev stack's config with `platform:cluster` replaced by these versions (etcd settings kept). */
function withVersions(k3sVersion: string, previousK3sVersion?: string): Record<string, string> {
    const raw = rawStackConfig("dev");
    const cluster = JSON.parse(raw["platform:cluster"]!) as Record<string, unknown>;
    return { ...raw, "platform:cluster": JSON.stringify({ ...cluster, k3sVersion, ...(previousK3sVersion ? { previousK3sVersion } : {}) }) };
}

function problemsOf(raw: Record<string, string>) {
    try {
        parsePlatformConfig(raw, "Pulumi.dev.yaml");
    } catch (error) {
        expect(error).toBeInstanceOf(InputValidationError);
        return (error as InputValidationError).problems;
    }
    return [];
}

describe("k3s versions", () => {
    it("parses pinned releases and nothing else", () => {
        expect(parseK3sVersion("v1.32.3+k3s1")).toMatchObject({ major: 1, minor: 32, patch: 3, build: 1 });
        for (const bad of ["1.32.3+k3s1", "v1.32.3", "v1.32.3-k3s1", "v1.32.3-rc1+k3s1", "stable", "v1.32+k3s1"]) {
            expect(parseK3sVersion(bad), bad).toBeUndefined();
        }
    });

    it("classifies steps numerically, not as text (v1.9 < v1.10, patch 10 > patch 9)", () => {
        const step = (from: string, to: string) => classifyK3sUpgrade(parseK3sVersion(from)!, parseK3sVersion(to)!).kind;
        expect(step("v1.31.9+k3s1", "v1.31.10+k3s1")).toBe("patch");
        expect(step("v1.31.6+k3s1", "v1.31.6+k3s2")).toBe("patch");
        expect(step("v1.31.6+k3s1", "v1.32.0+k3s1")).toBe("minor");
        expect(step("v1.31.6+k3s1", "v1.33.1+k3s1")).toBe("skips-minors");
        expect(step("v1.31.10+k3s1", "v1.31.9+k3s1")).toBe("downgrade");
        expect(step("v1.31.6+k3s2", "v1.31.6+k3s1")).toBe("downgrade");
        expect(step("v1.31.6+k3s1", "v1.31.6+k3s1")).toBe("unchanged");
    });
});

describe("version-skew validation of the stack config", () => {
    it("accepts a new cluster (no previous version), the same version, a patch bump and one minor up", () => {
        expect(problemsOf(withVersions("v1.31.6+k3s1"))).toEqual([]);
        expect(problemsOf(withVersions("v1.31.6+k3s1", "v1.31.6+k3s1"))).toEqual([]);
        expect(problemsOf(withVersions("v1.31.9+k3s1", "v1.31.6+k3s1"))).toEqual([]);
        expect(problemsOf(withVersions("v1.32.3+k3s1", "v1.31.6+k3s1"))).toEqual([]);
    });

    it("refuses two minors at once, naming the file, the key and the step to take instead", () => {
        const problems = problemsOf(withVersions("v1.33.1+k3s1", "v1.31.6+k3s1"));
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatchObject({ source: "Pulumi.dev.yaml", path: "platform:cluster.k3sVersion" });
        expect(problems[0]!.problem).toContain("2 minor versions above v1.31.6+k3s1");
        expect(problems[0]!.fix).toContain("v1.32.x+k3sN");
        expect(problems[0]!.fix).toContain("platform:cluster.previousK3sVersion");
    });

    it("refuses a downgrade, even by a patch release", () => {
        for (const [target, running] of [
            ["v1.31.6+k3s1", "v1.32.3+k3s1"],
            ["v1.32.2+k3s1", "v1.32.3+k3s1"],
        ] as const) {
            const problems = problemsOf(withVersions(target, running));
            expect(problems.map((p) => p.path), `${running} -> ${target}`).toEqual(["platform:cluster.k3sVersion"]);
            expect(problems[0]!.problem).toContain("cannot be downgraded");
            expect(problems[0]!.fix).toContain(running);
        }
    });

    it("reports the skew together with the other problems of the file (one aggregated error)", () => {
        const raw = { ...withVersions("v1.34.0+k3s1", "v1.31.6+k3s1"), "platform:location": "moon1" };
        expect(problemsOf(raw).map((p) => p.path).sort()).toEqual(["platform:location"]);
        // The skew check needs a valid schema first; once the location is fixed it is the one problem left.
        expect(problemsOf({ ...raw, "platform:location": "fsn1" }).map((p) => p.path)).toEqual(["platform:cluster.k3sVersion"]);
    });

    it("rejects a previousK3sVersion that is not a pinned release", () => {
        const problems = problemsOf(withVersions("v1.31.6+k3s1", "v1.31"));
        expect(problems.map((p) => p.path)).toEqual(["platform:cluster.previousK3sVersion"]);
        expect(problems[0]!.fix).toContain("previousK3sVersion: v1.31.6+k3s1");
    });

    it("has no opinion without a running version", () => {
        expect(k3sUpgradeProblems(undefined, "v1.35.0+k3s1", { source: "s", targetKey: "t", runningKey: "r" })).toEqual([]);
    });
});
