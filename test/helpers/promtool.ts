import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";

/**
 * Prometheus' own checker on rendered rule groups: `promtool check rules` (syntax, PromQL, duplicate names)
 * and `promtool test rules` (unit tests with synthetic input series). A missing promtool fails the test with
 * the install hint; it never skips.
 */

/** A rule group as written in a rules file (or a PrometheusRule's `spec.groups`). */
export interface PromtoolRuleGroup {
    /** Group name. */
    name: string;
    /** Rules of the group. */
    rules: readonly unknown[];
}

/** Result of a promtool run. */
export interface PromtoolResult {
    /** promtool exited 0. */
    ok: boolean;
    /** stdout and stderr. */
    output: string;
}

/** Where promtool is looked up first (Debian package `prometheus`), then on PATH. */
const PROMTOOL_PATHS = ["/usr/bin/promtool"];

function promtool(): string {
    const found = PROMTOOL_PATHS.find((p) => fs.existsSync(p));
    if (found) {
        return found;
    }
    const which = spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" });
    if (which.status !== 0 || !which.stdout.trim()) {
        throw new Error("promtool is not installed: apt-get install -y prometheus (bash .ci/run does this)");
    }
    return which.stdout.trim();
}

/** Rules file text for the groups (block scalars, no line folding, so expressions stay readable). */
export function rulesFileText(groups: readonly PromtoolRuleGroup[]): string {
    return yaml.dump({ groups }, { lineWidth: -1, noRefs: true });
}

function inTempDir<T>(files: Record<string, string>, fn: (dir: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-promtool-"));
    try {
        for (const [name, text] of Object.entries(files)) {
            fs.writeFileSync(path.join(dir, name), text);
        }
        return fn(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function run(args: string[], cwd: string): PromtoolResult {
    const result = spawnSync(promtool(), args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (result.error) {
        throw result.error;
    }
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/** `promtool check rules` on the groups written to a temporary rules file. */
export function checkRules(groups: readonly PromtoolRuleGroup[]): PromtoolResult {
    return inTempDir({ "rules.yaml": rulesFileText(groups) }, (dir) => run(["check", "rules", "rules.yaml"], dir));
}

/**
 * `promtool test rules` on a unit-test file (YAML text or the parsed document) against the groups. The
 * groups are written to `rules.yaml` and the test file's `rule_files` is set to it.
 */
export function testRules(groups: readonly PromtoolRuleGroup[], testsYaml: string | Record<string, unknown>): PromtoolResult {
    const document = (typeof testsYaml === "string" ? yaml.load(testsYaml) : testsYaml) as Record<string, unknown> | null;
    if (!document || typeof document !== "object" || !Array.isArray(document.tests)) {
        throw new Error("testRules: the test file needs a `tests` list");
    }
    const tests = yaml.dump({ ...document, rule_files: ["rules.yaml"] }, { lineWidth: -1, noRefs: true });
    return inTempDir({ "rules.yaml": rulesFileText(groups), "tests.yaml": tests }, (dir) => run(["test", "rules", "tests.yaml"], dir));
}
