import { ALERTMANAGER_CONFIG_SECRET } from "../alerting/alertmanager-config";
import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, LOKI_LABELS, LOKI_TENANT_HEADER, LOKI_TENANTS, lokiTenantOf, MINIO_ENDPOINT, NAMESPACES, STORAGE_CLASSES, TENANT_NAMESPACE_LABEL } from "../../lib/conventions";
import { quantity } from "../../lib/quantity";
import { chartValues, type Values } from "../../charts/versions";
import { CONTROL_PLANE_TOLERATIONS, nodeCount } from "../nodes/placement";
import { resources, sizingProfile, type ResourceBlock, type WorkloadResources } from "../../charts/resources";
import { LOKI_BUCKETS } from "../minio/values";
import { NODE_EXPORTER_TEXTFILE_ARG } from "../metering/edge-meter";

/**
 * Observability: kube-prometheus-stack (Prometheus, Alertmanager, Grafana, node-exporter,
 * kube-state-metrics, the operator), Loki (monolithic, chunks in MinIO) and Grafana Alloy as the log
 * shipper. Alloy, not Promtail: Promtail was deprecated with Loki 3.4 and reached end of life in March
 * 2026; Alloy is Grafana's maintained agent, reads pod logs through the Kubernetes API (no hostPath, no
 * root) and turns the `platform/project` pod label into the `project` stream label.
 */

/** Helm release names. */
export const RELEASES = { crds: "prometheus-operator-crds", stack: "kube-prometheus-stack", loki: "loki", alloy: "alloy" } as const;

/** Grafana's admin Secret (chart `grafana.admin.existingSecret`, default keys). */
export const GRAFANA_ADMIN_SECRET = { name: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" } as const;

/** Secret with Loki's MinIO credentials, exposed to Loki as environment variables. */
export const LOKI_S3_SECRET = { name: "loki-s3", accessKeyKey: "AWS_ACCESS_KEY_ID", secretKeyKey: "AWS_SECRET_ACCESS_KEY" } as const;

/** Loki inside the cluster (monolithic Service, no gateway). */
export const LOKI_URL = `http://${RELEASES.loki}.${NAMESPACES.monitoring}.svc.cluster.local:3100`;

/** Grafana's Service (chart naming: `<release>-grafana`, port 80). */
export const GRAFANA_SERVICE = `${RELEASES.stack}-grafana`;

/** Uids of the Grafana datasources (Prometheus's is the chart's default uid). */
export const DATASOURCE_UIDS = { prometheus: "prometheus", loki: "loki" } as const;

/** Label that makes Grafana's dashboard sidecar load a ConfigMap. */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

/** Size of Alertmanager's volume (silences and notification log). */
export const ALERTMANAGER_STORAGE = "1Gi";

/** Size of Loki's volume (WAL, index and compactor working files; chunks go to MinIO). */
export function lokiVolumeSize(config: PlatformConfig): string {
    return sizingProfile(config) === "small" ? "5Gi" : "20Gi";
}

/** Resources of every observability container. */
export function observabilitySizing(config: PlatformConfig) {
    const small = sizingProfile(config) === "small";
    return {
        prometheus: small ? resources("100m", "512Mi", "1536Mi") : resources("500m", "2Gi", "6Gi"),
        configReloader: resources("5m", "16Mi", "48Mi"),
        alertmanager: small ? resources("10m", "48Mi", "128Mi") : resources("25m", "96Mi", "256Mi"),
        operator: small ? resources("25m", "64Mi", "192Mi") : resources("50m", "128Mi", "384Mi"),
        admissionPatch: resources("10m", "32Mi", "64Mi"),
        grafana: small ? resources("50m", "160Mi", "512Mi") : resources("100m", "256Mi", "1Gi"),
        grafanaSidecar: resources("10m", "48Mi", "128Mi"),
        grafanaInit: resources("10m", "16Mi", "64Mi"),
        kubeStateMetrics: small ? resources("10m", "48Mi", "192Mi") : resources("50m", "128Mi", "512Mi"),
        nodeExporter: resources("10m", "24Mi", "64Mi"),
        loki: small ? resources("100m", "320Mi", "1Gi") : resources("250m", "1Gi", "3Gi"),
        alloy: small ? resources("20m", "64Mi", "256Mi") : resources("50m", "128Mi", "512Mi"),
        alloyReloader: resources("5m", "16Mi", "48Mi"),
    } satisfies Record<string, ResourceBlock>;
}

/**
 * Prometheus' size-based retention: 85 % of its volume (in MiB, which Prometheus writes as "MB"), so the
 * time-based retention from config never fills the disk.
 */
export function prometheusRetentionSize(storageSize: string): string {
    return `${Math.floor((quantity(storageSize) * 0.85) / 2 ** 20)}MB`;
}

const claim = (size: string) => ({
    volumeClaimTemplate: { spec: { storageClassName: STORAGE_CLASSES.standard, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } } },
});

