/**
 * `npm run bench [-- --sizes 10,100,1000 --repeat 5 --region-sizes 10,100,1000 --region-repeat 3
 * --compare-parallel 1,2,4 --keep]`: what a tenant's release costs offline, and how the whole region scales.
 *
 * For each size it generates a region in a temporary catalog root (tools/bench/tenants.ts): tenants copied from
 * the shipped example tenants (mostly small web apps and PaaS apps, a few data-heavy, clustered and chain
 * projects), each granted what its example's stack grants it, and the dev stack's config with
 * `platform:tenantLimits` raised and the smallest bare-metal run pool the real capacity check accepts; then:
 * - **one tenant change**: edits one PaaS app's file (a new image version) and plans that tenant alone, its app
 *   stack (`npm run plan -- --stack dev --tenant <id> --app-only`) and its grants and app stacks (without
 *   `--app-only`), exactly as package.json runs it (Node flags and the precompiled
 *   launcher included), in fresh processes: per size one cold first run (an empty content cache), reported apart,
 *   then `--repeat` runs per size with the sizes in turn (10, 1000, 10, 1000, ...: {@link tenantRunSchedule}), each
 *   planning a new release of the file: wall time (best and median), CPU time (bash's `times`), peak RSS,
 *   resources. Targets: median ≤ 1 s wall including start-up, and the same for every size (median wall and median
 *   CPU at the largest size each ≤ 1.2 × the smallest's).
 * - **the full region**: `npm run plan -- --stack dev` (catalog check, platform stack, every tenant's grants and
 *   app stacks, by `--parallel` workers), `--region-repeat` times: wall (best and median), CPU, the peak RSS of the plan process
 *   plus each worker's (a sum of peaks: an upper bound of what was resident at once), resources over all stacks.
 *   Targets: 1,000 tenants < 15 s median and < 1.5 GiB.
 * - `--compare-parallel`: the region plan at the middle region size with each worker count, once each, to show
 *   where parallel tenant plans are faster on this machine.
 * Every plan uses a content cache (tools/offline/content-cache.ts) in the work directory, one per measurement:
 * the generated regions are the same bytes on every benchmark, so the repository's `bin/cache/` would answer a
 * cold run from an earlier benchmark.
 * Targets are printed and compared here (exit 1 when one is missed), never asserted in a timed test. Figures
 * are wall-clock on whatever machine runs this: the load average is printed with them; compare runs on the
 * same, idle machine only.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as yaml from "js-yaml";
import { readStackConfig } from "./offline/stack-files";
import { platformConfigFromStack } from "./offline/reports";
import { validateTenantDocuments } from "../lib/tenants/load";
import { defaultTenantParallelism } from "./offline/stack-plans";
import { generateTenants, grantsFor, regionStackDoc, shippedShapes, type ExampleShape, type GeneratedTenant, type RegionSizing } from "./bench/tenants";

const ROOT = path.resolve(__dirname, "..");
const STACK = "dev";
const TARGET = {
    /** Region size of the full-region targets. */
    tenants: 1000,
    /** Full region: median wall seconds. */
    seconds: 15,
    /** Full region: peak RSS (plan process plus workers). */
    rssBytes: 1.5 * 2 ** 30,
    /** One tenant change: median wall seconds, start-up included. */
    tenantSeconds: 1,
    /** One tenant change: median at the largest size over the median at the smallest. */
    tenantRatio: 1.2,
};

/** The shipped example tenants the generated regions copy (read once). */
let shapes: ExampleShape[] | undefined;
const exampleShapes = () => (shapes ??= shippedShapes(ROOT));

/** Writes a catalog root with `count` tenants generated from the shipped examples; returns the root and the config file. */
function prepare(base: string, count: number): { root: string; configFile: string; tenants: GeneratedTenant[]; sizing: RegionSizing } {
    const root = path.join(base, `tenants-${count}`);
    const projects = path.join(root, "stacks", STACK, "projects");
    fs.mkdirSync(projects, { recursive: true });
    const tenants = generateTenants(exampleShapes(), count);
    for (const t of tenants) {
        fs.writeFileSync(path.join(projects, `${t.name}.yaml`), t.text);
    }
    const configFile = path.join(root, `Pulumi.${STACK}.yaml`);
    const { doc, sizing } = regionStackDoc(path.join(ROOT, `Pulumi.${STACK}.yaml`), STACK, tenants);
    fs.writeFileSync(configFile, yaml.dump(doc, { lineWidth: 200 }));
    return { root, configFile, tenants, sizing };
}

