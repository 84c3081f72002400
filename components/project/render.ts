import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import type { ILimitRange } from "kubernetes-models/v1/LimitRange";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IService } from "kubernetes-models/v1/Service";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { ICronJob } from "kubernetes-models/batch/v1/CronJob";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { PlatformConfig } from "../../lib/config/schema";
import { serviceHosts } from "../../lib/tenants/load";
import type { ProjectSpec, ServiceSpec } from "../../lib/tenants/schema";
import { projectContext, type ProjectContext } from "./common";
import { renderAppSecret, renderLimitRange, renderNamespace, renderResourceQuota, renderServiceAccount } from "./namespace";
import { renderNetworkPolicies } from "./network-policies";
import { renderAutoscaler, renderDisruptionBudget, renderServiceMonitor, renderServices, renderWorkload } from "./workloads";
import { isBlueGreen, renderRollout, type IRollout } from "./rollout";
import { renderIngress, type IngressOptions } from "./ingress";
import { renderDatabaseSecret, type DatabaseCredentials } from "./database";
import { renderMysqlCluster, renderMysqlNetworkPolicies, renderMysqlPodMonitor, renderMysqlRestore, type PxcObject } from "./mysql";
import {
    renderPostgresCluster,
    renderPostgresNetworkPolicies,
    renderPostgresPodMonitor,
    renderScheduledBackup,
    type CnpgObject,
} from "./postgresql";
import {
    renderMongoDbCluster,
    renderMongoDbNetworkPolicies,
    renderMongoDbPodMonitor,
    renderMongoDbRestore,
    renderMongoDbSecret,
    type MongoDbCredentials,
    type PsmdbObject,
} from "./mongodb";
import { renderRedisNetworkPolicies, renderRedisPodMonitor, renderRedisReplication, renderRedisRestoreClaims, renderRedisSecrets, type RedisObject, type RedisPasswords } from "./redis";
import { renderBucketJob, renderBucketReservation, renderBucketSecrets, type BucketCredentials } from "./storage";
import { renderApplication, renderAppProject } from "./gitops";
import { renderConfigMap } from "./files";
import { renderJob } from "./jobs";
import { renderBuildJob } from "../builds/build-job";
import { renderRoutes, type TcpRoute, type UdpRoute } from "./routes";
import { renderFinalBackupJob, renderVolumeClaims, type FinalBackupJob } from "./volumes";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";

/**
 * Renders a whole project as plain Kubernetes objects, grouped in the order the Project component applies
 * them: namespace → guardrails (quota, limits, network policies, service account) → secrets and ConfigMaps →
 * database → bucket → services (with their routes) → jobs → git source. Secrets are rendered separately because their values are generated
 * (or secret) at deploy time.
 */

/** Any object a project renders. */
export type TenantObject =
    | INamespace
    | IResourceQuota
    | ILimitRange
    | INetworkPolicy
    | IServiceAccount
    | ISecret
    | IPersistentVolumeClaim
    | IService
    | IDeployment
    | IStatefulSet
    | IJob
    | ICronJob
    | IConfigMap
    | TcpRoute
    | UdpRoute
    | IIngress
    | IPodDisruptionBudget
    | IHorizontalPodAutoscaler
    | IServiceMonitor
    | IPodMonitor
    | CnpgObject
    | PsmdbObject
    | RedisObject
    | PxcObject
    | IAppProject
    | IApplication
    | IRollout;

/** The objects of one tenant service. */
export interface RenderedService {
    /** The service spec they came from. */
    spec: ServiceSpec;
    /** Deployment, StatefulSet, or the Rollout of a blue/green service. */
    workload: IDeployment | IStatefulSet | IRollout;
    /** The claims of a StatefulSet's replicas, registered before it so that they grow in place. */
    claims: IPersistentVolumeClaim[];
    /** ClusterIP Service (and headless Service of a StatefulSet). */
    services: IService[];
    /** The build of the service's image at its commit (namespace builds), when the service has `build:`. */
    build?: IJob;
    /** Objects that only exist for some services: PDB, HPA, Ingress, TCP/UDP routes, ServiceMonitor. */
    extras: Array<IPodDisruptionBudget | IHorizontalPodAutoscaler | IIngress | TcpRoute | UdpRoute | IServiceMonitor>;
}

/** The objects of the project database. */
export interface RenderedDatabase {
    /** Services, NetworkPolicies and the PodMonitor: applied with the guardrails, before the database runs. */
    companions: Array<IService | INetworkPolicy | IPodMonitor>;
    /** What runs and backs up the database (CloudNativePG Cluster and ScheduledBackup, or the PerconaXtraDBCluster and its restore), in order. */
    workloads: Array<CnpgObject | PxcObject>;
}

