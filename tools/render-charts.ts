/**
 * `npx tsx tools/render-charts.ts [--stack <name>]... [--release <name>]... [--no-plan]`: renders every
 * `helm.v3.Release` of every shipped stack with real Helm (`helm template`) at the pinned chart version and the
 * values of the offline plan, and writes the facts (workloads, placement, volumes, update strategies, images,
 * requests/limits, CRDs under `crds/`) to `charts/rendered/<stack>/<release>.json`. `--release` renders only the
 * releases named and leaves the other fact files as they are (one chart's values changed: only its chart source
 * is needed). Not run in CI (no Helm there, no chart
 * sources): `test/charts/rendered-facts.test.ts` fails when the values change without a regeneration.
 *
 * Needs `helm` on PATH and the chart repositories as GitHub snapshots (`/work/.mirror/<owner>+<name>/repo`
 * or `$CHART_MIRRORS`), see tools/render/chart-sources.ts. Charts are copied to a temporary folder, never
 * into the repository.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import * as yaml from "js-yaml";
import { CHARTS } from "../charts/versions";
import { CHART_IMAGES_FILE, RENDERED_DIR, chartImageList, renderedPath, valuesDigest, type RenderedClaim, type RenderedContainer, type RenderedRelease, type RenderedWorkload } from "../charts/rendered-facts";
import { shippedStacks } from "./offline/stack-files";
import { CHART_SOURCES, type ChartSource } from "./render/chart-sources";
import { releaseInputs, type ReleaseInput } from "./render/release-values";

const ROOT = path.resolve(__dirname, "..");
const MIRRORS = process.env.CHART_MIRRORS ?? "/work/.mirror";
/** The Kubernetes version the shipped stacks run (`platform:cluster.k3sVersion` v1.31.6+k3s1). */
const KUBE_VERSION = "1.31.6";
/** API groups present when the add-ons install: the Prometheus Operator CRDs are a release of their own, installed first. */
const API_VERSIONS = ["monitoring.coreos.com/v1", "monitoring.coreos.com/v1alpha1"];

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

function mirrorOf(source: ChartSource): string {
    const dir = path.join(MIRRORS, source.repo.replace("/", "+"), "repo");
    if (!fs.existsSync(dir)) {
        throw new Error(`${dir} is missing: fetch github:${source.repo} first`);
    }
    return dir;
}

/** Extracts a chart directory at a ref into `target`. */
function extract(source: ChartSource, target: string): void {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "chart-src-"));
    // Snapshots may lack their largest blobs elsewhere in the tree; git reports them on stderr, the chart is complete.
    const archive = execFileSync("git", ["-C", mirrorOf(source), "archive", "--format=tar", source.ref, source.dir], { maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] });
    execFileSync("tar", ["-x", "-C", scratch], { input: archive });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(path.join(scratch, source.dir), target);
    fs.rmSync(scratch, { recursive: true, force: true });
}

function lookup(values: unknown, dotted: string): unknown {
    let at: unknown = values;
    for (const part of dotted.split(".")) {
        if (!isObj(at) || !(part in at)) {
            return undefined;
        }
        at = at[part];
    }
    return at;
}

function merge(base: Obj, over: Obj): Obj {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(over)) {
        out[k] = isObj(out[k]) && isObj(v) ? merge(out[k], v) : v;
    }
    return out;
}

