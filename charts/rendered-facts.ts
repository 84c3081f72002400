import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Facts of the charts as real Helm renders them (`helm template` at the pinned version with the values the
 * program passes), committed under `charts/rendered/<stack>/<release>.json` by `tools/render-charts.ts`
 * (run by hand: CI has no Helm and no chart sources). Each file names the Helm command, the chart version and
 * the digest of the values that produced it, so a test can tell when the program's values moved on without a
 * regeneration. Only facts are committed, never chart code.
 */

/** Requests or limits of one container, as rendered (Kubernetes quantities; absent keys are unset). */
export interface RenderedQuantities {
    /** CPU quantity. */
    readonly cpu?: string;
    /** Memory quantity. */
    readonly memory?: string;
}

/** One container (or init container) of a rendered pod template. */
export interface RenderedContainer {
    /** Container name. */
    readonly name: string;
    /** Image reference exactly as rendered. */
    readonly image: string;
    /** `true` for an init container (runs before the others; counts as max, not sum). */
    readonly init: boolean;
    /** Rendered requests (empty when the chart renders none). */
    readonly requests: RenderedQuantities;
    /** Rendered limits (empty when the chart renders none). */
    readonly limits: RenderedQuantities;
}

/** A volume of a pod template, reduced to what placement and upgrades depend on. */
export interface RenderedVolume {
    /** Volume name. */
    readonly name: string;
    /** Volume source kind (`persistentVolumeClaim`, `emptyDir`, `configMap`, `hostPath`, ...). */
    readonly type: string;
    /** Claim name for `persistentVolumeClaim` volumes. */
    readonly claimName?: string;
}

/** A PersistentVolumeClaim (standalone or a StatefulSet's volumeClaimTemplate). */
export interface RenderedClaim {
    /** Claim (or template) name. */
    readonly name: string;
    /** Access modes. */
    readonly accessModes: readonly string[];
    /** Storage class (`undefined`: the cluster default). */
    readonly storageClassName?: string;
    /** Requested size. */
    readonly storage?: string;
}

/** A workload (pod template) the chart renders. */
export interface RenderedWorkload {
    /** Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod. */
    readonly kind: string;
    /** Object name. */
    readonly name: string;
    /** Namespace (the release's when the chart sets none). */
    readonly namespace: string;
    /** `spec.replicas` (Deployment/StatefulSet; 1 when unset), `undefined` for other kinds. */
    readonly replicas?: number;
    /** Helm hook (`helm.sh/hook` annotation), when the object is a hook. */
    readonly hook?: string;
    /** Pod node selector. */
    readonly nodeSelector: Readonly<Record<string, string>>;
    /** Pod tolerations. */
    readonly tolerations: readonly Readonly<Record<string, unknown>>[];
    /** Required node-affinity terms (`matchExpressions`), as rendered. */
    readonly requiredNodeAffinity: readonly unknown[];
    /** Whether the pod template has preferred or required pod (anti-)affinity. */
    readonly podAffinity: readonly string[];
    /** Update strategy type (Deployment `strategy.type`, StatefulSet/DaemonSet `updateStrategy.type`), with Deployment's `rollingUpdate`. */
    readonly updateStrategy?: { readonly type: string; readonly maxSurge?: string | number; readonly maxUnavailable?: string | number };
    /** Pod volumes. */
    readonly volumes: readonly RenderedVolume[];
    /** StatefulSet volumeClaimTemplates. */
    readonly volumeClaimTemplates: readonly RenderedClaim[];
    /** Containers and init containers. */
    readonly containers: readonly RenderedContainer[];
}

/** The committed facts of one Release of one stack. */
export interface RenderedRelease {
    /** Helm release name. */
    readonly release: string;
    /** Release namespace. */
    readonly namespace: string;
    /** Chart name. */
    readonly chart: string;
    /** Chart version rendered. */
    readonly version: string;
    /** Chart source (repository@ref dir) the chart was taken from. */
    readonly source: string;
    /** The Helm command that produced the render (paths relative to the temporary chart copy). */
    readonly helmCommand: string;
    /** Helm's version. */
    readonly helmVersion: string;
    /** `valuesDigest` of the values rendered. */
    readonly valuesDigest: string;
    /** Subcharts dropped because their condition is false for these values. */
    readonly droppedSubcharts: readonly string[];
    /** Workloads. */
    readonly workloads: readonly RenderedWorkload[];
    /** Standalone PersistentVolumeClaims. */
    readonly claims: readonly RenderedClaim[];
    /** Every image the render references (sorted, unique). */
    readonly images: readonly string[];
    /** CRDs the chart (and its subcharts) ship under `crds/`, which Helm installs once and never upgrades. */
    readonly crdsDirectoryCrds: readonly string[];
    /** Kinds of every rendered object with counts (`ServiceMonitor: 1`). */
    readonly kinds: Readonly<Record<string, number>>;
}

/** Folder of the committed facts. */
export const RENDERED_DIR = path.join(__dirname, "rendered");

/** JSON with object keys sorted at every level (a stable text for digests). */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(canonicalJson).join(",")}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/** Digest of what a render depends on: chart, version, release, namespace and values. */
export function valuesDigest(input: { chart: string; version: string; release: string; namespace: string; values: unknown }): string {
    const text = canonicalJson({ chart: input.chart, version: input.version, release: input.release, namespace: input.namespace, values: input.values });
    return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/** Path of a release's fact file. */
export function renderedPath(stack: string, release: string, dir = RENDERED_DIR): string {
    return path.join(dir, stack, `${release}.json`);
}

/** The committed facts of a release (throws naming the file and the fix when absent). */
export function readRendered(stack: string, release: string, dir = RENDERED_DIR): RenderedRelease {
    const file = renderedPath(stack, release, dir);
    if (!fs.existsSync(file)) {
        throw new Error(`${file} is missing: run \`npx tsx tools/render-charts.ts\` (needs helm and the chart mirrors)`);
    }
    return JSON.parse(fs.readFileSync(file, "utf8")) as RenderedRelease;
}

/** Stacks with committed facts. */
export function renderedStacks(dir = RENDERED_DIR): string[] {
    return fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort() : [];
}

/** Every committed release of a stack. */
export function renderedReleases(stack: string, dir = RENDERED_DIR): RenderedRelease[] {
    const folder = path.join(dir, stack);
    return fs.existsSync(folder)
        ? fs.readdirSync(folder).filter((f) => f.endsWith(".json")).sort().map((f) => readRendered(stack, f.replace(/\.json$/, ""), dir))
        : [];
}

/** The images each pinned chart renders (`<chart>@<version>` → images), over every stack's committed facts. */
export const CHART_IMAGES_FILE = path.join(__dirname, "chart-images.json");

/** Each chart version's images, the union over every stack's committed facts (sorted). */
export function chartImageList(dir = RENDERED_DIR): Record<string, string[]> {
    const byChart = new Map<string, Set<string>>();
    for (const stack of renderedStacks(dir)) {
        for (const r of renderedReleases(stack, dir)) {
            const key = `${r.chart}@${r.version}`;
            const set = byChart.get(key) ?? new Set<string>();
            r.images.forEach((i) => set.add(i));
            byChart.set(key, set);
        }
    }
    return Object.fromEntries([...byChart.keys()].sort().map((k) => [k, [...byChart.get(k)!].sort()]));
}

/** The committed image list (`charts/chart-images.json`). */
export function committedChartImages(): Record<string, string[]> {
    return JSON.parse(fs.readFileSync(CHART_IMAGES_FILE, "utf8")) as Record<string, string[]>;
}