/** Result of one plan run. */
interface Run {
    seconds: number;
    /** User + system CPU seconds of the plan process and its children (NaN where bash's `times` is unavailable). */
    cpuSeconds: number;
    /** Peak RSS of the plan process plus the peak of each of its workers (bytes). */
    rssBytes: number;
    /** Resources over every stack the run planned. */
    resources: number;
    exitCode: number;
    outDir: string;
    /** The plan's own time per phase (`--timings`), as printed. */
    phases: string;
}

const BASH = "/bin/bash";

/**
 * The command line of `npm run plan` (package.json), so the benchmark measures exactly what users run,
 * Node flags and launcher included, without npm's own start-up.
 */
function planCommand(): string[] {
    const script = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.plan!;
    const [program, ...args] = script.split(/\s+/);
    if (program !== "node" || !args.some((a) => a.endsWith("tools/plan.ts"))) {
        throw new Error(`package.json "plan" script is not "node [flags] [launcher] tools/plan.ts": ${script}`);
    }
    return [process.execPath, ...args.map((a) => (a.startsWith("tools/") ? path.join(ROOT, a) : a))];
}

function resourceCount(planFile: string): number {
    const head = fs.readFileSync(planFile, "utf8").slice(0, 4096);
    return Number(/"resourceCount":\s*(\d+)/.exec(head)?.[1] ?? NaN);
}

function runPlan(planCommandLine: readonly string[], root: string, configFile: string, outDir: string, extra: readonly string[], env: Readonly<Record<string, string>>): Promise<Run> {
    const [node, ...nodeArgs] = planCommandLine;
    const args = [...nodeArgs, "--stack", STACK, "--catalog-root", root, "--out", outDir, "--quiet", "--timings", "--config-file", configFile, ...extra];
    // CPU time is steadier than wall time on a shared machine: bash's `times` reports its children's (and their
    // children's) user and system time (Node has no getrusage(RUSAGE_CHILDREN)).
    const viaBash = fs.existsSync(BASH);
    const [command, commandArgs] = viaBash ? [BASH, ["-c", '"$@"; rc=$?; times 1>&2; exit $rc', "bench-plan", node!, ...args]] : [node!, args];
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(command, commandArgs, { cwd: ROOT, env: { ...process.env, PLATFORM_REPORT_RSS: "1", NODE_NO_WARNINGS: "1", ...env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            // The plan process and each tenant-batch worker print their own peak.
            const rss = [...stdout.matchAll(/PLATFORM_MAX_RSS_KIB=(\d+)/g)].map((m) => Number(m[1]) * 1024);
            const times = [...stderr.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)].pop();
            const cpuSeconds = times ? Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4]) : NaN;
            const phases = [...stderr.matchAll(/^timings: (.*)$/gm)].pop()?.[1] ?? "";
            const messages = stderr.replace(/^\d+m[\d.]+s \d+m[\d.]+s\n?/gm, "").replace(/^timings: .*\n?/gm, "").trim();
            // Exit 2 means mandatory policy violations: the plan was still synthesized and written.
            if ((code !== 0 && code !== 2) || rss.length === 0) {
                reject(new Error(`plan ${extra.join(" ")} failed (exit ${code}):\n${messages || stdout}`));
                return;
            }
            if (code === 2) {
                console.warn(`warning: ${extra.join(" ") || "region"}: mandatory policy violations (generated tenants should be clean):\n${messages.slice(0, 2000)}`);
            }
            // The stack planned into outDir (the platform's, or a lone tenant's app stack) with a lone tenant's
            // grants stack beside it, and every tenant's grants and app stacks of a region plan.
            const stackPlans = (dir: string) => [path.join(dir, "plan.json"), path.join(dir, "grants", "plan.json")].filter((f) => fs.existsSync(f));
            let resources = stackPlans(outDir).reduce((n, f) => n + resourceCount(f), 0);
            const tenantsDir = path.join(outDir, "tenants");
            if (fs.existsSync(tenantsDir)) {
                for (const id of fs.readdirSync(tenantsDir)) {
                    resources += stackPlans(path.join(tenantsDir, id)).reduce((n, f) => n + resourceCount(f), 0);
                }
            }
            resolve({ seconds, cpuSeconds, rssBytes: rss.reduce((a, b) => a + b, 0), resources, exitCode: code, outDir, phases });
        });
    });
}

