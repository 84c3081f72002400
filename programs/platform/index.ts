/**
 * Composition root of a region's platform stack: validate input (the config and the whole tenant catalog),
 * then mesh → nodes → cluster → add-ons → the platform contract the tenant stacks read. Each tenant project is
 * its own stack (programs/tenant). Nothing here renders or decides; each capability lives in its component.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig } from "../../lib/config/load";
import { loadTailnetStacks } from "../../lib/config/tailnet-stacks";
import { Mesh } from "../../components/mesh/mesh";
import { Infrastructure } from "../../components/nodes/infrastructure";
import { FloatingIpBinding } from "../../components/nodes/floating-ip-binding";
import { K3sCluster } from "../../components/cluster/k3s-cluster";
import { NodePools } from "../../components/cluster/node-pools";
import { planNodes } from "../../components/nodes/node-plan";
// --- add-on imports ---
import { PrometheusOperatorCrds } from "../../components/observability/prometheus-crds";
import { MetalLB } from "../../components/metallb/metallb";
import { CertManager } from "../../components/cert-manager/cert-manager";
import { Longhorn } from "../../components/longhorn/longhorn";
import { Minio } from "../../components/minio/minio";
import { Observability } from "../../components/observability/observability";
import { Traefik } from "../../components/traefik/traefik";
import { ArgoCD } from "../../components/argocd/argocd";
import { ArgoRollouts } from "../../components/argo-rollouts/argo-rollouts";
import { KubeletCsrApprover } from "../../components/kubelet-csr-approver/kubelet-csr-approver";
import { billingContext, ledgerArgs, Metering, meteringProjects } from "../../components/metering/metering";
import { estimatedMonthlyTotal } from "../../lib/cost/estimate";
import { Alerting } from "../../components/alerting/alerting";
import { renderRecurringJobs } from "../../components/longhorn/values";
import { K3sUpgrades } from "../../components/upgrades/k3s-upgrades";
import { NodeReboots } from "../../components/upgrades/node-reboots";
import { CloudNativePg } from "../../components/databases/cloudnative-pg";
import { PerconaMongoDb } from "../../components/databases/percona-mongodb";
import { RedisOperator } from "../../components/databases/redis-operator";
import { PerconaMysql } from "../../components/databases/percona-mysql";
import { renderEtcdRestoreScript } from "../../components/cluster/etcd-restore";
import { Velero } from "../../components/backups/velero";
import { VolumeRestores } from "../../components/backups/volume-restores";
import { Registry } from "../../components/registry/registry";
import { BuildNamespace } from "../../components/builds/builds";
// --- project imports ---
import { Sandbox } from "../../components/project/sandbox";
import { Guardrails } from "../../components/guardrails/guardrails";
import { databaseAdmission } from "../../components/guardrails/database-admission";
import { DeployerNamespace } from "../../components/project/deployer-namespace";
import { checkCatalogAgainst } from "../catalog-check";
import { platformContract as renderContract, secretByProjectOutput } from "./contract";
import { mergeProvides } from "../../lib/requirements";

/** Repository root: the stack files, `stacks/<region>/projects/` and the tailnet's other stacks live there. */
const ROOT = path.resolve(__dirname, "../..");

// Validation first: a bad stack config or tenant file stops the program before any resource exists.
const { config, secrets } = loadPlatformConfig();
// The whole region's catalog: metering, alert routes and the contract's grants cover every project.
const tenants = checkCatalogAgainst(config, { region: pulumi.getStack(), stackDir: ROOT, catalogRoot: process.env.PLATFORM_CATALOG_ROOT ?? ROOT });

// The tailnet policy is one document for every stack: it is rendered from all committed stack files.
const tailnet = loadTailnetStacks(ROOT, pulumi.getStack(), config.mesh);

const mesh = new Mesh("mesh", { config, nodes: planNodes(config, pulumi.getStack()), stack: pulumi.getStack(), tailnet });

const infrastructure = new Infrastructure("nodes", { config, secrets, mesh });

// The tailscale provider's own credentials, for the Tailscale API delete of a retired node's device.
const tailscaleConfig = new pulumi.Config("tailscale");
const cluster = new K3sCluster("k3s", {
    config,
    secrets,
    infrastructure,
    tailnetApi: {
        apiKey: tailscaleConfig.getSecret("apiKey") ?? (process.env.TAILSCALE_API_KEY ? pulumi.secret(process.env.TAILSCALE_API_KEY) : undefined),
        oauthClientId: tailscaleConfig.getSecret("oauthClientId"),
        oauthClientSecret: tailscaleConfig.getSecret("oauthClientSecret"),
        baseUrl: tailscaleConfig.get("baseUrl"),
    },
});
const k8sOptions = { provider: cluster.provider };
// Labels and taints reconciled on every node, and a bounded Ready wait per pool the add-ons below depend on.
const nodePools = new NodePools("node-pools", { nodes: infrastructure.nodes.map((n) => n.spec), started: cluster.started, connection: cluster.adminConnection });
// Hetzner delivers a floating IP only to a server that configured it: every cloud edge node binds them all.
new FloatingIpBinding("floating-ip-binding", {
    addresses: infrastructure.floatingIps,
    nodes: infrastructure.nodes,
    sshPrivateKey: infrastructure.sshPrivateKey,
    started: cluster.started,
});