/** Helm's rule: the first condition path that resolves to a boolean decides; none resolving means enabled. */
function conditionHolds(condition: string | undefined, values: Obj): boolean {
    for (const p of (condition ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
        const v = lookup(values, p);
        if (typeof v === "boolean") {
            return v;
        }
    }
    return true;
}

/** Prepares the chart of a release in a temporary folder; returns its path and the subcharts dropped. */
function prepareChart(input: ReleaseInput, workDir: string): { dir: string; dropped: string[] } {
    const source = CHART_SOURCES[input.key];
    const dir = path.join(workDir, input.chart);
    extract(source, dir);
    const chartFile = path.join(dir, "Chart.yaml");
    const chart = yaml.load(fs.readFileSync(chartFile, "utf8")) as Obj;
    // Some repositories set the version only when they publish (metallb: 0.0.0 at the tag, images follow appVersion).
    if (chart.version !== input.version.replace(/^v/, "") && chart.version !== input.version) {
        // Placeholders (metallb v0.0.0, kubelet-csr-approver v0.0.1-dummy): the release process sets the tag.
        chart.appVersion = /^v?0\.0\.\d+(-dummy)?$/.test(String(chart.appVersion)) ? `v${input.version.replace(/^v/, "")}` : chart.appVersion;
        chart.version = input.version.replace(/^v/, "");
    }
    const values = merge((yaml.load(fs.readFileSync(path.join(dir, "values.yaml"), "utf8")) as Obj) ?? {}, input.values);
    const dropped: string[] = [];
    const kept: Obj[] = [];
    const subchartsDir = path.join(dir, "charts");
    const present = fs.existsSync(subchartsDir) ? fs.readdirSync(subchartsDir) : [];
    for (const dep of (chart.dependencies ?? []) as Obj[]) {
        const name = String(dep.alias ?? dep.name);
        const enabled = conditionHolds(dep.condition, values);
        const vendored = present.filter((f) => f === dep.name || f.startsWith(`${dep.name}-`));
        if (!enabled) {
            for (const f of vendored) {
                fs.rmSync(path.join(subchartsDir, f), { recursive: true, force: true });
            }
            dropped.push(`${name} (condition ${dep.condition} is false)`);
            continue;
        }
        if (vendored.length === 0) {
            const sub = CHART_SOURCES[input.key].subcharts[dep.name];
            if (!sub) {
                throw new Error(`${input.chart}: subchart ${dep.name} is enabled but neither vendored nor in tools/render/chart-sources.ts`);
            }
            extract(sub, path.join(subchartsDir, dep.name));
        }
        kept.push(dep);
    }
    chart.dependencies = kept;
    fs.writeFileSync(chartFile, yaml.dump(chart));
    fs.rmSync(path.join(dir, "Chart.lock"), { force: true });
    return { dir, dropped };
}

/** Names of the CRDs under every `crds/` folder of the chart and its (kept) subcharts. */
function crdsDirectoryCrds(chartDir: string): string[] {
    const names: string[] = [];
    const visit = (dir: string) => {
        const crds = path.join(dir, "crds");
        if (fs.existsSync(crds)) {
            for (const f of fs.readdirSync(crds, { recursive: true }) as string[]) {
                if (/\.ya?ml$/.test(f)) {
                    for (const doc of yaml.loadAll(fs.readFileSync(path.join(crds, f), "utf8"))) {
                        if (isObj(doc) && doc.kind === "CustomResourceDefinition") {
                            names.push(String(doc.metadata?.name));
                        }
                    }
                }
            }
        }
        const sub = path.join(dir, "charts");
        if (fs.existsSync(sub)) {
            for (const f of fs.readdirSync(sub)) {
                if (fs.existsSync(path.join(sub, f, "Chart.yaml"))) {
                    visit(path.join(sub, f));
                }
            }
        }
    };
    visit(chartDir);
    return [...new Set(names)].sort();
}

const quantities = (r: unknown) => {
    const o = isObj(r) ? r : {};
    return { ...(o.cpu !== undefined ? { cpu: String(o.cpu) } : {}), ...(o.memory !== undefined ? { memory: String(o.memory) } : {}) };
};

function claimOf(pvc: Obj): RenderedClaim {
    const spec = isObj(pvc.spec) ? pvc.spec : {};
    return {
        name: String(pvc.metadata?.name),
        accessModes: Array.isArray(spec.accessModes) ? spec.accessModes.map(String) : [],
        ...(typeof spec.storageClassName === "string" ? { storageClassName: spec.storageClassName } : {}),
        ...(spec.resources?.requests?.storage !== undefined ? { storage: String(spec.resources.requests.storage) } : {}),
    };
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"]);
/** Prometheus Operator objects the operator turns into StatefulSets at runtime (one main container each). */
const OPERATOR_KINDS = new Set(["Prometheus", "Alertmanager"]);

function imageOf(image: unknown, fallback: string): string {
    if (typeof image === "string") {
        return image;
    }
    return fallback;
}

/** A Prometheus/Alertmanager object as the StatefulSet the operator creates from it (its main container; the operator adds a config reloader). */
function operatorWorkloadOf(doc: Obj, namespace: string): RenderedWorkload {
    const spec: Obj = doc.spec ?? {};
    const affinity: Obj = spec.affinity ?? {};
    const claim = spec.storage?.volumeClaimTemplate;
    return {
        kind: String(doc.kind),
        name: String(doc.metadata?.name),
        namespace: String(doc.metadata?.namespace ?? namespace),
        replicas: typeof spec.replicas === "number" ? spec.replicas : 1,
        nodeSelector: spec.nodeSelector ?? {},
        tolerations: spec.tolerations ?? [],
        requiredNodeAffinity: affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [],
        podAffinity: ["podAffinity", "podAntiAffinity"].flatMap((k) =>
            ["requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"].filter((w) => affinity[k]?.[w] !== undefined).map((w) => `${k}.${w.startsWith("required") ? "required" : "preferred"}`),
        ),
        // The operator's StatefulSets roll pods one by one (OrderedReady is not configurable per object).
        updateStrategy: { type: "RollingUpdate" },
        volumes: [],
        volumeClaimTemplates: isObj(claim) ? [claimOf({ metadata: { name: claim.metadata?.name ?? `${doc.kind}-db` }, spec: claim.spec })] : [],
        containers: [{ name: String(doc.kind).toLowerCase(), image: imageOf(spec.image, "(operator default)"), init: false, requests: quantities(spec.resources?.requests), limits: quantities(spec.resources?.limits) }],
    };
}

function workloadOf(doc: Obj, namespace: string): RenderedWorkload {
    const kind = String(doc.kind);
    const spec: Obj = doc.spec ?? {};
    const template: Obj = kind === "Pod" ? doc : kind === "CronJob" ? (spec.jobTemplate?.spec?.template ?? {}) : (spec.template ?? {});
    const pod: Obj = template.spec ?? {};
    const containers: RenderedContainer[] = [
        ...((pod.initContainers ?? []) as Obj[]).map((c) => ({ c, init: true })),
        ...((pod.containers ?? []) as Obj[]).map((c) => ({ c, init: false })),
    ].map(({ c, init }) => ({ name: String(c.name), image: String(c.image), init, requests: quantities(c.resources?.requests), limits: quantities(c.resources?.limits) }));
    const affinity: Obj = pod.affinity ?? {};
    const strategy: Obj | undefined = kind === "Deployment" ? spec.strategy : kind === "StatefulSet" || kind === "DaemonSet" ? spec.updateStrategy : undefined;
    const defaultStrategy = kind === "Deployment" || kind === "StatefulSet" || kind === "DaemonSet" ? "RollingUpdate" : undefined;
    const hook = doc.metadata?.annotations?.["helm.sh/hook"];
    return {
        kind,
        name: String(doc.metadata?.name),
        namespace: String(doc.metadata?.namespace ?? namespace),
        ...(kind === "Deployment" || kind === "StatefulSet" ? { replicas: typeof spec.replicas === "number" ? spec.replicas : 1 } : {}),
        ...(typeof hook === "string" ? { hook } : {}),
        nodeSelector: pod.nodeSelector ?? {},
        tolerations: pod.tolerations ?? [],
        requiredNodeAffinity: affinity.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [],
        podAffinity: ["podAffinity", "podAntiAffinity"].flatMap((k) =>
            ["requiredDuringSchedulingIgnoredDuringExecution", "preferredDuringSchedulingIgnoredDuringExecution"].filter((w) => affinity[k]?.[w] !== undefined).map((w) => `${k}.${w.startsWith("required") ? "required" : "preferred"}`),
        ),
        ...(defaultStrategy !== undefined
            ? {
                  updateStrategy: {
                      type: String(strategy?.type ?? defaultStrategy),
                      ...(strategy?.rollingUpdate?.maxSurge !== undefined ? { maxSurge: strategy.rollingUpdate.maxSurge } : {}),
                      ...(strategy?.rollingUpdate?.maxUnavailable !== undefined ? { maxUnavailable: strategy.rollingUpdate.maxUnavailable } : {}),
                  },
              }
            : {}),
        volumes: ((pod.volumes ?? []) as Obj[]).map((v) => {
            const type = Object.keys(v).find((k) => k !== "name") ?? "unknown";
            return { name: String(v.name), type, ...(type === "persistentVolumeClaim" ? { claimName: String(v.persistentVolumeClaim.claimName) } : {}) };
        }),
        volumeClaimTemplates: ((spec.volumeClaimTemplates ?? []) as Obj[]).map(claimOf),
        containers,
    };
}

function helmVersion(): string {
    return execFileSync("helm", ["version", "--short"], { encoding: "utf8" }).trim();
}

function render(stack: string, input: ReleaseInput, workDir: string, helm: string): RenderedRelease {
    const releaseDir = path.join(workDir, stack, input.release);
    const { dir, dropped } = prepareChart(input, releaseDir);
    const valuesFile = path.join(releaseDir, "values.json");
    fs.writeFileSync(valuesFile, JSON.stringify(input.values, null, 2));
    const args = ["template", input.release, `./${input.chart}`, "--namespace", input.namespace, "--values", "values.json", "--kube-version", KUBE_VERSION, ...API_VERSIONS.flatMap((a) => ["--api-versions", a])];
    const run = spawnSync("helm", args, { cwd: releaseDir, encoding: "utf8", maxBuffer: 1 << 30 });
    if (run.status !== 0) {
        throw new Error(`${stack}/${input.release}: helm ${args.join(" ")} failed:\n${run.stderr}`);
    }
    const docs = yaml.loadAll(run.stdout).filter(isObj);
    const kinds: Record<string, number> = {};
    for (const d of docs) {
        kinds[String(d.kind)] = (kinds[String(d.kind)] ?? 0) + 1;
    }
    const workloads = [
        ...docs.filter((d) => WORKLOAD_KINDS.has(String(d.kind))).map((d) => workloadOf(d, input.namespace)),
        ...docs.filter((d) => OPERATOR_KINDS.has(String(d.kind))).map((d) => operatorWorkloadOf(d, input.namespace)),
    ];
    workloads.sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
    const source = CHART_SOURCES[input.key];
    return {
        release: input.release,
        namespace: input.namespace,
        chart: input.chart,
        version: input.version,
        source: `github.com/${source.repo}@${source.ref} ${source.dir}${Object.keys(source.subcharts).length > 0 ? ` (+ ${Object.entries(source.subcharts).map(([n, s]) => `${n} from ${s.repo}@${s.ref}`).join(", ")})` : ""}`,
        helmCommand: `helm ${args.join(" ")}`,
        helmVersion: helm,
        valuesDigest: valuesDigest(input),
        droppedSubcharts: dropped,
        workloads,
        claims: docs.filter((d) => d.kind === "PersistentVolumeClaim").map(claimOf),
        images: [...new Set(workloads.flatMap((w) => w.containers.map((c) => c.image)))].sort(),
        crdsDirectoryCrds: crdsDirectoryCrds(dir),
        kinds: Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => a.localeCompare(b))),
    };
}

