import { describe, expect, it } from "vitest";
import { renderedReleases, type RenderedRelease, type RenderedWorkload } from "../../charts/rendered-facts";
import { planNodes } from "../../components/nodes/node-plan";
import { METALLB_SCRAPER } from "../../components/metallb/values";
import { NAMESPACES } from "../../lib/conventions";
import { feasibleNodes, schedulableOn } from "../../tools/offline/scheduling";
import { shippedStackConfig } from "../../tools/render/release-values";
import { readManifests, STACKS } from "../helpers/plans";
import { ROOT } from "../helpers/synth";

/** Storage classes whose provisioner is Longhorn, from the stack's plan. */
function longhornClasses(stack: string): Set<string> {
    return new Set(readManifests(stack).filter((o) => o.kind === "StorageClass" && (o as { provisioner?: string }).provisioner === "driver.longhorn.io").map((o) => String(o.metadata?.name)));
}

function claimsOf(workload: RenderedWorkload, release: RenderedRelease) {
    const standalone = workload.volumes.filter((v) => v.type === "persistentVolumeClaim").map((v) => release.claims.find((c) => c.name === v.claimName));
    return [...workload.volumeClaimTemplates, ...standalone.filter((c) => c !== undefined)];
}

/** Workloads that run as part of an install/upgrade (helm test hooks are not run by a Release). */
const running = (w: RenderedWorkload) => w.hook !== "test";

describe.each(STACKS)("%s: add-on pods as the charts render them, over the node plan", (stack) => {
    const nodes = planNodes(shippedStackConfig(ROOT, stack), stack).map((n) => ({ ...n, name: n.hostname }));
    const releases = renderedReleases(stack);
    const manager = releases.flatMap((r) => r.workloads).find((w) => w.kind === "DaemonSet" && w.name === "longhorn-manager");

    it("schedules every pod with a Longhorn volume only on nodes where longhorn-manager runs", () => {
        expect(manager, "longhorn-manager DaemonSet").toBeDefined();
        const longhornNodes = new Set(feasibleNodes(manager!, nodes).map((n) => n.name));
        const classes = longhornClasses(stack);
        expect(classes.size).toBeGreaterThan(0);
        const problems: string[] = [];
        let checked = 0;
        for (const release of releases) {
            for (const w of release.workloads.filter(running)) {
                const claims = claimsOf(w, release).filter((c) => classes.has(c.storageClassName ?? ""));
                if (claims.length === 0) {
                    continue;
                }
                checked += 1;
                const feasible = feasibleNodes(w, nodes).map((n) => n.name);
                if (feasible.length === 0) {
                    problems.push(`${w.kind}/${w.name}: no node at all`);
                }
                const outside = feasible.filter((n) => !longhornNodes.has(n));
                if (outside.length > 0) {
                    problems.push(`${w.kind}/${w.name} may land on ${outside.join(", ")}, where longhorn-manager does not run`);
                }
            }
        }
        expect(checked, "pods with Longhorn volumes").toBeGreaterThanOrEqual(5);
        expect(problems).toEqual([]);
    });

    it("stops the old pod before starting a new one (Recreate) for every Deployment owning a ReadWriteOnce volume", () => {
        const surge: string[] = [];
        let checked = 0;
        for (const release of releases) {
            for (const w of release.workloads.filter((w) => w.kind === "Deployment")) {
                if (claimsOf(w, release).some((c) => c.accessModes.includes("ReadWriteOnce") || c.accessModes.includes("ReadWriteOncePod"))) {
                    checked += 1;
                    if (w.updateStrategy?.type !== "Recreate") {
                        surge.push(`${release.release}: ${w.name} uses ${JSON.stringify(w.updateStrategy)}`);
                    }
                }
            }
            // StatefulSets replace one pod at a time and each pod owns its own claim: no second writer.
        }
        expect(checked, "Deployments with RWO volumes (MinIO standalone or Grafana)").toBeGreaterThanOrEqual(1);
        expect(surge).toEqual([]);
    });

    it("gives every rendered container without requests a namespace LimitRange with default requests and no default limits", () => {
        const limitRanges = readManifests(stack).filter((o) => o.kind === "LimitRange");
        const byNamespace = new Map(limitRanges.map((l) => [String(l.metadata?.namespace), l as unknown as { spec: { limits: Record<string, unknown>[] } }]));
        const longhorn = byNamespace.get(NAMESPACES.longhorn);
        expect(longhorn, "LimitRange in longhorn-system").toBeDefined();
        for (const limit of longhorn!.spec.limits) {
            expect(limit.type).toBe("Container");
            expect(Object.keys(limit).sort()).toEqual(["defaultRequest", "type"]);
        }
        const uncovered: string[] = [];
        for (const release of releases) {
            for (const w of release.workloads.filter(running)) {
                for (const c of w.containers) {
                    if (c.requests.cpu === undefined || c.requests.memory === undefined) {
                        const lr = byNamespace.get(w.namespace);
                        const defaults = lr?.spec.limits.find((l) => l.type === "Container")?.defaultRequest as Record<string, string> | undefined;
                        if (!defaults?.cpu || !defaults?.memory) {
                            uncovered.push(`${w.namespace} ${w.kind}/${w.name} ${c.name}`);
                        }
                    }
                }
            }
        }
        expect(uncovered).toEqual([]);
    });

    it("lets Prometheus scrape MetalLB (ServiceMonitors, read access for kube-prometheus-stack's service account)", () => {
        const metallb = releases.find((r) => r.chart === "metallb");
        expect(metallb?.kinds.ServiceMonitor).toBe(2);
        const prometheus = releases.find((r) => r.chart === "kube-prometheus-stack")?.workloads.find((w) => w.kind === "Prometheus");
        expect(prometheus?.namespace).toBe(METALLB_SCRAPER.namespace);
        expect(prometheus?.name).toBe(METALLB_SCRAPER.serviceAccount);
    });

    it("models taints and selectors the way the scheduler does", () => {
        const server = nodes.find((n) => n.role === "server")!;
        expect(schedulableOn({ tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }] }, server)).toBe(true);
        expect(schedulableOn({ nodeSelector: { "platform/pool": "nowhere" } }, server)).toBe(false);
        if (server.taints.length > 0) {
            expect(schedulableOn({}, server)).toBe(false);
            expect(schedulableOn({ tolerations: [{ operator: "Exists" }] }, server)).toBe(true);
            expect(schedulableOn({ tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists", effect: "NoSchedule" }] }, server)).toBe(false);
        }
    });
});