/** kube-state-metrics: expose the platform labels of namespaces and pods as metric labels. */
export const KSM_LABELS_ALLOWLIST = [`namespaces=[${LABELS.project},${TENANT_NAMESPACE_LABEL}]`, `pods=[${LABELS.project},${LABELS.service}]`];

/**
 * Loki tenants the platform's own Grafana organisation reads: the platform's and every project's, in one
 * multi-tenant query (`X-Scope-OrgID: _platform|a|b`, Loki's `multi_tenant_queries_enabled`).
 */
export function platformLokiTenants(projectIds: readonly string[]): string {
    return [LOKI_TENANTS.platform, ...[...new Set(projectIds.map(lokiTenantOf))].sort()].join("|");
}

/** The Loki datasource of Grafana's main organisation (platform admins): every tenant. */
export function platformLokiDatasource(projectIds: readonly string[]) {
    return {
        name: "Loki",
        type: "loki",
        uid: DATASOURCE_UIDS.loki,
        url: LOKI_URL,
        access: "proxy",
        isDefault: false,
        jsonData: { maxLines: 1000, httpHeaderName1: LOKI_TENANT_HEADER },
        secureJsonData: { httpHeaderValue1: platformLokiTenants(projectIds) },
    };
}

/** Values of the kube-prometheus-stack release. */
export function renderKubePrometheusStackValues(config: PlatformConfig, projectIds: readonly string[] = []): Values {
    const s = observabilitySizing(config);
    const monitoring = config.addons.monitoring;
    return chartValues("kubePrometheusStack", {
        prometheus: {
            prometheusSpec: {
                retention: monitoring.retention,
                retentionSize: prometheusRetentionSize(monitoring.storageSize),
                storageSpec: claim(monitoring.storageSize),
                resources: s.prometheus,
                // No CriticalAddonsOnly toleration: its Longhorn volume attaches only where longhorn-manager runs.
            },
        },
        alertmanager: {
            alertmanagerSpec: {
                storage: claim(ALERTMANAGER_STORAGE),
                resources: s.alertmanager,
                // The configuration (receivers, routes, SMTP password, webhook URLs) is the Secret the Alerting
                // component renders from stack config; the chart's own generated one would have no receivers.
                useExistingSecret: true,
                configSecret: ALERTMANAGER_CONFIG_SECRET,
            },
        },
        prometheusOperator: {
            resources: s.operator,
            tolerations: CONTROL_PLANE_TOLERATIONS,
            prometheusConfigReloader: { resources: s.configReloader },
            admissionWebhooks: { patch: { resources: s.admissionPatch } },
        },
        grafana: {
            admin: { existingSecret: GRAFANA_ADMIN_SECRET.name, userKey: GRAFANA_ADMIN_SECRET.userKey, passwordKey: GRAFANA_ADMIN_SECRET.passwordKey },
            persistence: { enabled: true, type: "pvc", size: monitoring.grafanaStorageSize, storageClassName: STORAGE_CLASSES.standard },
            resources: s.grafana,
            initChownData: { resources: s.grafanaInit },
            sidecar: { resources: s.grafanaSidecar },
            additionalDataSources: [platformLokiDatasource(projectIds)],
        },
        "kube-state-metrics": { metricLabelsAllowlist: KSM_LABELS_ALLOWLIST, resources: s.kubeStateMetrics, tolerations: CONTROL_PLANE_TOLERATIONS },
        "prometheus-node-exporter": { resources: s.nodeExporter, extraArgs: NODE_EXPORTER_EXTRA_ARGS },
    });
}

/**
 * node-exporter's arguments: kube-prometheus-stack 88.5.3's own two (values.yaml `prometheus-node-exporter.extraArgs`,
 * kept verbatim because a list value replaces the chart's) and the textfile directory the edge meter writes to
 * (components/metering/edge-meter.ts), read through the chart's host-root mount (`hostRootFsMount`, on by default).
 */
