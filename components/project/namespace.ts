import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IResourceQuota } from "kubernetes-models/v1/ResourceQuota";
import type { ILimitRange } from "kubernetes-models/v1/LimitRange";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { ISecret } from "kubernetes-models/v1/Secret";
import { DATABASE_OBJECT_QUOTA, DECOMMISSION_ANNOTATION, NAMESPACE_GRANT_ANNOTATIONS, TENANT_NAMESPACE_LABEL } from "../../lib/conventions";
import { publicEntryPointName } from "../../lib/config/schema";
import { claimStorageQuota, CONTAINER_SCRATCH, CPU_LIMIT_FACTOR, ephemeralStorageQuota, isStateful, millicores, mysqlProxyPods, projectFootprint } from "../../lib/tenants/footprint";
import { quantity } from "../../lib/quantity";
import { serviceHosts } from "../../lib/tenants/load";
import { APP_SECRET, objectLabels, objectMeta, SERVICE_ACCOUNT, SHARED_COMPONENT, type ProjectContext } from "./common";

/**
 * The isolation frame of a project: its namespace (Pod Security `restricted`, tenant labels), the
 * ResourceQuota and LimitRange that bound it, the token-less ServiceAccount and the Secret carrying the
 * project's own secret values.
 */

/** Pod Security Admission level of every tenant namespace. */
export const PSA_LEVEL = "restricted";

/** `v1.31.6+k3s1` → `v1.31`: PSA rules are pinned to the cluster's minor version. */
export function psaVersion(k3sVersion: string): string {
    const match = /^(v\d+\.\d+)\./.exec(k3sVersion);
    if (!match?.[1]) {
        throw new Error(`cannot derive a Kubernetes minor version from ${k3sVersion}`);
    }
    return match[1];
}

/** The project namespace: PSA restricted (enforce, audit, warn; pinned version) and the tenant labels. */
export function renderNamespace(ctx: ProjectContext): INamespace {
    const version = psaVersion(ctx.config.cluster.k3sVersion);
    const psa: Record<string, string> = {};
    for (const mode of ["enforce", "audit", "warn"]) {
        psa[`pod-security.kubernetes.io/${mode}`] = PSA_LEVEL;
        psa[`pod-security.kubernetes.io/${mode}-version`] = version;
    }
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: ctx.namespace,
            labels: { ...objectLabels(ctx, SHARED_COMPONENT), [TENANT_NAMESPACE_LABEL]: "true", ...psa },
            annotations: {
                "platform/owner": `${ctx.project.owner.name} <${ctx.project.owner.email}>`,
                // The project's host space as the platform grants it; the admission policies read these.
                [NAMESPACE_GRANT_ANNOTATIONS.hostSuffix]: `${ctx.project.name}.${ctx.config.domain}`,
                [NAMESPACE_GRANT_ANNOTATIONS.customHosts]: customHostsOf(ctx).join(","),
                // The public entry points granted to the project (platform:projectGrants.<project>.publicPorts).
                [NAMESPACE_GRANT_ANNOTATIONS.tcpEntryPoints]: grantedEntryPoints(ctx, "TCP").join(","),
                [NAMESPACE_GRANT_ANNOTATIONS.udpEntryPoints]: grantedEntryPoints(ctx, "UDP").join(","),
                // The change plan lets this project's data go once its decommission is deployed.
                ...(ctx.project.decommission ? { [DECOMMISSION_ANNOTATION]: "requested" } : {}),
            },
        },
    };
}

/** Traefik entry points of the public ports granted to the project, for one protocol, sorted. */
export function grantedEntryPoints(ctx: ProjectContext, protocol: "TCP" | "UDP"): string[] {
    return (ctx.config.projectGrants[ctx.project.id]?.publicPorts ?? [])
        .filter((p) => p.protocol === protocol)
        .sort((a, b) => a.port - b.port)
        .map(publicEntryPointName);
}

/** Hosts outside the platform domain the project serves (its custom domains). */
function customHostsOf(ctx: ProjectContext): string[] {
    const suffix = `.${ctx.config.domain}`;
    const hosts = ctx.project.services.flatMap((s) => serviceHosts(ctx.project, s.name, ctx.config.domain));
    return [...new Set(hosts.filter((h) => !h.endsWith(suffix)).map((h) => h.toLowerCase()))].sort();
}

/** Number of TLS Secrets cert-manager keeps in the namespace (one per platform host and custom domain). */
function tlsSecretCount(ctx: ProjectContext): number {
    return ctx.project.services.reduce((n, s) => n + serviceHosts(ctx.project, s.name, ctx.config.domain).length, 0);
}

/**
 * The namespace quota: compute and storage from the tenant file (CPU limits may burst to
 * {@link CPU_LIMIT_FACTOR} × the request quota, memory limits may not exceed the memory quota), object
 * counts sized from what the project renders plus headroom for a git-synced app, and no LoadBalancer or
 * NodePort Services at all; the database CRs a deployer may write are counted too ({@link DATABASE_OBJECT_QUOTA}).
 */
