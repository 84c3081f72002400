import { describe, expect, it } from "vitest";
import { pricesSchema } from "../../../lib/config/schema";
import {
    ALERTS,
    GROUP_NAMES,
    isAlertingRule,
    RECORDED,
    RULE_MANAGER_METRICS,
    renderAlertRuleGroups,
    renderMeteringRuleGroups,
    TENANT_LABEL_SERIES_NAME,
    BUILD_PROJECT_LABEL_SERIES_NAME,
    THRESHOLDS,
    type AlertingRule,
    type BillingContext,
    type MeteringPrices,
    type MeteringProject,
    type RuleGroup,
} from "../../../components/metering/rules";
import { EDGE_METER_METRICS, NODE_METER_VERSION } from "../../../components/metering/edge-meter";
import { testRules } from "../../helpers/promtool";
import {
    counter,
    edgePodBytes,
    externalBytes,
    initContainerInfo,
    NODE_EXPORTER_TARGET,
    expectedHourlyCost,
    expectedMonth,
    expectedUsage,
    gauge,
    GiB,
    goFixed,
    humanizePercentage,
    inputSeries,
    MiB,
    podInfo,
    podIpOf,
    seriesName,
    TRAEFIK_POD,
    type ExpectedSample,
    type InputSeries,
    type ContainerLoad,
    type NamespaceLoad,
} from "./scenario";

/**
 * `promtool test rules` over the rendered groups: synthetic clusters prove the metering and cost math (the
 * expected numbers are computed from the loads and prices below) and every alert's condition. Every
 * recording rule and every alert has a case where it produces/fires and one where it must not; the last
 * test proves that coverage is complete, so a new rule without a promtool case fails.
 */

// Powers of two: every product and sum of the cost math is exact, so promtool's exact comparison holds.
const prices: MeteringPrices = pricesSchema.parse({ currency: "EUR", cpuCoreHour: 2 ** -4, memoryGiBHour: 2 ** -6, storageGiBHour: 2 ** -10, networkEgressGiB: 2 ** -3 });

const HOUR = 3600;
/**
 * promtool 2.42 (Debian bookworm, what .ci/run installs) selects ranges as [t - r, t]; the rules are rendered
 * for that (see RangeSemantics), every other input as in production.
 */
const REPLICAS = 2;
const shop: NamespaceLoad = {
    namespace: "shop",
    tenant: true,
    containers: [
        // Uses less memory than it requests: billed on the request.
        { pod: "web-0", container: "web", cpuCores: 0.5, workingSetBytes: 256 * MiB, cpuRequestCores: 0.25, memoryRequestBytes: 512 * MiB },
        // Under gVisor: metered from the pod cgroup, sandbox overhead included, never added to the zeros.
        { pod: "render-0", container: "render", cpuCores: 0.25, workingSetBytes: 512 * MiB, cpuRequestCores: 0.125, memoryRequestBytes: 256 * MiB, runtime: "gvisor", sandboxOverheadCores: 1 / 64, sandboxOverheadBytes: 32 * MiB },
        // Uses more than it requests: billed on the working set.
        { pod: "worker-0", container: "worker", cpuCores: 0.25, workingSetBytes: 1 * GiB, cpuRequestCores: 0.5, memoryRequestBytes: 256 * MiB },
    ],
    // A finished migration Job: its requests must not be billed or shown as reserved.
    completed: [{ pod: "migrate-x7k2p", container: "migrate", cpuRequestCores: 1, memoryRequestBytes: 2 * GiB }],
    volumes: [{ pvc: "data-web-0", requestedBytes: 10 * GiB, usedBytes: 4 * GiB, capacityBytes: 10 * GiB }],
    // Of 2048 B/s sent, 1536 B/s go to Traefik (HTTP responses and a public TCP entry point's replies alike)
    // and 256 B/s straight to the internet (the node meter); the rest is in-cluster.
    network: [{ pod: "web-0", receiveBytesPerSecond: 1024, transmitBytesPerSecond: 2048, edgeBytesPerSecond: 1024 + 512, directBytesPerSecond: 256 }],
};
// No volume, no traffic, no requests: those costs are 0, not missing.
const blog: NamespaceLoad = {
    namespace: "blog",
    tenant: true,
    containers: [{ pod: "blog-0", container: "app", cpuCores: 0.125, workingSetBytes: 128 * MiB }],
};
// A platform namespace with the same kind of load (its pods have their own IPs): never metered.
const monitoring: NamespaceLoad = { ...shop, namespace: "monitoring", tenant: false };
const loads = [shop, blog, monitoring];
const tenants = loads.filter((l) => l.tenant);

// Budgets derived from the projected month: shop overspends, blog stays below, docs has no budget.
const METERING_EVAL_HOURS = 26;
const projection = (load: NamespaceLoad, hours: number) => expectedMonth(expectedHourlyCost(load, prices, REPLICAS).total, hours * HOUR).projection;
const docs: NamespaceLoad = { namespace: "docs", tenant: true, containers: [{ pod: "docs-0", container: "docs", cpuCores: 1, workingSetBytes: 1 * GiB }] };
const projects: MeteringProject[] = [
    { name: "shop", budgetMonthly: projection(shop, 27) / 2 },
    { name: "blog", budgetMonthly: projection(blog, 27) * 2 },
    { name: "docs" },
];

// 8 EUR per hour over January's 744 hours: a binary fraction, so the idle line is exact too.
const billing: BillingContext = { region: "fsn1", storageReplicas: REPLICAS, infrastructureMonthlyEur: 744 * 8, rangeSemantics: "prometheus2", ledgerExported: true };
const groups: RuleGroup[] = [...renderMeteringRuleGroups(prices, billing), ...renderAlertRuleGroups(projects, prices)];
const GROUP_ORDER = groups.map((g) => g.name);
const allRecorded = [...new Set(groups.flatMap((g) => g.rules.filter((r) => !isAlertingRule(r)).map((r) => (r as { record: string }).record)))];
const allAlerts = [...new Set(groups.flatMap((g) => g.rules.filter(isAlertingRule).map((r) => r.alert)))];
const alertRule = (name: string) => groups.flatMap((g) => g.rules).find((r): r is AlertingRule => isAlertingRule(r) && r.alert === name)!;

/** Which rules have a producing/firing case and which a silent one. */
const coverage = { fires: new Set<string>(), silent: new Set<string>(), pending: new Set<string>() };

interface ExprTest {
    expr: string;
    eval_time: string;
    exp_samples: ExpectedSample[];
}
interface AlertTest {
    eval_time: string;
    alertname: string;
    exp_alerts: Array<{ exp_labels: Record<string, string>; exp_annotations: Record<string, string> }>;
}
interface TestGroup {
    interval: string;
    input_series: InputSeries[];
    promql_expr_test?: ExprTest[];
    alert_rule_test?: AlertTest[];
}

const testFile = (evaluationInterval: string, tests: TestGroup[]) => ({ evaluation_interval: evaluationInterval, group_eval_order: GROUP_ORDER, tests });
const projectLabels = (namespace: string) => ({ namespace, project: namespace });
const costLabels = (namespace: string) => ({ ...projectLabels(namespace), currency: prices.currency });
const COST_RECORDS = new Set<string>([RECORDED.cpuCostRate, RECORDED.memoryCostRate, RECORDED.storageCostRate, RECORDED.egressCostRate, RECORDED.costRate, RECORDED.lastMonth, RECORDED.cpuCost, RECORDED.memoryCost, RECORDED.storageCost, RECORDED.egressCost, RECORDED.cost, RECORDED.monthToDate, RECORDED.monthlyProjection]);
const labelsOf = (record: string, namespace: string) => (COST_RECORDS.has(record) ? costLabels(namespace) : projectLabels(namespace));

/** A record's samples for the tenants that have a value, and a silent case for a platform namespace. */
function recordCases(record: string, evalHours: number, values: Map<string, number | undefined>, silentNamespace = "monitoring"): ExprTest[] {
    const samples = [...values].filter(([, v]) => v !== undefined).map(([ns, v]) => ({ labels: seriesName(record, labelsOf(record, ns)), value: v! }));
    if (samples.length === 0) {
        throw new Error(`test data gives ${record} no sample: add a load that produces it`);
    }
    coverage.fires.add(record);
    coverage.silent.add(record);
    return [
        { expr: record, eval_time: `${evalHours}h`, exp_samples: samples },
        { expr: `${record}{namespace="${silentNamespace}"}`, eval_time: `${evalHours}h`, exp_samples: [] },
    ];
}

/** Series for the namespace label join: tenants labelled, others not. */
function namespaceSeries(tenantNames: string[], platformNames: string[], samples: number): InputSeries[] {
    return [
        ...tenantNames.map((namespace) => gauge("kube_namespace_labels", { namespace, [TENANT_LABEL_SERIES_NAME]: "true" }, 1, samples)),
        ...platformNames.map((namespace) => gauge("kube_namespace_labels", { namespace }, 1, samples)),
    ];
}

/**
 * Expands the annotation templates the alerts use, with the value and budget this test computed; any
 * other template construct throws, so a changed annotation cannot slip through unexpanded.
 */
function expand(template: string, labels: Record<string, string>, value: number, budget?: number): string {
    const known = (v: number) => {
        if (Number.isNaN(v)) {
            throw new Error("template prints $value but the case gives no expected value");
        }
        return v;
    };
    const out = template
        .replace(/\{\{ with printf "[^"]*" \$labels\.project \| query \}\}\{\{ \. \| first \| value \| printf "%\.2f" \}\}\{\{ end \}\}/g, () => {
            if (budget === undefined) {
                throw new Error("template queries the budget but the case has none");
            }
            return goFixed(budget, 2);
        })
        .replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_m, name: string) => {
            if (labels[name] === undefined) {
                throw new Error(`template uses $labels.${name}, which the alert does not carry`);
            }
            return labels[name]!;
        })
        .replace(/\{\{ \$value \| humanizePercentage \}\}/g, () => humanizePercentage(known(value)))
        .replace(/\{\{ \$value \| printf "%\.(\d)f" \}\}/g, (_m, digits: string) => goFixed(known(value), Number(digits)));
    if (out.includes("{{")) {
        throw new Error(`unexpanded template in: ${out}`);
    }
    return out;
}

/** An expected firing alert: labels are the series labels plus the rule's, annotations expanded. */
function firing(alert: string, seriesLabels: Record<string, string>, value = Number.NaN, budget?: number) {
    const rule = alertRule(alert);
    const labels = { ...seriesLabels, ...rule.labels };
    return {
        exp_labels: labels,
        exp_annotations: { summary: expand(rule.annotations.summary, labels, value, budget), description: expand(rule.annotations.description, labels, value, budget) },
    };
}

/**
 * How long each alert's condition must hold before it fires, as the alerting design asks (README "Metering"):
 * written here, not read from the rules, so a changed `for:` fails the window cases below.
 */
const PENDING_WINDOW_MINUTES: Record<string, number> = {
    [ALERTS.quota]: 15,
    [ALERTS.crashLooping]: 10,
    [ALERTS.certificate]: 60,
    [ALERTS.volume]: 10,
    [ALERTS.budget]: 60,
    [ALERTS.meteringSource]: 10,
    [ALERTS.meteringRules]: 5,
    [ALERTS.ledger]: 30,
};

/**
 * A firing case and a silent case (separate inputs, no alert at all) for one alert. With `pending`, the firing
 * input's condition holds from the first sample, so the case also proves the pending window: no alert a
 * minute before PENDING_WINDOW_MINUTES, firing a minute after.
 */
function alertCases(
    alert: string,
    evalTime: string,
    fires: { input: InputSeries[]; alerts: ReturnType<typeof firing>[] },
    silent: { input: InputSeries[] },
    pending?: "condition holds from the first sample",
): TestGroup[] {
    if (fires.alerts.length === 0) {
        throw new Error(`${alert}: the firing case expects no alert`);
    }
    coverage.fires.add(alert);
    coverage.silent.add(alert);
    const window = PENDING_WINDOW_MINUTES[alert]!;
    const windowTests: AlertTest[] = pending
        ? [
              { eval_time: `${window - 1}m`, alertname: alert, exp_alerts: [] },
              { eval_time: `${window + 1}m`, alertname: alert, exp_alerts: fires.alerts },
          ]
        : [];
    if (pending) {
        coverage.pending.add(alert);
    }
    return [
        { interval: "1m", input_series: fires.input, alert_rule_test: [...windowTests, { eval_time: evalTime, alertname: alert, exp_alerts: fires.alerts }] },
        { interval: "1m", input_series: silent.input, alert_rule_test: [{ eval_time: evalTime, alertname: alert, exp_alerts: [] }] },
    ];
}

type PromtoolFile = ReturnType<typeof testFile>;

/**
 * Builds a promtool case while the file is collected (so the coverage test knows every case whatever runs
 * first or is filtered) and runs promtool in the test; `check` holds assertions about the test data itself.
 */
function promtoolCase(title: string, build: () => { file: PromtoolFile; groups?: RuleGroup[]; check?: () => void }): void {
    const built = build();
    it(title, () => {
        built.check?.();
        const result = testRules(built.groups ?? groups, built.file);
        expect(result.ok, result.output).toBe(true);
        expect(result.output).toContain("SUCCESS");
        // promtool replays every minute of the case through all groups: the 26-hour and 31-day cases take minutes on a
        // loaded machine.
    }, 600_000);
}

