import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { PlatformConfig } from "../../lib/config/schema";
import { NAMESPACES, PLATFORM_REGISTRY } from "../../lib/conventions";
import { RELEASE_TIMEOUT_SECONDS, releaseArgs } from "../../charts/versions";
import { Needs, releaseRequirements, requirement, type Provides } from "../../lib/requirements";
import { renderPlatformNamespace } from "../nodes/placement";
import { CONFIGURATOR_TIMEOUT, ROBOT_SECRETS, registryState, renderConfiguratorConfigMap, renderConfiguratorJob, robotSecretKey, robotSecretsDigest, shardRobotKeys, shardStates } from "./configurator";
import { renderCorednsCustom } from "./node-registries";
import { renderRegistryNetworkPolicies } from "./network-policies";
import { HARBOR_RELEASE, HARBOR_SECRETS, REGISTRY_BACKEND_USER, renderHarborValues } from "./values";

/** Arguments of {@link Registry}. */
export interface RegistryArgs {
    /** Validated stack configuration (`platform:addons.registry`, the service CIDR). */
    config: PlatformConfig;
    /** Ids of the region's tenant projects: each gets a Harbor project, a pull and a push robot. */
    projects: readonly string[];
    /** What the platform provides (lib/requirements.ts): the Longhorn StorageClass of Harbor's volumes. */
    platform?: Provides<pulumi.Resource>;
}

/**
 * The platform's OCI registry (`platform:registry:Harbor`): Harbor (pinned chart) on Longhorn volumes behind a
 * fixed ClusterIP, a private Harbor project per tenant project with a pull robot (its pods) and a push robot (its
 * builds), tag retention, scan on push (Trivy) and scheduled garbage collection, applied by the configurator Job;
 * the CoreDNS override that names it for pods. The robots' secrets are generated here: each project's pull Secret
 * is written into its namespace by its ProjectGrants ({@link pullPasswords}: the namespace is created there), the
 * push Secrets go to the builds namespace ({@link pushPasswords}).
 * Pass the Prometheus Operator CRDs (its ServiceMonitors) as `opts.dependsOn`.
 */