export function renderResourceQuota(ctx: ProjectContext): IResourceQuota {
    const { quota } = ctx.project;
    const footprint = projectFootprint(ctx.project);
    const services = ctx.project.services.length;
    const statefulSets = ctx.project.services.filter(isStateful).length + (ctx.project.mongodb ? 1 : 0) + (ctx.project.redis ? (ctx.project.redis.replicas > 1 ? 2 : 1) : 0);
    // CloudNativePG adds the rw/ro/r Services of the Cluster and its CA, server and replication Secrets.
    const postgres = ctx.project.database?.engine === "postgresql";
    // The Percona operator adds the replica set's headless Service, its users, internal users, key file,
    // encryption key and TLS Secrets, and cert-manager the CA's (8 at most).
    const mongodb = ctx.project.mongodb !== undefined;
    // The Redis operator adds the group's Service, headless, additional, master, replica and metrics Services,
    // and the Sentinels' headless Service when it has replicas.
    const redis = ctx.project.redis;
    // The Percona XtraDB Cluster operator adds the nodes' `<c>-pxc` and `<c>-pxc-unready` Services, HAProxy's,
    // the binlog collector's; the system users, internal users, TLS (server, internal) and cert-manager CA
    // Secrets (6 at most); the nodes' and HAProxy's configuration ConfigMaps (4 at most).
    const mysql = ctx.project.database?.engine === "mysql" ? ctx.project.database : undefined;
    const mysqlServices = mysql ? 2 + (mysqlProxyPods(mysql.instances) > 0 ? 1 : 0) + (ctx.config.backup.s3 ? 1 : 0) : 0;
    const operatorServices = (postgres ? 3 : 0) + (mongodb ? 1 : 0) + (redis ? (redis.replicas > 1 ? 7 : 6) : 0) + mysqlServices;
    // The Redis password Secret is the tenant stack's; the operator writes none.
    const operatorSecrets = (postgres ? 4 : 0) + (mongodb ? 8 : 0) + (redis ? 1 : 0) + (mysql ? 6 : 0);
    return {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: objectMeta(ctx, "compute-and-objects", SHARED_COMPONENT),
        spec: {
            hard: {
                "requests.cpu": quota.cpu,
                "limits.cpu": millicores(quantity(quota.cpu) * CPU_LIMIT_FACTOR),
                "requests.memory": quota.memory,
                "limits.memory": quota.memory,
                "requests.storage": claimStorageQuota(ctx.project),
                // emptyDirs and logs: every container declares its ephemeral storage (LimitRange defaults the rest).
                "requests.ephemeral-storage": ephemeralStorageQuota(ctx.project),
                "limits.ephemeral-storage": ephemeralStorageQuota(ctx.project),
                persistentvolumeclaims: String(footprint.persistentVolumeClaims + 5),
                pods: String(quota.pods),
                services: String(services + statefulSets + operatorServices + 5),
                "services.loadbalancers": "0",
                "services.nodeports": "0",
                secrets: String(tlsSecretCount(ctx) + 3 + operatorSecrets + 10),
                // kube-root-ca.crt and the project's own, plus room for a git-synced app's.
                configmaps: String(ctx.project.configMaps.length + 20 + (mysql ? 4 : 0)),
                // The database CRs the deployer may write (ScheduledBackups, restores): the platform's limit, whatever the project renders.
                ...Object.fromEntries(Object.entries(DATABASE_OBJECT_QUOTA).map(([key, limit]) => [key, String(limit)])),
            },
        },
    };
}

const smaller = (a: string, b: string) => (quantity(a) <= quantity(b) ? a : b);

/**
 * Per-container defaults for pods the platform did not render (cert-manager's HTTP-01 solver, a
 * git-synced app), per-container maxima equal to the namespace quota, and the largest allowed claim.
 */
export function renderLimitRange(ctx: ProjectContext): ILimitRange {
    const { quota } = ctx.project;
    const maxCpu = millicores(quantity(quota.cpu) * CPU_LIMIT_FACTOR);
    const ephemeral = ephemeralStorageQuota(ctx.project);
    return {
        apiVersion: "v1",
        kind: "LimitRange",
        metadata: objectMeta(ctx, "container-defaults", SHARED_COMPONENT),
        spec: {
            limits: [
                {
                    type: "Container",
                    default: { cpu: smaller("500m", maxCpu), memory: smaller("256Mi", quota.memory), "ephemeral-storage": smaller(CONTAINER_SCRATCH, ephemeral) },
                    defaultRequest: { cpu: smaller("50m", quota.cpu), memory: smaller("64Mi", quota.memory), "ephemeral-storage": smaller(CONTAINER_SCRATCH, ephemeral) },
                    max: { cpu: maxCpu, memory: quota.memory, "ephemeral-storage": ephemeral },
                },
                { type: "PersistentVolumeClaim", max: { storage: claimStorageQuota(ctx.project) } },
            ],
        },
    };
}

/** The ServiceAccount of every tenant pod; no API token is mounted (tenants get no Kubernetes API access). */
export function renderServiceAccount(ctx: ProjectContext): IServiceAccount {
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: objectMeta(ctx, SERVICE_ACCOUNT, SHARED_COMPONENT),
        automountServiceAccountToken: false,
    };
}

/** The project's secret values (its tenant stack's `tenant:secrets`), read by `secretEnv` references. */
export function renderAppSecret(ctx: ProjectContext, values: Readonly<Record<string, string>>): ISecret {
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: objectMeta(ctx, APP_SECRET, SHARED_COMPONENT),
        type: "Opaque",
        stringData: { ...values },
    };
}
