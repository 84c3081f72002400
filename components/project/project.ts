import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { PlatformConfig } from "../../lib/config/schema";
import type { ProjectSpec } from "../../lib/tenants/schema";
import { flattenProject, renderProject, type TenantObject } from "./render";
import { renderAppSecret } from "./namespace";
import { withImageDigest } from "../builds/digest";
import { databaseEndpoint, renderDatabaseSecret, type DatabaseCredentials } from "./database";
import { bucketName } from "./storage";
import { renderMongoDbSecret } from "./mongodb";
import { TENANT_PROJECT_TYPE } from "../../lib/conventions";
import { Needs, requirementsOf, type Provides } from "../../lib/requirements";
import { isPlatformObject } from "./deployer";
import { isRolloutManagedService, ROLLOUT_MANAGED_SERVICE_FIELDS } from "./rollout";

/**
 * Pulumi name of a child object of a project. A child's URN carries its parent's type but not the parent's
 * name, so these names must be unique across every project of the stack (checked by components/project/urns.ts).
 */
export function childResourceName(projectName: string, projectNamespace: string, object: TenantObject): string {
    const namespace = object.metadata?.namespace;
    const where = namespace && namespace !== projectNamespace ? `${namespace}-` : "";
    return `${projectName}-${object.kind.toLowerCase()}-${where}${object.metadata?.name ?? ""}`;
}

/** Name suffixes of the generated passwords of a project (`<project>-<suffix>`). */
export const PASSWORD_SUFFIXES = ["database-password", "database-root-password", "bucket-access-key", "bucket-secret-key", "mongodb-password", "redis-operator-password", "redis-app-password", "redis-exporter-password"] as const;

/** Arguments of one tenant project. */
export interface ProjectArgs {
    /** The validated tenant file (`stacks/<stack>/projects/<name>.yaml`). */
    project: ProjectSpec;
    /** The validated stack configuration (domain, cluster version, pools, cert-manager mode). */
    config: PlatformConfig;
    /** The project's secret values, its tenant stack's `tenant:secrets` (NAME → value); stored as a Secret. */
    secretValues: pulumi.Input<Record<string, string>>;
    /**
     * Traefik middlewares chained on every public router (`<namespace>-<name>@kubernetescrd`), e.g. the
     * add-ons' HTTPS redirect and security headers. Pass only middlewares that exist.
     */
    ingressMiddlewares?: readonly string[];
    /**
     * What the platform provides (lib/requirements.ts). Each child object waits for exactly the providers of
     * what it needs: the namespace for the admission policies of tenants (and of untrusted tenants), pods for
     * their pool's nodes, StorageClass and RuntimeClass, custom resources for the release installing their
     * CRDs, objects in platform namespaces (bucket Job, Argo CD) for those and the services they call. Without
     * it (the platform already exists, as in a tenant stack) children wait for nothing outside the project.
     */
    platform?: Provides<pulumi.Resource>;
    /**
     * Digest of each built service's image, by service name: the platform stack's ProjectGrants read it back
     * after the build and hand it over in this project's contract entry (lib/stacks/contract.ts ProjectAccess).
     * A built service without one keeps the offline placeholder digest, annotated as such.
     */
    imageDigests?: Readonly<Record<string, string>>;
}

/** Database credentials of a project (a secret output). */
export interface DatabaseCredentialsOutput {
    /** Host name inside the cluster. */
    host: string;
    /** TCP port. */
    port: number;
    /** Database name. */
    database: string;
    /** User name. */
    username: string;
    /** Password. */
    password: string;
}

/**
 * One tenant app, provisioned in one transaction: namespace (PSA restricted), quota, limits, network
 * isolation, token-less service account, secrets, optional database and bucket, the services with their
 * Ingress/TLS, autoscaling, disruption budgets and scrape configs, and an optional Argo CD git source.
 * Guardrails are applied before any pod; services start after their database is ready.
 */