describe("metering recording rules under promtool", () => {
    promtoolCase("record usage and hourly cost per tenant namespace, and nothing for platform namespaces", () => {
        const hours = METERING_EVAL_HOURS;
        const samples = hours * 60 + 5;
        const usage = new Map(tenants.map((t) => [t.namespace, expectedUsage(t, REPLICAS)]));
        const cost = new Map(tenants.map((t) => [t.namespace, expectedHourlyCost(t, prices, REPLICAS)]));
        const month = new Map(tenants.map((t) => [t.namespace, expectedMonth(cost.get(t.namespace)!.total, hours * HOUR)]));
        const per = (fn: (ns: string) => number | undefined) => new Map(tenants.map((t) => [t.namespace, fn(t.namespace)]));

        const usageRecords = [
            RECORDED.tenantNamespace,
            RECORDED.cpuCores,
            RECORDED.cpuRequests,
            RECORDED.cpuBillable,
            RECORDED.memoryWorkingSet,
            RECORDED.memoryRequests,
            RECORDED.memoryBillable,
            RECORDED.storageRequested,
            RECORDED.storageBillable,
            RECORDED.storageUsed,
            RECORDED.networkReceiveRate,
            RECORDED.networkTransmitRate,
            RECORDED.edgeEgressRate,
            RECORDED.directEgressRate,
            RECORDED.internetEgressRate,
            RECORDED.internalTransmitRate,
        ];
        const tests: ExprTest[] = [
            ...usageRecords.flatMap((record) => recordCases(record, hours, per((ns) => usage.get(ns)![record]))),
            ...recordCases(RECORDED.cpuCostRate, hours, per((ns) => cost.get(ns)!.cpu)),
            ...recordCases(RECORDED.memoryCostRate, hours, per((ns) => cost.get(ns)!.memory)),
            ...recordCases(RECORDED.storageCostRate, hours, per((ns) => cost.get(ns)!.storage)),
            ...recordCases(RECORDED.egressCostRate, hours, per((ns) => cost.get(ns)!.egress)),
            ...recordCases(RECORDED.costRate, hours, per((ns) => cost.get(ns)!.total)),
            ...recordCases(RECORDED.cpuCost, hours, per((ns) => cost.get(ns)!.cpu)),
            ...recordCases(RECORDED.memoryCost, hours, per((ns) => cost.get(ns)!.memory)),
            ...recordCases(RECORDED.storageCost, hours, per((ns) => cost.get(ns)!.storage)),
            ...recordCases(RECORDED.egressCost, hours, per((ns) => cost.get(ns)!.egress)),
            ...recordCases(RECORDED.cost, hours, per((ns) => cost.get(ns)!.total)),
            ...recordCases(RECORDED.billingMonthStart, hours, per((ns) => month.get(ns)!.monthStart)),
            ...recordCases(RECORDED.monthToDate, hours, per((ns) => month.get(ns)!.monthToDate)),
            ...recordCases(RECORDED.monthlyProjection, hours, per((ns) => month.get(ns)!.projection)),
        ];
        return {
            file: testFile("1m", [{ interval: "1m", input_series: inputSeries(loads, samples), promql_expr_test: tests }]),
            check: () => {
                // The scenario must exercise what it claims: shop's billed memory differs from both sums.
                const shopUsage = usage.get("shop")!;
                expect(shopUsage[RECORDED.memoryBillable]).not.toBe(shopUsage[RECORDED.memoryWorkingSet]);
                expect(shopUsage[RECORDED.memoryBillable]).not.toBe(shopUsage[RECORDED.memoryRequests]);
                expect(cost.get("blog")!.storage).toBe(0);
            },
        };
    });

    promtoolCase("compute the hourly cost exactly at the default prices too", () => {
        const defaults = pricesSchema.parse({});
        const defaultGroups = [...renderMeteringRuleGroups(defaults, billing), ...renderAlertRuleGroups([], defaults)];
        const hours = 2;
        const tests: ExprTest[] = [RECORDED.cpuCost, RECORDED.memoryCost, RECORDED.storageCost, RECORDED.egressCost, RECORDED.cost].map((record) => ({
            expr: record,
            eval_time: `${hours}h`,
            exp_samples: tenants.map((t) => {
                const c = expectedHourlyCost(t, defaults, REPLICAS);
                const value = { [RECORDED.cpuCost]: c.cpu, [RECORDED.memoryCost]: c.memory, [RECORDED.storageCost]: c.storage, [RECORDED.egressCost]: c.egress, [RECORDED.cost]: c.total }[record]!;
                return { labels: seriesName(record, { ...projectLabels(t.namespace), currency: defaults.currency }), value };
            }),
        }));
        return {
            groups: defaultGroups,
            file: { evaluation_interval: "1m", group_eval_order: defaultGroups.map((g) => g.name), tests: [{ interval: "1m", input_series: inputSeries(loads, hours * 60 + 5), promql_expr_test: tests }] },
        };
    });

    promtoolCase("record per-namespace building blocks for every namespace, gVisor pods, and the region cost lines", () => {
        const hours = 2;
        const usage = new Map(loads.map((l) => [l.namespace, expectedUsage(l, REPLICAS)]));
        const nsRecords: Array<[string, string]> = [
            [RECORDED.namespaceCpuCores, RECORDED.cpuCores],
            [RECORDED.namespaceCpuBillable, RECORDED.cpuBillable],
            [RECORDED.namespaceMemoryWorkingSet, RECORDED.memoryWorkingSet],
            [RECORDED.namespaceMemoryBillable, RECORDED.memoryBillable],
        ];
        const tests: ExprTest[] = nsRecords.map(([record, projectRecord]) => {
            coverage.fires.add(record);
            return { expr: record, eval_time: `${hours}h`, exp_samples: loads.map((l) => ({ labels: seriesName(record, { namespace: l.namespace }), value: usage.get(l.namespace)![projectRecord]! })) };
        });
        // Silent: a namespace that runs nothing has no building block (it is not a zero).
        const idleNamespace = namespaceSeries(["empty"], [], hours * 60 + 5);
        tests.push(...nsRecords.map(([record]) => ({ expr: `${record}{namespace="empty"}`, eval_time: `${hours}h`, exp_samples: [] })));
        nsRecords.forEach(([record]) => coverage.silent.add(record));
        tests.push(
            {
                expr: RECORDED.sandboxedPod,
                eval_time: `${hours}h`,
                exp_samples: ["shop", "monitoring"].map((namespace) => ({ labels: seriesName(RECORDED.sandboxedPod, { namespace, pod: "render-0" }), value: 1 })),
            },
            { expr: `${RECORDED.sandboxedPod}{namespace="blog"}`, eval_time: `${hours}h`, exp_samples: [] },
        );
        coverage.fires.add(RECORDED.sandboxedPod);
        coverage.silent.add(RECORDED.sandboxedPod);

        // Region lines: tenants = Σ bills; platform = the monitoring namespace's billable CPU, memory and
        // storage (× replicas) at the tenant prices; infrastructure = the plan's monthly EUR over January's
        // 744 hours; idle = infrastructure − tenants − platform.
        const tenantsRate = tenants.map((t) => expectedHourlyCost(t, prices, REPLICAS).total).reduce((a, b) => a + b, 0);
        const platformUsage = usage.get("monitoring")!;
        const platformRate =
            platformUsage[RECORDED.cpuBillable]! * prices.cpuCoreHour +
            (platformUsage[RECORDED.memoryBillable]! / GiB) * prices.memoryGiBHour +
            ((platformUsage[RECORDED.storageRequested]! * REPLICAS) / GiB) * prices.storageGiBHour;
        const infrastructureRate = billing.infrastructureMonthlyEur! / (31 * 24);
        const idleRate = infrastructureRate - tenantsRate - platformRate;
        const rates = { tenants: tenantsRate, platform: platformRate, infrastructure: infrastructureRate, idle: idleRate };
        // An hour is 60 minute samples added one by one (promtool 2.42's sum_over_time), then / 60.
        const hourOf = (rate: number) => {
            let acc = 0;
            for (let i = 0; i < 60; i++) acc += rate;
            return acc / 60;
        };
        const regionLabels = (line: string) => ({ region: billing.region, line, currency: prices.currency });
        tests.push(
            { expr: RECORDED.regionCostRate, eval_time: `${hours}h`, exp_samples: Object.entries(rates).map(([line, value]) => ({ labels: seriesName(RECORDED.regionCostRate, regionLabels(line)), value })) },
            { expr: RECORDED.regionCost, eval_time: `${hours}h`, exp_samples: Object.entries(rates).map(([line, value]) => ({ labels: seriesName(RECORDED.regionCost, regionLabels(line)), value: hourOf(value) })) },
            { expr: `${RECORDED.regionCostRate}{region!="${billing.region}"}`, eval_time: `${hours}h`, exp_samples: [] },
            { expr: `${RECORDED.regionCost}{region!="${billing.region}"}`, eval_time: `${hours}h`, exp_samples: [] },
        );
        for (const record of [RECORDED.regionCostRate, RECORDED.regionCost]) {
            coverage.fires.add(record);
            coverage.silent.add(record);
        }
        return {
            file: testFile("1m", [{ interval: "1m", input_series: [...inputSeries(loads, hours * 60 + 5), ...idleNamespace], promql_expr_test: tests }]),
            check: () => {
                // The platform line must be more than zero and the idle line what is left of the estimate.
                expect(platformRate).toBeGreaterThan(0);
                expect(idleRate).toBeLessThan(infrastructureRate);
            },
        };
    });
});

/** Hourly-evaluated groups for the month cases: every sample then stands for a whole hour. */
const hourlyBilling: BillingContext = { ...billing, evaluationMinutes: 60 };
const hourlyGroups: RuleGroup[] = [...renderMeteringRuleGroups(prices, hourlyBilling), ...renderAlertRuleGroups(projects, prices)];

/** Parses a promtool `a+bxN` expansion into start and step. */
function expansion(values: string): { start: number; step: number } {
    const match = /^(\S+?)\+(\S+)x\d+$/.exec(values);
    if (!match) {
        throw new Error(`not an a+bxN series: ${values}`);
    }
    return { start: Number(match[1]), step: Number(match[2]) };
}

/**
 * Series that exist only for samples `first`…`last` (a pod's life): nothing before, a staleness marker after
 * (Prometheus writes one when the cgroup's series disappear from a scrape).
 */
function during(series: InputSeries[], first: number, last: number): InputSeries[] {
    return series.map((s) => {
        const { start, step } = expansion(s.values);
        return { series: s.series, values: `${first > 0 ? `_x${first} ` : ""}${start}+${step}x${last - first} stale` };
    });
}

/**
 * Series with a scrape gap of `length` samples from `from` on: the failed scrape writes staleness markers,
 * nothing is sampled until the target answers again, and a counter then shows what it counted meanwhile.
 */
function withGap(series: InputSeries[], from: number, length: number, samples: number): InputSeries[] {
    return series.map((s) => {
        const { start, step } = expansion(s.values);
        const resume = from + length;
        return { series: s.series, values: `${start}+${step}x${from - 1} stale${length > 1 ? ` _x${length - 1}` : ""} ${start + step * resume}+${step}x${samples - resume}` };
    });
}

/** Only the kubelet's cAdvisor series of a load (what a kubelet scrape gap removes). */
const fromKubelet = (s: InputSeries) => s.series.startsWith("container_");

