import { describe, expect, it } from "vitest";
import { KUBE_STATE_METRICS_LABELS_ALLOWLIST } from "../../components/metering/metering";
import { KSM_LABELS_ALLOWLIST } from "../../components/observability/values";
import { plannedTenants, readManifests, readPlan, readPlatformPlan, readTenantPlan, STACKS } from "../helpers/plans";

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

    it("tenant projects wait for every platform add-on's Helm release: the releases are all in the platform stack, which runs before the tenant stacks", () => {
        // Across stacks, order is the stack order (platform first); within the plans that means every release
        // is the platform stack's and no tenant stack has one or depends on a resource it does not hold.
        const releases = readPlatformPlan(stack).resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
        expect(releases.length).toBeGreaterThanOrEqual(8);
        const tenants = plannedTenants(stack);
        expect(tenants.length).toBeGreaterThan(0);
        for (const id of tenants) {
            const tenant = readTenantPlan(stack, id).resources;
            expect(tenant.filter((r) => r.type === "kubernetes:helm.sh/v3:Release"), id).toEqual([]);
            const own = new Set(tenant.map((r) => r.urn));
            // Nothing outside: the contract and the credential are handed over as config, no StackReference is read.
            const outside = [...new Set(tenant.flatMap((r) => r.dependencies).filter((urn) => !own.has(urn)))];
            expect(outside, `${id} depends outside its stack`).toEqual([]);
        }
    });
});
