/**
 * `npm run deploy -- <preview|up|refresh|drift|destroy> --stack <region> [--tenant <id> ... | --all]
 * [--parallel 4] [--yes] [--json out.json] [--markdown out.md] [--confirm <stack>] [--allow-production-destroy]`:
 * drives the Pulumi Automation API over the region's platform stack and its tenant stacks. Exit codes:
 * tools/driver/exit-codes.ts (one table; over several stacks the most severe).
 */
import * as path from "node:path";
import { parseDeployArgs, UsageError, USAGE } from "./driver/args";
import { detectPulumiCli } from "./driver/cli-detect";
import { EXIT } from "./driver/exit-codes";
import { runDeploy } from "./driver/orchestrate";

const ROOT = path.resolve(__dirname, "..");

async function main(): Promise<number> {
    let parsed;
    try {
        parsed = parseDeployArgs(process.argv.slice(2));
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
            return EXIT.failure;
        }
        throw error;
    }
    if (parsed.kind === "help") {
        process.stdout.write(`${USAGE}\n`);
        return EXIT.ok;
    }
    return runDeploy(parsed.args, {
        repoRoot: ROOT,
        env: process.env,
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
        detectCli: () => detectPulumiCli(),
        // Imported only now: the CLI has been found, and the Pulumi SDK is not loaded for usage errors.
        openWorkspace: async (settings) => (await import("./driver/workspace")).openWorkspace(settings),
        listStacks: async (settings) => (await import("./driver/workspace")).listStacks(settings),
        checkCatalog: async (repoRoot, region) => (await import("./driver/catalog")).checkCatalog(repoRoot, region),
    });
}

main().then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        // Unexpected bugs: one line, no stack trace unless asked for (DEPLOY_DEBUG=1).
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        if (process.env.DEPLOY_DEBUG && error instanceof Error && error.stack) {
            process.stderr.write(`${error.stack}\n`);
        }
        process.exitCode = EXIT.failure;
    },
);
