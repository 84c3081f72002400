import type { PlatformConfig } from "../../lib/config/schema";
import { TENANT_NAMESPACE_LABEL } from "../../lib/conventions";
import { promqlNumber, promqlString } from "./promql";

/**
 * Per-project metering, cost and alerting rules for kube-prometheus-stack, rendered as plain Prometheus rule
 * groups (pure: same prices and projects, same groups).
 *
 * Tenant selection: every rule joins on `kube_namespace_labels{label_platform_tenant="true"}` (recorded once
 * as `platform:tenant_namespace:info`) instead of a namespace regex built from the project list. The join
 * follows the cluster, not the Pulumi program: a project appears in metering the moment its namespace
 * exists and disappears with it, git-synced objects are covered, and the rules need no re-render when the
 * catalog changes. Platform namespaces never carry the label, so they are never billed. The `project` label
 * is the namespace name (tenant namespaces are named after their project). This needs kube-state-metrics
 * to export the label: see {@link KUBE_STATE_METRICS_LABELS_ALLOWLIST}.
 *
 * Cost per project and hour, in `prices.currency`:
 *   cpu core-hours (used)                          × cpuCoreHour
 * + memory GiB-hours of max(working set, request) × memoryGiBHour   (per running container)
 * + PVC GiB-hours (requested size)                × storageGiBHour
 * + GiB transmitted by the project's pods         × networkEgressGiB
 * CPU is billed on use because it is compressible (idle requested CPU is lent to other pods); memory is
 * billed on max(use, request) because a request reserves memory nobody else can use. Network "egress" is
 * every byte the pods transmit (cAdvisor cannot tell internet from in-cluster traffic), an upper bound.
 *
 * Month boundaries: `platform:project_cost:month_to_date` sums the hourly cost at every full UTC hour of
 * the current calendar month (a 1h-step subquery over 31 days, filtered by the month start computed from
 * `day_of_month()`): exact to the hour, stateless (recomputed from history after a Prometheus restart),
 * lagging the current partial hour. Hours in which Prometheus recorded nothing count as zero.
 */

/** Prices as validated by `pricesSchema` (`platform:prices`). */
export type MeteringPrices = PlatformConfig["prices"];

/** A project whose spending may be checked against a monthly budget. */
export interface MeteringProject {
    /** Project name (= its namespace). */
    name: string;
    /** Monthly budget in the price currency (tenant file `budget.monthly`); no budget, no budget alert. */
    budgetMonthly?: number;
}

/** A Prometheus recording rule. */
export interface RecordingRule {
    /** Recorded series name (`level:metric:operations`). */
    record: string;
    /** PromQL expression. */
    expr: string;
    /** Labels added to every recorded series. */
    labels?: Record<string, string>;
}

/** Alert severities used by the platform (Alertmanager routes on them). */
export type Severity = "warning" | "critical";

/** A Prometheus alerting rule. */
export interface AlertingRule {
    /** Stable alert name. */
    alert: string;
    /** PromQL condition; every returned series carries `namespace` and `project`. */
    expr: string;
    /** How long the condition must hold before the alert fires. */
    for: string;
    /** Static labels; always a severity. */
    labels: { severity: Severity } & Record<string, string>;
    /** Human text (Go templates over `$labels` and `$value`). */
    annotations: { summary: string; description: string };
}

/** One rule of a group. */
export type Rule = RecordingRule | AlertingRule;

/** A Prometheus rule group, as written in a rules file or a PrometheusRule's `spec.groups`. */
export interface RuleGroup {
    /** Group name, unique per PrometheusRule. */
    name: string;
    /** Evaluation interval. */
    interval: string;
    /** Rules, evaluated in order (later rules see earlier results of the same evaluation). */
    rules: Rule[];
}

/** Whether a rule is an alerting rule. */
export function isAlertingRule(rule: Rule): rule is AlertingRule {
    return "alert" in rule;
}

/** 2^30: bytes per GiB (prices are per GiB, Kubernetes quantities are binary). */
export const BYTES_PER_GIB = 1073741824;

/** Evaluation interval of every group (cAdvisor and kube-state-metrics are scraped every 30s). */
export const EVALUATION_INTERVAL = "1m";

