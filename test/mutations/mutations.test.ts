import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../helpers/synth";

/**
 * Seven one-line mutations of the source once survived the tests that claim to guard them (issue 14). Each
 * is kept here as a unified diff; this test applies each to a scratch copy of the repository (its files, with
 * node_modules linked) and runs only the guarding test there: it must fail on the mutated copy and pass on an
 * unmutated one. A patch that no longer applies fails too: regenerate it against the moved code.
 */

interface Mutation {
    /** Patch file in test/mutations/. */
    patch: string;
    /** What the mutation does. */
    what: string;
    /** The test that must catch it: file and exact test title. */
    guard: { file: string; test: string };
}

const MUTATIONS: Mutation[] = [
    {
        patch: "01-resource-before-config.patch",
        what: "index.ts creates a resource before loadPlatformConfig()",
        guard: { file: "test/stacks/invalid-input.test.ts", test: "a broken stack config gives one aggregated error naming file, keys and fixes" },
    },
    {
        patch: "02-tenants-after-nodes.patch",
        what: "index.ts loads the tenant catalog after the mesh and nodes",
        guard: { file: "test/stacks/invalid-input.test.ts", test: "a broken tenant file gives the aggregated error with file and path" },
    },
    {
        patch: "03-project-secrets-unmarked.patch",
        what: "the project's Secret and RandomPassword helpers without pulumi.secret and additionalSecretOutputs",
        guard: { file: "test/components/project/project.secrets.test.ts", test: "wraps every Secret's stringData in pulumi.secret and asks for data and stringData as secret outputs" },
    },
    {
        patch: "04-smtp-without-587-2525.patch",
        what: "the tenant SMTP list without 587 and 2525",
        guard: { file: "test/components/project/tenant-files.test.ts", test: "SMTP egress ports" },
    },
    {
        patch: "05-robot-no-5xx-retry.patch",
        what: "the Robot client no longer retries 502/503/504",
        guard: { file: "test/components/baremetal/robot-client.test.ts", test: "retries a GET answered 503 by the gateway, then returns Robot's answer" },
    },
    {
        patch: "06-critical-path-tie-break.patch",
        what: "the critical path's tie-break > turned into >=",
        guard: { file: "test/tools/offline/critical-path.test.ts", test: "breaks ties by registration order: of two equally long chains, the first registered is reported" },
    },
    {
        patch: "07-quota-alert-for-1m.patch",
        what: "the quota alert's for: 15m turned into 1m",
        guard: { file: "test/components/metering/rules.promtool.test.ts", test: "ProjectQuotaNearlyExhausted: fires above 0.9 of a hard quota in a tenant namespace only" },
    },
];

/** Mutations whose guarding test is not on this branch yet (written by another work package). */
const PENDING: Array<{ patch: string; what: string }> = [];

const scratchRoot = fs.mkdtempSync(path.join(os.tmpdir(), "platform-mutations-"));
afterAll(() => fs.rmSync(scratchRoot, { recursive: true, force: true }));

/** The repository's files (tracked and new, not ignored): what a scratch copy holds. */
function repositoryFiles(): string[] {
    const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
    if (listed.status !== 0) {
        throw new Error(`git ls-files failed: ${listed.stderr}`);
    }
    return listed.stdout.split("\0").filter((f) => f !== "" && fs.existsSync(path.join(ROOT, f)));
}

let files: string[] = [];
beforeAll(() => {
    files = repositoryFiles();
});

/** A scratch copy of the repository with node_modules linked, and the patch applied when given. */
function scratchCopy(name: string, patch?: string): string {
    const dir = path.join(scratchRoot, name);
    for (const file of files) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
    if (patch) {
        const applied = spawnSync("git", ["apply", "--verbose", path.join(ROOT, "test/mutations", patch)], { cwd: dir, encoding: "utf8" });
        if (applied.status !== 0) {
            throw new Error(`${patch} no longer applies; regenerate it against the current source:\n${applied.stderr}`);
        }
    }
    return dir;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Runs the named tests of the given files in a scratch copy; returns each test title's status. */
function runGuards(dir: string, guards: Mutation["guard"][]): Promise<Map<string, string>> {
    const report = path.join(dir, "vitest-report.json");
    const files = [...new Set(guards.map((g) => g.file))];
    const pattern = guards.map((g) => escapeRegExp(g.test)).join("|");
    return new Promise((resolve, reject) => {
        const child = spawn("npx", ["vitest", "run", ...files, "-t", pattern, "--reporter=json", `--outputFile=${report}`], {
            cwd: dir,
            env: { ...process.env, PLATFORM_SYNTH: "off", NODE_NO_WARNINGS: "1" },
            stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", () => {
            if (!fs.existsSync(report)) {
                reject(new Error(`vitest wrote no report in ${dir}:\n${stderr}`));
                return;
            }
            const result = JSON.parse(fs.readFileSync(report, "utf8")) as { testResults: Array<{ assertionResults: Array<{ title: string; status: string }> }> };
            resolve(new Map(result.testResults.flatMap((file) => file.assertionResults.map((a) => [a.title, a.status] as [string, string]))));
        });
    });
}

/** Runs `tasks` two at a time (the machines have two cores). */
async function twoAtATime<T>(tasks: Array<() => Promise<T>>): Promise<T[]> {
    const results: T[] = new Array(tasks.length);
    let next = 0;
    const worker = async () => {
        for (let i = next++; i < tasks.length; i = next++) {
            results[i] = await tasks[i]!();
        }
    };
    await Promise.all([worker(), worker()]);
    return results;
}

describe("mutations that once survived are caught", () => {
    it(
        "every guarding test passes on an unmutated copy and fails on its mutation",
        async () => {
            const runs = await twoAtATime([
                () => runGuards(scratchCopy("unmutated"), MUTATIONS.map((m) => m.guard)),
                ...MUTATIONS.map((m) => () => runGuards(scratchCopy(m.patch.replace(/\.patch$/, ""), m.patch), [m.guard])),
            ]);
            const [unmutated, ...mutated] = runs;
            for (const { guard } of MUTATIONS) {
                expect(unmutated!.get(guard.test), `unmutated: ${guard.file} › ${guard.test}`).toBe("passed");
            }
            MUTATIONS.forEach((m, i) => {
                expect(mutated[i]!.get(m.guard.test), `${m.patch} (${m.what}) must fail ${m.guard.file} › ${m.guard.test}`).toBe("failed");
            });
        },
        600_000,
    );

    for (const pending of PENDING) {
        it.todo(`${pending.patch}: ${pending.what}`);
    }

    it("keeps a patch file for every listed mutation and lists every patch file", () => {
        const patches = fs.readdirSync(path.join(ROOT, "test/mutations")).filter((f) => f.endsWith(".patch"));
        expect(patches.sort()).toEqual([...MUTATIONS, ...PENDING].map((m) => m.patch).sort());
    });
});

describe("npm run mutation configuration", () => {
    it("names existing guarding tests for every module", () => {
        const { modules } = JSON.parse(fs.readFileSync(path.join(ROOT, "test/mutations/modules.json"), "utf8")) as { modules: Record<string, { mutate: string[]; tests: string[] }> };
        for (const [name, module] of Object.entries(modules)) {
            expect(module.mutate.length, name).toBeGreaterThan(0);
            for (const test of module.tests) {
                expect(fs.existsSync(path.join(ROOT, test)), `${name}: ${test}`).toBe(true);
            }
        }
    });
});
