import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A Service as a Job's pod sees it, at a name DNS never resolves (`<name>.invalid`, curl exit 6): present (curl's
 * `resolve` in a .curlrc of `CURL_HOME` sends the name to `port` on this host), or absent (no .curlrc).
 */
export function serviceAt(curlHome: string, host: string, port: number | undefined): void {
    const rc = path.join(curlHome, ".curlrc");
    if (port === undefined) fs.rmSync(rc, { force: true });
    else fs.writeFileSync(rc, `resolve = "${host}:${port}:127.0.0.1"\n`);
}

/** Runs a bash script file with `env` added, calling `onOutput` with everything printed so far after each chunk. */
export function runBash(script: string, env: Record<string, string>, onOutput: (output: string) => void = () => undefined): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
        const child = spawn("bash", [script], { env: { ...process.env, ...env } });
        let output = "";
        const add = (d: Buffer) => {
            output += d;
            onOutput(output);
        };
        child.stdout.on("data", add);
        child.stderr.on("data", add);
        child.on("close", (code) => resolve({ code: code ?? -1, output }));
    });
}
