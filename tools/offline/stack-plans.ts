import { spawn } from "node:child_process";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { SECURITY_HEADERS_REF } from "../../components/traefik/values";
import { parsePlatformConfig } from "../../lib/config/load";
import type { PlatformConfig } from "../../lib/config/schema";
import { contractFor, type PlatformContract } from "../../lib/stacks/contract";
import { clusterIdentifierOf } from "../../lib/stacks/naming";
import { TENANT_CONTRACT_KEY, TENANT_KUBECONFIG_KEY, TENANT_SECRETS_KEY } from "../../programs/tenant/load";
import { GRANTS_BACKUP_ACCESS_KEY, GRANTS_BACKUP_SECRET_KEY, GRANTS_CONTRACT_KEY, GRANTS_KUBECONFIG_KEY, GRANTS_PULL_PASSWORD_KEY } from "../../programs/grants/load";
import { renderContract } from "../../programs/platform/contract";
import { deployerKubeconfig } from "../../components/project/deployer";
import { shortcutsEnabled, syntheticKubeconfig } from "./mock-engine";
import { EXIT, EXIT_CODES, overallExitCode, type ExitCode } from "../driver/exit-codes";
import { mapBounded } from "../driver/pool";

/**
 * The offline plan of a region as stacks: the platform stack, then one tenant stack per project, one program
 * after the other (the mock engine resets the runtime's mocks, config and stack for each), or a bounded number
 * of worker processes, each planning its share of the tenants the same way.
 */

/**
 * Tenant plans at once in a small region: 1, i.e. one after the other in the region plan's own process, which
 * costs no process start; `--parallel <n>` runs n worker processes instead, each planning its share in turn.
 */
export const DEFAULT_TENANT_PARALLELISM = 1;

/**
 * Worker processes of a large region's tenant plans by default (the machines have two cores), and from how many
 * tenants a region is large. Measured with `npm run bench` on this 2-core machine (loaded): 1,000 tenants planned
 * in 174 s wall and 40 s CPU with 2 workers against 294 s and 59 s in process (the region plan's own heap, which
 * holds the platform plan and the catalog, made every tenant stack's garbage collection dearer); 200 tenants cost
 * 2–5 s more CPU with 2 workers (their start-up and warm-up) and were not faster.
 */
export const LARGE_REGION_TENANT_PARALLELISM = 2;
export const LARGE_REGION_TENANTS = 500;

/** The tenant plans at once when `--parallel` is not given: {@link LARGE_REGION_TENANT_PARALLELISM} workers for a large region. */
export function defaultTenantParallelism(tenants: number): number {
    return tenants >= LARGE_REGION_TENANTS ? LARGE_REGION_TENANT_PARALLELISM : DEFAULT_TENANT_PARALLELISM;
}

/**
 * The contract of one project computed from the region's config alone, without registering the platform (no
 * nodes, mesh or charts): what `--tenant` plans against when no platform plan's contract is given.
 */
export function computedContract(region: string, rawConfig: Readonly<Record<string, string>>, id: string): PlatformContract {
    const { config } = parsePlatformConfig(shortcutsEnabled() ? withGrantOf(rawConfig, id) : rawConfig, `Pulumi.${region}.yaml`);
    return contractForTenant(renderContract({ region, config, tenants: [{ id }], clusterIdentifier: clusterIdentifierOf(region), ingressMiddlewares: [SECURITY_HEADERS_REF] }), id);
}

/**
 * The whole region's platform contract computed from its validated config and catalog, without registering the
 * platform: what the platform stack exports as `platformContract` (test/stacks/stack-layout.test.ts compares them),
 * so the region plan's tenant workers can start beside the platform stack (see {@link planTenantsBesidePlatform}).
 */
export function computedRegionContract(region: string, config: PlatformConfig, ids: readonly string[]): PlatformContract {
    return renderContract({ region, config, tenants: ids.map((id) => ({ id })), clusterIdentifier: clusterIdentifierOf(region), ingressMiddlewares: [SECURITY_HEADERS_REF] });
}

/** The steps of a region plan's platform and tenant phases, as {@link planTenantsBesidePlatform} runs them. */
export interface BesidePlatformSteps {
    /** The contract computed from the region config ({@link computedRegionContract}), as JSON would carry it. */
    computedContract: unknown;
    /** Plans the platform stack: its exit code and the contract it exported (undefined when it exported none). */
    planPlatform: () => Promise<{ code: number; contract: unknown }>;
    /** Plans every tenant stack against the computed contract, or against the platform plan's own. */
    planTenants: (against: "computed" | "platform") => Promise<TenantPlanResult[]>;
}

