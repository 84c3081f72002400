import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import type { PlatformSecrets } from "../../lib/config/load";
import { NAMESPACES, STORAGE_CLASSES } from "../../lib/conventions";
import { releaseArgs, RELEASE_TIMEOUT_SECONDS } from "../../charts/versions";
import { Needs, requirement, requirementsOf, type Provides } from "../../lib/requirements";
import { renderPlatformNamespace } from "../nodes/placement";
import {
    renderLonghornLimitRange,
    BACKUP_CREDENTIALS_SECRET,
    backupCredentials,
    longhornReplicaCount,
    LONGHORN_RELEASE,
    renderLonghornServiceMonitor,
    renderLonghornValues,
    renderRecurringJobs,
    releaseAfter,
    renderStorageClasses,
    storageNodeMetadata,
    storageNodes,
} from "./values";

/** Arguments of the Longhorn add-on. */
export interface LonghornArgs {
    /** Validated stack configuration (storage pools, backup target, sizing profile). */
    config: PlatformConfig;
    /** Stack secrets: `backupS3` when the backup target is external (MinIO's own credentials arrive from the MinIO add-on). */
    secrets: Pick<PlatformSecrets, "backupS3">;
    /**
     * Per node name, the resource after which the node is Ready (`cluster.started`). The storage-node labels
     * are patched onto the Node objects, which must exist first.
     */
    nodeReady?: ReadonlyMap<string, pulumi.Resource>;
    /**
     * What the platform provides (lib/requirements.ts): the Prometheus Operator CRDs for Longhorn's ServiceMonitor,
     * the only object here that needs them. Omitted in tests: nothing is waited for.
     */
    platform?: Provides<pulumi.Resource>;
}

/**
 * Longhorn (`platform:addons:Longhorn`): storage-node labels (so only they get disks), the chart, the
 * StorageClasses `standard` (default) and `fast`, the chart's ServiceMonitor (created here after the release, so
 * the release needs no Prometheus Operator CRDs), the recurring snapshot/backup jobs and, for an external
 * backup target, its credentials Secret. With the in-cluster MinIO as target, the MinIO add-on writes that
 * Secret (it owns the MinIO user) into longhorn-system.
 */
