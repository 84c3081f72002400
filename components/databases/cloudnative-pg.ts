import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { releaseArgs } from "../../charts/versions";
import { requirement, type Provides } from "../../lib/requirements";
import { renderPlatformNamespace } from "../nodes/placement";
import { operatorEgressPolicies } from "./operator-network-policies";
import { CNPG_RELEASE, renderCnpgOperatorValues } from "./values";
import { DATABASE_ALERTS_RULE, renderDatabaseAlertGroups } from "./rules";

/** Arguments of the CloudNativePG add-on. */
export interface CloudNativePgArgs {
    /** Validated stack configuration (sizing, base-backup schedule). */
    config: PlatformConfig;
}

/**
 * The PostgreSQL operator (`platform:databases:CloudNativePG`): the pinned chart in `cnpg-system` (CRDs are
 * chart templates, so Helm upgrades them with the release) and the database backup alerts. Tenant Projects
 * that have a PostgreSQL database depend on it. Pass the Prometheus Operator CRDs (and the monitoring namespace they create) as `opts.dependsOn`.
 */
export class CloudNativePg extends pulumi.ComponentResource {
    /** Name of the Helm release. */
    readonly releaseName: pulumi.Output<string>;
    /** What it provides (lib/requirements.ts): the postgresql.cnpg.io kinds (Cluster, ScheduledBackup), once its release is ready. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: CloudNativePgArgs, opts?: pulumi.ComponentResourceOptions) {
        // Rendered before super(): a bad schedule throws before anything is registered.
        const groups = renderDatabaseAlertGroups(args.config.backup.schedule);
        const values = renderCnpgOperatorValues(args.config);
        const egress = operatorEgressPolicies(NAMESPACES.cnpg, args.config);
        super("platform:databases:CloudNativePG", name, {}, opts);
        // The operator only watches the API; restricted is enough (its pod runs as uid 10001, no privileges).
        const ns = renderPlatformNamespace(NAMESPACES.cnpg, "restricted");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });
        // Default-deny egress and what the operator needs (components/databases/operator-network-policies.ts).
        for (const p of egress) {
            new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${p.metadata!.name}`, { metadata: p.metadata as k8s.types.input.meta.v1.ObjectMeta, spec: p.spec as k8s.types.input.networking.v1.NetworkPolicySpec }, { parent: this, dependsOn: [namespace] });
        }
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            releaseArgs("cloudnativePg", { name: CNPG_RELEASE, namespace: NAMESPACES.cnpg, values }),
            { parent: this, dependsOn: [namespace] },
        );
        new k8s.apiextensions.CustomResource(
            `${name}-backup-alerts`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: DATABASE_ALERTS_RULE, namespace: NAMESPACES.monitoring, labels: { [LABELS.managedBy]: "pulumi" } },
                spec: { groups },
            },
            { parent: this },
        );
        this.releaseName = release.name;
        this.provides = { [requirement.apiGroup("postgresql.cnpg.io")]: [release] };
        this.registerOutputs({ releaseName: this.releaseName });
    }
}
