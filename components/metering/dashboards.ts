import { promqlMetricNames } from "./promql";
import { RECORDED, type MeteringPrices } from "./rules";

/**
 * Grafana dashboards for metering, as dashboard JSON models (schemaVersion 39) provisioned by the Grafana
 * sidecar of kube-prometheus-stack. Two dashboards: the platform overview (every project, cost ranking,
 * usage per project) and the project dashboard (one project picked with the `project` variable, including
 * its logs from Loki). Queries read the metering recording rules, so panels stay cheap and agree with the
 * alerts; raw exporter metrics appear only for per-pod or per-volume detail the rules aggregate away.
 * Data sources are template variables (`datasource`, `loki`), so the JSON does not depend on the uids the
 * add-ons give their data sources.
 */

/** Reference to a data source by type and uid (a `${variable}` here). */
export interface DataSourceRef {
    type: "prometheus" | "loki";
    uid: string;
}

/** One query of a panel. */
export interface GrafanaTarget {
    refId: string;
    datasource: DataSourceRef;
    expr: string;
    legendFormat?: string;
    /** Evaluate once at the end of the range (stat, bar gauge, table). */
    instant?: boolean;
    range?: boolean;
    format?: "time_series" | "table";
    /** Loki: `range` for log lines. */
    queryType?: "range" | "instant";
}

/** A panel on the 24-column grid. */
export interface GrafanaPanel {
    id: number;
    type: "stat" | "timeseries" | "bargauge" | "table" | "logs";
    title: string;
    description?: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource: DataSourceRef;
    targets: GrafanaTarget[];
    fieldConfig: { defaults: Record<string, unknown>; overrides: unknown[] };
    options: Record<string, unknown>;
    transformations?: Array<{ id: string; options: Record<string, unknown> }>;
}

/** A templating variable. */
export interface GrafanaVariable {
    name: string;
    label: string;
    type: "datasource" | "query";
    /** Data source type for `datasource` variables, the PromQL (or `label_values(...)`) for `query` ones. */
    query: string;
    datasource?: DataSourceRef;
    definition?: string;
    refresh?: 1 | 2;
    includeAll?: boolean;
    multi?: boolean;
    sort?: number;
    hide?: 0 | 1 | 2;
    current?: Record<string, unknown>;
    options?: unknown[];
    regex?: string;
}

/** A Grafana dashboard JSON model. */
export interface GrafanaDashboard {
    uid: string;
    title: string;
    description: string;
    tags: string[];
    timezone: "utc";
    schemaVersion: number;
    version: number;
    editable: boolean;
    graphTooltip: 0 | 1 | 2;
    time: { from: string; to: string };
    refresh: string;
    templating: { list: GrafanaVariable[] };
    annotations: { list: unknown[] };
    links: unknown[];
    panels: GrafanaPanel[];
}

/** Dashboard uids (stable: links and bookmarks use them). */
export const DASHBOARD_UIDS = { platform: "platform-metering-overview", project: "platform-metering-project" } as const;

/** Grafana schema version the JSON follows (Grafana 10.x/11.x read it without migration). */
export const SCHEMA_VERSION = 39;

const PROMETHEUS: DataSourceRef = { type: "prometheus", uid: "${datasource}" };
const LOKI: DataSourceRef = { type: "loki", uid: "${loki}" };

// Grafana has built-in units for these currencies; any other ISO code is shown as a suffix.
const GRAFANA_CURRENCY_UNITS = new Set(["USD", "GBP", "EUR", "JPY", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "BRL", "INR", "ZAR"]);

/** Grafana unit for amounts in `currency`. */
export function currencyUnit(currency: string): string {
    return GRAFANA_CURRENCY_UNITS.has(currency) ? `currency${currency}` : `suffix: ${currency}`;
}

