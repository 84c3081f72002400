/**
 * `npm run bench [-- --sizes 10,100,1000 --repeat 5 --region-sizes 10,100,1000 --region-repeat 3
 * --compare-parallel 1,2,4 --keep]`: what a tenant's release costs offline, and how the whole region scales.
 *
 * For each size it generates a region (the dev stack's config, `platform:tenantLimits` raised and
 * `platform:projectGrants` granted for the generated tenants) in a temporary catalog root, then:
 * - **one tenant change**: edits one tenant's file (a new image tag) and plans that tenant alone,
 *   `npm run plan -- --stack dev --tenant <id>`, exactly as package.json runs it (Node flags and the precompiled
 *   launcher included), `--repeat` times in fresh processes: wall time (best and median), CPU time (bash's
 *   `times`), peak RSS, resources. Targets: median ≤ 1 s wall including start-up, and the same for every size
 *   (median at the largest size ≤ 1.2 × the smallest's).
 * - **the full region**: `npm run plan -- --stack dev` (catalog check, platform stack, every tenant stack by
 *   `--parallel` workers), `--region-repeat` times: wall (best and median), CPU, the peak RSS of the plan process
 *   plus each worker's (a sum of peaks: an upper bound of what was resident at once), resources over all stacks.
 *   Targets: 1,000 tenants < 15 s median and < 1.5 GiB.
 * - `--compare-parallel`: the region plan at the middle region size with each worker count, once each, to show
 *   where parallel tenant plans are faster on this machine.
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
import { tenantLimitsSchema, type ProjectGrant } from "../lib/config/schema";
import { quantity } from "../lib/quantity";
import { readStackConfig } from "./offline/stack-files";
import { platformConfigFromStack } from "./offline/reports";
import { validateTenantDocuments } from "../lib/tenants/load";
import { DEFAULT_TENANT_PARALLELISM } from "./offline/stack-plans";

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

const WORDS = ["shop", "blog", "wiki", "crm", "billing", "search", "media", "forum", "docs", "chat", "maps", "quiz", "ledger", "notes", "inventory", "tickets"];

/** One generated tenant project (YAML text) and the quota it asks for. */
interface GeneratedTenant {
    name: string;
    text: string;
    quota: { cpu: string; memory: string; storage: string; pods: number };
    /** What the stack config must grant it (`platform:projectGrants.<name>`): trust, custom domains, git source. */
    grant: ProjectGrant;
}

/** `platform:projectGrants` for generated tenants (the privileges their files ask for). */
export function grantsFor(tenants: readonly GeneratedTenant[]): Record<string, GeneratedTenant["grant"]> {
    return Object.fromEntries(tenants.map((t) => [t.name, t.grant]));
}

/**
 * A realistic, deterministic project: a public web service, an autoscaled API with metrics (some with an app secret), every third
 * project a private worker with a volume (a StatefulSet), every other one a database, some buckets, Git
 * sources and custom domains. Trusted and untrusted tenants alternate (untrusted run under gVisor).
 */