describe("billing acceptance under promtool", () => {
    promtoolCase("bill a gVisor pod within 1% of a runc pod doing the same work, sandbox overhead included, whether its container series are absent or zero", () => {
        const work = { container: "app", cpuCores: 0.5, workingSetBytes: 1 * GiB, cpuRequestCores: 0.25, memoryRequestBytes: 512 * MiB };
        const runc: NamespaceLoad = { namespace: "alpha", tenant: true, containers: [{ pod: "app-0", ...work }] };
        // The Sentry/Gofer overhead: 1/256 core and 4 MiB, accounted in the pod cgroup with the workload. beta:
        // cgroup v2 + systemd, no per-container series at all (google/gvisor#13067); gamma: they exist and read 0.
        const sandboxed = { runtime: "gvisor" as const, sandboxOverheadCores: 1 / 256, sandboxOverheadBytes: 4 * MiB };
        const gvisorAbsent: NamespaceLoad = { namespace: "beta", tenant: true, containers: [{ pod: "app-0", ...work, ...sandboxed, gvisorContainerSeries: "absent" }] };
        const gvisorZero: NamespaceLoad = { namespace: "gamma", tenant: true, containers: [{ pod: "app-0", ...work, ...sandboxed, gvisorContainerSeries: "zero" }] };
        const loads3 = [runc, gvisorAbsent, gvisorZero];
        const hours = 2;
        const cost = (l: NamespaceLoad) => expectedHourlyCost(l, prices, REPLICAS);
        const tests: ExprTest[] = [RECORDED.cpuCost, RECORDED.memoryCost, RECORDED.cost].map((record) => ({
            expr: record,
            eval_time: `${hours}h`,
            exp_samples: loads3.map((l) => {
                const c = cost(l);
                return { labels: seriesName(record, costLabels(l.namespace)), value: record === RECORDED.cpuCost ? c.cpu : record === RECORDED.memoryCost ? c.memory : c.total };
            }),
        }));
        const input = inputSeries(loads3, hours * 60 + 5);
        return {
            file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]),
            check: () => {
                // The input has what it claims: beta has no series of its container, gamma has them at 0.
                const ofContainer = (ns: string) =>
                    input.filter((i) => i.series.startsWith("container_") && !i.series.startsWith("container_start_time_seconds") && i.series.includes(`namespace="${ns}"`) && i.series.includes('container="app"'));
                expect(ofContainer("beta")).toEqual([]);
                expect(ofContainer("gamma").map((i) => i.values)).toEqual([`0+0x${hours * 60 + 5}`, `0+0x${hours * 60 + 5}`]);
                const [a, b] = [cost(runc).total, cost(gvisorAbsent).total];
                expect(cost(gvisorZero).total).toBe(b);
                expect(Math.abs(b - a) / a).toBeLessThan(0.01);
                // The overhead is billed (not dropped), and the pod is not billed twice (cgroup + containers).
                expect(b).toBeGreaterThan(a);
                expect(b).toBeLessThan(1.5 * a);
            },
        };
    });

    promtoolCase("bill a multi-container pod by one formula under both runtimes: max(Σ requests, Σ use) per pod, gVisor within 1% of runc", () => {
        // One container uses more than it requests, the other less: per container (runc's old formula) the pod
        // cost max(0.25, 0.5) + max(0.5, 0.125) = 1 core, per pod max(0.75, 0.625) = 0.75; gVisor can only be
        // measured per pod (the Sentry runs both containers in the pod cgroup), so both are billed per pod.
        const containers: ContainerLoad[] = [
            { pod: "app-0", container: "api", cpuCores: 0.5, workingSetBytes: 256 * MiB, cpuRequestCores: 0.25, memoryRequestBytes: 512 * MiB },
            { pod: "app-0", container: "sidecar", cpuCores: 0.125, workingSetBytes: 512 * MiB, cpuRequestCores: 0.5, memoryRequestBytes: 128 * MiB },
        ];
        const runc: NamespaceLoad = { namespace: "alpha", tenant: true, containers };
        const gvisor: NamespaceLoad = {
            namespace: "beta",
            tenant: true,
            // The sandbox overhead is in the pod cgroup with the work, carried by the first container's load.
            containers: containers.map((c, i) => ({ ...c, runtime: "gvisor" as const, ...(i === 0 ? { sandboxOverheadCores: 1 / 256, sandboxOverheadBytes: 4 * MiB } : {}) })),
        };
        const hours = 2;
        const cost = (l: NamespaceLoad) => expectedHourlyCost(l, prices, REPLICAS);
        const usage = (l: NamespaceLoad) => expectedUsage(l, REPLICAS);
        const tests: ExprTest[] = [
            ...[RECORDED.cpuBillable, RECORDED.memoryBillable].map((record) => ({
                expr: record,
                eval_time: `${hours}h`,
                exp_samples: [runc, gvisor].map((l) => ({ labels: seriesName(record, projectLabels(l.namespace)), value: usage(l)[record]! })),
            })),
            { expr: RECORDED.cost, eval_time: `${hours}h`, exp_samples: [runc, gvisor].map((l) => ({ labels: seriesName(RECORDED.cost, costLabels(l.namespace)), value: cost(l).total })) },
        ];
        return {
            file: testFile("1m", [{ interval: "1m", input_series: inputSeries([runc, gvisor], hours * 60 + 5), promql_expr_test: tests }]),
            check: () => {
                expect(usage(runc)[RECORDED.cpuBillable]).toBe(0.75);
                expect(usage(runc)[RECORDED.memoryBillable]).toBe(768 * MiB);
                const [a, b] = [cost(runc).total, cost(gvisor).total];
                expect(Math.abs(b - a) / a).toBeLessThan(0.01);
            },
        };
    });

    promtoolCase("bill a Job that ran 11 minutes for 11 minutes of its request, not for the hour", () => {
        const job: NamespaceLoad = { namespace: "batch", tenant: true, containers: [{ pod: "import-x7k2p", container: "import", cpuCores: 0.25, workingSetBytes: 1 * GiB, cpuRequestCores: 1, memoryRequestBytes: 4 * GiB }] };
        const samples = 75;
        // Samples at minutes 10…20 (11 minutes of cgroup), stale from minute 21; kube-state-metrics keeps
        // the requests of the completed pod until it is deleted.
        const input = [...inputSeries([{ ...job, containers: [] }], samples), ...inputSeries([job], samples).filter((s) => !s.series.startsWith("kube_namespace_labels")).flatMap((s) => (fromKubelet(s) ? during([s], 10, 20) : [s]))];
        const perMinute = expectedHourlyCost(job, prices, REPLICAS); // the cost rate while it runs
        const minutesOf = (rate: number, minutes: number) => {
            let acc = 0;
            for (let i = 0; i < minutes; i++) acc += rate;
            return acc / 60;
        };
        const tests: ExprTest[] = [
            { expr: RECORDED.memoryCost, eval_time: "60m", exp_samples: [{ labels: seriesName(RECORDED.memoryCost, costLabels("batch")), value: minutesOf(perMinute.memory, 11) }] },
            { expr: RECORDED.cpuCost, eval_time: "60m", exp_samples: [{ labels: seriesName(RECORDED.cpuCost, costLabels("batch")), value: minutesOf(perMinute.cpu, 11) }] },
            { expr: `count_over_time(${RECORDED.memoryBillable}{project="batch"}[3599999ms])`, eval_time: "60m", exp_samples: [{ labels: `{namespace="batch", project="batch"}`, value: 11 }] },
        ];
        return {
            file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]),
            check: () => {
                // Billed on its 4 GiB request (not the 1 GiB used), for 11/60 of an hour: 5.5x less than before.
                expect(minutesOf(perMinute.memory, 11)).toBeCloseTo((4 * prices.memoryGiBHour * 11) / 60, 12);
            },
        };
    });

    promtoolCase("lose at most the 5 minutes of a kubelet scrape gap: memory for those minutes, CPU use not at all", () => {
        const steady: NamespaceLoad = { namespace: "steady", tenant: true, containers: [{ pod: "api-0", container: "api", cpuCores: 0.5, workingSetBytes: 1 * GiB, cpuRequestCores: 0.25, memoryRequestBytes: 256 * MiB }] };
        const samples = 75;
        // The kubelet does not answer at minutes 30…34; kube-state-metrics keeps answering.
        const input = inputSeries([steady], samples).flatMap((s) => (fromKubelet(s) ? withGap([s], 30, 5, samples) : [s]));
        const rate = expectedHourlyCost(steady, prices, REPLICAS);
        const minutesOf = (value: number, minutes: number) => {
            let acc = 0;
            for (let i = 0; i < minutes; i++) acc += value;
            return acc / 60;
        };
        // The CPU counter kept counting: the minute after the gap bills the 6 minutes' use since the last sample
        // (0.5 cores × 6 > the 0.25-core request), so the hour bills all 60 minutes of use.
        const cpuMinutes = Array.from({ length: 60 }, (_, i) => i + 1)
            .filter((m) => m < 30 || m >= 35)
            .map((m) => (m === 35 ? 0.5 * 6 : 0.5) * prices.cpuCoreHour);
        const tests: ExprTest[] = [
            { expr: RECORDED.cpuCost, eval_time: "60m", exp_samples: [{ labels: seriesName(RECORDED.cpuCost, costLabels("steady")), value: cpuMinutes.reduce((a, b) => a + b, 0) / 60 }] },
            { expr: RECORDED.memoryCost, eval_time: "60m", exp_samples: [{ labels: seriesName(RECORDED.memoryCost, costLabels("steady")), value: minutesOf(rate.memory, 55) }] },
            { expr: RECORDED.cpuBillable, eval_time: "35m", exp_samples: [{ labels: seriesName(RECORDED.cpuBillable, projectLabels("steady")), value: 0.5 * 6 }] },
            { expr: RECORDED.cpuBillable, eval_time: "32m", exp_samples: [] },
        ];
        return { file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]) };
    });

    promtoolCase("bill internet egress through Traefik and never in-cluster traffic", () => {
        const web: NamespaceLoad = { namespace: "web", tenant: true, network: [{ pod: "site-0", receiveBytesPerSecond: 4096, transmitBytesPerSecond: 8192, edgeBytesPerSecond: 2048 }] };
        // Sends 1 MiB/s, all of it to other pods (a database, a cache, the platform's scrapes): not billed.
        const chatty: NamespaceLoad = { namespace: "chatty", tenant: true, network: [{ pod: "worker-0", receiveBytesPerSecond: 1024, transmitBytesPerSecond: 1 * MiB }] };
        const hours = 2;
        const egress = (l: NamespaceLoad) => expectedHourlyCost(l, prices, REPLICAS).egress;
        const tests: ExprTest[] = [
            { expr: RECORDED.egressCost, eval_time: `${hours}h`, exp_samples: [web, chatty].map((l) => ({ labels: seriesName(RECORDED.egressCost, costLabels(l.namespace)), value: egress(l) })) },
            { expr: RECORDED.internetEgressRate, eval_time: `${hours}h`, exp_samples: [{ labels: seriesName(RECORDED.internetEgressRate, projectLabels("web")), value: 2048 }] },
            {
                expr: RECORDED.internalTransmitRate,
                eval_time: `${hours}h`,
                exp_samples: [
                    { labels: seriesName(RECORDED.internalTransmitRate, projectLabels("web")), value: 8192 - 2048 },
                    { labels: seriesName(RECORDED.internalTransmitRate, projectLabels("chatty")), value: 1 * MiB },
                ],
            },
        ];
        return {
            file: testFile("1m", [{ interval: "1m", input_series: inputSeries([web, chatty], hours * 60 + 5), promql_expr_test: tests }]),
            check: () => {
                expect(egress(chatty)).toBe(0);
                expect(egress(web)).toBeGreaterThan(0);
            },
        };
    });

    promtoolCase("bill what a project's pods send to Traefik and to the internet by pod IP: Service names that collide, IP reuse and in-cluster peers change nothing", () => {
        // Namespace shop + Service api-x and namespace shop-api + Service x: Traefik names both backends
        // shop-api-x-http@kubernetes (a name join fails many-to-many). Metering goes by pod IP instead.
        const shopApiX: NamespaceLoad = { namespace: "shop", tenant: true, network: [{ pod: "api-x-0", receiveBytesPerSecond: 8192, transmitBytesPerSecond: 16384, edgeBytesPerSecond: 4096 }] };
        const shopApi: NamespaceLoad = { namespace: "shop-api", tenant: true, network: [{ pod: "x-0", receiveBytesPerSecond: 2048, transmitBytesPerSecond: 8192, edgeBytesPerSecond: 1024, directBytesPerSecond: 512 }] };
        const hours = 2;
        const samples = hours * 60 + 5;
        const ipOf = (l: NamespaceLoad) => podIpOf(l.namespace, l.network![0]!.pod);
        // A second Traefik pod on the second edge node, which api-x-0 also answers (2048 B/s more).
        const traefikB = { namespace: "traefik", pod: "traefik-7d9c6b5f4-m4n5p", podIp: "10.42.4.9", node: "fsn1-edge-1", hostIp: "100.64.0.32" };
        const edgeB = { ...NODE_EXPORTER_TARGET, instance: `${traefikB.hostIp}:9100`, pod: "kube-prometheus-stack-prometheus-node-exporter-q8r4t" };
        const workerOnEdge = { namespace: "shop-api", pod: "worker-6f7b9c-abcde", podIp: "10.42.3.40", node: "fsn1-edge-0", hostIp: "100.64.0.31" };
        const databaseOnEdge = { namespace: "shop-api", pod: "postgres-1", podIp: "10.42.3.41", node: "fsn1-edge-0", hostIp: "100.64.0.31" };
        const decoys = [
            ...podInfo(traefikB, samples),
            counter(EDGE_METER_METRICS.edgePodBytes, { ...edgeB, source_ip: ipOf(shopApiX), destination_ip: traefikB.podIp }, 2048 * 60, samples),
            // A tenant pod on an edge node talking to its database there: the destination is no Traefik pod.
            ...podInfo(workerOnEdge, samples),
            ...podInfo(databaseOnEdge, samples),
            edgePodBytes(workerOnEdge.podIp, databaseOnEdge.podIp, 65536, samples),
            // Traefik's own requests to a backend: the source is Traefik, the destination a tenant pod.
            edgePodBytes(TRAEFIK_POD.podIp, ipOf(shopApiX), 32768, samples),
            // A finished Job pod of shop still reports the address x-0 of shop-api holds now.
            ...podInfo({ namespace: "shop", pod: "migrate-x7k2p", podIp: ipOf(shopApi), node: "fsn1-run-0", hostIp: "100.64.0.21" }, samples, "Succeeded"),
            // What Traefik and kube-state-metrics also export and metering no longer reads: the colliding backend name.
            ...["200", "101"].map((code) =>
                counter("traefik_service_responses_bytes_total", { namespace: "traefik", instance: "traefik-0", service: "shop-api-x-http@kubernetes", code, method: "GET", protocol: code === "101" ? "websocket" : "http" }, 60 * 1024, samples),
            ),
            ...[
                ["shop", "api-x", "10.43.12.40"],
                ["shop-api", "x", "10.43.77.3"],
            ].map(([namespace, service, clusterIp]) => gauge("kube_service_info", { namespace: namespace!, service: service!, uid: `uid-${service}`, cluster_ip: clusterIp!, external_name: "", load_balancer_ip: "", external_traffic_policy: "" }, 1, samples)),
        ];
        const expected = { shop: { edge: 4096 + 2048, direct: undefined }, "shop-api": { edge: 1024, direct: 512 } } as const;
        const perNamespace = (record: string, value: (ns: keyof typeof expected) => number | undefined, labels = projectLabels) =>
            (Object.keys(expected) as Array<keyof typeof expected>).filter((ns) => value(ns) !== undefined).map((ns) => ({ labels: seriesName(record, labels(ns)), value: value(ns)! }));
        const internet = (ns: keyof typeof expected) => expected[ns].edge + (expected[ns].direct ?? 0);
        const transmit = { shop: 16384, "shop-api": 8192 };
        const tests: ExprTest[] = [
            { expr: RECORDED.edgeEgressRate, eval_time: `${hours}h`, exp_samples: perNamespace(RECORDED.edgeEgressRate, (ns) => expected[ns].edge) },
            { expr: RECORDED.directEgressRate, eval_time: `${hours}h`, exp_samples: perNamespace(RECORDED.directEgressRate, (ns) => expected[ns].direct) },
            { expr: RECORDED.internetEgressRate, eval_time: `${hours}h`, exp_samples: perNamespace(RECORDED.internetEgressRate, internet) },
            { expr: RECORDED.internalTransmitRate, eval_time: `${hours}h`, exp_samples: perNamespace(RECORDED.internalTransmitRate, (ns) => transmit[ns] - internet(ns)) },
            { expr: RECORDED.egressCost, eval_time: `${hours}h`, exp_samples: perNamespace(RECORDED.egressCost, (ns) => ((internet(ns) * 3600) / GiB) * prices.networkEgressGiB, costLabels) },
        ];
        return {
            file: testFile("1m", [{ interval: "1m", input_series: [...inputSeries([shopApiX, shopApi, { namespace: "monitoring", tenant: false }], samples), ...decoys], promql_expr_test: tests }]),
            check: () => {
                // The loads' own model agrees with the hand-written totals (the second Traefik pod is a decoy series).
                expect(expectedUsage(shopApi, REPLICAS)[RECORDED.internetEgressRate]).toBe(internet("shop-api"));
                expect(ipOf(shopApi)).not.toBe(ipOf(shopApiX));
            },
        };
    });

    promtoolCase("bill a single response once, whichever half-minute scrape it lands in (exact counter increases, not irate samples)", () => {
        // kube-prometheus-stack scrapes every 30 s and the rules run every minute. Two pods each burn 30 CPU
        // seconds in one scrape interval and send one 60 KiB response, one landing on a half-minute sample
        // (20.5 min), one on a minute sample (25 min): irate billed the first 0 and the second twice.
        const BURST_CPU_SECONDS = 30;
        const BURST_BYTES = 60 * 1024;
        const halfMinutes = 2 * 60 + 10;
        const step = (at: number, value: number) => `0x${at - 1} ${value}x${halfMinutes - at}`;
        const pods = [
            { pod: "half-0", at: 41 },
            { pod: "full-0", at: 50 },
        ];
        const input: InputSeries[] = [...inputSeries([{ namespace: "burst", tenant: true }], halfMinutes)];
        for (const { pod, at } of pods) {
            const scope = { namespace: "burst", pod, container: "app", image: "example/app:1.0", id: `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${pod}.slice/cri-containerd-app0.scope`, name: "app0" };
            input.push({ series: seriesName("container_cpu_usage_seconds_total", scope), values: step(at, BURST_CPU_SECONDS) });
            input.push(gauge("container_memory_working_set_bytes", scope, 0, halfMinutes));
            input.push(...podInfo({ namespace: "burst", pod, podIp: podIpOf("burst", pod), node: "fsn1-run-0", hostIp: "100.64.0.21" }, halfMinutes));
            input.push({ series: seriesName(EDGE_METER_METRICS.edgePodBytes, { ...NODE_EXPORTER_TARGET, source_ip: podIpOf("burst", pod), destination_ip: TRAEFIK_POD.podIp }), values: step(at, BURST_BYTES) });
        }
        input.push(...podInfo(TRAEFIK_POD, halfMinutes));
        const hour = "3599999ms";
        const labels = projectLabels("burst");
        const tests: ExprTest[] = [
            // Core-minutes billed in the hour × 60 = CPU seconds; egress bytes per second per minute × 60 = bytes.
            { expr: `sum_over_time(${RECORDED.cpuBillable}{project="burst"}[${hour}]) * 60`, eval_time: "60m", exp_samples: [{ labels: seriesName("", labels), value: 2 * BURST_CPU_SECONDS }] },
            { expr: `sum_over_time(${RECORDED.edgeEgressRate}{project="burst"}[${hour}]) * 60`, eval_time: "60m", exp_samples: [{ labels: seriesName("", labels), value: 2 * BURST_BYTES }] },
            // Each burst is billed in the minute that contains it: 20.5 min in the window ending at 21 min.
            { expr: RECORDED.cpuBillable, eval_time: "21m", exp_samples: [{ labels: seriesName(RECORDED.cpuBillable, labels), value: BURST_CPU_SECONDS / 60 }] },
            { expr: RECORDED.cpuBillable, eval_time: "25m", exp_samples: [{ labels: seriesName(RECORDED.cpuBillable, labels), value: BURST_CPU_SECONDS / 60 }] },
            { expr: `${RECORDED.edgeEgressRate}`, eval_time: "21m", exp_samples: [{ labels: seriesName(RECORDED.edgeEgressRate, labels), value: BURST_BYTES / 60 }] },
            { expr: `${RECORDED.edgeEgressRate}`, eval_time: "25m", exp_samples: [{ labels: seriesName(RECORDED.edgeEgressRate, labels), value: BURST_BYTES / 60 }] },
            { expr: `${RECORDED.edgeEgressRate}`, eval_time: "22m", exp_samples: [{ labels: seriesName(RECORDED.edgeEgressRate, labels), value: 0 }] },
        ];
        return { file: testFile("1m", [{ interval: "30s", input_series: input, promql_expr_test: tests }]) };
    });

    promtoolCase("bill a counter reset (the node meter reloaded) as the growth before plus the growth since, not a negative or a jump", () => {
        // 1 KiB/s sent to Traefik, scraped every 30 s; at 20.25 min the meter's table is reloaded and its
        // counters restart from 0 (15 s later the scrape reads 15 KiB).
        const halfMinutes = 2 * 60 + 10;
        const perScrape = 30 * 1024;
        const pod = { namespace: "steady", pod: "api-0", podIp: podIpOf("steady", "api-0"), node: "fsn1-run-0", hostIp: "100.64.0.21" };
        const values = `0+${perScrape}x40 ${15 * 1024}+${perScrape}x${halfMinutes - 41}`;
        const input: InputSeries[] = [
            ...inputSeries([{ namespace: "steady", tenant: true }], halfMinutes),
            ...podInfo(pod, halfMinutes),
            ...podInfo(TRAEFIK_POD, halfMinutes),
            { series: seriesName(EDGE_METER_METRICS.edgePodBytes, { ...NODE_EXPORTER_TARGET, source_ip: pod.podIp, destination_ip: TRAEFIK_POD.podIp }), values },
        ];
        // What the counter shows grew: 40 scrapes before the reset, then from 0 to its value at 60 min.
        const before = 40 * perScrape;
        const since = 15 * 1024 + (120 - 41) * perScrape;
        const tests: ExprTest[] = [
            { expr: `sum_over_time(${RECORDED.edgeEgressRate}{project="steady"}[3599999ms]) * 60`, eval_time: "60m", exp_samples: [{ labels: seriesName("", projectLabels("steady")), value: before + since }] },
            // The minute of the reset bills the growth since it (15 KiB + one scrape), never a negative.
            { expr: RECORDED.edgeEgressRate, eval_time: "21m", exp_samples: [{ labels: seriesName(RECORDED.edgeEgressRate, projectLabels("steady")), value: (15 * 1024 + perScrape) / 60 }] },
        ];
        return { file: testFile("1m", [{ interval: "30s", input_series: input, promql_expr_test: tests }]) };
    });

    promtoolCase("close January as the sum of its 744 hours, its last hour included, and start February at 0", () => {
        const base: ContainerLoad = { pod: "web-0", container: "web", cpuCores: 0.5, workingSetBytes: 512 * MiB, memoryRequestBytes: 256 * MiB };
        // A batch pod running only in January's last hour (minutes 44581…44640, stale after).
        const batch: ContainerLoad = { pod: "close-books", container: "batch", cpuCores: 1, workingSetBytes: 2 * GiB, cpuRequestCores: 2, memoryRequestBytes: 2 * GiB };
        const shopLoad: NamespaceLoad = { namespace: "shop", tenant: true, containers: [base] };
        const samples = (31 * 24 + 5) * 60 + 5;
        const lastHourStart = (31 * 24 - 1) * 60;
        const batchSeries = inputSeries([{ namespace: "shop", tenant: false, containers: [batch] }], samples)
            .filter((s) => !s.series.startsWith("kube_namespace_labels"))
            .flatMap((s) => during([s], lastHourStart + 1, lastHourStart + 60));
        const hourly = expectedHourlyCost(shopLoad, prices, REPLICAS).total;
        const lastHour = expectedHourlyCost({ ...shopLoad, containers: [base, batch] }, prices, REPLICAS).total;
        // January: 744 hourly samples, summed one by one, the last one with the batch.
        let january = 0;
        for (let h = 1; h <= 743; h++) january += hourly;
        january += lastHour;
        const febFiveHours = expectedMonth(hourly, (31 * 24 + 5) * HOUR).monthToDate;
        const at = (h: number) => `${h}h`;
        const tests: ExprTest[] = [
            // Jan 31 23:00: 743 full hours so far, nothing closed yet.
            { expr: RECORDED.monthToDate, eval_time: at(743), exp_samples: [{ labels: seriesName(RECORDED.monthToDate, costLabels("shop")), value: expectedMonth(hourly, 743 * HOUR).monthToDate }] },
            { expr: RECORDED.monthlyProjection, eval_time: at(743), exp_samples: [{ labels: seriesName(RECORDED.monthlyProjection, costLabels("shop")), value: expectedMonth(hourly, 743 * HOUR).projection }] },
            { expr: RECORDED.lastMonth, eval_time: at(743), exp_samples: [] },
            // Feb 1 00:00 and 05:00: January closed, last hour included; February counts from 0.
            { expr: RECORDED.lastMonth, eval_time: at(744), exp_samples: [{ labels: seriesName(RECORDED.lastMonth, costLabels("shop")), value: january }] },
            { expr: RECORDED.lastMonth, eval_time: at(749), exp_samples: [{ labels: seriesName(RECORDED.lastMonth, costLabels("shop")), value: january }] },
            { expr: RECORDED.monthToDate, eval_time: at(744), exp_samples: [{ labels: seriesName(RECORDED.monthToDate, costLabels("shop")), value: 0 }] },
            { expr: RECORDED.monthToDate, eval_time: at(749), exp_samples: [{ labels: seriesName(RECORDED.monthToDate, costLabels("shop")), value: febFiveHours }] },
            { expr: RECORDED.billingMonthStart, eval_time: at(749), exp_samples: [{ labels: seriesName(RECORDED.billingMonthStart, projectLabels("shop")), value: 31 * 24 * HOUR }] },
            { expr: `${RECORDED.lastMonth}{namespace="monitoring"}`, eval_time: at(749), exp_samples: [] },
        ];
        coverage.fires.add(RECORDED.lastMonth);
        coverage.silent.add(RECORDED.lastMonth);
        return {
            groups: hourlyGroups,
            file: {
                evaluation_interval: "1h",
                group_eval_order: hourlyGroups.map((g) => g.name),
                tests: [{ interval: "1m", input_series: [...inputSeries([shopLoad, { ...shopLoad, namespace: "monitoring", tenant: false }], samples), ...batchSeries], promql_expr_test: tests }],
            },
            check: () => {
                expect(lastHour).toBeGreaterThan(hourly);
                expect(expectedMonth(hourly, 31 * 24 * HOUR).monthStart).toBe(31 * 24 * HOUR);
                expect(febFiveHours).toBe(hourly * 5);
            },
        };
    });
});