/** Names of the rule groups. */
export const GROUP_NAMES = {
    usage: "platform-metering-usage",
    cost: "platform-metering-cost",
    alerts: "platform-project-alerts",
    budgets: "platform-project-budgets",
} as const;

/** Names of every recorded series; dashboards and alerts refer to these, never to spelled-out strings. */
export const RECORDED = {
    /** 1 per tenant namespace, labels `namespace` and `project`: the join target of every other rule. */
    tenantNamespace: "platform:tenant_namespace:info",
    /** CPU cores in use (5m rate of core-seconds). */
    cpuCores: "platform:project_cpu_cores:rate5m",
    /** CPU core-seconds used in the last hour. */
    cpuCoreSeconds: "platform:project_cpu_core_seconds:increase1h",
    /** CPU cores requested by running containers. */
    cpuRequests: "platform:project_cpu_requests_cores:sum",
    /** Memory working set of all containers. */
    memoryWorkingSet: "platform:project_memory_working_set_bytes:sum",
    /** Memory requested by running containers. */
    memoryRequests: "platform:project_memory_requests_bytes:sum",
    /** Σ per running container of max(working set, request): what memory is billed on. */
    memoryBillable: "platform:project_memory_billable_bytes:sum",
    /** Billable memory GiB-hours of the last hour. */
    memoryGiBHours: "platform:project_memory_gib_hours:1h",
    /** Storage requested by the project's PVCs. */
    storageRequested: "platform:project_storage_requested_bytes:sum",
    /** Bytes used on the project's mounted volumes (kubelet volume stats). */
    storageUsed: "platform:project_storage_used_bytes:sum",
    /** Requested PVC GiB-hours of the last hour. */
    storageGiBHours: "platform:project_storage_gib_hours:1h",
    /** Bytes per second received by the project's pods. */
    networkReceiveRate: "platform:project_network_receive_bytes:rate5m",
    /** Bytes per second transmitted by the project's pods. */
    networkTransmitRate: "platform:project_network_transmit_bytes:rate5m",
    /** Bytes received in the last hour. */
    networkReceive1h: "platform:project_network_receive_bytes:increase1h",
    /** Bytes transmitted in the last hour (billed as egress). */
    networkTransmit1h: "platform:project_network_transmit_bytes:increase1h",
    /** CPU cost of the last hour. */
    cpuCost: "platform:project_cpu_cost:hourly",
    /** Memory cost of the last hour. */
    memoryCost: "platform:project_memory_cost:hourly",
    /** Storage cost of the last hour. */
    storageCost: "platform:project_storage_cost:hourly",
    /** Egress cost of the last hour. */
    egressCost: "platform:project_network_egress_cost:hourly",
    /** Total cost of the last hour (the four above). */
    cost: "platform:project_cost:hourly",
    /** Unix time of the start of the current UTC calendar month, per project (the billing period start). */
    billingMonthStart: "platform:project_billing_month_start:timestamp_seconds",
    /** Cost of the full hours of the current month so far. */
    monthToDate: "platform:project_cost:month_to_date",
    /** Month to date plus the last 24h's average hourly cost for every remaining hour of the month. */
    monthlyProjection: "platform:project_cost:monthly_projection",
    /** Earliest expiry of each certificate in a tenant namespace (cert-manager). */
    certificateExpiry: "platform:project_certificate_expiration_timestamp_seconds:min",
    /** The configured monthly budget of each project that has one. */
    budget: "platform:project_budget:monthly",
} as const;

/** Names of the alerts. */
export const ALERTS = {
    quota: "ProjectQuotaNearlyExhausted",
    crashLooping: "ProjectPodCrashLooping",
    certificate: "ProjectCertificateExpiringSoon",
    volume: "ProjectVolumeNearlyFull",
    budget: "ProjectCostOverBudget",
} as const;

/** Alert thresholds (also quoted in the annotations and the README). */
export const THRESHOLDS = {
    /** used/hard of any quota resource. */
    quotaRatio: 0.9,
    /** Restarts within 15 minutes that count as crash looping even without a CrashLoopBackOff sample. */
    restartsIn15m: 3,
    /** Days before expiry (cert-manager renews 30 days before, so below 14 renewal is failing). */
    certificateDays: 14,
    /** used/capacity of a volume. */
    volumeRatio: 0.85,
} as const;