/** What {@link planTenantsBesidePlatform} did. */
export interface BesidePlatformResult {
    /** The platform stack's exit code. */
    platformCode: number;
    /** The tenant stacks' results; undefined when the platform plan failed (exit 1) and they were discarded. */
    tenants: TenantPlanResult[] | undefined;
    /** True when the platform plan's contract was not the computed one and every tenant was planned again against it. */
    replanned: boolean;
}

/**
 * The tenant phase of a region plan started at the same time as the platform stack instead of after it: the
 * tenants are planned against the contract computed from the region config while the platform stack is planned,
 * and the platform plan's contract is then compared with it. Equal (always, unless the platform program and
 * {@link computedRegionContract} drift apart), the tenant plans stand, exactly as if they had waited for it; not
 * equal, every tenant is planned again against the platform plan's contract, so no tenant plan ever stands on a
 * contract the platform stack did not export. On 2 cores the platform stack (one process, ~a third of a
 * 1,000-tenant plan's CPU) no longer runs while the tenant workers wait.
 */
export async function planTenantsBesidePlatform(steps: BesidePlatformSteps): Promise<BesidePlatformResult> {
    const early = steps.planTenants("computed");
    // Settled either way before the platform's result is looked at: no worker is left running behind the plan.
    const [platform, tenants] = await Promise.allSettled([steps.planPlatform(), early]);
    if (platform.status === "rejected") {
        throw platform.reason;
    }
    const { code, contract } = platform.value;
    if (code === EXIT.failure) {
        return { platformCode: code, tenants: undefined, replanned: false };
    }
    if (tenants.status === "fulfilled" && isDeepStrictEqual(contract, steps.computedContract)) {
        return { platformCode: code, tenants: tenants.value, replanned: false };
    }
    if (tenants.status === "rejected" && isDeepStrictEqual(contract, steps.computedContract)) {
        throw tenants.reason;
    }
    return { platformCode: code, tenants: await steps.planTenants("platform"), replanned: true };
}

/**
 * The raw region config with only project `id`'s entry of `platform:projectGrants`: the contract of one tenant
 * holds only its own grant (see {@link contractForTenant}), and validating every project's grant made a one-tenant
 * plan cost more the larger its region. The other grants are the region plan's and the catalog check's to
 * validate. A value that is not a JSON object is left as it is, for the validation to report.
 */
export function withGrantOf(rawConfig: Readonly<Record<string, string>>, id: string): Record<string, string> {
    const raw = rawConfig[PROJECT_GRANTS_KEY];
    let grants: unknown;
    try {
        grants = raw === undefined ? undefined : JSON.parse(raw);
    } catch {
        return { ...rawConfig };
    }
    if (grants === null || typeof grants !== "object" || Array.isArray(grants)) {
        return { ...rawConfig };
    }
    const own = (grants as Record<string, unknown>)[id];
    return { ...rawConfig, [PROJECT_GRANTS_KEY]: JSON.stringify(own === undefined ? {} : { [id]: own }) };
}

/** The region config key of the per-project grants. */
const PROJECT_GRANTS_KEY = "platform:projectGrants";

/**
 * The platform contract as the offline plan hands it to tenant stack `id`: what the driver hands it
 * ({@link contractFor}: only this project's entry and grant), as a copy, so tenants planned in one process share
 * nothing (the contract file is read once per process).
 */
export function contractForTenant(contract: PlatformContract, id: string): PlatformContract {
    return structuredClone(contractFor(contract, id));
}

/** The synthetic deployer kubeconfig a tenant plan is handed: a token, no client certificate (no admin credential). */
export function syntheticDeployerKubeconfig(region: string, id: string): string {
    return deployerKubeconfig(syntheticKubeconfig(`https://${clusterIdentifierOf(region)}.offline.invalid:6443`), id, `offline-synthetic-deployer-token-${id}`);
}

/** The synthetic admin kubeconfig a grants plan is handed (the platform stack's `kubeconfig` output, offline). */
export function syntheticAdminKubeconfig(region: string): string {
    return syntheticKubeconfig(`https://${clusterIdentifierOf(region)}.offline.invalid:6443`);
}

