import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import type { ILimitRange } from "kubernetes-models/v1/LimitRange";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IService } from "kubernetes-models/v1/Service";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { IServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { PlatformConfig } from "../../lib/config/schema";
import { serviceHosts } from "../../lib/tenants/load";
import type { ProjectSpec, ServiceSpec } from "../../lib/tenants/schema";
import { projectContext, type ProjectContext } from "./common";
import { renderAppSecret, renderLimitRange, renderNamespace, renderResourceQuota, renderServiceAccount } from "./namespace";
import { renderNetworkPolicies } from "./network-policies";
import { renderAutoscaler, renderDisruptionBudget, renderServiceMonitor, renderServices, renderWorkload } from "./workloads";
import { renderIngress, type IngressOptions } from "./ingress";
import { renderDatabaseSecret, renderDatabaseService, renderDatabaseStatefulSet, type DatabaseCredentials } from "./database";
import { renderBucketJob, renderBucketSecrets, type BucketCredentials } from "./storage";
import { renderApplication, renderAppProject } from "./gitops";
import { renderFinalBackupJob, renderVolumeClaims, type FinalBackupJob } from "./volumes";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";

/**
 * Renders a whole project as plain Kubernetes objects, grouped in the order the Project component applies
 * them: namespace → guardrails (quota, limits, network policies, service account) → secrets → database →
 * bucket → services → git source. Secrets are rendered separately because their values are generated
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
    | IIngress
    | IPodDisruptionBudget
    | IHorizontalPodAutoscaler
    | IServiceMonitor
    | IAppProject
    | IApplication;

/** The objects of one tenant service. */
export interface RenderedService {
    /** The service spec they came from. */
    spec: ServiceSpec;
    /** Deployment or StatefulSet. */
    workload: IDeployment | IStatefulSet;
    /** The claims of a StatefulSet's replicas, registered before it so that they grow in place. */
    claims: IPersistentVolumeClaim[];
    /** ClusterIP Service (and headless Service of a StatefulSet). */
    services: IService[];
    /** Objects that only exist for some services: PDB, HPA, Ingress, ServiceMonitor. */
    extras: Array<IPodDisruptionBudget | IHorizontalPodAutoscaler | IIngress | IServiceMonitor>;
}

/** A rendered project (everything but Secrets). */
export interface RenderedProject {
    /** The render context. */
    context: ProjectContext;
    /** The namespace. */
    namespace: INamespace;
    /** Quota, LimitRange, NetworkPolicies and ServiceAccount: in place before any pod starts. */
    guardrails: Array<IResourceQuota | ILimitRange | INetworkPolicy | IServiceAccount>;
    /** Database StatefulSet and Service, when the project has a database. */
    database?: { statefulSet: IStatefulSet; service: IService };
    /** The bucket Job (namespace minio), when the project has a bucket. */
    bucketJob?: IJob;
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
        const extras = [renderDisruptionBudget(ctx, spec), renderAutoscaler(ctx, spec), renderIngress(ctx, spec, options), renderServiceMonitor(ctx, spec)];
        return {
            spec,
            workload: renderWorkload(ctx, spec),
            claims: renderVolumeClaims(ctx, spec),
            services: renderServices(ctx, spec),
            extras: extras.filter((o): o is NonNullable<typeof o> => o !== undefined),
        };
    });
    return {
        context: ctx,
        namespace: renderNamespace(ctx),
        guardrails: [renderResourceQuota(ctx), renderLimitRange(ctx), ...renderNetworkPolicies(ctx), renderServiceAccount(ctx)],
        ...(project.database ? { database: { statefulSet: renderDatabaseStatefulSet(ctx), service: renderDatabaseService(ctx) } } : {}),
        ...(project.bucket ? { bucketJob: renderBucketJob(ctx) } : {}),
        services,
        ...(project.decommission ? { finalBackup: renderFinalBackupJob(ctx) } : {}),
        gitops: project.git ? [renderAppProject(ctx), renderApplication(ctx)] : [],
        urls: project.services.flatMap((s) => serviceHosts(project, s.name, config.domain)).map((host) => `https://${host}/`),
    };
}

/** Values of the project's Secrets (generated credentials and the tenant's own secret values). */
export interface ProjectSecretValues {
    /** `platform:tenantSecrets.<project>`. */
    app: Readonly<Record<string, string>>;
    /** Database credentials, when the project has a database. */
    database?: DatabaseCredentials;
    /** Bucket credentials, when the project has a bucket. */
    bucket?: BucketCredentials;
}

/** The project's Secrets: app secrets, database credentials, bucket credentials (tenant and minio copies). */
export function renderSecrets(ctx: ProjectContext, values: ProjectSecretValues): ISecret[] {
    const secrets = [renderAppSecret(ctx, values.app)];
    if (ctx.project.database && values.database) {
        secrets.push(renderDatabaseSecret(ctx, values.database));
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
        ...(rendered.database ? [rendered.database.service, rendered.database.statefulSet] : []),
        ...(rendered.bucketJob ? [rendered.bucketJob] : []),
        ...rendered.services.flatMap((s) => [...s.services, ...s.claims, s.workload, ...s.extras]),
        ...rendered.gitops,
    ];
}