describe("project alerts under promtool", () => {
    const minutes = 3 * 60;
    const ns = (tenantNames: string[], platformNames: string[] = ["monitoring"]) => namespaceSeries(tenantNames, platformNames, minutes);

    promtoolCase(`${ALERTS.quota}: fires above ${THRESHOLDS.quotaRatio} of a hard quota in a tenant namespace only`, () => {
        const quota = (namespace: string, resource: string, used: number, hard: number) => [
            gauge("kube_resourcequota", { namespace, resourcequota: "compute-and-objects", resource, type: "used" }, used, minutes),
            gauge("kube_resourcequota", { namespace, resourcequota: "compute-and-objects", resource, type: "hard" }, hard, minutes),
        ];
        const silent = [
            ...quota("shop", "requests.cpu", 2, 4),
            ...quota("shop", "requests.memory", 9, 10), // exactly 90 %: not above
            ...quota("shop", "services.loadbalancers", 0, 0), // a prohibition, not a quota
            ...quota("monitoring", "pods", 10, 10), // not a tenant
        ];
        const labels = { ...projectLabels("shop"), resourcequota: "compute-and-objects", resource: "pods" };
        const cases = alertCases(
            ALERTS.quota,
            "1h",
            { input: [...ns(["shop"]), ...silent, ...quota("shop", "pods", 19, 20)], alerts: [firing(ALERTS.quota, labels, 19 / 20)] },
            { input: [...ns(["shop"]), ...silent] },
            "condition holds from the first sample",
        );
        return { file: testFile("1m", cases) };
    });

    promtoolCase(`${ALERTS.crashLooping}: fires on CrashLoopBackOff or more than ${THRESHOLDS.restartsIn15m} restarts in 15m`, () => {
        const container = (namespace: string, pod: string, name: string) => ({ namespace, pod, container: name });
        const silent = [
            gauge("kube_pod_container_status_waiting_reason", { ...container("shop", "api-0", "api"), reason: "ContainerCreating" }, 1, minutes),
            gauge("kube_pod_container_status_restarts_total", container("shop", "api-0", "api"), 2, minutes), // restarted long ago
            gauge("kube_pod_container_status_waiting_reason", { ...container("monitoring", "grafana-0", "grafana"), reason: "CrashLoopBackOff" }, 1, minutes),
        ];
        const cases = alertCases(
            ALERTS.crashLooping,
            "1h",
            {
                input: [
                    ...ns(["shop"]),
                    ...silent,
                    gauge("kube_pod_container_status_waiting_reason", { ...container("shop", "web-0", "web"), reason: "CrashLoopBackOff" }, 1, minutes),
                    counter("kube_pod_container_status_restarts_total", container("shop", "worker-0", "worker"), 1, minutes), // a restart a minute
                ],
                alerts: [
                    firing(ALERTS.crashLooping, { ...projectLabels("shop"), pod: "web-0", container: "web" }),
                    firing(ALERTS.crashLooping, { ...projectLabels("shop"), pod: "worker-0", container: "worker" }),
                ],
            },
            { input: [...ns(["shop"]), ...silent] },
        );
        return { file: testFile("1m", cases) };
    });

    promtoolCase(`${ALERTS.certificate}: fires below ${THRESHOLDS.certificateDays} days, with either namespace label`, () => {
        const evalSeconds = 2 * HOUR;
        const expiry = (days: number) => days * 86400 + evalSeconds;
        const cert = (labels: Record<string, string>, days: number) => gauge("certmanager_certificate_expiration_timestamp_seconds", labels, expiry(days), minutes);
        const silent = [
            cert({ namespace: "shop", name: "api-tls" }, 60),
            cert({ namespace: "shop", name: "edge-tls" }, THRESHOLDS.certificateDays), // exactly 14 days: not below
            cert({ namespace: "cert-manager", exported_namespace: "monitoring", name: "grafana-tls" }, 1), // not a tenant
            // Not issued yet: cert-manager reports an expiration timestamp of 0.
            gauge("certmanager_certificate_expiration_timestamp_seconds", { namespace: "shop", name: "pending-tls" }, 0, minutes),
        ];
        const firingCerts = [
            cert({ namespace: "shop", name: "web-tls" }, 10),
            // cert-manager scraped without honorLabels: the Certificate's namespace is exported_namespace.
            cert({ namespace: "cert-manager", exported_namespace: "blog", name: "blog-tls" }, 5.5),
        ];
        const remaining = (days: number) => (expiry(days) - evalSeconds) / 86400;
        const cases = alertCases(
            ALERTS.certificate,
            "2h",
            {
                input: [...ns(["shop", "blog"]), ...silent, ...firingCerts],
                alerts: [
                    firing(ALERTS.certificate, { ...projectLabels("shop"), name: "web-tls" }, remaining(10)),
                    firing(ALERTS.certificate, { ...projectLabels("blog"), name: "blog-tls" }, remaining(5.5)),
                ],
            },
            { input: [...ns(["shop", "blog"]), ...silent] },
        );
        // The normalised expiry series behind the alert, for tenants only.
        cases[0]!.promql_expr_test = [
            {
                expr: RECORDED.certificateExpiry,
                eval_time: "2h",
                exp_samples: [
                    { labels: seriesName(RECORDED.certificateExpiry, { ...projectLabels("shop"), name: "web-tls" }), value: expiry(10) },
                    { labels: seriesName(RECORDED.certificateExpiry, { ...projectLabels("shop"), name: "api-tls" }), value: expiry(60) },
                    { labels: seriesName(RECORDED.certificateExpiry, { ...projectLabels("shop"), name: "edge-tls" }), value: expiry(THRESHOLDS.certificateDays) },
                    { labels: seriesName(RECORDED.certificateExpiry, { ...projectLabels("blog"), name: "blog-tls" }), value: expiry(5.5) },
                ],
            },
            { expr: `${RECORDED.certificateExpiry}{namespace="monitoring"}`, eval_time: "2h", exp_samples: [] },
        ];
        coverage.fires.add(RECORDED.certificateExpiry);
        coverage.silent.add(RECORDED.certificateExpiry);
        return { file: testFile("1m", cases) };
    });

    promtoolCase(`${ALERTS.volume}: fires above ${THRESHOLDS.volumeRatio} of capacity in a tenant namespace only`, () => {
        const volume = (namespace: string, pvc: string, used: number, capacity: number) => [
            gauge("kubelet_volume_stats_used_bytes", { namespace, persistentvolumeclaim: pvc, instance: "node-a" }, used, minutes),
            gauge("kubelet_volume_stats_capacity_bytes", { namespace, persistentvolumeclaim: pvc, instance: "node-a" }, capacity, minutes),
        ];
        const silent = [...volume("blog", "data-blog-0", 5 * GiB, 10 * GiB), ...volume("monitoring", "prometheus-db", 10 * GiB, 10 * GiB)];
        const cases = alertCases(
            ALERTS.volume,
            "1h",
            {
                input: [...ns(["shop", "blog"]), ...silent, ...volume("shop", "data-web-0", 9 * GiB, 10 * GiB)],
                alerts: [firing(ALERTS.volume, { ...projectLabels("shop"), persistentvolumeclaim: "data-web-0" }, (9 * GiB) / (10 * GiB))],
            },
            { input: [...ns(["shop", "blog"]), ...silent] },
            "condition holds from the first sample",
        );
        return { file: testFile("1m", cases) };
    });

    promtoolCase(`${ALERTS.budget}: fires when the projected month exceeds the budget, only for projects with one`, () => {
        const evalHours = 27;
        const samples = evalHours * 60 + 5;
        const shopProjection = projection(shop, evalHours);
        const shopBudget = projects.find((p) => p.name === "shop")!.budgetMonthly!;
        const cases = alertCases(
            ALERTS.budget,
            `${evalHours}h`,
            {
                input: inputSeries([shop, blog, docs, monitoring], samples),
                alerts: [firing(ALERTS.budget, costLabels("shop"), shopProjection, shopBudget)],
            },
            // docs costs money but has no budget; blog stays under its budget.
            { input: inputSeries([blog, docs, monitoring], samples) },
        );
        cases[0]!.promql_expr_test = [
            {
                expr: RECORDED.budget,
                eval_time: `${evalHours}h`,
                exp_samples: projects
                    .filter((p) => p.budgetMonthly !== undefined)
                    .map((p) => ({ labels: seriesName(RECORDED.budget, costLabels(p.name)), value: p.budgetMonthly! })),
            },
            { expr: `${RECORDED.budget}{project="docs"}`, eval_time: `${evalHours}h`, exp_samples: [] },
        ];
        coverage.fires.add(RECORDED.budget);
        coverage.silent.add(RECORDED.budget);
        // Evaluated every 5m: a day of the 31-day subquery at 1m steps takes promtool half a minute, and the
        // alert only needs the projection to hold for an hour (the 1m math is proven above). The groups are
        // rendered for that interval: each sample then stands for 5 minutes.
        const fiveMinuteGroups = [...renderMeteringRuleGroups(prices, { ...billing, evaluationMinutes: 5 }), ...renderAlertRuleGroups(projects, prices)];
        return {
            groups: fiveMinuteGroups,
            file: { ...testFile("5m", cases), group_eval_order: fiveMinuteGroups.map((g) => g.name) },
            check: () => {
                expect(shopProjection).toBeGreaterThan(shopBudget);
                expect(projection(blog, evalHours)).toBeLessThan(projects.find((p) => p.name === "blog")!.budgetMonthly!);
            },
        };
    });
});