export const NODE_EXPORTER_EXTRA_ARGS = [
    "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)",
    "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|erofs)$",
    NODE_EXPORTER_TEXTFILE_ARG,
];

/** Values of the Loki release: monolithic, chunks and ruler data in MinIO, retention from config. */
export function renderLokiValues(config: PlatformConfig): Values {
    const s = observabilitySizing(config);
    const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: LOKI_S3_SECRET.name, key } } });
    return chartValues("loki", {
        loki: {
            storage: {
                bucketNames: { chunks: LOKI_BUCKETS.chunks, ruler: LOKI_BUCKETS.ruler },
                s3: {
                    endpoint: `${MINIO_ENDPOINT.host}:${MINIO_ENDPOINT.port}`,
                    region: "us-east-1",
                    // Expanded by Loki from the environment (-config.expand-env), filled from the Secret.
                    accessKeyId: "${AWS_ACCESS_KEY_ID}",
                    secretAccessKey: "${AWS_SECRET_ACCESS_KEY}",
                },
            },
            limits_config: { retention_period: config.addons.loki.retention },
        },
        singleBinary: {
            resources: s.loki,
            extraArgs: ["-config.expand-env=true"],
            extraEnv: [secretEnv("AWS_ACCESS_KEY_ID", LOKI_S3_SECRET.accessKeyKey), secretEnv("AWS_SECRET_ACCESS_KEY", LOKI_S3_SECRET.secretKeyKey)],
            persistence: { enabled: true, size: lokiVolumeSize(config), storageClass: STORAGE_CLASSES.standard },
        },
    });
}

/** Stream label Alloy's relabelling writes the Loki tenant into; the pipeline turns it into the tenant and drops it. */
export const ALLOY_TENANT_LABEL = "loki_tenant";

/**
 * The Loki tenant of every line, as relabel rules: the platform's tenant, unless the pod's namespace is a
 * project's (its namespace is its id) or the pod is a build of the `builds` namespace labelled with a project
 * (only the platform writes that namespace: its admission policy). Only the catalog's project ids count, so a
 * pod in an unknown namespace, or a build labelled with no known project, stays in the platform's tenant. The
 * namespace comes from discovery, never from a pod label: a tenant cannot move its lines into another tenant.
 */
function tenantRules(projectIds: readonly string[]): string {
    const ids = [...new Set(projectIds.map(lokiTenantOf))].sort();
    // Project ids are [a-z0-9-]: nothing in them is a regular-expression metacharacter.
    const anyProject = `(${ids.join("|")})`;
    const rule = (lines: string[]) => `  rule {\n${lines.map((l) => `    ${l}\n`).join("")}  }\n`;
    return [
        rule([`target_label = "${ALLOY_TENANT_LABEL}"`, `replacement  = "${LOKI_TENANTS.platform}"`]),
        ...(ids.length === 0
            ? []
            : [
                  rule([`source_labels = ["__meta_kubernetes_namespace"]`, `regex         = "${anyProject}"`, `target_label  = "${ALLOY_TENANT_LABEL}"`]),
                  rule([
                      `source_labels = ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_label_platform_project"]`,
                      `separator     = ";"`,
                      `regex         = "${NAMESPACES.builds};${anyProject}"`,
                      `target_label  = "${ALLOY_TENANT_LABEL}"`,
                  ]),
              ]),
    ].join("");
}

/**
 * The Alloy pipeline: discover this node's pods, label streams with namespace, pod, container, node and
 * the platform labels (`project` from pod label `platform/project`, `service` from `platform/service`,
 * `deployment`, `commit` and `log_stream` from `platform/deployment`, `platform/commit` and
 * `platform/log-stream` where pods carry them: a relabel rule whose source is empty sets no label),
 * tail them through the Kubernetes API, set each line's Loki tenant ({@link tenantRules}: Alloy's
 * `stage.tenant` puts it in `__tenant_id__`, which loki.write sends as X-Scope-OrgID; the label itself is
 * dropped) and push to Loki.
 *
 * @param stack the `cluster` label of every stream
 * @param projectIds the catalog's projects: the only tenants besides the platform's
 */
