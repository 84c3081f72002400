/**
 * `npm run plan -- --stack <region>`: the region as stacks, under the Pulumi mock engine (no CLI, no
 * credentials). First the catalog check over the whole region (nothing is planned when it fails), then the
 * platform program (programs/platform) into `out/<region>/` (plan.json, manifests, artefacts, policy.json and
 * `contract.json`, the platform contract it exports), then per tenant its grants stack (programs/grants) into
 * `out/<region>/tenants/<id>/grants/` and its app stack (programs/tenant) into `out/<region>/tenants/<id>/`, each
 * with the same files, handed what the driver hands them (the contract, the entry the grants plan exported): one after the other in this process, or with `--parallel <n>` (by default 2 from 500 tenants) in n worker processes at once, each
 * planning its share of the tenants one after the other (`--tenant-batch`; a process per tenant would cost a
 * start-up per tenant). The workers start with the platform stack, against the contract computed from the checked
 * config, and every tenant is planned again should the platform plan export another one
 * (tools/offline/stack-plans.ts `planTenantsBesidePlatform`). What a plan derives from a file's bytes alone (parsed
 * tenant and stack files, validated specs, resource keys) is kept in `bin/cache/content/` by content hash
 * (tools/offline/content-cache.ts) for the next plan process; at the end of a plan, at most hourly, the entries no
 * later plan will read are removed (tools/offline/content-cache-prune.ts).
 *
 * `npm run plan -- --stack <region> --tenant <id>` plans one tenant's grants stack (into `<out>/grants/`) and app
 * stack alone, against `--contract <file>` (a platform plan's contract.json) or, without it, a contract computed
 * from `Pulumi.<region>.yaml` without registering anything of the platform; it registers only that tenant's
 * resources. `--app-only` plans its app stack alone (a release that changes nothing its grants stack holds). `--platform-only` stops
 * after the catalog check and the platform stack; `--skip-catalog-check` leaves validation to the programs
 * themselves, as under `pulumi up`.
 * `--timings` prints the time of each phase (to stderr). `--against <previous plan.json>` prints the change plan
 * (tools/offline/change-plan.ts) over the platform stack and every tenant stack (the `tenants/*\/plan.json` beside
 * both plans) and refuses data loss nothing acknowledged (`--accept-data-loss <name>`, repeatable).
 * The output directory is replaced only when the plan succeeds (tools/offline/output-dir.ts).
 *
 * Exit codes (tools/driver/exit-codes.ts, shared with `npm run deploy`): 0 ok, 1 invalid input, refused change
 * or program error, 2 mandatory policy violations (of any stack), 5 data at risk not acknowledged.
 */
// First: it must be in place before @pulumi/pulumi is loaded.
import "./offline/defer-typescript";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { InputValidationError } from "../lib/validation";
import { synthesize, type StackReferenceAnswer } from "./offline/mock-engine";
import { readStackConfig, syntheticSecrets, tenantSecretNamesOfProject } from "./offline/stack-files";
import { readTenantStackConfig } from "./offline/tenant-stack-config";
import { computedContract, computedRegionContract, contractForTenant, DEFAULT_TENANT_PARALLELISM, defaultTenantParallelism, exitWhenFlushed, grantsPlanConfig, planTenantsBesidePlatform, planTenantsInWorkers, regionExitCode, runBounded, TENANT_EXIT_MARKER, tenantPlanConfig, type TenantPlanResult } from "./offline/stack-plans";
import { checkRegionCatalog, type CheckedRegion } from "../programs/catalog-check";
import { appContractFor, checkContract, CONTRACT_OUTPUT, GRANTS_ENTRY_OUTPUT, isProjectAccess, type PlatformContract } from "../lib/stacks/contract";
import { TENANT_KUBECONFIG_KEY } from "../programs/tenant/load";
import { GRANTS_PROJECT, grantsStackName, TENANT_PROJECT, tenantStackName } from "../lib/stacks/naming";
import type { StackPlan } from "./offline/plan-types";
import { renderTree, writeManifestsAndArtifacts, writePlanJson } from "./offline/plan-output";
import { BackgroundFileSink, BufferedFileSink, type FileSink } from "./offline/file-sink";
import { catalogDirectory } from "../lib/tenants/load";
import { evaluatePolicies, formatViolations } from "../policy/offline";
import { policyPackConfigFile, stackPackConfig } from "./offline/policy-config";
import { renderRegionReport, renderReports } from "./offline/reports";
import { EXIT } from "./driver/exit-codes";
import { changeReport, renderChangeReport, type ChangeResource } from "./offline/change-plan";
import { createStagingDir, errorFileFor, publishedPathOf, publishStagingDir, recordFailedPlan } from "./offline/output-dir";
import { missingSecrets } from "./offline/secret-commands";
import { offlineContentCache } from "./offline/content-cache";
import { bundleBuiltAt, pruneContentCache } from "./offline/content-cache-prune";
import { useDerivedStore } from "../lib/derived-store";

