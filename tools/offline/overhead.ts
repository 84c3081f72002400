import type { PlatformConfig } from "../../lib/config/schema";
import { PLATFORM_NAMESPACES } from "../../lib/conventions";
import { GIB, parseQuantity } from "../../lib/quantity";
import type { PlannedResource } from "./plan-types";
import type { RenderedContainer, RenderedRelease } from "../../charts/rendered-facts";
import { feasibleNodes, type PodPlacement, type SchedulableNode } from "./scheduling";
import { planNodes } from "../../components/nodes/node-plan";

/**
 * Platform overhead: the CPU and memory the platform's own add-ons reserve (requests) and may use (limits),
 * summed from the plan, so a stack's sizing can be checked before anything exists.
 *
 * Two sources:
 * - `kubernetes:helm.sh/v3:Release`: the `values` input is walked for `resources: {requests, limits}` blocks.
 *   A block counts once per replica when the object holding it has a numeric `replicas` or `replicaCount`,
 *   once per node when it describes a DaemonSet (see `isPerNode`), else once.
 *   This is an approximation, and deliberately so: a Release is opaque offline (DESIGN.md), so
 *   - a chart's built-in defaults the program does not override are invisible (undercount);
 *   - replica counts set elsewhere in a chart's values (e.g. `global`), autoscalers and per-chart replica
 *     keys with other names are not seen (undercount);
 *   - every block is treated as a running container, including init containers and optional components
 *     the values configure but leave disabled (overcount).
 * - Plain Deployment/StatefulSet/DaemonSet objects in platform namespaces (lib/conventions.ts): exact per pod —
 *   Kubernetes' effective pod request, max(sum of containers, largest init container) — times `spec.replicas`
 *   (default 1), DaemonSets times the nodes they select (a `platform/pool` node selector narrows it to that
 *   pool; taints are not modelled, so a DaemonSet is assumed to tolerate every node it selects).
 */

/** CPU in cores, memory in bytes. */
export interface Amount {
    /** Cores. */
    cpu: number;
    /** Bytes. */
    memory: number;
}

/** Requests and limits of one add-on or workload, summed over its replicas. */
export interface OverheadRow {
    /** `helm:<namespace>/<release>` or `<Kind>:<namespace>/<name>`. */
    source: string;
    /** Namespace it runs in. */
    namespace: string;
    /** Summed requests. */
    requests: Amount;
    /** Summed limits (only where set; see the counts of unset limits). */
    limits: Amount;
    /** Container instances counted (replicas × containers). */
    containers: number;
    /** Container instances without a CPU limit (the CPU limit sum is then a lower bound). */
    withoutCpuLimit: number;
    /** Container instances without a memory limit. */
    withoutMemoryLimit: number;
    /** How replicas were counted, e.g. `2 replicas`, `per node (3)`. */
    multiplier: string;
}

/** Node counts the per-node multipliers use. */
export interface NodeCounts {
    /** Every node of the stack. */
    total: number;
    /** Nodes per pool (`server`, `run`, `build`, `edge`). */
    byPool: Readonly<Record<string, number>>;
    /**
     * The node plan's nodes with taints and labels: when present, a per-node values block counts the nodes its
     * pod's tolerations and node selector admit (see `daemonSetPlacement`) instead of every node.
     */
    nodes?: readonly SchedulableNode[];
}

/** The overhead of a stack. */
export interface PlatformOverhead {
    /** One row per Helm release (per values block group) or platform workload. */
    rows: OverheadRow[];
    /** Sum of requests. */
    requests: Amount;
    /** Sum of limits where set. */
    limits: Amount;
    /** Values that were not Kubernetes quantities (reported, not guessed). */
    unparsed: string[];
    /** Nodes assumed for per-node workloads. */
    nodes: NodeCounts;
}