/** Lays panels out left to right, wrapping at 24 columns; ids in order. */
class Layout {
    private x = 0;
    private y = 0;
    private rowHeight = 0;
    private id = 0;
    readonly panels: GrafanaPanel[] = [];

    add(w: number, h: number, panel: Omit<GrafanaPanel, "id" | "gridPos">): void {
        if (this.x + w > 24) {
            this.x = 0;
            this.y += this.rowHeight;
            this.rowHeight = 0;
        }
        this.panels.push({ id: ++this.id, gridPos: { x: this.x, y: this.y, w, h }, ...panel });
        this.x += w;
        this.rowHeight = Math.max(this.rowHeight, h);
    }
}

const refIds = "ABCDEFGHIJ";
function promTargets(queries: Array<{ expr: string; legend?: string }>, instant = false): GrafanaTarget[] {
    return queries.map((q, i) => ({
        refId: refIds[i]!,
        datasource: PROMETHEUS,
        expr: q.expr,
        ...(q.legend ? { legendFormat: q.legend } : {}),
        ...(instant ? { instant: true, range: false, format: "table" as const } : { range: true, instant: false, format: "time_series" as const }),
    }));
}

function stat(title: string, description: string, expr: string, unit: string, noValue = "0"): Omit<GrafanaPanel, "id" | "gridPos"> {
    return {
        type: "stat",
        title,
        description,
        datasource: PROMETHEUS,
        targets: promTargets([{ expr }], true),
        fieldConfig: { defaults: { unit, decimals: 2, noValue, color: { mode: "thresholds" }, thresholds: { mode: "absolute", steps: [{ color: "blue", value: null }] } }, overrides: [] },
        options: { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "value", graphMode: "none", textMode: "auto", orientation: "auto", justifyMode: "auto" },
    };
}

function timeseries(title: string, description: string, queries: Array<{ expr: string; legend?: string }>, unit: string, stacked = false): Omit<GrafanaPanel, "id" | "gridPos"> {
    return {
        type: "timeseries",
        title,
        description,
        datasource: PROMETHEUS,
        targets: promTargets(queries),
        fieldConfig: {
            defaults: { unit, min: 0, custom: { drawStyle: "line", lineWidth: 1, fillOpacity: stacked ? 30 : 10, stacking: { mode: stacked ? "normal" : "none", group: "A" }, showPoints: "never" } },
            overrides: [],
        },
        options: { legend: { displayMode: "table", placement: "right", calcs: ["lastNotNull", "max"], showLegend: true }, tooltip: { mode: "multi", sort: "desc" } },
    };
}

function bargauge(title: string, description: string, expr: string, legend: string, unit: string, max?: number): Omit<GrafanaPanel, "id" | "gridPos"> {
    return {
        type: "bargauge",
        title,
        description,
        datasource: PROMETHEUS,
        targets: promTargets([{ expr, legend }], true).map((t) => ({ ...t, format: "time_series" as const })),
        fieldConfig: {
            defaults: {
                unit,
                min: 0,
                ...(max !== undefined ? { max } : {}),
                color: { mode: max !== undefined ? "thresholds" : "continuous-GrYlRd" },
                thresholds: { mode: "absolute", steps: max !== undefined ? [{ color: "green", value: null }, { color: "orange", value: 0.85 * max }, { color: "red", value: 0.9 * max }] : [{ color: "green", value: null }] },
            },
            overrides: [],
        },
        options: { orientation: "horizontal", displayMode: "gradient", showUnfilled: true, reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false } },
    };
}