/**
 * The raw exporter metrics the rules and dashboards may read: cAdvisor, kube-state-metrics, kubelet volume
 * stats and cert-manager, as kube-prometheus-stack (plus cert-manager's ServiceMonitor) scrapes them.
 */
export const SOURCE_METRICS: readonly string[] = [
    "container_cpu_usage_seconds_total",
    "container_memory_working_set_bytes",
    "container_network_receive_bytes_total",
    "container_network_transmit_bytes_total",
    "kube_pod_container_resource_requests",
    "kube_persistentvolumeclaim_resource_requests_storage_bytes",
    "kube_resourcequota",
    "kube_pod_container_status_restarts_total",
    "kube_pod_container_status_waiting_reason",
    "kube_namespace_labels",
    "kubelet_volume_stats_used_bytes",
    "kubelet_volume_stats_capacity_bytes",
    "certmanager_certificate_expiration_timestamp_seconds",
];

/**
 * kube-state-metrics `--metric-labels-allowlist` entry the monitoring add-on must set (kube-prometheus-stack
 * value `kube-state-metrics.metricLabelsAllowlist`): without it `kube_namespace_labels` carries no
 * `label_platform_tenant` and no project is metered.
 */
export const KUBE_STATE_METRICS_LABELS_ALLOWLIST = `namespaces=[${TENANT_NAMESPACE_LABEL}]`;

/** kube-state-metrics' spelling of the tenant namespace label (`platform/tenant` → `label_platform_tenant`). */
export const TENANT_LABEL_SERIES_NAME = `label_${TENANT_NAMESPACE_LABEL.replace(/[^a-zA-Z0-9_]/g, "_")}`;

// Containers only: cAdvisor also reports the pod cgroup (container="") and, with dockershim, the pause
// container ("POD"); counting those would bill every pod twice.
const CPU = 'container_cpu_usage_seconds_total{container!="", container!="POD"}';
const MEMORY = 'container_memory_working_set_bytes{container!="", container!="POD"}';
// Network counters exist only on the pod sandbox, one series per interface: no container filter.
const RECEIVE = "container_network_receive_bytes_total";
const TRANSMIT = "container_network_transmit_bytes_total";

/** Attaches `project` and drops every namespace that is not a tenant. */
function perProject(namespaced: string): string {
    return `${namespaced}\n* on (namespace) group_left (project) ${RECORDED.tenantNamespace}`;
}

/** `expr` for tenants that have it, 0 for tenants that do not (a project without a PVC costs 0 storage). */
function orZero(expr: string): string {
    return `(${expr})\nor\n0 * ${RECORDED.tenantNamespace}`;
}

/** Σ per namespace of a kube-state-metrics request, counting only containers that are running. */
function runningRequests(resource: "cpu" | "memory", runningSelector: string): string {
    return perProject(
        [
            "sum by (namespace) (",
            `  max by (namespace, pod, container) (kube_pod_container_resource_requests{resource="${resource}"})`,
            "  and on (namespace, pod, container)",
            `  ${runningSelector}`,
            ")",
        ].join("\n"),
    );
}

function checkPrices(prices: MeteringPrices): void {
    if (!/^[A-Z]{3}$/.test(prices.currency)) {
        throw new Error(`metering: currency "${prices.currency}" must be a three-letter ISO code`);
    }
    for (const key of ["cpuCoreHour", "memoryGiBHour", "storageGiBHour", "networkEgressGiB"] as const) {
        if (!Number.isFinite(prices[key]) || prices[key] < 0) {
            throw new Error(`metering: price ${key} must be a finite number >= 0, got ${prices[key]}`);
        }
    }
}

/**
 * The metering and cost recording rules: usage per tenant namespace (CPU, memory, storage, network) and its
 * hourly, month-to-date and projected monthly cost at `prices`. Two groups, evaluated every minute: usage
 * first, cost from the recorded usage. Every recorded series carries `namespace` and `project`; cost series
 * also carry `currency`.
 */