export function generateTenant(index: number): GeneratedTenant {
    const name = `${WORDS[index % WORDS.length]}-${String(index).padStart(4, "0")}`;
    const withDatabase = index % 2 === 0;
    const withWorker = index % 3 === 0;
    const quota = { cpu: "4", memory: "8Gi", storage: "50Gi", pods: 20 };
    const services: Record<string, unknown>[] = [
        {
            name: "web",
            image: `ghcr.io/example/${name}-web:1.${index % 10}.2`,
            port: 8080,
            replicas: 2,
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
            probes: { liveness: { path: "/healthz" }, readiness: { path: "/ready" } },
            env: { LOG_LEVEL: "info" },
            expose: { public: true, customDomains: index % 10 === 0 ? [`${name}.example.org`] : [] },
        },
        {
            name: "api",
            image: `ghcr.io/example/${name}-api:2.${index % 7}.0`,
            port: 9000,
            autoscale: { min: 2, max: 4, targetCPUUtilization: 70 },
            resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "512Mi" } },
            probes: { readiness: { tcp: true } },
            metrics: { port: 9100 },
            // The database connection is injected by the platform; this is an app secret from stack config.
            ...(index % 4 === 1 ? { secretEnv: ["SESSION_SECRET"] } : {}),
            uses: [...(withDatabase ? ["database"] : []), ...(index % 5 === 0 ? ["bucket"] : [])],
        },
    ];
    if (withWorker) {
        services.push({
            name: "worker",
            image: `docker.io/example/${name}-worker:0.${index % 5}.1`,
            port: 8081,
            replicas: 1,
            command: ["/app/worker"],
            args: ["--queue", name],
            volumes: [{ name: "spool", size: "5Gi", class: "standard", mountPath: "/var/spool/worker" }],
            expose: { public: false },
        });
    }
    const project: Record<string, unknown> = {
        name,
        owner: { name: `Team ${name}`, email: `${name}@example.com` },
        trust: index % 2 === 0 ? "untrusted" : "trusted",
        quota,
        budget: { monthly: 40 + (index % 5) * 10 },
        services,
        ...(withDatabase ? { database: { engine: index % 4 === 0 ? "mysql" : "postgresql", size: "10Gi" } } : {}),
        ...(index % 5 === 0 ? { bucket: { name: "uploads" } } : {}),
        ...(index % 7 === 0 ? { git: { repoURL: `https://github.com/example/${name}-deploy.git`, path: "k8s", targetRevision: "main" } } : {}),
    };
    const grant = {
        trust: project.trust as ProjectGrant["trust"],
        egressPorts: [],
        customDomains: index % 10 === 0 ? [`${name}.example.org`] : [],
        git: index % 7 === 0 ? [`https://github.com/example/${name}-deploy.git`] : [],
        publicPorts: [],
    };
    return { name, text: yaml.dump(project, { lineWidth: 200 }), quota, grant };
}

/** The dev stack file with `platform:tenantLimits` raised to cover every generated quota. */
function stackFileFor(tenants: readonly GeneratedTenant[]): string {
    const file = path.join(ROOT, `Pulumi.${STACK}.yaml`);
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    const raw = readStackConfig(ROOT, STACK);
    const current = tenantLimitsSchema.parse(raw["platform:tenantLimits"] ? JSON.parse(raw["platform:tenantLimits"]) : {});
    const max = (key: "cpu" | "memory" | "storage", limit: string) =>
        tenants.reduce((best, t) => (quantity(t.quota[key]) > quantity(best) ? t.quota[key] : best), limit);
    doc.config["platform:tenantLimits"] = {
        maxCpu: max("cpu", current.maxCpu),
        maxMemory: max("memory", current.maxMemory),
        maxStorage: max("storage", current.maxStorage),
        maxPods: Math.max(current.maxPods, ...tenants.map((t) => t.quota.pods)),
    };
    doc.config["platform:projectGrants"] = grantsFor(tenants);
    return yaml.dump(doc, { lineWidth: 200 });
}

