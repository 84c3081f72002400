import { spawn } from "node:child_process";
import * as path from "node:path";
import { SECURITY_HEADERS_REF } from "../../components/traefik/values";
import { parsePlatformConfig } from "../../lib/config/load";
import { CLUSTER_ACCESS_OUTPUT, CONTRACT_OUTPUT, type PlatformContract } from "../../lib/stacks/contract";
import { clusterIdentifierOf, platformStackReference } from "../../lib/stacks/naming";
import { PLATFORM_STACK_KEY, TENANT_SECRETS_KEY } from "../../programs/tenant/load";
import { renderContract } from "../../programs/platform/contract";
import { syntheticKubeconfig, type StackReferenceAnswer } from "./mock-engine";

/**
 * The offline plan of a region as stacks: the platform stack, then one tenant stack per project, each planned
 * in its own process (the Pulumi runtime holds one program per process), a bounded number at a time.
 */

/** The organization the offline plan's stack references name (that of Pulumi's DIY backends). */
export const OFFLINE_ORGANIZATION = "organization";

/** Tenant plans run at once by default: the machines have two cores. */
export const DEFAULT_TENANT_PARALLELISM = 2;

/**
 * The contract of one project computed from the region's config alone, without registering the platform (no
 * nodes, mesh or charts): what `--tenant` plans against when no platform plan's contract is given.
 */
export function computedContract(region: string, rawConfig: Readonly<Record<string, string>>, id: string): PlatformContract {
    const { config } = parsePlatformConfig(rawConfig, `Pulumi.${region}.yaml`);
    return renderContract({ region, config, tenants: [{ id }], clusterIdentifier: clusterIdentifierOf(region), ingressMiddlewares: [SECURITY_HEADERS_REF] });
}

/** The stack reference a tenant plan is answered with: the contract and synthetic cluster access. */
export function platformAnswer(region: string, contract: PlatformContract): Record<string, StackReferenceAnswer> {
    return {
        [platformStackReference(OFFLINE_ORGANIZATION, region)]: {
            outputs: { [CONTRACT_OUTPUT]: contract, [CLUSTER_ACCESS_OUTPUT]: { kubeconfig: syntheticKubeconfig(`https://${clusterIdentifierOf(region)}.offline.invalid:6443`), backupS3: { accessKey: "offline-synthetic-backupS3AccessKey", secretKey: "offline-synthetic-backupS3SecretKey" } } },
            secretOutputNames: [CLUSTER_ACCESS_OUTPUT],
        },
    };
}

/** Config of a tenant plan: the platform stack it reads and synthetic values for the secrets its file asks for. */
export function tenantPlanConfig(region: string, id: string, secretNames: readonly string[]): { config: Record<string, string>; secretKeys: string[] } {
    const secrets = Object.fromEntries(secretNames.map((name) => [name, `offline-synthetic-${id}-${name}`]));
    return {
        config: { [PLATFORM_STACK_KEY]: platformStackReference(OFFLINE_ORGANIZATION, region), [TENANT_SECRETS_KEY]: JSON.stringify(secrets) },
        secretKeys: [TENANT_SECRETS_KEY],
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

/** Runs `plan(id)` for every id, at most `parallelism` at once, in id order of completion-independent results. */
export async function runBounded(ids: readonly string[], parallelism: number, plan: (id: string) => Promise<TenantPlanResult>): Promise<TenantPlanResult[]> {
    const results = new Map<string, TenantPlanResult>();
    const queue = [...ids];
    const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
            results.set(id, await plan(id));
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(parallelism, ids.length)) }, worker));
    return ids.map((id) => results.get(id)!);
}

/** The region's exit code from its stacks': invalid input or an error (1) wins over policy violations (2). */
export function regionExitCode(codes: readonly number[]): number {
    if (codes.some((c) => c !== 0 && c !== 2)) {
        return 1;
    }
    return codes.includes(2) ? 2 : 0;
}

/** Plans one tenant in a child process (`tools/plan.ts --tenant`), against the given contract file. */
export function spawnTenantPlan(root: string, args: { region: string; id: string; outDir: string; contractFile: string; catalogRoot: string; configFile?: string }): Promise<TenantPlanResult> {
    const argv = [
        "--max-semi-space-size=32",
        "--import",
        "tsx",
        path.join(root, "tools/plan.ts"),
        "--stack",
        args.region,
        "--tenant",
        args.id,
        "--contract",
        args.contractFile,
        "--out",
        args.outDir,
        "--catalog-root",
        args.catalogRoot,
        "--quiet",
        ...(args.configFile ? ["--config-file", args.configFile] : []),
    ];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, argv, { cwd: root, env: { ...process.env, NODE_NO_WARNINGS: "1" }, stdio: ["ignore", "inherit", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ id: args.id, code: code ?? 1, stderr }));
    });
}
