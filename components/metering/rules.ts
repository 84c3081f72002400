import type { PlatformConfig } from "../../lib/config/schema";
import { GVISOR_RUNTIME_CLASS, LABELS, NAMESPACES, TENANT_NAMESPACE_LABEL } from "../../lib/conventions";
import { BUCKET_OBJECT_PREFIX, BUCKET_RESERVATION_RESOURCE } from "../../lib/tenants/names";
import { EDGE_METER_METRICS, NODE_METER_VERSION } from "./edge-meter";
import { promqlNumber, promqlString } from "./promql";

/**
 * Per-project metering, cost and alerting rules for kube-prometheus-stack, rendered as plain Prometheus rule
 * groups (pure: same inputs, same groups).
 *
 * Tenant selection: every per-project rule joins on `kube_namespace_labels{label_platform_tenant="true"}`
 * (recorded once as `platform:tenant_namespace:info`). The join follows the cluster, not the Pulumi program:
 * a project appears in metering the moment its namespace exists and disappears with it. The `project` label
 * is the namespace name. This needs kube-state-metrics to export the label: see
 * {@link KUBE_STATE_METRICS_LABELS_ALLOWLIST}.
 *
 * What is billed, per project (README "Metering and billing" has the same list for tenants):
 * - CPU cores: max(effective request, Σ use) of every running pod, per minute it runs: the same per-pod formula
 *   under runc and gVisor (a gVisor sandbox can only be measured per pod, see Runtimes). The effective request
 *   is what the scheduler reserves: init containers, sidecars and the RuntimeClass overhead included ({@link podRequests}).
 * - Memory: max(effective request, working set) per pod, the same way.
 * - Storage: requested PVC size × the Longhorn replica count of the platform's StorageClasses.
 * - Image builds: max(Σ requests, Σ use) of CPU and memory of each of the project's running build pods in the
 *   platform's `builds` namespace, per minute, the same per-pod formula, as a separate "build" line of its bill
 *   (the pods carry the project label the platform's build renderer sets; tenants cannot create pods there);
 *   taken out of the platform's region line.
 * - Internet egress, counted by the kernel of the nodes (the node meter, ./edge-meter.ts), per pod IP: bytes the
 *   project's pods sent to a Traefik pod (edge nodes; every protocol and port: HTTP, WebSocket, TCP/UDP entry
 *   points, TLS passthrough) plus bytes they sent straight to destinations outside the cluster and private
 *   ranges (every node, before masquerade). The pod IP is mapped to its project through the pod that had the
 *   address during the minute (`kube_pod_info{pod_ip}`, or for a pod kube-state-metrics never saw, the node
 *   meter's own map of the pods its node gave addresses), never through names, so no two projects can collide;
 *   a build pod's bytes are its project's.
 *   In-cluster traffic (pod to pod, replies to the platform's scrapes and probes) is recorded as "internal"
 *   and not billed.
 *
 * Runtimes: cAdvisor (the kubelet's /metrics/cadvisor) accounts runc containers in their own cgroups, but a
 * gVisor sandbox runs every container of the pod inside the Sentry, in the pod-level cgroup: the
 * per-container series are zero or absent (google/gvisor#13067 on cgroup v2 + systemd, #6500 on v1;
 * google/cadvisor#3885). So a pod whose RuntimeClass is gVisor (`kube_pod_runtimeclass_name_info`, from
 * kube-state-metrics) is metered from its pod-level cgroup series (`container="", image=""`, which also
 * holds the sandbox's own overhead: billed to the pod's project), every other pod as the sum of its
 * containers' series; a pod is in exactly one of the two sets, so nothing is added twice. Both are then
 * billed by one formula, max(Σ requests, Σ use) per pod: the per-container max(request, use) cannot be
 * computed for a gVisor pod, and a pod is what the scheduler reserves.
 *
 * Counters (CPU seconds, bytes) are billed by their exact increase over contiguous windows, not sampled
 * with `irate`: each evaluation bills the last sample of its window minus the last sample before it (see
 * {@link counterIncrease}), so a single response is billed once and the windows of a month add up to the
 * counters' growth.
 *
 * Time weighting: the usage group records, every evaluation (1m), the billable rate of each project (cores,
 * bytes, bytes/s) and its cost rate (currency per hour). A sample exists only for the minutes something ran
 * (a finished pod's cgroup and series are gone, Prometheus marks them stale), so an hour's amount is the sum
 * of its samples / 60: an 11-minute Job is billed 11 minutes; a scrape gap loses at most the requests of its
 * own minutes (the counters' growth across it is billed in the minute after).
 *
 * Hours and months: a sample at time t stands for the minute ending at t. Hour H holds the samples with
 * t in (H, H+1h] (Prometheus 3's left-open range `[1h]` at H+1h); a month holds its hours. Month to date
 * sums the full hours of the current UTC month; `platform:project_cost:last_month` closes the previous month
 * during the first day of the next one; the billing ledger (./ledger.ts) exports every hour to object
 * storage and sums a month from the exported hours.
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

/**
 * How PromQL range selectors treat their left edge. Prometheus 3 (kube-prometheus-stack 88 runs v3) selects
 * `(t - range, t]`; Prometheus 2, and the promtool 2.x that CI installs from Debian, selects `[t - range, t]`.
 * Timestamps are integer milliseconds, so a 2.x range 1 ms shorter selects exactly the samples of the 3.x
 * range: the rendered hour is the same set of samples under both.
 */
export type RangeSemantics = "prometheus3" | "prometheus2";

