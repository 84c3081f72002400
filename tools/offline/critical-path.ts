import type { PlannedResource } from "./plan-types";
import { durationOf } from "./durations";
import { readinessEdges, type ReadinessEdge } from "./readiness";
import { TENANT_PROJECT_TYPE } from "../../lib/conventions";

/**
 * Bring-up estimate: the longest chain of creates `pulumi up` has to run one after another, with
 * durations from tools/offline/durations.ts. An estimate, not a measurement: the engine runs everything
 * else in parallel (unbounded `--parallel` assumed), so the critical path is the wall-clock lower bound.
 *
 * The graph has a start and a finish event per resource:
 * - start(r) → finish(r) takes durationOf(r) (0 for components);
 * - a dependency d of r (explicit `dependsOn` or an input from d, both in `dependencies`), and the provider r
 *   was created with: finish(d) → start(r) — a resource starts after its dependencies finish;
 * - a parent p of r: start(p) → start(r), so a component's own dependencies gate its whole subtree (what
 *   `dependsOn` on a component is written for), and finish(r) → finish(p): a component finishes when its
 *   children do, so depending on a component means waiting for everything inside it;
 * - a dependency on one's own ancestor would close a loop through the finish edge; it can only mean the
 *   ancestor's inputs, which start(ancestor) → start(r) already covers, so it adds no edge;
 * - a readiness wait the cluster imposes (tools/offline/readiness.ts: a claim binds once its CSI driver runs, a
 *   client restarts until its Service answers, an agent registers once its server answers): finish(provider) →
 *   finish(consumer), weighted with what the consumer still does then (the edge's `seconds`).
 * Unknown URNs (e.g. the stack itself) are ignored. A cycle is an error naming the resources on it.
 */

/** One resource on the critical path. */
export interface PathStep {
    /** Resource URN. */
    urn: string;
    /** Resource type. */
    type: string;
    /** Logical name. */
    name: string;
    /** Earliest start, seconds after `pulumi up` begins. */
    startSeconds: number;
    /** Duration from the model. */
    durationSeconds: number;
    /** Finish = start + duration. */
    finishSeconds: number;
    /** Duration rule that applied (tools/offline/durations.ts). */
    rule: string;
    /** Set when the step finished with a provider's readiness rather than its own figure: that provider's name. */
    readyWith?: string;
    /** With `readyWith`: the seconds the step still took once that provider was ready (tools/offline/readiness.ts). */
    readyAfterSeconds?: number;
}

/** The bring-up estimate. */
export interface CriticalPath {
    /** Estimated wall-clock seconds until the last resource finishes. */
    totalSeconds: number;
    /** Resources on the longest chain, in order (components omitted: they take no time). */
    steps: PathStep[];
    /** Sum of every resource's duration: what a strictly serial run would take. */
    serialSeconds: number;
    /** Number of resources in the graph. */
    resourceCount: number;
    /** When the tenant projects are ready (each Project finishes with its last child): what tenants wait for. */
    tenants: TenantReadiness;
}

/** When the tenant projects of a plan are ready. */
export interface TenantReadiness {
    /** Number of tenant projects. */
    count: number;
    /** The project ready first. */
    earliest?: { name: string; seconds: number };
    /** The project ready last. */
    latest?: { name: string; seconds: number };
}

/** Duration model: seconds and rule id for a resource. */
export type DurationModel = (resource: PlannedResource) => { seconds: number; rule: string };

/** A dependency cycle in the plan. */
export class DependencyCycleError extends Error {
    /** URNs on the cycle, first repeated at the end. */
    readonly cycle: string[];

    constructor(cycle: string[], describe: (urn: string) => string) {
        super(`dependency cycle, the bring-up cannot be ordered: ${cycle.map(describe).join(" → ")}`);
        this.name = "DependencyCycleError";
        this.cycle = cycle;
    }
}

/** `<provider urn>::<id>` → provider URN. */
function providerUrn(reference: string | undefined): string | undefined {
    if (!reference) {
        return undefined;
    }
    const index = reference.lastIndexOf("::");
    return index > 0 ? reference.slice(0, index) : reference;
}

