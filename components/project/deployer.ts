import * as yaml from "js-yaml";
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import type { IRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { NAMESPACES } from "../../lib/conventions";
import { apiGroupOf } from "../../lib/requirements";
import { resourceOfKind, type PolicyRule } from "../../lib/rbac";
import { APP_SECRET, objectLabels, SHARED_COMPONENT, type ProjectContext } from "./common";
import { DATABASE_SECRET } from "./database";
import { MONGODB_SECRET } from "./mongodb";
import type { TenantObject } from "./render";

/**
 * The credential a tenant stack deploys with: a ServiceAccount per project in the platform's
 * {@link DEPLOYER_NAMESPACE} (no tenant pod can run as it, no Secret in a tenant namespace can ask for its
 * token), bound by a RoleBinding in the project's namespace to a Role that allows exactly the kinds a tenant
 * stack registers there. Everything that encodes a grant (the namespace and its labels, quota, LimitRange,
 * NetworkPolicies) or lives outside the namespace (bucket Job and its MinIO Secret, Argo CD objects, the
 * Longhorn final backup) is the platform stack's ({@link isPlatformObject}), so the Role names none of them
 * and no RBAC kind, and no escalate/bind/impersonate verb.
 */

/** Namespace of the tenant deployers' ServiceAccounts and token Secrets (a platform namespace, no pods). */
export const DEPLOYER_NAMESPACE = NAMESPACES.tenantDeployers;

/** Name of the deployer Role and RoleBinding in a project namespace. */
export const DEPLOYER_ROLE = "platform-tenant-deployer";

/** Kinds whose objects encode a grant: only the platform stack writes them. */
export const GRANT_KINDS: ReadonlySet<string> = new Set(["Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy", "ServiceAccount"]);

/** Whether a project object is the platform stack's: a grant kind, or anything outside the project's namespace. */
export function isPlatformObject(ctx: ProjectContext, object: Pick<TenantObject, "kind" | "metadata">): boolean {
    return GRANT_KINDS.has(object.kind) || (object.metadata?.namespace ?? ctx.namespace) !== ctx.namespace;
}

/**
 * What a tenant stack may register in its namespace (apiVersion and kind), the Project component's own list
 * (components/project/project.ts createObject) minus {@link GRANT_KINDS}; Secrets are handled apart.
 */
export const TENANT_STACK_KINDS: ReadonlyArray<{ apiVersion: string; kind: string }> = [
    { apiVersion: "v1", kind: "ConfigMap" },
    { apiVersion: "v1", kind: "Service" },
    { apiVersion: "v1", kind: "PersistentVolumeClaim" },
    { apiVersion: "apps/v1", kind: "Deployment" },
    { apiVersion: "apps/v1", kind: "StatefulSet" },
    // Blue/green services (strategy: blueGreen); their analysis templates are the platform's, cluster-scoped.
    { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout" },
    { apiVersion: "batch/v1", kind: "Job" },
    { apiVersion: "batch/v1", kind: "CronJob" },
    { apiVersion: "networking.k8s.io/v1", kind: "Ingress" },
    { apiVersion: "policy/v1", kind: "PodDisruptionBudget" },
    { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler" },
    { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor" },
    { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor" },
    { apiVersion: "traefik.io/v1alpha1", kind: "IngressRouteTCP" },
    { apiVersion: "traefik.io/v1alpha1", kind: "IngressRouteUDP" },
    { apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster" },
    { apiVersion: "postgresql.cnpg.io/v1", kind: "ScheduledBackup" },
    { apiVersion: "psmdb.percona.com/v1", kind: "PerconaServerMongoDB" },
    { apiVersion: "psmdb.percona.com/v1", kind: "PerconaServerMongoDBRestore" },
    { apiVersion: "redis.redis.opstreelabs.in/v1beta2", kind: "RedisReplication" },
    { apiVersion: "pxc.percona.com/v1", kind: "PerconaXtraDBCluster" },
    { apiVersion: "pxc.percona.com/v1", kind: "PerconaXtraDBClusterRestore" },
];

/**
 * The Secrets a tenant stack writes (the others in its namespace are the platform's: bucket and backup keys, and
 * both Redis Secrets, whose ACL file is what keeps the app's Redis user from ACL, CONFIG and Lua).
 */
export const TENANT_STACK_SECRETS: readonly string[] = [APP_SECRET, DATABASE_SECRET, MONGODB_SECRET];

/** What Pulumi does with the objects it manages: read, apply (create + patch), update, delete. */
export const MANAGE_VERBS: readonly string[] = ["get", "list", "watch", "create", "update", "patch", "delete"];

/**
 * What Pulumi's await logic reads while it waits for a workload, Service or Job to be ready (pods, their
 * ReplicaSets, Endpoints, events): read-only.
 */
export const AWAIT_READS: ReadonlyArray<{ apiGroup: string; resources: string[] }> = [
    { apiGroup: "", resources: ["pods", "endpoints", "events"] },
    { apiGroup: "apps", resources: ["replicasets"] },
    { apiGroup: "discovery.k8s.io", resources: ["endpointslices"] },
];

/**
 * The deployer Role's rules: manage the tenant-stack kinds, grouped by API group; create any Secret but read,
 * change or delete only the tenant stack's own (by name: list/watch would show the platform's bucket and
 * backup keys in the same namespace); read what the await logic watches.
 */
export function deployerRules(): PolicyRule[] {
    const byGroup = new Map<string, string[]>();
    for (const { apiVersion, kind } of TENANT_STACK_KINDS) {
        const group = apiGroupOf(apiVersion);
        byGroup.set(group, [...(byGroup.get(group) ?? []), resourceOfKind(kind)]);
    }
    return [
        ...[...byGroup].map(([group, resources]): PolicyRule => ({ apiGroups: [group], resources, verbs: [...MANAGE_VERBS] })),
        { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
        { apiGroups: [""], resources: ["secrets"], verbs: MANAGE_VERBS.filter((v) => v !== "create" && v !== "list" && v !== "watch"), resourceNames: [...TENANT_STACK_SECRETS] },
        ...AWAIT_READS.map((read): PolicyRule => ({ apiGroups: [read.apiGroup], resources: read.resources, verbs: ["get", "list", "watch"] })),
    ];
}

/** The namespace of the deployers: PSA restricted; nothing runs there. */
export function renderDeployerNamespace(): INamespace {
    const psa = Object.fromEntries(["enforce", "audit", "warn"].map((mode) => [`pod-security.kubernetes.io/${mode}`, "restricted"]));
    return { apiVersion: "v1", kind: "Namespace", metadata: { name: DEPLOYER_NAMESPACE, labels: { "app.kubernetes.io/part-of": "platform", ...psa } } };
}

/** A project's deployer objects: ServiceAccount and its token Secret (deployer namespace), Role and RoleBinding (project namespace). */
export interface DeployerObjects {
    /** The deployer ServiceAccount, named after the project id. */
    serviceAccount: IServiceAccount;
    /** The long-lived token Secret the token controller fills (`data.token`, `data["ca.crt"]`). */
    tokenSecret: ISecret;
    /** The Role of {@link deployerRules} in the project's namespace. */
    role: IRole;
    /** Binds the Role to the ServiceAccount. */
    roleBinding: IRoleBinding;
}

/** Renders the deployer objects of a project. */
export function renderDeployer(ctx: ProjectContext): DeployerObjects {
    const labels = objectLabels(ctx, SHARED_COMPONENT);
    const name = ctx.project.id;
    return {
        serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: DEPLOYER_NAMESPACE, labels }, automountServiceAccountToken: false },
        tokenSecret: {
            apiVersion: "v1",
            kind: "Secret",
            type: "kubernetes.io/service-account-token",
            metadata: { name: `${name}-token`, namespace: DEPLOYER_NAMESPACE, labels, annotations: { "kubernetes.io/service-account.name": name } },
        },
        role: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: DEPLOYER_ROLE, namespace: ctx.namespace, labels }, rules: deployerRules() },
        roleBinding: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: DEPLOYER_ROLE, namespace: ctx.namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: DEPLOYER_ROLE },
            subjects: [{ kind: "ServiceAccount", name, namespace: DEPLOYER_NAMESPACE }],
        },
    };
}

interface KubeconfigDocument {
    clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
    contexts: Array<{ name: string; context: { cluster: string; user: string; namespace?: string } }>;
    "current-context": string;
}

/**
 * The tenant stack's kubeconfig: the admin kubeconfig's current cluster (server and CA) with the deployer's
 * token as its only user and the project's namespace as the context's default. Nothing of the admin
 * credential (client certificate and key) is copied.
 */
export function deployerKubeconfig(adminKubeconfig: string, project: string, token: string): string {
    const admin = yaml.load(adminKubeconfig) as KubeconfigDocument;
    const context = admin.contexts?.find((c) => c.name === admin["current-context"]);
    const cluster = admin.clusters?.find((c) => c.name === context?.context.cluster);
    if (!context || !cluster) {
        throw new Error("the admin kubeconfig has no current context with a cluster");
    }
    const name = `${cluster.name}-${project}`;
    return yaml.dump(
        {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name, cluster: { ...cluster.cluster } }],
            users: [{ name: `${project}-deployer`, user: { token } }],
            contexts: [{ name, context: { cluster: name, user: `${project}-deployer`, namespace: project } }],
            "current-context": name,
        },
        { lineWidth: -1, noRefs: true },
    );
}