export class Project extends pulumi.ComponentResource {
    /** Namespace of the project. */
    readonly namespace: pulumi.Output<string>;
    /** Public URLs (`https://<service>.<project>.<domain>/` and custom domains). */
    readonly urls: pulumi.Output<string[]>;
    /** MinIO bucket name, when the project has a bucket. */
    readonly bucket: pulumi.Output<string | undefined>;
    /** `host:port` of the database inside the cluster, when the project has one. */
    readonly databaseEndpoint: pulumi.Output<string | undefined>;
    /** Database credentials (secret), when the project has a database. */
    readonly databaseCredentials: pulumi.Output<DatabaseCredentialsOutput | undefined>;

    constructor(name: string, args: ProjectArgs, opts?: pulumi.ComponentResourceOptions) {
        const { project, config } = args;
        const rendered = renderProject(project, config, { middlewares: args.ingressMiddlewares });
        const ctx = rendered.context;
        // The platform stack's part (namespace, grants, bucket, Argo CD, final backup) is ProjectGrants': a
        // tenant stack registers only objects its deployer Role allows (components/project/deployer.ts).
        const own = (object: TenantObject) => !isPlatformObject(ctx, object);
        // What each object needs from the platform, resolved before anything is registered: an unmet need
        // (an add-on this stack does not install) stops the program with every such need listed.
        const needs = new Needs(`project ${project.name}`, args.platform);
        const needsOf = new Map<object, pulumi.Resource[]>();
        const resolve = (object: TenantObject | ISecret) =>
            needsOf.set(object, needs.of(requirementsOf(object, [ctx.namespace]), `${object.kind}/${object.metadata?.name}`));
        for (const object of flattenProject(rendered).filter(own)) {
            resolve(object);
        }
        needs.throwIfUnmet();
        super(TENANT_PROJECT_TYPE, name, {}, opts);
        // Every child also gets the component's own dependsOn (a project's explicit extra ordering).
        const external = [...toList(opts?.dependsOn)];
        const platformNeeds = (object: TenantObject | ISecret) => [...external, ...(needsOf.get(object) ?? [])];

        const resourceName = (object: TenantObject) => childResourceName(name, ctx.namespace, object);
        const create = (object: TenantObject, dependsOn: pulumi.Resource[], extra: pulumi.CustomResourceOptions = {}) =>
            createObject(resourceName(object), object, { parent: this, dependsOn: [...dependsOn, ...platformNeeds(object)], ...extra });
        // Tenant data survives a removed file: its holders stay in the cluster when Pulumi deletes them, until the
        // project's decommission is deployed (then removing the file deletes them; the change plan allows it).
        const keepData: pulumi.CustomResourceOptions = { retainOnDelete: !project.decommission };

        const secret = (shape: ISecret, stringData: pulumi.Input<Record<string, string>>, dependsOn: pulumi.Resource[]) =>
            new k8s.core.v1.Secret(
                resourceName(shape),
                { metadata: shape.metadata, type: shape.type, stringData: pulumi.secret(stringData) },
                { parent: this, dependsOn: [...dependsOn, ...platformNeeds(shape)], additionalSecretOutputs: ["data", "stringData"] },
            );
        const password = (suffix: (typeof PASSWORD_SUFFIXES)[number], length: number) =>
            new random.RandomPassword(`${name}-${suffix}`, { length, special: false }, { parent: this, additionalSecretOutputs: ["result"] });

        const secrets: pulumi.Resource[] = [
            secret(
                renderAppSecret(ctx, {}),
                pulumi.output(args.secretValues).apply((values) => renderAppSecret(ctx, values).stringData ?? {}),
                [],
            ),
        ];

        // What a consumer of each data service waits for (its workloads and, for a database with one, its Service);
        // a service waits only for the data services in its `uses`, a Job for all of them.
        const readyByUse: Record<DataServiceUse, pulumi.Resource[]> = { database: [], mongodb: [], redis: [] };
        let credentials: pulumi.Output<DatabaseCredentials> | undefined;
        if (rendered.database) {
            const databasePassword = password("database-password", 32);
            const rootPassword = password("database-root-password", 32);
            credentials = pulumi.all([databasePassword.result, rootPassword.result]).apply(([pw, root]) => ({ password: pw, rootPassword: root }));
            const shape = renderDatabaseSecret(ctx, { password: "", rootPassword: "" });
            const databaseSecret = secret(
                shape,
                credentials.apply((c) => renderDatabaseSecret(ctx, c).stringData ?? {}),
                [],
            );
            secrets.push(databaseSecret);
            // The backup bucket's Secret (BACKUP_S3_SECRET) is the platform stack's: components/databases/backup-credentials.ts;
            // the database's NetworkPolicies are ProjectGrants'.
            // Never make a workload wait on its Service: Pulumi awaits a Service's endpoints, i.e. ready pods.
            const companions = rendered.database.companions.filter(own);
            const created = companions.map((object) => create(object, []));
            let previous: pulumi.Resource[] = [databaseSecret];
            for (const object of rendered.database.workloads) {
                // The data outlives the Pulumi resource: a removed or replaced (new generation) database is
                // left running until an operator deletes it after checking the new one (README: restores).
                const workload = createObject(resourceName(object), object, { parent: this, dependsOn: [...previous, ...platformNeeds(object)], retainOnDelete: true });
                previous = [workload];
                // A backup schedule serves no client: nothing waits for it.
                if (!BACKUP_SCHEDULE_KINDS.has(object.kind)) {
                    readyByUse.database.push(workload);
                }
            }
            readyByUse.database.push(...created.filter((_, i) => companions[i]!.kind === "Service"));
        }

        if (rendered.mongodb) {
            const appPassword = password("mongodb-password", 32);
            const shape = renderMongoDbSecret(ctx, { password: "" });
            const mongoSecret = secret(
                shape,
                appPassword.result.apply((pw) => renderMongoDbSecret(ctx, { password: pw }).stringData ?? {}),
                [],
            );
            secrets.push(mongoSecret);
            // The replica set's NetworkPolicies are ProjectGrants' (platform stack), like the database's.
            rendered.mongodb.companions.filter(own).forEach((object) => create(object, []));
            let previous: pulumi.Resource[] = [mongoSecret];
            for (const object of rendered.mongodb.workloads) {
                // Like the PostgreSQL Cluster: a removed or replaced (new generation) replica set keeps running and
                // keeps its volumes until an operator deletes it after checking the new one.
                const created = createObject(resourceName(object), object, { parent: this, dependsOn: [...previous, ...platformNeeds(object)], retainOnDelete: true });
                previous = [created];
                readyByUse.mongodb.push(created);
            }
        }

        if (rendered.redis) {
            // Both Redis Secrets (the operator's `default` password with the ACL file, the app user's) are the grants
            // stack's (components/project/grants.ts), which runs before this stack: the ACL is not the tenant's to write.
            // The NetworkPolicies are ProjectGrants' too; a restore's claims come before the group that adopts them.
            const claims = rendered.redis.companions.filter(own).map((object) => create(object, [], object.kind === "PersistentVolumeClaim" ? keepData : {}));
            for (const object of rendered.redis.workloads) {
                // Like the other data services: a removed or replaced (new generation) group keeps running and keeps
                // its claims until an operator deletes it after checking the new one.
                readyByUse.redis.push(createObject(resourceName(object), object, { parent: this, dependsOn: [...claims, ...platformNeeds(object)], retainOnDelete: true }));
            }
        }

        const configMaps = rendered.configMaps.map((object) => create(object, []));
        for (const service of rendered.services) {
            const before = [...secrets, ...configMaps, ...usedDataServices(service.spec.uses, readyByUse)];
            service.services.forEach((object) => create(object, before, isRolloutManagedService(service.spec, object) ? { ignoreChanges: [...ROLLOUT_MANAGED_SERVICE_FIELDS] } : {}));
            // A built service runs the digest its build pushed, which the platform stack's ProjectGrants read back
            // and this stack's contract entry carries; without one (the offline plan, where no build ran) the
            // workload keeps the placeholder, annotated as such.
            const workloadObject = service.build ? withImageDigest(service.workload, service.spec.name, args.imageDigests?.[service.spec.name]) : service.workload;
            const claims = service.claims.map((claim) => create(claim, [], keepData));
            // The claims exist before the StatefulSet and carry the size; its template's size matters only at creation.
            const workload = createObject(resourceName(service.workload), workloadObject, {
                parent: this,
                dependsOn: [...before, ...claims, ...platformNeeds(service.workload)],
                ...(claims.length > 0 ? { ...keepData, ignoreChanges: ["spec.volumeClaimTemplates[*].spec.resources"] } : {}),
            });
            for (const extra of service.extras) {
                create(extra, [...before, workload]);
            }
        }
        for (const job of rendered.jobs) {
            // A Job's pod template is immutable: a change means a new Job.
            createObject(resourceName(job), job, { parent: this, dependsOn: [...secrets, ...configMaps, ...usedDataServices(DATA_SERVICE_USES, readyByUse), ...platformNeeds(job)], deleteBeforeReplace: job.kind === "Job" });
        }

        this.namespace = pulumi.output(ctx.namespace);
        this.urls = pulumi.output(rendered.urls);
        this.bucket = pulumi.output(project.bucket ? bucketName(ctx) : undefined);
        const endpoint = project.database ? databaseEndpoint(ctx) : undefined;
        this.databaseEndpoint = pulumi.output(endpoint ? `${endpoint.host}:${endpoint.port}` : undefined);
        this.databaseCredentials = pulumi.secret(
            credentials && endpoint
                ? credentials.apply((c): DatabaseCredentialsOutput => ({ host: endpoint.host, port: endpoint.port, database: endpoint.name, username: endpoint.user, password: c.password }))
                : pulumi.output(undefined),
        );
        this.registerOutputs({
            namespace: this.namespace,
            urls: this.urls,
            bucket: this.bucket,
            databaseEndpoint: this.databaseEndpoint,
            databaseCredentials: this.databaseCredentials,
        });
    }
}

