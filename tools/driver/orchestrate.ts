/**
 * What each subcommand does, in terms of the {@link DeployWorkspace} interface: guards first (no CLI needed),
 * then CLI and environment checks, then one Automation API operation with streaming, then the reports.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { shortStackName, type DeployArgs } from "./args";
import { cliMissingMessage, type CliDetection } from "./cli-detect";
import { displayBackendUrl, localBackendDirectory, readDeployEnvironment } from "./environment";
import { EventCollector, opMapHasChanges } from "./events";
import { EXIT, exitCodeFor, statusOf, type ExitCode } from "./exit-codes";
import { acceptedDataLoss, PreviewChangeCollector, renderPreviewChanges } from "./preview-changes";
import { conciseError, LineRedactingStream, Redactor, renderJson, renderMarkdown, renderText, type DeployReport, type OutputEntry } from "./render";
import { availableStacks, readStackFile, snapshotFile, stackFilePath, type StackFile } from "./stack-file";
import type { DeployWorkspace, OpenWorkspace, OperationResult } from "./workspace";
import { k3sRecordRefusal } from "../../lib/config/k3s-version";
import type { EngineEvent } from "@pulumi/pulumi/automation";

/** How drift is detected; printed in every drift report so the result can be judged. */
export const DRIFT_METHOD =
    "preview with refresh and expectNoChanges: providers are read, nothing is written; any proposed change " +
    "(out-of-band edits or undeployed program changes) counts as drift";

/** Everything the orchestration needs from the outside world. */
export interface DeployDependencies {
    /** Repository root: the Pulumi project directory, home of `Pulumi.<stack>.yaml` and `policy/`. */
    repoRoot: string;
    /** Process environment (backend, passphrase, secret config values). */
    env: NodeJS.ProcessEnv;
    /** Writes to standard output. */
    stdout: (text: string) => void;
    /** Writes to standard error. */
    stderr: (text: string) => void;
    /** Finds the Pulumi CLI. */
    detectCli: () => CliDetection;
    /** Opens the Automation API workspace (lazily imported in production). */
    openWorkspace: OpenWorkspace;
    /** Clock in milliseconds; injectable for stable reports. */
    now?: () => number;
}

/**
 * Why a run must not start, or undefined when it may. Pure: reads only the arguments and the stack file facts.
 * Changing commands need `--yes` because the Automation API never asks; destroy also needs the stack name typed
 * again, and production stacks need an explicit flag on top.
 *
 * @param args the parsed command line
 * @param stackFile facts from `Pulumi.<stack>.yaml`
 */
export function refusalOf(args: DeployArgs, stackFile: StackFile): string | undefined {
    const short = shortStackName(args.stack);
    if ((args.command === "up" || args.command === "refresh") && !args.yes) {
        return `${args.command} changes ${args.command === "up" ? "infrastructure" : "the stack state"} of stack ${args.stack} and needs --yes (run preview first to see what it would do).`;
    }
    if (args.command !== "destroy") {
        return undefined;
    }
    if (!args.yes) {
        return `destroy deletes every resource of stack ${args.stack}; it needs --yes and --confirm ${args.stack}.`;
    }
    if (args.confirm === undefined) {
        return `destroy needs the stack name typed again: --confirm ${args.stack}.`;
    }
    if (args.confirm !== args.stack && args.confirm !== short) {
        return `--confirm ${args.confirm} does not match the stack ${args.stack}; nothing was destroyed.`;
    }
    if (args.allowProductionDestroy) {
        return undefined;
    }
    if (stackFile.environment === undefined) {
        // Unknown is treated like production: the safe side of a missing key is not deleting a region.
        return `${path.basename(stackFile.path)} has no platform:environment, so stack ${args.stack} is treated as production; destroy also needs --allow-production-destroy.`;
    }
    if (stackFile.environment === "production") {
        return `stack ${args.stack} is a production stack (platform:environment: production in ${path.basename(stackFile.path)}); destroy also needs --allow-production-destroy.`;
    }
    return undefined;
}

// Only operations that evaluate the program can run policies; refresh and destroy do not run it.
function policyPacksFor(repoRoot: string): string[] {
    return [path.join(repoRoot, "policy")];
}

/**
 * Runs one subcommand and returns the exit code. Never throws for expected failures; writes the text report to
 * stdout and the JSON / markdown reports to the requested files.
 *
 * @param args the parsed command line
 * @param deps the outside world
 */
