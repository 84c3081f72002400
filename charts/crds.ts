import { CHARTS, type ChartKey } from "./versions";

/**
 * CRDs of the pinned charts that ship them under `crds/`: Helm installs that folder on the first install
 * only and never upgrades (or deletes) it, so a chart version bump would leave the old CRD schemas in place.
 * The add-on component applies these manifests itself, from the chart's source at exactly the pinned tag,
 * ordered before its Release (which then skips `crds/`); the URL names the version, so a bump changes the
 * inputs and Pulumi applies the new schemas first. Which charts ship `crds/` comes from the rendered facts
 * (`crdsDirectoryCrds` in charts/rendered/), and test/charts/chart-crds.test.ts keeps this table in step.
 * The Percona MongoDB and XtraDB Cluster operator charts ship their CRDs under `crds/` too. Charts whose CRDs are templates (cert-manager, Longhorn, MetalLB, Argo CD, prometheus-operator-crds) are
 * upgraded by Helm itself; kube-prometheus-stack's and Alloy's `crds/` subcharts are disabled.
 */

/** One chart's CRD manifests. */
export interface ChartCrdManifests {
    /** Base URL of the chart's `crds/` folder at the pinned tag (ends with `/`). */
    readonly baseUrl: string;
    /** Manifest files below `baseUrl`, one CRD each (`<group>_<plural>.yaml`, or `<plural>.yaml` with {@link group}). */
    readonly files: readonly string[];
    /** API group of every file, for charts that name their CRD files by plural only (Velero's `backups.yaml`). */
    readonly group?: string;
    /** The git tag the URLs name (`v<version>` unless the chart repository tags otherwise). */
    readonly tag: string;
}

const traefikCrds = [
    "accesscontrolpolicies",
    "aiservices",
    "apiauths",
    "apibundles",
    "apicatalogitems",
    "apiplans",
    "apiportalauths",
    "apiportals",
    "apiratelimits",
    "apis",
    "apiversions",
    "contentitems",
    "managedapplications",
    "managedsubscriptions",
    "uplinks",
].map((p) => `hub.traefik.io_${p}.yaml`);

/** Charts with a `crds/` folder, keyed like the pin table. */
export const CHART_CRDS: Partial<Record<ChartKey, ChartCrdManifests>> = {
    traefik: {
        baseUrl: `https://raw.githubusercontent.com/traefik/traefik-helm-chart/v${CHARTS.traefik.version}/traefik/crds/`,
        tag: `v${CHARTS.traefik.version}`,
        files: [
            ...traefikCrds,
            ...["ingressroutes", "ingressroutetcps", "ingressrouteudps", "middlewares", "middlewaretcps", "serverstransports", "serverstransporttcps", "tlsoptions", "tlsstores", "traefikservices"].map(
                (p) => `traefik.io_${p}.yaml`,
            ),
        ],
    },
    // vmware-tanzu/helm-charts tags each chart `<chart>-<version>`; the files are the chart's crds/ at that tag.
    velero: {
        baseUrl: `https://raw.githubusercontent.com/vmware-tanzu/helm-charts/velero-${CHARTS.velero.version}/charts/velero/crds/`,
        tag: `velero-${CHARTS.velero.version}`,
        group: "velero.io",
        files: [
            "backuprepositories",
            "backups",
            "backupstoragelocations",
            "datadownloads",
            "datauploads",
            "deletebackuprequests",
            "downloadrequests",
            "podvolumebackups",
            "podvolumerestores",
            "restores",
            "schedules",
            "serverstatusrequests",
            "volumesnapshotlocations",
        ].map((p) => `${p}.yaml`),
    },
    // The chart's crds/crd.yaml holds three CRDs in one file; the operator repository publishes the same ones
    // (deploy/crd.yaml is byte-identical to the chart's) one per file at the operator tag the chart pins.
    psmdbOperator: {
        baseUrl: `https://raw.githubusercontent.com/percona/percona-server-mongodb-operator/v${CHARTS.psmdbOperator.version}/config/crd/bases/`,
        tag: `v${CHARTS.psmdbOperator.version}`,
        files: ["perconaservermongodbs", "perconaservermongodbbackups", "perconaservermongodbrestores"].map((p) => `psmdb.percona.com_${p}.yaml`),
    },
    // The chart's crds/crds.yaml holds four CRDs in one file; the operator repository publishes the same ones
    // (identical specs) one per file at the operator tag (the chart has no tag of its own).
    redisOperator: {
        baseUrl: "https://raw.githubusercontent.com/OT-CONTAINER-KIT/redis-operator/v0.26.0/config/crd/bases/",
        tag: "v0.26.0",
        files: ["redis", "redisclusters", "redisreplications", "redissentinels"].map((p) => `redis.redis.opstreelabs.in_${p}.yaml`),
    },
    // Likewise the Percona XtraDB Cluster operator: crds/crd.yaml holds the three CRDs the operator repository
    // publishes one per file under config/crd/bases at the tag the chart pins.
    pxcOperator: {
        baseUrl: `https://raw.githubusercontent.com/percona/percona-xtradb-cluster-operator/v${CHARTS.pxcOperator.version}/config/crd/bases/`,
        tag: `v${CHARTS.pxcOperator.version}`,
        files: ["perconaxtradbclusters", "perconaxtradbclusterbackups", "perconaxtradbclusterrestores"].map((p) => `pxc.percona.com_${p}.yaml`),
    },
};

/** URLs of a chart's CRD manifests (empty when it ships none under `crds/`). */
export function chartCrdUrls(key: ChartKey): string[] {
    const entry = CHART_CRDS[key];
    return entry ? entry.files.map((f) => `${entry.baseUrl}${f}`) : [];
}

/** The CRD name a manifest file holds (`traefik.io_middlewares.yaml` → `middlewares.traefik.io`; `backups.yaml` of group velero.io → `backups.velero.io`). */
export function crdNameOfFile(file: string, group?: string): string {
    if (group !== undefined) {
        const plural = /^([a-z0-9]+)\.yaml$/.exec(file);
        if (!plural) {
            throw new Error(`CRD manifest file "${file}" is not named <plural>.yaml`);
        }
        return `${plural[1]}.${group}`;
    }
    const match = /^(.+)_([a-z0-9]+)\.yaml$/.exec(file);
    if (!match) {
        throw new Error(`CRD manifest file "${file}" is not named <group>_<plural>.yaml`);
    }
    return `${match[2]}.${match[1]}`;
}