/** The `uses` entries that name a data service the project runs (a bucket is the platform's MinIO, not the project's). */
type DataServiceUse = "database" | "mongodb" | "redis";
const DATA_SERVICE_USES: readonly DataServiceUse[] = ["database", "mongodb", "redis"];
/** Kinds of a data service's objects that only schedule its backups: no client needs them to run. */
const BACKUP_SCHEDULE_KINDS: ReadonlySet<string> = new Set(["ScheduledBackup"]);

/** What a consumer with these `uses` waits for: the ready objects of each data service it names. */
export function usedDataServices<T>(uses: readonly string[], readyByUse: Readonly<Record<DataServiceUse, readonly T[]>>): T[] {
    return DATA_SERVICE_USES.filter((use) => uses.includes(use)).flatMap((use) => [...readyByUse[use]]);
}

/** A `dependsOn` option as a list (it may be one resource, a list, or an input of either). */
function toList(dependsOn: pulumi.ResourceOptions["dependsOn"]): pulumi.Resource[] {
    if (dependsOn === undefined) {
        return [];
    }
    if (pulumi.Resource.isInstance(dependsOn)) {
        return [dependsOn];
    }
    if (Array.isArray(dependsOn) && dependsOn.every((d) => pulumi.Resource.isInstance(d))) {
        return dependsOn as pulumi.Resource[];
    }
    throw new Error("Project: opts.dependsOn must be resources, not outputs");
}

