import type { IPrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { PlatformConfig } from "../../lib/config/schema";
import type { PlatformSecrets } from "../../lib/config/load";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { longhornReplicaCount } from "../longhorn/values";
import type { BillingLedgerArgs } from "./ledger";
import type { ProjectSpec } from "../../lib/tenants/schema";
import { renderDashboards } from "./dashboards";
import { renderAlertRuleGroups, renderMeteringRuleGroups, type BillingContext, type MeteringPrices, type MeteringProject, type RuleGroup } from "./rules";

/**
 * The Kubernetes objects of metering, pure: two PrometheusRules (metering/cost, alerts) and one ConfigMap
 * per Grafana dashboard, all in the monitoring namespace. kube-prometheus-stack's Prometheus selects every
 * PrometheusRule and the Grafana sidecar every ConfigMap labelled `grafana_dashboard: "1"`, so no release
 * label is needed. The Metering component creates exactly these; policy and spine tests import them.
 */

/** What metering needs to know. */
export interface MeteringArgs {
    /** `platform:prices`, validated by `pricesSchema`. */
    prices: MeteringPrices;
    /** Tenant projects with their optional monthly budget (see {@link meteringProjects}). */
    projects: readonly MeteringProject[];
    /** Region, storage replicas and infrastructure cost (see {@link billingContext}). */
    billing: Omit<BillingContext, "ledgerExported">;
    /** The billing ledger export; with it the ledger staleness alert is rendered too. */
    ledger?: BillingLedgerArgs;
}

/**
 * The billing context of a stack: its location as region, the Longhorn replica count its StorageClasses set
 * (storage is billed × that), and the monthly infrastructure cost `npm run plan` estimates, if known.
 */
export function billingContext(config: PlatformConfig, infrastructureMonthlyEur?: number): Omit<BillingContext, "ledgerExported"> {
    return {
        region: config.location,
        storageReplicas: longhornReplicaCount(config),
        ...(infrastructureMonthlyEur !== undefined ? { infrastructureMonthlyEur } : {}),
    };
}

/** The ledger of a stack: bucket, prefix and credentials from `platform:billing.ledger`. */
export function ledgerArgs(config: PlatformConfig, secrets: Pick<PlatformSecrets, "etcdS3" | "backupS3" | "billingS3">): BillingLedgerArgs {
    const ledger = config.billing.ledger;
    const bucket =
        ledger.target === "etcdSnapshots"
            ? { s3: config.cluster.etcdSnapshots.s3, credentials: secrets.etcdS3 }
            : ledger.target === "longhornBackups"
              ? { s3: config.addons.longhorn.external, credentials: secrets.backupS3 }
              : { s3: ledger.s3, credentials: secrets.billingS3 };
    if (!bucket.s3 || !bucket.credentials) {
        // The schema and the secret check reject this first; reaching here is a programming error.
        throw new Error(`billing ledger: target ${ledger.target} has no bucket or credentials`);
    }
    // At the bucket's root, not in the target's own folder: k3s prunes its etcd snapshots by prefix there.
    const prefix = `${ledger.folder}/${config.location}`;
    return {
        spec: { region: config.location, currency: config.prices.currency, target: { endpoint: bucket.s3.endpoint, bucket: bucket.s3.bucket, region: bucket.s3.region, prefix }, backfillHours: ledger.backfillHours },
        credentials: bucket.credentials,
    };
}

/** Names of the objects. */
export const METERING_OBJECT_NAMES = {
    meteringRules: "platform-metering",
    alertRules: "platform-project-alerts",
} as const;

/** Label the Grafana sidecar selects dashboards by. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

/** Sidecar annotation naming the Grafana folder (used when the sidecar's folderAnnotation is set). */
export const GRAFANA_FOLDER_ANNOTATION = { grafana_folder: "Platform" } as const;

/** The metering objects to create. */
export interface MeteringObjects {
    /** PrometheusRules: metering and cost recording rules, then the project alerts. */
    prometheusRules: IPrometheusRule[];
    /** One ConfigMap per dashboard. */
    configMaps: IConfigMap[];
}

const labels = (component: string): Record<string, string> => ({
    "app.kubernetes.io/name": "platform-metering",
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": "platform",
    [LABELS.managedBy]: "pulumi",
});

function prometheusRule(name: string, component: string, groups: RuleGroup[]): IPrometheusRule {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name, namespace: NAMESPACES.monitoring, labels: labels(component) },
        // A deep copy: the object must not share arrays with the groups callers may keep and change.
        spec: { groups: JSON.parse(JSON.stringify(groups)) as NonNullable<IPrometheusRule["spec"]["groups"]> },
    };
}

/** The tenant projects as metering sees them: id (as `name`) and `budget.monthly`. */
export function meteringProjects(projects: ReadonlyArray<Pick<ProjectSpec, "id" | "budget">>): MeteringProject[] {
    // Metering keys on the id, the namespace and `platform/project` label: usage survives a rename.
    return projects.map((p) => (p.budget ? { name: p.id, budgetMonthly: p.budget.monthly } : { name: p.id }));
}

/** Renders the PrometheusRules and dashboard ConfigMaps of metering. */
export function renderMeteringObjects(args: MeteringArgs): MeteringObjects {
    const prometheusRules = [
        prometheusRule(METERING_OBJECT_NAMES.meteringRules, "metering", renderMeteringRuleGroups(args.prices, { ...args.billing, ledgerExported: args.ledger !== undefined })),
        prometheusRule(METERING_OBJECT_NAMES.alertRules, "alerts", renderAlertRuleGroups(args.projects, args.prices)),
    ];
    const configMaps: IConfigMap[] = Object.entries(renderDashboards(args.prices)).map(([file, dashboard]) => ({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: {
            name: `grafana-dashboard-${dashboard.uid}`,
            namespace: NAMESPACES.monitoring,
            labels: { ...labels("dashboards"), ...GRAFANA_DASHBOARD_LABEL },
            annotations: { ...GRAFANA_FOLDER_ANNOTATION },
        },
        data: { [file]: JSON.stringify(dashboard, null, 2) },
    }));
    return { prometheusRules, configMaps };
}
