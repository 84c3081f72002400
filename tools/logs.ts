/**
 * `npm run logs -- --stack <s> --project <p> [--service <svc>] [--deployment <d>] [--build <commit>] [--since 1h]
 * [--limit 1000] [--follow] [--loki <url>]`: prints a project's log lines from the stack's Loki. Exit codes:
 * tools/driver/exit-codes.ts.
 */
import * as path from "node:path";
import { EXIT } from "./driver/exit-codes";
import { runLogs } from "./logs/command";

const controller = new AbortController();
process.once("SIGINT", () => controller.abort());

runLogs(process.argv.slice(2), {
    repoRoot: path.resolve(__dirname, ".."),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    signal: controller.signal,
}).then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = EXIT.failure;
    },
);