export class Registry extends pulumi.ComponentResource {
    /** Host name of the registry (images are `<host>/<project>/<service>:<commit>`). */
    readonly host: pulumi.Output<string>;
    /** Push robot secrets by project id (secret), for the builds namespace. */
    readonly pushPasswords: Readonly<Record<string, pulumi.Output<string>>>;
    /** Pull robot secrets by project id (secret): ProjectGrants writes each into its project's namespace. */
    readonly pullPasswords: Readonly<Record<string, pulumi.Output<string>>>;
    /** Harbor's Helm release (its pods on the nodes, without the configurator's API calls). */
    readonly release: pulumi.Resource;
    /** What it provides: the registry Service, once the configurator applied every project and robot. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        const { config } = args;
        // The requirements (volumes) do not depend on the password; the release gets the real one.
        const values = renderHarborValues(config, "");
        const shards = shardStates(registryState(config, args.projects));
        const needs = new Needs(`registry ${name}`, args.platform);
        const storage = needs.of(releaseRequirements(values, [NAMESPACES.registry]), `Release/${HARBOR_RELEASE}`);
        needs.throwIfUnmet();
        super("platform:registry:Harbor", name, {}, opts);

        // Harbor's own images run non-root, but its database and Redis images set no seccomp profile: baseline.
        const ns = renderPlatformNamespace(NAMESPACES.registry, "baseline");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });
        const password = (suffix: string, length: number) =>
            new random.RandomPassword(
                `${name}-${suffix}`,
                // Harbor refuses robot secrets without an upper-case letter, a lower-case letter and a digit.
                { length, special: false, minUpper: 2, minLower: 2, minNumeric: 2 },
                { parent: this, additionalSecretOutputs: ["result", "bcryptHash"] },
            );
        const secret = (resourceName: string, secretName: string, namespaceName: string, data: pulumi.Input<Record<string, string>>, type = "Opaque", dependsOn: pulumi.Resource[] = [namespace]) =>
            new k8s.core.v1.Secret(
                resourceName,
                { metadata: { name: secretName, namespace: namespaceName, labels: ns.metadata.labels }, type, stringData: pulumi.secret(data) },
                { parent: this, dependsOn, additionalSecretOutputs: ["data", "stringData"] },
            );

        const admin = password("admin-password", 32);
        const secretKey = password("secret-key", 16);
        const adminSecret = secret(`${name}-admin`, HARBOR_SECRETS.admin.name, NAMESPACES.registry, admin.result.apply((p) => ({ [HARBOR_SECRETS.admin.key]: p })));
        const keySecret = secret(`${name}-secret-key`, HARBOR_SECRETS.secretKey.name, NAMESPACES.registry, secretKey.result.apply((k) => ({ [HARBOR_SECRETS.secretKey.key]: k })));
        // Harbor's internal credentials, generated instead of the chart's published defaults. The database password
        // is set when PostgreSQL initialises its volume: replacing it later needs an ALTER USER (README).
        const backend = password("registry-backend-password", 32);
        const database = password("database-password", 32);
        const credentials = HARBOR_SECRETS.registryCredentials;
        const backendSecret = secret(
            `${name}-registry-credentials`,
            credentials.name,
            NAMESPACES.registry,
            pulumi.all([backend.result, backend.bcryptHash]).apply(([p, hash]) => ({ [credentials.passwordKey]: p, [credentials.htpasswdKey]: `${REGISTRY_BACKEND_USER}:${hash}` })),
        );
        const networkPolicies = renderRegistryNetworkPolicies().map(
            (p) => new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${p.metadata!.name}`, { metadata: p.metadata as k8s.types.input.meta.v1.ObjectMeta, spec: p.spec as k8s.types.input.networking.v1.NetworkPolicySpec }, { parent: this, dependsOn: [namespace] }),
        );

        const robots = args.projects.map((id) => ({ id, pull: password(`${id}-pull-robot`, 32), push: password(`${id}-push-robot`, 32) }));
        const robotSecret = secret(
            `${name}-robot-secrets`,
            ROBOT_SECRETS,
            NAMESPACES.registry,
            pulumi
                .all(robots.map((r) => pulumi.all([r.pull.result, r.push.result])))
                .apply((pairs) =>
                    Object.fromEntries(robots.flatMap((r, i) => [[robotSecretKey(r.id, PLATFORM_REGISTRY.pullRobot), pairs[i]![0]], [robotSecretKey(r.id, PLATFORM_REGISTRY.pushRobot), pairs[i]![1]]])),
                ),
        );

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            releaseArgs("harbor", {
                name: HARBOR_RELEASE,
                namespace: NAMESPACES.registry,
                values: renderHarborValues(config, pulumi.secret(database.result)),
                timeoutSeconds: RELEASE_TIMEOUT_SECONDS.harbor,
            }),
            { parent: this, dependsOn: [namespace, adminSecret, keySecret, backendSecret, ...networkPolicies, ...storage] },
        );
        // The resource keeps its first name: a rename would create and then delete the same coredns-custom object.
        const corednsCustom = renderCorednsCustom(config.cluster.serviceCidr);
        new k8s.core.v1.ConfigMap(`${name}-coredns-override`, { metadata: corednsCustom.metadata, data: corednsCustom.data }, { parent: this });
        const robotSecretByKey: Record<string, pulumi.Output<string>> = Object.fromEntries(
            robots.flatMap((r) => [[robotSecretKey(r.id, PLATFORM_REGISTRY.pullRobot), r.pull.result], [robotSecretKey(r.id, PLATFORM_REGISTRY.pushRobot), r.push.result]]),
        );
        const configurators = shards.map((shard) => {
            const configMap = renderConfiguratorConfigMap(shard);
            const configuratorConfig = new k8s.core.v1.ConfigMap(`${name}-configurator-${shard.shard}`, { metadata: configMap.metadata, data: configMap.data }, { parent: this, dependsOn: [namespace] });
            const keys = shardRobotKeys(shard.state);
            // The digest is not secret (a truncated hash of random secrets); the Job's name must show in diffs.
            const digest = pulumi.unsecret(pulumi.all(keys.map((key) => robotSecretByKey[key]!)).apply((values) => robotSecretsDigest(Object.fromEntries(keys.map((key, i) => [key, values[i]!])))));
            const job = renderConfiguratorJob(shard, "");
            return new k8s.batch.v1.Job(
                `${name}-configurator-${shard.shard}`,
                { ...(job as k8s.batch.v1.JobArgs), metadata: digest.apply((d) => renderConfiguratorJob(shard, d).metadata as k8s.types.input.meta.v1.ObjectMeta) },
                // Beside the release, not after it: the script waits for Harbor until the Job's deadline, which covers
                // Harbor's Helm timeout (a readiness wait, lib/requirements.ts WAITS_FOR_SERVICES_ANNOTATION).
                { parent: this, dependsOn: [robotSecret, configuratorConfig, ...networkPolicies], deleteBeforeReplace: true, customTimeouts: { create: CONFIGURATOR_TIMEOUT, update: CONFIGURATOR_TIMEOUT } },
            );
        });

        this.release = release;
        this.host = pulumi.output(PLATFORM_REGISTRY.host);
        this.pushPasswords = Object.fromEntries(robots.map((r) => [r.id, r.push.result]));
        this.pullPasswords = Object.fromEntries(robots.map((r) => [r.id, r.pull.result]));
        this.provides = { [requirement.service(NAMESPACES.registry, PLATFORM_REGISTRY.service)]: configurators };
        this.registerOutputs({ host: this.host });
    }
}
