import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { releaseArgs } from "../../charts/versions";
import { chartCrdUrls } from "../../charts/crds";
import { requirement, type Provides } from "../../lib/requirements";
import { renderPlatformNamespace } from "../nodes/placement";
import { operatorEgressPolicies } from "./operator-network-policies";
import { PSMDB_RELEASE, renderPsmdbOperatorValues } from "./mongodb-values";
import { MONGODB_ALERTS_RULE, renderMongoDbAlertGroups } from "./mongodb-rules";

/** Arguments of the MongoDB operator add-on. */
export interface PerconaMongoDbArgs {
    /** Validated stack configuration (backup schedule of the alerts). */
    config: PlatformConfig;
}

/**
 * The MongoDB operator (`platform:databases:PerconaMongoDB`): the Percona Operator for MongoDB chart in
 * `psmdb-system`, watching every namespace, its CRDs applied from the pinned release before it (the chart ships
 * them under `crds/`, which Helm never upgrades), and the MongoDB backup alerts. Tenant Projects with a `mongodb`
 * depend on it. Pass the Prometheus Operator CRDs (and the monitoring namespace they create) as `opts.dependsOn`.
 */
export class PerconaMongoDb extends pulumi.ComponentResource {
    /** Name of the Helm release. */
    readonly releaseName: pulumi.Output<string>;
    /** What it provides (lib/requirements.ts): the psmdb.percona.com kinds, once the CRDs and the operator are in. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: PerconaMongoDbArgs, opts?: pulumi.ComponentResourceOptions) {
        // Rendered before super(): a bad schedule throws before anything is registered.
        const groups = renderMongoDbAlertGroups(args.config.backup.schedule);
        const values = renderPsmdbOperatorValues(args.config);
        const egress = operatorEgressPolicies(NAMESPACES.psmdb, args.config);
        super("platform:databases:PerconaMongoDB", name, {}, opts);
        const ns = renderPlatformNamespace(NAMESPACES.psmdb, "restricted");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });
        // Default-deny egress and what the operator needs (components/databases/operator-network-policies.ts).
        for (const p of egress) {
            new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${p.metadata!.name}`, { metadata: p.metadata as k8s.types.input.meta.v1.ObjectMeta, spec: p.spec as k8s.types.input.networking.v1.NetworkPolicySpec }, { parent: this, dependsOn: [namespace] });
        }
        // Retained on delete: removing a CRD deletes every tenant's replica set, backup and restore object.
        const crds = new k8s.yaml.v2.ConfigGroup(`${name}-crds`, { files: chartCrdUrls("psmdbOperator") }, { parent: this, retainOnDelete: true });
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            { ...releaseArgs("psmdbOperator", { name: PSMDB_RELEASE, namespace: NAMESPACES.psmdb, values }), skipCrds: true },
            { parent: this, dependsOn: [namespace, crds] },
        );
        new k8s.apiextensions.CustomResource(
            `${name}-backup-alerts`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: MONGODB_ALERTS_RULE, namespace: NAMESPACES.monitoring, labels: { [LABELS.managedBy]: "pulumi" } },
                spec: { groups },
            },
            { parent: this },
        );
        this.releaseName = release.name;
        // The operator has no admission webhook: the kinds are usable once the CRDs exist and it runs.
        this.provides = { [requirement.apiGroup("psmdb.percona.com")]: [crds, release] };
        this.registerOutputs({ releaseName: this.releaseName });
    }
}