describe("metering trust alerts under promtool", () => {
    const minutes = 3 * 60;
    const up = (labels: Record<string, string>, value: number) => gauge("up", labels, value, minutes);
    // `up` carries the target labels only. kubelet: kube-prometheus-stack-88.5.3
    // templates/exporters/kubelet/servicemonitor.yaml (jobLabel k8s-app → "kubelet", port https-metrics, path
    // /metrics/cadvisor, cAdvisorRelabelings copy __metrics_path__ to metrics_path); prometheus-operator adds
    // namespace, service, endpoint (the port name) and node (Node targets).
    const kubelet = (instance: string) => ({ job: "kubelet", metrics_path: "/metrics/cadvisor", instance, namespace: "kube-system", service: "kube-prometheus-stack-kubelet", endpoint: "https-metrics", node: instance });
    // kube-state-metrics-8.4.0 templates/servicemonitor.yaml: jobLabel app.kubernetes.io/name, port http.
    const ksm = { job: "kube-state-metrics", instance: "10.42.0.7:8080", namespace: "monitoring", service: "kube-prometheus-stack-kube-state-metrics", endpoint: "http", pod: "kube-prometheus-stack-kube-state-metrics-6d8f9-abcde", container: "kube-state-metrics" };
    // traefik-helm-chart v41.3.0 templates/servicemonitor.yaml: `targetPort: metrics`, which prometheus-operator
    // writes as endpoint="metrics" (it names endpoint after port, else targetPort); job from jobLabel (release name).
    const traefik = { job: "traefik-metrics", instance: "10.42.1.3:9100", namespace: "traefik", service: "traefik-metrics", endpoint: "metrics", pod: "traefik-7d9c6b5f4-x2k8q", container: "traefik" };
    // The node meter (edge-meter.ts exporter, served by node-exporter on every node, NODE_EXPORTER_TARGET's labels):
    // its heartbeat, Unix seconds of the last export, which promtool's clock starts at 0 (fresh: it follows the
    // clock), and its info series; node-exporter's own `up`.
    const nodeTarget = (instance: string) => ({ ...NODE_EXPORTER_TARGET, instance });
    const heartbeat = (instance: string, values: string) => ({ series: seriesName(EDGE_METER_METRICS.lastExport, nodeTarget(instance)), values });
    const meterInfo = (instance: string, edge: boolean) => gauge(EDGE_METER_METRICS.info, { ...nodeTarget(instance), version: NODE_METER_VERSION, edge: String(edge) }, 1, minutes);
    const edgeNode = NODE_EXPORTER_TARGET.instance;
    const freshHeartbeat = heartbeat(edgeNode, `0+60x${minutes}`);
    // The Traefik pod runs on the edge node (its host_ip is the node's address, node-exporter's instance).
    const healthyNodes = [up(nodeTarget(edgeNode), 1), freshHeartbeat, meterInfo(edgeNode, true), ...podInfo(TRAEFIK_POD, minutes)];
    // The kubelet's other endpoints (/metrics, /metrics/probes) are not what metering reads.
    const healthy = [up(kubelet("node-a"), 1), up({ ...kubelet("node-a"), metrics_path: "/metrics" }, 1), up(ksm, 1), up(traefik, 1), ...healthyNodes];
    const nodeMeterAlert = (instance: string, reason: string) => firing(ALERTS.meteringSource, { instance, source: "node-meter", reason });

    promtoolCase(`${ALERTS.meteringSource}: fires when a kubelet cAdvisor target is down, kube-state-metrics is not scraped at all or a node's meter is stale`, () => {
        const cases = alertCases(
            ALERTS.meteringSource,
            "1h",
            {
                // node-b's kubelet refuses the scrape (e.g. its serving certificate is unapproved); no
                // kube-state-metrics target exists (its ServiceMonitor is gone).
                // The second node's meter last exported an hour before (its timer or nft load failed).
                input: [
                    up(kubelet("node-a"), 1),
                    up({ ...kubelet("node-a"), metrics_path: "/metrics" }, 1),
                    up(kubelet("node-b"), 0),
                    up(traefik, 1),
                    ...healthyNodes,
                    up(nodeTarget("100.64.0.32:9100"), 1),
                    meterInfo("100.64.0.32:9100", false),
                    heartbeat("100.64.0.32:9100", `-3600+0x${minutes}`),
                ],
                alerts: [
                    firing(ALERTS.meteringSource, { ...kubelet("node-b"), source: "kubelet" }),
                    firing(ALERTS.meteringSource, { job: "kube-state-metrics", source: "kube-state-metrics" }),
                    nodeMeterAlert("100.64.0.32:9100", "no fresh export"),
                ],
            },
            { input: healthy },
            "condition holds from the first sample",
        );
        return { file: testFile("1m", cases) };
    });

    promtoolCase(`${ALERTS.meteringSource}: fires per node: node-exporter down, no meter, an older meter, a Traefik node without edge counters`, () => {
        const [a, b, c, d] = ["100.64.0.32:9100", "100.64.0.33:9100", "100.64.0.34:9100", "100.64.0.35:9100"];
        const cases = alertCases(
            ALERTS.meteringSource,
            "30m",
            {
                input: [
                    ...healthy,
                    // a: node-exporter answers, but the node has no meter (its rules unit failed at boot: no export at all).
                    up(nodeTarget(a), 1),
                    // b: node-exporter is down: its series went stale with the failed scrapes.
                    up(nodeTarget(b), 0),
                    // c: created before this release: the old edge meter exports the same heartbeat, no info series.
                    up(nodeTarget(c), 1),
                    heartbeat(c, `0+60x${minutes}`),
                    // d: runs a Traefik pod, but its meter was rendered for a non-edge node (no edge pairs counted).
                    up(nodeTarget(d), 1),
                    heartbeat(d, `0+60x${minutes}`),
                    meterInfo(d, false),
                    ...podInfo({ ...TRAEFIK_POD, pod: "traefik-7d9c6b5f4-z9y8x", podIp: "10.42.5.7", node: "fsn1-edge-1", hostIp: d.split(":")[0]! }, minutes),
                ],
                alerts: [
                    nodeMeterAlert(a, "no fresh export"),
                    nodeMeterAlert(a, `no meter of version ${NODE_METER_VERSION}`),
                    nodeMeterAlert(b, "node-exporter down"),
                    nodeMeterAlert(c, `no meter of version ${NODE_METER_VERSION}`),
                    nodeMeterAlert(d, "Traefik node without edge counters"),
                ],
            },
            { input: healthy },
        );
        return { file: testFile("1m", cases) };
    });

    promtoolCase(`${ALERTS.meteringSource}: fires when no node-exporter is scraped at all`, () => {
        const cases = alertCases(
            ALERTS.meteringSource,
            "1h",
            { input: healthy.filter((s) => !s.series.startsWith("up{") || !s.series.includes('job="node-exporter"')), alerts: [firing(ALERTS.meteringSource, { job: "node-exporter", source: "node-meter", reason: "node-exporter not scraped" })] },
            { input: healthy },
        );
        return { file: testFile("1m", cases) };
    });

    // Prometheus' own rule-manager counters as kube-prometheus-stack 88.5.3 scrapes them (ServiceMonitor of the
    // Prometheus Service, port http-web); the operator writes PrometheusRule monitoring/platform-metering to
    // <rules dir>/prometheus-<name>-rulefiles-0/monitoring-platform-metering-<uid>.yaml, and rule_group is
    // "<file>;<group>" (prometheus/prometheus rules/manager.go).
    const prometheusTarget = { job: "kube-prometheus-stack-prometheus", instance: "10.42.0.9:9090", namespace: "monitoring", service: "kube-prometheus-stack-prometheus", endpoint: "http-web", pod: "prometheus-kube-prometheus-stack-prometheus-0", container: "prometheus" };
    const ruleGroup = (group: string) => `/etc/prometheus/rules/prometheus-kube-prometheus-stack-prometheus-rulefiles-0/monitoring-platform-metering-5f3c9a2e-1b7d-4c8e-9a0f-2d6e8b4c1a3f.yaml;${group}`;
    const ruleCounter = (metric: string, group: string, perMinute: number) => counter(metric, { ...prometheusTarget, rule_group: ruleGroup(group) }, perMinute, minutes);
    const evaluating = Object.values(GROUP_NAMES).flatMap((group) => [ruleCounter(RULE_MANAGER_METRICS.evaluations, group, 30), ruleCounter(RULE_MANAGER_METRICS.failures, group, 0), ruleCounter(RULE_MANAGER_METRICS.missed, group, 0)]);
    // A tenant running a pod: the billing rules' inputs.
    // A tenant running a pod: the billing rules' inputs. And a tenant whose only pod waits for its image: the
    // pod cgroup and the pause container exist, no container runs, nothing is billed and nothing is missing.
    const waitingCgroup = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podapi_0_uid.slice";
    const tenantAtWork = [
        ...inputSeries([{ namespace: "shop", tenant: true, containers: [{ pod: "web-0", container: "web", cpuCores: 0.25, workingSetBytes: 64 * MiB, cpuRequestCores: 0.25, memoryRequestBytes: 64 * MiB }] }, { namespace: "pulling", tenant: true }], minutes),
        gauge("container_memory_working_set_bytes", { namespace: "pulling", pod: "api-0", container: "", image: "", id: waitingCgroup, name: "" }, 1 * MiB, minutes),
        gauge("container_memory_working_set_bytes", { namespace: "pulling", pod: "api-0", container: "", image: "registry.k8s.io/pause:3.10", id: `${waitingCgroup}/cri-containerd-sandbox0.scope`, name: "sandbox0" }, 1 * MiB, minutes),
    ];

    promtoolCase(`${ALERTS.meteringRules}: fires when a billing rule group fails its evaluations, skips them or is not loaded at all`, () => {
        const failing = evaluating.map((series) => (series.series.includes(RULE_MANAGER_METRICS.failures) && series.series.includes(`;${GROUP_NAMES.usage}"`) ? ruleCounter(RULE_MANAGER_METRICS.failures, GROUP_NAMES.usage, 30) : series));
        const skipping = evaluating.map((series) => (series.series.includes(RULE_MANAGER_METRICS.missed) && series.series.includes(`;${GROUP_NAMES.usage}"`) ? ruleCounter(RULE_MANAGER_METRICS.missed, GROUP_NAMES.usage, 1) : series));
        const [fires, silent] = alertCases(
            ALERTS.meteringRules,
            "1h",
            {
                // Every usage evaluation fails (e.g. a many-to-many match) and nothing evaluates the groups in another Prometheus.
                input: [...tenantAtWork, ...failing],
                alerts: [firing(ALERTS.meteringRules, { rule_group: ruleGroup(GROUP_NAMES.usage), reason: "evaluations failing" })],
            },
            { input: [...tenantAtWork, ...evaluating] },
        );
        const more: TestGroup[] = [
            { interval: "1m", input_series: [...tenantAtWork, ...skipping], alert_rule_test: [{ eval_time: "1h", alertname: ALERTS.meteringRules, exp_alerts: [firing(ALERTS.meteringRules, { rule_group: ruleGroup(GROUP_NAMES.usage), reason: "evaluations skipped" })] }] },
            // No rule-manager series for the metering groups: the PrometheusRule is not loaded.
            { interval: "1m", input_series: tenantAtWork, alert_rule_test: [{ eval_time: "1h", alertname: ALERTS.meteringRules, exp_alerts: [firing(ALERTS.meteringRules, { reason: "rules not loaded" })] }] },
        ];
        return { file: testFile("1m", [fires!, silent!, ...more]) };
    });

    promtoolCase(`${ALERTS.meteringRules}: fires when a billing rule returns nothing while its inputs exist`, () => {
        // The billable-CPU rule records nothing (what a failing join does): the tenant's pod runs, the bill has no CPU.
        const broken = groups.map((g) => (g.name === GROUP_NAMES.usage ? { ...g, rules: g.rules.filter((r) => isAlertingRule(r) || r.record !== RECORDED.namespaceCpuBillable) } : g));
        const alert: TestGroup = {
            interval: "1m",
            input_series: [...tenantAtWork, ...evaluating],
            alert_rule_test: [
                { eval_time: "4m", alertname: ALERTS.meteringRules, exp_alerts: [] },
                { eval_time: "1h", alertname: ALERTS.meteringRules, exp_alerts: [firing(ALERTS.meteringRules, { ...projectLabels("shop"), reason: "running pods without billable CPU" })] },
            ],
        };
        return { groups: broken, file: testFile("1m", [alert]), check: () => expect(broken.flatMap((g) => g.rules).length).toBe(groups.flatMap((g) => g.rules).length - 1) };
    });

    promtoolCase(`${ALERTS.ledger}: fires when the ledger CronJob has not succeeded for ${THRESHOLDS.ledgerStaleHours} hours`, () => {
        const cronjob = { namespace: "monitoring", cronjob: "billing-ledger" };
        // kube-state-metrics: kube_cronjob_status_last_successful_time, Unix seconds of the last successful run.
        const cases = alertCases(
            ALERTS.ledger,
            "4h",
            {
                input: [gauge("kube_cronjob_status_last_successful_time", { ...cronjob, instance: "ksm-a" }, 0, 5 * 60)],
                alerts: [firing(ALERTS.ledger, cronjob)],
            },
            // Succeeded at the top of every hour.
            { input: [{ series: seriesName("kube_cronjob_status_last_successful_time", { ...cronjob, instance: "ksm-a" }), values: Array.from({ length: 5 }, (_, h) => `${h * HOUR}x59`).join(" ") }] },
        );
        return { file: testFile("1m", cases) };
    });
});

