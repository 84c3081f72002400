import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { PlatformConfig } from "../../lib/config/schema";
import { NAMESPACES } from "../../lib/conventions";
import { releaseArgs, RELEASE_TIMEOUT_SECONDS } from "../../charts/versions";
import type { S3Credentials } from "../minio/minio";
import { renderDashboardConfigMaps } from "./dashboards";
import {
    GRAFANA_ORGS_TIMEOUT,
    GRAFANA_VIEWER_SECRETS,
    grafanaOrgsState,
    renderGrafanaOrgsConfigMap,
    renderGrafanaOrgsJob,
    viewerPasswordsDigest,
    viewerSecretKey,
    type ProjectView,
} from "./grafana-orgs";
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
     * The catalog's projects with their contacts (the tenant files' `owner`): each is a Loki tenant, a Grafana
     * organisation with its Loki datasource, and its contact a Viewer of it (components/observability/grafana-orgs.ts).
     */
    projects: readonly ProjectView[];
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
    /** Per project: the Grafana organisation its contact views, the contact's login and password (secret). */
    readonly projectViewers: pulumi.Output<Record<string, { organisation: string; login: string; password: string }>>;
    /**
     * The releases (kube-prometheus-stack, Loki, Alloy): what "observability is installed" means to what must wait
     * for it. The per-project Grafana Job is not among them: it only calls Grafana's API, idempotently, and holds
     * nothing else back.
     */
    readonly releases: pulumi.Resource[];

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:addons:Observability", name, {}, opts);
        const { config } = args;
        const labels = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "platform" };
        const needs = new Needs(`Observability ${name}`, args.platform);
        const projectIds = args.projects.map((p) => p.id);
        const stackValues = renderKubePrometheusStackValues(config, projectIds);
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
        const loki = new k8s.helm.v3.Release(
            `${name}-loki`,
            releaseArgs("loki", { name: RELEASES.loki, namespace: NAMESPACES.monitoring, values: lokiValues, timeoutSeconds: RELEASE_TIMEOUT_SECONDS.loki }),
            { parent: this, dependsOn: [lokiSecret, ...lokiNeeds] },
        );
        // Alloy is ready once its configuration loaded (it does not wait for Loki) and retries its pushes.
        const alloy = new k8s.helm.v3.Release(
            `${name}-alloy`,
            releaseArgs("alloy", { name: RELEASES.alloy, namespace: NAMESPACES.monitoring, values: renderAlloyValues(config, args.stack, projectIds) }),
            { parent: this },
        );
        this.releases = [stack, loki, alloy];

        for (const dashboard of renderDashboardConfigMaps()) {
            new k8s.core.v1.ConfigMap(`${name}-${dashboard.metadata!.name}`, { metadata: dashboard.metadata, data: dashboard.data }, { parent: this, dependsOn: [stack] });
        }

        // The per-project views: a generated password per contact, the state and the Job that applies it.
        const orgsState = grafanaOrgsState(args.projects);
        const passwords: Record<string, pulumi.Output<string>> = {};
        for (const viewer of orgsState.viewers) {
            const key = viewerSecretKey(viewer.email);
            passwords[key] = new random.RandomPassword(`${name}-grafana-${key}`, { length: 24, special: false }, { parent: this, additionalSecretOutputs: ["result"] }).result;
        }
        const passwordMap = pulumi.all(passwords);
        const viewerSecret = new k8s.core.v1.Secret(
            `${name}-grafana-viewers`,
            { metadata: { name: GRAFANA_VIEWER_SECRETS, namespace: NAMESPACES.monitoring, labels }, type: "Opaque", stringData: pulumi.secret(passwordMap) },
            { parent: this, additionalSecretOutputs: ["data", "stringData"] },
        );
        const orgsConfigMap = renderGrafanaOrgsConfigMap(orgsState);
        const orgsConfig = new k8s.core.v1.ConfigMap(`${name}-grafana-orgs`, { metadata: orgsConfigMap.metadata, data: orgsConfigMap.data }, { parent: this });
        const orgsJob = renderGrafanaOrgsJob(orgsState, "");
        new k8s.batch.v1.Job(
            `${name}-grafana-orgs`,
            {
                ...(orgsJob as k8s.batch.v1.JobArgs),
                // The digest (a truncated SHA-256) reveals nothing of the passwords: the Job's name stays readable.
                metadata: pulumi.unsecret(passwordMap.apply(viewerPasswordsDigest)).apply((digest) => renderGrafanaOrgsJob(orgsState, digest).metadata as k8s.types.input.meta.v1.ObjectMeta),
            },
            // A new state is a new Job (its name): the old one is deleted after it, never patched. Beside the release, not
            // after it: the script waits for Grafana until the Job's deadline, which covers the release's Helm timeout
            // (a readiness wait, lib/requirements.ts WAITS_FOR_SERVICES_ANNOTATION), so no tenant waits for it either.
            { parent: this, dependsOn: [adminSecret, viewerSecret, orgsConfig], customTimeouts: { create: GRAFANA_ORGS_TIMEOUT, update: GRAFANA_ORGS_TIMEOUT } },
        );
        this.projectViewers = pulumi.secret(
            passwordMap.apply((p) =>
                Object.fromEntries(
                    args.projects.map((project) => {
                        const login = project.contact.email.toLowerCase();
                        return [project.id, { organisation: project.id, login, password: p[viewerSecretKey(login)]! }];
                    }),
                ),
            ),
        );

        this.grafanaAccess = pulumi.output(`kubectl -n ${NAMESPACES.monitoring} port-forward svc/${GRAFANA_SERVICE} 3000:80  # then http://localhost:3000`);
        this.lokiUrl = pulumi.output(LOKI_URL);
        this.registerOutputs({ grafanaAdmin: this.grafanaAdmin, grafanaAccess: this.grafanaAccess, lokiUrl: this.lokiUrl, projectViewers: this.projectViewers });
    }
}
