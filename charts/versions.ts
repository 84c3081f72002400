import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/**
 * Every upstream Helm chart the platform installs, pinned in this one table (upgrade by editing a row and
 * the base values beside it). Each chart's base values live in `charts/<values>/values.yaml`; the add-on
 * components merge stack-specific values over them (see `mergeValues`). The keys set in every values file
 * were checked against the chart's own `values.yaml` at exactly the version pinned here.
 */

/** One pinned chart. */
export interface ChartRef {
    /** Helm repository URL (`helm repo add <name> <repo>`). */
    readonly repo: string;
    /** Chart name in that repository. */
    readonly chart: string;
    /** Exact chart version (never a range: a Release is opaque to policies, so drift must be a code change). */
    readonly version: string;
    /** Folder below `charts/` holding the base `values.yaml`. */
    readonly values: string;
    /** Where the values keys were verified (repository and tag of the chart source). */
    readonly source: string;
}

const PROMETHEUS_COMMUNITY = "https://prometheus-community.github.io/helm-charts";

/** The pinned charts, keyed by add-on. */
export const CHARTS = {
    metallb: {
        repo: "https://metallb.github.io/metallb",
        chart: "metallb",
        version: "0.16.1",
        values: "metallb",
        source: "github.com/metallb/metallb@metallb-chart-0.16.1 charts/metallb/values.yaml",
    },
    traefik: {
        repo: "https://traefik.github.io/charts",
        chart: "traefik",
        version: "41.3.0",
        values: "traefik",
        source: "github.com/traefik/traefik-helm-chart@v41.3.0 traefik/values.yaml (Traefik v3.7.11)",
    },
    certManager: {
        repo: "https://charts.jetstack.io",
        chart: "cert-manager",
        version: "v1.21.1",
        values: "cert-manager",
        source: "github.com/cert-manager/cert-manager@v1.21.1 deploy/charts/cert-manager/values.yaml",
    },
    certManagerWebhookHetzner: {
        repo: "https://charts.hetzner.cloud",
        chart: "cert-manager-webhook-hetzner",
        version: "0.9.0",
        values: "cert-manager-webhook-hetzner",
        source: "github.com/hetzner/cert-manager-webhook-hetzner@v0.9.0 chart/values.yaml",
    },
    longhorn: {
        repo: "https://charts.longhorn.io",
        chart: "longhorn",
        version: "1.12.1",
        values: "longhorn",
        source: "github.com/longhorn/longhorn@v1.12.1 chart/values.yaml",
    },
    minio: {
        repo: "https://charts.min.io/",
        chart: "minio",
        version: "5.4.0",
        values: "minio",
        source: "github.com/minio/minio@master (archived) helm/minio/values.yaml, chart 5.4.0",
    },
    prometheusOperatorCrds: {
        repo: PROMETHEUS_COMMUNITY,
        chart: "prometheus-operator-crds",
        version: "31.0.1",
        values: "prometheus-operator-crds",
        source: "github.com/prometheus-community/helm-charts@prometheus-operator-crds-31.0.1 (operator v0.93.1)",
    },
    kubePrometheusStack: {
        repo: PROMETHEUS_COMMUNITY,
        chart: "kube-prometheus-stack",
        version: "88.5.3",
        values: "kube-prometheus-stack",
        source: "github.com/prometheus-community/helm-charts@kube-prometheus-stack-88.5.3 (+ kube-state-metrics-8.4.0, prometheus-node-exporter-4.56.1, grafana-community grafana-12.11.1)",
    },
    loki: {
        repo: "https://grafana-community.github.io/helm-charts",
        chart: "loki",
        version: "18.11.0",
        values: "loki",
        source: "github.com/grafana-community/helm-charts@loki-18.11.0 charts/loki/values.yaml (Loki 3.7.6)",
    },
    alloy: {
        repo: "https://grafana.github.io/helm-charts",
        chart: "alloy",
        version: "1.11.1",
        values: "alloy",
        source: "github.com/grafana/alloy@helm-chart/1.11.1 operations/helm/charts/alloy/values.yaml (Alloy v1.18.1)",
    },
    argocd: {
        repo: "https://argoproj.github.io/argo-helm",
        chart: "argo-cd",
        version: "10.1.1",
        values: "argo-cd",
        source: "github.com/argoproj/argo-helm@argo-cd-10.1.1 charts/argo-cd/values.yaml (Argo CD v3.4.4)",
    },
    kured: {
        repo: "https://kubereboot.github.io/charts",
        chart: "kured",
        version: "6.1.0",
        values: "kured",
        source: "github.com/kubereboot/charts@kured-6.1.0 charts/kured/values.yaml and templates/daemonset.yaml (kured 1.23.0)",
    },
    kubeletCsrApprover: {
        repo: "https://postfinance.github.io/kubelet-csr-approver",
        chart: "kubelet-csr-approver",
        version: "1.2.14",
        values: "kubelet-csr-approver",
        source: "github.com/postfinance/kubelet-csr-approver@v1.2.14 charts/kubelet-csr-approver/values.yaml (chart version = tag without v)",
    },
    argoRollouts: {
        repo: "https://argoproj.github.io/argo-helm",
        chart: "argo-rollouts",
        version: "2.41.0",
        values: "argo-rollouts",
        source: "github.com/argoproj/argo-helm@argo-rollouts-2.41.0 charts/argo-rollouts/values.yaml (Argo Rollouts v1.9.0; CRDs are templates, upgraded by Helm with the release)",
    },
    cloudnativePg: {
        repo: "https://cloudnative-pg.github.io/charts",
        chart: "cloudnative-pg",
        version: "0.29.0",
        values: "cloudnative-pg",
        source: "github.com/cloudnative-pg/charts@cloudnative-pg-v0.29.0 charts/cloudnative-pg/values.yaml (operator 1.30.0; CRDs are templates, upgraded by Helm with the release)",
    },
    velero: {
        repo: "https://vmware-tanzu.github.io/helm-charts",
        chart: "velero",
        version: "12.1.0",
        values: "velero",
        source: "github.com/vmware-tanzu/helm-charts@velero-12.1.0 charts/velero/values.yaml and templates/deployment.yaml, backupstoragelocation.yaml, servicemonitor.yaml (Velero v1.18.1; CRDs under crds/)",
    },
    harbor: {
        repo: "https://helm.goharbor.io",
        chart: "harbor",
        version: "1.19.1",
        values: "harbor",
        source: "github.com/goharbor/harbor-helm@v1.19.1 values.yaml (Harbor v2.15.1)",
    },
    psmdbOperator: {
        repo: "https://percona.github.io/percona-helm-charts/",
        chart: "psmdb-operator",
        version: "1.22.0",
        values: "psmdb-operator",
        source: "github.com/percona/percona-helm-charts@psmdb-operator-1.22.0 charts/psmdb-operator/values.yaml (Percona Operator for MongoDB 1.22.0; CRDs under crds/, applied by the component: charts/crds.ts)",
    },
    redisOperator: {
        repo: "https://ot-container-kit.github.io/helm-charts/",
        chart: "redis-operator",
        version: "0.26.0",
        values: "redis-operator",
        source: "github.com/OT-CONTAINER-KIT/redis-operator@2eb86e18 charts/redis-operator/values.yaml and templates/operator-deployment.yaml (the commit that made the chart 0.26.0; no chart tag exists; OpsTree Redis Operator v0.26.0; CRDs under crds/, applied by the component: charts/crds.ts)",
    },
    pxcOperator: {
        repo: "https://percona.github.io/percona-helm-charts/",
        chart: "pxc-operator",
        version: "1.19.0",
        values: "pxc-operator",
        source: "github.com/percona/percona-helm-charts@pxc-operator-1.19.0 charts/pxc-operator/values.yaml and templates/deployment.yaml (Percona Operator for MySQL based on Percona XtraDB Cluster 1.19.0; CRDs under crds/, applied by the component: charts/crds.ts)",
    },
} as const satisfies Record<string, ChartRef>;