/**
 * kubernetes-models types quantities as `string | number` and some required fields as optional, where
 * Pulumi's input types are narrower; the renderers emit API-valid objects (the tests validate every one
 * against the OpenAPI schemas), so their fields pass through unchanged.
 */
function fields<T>(value: unknown): T {
    return value as T;
}

/** Registers a rendered object as the matching `@pulumi/kubernetes` resource, passing its fields through. */
export function createObject(name: string, object: TenantObject, opts: pulumi.CustomResourceOptions): pulumi.CustomResource & { metadata: pulumi.Output<k8s.types.output.meta.v1.ObjectMeta> } {
    const metadata = fields<k8s.types.input.meta.v1.ObjectMeta>(object.metadata);
    switch (object.kind) {
        case "Namespace":
            return new k8s.core.v1.Namespace(name, { metadata, spec: fields<k8s.types.input.core.v1.NamespaceSpec>(object.spec) }, opts);
        case "ResourceQuota":
            return new k8s.core.v1.ResourceQuota(name, { metadata, spec: fields<k8s.types.input.core.v1.ResourceQuotaSpec>(object.spec) }, opts);
        case "LimitRange":
            return new k8s.core.v1.LimitRange(name, { metadata, spec: fields<k8s.types.input.core.v1.LimitRangeSpec>(object.spec) }, opts);
        case "NetworkPolicy":
            return new k8s.networking.v1.NetworkPolicy(name, { metadata, spec: fields<k8s.types.input.networking.v1.NetworkPolicySpec>(object.spec) }, opts);
        case "ServiceAccount":
            return new k8s.core.v1.ServiceAccount(name, { metadata, automountServiceAccountToken: object.automountServiceAccountToken }, opts);
        case "Secret":
            return new k8s.core.v1.Secret(name, { metadata, type: object.type, stringData: pulumi.secret(object.stringData ?? {}) }, { ...opts, additionalSecretOutputs: ["data", "stringData"] });
        case "PersistentVolumeClaim":
            return new k8s.core.v1.PersistentVolumeClaim(name, { metadata, spec: fields<k8s.types.input.core.v1.PersistentVolumeClaimSpec>(object.spec) }, opts);
        case "Service":
            return new k8s.core.v1.Service(name, { metadata, spec: fields<k8s.types.input.core.v1.ServiceSpec>(object.spec) }, opts);
        case "Deployment":
            return new k8s.apps.v1.Deployment(name, { metadata, spec: fields<k8s.types.input.apps.v1.DeploymentSpec>(object.spec) }, opts);
        case "Rollout":
            // No await: the release continues in the cluster (analysis, promotion); `kubectl argo rollouts status` follows it.
            return new k8s.apiextensions.CustomResource(name, { apiVersion: object.apiVersion, kind: object.kind, metadata, spec: object.spec }, opts);
        case "StatefulSet":
            return new k8s.apps.v1.StatefulSet(name, { metadata, spec: fields<k8s.types.input.apps.v1.StatefulSetSpec>(object.spec) }, opts);
        case "Job":
            return new k8s.batch.v1.Job(name, { metadata, spec: fields<k8s.types.input.batch.v1.JobSpec>(object.spec) }, opts);
        case "CronJob":
            return new k8s.batch.v1.CronJob(name, { metadata, spec: fields<k8s.types.input.batch.v1.CronJobSpec>(object.spec) }, opts);
        case "ConfigMap":
            return new k8s.core.v1.ConfigMap(name, { metadata, data: object.data }, opts);
        case "Ingress":
            return new k8s.networking.v1.Ingress(name, { metadata, spec: fields<k8s.types.input.networking.v1.IngressSpec>(object.spec) }, opts);
        case "PodDisruptionBudget":
            return new k8s.policy.v1.PodDisruptionBudget(name, { metadata, spec: fields<k8s.types.input.policy.v1.PodDisruptionBudgetSpec>(object.spec) }, opts);
        case "HorizontalPodAutoscaler":
            return new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, { metadata, spec: fields<k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec>(object.spec) }, opts);
        case "ServiceMonitor":
        case "PodMonitor":
        case "Cluster":
        case "ScheduledBackup":
        case "PerconaServerMongoDB":
        case "PerconaServerMongoDBRestore":
        case "RedisReplication":
        case "PerconaXtraDBCluster":
        case "PerconaXtraDBClusterRestore":
        case "IngressRouteTCP":
        case "IngressRouteUDP":
        case "AppProject":
        case "Application":
            return new k8s.apiextensions.CustomResource(name, { apiVersion: object.apiVersion, kind: object.kind, metadata, spec: object.spec }, opts);
    }
}
