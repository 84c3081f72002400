import { PLATFORM_REGISTRY_HOST } from "../policy/lib/catalogue";

/**
 * Names shared between components: the platform add-ons create these objects and the tenant
 * Project component, the policy pack and the metering rules refer to them.
 */
export const NAMESPACES = {
    traefik: "traefik",
    metallb: "metallb-system",
    certManager: "cert-manager",
    longhorn: "longhorn-system",
    minio: "minio",
    monitoring: "monitoring",
    argocd: "argocd",
    argoRollouts: "argo-rollouts",
    kubeSystem: "kube-system",
    systemUpgrade: "system-upgrade",
    kured: "kured",
    cnpg: "cnpg-system",
    velero: "velero",
    /** The tenant deployers' ServiceAccounts and tokens (components/project/deployer.ts); no pods. */
    tenantDeployers: "tenant-deployers",
    /** Harbor, the platform's OCI registry (components/registry). */
    registry: "registry",
    /** Platform-owned namespace of the image builds (BuildKit Jobs on the build pool; components/builds). */
    builds: "builds",
    psmdb: "psmdb-system",
    /** The OpsTree Redis Operator (components/databases/redis-operator.ts); tenant Redis runs in the tenants' namespaces. */
    redisOperator: "redis-operator",
    /** The Percona XtraDB Cluster operator (tenant MySQL databases; components/databases/percona-mysql.ts). */
    pxc: "pxc-system",
} as const;

/**
 * Prometheus inside the cluster (the operator's governing Service of every Prometheus). Here, not in the ledger
 * component, so the pure renderers that query it (Argo Rollouts analyses) do not load the Pulumi SDKs.
 */
export const PROMETHEUS_URL = `http://prometheus-operated.${NAMESPACES.monitoring}.svc.cluster.local:9090`;

/** Namespaces that belong to the platform (exempt from tenant rules, not from workload security). */
export const PLATFORM_NAMESPACES: readonly string[] = Object.values(NAMESPACES);

/** Labels set on every tenant object so Loki and Prometheus can select by project. */
export const LABELS = {
    project: "platform/project",
    service: "platform/service",
    /** The workload (Deployment, StatefulSet or Rollout) a pod belongs to; Loki label `deployment`. */
    deployment: "platform/deployment",
    /** Source commit of the pod's image (set by builds and releases); Loki label `commit`. */
    commit: "platform/commit",
    /** `build` on build pods, so build logs are a stream of their own; Loki label `log_stream`. */
    logStream: "platform/log-stream",
    pool: "platform/pool",
    trust: "platform/trust",
    managedBy: "app.kubernetes.io/managed-by",
} as const;

/**
 * Object counts of the database CRs a tenant's deployer may write in its namespace and each one's platform limit
 * (the namespace ResourceQuota's `count/<plural>.<group>`): the project renders at most one of each (its Cluster's
 * ScheduledBackup, a restore of an earlier generation); the second is room for a generation change. Without a
 * bound the deployer could write any number of ScheduledBackups, each one a base backup per run into the shared
 * bucket. CloudNativePG's `Backup` and the Percona operators' backup CRs are not here: no tenant identity writes
 * them (TENANT_STACK_KINDS, GITOPS_ALLOWED_KINDS), and CloudNativePG keeps every `Backup` its ScheduledBackup
 * creates, so a count would stop the scheduled backups once reached.
 */
export const DATABASE_OBJECT_QUOTA: Readonly<Record<string, number>> = {
    "count/scheduledbackups.postgresql.cnpg.io": 2,
    "count/perconaxtradbclusterrestores.pxc.percona.com": 2,
    "count/perconaservermongodbrestores.psmdb.percona.com": 2,
};

/**
 * Stream labels the log agent (Alloy, components/observability) puts on every pod log line, and that
 * `npm run logs` selects by; `cluster` is the stack name.
 */
export const LOKI_LABELS = {
    cluster: "cluster",
    /** The pod's namespace, from Alloy's discovery (not a pod label: a tenant cannot choose it). */
    namespace: "namespace",
    project: "project",
    service: "service",
    deployment: "deployment",
    commit: "commit",
    logStream: "log_stream",
} as const;

/**
 * Loki tenants (Loki runs with `auth_enabled: true`): every request names its tenant in {@link LOKI_TENANT_HEADER}.
 * A project's runtime and build logs are the tenant named after the project id; everything else (platform
 * namespaces, system pods) is {@link LOKI_TENANTS.platform}, a name no project can take (project ids are
 * lowercase letters, digits and '-', never '_').
 */
export const LOKI_TENANTS = { platform: "_platform" } as const;

/** The header Loki reads the tenant from (several tenants of a query joined by `|`). */
export const LOKI_TENANT_HEADER = "X-Scope-OrgID";

/** The Loki tenant of a project's logs: its id. */
export function lokiTenantOf(projectId: string): string {
    return projectId;
}

/** cert-manager ClusterIssuers. */
export const CLUSTER_ISSUERS = { staging: "letsencrypt-staging", production: "letsencrypt-production" } as const;

/** Longhorn StorageClasses of the platform's own volumes (reclaim policy Delete). */
export const STORAGE_CLASSES = { fast: "fast", standard: "standard" } as const;

/**
 * Longhorn StorageClasses of tenant volumes: the same disks as {@link STORAGE_CLASSES} with reclaim policy
 * Retain, so a deleted claim leaves its volume (and data) behind until an operator releases it.
 */
export const TENANT_STORAGE_CLASSES = { fast: "tenant-fast", standard: "tenant-standard" } as const;

