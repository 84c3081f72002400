import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { DASHBOARD_LABEL, DATASOURCE_UIDS } from "./values";

/**
 * The platform's own small dashboards for the add-ons the chart's built-in ones do not cover (cluster and
 * node dashboards come with kube-prometheus-stack). Written here rather than downloaded from grafana.com
 * at pod start: no egress needed, and every query uses a metric the pinned versions export
 * (longhorn-manager's `longhorn_volume_*`/`longhorn_node_storage_*`, Traefik v3's entry point, service
 * and `traefik_open_connections` metrics with entry point and service labels on).
 */

/** One panel: a query per series, a unit. */
interface PanelSpec {
    title: string;
    unit: string;
    targets: Array<{ expr: string; legend: string }>;
    type?: "timeseries" | "stat";
}

/** A Grafana dashboard model (the subset these dashboards use). */
export interface Dashboard {
    uid: string;
    title: string;
    tags: string[];
    schemaVersion: number;
    time: { from: string; to: string };
    refresh: string;
    panels: Array<Record<string, unknown>>;
}

function dashboard(uid: string, title: string, panels: PanelSpec[]): Dashboard {
    return {
        uid,
        title,
        tags: ["platform"],
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        panels: panels.map((p, i) => ({
            id: i + 1,
            type: p.type ?? "timeseries",
            title: p.title,
            gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
            datasource: { type: "prometheus", uid: DATASOURCE_UIDS.prometheus },
            fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
            targets: p.targets.map((t, j) => ({
                refId: String.fromCharCode(65 + j),
                datasource: { type: "prometheus", uid: DATASOURCE_UIDS.prometheus },
                expr: t.expr,
                legendFormat: t.legend,
            })),
        })),
    };
}

/** Longhorn: node capacity and usage, volume sizes. */
export function longhornDashboard(): Dashboard {
    return dashboard("platform-longhorn", "Platform / Longhorn", [
        {
            title: "Storage used per node",
            unit: "percentunit",
            targets: [{ expr: "longhorn_node_storage_usage_bytes / longhorn_node_storage_capacity_bytes", legend: "{{node}}" }],
        },
        {
            title: "Storage capacity per node",
            unit: "bytes",
            targets: [
                { expr: "longhorn_node_storage_capacity_bytes", legend: "{{node}} capacity" },
                { expr: "longhorn_node_storage_usage_bytes", legend: "{{node}} used" },
            ],
        },
        {
            title: "Volume actual size",
            unit: "bytes",
            targets: [{ expr: "longhorn_volume_actual_size_bytes", legend: "{{volume}}" }],
        },
        {
            title: "Volume fill (actual / capacity)",
            unit: "percentunit",
            targets: [{ expr: "longhorn_volume_actual_size_bytes / longhorn_volume_capacity_bytes", legend: "{{volume}}" }],
        },
    ]);
}

/** Traefik: request rate by status class, latency, open connections, per-service errors. */
export function traefikDashboard(): Dashboard {
    return dashboard("platform-traefik", "Platform / Traefik", [
        {
            title: "Requests per second by entry point and status",
            unit: "reqps",
            targets: [{ expr: 'sum by (entrypoint, code) (rate(traefik_entrypoint_requests_total{entrypoint=~"web|websecure"}[5m]))', legend: "{{entrypoint}} {{code}}" }],
        },
        {
            title: "Request latency p95 (websecure)",
            unit: "s",
            targets: [{ expr: 'histogram_quantile(0.95, sum by (le) (rate(traefik_entrypoint_request_duration_seconds_bucket{entrypoint="websecure"}[5m])))', legend: "p95" }],
        },
        {
            title: "Open connections",
            unit: "short",
            targets: [{ expr: "sum by (entrypoint) (traefik_open_connections)", legend: "{{entrypoint}}" }],
        },
        {
            title: "5xx ratio per service",
            unit: "percentunit",
            targets: [
                {
                    expr: 'sum by (service) (rate(traefik_service_requests_total{code=~"5.."}[5m])) / sum by (service) (rate(traefik_service_requests_total[5m]))',
                    legend: "{{service}}",
                },
            ],
        },
    ]);
}

/** The dashboards as ConfigMaps Grafana's sidecar loads (label grafana_dashboard=1). */
export function renderDashboardConfigMaps(): IConfigMap[] {
    return [
        ["platform-dashboard-longhorn", "longhorn.json", longhornDashboard()],
        ["platform-dashboard-traefik", "traefik.json", traefikDashboard()],
    ].map(([name, file, model]) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: name as string, namespace: NAMESPACES.monitoring, labels: { ...DASHBOARD_LABEL, [LABELS.managedBy]: "pulumi" } },
        data: { [file as string]: JSON.stringify(model, null, 2) },
    }));
}
