import type { PlatformConfig, PoolRole } from "../../lib/config/schema";

/** Which tailnet tag / k3s role a node has. */
export type NodeRole = "server" | "agent" | "edge";

/** One node the stack will create, derived from config alone (so every component agrees on names). */
export interface NodeSpec {
    /** Hostname, also the tailnet machine name: `<location>-<pool>-<index>`. */
    hostname: string;
    /** k3s/tailnet role. */
    role: NodeRole;
    /** `server` or the agent pool role. */
    pool: "server" | PoolRole;
    /** Index within the pool (0-based); server 0 initialises the cluster. */
    index: number;
    /** Hetzner Cloud VPS or Robot bare metal. */
    kind: "cloud" | "baremetal";
    /** hcloud server type (cloud nodes). */
    serverType: string;
    /** Robot server number (bare-metal nodes). */
    robotServer?: number;
    /** Taint workloads off this node unless they tolerate it. */
    taints: string[];
    /** Node labels. */
    labels: Record<string, string>;
    /** Carries Longhorn replicas. */
    storage: boolean;
}

/** Every node of the stack, servers first. */
export function planNodes(config: PlatformConfig): NodeSpec[] {
    const nodes: NodeSpec[] = [];
    for (let index = 0; index < config.servers.count; index++) {
        nodes.push({
            hostname: `${config.location}-server-${index}`,
            role: "server",
            pool: "server",
            index,
            kind: config.servers.kind,
            serverType: config.servers.serverType,
            robotServer: config.servers.robotServers[index],
            taints: config.servers.schedulable ? [] : ["CriticalAddonsOnly=true:NoExecute"],
            labels: { "platform/pool": "server", ...(config.servers.schedulable ? { "platform/storage": "true", "platform/gvisor": "true" } : {}) },
            storage: config.servers.schedulable,
        });
    }
    for (const pool of config.pools) {
        for (let index = 0; index < pool.count; index++) {
            nodes.push({
                hostname: `${config.location}-${pool.role}-${index}`,
                role: pool.role === "edge" ? "edge" : "agent",
                pool: pool.role,
                index,
                kind: pool.kind,
                serverType: pool.serverType,
                robotServer: pool.robotServers[index],
                taints: pool.dedicated ? [`pool=${pool.role}:NoSchedule`] : [],
                labels: {
                    "platform/pool": pool.role,
                    ...(pool.storage ? { "platform/storage": "true" } : {}),
                    ...(pool.role === "run" ? { "platform/gvisor": "true" } : {}),
                },
                storage: pool.storage,
            });
        }
    }
    return nodes;
}

/** Tailnet DNS name of a node. */
export function tailnetHost(hostname: string, magicDnsSuffix: string): string {
    return `${hostname}.${magicDnsSuffix}`;
}

/** Number of nodes that carry Longhorn replicas. */
export function storageNodeCount(config: PlatformConfig): number {
    return planNodes(config).filter((n) => n.storage).length;
}
