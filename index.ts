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
