/**
 * What each subcommand does over a region's stacks, in terms of the {@link DeployWorkspace} interface: guards
 * first (no CLI needed), then CLI, environment and the catalog check over every tenant file, then the platform
 * stack and the tenant stacks (bounded parallelism, one failing tenant never stopping the others), each one
 * Automation API operation with streaming, then one report per stack and the region's summary.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { shortStackName, type DeployArgs } from "./args";
import { cliMissingMessage, type CliDetection, type CliFound } from "./cli-detect";
import { displayBackendUrl, localBackendDirectory, readDeployEnvironment, tenantSecretsById, type DeployEnvironment, type SecretConfigValue } from "./environment";
import { buildFailureReason, failedBuildsOf } from "./builds";
import { buildCredentialNames, buildSourceTokens, secretValuesOf } from "./build-credentials";
import { BUILD_SOURCE_TOKENS_KEY } from "../../lib/stacks/build-sources";
import { EventCollector, opMapHasChanges, summarizeEvents } from "./events";
import { EXIT, exitCodeFor, overallExitCode, statusOf, type ExitCode } from "./exit-codes";
import { mapBounded } from "./pool";
import { acceptedDataLoss, PreviewChangeCollector, renderPreviewChanges } from "./preview-changes";
import { renderRegionJson, renderRegionMarkdown, renderRegionText, type RegionReport, type StackOutcome } from "./region-report";
import { conciseError, LineRedactingStream, Redactor, renderText, type DeployReport, type OutputEntry } from "./render";
import { availableStacks, readStackFile, snapshotFile, stackFilePath, type StackFile } from "./stack-file";
import { repositoryLayout, selectStacks, type CatalogCheck, type RegionLayout, type RunSelection, type StackTarget } from "./stacks";
import type { DeployWorkspace, ListStacks, OpenWorkspace, OperationResult } from "./workspace";
import { k3sRecordRefusal } from "../../lib/config/k3s-version";
import { programRuntimeOf } from "../offline/region-bring-up";
import {
    ADMIN_KUBECONFIG_OUTPUT,
    appContractFor,
    CONTRACT_OUTPUT,
    contractFor,
    DEPLOYER_KUBECONFIG_OUTPUT,
    GRANTS_ENTRY_OUTPUT,
    isProjectAccess,
    REGISTRY_PULL_PASSWORDS_OUTPUT,
    type PlatformContract,
} from "../../lib/stacks/contract";
import { IMAGES_OUTPUT, parseImageHistory, parsePins, PINS_KEY, PREVIOUS_IMAGES_KEY, rollbackTarget, type ReleasePins } from "../../lib/stacks/releases";

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
    /** Lists a project's stacks in the backend (lazily imported in production); finds pending-deletion tenants. */
    listStacks: ListStacks;
    /** The catalog check over every tenant file of the region; runs before any stack. */
    checkCatalog: CatalogCheck;
    /** Where the region's stacks live; default {@link repositoryLayout} of `repoRoot`. */
    layout?: RegionLayout;
    /** Clock in milliseconds; injectable for stable reports. */
    now?: () => number;
    /**
     * Brings the bundles of the programs run as JavaScript up to date (programs/compiled.cjs) before the first
     * tenant stack, given their directories; default {@link buildCompiledPrograms}.
     */
    buildPrograms?: (workDirs: readonly string[]) => Promise<void>;
}

/**
 * Builds, where stale, the bundle of each program directory whose Pulumi.yaml runs it as JavaScript
 * (tools/offline/region-bring-up.ts `programRuntimeOf`): every tenant stack's `up` then only checks freshness
 * (programs/compiled.cjs), and parallel stacks never build the same bundle at once.
 */
export async function buildCompiledPrograms(workDirs: readonly string[]): Promise<void> {
    const compiled = require("../../programs/compiled.cjs") as { ensureBuilt(programDir: string): Promise<unknown> };
    for (const dir of workDirs) {
        const project = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
        if (programRuntimeOf(project) === "javascript") {
            await compiled.ensureBuilt(dir);
        }
    }
}

/**
 * Why a run must not start, or undefined when it may. Pure: reads only the arguments and the stack file facts.
 * Changing commands need `--yes` because the Automation API never asks; destroy also needs the stack name typed
 * again, and production stacks need an explicit flag on top.
 *
 * @param args the parsed command line
 * @param stackFile facts from `Pulumi.<stack>.yaml`
 * @param destroyed for `destroy --tenant`: the tenant stack's name, which `--confirm` must repeat
 */