const ROOT = path.resolve(__dirname, "..");
/** How long Node, tsx and this module's imports took before it started running (ms since process start). */
const startupMs = performance.now();
/** The CPU time (user + system) Node, the launcher and the imports took by then: on a loaded machine the wall time above says little. */
const startupCpuMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage());

/** Runs `step`, recording its wall time in milliseconds as `timings[phase]`. */
function timed<T>(timings: Map<string, number>, phase: string, step: () => T): T {
    const started = performance.now();
    const record = () => timings.set(phase, (timings.get(phase) ?? 0) + performance.now() - started);
    const result = step();
    if (result instanceof Promise) {
        return result.finally(record) as T;
    }
    record();
    return result;
}

/** The options of one run of the tool. */
interface PlanOptions {
    /** Region (platform stack) name. */
    stack: string;
    /** Output directory. */
    outDir: string;
    /** Root of `stacks/<region>/projects/`. */
    catalogRoot: string;
    /** `--config-file`, when the stack file is not the repository's. */
    configFile?: string;
    /** The raw config of the region's stack file (a one-tenant plan's: with only its own project's grant). */
    stackConfig: Record<string, string>;
    /** The region's policy-pack configuration, when known up front (a one-tenant plan's); else computed from {@link stackConfig}. */
    packConfig?: ReturnType<typeof stackPackConfig>;
    /** Print nothing but problems. */
    quiet: boolean;
    /** Phase timings. */
    timings: Map<string, number>;
}

