import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { BillingLedger } from "./ledger";
import { renderMeteringObjects, type MeteringArgs } from "./render";

// The pure renderers, re-exported so callers (index.ts, policy and spine tests) need one import; each is
// documented where it is defined.
export { renderMeteringObjects, meteringProjects, billingContext, ledgerArgs, METERING_OBJECT_NAMES, type MeteringArgs, type MeteringObjects } from "./render";
export { renderMeteringRuleGroups, renderAlertRuleGroups, RECORDED, ALERTS, KUBE_STATE_METRICS_LABELS_ALLOWLIST, type MeteringProject, type RuleGroup } from "./rules";
export { renderPlatformDashboard, renderProjectDashboard, renderDashboards, dashboardMetricNames } from "./dashboards";

/**
 * Per-project metering for kube-prometheus-stack: the metering/cost recording rules and project alerts as
 * PrometheusRules, the platform and project dashboards as sidecar ConfigMaps, and (with `ledger`) the
 * billing ledger CronJob, in `monitoring`.
 *
 * The Kubernetes provider comes through `opts` (children inherit it from this parent). Pass the monitoring
 * add-on (which installs the PrometheusRule CRD and the namespace) as `opts.dependsOn`: every child gets
 * it, because a component's own dependencies do not hold its children back.
 */
export class Metering extends pulumi.ComponentResource {
    /** Names of the PrometheusRule objects. */
    readonly prometheusRuleNames: pulumi.Output<string[]>;
    /** Names of the dashboard ConfigMaps. */
    readonly dashboardConfigMapNames: pulumi.Output<string[]>;

    constructor(name: string, args: MeteringArgs, opts?: pulumi.ComponentResourceOptions) {
        // Render (and validate prices, projects, budgets) before super(): bad input registers nothing.
        const objects = renderMeteringObjects(args);
        super("platform:metering:Metering", name, {}, opts);
        const childOptions: pulumi.CustomResourceOptions = { parent: this, dependsOn: opts?.dependsOn };

        const rules = objects.prometheusRules.map(
            (rule) =>
                new k8s.apiextensions.CustomResource(
                    `${name}-${rule.metadata!.name!}`,
                    { apiVersion: rule.apiVersion, kind: rule.kind, metadata: rule.metadata, spec: rule.spec },
                    childOptions,
                ),
        );
        const dashboards = objects.configMaps.map(
            (configMap) => new k8s.core.v1.ConfigMap(`${name}-${configMap.metadata!.name!}`, { metadata: configMap.metadata, data: configMap.data }, childOptions),
        );

        // The hourly export of the bill to object storage, beside the rules whose series it reads.
        const ledger = args.ledger ? new BillingLedger(`${name}-ledger`, args.ledger, childOptions) : undefined;
        void ledger;

        this.prometheusRuleNames = pulumi.all(rules.map((r) => r.metadata.name));
        this.dashboardConfigMapNames = pulumi.all(dashboards.map((d) => d.metadata.name));
        this.registerOutputs({ prometheusRuleNames: this.prometheusRuleNames, dashboardConfigMapNames: this.dashboardConfigMapNames });
    }
}
