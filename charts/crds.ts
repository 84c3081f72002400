import { CHARTS, type ChartKey } from "./versions";

/**
 * CRDs of the pinned charts that ship them under `crds/`: Helm installs that folder on the first install
 * only and never upgrades (or deletes) it, so a chart version bump would leave the old CRD schemas in place.
 * The add-on component applies these manifests itself, from the chart's source at exactly the pinned tag,
 * ordered before its Release (which then skips `crds/`); the URL names the version, so a bump changes the
 * inputs and Pulumi applies the new schemas first. Which charts ship `crds/` comes from the rendered facts
 * (`crdsDirectoryCrds` in charts/rendered/), and test/charts/chart-crds.test.ts keeps this table in step.
 * Charts whose CRDs are templates (cert-manager, Longhorn, MetalLB, Argo CD, prometheus-operator-crds) are
 * upgraded by Helm itself; kube-prometheus-stack's and Alloy's `crds/` subcharts are disabled.
 */

/** One chart's CRD manifests. */
export interface ChartCrdManifests {
    /** Base URL of the chart's `crds/` folder at the pinned tag (ends with `/`). */
    readonly baseUrl: string;
    /** Manifest files below `baseUrl`, one CRD each (`<group>_<plural>.yaml`). */
    readonly files: readonly string[];
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
        files: [
            ...traefikCrds,
            ...["ingressroutes", "ingressroutetcps", "ingressrouteudps", "middlewares", "middlewaretcps", "serverstransports", "serverstransporttcps", "tlsoptions", "tlsstores", "traefikservices"].map(
                (p) => `traefik.io_${p}.yaml`,
            ),
        ],
    },
};

/** URLs of a chart's CRD manifests (empty when it ships none under `crds/`). */
export function chartCrdUrls(key: ChartKey): string[] {
    const entry = CHART_CRDS[key];
    return entry ? entry.files.map((f) => `${entry.baseUrl}${f}`) : [];
}

/** The CRD name a manifest file holds (`traefik.io_middlewares.yaml` → `middlewares.traefik.io`). */
export function crdNameOfFile(file: string): string {
    const match = /^(.+)_([a-z0-9]+)\.yaml$/.exec(file);
    if (!match) {
        throw new Error(`CRD manifest file "${file}" is not named <group>_<plural>.yaml`);
    }
    return `${match[2]}.${match[1]}`;
}
