import type { PlannedResource } from "./plan-types";
import { CSI_DRIVERS_BY_CHART, readinessNeeds, releaseRequirements, requirementsOf, waitsForServices, type RequirementKey } from "../../lib/requirements";
import { startScriptRole } from "../../components/cluster/k3s-join";
import { WAIT_FIGURES } from "./durations";

/**
 * Readiness waits the cluster imposes and Pulumi does not order: a consumer created at once (no `dependsOn` on
 * its provider) whose create call the engine still awaits cannot finish before the provider runs. A Helm
 * release with `skipAwait: false` (Helm's --wait: its Pods ready and its claims Bound) or an awaited workload
 * whose claims name a StorageClass becomes ready only once the CSI driver behind the class runs; a long-running
 * client of a platform Service (lib/requirements.ts `phaseOf`) only once that Service's release is ready.
 *
 * A k3s agent started beside its servers (its token pins a CA the platform generated, so it needs no server to
 * have started) registers only once the bootstrapping server answers.
 *
 * The bring-up estimate turns each into a finish → finish edge: the consumer finishes no earlier than its own start
 * plus its figure, and no earlier than its provider's finish plus what it still does then (`seconds`, a frozen
 * figure of tools/offline/durations.ts `WAIT_FIGURES`): a volume user attaches, mounts and starts
 * (`volume-user`), an agent registers (`k3s-agent-join`). A client of a platform Service has no such figure (it
 * restarts until the Service answers; the kubelet's back-off is not modelled), so where that edge decides, the
 * estimate is a lower bound.
 *
 * Pure: reads only the plan.
 */

/** One readiness wait: `consumer` becomes ready only after `provider` is. */
export interface ReadinessEdge {
    /** URN of the awaited consumer. */
    consumer: string;
    /** URN of the resource whose readiness it waits for. */
    provider: string;
    /** The need behind the wait (`storage-class:<name>`, `service:<namespace>/<name>` or `k3s-server:<name>`). */
    need: RequirementKey;
    /** Seconds the consumer still needs once the provider is ready (0 where no figure exists). */
    seconds: number;
}

/**
 * The seconds a consumer still needs after the provider behind `need` is ready; `polls` for a Job that probes its
 * Services itself (lib/requirements.ts WAITS_FOR_SERVICES_ANNOTATION): it notices within one probe interval, then
 * does its work (`service-poll`).
 */
export function secondsAfterReady(need: RequirementKey, polls = false): number {
    if (need.startsWith("storage-class:")) {
        return WAIT_FIGURES["volume-user"].seconds;
    }
    if (need.startsWith("service:") && polls) {
        return WAIT_FIGURES["service-poll"].seconds;
    }
    if (need.startsWith(K3S_SERVER_NEED)) {
        return WAIT_FIGURES["k3s-agent-join"].seconds;
    }
    return 0;
}

/** The need of an agent started beside its servers: the bootstrapping server's start command. */
const K3S_SERVER_NEED = "k3s-server:";
const REMOTE_COMMAND_TYPE = "command:remote:Command";

const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
const STORAGE_CLASS_TYPE = "kubernetes:storage.k8s.io/v1:StorageClass";
/** Workloads whose create Pulumi awaits (pkg/await of pulumi-kubernetes: rollout, Ready pods, Job completion). */
const AWAITED_WORKLOAD = /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet)|batch\/v1:Job)$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const metadataOf = (r: PlannedResource): Obj => (isObj(r.inputs.metadata) ? r.inputs.metadata : {});

/** The chart of a Release (`repo/chart` and OCI references: the last path segment). */
function chartOf(r: PlannedResource): string {
    const chart = r.inputs.chart;
    return typeof chart === "string" ? (chart.split("/").pop() ?? chart) : "";
}