function table(title: string, description: string, queries: Array<{ expr: string; column: string; unit: string }>): Omit<GrafanaPanel, "id" | "gridPos"> {
    const targets = promTargets(queries.map((q) => ({ expr: q.expr })), true);
    // Each instant query yields a "Value #<refId>" column: merge them into one row per label set, then name
    // the columns and give each its unit.
    const renameByName: Record<string, string> = {};
    queries.forEach((q, i) => {
        renameByName[`Value #${targets[i]!.refId}`] = q.column;
    });
    return {
        type: "table",
        title,
        description,
        datasource: PROMETHEUS,
        targets,
        fieldConfig: {
            defaults: { decimals: 2 },
            overrides: queries.map((q) => ({ matcher: { id: "byName", options: q.column }, properties: [{ id: "unit", value: q.unit }] })),
        },
        options: { showHeader: true, cellHeight: "sm", footer: { show: false, reducer: ["sum"], fields: "" } },
        transformations: [
            { id: "merge", options: {} },
            { id: "organize", options: { excludeByName: { Time: true }, renameByName } },
        ],
    };
}

function datasourceVariable(name: string, label: string, type: DataSourceRef["type"]): GrafanaVariable {
    return { name, label, type: "datasource", query: type, refresh: 1, hide: 0, includeAll: false, multi: false, current: {}, options: [], regex: "" };
}

function dashboard(uid: string, title: string, description: string, variables: GrafanaVariable[], panels: GrafanaPanel[]): GrafanaDashboard {
    return {
        uid,
        title,
        description,
        tags: ["platform", "metering"],
        timezone: "utc",
        schemaVersion: SCHEMA_VERSION,
        version: 1,
        editable: false,
        graphTooltip: 1,
        time: { from: "now-7d", to: "now" },
        refresh: "5m",
        templating: { list: variables },
        annotations: { list: [] },
        links: [],
        panels,
    };
}

/** The platform overview: totals, the cost ranking, projection vs budget, and usage per project. */
export function renderPlatformDashboard(prices: Pick<MeteringPrices, "currency">): GrafanaDashboard {
    const money = currencyUnit(prices.currency);
    const byProject = (record: string) => `sum by (project) (${record})`;
    const layout = new Layout();
    layout.add(6, 4, stat("Cost per hour, all projects", "Cost of the last hour: CPU and memory max(requested, used) per running container or gVisor pod, PVC size × Longhorn replicas, internet egress.", `sum(${RECORDED.cost})`, money));
    layout.add(6, 4, stat("Month to date, all projects", "Cost of the full UTC hours of this calendar month.", `sum(${RECORDED.monthToDate})`, money));
    layout.add(6, 4, stat("Projected this month, all projects", "Month to date plus the last 24h's hourly cost for every hour left.", `sum(${RECORDED.monthlyProjection})`, money));
    layout.add(6, 4, { ...stat("Projects metered", "Namespaces labelled platform/tenant=true.", `count(${RECORDED.tenantNamespace})`, "none"), fieldConfig: { defaults: { unit: "none", decimals: 0, noValue: "0" }, overrides: [] } });
    layout.add(12, 10, bargauge("Cost ranking, month to date", "Projects by cost so far this month, most expensive first.", `sort_desc(${byProject(RECORDED.monthToDate)})`, "{{project}}", money));
    layout.add(
        12,
        10,
        table(
            "Projection vs budget",
            "Projected cost of the month per project next to its budget (empty: no budget).",
            [
                { expr: byProject(RECORDED.monthlyProjection), column: "projected", unit: money },
                { expr: byProject(RECORDED.budget), column: "budget", unit: money },
                { expr: byProject(RECORDED.monthToDate), column: "month to date", unit: money },
            ],
        ),
    );
    layout.add(24, 9, timeseries("Cost per hour by project", "Hourly cost, stacked: the top line is the platform's tenant cost per hour.", [{ expr: byProject(RECORDED.cost), legend: "{{project}}" }], money, true));
    layout.add(
        24,
        9,
        timeseries(
            "Region cost lines per hour",
            "OpenCost-style: tenant bills, platform overhead (platform namespaces at tenant prices), the plan's infrastructure estimate per hour and idle (unrequested capacity = infrastructure − tenants − platform).",
            [{ expr: `sum by (line) (${RECORDED.regionCost})`, legend: "{{line}}" }],
            money,
        ),
    );
    layout.add(12, 8, timeseries("CPU cores billed", "Per running container (gVisor: per pod) max(request, use), per project.", [{ expr: byProject(RECORDED.cpuBillable), legend: "{{project}}" }], "none"));
    layout.add(12, 8, timeseries("Memory billed", "Per running container (gVisor: per pod) max(working set, request), summed per project.", [{ expr: byProject(RECORDED.memoryBillable), legend: "{{project}}" }], "bytes"));
    layout.add(12, 8, timeseries("Storage requested", "Requested size of every PVC of the project.", [{ expr: byProject(RECORDED.storageRequested), legend: "{{project}}" }], "bytes"));
    layout.add(12, 8, timeseries("Internet egress (billed)", "Bytes per second the project's pods send to Traefik (HTTP, WebSocket, TCP/UDP, passthrough) and straight to the internet (the node meter); in-cluster traffic is not billed.", [{ expr: byProject(RECORDED.internetEgressRate), legend: "{{project}}" }], "Bps"));
    layout.add(
        24,
        9,
        table(
            "Usage per project, now",
            "Current usage next to requests (what the quota counts) for each project.",
            [
                { expr: byProject(RECORDED.cpuCores), column: "CPU cores used", unit: "none" },
                { expr: byProject(RECORDED.cpuRequests), column: "CPU cores requested", unit: "none" },
                { expr: byProject(RECORDED.memoryWorkingSet), column: "memory used", unit: "bytes" },
                { expr: byProject(RECORDED.memoryRequests), column: "memory requested", unit: "bytes" },
                { expr: byProject(RECORDED.storageRequested), column: "storage requested", unit: "bytes" },
                { expr: byProject(RECORDED.storageUsed), column: "storage used", unit: "bytes" },
            ],
        ),
    );
    return dashboard(DASHBOARD_UIDS.platform, "Platform / Project costs and usage", "Metered usage and cost of every tenant project.", [datasourceVariable("datasource", "Prometheus", "prometheus")], layout.panels);
}

