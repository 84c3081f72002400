import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { releaseArgs } from "../../charts/versions";
import { chartCrdUrls } from "../../charts/crds";
import { requirement, type Provides } from "../../lib/requirements";
import { renderPlatformNamespace } from "../nodes/placement";
import { operatorEgressPolicies } from "./operator-network-policies";
import { PXC_RELEASE, renderPxcOperatorValues } from "./mysql-values";
import { MYSQL_ALERTS_RULE, renderMysqlAlertGroups } from "./mysql-rules";

/** Arguments of the MySQL operator add-on. */
export interface PerconaMysqlArgs {
    /** Validated stack configuration (backup schedule of the alerts). */
    config: PlatformConfig;
}

/**
 * The MySQL operator (`platform:databases:PerconaMysql`): the Percona Operator for MySQL based on Percona XtraDB
 * Cluster chart in `pxc-system`, watching every namespace, its CRDs applied from the pinned release before it
 * (the chart ships them under `crds/`, which Helm never upgrades), and the MySQL backup alerts. Tenant Projects
 * with a `database: {engine: mysql}` depend on it. Pass the Prometheus Operator CRDs (and the monitoring
 * namespace they create) as `opts.dependsOn`.
 */
export class PerconaMysql extends pulumi.ComponentResource {
    /** Name of the Helm release. */
    readonly releaseName: pulumi.Output<string>;
    /** What it provides (lib/requirements.ts): the pxc.percona.com kinds, once the CRDs and the operator are in. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: PerconaMysqlArgs, opts?: pulumi.ComponentResourceOptions) {
        // Rendered before super(): a bad schedule throws before anything is registered.
        const groups = renderMysqlAlertGroups(args.config.backup.schedule);
        const values = renderPxcOperatorValues(args.config);
        const egress = operatorEgressPolicies(NAMESPACES.pxc, args.config);
        super("platform:databases:PerconaMysql", name, {}, opts);
        const ns = renderPlatformNamespace(NAMESPACES.pxc, "restricted");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });
        // Default-deny egress and what the operator needs (components/databases/operator-network-policies.ts).
        for (const p of egress) {
            new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${p.metadata!.name}`, { metadata: p.metadata as k8s.types.input.meta.v1.ObjectMeta, spec: p.spec as k8s.types.input.networking.v1.NetworkPolicySpec }, { parent: this, dependsOn: [namespace] });
        }
        // Retained on delete: removing a CRD deletes every tenant's cluster, backup and restore object.
        const crds = new k8s.yaml.v2.ConfigGroup(`${name}-crds`, { files: chartCrdUrls("pxcOperator") }, { parent: this, retainOnDelete: true });
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            { ...releaseArgs("pxcOperator", { name: PXC_RELEASE, namespace: NAMESPACES.pxc, values }), skipCrds: true },
            { parent: this, dependsOn: [namespace, crds] },
        );
        new k8s.apiextensions.CustomResource(
            `${name}-backup-alerts`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: MYSQL_ALERTS_RULE, namespace: NAMESPACES.monitoring, labels: { [LABELS.managedBy]: "pulumi" } },
                spec: { groups },
            },
            { parent: this },
        );
        this.releaseName = release.name;
        // The webhook the operator registers itself (pkg/webhook/hook.go at v1.19.0) matches only the clusters'
        // subresources and validates only clusters that set enableCRValidationWebhook (the platform's do not):
        // the kinds are usable once the CRDs exist and the operator runs.
        this.provides = { [requirement.apiGroup("pxc.percona.com")]: [crds, release] };
        this.registerOutputs({ releaseName: this.releaseName });
    }
}
