import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { PlatformConfig } from "../../lib/config/schema";
import type { ProjectSpec } from "../../lib/tenants/schema";
import { projectContext } from "../project/common";
import { renderBackupCredentialsSecret } from "../project/postgresql";
import { needsBackupCredentials } from "../project/render";

/** Arguments of {@link DatabaseBackupCredentials}. */
export interface DatabaseBackupCredentialsArgs {
    /** The validated stack configuration (`platform:backup.s3` decides whether any Secret is written). */
    config: PlatformConfig;
    /** The region's validated catalog: every project with a PostgreSQL database or a MongoDB gets the Secret in its namespace. */
    projects: readonly ProjectSpec[];
    /** Keys of the off-cluster backup bucket (`platform:backupS3AccessKey` / `platform:backupS3SecretKey`). */
    keys?: { accessKey: pulumi.Input<string>; secretKey: pulumi.Input<string> };
}

/** The backup Secrets of a catalog (one per project namespace with a PostgreSQL database or a MongoDB), with the given keys. */
export function renderBackupCredentialSecrets(config: PlatformConfig, projects: readonly ProjectSpec[], keys: { accessKey: string; secretKey: string }): ISecret[] {
    return projects
        .map((project) => projectContext(project, config))
        .filter(needsBackupCredentials)
        .map((ctx) => renderBackupCredentialsSecret(ctx, keys));
}

/**
 * The off-cluster backup bucket's keys in each PostgreSQL or MongoDB project's namespace (`platform:databases:BackupCredentials`;
 * the Percona operator reads them through the API and configures its backup agents itself, so no MongoDB pod mounts them),
 * written by the platform stack, never by a tenant stack: the keys reach every project's archive, so they stay out
 * of the platform contract and out of tenant state (the tenant's Cluster only names the Secret). Tenant pods cannot
 * read the Secret: the guardrails' pod policy admits a reference to it only from the CloudNativePG operator.
 * The tenant namespace must exist: the platform stack creates it too (ProjectGrants), and the composition root
 * makes this component wait for it.
 */
export class DatabaseBackupCredentials extends pulumi.ComponentResource {
    /** Namespaces that received the Secret. */
    readonly namespaces: string[];

    constructor(name: string, args: DatabaseBackupCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:databases:BackupCredentials", name, {}, opts);
        // A project whose tenant stack has not run has no namespace yet: the driver's second platform run writes it.
        const contexts = args.projects.map((project) => projectContext(project, args.config)).filter(needsBackupCredentials);
        if (contexts.length > 0 && !args.keys) {
            throw new Error("platform:backup.s3 is set and a project has a PostgreSQL database or a MongoDB, but platform:backupS3AccessKey / platform:backupS3SecretKey are missing");
        }
        this.namespaces = contexts.map((ctx) => ctx.namespace);
        for (const ctx of contexts) {
            const shape = renderBackupCredentialsSecret(ctx, { accessKey: "", secretKey: "" });
            const keys = pulumi.all([args.keys!.accessKey, args.keys!.secretKey]);
            new k8s.core.v1.Secret(
                `${name}-${ctx.namespace}`,
                {
                    metadata: shape.metadata as k8s.types.input.meta.v1.ObjectMeta,
                    type: shape.type,
                    stringData: pulumi.secret(keys.apply(([accessKey, secretKey]) => renderBackupCredentialsSecret(ctx, { accessKey, secretKey }).stringData ?? {})),
                },
                { parent: this, additionalSecretOutputs: ["stringData", "data"] },
            );
        }
        this.registerOutputs({ namespaces: this.namespaces });
    }
}

