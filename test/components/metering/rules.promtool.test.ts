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
    THRESHOLDS,
    type AlertingRule,
    type BillingContext,
    type MeteringPrices,
    type MeteringProject,
    type RuleGroup,
} from "../../../components/metering/rules";
import { testRules } from "../../helpers/promtool";
import {
    counter,
    expectedHourlyCost,
    expectedMonth,
    expectedUsage,
    gauge,
    GiB,
    goFixed,
    humanizePercentage,
    inputSeries,
    MiB,
    seriesName,
    type ExpectedSample,
    type InputSeries,
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
    // Of 2048 B/s sent, 1024 B/s go to internet clients through Traefik; the rest is in-cluster.
    network: [{ pod: "web-0", receiveBytesPerSecond: 1024, transmitBytesPerSecond: 2048, internetEgress: { service: "web", bytesPerSecond: 1024 } }],
};
// No volume, no traffic, no requests: those costs are 0, not missing.
const blog: NamespaceLoad = {
    namespace: "blog",
    tenant: true,
    containers: [{ pod: "blog-0", container: "app", cpuCores: 0.125, workingSetBytes: 128 * MiB }],
};
// A platform namespace with the same kind of load: never metered.
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

const billing: BillingContext = { region: "fsn1", storageReplicas: REPLICAS, infrastructureMonthlyEur: 2 ** 8 * 28, rangeSemantics: "prometheus2", ledgerExported: true };
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

    promtoolCase("sum the month to date over full UTC hours of the current month and restart it on the 1st", () => {
        // Evaluated hourly (the subquery over 31 days makes minute steps slow in promtool); the rules only
        // read raw samples and hour-aligned recorded ones, so the numbers are those of a 1m evaluation.
        const load: NamespaceLoad = { namespace: "shop", tenant: true, containers: [{ pod: "web-0", container: "web", cpuCores: 0.5, workingSetBytes: 512 * MiB, memoryRequestBytes: 256 * MiB }] };
        const hourly = expectedHourlyCost(load, prices).total;
        const evalHours = [30 * 24 + 23, 31 * 24, 31 * 24 + 5]; // Jan 31 23:00, Feb 1 00:00, Feb 1 05:00 (1970)
        const tests: ExprTest[] = evalHours.flatMap((h) => {
            const month = expectedMonth(hourly, h * HOUR);
            return [
                { expr: RECORDED.monthToDate, eval_time: `${h}h`, exp_samples: [{ labels: seriesName(RECORDED.monthToDate, costLabels("shop")), value: month.monthToDate }] },
                { expr: RECORDED.monthlyProjection, eval_time: `${h}h`, exp_samples: [{ labels: seriesName(RECORDED.monthlyProjection, costLabels("shop")), value: month.projection }] },
                { expr: RECORDED.billingMonthStart, eval_time: `${h}h`, exp_samples: [{ labels: seriesName(RECORDED.billingMonthStart, projectLabels("shop")), value: month.monthStart }] },
                { expr: `${RECORDED.monthToDate}{namespace="monitoring"}`, eval_time: `${h}h`, exp_samples: [] },
            ];
        });
        const samples = (31 * 24 + 5) * 60 + 5;
        return {
            file: testFile("1h", [{ interval: "1m", input_series: inputSeries([load, { ...load, namespace: "monitoring", tenant: false }], samples), promql_expr_test: tests }]),
            check: () => {
                // The calendar facts the expectations rest on: January then a 28-day February.
                expect(expectedMonth(hourly, 31 * 24 * HOUR)).toEqual({ monthStart: 31 * 24 * HOUR, monthToDate: 0, projection: hourly * 28 * 24 });
                expect(expectedMonth(hourly, (31 * 24 + 5) * HOUR).monthToDate).toBe(hourly * 5);
                expect(expectedMonth(hourly, (30 * 24 + 23) * HOUR).projection).toBe(hourly * 31 * 24);
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
        return {
            // Evaluated every 5m: a day of the 31-day subquery at 1m steps takes promtool half a minute, and
            // the alert only needs the projection to hold for an hour (the 1m math is proven above).
            file: testFile("5m", cases),
            check: () => {
                expect(shopProjection).toBeGreaterThan(shopBudget);
                expect(projection(blog, evalHours)).toBeLessThan(projects.find((p) => p.name === "blog")!.budgetMonthly!);
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
        expect([...coverage.pending].sort()).toEqual([ALERTS.quota, ALERTS.volume].sort());
    });

    it("waits the designed pending window before each alert fires", () => {
        expect(Object.fromEntries(allAlerts.map((alert) => [alert, alertRule(alert).for]))).toEqual(
            Object.fromEntries(Object.entries(PENDING_WINDOW_MINUTES).map(([alert, minutes]) => [alert, minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`])),
        );
        expect(GROUP_ORDER).toEqual([GROUP_NAMES.usage, GROUP_NAMES.cost, GROUP_NAMES.alerts, GROUP_NAMES.budgets]);
    });
});