export async function runDeploy(args: DeployArgs, deps: DeployDependencies): Promise<ExitCode> {
    const now = deps.now ?? Date.now;
    const started = now();
    const fail = (message: string): ExitCode => {
        deps.stderr(`error: ${message}\n`);
        return EXIT.failure;
    };

    const short = shortStackName(args.stack);
    const file = stackFilePath(deps.repoRoot, short);
    if (!fs.existsSync(file)) {
        return fail(`no stack file ${path.basename(file)} in ${deps.repoRoot}; stacks: ${availableStacks(deps.repoRoot).join(", ") || "(none)"}.`);
    }
    let stackFile: StackFile;
    try {
        stackFile = readStackFile(file);
    } catch (error) {
        return fail(error instanceof Error ? error.message : String(error));
    }
    const refusal = refusalOf(args, stackFile);
    if (refusal) {
        return fail(refusal);
    }

    const cli = deps.detectCli();
    if (!cli.found) {
        deps.stderr(`${cliMissingMessage(cli)}\n`);
        return EXIT.failure;
    }

    const environment = readDeployEnvironment(deps.env, deps.repoRoot, { secretsProvider: stackFile.secretsProvider });
    const usesPolicy = args.command === "preview" || args.command === "up" || args.command === "drift";
    const problems = [...environment.problems];
    if (usesPolicy && !fs.existsSync(path.join(deps.repoRoot, "policy", "PulumiPolicy.yaml"))) {
        problems.push(`the policy pack is missing: ${path.join(deps.repoRoot, "policy", "PulumiPolicy.yaml")} does not exist; previews and updates always run it.`);
    }
    if (problems.length > 0) {
        return fail(`cannot run ${args.command} on stack ${args.stack}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
    const backendDir = localBackendDirectory(environment.backendUrl);
    if (backendDir) {
        fs.mkdirSync(backendDir, { recursive: true });
    }

    const redactor = new Redactor(environment.secretValues);
    const out = new LineRedactingStream(redactor, deps.stdout);
    const err = new LineRedactingStream(redactor, deps.stderr);
    const collector = new EventCollector();
    // The change plan of a preview (tools/driver/preview-changes.ts): data at risk nothing acknowledged exits 5.
    const changes = new PreviewChangeCollector();
    const streams = { onOutput: (chunk: string) => out.push(chunk), onError: (chunk: string) => err.push(chunk), onEvent: (e: EngineEvent) => (collector.onEvent(e), changes.onEvent(e)) };
    const backend = displayBackendUrl(environment.backendUrl);
    deps.stdout(`${args.command} stack ${args.stack} (backend ${backend}${usesPolicy ? ", policy pack policy/" : ""})\n`);

    let error: unknown;
    let result: OperationResult | undefined;
    let outputs: Record<string, OutputEntry> | undefined;
    try {
        const workspace = await deps.openWorkspace({
            workDir: deps.repoRoot,
            stackName: args.stack,
            backendUrl: environment.backendUrl,
            secretsProvider: environment.secretsProvider,
            cli,
        });
        if (usesPolicy) {
            // The program checks the k3s version skew against previousK3sVersion; the state knows what really runs.
            const deployed = (await workspace.outputs()).k3sVersion?.value;
            const stale = k3sRecordRefusal({
                stackFile: path.basename(file),
                stack: args.stack,
                deployed,
                target: stackFile.k3sVersion,
                previous: stackFile.previousK3sVersion,
            });
            if (stale) {
                return fail(stale);
            }
        }
        const injected = Object.keys(environment.secretConfig).length > 0;
        // Snapshot after the stack is selected: a freshly created stack's encryption salt must stay in the file.
        const restore = injected ? snapshotFile(file) : undefined;
        try {
            if (injected) {
                await workspace.setSecretConfig(environment.secretConfig);
            }
            if (args.command === "up") {
                // An update deletes as it goes: the same judgement as preview's, before anything changes.
                const gate = new PreviewChangeCollector();
                await workspace.preview({ ...streams, onEvent: gate.onEvent, policyPacks: policyPacksFor(deps.repoRoot) });
                const report = gate.report(acceptedDataLoss(deps.env));
                if (report.unacknowledged.length > 0) {
                    deps.stdout(`\n${renderPreviewChanges(report)}`);
                    return EXIT.dataAtRisk;
                }
            }
            result = await operate(args, workspace, streams, deps.repoRoot);
            if (args.command === "up") {
                outputs = await workspace.outputs();
            }
        } finally {
            restore?.();
        }
    } catch (caught) {
        error = caught;
    } finally {
        out.flush();
        err.flush();
    }

    const summary = collector.summary();
    // The event stream is the primary source; the operation's own summary covers a CLI that sent no summary event.
    const changesFound = args.command === "drift" ? summary.hasChanges || (result !== undefined && opMapHasChanges(result.changeSummary)) : undefined;
    const changeReport = args.command === "preview" ? changes.report(acceptedDataLoss(deps.env)) : undefined;
    if (changeReport) {
        deps.stdout(`\n${renderPreviewChanges(changeReport)}`);
    }
    const exitCode = exitCodeFor({ error, mandatoryViolations: summary.mandatoryViolations, changesFound, dataAtRisk: changeReport?.unacknowledged.length });
    const report: DeployReport = {
        command: args.command,
        stack: args.stack,
        exitCode,
        status: statusOf(exitCode),
        backend,
        summary,
        outputs,
        error: error === undefined ? undefined : conciseError(error),
        drift: args.command === "drift" ? { detected: exitCode === EXIT.driftFound, method: DRIFT_METHOD } : undefined,
        durationSeconds: (now() - started) / 1000,
    };
    deps.stdout(`\n${renderText(report, redactor)}`);
    try {
        if (args.jsonPath) {
            writeReport(args.jsonPath, renderJson(report, redactor));
        }
        if (args.markdownPath) {
            writeReport(args.markdownPath, renderMarkdown(report, redactor));
        }
    } catch (writeError) {
        deps.stderr(`error: could not write a report: ${writeError instanceof Error ? writeError.message : String(writeError)}\n`);
        return exitCode === EXIT.ok ? EXIT.failure : exitCode;
    }
    return exitCode;
}

function writeReport(file: string, text: string): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, text);
}

async function operate(
    args: DeployArgs,
    workspace: DeployWorkspace,
    streams: Parameters<DeployWorkspace["refresh"]>[0],
    repoRoot: string,
): Promise<OperationResult> {
    switch (args.command) {
        case "preview":
            return workspace.preview({ ...streams, policyPacks: policyPacksFor(repoRoot) });
        case "up":
            return workspace.up({ ...streams, policyPacks: policyPacksFor(repoRoot) });
        case "refresh":
            return workspace.refresh(streams);
        case "drift":
            return workspace.preview({ ...streams, policyPacks: policyPacksFor(repoRoot), refresh: true, expectNoChanges: true });
        case "destroy":
            return workspace.destroy(streams);
    }
}