async function main(): Promise<number> {
    // What an earlier plan process derived from a tenant file's bytes (this region plan's catalog check, for its
    // workers) is read back by the content's hash instead of derived again (tools/offline/content-cache.ts).
    const contentCache = offlineContentCache();
    if (contentCache) {
        useDerivedStore({ get: (kind, text) => contentCache.get(kind, text), set: (kind, text, value) => contentCache.set(kind, text, value) });
    }
    const { values } = parseArgs({
        options: {
            stack: { type: "string" },
            tenant: { type: "string" },
            contract: { type: "string" },
            parallel: { type: "string" },
            "platform-only": { type: "boolean", default: false },
            // With --tenant: its app stack alone (a release that changes nothing its grants stack holds).
            "app-only": { type: "boolean", default: false },
            "skip-catalog-check": { type: "boolean", default: false },
            // Internal (the region plan's workers): plan these tenants, one after the other, into <out>/<id>/.
            "tenant-batch": { type: "string" },
            out: { type: "string" },
            quiet: { type: "boolean", default: false },
            timings: { type: "boolean", default: false },
            "catalog-root": { type: "string" },
            "config-file": { type: "string" },
            against: { type: "string" },
            "accept-data-loss": { type: "string", multiple: true },
        },
        allowPositionals: false,
    });
    const stack = values.stack;
    if (!stack) {
        console.error("usage: npm run plan -- --stack <region> [--tenant <id> [--contract <contract.json>]] [--parallel <n> (default: 1, 2 from 500 tenants)] [--platform-only] [--quiet] [--timings]   (regions: the Pulumi.<region>.yaml files)");
        return 1;
    }
    // Read before anything is written: the previous plan may be the very one this run replaces.
    const previous = values.against ? readPlanResources(path.resolve(values.against)) : undefined;
    const tenant = values.tenant;
    const outDir = path.resolve(values.out ?? (tenant ? path.join(ROOT, "out", stack, "tenants", tenant) : path.join(ROOT, "out", stack)));
    const catalogRoot = path.resolve(values["catalog-root"] ?? ROOT);
    process.env.PLATFORM_CATALOG_ROOT = catalogRoot;
    const [stackDir, stackName] = values["config-file"]
        ? [path.dirname(path.resolve(values["config-file"])), path.basename(values["config-file"]).replace(/^Pulumi\.|\.yaml$/g, "")]
        : [ROOT, stack];
    const batch = values["tenant-batch"];
    // A one-tenant plan reads only its own project's view of the stack file: the whole config holds every
    // project's grant, and parsing it made the plan cost more the larger the region (tools/offline/tenant-stack-config.ts).
    const tenantView = tenant && batch === undefined ? readTenantStackConfig(stackDir, stackName, tenant) : undefined;
    const stackConfig = tenantView?.config ?? readStackConfig(stackDir, stackName);
    if (batch !== undefined) {
        // A worker of the region plan: its `--out` is the region plan's staging directory, shared by the region's
        // workers (each tenant's own directory is cleared instead); the region plan publishes it.
        const options: PlanOptions = { stack, outDir, catalogRoot, configFile: values["config-file"], stackConfig, quiet: values.quiet, timings: new Map([["startup", startupMs]]) };
        fs.mkdirSync(outDir, { recursive: true });
        const code = await planTenantBatch(options, batch.split(",").filter((id) => id !== ""), values.contract);
        reportRss();
        return code;
    }
    // Everything is written to a staging directory beside the output, renamed into place only on success.
    const staging = createStagingDir(outDir);
    const options: PlanOptions = { stack, outDir: staging, catalogRoot, configFile: values["config-file"], stackConfig, packConfig: tenantView?.packConfig, quiet: values.quiet, timings: new Map([["startup", startupMs]]) };
    let code: number;
    try {
        code = tenant
            ? await planTenant(options, tenant, values.contract, values["app-only"])
            : await planRegion(options, values.parallel === undefined ? undefined : Number(values.parallel) || DEFAULT_TENANT_PARALLELISM, values["platform-only"], values["skip-catalog-check"]);
    } catch (error) {
        recordFailedPlan(staging, outDir, { error: error instanceof Error ? error.message : String(error) });
        throw error;
    }
    if (code === EXIT.failure) {
        const written = path.join(staging, "error.json");
        recordFailedPlan(staging, outDir, fs.existsSync(written) ? JSON.parse(fs.readFileSync(written, "utf8")) : { error: `exit ${code}` });
        console.error(`The previous plan in ${path.relative(process.cwd(), outDir) || "."} is unchanged; the error is in ${path.relative(process.cwd(), errorFileFor(outDir))}.`);
    } else {
        if (previous) {
            const changes = changeReport(previous, readPlanResources(path.join(staging, "plan.json")), { accepted: values["accept-data-loss"] ?? [] });
            fs.writeFileSync(path.join(staging, "changes.json"), JSON.stringify(changes, null, 2));
            // The change plan is the point of --against: printed even with --quiet.
            console.log(`\n${renderChangeReport(changes)}`);
            if (code === EXIT.ok && changes.unacknowledged.length > 0) {
                const tenants = [...new Set(changes.unacknowledged.map((d) => d.tenant ?? "platform"))];
                console.error(`Data at risk (${tenants.join(", ")}): ${changes.unacknowledged.map((d) => d.data).join("; ")}. Nothing acknowledged it (exit 5).`);
                code = EXIT.dataAtRisk;
            } else if (code === EXIT.ok && changes.refused.length > 0) {
                console.error(`${changes.refused.length} change(s) the API or the engine would refuse:\n${changes.refused.map((r) => `  ${r}`).join("\n")}`);
                code = EXIT.failure;
            }
        }
        publishStagingDir(staging, outDir);
    }
    if (contentCache) {
        // Here, not in the workers: one prune per plan, after everything it derived was written.
        timed(options.timings, "cache prune", () => pruneContentCache(contentCache.dir, { codeBuiltMs: bundleBuiltAt(contentCache.codeStamp) }));
    }
    if (values.timings) {
        const cpu = process.cpuUsage();
        console.error(`timings: ${[...options.timings].map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(2)} s`).join(", ")}; CPU: start-up ${(startupCpuMs / 1000).toFixed(2)} s, all ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (this process)`);
    }
    reportRss();
    return code;
}

/**
 * The resources of a written `plan.json` and of the tenant stacks planned beside it (`tenants/<id>/plan.json`),
 * so one change plan covers the whole region.
 */
function readPlanResources(file: string): ChangeResource[] {
    const read = (f: string) => {
        const plan = JSON.parse(fs.readFileSync(f, "utf8")) as { resources?: ChangeResource[] };
        if (!Array.isArray(plan.resources)) {
            throw new Error(`${f} is not a plan.json written by npm run plan (no resources array)`);
        }
        return plan.resources;
    };
    const tenants = path.join(path.dirname(file), "tenants");
    const tenantPlans = fs.existsSync(tenants)
        ? fs
              .readdirSync(tenants)
              .sort()
              .flatMap((id) => [path.join(tenants, id, "grants", "plan.json"), path.join(tenants, id, "plan.json")])
              .filter((f) => fs.existsSync(f))
        : [];
    return [file, ...tenantPlans].flatMap(read);
}

/** Prints and records invalid input; returns the exit code 1. */
function refuse(outDir: string, error: InputValidationError): number {
    console.error(error.message);
    const registeredResources = (error as { registeredResources?: number }).registeredResources ?? 0;
    console.error(`${registeredResources} resource(s) were registered.`);
    fs.writeFileSync(path.join(outDir, "error.json"), JSON.stringify({ registeredResources, problems: error.problems }, null, 2));
    return 1;
}

/** The catalog check, the platform stack, then every tenant stack of the region (`parallelism` undefined: by the region's size). */
async function planRegion(options: PlanOptions, requestedParallelism: number | undefined, platformOnly: boolean, skipCatalogCheck: boolean): Promise<number> {
    const { stack, outDir, catalogRoot, stackConfig } = options;
    const secrets = syntheticSecrets(stackConfig);
    const config = { ...secrets, ...stackConfig };
    let tenantIds: string[] = [];
    let checked: CheckedRegion | undefined;
    try {
        // Before any stack: a region whose catalog is invalid plans nothing. Skipped, the platform program's
        // own validation answers, as under `pulumi up` (tests prove it registers nothing either).
        if (!skipCatalogCheck) {
            checked = timed(options.timings, "catalog check", () => checkRegionCatalog({ region: stack, rawConfig: config, stackDir: ROOT, catalogRoot }));
            tenantIds = checked.tenants.map((t) => t.spec.id);
        }
    } catch (error) {
        if (error instanceof InputValidationError) {
            return refuse(outDir, error);
        }
        throw error;
    }
    let exportedContract: unknown;
    const planPlatform = () =>
        planStack(options, {
            stack,
            config,
            secretKeys: Object.keys(secrets),
            loadProgram: () => import("../programs/platform/index"),
            label: `platform stack "${stack}"`,
            inventedSecrets: secrets,
            writeInBackground: true,
            extraFiles: (plan) => {
                exportedContract = plan.outputs[CONTRACT_OUTPUT];
                return { "contract.json": JSON.stringify(exportedContract, null, 2) };
            },
        });
    const contractFile = path.join(outDir, "contract.json");
    const tenantOut = (id: string) => path.join(outDir, "tenants", id);
    // One tenant after the other in this process (the engine resets the runtime per program: no process start
    // per tenant), or `--parallel <n>` worker processes, each planning its share the same way.
    const inProcess = async (id: string): Promise<TenantPlanResult> => {
        fs.mkdirSync(tenantOut(id), { recursive: true });
        const code = await planTenant({ ...options, outDir: tenantOut(id), quiet: true }, id, contractFile);
        return { id, code, stderr: "" };
    };
    const parallelism = requestedParallelism ?? defaultTenantParallelism(tenantIds.length);
    const inWorkers = (file: string) => planTenantsInWorkers(ROOT, { region: stack, ids: tenantIds, workers: parallelism, outRoot: path.join(outDir, "tenants"), contractFile: file, catalogRoot, configFile: options.configFile });
    let platformCode: number;
    let results: TenantPlanResult[];
    if (checked && parallelism > 1 && !platformOnly) {
        // Workers plan the tenants while this process plans the platform stack, against the contract computed from
        // the checked config; the platform plan's contract must be that one, or every tenant is planned again.
        const computed = JSON.parse(JSON.stringify(computedRegionContract(stack, checked.config, tenantIds))) as unknown;
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-contract-"));
        try {
            const computedFile = path.join(scratch, "contract.json");
            fs.writeFileSync(computedFile, JSON.stringify(computed));
            const beside = await planTenantsBesidePlatform({
                computedContract: computed,
                planPlatform: async () => ({ code: await planPlatform(), contract: exportedContract }),
                planTenants: (against) => timed(options.timings, "tenant stacks", () => inWorkers(against === "computed" ? computedFile : contractFile)),
            });
            if (beside.replanned) {
                console.error(`The platform plan's contract is not the one computed from Pulumi.${stack}.yaml (tools/offline/stack-plans.ts computedRegionContract): every tenant stack was planned again against the platform plan's.`);
            }
            if (!beside.tenants) {
                return beside.platformCode;
            }
            platformCode = beside.platformCode;
            results = beside.tenants;
        } finally {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    } else {
        platformCode = await planPlatform();
        if (platformCode === 1 || platformOnly) {
            return platformCode;
        }
        if (skipCatalogCheck) {
            tenantIds = Object.keys((JSON.parse(fs.readFileSync(contractFile, "utf8")) as { projects: Record<string, unknown> }).projects);
        }
        const parallel = requestedParallelism ?? defaultTenantParallelism(tenantIds.length);
        results = await timed(options.timings, "tenant stacks", () =>
            parallel > 1
                ? planTenantsInWorkers(ROOT, { region: stack, ids: tenantIds, workers: parallel, outRoot: path.join(outDir, "tenants"), contractFile, catalogRoot, configFile: options.configFile })
                : runBounded(tenantIds, 1, inProcess),
        );
    }
    for (const result of results) {
        if (result.code !== 0) {
            process.stderr.write(result.stderr);
        }
        if (!options.quiet || result.code !== 0) {
            console.log(`tenant ${result.id}: stacks ${grantsStackName(stack, result.id)} and ${tenantStackName(stack, result.id)}: ${result.code === 0 ? "ok" : `exit ${result.code}`} (out/${stack}/tenants/${result.id}/grants/ and out/${stack}/tenants/${result.id}/)`);
        }
    }
    if (!options.quiet && results.every((r) => r.code !== 1)) {
        // Every stack's plan is on disk now (each planStack waited for its writes): the region as the driver runs it.
        const resourcesOf = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, "plan.json"), "utf8")) as StackPlan).resources;
        console.log(`\n${renderRegionReport(stack, resourcesOf(outDir), tenantIds.map((id) => ({ id, app: resourcesOf(tenantOut(id)), grants: resourcesOf(path.join(tenantOut(id), "grants")) })))}`);
    }
    return regionExitCode([platformCode, ...results.map((r) => r.code)]);
}

/**
 * Several tenant stacks in this process, one after the other (the SDK's runtime is reset for each program, as
 * for the Automation API's inline programs), each into `<out>/<id>/`. Each tenant's exit code is printed as a
 * `PLATFORM_TENANT_EXIT <id> <code>` line for the region plan. An unexpected error stops the batch: the runtime
 * may be left in any state, so the tenants not yet planned are reported failed rather than planned on it.
 */
async function planTenantBatch(options: PlanOptions, ids: readonly string[], contractFile: string | undefined): Promise<number> {
    const codes: number[] = [];
    for (const [index, id] of ids.entries()) {
        const outDir = path.join(options.outDir, id);
        fs.rmSync(outDir, { recursive: true, force: true });
        fs.mkdirSync(outDir, { recursive: true });
        let code: number;
        try {
            code = await planTenant({ ...options, outDir }, id, contractFile);
        } catch (error) {
            console.error(`tenant stack ${tenantStackName(options.stack, id)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
            for (const rest of [id, ...ids.slice(index + 1)]) {
                console.log(`${TENANT_EXIT_MARKER} ${rest} 1`);
            }
            return 1;
        }
        codes.push(code);
        console.log(`${TENANT_EXIT_MARKER} ${id} ${code}`);
    }
    return regionExitCode(codes);
}