export class Longhorn extends pulumi.ComponentResource {
    /** Default replica count per volume. */
    readonly replicaCount: pulumi.Output<number>;
    /** The StorageClasses (default first). */
    readonly storageClasses: pulumi.Output<string[]>;
    /**
     * Each StorageClass (the class object: its claims bind once the release's CSI driver runs, a readiness wait
     * the cluster imposes, not a `dependsOn`), the longhorn.io API group (CRDs and the manager's admission
     * webhook, served once the release is ready) and the namespace.
     */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: LonghornArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:addons:Longhorn", name, {}, opts);
        const { config } = args;
        const ns = renderPlatformNamespace(NAMESPACES.longhorn, "privileged");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });

        // Each storage node's label once that node is Ready. Longhorn creates a labelled node's default disk whenever
        // the label appears on a Longhorn node without disks, also after the node registered with Longhorn
        // (longhorn-manager controller/kubernetes_node_controller.go, syncDefaultDisks), so only the node the release
        // starts with needs its label first (see releaseAfter).
        const storage = storageNodes(config, pulumi.getStack());
        const nodePatches = storage.map((node) => {
            const meta = storageNodeMetadata(node, config);
            const ready = args.nodeReady?.get(node.hostname);
            return new k8s.core.v1.NodePatch(
                `${name}-node-${node.hostname}`,
                { metadata: { name: node.hostname, labels: meta.labels, annotations: meta.annotations } },
                { parent: this, dependsOn: ready ? [ready] : [] },
            );
        });

        const credentialDeps: pulumi.Resource[] = [];
        if (config.addons.longhorn.backupTarget === "external") {
            const s3 = args.secrets.backupS3;
            if (!s3) {
                throw new Error("addons.longhorn.backupTarget external needs platform:backupS3AccessKey and platform:backupS3SecretKey");
            }
            credentialDeps.push(
                new k8s.core.v1.Secret(
                    `${name}-backup-credentials`,
                    {
                        metadata: { name: BACKUP_CREDENTIALS_SECRET, namespace: NAMESPACES.longhorn, labels: ns.metadata.labels },
                        type: "Opaque",
                        stringData: pulumi.secret(pulumi.all([s3.accessKey, s3.secretKey]).apply(([a, s]) => backupCredentials(config, a, s))),
                    },
                    { parent: this, dependsOn: [namespace], additionalSecretOutputs: ["data", "stringData"] },
                ),
            );
        }

        // Before the chart: admission fills in default requests only when a pod is created.
        const limitRange = renderLonghornLimitRange();
        const defaultRequests = new k8s.core.v1.LimitRange(`${name}-default-requests`, limitRange, { parent: this, dependsOn: [namespace] });

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            releaseArgs("longhorn", { name: LONGHORN_RELEASE, namespace: NAMESPACES.longhorn, values: renderLonghornValues(config), timeoutSeconds: RELEASE_TIMEOUT_SECONDS.longhorn }),
            { parent: this, dependsOn: [namespace, defaultRequests, ...releaseAfter(storage, nodePatches), ...credentialDeps] },
        );

        const classShapes = renderStorageClasses(config);
        const classes = classShapes.map(
            (sc) =>
                new k8s.storage.v1.StorageClass(
                    `${name}-sc-${sc.metadata!.name}`,
                    {
                        metadata: sc.metadata,
                        provisioner: sc.provisioner,
                        parameters: sc.parameters,
                        reclaimPolicy: sc.reclaimPolicy,
                        allowVolumeExpansion: sc.allowVolumeExpansion,
                        volumeBindingMode: sc.volumeBindingMode,
                    },
                    // Not after the release: a class is a plain object, and a claim of it waits Pending until the
                    // CSI driver runs (lib/requirements.ts), so its consumers can install beside Longhorn.
                    { parent: this },
                ),
        );

        // After the release: an upgrade from a chart-rendered ServiceMonitor first lets Helm delete that one (same name).
        const serviceMonitor = renderLonghornServiceMonitor();
        const needs = new Needs(`Longhorn ${name}`, args.platform);
        const monitoringCrds = needs.of(requirementsOf(serviceMonitor, [NAMESPACES.longhorn]), `ServiceMonitor/${serviceMonitor.metadata.name}`);
        needs.throwIfUnmet();
        new k8s.apiextensions.CustomResource(
            `${name}-service-monitor`,
            { apiVersion: serviceMonitor.apiVersion, kind: serviceMonitor.kind, metadata: serviceMonitor.metadata, spec: serviceMonitor.spec },
            { parent: this, dependsOn: [release, ...monitoringCrds] },
        );

        for (const job of renderRecurringJobs()) {
            new k8s.apiextensions.CustomResource(
                `${name}-job-${job.metadata.name}`,
                { apiVersion: job.apiVersion, kind: job.kind, metadata: job.metadata, spec: job.spec },
                { parent: this, dependsOn: [release] },
            );
        }

        this.provides = {
            ...Object.fromEntries(classes.map((sc, i) => [requirement.storageClass(classShapes[i]!.metadata!.name!), [sc]])),
            [requirement.apiGroup("longhorn.io")]: [release],
            [requirement.namespace(NAMESPACES.longhorn)]: [namespace],
        };
        this.replicaCount = pulumi.output(longhornReplicaCount(config));
        this.storageClasses = pulumi.all(classes.map((c) => c.metadata.name)).apply(() => [STORAGE_CLASSES.standard, STORAGE_CLASSES.fast]);
        this.registerOutputs({ replicaCount: this.replicaCount, storageClasses: this.storageClasses });
    }
}
