import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { GUARD_ENV, renderGuardCreate, renderGuardUpdate } from "../../../components/nodes/disruption-guard";

/** Runs a guard script as @pulumi/command's local provider does (`/bin/sh -c`), with the previous stdout in the environment. */
function run(script: string, env: { settings: string; allow: boolean; previous?: string }) {
    const result = spawnSync("/bin/sh", ["-c", script], {
        encoding: "utf8",
        env: {
            PATH: process.env.PATH,
            [GUARD_ENV.node]: "fsn1-run-1",
            [GUARD_ENV.settings]: env.settings,
            [GUARD_ENV.allow]: String(env.allow),
            ...(env.previous !== undefined ? { PULUMI_COMMAND_STDOUT: env.previous } : {}),
        },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("disruption guard", () => {
    it("records the settings on first creation, whatever the flag", () => {
        expect(run(renderGuardCreate(), { settings: "serverType=cx33", allow: false })).toMatchObject({ code: 0, stdout: "serverType=cx33" });
    });

    it("refuses a changed setting without platform:allowDisruptive, naming the node, both settings and the fix", () => {
        const refused = run(renderGuardUpdate(), { previous: "serverType=cx33", settings: "serverType=cx43", allow: false });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("refusing to change node fsn1-run-1: [serverType=cx33] -> [serverType=cx43]");
        expect(refused.stderr).toContain("platform:allowDisruptive: true");
    });

    it("lets an acknowledged change through and records the new settings", () => {
        expect(run(renderGuardUpdate(), { previous: "serverType=cx33", settings: "serverType=cx43", allow: true })).toMatchObject({ code: 0, stdout: "serverType=cx43" });
    });

    it("passes an update that does not change the settings (the flag switched back off, a renamed node)", () => {
        expect(run(renderGuardUpdate(), { previous: "serverType=cx43", settings: "serverType=cx43", allow: false })).toMatchObject({ code: 0, stdout: "serverType=cx43" });
    });

    it("passes shellcheck as POSIX sh", () => {
        for (const script of [renderGuardCreate(), renderGuardUpdate()]) {
            const check = spawnSync("shellcheck", ["--shell=sh", "--severity=style", "-"], { input: script, encoding: "utf8" });
            expect(check.status, check.stdout).toBe(0);
        }
    });
});