describe("image builds under promtool", () => {
    promtoolCase("bill each project's build pods in the builds namespace as its build line, and keep them out of the platform line", () => {
        const minutes = 150;
        // Build pods (runc) in the platform's builds namespace: two of shop's and one of a project whose
        // namespace is gone. Their usage and requests are the tenant pods' series shapes (scenario.ts).
        const builds: NamespaceLoad = {
            namespace: "builds",
            tenant: false,
            containers: [
                // Uses more CPU than it requests, less memory: billed 2 cores and 2 GiB.
                { pod: "build-shop-web-4fd5f7d6bba4-x1", container: "buildkit", cpuCores: 2, workingSetBytes: 1 * GiB, cpuRequestCores: 1, memoryRequestBytes: 2 * GiB },
                // Uses less CPU than it requests, more memory: billed 1 core and 512 MiB.
                { pod: "build-shop-api-9a0c1e2f3b4d-x2", container: "buildkit", cpuCores: 0.5, workingSetBytes: 512 * MiB, cpuRequestCores: 1, memoryRequestBytes: 256 * MiB },
                { pod: "build-gone-web-1111111111aa-x3", container: "buildkit", cpuCores: 1, workingSetBytes: 1 * GiB, cpuRequestCores: 0.25, memoryRequestBytes: 1 * GiB },
            ],
            // The finished fetch step of the first build (an init container, components/builds/build-job.ts): the pod's
            // effective request is max(its request, the build container's), so it adds nothing here.
            completed: [{ pod: "build-shop-web-4fd5f7d6bba4-x1", container: "source", cpuRequestCores: 1, memoryRequestBytes: 1 * GiB, init: true }],
        };
        // A tenant pod carrying the project label in its own namespace is the tenant's usage, never a build.
        const shopPods: NamespaceLoad = { namespace: "shop", tenant: true, containers: [{ pod: "web-0", container: "web", cpuCores: 0.25, workingSetBytes: 256 * MiB, cpuRequestCores: 0.25, memoryRequestBytes: 256 * MiB }] };
        const blogIdle: NamespaceLoad = { namespace: "blog", tenant: true };
        // kube-state-metrics internal/store/pod.go (pod_test.go): kube_pod_labels{namespace, pod, uid} plus each
        // allowlisted label as label_<name> (the monitoring add-on allowlists pods=[platform/project]).
        const podLabels = (namespace: string, pod: string, project: string) => gauge("kube_pod_labels", { namespace, pod, uid: `uid-${pod}`, [BUILD_PROJECT_LABEL_SERIES_NAME]: project, instance: "ksm-a" }, 1, minutes + 5);
        const input = [
            ...inputSeries([builds, shopPods, blogIdle], minutes + 5),
            ...builds.containers!.map((c) => podLabels("builds", c.pod, c.pod.split("-")[1]!)),
            podLabels("shop", "web-0", "shop"),
        ];
        const shopCores = 2 + 1;
        const shopBytes = 2 * GiB + 512 * MiB;
        const shopBuildRate = shopCores * prices.cpuCoreHour + (shopBytes / GiB) * prices.memoryGiBHour;
        const goneRate = 1 * prices.cpuCoreHour + 1 * prices.memoryGiBHour;
        const shopOwnRate = expectedHourlyCost(shopPods, prices, REPLICAS).total;
        const at = `${minutes}m`;
        const one = (record: string, namespace: string, value: number, cost = false) => ({ labels: seriesName(record, cost ? costLabels(namespace) : projectLabels(namespace)), value });
        const region = (line: string) => seriesName(RECORDED.regionCostRate, { region: billing.region, line, currency: prices.currency });
        const tests: ExprTest[] = [
            {
                expr: RECORDED.buildPodProject,
                eval_time: at,
                exp_samples: builds.containers!.map((c) => ({ labels: seriesName(RECORDED.buildPodProject, { namespace: "builds", pod: c.pod, project: c.pod.split("-")[1]! }), value: 1 })),
            },
            { expr: `${RECORDED.buildPodProject}{namespace="shop"}`, eval_time: at, exp_samples: [] },
            { expr: RECORDED.buildCpuBillable, eval_time: at, exp_samples: [one(RECORDED.buildCpuBillable, "shop", shopCores)] },
            { expr: RECORDED.buildMemoryBillable, eval_time: at, exp_samples: [one(RECORDED.buildMemoryBillable, "shop", shopBytes)] },
            // Silent: a project without builds has no build usage, and a build of a gone project bills nobody.
            ...[RECORDED.buildCpuBillable, RECORDED.buildMemoryBillable].flatMap((record) => [
                { expr: `${record}{project="blog"}`, eval_time: at, exp_samples: [] },
                { expr: `${record}{project="gone"}`, eval_time: at, exp_samples: [] },
            ]),
            { expr: RECORDED.buildCostRate, eval_time: at, exp_samples: [one(RECORDED.buildCostRate, "shop", shopBuildRate, true), one(RECORDED.buildCostRate, "blog", 0, true)] },
            { expr: `${RECORDED.buildCostRate}{project="gone"}`, eval_time: at, exp_samples: [] },
            // Every minute of the last hour ran the same builds: the hour's build line is the rate.
            { expr: RECORDED.buildCost, eval_time: at, exp_samples: [one(RECORDED.buildCost, "shop", shopBuildRate, true), one(RECORDED.buildCost, "blog", 0, true)] },
            { expr: `${RECORDED.buildCost}{project="gone"}`, eval_time: at, exp_samples: [] },
            // The build line is part of the project's bill, and no longer of the platform's.
            { expr: RECORDED.costRate, eval_time: at, exp_samples: [one(RECORDED.costRate, "shop", shopOwnRate + shopBuildRate, true), one(RECORDED.costRate, "blog", 0, true)] },
            { expr: `${RECORDED.regionCostRate}{line="tenants"}`, eval_time: at, exp_samples: [{ labels: region("tenants"), value: shopOwnRate + shopBuildRate }] },
            { expr: `${RECORDED.regionCostRate}{line="platform"}`, eval_time: at, exp_samples: [{ labels: region("platform"), value: goneRate }] },
        ];
        for (const record of [RECORDED.buildPodProject, RECORDED.buildCpuBillable, RECORDED.buildMemoryBillable, RECORDED.buildCostRate, RECORDED.buildCost]) {
            coverage.fires.add(record);
            coverage.silent.add(record);
        }
        return {
            file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]),
            check: () => {
                // The scenario bills both sides of max(request, use).
                expect(shopCores).not.toBe(1 + 1);
                expect(shopBytes).not.toBe(2 * GiB + 256 * MiB);
            },
        };
    });
});

