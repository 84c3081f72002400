import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Real external checkers used by the spine: Debian's `cloud-init schema` and `shellcheck`. A missing tool
 * fails the test with the install hint (.ci/run installs them); it never skips silently.
 */

function requireTool(binary: string, debianPackage: string): void {
    const which = spawnSync("sh", ["-c", `command -v ${binary}`], { encoding: "utf8" });
    if (which.status !== 0) {
        throw new Error(`${binary} is not installed: apt-get install -y ${debianPackage} (bash .ci/run does this)`);
    }
}

/** Result of an external check. */
export interface CheckResult {
    /** Exit status 0. */
    ok: boolean;
    /** Combined output. */
    output: string;
}

function withTempFile<T>(name: string, text: string, fn: (file: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-check-"));
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    try {
        return fn(file);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** `cloud-init schema --config-file` on a user-data document. */
export function cloudInitSchema(userData: string): CheckResult {
    requireTool("cloud-init", "cloud-init");
    return withTempFile("user-data.yaml", userData, (file) => {
        const run = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
        return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
    });
}

/** `shellcheck` (bash dialect, all severities) on a script. */
export function shellcheck(script: string): CheckResult {
    requireTool("shellcheck", "shellcheck");
    const run = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "-"], { input: script, encoding: "utf8" });
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}
