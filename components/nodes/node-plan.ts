import type { PlatformConfig, PoolRole } from "../../lib/config/schema";

/** Which tailnet tag / k3s role a node has. */
export type NodeRole = "server" | "agent" | "edge";

/** One node the stack will create, derived from config alone (so every component agrees on names). */
export interface NodeSpec {
    /**
     * Stable logical name of the node's slot, `<location>-<pool>-<index>`: the Pulumi resource names of the
     * node's key, machine and join. It does not change with the generation, so a generation bump replaces
     * those resources instead of deleting and creating differently named ones.
     */
    id: string;
    /**
     * Hostname, hcloud server name, tailnet machine name and Kubernetes node name:
     * `<stack>-<pool>-<index>`, plus `-g<generation>` from generation 1 on. The stack name makes it unique
     * across the stacks sharing a tailnet and an hcloud project; the generation gives a replacement a name of
     * its own (the old machine, tailnet device and node can coexist with it until they are removed).
     */
    hostname: string;
    /** Incarnation of the node (`generations` of its pool; 0 by default). */
    generation: number;
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

/** Longest DNS label: the limit of a Linux hostname (64), an hcloud server name, a tailnet machine name and the `kubernetes.io/hostname` label value (63). */
export const MAX_HOSTNAME_LENGTH = 63;

/** The stack name as a DNS-label prefix (Pulumi stack names may contain `.`, `_` and capitals). */
export function stackLabel(stack: string): string {
    return stack
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-|-$/g, "");
}

/**
 * The hostname of a node: `<stack>-<pool>-<index>[-g<generation>]`. Throws when the stack name leaves no
 * valid DNS label (empty, or the whole name longer than 63 characters).
 */
export function nodeHostname(stack: string, pool: string, index: number, generation: number): string {
    const prefix = stackLabel(stack);
    const hostname = `${prefix}-${pool}-${index}${generation > 0 ? `-g${generation}` : ""}`;
    if (prefix === "" || hostname.length > MAX_HOSTNAME_LENGTH) {
        throw new Error(
            `stack name "${stack}" gives node hostname "${hostname}", which is not a DNS label of at most ${MAX_HOSTNAME_LENGTH} characters; ` +
                `fix: use a stack name of letters, digits and '-' of at most ${MAX_HOSTNAME_LENGTH - `-${pool}-${index}-g999`.length} characters`,
        );
    }
    return hostname;
}

/** A planned node without its stack-qualified hostname (enough to count nodes, taints and labels). */
export type NodeShape = Omit<NodeSpec, "hostname">;

/** Every node of the stack, servers first. `stack` is the Pulumi stack name (part of every hostname). */
export function planNodes(config: PlatformConfig, stack: string): NodeSpec[] {
    return nodeShapes(config).map((shape) => ({ ...shape, hostname: nodeHostname(stack, shape.pool, shape.index, shape.generation) }));
}

/** Every node of the stack, servers first, without hostnames: what does not depend on the stack's name. */
export function nodeShapes(config: PlatformConfig): NodeShape[] {
    const nodes: NodeShape[] = [];
    for (let index = 0; index < config.servers.count; index++) {
        const generation = config.servers.generations[String(index)] ?? 0;
        nodes.push({
            id: `${config.location}-server-${index}`,
            generation,
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
            const generation = pool.generations[String(index)] ?? 0;
            nodes.push({
                id: `${config.location}-${pool.role}-${index}`,
                generation,
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

/** Number of nodes that carry Longhorn replicas (counted from config; names are not needed). */
export function storageNodeCount(config: PlatformConfig): number {
    return nodeShapes(config).filter((n) => n.storage).length;
}

/**
 * The settings whose change disrupts this node while it keeps its slot: `replace` (a reinstall on bare
 * metal: Robot server, image, disk layout; a new hcloud server for another location; for the only server of
 * a stack also its name, since its next generation bootstraps a new, empty cluster) and `resize` (hcloud
 * server type: the server is stopped, resized and started). Used to refuse such a change without
 * `platform:allowDisruptive` and, with it, to roll the affected nodes one at a time. The hcloud image is
 * not here: running cloud servers ignore it (`ignoreChanges`). A generation bump of any other node is its
 * own acknowledgement and not listed.
 */
export function disruptiveSettings(node: NodeSpec, config: PlatformConfig): { replace: string; resize: string } {
    const onlyServer = node.role === "server" && config.servers.count === 1 ? [`cluster=${node.hostname}`] : [];
    if (node.kind === "cloud") {
        return { replace: [`location=${config.location}`, ...onlyServer].join(" "), resize: `serverType=${node.serverType}` };
    }
    const { image, drives, swraid, swraidLevel, partitions } = config.baremetal;
    return {
        replace: [
            `robotServer=${node.robotServer ?? ""}`,
            `image=${image}`,
            `drives=${drives.join(",")}`,
            `swraid=${swraid ? swraidLevel : "off"}`,
            `partitions=${partitions.map((p) => `${p.mount}:${p.filesystem}:${p.size}`).join(",")}`,
            ...onlyServer,
        ].join(" "),
        resize: "",
    };
}