/** Best, median and the highest peak of several runs. */
interface Summary {
    best: Run;
    medianSeconds: number;
    medianCpuSeconds: number;
    rssBytes: number;
}

function summarize(attempts: readonly Run[]): Summary {
    const byTime = [...attempts].sort((a, b) => a.seconds - b.seconds);
    const byCpu = [...attempts].sort((a, b) => a.cpuSeconds - b.cpuSeconds);
    const middle = Math.floor((attempts.length - 1) / 2);
    return { best: byTime[0]!, medianSeconds: byTime[middle]!.seconds, medianCpuSeconds: byCpu[middle]!.cpuSeconds, rssBytes: Math.max(...attempts.map((a) => a.rssBytes)) };
}

/** One run of a one-tenant measurement: its region size, the release of the tenant's file it plans, whether it is the size's cold first run. */
export interface TenantRunSlot {
    /** Region size (tenants). */
    size: number;
    /** The release ({@link releasedText}'s attempt): every run plans a tenant file no earlier run of its cache saw. */
    attempt: number;
    /** The size's first run, on an empty content cache: reported apart, never in the medians. */
    cold: boolean;
}

/**
 * The order of one mode's one-tenant runs: each size's cold first run, then `repeat` rounds that run every size in
 * turn (10, 1000, 10, 1000, ...). Run one size after the other, a drift of the machine's load during the
 * measurement (other work starting, a CPU's clock) fell on one size only and showed as a ratio between sizes.
 */
export function tenantRunSchedule(sizes: readonly number[], repeat: number): TenantRunSlot[] {
    const rounds = Array.from({ length: repeat }, (_, round) => sizes.map((size) => ({ size, attempt: round + 1, cold: false })));
    return [...sizes.map((size) => ({ size, attempt: 0, cold: true })), ...rounds.flat()];
}

/** Shape of the tenant whose release is planned at every size (the same shape, so sizes compare). */
export const RELEASED_SHAPE = "paas-app";

/** The generated tenant whose change is planned: the tenant of {@link RELEASED_SHAPE} nearest the middle of the catalog. */
export function changedTenant(tenants: readonly GeneratedTenant[]): GeneratedTenant {
    const middle = (tenants.length - 1) / 2;
    const candidates = tenants.map((t, i) => ({ t, i })).filter(({ t }) => t.shape === RELEASED_SHAPE);
    const found = candidates.sort((a, b) => Math.abs(a.i - middle) - Math.abs(b.i - middle))[0];
    if (!found) {
        throw new Error(`bench: no generated tenant of the shape ${RELEASED_SHAPE}`);
    }
    return found.t;
}

/**
 * A tenant file after a release: the image of its first service that runs one (a built service has none) with a
 * new patch version (`6.9.1` → `6.9.<attempt + 2>`).
 */
export function releasedText(text: string, attempt: number): string {
    const doc = yaml.load(text) as { services: Array<{ image?: string }> };
    const service = doc.services.find((s) => typeof s.image === "string");
    const match = service ? /^(.*):(\d+)\.(\d+)\.(\d+)$/.exec(service.image!) : null;
    if (!service || !match) {
        throw new Error(`bench: the image ${service?.image} has no semver tag to release`);
    }
    service.image = `${match[1]}:${match[2]}.${match[3]}.${Number(match[4]) + attempt + 1}`;
    return yaml.dump(doc, { lineWidth: 200 });
}

