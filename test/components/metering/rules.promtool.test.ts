import { describe, expect, it } from "vitest";
import { pricesSchema } from "../../../lib/config/schema";
import {
    ALERTS,
    GROUP_NAMES,
    isAlertingRule,
    RECORDED,
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
import { EDGE_METER_METRICS } from "../../../components/metering/edge-meter";
import { testRules } from "../../helpers/promtool";
import {
    counter,
    edgeReplyBytes,
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
    seriesName,
    serviceInfo,
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
    // Of 2048 B/s sent, 1024 B/s go to internet clients through Traefik's HTTP routers and 512 B/s through a
    // public TCP entry point (the edge meter); the rest is in-cluster.
    network: [
        {
            pod: "web-0",
            receiveBytesPerSecond: 1024,
            transmitBytesPerSecond: 2048,
            internetEgress: { service: "web", bytesPerSecond: 1024 },
            streamEgress: { service: "web-p2p", clusterIp: "10.43.200.7", bytesPerSecond: 512 },
        },
    ],
};
// No volume, no traffic, no requests: those costs are 0, not missing.
const blog: NamespaceLoad = {
    namespace: "blog",
    tenant: true,
    containers: [{ pod: "blog-0", container: "app", cpuCores: 0.125, workingSetBytes: 128 * MiB }],
};
// A platform namespace with the same kind of load: never metered.
// Its Service has its own ClusterIP (a ClusterIP belongs to one Service).
const monitoring: NamespaceLoad = {
    ...shop,
    namespace: "monitoring",
    tenant: false,
    network: shop.network!.map((n) => ({ ...n, streamEgress: { ...n.streamEgress!, clusterIp: "10.43.201.9" } })),
};
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
    });
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
            RECORDED.httpEgressRate,
            RECORDED.streamEgressRate,
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
                const ofContainer = (ns: string) => input.filter((i) => i.series.startsWith("container_") && i.series.includes(`namespace="${ns}"`) && i.series.includes('container="app"'));
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

    promtoolCase("lose exactly the 5 minutes of a kubelet scrape gap, nothing more", () => {
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
        const tests: ExprTest[] = [
            { expr: RECORDED.cpuCost, eval_time: "60m", exp_samples: [{ labels: seriesName(RECORDED.cpuCost, costLabels("steady")), value: minutesOf(rate.cpu, 55) }] },
            { expr: RECORDED.memoryCost, eval_time: "60m", exp_samples: [{ labels: seriesName(RECORDED.memoryCost, costLabels("steady")), value: minutesOf(rate.memory, 55) }] },
            // The first minute after the gap is billed at the true rate (irate across the gap).
            { expr: RECORDED.cpuBillable, eval_time: "35m", exp_samples: [{ labels: seriesName(RECORDED.cpuBillable, projectLabels("steady")), value: 0.5 }] },
            { expr: RECORDED.cpuBillable, eval_time: "32m", exp_samples: [] },
        ];
        return { file: testFile("1m", [{ interval: "1m", input_series: input, promql_expr_test: tests }]) };
    });

    promtoolCase("bill internet egress through Traefik and never in-cluster traffic", () => {
        const web: NamespaceLoad = { namespace: "web", tenant: true, network: [{ pod: "site-0", receiveBytesPerSecond: 4096, transmitBytesPerSecond: 8192, internetEgress: { service: "site", bytesPerSecond: 2048 } }] };
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

    promtoolCase("bill the bytes of public TCP/UDP entry points and TLS passthrough as internet egress of the project owning the route", () => {
        // p2p: a node on its granted TCP entry point (tcp-30303); bank: a passthrough route on websecure (mTLS).
        // Both dial their Service's ClusterIP (nativeLB), which the edge meter counts per (Traefik pod, ClusterIP).
        const p2p: NamespaceLoad = {
            namespace: "p2p",
            tenant: true,
            network: [{ pod: "geth-0", receiveBytesPerSecond: 8192, transmitBytesPerSecond: 16384, streamEgress: { service: "geth", clusterIp: "10.43.12.40", bytesPerSecond: 4096 } }],
        };
        const bank: NamespaceLoad = {
            namespace: "bank",
            tenant: true,
            network: [
                {
                    pod: "api-0",
                    receiveBytesPerSecond: 2048,
                    transmitBytesPerSecond: 8192,
                    internetEgress: { service: "portal", bytesPerSecond: 1024 },
                    streamEgress: { service: "api", clusterIp: "10.43.77.3", bytesPerSecond: 2048 },
                },
            ],
        };
        const hours = 2;
        const samples = hours * 60 + 5;
        // What the edge meter also sees and must not bill: bank's own pod on the (non-dedicated) edge node
        // dialling bank's database ClusterIP, and Traefik dialling a platform Service. Headless Services in two
        // namespaces share cluster_ip "None" and must not break the join.
        const bankPodOnEdge = { namespace: "bank", pod: "worker-6f7b9c-abcde", podIp: "10.42.3.40", node: "fsn1-edge-0", hostIp: "100.64.0.31" };
        const decoys = [
            podInfo(bankPodOnEdge, samples),
            edgeReplyBytes(bankPodOnEdge.podIp, "10.43.77.9", 65536, samples),
            serviceInfo("bank", "postgres-rw", "10.43.77.9", samples),
            edgeReplyBytes(TRAEFIK_POD.podIp, "10.43.5.5", 32768, samples),
            serviceInfo("monitoring", "grafana", "10.43.5.5", samples),
            serviceInfo("p2p", "geth-headless", "None", samples),
            serviceInfo("bank", "postgres", "None", samples),
        ];
        const usage = (l: NamespaceLoad) => expectedUsage(l, REPLICAS);
        const tests: ExprTest[] = [
            {
                expr: RECORDED.streamEgressRate,
                eval_time: `${hours}h`,
                exp_samples: [p2p, bank].map((l) => ({ labels: seriesName(RECORDED.streamEgressRate, projectLabels(l.namespace)), value: usage(l)[RECORDED.streamEgressRate]! })),
            },
            {
                expr: RECORDED.internetEgressRate,
                eval_time: `${hours}h`,
                exp_samples: [p2p, bank].map((l) => ({ labels: seriesName(RECORDED.internetEgressRate, projectLabels(l.namespace)), value: usage(l)[RECORDED.internetEgressRate]! })),
            },
            {
                expr: RECORDED.internalTransmitRate,
                eval_time: `${hours}h`,
                exp_samples: [p2p, bank].map((l) => ({ labels: seriesName(RECORDED.internalTransmitRate, projectLabels(l.namespace)), value: usage(l)[RECORDED.internalTransmitRate]! })),
            },
            {
                expr: RECORDED.egressCost,
                eval_time: `${hours}h`,
                exp_samples: [p2p, bank].map((l) => ({ labels: seriesName(RECORDED.egressCost, costLabels(l.namespace)), value: expectedHourlyCost(l, prices, REPLICAS).egress })),
            },
        ];
        return {
            file: testFile("1m", [{ interval: "1m", input_series: [...inputSeries([p2p, bank, { namespace: "monitoring", tenant: false }], samples), ...decoys], promql_expr_test: tests }]),
            check: () => {
                // p2p has no HTTP route at all: all its egress is the entry point's; bank's is HTTP + passthrough.
                expect(usage(p2p)[RECORDED.internetEgressRate]).toBe(4096);
                expect(usage(bank)[RECORDED.internetEgressRate]).toBe(1024 + 2048);
            },
        };
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
    // The edge meter's heartbeat (edge-meter.ts exporter, served by node-exporter): Unix seconds of the last
    // export, which promtool's clock starts at 0. Fresh: it follows the clock.
    const heartbeat = (instance: string, values: string) => ({ series: seriesName(EDGE_METER_METRICS.lastExport, { ...NODE_EXPORTER_TARGET, instance }), values });
    const freshHeartbeat = heartbeat(NODE_EXPORTER_TARGET.instance, `0+60x${minutes}`);
    // The kubelet's other endpoints (/metrics, /metrics/probes) are not what metering reads.
    const healthy = [up(kubelet("node-a"), 1), up({ ...kubelet("node-a"), metrics_path: "/metrics" }, 1), up(ksm, 1), up(traefik, 1), freshHeartbeat];

    promtoolCase(`${ALERTS.meteringSource}: fires when a kubelet cAdvisor target is down, kube-state-metrics is not scraped at all or an edge node's meter is stale`, () => {
        const cases = alertCases(
            ALERTS.meteringSource,
            "1h",
            {
                // node-b's kubelet refuses the scrape (e.g. its serving certificate is unapproved); no
                // kube-state-metrics target exists (its ServiceMonitor is gone).
                // The second edge node's meter last exported an hour before (its timer or nft load failed).
                input: [up(kubelet("node-a"), 1), up({ ...kubelet("node-a"), metrics_path: "/metrics" }, 1), up(kubelet("node-b"), 0), up(traefik, 1), freshHeartbeat, heartbeat("100.64.0.32:9100", `-3600+0x${minutes}`)],
                alerts: [
                    firing(ALERTS.meteringSource, { ...kubelet("node-b"), source: "kubelet" }),
                    firing(ALERTS.meteringSource, { job: "kube-state-metrics", source: "kube-state-metrics" }),
                    firing(ALERTS.meteringSource, { instance: "100.64.0.32:9100", source: "edge-meter" }),
                ],
            },
            { input: healthy },
            "condition holds from the first sample",
        );
        return { file: testFile("1m", cases) };
    });

    promtoolCase(`${ALERTS.meteringSource}: fires when no edge node exports the edge meter`, () => {
        const cases = alertCases(
            ALERTS.meteringSource,
            "1h",
            { input: healthy.filter((s) => s !== freshHeartbeat), alerts: [firing(ALERTS.meteringSource, { source: "edge-meter" })] },
            { input: healthy },
        );
        return { file: testFile("1m", cases) };
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
            // The finished fetch step of the first build: its request is not billed.
            completed: [{ pod: "build-shop-web-4fd5f7d6bba4-x1", container: "source", cpuRequestCores: 1, memoryRequestBytes: 1 * GiB }],
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
