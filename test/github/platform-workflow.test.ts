import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";

const REPO = path.resolve(__dirname, "..", "..");
type Step = { name?: string; run?: string; env?: Record<string, string>; id?: string };
type Job = { needs?: string | string[]; if?: string; strategy?: { matrix?: Record<string, unknown> }; steps: Step[]; outputs?: Record<string, string> };
const workflow = yaml.load(fs.readFileSync(path.join(REPO, ".github", "workflows", "platform.yml"), "utf8")) as { jobs: Record<string, Job> };
const scripts = (JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

describe("platform workflow", () => {
    it("selects the touched stacks with npm run ci:select and hands its matrix to preview and up", () => {
        expect(scripts["ci:select"]).toBe("tsx tools/ci-select.ts");
        const select = workflow.jobs.select!;
        expect(select.steps.find((s) => s.id === "select")?.run).toContain('npm run --silent ci:select -- --base "$BASE" --head HEAD --github-output "$GITHUB_OUTPUT"');
        expect(select.outputs).toEqual({ matrix: "${{ steps.select.outputs.matrix }}", any: "${{ steps.select.outputs.any }}" });
        for (const name of ["preview", "up"]) {
            const job = workflow.jobs[name]!;
            expect(job.needs, name).toContain("select");
            expect(job.if, name).toContain("needs.select.outputs.any == 'true'");
            expect(job.strategy?.matrix, name).toEqual({ include: "${{ fromJSON(needs.select.outputs.matrix) }}" });
        }
    });

    it("passes the tenant selection through the environment, never as an expression inside a shell line", () => {
        for (const [name, job] of Object.entries(workflow.jobs)) {
            for (const step of job.steps) {
                const run = step.run ?? "";
                if (run.includes("npm run deploy")) {
                    expect(run, `${name}: ${step.name}`).not.toMatch(/\$\{\{\s*matrix\.selection/);
                }
            }
        }
        const preview = workflow.jobs.preview!.steps.find((s) => s.run?.includes("npm run deploy -- preview"));
        expect(preview?.env).toEqual({ STACK: "${{ matrix.stack }}", SELECTION: "${{ matrix.selection }}" });
        expect(preview?.run).toContain('--stack "$STACK" $SELECTION');
    });

    it("checks drift of every stack of every region nightly", () => {
        const drift = workflow.jobs.drift!;
        expect(drift.strategy?.matrix).toEqual({ stack: ["dev", "fsn1", "hel1"] });
        expect(drift.steps.find((s) => s.run?.includes("npm run deploy -- drift"))?.run).toContain("--all");
    });
});
