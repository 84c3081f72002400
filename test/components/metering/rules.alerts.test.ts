import { describe, expect, it } from "vitest";
import { pricesSchema } from "../../../lib/config/schema";
import { isAlertingRule, renderAlertRuleGroups, renderMeteringRuleGroups, type AlertingRule, type RuleGroup } from "../../../components/metering/rules";

/**
 * The alert contract as README "Metering" states it, written out here (not read back from the module's
 * constants): hold times, severities, thresholds in the expression and quoted in the description. Fast unit
 * checks beside the promtool behaviour tests (rules.promtool.test.ts), which prove the thresholds fire.
 * Everything is rendered inside the tests, so a mutation of the renderers is active while they run.
 */

const prices = () => pricesSchema.parse({ currency: "CHF", cpuCoreHour: 0.0071, memoryGiBHour: 0.0031, storageGiBHour: 0.00011, networkEgressGiB: 0.0013 });
const billing = { region: "fsn1", storageReplicas: 3, infrastructureMonthlyEur: 300, ledgerExported: true };

function alertsOf(groups: RuleGroup[]): Map<string, AlertingRule> {
    return new Map(groups.flatMap((g) => g.rules).filter(isAlertingRule).map((r) => [r.alert, r]));
}

function render(): Map<string, AlertingRule> {
    return alertsOf([...renderMeteringRuleGroups(prices(), billing), ...renderAlertRuleGroups([{ name: "shop", budgetMonthly: 40 }, { name: "docs" }], prices())]);
}

