/** Inbound firewall rule in the shape of `hcloud.FirewallRule` (also used for bare-metal host rules). */
export interface FirewallRule {
    direction: "in";
    protocol: "tcp" | "udp" | "icmp";
    /** Port or range (`"80"`, `"2379-2380"`); absent for ICMP. */
    port?: string;
    sourceIps: string[];
    description: string;
}

/** The whole Internet, both families. */
export const WORLD = ["0.0.0.0/0", "::/0"];

/** Tailscale's WireGuard port: direct peer connections instead of DERP relays. */
export const TAILSCALE_UDP_PORT = "41641";

/** A public TCP/UDP entry point granted to a project (see lib/config/schema.ts grantedPublicPorts). */
export interface PublicEntryPoint {
    /** Port on the floating IPs. */
    port: number;
    /** TCP or UDP. */
    protocol: "TCP" | "UDP";
    /** Project id it is granted to. */
    project: string;
    /** Traefik entry point name. */
    entryPoint: string;
}

/**
 * Inbound rules for a node. Every node accepts Tailscale UDP and ICMP; edge nodes also serve HTTP(S) and the
 * public TCP/UDP entry points the stack config grants to projects (Traefik listens there).
 * SSH, the Kubernetes API, kubelet, etcd and flannel are never opened: they travel inside the tailnet.
 */
export function renderFirewallRules(edge: boolean, publicEntryPoints: readonly PublicEntryPoint[] = []): FirewallRule[] {
    const rules: FirewallRule[] = [
        { direction: "in", protocol: "udp", port: TAILSCALE_UDP_PORT, sourceIps: WORLD, description: "tailscale direct connections" },
        { direction: "in", protocol: "icmp", sourceIps: WORLD, description: "path MTU discovery and ping" },
    ];
    if (edge) {
        rules.push(
            { direction: "in", protocol: "tcp", port: "80", sourceIps: WORLD, description: "http (redirects to https, ACME http-01)" },
            { direction: "in", protocol: "tcp", port: "443", sourceIps: WORLD, description: "https ingress" },
            ...publicEntryPoints.map((p): FirewallRule => ({
                direction: "in",
                protocol: p.protocol === "TCP" ? "tcp" : "udp",
                port: String(p.port),
                sourceIps: WORLD,
                description: `entry point ${p.entryPoint} of project ${p.project}`,
            })),
        );
    }
    return rules;
}

/** Network zone of a Hetzner Cloud location. */
export function networkZoneOf(location: string): string {
    switch (location) {
        case "ash":
            return "us-east";
        case "hil":
            return "us-west";
        case "sin":
            return "ap-southeast";
        default:
            return "eu-central";
    }
}
