import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { PlatformConfig } from "../../lib/config/schema";
import { MINIO_ENDPOINT, NAMESPACES } from "../../lib/conventions";
import { releaseArgs, RELEASE_TIMEOUT_SECONDS } from "../../charts/versions";
import { renderPlatformNamespace } from "../nodes/placement";
import { creationNeeds, Needs, releaseRequirements, requirement, requirementsOf, type Provides } from "../../lib/requirements";
import { BACKUP_CREDENTIALS_SECRET, backupCredentials } from "../longhorn/values";
import { MINIO_RELEASE, MINIO_ROOT_SECRET, MINIO_USERS_SECRET, minioLayout, platformUsers, renderMinioValues } from "./values";

/** Access and secret key of a MinIO user. */
export interface S3Credentials {
    /** Access key (user name). */
    accessKey: string;
    /** Secret key. */
    secretKey: string;
}

/** Arguments of the MinIO add-on. */
export interface MinioArgs {
    /** Validated stack configuration (storage nodes, volume size, Longhorn backup target). */
    config: PlatformConfig;
    /**
     * What the platform provides (lib/requirements.ts): the release waits for the StorageClass of its volumes
     * (Longhorn's, after its release) and the backup Secret for Longhorn's namespace; nothing else of Longhorn.
     */
    platform?: Provides<pulumi.Resource>;
}

/**
 * MinIO (`platform:addons:Minio`): generated root credentials (Secret `minio-root`), one generated user per
 * platform consumer with a policy limited to its buckets, the chart on Longhorn volumes, and, when Longhorn
 * backs up to this MinIO, Longhorn's backup-target Secret in longhorn-system. The release waits for Longhorn's StorageClass
 * (through `platform`), nothing else of Longhorn.
 */
export class Minio extends pulumi.ComponentResource {
    /** In-cluster S3 endpoint URL. */
    readonly endpoint: pulumi.Output<string>;
    /** Root credentials (secret). */
    readonly rootCredentials: pulumi.Output<S3Credentials>;
    /** Loki's user (secret): read/write on the Loki buckets only. */
    readonly lokiCredentials: pulumi.Output<S3Credentials>;
    /** `standalone` or `distributed`. */
    readonly mode: pulumi.Output<string>;
    /** The S3 Service (`service:minio/minio`, ready with the release: its post-install Job has created the platform buckets) and the namespace. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: MinioArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:addons:Minio", name, {}, opts);
        const { config } = args;
        const ns = renderPlatformNamespace(NAMESPACES.minio, "restricted");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });

        const password = (suffix: string, length: number) =>
            new random.RandomPassword(`${name}-${suffix}`, { length, special: false }, { parent: this, additionalSecretOutputs: ["result"] });
        const secret = (resourceName: string, metadata: { name: string; namespace: string }, data: pulumi.Output<Record<string, string>>) =>
            new k8s.core.v1.Secret(
                resourceName,
                { metadata: { ...metadata, labels: ns.metadata.labels }, type: "Opaque", stringData: pulumi.secret(data) },
                { parent: this, dependsOn: [namespace], additionalSecretOutputs: ["data", "stringData"] },
            );

        const rootUser = password("root-user", 20);
        const rootPassword = password("root-password", 40);
        this.rootCredentials = pulumi.secret(pulumi.all([rootUser.result, rootPassword.result]).apply(([accessKey, secretKey]) => ({ accessKey, secretKey })));
        const rootSecret = secret(
            `${name}-root`,
            { name: MINIO_ROOT_SECRET.name, namespace: NAMESPACES.minio },
            this.rootCredentials.apply((c): Record<string, string> => ({ [MINIO_ROOT_SECRET.userKey]: c.accessKey, [MINIO_ROOT_SECRET.passwordKey]: c.secretKey })),
        );

        const users = platformUsers(config).map((user) => ({ user, key: password(`user-${user.name}`, 40) }));
        const credentialsOf = (userName: string): pulumi.Output<S3Credentials> => {
            const entry = users.find((u) => u.user.name === userName);
            if (!entry) {
                throw new Error(`MinIO user ${userName} is not provisioned on this stack`);
            }
            return pulumi.secret(entry.key.result.apply((secretKey) => ({ accessKey: userName, secretKey })));
        };
        const usersSecret = secret(
            `${name}-users`,
            { name: MINIO_USERS_SECRET, namespace: NAMESPACES.minio },
            pulumi.all(users.map((u) => u.key.result)).apply((keys) => Object.fromEntries(users.map((u, i) => [u.user.name, keys[i]!]))),
        );

        const needs = new Needs(`MinIO ${name}`, args.platform);
        const values = renderMinioValues(config);
        const storage = needs.of(creationNeeds(releaseRequirements(values, [NAMESPACES.minio]), "Release"), `Release/${MINIO_RELEASE}`);
        const backupSecretMetadata = { name: BACKUP_CREDENTIALS_SECRET, namespace: NAMESPACES.longhorn, labels: { "app.kubernetes.io/managed-by": "pulumi" } };
        const backupNamespace = needs.of(requirementsOf({ apiVersion: "v1", kind: "Secret", metadata: backupSecretMetadata }, [NAMESPACES.minio]), `Secret/${BACKUP_CREDENTIALS_SECRET}`);
        needs.throwIfUnmet();

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            releaseArgs("minio", { name: MINIO_RELEASE, namespace: NAMESPACES.minio, values, timeoutSeconds: RELEASE_TIMEOUT_SECONDS.minio }),
            { parent: this, dependsOn: [namespace, rootSecret, usersSecret, ...storage] },
        );

        if (config.addons.longhorn.backupTarget === "minio") {
            // Longhorn (created before MinIO, which lives on its volumes) reads its backup user from here.
            const longhorn = credentialsOf("longhorn");
            new k8s.core.v1.Secret(
                `${name}-longhorn-backup-credentials`,
                {
                    metadata: backupSecretMetadata,
                    type: "Opaque",
                    stringData: pulumi.secret(longhorn.apply((c) => backupCredentials(config, c.accessKey, c.secretKey))),
                },
                { parent: this, dependsOn: [release, ...backupNamespace], additionalSecretOutputs: ["data", "stringData"] },
            );
        }

        this.provides = { [requirement.service(NAMESPACES.minio, MINIO_RELEASE)]: [release], [requirement.namespace(NAMESPACES.minio)]: [namespace] };
        this.lokiCredentials = credentialsOf("loki");
        this.endpoint = pulumi.output(`http://${MINIO_ENDPOINT.host}:${MINIO_ENDPOINT.port}`);
        this.mode = pulumi.output(minioLayout(config).mode);
        this.registerOutputs({ endpoint: this.endpoint, rootCredentials: this.rootCredentials, lokiCredentials: this.lokiCredentials, mode: this.mode });
    }
}