/** Node counts of a validated configuration. */
export function nodeCountsOf(config: PlatformConfig, stack: string): NodeCounts {
    const byPool: Record<string, number> = { server: config.servers.count };
    for (const pool of config.pools) {
        byPool[pool.role] = (byPool[pool.role] ?? 0) + pool.count;
    }
    const nodes = planNodes(config, stack).map((n) => ({ name: n.hostname, taints: n.taints, labels: n.labels }));
    return { total: Object.values(byPool).reduce((a, b) => a + b, 0), byPool, nodes };
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Value keys that name a DaemonSet in the charts the platform installs: MetalLB's speaker, the Prometheus
 * node exporter, the log agents. A chart can also say so itself (`kind: DaemonSet`, Traefik's
 * `deployment.kind`, Alloy's `controller.type`).
 */
export const DAEMONSET_VALUE_KEYS: ReadonlySet<string> = new Set(["speaker", "prometheus-node-exporter", "nodeExporter", "promtail", "fluent-bit", "alloy", "csi", "longhornManager"]);

function saysDaemonSet(o: Obj | undefined): boolean {
    if (!o) {
        return false;
    }
    const kinds = [o.kind, isObj(o.deployment) ? o.deployment.kind : undefined, isObj(o.controller) ? (o.controller.kind ?? o.controller.type) : undefined];
    return kinds.some((k) => typeof k === "string" && k.toLowerCase() === "daemonset");
}

/** Whether a values block describes a per-node workload: by its key, or a DaemonSet marker on it or its parent. */
export function isPerNode(key: string, holder: Obj, parent: Obj | undefined): boolean {
    return DAEMONSET_VALUE_KEYS.has(key) || saysDaemonSet(holder) || saysDaemonSet(parent);
}

/** Charts that are a single DaemonSet whose resources sit at the values' root (kured). */
export const DAEMONSET_CHARTS: ReadonlySet<string> = new Set(["kured"]);

/**
 * Tolerations a chart gives a DaemonSet when the values set none (`<chart>/<values key>`), as the rendered
 * facts show them (charts/rendered/): the node exporter runs on every node. A per-node block not listed
 * here and without tolerations in its values tolerates nothing (longhorn-manager: untainted nodes only).
 */
export const DAEMONSET_DEFAULT_TOLERATIONS: Readonly<Record<string, readonly Record<string, unknown>[]>> = {
    "kube-prometheus-stack/prometheus-node-exporter": [{ operator: "Exists" }],
};

const hasPlacement = (o: unknown): o is Obj => isObj(o) && (Array.isArray(o.tolerations) || isObj(o.nodeSelector));

/**
 * Where a per-node values block's pod runs: the tolerations and node selector of the block's holder, of its
 * `controller` (Alloy), of its parent, or the chart's default for that key.
 */
export function daemonSetPlacement(chart: string, key: string, holder: Obj, parent: Obj | undefined): PodPlacement {
    const source = [holder, holder.controller, parent, isObj(parent) ? parent.controller : undefined].find(hasPlacement);
    if (source) {
        return {
            tolerations: Array.isArray(source.tolerations) ? (source.tolerations as Record<string, unknown>[]) : [],
            nodeSelector: isObj(source.nodeSelector) ? (source.nodeSelector as Record<string, string>) : {},
        };
    }
    return { tolerations: DAEMONSET_DEFAULT_TOLERATIONS[`${chart}/${key}`] ?? [] };
}

function replicasOf(holder: Obj): number | undefined {
    // Traefik keeps its replica count under `deployment.replicas`, beside the root `resources`.
    const nested = isObj(holder.deployment) ? holder.deployment.replicas : undefined;
    if (typeof nested === "number") {
        return nested;
    }
    for (const key of ["replicas", "replicaCount"]) {
        const value = holder[key];
        const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : undefined;
        if (n !== undefined) {
            return n;
        }
    }
    return undefined;
}

class Accumulator {
    readonly requests: Amount = { cpu: 0, memory: 0 };
    readonly limits: Amount = { cpu: 0, memory: 0 };
    containers = 0;
    withoutCpuLimit = 0;
    withoutMemoryLimit = 0;

    constructor(private readonly unparsed: string[], private readonly where: string) {}

    /** The summed workload as reported. */
    summary(source: string, namespace: string, multiplier: string) {
        return {
            source,
            namespace,
            requests: this.requests,
            limits: this.limits,
            containers: this.containers,
            withoutCpuLimit: this.withoutCpuLimit,
            withoutMemoryLimit: this.withoutMemoryLimit,
            multiplier,
        };
    }

    /** Adds `count` containers with this resources block. */
    add(block: Obj, count: number, path: string): void {
        if (count <= 0) {
            return;
        }
        const requests = isObj(block.requests) ? block.requests : {};
        const limits = isObj(block.limits) ? block.limits : {};
        this.requests.cpu += this.amount(requests.cpu, `${path}.requests.cpu`) * count;
        this.requests.memory += this.amount(requests.memory, `${path}.requests.memory`) * count;
        this.limits.cpu += this.amount(limits.cpu, `${path}.limits.cpu`) * count;
        this.limits.memory += this.amount(limits.memory, `${path}.limits.memory`) * count;
        this.containers += count;
        if (limits.cpu === undefined) {
            this.withoutCpuLimit += count;
        }
        if (limits.memory === undefined) {
            this.withoutMemoryLimit += count;
        }
    }

    /** Adds a pre-summed amount for `count` pod instances of `containers` containers each. */
    addPod(requests: Amount, limits: Amount, containers: number, missing: { cpu: number; memory: number }, count: number): void {
        this.requests.cpu += requests.cpu * count;
        this.requests.memory += requests.memory * count;
        this.limits.cpu += limits.cpu * count;
        this.limits.memory += limits.memory * count;
        this.containers += containers * count;
        this.withoutCpuLimit += missing.cpu * count;
        this.withoutMemoryLimit += missing.memory * count;
    }

    amount(value: unknown, path: string): number {
        if (value === undefined || value === null) {
            return 0;
        }
        const parsed = typeof value === "string" || typeof value === "number" ? parseQuantity(value) : undefined;
        if (parsed === undefined) {
            this.unparsed.push(`${this.where} ${path}: ${JSON.stringify(value)}`);
            return 0;
        }
        return parsed;
    }
}

function isResourcesBlock(value: unknown): value is Obj {
    return isObj(value) && (isObj(value.requests) || isObj(value.limits));
}

function releaseRow(resource: PlannedResource, nodes: NodeCounts, unparsed: string[]): OverheadRow | undefined {
    const namespace = typeof resource.inputs.namespace === "string" ? resource.inputs.namespace : "default";
    const release = typeof resource.inputs.name === "string" ? resource.inputs.name : resource.name;
    const source = `helm:${namespace}/${release}`;
    const chart = typeof resource.inputs.chart === "string" ? resource.inputs.chart : release;
    const acc = new Accumulator(unparsed, source);
    const multipliers = new Set<string>();
    const walk = (value: unknown, key: string, path: string, parent: Obj | undefined) => {
        if (Array.isArray(value)) {
            value.forEach((v, i) => walk(v, key, `${path}[${i}]`, parent));
            return;
        }
        if (!isObj(value)) {
            return;
        }
        if (isResourcesBlock(value.resources)) {
            const replicas = replicasOf(value);
            let count = 1;
            if (replicas !== undefined) {
                count = replicas;
                multipliers.add(`${path || "(root)"}: ${replicas} replica(s)`);
            } else if (isPerNode(key, value, parent) || (path === "" && DAEMONSET_CHARTS.has(chart))) {
                count = nodes.nodes ? feasibleNodes(daemonSetPlacement(chart, key, value, parent), nodes.nodes).length : nodes.total;
                multipliers.add(`${path || "(root)"}: per admitted node (${count} of ${nodes.total})`);
            }
            acc.add(value.resources, count, `${path ? `${path}.` : ""}resources`);
        }
        for (const [k, v] of Object.entries(value)) {
            if (k !== "resources") {
                walk(v, k, path ? `${path}.${k}` : k, value);
            }
        }
    };
    walk(resource.inputs.values, "", "", undefined);
    if (acc.containers === 0) {
        return undefined;
    }
    return acc.summary(source, namespace, multipliers.size > 0 ? [...multipliers].join(", ") : "1 each");
}

const WORKLOAD_TYPES: Readonly<Record<string, string>> = {
    "kubernetes:apps/v1:Deployment": "Deployment",
    "kubernetes:apps/v1:StatefulSet": "StatefulSet",
    "kubernetes:apps/v1:DaemonSet": "DaemonSet",
};

function workloadRow(resource: PlannedResource, kind: string, nodes: NodeCounts, unparsed: string[]): OverheadRow | undefined {
    const metadata = isObj(resource.inputs.metadata) ? resource.inputs.metadata : {};
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : "default";
    if (!PLATFORM_NAMESPACES.includes(namespace)) {
        return undefined;
    }
    const name = typeof metadata.name === "string" ? metadata.name : resource.name;
    const source = `${kind}:${namespace}/${name}`;
    const spec = isObj(resource.inputs.spec) ? resource.inputs.spec : {};
    const podSpec = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : {};
    const containers = (Array.isArray(podSpec.containers) ? podSpec.containers : []).filter(isObj);
    const inits = (Array.isArray(podSpec.initContainers) ? podSpec.initContainers : []).filter(isObj);
    const acc = new Accumulator(unparsed, source);
    const pod = (list: Obj[], label: string) =>
        list.map((c, i) => {
            const r = isObj(c.resources) ? c.resources : {};
            const req = isObj(r.requests) ? r.requests : {};
            const lim = isObj(r.limits) ? r.limits : {};
            const at = `${label}[${i}].resources`;
            return {
                requests: { cpu: acc.amount(req.cpu, `${at}.requests.cpu`), memory: acc.amount(req.memory, `${at}.requests.memory`) },
                limits: { cpu: acc.amount(lim.cpu, `${at}.limits.cpu`), memory: acc.amount(lim.memory, `${at}.limits.memory`) },
                missingCpu: lim.cpu === undefined ? 1 : 0,
                missingMemory: lim.memory === undefined ? 1 : 0,
            };
        });
    const main = pod(containers, "containers");
    const init = pod(inits, "initContainers");
    // Effective pod request/limit (Kubernetes scheduling): init containers run one at a time before the others.
    const effective = (pick: (c: (typeof main)[number]) => number) => Math.max(main.reduce((a, c) => a + pick(c), 0), ...init.map(pick), 0);
    const requests = { cpu: effective((c) => c.requests.cpu), memory: effective((c) => c.requests.memory) };
    const limits = { cpu: effective((c) => c.limits.cpu), memory: effective((c) => c.limits.memory) };
    const missing = { cpu: main.reduce((a, c) => a + c.missingCpu, 0), memory: main.reduce((a, c) => a + c.missingMemory, 0) };
    let count: number;
    let multiplier: string;
    if (kind === "DaemonSet") {
        const selector = isObj(podSpec.nodeSelector) ? podSpec.nodeSelector : {};
        const pool = typeof selector["platform/pool"] === "string" ? selector["platform/pool"] : undefined;
        count = pool !== undefined ? (nodes.byPool[pool] ?? 0) : nodes.total;
        multiplier = pool !== undefined ? `per ${pool} node (${count})` : `per node (${count})`;
    } else {
        count = typeof spec.replicas === "number" ? spec.replicas : 1;
        multiplier = `${count} replica(s)`;
    }
    acc.addPod(requests, limits, main.length, missing, count);
    return acc.summary(source, namespace, multiplier);
}

/** Sums the platform overhead of a plan's resources. */
export function platformOverhead(resources: readonly PlannedResource[], nodes: NodeCounts): PlatformOverhead {
    const rows: OverheadRow[] = [];
    const unparsed: string[] = [];
    for (const resource of resources) {
        let row: OverheadRow | undefined;
        if (resource.type === "kubernetes:helm.sh/v3:Release") {
            row = releaseRow(resource, nodes, unparsed);
        } else if (WORKLOAD_TYPES[resource.type] !== undefined) {
            row = workloadRow(resource, WORKLOAD_TYPES[resource.type]!, nodes, unparsed);
        }
        if (row) {
            rows.push(row);
        }
    }
    const total = (pick: (r: OverheadRow) => Amount) => ({
        cpu: rows.reduce((a, r) => a + pick(r).cpu, 0),
        memory: rows.reduce((a, r) => a + pick(r).memory, 0),
    });
    return { rows, requests: total((r) => r.requests), limits: total((r) => r.limits), unparsed, nodes };
}

const cores = (n: number) => `${n.toFixed(2)} CPU`;
const gib = (n: number) => `${(n / GIB).toFixed(2)} GiB`;

/** The overhead as text; `capacity` (if known) adds the share of the cluster the requests reserve. */
export function formatOverhead(overhead: PlatformOverhead, capacity?: Amount): string {
    const out = [`Platform overhead (add-on requests/limits from the plan; ${overhead.nodes.total} node(s) for per-node workloads):`];
    if (overhead.rows.length === 0) {
        out.push("  no platform add-on declares resources in this plan");
    }
    const width = Math.max(24, ...overhead.rows.map((r) => r.source.length));
    for (const r of [...overhead.rows].sort((a, b) => b.requests.cpu - a.requests.cpu || a.source.localeCompare(b.source))) {
        const gaps = [r.withoutCpuLimit > 0 ? `${r.withoutCpuLimit} without cpu limit` : "", r.withoutMemoryLimit > 0 ? `${r.withoutMemoryLimit} without memory limit` : ""].filter(Boolean);
        out.push(
            `  ${r.source.padEnd(width)}  req ${cores(r.requests.cpu).padStart(10)} ${gib(r.requests.memory).padStart(10)}   lim ${cores(r.limits.cpu).padStart(10)} ${gib(r.limits.memory).padStart(10)}   ${r.containers} container(s), ${r.multiplier}${gaps.length > 0 ? `; ${gaps.join(", ")}` : ""}`,
        );
    }
    out.push(
        `  ${"total".padEnd(width)}  req ${cores(overhead.requests.cpu).padStart(10)} ${gib(overhead.requests.memory).padStart(10)}   lim ${cores(overhead.limits.cpu).padStart(10)} ${gib(overhead.limits.memory).padStart(10)}`,
    );
    if (capacity && capacity.cpu > 0 && capacity.memory > 0) {
        out.push(
            `  requests reserve ${((overhead.requests.cpu / capacity.cpu) * 100).toFixed(1)}% of the cluster's ${capacity.cpu} CPU and ${((overhead.requests.memory / capacity.memory) * 100).toFixed(1)}% of its ${gib(capacity.memory)} (before system reserve)`,
        );
    }
    out.push("  Helm values are an approximation (chart defaults not overridden by the program are not seen); see tools/offline/overhead.ts.");
    for (const u of overhead.unparsed) {
        out.push(`  not a quantity, ignored: ${u}`);
    }
    return out.join("\n");
}

/** A release's requests as the chart renders them (committed facts), pods counted over the node plan. */
export interface RenderedOverheadRow {
    /** `helm:<namespace>/<release>`. */
    source: string;
    /** Summed requests of the running pods (hooks and helm tests excluded). */
    requests: Amount;
    /** How pods were counted, e.g. `longhorn-manager ×3 nodes`. */
    pods: string[];
}

/** The rendered figure of a stack's platform overhead. */
export interface RenderedOverhead {
    /** One row per release. */
    rows: RenderedOverheadRow[];
    /** Sum of requests. */
    requests: Amount;
}

/**
 * Requests of the platform's Helm releases as real Helm renders them at the pinned versions
 * (charts/rendered/<stack>/, see tools/render-charts.ts): Deployments and StatefulSets (and the StatefulSets
 * the Prometheus Operator makes from Prometheus/Alertmanager objects) × replicas, DaemonSets × the nodes of
 * the node plan their tolerations, node selector and required node affinity admit. A pod requests
 * max(sum of its containers, largest init container), as the scheduler counts it; a container without
 * requests gets its namespace's LimitRange default (`defaultRequests`, by namespace). Jobs, hooks and helm
 * test pods finish and are not counted.
 */
export function renderedOverhead(
    releases: readonly RenderedRelease[],
    nodes: readonly SchedulableNode[],
    defaultRequests: Readonly<Record<string, { cpu?: string; memory?: string }>> = {},
): RenderedOverhead {
    const q = (v: string | undefined) => (v === undefined ? 0 : (parseQuantity(v) ?? 0));
    const rows = releases.map((release) => {
        const requests: Amount = { cpu: 0, memory: 0 };
        const pods: string[] = [];
        for (const w of release.workloads) {
            if (w.hook !== undefined || ["Job", "CronJob", "Pod"].includes(w.kind)) {
                continue;
            }
            const count = w.kind === "DaemonSet" ? feasibleNodes(w, nodes).length : (w.replicas ?? 1);
            const defaults = defaultRequests[w.namespace] ?? {};
            const amount = (pick: "cpu" | "memory") => {
                const of = (c: RenderedContainer) => q(c.requests[pick] ?? defaults[pick]);
                const main = w.containers.filter((c) => !c.init).reduce((a, c) => a + of(c), 0);
                return Math.max(main, ...w.containers.filter((c) => c.init).map(of));
            };
            requests.cpu += amount("cpu") * count;
            requests.memory += amount("memory") * count;
            pods.push(`${w.name} ×${count}`);
        }
        return { source: `helm:${release.namespace}/${release.release}`, requests, pods };
    });
    return { rows, requests: { cpu: rows.reduce((a, r) => a + r.requests.cpu, 0), memory: rows.reduce((a, r) => a + r.requests.memory, 0) } };
}

/** Default container requests of the plan's LimitRanges, by namespace. */
export function limitRangeDefaults(resources: readonly PlannedResource[]): Record<string, { cpu?: string; memory?: string }> {
    const out: Record<string, { cpu?: string; memory?: string }> = {};
    for (const r of resources.filter((x) => x.type === "kubernetes:core/v1:LimitRange")) {
        const namespace = isObj(r.inputs.metadata) && typeof r.inputs.metadata.namespace === "string" ? r.inputs.metadata.namespace : "default";
        const limits = isObj(r.inputs.spec) && Array.isArray(r.inputs.spec.limits) ? r.inputs.spec.limits.filter(isObj) : [];
        const container = limits.find((l) => l.type === "Container");
        if (container && isObj(container.defaultRequest)) {
            out[namespace] = { cpu: container.defaultRequest.cpu as string | undefined, memory: container.defaultRequest.memory as string | undefined };
        }
    }
    return out;
}

/**
 * The estimate beside the rendered figure: the rendered requests of the Helm releases plus the plan's own
 * workloads (exact in both), and the difference in percent of the rendered figure.
 */
export function compareWithRendered(estimate: PlatformOverhead, rendered: RenderedOverhead): { rendered: Amount; estimate: Amount; deviation: Amount } {
    const plain = estimate.rows.filter((r) => !r.source.startsWith("helm:"));
    const total: Amount = {
        cpu: rendered.requests.cpu + plain.reduce((a, r) => a + r.requests.cpu, 0),
        memory: rendered.requests.memory + plain.reduce((a, r) => a + r.requests.memory, 0),
    };
    const pct = (e: number, r: number) => (r === 0 ? 0 : ((e - r) / r) * 100);
    return { rendered: total, estimate: estimate.requests, deviation: { cpu: pct(estimate.requests.cpu, total.cpu), memory: pct(estimate.requests.memory, total.memory) } };
}

/** The comparison as text. */
export function formatRenderedComparison(stack: string, comparison: ReturnType<typeof compareWithRendered>): string {
    const sign = (n: number) => `${n >= 0 ? "+" : ""}${n.toFixed(1)}%`;
    return [
        `  rendered requests (helm template at the pinned versions, charts/rendered/${stack}/, pods counted over the node plan): ${cores(comparison.rendered.cpu)} ${gib(comparison.rendered.memory)}`,
        `  estimate vs rendered: ${sign(comparison.deviation.cpu)} CPU, ${sign(comparison.deviation.memory)} memory`,
        "  not in either figure (created at runtime): Longhorn instance managers (guaranteedInstanceManagerCPU % of each",
        "  Longhorn node's CPU, no memory request), engine-image pods, the CSI plugin DaemonSet and sidecar Deployments (sized by",
        "  systemManagedCSIComponentsResourceLimits), share-manager pods of RWX volumes, and the operator's config-reloader sidecars.",
    ].join("\n");
}