/**
 * Restore StorageClasses (components/backups/volume-restores.ts): one per declared restore, cluster-scoped and
 * carrying the project's Longhorn backup in `fromBackup`, so whoever names one in a claim reads that backup.
 * The name is `restore.<namespace>.<claim>`: a namespace is a DNS label (no dots), so the segment after the
 * prefix is the owning namespace and no two (namespace, claim) pairs share a name (the former
 * `restore-<namespace>-<claim>` gave `restore-a-b-c` to both `a-b`/`c` and `a`/`b-c`). StorageClass names are DNS
 * subdomains, so the dots are valid. The admission twin and the pack rule `tenancy-restore-storage-class` read the
 * owner from the name (a ValidatingAdmissionPolicy cannot read the StorageClass a claim names) and refuse a claim
 * on any `restore…` class that is not its own namespace's.
 */
export const RESTORE_STORAGE_CLASS = {
    /** Every restore class's name starts with this (and any claim class starting with it is held to the owner check). */
    prefix: "restore",
    /** The prefix of the classes a namespace owns: `restore.<namespace>.`. */
    ownedPrefix: (namespace: string) => `restore.${namespace}.`,
    /** The class of one restored claim. */
    name: (namespace: string, claim: string) => `restore.${namespace}.${claim}`,
    /** The namespace a restore class belongs to, or undefined when the name is not a restore class of this scheme. */
    ownerOf: (name: string): string | undefined => /^restore\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.[a-z0-9]/.exec(name)?.[1],
} as const;

/** Annotation on a tenant namespace whose project is being decommissioned (the change plan then lets its data go). */
export const DECOMMISSION_ANNOTATION = "platform/decommission";

/** RuntimeClass of the gVisor sandbox for untrusted tenants. */
export const GVISOR_RUNTIME_CLASS = { name: "gvisor", handler: "runsc" } as const;

/** Traefik: ingress class and the labels of its pods (tenant NetworkPolicies allow ingress from them). */
export const TRAEFIK = { ingressClass: "traefik", podLabels: { "app.kubernetes.io/name": "traefik" } } as const;

/** Prometheus pods (allowed to scrape tenant metrics ports). */
export const PROMETHEUS_POD_LABELS = { "app.kubernetes.io/name": "prometheus" } as const;

/** The in-cluster MinIO S3 endpoint. */
export const MINIO_ENDPOINT = { host: "minio.minio.svc.cluster.local", port: 9000 } as const;

/** Label on namespaces that hold tenant projects (policies use it to tell tenants apart). */
export const TENANT_NAMESPACE_LABEL = "platform/tenant";

/** Type token of a tenant Project component (one per tenant, top level in the stack). */
export const TENANT_PROJECT_TYPE = "platform:project:Project";

/** Type token of a project's platform-side grants (one per tenant, top level in the platform stack). */
export const PROJECT_GRANTS_TYPE = "platform:project:ProjectGrants";

/**
 * Annotations the platform sets on every tenant namespace: the host space and entry points the project was
 * granted. Tenants cannot write Namespace objects, so admission policies and the policy pack read these as the
 * platform's word (components/guardrails, policy/rules/network/tenant-host-space.ts).
 */
export const NAMESPACE_GRANT_ANNOTATIONS = {
    /** Hosts `*.<value>` belong to the project (`<project>.<domain>`). */
    hostSuffix: "platform/host-suffix",
    /** Comma-separated exact hosts outside the platform domain granted to the project. */
    customHosts: "platform/custom-hosts",
    /** Comma-separated Traefik TCP entry points granted to the project (HostSNI(`*`) allowed only there). */
    tcpEntryPoints: "platform/tcp-entrypoints",
    /** Comma-separated Traefik UDP entry points granted to the project. */
    udpEntryPoints: "platform/udp-entrypoints",
} as const;

/**
 * Buckets of the platform's own data in the in-cluster MinIO (Loki's chunks and ruler, Longhorn's volume
 * backups). Tenant buckets share MinIO's one bucket namespace, so the tenant validation refuses these names.
 */
export const PLATFORM_BUCKETS = { lokiChunks: "loki-chunks", lokiRuler: "loki-ruler", longhornBackups: "longhorn-backups" } as const;

/**
 * Data path of Longhorn's default disk on every storage node (bare-metal stacks mount a partition there; the
 * capacity check sizes the filesystem that holds it).
 */
export const LONGHORN_DATA_PATH = "/var/lib/longhorn/";

/**
 * Images kept per service in a tenant stack's release history: how far back `npm run rollback -- --to` can go
 * (lib/stacks/releases.ts). The registry's retention (`platform:addons.registry.keepLatest`) keeps at least as
 * many tags per repository, so no entry of the history names an image Harbor already deleted.
 */
export const IMAGE_HISTORY_DEPTH = 10;

/**
 * The platform registry (Harbor, components/registry): one name for pods and nodes. Pods resolve it through a
 * CoreDNS override, nodes through the k3s `registries.yaml` mirror; both reach the Harbor Service on a fixed
 * ClusterIP (`clusterIpOffset` into `platform:cluster.serviceCidr`). Plain HTTP inside the cluster network
 * (node-to-node traffic runs in the tailnet's WireGuard tunnels); never exposed to the internet.
 */
export const PLATFORM_REGISTRY = {
    host: PLATFORM_REGISTRY_HOST,
    service: "harbor",
    clusterIpOffset: 30,
    /** Project-scoped Harbor robot account of each project that may only pull (`robot$<project>+pull`). */
    pullRobot: "pull",
    /** Project-scoped robot account the project's builds push with (`robot$<project>+push`). */
    pushRobot: "push",
    /** Secret (kubernetes.io/dockerconfigjson) with the pull robot in each project's namespace. */
    pullSecret: "registry-pull",
} as const;