// --- add-ons ---
// Platform add-ons in dependency order. The Prometheus Operator CRDs come first so every chart can ship its
// ServiceMonitor (Longhorn's is created after its release instead, so Longhorn does not wait for them); MinIO lives on Longhorn volumes; Loki stores chunks in MinIO; Traefik takes the floating
// IPs from MetalLB's pool. What a component needs from another beyond that comes through `platform`, the
// dependency model of lib/requirements.ts (each waits for the providers of what it needs, nothing more).
// UIs (Grafana, Argo CD, Longhorn, MinIO console, Traefik dashboard) are ClusterIP only: reach them with
// `kubectl port-forward` over the tailnet (see platformUiAccess).
const hcloudToken = new pulumi.Config("hcloud").getSecret("token") ?? pulumi.secret(process.env.HCLOUD_TOKEN ?? "");
const prometheusCrds = new PrometheusOperatorCrds("prometheus-crds", {}, k8sOptions);
// Kubelets request their serving certificates as CSRs (rotate-server-certificates): approved for this stack's
// nodes only, as soon as the servers are Ready, so logs, exec, port-forward and metrics work.
const kubeletCsrApprover = new KubeletCsrApprover(
    "kubelet-csr-approver",
    { config, nodes: infrastructure.nodes.map((n) => n.spec) },
    { ...k8sOptions, dependsOn: [prometheusCrds, ...nodePools.readyFor("server")] },
);
const metallb = new MetalLB(
    "metallb",
    { config, floatingIps: infrastructure.floatingIps, floatingIpIds: infrastructure.floatingIpIds, hcloudToken },
    // Its chart ships ServiceMonitors (the Prometheus Operator CRDs first); the speaker waits for the edge nodes.
    { ...k8sOptions, dependsOn: [prometheusCrds, ...nodePools.readyFor("edge")] },
);
const certManager = new CertManager("cert-manager", { config, secrets }, { ...k8sOptions, dependsOn: [prometheusCrds] });
// longhorn-manager runs on every untainted node, the disks on the storage nodes. Only its ServiceMonitor needs the
// Prometheus Operator CRDs: the release (and every claim behind its CSI driver) does not wait for them. Nor for the
// pools' waits: the release follows each storage node's label patch, made once that node is Ready (its pods have
// nodes before Helm's timeout starts); the manager DaemonSet covers every node that registers later.
const longhorn = new Longhorn("longhorn", { config, secrets, nodeReady: cluster.started, platform: prometheusCrds.provides }, k8sOptions);
const minio = new Minio("minio", { config, platform: longhorn.provides }, { ...k8sOptions, dependsOn: [prometheusCrds] });
const observability = new Observability(
    "observability",
    { config, lokiCredentials: minio.lokiCredentials, stack: pulumi.getStack(), projects: tenants.map((t) => ({ id: t.spec.id, contact: t.spec.owner })), platform: mergeProvides(longhorn.provides, minio.provides) },
    // Its Deployments and StatefulSets schedule on untainted nodes: those pools are Ready before Helm's timeout starts.
    // node-exporter and Alloy, DaemonSets tolerating every taint, get a pod on each node as it registers.
    { ...k8sOptions, dependsOn: [prometheusCrds, ...nodePools.readyWhere((n) => n.taints.length === 0)] },
);
// Per-project usage, cost and alerts: recording rules and dashboards picked up by the monitoring stack.
const metering = new Metering(
    "metering",
    {
        prices: config.prices,
        projects: meteringProjects(tenants.map((t) => t.spec)),
        // The plan's infrastructure estimate is the idle line's reference (lib/cost: pure, no I/O).
        billing: billingContext(config, estimatedMonthlyTotal(config)),
        ledger: ledgerArgs(config, secrets),
    },
    // PrometheusRules, dashboard ConfigMaps and the ledger CronJob: the CRDs and the monitoring namespace; Prometheus
    // and Grafana pick them up whenever they start, and the ledger's first run is an hour away.
    { ...k8sOptions, dependsOn: [prometheusCrds] },
);
// Receivers and routing from platform:alerting, and the platform's own alerts (nodes, etcd, storage, certificates).
const alerting = new Alerting(
    "alerting",
    {
        alerting: config.alerting,
        secrets: secrets.alerting,
        tenants: tenants.map((t) => ({ project: t.spec.id, email: t.spec.owner.email })),
        servers: config.servers.count,
        floatingIps: config.edge.floatingIps,
        etcdSnapshotSchedule: config.cluster.etcdSnapshots.schedule,
        longhornBackupSchedule: renderRecurringJobs().find((job) => job.spec.task === "backup")?.spec.cron,
    },
    // Alertmanager's config Secret (which its pod mounts) and a PrometheusRule: the CRDs and the namespace, not the monitoring release.
    { ...k8sOptions, dependsOn: [prometheusCrds] },
);
const traefik = new Traefik("traefik", { config, floatingIps: metallb.addresses }, { ...k8sOptions, dependsOn: [prometheusCrds, metallb, ...nodePools.readyFor("edge")] });
const argocd = new ArgoCD("argocd", { config }, { ...k8sOptions, dependsOn: [prometheusCrds] });
// Blue/green releases of tenant services (`strategy: blueGreen`).
const argoRollouts = new ArgoRollouts("argo-rollouts", { config }, { ...k8sOptions, dependsOn: [prometheusCrds] });

