import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { PlatformConfig } from "../../lib/config/schema";
import { NAMESPACES } from "../../lib/conventions";
import { releaseArgs, RELEASE_TIMEOUT_SECONDS } from "../../charts/versions";
import type { S3Credentials } from "../minio/minio";
import { renderDashboardConfigMaps } from "./dashboards";
import { creationNeeds, Needs, releaseRequirements, type Provides } from "../../lib/requirements";
import {
    GRAFANA_ADMIN_SECRET,
    GRAFANA_SERVICE,
    LOKI_S3_SECRET,
    LOKI_URL,
    RELEASES,
    renderAlloyValues,
    renderKubePrometheusStackValues,
    renderLokiValues,
} from "./values";

/** Arguments of the Observability add-on. */
export interface ObservabilityArgs {
    /** Validated stack configuration (`addons.monitoring`, `addons.loki`, sizing profile). */
    config: PlatformConfig;
    /** Loki's MinIO user (secret), from the MinIO add-on. */
    lokiCredentials: pulumi.Input<S3Credentials>;
    /** Stack name, the `cluster` label on every log stream. */
    stack: string;
    /**
     * What the platform provides (lib/requirements.ts): each release waits for what its values name, the
     * StorageClass of its volumes and, for Loki, MinIO's S3 Service; Alloy and Grafana reach Loki by name and
     * retry, so nothing waits for Loki.
     */
    platform?: Provides<pulumi.Resource>;
}

/**
 * Observability (`platform:addons:Observability`): kube-prometheus-stack with a generated Grafana admin,
 * Loki with chunks in MinIO, Grafana Alloy shipping every pod's logs, and the platform dashboards.
 * Needs the Prometheus Operator CRDs component (which also creates the monitoring namespace) and the nodes its
 * DaemonSets run on in `dependsOn`; the StorageClass and MinIO come through `platform`, per release.
 */
export class Observability extends pulumi.ComponentResource {
    /** Grafana admin credentials (secret). */
    readonly grafanaAdmin: pulumi.Output<{ username: string; password: string }>;
    /** How to reach Grafana over the tailnet. */
    readonly grafanaAccess: pulumi.Output<string>;
    /** Loki's URL inside the cluster. */
    readonly lokiUrl: pulumi.Output<string>;

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:addons:Observability", name, {}, opts);
        const { config } = args;
        const labels = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "platform" };
        const needs = new Needs(`Observability ${name}`, args.platform);
        const stackValues = renderKubePrometheusStackValues(config);
        const lokiValues = renderLokiValues(config);
        // Created beside their providers: MinIO's Service is a readiness need of Loki (it restarts until MinIO answers).
        const stackNeeds = needs.of(creationNeeds(releaseRequirements(stackValues, [NAMESPACES.monitoring]), "Release"), `Release/${RELEASES.stack}`);
        const lokiNeeds = needs.of(creationNeeds(releaseRequirements(lokiValues, [NAMESPACES.monitoring]), "Release"), `Release/${RELEASES.loki}`);
        needs.throwIfUnmet();

        const adminPassword = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this, additionalSecretOutputs: ["result"] });
        this.grafanaAdmin = pulumi.secret(adminPassword.result.apply((password) => ({ username: "admin", password })));
        const adminSecret = new k8s.core.v1.Secret(
            `${name}-grafana-admin`,
            {
                metadata: { name: GRAFANA_ADMIN_SECRET.name, namespace: NAMESPACES.monitoring, labels },
                type: "Opaque",
                stringData: pulumi.secret(this.grafanaAdmin.apply((a) => ({ [GRAFANA_ADMIN_SECRET.userKey]: a.username, [GRAFANA_ADMIN_SECRET.passwordKey]: a.password }))),
            },
            { parent: this, additionalSecretOutputs: ["data", "stringData"] },
        );

        const stack = new k8s.helm.v3.Release(
            `${name}-kube-prometheus-stack`,
            releaseArgs("kubePrometheusStack", { name: RELEASES.stack, namespace: NAMESPACES.monitoring, values: stackValues, timeoutSeconds: RELEASE_TIMEOUT_SECONDS.kubePrometheusStack }),
            { parent: this, dependsOn: [adminSecret, ...stackNeeds] },
        );

        const lokiSecret = new k8s.core.v1.Secret(
            `${name}-loki-s3`,
            {
                metadata: { name: LOKI_S3_SECRET.name, namespace: NAMESPACES.monitoring, labels },
                type: "Opaque",
                stringData: pulumi.secret(
                    pulumi.output(args.lokiCredentials).apply((c) => ({ [LOKI_S3_SECRET.accessKeyKey]: c.accessKey, [LOKI_S3_SECRET.secretKeyKey]: c.secretKey })),
                ),
            },
            { parent: this, additionalSecretOutputs: ["data", "stringData"] },
        );
        new k8s.helm.v3.Release(
            `${name}-loki`,
            releaseArgs("loki", { name: RELEASES.loki, namespace: NAMESPACES.monitoring, values: lokiValues, timeoutSeconds: RELEASE_TIMEOUT_SECONDS.loki }),
            { parent: this, dependsOn: [lokiSecret, ...lokiNeeds] },
        );
        // Alloy is ready once its configuration loaded (it does not wait for Loki) and retries its pushes.
        new k8s.helm.v3.Release(
            `${name}-alloy`,
            releaseArgs("alloy", { name: RELEASES.alloy, namespace: NAMESPACES.monitoring, values: renderAlloyValues(config, args.stack) }),
            { parent: this },
        );

        for (const dashboard of renderDashboardConfigMaps()) {
            new k8s.core.v1.ConfigMap(`${name}-${dashboard.metadata!.name}`, { metadata: dashboard.metadata, data: dashboard.data }, { parent: this, dependsOn: [stack] });
        }

        this.grafanaAccess = pulumi.output(`kubectl -n ${NAMESPACES.monitoring} port-forward svc/${GRAFANA_SERVICE} 3000:80  # then http://localhost:3000`);
        this.lokiUrl = pulumi.output(LOKI_URL);
        this.registerOutputs({ grafanaAdmin: this.grafanaAdmin, grafanaAccess: this.grafanaAccess, lokiUrl: this.lokiUrl });
    }
}