/** Edits a generated tenant's file as a release would (see {@link releasedText}). */
function releaseChange(root: string, tenant: GeneratedTenant, attempt: number): void {
    const file = path.join(root, "stacks", STACK, "projects", `${tenant.name}.yaml`);
    fs.writeFileSync(file, releasedText(tenant.text, attempt));
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const secs = (seconds: number) => `${seconds.toFixed(2)} s`;

function list(value: string): number[] {
    return value === "" ? [] : value.split(",").map((s) => Number(s.trim()));
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            sizes: { type: "string", default: "10,100,1000" },
            repeat: { type: "string", default: "5" },
            "region-sizes": { type: "string", default: "10,100,1000" },
            "region-repeat": { type: "string", default: "3" },
            "compare-parallel": { type: "string", default: "1,2,4" },
            keep: { type: "boolean", default: false },
        },
        allowPositionals: false,
    });
    const sizes = list(values.sizes);
    const regionSizes = list(values["region-sizes"]);
    const parallels = list(values["compare-parallel"]);
    const repeat = Number(values.repeat);
    const regionRepeat = Number(values["region-repeat"]);
    const whole = (n: number) => Number.isInteger(n) && n >= 1;
    if (![...sizes, ...regionSizes, ...parallels, repeat, regionRepeat].every(whole)) {
        console.error("usage: npm run bench -- [--sizes 10,100,1000] [--repeat 5] [--region-sizes 10,100,1000] [--region-repeat 3] [--compare-parallel 1,2,4] [--keep]");
        return 1;
    }
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-"));
    const load = () => os.loadavg().map((l) => l.toFixed(1)).join(" ");
    console.log(`Offline plan benchmark: stack ${STACK}; ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ""}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}; load average ${load()} at the start`);
    console.log(`work directory: ${base}${values.keep ? "" : " (removed afterwards; --keep keeps it)"}`);
    const planCommandLine = planCommand();
    const failures: string[] = [];
    const regions = new Map<number, ReturnType<typeof prepare>>();
    const region = (count: number) => {
        let r = regions.get(count);
        if (!r) {
            r = prepare(base, count);
            regions.set(count, r);
            console.log(`region of ${count} tenants: ${Object.entries(countBy(r.tenants.map((t) => t.shape))).map(([shape, n]) => `${n} × ${shape}`).join(", ")}; run pool ${r.sizing.runNodes} × AX102${r.sizing.storageBuildNodes > 0 ? `, build pool ${r.sizing.storageBuildNodes} × AX102 with storage` : ""}, overcommit ${r.sizing.overcommit}`);
        }
        return r;
    };
    try {
        // Every plan of this benchmark uses a content cache of its own (tools/offline/content-cache.ts) in the work
        // directory: the generated regions are the same bytes on every benchmark, so the repository's bin/cache/
        // would answer a "cold" run from an earlier benchmark's entries.
        const cacheEnv = (name: string) => ({ PLATFORM_CONTENT_CACHE_DIR: path.join(base, `content-cache-${name}`) });
        // Builds the precompiled plan once, so no measured run pays for it.
        const warm = region(Math.min(...sizes, ...regionSizes));
        await runPlan(planCommandLine, warm.root, warm.configFile, path.join(base, "warm-up"), ["--tenant", changedTenant(warm.tenants).name], cacheEnv("warm-up"));

        // A release that changes only the app (its app stack alone: `--app-only`), and one that needs its grants
        // stack too (a build, a grant): that tenant's two stacks.
        const modes = [
            { label: "app stack", key: "app", flags: ["--app-only"] },
            { label: "grants + app stacks", key: "grants-app", flags: [] as string[] },
        ];
        const tenantRows: Array<{ mode: string; tenants: number; id: string; cold: Run; summary: Summary }> = [];
        for (const mode of sizes.length > 0 ? modes : []) {
            console.log(`\nOne tenant change, ${mode.label} (npm run plan -- --stack ${STACK} --tenant <id>${mode.flags.map((f) => ` ${f}`).join("")}): per size a cold first run (empty content cache), then ${repeat} run(s) per size, the sizes in turn; load ${load()}`);
            const runs = new Map<number, { cold?: Run; warm: Run[] }>(sizes.map((size) => [size, { warm: [] }]));
            for (const slot of tenantRunSchedule(sizes, repeat)) {
                const { root, configFile, tenants } = region(slot.size);
                const tenant = changedTenant(tenants);
                releaseChange(root, tenant, slot.attempt);
                const run = await runPlan(planCommandLine, root, configFile, path.join(root, `tenant-out-${mode.key}-${slot.attempt}`), ["--tenant", tenant.name, ...mode.flags], cacheEnv(mode.key));
                const slots = runs.get(slot.size)!;
                if (slot.cold) {
                    slots.cold = run;
                } else {
                    slots.warm.push(run);
                }
            }
            for (const count of sizes) {
                const { cold, warm: attempts } = runs.get(count)!;
                const tenant = changedTenant(region(count).tenants);
                const summary = summarize(attempts);
                tenantRows.push({ mode: mode.label, tenants: count, id: tenant.name, cold: cold!, summary });
                console.log(`  ${String(count).padStart(5)} tenants (${tenant.name}): ${secs(summary.best.seconds)} best, ${secs(summary.medianSeconds)} median wall, ${secs(summary.medianCpuSeconds)} median CPU, ${mib(summary.rssBytes)}, ${summary.best.resources} resources; cold first run ${secs(cold!.seconds)} wall, ${secs(cold!.cpuSeconds)} CPU`);
                console.log(`                 runs (wall/CPU): ${attempts.map((a) => `${a.seconds.toFixed(2)}/${a.cpuSeconds.toFixed(2)}`).join(", ")}`);
                console.log(`                 phases: ${summary.best.phases}`);
            }
            console.log(`  load ${load()}`);
        }

        const regionRows: Array<{ tenants: number; summary: Summary }> = [];
        if (regionSizes.length > 0) {
            console.log(`\nFull region (npm run plan -- --stack ${STACK}: catalog check, platform, every tenant stack), ${regionRepeat} run(s) per size:`);
        }
        for (const count of regionSizes) {
            const { root, configFile } = region(count);
            const attempts: Run[] = [];
            for (let i = 0; i < regionRepeat; i++) {
                const run = await runPlan(planCommandLine, root, configFile, path.join(root, `region-out-${i}`), [], cacheEnv(`region-${count}`));
                attempts.push(run);
                // The first run of a generated region derives every tenant file (the content cache is cold); the
                // next ones read what it derived, as every plan of an unchanged catalog does.
                console.log(`    run ${i + 1}${i === 0 ? " (content cache cold)" : ""}: ${secs(run.seconds)} wall, ${secs(run.cpuSeconds)} CPU, ${mib(run.rssBytes)}, load ${load()}`);
            }
            const summary = summarize(attempts);
            regionRows.push({ tenants: count, summary });
            console.log(`  ${String(count).padStart(5)} tenants: ${secs(summary.best.seconds)} best, ${secs(summary.medianSeconds)} median wall, ${secs(summary.medianCpuSeconds)} CPU, ${mib(summary.rssBytes)}, ${summary.best.resources} resources`);
            console.log(`                 phases: ${summary.best.phases}`);
        }

        const parallelRows: Array<{ workers: number; run: Run }> = [];
        const middle = regionSizes[Math.floor((regionSizes.length - 1) / 2)];
        if (middle !== undefined && parallels.length > 1) {
            console.log(`\nTenant plan workers (--parallel), full region of ${middle} tenants, once each:`);
            const { root, configFile } = region(middle);
            for (const workers of parallels) {
                const run = await runPlan(planCommandLine, root, configFile, path.join(root, `parallel-out-${workers}`), ["--parallel", String(workers)], cacheEnv(`region-${middle}`));
                parallelRows.push({ workers, run });
                console.log(`  --parallel ${workers}: ${secs(run.seconds)} wall, ${secs(run.cpuSeconds)} CPU, ${mib(run.rssBytes)}`);
            }
        }

        console.log(`\nload average ${load()} at the end`);
        console.log("");
        for (const mode of modes) {
            const rows = tenantRows.filter((row) => row.mode === mode.label);
            if (rows.length === 0) {
                continue;
            }
            console.log(`| region size | one tenant change (${mode.label}): wall best | median wall | median CPU | peak RSS | resources | cold first run: wall, CPU |`);
            console.log("|---:|---:|---:|---:|---:|---:|---:|");
            for (const row of rows) {
                console.log(`| ${row.tenants} | ${secs(row.summary.best.seconds)} | ${secs(row.summary.medianSeconds)} | ${secs(row.summary.medianCpuSeconds)} | ${mib(row.summary.rssBytes)} | ${row.summary.best.resources} | ${secs(row.cold.seconds)}, ${secs(row.cold.cpuSeconds)} |`);
            }
            const first = rows[0]!;
            const last = rows[rows.length - 1]!;
            const ratio = last.summary.medianSeconds / first.summary.medianSeconds;
            const cpuRatio = last.summary.medianCpuSeconds / first.summary.medianCpuSeconds;
            console.log(`\none tenant change (${mode.label}): ${last.tenants}/${first.tenants} tenants median ratio ${ratio.toFixed(2)} wall, ${cpuRatio.toFixed(2)} CPU (target ≤ ${TARGET.tenantRatio})\n`);
            if (rows.length > 1 && ratio > TARGET.tenantRatio) failures.push(`one tenant change (${mode.label}) costs ${ratio.toFixed(2)}× the wall time at ${last.tenants} tenants it costs at ${first.tenants} (target ≤ ${TARGET.tenantRatio})`);
            if (rows.length > 1 && cpuRatio > TARGET.tenantRatio) failures.push(`one tenant change (${mode.label}) costs ${cpuRatio.toFixed(2)}× the CPU time at ${last.tenants} tenants it costs at ${first.tenants} (target ≤ ${TARGET.tenantRatio})`);
            for (const row of rows) {
                if (row.summary.medianSeconds > TARGET.tenantSeconds) failures.push(`one tenant change (${mode.label}) at ${row.tenants} tenants: median ${secs(row.summary.medianSeconds)} wall (target ≤ ${TARGET.tenantSeconds} s)`);
            }
        }
        if (regionRows.length > 0) {
            console.log("");
            console.log(`| region size | full region: wall best | median wall | median CPU | peak RSS (sum) | resources |`);
            console.log("|---:|---:|---:|---:|---:|---:|");
            for (const row of regionRows) {
                console.log(`| ${row.tenants} | ${secs(row.summary.best.seconds)} | ${secs(row.summary.medianSeconds)} | ${secs(row.summary.medianCpuSeconds)} | ${mib(row.summary.rssBytes)} | ${row.summary.best.resources} |`);
            }
            const atTarget = regionRows.find((r) => r.tenants === TARGET.tenants);
            if (atTarget) {
                if (atTarget.summary.medianSeconds >= TARGET.seconds) failures.push(`full region of ${TARGET.tenants} tenants: median ${secs(atTarget.summary.medianSeconds)} (target < ${TARGET.seconds} s)`);
                if (atTarget.summary.rssBytes >= TARGET.rssBytes) failures.push(`full region of ${TARGET.tenants} tenants: ${(atTarget.summary.rssBytes / 2 ** 30).toFixed(2)} GiB peak (target < 1.5 GiB)`);
            }
        }
        if (parallelRows.length > 0) {
            const fastest = [...parallelRows].sort((a, b) => a.run.seconds - b.run.seconds)[0]!;
            console.log(`\nfastest worker count at ${middle} tenants on this machine: --parallel ${fastest.workers} (default at that size ${defaultTenantParallelism(middle!)})`);
        }
        const allSizes = [...new Set([...sizes, ...regionSizes])].sort((a, b) => a - b);
        const validation = validationTimings(allSizes, region(allSizes[allSizes.length - 1]!));
        console.log(`tenant validation alone (lib/tenants/load.ts, in-process): ${validation.map((v) => `${v.tenants}: ${v.ms.toFixed(0)} ms`).join(", ")}`);
        console.log(failures.length === 0 ? "\ntargets met" : `\ntargets missed:\n  ${failures.join("\n  ")}`);
        return failures.length === 0 ? 0 : 1;
    } finally {
        if (!values.keep) {
            fs.rmSync(base, { recursive: true, force: true });
        }
    }
}

/** How many times each value occurs. */
function countBy(values: readonly string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
    return counts;
}

/** In-process timing of tenant validation alone (against the largest generated region's config): isolates lib/tenants/load.ts from the Pulumi run. */
function validationTimings(sizes: readonly number[], largest: { root: string; tenants: readonly GeneratedTenant[] }): Array<{ tenants: number; ms: number }> {
    const config = platformConfigFromStack(readStackConfig(largest.root, STACK));
    const secretNames = new Map(largest.tenants.map((t) => [t.name, new Set(t.secretNames)]));
    return sizes.map((n) => {
        const docs = largest.tenants.slice(0, n).map((t) => ({ file: `stacks/${STACK}/projects/${t.name}.yaml`, text: t.text }));
        const started = process.hrtime.bigint();
        validateTenantDocuments(docs, { config, secretNames });
        return { tenants: n, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    });
}

// Run only as a script: test/tools/bench.test.ts imports the release edit.
if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
            process.exit(1);
        },
    );
}
