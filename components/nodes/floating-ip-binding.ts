import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";
import type { NodeHandle } from "./infrastructure";
import { renderFloatingIpScript } from "./floating-ip-script";

/** Arguments of the floating-IP binding. */
export interface FloatingIpBindingArgs {
    /** The stack's floating IPs (`Infrastructure.floatingIps`). */
    addresses: pulumi.Input<string[]>;
    /** Every node; the cloud edge nodes among them bind the addresses. */
    nodes: readonly NodeHandle[];
    /** Root SSH key for the tailnet (`Infrastructure.sshPrivateKey`). */
    sshPrivateKey: pulumi.Input<string>;
    /** Per hostname, the command after which the node has booted and runs k3s (`K3sCluster.started`). */
    started: ReadonlyMap<string, pulumi.Resource>;
}

/**
 * Floating IPs configured on the edge nodes' public interface (`platform:nodes:FloatingIpBinding`), as Hetzner
 * requires for a floating IP to be usable on a server: one command per cloud edge node over SSH on the
 * tailnet, re-run when the set of addresses changes (see floating-ip-script.ts for why every edge node
 * binds every address).
 */
export class FloatingIpBinding extends pulumi.ComponentResource {
    /** Hostnames of the nodes that bind the floating IPs. */
    readonly hosts: string[];

    constructor(name: string, args: FloatingIpBindingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:nodes:FloatingIpBinding", name, {}, opts);
        const edges = args.nodes.filter((n) => n.spec.role === "edge" && n.spec.kind === "cloud");
        const script = pulumi.output(args.addresses).apply((addresses) => renderFloatingIpScript(addresses));
        for (const node of edges) {
            const started = args.started.get(node.spec.hostname);
            new command.remote.Command(
                `${name}-${node.spec.hostname}`,
                {
                    connection: { host: node.tailnetName, user: "root", privateKey: args.sshPrivateKey, dialErrorLimit: 30, perDialTimeout: 10 },
                    create: script,
                    logging: "stdoutAndStderr",
                    triggers: [script],
                },
                { parent: this, dependsOn: started ? [started] : [node.ready], customTimeouts: { create: "10m", update: "10m" } },
            );
        }
        this.hosts = edges.map((n) => n.spec.hostname);
        this.registerOutputs({ hosts: this.hosts });
    }
}