export function refusalOf(args: DeployArgs, stackFile: StackFile, destroyed?: string): string | undefined {
    const short = shortStackName(args.stack);
    if ((args.command === "up" || args.command === "refresh" || args.command === "rollback") && !args.yes) {
        return `${args.command} changes ${args.command === "refresh" ? "the stack state" : "infrastructure"} of stack ${args.stack} and needs --yes (run preview first to see what it would do).`;
    }
    if (args.command !== "destroy") {
        return undefined;
    }
    const target = destroyed ?? args.stack;
    const what = destroyed !== undefined ? `tenant stack ${destroyed}` : args.all ? `stack ${args.stack} and every tenant stack of the region` : `stack ${args.stack}`;
    if (!args.yes) {
        return `destroy deletes every resource of ${what}; it needs --yes and --confirm ${target}.`;
    }
    if (args.confirm === undefined) {
        return `destroy needs the stack name typed again: --confirm ${target}.`;
    }
    if (args.confirm !== target && (destroyed !== undefined || args.confirm !== short)) {
        return `--confirm ${args.confirm} does not match the stack ${target}; nothing was destroyed.`;
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


/** The state shared by every stack of one run. */
interface RunContext {
    args: DeployArgs;
    deps: DeployDependencies;
    cli: CliFound;
    environment: DeployEnvironment;
    redactor: Redactor;
    backend: string;
    /** The region's stack file (k3s record check, restore after config injection). */
    regionFile: string;
    stackFile: StackFile;
    /** True when more than one stack may run: streamed lines then carry the stack's name. */
    prefixed: boolean;
    now: () => number;
}

/**
 * Runs one subcommand over the selected stacks of a region and returns the overall exit code (the most severe
 * of the stacks', see `EXIT_CODES`). Never throws for expected failures; writes the text report to stdout and
 * the JSON / markdown reports to the requested files.
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
    const layout = deps.layout ?? repositoryLayout(deps.repoRoot);
    const region = shortStackName(args.stack);
    const file = stackFilePath(deps.repoRoot, region);
    if (!fs.existsSync(file)) {
        return fail(`no stack file ${path.basename(file)} in ${deps.repoRoot}; stacks: ${availableStacks(deps.repoRoot).join(", ") || "(none)"}.`);
    }
    let stackFile: StackFile;
    try {
        stackFile = readStackFile(file);
    } catch (error) {
        return fail(error instanceof Error ? error.message : String(error));
    }
    const destroyedTenant = args.command === "destroy" && args.tenants.length === 1 ? layout.tenant(region, args.tenants[0]!).stackName : undefined;
    const refusal = refusalOf(args, stackFile, destroyedTenant);
    if (refusal) {
        return fail(refusal);
    }

    const cli = deps.detectCli();
    if (!cli.found) {
        deps.stderr(`${cliMissingMessage(cli)}\n`);
        return EXIT.failure;
    }

    const environment = readDeployEnvironment(deps.env, deps.repoRoot, { secretsProvider: stackFile.secretsProvider });
    const usesPolicy = args.command === "preview" || args.command === "up" || args.command === "drift" || args.command === "rollback";
    const problems = [...environment.problems];
    if (usesPolicy && !fs.existsSync(path.join(deps.repoRoot, "policy", "PulumiPolicy.yaml"))) {
        problems.push(`the policy pack is missing: ${path.join(deps.repoRoot, "policy", "PulumiPolicy.yaml")} does not exist; previews and updates always run it.`);
    }
    if (problems.length > 0) {
        return fail(`cannot run ${args.command} on stack ${args.stack}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }

    // The catalog check sees every tenant file at once (unique ids, hosts, buckets, quota totals): a problem in
    // one tenant's file stops the whole run before any stack, because the stacks alone cannot see it.
    let catalog;
    try {
        catalog = await deps.checkCatalog(deps.repoRoot, region);
    } catch (error) {
        return fail(`the catalog check of region ${region} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (catalog.problems.length > 0) {
        return fail(`the catalog of region ${region} has ${catalog.problems.length} problem(s); no stack was run:\n${catalog.problems.map((p) => `  - ${p}`).join("\n")}`);
    }

    const backendDir = localBackendDirectory(environment.backendUrl);
    if (backendDir) {
        fs.mkdirSync(backendDir, { recursive: true });
    }
    const tenantProgram = fs.existsSync(path.join(layout.tenantWorkDir, "Pulumi.yaml"));
    const grantsProgram = fs.existsSync(path.join(layout.grantsWorkDir, "Pulumi.yaml"));
    const stacksOf = async (workDir: string, idOf: (region: string, name: string) => string | undefined): Promise<string[]> =>
        (await deps.listStacks({ workDir, backendUrl: environment.backendUrl, cli })).map((name) => idOf(region, name)).filter((id): id is string => id !== undefined);
    let existingApps: string[] = [];
    let existingGrants: string[] = [];
    try {
        existingApps = tenantProgram ? await stacksOf(layout.tenantWorkDir, layout.tenantIdOf) : [];
        existingGrants = grantsProgram ? await stacksOf(layout.grantsWorkDir, layout.grantsIdOf) : [];
    } catch (error) {
        return fail(`could not list the tenant stacks of region ${region}: ${conciseError(error)}`);
    }
    let selection: RunSelection;
    try {
        // A rollback runs the one tenant's app stack only: the platform and its grants stack (its builds) stay as they are.
        selection = selectStacks({ command: args.command === "rollback" ? "refresh" : args.command, tenants: args.tenants, all: args.all }, catalog.tenants.map((t) => t.id), existingApps, region, existingGrants);
    } catch (error) {
        return fail(error instanceof Error ? error.message : String(error));
    }
    if (selection.tenants.length > 0 && (!tenantProgram || !grantsProgram)) {
        const missing = !tenantProgram ? layout.tenantWorkDir : layout.grantsWorkDir;
        return fail(`the ${!tenantProgram ? "tenant" : "grants"} program is missing: ${path.join(missing, "Pulumi.yaml")} does not exist, so no tenant stack can run.`);
    }

    // The tenant programs run as JavaScript from bundles: built here once, so no stack runs a stale one or builds it.
    if (selection.tenants.length > 0 && args.command !== "destroy") {
        try {
            await (deps.buildPrograms ?? buildCompiledPrograms)([layout.grantsWorkDir, layout.tenantWorkDir]);
        } catch (error) {
            return fail(`could not build the tenant programs (programs/compiled.cjs); no stack was run: ${conciseError(error)}`);
        }
    }

    // Private build sources: each tenant's own tokens, for its own grants stack (which runs its builds) only.
    const tenantSecrets = tenantSecretsById(deps.env);
    const sourceTokens = usesPolicy && args.command !== "rollback" ? await buildSourceTokensByTenant(deps, environment, cli, layout, region, selection.tenants, tenantSecrets) : {};
    const redactor = new Redactor([...environment.secretValues, ...Object.values(sourceTokens).flatMap((tokens) => Object.values(tokens))]);
    const backend = displayBackendUrl(environment.backendUrl);
    const ctx: RunContext = { args, deps, cli, environment, redactor, backend, regionFile: file, stackFile, prefixed: selection.tenants.length > 0, now };
    const running = [
        selection.platform !== "none" ? "the platform stack" : "",
        selection.tenants.length > 0 ? `${selection.tenants.length} tenant(s) (grants stack, then app stack${args.command === "destroy" ? "; destroyed app first" : ""}), ${args.parallel} at a time` : "",
    ]
        .filter((part) => part !== "")
        .join(" and ");
    if (ctx.prefixed) {
        deps.stdout(`${args.command} region ${region}: ${running} (backend ${backend}${usesPolicy ? ", policy pack policy/" : ""})\n`);
    } else {
        deps.stdout(`${args.command} stack ${args.stack} (backend ${backend}${usesPolicy ? ", policy pack policy/" : ""})\n`);
    }

    const platformTarget = { ...layout.platform(region), stackName: args.stack };
    const open = (target: StackTarget) =>
        deps.openWorkspace({ workDir: target.workDir, stackName: target.stackName, backendUrl: environment.backendUrl, secretsProvider: environment.secretsProvider, cli });
    // The platform stack's workspace: the one its own run opened, or opened once for the hand-over.
    let platformWorkspace: Promise<DeployWorkspace> | undefined;
    const keepPlatform = (workspace: DeployWorkspace) => {
        platformWorkspace = Promise.resolve(workspace);
    };
    let contract: Promise<unknown> | undefined;
    let adminKubeconfig: Promise<string | undefined> | undefined;
    const platformOutputs = async () => {
        platformWorkspace ??= open(platformTarget);
        const workspace = await platformWorkspace;
        contract ??= workspace.outputs().then((outputs) => outputs[CONTRACT_OUTPUT]?.value);
        adminKubeconfig ??= workspace.secretOutput(ADMIN_KUBECONFIG_OUTPUT);
        return { workspace, contract, adminKubeconfig };
    };
    const backupKeys = backupKeysOf(deps.env);
    // A grants stack (platform-owned) receives the contract narrowed to its project, the admin kubeconfig, its
    // project's pull password and the backup bucket's keys: what the platform stack created it with before.
    const grantsHandOver = async (id: string): Promise<Record<string, SecretConfigValue>> => {
        try {
            const outputs = await platformOutputs();
            const [value, admin, pull] = await Promise.all([outputs.contract, outputs.adminKubeconfig, outputs.workspace.secretOutputEntry(REGISTRY_PULL_PASSWORDS_OUTPUT, id)]);
            return {
                ...(isContract(value) ? { [GRANTS_CONTRACT_KEY]: { value: JSON.stringify(contractFor(value, id)), secret: true } } : {}),
                ...(admin !== undefined ? { [GRANTS_KUBECONFIG_KEY]: { value: admin, secret: true } } : {}),
                ...(pull !== undefined ? { [GRANTS_PULL_PASSWORD_KEY]: { value: pull, secret: true } } : {}),
                ...(backupKeys
                    ? { [GRANTS_BACKUP_ACCESS_KEY]: { value: backupKeys.accessKey, secret: true }, [GRANTS_BACKUP_SECRET_KEY]: { value: backupKeys.secretKey, secret: true } }
                    : {}),
            };
        } catch {
            // Without a hand-over the grants program stops itself, naming what is missing and how to hand it over.
            return {};
        }
    };
    // An app stack receives its own secret values, the contract with only its own entry (the one its grants stack
    // exported) and the deployer credential its grants stack exported: nothing that acts on another project.
    const appHandOver = async (id: string, grantsWorkspace: DeployWorkspace | undefined): Promise<Record<string, SecretConfigValue>> => {
        try {
            const workspace = grantsWorkspace ?? (await open(layout.grants(region, id)));
            const [value, outputs, kubeconfig] = await Promise.all([(await platformOutputs()).contract, workspace.outputs(), workspace.secretOutput(DEPLOYER_KUBECONFIG_OUTPUT)]);
            const entry = outputs[GRANTS_ENTRY_OUTPUT]?.value;
            return {
                ...(isContract(value) && isProjectAccess(entry) ? { [TENANT_CONTRACT_KEY]: { value: JSON.stringify(appContractFor(value, id, entry)), secret: true } } : {}),
                ...(kubeconfig !== undefined ? { [TENANT_KUBECONFIG_KEY]: { value: kubeconfig, secret: true } } : {}),
            };
        } catch {
            // Without a hand-over the tenant program stops itself, naming what is missing and how to hand it over.
            return {};
        }
    };
    const apps = new Set(existingApps);
    const grantStacks = new Set(existingGrants);
    // One tenant's pipeline: its grants stack, then (when that did not fail) its app stack; destroy the other way round.
    const runTenant = async (id: string): Promise<StackOutcome[]> => {
        const app = layout.tenant(region, id);
        const grants = layout.grants(region, id);
        if (args.command === "destroy") {
            const outcomes: StackOutcome[] = [];
            if (apps.has(id)) {
                outcomes.push(await runStack(ctx, app, "destroy", {}));
            }
            if (grantStacks.has(id)) {
                const failed = outcomes.find((o) => o.report.exitCode !== EXIT.ok);
                outcomes.push(failed ? skipped(ctx, grants, `not run: the app stack ${app.stackName} was not destroyed (exit ${failed.report.exitCode})`) : await runStack(ctx, grants, "destroy", {}));
            }
            return outcomes;
        }
        const own = tenantSecrets[id];
        const appConfig = async (grantsWorkspace: DeployWorkspace | undefined): Promise<Record<string, SecretConfigValue>> => ({
            ...(own && Object.keys(own).length > 0 ? { [TENANT_SECRETS_KEY]: { value: JSON.stringify(own), secret: true } } : {}),
            ...(await appHandOver(id, grantsWorkspace)),
        });
        // Its own last image history goes back to the app stack, so the new one keeps what rollback can return to.
        const history = usesPolicy ? previousImagesOf : undefined;
        if (args.command === "rollback") {
            // The app stack alone, on the grants stack's current entry: no build runs.
            const pinned = await pinRollback(ctx, app, args.service!, args.to);
            if ("problem" in pinned) {
                return [skipped(ctx, app, `rollback not run: ${pinned.problem}`)];
            }
            deps.stdout(`${pinned.message}\n`);
            return [await runStack(ctx, app, "up", await appConfig(undefined), undefined, history)];
        }
        // This tenant's own source tokens go to its own grants stack, which runs its builds (restored after the run).
        const tokens = sourceTokens[id];
        const handedTokens: Record<string, SecretConfigValue> = tokens ? { [BUILD_SOURCE_TOKENS_KEY]: { value: JSON.stringify({ [id]: tokens }), secret: true } } : {};
        let grantsWorkspace: DeployWorkspace | undefined;
        const grantsOutcome = await runStack(ctx, grants, args.command, { ...(await grantsHandOver(id)), ...handedTokens }, (workspace) => {
            grantsWorkspace = workspace;
        });
        // A drift finding is a finding, not a failure: the app stack is still looked at.
        if (grantsOutcome.report.exitCode !== EXIT.ok && grantsOutcome.report.exitCode !== EXIT.driftFound) {
            // A failed build names itself: the app stack is not run, so the release keeps the image it runs.
            const builds = failedBuildsOf(grantsOutcome.report.summary.failedResources, [id]);
            const reason = builds.length > 0 ? buildFailureReason(builds, grants.stackName) : `not run: its grants stack ${grants.stackName} ${grantsOutcome.report.status} (exit ${grantsOutcome.report.exitCode})`;
            return [grantsOutcome, skipped(ctx, app, reason)];
        }
        return [grantsOutcome, await runStack(ctx, app, args.command, await appConfig(grantsWorkspace), undefined, history)];
    };
    const runTenants = async (): Promise<StackOutcome[]> => (await mapBounded(selection.tenants, args.parallel, runTenant)).flat();

    let platform: StackOutcome | undefined;
    let tenants: StackOutcome[] = [];
    if (selection.platformLast) {
        tenants = await runTenants();
        const blocked = [...new Set(tenants.filter((t) => t.report.exitCode !== EXIT.ok).map((t) => t.target.tenant))];
        platform =
            blocked.length === 0
                ? await runStack(ctx, platformTarget, args.command, environment.secretConfig, keepPlatform)
                : skipped(ctx, platformTarget, `not run: ${blocked.length} tenant(s) were not destroyed (${blocked.join(", ")})`);
    } else {
        if (selection.platform === "run") {
            platform = await runStack(ctx, platformTarget, args.command, environment.secretConfig, keepPlatform);
        } else if (selection.platform === "up-if-changed") {
            platform = await runStack(ctx, platformTarget, "preview", environment.secretConfig, keepPlatform);
            if (platform.report.exitCode === EXIT.ok && platform.changed) {
                platform = await runStack(ctx, platformTarget, "up", environment.secretConfig, keepPlatform);
            } else if (platform.report.exitCode === EXIT.ok) {
                platform = { ...platform, note: "unchanged: previewed, not updated" };
            }
        }
        // Tenant stacks read the deployed platform contract: an update after a failed platform update would run
        // against a platform that is not what its program says. Read-only commands go on regardless.
        if (args.command === "up" && platform !== undefined && platform.report.exitCode !== EXIT.ok) {
            const reason = `not run: the platform stack ${platformTarget.stackName} failed (exit ${platform.report.exitCode})`;
            tenants = selection.tenants.flatMap((id) => [skipped(ctx, layout.grants(region, id), reason), skipped(ctx, layout.tenant(region, id), reason)]);
        } else {
            tenants = await runTenants();
        }
    }

    const outcomes = [...(platform ? [platform] : []), ...tenants];
    const exitCode = overallExitCode(outcomes.map((o) => o.report.exitCode));
    const report: RegionReport = {
        command: args.command,
        region: args.stack,
        exitCode,
        status: statusOf(exitCode),
        backend,
        parallel: args.parallel,
        platform,
        tenants,
        pendingDeletion: selection.pendingDeletion.flatMap((id) => [
            ...(apps.has(id) ? [{ tenant: id, stack: layout.tenant(region, id).stackName }] : []),
            ...(grantStacks.has(id) ? [{ tenant: id, stack: layout.grants(region, id).stackName }] : []),
        ]),
        catalogTenants: catalog.tenants.length,
        durationSeconds: (now() - started) / 1000,
    };
    if (ctx.prefixed || report.pendingDeletion.length > 0) {
        deps.stdout(`\n${renderRegionText(report, redactor)}`);
    }
    try {
        if (args.jsonPath) {
            writeReport(args.jsonPath, renderRegionJson(report, redactor));
        }
        if (args.markdownPath) {
            writeReport(args.markdownPath, renderRegionMarkdown(report, redactor));
        }
    } catch (writeError) {
        deps.stderr(`error: could not write a report: ${writeError instanceof Error ? writeError.message : String(writeError)}\n`);
        return exitCode === EXIT.ok ? EXIT.failure : exitCode;
    }
    return exitCode;
}

/**
 * Config key of a tenant stack's secret values (`{"<NAME>": "<value>"}`, only that tenant's), as the tenant
 * program reads it (programs/tenant/load.ts `TENANT_SECRETS_KEY`; a test keeps the two equal: importing that
 * module here would load the Pulumi SDK before the CLI check).
 */
export const TENANT_SECRETS_KEY = "tenant:secrets";

/** Config key of the contract handed to a tenant stack (programs/tenant/load.ts `TENANT_CONTRACT_KEY`; a test keeps them equal). */
export const TENANT_CONTRACT_KEY = "tenant:contract";

/** Config key of the deployer kubeconfig handed to a tenant stack (programs/tenant/load.ts `TENANT_KUBECONFIG_KEY`). */
export const TENANT_KUBECONFIG_KEY = "tenant:kubeconfig";

/** Config key of the contract handed to a grants stack (programs/grants/load.ts `GRANTS_CONTRACT_KEY`; a test keeps them equal). */
export const GRANTS_CONTRACT_KEY = "grants:contract";

/** Config key of the admin kubeconfig handed to a grants stack (programs/grants/load.ts `GRANTS_KUBECONFIG_KEY`). */
export const GRANTS_KUBECONFIG_KEY = "grants:kubeconfig";

/** Config key of the project's registry pull password handed to a grants stack (programs/grants/load.ts). */
export const GRANTS_PULL_PASSWORD_KEY = "grants:registryPullPassword";

/** Config keys of the backup bucket's keys handed to a grants stack (programs/grants/load.ts). */
export const GRANTS_BACKUP_ACCESS_KEY = "grants:backupS3AccessKey";
/** See {@link GRANTS_BACKUP_ACCESS_KEY}. */
export const GRANTS_BACKUP_SECRET_KEY = "grants:backupS3SecretKey";

/** The off-cluster backup bucket's keys from the environment (both or none), for the grants stacks. */
function backupKeysOf(env: NodeJS.ProcessEnv): { accessKey: string; secretKey: string } | undefined {
    const accessKey = env.BACKUP_S3_ACCESS_KEY;
    const secretKey = env.BACKUP_S3_SECRET_KEY;
    return accessKey && secretKey ? { accessKey, secretKey } : undefined;
}

/**
 * A tenant stack's own last {@link IMAGES_OUTPUT}, handed back to it as {@link PREVIOUS_IMAGES_KEY} (the program
 * prepends what it runs now). Nothing when the stack has none yet.
 */
async function previousImagesOf(workspace: DeployWorkspace): Promise<Record<string, SecretConfigValue>> {
    const history = parseImageHistory((await workspace.outputs())[IMAGES_OUTPUT]?.value);
    return Object.keys(history).length > 0 ? { [PREVIOUS_IMAGES_KEY]: { value: JSON.stringify(history), secret: true } } : {};
}

/**
 * Chooses the image a rollback returns `service` to (from the tenant stack's image history) and writes it as a
 * pin into the tenant stack file (`tenant:pins.<service>`, kept: the next `up` honours it until it is removed),
 * so the release is code, not a `kubectl` edit.
 */
async function pinRollback(ctx: RunContext, target: StackTarget, service: string, to: string | undefined): Promise<{ message: string } | { problem: string }> {
    try {
        const workspace = await ctx.deps.openWorkspace({ workDir: target.workDir, stackName: target.stackName, backendUrl: ctx.environment.backendUrl, secretsProvider: ctx.environment.secretsProvider, cli: ctx.cli });
        const history = parseImageHistory((await workspace.outputs())[IMAGES_OUTPUT]?.value);
        const chosen = rollbackTarget(history, service, to);
        if ("problem" in chosen) {
            return chosen;
        }
        const file = stackFilePath(target.workDir, shortStackName(target.stackName));
        const pins = { ...pinsOfStackFile(file), [service]: chosen };
        await workspace.setPlainConfig({ [PINS_KEY]: JSON.stringify(pins) });
        return {
            message:
                `rollback ${target.stackName}: service ${service} returns to commit ${chosen.commit} (${chosen.digest}), pinned as ${PINS_KEY}.${service} in ${path.relative(ctx.deps.repoRoot, file)}; ` +
                `commit that file, and remove the pin to release the tenant file's commit again`,
        };
    } catch (error) {
        return { problem: conciseError(error) };
    }
}

/**
 * The source tokens of every catalog tenant whose builds name one (tools/driver/build-credentials.ts): read from
 * the tenant's app stack config (`tenant:secrets`), else its PLATFORM_TENANT_SECRETS entry; only the named values.
 */
async function buildSourceTokensByTenant(
    deps: DeployDependencies,
    environment: DeployEnvironment,
    cli: CliFound,
    layout: RegionLayout,
    region: string,
    ids: readonly string[],
    fromEnvironment: Record<string, Record<string, string>>,
): Promise<Record<string, Record<string, string>>> {
    const tokens: Record<string, Record<string, string>> = {};
    for (const id of ids) {
        const names = buildCredentialNames(deps.repoRoot, region, id);
        if (names.length === 0) {
            continue;
        }
        let own: Record<string, string> = {};
        try {
            const target = layout.tenant(region, id);
            const workspace = await deps.openWorkspace({ workDir: target.workDir, stackName: target.stackName, backendUrl: environment.backendUrl, secretsProvider: environment.secretsProvider, cli });
            own = secretValuesOf(await workspace.configValue(TENANT_SECRETS_KEY));
        } catch {
            // No app stack yet: only the environment's values; a missing token stops the program, naming the fix.
        }
        const handed = buildSourceTokens(names, own, fromEnvironment[id]);
        if (Object.keys(handed).length > 0) {
            tokens[id] = handed;
        }
    }
    return tokens;
}

/** Whether a platform stack output looks like a contract (the tenant program checks its version). */
function isContract(value: unknown): value is PlatformContract {
    return value !== null && typeof value === "object" && typeof (value as { projects?: unknown }).projects === "object";
}

function skipped(ctx: RunContext, target: StackTarget, reason: string): StackOutcome {
    const report: DeployReport = {
        command: ctx.args.command,
        stack: target.stackName,
        exitCode: EXIT.failure,
        status: "skipped",
        backend: ctx.backend,
        summary: summarizeEvents([]),
        error: reason,
        durationSeconds: 0,
    };
    ctx.deps.stdout(`\n${renderText(report, ctx.redactor)}`);
    return { target, report, changed: false };
}

/**
 * One stack's operation: open, (platform: k3s record check), inject secret config, run, restore the stack file,
 * summarise. Never throws: every failure becomes the stack's report and exit code.
 */
async function runStack(
    ctx: RunContext,
    target: StackTarget,
    command: DeployArgs["command"],
    secretConfig: Record<string, SecretConfigValue>,
    onOpened?: (workspace: DeployWorkspace) => void,
    configFromState?: (workspace: DeployWorkspace) => Promise<Record<string, SecretConfigValue>>,
): Promise<StackOutcome> {
    const { deps, redactor } = ctx;
    const started = ctx.now();
    const prefix = ctx.prefixed ? `[${target.stackName}] ` : "";
    const prefixLines = (write: (text: string) => void) => (text: string) => write(prefix === "" ? text : text.replace(/^(?=.)/gm, prefix));
    const out = new LineRedactingStream(redactor, prefixLines(deps.stdout));
    const err = new LineRedactingStream(redactor, prefixLines(deps.stderr));
    const collector = new EventCollector();
    // The change plan of a preview (tools/driver/preview-changes.ts): data at risk nothing acknowledged exits 5.
    const changes = new PreviewChangeCollector();
    const streams = {
        onOutput: (chunk: string) => out.push(chunk),
        onError: (chunk: string) => err.push(chunk),
        onEvent: (event: Parameters<typeof collector.onEvent>[0]) => {
            collector.onEvent(event);
            changes.onEvent(event);
        },
    };
    const usesPolicy = command === "preview" || command === "up" || command === "drift";
    let gateRefused = false;
    const stackFile = target.role === "platform" ? ctx.regionFile : stackFilePath(target.workDir, shortStackName(target.stackName));

    let error: unknown;
    let result: OperationResult | undefined;
    let outputs: Record<string, OutputEntry> | undefined;
    let refusal: string | undefined;
    try {
        const workspace = await deps.openWorkspace({
            workDir: target.workDir,
            stackName: target.stackName,
            backendUrl: ctx.environment.backendUrl,
            secretsProvider: ctx.environment.secretsProvider,
            cli: ctx.cli,
        });
        onOpened?.(workspace);
        if (usesPolicy && target.role === "platform") {
            // The program checks the k3s version skew against previousK3sVersion; the state knows what really runs.
            const deployed = (await workspace.outputs()).k3sVersion?.value;
            refusal = k3sRecordRefusal({
                stackFile: path.basename(ctx.regionFile),
                stack: target.stackName,
                deployed,
                target: ctx.stackFile.k3sVersion,
                previous: ctx.stackFile.previousK3sVersion,
            });
        }
        if (refusal === undefined) {
            secretConfig = { ...secretConfig, ...(configFromState ? await configFromState(workspace) : {}) };
            const injected = Object.keys(secretConfig).length > 0;
            // Snapshot after the stack is selected: a freshly created stack's encryption salt must stay in the file.
            const restore = injected ? snapshotFile(stackFile) : undefined;
            try {
                if (injected) {
                    await workspace.setSecretConfig(secretConfig);
                }
                if (command === "up") {
                    // An update deletes as it goes: the same judgement as preview's, before anything changes.
                    const gate = new PreviewChangeCollector();
                    await workspace.preview({ ...streams, onEvent: gate.onEvent, policyPacks: policyPacksFor(deps.repoRoot) });
                    const gated = gate.report(acceptedDataLoss(deps.env));
                    if (gated.unacknowledged.length > 0) {
                        out.push(`\n${renderPreviewChanges(gated)}`);
                        gateRefused = true;
                    }
                }
                if (!gateRefused) {
                    result = await operate(command, workspace, streams, deps.repoRoot);
                }
                if (command === "up" && !gateRefused) {
                    outputs = await workspace.outputs();
                }
            } finally {
                restore?.();
            }
        }
    } catch (caught) {
        error = caught;
    } finally {
        out.flush();
        err.flush();
    }
    if (refusal !== undefined) {
        deps.stderr(`error: ${refusal}\n`);
        error = new Error(refusal);
    }

    const summary = collector.summary();
    // The event stream is the primary source; the operation's own summary covers a CLI that sent no summary event.
    const changed = summary.hasChanges || (result !== undefined && opMapHasChanges(result.changeSummary));
    const changeReport = command === "preview" ? changes.report(acceptedDataLoss(deps.env)) : undefined;
    if (changeReport) {
        deps.stdout(`\n${prefix}${renderPreviewChanges(changeReport).replace(/\n(?=.)/g, `\n${prefix}`)}`);
    }
    const dataAtRisk = gateRefused ? 1 : changeReport?.unacknowledged.length;
    const exitCode = exitCodeFor({ error, mandatoryViolations: summary.mandatoryViolations, changesFound: command === "drift" ? changed : undefined, dataAtRisk });
    const report: DeployReport = {
        command,
        stack: target.stackName,
        exitCode,
        status: statusOf(exitCode),
        backend: ctx.backend,
        summary,
        outputs,
        error: error === undefined ? undefined : conciseError(error),
        drift: command === "drift" ? { detected: exitCode === EXIT.driftFound, method: DRIFT_METHOD } : undefined,
        durationSeconds: (ctx.now() - started) / 1000,
    };
    // One block per stack, written at once so parallel tenants never interleave inside it.
    deps.stdout(`\n${renderText(report, redactor)}`);
    return { target, report, changed };
}

/** The pins already in a tenant stack file (`config: tenant:pins`), so a rollback of one service keeps the others'. */
function pinsOfStackFile(file: string): ReleasePins {
    if (!fs.existsSync(file)) {
        return {};
    }
    const document = yaml.load(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | undefined;
    return parsePins(document?.config?.[PINS_KEY]).pins;
}

function writeReport(file: string, text: string): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, text);
}

async function operate(command: DeployArgs["command"], workspace: DeployWorkspace, streams: Parameters<DeployWorkspace["refresh"]>[0], repoRoot: string): Promise<OperationResult> {
    switch (command) {
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
        case "rollback":
            // A rollback is an up of the tenant stack once its pin is written (runTenants).
            return workspace.up({ ...streams, policyPacks: policyPacksFor(repoRoot) });
    }
}
