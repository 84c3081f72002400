import type { ChartKey } from "../../charts/versions";

/**
 * Where `tools/render-charts.ts` finds each pinned chart's source (the tag in `charts/versions.ts`' `source`
 * column) in a GitHub snapshot brought here with the `fetch` tool (`/work/.mirror/<owner>+<name>/repo`, or
 * `$CHART_MIRRORS/<owner>+<name>/repo`). Subcharts the chart's `Chart.yaml` names but does not vendor come
 * from their own repositories at the version the parent pins; a subchart whose condition is false for the
 * values being rendered is dropped from the temporary chart (Helm refuses a missing dependency even when it
 * is disabled), and the fact file says so.
 */

/** One chart directory at one git ref of a mirrored repository. */
export interface ChartSource {
    /** `owner/name` of the GitHub repository. */
    readonly repo: string;
    /** Tag (or commit) holding the pinned version. */
    readonly ref: string;
    /** Chart directory inside the repository. */
    readonly dir: string;
}

/** A pinned chart's source and the sources of the subcharts it does not vendor (by dependency name). */
export interface PinnedChartSource extends ChartSource {
    readonly subcharts: Readonly<Record<string, ChartSource>>;
}

const PROMETHEUS_COMMUNITY = "prometheus-community/helm-charts";

/** Every pinned chart's source. */
export const CHART_SOURCES: Readonly<Record<ChartKey, PinnedChartSource>> = {
    metallb: { repo: "metallb/metallb", ref: "metallb-chart-0.16.1", dir: "charts/metallb", subcharts: {} },
    traefik: { repo: "traefik/traefik-helm-chart", ref: "v41.3.0", dir: "traefik", subcharts: {} },
    certManager: { repo: "cert-manager/cert-manager", ref: "v1.21.1", dir: "deploy/charts/cert-manager", subcharts: {} },
    certManagerWebhookHetzner: { repo: "hetzner/cert-manager-webhook-hetzner", ref: "v0.9.0", dir: "chart", subcharts: {} },
    longhorn: { repo: "longhorn/longhorn", ref: "v1.12.1", dir: "chart", subcharts: {} },
    // The repository is archived; its last commit holds chart 5.4.0 (checked in Chart.yaml).
    minio: { repo: "minio/minio", ref: "7aac2a2c5", dir: "helm/minio", subcharts: {} },
    prometheusOperatorCrds: { repo: PROMETHEUS_COMMUNITY, ref: "prometheus-operator-crds-31.0.1", dir: "charts/prometheus-operator-crds", subcharts: {} },
    kubePrometheusStack: {
        repo: PROMETHEUS_COMMUNITY,
        ref: "kube-prometheus-stack-88.5.3",
        dir: "charts/kube-prometheus-stack",
        subcharts: {
            "kube-state-metrics": { repo: PROMETHEUS_COMMUNITY, ref: "kube-state-metrics-8.4.0", dir: "charts/kube-state-metrics" },
            "prometheus-node-exporter": { repo: PROMETHEUS_COMMUNITY, ref: "prometheus-node-exporter-4.56.1", dir: "charts/prometheus-node-exporter" },
            grafana: { repo: "grafana-community/helm-charts", ref: "grafana-12.11.1", dir: "charts/grafana" },
        },
    },
    loki: { repo: "grafana-community/helm-charts", ref: "loki-18.11.0", dir: "charts/loki", subcharts: {} },
    cloudnativePg: { repo: "cloudnative-pg/charts", ref: "cloudnative-pg-v0.29.0", dir: "charts/cloudnative-pg", subcharts: {} },
    psmdbOperator: { repo: "percona/percona-helm-charts", ref: "psmdb-operator-1.22.0", dir: "charts/psmdb-operator", subcharts: {} },
    // The chart lives in the operator repository and has no tag: the commit that set version 0.26.0.
    redisOperator: { repo: "OT-CONTAINER-KIT/redis-operator", ref: "2eb86e18f7c655a6e8d8e52e53e051af976a8d7a", dir: "charts/redis-operator", subcharts: {} },
    pxcOperator: { repo: "percona/percona-helm-charts", ref: "pxc-operator-1.19.0", dir: "charts/pxc-operator", subcharts: {} },
    alloy: { repo: "grafana/alloy", ref: "helm-chart/1.11.1", dir: "operations/helm/charts/alloy", subcharts: {} },
    // The chart's Chart.yaml carries a placeholder version; the release process sets the tag's.
    kubeletCsrApprover: { repo: "postfinance/kubelet-csr-approver", ref: "v1.2.14", dir: "charts/kubelet-csr-approver", subcharts: {} },
    kured: { repo: "kubereboot/charts", ref: "kured-6.1.0", dir: "charts/kured", subcharts: {} },
    argocd: { repo: "argoproj/argo-helm", ref: "argo-cd-10.1.1", dir: "charts/argo-cd", subcharts: {} },
    velero: { repo: "vmware-tanzu/helm-charts", ref: "velero-12.1.0", dir: "charts/velero", subcharts: {} },
    argoRollouts: { repo: "argoproj/argo-helm", ref: "argo-rollouts-2.41.0", dir: "charts/argo-rollouts", subcharts: {} },
    harbor: { repo: "goharbor/harbor-helm", ref: "v1.19.1", dir: ".", subcharts: {} },
};