/**
 * Config of a grants plan, as the driver hands it over: the contract narrowed to the project, the (synthetic)
 * admin kubeconfig, the project's pull password and the backup bucket's keys; all but the contract secret.
 */
export function grantsPlanConfig(region: string, id: string, contract: PlatformContract): { config: Record<string, string>; secretKeys: string[] } {
    const secretKeys = [GRANTS_KUBECONFIG_KEY, GRANTS_PULL_PASSWORD_KEY, GRANTS_BACKUP_ACCESS_KEY, GRANTS_BACKUP_SECRET_KEY];
    return {
        config: {
            [GRANTS_CONTRACT_KEY]: JSON.stringify(contractFor(contract, id)),
            [GRANTS_KUBECONFIG_KEY]: syntheticAdminKubeconfig(region),
            [GRANTS_PULL_PASSWORD_KEY]: `offline-synthetic-pull-${id}`,
            [GRANTS_BACKUP_ACCESS_KEY]: "offline-synthetic-backupS3AccessKey",
            [GRANTS_BACKUP_SECRET_KEY]: "offline-synthetic-backupS3SecretKey",
        },
        secretKeys,
    };
}

/**
 * Config of a tenant (app) plan, as the driver hands it over: the contract with only this project's entry (the
 * one its grants plan exported), this project's (synthetic) deployer kubeconfig, and synthetic values for the
 * secrets its file asks for.
 */
export function tenantPlanConfig(region: string, id: string, secretNames: readonly string[], contract: PlatformContract): { config: Record<string, string>; secretKeys: string[] } {
    const secrets = Object.fromEntries(secretNames.map((name) => [name, `offline-synthetic-${id}-${name}`]));
    return {
        config: {
            [TENANT_CONTRACT_KEY]: JSON.stringify(contractFor(contract, id)),
            [TENANT_KUBECONFIG_KEY]: syntheticDeployerKubeconfig(region, id),
            [TENANT_SECRETS_KEY]: JSON.stringify(secrets),
        },
        secretKeys: [TENANT_KUBECONFIG_KEY, TENANT_SECRETS_KEY],
    };
}

/** Outcome of one tenant plan. */
export interface TenantPlanResult {
    /** Project id. */
    id: string;
    /** Exit code of its plan (0 ok, 1 invalid input or error, 2 mandatory policy violations). */
    code: number;
    /** What it printed on stderr (the reason of a failure). */
    stderr: string;
}

/** Prefix of the line a tenant-batch worker prints per tenant: `PLATFORM_TENANT_EXIT <id> <code>`. */
export const TENANT_EXIT_MARKER = "PLATFORM_TENANT_EXIT";

/**
 * The tenants split over `workers` batches, round-robin (neighbouring tenants of a catalog are alike in size,
 * so each worker gets a similar share), empty batches left out.
 */
export function tenantBatches(ids: readonly string[], workers: number): string[][] {
    const batches: string[][] = Array.from({ length: Math.max(1, Math.min(workers, ids.length)) }, () => []);
    ids.forEach((id, index) => batches[index % batches.length]!.push(id));
    return batches.filter((batch) => batch.length > 0);
}

/**
 * Plans every tenant stack of a region in `workers` processes (`tools/plan.ts --tenant-batch`), each planning
 * its batch one tenant after the other; results in id order. Workers' messages are passed through as they come;
 * a tenant its worker never reported (a crashed worker) fails.
 */
export async function planTenantsInWorkers(
    root: string,
    args: { region: string; ids: readonly string[]; workers: number; outRoot: string; contractFile: string; catalogRoot: string; configFile?: string },
): Promise<TenantPlanResult[]> {
    const batches = tenantBatches(args.ids, args.workers);
    const done = await Promise.all(batches.map((batch) => spawnTenantBatch(root, { ...args, ids: batch })));
    const byId = new Map(done.flat().map((result) => [result.id, result]));
    return args.ids.map((id) => byId.get(id)!);
}

