import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { chartValues, type Values } from "../../charts/versions";
import { CONTROL_PLANE_TOLERATIONS, poolPlacement, poolSize } from "../nodes/placement";
import { resources, sizingProfile, type ResourceBlock, type WorkloadResources } from "../../charts/resources";

/**
 * The Prometheus that scrapes MetalLB: kube-prometheus-stack's (release `kube-prometheus-stack` in
 * `monitoring`, whose service account the chart names `<release>-prometheus`). MetalLB serves its metrics
 * over HTTPS behind a token review, so the chart grants this account a Role to read them.
 */
export const METALLB_SCRAPER = { serviceAccount: "kube-prometheus-stack-prometheus", namespace: NAMESPACES.monitoring } as const;

/**
 * MetalLB in layer-2 mode on the edge pool. In Hetzner Cloud a floating IP is routed to whichever server
 * it is assigned to (no ARP involved), so MetalLB's part is IP management and leader election: it gives
 * the Traefik Services the floating IPs, and its ServiceL2Status objects name the edge node elected to
 * carry each one. The failover loop (failover.ts) then assigns the floating IP to that node's server.
 */

/** Helm release name (also the prefix of the chart's objects). */
export const METALLB_RELEASE = "metallb";

/** The address pool holding the floating IPs. */
export const FLOATING_IP_POOL = "floating-ips";

/** The L2 advertisement of that pool. */
export const EDGE_ADVERTISEMENT = "edge";

/** Annotation with which a Service asks MetalLB for a specific address (MetalLB >= 0.13). */
export const LOAD_BALANCER_IPS_ANNOTATION = "metallb.io/loadBalancerIPs";

/** Resources of MetalLB's two workloads. */
export function metallbSizing(config: PlatformConfig): { controller: ResourceBlock; speaker: ResourceBlock } {
    return sizingProfile(config) === "small"
        ? { controller: resources("10m", "48Mi", "128Mi"), speaker: resources("10m", "48Mi", "128Mi") }
        : { controller: resources("25m", "64Mi", "192Mi"), speaker: resources("25m", "64Mi", "192Mi") };
}

/** Values of the MetalLB release: the speaker runs on the edge pool only, the controller anywhere but edge. */
export function renderMetallbValues(config: PlatformConfig): Values {
    const edge = poolPlacement(config, "edge");
    const sizing = metallbSizing(config);
    return chartValues("metallb", {
        prometheus: {
            serviceMonitor: { enabled: true },
            rbacPrometheus: true,
            serviceAccount: METALLB_SCRAPER.serviceAccount,
            namespace: METALLB_SCRAPER.namespace,
        },
        controller: {
            resources: sizing.controller,
            tolerations: CONTROL_PLANE_TOLERATIONS,
        },
        speaker: {
            resources: sizing.speaker,
            nodeSelector: edge.nodeSelector,
            tolerations: edge.tolerations,
        },
    });
}

/** MetalLB's workloads and what they reserve (from the same sizing the values carry). */
export function metallbWorkloads(config: PlatformConfig): WorkloadResources[] {
    const sizing = metallbSizing(config);
    return [
        { addon: "metallb", workload: "metallb-controller", kind: "Deployment", pods: 1, containers: { controller: sizing.controller } },
        {
            addon: "metallb",
            workload: "metallb-speaker",
            kind: "DaemonSet",
            pods: poolSize(config, "edge"),
            containers: { speaker: sizing.speaker },
            note: "edge nodes only (nodeSelector platform/pool=edge)",
        },
    ];
}

/** A MetalLB IPAddressPool (metallb.io/v1beta1; no schema package exists for it). */
export interface IPAddressPool {
    apiVersion: "metallb.io/v1beta1";
    kind: "IPAddressPool";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: { addresses: string[]; autoAssign: boolean; avoidBuggyIPs: boolean; serviceAllocation: { namespaces: string[] } };
}

/** A MetalLB L2Advertisement (metallb.io/v1beta1). */
export interface L2Advertisement {
    apiVersion: "metallb.io/v1beta1";
    kind: "L2Advertisement";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: { ipAddressPools: string[]; nodeSelectors: Array<{ matchLabels: Record<string, string> }> };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const labels = { [LABELS.managedBy]: "pulumi", "app.kubernetes.io/part-of": "platform-edge" };

/** Metadata of the address pool (known before the floating IPs are). */
export function addressPoolMetadata(): IPAddressPool["metadata"] {
    return { name: FLOATING_IP_POOL, namespace: NAMESPACES.metallb, labels: { ...labels } };
}

/**
 * The pool of the region's floating IPs, each a /32. Not auto-assigned and limited to the Traefik
 * namespace: only Services that name one of these addresses get it, so no other LoadBalancer Service can
 * take the public entry.
 */
export function renderAddressPool(floatingIps: readonly string[]): IPAddressPool {
    if (floatingIps.length === 0) {
        throw new Error("the address pool needs at least one floating IP");
    }
    const invalid = floatingIps.filter((ip) => !IPV4.test(ip));
    if (invalid.length > 0) {
        throw new Error(`floating IPs must be IPv4 addresses, got: ${invalid.join(", ")}`);
    }
    return {
        apiVersion: "metallb.io/v1beta1",
        kind: "IPAddressPool",
        metadata: addressPoolMetadata(),
        spec: {
            addresses: floatingIps.map((ip) => `${ip}/32`),
            autoAssign: false,
            // .0 and .255 are ordinary host addresses when each address is its own /32.
            avoidBuggyIPs: false,
            serviceAllocation: { namespaces: [NAMESPACES.traefik] },
        },
    };
}

/** Announce the pool from edge nodes only (where Traefik runs and where the floating IPs may be assigned). */
export function renderL2Advertisement(): L2Advertisement {
    return {
        apiVersion: "metallb.io/v1beta1",
        kind: "L2Advertisement",
        metadata: { name: EDGE_ADVERTISEMENT, namespace: NAMESPACES.metallb, labels },
        spec: {
            ipAddressPools: [FLOATING_IP_POOL],
            nodeSelectors: [{ matchLabels: { [LABELS.pool]: "edge" } }],
        },
    };
}

/** Name of the additional Traefik Service (chart `service.additionalServices` key) for floating IP `index` >= 1. */
export function floatingIpServiceKey(index: number): string {
    return `fip${index}`;
}

/**
 * The Traefik Service that carries floating IP `index`: the chart's main Service for the first, one
 * additional Service per further IP (MetalLB gives a Service one address per family, so each public IP
 * needs its own Service; each is then announced, and so assigned, independently).
 */
export function floatingIpService(index: number): { namespace: string; name: string } {
    return { namespace: NAMESPACES.traefik, name: index === 0 ? "traefik" : `traefik-${floatingIpServiceKey(index)}` };
}
