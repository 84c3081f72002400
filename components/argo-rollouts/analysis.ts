import { PROMETHEUS_URL } from "../../lib/conventions";
import { TENANT_INGRESS_PORT_NAME } from "../metering/rules";

/**
 * The platform's analysis of blue/green releases: two ClusterAnalysisTemplates (cluster-scoped, so no tenant
 * can write one) that query the platform Prometheus. A tenant Rollout names them with `clusterScope: true` and
 * passes its own namespace through `valueFrom.fieldRef: metadata.namespace` (the admission policy of tenant
 * namespaces refuses a literal namespace, any other template, and every tenant-written AnalysisTemplate or
 * AnalysisRun), so a release is only ever judged by, and can only read, its own project's series.
 *
 * Argo Rollouts substitutes `{{args.<name>}}` anywhere in a template's metrics (count, interval, query and
 * conditions); argument values from a tenant are DNS labels or plain numbers (admission again), so they cannot
 * break out of a PromQL string.
 */

/** Names of the platform's ClusterAnalysisTemplates. */
export const ANALYSIS_TEMPLATES = {
    /** Pre-promotion: every pod of the new ReplicaSet stays ready, measured `count` times. */
    readiness: "platform-readiness",
    /** Post-promotion: the share of 5xx responses Traefik counts for the service stays at or below the maximum. */
    errorRate: "platform-error-rate",
} as const;

/** Argument names of the templates. */
export const ANALYSIS_ARGS = {
    namespace: "namespace",
    service: "service",
    podTemplateHash: "pod-template-hash",
    maxErrorRate: "max-error-rate",
    count: "count",
    interval: "interval",
} as const;

/**
 * How long the readiness metric waits before its first measurement: two kube-state-metrics scrapes (30 s, the
 * kube-prometheus-stack default). Argo Rollouts v1.9.0 starts pre-promotion analysis the moment the new
 * ReplicaSet is saturated (rollout/analysis.go), when Prometheus may still hold the previous scrape (ready < spec)
 * or no series yet for a ReplicaSet created seconds ago (an empty result fails `len(result) == 1`).
 */
export const READINESS_INITIAL_DELAY = "60s";

/** A ClusterAnalysisTemplate (argoproj.io/v1alpha1; schema: charts/argo-rollouts/crd-cluster-analysis-template.yaml). */
export interface ClusterAnalysisTemplate {
    apiVersion: "argoproj.io/v1alpha1";
    kind: "ClusterAnalysisTemplate";
    metadata: { name: string; labels: Record<string, string> };
    spec: {
        args: Array<{ name: string; value?: string }>;
        metrics: Array<{
            name: string;
            count: string;
            interval: string;
            initialDelay?: string;
            failureLimit: number;
            successCondition: string;
            provider: { prometheus: { address: string; query: string } };
        }>;
    };
}

const arg = (name: string) => `{{args.${name}}}`;

/** Traefik's name of a tenant service's router backend (`<namespace>-<service>-http@kubernetes`, components/metering/rules.ts). */
const traefikService = `${arg(ANALYSIS_ARGS.namespace)}-${arg(ANALYSIS_ARGS.service)}-${TENANT_INGRESS_PORT_NAME}@kubernetes`;

/** Share of 5xx responses over two minutes; 0 without traffic (no requests, no errors). */
export const ERROR_RATE_QUERY =
    `(sum(rate(traefik_service_requests_total{service="${traefikService}", code=~"5.."}[2m])) or vector(0))` +
    ` / (sum(rate(traefik_service_requests_total{service="${traefikService}"}[2m])) > 0 or vector(1))`;

/** Ready pods of the new ReplicaSet (`<service>-<pod-template-hash>`, named so by Argo Rollouts) over its desired count. */
const replicaSet = `namespace="${arg(ANALYSIS_ARGS.namespace)}", replicaset="${arg(ANALYSIS_ARGS.service)}-${arg(ANALYSIS_ARGS.podTemplateHash)}"`;
export const READINESS_QUERY = `sum(kube_replicaset_status_ready_replicas{${replicaSet}}) / sum(kube_replicaset_spec_replicas{${replicaSet}})`;

/** The platform's two ClusterAnalysisTemplates. */
export function renderAnalysisTemplates(labels: Record<string, string> = {}): ClusterAnalysisTemplate[] {
    const template = (name: string, metric: string, extraArgs: string[], successCondition: string, query: string, initialDelay?: string): ClusterAnalysisTemplate => ({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "ClusterAnalysisTemplate",
        metadata: { name, labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "platform", ...labels } },
        spec: {
            args: [ANALYSIS_ARGS.namespace, ANALYSIS_ARGS.service, ...extraArgs, ANALYSIS_ARGS.count, ANALYSIS_ARGS.interval].map((name) => ({ name })),
            metrics: [
                {
                    name: metric,
                    count: arg(ANALYSIS_ARGS.count),
                    interval: arg(ANALYSIS_ARGS.interval),
                    ...(initialDelay !== undefined ? { initialDelay } : {}),
                    // One failed measurement fails the analysis (and aborts the release).
                    failureLimit: 0,
                    successCondition,
                    provider: { prometheus: { address: PROMETHEUS_URL, query } },
                },
            ],
        },
    });
    return [
        template(ANALYSIS_TEMPLATES.readiness, "ready-pods", [ANALYSIS_ARGS.podTemplateHash], "len(result) == 1 && result[0] >= 1", READINESS_QUERY, READINESS_INITIAL_DELAY),
        template(ANALYSIS_TEMPLATES.errorRate, "error-rate", [ANALYSIS_ARGS.maxErrorRate], `len(result) == 1 && result[0] <= ${arg(ANALYSIS_ARGS.maxErrorRate)}`, ERROR_RATE_QUERY),
    ];
}
