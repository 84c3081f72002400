import { describe, expect, it } from "vitest";
import { KSM_LABELS_ALLOWLIST } from "../../../components/observability/values";
import { pricesSchema } from "../../../lib/config/schema";
import { promqlMetricNames } from "../../../components/metering/promql";
import {
    ALERTS,
    GROUP_NAMES,
    isAlertingRule,
    KUBE_STATE_METRICS_LABELS_ALLOWLIST,
    BUILD_PROJECT_LABEL_SERIES_NAME,
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
const billing = { region: "fsn1", storageReplicas: 3, infrastructureMonthlyEur: 300, ledgerExported: true };
const metering = renderMeteringRuleGroups(prices, billing);
const alerts = renderAlertRuleGroups(projects, prices);
const groups: RuleGroup[] = [...metering, ...alerts];
const rules = groups.flatMap((g) => g.rules);

describe("rendered rule groups", () => {
    it("are the six groups, evaluated every minute except last month's close (every 10 minutes)", () => {
        expect(groups.map((g) => g.name)).toEqual([GROUP_NAMES.usage, GROUP_NAMES.cost, GROUP_NAMES.close, GROUP_NAMES.trust, GROUP_NAMES.alerts, GROUP_NAMES.budgets]);
        expect(Object.fromEntries(groups.map((g) => [g.name, g.interval]))).toEqual({
            [GROUP_NAMES.usage]: "1m",
            [GROUP_NAMES.cost]: "1m",
            [GROUP_NAMES.close]: "10m",
            [GROUP_NAMES.trust]: "1m",
            [GROUP_NAMES.alerts]: "1m",
            [GROUP_NAMES.budgets]: "1m",
        });
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

    it("record names in the level:metric:operations style, one rule per name except the per-project budgets and region lines", () => {
        const recorded = rules.filter((r) => !isAlertingRule(r)).map((r) => (r as { record: string }).record);
        for (const name of recorded) {
            expect(name).toMatch(/^platform:[a-z][a-z0-9_]*:[a-z0-9_]+$/);
        }
        const duplicates = recorded.filter((n, i) => recorded.indexOf(n) !== i);
        expect(new Set(duplicates)).toEqual(new Set([RECORDED.budget, RECORDED.regionCostRate]));
        expect(recordedMetricNames(groups)).toEqual([...Object.values(RECORDED)].sort());
    });

    it("name the eight alerts stably, each with a severity, a hold time and both annotations", () => {
        const alertRules = rules.filter(isAlertingRule);
        expect(alertRules.map((r) => r.alert).sort()).toEqual(Object.values(ALERTS).sort());
        const trust = new Set<string>([ALERTS.meteringSource, ALERTS.meteringRules, ALERTS.ledger]);
        for (const rule of alertRules) {
            expect(["warning", "critical"]).toContain(rule.labels.severity);
            expect(rule.for).toMatch(/^\d+[mh]$/);
            // Project alerts name the project; the trust alerts name the scrape job, the reason or the CronJob.
            expect(rule.annotations.summary).toContain(trust.has(rule.alert) ? "{{ $labels." : "{{ $labels.project }}");
            expect(rule.annotations.description.length).toBeGreaterThan(20);
        }
    });

    it("attach the project label to every per-namespace series through the tenant join", () => {
        // Rules reading raw exporter metrics must join with the tenant namespaces (that is what adds
        // `project` and drops platform namespaces); the others read recorded series that carry it already.
        // Exceptions, each for a reason: the per-namespace and per-pod series are the building blocks of both the
        // tenant and the platform lines; the platform line is "not a tenant"; the trust alerts watch scrapes.
        const raw = new Set(SOURCE_METRICS);
        // Build pods are attributed by their project label, so the build rules join on `project` instead.
        const byBuildProject = new Set<string>([RECORDED.buildCpuBillable, RECORDED.buildMemoryBillable]);
        const unscoped = new Set<string>([RECORDED.sandboxedPod, RECORDED.buildPodProject, RECORDED.podCpuRequest, RECORDED.podMemoryRequest, RECORDED.billedAddress, RECORDED.namespaceCpuCores, RECORDED.namespaceCpuBillable, RECORDED.namespaceMemoryWorkingSet, RECORDED.namespaceMemoryBillable, RECORDED.regionCostRate, ALERTS.meteringSource, ALERTS.ledger]);
        for (const rule of rules) {
            const reads = promqlMetricNames(rule.expr);
            const name = isAlertingRule(rule) ? rule.alert : rule.record;
            if (name === RECORDED.tenantNamespace) {
                expect(rule.expr).toContain(`${TENANT_LABEL_SERIES_NAME}="true"`);
            } else if (unscoped.has(name)) {
                expect(name.startsWith("platform:namespace_") || name.startsWith("platform:pod_") || name.startsWith("platform:build_pod_") || name.startsWith("platform:region_") || !name.includes(":"), name).toBe(true);
            } else if (byBuildProject.has(name)) {
                expect(rule.expr, name).toContain(`* on (project) group_left (namespace) ${RECORDED.tenantNamespace}`);
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

    it("write the configured prices, replicas and currency into the cost rules", () => {
        const all = metering.flatMap((g) => g.rules);
        const expr = (record: string) => all.find((r) => !isAlertingRule(r) && r.record === record)!.expr;
        expect(expr(RECORDED.cpuCostRate)).toContain(`* ${prices.cpuCoreHour}`);
        expect(expr(RECORDED.memoryCostRate)).toContain(`* ${prices.memoryGiBHour}`);
        expect(expr(RECORDED.storageCostRate)).toContain(`* ${prices.storageGiBHour}`);
        expect(expr(RECORDED.egressCostRate)).toContain(`* ${prices.networkEgressGiB}`);
        expect(expr(RECORDED.storageBillable)).toBe(
            `(\n  (${RECORDED.storageRequested} or 0 * ${RECORDED.bucketReserved})\n+ on (namespace, project)\n  (${RECORDED.bucketReserved} or 0 * ${RECORDED.storageRequested})\n) * 3`,
        );
        // The bucket's size comes from the platform's reservation quota in minio, never from a tenant namespace.
        expect(expr(RECORDED.bucketReserved)).toContain('kube_resourcequota{namespace="minio", resourcequota=~"bucket-.+", resource="platform-bucket-reservation.storageclass.storage.k8s.io/requests.storage", type="hard"}');
        for (const rule of all.filter((r) => !isAlertingRule(r) && r.record.startsWith("platform:project_") && r.record.includes("_cost:"))) {
            expect((rule as { labels?: Record<string, string> }).labels).toEqual({ currency: "CHF" });
        }
        // The infrastructure and idle lines compare with Hetzner's EUR invoice: only rendered for EUR prices.
        const lines = (p: typeof prices) => renderMeteringRuleGroups(p, billing).flatMap((g) => g.rules).filter((r) => !isAlertingRule(r) && r.record === RECORDED.regionCostRate).map((r) => (r as { labels: Record<string, string> }).labels.line);
        expect(lines(prices)).toEqual(["tenants", "platform"]);
        expect(lines({ ...prices, currency: "EUR" })).toEqual(["tenants", "platform", "infrastructure", "idle"]);
    });

    it("alert on the ledger only where a ledger is exported", () => {
        const alertsOf = (ledgerExported: boolean) => renderMeteringRuleGroups(prices, { ...billing, ledgerExported }).flatMap((g) => g.rules).filter(isAlertingRule).map((r) => r.alert);
        expect(alertsOf(true)).toEqual([ALERTS.meteringSource, ALERTS.meteringRules, ALERTS.ledger]);
        expect(alertsOf(false)).toEqual([ALERTS.meteringSource, ALERTS.meteringRules]);
    });

    it("record one budget series per project with a budget, and no budget group without budgets", () => {
        const budgets = alerts.find((g) => g.name === GROUP_NAMES.budgets)!.rules.filter((r) => !isAlertingRule(r));
        expect(budgets).toEqual([
            { record: RECORDED.budget, expr: "vector(40)", labels: { namespace: "shop", project: "shop", currency: "CHF" } },
            { record: RECORDED.budget, expr: "vector(12.5)", labels: { namespace: "blog", project: "blog", currency: "CHF" } },
        ]);
        expect(renderAlertRuleGroups([{ name: "docs" }], prices).map((g) => g.name)).toEqual([GROUP_NAMES.alerts]);
    });

    // Both renders inside the test: comparing with the renders at the top of the file would compare a mutated
    // render with an unmutated one under Stryker, or two mutated ones, depending on which guard file loaded first.
    it("are deterministic", () => {
        expect(renderMeteringRuleGroups(prices, billing)).toEqual(renderMeteringRuleGroups(prices, billing));
        expect(renderAlertRuleGroups(projects, prices)).toEqual(renderAlertRuleGroups(projects, prices));
    });

    it("tell kube-state-metrics to export the tenant label the join reads", () => {
        expect(KUBE_STATE_METRICS_LABELS_ALLOWLIST).toBe("namespaces=[platform/tenant]");
        expect(TENANT_LABEL_SERIES_NAME).toBe("label_platform_tenant");
        // Build pods are billed by their project label: kube-state-metrics must export it on pods.
        expect(BUILD_PROJECT_LABEL_SERIES_NAME).toBe("label_platform_project");
        expect(KSM_LABELS_ALLOWLIST.find((entry) => entry.startsWith("pods="))).toMatch(/^pods=\[(.*,)?platform\/project(,.*)?\]$/);
    });
});

describe("input checks", () => {
    it("reject prices PromQL could not carry or that make no sense", () => {
        expect(() => renderMeteringRuleGroups({ ...prices, cpuCoreHour: Number.NaN }, billing)).toThrow(/cpuCoreHour/);
        expect(() => renderMeteringRuleGroups({ ...prices, storageGiBHour: -1 }, billing)).toThrow(/storageGiBHour/);
        expect(() => renderMeteringRuleGroups({ ...prices, networkEgressGiB: Number.POSITIVE_INFINITY }, billing)).toThrow(/networkEgressGiB/);
        expect(() => renderMeteringRuleGroups({ ...prices, currency: "euro" }, billing)).toThrow(/currency/);
    });

    it("reject a billing context that cannot be right", () => {
        expect(() => renderMeteringRuleGroups(prices, { ...billing, storageReplicas: 0 })).toThrow(/storageReplicas/);
        expect(() => renderMeteringRuleGroups(prices, { ...billing, region: "FSN 1" })).toThrow(/region/);
        expect(() => renderMeteringRuleGroups(prices, { ...billing, infrastructureMonthlyEur: -5 })).toThrow(/infrastructureMonthlyEur/);
        expect(() => renderMeteringRuleGroups(prices, { ...billing, evaluationMinutes: 7 })).toThrow(/evaluationMinutes/);
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
