import { describe, expect, it } from "vitest";
import { pricesSchema } from "../../../lib/config/schema";
import { promqlMetricNames } from "../../../components/metering/promql";
import {
    ALERTS,
    GROUP_NAMES,
    isAlertingRule,
    KUBE_STATE_METRICS_LABELS_ALLOWLIST,
    RECORDED,
    recordedMetricNames,
    renderAlertRuleGroups,
    renderMeteringRuleGroups,
    SOURCE_METRICS,
    TENANT_LABEL_SERIES_NAME,
    type RuleGroup,
} from "../../../components/metering/rules";
import { meteringProjects } from "../../../components/metering/render";
import { checkRules } from "../../helpers/promtool";

/** Shape and hygiene of the rendered groups; their behaviour is proven in rules.promtool.test.ts. */

const prices = pricesSchema.parse({ currency: "CHF", cpuCoreHour: 0.0071, memoryGiBHour: 0.0031, storageGiBHour: 0.00011, networkEgressGiB: 0.0013 });
const projects = [{ name: "shop", budgetMonthly: 40 }, { name: "blog", budgetMonthly: 12.5 }, { name: "docs" }];
const metering = renderMeteringRuleGroups(prices);
const alerts = renderAlertRuleGroups(projects, prices);
const groups: RuleGroup[] = [...metering, ...alerts];
const rules = groups.flatMap((g) => g.rules);

describe("rendered rule groups", () => {
    it("are the four groups, evaluated every minute", () => {
        expect(groups.map((g) => g.name)).toEqual([GROUP_NAMES.usage, GROUP_NAMES.cost, GROUP_NAMES.alerts, GROUP_NAMES.budgets]);
        expect(new Set(groups.map((g) => g.interval))).toEqual(new Set(["1m"]));
    });

    it.each(groups.map((g) => [g.name, g] as const))("group %s passes promtool check rules", (_name, group) => {
        const result = checkRules([group]);
        expect(result.ok, result.output).toBe(true);
        expect(result.output).toContain(`SUCCESS: ${group.rules.length} rules found`);
    });

    it("pass promtool check rules together (no clashing group names)", () => {
        const result = checkRules(groups);
        expect(result.ok, result.output).toBe(true);
        expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
    });

    it("record names in the level:metric:operations style, one rule per name except the per-project budgets", () => {
        const recorded = rules.filter((r) => !isAlertingRule(r)).map((r) => (r as { record: string }).record);
        for (const name of recorded) {
            expect(name).toMatch(/^platform:[a-z][a-z0-9_]*:[a-z0-9_]+$/);
        }
        const duplicates = recorded.filter((n, i) => recorded.indexOf(n) !== i);
        expect(new Set(duplicates)).toEqual(new Set([RECORDED.budget]));
        expect(recordedMetricNames(groups)).toEqual([...Object.values(RECORDED)].sort());
    });

    it("name the five alerts stably, each with a severity, a hold time and both annotations", () => {
        const alertRules = rules.filter(isAlertingRule);
        expect(alertRules.map((r) => r.alert).sort()).toEqual(Object.values(ALERTS).sort());
        for (const rule of alertRules) {
            expect(["warning", "critical"]).toContain(rule.labels.severity);
            expect(rule.for).toMatch(/^\d+[mh]$/);
            expect(rule.annotations.summary).toContain("{{ $labels.project }}");
            expect(rule.annotations.description.length).toBeGreaterThan(20);
        }
    });

    it("attach the project label to every per-namespace series through the tenant join", () => {
        // Rules reading raw exporter metrics must join with the tenant namespaces (that is what adds
        // `project` and drops platform namespaces); the others read recorded series that carry it already.
        const raw = new Set(SOURCE_METRICS);
        for (const rule of rules) {
            const reads = promqlMetricNames(rule.expr);
            const name = isAlertingRule(rule) ? rule.alert : rule.record;
            if (name === RECORDED.tenantNamespace) {
                expect(rule.expr).toContain(`${TENANT_LABEL_SERIES_NAME}="true"`);
            } else if (reads.some((m) => raw.has(m))) {
                expect(rule.expr, name).toContain(`group_left (project) ${RECORDED.tenantNamespace}`);
            }
        }
    });

    it("read only exporter metrics and series recorded earlier in evaluation order", () => {
        const seen = new Set<string>();
        for (const rule of rules) {
            const name = isAlertingRule(rule) ? rule.alert : rule.record;
            for (const metric of promqlMetricNames(rule.expr)) {
                expect(SOURCE_METRICS.includes(metric) || seen.has(metric), `${name} reads ${metric}`).toBe(true);
            }
            if (!isAlertingRule(rule)) {
                seen.add(rule.record);
            }
        }
        // Every exporter metric on the list is actually used by some rule or is there for the dashboards.
        const used = new Set(rules.flatMap((r) => promqlMetricNames(r.expr)));
        expect(SOURCE_METRICS.filter((m) => !used.has(m))).toEqual([]);
    });

    it("write the configured prices and currency into the cost rules", () => {
        const cost = metering.find((g) => g.name === GROUP_NAMES.cost)!.rules;
        const expr = (record: string) => cost.find((r) => !isAlertingRule(r) && r.record === record)!.expr;
        expect(expr(RECORDED.cpuCost)).toContain(`* ${prices.cpuCoreHour}`);
        expect(expr(RECORDED.memoryCost)).toContain(`* ${prices.memoryGiBHour}`);
        expect(expr(RECORDED.storageCost)).toContain(`* ${prices.storageGiBHour}`);
        expect(expr(RECORDED.egressCost)).toContain(`* ${prices.networkEgressGiB}`);
        for (const rule of cost.filter((r) => !isAlertingRule(r) && r.record.includes("cost"))) {
            expect((rule as { labels?: Record<string, string> }).labels).toEqual({ currency: "CHF" });
        }
    });

    it("record one budget series per project with a budget, and no budget group without budgets", () => {
        const budgets = alerts.find((g) => g.name === GROUP_NAMES.budgets)!.rules.filter((r) => !isAlertingRule(r));
        expect(budgets).toEqual([
            { record: RECORDED.budget, expr: "vector(40)", labels: { namespace: "shop", project: "shop", currency: "CHF" } },
            { record: RECORDED.budget, expr: "vector(12.5)", labels: { namespace: "blog", project: "blog", currency: "CHF" } },
        ]);
        expect(renderAlertRuleGroups([{ name: "docs" }], prices).map((g) => g.name)).toEqual([GROUP_NAMES.alerts]);
    });

    it("are deterministic", () => {
        expect(renderMeteringRuleGroups(prices)).toEqual(metering);
        expect(renderAlertRuleGroups(projects, prices)).toEqual(alerts);
    });

    it("tell kube-state-metrics to export the tenant label the join reads", () => {
        expect(KUBE_STATE_METRICS_LABELS_ALLOWLIST).toBe("namespaces=[platform/tenant]");
        expect(TENANT_LABEL_SERIES_NAME).toBe("label_platform_tenant");
    });
});

