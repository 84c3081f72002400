import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { shippedStacks } from "../../tools/offline/stack-files";

/** Repository root. */
export const ROOT = path.resolve(__dirname, "../..");

/** Result of running `tools/plan.ts` in a child process. */
export interface PlanRun {
    /** Exit code of the plan tool. */
    code: number;
    /** Its stdout. */
    stdout: string;
    /** Its stderr. */
    stderr: string;
    /** Where it wrote the plan. */
    outDir: string;
}

/**
 * Runs the offline plan (the catalog check and the platform program under the mock engine, and with
 * `tenants: true` every tenant stack) in a fresh process, exactly as `npm run plan` does (precompiled by
 * tools/precompiled.cjs): the Pulumi runtime holds global state, so one program per process. `options.tsx` runs
 * the TypeScript sources under tsx instead (the precompiled plan is checked against it).
 */
export function runPlan(
    stack: string,
    options: { outDir: string; catalogRoot?: string; configFile?: string; quiet?: boolean; env?: Record<string, string>; tenants?: boolean; skipCatalogCheck?: boolean; tsx?: boolean; args?: readonly string[] },
): Promise<PlanRun> {
    const runner = options.tsx ? ["--import", "tsx"] : [path.join(ROOT, "tools/precompiled.cjs")];
    const args = [...runner, path.join(ROOT, "tools/plan.ts"), "--stack", stack, "--out", options.outDir];
    // The tenant stacks only when asked: most runs check the platform, and each tenant is one more process.
    if (!(options.tenants ?? false)) args.push("--platform-only");
    if (options.skipCatalogCheck) args.push("--skip-catalog-check");
    if (options.catalogRoot) args.push("--catalog-root", options.catalogRoot);
    if (options.configFile) args.push("--config-file", options.configFile);
    if (options.quiet ?? true) args.push("--quiet");
    args.push(...(options.args ?? []));
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: "1", ...options.env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr, outDir: options.outDir }));
    });
}

/** Plans every shipped stack into `out/<stack>/`, two at a time (the machines have two cores). */
export async function synthesizeShippedStacks(): Promise<void> {
    const stacks = shippedStacks(ROOT);
    const failures: string[] = [];
    const queue = [...stacks];
    const worker = async () => {
        for (let stack = queue.shift(); stack !== undefined; stack = queue.shift()) {
            const run = await runPlan(stack, { outDir: path.join(ROOT, "out", stack), tenants: true });
            // Exit 2 (mandatory policy violations) still wrote the plan; the policy tests report them.
            if (run.code !== 0 && run.code !== 2) {
                failures.push(`stack ${stack} (exit ${run.code}):\n${run.stderr || run.stdout}`);
            }
            fs.writeFileSync(path.join(ROOT, "out", stack, "plan-exit-code"), String(run.code));
        }
    };
    await Promise.all([worker(), worker()]);
    if (failures.length > 0) {
        throw new Error(`offline plan failed:\n${failures.join("\n\n")}`);
    }
}