/** Writes a catalog root with `count` tenants; returns the root and the config file. */
function prepare(base: string, count: number): { root: string; configFile: string } {
    const root = path.join(base, `tenants-${count}`);
    const projects = path.join(root, "stacks", STACK, "projects");
    fs.mkdirSync(projects, { recursive: true });
    const tenants = Array.from({ length: count }, (_, i) => generateTenant(i + 1));
    for (const t of tenants) {
        fs.writeFileSync(path.join(projects, `${t.name}.yaml`), t.text);
    }
    const configFile = path.join(root, `Pulumi.${STACK}.yaml`);
    fs.writeFileSync(configFile, stackFileFor(tenants));
    return { root, configFile };
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

function runPlan(planCommandLine: readonly string[], root: string, configFile: string, outDir: string, extra: readonly string[]): Promise<Run> {
    const [node, ...nodeArgs] = planCommandLine;
    const args = [...nodeArgs, "--stack", STACK, "--catalog-root", root, "--out", outDir, "--quiet", "--timings", "--config-file", configFile, ...extra];
    // CPU time is steadier than wall time on a shared machine: bash's `times` reports its children's (and their
    // children's) user and system time (Node has no getrusage(RUSAGE_CHILDREN)).
    const viaBash = fs.existsSync(BASH);
    const [command, commandArgs] = viaBash ? [BASH, ["-c", '"$@"; rc=$?; times 1>&2; exit $rc', "bench-plan", node!, ...args]] : [node!, args];
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(command, commandArgs, { cwd: ROOT, env: { ...process.env, PLATFORM_REPORT_RSS: "1", NODE_NO_WARNINGS: "1" } });
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
            let resources = resourceCount(path.join(outDir, "plan.json"));
            const tenantsDir = path.join(outDir, "tenants");
            if (fs.existsSync(tenantsDir)) {
                for (const id of fs.readdirSync(tenantsDir)) {
                    resources += resourceCount(path.join(tenantsDir, id, "plan.json"));
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

/** The generated tenant whose change is planned: the middle one of the catalog. */
function changedTenant(count: number): GeneratedTenant {
    return generateTenant(Math.ceil(count / 2));
}

/** Edits a generated tenant's file as a release would: a new image tag of its web service. */
function releaseChange(root: string, tenant: GeneratedTenant, attempt: number): void {
    const file = path.join(root, "stacks", STACK, "projects", `${tenant.name}.yaml`);
    const text = fs.readFileSync(file, "utf8");
    const changed = text.replace(/(-web:)\d+\.(\d+)\.(\d+)/, (_m, prefix: string, minor: string) => `${prefix}${attempt + 2}.${minor}.0`);
    if (changed === text) {
        throw new Error(`bench: no web image tag to change in ${file}`);
    }
    fs.writeFileSync(file, changed);
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
    const regions = new Map<number, { root: string; configFile: string }>();
    const region = (count: number) => {
        let r = regions.get(count);
        if (!r) {
            r = prepare(base, count);
            regions.set(count, r);
        }
        return r;
    };
    try {
        // Builds the precompiled plan once, so no measured run pays for it.
        const warm = region(Math.min(...sizes, ...regionSizes));
        await runPlan(planCommandLine, warm.root, warm.configFile, path.join(base, "warm-up"), ["--tenant", changedTenant(Math.min(...sizes, ...regionSizes)).name]);

        const tenantRows: Array<{ tenants: number; id: string; summary: Summary }> = [];
        if (sizes.length > 0) {
            console.log(`\nOne tenant change (npm run plan -- --stack ${STACK} --tenant <id>), ${repeat} run(s) per size:`);
        }
        for (const count of sizes) {
            const { root, configFile } = region(count);
            const tenant = changedTenant(count);
            const attempts: Run[] = [];
            for (let i = 0; i < repeat; i++) {
                releaseChange(root, tenant, i);
                attempts.push(await runPlan(planCommandLine, root, configFile, path.join(root, `tenant-out-${i}`), ["--tenant", tenant.name]));
            }
            const summary = summarize(attempts);
            tenantRows.push({ tenants: count, id: tenant.name, summary });
            console.log(`  ${String(count).padStart(5)} tenants (${tenant.name}): ${secs(summary.best.seconds)} best, ${secs(summary.medianSeconds)} median wall, ${secs(summary.medianCpuSeconds)} CPU, ${mib(summary.rssBytes)}, ${summary.best.resources} resources`);
            console.log(`                 phases: ${summary.best.phases}`);
        }

        const regionRows: Array<{ tenants: number; summary: Summary }> = [];
        if (regionSizes.length > 0) {
            console.log(`\nFull region (npm run plan -- --stack ${STACK}: catalog check, platform, every tenant stack), ${regionRepeat} run(s) per size:`);
        }
        for (const count of regionSizes) {
            const { root, configFile } = region(count);
            const attempts: Run[] = [];
            for (let i = 0; i < regionRepeat; i++) {
                attempts.push(await runPlan(planCommandLine, root, configFile, path.join(root, `region-out-${i}`), []));
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
                const run = await runPlan(planCommandLine, root, configFile, path.join(root, `parallel-out-${workers}`), ["--parallel", String(workers)]);
                parallelRows.push({ workers, run });
                console.log(`  --parallel ${workers}: ${secs(run.seconds)} wall, ${secs(run.cpuSeconds)} CPU, ${mib(run.rssBytes)}`);
            }
        }

        console.log(`\nload average ${load()} at the end`);
        console.log("");
        if (tenantRows.length > 0) {
            console.log(`| region size | one tenant change: wall best | median wall | median CPU | peak RSS | resources |`);
            console.log("|---:|---:|---:|---:|---:|---:|");
            for (const row of tenantRows) {
                console.log(`| ${row.tenants} | ${secs(row.summary.best.seconds)} | ${secs(row.summary.medianSeconds)} | ${secs(row.summary.medianCpuSeconds)} | ${mib(row.summary.rssBytes)} | ${row.summary.best.resources} |`);
            }
            const first = tenantRows[0]!;
            const last = tenantRows[tenantRows.length - 1]!;
            const ratio = last.summary.medianSeconds / first.summary.medianSeconds;
            const cpuRatio = last.summary.medianCpuSeconds / first.summary.medianCpuSeconds;
            console.log(`\none tenant change: ${last.tenants}/${first.tenants} tenants median ratio ${ratio.toFixed(2)} wall, ${cpuRatio.toFixed(2)} CPU (target ≤ ${TARGET.tenantRatio})`);
            if (tenantRows.length > 1 && ratio > TARGET.tenantRatio) failures.push(`one tenant change costs ${ratio.toFixed(2)}× at ${last.tenants} tenants what it costs at ${first.tenants} (target ≤ ${TARGET.tenantRatio})`);
            for (const row of tenantRows) {
                if (row.summary.medianSeconds > TARGET.tenantSeconds) failures.push(`one tenant change at ${row.tenants} tenants: median ${secs(row.summary.medianSeconds)} wall (target ≤ ${TARGET.tenantSeconds} s)`);
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
            console.log(`\nfastest worker count at ${middle} tenants on this machine: --parallel ${fastest.workers} (default ${DEFAULT_TENANT_PARALLELISM})`);
        }
        const validation = validationTimings([...new Set([...sizes, ...regionSizes])].sort((a, b) => a - b));
        console.log(`tenant validation alone (lib/tenants/load.ts, in-process): ${validation.map((v) => `${v.tenants}: ${v.ms.toFixed(0)} ms`).join(", ")}`);
        console.log(failures.length === 0 ? "\ntargets met" : `\ntargets missed:\n  ${failures.join("\n  ")}`);
        return failures.length === 0 ? 0 : 1;
    } finally {
        if (!values.keep) {
            fs.rmSync(base, { recursive: true, force: true });
        }
    }
}

/** In-process timing of tenant validation alone: isolates lib/tenants/load.ts from the Pulumi run. */
function validationTimings(sizes: readonly number[]): Array<{ tenants: number; ms: number }> {
    const raw = readStackConfig(ROOT, STACK);
    const tenants = Array.from({ length: Math.max(...sizes) }, (_, i) => generateTenant(i + 1));
    const stackConfig = platformConfigFromStack(raw);
    const config = { ...stackConfig, projectGrants: { ...stackConfig.projectGrants, ...grantsFor(tenants) } };
    const secretNames = new Map(tenants.map((t) => [t.name, new Set(["SESSION_SECRET"])]));
    return sizes.map((n) => {
        const docs = tenants.slice(0, n).map((t) => ({ file: `stacks/${STACK}/projects/${t.name}.yaml`, text: t.text }));
        const started = process.hrtime.bigint();
        validateTenantDocuments(docs, { config, secretNames });
        return { tenants: n, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    });
}

// Run only as a script: test/tools/offline/bench-tenants.test.ts imports the generator.
if (require.main === module) {
    main().then(
        (code) => process.exit(code),
        (error: unknown) => {
            console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
            process.exit(1);
        },
    );
}