describe("metering alerts", () => {
    it("hold each alert for its pending window at its severity: project alerts warn, untrustworthy bills are critical", () => {
        const table = Object.fromEntries([...render()].map(([name, rule]) => [name, { for: rule.for, severity: rule.labels.severity }]));
        expect(table).toEqual({
            ProjectQuotaNearlyExhausted: { for: "15m", severity: "warning" },
            ProjectPodCrashLooping: { for: "10m", severity: "warning" },
            ProjectCertificateExpiringSoon: { for: "1h", severity: "warning" },
            ProjectVolumeNearlyFull: { for: "10m", severity: "warning" },
            ProjectCostOverBudget: { for: "1h", severity: "warning" },
            MeteringSourceDown: { for: "10m", severity: "critical" },
            MeteringRulesFailing: { for: "5m", severity: "critical" },
            BillingLedgerExportStale: { for: "30m", severity: "critical" },
        });
    });

    it("compare with the documented thresholds: quota above 90 %, volume above 85 %, certificate under 14 days, more than 3 restarts, ledger older than 3 hours", () => {
        const alerts = render();
        const expr = (name: string) => alerts.get(name)!.expr;
        expect(expr("ProjectQuotaNearlyExhausted").split("\n").at(-1)).toBe("> 0.9");
        expect(expr("ProjectQuotaNearlyExhausted")).toContain('(max by (namespace, resourcequota, resource) (kube_resourcequota{type="hard"}) > 0)');
        expect(expr("ProjectVolumeNearlyFull").split("\n").at(-1)).toBe("> 0.85");
        expect(expr("ProjectVolumeNearlyFull")).toContain("(max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes) > 0)");
        expect(expr("ProjectCertificateExpiringSoon")).toMatch(/ - time\(\)\) \/ 86400 < 14$/);
        expect(expr("ProjectPodCrashLooping")).toContain("(increase(kube_pod_container_status_restarts_total[15m])) > 3");
        expect(expr("ProjectPodCrashLooping")).toContain('kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m])) >= 1');
        expect(expr("BillingLedgerExportStale")).toBe(
            'time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{namespace="monitoring", cronjob="billing-ledger"}) > 10800\nor\nabsent(kube_cronjob_status_last_successful_time{namespace="monitoring", cronjob="billing-ledger"})',
        );
    });

    // The whole expressions of the project alerts, written out: the promtool scenarios (rules.promtool.test.ts)
    // prove that these fire as README "Metering" says; this pins the text they prove, for a unit run.
    it("join each project alert to the tenant namespaces and keep its whole expression", () => {
        const alerts = render();
        const join = ") * on (namespace) group_left (project) platform:tenant_namespace:info";
        expect(alerts.get("ProjectQuotaNearlyExhausted")!.expr).toBe(
            ["(", '  max by (namespace, resourcequota, resource) (kube_resourcequota{type="used"})', "  /", '  (max by (namespace, resourcequota, resource) (kube_resourcequota{type="hard"}) > 0)', join, "> 0.9"].join("\n"),
        );
        expect(alerts.get("ProjectPodCrashLooping")!.expr).toBe(
            [
                "(",
                '    max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m])) >= 1',
                "  or",
                "    max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[15m])) > 3",
                join,
            ].join("\n"),
        );
        expect(alerts.get("ProjectVolumeNearlyFull")!.expr).toBe(
            ["(", "  max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes)", "  /", "  (max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes) > 0)", join, "> 0.85"].join("\n"),
        );
        expect(alerts.get("ProjectCertificateExpiringSoon")!.expr).toBe("(platform:project_certificate_expiration_timestamp_seconds:min - time()) / 86400 < 14");
        const expiry = renderAlertRuleGroups([{ name: "docs" }], prices())
            .flatMap((g) => g.rules)
            .find((r) => !isAlertingRule(r) && r.record === "platform:project_certificate_expiration_timestamp_seconds:min");
        expect(expiry?.expr).toBe(
            'min by (namespace, name) (\n  label_replace(certmanager_certificate_expiration_timestamp_seconds > 0, "namespace", "$1", "exported_namespace", "(.+)")\n)\n* on (namespace) group_left (project) platform:tenant_namespace:info',
        );
    });

    it("summarise each project alert with the object, the project and the value", () => {
        const alerts = render();
        expect(alerts.get("ProjectCertificateExpiringSoon")!.annotations).toEqual({
            summary: 'Certificate {{ $labels.name }} of project {{ $labels.project }} expires in {{ $value | printf "%.1f" }} days',
            description: "cert-manager renews certificates 30 days before expiry, so renewal is failing: check the Certificate, its Order and Challenges in namespace {{ $labels.namespace }}.",
        });
        expect(alerts.get("ProjectVolumeNearlyFull")!.annotations.summary).toBe("Volume {{ $labels.persistentvolumeclaim }} of project {{ $labels.project }} is {{ $value | humanizePercentage }} full");
        expect(alerts.get("ProjectQuotaNearlyExhausted")!.annotations.summary).toBe("Project {{ $labels.project }} has used {{ $value | humanizePercentage }} of its {{ $labels.resource }} quota");
        expect(alerts.get("ProjectPodCrashLooping")!.annotations.summary).toBe("Container {{ $labels.container }} of pod {{ $labels.pod }} in project {{ $labels.project }} is crash looping");
        expect(alerts.get("ProjectCostOverBudget")!.annotations.summary).toBe('Project {{ $labels.project }} is projected to cost {{ $value | printf "%.2f" }} {{ $labels.currency }} this month');
    });

    it("quote the thresholds in their descriptions and name what to look at", () => {
        const alerts = render();
        const text = (name: string) => `${alerts.get(name)!.annotations.summary}\n${alerts.get(name)!.annotations.description}`;
        expect(text("ProjectQuotaNearlyExhausted")).toContain("is above 90% for {{ $labels.resource }}");
        expect(text("ProjectVolumeNearlyFull")).toContain("is above 85% of its capacity");
        expect(text("ProjectPodCrashLooping")).toContain("restarted more than 3 times in 15 minutes");
        expect(text("BillingLedgerExportStale")).toContain("has not been exported for more than 3 hours");
        expect(text("BillingLedgerExportStale")).toContain("CronJob monitoring/billing-ledger has not completed successfully");
        expect(text("BillingLedgerExportStale")).toContain("kubectl -n monitoring logs job/<latest>");
        expect(text("MeteringSourceDown")).toContain("Metering source {{ $labels.source }} is down or not scraped");
        expect(text("MeteringSourceDown")).toContain("kubelet (CPU, memory and network of every pod), kube-state-metrics (tenant namespaces, requests, runtime classes, PVC sizes and pod IPs) and node-meter (internet egress: bytes pods send to Traefik and to the internet, through node-exporter on every node; its reason label says what is wrong on the node named by instance)");
        expect(text("ProjectCostOverBudget")).toContain('{{ with printf "platform:project_budget:monthly{project=%q}" $labels.project | query }}');
    });

    it("watch each metering source by name, down or absent", () => {
        const down = render().get("MeteringSourceDown")!.expr.split("\nor\n");
        expect(down).toEqual([
            'label_replace(\n  up{job="kubelet", metrics_path="/metrics/cadvisor"} == 0\n  or\n  absent(up{job="kubelet", metrics_path="/metrics/cadvisor"}),\n  "source", "kubelet", "", ""\n)',
            'label_replace(\n  up{job="kube-state-metrics"} == 0\n  or\n  absent(up{job="kube-state-metrics"}),\n  "source", "kube-state-metrics", "", ""\n)',
            // The node meter (internet egress), per node-exporter target: each reason its own branch.
            ...[
                ['max by (instance) (up{job="node-exporter"} == 0)', "node-exporter down"],
                ['absent(up{job="node-exporter"})', "node-exporter not scraped"],
                [
                    'max by (instance) (up{job="node-exporter"} == 1)\n    unless on (instance)\n    (time() - max by (instance) (platform_edge_meter_last_export_timestamp_seconds) < 300)',
                    "no fresh export",
                ],
                ['max by (instance) (up{job="node-exporter"} == 1)\n    unless on (instance)\n    max by (instance) (platform_node_meter_info{version="2"})', "no meter of version 2"],
                [
                    'max by (instance) (label_replace(\n      max by (host_ip) (kube_pod_info{namespace="traefik", host_ip!=""}),\n      "instance", "$1:9100", "host_ip", "(.+)"\n    ))\n    unless on (instance)\n    max by (instance) (platform_node_meter_info{edge="true"})',
                    "Traefik node without edge counters",
                ],
            ].map(([expr, reason]) => `label_replace(\n  label_replace(\n    ${expr},\n    "source", "node-meter", "", ""\n  ),\n  "reason", "${reason}", "", ""\n)`),
        ]);
    });

    it("compare the projection with the budget series keeping the projection's labels", () => {
        const rule = render().get("ProjectCostOverBudget")!;
        expect(rule.expr).toBe("platform:project_cost:monthly_projection\n> on (namespace, project) group_left ()\nplatform:project_budget:monthly");
    });

    it("record a budget only for the projects that have one, and refuse a broken project list", () => {
        const groups = renderAlertRuleGroups([{ name: "shop", budgetMonthly: 40 }, { name: "docs" }, { name: "blog", budgetMonthly: 0.5 }], prices());
        expect(groups.map((g) => [g.name, g.interval])).toEqual([["platform-project-alerts", "1m"], ["platform-project-budgets", "1m"]]);
        const budgets = groups[1]!.rules.filter((r) => !isAlertingRule(r));
        expect(budgets.map((r) => [r.labels?.project, r.expr])).toEqual([["shop", "vector(40)"], ["blog", "vector(0.5)"]]);
        // Valid lists render; each broken one is refused with its own reason.
        expect(() => renderAlertRuleGroups([{ name: "a" }, { name: "b-2" }, { name: "c", budgetMonthly: 1e-3 }], prices())).not.toThrow();
        expect(() => renderAlertRuleGroups([{ name: "Shop" }], prices())).toThrow('metering: project name "Shop" is not a DNS label');
        expect(() => renderAlertRuleGroups([{ name: "shop-" }], prices())).toThrow(/not a DNS label/);
        expect(() => renderAlertRuleGroups([{ name: "-shop" }], prices())).toThrow(/not a DNS label/);
        expect(() => renderAlertRuleGroups([{ name: "sh op" }], prices())).toThrow(/not a DNS label/);
        expect(() => renderAlertRuleGroups([{ name: "1shop" }], prices())).toThrow(/not a DNS label/);
        expect(() => renderAlertRuleGroups([{ name: "a" }, { name: "a" }], prices())).toThrow('metering: project "a" is listed twice');
        expect(() => renderAlertRuleGroups([{ name: "a", budgetMonthly: -1 }], prices())).toThrow('metering: budget of project "a" must be a positive number, got -1');
        expect(() => renderAlertRuleGroups([{ name: "a", budgetMonthly: Number.POSITIVE_INFINITY }], prices())).toThrow(/positive number/);
    });

    it("render no ledger alert where no ledger is exported", () => {
        const names = [...alertsOf(renderMeteringRuleGroups(prices(), { ...billing, ledgerExported: false })).keys()];
        expect(names).toEqual(["MeteringSourceDown", "MeteringRulesFailing"]);
    });
});