// kured reboots one node at a time for OS updates, inside the maintenance window (platform:maintenance).
// Its only workload is a DaemonSet tolerating every taint: a node that registers later gets its pod then, so the
// release waits for no pool.
const nodeReboots = new NodeReboots("node-reboots", { config }, k8sOptions);

// PostgreSQL operator for tenant databases, and their backup alerts (monitoring namespace).
const cloudnativePg = new CloudNativePg("cloudnative-pg", { config }, { ...k8sOptions, dependsOn: [prometheusCrds] });
// MongoDB operator for tenant `mongodb` replica sets (backups and point-in-time recovery through PBM), and their alerts.
const perconaMongoDb = new PerconaMongoDb("percona-mongodb", { config }, { ...k8sOptions, dependsOn: [prometheusCrds] });
// Redis operator for tenant `redis` replication groups (Sentinel failover; volumes in the Longhorn backups), and their alerts.
const redisOperator = new RedisOperator("redis-operator", { config }, { ...k8sOptions, dependsOn: [prometheusCrds] });
// MySQL operator for tenant `database: {engine: mysql}` clusters (XtraBackup backups, binlog point-in-time recovery), and their alerts.
const perconaMysql = new PerconaMysql("percona-mysql", { config }, { ...k8sOptions, dependsOn: [prometheusCrds] });

// Cluster objects to the off-cluster bucket (never in-cluster): one Schedule per tenant namespace and the platform's.
const velero = config.backup.s3 && secrets.backupS3 ? new Velero("velero", { config, tenantNamespaces: tenants.map((t) => t.spec.id), keys: secrets.backupS3 }, { ...k8sOptions, dependsOn: [prometheusCrds] }) : undefined;
// The OCI registry builds push to and tenant pods pull from (Harbor on Longhorn), and the builds' namespace.
const registry = new Registry("registry", { config, projects: tenants.map((t) => t.spec.id), platform: longhorn.provides }, { ...k8sOptions, dependsOn: [prometheusCrds] });
const builds = new BuildNamespace("builds", { pushPasswords: registry.pushPasswords, cluster: config.cluster }, k8sOptions);

/**
 * The platform add-ons (the k3s upgrade Plans wait for all of them). Of the registry only Harbor's release, of
 * observability only its releases: the registry configurator and the Grafana organisations Job only call an API
 * (idempotent, retried), so they need not hold back the upgrade Plans.
 */