/** The per-project dashboard: cost breakdown, usage against requests, volumes, quota, health and logs. */
export function renderProjectDashboard(prices: Pick<MeteringPrices, "currency">): GrafanaDashboard {
    const money = currencyUnit(prices.currency);
    const sel = '{project="$project"}';
    const ns = 'namespace="$project"';
    const layout = new Layout();
    layout.add(6, 4, stat("Cost per hour", "Cost of the last hour.", `sum(${RECORDED.cost}${sel})`, money));
    layout.add(6, 4, stat("Month to date", "Cost of the full UTC hours of this calendar month.", `sum(${RECORDED.monthToDate}${sel})`, money));
    layout.add(6, 4, stat("Projected this month", "Month to date plus the last 24h's hourly cost for every hour left.", `sum(${RECORDED.monthlyProjection}${sel})`, money));
    layout.add(6, 4, stat("Monthly budget", "budget.monthly of the tenant file; the ProjectCostOverBudget alert fires when the projection exceeds it.", `sum(${RECORDED.budget}${sel})`, money, "no budget"));
    layout.add(
        24,
        8,
        timeseries(
            "Cost per hour by resource",
            "Stacked: CPU used, memory max(used, requested), PVC size, egress.",
            [
                { expr: `sum(${RECORDED.cpuCost}${sel})`, legend: "CPU" },
                { expr: `sum(${RECORDED.memoryCost}${sel})`, legend: "memory" },
                { expr: `sum(${RECORDED.storageCost}${sel})`, legend: "storage" },
                { expr: `sum(${RECORDED.egressCost}${sel})`, legend: "egress" },
                { expr: `sum(${RECORDED.buildCost}${sel})`, legend: "build" },
            ],
            money,
            true,
        ),
    );
    layout.add(
        12,
        8,
        timeseries(
            "CPU",
            "Cores used against cores requested by running containers.",
            [
                { expr: `sum(${RECORDED.cpuCores}${sel})`, legend: "used" },
                { expr: `sum(${RECORDED.cpuRequests}${sel})`, legend: "requested" },
            ],
            "none",
        ),
    );
    layout.add(
        12,
        8,
        timeseries(
            "Memory",
            "Working set, requests, and what is billed (per container the larger of the two).",
            [
                { expr: `sum(${RECORDED.memoryWorkingSet}${sel})`, legend: "working set" },
                { expr: `sum(${RECORDED.memoryRequests}${sel})`, legend: "requested" },
                { expr: `sum(${RECORDED.memoryBillable}${sel})`, legend: "billed" },
            ],
            "bytes",
        ),
    );
    layout.add(
        12,
        8,
        timeseries(
            "CPU by pod",
            "Cores used per pod.",
            [{ expr: `sum by (pod) (rate(container_cpu_usage_seconds_total{${ns}, container!="", container!="POD"}[$__rate_interval]))`, legend: "{{pod}}" }],
            "none",
        ),
    );
    layout.add(
        12,
        8,
        timeseries(
            "Memory by pod",
            "Working set per pod.",
            [{ expr: `sum by (pod) (container_memory_working_set_bytes{${ns}, container!="", container!="POD"})`, legend: "{{pod}}" }],
            "bytes",
        ),
    );
    layout.add(
        12,
        8,
        timeseries(
            "Network",
            "Bytes per second received and sent by the project's pods; of the sent bytes, only what Traefik sends to internet clients is billed.",
            [
                { expr: `sum(${RECORDED.networkReceiveRate}${sel})`, legend: "received" },
                { expr: `sum(${RECORDED.internetEgressRate}${sel})`, legend: "internet egress (billed)" },
                { expr: `sum(${RECORDED.internalTransmitRate}${sel})`, legend: "sent in-cluster (not billed)" },
            ],
            "Bps",
        ),
    );
    layout.add(
        12,
        8,
        timeseries(
            "Storage",
            "Requested PVC size (billed) and bytes used on mounted volumes.",
            [
                { expr: `sum(${RECORDED.storageRequested}${sel})`, legend: "requested" },
                { expr: `sum(${RECORDED.storageUsed}${sel})`, legend: "used" },
            ],
            "bytes",
        ),
    );
    layout.add(
        12,
        8,
        bargauge(
            "Volume fullness",
            "Used / capacity per PVC; ProjectVolumeNearlyFull fires above 85 %.",
            `max by (persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${ns}}) / (max by (persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes{${ns}}) > 0)`,
            "{{persistentvolumeclaim}}",
            "percentunit",
            1,
        ),
    );
    layout.add(
        12,
        8,
        bargauge(
            "Quota used",
            "Used / hard per ResourceQuota resource; ProjectQuotaNearlyExhausted fires above 90 %.",
            `max by (resource) (kube_resourcequota{${ns}, type="used"}) / (max by (resource) (kube_resourcequota{${ns}, type="hard"}) > 0)`,
            "{{resource}}",
            "percentunit",
            1,
        ),
    );
    layout.add(
        12,
        8,
        timeseries(
            "Container restarts",
            "Restarts per container in the last hour; ProjectPodCrashLooping fires on CrashLoopBackOff or more than 3 in 15 minutes.",
            [{ expr: `sum by (pod, container) (increase(kube_pod_container_status_restarts_total{${ns}}[1h]))`, legend: "{{pod}}/{{container}}" }],
            "none",
        ),
    );
    layout.add(
        12,
        8,
        table("Waiting containers", "Containers that are not running, and why (CrashLoopBackOff, ImagePullBackOff, ...).", [
            { expr: `sum by (pod, container, reason) (kube_pod_container_status_waiting_reason{${ns}}) > 0`, column: "waiting", unit: "none" },
        ]),
    );
    layout.add(
        12,
        8,
        table("Certificates", "Time left on each TLS certificate; ProjectCertificateExpiringSoon fires below 14 days (cert-manager renews at 30).", [
            { expr: `min by (name) (${RECORDED.certificateExpiry}${sel}) - time()`, column: "expires in", unit: "s" },
        ]),
    );
    layout.add(12, 8, {
        type: "timeseries",
        title: "Log lines per minute",
        description: "Lines the project's pods wrote (Loki, label project).",
        datasource: LOKI,
        targets: [{ refId: "A", datasource: LOKI, expr: 'sum(count_over_time({project="$project"}[1m]))', legendFormat: "lines", queryType: "range" }],
        fieldConfig: { defaults: { unit: "none", min: 0, custom: { drawStyle: "bars", fillOpacity: 60 } }, overrides: [] },
        options: { legend: { displayMode: "list", placement: "bottom", showLegend: false }, tooltip: { mode: "single", sort: "none" } },
    });
    layout.add(24, 14, {
        type: "logs",
        title: "Logs",
        description: "The project's pod logs from Loki, newest first.",
        datasource: LOKI,
        targets: [{ refId: "A", datasource: LOKI, expr: '{project="$project"}', queryType: "range" }],
        fieldConfig: { defaults: {}, overrides: [] },
        options: { showTime: true, wrapLogMessage: true, sortOrder: "Descending", enableLogDetails: true, dedupStrategy: "none", prettifyLogMessage: false, showCommonLabels: false, showLabels: false },
    });
    const project: GrafanaVariable = {
        name: "project",
        label: "Project",
        type: "query",
        datasource: PROMETHEUS,
        query: `label_values(${RECORDED.tenantNamespace}, project)`,
        definition: `label_values(${RECORDED.tenantNamespace}, project)`,
        refresh: 2,
        includeAll: false,
        multi: false,
        sort: 1,
        hide: 0,
        current: {},
        options: [],
        regex: "",
    };
    return dashboard(
        DASHBOARD_UIDS.project,
        "Platform / Project",
        "Cost, usage, health and logs of one tenant project.",
        [datasourceVariable("datasource", "Prometheus", "prometheus"), datasourceVariable("loki", "Loki", "loki"), project],
        layout.panels,
    );
}