/** The database objects for the project's engine. */
export function renderDatabase(ctx: ProjectContext): RenderedDatabase | undefined {
    const database = ctx.project.database;
    if (!database) {
        return undefined;
    }
    if (database.engine === "postgresql") {
        const scheduled = renderScheduledBackup(ctx);
        return {
            companions: [...renderPostgresNetworkPolicies(ctx), renderPostgresPodMonitor(ctx)],
            workloads: [renderPostgresCluster(ctx), ...(scheduled ? [scheduled] : [])],
        };
    }
    const restore = renderMysqlRestore(ctx);
    return {
        companions: [...renderMysqlNetworkPolicies(ctx), ...(ctx.config.backup.s3 ? [renderMysqlPodMonitor(ctx)] : [])],
        workloads: [renderMysqlCluster(ctx), ...(restore ? [restore] : [])],
    };
}

/** The objects of the project's MongoDB. */
export interface RenderedMongoDb {
    /** NetworkPolicies and the PodMonitor: applied with the guardrails, before the replica set runs. */
    companions: Array<INetworkPolicy | IPodMonitor>;
    /** The PerconaServerMongoDB, then the restore that fills it (when declared), in order. */
    workloads: PsmdbObject[];
}

/** The MongoDB objects of a project with a `mongodb`. */
export function renderMongoDb(ctx: ProjectContext): RenderedMongoDb {
    const restore = renderMongoDbRestore(ctx);
    return {
        companions: [...renderMongoDbNetworkPolicies(ctx), renderMongoDbPodMonitor(ctx)],
        workloads: [renderMongoDbCluster(ctx), ...(restore ? [restore] : [])],
    };
}

/** The objects of the project's Redis. */
export interface RenderedRedis {
    /** NetworkPolicies, the PodMonitor and a restore's pre-created claims: applied before the group runs. */
    companions: Array<INetworkPolicy | IPodMonitor | IPersistentVolumeClaim>;
    /** The RedisReplication. */
    workloads: RedisObject[];
}

/** The Redis objects of a project with a `redis`. */
export function renderRedis(ctx: ProjectContext): RenderedRedis {
    return {
        companions: [...renderRedisNetworkPolicies(ctx), renderRedisPodMonitor(ctx), ...renderRedisRestoreClaims(ctx)],
        workloads: [renderRedisReplication(ctx)],
    };
}

/** A rendered project (everything but Secrets). */
export interface RenderedProject {
    /** The render context. */
    context: ProjectContext;
    /** The namespace. */
    namespace: INamespace;
    /** Quota, LimitRange, NetworkPolicies and ServiceAccount: in place before any pod starts. */
    guardrails: Array<IResourceQuota | ILimitRange | INetworkPolicy | IServiceAccount>;
    /** The database, when the project has one. */
    database?: RenderedDatabase;
    /** The MongoDB replica set, when the project has one. */
    mongodb?: RenderedMongoDb;
    /** The Redis replication group, when the project has one. */
    redis?: RenderedRedis;
    /** The project's ConfigMaps (before any pod that mounts them). */
    configMaps: IConfigMap[];
    /** Jobs and CronJobs (after the services' dependencies: database, bucket, secrets). */
    jobs: Array<IJob | ICronJob>;
    /** The bucket Job (namespace minio), when the project has a bucket. */
    bucketJob?: IJob;
    /** The bucket's reserved size as a ResourceQuota in namespace minio (what metering bills), with the Job. */
    bucketReservation?: IResourceQuota;
    /** Per tenant service. */
    services: RenderedService[];
    /** The Longhorn final-backup job, while the project is decommissioned and has volumes. */
    finalBackup?: FinalBackupJob;
    /** AppProject and Application (namespace argocd), when the project has a git source. */
    gitops: Array<IAppProject | IApplication>;
    /** Public URLs, `https://<host>/`. */
    urls: string[];
}

