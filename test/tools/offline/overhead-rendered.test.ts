import { describe, expect, it } from "vitest";
import { renderedReleases } from "../../../charts/rendered-facts";
import { compareWithRendered, limitRangeDefaults, nodeCountsOf, platformOverhead, renderedOverhead } from "../../../tools/offline/overhead";
import type { PlannedResource } from "../../../tools/offline/plan-types";
import { releaseInputs, shippedStackConfig } from "../../../tools/render/release-values";
import { readPlan, STACKS } from "../../helpers/plans";
import { ROOT } from "../../helpers/synth";

/** The written plan with each Release's values as the program passes them (secret values rebuilt with stand-ins). */
function planResources(stack: string): PlannedResource[] {
    const values = new Map(releaseInputs(ROOT, stack).map((r) => [r.resource, r.values]));
    return readPlan(stack).resources.map((r) => ({
        ...r,
        inputs: r.type === "kubernetes:helm.sh/v3:Release" ? { ...r.inputs, values: values.get(r.name) } : r.inputs,
    }));
}

describe.each(STACKS)("%s: the overhead estimate against the charts as Helm renders them", (stack) => {
    const config = shippedStackConfig(ROOT, stack);
    const resources = planResources(stack);
    const nodes = nodeCountsOf(config, stack);
    const estimate = platformOverhead(resources, nodes);
    const rendered = renderedOverhead(renderedReleases(stack), nodes.nodes ?? [], limitRangeDefaults(resources));

    it("is within 10% of the rendered requests, CPU and memory", () => {
        const { deviation } = compareWithRendered(estimate, rendered);
        expect(Math.abs(deviation.cpu), `CPU ${deviation.cpu.toFixed(1)}%`).toBeLessThanOrEqual(10);
        expect(Math.abs(deviation.memory), `memory ${deviation.memory.toFixed(1)}%`).toBeLessThanOrEqual(10);
    });

    it("counts DaemonSets on the nodes they tolerate and Traefik's deployment.replicas, as the render does", () => {
        const multiplier = (source: string) => estimate.rows.find((r) => r.source === source)!.multiplier;
        const pods = (source: string, workload: string) => {
            const entry = rendered.rows.find((r) => r.source === source)!.pods.find((p) => p.startsWith(`${workload} ×`))!;
            return Number(entry.split("×")[1]);
        };
        expect(multiplier("helm:longhorn-system/longhorn")).toContain(`longhornManager: per admitted node (${pods("helm:longhorn-system/longhorn", "longhorn-manager")} of`);
        expect(multiplier("helm:metallb-system/metallb")).toContain(`speaker: per admitted node (${pods("helm:metallb-system/metallb", "metallb-speaker")} of`);
        expect(multiplier("helm:kured/kured")).toContain(`(root): per admitted node (${pods("helm:kured/kured", "kured")} of`);
        const traefik = pods("helm:traefik/traefik", "traefik");
        expect(traefik > 1 ? multiplier("helm:traefik/traefik") : `${traefik} replica(s)`).toContain(`${traefik} replica(s)`);
    });
});
