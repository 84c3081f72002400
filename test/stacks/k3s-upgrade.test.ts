import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runPlan, type PlanRun } from "../helpers/synth";
import type { WrittenResource } from "../helpers/plans";
import { errorFileFor } from "../../tools/offline/output-dir";

/**
 * A k3s upgrade as an operator makes it: plan the dev stack, then plan it again with `k3sVersion` one minor up
 * and `previousK3sVersion` set to the running version. The upgrade must reach the cluster through the Plans
 * only, never by re-running the k3s start command on every node at once.
 */

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-k3s-upgrade-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const RUNNING = "v1.31.6+k3s1";

function stackFileWith(name: string, cluster: string): string {
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    expect(text).toContain(`    k3sVersion: ${RUNNING}\n`);
    const dir = path.join(scratch, name);
    fs.mkdirSync(dir);
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, text.replace(`    k3sVersion: ${RUNNING}\n`, cluster));
    return file;
}

function resources(run: PlanRun): WrittenResource[] {
    return (JSON.parse(fs.readFileSync(path.join(run.outDir, "plan.json"), "utf8")) as { resources: WrittenResource[] }).resources;
}

const startCommands = (list: WrittenResource[]) =>
    Object.fromEntries(list.filter((r) => r.type === "command:remote:Command" && r.name.endsWith("-k3s-start")).map((r) => [r.name, r.inputs]));
const planVersions = (list: WrittenResource[]) =>
    Object.fromEntries(list.filter((r) => r.type === "kubernetes:upgrade.cattle.io/v1:Plan").map((r) => [r.inputs.metadata.name, r.inputs.spec.version]));

let before: PlanRun;
let after: PlanRun;

beforeAll(async () => {
    before = await runPlan("dev", { outDir: path.join(scratch, "out-before"), configFile: stackFileWith("before", `    k3sVersion: ${RUNNING}\n`) });
    after = await runPlan("dev", {
        outDir: path.join(scratch, "out-after"),
        configFile: stackFileWith("after", `    k3sVersion: v1.32.3+k3s1\n    previousK3sVersion: ${RUNNING}\n`),
    });
});

describe("changing platform:cluster.k3sVersion", () => {
    it("plans both versions", () => {
        expect([before.code, after.code], before.stderr + after.stderr).toEqual([0, 0]);
    });

    it("leaves every node's k3s start command unchanged (no version trigger restarts all nodes at once)", () => {
        const old = startCommands(resources(before));
        const upgraded = startCommands(resources(after));
        expect(Object.keys(old).length).toBeGreaterThan(0);
        expect(upgraded).toEqual(old);
        for (const inputs of Object.values(upgraded)) {
            expect(inputs.triggers ?? []).not.toContain("v1.32.3+k3s1");
        }
    });

    it("ignores the trigger a stack deployed before kept in state, so the first update after this change replaces no start command", () => {
        const commands = resources(after).filter((r) => r.type === "command:remote:Command" && r.name.endsWith("-k3s-start"));
        expect(commands.length).toBeGreaterThan(0);
        for (const command of commands) {
            expect((command as WrittenResource & { ignoreChanges?: string[] }).ignoreChanges, command.name).toContain("triggers");
        }
    });

    it("moves both upgrade Plans to the new version", () => {
        expect(planVersions(resources(before))).toEqual({ "k3s-server": RUNNING, "k3s-agent": RUNNING });
        expect(planVersions(resources(after))).toEqual({ "k3s-server": "v1.32.3+k3s1", "k3s-agent": "v1.32.3+k3s1" });
    });

    it("records the target version as a stack output", () => {
        const outputs = (run: PlanRun) => (JSON.parse(fs.readFileSync(path.join(run.outDir, "plan.json"), "utf8")) as { outputs: Record<string, unknown> }).outputs;
        expect([outputs(before).k3sVersion, outputs(after).k3sVersion]).toEqual([RUNNING, "v1.32.3+k3s1"]);
    });

    it("refuses a jump of two minors before anything is registered", async () => {
        const run = await runPlan("dev", {
            outDir: path.join(scratch, "out-jump"),
            configFile: stackFileWith("jump", `    k3sVersion: v1.33.1+k3s1\n    previousK3sVersion: ${RUNNING}\n`),
        });
        expect(run.code).toBe(1);
        const error = JSON.parse(fs.readFileSync(errorFileFor(run.outDir), "utf8")) as { registeredResources: number; problems: Array<{ source: string; path: string; fix: string }> };
        expect(error.registeredResources).toBe(0);
        expect(error.problems).toEqual([expect.objectContaining({ source: "Pulumi.dev.yaml", path: "platform:cluster.k3sVersion" })]);
        expect(error.problems[0]!.fix).toContain("v1.32.x+k3sN");
    });
});

describe("OS updates on the nodes kured reboots", () => {
    it("every node installs security updates unattended and never reboots by itself", () => {
        const dir = path.join(before.outDir, "artifacts", "user-data");
        const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"));
        expect(files.length).toBeGreaterThan(0);
        for (const file of files) {
            const doc = yaml.load(fs.readFileSync(path.join(dir, file), "utf8")) as { packages?: string[]; write_files?: Array<{ path: string; content: string }> };
            const apt = (doc.write_files ?? []).filter((f) => f.path.startsWith("/etc/apt/apt.conf.d/")).map((f) => f.content).join("\n");
            expect(doc.packages, file).toContain("unattended-upgrades");
            expect(apt, file).toContain('APT::Periodic::Unattended-Upgrade "1";');
            // kured reboots, one node at a time; a node rebooting on its own would break that.
            expect(apt, file).toContain('Unattended-Upgrade::Automatic-Reboot "false";');
        }
    });
});