/** Computes the critical path of a plan. Throws `DependencyCycleError` if the graph has a cycle. */
export function criticalPath(resources: readonly PlannedResource[], model: DurationModel = durationOf, readiness?: readonly ReadinessEdge[]): CriticalPath {
    const list = resources.filter((r) => r.urn !== "");
    const n = list.length;
    const index = new Map<string, number>();
    list.forEach((r, i) => index.set(r.urn, i));
    const parentOf = list.map((r) => (r.parent !== undefined ? (index.get(r.parent) ?? -1) : -1));
    const durations = list.map((r) => model(r));

    // Node 2i is start(i), 2i+1 is finish(i). Edges as flat arrays: cheap for tens of thousands of resources.
    const from: number[] = [];
    const to: number[] = [];
    const weight: number[] = [];
    const edge = (a: number, b: number, w: number) => {
        from.push(a);
        to.push(b);
        weight.push(w);
    };
    const isAncestor = (candidate: number, of: number): boolean => {
        for (let p = parentOf[of]!; p >= 0; p = parentOf[p]!) {
            if (p === candidate) {
                return true;
            }
        }
        return false;
    };
    for (let i = 0; i < n; i++) {
        const r = list[i]!;
        edge(2 * i, 2 * i + 1, durations[i]!.seconds);
        const preconditions = new Set<number>();
        for (const dep of r.dependencies) {
            const j = index.get(dep);
            if (j !== undefined && j !== i) {
                preconditions.add(j);
            }
        }
        const provider = index.get(providerUrn(r.provider) ?? "");
        if (provider !== undefined && provider !== i) {
            preconditions.add(provider);
        }
        for (const j of preconditions) {
            if (!isAncestor(j, i)) {
                edge(2 * j + 1, 2 * i, 0);
            }
        }
        const p = parentOf[i]!;
        if (p >= 0) {
            edge(2 * p, 2 * i, 0);
            edge(2 * i + 1, 2 * p + 1, 0);
        }
    }
    for (const wait of readiness ?? readinessEdges(list)) {
        const consumer = index.get(wait.consumer);
        const provider = index.get(wait.provider);
        if (consumer !== undefined && provider !== undefined && consumer !== provider) {
            edge(2 * provider + 1, 2 * consumer + 1, wait.seconds);
        }
    }

    // Kahn's algorithm over the 2n events, relaxing longest distances in topological order.
    const nodes = 2 * n;
    const outStart = new Int32Array(nodes + 1);
    for (const a of from) {
        outStart[a + 1]!++;
    }
    for (let v = 0; v < nodes; v++) {
        outStart[v + 1]! += outStart[v]!;
    }
    const outEdges = new Int32Array(from.length);
    const fill = outStart.slice(0, nodes);
    from.forEach((a, e) => {
        outEdges[fill[a]!++] = e;
    });
    const indegree = new Int32Array(nodes);
    for (const b of to) {
        indegree[b]!++;
    }
    const dist = new Float64Array(nodes);
    const pred = new Int32Array(nodes).fill(-1);
    const predWeight = new Float64Array(nodes);
    const queue: number[] = [];
    for (let v = 0; v < nodes; v++) {
        if (indegree[v] === 0) {
            queue.push(v);
        }
    }
    let visited = 0;
    for (let head = 0; head < queue.length; head++) {
        const v = queue[head]!;
        visited++;
        for (let k = outStart[v]!; k < outStart[v + 1]!; k++) {
            const e = outEdges[k]!;
            const b = to[e]!;
            const candidate = dist[v]! + weight[e]!;
            // The first incoming edge always sets a predecessor (so zero-length waits are traceable); later
            // ones only when strictly longer, so ties keep registration order and the result is deterministic.
            if (pred[b] === -1 || candidate > dist[b]!) {
                dist[b] = candidate;
                pred[b] = v;
                predWeight[b] = weight[e]!;
            }
            if (--indegree[b]! === 0) {
                queue.push(b);
            }
        }
    }
    if (visited < nodes) {
        throw new DependencyCycleError(findCycle(nodes, outStart, outEdges, to, indegree).map((v) => list[v >> 1]!.urn), (urn) => {
            const r = list[index.get(urn)!]!;
            return `${r.name} (${r.type})`;
        });
    }

    let last = -1;
    for (let i = 0; i < n; i++) {
        if (last < 0 || dist[2 * i + 1]! > dist[2 * last + 1]!) {
            last = i;
        }
    }
    const steps: PathStep[] = [];
    for (let v = last < 0 ? -1 : 2 * last + 1; v >= 0; v = pred[v]!) {
        const u = pred[v]!;
        // A consumer finishing with its provider's readiness (finish → finish of another resource) is a step too.
        if (u >= 0 && (v & 1) === 1 && (u & 1) === 1 && list[v >> 1]!.custom && list[u >> 1]!.custom) {
            const i = v >> 1;
            const r = list[i]!;
            steps.push({
                urn: r.urn,
                type: r.type,
                name: r.name,
                startSeconds: dist[2 * i]!,
                durationSeconds: durations[i]!.seconds,
                finishSeconds: dist[v]!,
                rule: durations[i]!.rule,
                readyWith: list[u >> 1]!.name,
                readyAfterSeconds: predWeight[v]!,
            });
            continue;
        }
        // A start→finish edge of a custom resource is a step; every other edge is a wait.
        if (u >= 0 && (v & 1) === 1 && u === v - 1 && list[v >> 1]!.custom) {
            const i = v >> 1;
            const r = list[i]!;
            steps.push({
                urn: r.urn,
                type: r.type,
                name: r.name,
                startSeconds: dist[u]!,
                durationSeconds: durations[i]!.seconds,
                finishSeconds: dist[v]!,
                rule: durations[i]!.rule,
            });
        }
    }
    steps.reverse();
    const tenants: TenantReadiness = { count: 0 };
    list.forEach((r, i) => {
        if (r.type !== TENANT_PROJECT_TYPE) {
            return;
        }
        const ready = { name: r.name, seconds: dist[2 * i + 1]! };
        tenants.count++;
        if (!tenants.earliest || ready.seconds < tenants.earliest.seconds) tenants.earliest = ready;
        if (!tenants.latest || ready.seconds > tenants.latest.seconds) tenants.latest = ready;
    });
    return {
        totalSeconds: last < 0 ? 0 : dist[2 * last + 1]!,
        steps,
        serialSeconds: durations.reduce((acc, d) => acc + d.seconds, 0),
        resourceCount: n,
        tenants,
    };
}

