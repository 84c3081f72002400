import { describe, expect, it } from "vitest";
import { renderAlloyConfig } from "../../../components/observability/values";
import { buildLogQuery, parseDuration, quoteLabelValue, SelectionError, selectionProblems } from "../../../tools/logs/query";
import { matches, parseSelector, type Matcher } from "../../helpers/loki-fake-server";

const base = { stack: "dev", project: "shop" };

function problemsOf(selection: Parameters<typeof buildLogQuery>[0]): string[] {
    try {
        buildLogQuery(selection);
    } catch (error) {
        expect(error).toBeInstanceOf(SelectionError);
        return (error as SelectionError).problems;
    }
    throw new Error("expected a SelectionError");
}

describe("buildLogQuery", () => {
    it("selects the stack's cluster and the project's runtime logs from its own namespace (no build stream)", () => {
        expect(buildLogQuery(base)).toBe('{cluster="dev", project="shop", namespace="shop", log_stream=""}');
    });

    it("narrows to a service and to a deployment", () => {
        expect(buildLogQuery({ ...base, service: "web" })).toBe('{cluster="dev", project="shop", service="web", namespace="shop", log_stream=""}');
        expect(buildLogQuery({ ...base, service: "web", deployment: "web-green" })).toBe(
            '{cluster="dev", project="shop", service="web", deployment="web-green", namespace="shop", log_stream=""}',
        );
    });

    it("selects a commit's build stream in the builds namespace for --build: a full commit exactly, an abbreviated one by prefix", () => {
        expect(buildLogQuery({ ...base, build: "0123abc" })).toBe('{cluster="dev", project="shop", namespace="builds", log_stream="build", commit=~"0123abc.*"}');
        expect(buildLogQuery({ ...base, service: "api", build: "a".repeat(40) })).toBe(
            `{cluster="dev", project="shop", service="api", namespace="builds", log_stream="build", commit="${"a".repeat(40)}"}`,
        );
        expect(buildLogQuery({ ...base, build: "b".repeat(64) })).toContain(`commit="${"b".repeat(64)}"`);
        // Build pods carry the full commit id (components/builds/build-job.ts): the README's short form finds it.
        const fullCommit = "3f9c2e1" + "0".repeat(33);
        const selector = parseSelector(buildLogQuery({ ...base, build: "3f9c2e1" })) as Matcher[];
        const buildLine = { cluster: "dev", project: "shop", namespace: "builds", log_stream: "build", commit: fullCommit };
        expect(selector.every((m) => matches(m, buildLine[m[0] as keyof typeof buildLine] ?? ""))).toBe(true);
        expect(selector.every((m) => matches(m, { ...buildLine, commit: "4f9c2e1" + "0".repeat(33) }[m[0] as keyof typeof buildLine] ?? ""))).toBe(false);
    });

    it("never shows lines a tenant labelled with another project from its own namespace", () => {
        const selector = parseSelector(buildLogQuery(base)) as Matcher[];
        const line = (namespace: string) => ({ cluster: "dev", project: "shop", namespace, log_stream: "" });
        expect(selector.every((m) => matches(m, line("shop")[m[0] as keyof ReturnType<typeof line>] ?? ""))).toBe(true);
        // Pods in "mallory" labelled platform/project: shop.
        expect(selector.every((m) => matches(m, line("mallory")[m[0] as keyof ReturnType<typeof line>] ?? ""))).toBe(false);
        const builds = parseSelector(buildLogQuery({ ...base, build: "a".repeat(40) })) as Matcher[];
        expect(builds).toContainEqual(["namespace", "builds"]);
    });

    it("refuses a hostile or invalid project name, naming the option and the rule", () => {
        for (const project of ['shop", project=~".+', 'shop"} |= "', "Shop", "shop--x", "a".repeat(31), "shop\n", "", "-shop", "shöp"]) {
            const problems = problemsOf({ ...base, project });
            expect(problems, project).toHaveLength(1);
            expect(problems[0]).toContain(`--project ${JSON.stringify(project)}`);
            expect(problems[0]).toContain("lowercase DNS label");
        }
    });

    it("refuses invalid service, deployment, build and stack values, all of them at once", () => {
        const problems = problemsOf({ stack: "dev\"}", project: "shop", service: 'web"', deployment: "A", build: "main" });
        expect(problems).toHaveLength(4);
        expect(problems.map((p) => p.split(" ")[0])).toEqual(["--stack", "--service", "--deployment", "--build"]);
        expect(problems[3]).toContain("git commit id");
        expect(selectionProblems({ ...base, build: "ABCDEF0" })).toHaveLength(1);
        expect(selectionProblems({ ...base, build: "abcdef" })).toHaveLength(1);
        expect(selectionProblems({ ...base, build: "a".repeat(65) })).toHaveLength(1);
        expect(selectionProblems({ ...base, service: "a".repeat(31) })).toHaveLength(1);
        expect(selectionProblems({ ...base, service: "a".repeat(30), build: "a".repeat(64) })).toEqual([]);
    });

    it("uses only labels the Alloy pipeline produces (or adds as the cluster's external label)", () => {
        const pipeline = renderAlloyConfig("dev", ["shop"]);
        const query = buildLogQuery({ ...base, service: "web", deployment: "web", build: "abcdef0" });
        const labels = (parseSelector(query) as Matcher[]).map(([label]) => label);
        for (const label of labels) {
            const produced = new RegExp(`target_label\\s+= "${label}"`).test(pipeline) || pipeline.includes(`external_labels = { ${label} = "dev" }`);
            expect(produced, label).toBe(true);
        }
    });
});

describe("quoteLabelValue", () => {
    it("escapes backslash, double quote and control characters", () => {
        expect(quoteLabelValue('a"b')).toBe('"a\\"b"');
        expect(quoteLabelValue("a\\b")).toBe('"a\\\\b"');
        expect(quoteLabelValue("a\nb\tc\rd")).toBe('"a\\nb\\tc\\rd"');
        expect(quoteLabelValue("a\u0000b\u007f")).toBe('"a\\x00b\\x7f"');
        expect(quoteLabelValue("")).toBe('""');
    });

    it("keeps any hostile value inside its own matcher", () => {
        for (const value of ['x", project=~".*', 'x"} |= "secret', "x\\", '\\"', "x\n}", "}{", "`x`", "ü\u0001"]) {
            const matchers = parseSelector(`{project="p", service=${quoteLabelValue(value)}}`);
            expect(matchers, value).toEqual([
                ["project", "p"],
                ["service", value],
            ]);
        }
    });
});

describe("parseDuration", () => {
    it("reads s, m, h, d and w, and combinations", () => {
        expect(parseDuration("30s")).toBe(30_000);
        expect(parseDuration("1h")).toBe(3_600_000);
        expect(parseDuration("1h30m")).toBe(5_400_000);
        expect(parseDuration("7d")).toBe(7 * 86_400_000);
        expect(parseDuration("2w")).toBe(14 * 86_400_000);
    });

    it("refuses what is not a positive duration", () => {
        for (const text of ["", "1", "h", "1x", "-1h", "0h", "1.5h", "1h ", "1H"]) {
            expect(parseDuration(text), text).toBeUndefined();
        }
    });
});