describe("disputes closed under promtool", () => {
    const DAY = 86400;

    promtoolCase("bill a 70-minute kubelet gap on a 30-day container as nothing, never the container's lifetime again", () => {
        // A container started 30 days before promtool's clock (cAdvisor's container_start_time_seconds of its
        // cgroups), 0.5 cores used, 0.25 requested; the kubelet does not answer from minute 120 to 189.
        const old: NamespaceLoad = { namespace: "steady", tenant: true, startedAt: -30 * DAY, containers: [{ pod: "api-0", container: "api", cpuCores: 0.5, workingSetBytes: 1 * GiB, cpuRequestCores: 0.25, memoryRequestBytes: 256 * MiB }] };
        const samples = 250;
        const input = inputSeries([old], samples).flatMap((s) => (fromKubelet(s) ? withGap([s], 120, 70, samples) : [s]));
        const labels = projectLabels("steady");
        // Before the gap and a minute after it: what it uses. The first minute after the gap: only the request
        // (the counter's value before the gap is out of the look-back, and the container is not new).
        const lifetimeCores = (0.5 * 60 * 190) / 60;
        const tests: ExprTest[] = [
            { expr: RECORDED.cpuBillable, eval_time: "119m", exp_samples: [{ labels: seriesName(RECORDED.cpuBillable, labels), value: 0.5 }] },
            { expr: RECORDED.cpuBillable, eval_time: "190m", exp_samples: [{ labels: seriesName(RECORDED.cpuBillable, labels), value: 0.25 }] },
            // No use is recorded for that minute at all (not a 0: nothing was measured).
            { expr: RECORDED.cpuCores, eval_time: "190m", exp_samples: [] },
            { expr: RECORDED.cpuBillable, eval_time: "191m", exp_samples: [{ labels: seriesName(RECORDED.cpuBillable, labels), value: 0.5 }] },
            // Every core-minute billed from minute 1 to 250: 119 + 60 minutes of use and the one minute of request.
            { expr: `sum_over_time(${RECORDED.cpuBillable}{project="steady"}[14999999ms])`, eval_time: "250m", exp_samples: [{ labels: seriesName("", labels), value: 119 * 0.5 + 0.25 + 60 * 0.5 }] },
        ];
        return {
            file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]),
            check: () => {
                // What "new from 0" billed in that minute: the container's whole counter, 380 times its rate.
                expect(lifetimeCores).toBe(95);
                expect(input.some((i) => i.series.startsWith("container_start_time_seconds") && i.values.startsWith(`${-30 * DAY}+0x`))).toBe(true);
            },
        };
    });

    promtoolCase("bill a 70-minute kubelet gap on a container started two hours before it as nothing: only a start inside the window and the look-back makes a series new", () => {
        // The same gap on a container cAdvisor saw start at promtool's minute 0: at minute 190 its start (0) lies
        // 190 minutes back, before the window plus the hour's look-back (61 minutes), so it is not new and its
        // counter (95 core-minutes by then) is not billed again. A wider horizon (a day, say) would bill it.
        const young: NamespaceLoad = { namespace: "young", tenant: true, startedAt: 0, containers: [{ pod: "api-0", container: "api", cpuCores: 0.5, workingSetBytes: 1 * GiB, cpuRequestCores: 0.25, memoryRequestBytes: 256 * MiB }] };
        const samples = 200;
        const input = inputSeries([young], samples).flatMap((s) => (fromKubelet(s) ? withGap([s], 120, 70, samples) : [s]));
        const labels = projectLabels("young");
        const tests: ExprTest[] = [
            { expr: RECORDED.cpuBillable, eval_time: "190m", exp_samples: [{ labels: seriesName(RECORDED.cpuBillable, labels), value: 0.25 }] },
            { expr: RECORDED.cpuBillable, eval_time: "191m", exp_samples: [{ labels: seriesName(RECORDED.cpuBillable, labels), value: 0.5 }] },
        ];
        return {
            file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]),
            check: () => {
                expect(input.some((i) => i.series.startsWith("container_start_time_seconds") && i.values.startsWith("0+0x"))).toBe(true);
            },
        };
    });

    promtoolCase("bill a node meter back after a 70-minute node-exporter gap as nothing, a rebooted node's counters and a new element from 0", () => {
        // Three nodes' meters, each counting one pod's bytes to the internet at 1 KiB/s since their load 30 days ago.
        // run-0: node-exporter away from minute 120 to 189 (heartbeat and counters gap alike); run-1: rebooted
        // during the same gap (its table reloaded at minute 189: counters from 0); run-2: always scraped, a new
        // pod starts sending at minute 150 (a new element: no sample before, the meter read without it).
        const samples = 250;
        const nodes = ["100.64.0.21:9100", "100.64.0.22:9100", "100.64.0.23:9100"].map((instance) => ({ ...NODE_EXPORTER_TARGET, instance }));
        const pods = [
            { namespace: "old", pod: "api-0", podIp: "10.42.1.10", node: "fsn1-run-0", hostIp: "100.64.0.21" },
            { namespace: "rebooted", pod: "api-0", podIp: "10.42.2.10", node: "fsn1-run-1", hostIp: "100.64.0.22" },
            { namespace: "fresh", pod: "api-0", podIp: "10.42.3.10", node: "fsn1-run-2", hostIp: "100.64.0.23" },
        ];
        const perMinute = 60 * 1024;
        const input: InputSeries[] = [
            ...inputSeries(pods.map((p) => ({ namespace: p.namespace, tenant: true })), samples),
            ...pods.flatMap((p) => podInfo(p, samples)),
            // run-0: everything it serves gaps.
            ...withGap([counter(EDGE_METER_METRICS.externalBytes, { ...nodes[0]!, source_ip: pods[0]!.podIp }, perMinute, samples)], 120, 70, samples),
            ...withGap([{ series: seriesName(EDGE_METER_METRICS.lastExport, nodes[0]!), values: `0+60x${samples}` }], 120, 70, samples),
            { series: seriesName(EDGE_METER_METRICS.loaded, nodes[0]!), values: `${-30 * DAY}+0x119 stale _x69 ${-30 * DAY}+0x${samples - 190}` },
            // run-1: the same gap, and its counter restarts with the reboot (one minute counted by minute 190).
            { series: seriesName(EDGE_METER_METRICS.externalBytes, { ...nodes[1]!, source_ip: pods[1]!.podIp }), values: `0+${perMinute}x119 stale _x69 ${perMinute}+${perMinute}x${samples - 190}` },
            { series: seriesName(EDGE_METER_METRICS.lastExport, nodes[1]!), values: `0+60x119 stale _x69 ${190 * 60}+60x${samples - 190}` },
            { series: seriesName(EDGE_METER_METRICS.loaded, nodes[1]!), values: `${-30 * DAY}+0x119 stale _x69 ${189 * 60}+0x${samples - 190}` },
            // run-2: scraped throughout; the element appears at minute 150 with the bytes of its first minute.
            { series: seriesName(EDGE_METER_METRICS.externalBytes, { ...nodes[2]!, source_ip: pods[2]!.podIp }), values: `_x150 ${perMinute}+${perMinute}x${samples - 150}` },
            { series: seriesName(EDGE_METER_METRICS.lastExport, nodes[2]!), values: `0+60x${samples}` },
            gauge(EDGE_METER_METRICS.loaded, nodes[2]!, -30 * DAY, samples),
        ];
        const rate = (namespace: string, eval_time: string, value: number | undefined): ExprTest => ({
            expr: `${RECORDED.directEgressRate}{project="${namespace}"}`,
            eval_time,
            exp_samples: value === undefined ? [] : [{ labels: seriesName(RECORDED.directEgressRate, projectLabels(namespace)), value }],
        });
        const tests: ExprTest[] = [
            rate("old", "119m", 1024),
            // The element's value before the gap is out of the look-back, the node's table is 30 days old: nothing.
            rate("old", "190m", undefined),
            rate("old", "191m", 1024),
            // A counter the reboot restarted counts from 0.
            rate("rebooted", "190m", 1024),
            rate("fresh", "150m", 1024),
            rate("fresh", "149m", undefined),
        ];
        return { file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]) };
    });

    promtoolCase("bill the internet egress of a 20-second pod kube-state-metrics never saw to its project, from the node meter's own address map", () => {
        // A Job pod of shop lives 20 s between two kube-state-metrics scrapes (and is deleted at once: no
        // kube_pod_info at all) and sends 1 GiB to the internet. The node gave it 10.42.1.5: the exporter read the
        // sandbox's CNI result and keeps the address's pod after the sandbox is gone.
        const samples = 90;
        const run0 = { ...NODE_EXPORTER_TARGET, instance: "100.64.0.21:9100", pod: "kube-prometheus-stack-prometheus-node-exporter-k7p2d" };
        const burst = { ip: "10.42.1.5", namespace: "shop", pod: "import-28f7c-x9k2p" };
        // Another pod of blog that kube-state-metrics does see holds 10.42.1.6; the node's map says so too.
        const seen = { namespace: "blog", pod: "web-0", podIp: "10.42.1.6", node: "fsn1-run-0", hostIp: "100.64.0.21" };
        const input: InputSeries[] = [
            ...inputSeries([{ namespace: "shop", tenant: true }, { namespace: "blog", tenant: true }], samples),
            ...podInfo(seen, samples),
            { series: seriesName(EDGE_METER_METRICS.lastExport, run0), values: `0+60x${samples}` },
            gauge(EDGE_METER_METRICS.loaded, run0, -86400, samples),
            // First exported at minute 30 with all of its bytes; the element then stays (idle) for the hour.
            { series: seriesName(EDGE_METER_METRICS.externalBytes, { ...run0, source_ip: burst.ip }), values: `_x30 ${GiB}+0x${samples - 30}` },
            { series: seriesName(EDGE_METER_METRICS.podAddress, { ...run0, source_ip: burst.ip, namespace: burst.namespace, pod: burst.pod }), values: `_x30 1+0x${samples - 30}` },
            externalBytes(seen.podIp, 1024, samples),
            { series: seriesName(EDGE_METER_METRICS.podAddress, { ...run0, source_ip: seen.podIp, namespace: seen.namespace, pod: seen.pod }), values: `1+0x${samples}` },
            // Bytes from an address no pod is known to have held: attributed to nobody.
            externalBytes("10.42.1.9", 512, samples),
        ];
        const perSecond = GiB / 60;
        const egressCostRate = ((perSecond * 3600) / GiB) * prices.networkEgressGiB;
        const tests: ExprTest[] = [
            { expr: RECORDED.directEgressRate, eval_time: "30m", exp_samples: [
                { labels: seriesName(RECORDED.directEgressRate, projectLabels("shop")), value: perSecond },
                { labels: seriesName(RECORDED.directEgressRate, projectLabels("blog")), value: 1024 },
            ] },
            { expr: `${RECORDED.directEgressRate}{project="shop"}`, eval_time: "31m", exp_samples: [{ labels: seriesName(RECORDED.directEgressRate, projectLabels("shop")), value: 0 }] },
            {
                expr: RECORDED.billedAddress,
                eval_time: "30m",
                exp_samples: [
                    { labels: seriesName(RECORDED.billedAddress, { source_ip: seen.podIp, namespace: "blog" }), value: 1 },
                    { labels: seriesName(RECORDED.billedAddress, { source_ip: burst.ip, namespace: "shop" }), value: 1 },
                ],
            },
            { expr: `${RECORDED.billedAddress}{source_ip="10.42.1.9"}`, eval_time: "30m", exp_samples: [] },
            // The hour ending at minute 60 bills the GiB once: one minute at its rate, 59 at 0.
            { expr: `${RECORDED.egressCost}{project="shop"}`, eval_time: "60m", exp_samples: [{ labels: seriesName(RECORDED.egressCost, costLabels("shop")), value: egressCostRate / 60 }] },
        ];
        coverage.fires.add(RECORDED.billedAddress);
        coverage.silent.add(RECORDED.billedAddress);
        return { file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]) };
    });

    promtoolCase("bill init containers, sidecars and the RuntimeClass overhead as the scheduler reserves them: max(Σ app + Σ sidecars, max init) + overhead", () => {
        const minutes = 90;
        // initial: the app requests 0.125 core / 256 MiB, a finished migration init container 8 cores / 4 GiB, a
        // sidecar (restartPolicy Always) 0.5 core / 512 MiB: the scheduler keeps 8 cores and 4 GiB for the pod.
        // sidecar: app 1 core, sidecar 0.5, init 1: 1.5 cores (the sidecar adds to the app containers).
        // overhead: a gVisor pod requesting 0.5 core / 512 MiB with the RuntimeClass overhead 0.25 core / 64 MiB.
        const loads: NamespaceLoad[] = [
            { namespace: "initial", tenant: true, containers: [{ pod: "app-0", container: "app", cpuCores: 0.0625, workingSetBytes: 128 * MiB }, { pod: "app-0", container: "proxy", cpuCores: 0.0625, workingSetBytes: 64 * MiB }] },
            { namespace: "sidecar", tenant: true, containers: [{ pod: "app-0", container: "app", cpuCores: 0.25, workingSetBytes: 128 * MiB }, { pod: "app-0", container: "proxy", cpuCores: 0.0625, workingSetBytes: 64 * MiB }] },
            { namespace: "overhead", tenant: true, containers: [{ pod: "app-0", container: "app", cpuCores: 0.25, workingSetBytes: 128 * MiB, runtime: "gvisor" }] },
        ];
        const request = (metric: string, namespace: string, container: string, cores: number, bytes: number) => [
            gauge(metric, { namespace, pod: "app-0", uid: `uid-${namespace}-app-0`, container, node: "fsn1-run-0", resource: "cpu", unit: "core" }, cores, minutes),
            gauge(metric, { namespace, pod: "app-0", uid: `uid-${namespace}-app-0`, container, node: "fsn1-run-0", resource: "memory", unit: "byte" }, bytes, minutes),
        ];
        const APP = "kube_pod_container_resource_requests";
        const INIT = "kube_pod_init_container_resource_requests";
        const input: InputSeries[] = [
            ...inputSeries(loads, minutes),
            ...request(APP, "initial", "app", 0.125, 256 * MiB),
            ...request(INIT, "initial", "migrate", 8, 4 * GiB),
            ...request(INIT, "initial", "proxy", 0.5, 512 * MiB),
            initContainerInfo("initial", "app-0", "migrate", "", minutes),
            initContainerInfo("initial", "app-0", "proxy", "Always", minutes),
            ...request(APP, "sidecar", "app", 1, 256 * MiB),
            ...request(INIT, "sidecar", "migrate", 1, 128 * MiB),
            ...request(INIT, "sidecar", "proxy", 0.5, 512 * MiB),
            initContainerInfo("sidecar", "app-0", "migrate", "", minutes),
            initContainerInfo("sidecar", "app-0", "proxy", "Always", minutes),
            ...request(APP, "overhead", "app", 0.5, 512 * MiB),
            gauge("kube_pod_overhead_cpu_cores", { namespace: "overhead", pod: "app-0", uid: "uid-overhead-app-0" }, 0.25, minutes),
            gauge("kube_pod_overhead_memory_bytes", { namespace: "overhead", pod: "app-0", uid: "uid-overhead-app-0" }, 64 * MiB, minutes),
            // A platform pod requesting nothing (BestEffort): no effective request at all.
            ...inputSeries([{ namespace: "monitoring", tenant: false, containers: [{ pod: "agent-0", container: "agent", cpuCores: 0.0625, workingSetBytes: 64 * MiB }] }], minutes),
        ];
        const expected = {
            initial: { cores: Math.max(0.125 + 0.5, 8), bytes: Math.max(256 * MiB + 512 * MiB, 4 * GiB) },
            sidecar: { cores: Math.max(1 + 0.5, 1), bytes: Math.max(256 * MiB + 512 * MiB, 128 * MiB) },
            overhead: { cores: 0.5 + 0.25, bytes: 512 * MiB + 64 * MiB },
        };
        const namespaces = Object.keys(expected) as Array<keyof typeof expected>;
        const each = (record: string, value: (ns: keyof typeof expected) => number): ExprTest => ({
            expr: record,
            eval_time: `${minutes}m`,
            exp_samples: namespaces.map((ns) => ({ labels: seriesName(record, projectLabels(ns)), value: value(ns) })),
        });
        const usage = (ns: string) => expectedUsage(loads.find((l) => l.namespace === ns)!, REPLICAS);
        const tests: ExprTest[] = [
            each(RECORDED.cpuRequests, (ns) => expected[ns].cores),
            each(RECORDED.memoryRequests, (ns) => expected[ns].bytes),
            each(RECORDED.cpuBillable, (ns) => Math.max(expected[ns].cores, usage(ns)[RECORDED.cpuCores]!)),
            each(RECORDED.memoryBillable, (ns) => Math.max(expected[ns].bytes, usage(ns)[RECORDED.memoryWorkingSet]!)),
            ...([
                [RECORDED.podCpuRequest, "cores"],
                [RECORDED.podMemoryRequest, "bytes"],
            ] as const).flatMap(([record, key]) => [
                { expr: record, eval_time: `${minutes}m`, exp_samples: namespaces.map((ns) => ({ labels: seriesName(record, { namespace: ns, pod: "app-0" }), value: expected[ns][key] })) },
                { expr: `${record}{namespace="monitoring"}`, eval_time: `${minutes}m`, exp_samples: [] },
            ]),
        ];
        for (const record of [RECORDED.podCpuRequest, RECORDED.podMemoryRequest]) {
            coverage.fires.add(record);
            coverage.silent.add(record);
        }
        return {
            file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]),
            check: () => {
                // The reservations outweigh the use: the bill is the request the scheduler holds.
                for (const ns of namespaces) {
                    expect(expected[ns].cores).toBeGreaterThan(usage(ns)[RECORDED.cpuCores]!);
                    expect(expected[ns].bytes).toBeGreaterThan(usage(ns)[RECORDED.memoryWorkingSet]!);
                }
            },
        };
    });

    promtoolCase("bill what a build pod sends to the internet to the build's project", () => {
        const samples = 90;
        const build = { namespace: "builds", pod: "build-shop-web-4fd5f7d6bba4-x1", podIp: "10.42.7.3", node: "fsn1-build-0", hostIp: "100.64.0.41" };
        const input: InputSeries[] = [
            ...inputSeries([{ namespace: "shop", tenant: true }, { namespace: "builds", tenant: false }], samples),
            ...podInfo(build, samples),
            gauge("kube_pod_labels", { namespace: build.namespace, pod: build.pod, uid: `uid-${build.pod}`, [BUILD_PROJECT_LABEL_SERIES_NAME]: "shop", instance: "ksm-a" }, 1, samples),
            externalBytes(build.podIp, 4096, samples),
        ];
        const tests: ExprTest[] = [
            { expr: RECORDED.directEgressRate, eval_time: `${samples}m`, exp_samples: [{ labels: seriesName(RECORDED.directEgressRate, projectLabels("shop")), value: 4096 }] },
            { expr: `${RECORDED.directEgressRate}{namespace="builds"}`, eval_time: `${samples}m`, exp_samples: [] },
        ];
        return { file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]) };
    });
});