/** Renders every non-secret object of a project. */
export function renderProject(project: ProjectSpec, config: PlatformConfig, options: IngressOptions = {}): RenderedProject {
    const ctx = projectContext(project, config);
    const services = project.services.map((spec): RenderedService => {
        const extras = [renderDisruptionBudget(ctx, spec), renderAutoscaler(ctx, spec), renderIngress(ctx, spec, options), ...renderRoutes(ctx, spec), renderServiceMonitor(ctx, spec)];
        return {
            spec,
            workload: isBlueGreen(spec) ? renderRollout(ctx, spec) : renderWorkload(ctx, spec),
            ...(spec.build ? { build: renderBuildJob(ctx, spec) } : {}),
            claims: renderVolumeClaims(ctx, spec),
            services: renderServices(ctx, spec),
            extras: extras.filter((o): o is NonNullable<typeof o> => o !== undefined),
        };
    });
    return {
        context: ctx,
        namespace: renderNamespace(ctx),
        guardrails: [renderResourceQuota(ctx), renderLimitRange(ctx), ...renderNetworkPolicies(ctx), renderServiceAccount(ctx)],
        configMaps: project.configMaps.map((c) => renderConfigMap(ctx, c)),
        jobs: project.jobs.map((j) => renderJob(ctx, j)),
        ...(project.database ? { database: renderDatabase(ctx) } : {}),
        ...(project.mongodb ? { mongodb: renderMongoDb(ctx) } : {}),
        ...(project.redis ? { redis: renderRedis(ctx) } : {}),
        ...(project.bucket ? { bucketJob: renderBucketJob(ctx), bucketReservation: renderBucketReservation(ctx) } : {}),
        services,
        ...(project.decommission ? { finalBackup: renderFinalBackupJob(ctx) } : {}),
        gitops: project.git ? [renderAppProject(ctx), renderApplication(ctx)] : [],
        urls: project.services.flatMap((s) => serviceHosts(project, s.name, config.domain)).map((host) => `https://${host}/`),
    };
}

/** Values of the project's Secrets (generated credentials and the tenant's own secret values). */
export interface ProjectSecretValues {
    /** The tenant stack's `tenant:secrets` (NAME → value). */
    app: Readonly<Record<string, string>>;
    /** Database credentials, when the project has a database. */
    database?: DatabaseCredentials;
    /** Bucket credentials, when the project has a bucket. */
    bucket?: BucketCredentials;
    /** MongoDB credentials, when the project has a mongodb. */
    mongodb?: MongoDbCredentials;
    /** Redis passwords (the operator's `default` and the app user's), when the project has a redis: its grants stack writes both Secrets. */
    redis?: RedisPasswords;
}

/** Whether the project's namespace gets the backup bucket's Secret from the platform stack: a database (PostgreSQL or MySQL) or a MongoDB on a stack with a backup target. */
export function needsBackupCredentials(ctx: ProjectContext): boolean {
    return (ctx.project.database !== undefined || ctx.project.mongodb !== undefined) && ctx.config.backup.s3 !== undefined;
}

/** The project's Secrets: app secrets, database credentials, bucket credentials (tenant and minio copies), the Redis operator's and app's. */
export function renderSecrets(ctx: ProjectContext, values: ProjectSecretValues): ISecret[] {
    const secrets = [renderAppSecret(ctx, values.app)];
    if (ctx.project.database && values.database) {
        secrets.push(renderDatabaseSecret(ctx, values.database));
    }
    if (ctx.project.mongodb && values.mongodb) {
        secrets.push(renderMongoDbSecret(ctx, values.mongodb));
    }
    if (ctx.project.redis && values.redis) {
        const { internal, app } = renderRedisSecrets(ctx, values.redis);
        secrets.push(internal, app);
    }
    if (ctx.project.bucket && values.bucket) {
        const { tenant, minio } = renderBucketSecrets(ctx, values.bucket);
        secrets.push(tenant, minio);
    }
    return secrets;
}

/** Every object of a rendered project in apply order, with the given Secrets after the guardrails. */
export function flattenProject(rendered: RenderedProject, secrets: readonly ISecret[] = []): TenantObject[] {
    return [
        rendered.namespace,
        ...rendered.guardrails,
        ...secrets,
        ...rendered.configMaps,
        ...(rendered.database ? [...rendered.database.companions, ...rendered.database.workloads] : []),
        ...(rendered.mongodb ? [...rendered.mongodb.companions, ...rendered.mongodb.workloads] : []),
        ...(rendered.redis ? [...rendered.redis.companions, ...rendered.redis.workloads] : []),
        ...(rendered.bucketReservation ? [rendered.bucketReservation] : []),
        ...(rendered.bucketJob ? [rendered.bucketJob] : []),
        ...rendered.services.flatMap((s) => [...(s.build ? [s.build] : []), ...s.services, ...s.claims, s.workload, ...s.extras]),
        ...rendered.jobs,
        ...rendered.gitops,
    ];
}