export function renderMeteringRuleGroups(prices: MeteringPrices): RuleGroup[] {
    checkPrices(prices);
    const currency = { currency: prices.currency };
    const usage: RecordingRule[] = [
        {
            record: RECORDED.tenantNamespace,
            // max by: two kube-state-metrics replicas (or a rollout) export the same namespace twice.
            expr: `label_replace(\n  max by (namespace) (kube_namespace_labels{${TENANT_LABEL_SERIES_NAME}="true"}),\n  "project", "$1", "namespace", "(.+)"\n)`,
        },
        { record: RECORDED.cpuCores, expr: perProject(`sum by (namespace) (rate(${CPU}[5m]))`) },
        { record: RECORDED.cpuCoreSeconds, expr: perProject(`sum by (namespace) (increase(${CPU}[1h]))`) },
        // Requests of completed pods (finished Jobs) stay in kube-state-metrics until the pod is deleted;
        // only containers cAdvisor sees running hold capacity.
        { record: RECORDED.cpuRequests, expr: runningRequests("cpu", CPU) },
        { record: RECORDED.memoryWorkingSet, expr: perProject(`sum by (namespace) (${MEMORY})`) },
        { record: RECORDED.memoryRequests, expr: runningRequests("memory", MEMORY) },
        {
            record: RECORDED.memoryBillable,
            // Per container, so one container's unused request cannot hide another's overuse. The source
            // label keeps usage and request apart through `or`; max by then picks the larger.
            expr: perProject(
                [
                    "sum by (namespace) (",
                    "  max by (namespace, pod, container) (",
                    `      label_replace(${MEMORY}, "source", "usage", "__name__", ".*")`,
                    "    or",
                    '      label_replace(kube_pod_container_resource_requests{resource="memory"}, "source", "request", "__name__", ".*")',
                    "  )",
                    "  and on (namespace, pod, container)",
                    `  ${MEMORY}`,
                    ")",
                ].join("\n"),
            ),
        },
        { record: RECORDED.memoryGiBHours, expr: `avg_over_time(${RECORDED.memoryBillable}[1h]) / ${BYTES_PER_GIB}` },
        {
            record: RECORDED.storageRequested,
            expr: perProject("sum by (namespace) (\n  max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_resource_requests_storage_bytes)\n)"),
        },
        {
            record: RECORDED.storageUsed,
            // A volume mounted on two nodes is reported by both kubelets: count it once.
            expr: perProject("sum by (namespace) (\n  max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes)\n)"),
        },
        // Billed on the requested size: Longhorn reserves it whether or not it is written.
        { record: RECORDED.storageGiBHours, expr: `avg_over_time(${RECORDED.storageRequested}[1h]) / ${BYTES_PER_GIB}` },
        { record: RECORDED.networkReceiveRate, expr: perProject(`sum by (namespace) (rate(${RECEIVE}[5m]))`) },
        { record: RECORDED.networkTransmitRate, expr: perProject(`sum by (namespace) (rate(${TRANSMIT}[5m]))`) },
        { record: RECORDED.networkReceive1h, expr: perProject(`sum by (namespace) (increase(${RECEIVE}[1h]))`) },
        { record: RECORDED.networkTransmit1h, expr: perProject(`sum by (namespace) (increase(${TRANSMIT}[1h]))`) },
    ];

    const price = (key: "cpuCoreHour" | "memoryGiBHour" | "storageGiBHour" | "networkEgressGiB") => promqlNumber(prices[key]);
    const cost: RecordingRule[] = [
        { record: RECORDED.cpuCost, expr: orZero(`${RECORDED.cpuCoreSeconds} / 3600 * ${price("cpuCoreHour")}`), labels: currency },
        { record: RECORDED.memoryCost, expr: orZero(`${RECORDED.memoryGiBHours} * ${price("memoryGiBHour")}`), labels: currency },
        { record: RECORDED.storageCost, expr: orZero(`${RECORDED.storageGiBHours} * ${price("storageGiBHour")}`), labels: currency },
        { record: RECORDED.egressCost, expr: orZero(`${RECORDED.networkTransmit1h} / ${BYTES_PER_GIB} * ${price("networkEgressGiB")}`), labels: currency },
        {
            record: RECORDED.cost,
            // Every term exists for every tenant (orZero), so `+` never drops a project.
            expr: `${RECORDED.cpuCost}\n+ ${RECORDED.memoryCost}\n+ ${RECORDED.storageCost}\n+ ${RECORDED.egressCost}`,
            labels: currency,
        },
        {
            record: RECORDED.billingMonthStart,
            // time() minus the elapsed days of the month and the seconds since UTC midnight.
            expr: `0 * ${RECORDED.tenantNamespace}\n+ on () group_left ()\nvector(time() - (scalar(day_of_month()) - 1) * 86400 - time() % 86400)`,
        },
        {
            record: RECORDED.monthToDate,
            // Subquery steps fall on full UTC hours; the sample at step s is the cost of the hour ending at
            // s. `@ end()` pins the month start to this evaluation's month, so only hours ending after it
            // (hours of this month) are summed. Before the first full hour the total is 0.
            expr: [
                "sum_over_time(",
                "  (",
                `    ${RECORDED.cost}`,
                "    and on (namespace, project)",
                `    (${RECORDED.billingMonthStart} @ end() < on () group_left () vector(time()))`,
                "  )[31d:1h]",
                ")",
                "or",
                `0 * ${RECORDED.cost}`,
            ].join("\n"),
            labels: currency,
        },
        {
            record: RECORDED.monthlyProjection,
            // The hours still to come: hours in the month minus the full hours summed into month to date.
            expr: [
                RECORDED.monthToDate,
                `+ avg_over_time(${RECORDED.cost}[24h])`,
                "  * scalar(days_in_month() * 24 - (day_of_month() - 1) * 24 - hour())",
            ].join("\n"),
            labels: currency,
        },
    ];
    return [
        { name: GROUP_NAMES.usage, interval: EVALUATION_INTERVAL, rules: usage },
        { name: GROUP_NAMES.cost, interval: EVALUATION_INTERVAL, rules: cost },
    ];
}

