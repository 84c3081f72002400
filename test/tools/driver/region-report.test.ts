import { describe, expect, it } from "vitest";
import { summarizeEvents } from "../../../tools/driver/events";
import type { ExitCode } from "../../../tools/driver/exit-codes";
import { renderRegionJson, renderRegionMarkdown, renderRegionText, type RegionReport, type StackOutcome } from "../../../tools/driver/region-report";
import { Redactor, renderMarkdown, type DeployReport } from "../../../tools/driver/render";
import { loadEngineEvents } from "../../helpers/fake-workspace";

const none = new Redactor([]);

function outcome(tenant: string | undefined, fixture: string, exitCode: ExitCode, status: string, extra: Partial<DeployReport> = {}): StackOutcome {
    const summary = summarizeEvents(loadEngineEvents(fixture));
    const stack = tenant ? `fsn1--${tenant}` : "fsn1";
    return {
        target: tenant ? { role: "tenant", tenant, stackName: stack, workDir: "/repo/programs/tenant" } : { role: "platform", stackName: stack, workDir: "/repo" },
        report: { command: "preview", stack, exitCode, status, backend: "s3://state", summary, durationSeconds: 3, ...extra },
        changed: summary.hasChanges,
    };
}

function region(tenants: StackOutcome[], extra: Partial<RegionReport> = {}): RegionReport {
    return {
        command: "preview",
        region: "fsn1",
        exitCode: 0,
        status: "succeeded",
        backend: "s3://state",
        parallel: 4,
        platform: outcome(undefined, "drift-none", 0, "succeeded"),
        tenants,
        pendingDeletion: [],
        catalogTenants: tenants.length,
        durationSeconds: 12,
        ...extra,
    };
}

describe("region markdown, grouped by tenant", () => {
    it("renders a platform-only run exactly like the single-stack report", () => {
        const report = region([]);
        expect(renderRegionMarkdown(report, none)).toBe(renderMarkdown(report.platform!.report, none));
    });

    it("has the region marker, one row per stack (platform, then failing, then changing, then quiet tenants) and details for those that need a look", () => {
        const markdown = renderRegionMarkdown(
            region(
                [
                    outcome("blog", "drift-none", 0, "succeeded"),
                    outcome("shop", "preview-changes", 0, "succeeded"),
                    outcome("wiki", "preview-policy-violation", 2, "policy-violation", { error: "error: preview failed" }),
                ],
                { exitCode: 2, status: "policy-violation" },
            ),
            none,
        );
        const lines = markdown.split("\n");
        expect(lines[0]).toBe("<!-- platform-deploy:preview:fsn1 -->");
        expect(lines[1]).toBe("### ⛔ `preview` · region `fsn1` · policy-violation (exit 2)");
        expect(markdown).toContain("**4 stack(s): 3 succeeded, 1 policy-violation** · 4 tenant(s) at a time · catalog of 3 tenant(s) checked");
        const rows = lines.filter((line) => line.startsWith("| `fsn1"));
        expect(rows.map((row) => row.split(" | ")[1])).toEqual(["_platform_", "`wiki`", "`shop`", "`blog`"]);
        expect(rows[2]).toBe("| `fsn1--shop` | `shop` | ✅ succeeded | 0 | 2 to create, 2 to update, 1 to replace, 1 to delete, 6 unchanged |");
        expect(markdown).toContain("<details><summary>⛔ tenant wiki · <code>fsn1--wiki</code> · policy-violation (exit 2)</summary>");
        expect(markdown).toContain("| mandatory | `platform-security/no-privileged-containers` |");
        expect(markdown).toContain("<details><summary>✅ tenant shop · <code>fsn1--shop</code> · succeeded (exit 0)</summary>");
        expect(markdown).not.toContain("tenant blog · <code>");
    });

    it("folds many quiet tenants into one line and stays under GitHub's comment limit at 1,000 changing tenants", () => {
        const quiet = Array.from({ length: 30 }, (_, i) => outcome(`quiet-${i}`, "drift-none", 0, "succeeded"));
        const folded = renderRegionMarkdown(region([outcome("shop", "preview-changes", 0, "succeeded"), ...quiet]), none);
        expect(folded).toContain("30 more tenant(s) (30 stack(s)) succeeded without changes: `quiet-0`, `quiet-1`");
        expect(folded).not.toContain("| `fsn1--quiet-0` |");

        const many = Array.from({ length: 1000 }, (_, i) => outcome(`t-${i}`, "preview-changes", 0, "succeeded"));
        const big = renderRegionMarkdown(region(many), none);
        expect(big.length).toBeLessThanOrEqual(60_000 + 200);
        expect(big).toMatch(/… \d+ more stack\(s\) did not fit in the table; every stack is in the JSON report\./);
        expect(big).toMatch(/… \d+ more stack report\(s\) did not fit in one comment; they are in the JSON report and the job log\./);
    });

    it("lists skipped stacks with their reason and the pending deletions with the decommission command", () => {
        const skipped = outcome("shop", "drift-none", 1, "skipped", { error: "not run: the platform stack fsn1 failed (exit 1)" });
        const text = renderRegionMarkdown(region([skipped], { pendingDeletion: [{ tenant: "gone", stack: "fsn1--gone" }] }), none);
        expect(text).toContain("| `fsn1--shop` | `shop` | ⏭️ skipped | 1 | not run: the platform stack fsn1 failed (exit 1) |");
        expect(text).toContain("Decommission one explicitly: `npm run deploy -- destroy --stack fsn1 --tenant <id> --yes --confirm <stack>`.");
        expect(text).toContain("- `fsn1--gone` (tenant `gone`)");
    });
});

describe("region text and JSON", () => {
    it("text: one line per stack and the overall result", () => {
        const text = renderRegionText(region([outcome("shop", "preview-changes", 0, "succeeded")]), none);
        expect(text.split("\n")[0]).toBe("preview of region fsn1: succeeded (exit 0); 2 stack(s), 4 tenant(s) at a time");
        expect(text).toContain("  fsn1--shop  tenant shop: succeeded (exit 0) 2 to create, 2 to update, 1 to replace, 1 to delete, 6 unchanged");
    });

    it("JSON: one document per tenant keyed by id, secrets redacted everywhere", () => {
        const secret = "tenant-shop-secret-9876";
        const shop = outcome("shop", "preview-changes", 1, "failed", { error: `error: bad value ${secret}` });
        const json = JSON.parse(renderRegionJson(region([shop], { exitCode: 1, status: "failed" }), new Redactor([secret])));
        expect(Object.keys(json.tenants)).toEqual(["shop"]);
        expect(json.tenants.shop).toMatchObject({ stack: "fsn1--shop", exitCode: 1, status: "failed", changed: true, error: "error: bad value [secret]" });
        expect(json.platform).toMatchObject({ stack: "fsn1", exitCode: 0 });
        expect(json).toMatchObject({ region: "fsn1", exitCode: 1, parallel: 4, catalogTenants: 1, pendingDeletion: [] });
    });
});
