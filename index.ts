/**
 * Composition root of one region stack: validate input, then mesh → nodes → cluster → add-ons → projects.
 * Nothing here renders or decides; each capability lives in its component under components/.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig } from "./lib/config/load";
import { loadTenantCatalog } from "./lib/tenants/load";
import { Mesh } from "./components/mesh/mesh";
import { Infrastructure } from "./components/nodes/infrastructure";
import { K3sCluster } from "./components/cluster/k3s-cluster";
import { planNodes } from "./components/nodes/node-plan";
// --- add-on imports ---
// --- project imports ---
import { Project } from "./components/project/project";
import { Sandbox } from "./components/project/sandbox";

// Validation first: a bad stack config or tenant file stops the program before any resource exists.
const { config, secrets } = loadPlatformConfig();
const tenants = loadTenantCatalog(process.env.PLATFORM_CATALOG_ROOT ?? __dirname, pulumi.getStack(), {
    config,
    secretNames: secrets.tenantSecretNames,
});

const mesh = new Mesh("mesh", { config, nodes: planNodes(config) });

const infrastructure = new Infrastructure("nodes", { config, secrets, mesh });

const cluster = new K3sCluster("k3s", { config, secrets, infrastructure });
const k8sOptions = { provider: cluster.provider };

// --- add-ons ---

// --- projects ---
// The gVisor RuntimeClass exists once per stack; every tenant project is one Project (one transaction).
// Depend on the platform add-ons here too (Traefik, cert-manager, Longhorn, MinIO, monitoring, Argo CD)
// once they are exported as `platformAddons`.
const sandbox = new Sandbox("sandbox", {}, k8sOptions);
const projects = tenants.map(({ spec }) => ({
    spec,
    project: new Project(
        spec.name,
        { project: spec, config, secretValues: secrets.tenantSecrets.apply((s) => s[spec.name] ?? {}) },
        { ...k8sOptions, dependsOn: [sandbox] },
    ),
}));
const perProject = <T>(entries: Array<[string, pulumi.Output<T>]>): pulumi.Output<Record<string, T>> =>
    pulumi.all(Object.fromEntries(entries)) as pulumi.Output<Record<string, T>>;

/** Public URLs per project. */
export const projectUrls = perProject(projects.map(({ spec, project }) => [spec.name, project.urls]));
/** Namespace per project. */
export const projectNamespaces = perProject(projects.map(({ spec, project }) => [spec.name, project.namespace]));
/** MinIO bucket per project that has one. */
export const projectBuckets = perProject(projects.filter(({ spec }) => spec.bucket).map(({ spec, project }) => [spec.name, project.bucket]));
/** In-cluster database endpoint (`host:port`) per project that has one. */
export const projectDatabaseEndpoints = perProject(projects.filter(({ spec }) => spec.database).map(({ spec, project }) => [spec.name, project.databaseEndpoint]));
/** Database credentials per project that has a database (secret). */
export const projectDatabaseCredentials = pulumi.secret(
    perProject(projects.filter(({ spec }) => spec.database).map(({ spec, project }) => [spec.name, project.databaseCredentials])),
);

/** Kubeconfig for the tailnet address of the first server (secret). */
export const kubeconfig = cluster.kubeconfig;
/** Public entry addresses (floating IPs); point `*.<domain>` here once. */
export const publicIps = infrastructure.floatingIps;
/** Hostnames of every node, by pool. */
export const nodes = infrastructure.nodeNames;
/** The tailnet ACL in force. */
export const tailnetPolicy = mesh.aclDocument;
/** Where tenant catalogs were read from. */
export const catalog = path.join("stacks", pulumi.getStack(), "projects");
/** Number of tenant projects. */
export const projectCount = tenants.length;
void k8sOptions;