/** Contract files read by this process (path → modification stamp and contents): a batch plans many tenants against one. */
const contractFiles = new Map<string, { stamp: string; value: unknown }>();

/** The parsed contract file, read once per process while it is unchanged (shared: read it, copy what you keep). */
function readContractFile(file: string): unknown {
    const absolute = path.resolve(file);
    const stat = fs.statSync(absolute);
    const stamp = `${stat.size}:${stat.mtimeMs}`;
    const known = contractFiles.get(absolute);
    if (known?.stamp === stamp) {
        return known.value;
    }
    const value: unknown = JSON.parse(fs.readFileSync(absolute, "utf8"));
    contractFiles.set(absolute, { stamp, value });
    return value;
}

/**
 * One tenant's stacks, as the driver runs them: its grants stack (into `<out>/grants/`), handed the given (or a
 * computed) platform contract narrowed to it and a synthetic admin kubeconfig, then (unless the grants plan failed)
 * its app stack (into `<out>/`), handed the contract with the entry the grants plan exported and a synthetic
 * deployer kubeconfig.
 */
async function planTenant(options: PlanOptions, id: string, contractFile: string | undefined, appOnly = false): Promise<number> {
    const { stack: region, outDir, catalogRoot, stackConfig } = options;
    let contract: PlatformContract;
    try {
        contract = contractFile
            ? contractForTenant(checkContract(readContractFile(contractFile), `${contractFile} (the platform plan of ${region})`, id), id)
            : computedContract(region, { ...syntheticSecrets(stackConfig), ...stackConfig }, id);
    } catch (error) {
        if (error instanceof InputValidationError) {
            return refuse(outDir, error);
        }
        throw error;
    }
    const grantsDir = path.join(outDir, "grants");
    let entry: unknown;
    const planGrants = async (): Promise<number> => {
        fs.mkdirSync(grantsDir, { recursive: true });
        const grants = grantsPlanConfig(region, id, contract);
        return planStack(
            { ...options, outDir: grantsDir },
            {
                stack: grantsStackName(region, id),
                project: GRANTS_PROJECT,
                config: grants.config,
                secretKeys: grants.secretKeys,
                loadProgram: () => import("../programs/grants/index"),
                label: `grants stack "${grantsStackName(region, id)}"`,
                // Everything but the contract is handed over by the driver, none set by an operator.
                inventedSecrets: {},
                onPlanned: (plan) => {
                    entry = plan.outputs[GRANTS_ENTRY_OUTPUT];
                },
            },
        );
    };
    // --app-only: the app stack against the contract's own entry (what its grants stack exports offline: no build ran).
    const grantsCode = appOnly ? EXIT.ok : await planGrants();
    if (grantsCode === EXIT.failure) {
        // As the driver does: a failed grants stack skips its app stack. Its error is the tenant's.
        const grantsError = path.join(grantsDir, "error.json");
        const recorded = fs.existsSync(grantsError) ? (JSON.parse(fs.readFileSync(grantsError, "utf8")) as Record<string, unknown>) : {};
        fs.writeFileSync(path.join(outDir, "error.json"), JSON.stringify({ ...recorded, stack: grantsStackName(region, id), appStack: `not planned: its grants stack ${grantsStackName(region, id)} failed` }, null, 2));
        return grantsCode;
    }
    const appContract = isProjectAccess(entry) ? appContractFor(contract, id, entry) : contract;
    const { config, secretKeys } = tenantPlanConfig(region, id, tenantSecretNamesOfProject(catalogDirectory(catalogRoot, region), id), appContract);
    const appCode = await planStack(options, {
        stack: tenantStackName(region, id),
        project: TENANT_PROJECT,
        config,
        secretKeys,
        loadProgram: () => import("../programs/tenant/index"),
        label: `tenant stack "${tenantStackName(region, id)}"`,
        // The deployer kubeconfig is handed over by the driver, not set by an operator.
        inventedSecrets: Object.fromEntries(secretKeys.filter((key) => key !== TENANT_KUBECONFIG_KEY).map((key) => [key, config[key] ?? ""])),
    });
    return regionExitCode([grantsCode, appCode]);
}