/** A cycle among the events Kahn's algorithm could not order, as resource indices (first repeated last). */
function findCycle(nodes: number, outStart: Int32Array, outEdges: Int32Array, to: number[], remaining: Int32Array): number[] {
    // Every event left with indegree > 0 lies on or behind a cycle; walking backwards is awkward with
    // forward adjacency, so run an iterative DFS over the remaining events and stop at the first back edge.
    const state = new Uint8Array(nodes); // 0 new, 1 on stack, 2 done
    const stack: number[] = [];
    const cursor = new Int32Array(nodes);
    for (let s = 0; s < nodes; s++) {
        if (remaining[s] === 0 || state[s] !== 0) {
            continue;
        }
        stack.push(s);
        state[s] = 1;
        cursor[s] = outStart[s]!;
        while (stack.length > 0) {
            const v = stack[stack.length - 1]!;
            if (cursor[v]! < outStart[v + 1]!) {
                const b = to[outEdges[cursor[v]!]!]!;
                cursor[v]!++;
                if (remaining[b] === 0) {
                    continue;
                }
                if (state[b] === 1) {
                    const events = stack.slice(stack.indexOf(b));
                    const resources: number[] = [];
                    for (const e of events) {
                        if (resources[resources.length - 1] !== e >> 1) {
                            resources.push(e >> 1);
                        }
                    }
                    if (resources.length > 1 && resources[0] === resources[resources.length - 1]) {
                        resources.pop();
                    }
                    return [...resources, resources[0]!].map((r) => 2 * r);
                }
                if (state[b] === 0) {
                    state[b] = 1;
                    cursor[b] = outStart[b]!;
                    stack.push(b);
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    return [];
}

/** `1 h 02 min 05 s` style. */
export function formatDuration(seconds: number): string {
    const total = Math.round(seconds);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    if (h > 0) {
        return `${h} h ${String(m).padStart(2, "0")} min`;
    }
    return m > 0 ? `${m} min ${String(s).padStart(2, "0")} s` : `${s} s`;
}

/** The estimate as text, clearly labelled as such. */
export function formatCriticalPath(result: CriticalPath): string {
    const out = [
        `Bring-up estimate (an ESTIMATE from a duration model, not a measurement): ~${formatDuration(result.totalSeconds)} for a first \`pulumi up\``,
        `  critical path of ${result.steps.length} resource(s) out of ${result.resourceCount}; a fully serial run would take ~${formatDuration(result.serialSeconds)}.`,
        `  Durations per resource type: tools/offline/durations.ts; parallelism assumed unbounded.`,
    ];
    const { earliest, latest, count } = result.tenants;
    if (earliest && latest) {
        out.push(
            count === 1
                ? `  tenant project ready after ~${formatDuration(latest.seconds)} (${latest.name}).`
                : `  tenant projects ready after ~${formatDuration(earliest.seconds)} (first, ${earliest.name}) to ~${formatDuration(latest.seconds)} (last, ${latest.name}) of ${count}.`,
        );
    }
    for (const step of result.steps) {
        out.push(
            step.readyWith
                ? `  ${formatDuration(step.startSeconds).padStart(12)} +${String(Math.round(step.durationSeconds)).padStart(4)} s  ${step.name} (${step.type}) [${step.rule}], ready ${step.readyAfterSeconds ? `${Math.round(step.readyAfterSeconds)} s after` : "with"} ${step.readyWith} at ${formatDuration(step.finishSeconds)}`
                : `  ${formatDuration(step.startSeconds).padStart(12)} +${String(Math.round(step.durationSeconds)).padStart(4)} s  ${step.name} (${step.type}) [${step.rule}]`,
        );
    }
    return out.join("\n");
}