export function renderAlloyConfig(stack: string, projectIds: readonly string[]): string {
    const relabel = (source: string, target: string) => `  rule {\n    source_labels = ["${source}"]\n    target_label  = "${target}"\n  }\n`;
    return [
        `// Pod logs of this node to Loki (generated by components/observability/values.ts).`,
        `discovery.kubernetes "pods" {`,
        `  role = "pod"`,
        `  selectors {`,
        `    role  = "pod"`,
        `    field = "spec.nodeName=" + sys.env("NODE_NAME")`,
        `  }`,
        `}`,
        ``,
        `discovery.relabel "pods" {`,
        `  targets = discovery.kubernetes.pods.targets`,
        relabel("__meta_kubernetes_namespace", "namespace") +
            relabel("__meta_kubernetes_pod_name", "pod") +
            relabel("__meta_kubernetes_pod_container_name", "container") +
            relabel("__meta_kubernetes_pod_node_name", "node") +
            relabel("__meta_kubernetes_pod_label_platform_project", LOKI_LABELS.project) +
            relabel("__meta_kubernetes_pod_label_platform_service", LOKI_LABELS.service) +
            relabel("__meta_kubernetes_pod_label_platform_deployment", LOKI_LABELS.deployment) +
            relabel("__meta_kubernetes_pod_label_platform_commit", LOKI_LABELS.commit) +
            relabel("__meta_kubernetes_pod_label_platform_log_stream", LOKI_LABELS.logStream) +
            relabel("__meta_kubernetes_pod_label_app_kubernetes_io_name", "app") +
            tenantRules(projectIds) +
            `}`,
        ``,
        `loki.source.kubernetes "pods" {`,
        `  targets    = discovery.relabel.pods.output`,
        `  forward_to = [loki.process.tenant.receiver]`,
        `}`,
        ``,
        `loki.process "tenant" {`,
        `  forward_to = [loki.write.loki.receiver]`,
        ``,
        `  stage.tenant {`,
        `    label = "${ALLOY_TENANT_LABEL}"`,
        `  }`,
        ``,
        `  stage.label_drop {`,
        `    values = ["${ALLOY_TENANT_LABEL}"]`,
        `  }`,
        `}`,
        ``,
        `loki.write "loki" {`,
        `  endpoint {`,
        `    url       = "${LOKI_URL}/loki/api/v1/push"`,
        `    // A line without a tenant (none should be) lands in the platform's, never in a project's.`,
        `    tenant_id = "${LOKI_TENANTS.platform}"`,
        `  }`,
        `  external_labels = { ${LOKI_LABELS.cluster} = "${stack}" }`,
        `}`,
        ``,
    ].join("\n");
}

/** Values of the Alloy release. */
export function renderAlloyValues(config: PlatformConfig, stack: string, projectIds: readonly string[]): Values {
    const s = observabilitySizing(config);
    return chartValues("alloy", {
        alloy: { configMap: { content: renderAlloyConfig(stack, projectIds) }, resources: s.alloy },
        configReloader: { resources: s.alloyReloader },
    });
}

/** Observability workloads for the sizing report (from the same sizing the values carry). */
export function observabilityWorkloads(config: PlatformConfig): WorkloadResources[] {
    const s = observabilitySizing(config);
    const nodes = nodeCount(config);
    const w = (workload: string, kind: WorkloadResources["kind"], pods: number, containers: Record<string, ResourceBlock>, note?: string): WorkloadResources => ({
        addon: "observability",
        workload,
        kind,
        pods,
        containers,
        ...(note ? { note } : {}),
    });
    return [
        w("prometheus", "StatefulSet", 1, { prometheus: s.prometheus, "config-reloader": s.configReloader }),
        w("alertmanager", "StatefulSet", 1, { alertmanager: s.alertmanager, "config-reloader": s.configReloader }),
        w("prometheus-operator", "Deployment", 1, { operator: s.operator }),
        w("prometheus-operator-admission-patch", "Job", 1, { patch: s.admissionPatch }),
        w("grafana", "Deployment", 1, { grafana: s.grafana, "grafana-sc-dashboard": s.grafanaSidecar, "grafana-sc-datasources": s.grafanaSidecar }),
        w("kube-state-metrics", "Deployment", 1, { "kube-state-metrics": s.kubeStateMetrics }),
        w("node-exporter", "DaemonSet", nodes, { "node-exporter": s.nodeExporter }, "every node"),
        w("loki", "StatefulSet", 1, { loki: s.loki }),
        w("alloy", "DaemonSet", nodes, { alloy: s.alloy, "config-reloader": s.alloyReloader }, "every node"),
    ];
}
