import { describe, expect, it } from "vitest";
import {
    KSM_LABELS_ALLOWLIST,
    LOKI_URL,
    prometheusRetentionSize,
    renderAlloyConfig,
    renderAlloyValues,
    renderKubePrometheusStackValues,
    renderLokiValues,
    observabilityWorkloads,
} from "../../../components/observability/values";
import { LOKI_TENANTS } from "../../../lib/conventions";
import { longhornDashboard, renderDashboardConfigMaps, traefikDashboard } from "../../../components/observability/dashboards";
import { validateObject } from "../../helpers/k8s-schema";
import { parseAlloy, shipPod } from "../../helpers/alloy-config";
import { shippedConfig } from "../../charts/fixtures";

const dev = shippedConfig("dev");
const fsn1 = shippedConfig("fsn1");

describe("kube-prometheus-stack values", () => {
    it("select every ServiceMonitor, PodMonitor and rule in every namespace", () => {
        const spec = (renderKubePrometheusStackValues(dev) as any).prometheus.prometheusSpec;
        expect(spec).toMatchObject({
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
        });
    });

    it("take retention and volume sizes from config, size-capping retention at 85% of the volume", () => {
        const devSpec = (renderKubePrometheusStackValues(dev) as any).prometheus.prometheusSpec;
        expect(devSpec.retention).toBe("35d");
        expect(devSpec.storageSpec.volumeClaimTemplate.spec).toMatchObject({ storageClassName: "standard", resources: { requests: { storage: "10Gi" } } });
        expect(devSpec.retentionSize).toBe("8704MB");
        const prod = renderKubePrometheusStackValues(fsn1) as any;
        expect(prod.prometheus.prometheusSpec.retention).toBe("35d");
        expect(prod.grafana.persistence).toMatchObject({ enabled: true, size: "5Gi", storageClassName: "standard" });
        expect(prometheusRetentionSize("100Gi")).toBe("87040MB");
    });

    it("provision Grafana with a generated admin Secret, Prometheus and Loki datasources and the dashboard sidecar over all namespaces", () => {
        const grafana = (renderKubePrometheusStackValues(dev) as any).grafana;
        expect(grafana.admin).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        expect(grafana.adminPassword).toBeUndefined();
        expect(grafana.sidecar.dashboards).toMatchObject({ enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" });
        expect(grafana.sidecar.datasources).toMatchObject({ enabled: true, defaultDatasourceEnabled: true });
        expect(grafana.additionalDataSources).toEqual([expect.objectContaining({ name: "Loki", type: "loki", url: LOKI_URL })]);
        expect(grafana.defaultDashboardsEnabled).toBe(true);
    });

    it("keep Alertmanager, node-exporter on every node, and kube-state-metrics with the platform labels", () => {
        const v = renderKubePrometheusStackValues(dev) as any;
        expect(v.alertmanager.enabled).toBe(true);
        expect(v.nodeExporter.enabled).toBe(true);
        expect(v["prometheus-node-exporter"].tolerations).toEqual([{ operator: "Exists" }]);
        expect(v["kube-state-metrics"].metricLabelsAllowlist).toEqual(KSM_LABELS_ALLOWLIST);
        expect(KSM_LABELS_ALLOWLIST).toEqual(["namespaces=[platform/project,platform/tenant]", "pods=[platform/project,platform/service]"]);
        expect(v.crds.enabled).toBe(false);
        expect(v.kubeControllerManager.enabled).toBe(false);
    });
});

describe("Loki values", () => {
    it("run one monolithic Loki storing chunks in MinIO with credentials from the environment", () => {
        const v = renderLokiValues(dev) as any;
        expect(v.deploymentMode).toBe("Monolithic");
        expect(v.singleBinary.replicas).toBe(1);
        expect(v.loki.storage).toMatchObject({
            type: "s3",
            bucketNames: { chunks: "loki-chunks", ruler: "loki-ruler" },
            s3: { endpoint: "minio.minio.svc.cluster.local:9000", s3ForcePathStyle: true, accessKeyId: "${AWS_ACCESS_KEY_ID}", secretAccessKey: "${AWS_SECRET_ACCESS_KEY}" },
        });
        expect(v.singleBinary.extraArgs).toContain("-config.expand-env=true");
        expect(v.singleBinary.extraEnv.map((e: { valueFrom: { secretKeyRef: { name: string } } }) => e.valueFrom.secretKeyRef.name)).toEqual(["loki-s3", "loki-s3"]);
        expect(JSON.stringify(v)).not.toMatch(/secretAccessKey":"[A-Za-z0-9]{20,}/);
    });

    it("apply the configured retention through the compactor and drop the heavy optional parts", () => {
        const v = renderLokiValues(dev) as any;
        expect(v.loki.limits_config.retention_period).toBe("72h");
        expect((renderLokiValues(fsn1) as any).loki.limits_config.retention_period).toBe("720h");
        expect(v.loki.compactor).toMatchObject({ retention_enabled: true, delete_request_store: "s3" });
        expect([v.gateway.enabled, v.lokiCanary.enabled, v.chunksCache.enabled, v.resultsCache.enabled, v.test.enabled]).toEqual([false, false, false, false, false]);
    });
});

describe("Alloy", () => {
    it("is a DaemonSet on every node whose pipeline tails this node's pods and labels streams by project", () => {
        const v = renderAlloyValues(dev, "dev", ["shop"]) as any;
        expect(v.controller.type).toBe("daemonset");
        expect(v.controller.tolerations).toEqual([{ operator: "Exists" }]);
        expect(v.alloy.mounts).toMatchObject({ varlog: false, dockercontainers: false, extra: [{ name: "alloy-storage", mountPath: "/tmp/alloy" }] });
        expect(v.alloy.storagePath).toBe("/tmp/alloy");
        expect(v.alloy.securityContext).toMatchObject({ readOnlyRootFilesystem: true, runAsNonRoot: true });
        expect(v.controller.volumes.extra[0]).toMatchObject({ name: "alloy-storage", emptyDir: {} });
        expect(v.alloy.extraEnv[0]).toEqual({ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } });
        const pipeline = renderAlloyConfig("dev", ["shop"]);
        expect(v.alloy.configMap.content).toBe(pipeline);
        expect(() => parseAlloy(pipeline)).not.toThrow();
        expect(pipeline).toContain('field = "spec.nodeName=" + sys.env("NODE_NAME")');
        expect(pipeline).toMatch(/source_labels = \["__meta_kubernetes_pod_label_platform_project"\]\n\s+target_label\s+= "project"/);
        // The release labels pods carry (platform/deployment, platform/commit, platform/log-stream) become stream labels.
        for (const [podLabel, streamLabel] of [["platform_service", "service"], ["platform_deployment", "deployment"], ["platform_commit", "commit"], ["platform_log_stream", "log_stream"]]) {
            expect(pipeline).toMatch(new RegExp(`source_labels = \\["__meta_kubernetes_pod_label_${podLabel}"\\]\\n\\s+target_label\\s+= "${streamLabel}"`));
        }
        expect(pipeline).toMatch(new RegExp(`url\\s+= "${LOKI_URL}/loki/api/v1/push"`));
        expect(pipeline).toContain('loki.source.kubernetes "pods"');
        // Balanced braces: a cheap structural check of the generated Alloy syntax.
        expect(pipeline.split("{").length).toBe(pipeline.split("}").length);
        // dev: server, run, edge and build node.
        expect(observabilityWorkloads(dev).find((w) => w.workload === "alloy")!.pods).toBe(4);
    });
});

describe("dashboards", () => {
    it("are ConfigMaps with the sidecar label holding valid dashboard JSON", () => {
        for (const cm of renderDashboardConfigMaps()) {
            expect(cm.metadata!.labels).toMatchObject({ grafana_dashboard: "1" });
            expect(validateObject(cm)).toMatchObject({ status: "valid" });
            const [file, json] = Object.entries(cm.data!)[0]!;
            expect(file).toMatch(/\.json$/);
            const model = JSON.parse(json);
            expect(model.panels.length).toBeGreaterThan(0);
        }
    });

    it("query the metrics Longhorn and Traefik export", () => {
        const exprs = (d: ReturnType<typeof longhornDashboard>) => d.panels.flatMap((p) => (p.targets as Array<{ expr: string }>).map((t) => t.expr)).join("\n");
        expect(exprs(longhornDashboard())).toMatch(/longhorn_node_storage_usage_bytes/);
        expect(exprs(longhornDashboard())).toMatch(/longhorn_volume_actual_size_bytes/);
        expect(exprs(traefikDashboard())).toMatch(/traefik_entrypoint_requests_total/);
        expect(exprs(traefikDashboard())).toMatch(/traefik_open_connections/);
        expect(new Set([longhornDashboard().uid, traefikDashboard().uid]).size).toBe(2);
    });
});

describe("Loki tenants", () => {
    const pipeline = renderAlloyConfig("dev", ["shop", "shop-eu", "paas-app"]);
    const pod = (namespace: string, labels: Record<string, string> = {}) => ({
        __meta_kubernetes_namespace: namespace,
        __meta_kubernetes_pod_name: "p-1",
        __meta_kubernetes_pod_container_name: "c",
        __meta_kubernetes_pod_node_name: "dev-run-0",
        ...Object.fromEntries(Object.entries(labels).map(([k, v]) => [`__meta_kubernetes_pod_label_${k.replace(/[^a-zA-Z0-9]/g, "_")}`, v])),
    });

    it("ship a project's runtime lines to its own tenant, whatever project its pods claim to be", () => {
        expect(shipPod(pipeline, pod("shop", { "platform/project": "shop", "platform/service": "web" }))).toEqual({
            tenant: "shop",
            labels: { namespace: "shop", pod: "p-1", container: "c", node: "dev-run-0", project: "shop", service: "web" },
        });
        // A pod of shop labelled as shop-eu (or as a build) still lands in shop's tenant: the namespace decides.
        expect(shipPod(pipeline, pod("shop", { "platform/project": "shop-eu", "platform/log-stream": "build" })).tenant).toBe("shop");
        expect(shipPod(pipeline, pod("shop-eu")).tenant).toBe("shop-eu");
    });

    it("ship a build's lines to the tenant of the project it builds, and everything else to the platform's", () => {
        expect(shipPod(pipeline, pod("builds", { "platform/project": "paas-app", "platform/log-stream": "build" })).tenant).toBe("paas-app");
        // A build labelled with no known project, or unlabelled, is the platform's (never a guessed project's).
        expect(shipPod(pipeline, pod("builds", { "platform/project": "unknown" })).tenant).toBe(LOKI_TENANTS.platform);
        expect(shipPod(pipeline, pod("builds")).tenant).toBe(LOKI_TENANTS.platform);
        for (const namespace of ["kube-system", "monitoring", "registry", "traefik", "shopping", "shop-e"]) {
            expect(shipPod(pipeline, pod(namespace, { "platform/project": "shop" })).tenant, namespace).toBe(LOKI_TENANTS.platform);
        }
        // The tenant is not a stream label, and with no project at all every line is the platform's.
        expect(shipPod(pipeline, pod("shop")).labels).not.toHaveProperty("loki_tenant");
        expect(shipPod(renderAlloyConfig("dev", []), pod("shop")).tenant).toBe(LOKI_TENANTS.platform);
    });

    it("run Loki multi-tenant, and give the platform's Grafana organisation every tenant in one header", () => {
        const loki = renderLokiValues(dev) as any;
        expect(loki.loki.auth_enabled).toBe(true);
        expect(loki.loki.querier.multi_tenant_queries_enabled).toBe(true);
        const grafana = (renderKubePrometheusStackValues(dev, ["shop", "paas-app"]) as any).grafana;
        const [datasource] = grafana.additionalDataSources;
        expect(datasource.jsonData.httpHeaderName1).toBe("X-Scope-OrgID");
        expect(datasource.secureJsonData.httpHeaderValue1).toBe("_platform|paas-app|shop");
    });
});