export const platformAddons = [prometheusCrds, kubeletCsrApprover, metallb, certManager, longhorn, minio, ...observability.releases, traefik, argocd, argoRollouts, nodeReboots, cloudnativePg, perconaMongoDb, perconaMysql, redisOperator, registry.release, builds, ...(velero ? [velero] : [])];
/** Name of the Secret holding Alertmanager's configuration. */
export const alertmanagerConfigSecret = alerting.configSecretName;
// k3s upgrades: system-upgrade-controller Plans for platform:cluster.k3sVersion. The Plans come after the
// add-ons: on a new cluster they cordon (and drain agents) once per node, which must not race Helm's waits.
const k3sUpgrades = new K3sUpgrades("k3s-upgrades", { config, plansAfter: platformAddons }, k8sOptions);
/** The k3s version the upgrade Plans target: set platform:cluster.previousK3sVersion to this before the next upgrade. */
export const k3sVersion = k3sUpgrades.k3sVersion;
/** When kured may reboot nodes for OS updates (days, time, zone). */
export const rebootWindow = nodeReboots.rebootWindow;
/** Names of the metering PrometheusRules (usage, cost, alerts). */
export const meteringRules = metering.prometheusRuleNames;
/** Argo CD admin password, user `admin` (secret). */
export const argocdAdminPassword = argocd.adminPassword;
/** Grafana admin credentials (secret). */
export const grafanaAdmin = observability.grafanaAdmin;
/** Per project: the Grafana organisation its contact views (Viewer, its own logs only), login and password (secret). */
export const grafanaProjectViewers = observability.projectViewers;
/** MinIO root credentials (secret); the console is reached over the tailnet only. */
export const minioRootCredentials = minio.rootCredentials;
/** Middlewares Traefik already applies to every HTTPS router (security headers). */
export const ingressMiddlewares = traefik.middlewares;
/** Default Longhorn replica count (min(storage nodes, 3)). */
export const storageReplicaCount = longhorn.replicaCount;
/** How to reach the platform UIs: none is public; each is a port-forward through the tailnet API server. */
export const platformUiAccess = {
    grafana: observability.grafanaAccess,
    argocd: argocd.access,
    longhorn: "kubectl -n longhorn-system port-forward svc/longhorn-frontend 8000:80  # then http://localhost:8000",
    minioConsole: "kubectl -n minio port-forward svc/minio-console 9001:9001  # then http://localhost:9001 with minioRootCredentials",
    traefikDashboard: "kubectl -n traefik port-forward deploy/traefik 8080:8080  # then http://localhost:8080/dashboard/",
};

// Volume restores declared in tenant files: one StorageClass each, before the tenant stacks create the claims.
new VolumeRestores("volume-restores", { config, projects: tenants.map((t) => t.spec) }, { ...k8sOptions, dependsOn: [longhorn] });

// --- projects ---
// The gVisor RuntimeClass exists once per region; every tenant project is one Project in its own stack, run
// after this one (the driver orders them), so the sandbox and every add-on exist before any tenant object.
new Sandbox("sandbox", {}, k8sOptions);
// Admission policies of tenant namespaces: in force before any tenant object exists (Argo CD, kubectl, Helm).
new Guardrails("guardrails", { allowedRegistries: config.allowedRegistries, ...databaseAdmission(config) }, k8sOptions);
// Per project, what encodes a grant or lives outside its namespace is its own grants stack (programs/grants,
// run by the driver after this one): here only the deployers' namespace, where each grants stack puts its
// project's deployer ServiceAccount (README "How tenant stacks are scoped").
new DeployerNamespace("tenant-deployers", {}, k8sOptions);
/** Velero's Schedules (namespace velero; `velero backup get --selector velero.io/schedule-name=<name>`). */
export const veleroSchedules = velero?.schedules ?? [];
/** Script that rebuilds this region's control plane from an etcd snapshot (README: Disaster recovery). */
export const etcdRestoreScript = renderEtcdRestoreScript(config, pulumi.getStack());
/** Kubeconfig for the tailnet address of the first server (secret). */
export const kubeconfig = cluster.kubeconfig;
/** Public entry addresses (floating IPs); point `*.<domain>` here once. */
export const publicIps = infrastructure.floatingIps;
/** Hostnames of every node, by pool. */
export const nodes = infrastructure.nodeNames;
/** SSH targets of every node: the MagicDNS names read back from the tailnet (SSH answers only there). */
export const sshTargets = Object.fromEntries(infrastructure.nodes.map((n) => [n.spec.hostname, n.tailnetName]));
/** Tailnet IPv4 of every node, read back from the tailnet. */
export const tailnetAddresses = Object.fromEntries(infrastructure.nodes.map((n) => [n.spec.hostname, n.tailnetIp]));
/** The tailnet ACL in force. */
export const tailnetPolicy = mesh.aclDocument;
/** Where tenant catalogs were read from. */
export const catalog = path.join("stacks", pulumi.getStack(), "projects");
/** The platform contract every tenant stack of the region reads (lib/stacks/contract.ts); the kubeconfig in it is secret. */
export const platformContract = renderContract({
    region: pulumi.getStack(),
    config,
    tenants: tenants.map((t) => t.spec),
    clusterIdentifier: cluster.clusterIdentifier,
    ingressMiddlewares: traefik.middlewares,
});
/** Each project's registry pull robot password (secret), by id: the driver hands each grants stack only its own. */
export const registryPullPasswords = secretByProjectOutput(tenants.map((t) => [t.spec.id, registry.pullPasswords[t.spec.id]!] as const));
/** Number of tenant projects. */
export const projectCount = tenants.length;