/** What {@link planStack} runs. */
interface StackRun {
    stack: string;
    project?: string;
    config: Record<string, string>;
    secretKeys: string[];
    stackReferences?: Record<string, StackReferenceAnswer>;
    loadProgram: () => Promise<unknown>;
    label: string;
    extraFiles?: (plan: StackPlan) => Record<string, string>;
    /** The secrets the offline run invented (config key → synthetic value), for secrets-to-set.txt. */
    inventedSecrets?: Record<string, string>;
    /** Write the files on a worker thread while the policies run (worth it for a large plan only). */
    writeInBackground?: boolean;
    /** Called with the synthesized plan (e.g. a grants plan's outputs for its app stack). */
    onPlanned?: (plan: StackPlan) => void;
}

/** Pack configurations by the region's raw `platform:projectGrants` (the same for every stack of a region). */
const packConfigs = new Map<string | undefined, ReturnType<typeof stackPackConfig>>();

/** The region's policy-pack configuration, computed once per process (it parses every project's grant). */
function packConfigOf(stackConfig: Readonly<Record<string, string>>): ReturnType<typeof stackPackConfig> {
    const key = stackConfig["platform:projectGrants"];
    let config = packConfigs.get(key);
    if (!config) {
        // From the raw config alone: a region plan's tenant worker reads it from the content cache instead of
        // validating every project's grant of its region again (~35 ms at 1,000 tenants); a one-tenant plan has it
        // from its view of the stack file (PlanOptions.packConfig).
        const cache = offlineContentCache();
        config = cache ? cache.through("pack-config", JSON.stringify(stackConfig), () => stackPackConfig(stackConfig)) : stackPackConfig(stackConfig);
        packConfigs.set(key, config);
    }
    return config;
}

