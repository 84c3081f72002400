import { describe, expect, it } from "vitest";
import { KUBE_STATE_METRICS_LABELS_ALLOWLIST } from "../../components/metering/metering";
import { KSM_LABELS_ALLOWLIST } from "../../components/observability/values";
import { readManifests, readPlan, STACKS } from "../helpers/plans";

/** Contracts between components written separately: each side is checked in the synthesized plan. */
describe.each(STACKS)("add-on contracts in stack %s", (stack) => {
    const plan = readPlan(stack);
    const manifests = readManifests(stack);

    it("kube-state-metrics exports the namespace label the metering rules join on", () => {
        const wanted = /^namespaces=\[(.*)\]$/.exec(KUBE_STATE_METRICS_LABELS_ALLOWLIST)![1]!.split(",");
        const exported = KSM_LABELS_ALLOWLIST.find((e) => e.startsWith("namespaces="))!;
        for (const label of wanted) {
            expect(exported).toContain(label);
        }
        const release = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "kube-prometheus-stack")!;
        expect(release.inputs.values["kube-state-metrics"].metricLabelsAllowlist).toEqual(KSM_LABELS_ALLOWLIST);
    });

    it("metering rules and dashboards are deployed into the monitoring namespace", () => {
        const rules = manifests.filter((m) => m.kind === "PrometheusRule");
        expect(rules.length).toBeGreaterThanOrEqual(2);
        expect(rules.every((r) => r.metadata.namespace === "monitoring")).toBe(true);
        const dashboards = manifests.filter((m) => m.kind === "ConfigMap" && m.metadata.labels?.grafana_dashboard === "1");
        expect(dashboards.length).toBeGreaterThanOrEqual(2);
    });

    it("tenant projects wait for every platform add-on's Helm release", () => {
        // dependsOn on a component expands to its custom children, so the releases are the evidence.
        const releases = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => r.urn);
        expect(releases.length).toBeGreaterThanOrEqual(8);
        const projects = plan.resources.filter((r) => r.type === "platform:project:Project");
        expect(projects.length).toBeGreaterThan(0);
        for (const project of projects) {
            const namespace = plan.resources.find((r) => r.parent === project.urn && r.type === "kubernetes:core/v1:Namespace")!;
            expect(releases.filter((urn) => !namespace.dependencies.includes(urn)), `${project.name} namespace`).toEqual([]);
        }
    });
});