function spawnTenantBatch(root: string, args: { region: string; ids: readonly string[]; outRoot: string; contractFile: string; catalogRoot: string; configFile?: string }): Promise<TenantPlanResult[]> {
    const argv = [
        // A worker plans many small programs: a young generation of 32 MiB keeps its heap small and its GC short.
        "--max-semi-space-size=32",
        path.join(root, "tools/precompiled.cjs"),
        path.join(root, "tools/plan.ts"),
        "--stack",
        args.region,
        "--tenant-batch",
        args.ids.join(","),
        "--contract",
        args.contractFile,
        "--out",
        args.outRoot,
        "--catalog-root",
        args.catalogRoot,
        "--quiet",
        ...(args.configFile ? ["--config-file", args.configFile] : []),
    ];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, argv, { cwd: root, env: { ...process.env, NODE_NO_WARNINGS: "1" }, stdio: ["ignore", "pipe", "pipe"] });
        const codes = new Map<string, number>();
        const lines = workerLineReader({ onExit: (id, code) => codes.set(id, code), onOther: (line) => process.stdout.write(`${line}\n`) });
        child.stdout.on("data", (d: Buffer) => lines.push(d.toString()));
        // "end": the last line may have come without its newline; read before "close" reports the tenants.
        child.stdout.on("end", () => lines.end());
        // A tenant's problems (invalid input, policy violations) are printed as they come, named by the tenant.
        child.stderr.on("data", (d: Buffer) => {
            process.stderr.write(d);
        });
        child.on("error", reject);
        child.on("close", (code) => {
            const missing = `tenant-batch worker exited ${code ?? "on a signal"} before planning it\n`;
            resolve(args.ids.map((id) => ({ id, code: codes.get(id) ?? 1, stderr: codes.get(id) === undefined ? missing : "" })));
        });
    });
}

/** What a tenant-batch worker's stdout is read for: its `PLATFORM_TENANT_EXIT` lines, and every other line to pass on. */
export interface WorkerLineHandlers {
    onExit: (id: string, code: number) => void;
    onOther: (line: string) => void;
}

const TENANT_EXIT_LINE = new RegExp(`^${TENANT_EXIT_MARKER} (\\S+) (\\d+)$`);

/**
 * Splits a worker's stdout chunks into lines (a chunk may end mid-line) and hands each to `handlers`; `end()`
 * hands over the last line when the output ended without a newline: dropped, that tenant's result was lost and
 * it was reported failed although its worker planned it.
 */
export function workerLineReader(handlers: WorkerLineHandlers): { push: (chunk: string) => void; end: () => void } {
    let pending = "";
    const handle = (line: string) => {
        const marker = TENANT_EXIT_LINE.exec(line);
        if (marker) {
            handlers.onExit(marker[1]!, Number(marker[2]));
        } else if (line !== "") {
            handlers.onOther(line);
        }
    };
    return {
        push: (chunk) => {
            pending += chunk;
            const end = pending.lastIndexOf("\n");
            if (end === -1) {
                return;
            }
            pending.slice(0, end).split("\n").forEach(handle);
            pending = pending.slice(end + 1);
        },
        end: () => {
            const last = pending;
            pending = "";
            handle(last);
        },
    };
}

/**
 * Exits with `code` once everything written to `streams` is handed to the OS. On Linux a pipe's writes are
 * asynchronous: `process.exit` right after them drops what is still queued, and a tenant-batch worker's last
 * `PLATFORM_TENANT_EXIT` lines were lost whenever its parent, busy planning the platform stack, did not read the
 * pipe (measured: 8,262 of 20,000 lines arrived). An empty write's callback runs after the writes before it.
 */
export function exitWhenFlushed(code: number, streams: readonly NodeJS.WritableStream[], exit: (code: number) => void): void {
    let waiting = streams.length;
    if (waiting === 0) {
        exit(code);
        return;
    }
    for (const stream of streams) {
        stream.write("", () => {
            waiting -= 1;
            if (waiting === 0) {
                exit(code);
            }
        });
    }
}

/** Runs `plan(id)` for every id, at most `parallelism` at once (the driver's pool), results in id order. */
export async function runBounded(ids: readonly string[], parallelism: number, plan: (id: string) => Promise<TenantPlanResult>): Promise<TenantPlanResult[]> {
    return mapBounded(ids, Math.max(1, Math.floor(parallelism)), plan);
}

/**
 * The region's exit code from its stacks', by the one exit-code table (tools/driver/exit-codes.ts): invalid input
 * or an error (1) wins over policy violations (2); a code the table does not know (a killed process) is a failure.
 */
export function regionExitCode(codes: readonly number[]): number {
    return overallExitCode(codes.map((code) => (code in EXIT_CODES ? (code as ExitCode) : EXIT.failure)));
}

