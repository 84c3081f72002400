import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { NAMESPACES } from "../../lib/conventions";
import { objectMeta, type ProjectContext } from "./common";

/**
 * The optional git source: an Argo CD AppProject fenced to the project namespace and an Application that
 * syncs the repository into it. The AppProject allows no cluster-scoped kinds and only an explicit list of
 * namespaced kinds (never the isolation objects or RBAC), so the synced app can only add ordinary namespaced
 * objects, which still meet Pod Security `restricted`, the quota, the network
 * policies and, for untrusted projects, the Sandbox's admission policy (pods only in gVisor).
 */

/** `platform/service` value of the Argo CD objects. */
export const GITOPS_COMPONENT = "gitops";

/** The in-cluster API server as Argo CD names it. */
export const IN_CLUSTER = "https://kubernetes.default.svc";

/**
 * The only namespaced kinds a git source may create or change (Argo CD's namespaceResourceWhitelist: anything
 * else is refused at sync). Left out on purpose: the isolation frame (ResourceQuota, LimitRange,
 * NetworkPolicy), RBAC, ServiceAccounts (token-bearing identities), bare Pods and DaemonSets, Traefik routes and
 * every other CRD. What is listed still meets Pod Security `restricted`, the quota, the network policies and the
 * admission policies (components/guardrails) when it reaches the namespace.
 */
export const GITOPS_ALLOWED_KINDS: ReadonlyArray<{ group: string; kind: string }> = [
    { group: "", kind: "ConfigMap" },
    { group: "", kind: "Secret" },
    { group: "", kind: "Service" },
    { group: "", kind: "PersistentVolumeClaim" },
    { group: "apps", kind: "Deployment" },
    { group: "apps", kind: "StatefulSet" },
    { group: "batch", kind: "Job" },
    { group: "batch", kind: "CronJob" },
    { group: "networking.k8s.io", kind: "Ingress" },
    { group: "policy", kind: "PodDisruptionBudget" },
    { group: "autoscaling", kind: "HorizontalPodAutoscaler" },
];

function requireGit(ctx: ProjectContext): NonNullable<ProjectContext["project"]["git"]> {
    if (!ctx.project.git) {
        throw new Error(`project ${ctx.project.id} has no git source`);
    }
    return ctx.project.git;
}

/** The AppProject: one source repository, one destination namespace, no cluster resources. */
export function renderAppProject(ctx: ProjectContext): IAppProject {
    const git = requireGit(ctx);
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: objectMeta(ctx, ctx.project.id, GITOPS_COMPONENT, NAMESPACES.argocd),
        spec: {
            description: `Tenant project ${ctx.project.name} (${ctx.project.owner.name}), confined to namespace ${ctx.namespace}`,
            sourceRepos: [git.repoURL],
            destinations: [{ server: IN_CLUSTER, namespace: ctx.namespace }],
            clusterResourceWhitelist: [],
            namespaceResourceWhitelist: GITOPS_ALLOWED_KINDS.map((entry) => ({ ...entry })),
        },
    };
}

/** The Application syncing the repository path into the project namespace (automated, pruned, self-healed). */
export function renderApplication(ctx: ProjectContext): IApplication {
    const git = requireGit(ctx);
    return {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Application",
        metadata: objectMeta(ctx, ctx.project.id, GITOPS_COMPONENT, NAMESPACES.argocd),
        spec: {
            project: ctx.project.id,
            source: { repoURL: git.repoURL, path: git.path, targetRevision: git.targetRevision },
            destination: { server: IN_CLUSTER, namespace: ctx.namespace },
            syncPolicy: {
                automated: { prune: true, selfHeal: true },
                syncOptions: ["CreateNamespace=false", "ServerSideApply=true"],
            },
        },
    };
}
