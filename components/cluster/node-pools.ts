import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { NodeSpec } from "../nodes/node-plan";
import { NODE_WAITS, renderNodeLabelScript, renderPoolReadyScript } from "./node-pool-scripts";
import { requirement, type Provides } from "../../lib/requirements";

/** Arguments of the node pools. */
export interface NodePoolsArgs {
    /** Every planned node (hostname, pool, labels, taints). */
    nodes: readonly NodeSpec[];
    /** Per hostname, the command after which k3s runs on that node (`K3sCluster.started`). */
    started: ReadonlyMap<string, pulumi.Resource>;
    /** SSH over the tailnet to a server, where k3s' kubectl has admin rights (`K3sCluster.adminConnection`). */
    connection: command.types.input.remote.ConnectionArgs;
}

/** Pool names the add-ons can wait for (`server` or an agent pool's role). */
export type PoolName = NodeSpec["pool"];

/**
 * The cluster's node pools after k3s started (`platform:cluster:NodePools`): per node, a command on a server
 * that reconciles the node's platform labels and taints with the plan (k3s applies them only at
 * registration; this re-runs whenever they change), and per pool a bounded wait until all of the pool's
 * nodes are Ready. Add-ons depend on the waits of the pools they schedule on, so an atomic Helm release
 * does not start its timeout while bare-metal agents are still installing.
 */
export class NodePools extends pulumi.ComponentResource {
    /** The Ready wait of each pool in the plan. */
    readonly ready: ReadonlyMap<PoolName, command.remote.Command>;
    /** `nodes:<pool>` for every pool: pods pinned to a pool wait for its Ready wait (lib/requirements.ts). */
    readonly provides: Provides<pulumi.Resource>;
    private readonly nodes: readonly NodeSpec[];

    constructor(name: string, args: NodePoolsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cluster:NodePools", name, {}, opts);
        this.nodes = args.nodes;
        const byPool = new Map<PoolName, NodeSpec[]>();
        for (const node of args.nodes) {
            byPool.set(node.pool, [...(byPool.get(node.pool) ?? []), node]);
        }
        const ready = new Map<PoolName, command.remote.Command>();
        for (const [pool, nodes] of byPool) {
            const labelled = nodes.map((node) => {
                const started = args.started.get(node.hostname);
                if (!started) {
                    throw new Error(`node ${node.hostname} has no k3s start command: NodePools and K3sCluster must be given the same node plan`);
                }
                return new command.remote.Command(
                    `${name}-${node.hostname}-labels`,
                    {
                        connection: args.connection,
                        create: renderNodeLabelScript(node),
                        logging: "stdoutAndStderr",
                        // Re-run when the plan's labels or taints of the node change.
                        triggers: [JSON.stringify(node.labels), JSON.stringify(node.taints)],
                    },
                    { parent: this, dependsOn: [started], customTimeouts: minutes(NODE_WAITS.registerSeconds) },
                );
            });
            ready.set(
                pool,
                new command.remote.Command(
                    `${name}-${pool}-ready`,
                    {
                        connection: args.connection,
                        create: renderPoolReadyScript(pool, nodes.length),
                        logging: "stdoutAndStderr",
                        triggers: nodes.map((n) => n.hostname),
                    },
                    { parent: this, dependsOn: labelled, customTimeouts: minutes(NODE_WAITS.readySeconds) },
                ),
            );
        }
        this.ready = ready;
        this.provides = Object.fromEntries([...ready].map(([pool, wait]) => [requirement.nodes(pool), [wait]]));
        this.registerOutputs({ pools: [...ready.keys()] });
    }

    /** The waits of these pools (pools the stack does not have are skipped): for an add-on's `dependsOn`. */
    readyFor(...pools: PoolName[]): pulumi.Resource[] {
        return [...new Set(pools)].flatMap((pool) => {
            const wait = this.ready.get(pool);
            return wait ? [wait] : [];
        });
    }

    /** The waits of every pool (for add-ons with a DaemonSet on every node). */
    readyForAll(): pulumi.Resource[] {
        return [...this.ready.values()];
    }

    /** The waits of the pools with at least one node the predicate accepts (e.g. untainted or storage nodes). */
    readyWhere(predicate: (node: NodeSpec) => boolean): pulumi.Resource[] {
        return this.readyFor(...new Set(this.nodes.filter(predicate).map((n) => n.pool)));
    }
}

/** A command's customTimeouts: its script's own deadline plus five minutes for SSH and kubectl. */
function minutes(scriptSeconds: number): { create: string; update: string } {
    const total = `${Math.ceil(scriptSeconds / 60) + 5}m`;
    return { create: total, update: total };
}
