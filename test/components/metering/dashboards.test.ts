import { describe, expect, it } from "vitest";
import { pricesSchema } from "../../../lib/config/schema";
import {
    currencyUnit,
    dashboardMetricNames,
    dashboardPromQL,
    DASHBOARD_UIDS,
    renderDashboards,
    renderPlatformDashboard,
    renderProjectDashboard,
    type GrafanaDashboard,
} from "../../../components/metering/dashboards";
import { recordedMetricNames, renderAlertRuleGroups, renderMeteringRuleGroups, RECORDED, SOURCE_METRICS } from "../../../components/metering/rules";
import { checkRules } from "../../helpers/promtool";

/**
 * The dashboards are well-formed Grafana JSON, every PromQL query is valid (promtool parses it) and reads
 * only series the stack produces: the raw exporter metrics and the metering recording rules.
 */

const prices = pricesSchema.parse({});
const platform = renderPlatformDashboard(prices);
const project = renderProjectDashboard(prices);
const dashboards: Array<[string, GrafanaDashboard]> = [
    ["platform", platform],
    ["project", project],
];
// Everything the stack records, budgets included (they exist only when some project has one).
const produced = new Set([...SOURCE_METRICS, ...recordedMetricNames([...renderMeteringRuleGroups(prices, { region: "fsn1", storageReplicas: 2, infrastructureMonthlyEur: 100, ledgerExported: true }), ...renderAlertRuleGroups([{ name: "shop", budgetMonthly: 10 }], prices)])]);

/** Grafana's variables replaced by values of the right kind, so promtool can parse the query. */
function substituteVariables(expr: string): string {
    return expr
        .replace(/\$__rate_interval|\$__interval|\$__range/g, "5m")
        .replace(/\$\{?project\}?/g, "shop");
}

describe.each(dashboards)("%s dashboard", (_name, dashboard) => {
    it("is plain JSON (survives a round trip unchanged)", () => {
        expect(JSON.parse(JSON.stringify(dashboard))).toEqual(dashboard);
    });

    it("has the Grafana dashboard model's shape", () => {
        expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
        expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
        expect(dashboard.title.length).toBeGreaterThan(0);
        expect(dashboard.panels.length).toBeGreaterThan(5);
        expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
        const variables = new Map(dashboard.templating.list.map((v) => [v.name, v]));
        for (const panel of dashboard.panels) {
            expect(["stat", "timeseries", "bargauge", "table", "logs"]).toContain(panel.type);
            const { x, y, w, h } = panel.gridPos;
            for (const n of [x, y, w, h]) {
                expect(Number.isInteger(n) && n >= 0, panel.title).toBe(true);
            }
            expect(w >= 1 && x + w <= 24 && h >= 1, panel.title).toBe(true);
            expect(panel.targets.length, panel.title).toBeGreaterThan(0);
            expect(new Set(panel.targets.map((t) => t.refId)).size).toBe(panel.targets.length);
            for (const ref of [panel.datasource, ...panel.targets.map((t) => t.datasource)]) {
                // Data sources are variables of the matching type: no uid of one installation is baked in.
                const variable = variables.get(/^\$\{(.+)\}$/.exec(ref.uid)?.[1] ?? "");
                expect(variable?.type, `${panel.title}: ${ref.uid}`).toBe("datasource");
                expect(variable?.query).toBe(ref.type);
            }
            for (const target of panel.targets) {
                expect(target.expr.trim().length, panel.title).toBeGreaterThan(0);
            }
        }
    });

    it("does not overlap panels", () => {
        const cells = new Set<string>();
        for (const panel of dashboard.panels) {
            const { x, y, w, h } = panel.gridPos;
            for (let i = x; i < x + w; i++) {
                for (let j = y; j < y + h; j++) {
                    expect(cells.has(`${i},${j}`), `${panel.title} overlaps at ${i},${j}`).toBe(false);
                    cells.add(`${i},${j}`);
                }
            }
        }
    });

    it("reads only metrics the stack produces", () => {
        const names = dashboardMetricNames(dashboard);
        expect(names.length).toBeGreaterThan(3);
        expect(names.filter((n) => !produced.has(n))).toEqual([]);
    });

    it("has only PromQL that promtool parses", () => {
        const queries = dashboardPromQL(dashboard);
        const group = { name: `dashboard-${dashboard.uid}`, rules: queries.map((q, i) => ({ record: `dashboard:query_${i}:check`, expr: substituteVariables(q.expr) })) };
        const result = checkRules([group]);
        expect(result.ok, `${result.output}\n${queries.map((q, i) => `${i}: ${q.source}`).join("\n")}`).toBe(true);
    });
});