/** Both dashboards, keyed by the file name they are provisioned under. */
export function renderDashboards(prices: Pick<MeteringPrices, "currency">): Record<string, GrafanaDashboard> {
    return { "platform-metering-overview.json": renderPlatformDashboard(prices), "platform-metering-project.json": renderProjectDashboard(prices) };
}

/** Every PromQL query of a dashboard: panel targets on Prometheus and Prometheus query variables. */
export function dashboardPromQL(dashboard: GrafanaDashboard): Array<{ source: string; expr: string }> {
    const queries: Array<{ source: string; expr: string }> = [];
    for (const panel of dashboard.panels) {
        for (const target of panel.targets) {
            if ((target.datasource ?? panel.datasource).type === "prometheus") {
                queries.push({ source: `panel "${panel.title}" ${target.refId}`, expr: target.expr });
            }
        }
    }
    for (const variable of dashboard.templating.list) {
        if (variable.type === "query" && variable.datasource?.type === "prometheus") {
            // label_values(<selector>, <label>): only the selector is PromQL.
            const labelValues = /^label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)$/s.exec(variable.query);
            queries.push({ source: `variable ${variable.name}`, expr: labelValues ? labelValues[1]! : variable.query });
        }
    }
    return queries;
}

/** Every metric name the dashboard's PromQL reads (sorted, unique); Loki queries are not PromQL. */
export function dashboardMetricNames(dashboard: GrafanaDashboard): string[] {
    return [...new Set(dashboardPromQL(dashboard).flatMap((q) => promqlMetricNames(q.expr)))].sort();
}
