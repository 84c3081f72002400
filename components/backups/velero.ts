import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { releaseArgs } from "../../charts/versions";
import { chartCrdUrls } from "../../charts/crds";
import { requirement, type Provides } from "../../lib/requirements";
import { renderPlatformNamespace } from "../nodes/placement";
import { renderVeleroCredentialsSecret, renderVeleroSchedules, renderVeleroValues, VELERO_RELEASE } from "./values";
import { renderVeleroAlertGroups, VELERO_ALERTS_RULE } from "./rules";

/** Arguments of {@link Velero}. */
export interface VeleroArgs {
    /** Validated stack configuration (`platform:backup`: bucket, schedule, retention). */
    config: PlatformConfig;
    /** Namespaces of the region's tenant projects: each gets its own Schedule. */
    tenantNamespaces: readonly string[];
    /** Keys of the off-cluster bucket (`platform:backupS3AccessKey` / `platform:backupS3SecretKey`). */
    keys: { accessKey: pulumi.Input<string>; secretKey: pulumi.Input<string> };
}

/**
 * Cluster-object backups (`platform:backups:Velero`): the pinned chart in namespace `velero` with the chart's
 * CRDs applied first at the pinned tag, the off-cluster bucket as its only BackupStorageLocation, the bucket's
 * keys as a Secret, one Schedule per tenant namespace and one for the platform, and the backup alerts. Construct
 * it only when `platform:backup.s3` is set (see values.ts). Pass the Prometheus Operator CRDs as `opts.dependsOn`
 * (the chart renders a ServiceMonitor).
 */
export class Velero extends pulumi.ComponentResource {
    /** Name of the Helm release. */
    readonly releaseName: pulumi.Output<string>;
    /** Names of the Schedules (namespace velero). */
    readonly schedules: string[];
    /** What it provides (lib/requirements.ts): the velero.io kinds, once the server and its location are up. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: VeleroArgs, opts?: pulumi.ComponentResourceOptions) {
        // Rendered before super(): a missing bucket or a bad schedule throws before anything is registered.
        const values = renderVeleroValues(args.config);
        const schedules = renderVeleroSchedules(args.config, args.tenantNamespaces);
        const groups = renderVeleroAlertGroups(args.config.backup.schedule);
        super("platform:backups:Velero", name, {}, opts);

        // The server and the plugin run as uid 65532 without privileges: restricted fits.
        const ns = renderPlatformNamespace(NAMESPACES.velero, "restricted");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });
        // Helm installs crds/ once and never upgrades it. Retained on delete: removing the CRDs deletes every
        // Backup object, and with them Velero's knowledge of what the bucket holds.
        const crds = new k8s.yaml.v2.ConfigGroup(`${name}-crds`, { files: chartCrdUrls("velero") }, { parent: this, retainOnDelete: true });
        const keys = pulumi.all([args.keys.accessKey, args.keys.secretKey]);
        const shape = renderVeleroCredentialsSecret({ accessKey: "", secretKey: "" });
        const credentials = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: shape.metadata as k8s.types.input.meta.v1.ObjectMeta,
                type: shape.type,
                stringData: pulumi.secret(keys.apply(([accessKey, secretKey]) => renderVeleroCredentialsSecret({ accessKey, secretKey }).stringData ?? {})),
            },
            { parent: this, dependsOn: [namespace], additionalSecretOutputs: ["stringData", "data"] },
        );
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            { ...releaseArgs("velero", { name: VELERO_RELEASE, namespace: NAMESPACES.velero, values }), skipCrds: true },
            { parent: this, dependsOn: [namespace, crds, credentials] },
        );
        for (const s of schedules) {
            new k8s.apiextensions.CustomResource(`${name}-schedule-${s.metadata.name}`, { apiVersion: s.apiVersion, kind: s.kind, metadata: s.metadata, spec: s.spec }, { parent: this, dependsOn: [release] });
        }
        new k8s.apiextensions.CustomResource(
            `${name}-alerts`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: VELERO_ALERTS_RULE, namespace: NAMESPACES.monitoring, labels: { [LABELS.managedBy]: "pulumi" } },
                spec: { groups },
            },
            { parent: this },
        );
        this.releaseName = release.name;
        this.schedules = schedules.map((s) => s.metadata.name);
        this.provides = { [requirement.apiGroup("velero.io")]: [release] };
        this.registerOutputs({ releaseName: this.releaseName, schedules: this.schedules });
    }
}