describe("input checks", () => {
    it("reject prices PromQL could not carry or that make no sense", () => {
        expect(() => renderMeteringRuleGroups({ ...prices, cpuCoreHour: Number.NaN })).toThrow(/cpuCoreHour/);
        expect(() => renderMeteringRuleGroups({ ...prices, storageGiBHour: -1 })).toThrow(/storageGiBHour/);
        expect(() => renderMeteringRuleGroups({ ...prices, networkEgressGiB: Number.POSITIVE_INFINITY })).toThrow(/networkEgressGiB/);
        expect(() => renderMeteringRuleGroups({ ...prices, currency: "euro" })).toThrow(/currency/);
    });

    it("reject project names that are not DNS labels, duplicates and non-positive budgets", () => {
        expect(() => renderAlertRuleGroups([{ name: 'shop"} or vector(1) #' }], prices)).toThrow(/DNS label/);
        expect(() => renderAlertRuleGroups([{ name: "shop" }, { name: "shop" }], prices)).toThrow(/twice/);
        expect(() => renderAlertRuleGroups([{ name: "shop", budgetMonthly: 0 }], prices)).toThrow(/positive/);
        expect(() => renderAlertRuleGroups([{ name: "shop", budgetMonthly: Number.NaN }], prices)).toThrow(/positive/);
    });
});

describe("meteringProjects", () => {
    it("takes the id (not the display name) and budget.monthly of tenant projects", () => {
        expect(meteringProjects([{ id: "shop", budget: { monthly: 40 } }, { id: "docs" }])).toEqual([{ name: "shop", budgetMonthly: 40 }, { name: "docs" }]);
    });
});
