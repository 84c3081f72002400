import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import { NODE_SOFTWARE } from "../../charts/node-software";
import type { NodeSpec } from "./node-plan";

/** Arguments of a Hetzner Cloud node. */
export interface CloudNodeArgs {
    /** The node to create. */
    node: NodeSpec;
    /**
     * hcloud server type, resolved only once the availability check confirmed it is orderable in `location`
     * (components/nodes/server-type-check.ts); a rejected check leaves the server unregistered.
     */
    serverType: pulumi.Input<string>;
    /** hcloud location, e.g. fsn1. */
    location: string;
    /** Rendered cloud-init user-data (secret: it carries the one-time tailnet key). */
    userData: pulumi.Input<string>;
    /** hcloud SSH key name for root. */
    sshKeyName: pulumi.Input<string>;
    /** Firewall applied to the server. */
    firewallId: pulumi.Input<string>;
    /** Spread placement group of the node's pool. */
    placementGroupId: pulumi.Input<string>;
    /** Private network the server joins. */
    networkId: pulumi.Input<string>;
    /** Labels on the hcloud server. */
    labels: Record<string, string>;
}

/** One Hetzner Cloud VPS node. */
export class CloudNode extends pulumi.ComponentResource {
    /** Public IPv4 address. */
    readonly publicIp: pulumi.Output<string>;
    /** hcloud server id. */
    readonly serverId: pulumi.Output<string>;
    /** The server resource (for dependsOn). */
    readonly server: hcloud.Server;

    constructor(name: string, args: CloudNodeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:nodes:CloudNode", name, {}, opts);
        const toNumber = (id: pulumi.Input<string>) => pulumi.output(id).apply((v) => Number(v));
        this.server = new hcloud.Server(
            name,
            {
                name: args.node.hostname,
                serverType: args.serverType,
                image: NODE_SOFTWARE.hcloudImage,
                location: args.location,
                sshKeys: [args.sshKeyName],
                firewallIds: [toNumber(args.firewallId)],
                placementGroupId: toNumber(args.placementGroupId),
                networks: [{ networkId: toNumber(args.networkId) }],
                publicNets: [{ ipv4Enabled: true, ipv6Enabled: true }],
                userData: args.userData,
                labels: args.labels,
                deleteProtection: false,
                rebuildProtection: false,
            },
            {
                parent: this,
                // The component's own dependsOn (subnet, disruption guard, the previous node of a rolling change)
                // must hold the machine back: children do not inherit it.
                dependsOn: opts?.dependsOn,
                // A node is configured once at first boot; a changed (e.g. re-minted, expired) auth key or a
                // newer image must not replace a running node. A node is rebuilt by bumping its generation,
                // which renames it: a new name is a new machine (hcloud would rename in place, keeping the old
                // disk, tailnet identity and k3s node password).
                ignoreChanges: ["userData", "image", "sshKeys"],
                replaceOnChanges: ["name"],
            },
        );
        this.publicIp = this.server.ipv4Address;
        this.serverId = this.server.id;
        this.registerOutputs({ publicIp: this.publicIp, serverId: this.serverId });
    }
}