function main(): number {
    const { values } = parseArgs({ options: { stack: { type: "string", multiple: true }, release: { type: "string", multiple: true }, "no-plan": { type: "boolean", default: false } } });
    const stacks = values.stack ?? shippedStacks(ROOT);
    const only = values.release === undefined ? undefined : new Set(values.release);
    const helm = helmVersion();
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "render-charts-"));
    try {
        for (const stack of stacks) {
            if (!values["no-plan"]) {
                const plan = spawnSync("npm", ["run", "--silent", "plan", "--", "--stack", stack, "--quiet"], { cwd: ROOT, stdio: "inherit" });
                if (plan.status !== 0) {
                    throw new Error(`npm run plan -- --stack ${stack} failed (exit ${plan.status})`);
                }
            }
            const inputs = releaseInputs(ROOT, stack).filter((input) => only === undefined || only.has(input.release));
            if (only === undefined) {
                // Every release again: the facts of a release the stack no longer has go too.
                fs.rmSync(path.join(RENDERED_DIR, stack), { recursive: true, force: true });
            } else if (inputs.length === 0) {
                throw new Error(`${stack} plans no release named ${[...only].join(", ")}`);
            }
            fs.mkdirSync(path.join(RENDERED_DIR, stack), { recursive: true });
            for (const input of inputs) {
                if (CHARTS[input.key].version !== input.version) {
                    throw new Error(`${stack}/${input.release}: plan has ${input.chart} ${input.version}, the pin table ${CHARTS[input.key].version}`);
                }
                const facts = render(stack, input, workDir, helm);
                fs.writeFileSync(renderedPath(stack, input.release), `${JSON.stringify(facts, null, 2)}\n`);
                console.log(`${stack}/${input.release}: ${facts.workloads.length} workload(s), ${facts.images.length} image(s), ${facts.crdsDirectoryCrds.length} CRD(s) under crds/${facts.droppedSubcharts.length > 0 ? `; dropped ${facts.droppedSubcharts.join(", ")}` : ""}`);
            }
        }
        fs.writeFileSync(CHART_IMAGES_FILE, `${JSON.stringify(chartImageList(), null, 2)}\n`);
    } finally {
        fs.rmSync(workDir, { recursive: true, force: true });
    }
    return 0;
}

try {
    process.exitCode = main();
} catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
}