describe("metric check", () => {
    it("catches a panel reading a metric nobody produces", () => {
        const broken: GrafanaDashboard = JSON.parse(JSON.stringify(platform));
        broken.panels[0]!.targets[0]!.expr = 'sum(node_cpu_seconds_total{mode="idle"}) + sum(platform:project_cost:hourly)';
        const names = dashboardMetricNames(broken);
        expect(names.filter((n) => !produced.has(n))).toEqual(["node_cpu_seconds_total"]);
    });
});

describe("platform dashboard", () => {
    it("ranks projects by cost and shows totals, projection against budget and usage per project", () => {
        const exprs = dashboardPromQL(platform).map((q) => q.expr);
        const ranking = platform.panels.find((p) => p.title.startsWith("Cost ranking"))!;
        expect(ranking.type).toBe("bargauge");
        expect(ranking.targets[0]!.expr).toBe(`sort_desc(sum by (project) (${RECORDED.monthToDate}))`);
        for (const record of [RECORDED.cost, RECORDED.monthlyProjection, RECORDED.budget, RECORDED.cpuCores, RECORDED.memoryBillable, RECORDED.storageRequested, RECORDED.cpuBillable, RECORDED.internetEgressRate, RECORDED.regionCost]) {
            expect(exprs.some((e) => e.includes(record)), record).toBe(true);
        }
        expect(platform.panels.filter((p) => p.fieldConfig.defaults.unit === "currencyEUR").length).toBeGreaterThan(3);
    });
});

describe("project dashboard", () => {
    it("has a project variable listing the metered projects", () => {
        const variable = project.templating.list.find((v) => v.name === "project")!;
        expect(variable).toMatchObject({ type: "query", query: `label_values(${RECORDED.tenantNamespace}, project)`, multi: false, includeAll: false });
        expect(variable.datasource?.type).toBe("prometheus");
    });

    it("filters every Prometheus panel query by the selected project", () => {
        const panelQueries = dashboardPromQL(project).filter((q) => q.source.startsWith("panel"));
        for (const query of panelQueries) {
            expect(/project="\$project"|namespace="\$project"/.test(query.expr), `${query.source}: ${query.expr}`).toBe(true);
        }
    });

    it("shows the project's logs from Loki", () => {
        const logs = project.panels.find((p) => p.type === "logs")!;
        expect(logs.datasource).toEqual({ type: "loki", uid: "${loki}" });
        expect(logs.targets).toEqual([expect.objectContaining({ expr: '{project="$project"}', datasource: { type: "loki", uid: "${loki}" } })]);
        // Loki queries are not PromQL: they are left out of the metric check.
        expect(dashboardPromQL(project).some((q) => q.expr.includes("count_over_time"))).toBe(false);
    });

    it("breaks the hourly cost down into the four billed resources and the project's image builds", () => {
        const panel = project.panels.find((p) => p.title === "Cost per hour by resource")!;
        expect(panel.targets.map((t) => t.legendFormat)).toEqual(["CPU", "memory", "storage", "egress", "build"]);
        expect(panel.targets.map((t) => t.expr)).toEqual(
            [RECORDED.cpuCost, RECORDED.memoryCost, RECORDED.storageCost, RECORDED.egressCost, RECORDED.buildCost].map((r) => `sum(${r}{project="$project"})`),
        );
    });
});

describe("dashboard files", () => {
    it("are keyed by file name with stable uids, in the price currency", () => {
        const files = renderDashboards(pricesSchema.parse({ currency: "SEK" }));
        expect(Object.keys(files)).toEqual(["platform-metering-overview.json", "platform-metering-project.json"]);
        expect(Object.values(files).map((d) => d.uid)).toEqual([DASHBOARD_UIDS.platform, DASHBOARD_UIDS.project]);
        expect(JSON.stringify(files)).toContain('"unit":"currencySEK"');
        expect(currencyUnit("HUF")).toBe("suffix: HUF");
    });
});
