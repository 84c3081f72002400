/**
 * `npm run plan -- --stack <name>`: runs the real index.ts under the Pulumi mock engine (no CLI, no
 * credentials), prints the resource tree by component, evaluates the policy pack and writes
 * `out/<stack>/plan.json`, `out/<stack>/manifests/` and the artefacts the test spine checks.
 * `--timings` prints the time of each phase (to stderr).
 *
 * Exit codes: 0 ok, 1 invalid input or program error, 2 mandatory policy violations.
 */
// First: it must be in place before @pulumi/pulumi is loaded.
import "./offline/defer-typescript";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { InputValidationError } from "../lib/validation";
import { synthesize } from "./offline/mock-engine";
import { readStackConfig, syntheticSecrets, tenantSecretNamesOf } from "./offline/stack-files";
import { renderTree, writeManifestsAndArtifacts, writePlanJson } from "./offline/plan-output";
import { BackgroundFileSink } from "./offline/file-sink";
import { catalogDirectory } from "../lib/tenants/load";
import { evaluatePolicies, formatViolations } from "../policy/offline";
import { renderReports } from "./offline/reports";

const ROOT = path.resolve(__dirname, "..");
/** How long Node, tsx and this module's imports took before it started running (ms since process start). */
const startupMs = performance.now();

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

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string" },
            out: { type: "string" },
            quiet: { type: "boolean", default: false },
            timings: { type: "boolean", default: false },
            "catalog-root": { type: "string" },
            "config-file": { type: "string" },
        },
        allowPositionals: false,
    });
    const stack = values.stack;
    if (!stack) {
        console.error("usage: npm run plan -- --stack <name> [--quiet] [--timings]   (stacks: the Pulumi.<name>.yaml files)");
        return 1;
    }
    const outDir = path.resolve(values.out ?? path.join(ROOT, "out", stack));
    const catalogRoot = path.resolve(values["catalog-root"] ?? ROOT);
    process.env.PLATFORM_CATALOG_ROOT = catalogRoot;

    const stackConfig = values["config-file"]
        ? readStackConfig(path.dirname(path.resolve(values["config-file"])), path.basename(values["config-file"]).replace(/^Pulumi\.|\.yaml$/g, ""))
        : readStackConfig(ROOT, stack);
    const secrets = syntheticSecrets(tenantSecretNamesOf(catalogDirectory(catalogRoot, stack)), stackConfig);
    const config = { ...secrets, ...stackConfig };

    const timings = new Map<string, number>([["startup", startupMs]]);
    timed(timings, "clear output", () => {
        fs.rmSync(outDir, { recursive: true, force: true });
        fs.mkdirSync(outDir, { recursive: true });
    });
    let plan;
    try {
        plan = await timed(timings, "synthesize", () =>
            synthesize({ stack, config, secretKeys: Object.keys(secrets), loadProgram: () => import(path.join(ROOT, "index")) }),
        );
    } catch (error) {
        if (error instanceof InputValidationError) {
            console.error(error.message);
            const registeredResources = (error as { registeredResources?: number }).registeredResources ?? 0;
            console.error(`${registeredResources} resource(s) were registered.`);
            fs.writeFileSync(path.join(outDir, "error.json"), JSON.stringify({ registeredResources, problems: error.problems }, null, 2));
            return 1;
        }
        throw error;
    }
    const synthesized = plan;
    // The files are rendered here and written by a worker thread while the policies run.
    const files = new BackgroundFileSink();
    timed(timings, "plan.json", () => writePlanJson(outDir, synthesized, files));
    timed(timings, "manifests and artefacts", () => writeManifestsAndArtifacts(outDir, synthesized.resources, files));
    const violations = timed(timings, "policies", () => evaluatePolicies(synthesized.resources));
    files.write(path.join(outDir, "policy.json"), JSON.stringify(violations, null, 2));
    await timed(timings, "waiting for writes", () => files.close());
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    if (!values.quiet) {
        console.log(renderTree(plan));
        console.log("");
        console.log(renderReports(plan, stackConfig));
        console.log("");
        console.log(formatViolations(violations));
        console.log(`\nOffline plan of stack "${stack}": ${plan.resources.length} resources in ${((timings.get("synthesize") ?? 0) / 1000).toFixed(1)} s; written to ${path.relative(process.cwd(), outDir) || "."}`);
        console.log("Secrets were synthetic (no stack secrets are read offline); nothing was sent to Hetzner, Tailscale or a cluster.");
    }
    if (values.timings) {
        console.error(`timings: ${[...timings].map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(2)} s`).join(", ")}`);
    }
    reportRss();
    if (mandatory.length > 0) {
        console.error(`${mandatory.length} mandatory policy violation(s): the plan would be refused by \`pulumi preview --policy-pack policy\`.`);
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

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
        reportRss();
        process.exit(1);
    },
);