const PROJECT_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function checkProjects(projects: readonly MeteringProject[]): void {
    const seen = new Set<string>();
    for (const project of projects) {
        if (!PROJECT_NAME.test(project.name)) {
            throw new Error(`metering: project name "${project.name}" is not a DNS label`);
        }
        if (seen.has(project.name)) {
            throw new Error(`metering: project "${project.name}" is listed twice`);
        }
        seen.add(project.name);
        if (project.budgetMonthly !== undefined && !(Number.isFinite(project.budgetMonthly) && project.budgetMonthly > 0)) {
            throw new Error(`metering: budget of project "${project.name}" must be a positive number, got ${project.budgetMonthly}`);
        }
    }
}

/**
 * The per-project alerts: quota nearly exhausted, crash-looping containers, certificates expiring, volumes
 * nearly full, and (for projects with a budget) projected monthly cost above budget. Every alert carries
 * `severity` and, from its expression, `namespace` and `project`. The alerts read
 * `platform:tenant_namespace:info` and the cost series, so they are deployed with
 * {@link renderMeteringRuleGroups}. The budget group exists only when some project has a budget.
 */
export function renderAlertRuleGroups(projects: readonly MeteringProject[], prices: MeteringPrices): RuleGroup[] {
    checkPrices(prices);
    checkProjects(projects);
    const alerts: Rule[] = [
        {
            record: RECORDED.certificateExpiry,
            // cert-manager exports the Certificate's namespace as `namespace`; when its ServiceMonitor does
            // not honour labels Prometheus renames it to `exported_namespace`. Accept both.
            // A certificate not issued yet reports 0: it has no expiry, and counting it would alert with
            // "-20000 days" (the missing certificate is cert-manager's Ready condition's business).
            expr: perProject(
                'min by (namespace, name) (\n  label_replace(certmanager_certificate_expiration_timestamp_seconds > 0, "namespace", "$1", "exported_namespace", "(.+)")\n)',
            ),
        },
        {
            alert: ALERTS.quota,
            expr: [
                "(",
                "  max by (namespace, resourcequota, resource) (kube_resourcequota{type=\"used\"})",
                "  /",
                // A hard limit of 0 (LoadBalancer services) is a prohibition, not a quota to exhaust.
                "  (max by (namespace, resourcequota, resource) (kube_resourcequota{type=\"hard\"}) > 0)",
                `) * on (namespace) group_left (project) ${RECORDED.tenantNamespace}`,
                `> ${promqlNumber(THRESHOLDS.quotaRatio)}`,
            ].join("\n"),
            for: "15m",
            labels: { severity: "warning" },
            annotations: {
                summary: "Project {{ $labels.project }} has used {{ $value | humanizePercentage }} of its {{ $labels.resource }} quota",
                description: `ResourceQuota {{ $labels.resourcequota }} in namespace {{ $labels.namespace }} is above ${THRESHOLDS.quotaRatio * 100}% for {{ $labels.resource }}; new pods or volumes will be rejected once it is full. Raise the quota in the tenant file or reduce usage.`,
            },
        },
        {
            alert: ALERTS.crashLooping,
            expr: [
                "(",
                '    max by (namespace, pod, container) (max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m])) >= 1',
                "  or",
                // Restarts catch a loop whose back-off state falls between scrapes.
                `    max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[15m])) > ${THRESHOLDS.restartsIn15m}`,
                `) * on (namespace) group_left (project) ${RECORDED.tenantNamespace}`,
            ].join("\n"),
            for: "10m",
            labels: { severity: "warning" },
            annotations: {
                summary: "Container {{ $labels.container }} of pod {{ $labels.pod }} in project {{ $labels.project }} is crash looping",
                description: `The container is in CrashLoopBackOff or restarted more than ${THRESHOLDS.restartsIn15m} times in 15 minutes. Check its logs in the project dashboard.`,
            },
        },
        {
            alert: ALERTS.certificate,
            expr: `(${RECORDED.certificateExpiry} - time()) / 86400 < ${THRESHOLDS.certificateDays}`,
            for: "1h",
            labels: { severity: "warning" },
            annotations: {
                summary: "Certificate {{ $labels.name }} of project {{ $labels.project }} expires in {{ $value | printf \"%.1f\" }} days",
                description: "cert-manager renews certificates 30 days before expiry, so renewal is failing: check the Certificate, its Order and Challenges in namespace {{ $labels.namespace }}.",
            },
        },
        {
            alert: ALERTS.volume,
            expr: [
                "(",
                "  max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes)",
                "  /",
                "  (max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes) > 0)",
                `) * on (namespace) group_left (project) ${RECORDED.tenantNamespace}`,
                `> ${promqlNumber(THRESHOLDS.volumeRatio)}`,
            ].join("\n"),
            for: "10m",
            labels: { severity: "warning" },
            annotations: {
                summary: "Volume {{ $labels.persistentvolumeclaim }} of project {{ $labels.project }} is {{ $value | humanizePercentage }} full",
                description: `The volume is above ${THRESHOLDS.volumeRatio * 100}% of its capacity; the workload fails when it is full. Grow the volume in the tenant file or delete data.`,
            },
        },
    ];
    const groups: RuleGroup[] = [{ name: GROUP_NAMES.alerts, interval: EVALUATION_INTERVAL, rules: alerts }];

    const budgeted = projects.filter((p) => p.budgetMonthly !== undefined);
    if (budgeted.length > 0) {
        // Budgets are recorded as series so the alert is one rule and dashboards can draw the budget line.
        const budgets: RecordingRule[] = budgeted.map((p) => ({
            record: RECORDED.budget,
            expr: `vector(${promqlNumber(p.budgetMonthly!)})`,
            labels: { namespace: p.name, project: p.name, currency: prices.currency },
        }));
        const overBudget: AlertingRule = {
            alert: ALERTS.budget,
            // group_left keeps the projection's labels (currency); a plain `on` match would drop them.
            expr: `${RECORDED.monthlyProjection}\n> on (namespace, project) group_left ()\n${RECORDED.budget}`,
            // The projection rests on the last 24h: an hour of overspend is a trend, a minute is noise.
            for: "1h",
            labels: { severity: "warning" },
            annotations: {
                summary: "Project {{ $labels.project }} is projected to cost {{ $value | printf \"%.2f\" }} {{ $labels.currency }} this month",
                description: `That is above its monthly budget of {{ with printf ${promqlString(`${RECORDED.budget}{project=%q}`)} $labels.project | query }}{{ . | first | value | printf "%.2f" }}{{ end }} {{ $labels.currency }} (month to date plus the last 24h's hourly cost for the rest of the month). Scale down or raise budget.monthly in the tenant file.`,
            },
        };
        groups.push({ name: GROUP_NAMES.budgets, interval: EVALUATION_INTERVAL, rules: [...budgets, overBudget] });
    }
    return groups;
}

/** Every series name recorded by the groups (sorted, unique). */
export function recordedMetricNames(groups: readonly RuleGroup[]): string[] {
    return [...new Set(groups.flatMap((g) => g.rules.flatMap((r) => (isAlertingRule(r) ? [] : [r.record]))))].sort();
}