/**
 * Upstream releases installed from their release manifests rather than a Helm chart: the objects are rendered
 * by the component (visible to the policy pack) and the CRD is committed verbatim beside this file.
 */
export const MANIFEST_RELEASES = {
    systemUpgradeController: {
        version: "v0.20.1",
        crd: "system-upgrade-controller/crd.yaml",
        source: "github.com/rancher/system-upgrade-controller@v0.20.1 (f1362a3f) manifests/*.yaml, kustomization.yaml, pkg/crds/yaml/generated/upgrade.cattle.io_plans.yaml",
    },
} as const;

/** Absolute path of a file committed below `charts/`. */
export function chartFilePath(relative: string): string {
    return path.join(__dirname, relative);
}

/** Key of a pinned chart. */
export type ChartKey = keyof typeof CHARTS;

/** A values document (what Helm receives). */
export type Values = Record<string, unknown>;

/** Absolute path of a chart's base values file. */
export function baseValuesPath(key: ChartKey): string {
    return path.join(__dirname, CHARTS[key].values, "values.yaml");
}

/** The chart's base values (`charts/<chart>/values.yaml`), parsed; `{}` for an empty file. */
export function baseValues(key: ChartKey): Values {
    const doc = yaml.load(fs.readFileSync(baseValuesPath(key), "utf8"));
    if (doc === undefined || doc === null) {
        return {};
    }
    if (typeof doc !== "object" || Array.isArray(doc)) {
        throw new Error(`${baseValuesPath(key)} must hold a YAML mapping`);
    }
    return doc as Values;
}