/** The kind and needs of a consumer whose create the engine awaits, or undefined when nothing awaits it; `polls`: a Job waiting for its Services itself. */
function awaitedNeeds(r: PlannedResource): { kind: string; needs: RequirementKey[]; polls?: boolean } | undefined {
    if (r.type === RELEASE_TYPE) {
        if (r.inputs.skipAwait === true) {
            return undefined;
        }
        const namespace = typeof r.inputs.namespace === "string" ? [r.inputs.namespace] : [];
        return { kind: "Release", needs: releaseRequirements(r.inputs.values, namespace) };
    }
    if (AWAITED_WORKLOAD.test(r.type)) {
        const annotations = isObj(metadataOf(r).annotations) ? (metadataOf(r).annotations as Obj) : {};
        if (annotations["pulumi.com/skipAwait"] === "true") {
            return undefined;
        }
        const kind = r.type.split(":").pop()!;
        const namespace = typeof metadataOf(r).namespace === "string" ? [metadataOf(r).namespace as string] : [];
        const polls = kind === "Job" && waitsForServices({ metadata: metadataOf(r) });
        // A Job that waits for its Services waits for those of its own namespace too (the configurator for Harbor,
        // both in the registry namespace): the release serving one is another resource all the same.
        return { kind, needs: requirementsOf({ ...r.inputs, kind, apiVersion: r.inputs.apiVersion ?? "apps/v1" }, polls ? [] : namespace), polls };
    }
    return undefined;
}

/** The readiness waits of a plan (see the module comment), in plan order. */
export function readinessEdges(resources: readonly PlannedResource[]): ReadinessEdge[] {
    const releases = resources.filter((r) => r.type === RELEASE_TYPE);
    const classes = new Map<string, PlannedResource>();
    for (const r of resources) {
        const name = metadataOf(r).name;
        if (r.type === STORAGE_CLASS_TYPE && typeof name === "string") {
            classes.set(name, r);
        }
    }
    const providersOf = (key: RequirementKey, kind: string, polls: boolean): PlannedResource[] => {
        if (key.startsWith("storage-class:")) {
            const provisioner = classes.get(key.slice("storage-class:".length))?.inputs.provisioner;
            const charts = Object.entries(CSI_DRIVERS_BY_CHART)
                .filter(([, drivers]) => typeof provisioner === "string" && drivers.includes(provisioner))
                .map(([chart]) => chart);
            return releases.filter((r) => charts.includes(chartOf(r)));
        }
        if (readinessNeeds([key], kind, polls).length > 0) {
            const [namespace, name] = key.slice("service:".length).split("/");
            // A Job that probes a Service waits for the release serving it: charts name their Services after the
            // release (`<release>` or `<release>-<component>`, e.g. kube-prometheus-stack-grafana). A long-running
            // client keeps to the exact name: it is held only by the Service it cannot start without.
            const serves = (release: string) => name === release || (polls && name!.startsWith(`${release}-`));
            return releases.filter((r) => r.inputs.namespace === namespace && typeof r.inputs.name === "string" && serves(r.inputs.name));
        }
        return [];
    };
    const edges: ReadinessEdge[] = [];
    for (const consumer of resources) {
        const awaited = awaitedNeeds(consumer);
        for (const need of awaited?.needs ?? []) {
            const polls = awaited!.polls === true;
            for (const provider of providersOf(need, awaited!.kind, polls)) {
                if (provider.urn !== consumer.urn && !edges.some((e) => e.consumer === consumer.urn && e.provider === provider.urn)) {
                    edges.push({ consumer: consumer.urn, provider: provider.urn, need, seconds: secondsAfterReady(need, polls) });
                }
            }
        }
    }
    return [...edges, ...agentJoinEdges(resources)];
}

/**
 * Agents started beside their servers wait for the bootstrapping server: the k3s start command of a server that
 * waits for no other start command. An agent already ordered after a server start (a cluster whose CA k3s made)
 * gets the edge too; it changes nothing there, the agent starting after that server finished.
 */
function agentJoinEdges(resources: readonly PlannedResource[]): ReadinessEdge[] {
    const starts = resources.filter((r) => r.type === REMOTE_COMMAND_TYPE && startScriptRole(String(r.inputs.create ?? "")) !== undefined);
    const startUrns = new Set(starts.map((r) => r.urn));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const waitsForStart = (r: PlannedResource, seen = new Set<string>()): boolean =>
        r.dependencies.some((d) => {
            if (startUrns.has(d)) {
                return true;
            }
            const next = byUrn.get(d);
            if (!next || seen.has(d)) {
                return false;
            }
            seen.add(d);
            return waitsForStart(next, seen);
        });
    const bootstrapping = starts.find((r) => startScriptRole(String(r.inputs.create)) === "server" && !waitsForStart(r));
    if (!bootstrapping) {
        return [];
    }
    return starts
        .filter((r) => startScriptRole(String(r.inputs.create)) === "agent")
        .map((agent) => ({ consumer: agent.urn, provider: bootstrapping.urn, need: `${K3S_SERVER_NEED}${bootstrapping.name}`, seconds: secondsAfterReady(K3S_SERVER_NEED) }));
}