/** Synthesizes one program in this process and writes its plan, manifests, artefacts and policy results. */
async function planStack(options: PlanOptions, run: StackRun): Promise<number> {
    const { outDir, timings } = options;
    let plan: StackPlan;
    try {
        plan = await timed(timings, "synthesize", () =>
            synthesize({ stack: run.stack, project: run.project, config: run.config, secretKeys: run.secretKeys, stackReferences: run.stackReferences, loadProgram: run.loadProgram }),
        );
    } catch (error) {
        if (error instanceof InputValidationError) {
            return refuse(outDir, error);
        }
        throw error;
    }
    const synthesized = plan;
    run.onPlanned?.(synthesized);
    // The files are rendered here and written by a worker thread while the policies run.
    // Large plans (the platform stack) write on a worker thread while the policies run; a tenant stack's few
    // files are held and written once each at the end: a worker thread per tenant stack cost more CPU (~70 ms)
    // than its writes.
    const background = run.writeInBackground ? new BackgroundFileSink() : undefined;
    const buffered = background ? undefined : new BufferedFileSink();
    const files: FileSink = background ?? buffered!;
    timed(timings, "plan.json", () => writePlanJson(outDir, synthesized, files));
    timed(timings, "manifests and artefacts", () => writeManifestsAndArtifacts(outDir, synthesized.resources, files));
    for (const [file, text] of Object.entries(run.extraFiles?.(synthesized) ?? {})) {
        files.write(path.join(outDir, file), text);
    }
    const packConfig = options.packConfig ?? packConfigOf(options.stackConfig);
    const violations = timed(timings, "policies", () => evaluatePolicies(synthesized.resources, packConfig));
    files.write(path.join(outDir, "policy.json"), JSON.stringify(violations, null, 2));
    files.write(path.join(outDir, "policy-config.json"), JSON.stringify(policyPackConfigFile(packConfig), null, 2));
    const secretsToSet = missingSecrets(synthesized.resources, run.inventedSecrets ?? {}, options.stackConfig);
    files.write(path.join(outDir, "secrets-to-set.txt"), secretsToSet.map((s) => `${s.command}\n`).join(""));
    await timed(timings, "waiting for writes", () => background?.close() ?? Promise.resolve(buffered!.flush()));
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    if (!options.quiet) {
        console.log(renderTree(plan));
        console.log("");
        console.log(renderReports(plan, options.stackConfig));
        console.log("");
        console.log(formatViolations(violations));
        console.log(`\nOffline plan of ${run.label}: ${plan.resources.length} resources in ${((timings.get("synthesize") ?? 0) / 1000).toFixed(1)} s; written to ${path.relative(process.cwd(), publishedPathOf(outDir)) || "."}`);
        console.log("Secrets were synthetic (no stack secrets are read offline); nothing was sent to Hetzner, Tailscale or a cluster.");
        if (secretsToSet.length > 0) {
            console.log(`\nA real deploy of ${run.label} still needs these secrets (the offline run invented them; also in secrets-to-set.txt):\n${secretsToSet.map((s) => `  ${s.command}`).join("\n")}`);
        }
    }
    if (mandatory.length > 0) {
        console.error(`${mandatory.length} mandatory policy violation(s) in ${run.label}: the plan would be refused by \`pulumi preview --policy-pack policy\`.`);
        return 2;
    }
    return 0;
}

/** `PLATFORM_REPORT_RSS=1` (set by `npm run bench`): print this process's peak RSS in KiB before exiting. */
function reportRss(): void {
    if (process.env.PLATFORM_REPORT_RSS === "1") {
        console.log(`PLATFORM_MAX_RSS_KIB=${process.resourceUsage().maxRSS}`);
    }
}

// Not process.exit at once: stdout to a pipe (a region plan's worker) is written asynchronously, and its last lines were lost.
const exit = (code: number) => exitWhenFlushed(code, [process.stdout, process.stderr], (c) => process.exit(c));
main().then(exit, (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    reportRss();
    exit(1);
});