const isMapping = (v: unknown): v is Values => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Deep-merges `override` over `base` the way Helm merges values files: mappings merge key by key, every
 * other value (lists included) is replaced. Neither input is modified.
 */
export function mergeValues(base: Values, ...overrides: Values[]): Values {
    let out: Values = { ...base };
    for (const override of overrides) {
        const merged: Values = { ...out };
        for (const [key, value] of Object.entries(override)) {
            const current = merged[key];
            merged[key] = isMapping(current) && isMapping(value) ? mergeValues(current, value) : value;
        }
        out = merged;
    }
    return out;
}

/** Base values of a chart with the stack-specific values merged over them. */
export function chartValues(key: ChartKey, stackValues: Values): Values {
    return mergeValues(baseValues(key), stackValues);
}

/** The `k8s.helm.v3.Release` inputs that come from the pin table (chart, version, repository). */
export function releaseSource(key: ChartKey): { chart: string; version: string; repositoryOpts: { repo: string } } {
    const ref = CHARTS[key];
    return { chart: ref.chart, version: ref.version, repositoryOpts: { repo: ref.repo } };
}

/**
 * Helm timeouts (seconds) of the releases that other releases become ready after, and of those consumers. A
 * consumer is created beside its provider, not after it, and waits in the cluster (its claims bind once
 * Longhorn's CSI driver runs, Loki restarts until MinIO answers: tools/offline/readiness.ts); the releases are
 * atomic, so a consumer's timeout is its own plus its providers', or a slow provider would roll it back.
 */
export const RELEASE_TIMEOUT_SECONDS = (() => {
    const longhorn = 900;
    const minio = 900 + longhorn;
    return { longhorn, minio, kubePrometheusStack: 900 + longhorn, loki: 600 + Math.max(longhorn, minio), harbor: 900 + longhorn };
})();

/** What a platform Release needs beyond the pin table. */
export interface ReleaseSpec {
    /** Helm release name. */
    name: string;
    /** Namespace (created by the component, not by Helm, so it carries the platform's labels). */
    namespace: string;
    /** Values (base merged with stack-specific), possibly holding secret Outputs. */
    values: unknown;
    /** Seconds Helm waits for the chart's workloads (default 600). */
    timeoutSeconds?: number;
}

/** Inputs of a `k8s.helm.v3.Release` for a pinned chart (same settings for every add-on). */
export function releaseArgs(key: ChartKey, spec: ReleaseSpec) {
    return {
        ...releaseSource(key),
        name: spec.name,
        namespace: spec.namespace,
        createNamespace: false,
        values: spec.values as Record<string, unknown>,
        // Wait for the chart's workloads, roll back a failed install instead of leaving half of it.
        skipAwait: false,
        atomic: true,
        cleanupOnFail: true,
        timeout: spec.timeoutSeconds ?? 600,
        maxHistory: 5,
    };
}