/** What the billing rules need besides prices. */
export interface BillingContext {
    /** The stack's region (`platform:region`): label of the region cost lines. */
    region: string;
    /**
     * Longhorn replicas of every platform StorageClass (`numberOfReplicas`, from `longhornReplicaCount`):
     * storage is billed as requested size × this.
     */
    storageReplicas: number;
    /**
     * Infrastructure cost of the region in EUR per month, as `npm run plan` estimates it (lib/cost). With it
     * (and prices in EUR) the rules record the idle line: infrastructure − tenant bills − platform overhead.
     */
    infrastructureMonthlyEur?: number;
    /** Rule evaluation interval in minutes (1 in production; a test may evaluate hourly). */
    evaluationMinutes?: number;
    /** Range semantics of the Prometheus evaluating the rules (default Prometheus 3). */
    rangeSemantics?: RangeSemantics;
    /** Whether the billing ledger CronJob is deployed (then its staleness is alerted on). */
    ledgerExported?: boolean;
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

/** Interval of the group closing last month (its total reads recorded samples, so it may run less often). */
export const CLOSE_INTERVAL = "10m";

/** Names of the rule groups. */
export const GROUP_NAMES = {
    usage: "platform-metering-usage",
    cost: "platform-metering-cost",
    close: "platform-metering-close",
    trust: "platform-metering-trust",
    alerts: "platform-project-alerts",
    budgets: "platform-project-budgets",
} as const;

/** Names of every recorded series; dashboards, alerts and the ledger refer to these, never to spelled-out strings. */
export const RECORDED = {
    /** 1 per tenant namespace, labels `namespace` and `project`: the join target of every other rule. */
    tenantNamespace: "platform:tenant_namespace:info",
    /** 1 per pod running under the gVisor RuntimeClass (metered from its pod-level cgroup). */
    sandboxedPod: "platform:pod_sandboxed:info",
    /** CPU cores in use per namespace (all namespaces; runtime-aware). */
    namespaceCpuCores: "platform:namespace_cpu_cores:increase_rate",
    /** Billable CPU cores per namespace: Σ over running pods of max(Σ requests, Σ use), under either runtime. */
    namespaceCpuBillable: "platform:namespace_cpu_billable_cores:sum",
    /** Memory working set per namespace (runtime-aware). */
    namespaceMemoryWorkingSet: "platform:namespace_memory_working_set_bytes:sum",
    /** Billable memory per namespace: Σ over running pods of max(Σ requests, working set), like CPU. */
    namespaceMemoryBillable: "platform:namespace_memory_billable_bytes:sum",
    /** CPU cores in use per project. */
    cpuCores: "platform:project_cpu_cores:increase_rate",
    /** CPU cores requested by running containers. */
    cpuRequests: "platform:project_cpu_requests_cores:sum",
    /** Billable CPU cores (max of Σ requests and Σ use, per running pod). */
    cpuBillable: "platform:project_cpu_billable_cores:sum",
    /** Memory working set (runtime-aware). */
    memoryWorkingSet: "platform:project_memory_working_set_bytes:sum",
    /** Memory requested by running containers. */
    memoryRequests: "platform:project_memory_requests_bytes:sum",
    /** Billable memory (max of Σ requests and working set, per running pod). */
    memoryBillable: "platform:project_memory_billable_bytes:sum",
    /** Storage requested by the project's PVCs. */
    storageRequested: "platform:project_storage_requested_bytes:sum",
    /**
     * Bucket size reserved per project: the hard value of the ResourceQuota `bucket-<project>` the grants stack
     * keeps in namespace minio (the tenant cannot write there), the same bytes as the bucket's MinIO quota.
     */
    bucketReserved: "platform:project_bucket_reserved_bytes:sum",
    /** Billable storage: (requested size of the claims + reserved bucket size) × Longhorn replicas. */
    storageBillable: "platform:project_storage_billable_bytes:sum",
    /** Bytes used on the project's mounted volumes (kubelet volume stats). */
    storageUsed: "platform:project_storage_used_bytes:sum",
    /** Bytes per second received by the project's pods (cAdvisor, all peers). */
    networkReceiveRate: "platform:project_network_receive_bytes:increase_rate",
    /** Bytes per second transmitted by the project's pods (cAdvisor, all peers). */
    networkTransmitRate: "platform:project_network_transmit_bytes:increase_rate",
    /**
     * Bytes per second the project's pods sent to Traefik pods (node meter on edge nodes: every protocol and
     * port, so HTTP, WebSocket, TCP/UDP entry points and TLS passthrough alike), which Traefik relays to clients.
     */
    edgeEgressRate: "platform:project_edge_egress_bytes:increase_rate",
    /** Bytes per second the project's pods sent straight to destinations outside the cluster (node meter, every node). */
    directEgressRate: "platform:project_direct_egress_bytes:increase_rate",
    /** Edge + direct egress: the internet egress billed. */
    internetEgressRate: "platform:project_internet_egress_bytes:increase_rate",
    /** Transmitted bytes per second that left neither through Traefik nor to the internet (in-cluster peers): not billed. */
    internalTransmitRate: "platform:project_internal_transmit_bytes:increase_rate",
    /** CPU cost per hour at the current billable rate. */
    cpuCostRate: "platform:project_cpu_cost:rate1h",
    /** Memory cost per hour at the current billable rate. */
    memoryCostRate: "platform:project_memory_cost:rate1h",
    /** Storage cost per hour at the current billable rate. */
    storageCostRate: "platform:project_storage_cost:rate1h",
    /** Egress cost per hour at the current egress rate. */
    egressCostRate: "platform:project_network_egress_cost:rate1h",
    /** Total cost per hour at the current rates: what every minute's bill is made of (sample / 60). */
    costRate: "platform:project_cost:rate1h",
    /** Region cost lines per hour (`line`: infrastructure, tenants, platform, idle). */
    regionCostRate: "platform:region_cost:rate1h",
    /** CPU cost of the last hour (Σ minute samples). */
    cpuCost: "platform:project_cpu_cost:hourly",
    /** Memory cost of the last hour. */
    memoryCost: "platform:project_memory_cost:hourly",
    /** Storage cost of the last hour. */
    storageCost: "platform:project_storage_cost:hourly",
    /** Egress cost of the last hour. */
    egressCost: "platform:project_network_egress_cost:hourly",
    /** Total cost of the last hour. */
    cost: "platform:project_cost:hourly",
    /** Region cost lines of the last hour. */
    regionCost: "platform:region_cost:hourly",
    /** Unix time of the start of the current UTC calendar month, per project (the billing period start). */
    billingMonthStart: "platform:project_billing_month_start:timestamp_seconds",
    /** Cost of the full hours of the current month so far. */
    monthToDate: "platform:project_cost:month_to_date",
    /** Month to date plus the last 24h's average hourly cost for every remaining hour of the month. */
    monthlyProjection: "platform:project_cost:monthly_projection",
    /** Total of the previous calendar month, recorded during the first UTC day of the next. */
    lastMonth: "platform:project_cost:last_month",
    /** Earliest expiry of each certificate in a tenant namespace (cert-manager). */
    certificateExpiry: "platform:project_certificate_expiration_timestamp_seconds:min",
    /** The configured monthly budget of each project that has one. */
    budget: "platform:project_budget:monthly",
    /** 1 per build pod (namespace `builds`), label `project`: the project its build is billed to (the renderer's label). */
    buildPodProject: "platform:build_pod_project:info",
    /** Billable CPU cores of the project's image builds: Σ over its running build pods of max(Σ requests, Σ use). */
    buildCpuBillable: "platform:project_build_cpu_billable_cores:sum",
    /** Billable memory of the project's image builds, the same way. */
    buildMemoryBillable: "platform:project_build_memory_billable_bytes:sum",
    /** Effective CPU request of every pod (all namespaces, running or not), label `namespace`, `pod`: see podRequests. */
    podCpuRequest: "platform:pod_effective_request_cores:sum",
    /** Effective memory request of every pod, the same way. */
    podMemoryRequest: "platform:pod_effective_request_bytes:sum",
    /**
     * 1 per pod address whose bytes are billed, labels `source_ip` and `namespace` (the project namespace a build
     * pod works for): the pod kube-state-metrics saw holding it, else the node meter's map.
     */
    billedAddress: "platform:pod_address_billed_namespace:info",
    /** Cost per hour of the project's image builds (CPU + memory at the project prices): part of its total. */
    buildCostRate: "platform:project_build_cost:rate1h",
    /** Build cost of the last hour: the bill's "build" line. */
    buildCost: "platform:project_build_cost:hourly",
} as const;

/** Names of the alerts. */
export const ALERTS = {
    quota: "ProjectQuotaNearlyExhausted",
    crashLooping: "ProjectPodCrashLooping",
    certificate: "ProjectCertificateExpiringSoon",
    volume: "ProjectVolumeNearlyFull",
    budget: "ProjectCostOverBudget",
    meteringSource: "MeteringSourceDown",
    meteringRules: "MeteringRulesFailing",
    ledger: "BillingLedgerExportStale",
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
    /** Hours without a successful ledger export (it runs hourly and backfills; two misses are an outage). */
    ledgerStaleHours: 3,
} as const;

/**
 * The scrape targets metering cannot bill without, as kube-prometheus-stack 88.5.3 labels them: the kubelet's
 * cAdvisor endpoint (ServiceMonitor `kubelet`, jobLabel `k8s-app`, `metrics_path` relabelled from
 * `__metrics_path__`) and kube-state-metrics (jobLabel `app.kubernetes.io/name`). The node meter (egress) is
 * watched through its heartbeat. The alert names each by `source`.
 */
export const METERING_SCRAPE_JOBS = [
    { source: "kubelet", selector: 'job="kubelet", metrics_path="/metrics/cadvisor"', measures: "CPU, memory and network of every pod" },
    { source: "kube-state-metrics", selector: 'job="kube-state-metrics"', measures: "tenant namespaces, requests, runtime classes, PVC sizes and pod IPs" },
] as const;

/**
 * The Prometheus rule-manager metrics the rules alert on (prometheus/prometheus rules/group.go and
 * manager.go: `rule_group` is `<rules file>;<group name>`; the operator writes each PrometheusRule to its own
 * file, so the group name ends the label). Prometheus scrapes itself (kube-prometheus-stack's
 * `prometheus.serviceMonitor.selfMonitor`, default true).
 */
export const RULE_MANAGER_METRICS = {
    failures: "prometheus_rule_evaluation_failures_total",
    evaluations: "prometheus_rule_evaluations_total",
    missed: "prometheus_rule_group_iterations_missed_total",
} as const;

/**
 * node-exporter's targets as kube-prometheus-stack 88.5.3 scrapes them (the Service label `jobLabel: node-exporter`,
 * port 9100 on the host network: instance = node address:9100, the node address kube_pod_info reports as host_ip).
 */
export const NODE_EXPORTER_SELECTOR = 'job="node-exporter"';
/** node-exporter's port (prometheus-node-exporter chart `service.port`). */
export const NODE_EXPORTER_PORT = 9100;

/** Seconds without a fresh node meter export after which internet egress is not trusted (it exports every 15 s). */
export const EDGE_METER_STALE_SECONDS = 300;

/** The CronJob exporting the billing ledger (components/metering/ledger.ts), watched by the ledger alert. */
export const LEDGER_CRONJOB = { namespace: "monitoring", name: "billing-ledger" } as const;

/**
 * The raw exporter metrics the rules and dashboards may read: cAdvisor, kube-state-metrics, kubelet volume
 * stats, Traefik, cert-manager and Prometheus' own `up`, as kube-prometheus-stack scrapes them.
 */
export const SOURCE_METRICS: readonly string[] = [
    "up",
    "container_cpu_usage_seconds_total",
    "container_memory_working_set_bytes",
    "container_network_receive_bytes_total",
    "container_network_transmit_bytes_total",
    "container_start_time_seconds",
    "kube_pod_container_resource_requests",
    "kube_pod_init_container_resource_requests",
    "kube_pod_init_container_info",
    "kube_pod_overhead_cpu_cores",
    "kube_pod_overhead_memory_bytes",
    "kube_pod_runtimeclass_name_info",
    "kube_pod_info",
    "kube_pod_labels",
    "kube_pod_status_phase",
    "kube_persistentvolumeclaim_resource_requests_storage_bytes",
    "kube_resourcequota",
    "kube_pod_container_status_restarts_total",
    "kube_pod_container_status_waiting_reason",
    "kube_namespace_labels",
    "kube_cronjob_status_last_successful_time",
    "kubelet_volume_stats_used_bytes",
    "kubelet_volume_stats_capacity_bytes",
    EDGE_METER_METRICS.edgePodBytes,
    EDGE_METER_METRICS.externalBytes,
    EDGE_METER_METRICS.lastExport,
    EDGE_METER_METRICS.info,
    EDGE_METER_METRICS.loaded,
    EDGE_METER_METRICS.podAddress,
    RULE_MANAGER_METRICS.failures,
    RULE_MANAGER_METRICS.evaluations,
    RULE_MANAGER_METRICS.missed,
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

/**
 * kube-state-metrics' spelling of the project label on build pods (`platform/project` → `label_platform_project`,
 * series `kube_pod_labels{namespace, pod, uid, label_platform_project}`: kube-state-metrics internal/store/pod.go,
 * exported because the monitoring add-on allowlists `pods=[platform/project]`, components/observability/values.ts).
 * Read in the builds namespace only: every pod there is the platform's build renderer's
 * (components/builds/build-job.ts), whose label names the project, and the namespace's admission policy ties that
 * label to the project's push Secret.
 */
export const BUILD_PROJECT_LABEL_SERIES_NAME = `label_${LABELS.project.replace(/[^a-zA-Z0-9_]/g, "_")}`;

/**
 * Port name of every tenant Service an Ingress routes to (components/project/workloads.ts HTTP_PORT_NAME).
 * Traefik's Kubernetes Ingress provider names the backend `<namespace>-<service>-<port>@kubernetes` (port
 * name when the Ingress names it). Metering does not bill by that name (namespace `shop` + Service `api-x`
 * and `shop-api` + `x` give the same string); the rollout analysis reads it.
 */
export const TENANT_INGRESS_PORT_NAME = "http";

// Per-container cgroups (runc). cAdvisor also reports the pod-level cgroup (container="") and, with
// dockershim, the pause container ("POD").
const CONTAINER_CPU = 'container_cpu_usage_seconds_total{container!="", container!="POD"}';
const CONTAINER_MEMORY = 'container_memory_working_set_bytes{container!="", container!="POD"}';
// The pod-level cgroup (kubepods-<qos>-pod<uid>.slice): container="", image="", with pod and namespace.
// Under containerd the sandbox (pause) container also has container="" but carries its image: image=""
// keeps only the pod-level cgroup, which holds every container and the sandbox.
const POD_CPU = 'container_cpu_usage_seconds_total{container="", image="", pod!=""}';
const POD_MEMORY = 'container_memory_working_set_bytes{container="", image="", pod!=""}';
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

/** A vector tagged with `label="value"`, so `or` keeps two vectors of the same series apart until an aggregation. */
const tag = (expr: string, label: string, value: string) => `label_replace(\n  ${expr},\n  "${label}", "${value}", "", ""\n)`;

/** `label_replace` tagging a vector with `source`, so `or` keeps usage and request apart until `max by`. */
const tagged = (expr: string, source: "usage" | "request") => tag(expr, "source", source);

// Init containers that keep running beside the app containers (native sidecars, restartPolicy Always):
// kube-state-metrics' kube_pod_init_container_info carries the init container's restart_policy
// (kubernetes/kube-state-metrics@v2.20.0 internal/store/pod.go createPodInitContainerInfoFamilyGenerator).
const SIDECARS = 'kube_pod_init_container_info{restart_policy="Always"}';

/**
 * The effective request of every pod, as the scheduler reserves it for the pod's whole life
 * (kubernetes/kubernetes staging/src/k8s.io/component-helpers/resource/helpers.go `PodRequests`: the app
 * containers' sum, each sidecar added to it, the maximum with every regular init container, plus the RuntimeClass
 * overhead `spec.overhead`): max(Σ app + Σ sidecars, max regular init) + overhead. `PodRequests` adds to a regular
 * init container the sidecars declared before it; kube-state-metrics does not export the order, so the init term
 * here leaves the sidecars out: never more than the scheduler reserves, less only while a regular init container
 * declared after a sidecar outweighs the app containers. kube-state-metrics exports app and init requests apart
 * (kube_pod_container_resource_requests, kube_pod_init_container_resource_requests) and the overhead as
 * kube_pod_overhead_cpu_cores / kube_pod_overhead_memory_bytes (internal/store/pod.go). One replica's worth (max by).
 */
function podRequests(resource: "cpu" | "memory"): string {
    const app = `max by (namespace, pod, container) (kube_pod_container_resource_requests{resource="${resource}"})`;
    const init = `max by (namespace, pod, container) (kube_pod_init_container_resource_requests{resource="${resource}"})`;
    const overhead = `max by (namespace, pod) (${resource === "cpu" ? "kube_pod_overhead_cpu_cores" : "kube_pod_overhead_memory_bytes"})`;
    return [
        "sum by (namespace, pod) (",
        "    max by (namespace, pod) (",
        `      ${tag(`sum by (namespace, pod) (${app} or (${init} and on (namespace, pod, container) ${SIDECARS}))`, "phase", "containers")}`,
        "      or",
        `      ${tag(`max by (namespace, pod) (${init} unless on (namespace, pod, container) ${SIDECARS})`, "phase", "init")}`,
        "    )",
        "  or",
        `    ${tag(overhead, "phase", "overhead")}`,
        ")",
    ].join("\n");
}

/** The recorded effective request of every pod ({@link podRequests}). */
const effectiveRequest = (resource: "cpu" | "memory") => (resource === "cpu" ? RECORDED.podCpuRequest : RECORDED.podMemoryRequest);

/** A runc pod is running while cAdvisor sees a container of it (an init or an app container). */
const runcPodRunning = `on (namespace, pod) ${CONTAINER_MEMORY}`;
/** A gVisor pod is running while its pod cgroup exists (the Sentry runs every container in it). */
const sandboxPodRunning = `on (namespace, pod) ${POD_MEMORY}`;

/**
 * Per namespace, Σ over running pods of max(effective request, Σ use), one formula for both runtimes. runc pods:
 * use summed over the containers cAdvisor sees (`runcPodUse`); gVisor pods: use from the pod cgroup
 * (`sandboxPodUse`); the effective request ({@link podRequests}) while the pod runs.
 */
function billable(resource: "cpu" | "memory", runcPodUse: string, sandboxPodUse: string): string {
    return [
        "sum by (namespace) (",
        "    max by (namespace, pod) (",
        `      ${tagged(runcPodUse, "usage")}`,
        "      or",
        `      ${tagged(`${effectiveRequest(resource)} and ${runcPodRunning}`, "request")}`,
        "    )",
        `    unless on (namespace, pod) ${RECORDED.sandboxedPod}`,
        "  or",
        "    max by (namespace, pod) (",
        `      ${tagged(sandboxPodUse, "usage")}`,
        "      or",
        `      ${tagged(`${effectiveRequest(resource)} and ${sandboxPodRunning}`, "request")}`,
        "    )",
        `    and on (namespace, pod) ${RECORDED.sandboxedPod}`,
        ")",
    ].join("\n");
}

/**
 * Per project, Σ over its running build pods (runc, namespace builds) of max(effective request, Σ use): the runc half of
 * {@link billable}, attributed by the build pod's project label and kept only for projects whose namespace exists
 * (labels `namespace` and `project`, like every per-project series).
 */
function buildBillable(resource: "cpu" | "memory", runcPodUse: string): string {
    return [
        "sum by (project) (",
        "    max by (namespace, pod) (",
        `      ${tagged(runcPodUse, "usage")}`,
        "      or",
        `      ${tagged(`${effectiveRequest(resource)} and ${runcPodRunning}`, "request")}`,
        "    )",
        `  * on (namespace, pod) group_left (project) ${RECORDED.buildPodProject}`,
        ")",
        `* on (project) group_left (namespace) ${RECORDED.tenantNamespace}`,
    ].join("\n");
}

/** Per namespace, use: Σ of the containers for runc pods, the pod cgroup for gVisor pods (both per pod). */
function used(runcPodUse: string, sandboxPodUse: string): string {
    return [
        "sum by (namespace) (",
        `    ${runcPodUse} unless on (namespace, pod) ${RECORDED.sandboxedPod}`,
        "  or",
        `    ${sandboxPodUse} and on (namespace, pod) ${RECORDED.sandboxedPod}`,
        ")",
    ].join("\n");
}

/** Σ per namespace of the effective requests ({@link podRequests}) of the pods running, under either runtime. */
function runningRequests(resource: "cpu" | "memory"): string {
    return perProject(
        [
            "sum by (namespace) (",
            `    ${effectiveRequest(resource)}`,
            `    and ${runcPodRunning}`,
            `    unless on (namespace, pod) ${RECORDED.sandboxedPod}`,
            "  or",
            `    ${effectiveRequest(resource)}`,
            `    and ${sandboxPodRunning}`,
            `    and on (namespace, pod) ${RECORDED.sandboxedPod}`,
            ")",
        ].join("\n"),
    );
}

/**
 * How far back the sample before a window is looked for: a scrape gap up to this long is bridged (the
 * counter's growth across it is billed in the window after). A series with no sample that far back counts from
 * 0 only if it is new (see {@link counterIncrease}); otherwise its first window after the gap bills nothing.
 */
export const PREVIOUS_SAMPLE_LOOKBACK_SECONDS = 3600;

/**
 * When a counter series without a sample in the look-back is new, so that its whole value is growth nobody was
 * billed for. Decided from a start time, never from the absence alone: a long-lived series returning after a
 * scrape gap longer than the look-back (a kubelet, node-exporter or Prometheus away for over an hour) would
 * otherwise bill its whole lifetime again, in an hour the ledger then exports for good.
 * - `cadvisor`: the cgroup started inside the look-back (cAdvisor's `container_start_time_seconds`, one series per
 *   cgroup with the labels of its counters, which add `cpu` or `interface`: google/cadvisor metrics/prometheus.go
 *   collectContainersInfo). Every earlier sample of it would then lie in the look-back.
 * - `nodeMeter`: the node's meter was read without the element inside the look-back (its heartbeat was scraped:
 *   the export lists every element of the sets, so the element was created since, from 0), or its table was
 *   loaded inside it (a reboot: every counter restarted).
 */
export type CounterOrigin = "cadvisor" | "nodeMeter";

/**
 * The exact increase of every series of the counter `selector` in this evaluation's window (t - window, t]:
 * the window's last sample minus the last sample at or before its start. Consecutive windows share that
 * boundary sample, so their increases add up to the counter's growth, whatever the scrape interval (`irate`
 * samples the last two scrapes and bills a single response 0 or 2×; `increase` extrapolates). A reset in the
 * window (a sample lower than one before it) counts the window's last sample, the growth since the reset. A
 * series without a sample in the look-back counts from 0 if it is new (see {@link CounterOrigin}: containers'
 * CPU and the node meter's elements start at 0) and bills nothing otherwise: the growth across a gap longer than
 * the look-back is not billed (its value before the gap is out of reach of a bounded range, and an under-bill
 * is the side a tenant cannot dispute; MeteringSourceDown fires during the gap).
 */
export function counterIncrease(selector: string, windowSeconds: number, semantics: RangeSemantics, origin: CounterOrigin): string {
    const window = `${selector}[${range(windowSeconds, semantics)}]`;
    const lookback = range(PREVIOUS_SAMPLE_LOOKBACK_SECONDS, semantics);
    const before = `last_over_time(${selector}[${lookback}] offset ${windowSeconds}s)`;
    const horizon = `time() - ${windowSeconds + PREVIOUS_SAMPLE_LOOKBACK_SECONDS}`;
    const isNew =
        origin === "cadvisor"
            ? `and ignoring (cpu, interface) (max_over_time(container_start_time_seconds[${range(windowSeconds, semantics)}]) > ${horizon})`
            : [
                  "and on (instance) (",
                  `      max by (instance) (max_over_time(${EDGE_METER_METRICS.lastExport}[${lookback}] offset ${windowSeconds}s))`,
                  "    or",
                  `      max by (instance) (max_over_time(${EDGE_METER_METRICS.loaded}[${range(windowSeconds, semantics)}])) > ${horizon}`,
                  "  )",
              ].join("\n");
    return [
        "(",
        `    last_over_time(${window}) - ${before}`,
        `  unless resets(${window}) > 0`,
        `  unless min_over_time(${window}) < ${before}`,
        ")",
        `or last_over_time(${window}) and ${before}`,
        `or last_over_time(${window}) ${isNew}`,
    ].join("\n");
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

function checkBilling(billing: BillingContext): void {
    if (!Number.isInteger(billing.storageReplicas) || billing.storageReplicas < 1) {
        throw new Error(`metering: storageReplicas must be a positive integer (Longhorn numberOfReplicas), got ${billing.storageReplicas}`);
    }
    if (!/^[a-z0-9-]+$/.test(billing.region)) {
        throw new Error(`metering: region "${billing.region}" must be a lowercase name such as fsn1`);
    }
    if (billing.infrastructureMonthlyEur !== undefined && !(Number.isFinite(billing.infrastructureMonthlyEur) && billing.infrastructureMonthlyEur >= 0)) {
        throw new Error(`metering: infrastructureMonthlyEur must be a finite number >= 0, got ${billing.infrastructureMonthlyEur}`);
    }
    const minutes = billing.evaluationMinutes ?? 1;
    if (!Number.isInteger(minutes) || minutes < 1 || 60 % minutes !== 0) {
        throw new Error(`metering: evaluationMinutes must divide an hour, got ${minutes}`);
    }
}

/** A PromQL range of `seconds` under the given semantics (see {@link RangeSemantics}). */
function range(seconds: number, semantics: RangeSemantics): string {
    if (semantics === "prometheus3") {
        return seconds % 86400 === 0 ? `${seconds / 86400}d` : seconds % 3600 === 0 ? `${seconds / 3600}h` : `${seconds}s`;
    }
    return `${seconds * 1000 - 1}ms`;
}

/** Samples per hour of a group evaluated every `minutes`. */
export function samplesPerHour(billing: Pick<BillingContext, "evaluationMinutes">): number {
    return 60 / (billing.evaluationMinutes ?? 1);
}

/**
 * The metering and cost recording rules. Groups, in evaluation order: usage (billable rates and cost rates
 * per minute), cost (hourly sums, month to date, projection, region lines), close (last month's total).
 * Every per-project series carries `namespace` and `project`; cost series also carry `currency`.
 */
export function renderMeteringRuleGroups(prices: MeteringPrices, billing: BillingContext): RuleGroup[] {
    checkPrices(prices);
    checkBilling(billing);
    const semantics = billing.rangeSemantics ?? "prometheus3";
    const hour = range(3600, semantics);
    const perHour = samplesPerHour(billing);
    const currency = { currency: prices.currency };
    const price = (key: "cpuCoreHour" | "memoryGiBHour" | "storageGiBHour" | "networkEgressGiB") => promqlNumber(prices[key]);
    const seconds = (billing.evaluationMinutes ?? 1) * 60;
    const window = range(seconds, semantics);
    const increase = (selector: string, origin: CounterOrigin = "cadvisor") => counterIncrease(selector, seconds, semantics, origin);
    // Per pod, as both runtimes are billed: runc from its containers' cgroups, gVisor from the pod cgroup.
    const runcPodCpu = `sum by (namespace, pod) (\n${increase(CONTAINER_CPU)}\n) / ${seconds}`;
    const sandboxPodCpu = `sum by (namespace, pod) (\n${increase(POD_CPU)}\n) / ${seconds}`;
    const runcPodMemory = `sum by (namespace, pod) (max by (namespace, pod, container) (${CONTAINER_MEMORY}))`;
    const sandboxPodMemory = `max by (namespace, pod) (${POD_MEMORY})`;
    // The pods that held an address during the window: a Pending (init containers run) or Running pod. A
    // Succeeded or Failed pod keeps its pod_ip in kube_pod_info while the address may already be a new pod's,
    // and host-network pods share the node's address. One pod per address (topk): a join that cannot fail.
    const podsWithAddress = (namespaceMatcher: string, ipLabel: string) =>
        [
            "label_replace(",
            `  max by (namespace, pod, pod_ip) (last_over_time(kube_pod_info{${namespaceMatcher}pod_ip!="", host_network="false"}[${window}]))`,
            "  * on (namespace, pod) group_left ()",
            `  (max by (namespace, pod) (max_over_time(kube_pod_status_phase{phase=~"Pending|Running"}[${window}])) == 1),`,
            `  "${ipLabel}", "$1", "pod_ip", "(.+)"`,
            ")",
        ].join("\n");
    // A pod kube-state-metrics never saw Pending or Running (it lived less than a scrape interval, or was deleted
    // at once) is known to the node that gave it the address: the node meter's pod of each address, kept by its
    // exporter for an hour after the sandbox is gone unless a newer sandbox took the address. kube-state-metrics'
    // answer wins where it has one.
    const seenByKubeStateMetrics = `max by (namespace, pod, source_ip) (${podsWithAddress("", "source_ip")})`;
    const seenByNode = `max by (namespace, pod, source_ip) (last_over_time(${EDGE_METER_METRICS.podAddress}{source_ip!=""}[${window}]))`;
    const sourcePods = `(\n  ${seenByKubeStateMetrics}\n  or\n  (${seenByNode} unless on (source_ip) ${seenByKubeStateMetrics})\n)`;
    // A build pod sends on its project's behalf (a Dockerfile RUN reaching the internet): its bytes are the project's.
    const billedNamespace = [
        "(",
        `    ${sourcePods} unless on (namespace, pod) ${RECORDED.buildPodProject}`,
        "  or",
        "    max by (namespace, pod, source_ip) (",
        `      label_replace(${sourcePods} * on (namespace, pod) group_left (project) ${RECORDED.buildPodProject}, "namespace", "$1", "project", "(.+)")`,
        "    )",
        ")",
    ].join("\n");
    const namespaceOfSource = RECORDED.billedAddress;
    const traefikPods = `max by (destination_ip) (${podsWithAddress(`namespace="${NAMESPACES.traefik}", `, "destination_ip")})`;
    // Bytes each project's pods sent to a Traefik pod (the edge nodes' pair counters, kept only where the
    // destination is a Traefik pod: a tenant pod on an edge node talking to its own database is internal), and
    // bytes they sent outside the cluster (every node). Both by pod IP, mapped to the pod's namespace.
    const edgeByNamespace = [
        "sum by (namespace) (",
        "    sum by (source_ip) (",
        `      (${increase(EDGE_METER_METRICS.edgePodBytes, "nodeMeter")})`,
        "      * on (destination_ip) group_left ()",
        `      ${traefikPods}`,
        "    )",
        "  * on (source_ip) group_left (namespace)",
        `    ${namespaceOfSource}`,
        `) / ${seconds}`,
    ].join("\n");
    const directByNamespace = [
        "sum by (namespace) (",
        `    sum by (source_ip) (${increase(EDGE_METER_METRICS.externalBytes, "nodeMeter")})`,
        "  * on (source_ip) group_left (namespace)",
        `    ${namespaceOfSource}`,
        `) / ${seconds}`,
    ].join("\n");

    const usage: RecordingRule[] = [
        {
            record: RECORDED.tenantNamespace,
            // max by: two kube-state-metrics replicas (or a rollout) export the same namespace twice.
            expr: `label_replace(\n  max by (namespace) (kube_namespace_labels{${TENANT_LABEL_SERIES_NAME}="true"}),\n  "project", "$1", "namespace", "(.+)"\n)`,
        },
        {
            record: RECORDED.sandboxedPod,
            expr: `max by (namespace, pod) (kube_pod_runtimeclass_name_info{runtimeclass_name=${promqlString(GVISOR_RUNTIME_CLASS.name)}})`,
        },
        { record: RECORDED.podCpuRequest, expr: podRequests("cpu") },
        { record: RECORDED.podMemoryRequest, expr: podRequests("memory") },
        { record: RECORDED.namespaceCpuCores, expr: used(runcPodCpu, sandboxPodCpu) },
        { record: RECORDED.namespaceCpuBillable, expr: billable("cpu", runcPodCpu, sandboxPodCpu) },
        { record: RECORDED.namespaceMemoryWorkingSet, expr: used(runcPodMemory, sandboxPodMemory) },
        { record: RECORDED.namespaceMemoryBillable, expr: billable("memory", runcPodMemory, sandboxPodMemory) },
        { record: RECORDED.cpuCores, expr: perProject(RECORDED.namespaceCpuCores) },
        { record: RECORDED.cpuRequests, expr: runningRequests("cpu") },
        { record: RECORDED.cpuBillable, expr: perProject(RECORDED.namespaceCpuBillable) },
        { record: RECORDED.memoryWorkingSet, expr: perProject(RECORDED.namespaceMemoryWorkingSet) },
        { record: RECORDED.memoryRequests, expr: runningRequests("memory") },
        { record: RECORDED.memoryBillable, expr: perProject(RECORDED.namespaceMemoryBillable) },
        {
            record: RECORDED.storageRequested,
            expr: perProject("sum by (namespace) (\n  max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_resource_requests_storage_bytes)\n)"),
        },
        {
            record: RECORDED.bucketReserved,
            // max by: two kube-state-metrics replicas export the same quota twice. The project is the name's suffix.
            expr: perProject(
                `sum by (namespace) (\n  label_replace(\n    max by (resourcequota) (kube_resourcequota{namespace="${NAMESPACES.minio}", resourcequota=~"${BUCKET_OBJECT_PREFIX}.+", resource="${BUCKET_RESERVATION_RESOURCE}", type="hard"}),\n    "namespace", "$1", "resourcequota", "${BUCKET_OBJECT_PREFIX}(.+)"\n  )\n)`,
            ),
        },
        // Longhorn reserves every replica's full size whether or not it is written; a bucket's quota is reserved
        // on MinIO's drive, a Longhorn volume of the same replica count. A project with only one of the two has
        // only that series: the other counts 0.
        {
            record: RECORDED.storageBillable,
            expr: `(\n  (${RECORDED.storageRequested} or 0 * ${RECORDED.bucketReserved})\n+ on (namespace, project)\n  (${RECORDED.bucketReserved} or 0 * ${RECORDED.storageRequested})\n) * ${billing.storageReplicas}`,
        },
        {
            record: RECORDED.storageUsed,
            // A volume mounted on two nodes is reported by both kubelets: count it once.
            expr: perProject("sum by (namespace) (\n  max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes)\n)"),
        },
        { record: RECORDED.networkReceiveRate, expr: perProject(`sum by (namespace) (\n${increase(RECEIVE)}\n) / ${seconds}`) },
        { record: RECORDED.networkTransmitRate, expr: perProject(`sum by (namespace) (\n${increase(TRANSMIT)}\n) / ${seconds}`) },
        // Before the egress rules, which bill a build pod's bytes to its project.
        {
            record: RECORDED.buildPodProject,
            expr: `max by (namespace, pod, project) (\n  label_replace(kube_pod_labels{namespace="${NAMESPACES.builds}", ${BUILD_PROJECT_LABEL_SERIES_NAME}!=""}, "project", "$1", "${BUILD_PROJECT_LABEL_SERIES_NAME}", "(.+)")\n)`,
        },
        // One namespace per address (topk): a join that cannot fail many-to-many.
        { record: RECORDED.billedAddress, expr: `max by (source_ip, namespace) (\n  topk by (source_ip) (1, ${billedNamespace})\n)` },
        { record: RECORDED.edgeEgressRate, expr: perProject(edgeByNamespace) },
        { record: RECORDED.directEgressRate, expr: perProject(directByNamespace) },
        {
            record: RECORDED.internetEgressRate,
            // A project with only one way out has only that series: the other counts 0, not "no egress".
            expr: [
                `  (${RECORDED.edgeEgressRate} or 0 * ${RECORDED.directEgressRate})`,
                `+ on (namespace, project)`,
                `  (${RECORDED.directEgressRate} or 0 * ${RECORDED.edgeEgressRate})`,
            ].join("\n"),
        },
        {
            record: RECORDED.internalTransmitRate,
            expr: `clamp_min(\n  ${RECORDED.networkTransmitRate}\n  - on (namespace, project) (${RECORDED.internetEgressRate} or 0 * ${RECORDED.networkTransmitRate}),\n  0\n)`,
        },
        { record: RECORDED.buildCpuBillable, expr: buildBillable("cpu", runcPodCpu) },
        { record: RECORDED.buildMemoryBillable, expr: buildBillable("memory", runcPodMemory) },
        {
            record: RECORDED.buildCostRate,
            expr: orZero(
                `(${RECORDED.buildCpuBillable} * ${price("cpuCoreHour")} or 0 * ${RECORDED.buildMemoryBillable})\n+ on (namespace, project)\n(${RECORDED.buildMemoryBillable} / ${BYTES_PER_GIB} * ${price("memoryGiBHour")} or 0 * ${RECORDED.buildCpuBillable})`,
            ),
            labels: currency,
        },
        { record: RECORDED.cpuCostRate, expr: orZero(`${RECORDED.cpuBillable} * ${price("cpuCoreHour")}`), labels: currency },
        { record: RECORDED.memoryCostRate, expr: orZero(`${RECORDED.memoryBillable} / ${BYTES_PER_GIB} * ${price("memoryGiBHour")}`), labels: currency },
        { record: RECORDED.storageCostRate, expr: orZero(`${RECORDED.storageBillable} / ${BYTES_PER_GIB} * ${price("storageGiBHour")}`), labels: currency },
        { record: RECORDED.egressCostRate, expr: orZero(`${RECORDED.internetEgressRate} * 3600 / ${BYTES_PER_GIB} * ${price("networkEgressGiB")}`), labels: currency },
        {
            record: RECORDED.costRate,
            // Every term exists for every tenant (orZero), so `+` never drops a project.
            expr: `${RECORDED.cpuCostRate}\n+ ${RECORDED.memoryCostRate}\n+ ${RECORDED.storageCostRate}\n+ ${RECORDED.egressCostRate}\n+ ${RECORDED.buildCostRate}`,
            labels: currency,
        },
        ...regionLines(prices, billing),
    ];

    const hourSum = (record: string) => `sum_over_time(${record}[${hour}]) / ${perHour}`;
    // Subquery steps fall on full UTC hours; the hour sum at step s covers the hour ending at s. `@ end()`
    // pins a month start to this evaluation's month, inside the subquery too.
    const hoursWhere = (window: string, ...conditions: string[]) =>
        [
            "sum_over_time(",
            "  (",
            `    sum_over_time(${RECORDED.costRate}[${hour}])`,
            ...conditions.map((c) => `    and on (namespace, project)\n    (${c})`),
            `  )[${window}:1h]`,
            `) / ${perHour}`,
        ].join("\n");
    const step = "on () group_left () vector(time())";
    const thisMonthStart = `(${RECORDED.billingMonthStart} @ end())`;
    // The previous month's start: this month's start minus the days of the month before it.
    const previousMonthStart = `(${thisMonthStart} - 86400 * days_in_month(${thisMonthStart} - 1))`;
    const cost: RecordingRule[] = [
        { record: RECORDED.cpuCost, expr: hourSum(RECORDED.cpuCostRate), labels: currency },
        { record: RECORDED.memoryCost, expr: hourSum(RECORDED.memoryCostRate), labels: currency },
        { record: RECORDED.storageCost, expr: hourSum(RECORDED.storageCostRate), labels: currency },
        { record: RECORDED.egressCost, expr: hourSum(RECORDED.egressCostRate), labels: currency },
        { record: RECORDED.buildCost, expr: hourSum(RECORDED.buildCostRate), labels: currency },
        { record: RECORDED.cost, expr: hourSum(RECORDED.costRate), labels: currency },
        { record: RECORDED.regionCost, expr: hourSum(RECORDED.regionCostRate) },
        {
            record: RECORDED.billingMonthStart,
            // time() minus the elapsed days of the month and the seconds since UTC midnight.
            expr: `0 * ${RECORDED.tenantNamespace}\n+ on () group_left ()\nvector(time() - (scalar(day_of_month()) - 1) * 86400 - time() % 86400)`,
        },
        {
            record: RECORDED.monthToDate,
            // Hours ending after the month start; before the first full hour the total is 0.
            expr: `${hoursWhere("31d", `${thisMonthStart} < ${step}`)}\nor\n0 * ${RECORDED.cost}`,
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
    const close: RecordingRule[] = [
        {
            record: RECORDED.lastMonth,
            // Hours ending after the previous month's start and at or before this month's: the month's last
            // hour (ending at midnight of the 1st) is its own. Recorded during the 1st only, so 32 days of
            // history suffice; the ledger keeps the month after that.
            expr: `(\n${hoursWhere("32d", `${previousMonthStart} < ${step}`, `${thisMonthStart} >= ${step}`)}\n)\nand on () (day_of_month() == 1)`,
            labels: currency,
        },
    ];
    return [
        { name: GROUP_NAMES.usage, interval: EVALUATION_INTERVAL, rules: usage },
        { name: GROUP_NAMES.cost, interval: EVALUATION_INTERVAL, rules: cost },
        // Every 10 minutes: the 32-day subquery is the heaviest rule, and the total changes only on the 1st.
        { name: GROUP_NAMES.close, interval: CLOSE_INTERVAL, rules: close },
        { name: GROUP_NAMES.trust, interval: EVALUATION_INTERVAL, rules: trustAlerts(billing) },
    ];
}

/**
 * Alerts that say a bill cannot be trusted: a scrape job metering reads is down or gone (a kubelet whose
 * serving certificate is unapproved is `up == 0`, a removed ServiceMonitor is absent), the billing rules
 * themselves fail or return nothing while their inputs exist, or the ledger export has not succeeded for
 * {@link THRESHOLDS.ledgerStaleHours} hours. These carry `source`, `reason` or the CronJob, not a project.
 */
function trustAlerts(billing: BillingContext): AlertingRule[] {
    const scrapes = METERING_SCRAPE_JOBS.map(({ source, selector }) => `label_replace(\n  up{${selector}} == 0\n  or\n  absent(up{${selector}}),\n  "source", "${source}", "", ""\n)`);
    // The node meter on every node, against the node inventory (node-exporter runs on every node): a node whose
    // node-exporter is down, that exports no fresh heartbeat (the timer or the table load fails), that runs no meter
    // or an older one (nodes created before this release keep their user-data: the old edge meter exports the same
    // heartbeat but not the internet bytes), or that runs Traefik without the edge counters.
    const meter = (expr: string, reason: string) => `label_replace(\n  label_replace(\n    ${expr},\n    "source", "node-meter", "", ""\n  ),\n  "reason", ${promqlString(reason)}, "", ""\n)`;
    const scraped = `max by (instance) (up{${NODE_EXPORTER_SELECTOR}} == 1)`;
    const traefikNodes = `label_replace(\n      max by (host_ip) (kube_pod_info{namespace="${NAMESPACES.traefik}", host_ip!=""}),\n      "instance", "$1:${NODE_EXPORTER_PORT}", "host_ip", "(.+)"\n    )`;
    const nodeMeter = [
        meter(`max by (instance) (up{${NODE_EXPORTER_SELECTOR}} == 0)`, "node-exporter down"),
        meter(`absent(up{${NODE_EXPORTER_SELECTOR}})`, "node-exporter not scraped"),
        meter(`${scraped}\n    unless on (instance)\n    (time() - max by (instance) (${EDGE_METER_METRICS.lastExport}) < ${EDGE_METER_STALE_SECONDS})`, "no fresh export"),
        meter(`${scraped}\n    unless on (instance)\n    max by (instance) (${EDGE_METER_METRICS.info}{version="${NODE_METER_VERSION}"})`, `no meter of version ${NODE_METER_VERSION}`),
        meter(`max by (instance) (${traefikNodes})\n    unless on (instance)\n    max by (instance) (${EDGE_METER_METRICS.info}{edge="true"})`, "Traefik node without edge counters"),
    ];
    const down = [...scrapes, ...nodeMeter].join("\nor\n");
    const alerts: AlertingRule[] = [
        {
            alert: ALERTS.meteringSource,
            expr: down,
            for: "10m",
            labels: { severity: "critical" },
            annotations: {
                summary: "Metering source {{ $labels.source }} is down or not scraped",
                description: `A target of {{ $labels.source }} is down (the alert's instance label names it) or no target is scraped at all (no instance label). Bills are computed from ${METERING_SCRAPE_JOBS.map((j) => `${j.source} (${j.measures})`).join(", ")} and node-meter (internet egress: bytes pods send to Traefik and to the internet, through node-exporter on every node; its reason label says what is wrong on the node named by instance); while a source is down its minutes are not billed. Check the target in Prometheus (Status → Targets): for the kubelet, an unapproved serving certificate (kubectl get csr) stops every scrape on port 10250; for node-meter, systemctl status platform-edge-meter.timer platform-edge-meter-rules.service on that node, and re-create a node that runs an older meter or none (it was created before this release: a node's user-data applies at creation only, README: the node meter).`,
            },
        },
    ];
    alerts.push(rulesAlert());
    if (billing.ledgerExported) {
        const selector = `namespace="${LEDGER_CRONJOB.namespace}", cronjob="${LEDGER_CRONJOB.name}"`;
        alerts.push({
            alert: ALERTS.ledger,
            expr: `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${selector}}) > ${THRESHOLDS.ledgerStaleHours * 3600}\nor\nabsent(kube_cronjob_status_last_successful_time{${selector}})`,
            for: "30m",
            labels: { severity: "critical" },
            annotations: {
                summary: `The billing ledger of {{ $labels.namespace }}/{{ $labels.cronjob }} has not been exported for more than ${THRESHOLDS.ledgerStaleHours} hours`,
                description: `CronJob ${LEDGER_CRONJOB.namespace}/${LEDGER_CRONJOB.name} has not completed successfully: the hours it has not exported exist only in Prometheus until their retention ends. Check the Job logs (kubectl -n ${LEDGER_CRONJOB.namespace} logs job/<latest>) and the object storage target; the next successful run backfills the missing hours.`,
            },
        });
    }
    return alerts;
}

/**
 * The billing rules fail or return nothing while their inputs exist. A rule whose evaluation fails (a
 * many-to-many join, say) records nothing, and every `or 0` after it bills 0 without a word: Prometheus counts
 * the failures per group, and the outputs are compared with the inputs they are computed from.
 */
function rulesAlert(): AlertingRule {
    const group = (names: string) => `rule_group=~".*;(${names})"`;
    const billingGroups = group([GROUP_NAMES.usage, GROUP_NAMES.cost, GROUP_NAMES.close].join("|"));
    const because = (expr: string, reason: string) => `label_replace(\n  ${expr},\n  "reason", ${promqlString(reason)}, "", ""\n)`;
    const tenantNamespaces = `max by (namespace) (kube_namespace_labels{${TENANT_LABEL_SERIES_NAME}="true"})`;
    // A running container (runc) or sandbox (gVisor): what the billable rules bill. Not the pod cgroup alone,
    // which also exists while a pod only waits for its image.
    const tenantPodsRunning = perProject(`group by (namespace) (\n  ${CONTAINER_MEMORY}\n  or\n  ${POD_MEMORY} and on (namespace, pod) ${RECORDED.sandboxedPod}\n)`);
    const expr = [
        because(`sum by (rule_group) (increase(${RULE_MANAGER_METRICS.failures}{${billingGroups}}[10m])) > 0`, "evaluations failing"),
        // The usage group bills counter increases window by window: a skipped evaluation loses its window.
        because(`sum by (rule_group) (increase(${RULE_MANAGER_METRICS.missed}{${group(GROUP_NAMES.usage)}}[10m])) > 0`, "evaluations skipped"),
        because(`absent(${RULE_MANAGER_METRICS.evaluations}{${group(GROUP_NAMES.usage)}})`, "rules not loaded"),
        because(`${tenantNamespaces} unless on (namespace) ${RECORDED.tenantNamespace}`, "tenant namespace not recorded"),
        because(`${RECORDED.tenantNamespace} unless on (namespace) ${RECORDED.costRate}`, "no cost rate"),
        because(`${tenantPodsRunning} unless on (namespace) ${RECORDED.cpuBillable}`, "running pods without billable CPU"),
        because(`${tenantPodsRunning} unless on (namespace) ${RECORDED.memoryBillable}`, "running pods without billable memory"),
    ].join("\nor\n");
    return {
        alert: ALERTS.meteringRules,
        expr,
        for: "5m",
        labels: { severity: "critical" },
        annotations: {
            summary: "Billing rules cannot be trusted: {{ $labels.reason }}",
            description: `The metering recording rules (groups ${GROUP_NAMES.usage}, ${GROUP_NAMES.cost}, ${GROUP_NAMES.close}) fail, skip evaluations, are not loaded, or return nothing where their inputs exist (the alert's rule_group or namespace label says where); the minutes they do not record are billed as 0. Check Status → Rules in Prometheus for the error (e.g. a many-to-many match) and the PrometheusRule ${"platform-metering"} in ${NAMESPACES.monitoring}; the hours already lost can only be recomputed from the raw series while Prometheus keeps them.`,
        },
    };
}

/**
 * The region's cost lines per hour, OpenCost style, each with `region`, `line` and `currency`: `tenants`
 * (Σ of the project bills), `platform` (what the platform namespaces reserve or use, at the tenant prices)
 * and, with an infrastructure cost in EUR, `infrastructure` (the plan's monthly estimate spread over the
 * hours of the month) and `idle` (infrastructure − tenants − platform: unrequested capacity; negative when
 * the prices bill more than Hetzner charges).
 */
function regionLines(prices: MeteringPrices, billing: BillingContext): RecordingRule[] {
    const labels = (line: string) => ({ region: billing.region, line, currency: prices.currency });
    // The builds namespace is a platform namespace, but what its pods billed to a project is in that project's line.
    const platform = (record: string, billedToProjects: string) => `(sum(${record} unless on (namespace) ${RECORDED.tenantNamespace}) - (sum(${billedToProjects}) or vector(0)))`;
    // MinIO's drives are platform claims, but the share the tenants' buckets reserve on them is in the tenants' line.
    const platformStorage = `(sum(\n  max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_resource_requests_storage_bytes)\n  unless on (namespace) ${RECORDED.tenantNamespace}\n) - (sum(${RECORDED.bucketReserved}) or vector(0)))`;
    const lines: RecordingRule[] = [
        { record: RECORDED.regionCostRate, expr: `sum(${RECORDED.costRate}) or vector(0)`, labels: labels("tenants") },
        {
            record: RECORDED.regionCostRate,
            expr: [
                `  (${platform(RECORDED.namespaceCpuBillable, RECORDED.buildCpuBillable)} * ${promqlNumber(prices.cpuCoreHour)} or vector(0))`,
                `+ (${platform(RECORDED.namespaceMemoryBillable, RECORDED.buildMemoryBillable)} / ${BYTES_PER_GIB} * ${promqlNumber(prices.memoryGiBHour)} or vector(0))`,
                `+ (${platformStorage} * ${billing.storageReplicas} / ${BYTES_PER_GIB} * ${promqlNumber(prices.storageGiBHour)} or vector(0))`,
            ].join("\n"),
            labels: labels("platform"),
        },
    ];
    // Hetzner bills in EUR: an infrastructure line in another currency would compare unlike amounts.
    if (billing.infrastructureMonthlyEur !== undefined && prices.currency === "EUR") {
        const line = (name: string) => `${RECORDED.regionCostRate}{line="${name}"}`;
        lines.push(
            { record: RECORDED.regionCostRate, expr: `vector(${promqlNumber(billing.infrastructureMonthlyEur)}) / scalar(days_in_month() * 24)`, labels: labels("infrastructure") },
            {
                record: RECORDED.regionCostRate,
                expr: `${line("infrastructure")}\n- ignoring (line) ${line("tenants")}\n- ignoring (line) ${line("platform")}`,
                labels: labels("idle"),
            },
        );
    }
    return lines;
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