describe("tenant buckets under promtool", () => {
    promtoolCase("bill a bucket's reserved size like a claim of that size, from the platform's quota in minio only, and take it out of the platform line", () => {
        // media: a 5Gi claim and a 10Gi bucket; static: a 2Gi bucket and no claim; MinIO's drive, a 20Gi platform
        // claim, holds both buckets. Two kube-state-metrics replicas export each quota. Decoys: a quota of the same
        // name and resource in the tenant's own namespace, and a real storage quota in minio.
        const samples = 2 * 60 + 5;
        const RESOURCE = "platform-bucket-reservation.storageclass.storage.k8s.io/requests.storage";
        const quota = (namespace: string, resourcequota: string, resource: string, bytes: number, instance: string) =>
            gauge("kube_resourcequota", { namespace, resourcequota, resource, type: "hard", instance }, bytes, samples);
        const input: InputSeries[] = [
            ...namespaceSeries(["media", "static"], ["minio", "monitoring"], samples),
            gauge("kube_persistentvolumeclaim_resource_requests_storage_bytes", { namespace: "media", persistentvolumeclaim: "data-api-0" }, 5 * GiB, samples),
            gauge("kube_persistentvolumeclaim_resource_requests_storage_bytes", { namespace: "minio", persistentvolumeclaim: "minio" }, 20 * GiB, samples),
            ...["ksm-a", "ksm-b"].flatMap((instance) => [quota("minio", "bucket-media", RESOURCE, 10 * GiB, instance), quota("minio", "bucket-static", RESOURCE, 2 * GiB, instance)]),
            quota("media", "bucket-media", RESOURCE, 1000 * GiB, "ksm-a"),
            quota("minio", "bucket-monitoring", "requests.storage", 50 * GiB, "ksm-a"),
            gauge("kube_resourcequota", { namespace: "minio", resourcequota: "bucket-media", resource: RESOURCE, type: "used", instance: "ksm-a" }, 0, samples),
        ];
        const at = "2h";
        const one = (record: string, namespace: string, value: number) => ({ labels: seriesName(record, labelsOf(record, namespace)), value });
        // Written out: (claims + bucket) × 2 replicas × 2^-10 per GiB-hour.
        const tests: ExprTest[] = [
            { expr: RECORDED.bucketReserved, eval_time: at, exp_samples: [one(RECORDED.bucketReserved, "media", 10 * GiB), one(RECORDED.bucketReserved, "static", 2 * GiB)] },
            { expr: `${RECORDED.bucketReserved}{namespace=~"minio|monitoring"}`, eval_time: at, exp_samples: [] },
            { expr: RECORDED.storageBillable, eval_time: at, exp_samples: [one(RECORDED.storageBillable, "media", 30 * GiB), one(RECORDED.storageBillable, "static", 4 * GiB)] },
            { expr: RECORDED.storageCostRate, eval_time: at, exp_samples: [one(RECORDED.storageCostRate, "media", 30 * 2 ** -10), one(RECORDED.storageCostRate, "static", 4 * 2 ** -10)] },
            { expr: RECORDED.storageCost, eval_time: at, exp_samples: [one(RECORDED.storageCost, "media", 30 * 2 ** -10), one(RECORDED.storageCost, "static", 4 * 2 ** -10)] },
            // MinIO's 20Gi less the 12Gi the buckets reserve, × 2 replicas.
            { expr: `${RECORDED.regionCostRate}{line="platform"}`, eval_time: at, exp_samples: [{ labels: seriesName(RECORDED.regionCostRate, { region: billing.region, line: "platform", currency: prices.currency }), value: 16 * 2 ** -10 }] },
        ];
        coverage.fires.add(RECORDED.bucketReserved);
        coverage.silent.add(RECORDED.bucketReserved);
        return {
            file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]),
            check: () => {
                expect(REPLICAS).toBe(2);
                expect(prices.storageGiBHour).toBe(2 ** -10);
            },
        };
    });
});

describe("promtool coverage", () => {
    it("has a producing and a silent case for every recording rule and a firing and a silent case for every alert", () => {
        const expected = [...allRecorded, ...allAlerts].sort();
        expect([...coverage.fires].sort()).toEqual(expected);
        expect([...coverage.silent].sort()).toEqual(expected);
        // The pending window is proven under promtool where the condition and the alert's value hold still from
        // the first sample; the crash-loop and budget conditions build up over time and the certificate's value
        // counts down, so their windows are pinned by value below.
        expect([...coverage.pending].sort()).toEqual([ALERTS.quota, ALERTS.volume, ALERTS.meteringSource].sort());
    });

    it("waits the designed pending window before each alert fires", () => {
        expect(Object.fromEntries(allAlerts.map((alert) => [alert, alertRule(alert).for]))).toEqual(
            Object.fromEntries(Object.entries(PENDING_WINDOW_MINUTES).map(([alert, minutes]) => [alert, minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`])),
        );
        expect(GROUP_ORDER).toEqual([GROUP_NAMES.usage, GROUP_NAMES.cost, GROUP_NAMES.close, GROUP_NAMES.trust, GROUP_NAMES.alerts, GROUP_NAMES.budgets]);
    });
});
