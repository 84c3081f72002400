import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import * as tls from "@pulumi/tls";
import type { PlatformConfig } from "../../lib/config/schema";
import type { PlatformSecrets } from "../../lib/config/load";
import type { Mesh } from "../mesh/mesh";
import { renderK3sConfig } from "../cluster/k3s-config";
import { BaremetalServer } from "../baremetal/baremetal-server";
import { VSwitch } from "../baremetal/vswitch";
import { CloudNode } from "./cloud-node";
import { renderUserData } from "./cloud-init";
import { networkZoneOf, renderFirewallRules } from "./firewall-rules";
import { planNodes, tailnetHost, type NodeSpec } from "./node-plan";
import { checkServerTypesOrderable } from "./server-type-check";

/** Arguments of the Infrastructure component. */
export interface InfrastructureArgs {
    /** Validated stack configuration. */
    config: PlatformConfig;
    /** Stack secrets (Robot credentials for bare-metal pools). */
    secrets: PlatformSecrets;
    /** The tailnet: one auth key per node. */
    mesh: Mesh;
}

/** A created node as the cluster sees it. */
export interface NodeHandle {
    /** What the node is. */
    spec: NodeSpec;
    /** Tailnet DNS name: the only address SSH and the Kubernetes API use. */
    tailnetHost: string;
    /** Public IPv4. */
    publicIp: pulumi.Output<string>;
    /** The resource whose completion means "machine booted with its user-data". */
    ready: pulumi.Resource;
}

/**
 * Every machine of the region: Hetzner Cloud VPS (edge and any cloud pool) behind hcloud firewalls, in
 * spread placement groups, on a private network; Robot bare-metal servers driven through installimage;
 * the floating IPs of the public entry; the root SSH key (used only over the tailnet).
 */
export class Infrastructure extends pulumi.ComponentResource {
    /** Every node, servers first. */
    readonly nodes: NodeHandle[];
    /** Floating IPs of the public entry (initially on edge-0; the failover controller moves them). */
    readonly floatingIps: pulumi.Output<string[]>;
    /** hcloud ids of the floating IPs. */
    readonly floatingIpIds: pulumi.Output<string[]>;
    /** Hostnames by pool. */
    readonly nodeNames: Record<string, string[]>;
    /** Private key for root SSH over the tailnet (secret). */
    readonly sshPrivateKey: pulumi.Output<string>;
    /** hcloud private network id. */
    readonly networkId: pulumi.Output<string>;

    constructor(name: string, args: InfrastructureArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:nodes:Infrastructure", name, {}, opts);
        const { config } = args;
        const specs = planNodes(config);
        const firstServer = tailnetHost(specs[0]!.hostname, config.mesh.magicDnsSuffix);
        const baseLabels = { "platform/stack": pulumi.getStack(), "platform/location": config.location };

        const sshKey = new tls.PrivateKey(`${name}-ssh`, { algorithm: "ED25519" }, { parent: this, additionalSecretOutputs: ["privateKeyPem", "privateKeyOpenssh"] });
        this.sshPrivateKey = pulumi.secret(sshKey.privateKeyOpenssh);
        const hcloudKey = new hcloud.SshKey(`${name}-ssh`, { name: `platform-${pulumi.getStack()}`, publicKey: sshKey.publicKeyOpenssh, labels: baseLabels }, { parent: this });

        const network = new hcloud.Network(`${name}-network`, { name: `platform-${pulumi.getStack()}`, ipRange: config.baremetal.networkRange, labels: baseLabels }, { parent: this });
        this.networkId = network.id;
        const cloudSubnet = new hcloud.NetworkSubnet(
            `${name}-cloud-subnet`,
            { networkId: network.id.apply(Number), type: "cloud", networkZone: networkZoneOf(config.location), ipRange: cloudSubnetRange(config.baremetal.networkRange) },
            { parent: this },
        );

        const firewalls = {
            edge: new hcloud.Firewall(`${name}-edge-fw`, { name: `platform-${pulumi.getStack()}-edge`, rules: renderFirewallRules(true), labels: baseLabels }, { parent: this }),
            node: new hcloud.Firewall(`${name}-node-fw`, { name: `platform-${pulumi.getStack()}-node`, rules: renderFirewallRules(false), labels: baseLabels }, { parent: this }),
        };

        const placementGroups = new Map<string, hcloud.PlacementGroup>();
        const placementGroupFor = (pool: string) => {
            let group = placementGroups.get(pool);
            if (!group) {
                group = new hcloud.PlacementGroup(`${name}-${pool}-spread`, { name: `platform-${pulumi.getStack()}-${pool}`, type: "spread", labels: baseLabels }, { parent: this });
                placementGroups.set(pool, group);
            }
            return group;
        };

        // Every cloud server waits for the hcloud API to confirm its type is orderable here (none is created otherwise).
        const orderableTypes = checkServerTypesOrderable(specs, config.location, baseLabels["platform/stack"], { parent: this });

        const vswitch = config.baremetal.vswitch && specs.some((s) => s.kind === "baremetal") && args.secrets.robot
            ? new VSwitch(`${name}-vswitch`, {
                  name: config.baremetal.vswitch.name,
                  vlan: config.baremetal.vswitch.vlan,
                  subnet: config.baremetal.vswitch.subnet,
                  networkId: network.id,
                  networkZone: networkZoneOf(config.location),
                  robot: args.secrets.robot,
              }, { parent: this })
            : undefined;

        this.nodes = specs.map((spec) => {
            const authKey = args.mesh.authKeys.get(spec.hostname);
            if (!authKey) {
                throw new Error(`no tailnet auth key for ${spec.hostname}: Mesh and Infrastructure must be given the same node plan`);
            }
            const k3sConfig = renderK3sConfig({ node: spec, config, firstServerHost: firstServer });
            const userData = pulumi.secret(
                pulumi.all([authKey, sshKey.publicKeyOpenssh]).apply(([key, publicKey]) =>
                    renderUserData({
                        hostname: spec.hostname,
                        tag: args.mesh.nodeTags[spec.role],
                        k3sRole: spec.role === "server" ? "server" : "agent",
                        k3sVersion: config.cluster.k3sVersion,
                        gvisor: spec.labels["platform/gvisor"] === "true",
                        k3sConfig,
                        tailscaleAuthKey: key,
                        sshAuthorizedKey: publicKey,
                    }),
                ),
            );
            const host = tailnetHost(spec.hostname, config.mesh.magicDnsSuffix);
            if (spec.kind === "cloud") {
                const node = new CloudNode(
                    spec.hostname,
                    {
                        node: spec,
                        serverType: orderableTypes.apply(() => spec.serverType),
                        location: config.location,
                        userData,
                        sshKeyName: hcloudKey.name,
                        firewallId: (spec.role === "edge" ? firewalls.edge : firewalls.node).id,
                        placementGroupId: placementGroupFor(spec.pool).id,
                        networkId: network.id,
                        labels: { ...baseLabels, "platform/pool": spec.pool, "platform/role": spec.role },
                    },
                    { parent: this, dependsOn: [cloudSubnet] },
                );
                return { spec, tailnetHost: host, publicIp: node.publicIp, ready: node.server };
            }
            const robot = args.secrets.robot;
            if (!robot || spec.robotServer === undefined) {
                throw new Error(`bare-metal node ${spec.hostname} needs Robot credentials and a server number (validated config guarantees both)`);
            }
            const server = new BaremetalServer(
                spec.hostname,
                {
                    serverNumber: spec.robotServer,
                    hostname: spec.hostname,
                    userData,
                    sshPublicKey: sshKey.publicKeyOpenssh,
                    sshPrivateKey: this.sshPrivateKey,
                    robot,
                    settings: config.baremetal,
                    vswitchId: vswitch?.vswitchId,
                    // Like cloud nodes: a re-minted tailnet key must not wipe and reinstall a running machine.
                    // Reinstall deliberately with `pulumi up --replace`.
                    reinstallOnUserDataChange: false,
                },
                { parent: this },
            );
            return { spec, tailnetHost: host, publicIp: server.ipv4, ready: server };
        });

        const firstEdge = this.nodes.find((n) => n.spec.role === "edge" && n.spec.kind === "cloud");
        const edgeServerId = firstEdge ? (firstEdge.ready as hcloud.Server).id : undefined;
        const floating = Array.from({ length: config.edge.floatingIps }, (_, index) =>
            new hcloud.FloatingIp(
                `${name}-entry-${index}`,
                {
                    name: `platform-${pulumi.getStack()}-entry-${index}`,
                    type: "ipv4",
                    homeLocation: config.location,
                    serverId: edgeServerId?.apply(Number),
                    labels: { ...baseLabels, "platform/purpose": "public-entry" },
                },
                // The failover controller reassigns the IP to whichever edge node announces it.
                { parent: this, ignoreChanges: ["serverId"] },
            ),
        );
        this.floatingIps = pulumi.all(floating.map((f) => f.ipAddress));
        this.floatingIpIds = pulumi.all(floating.map((f) => f.id));
        this.nodeNames = specs.reduce<Record<string, string[]>>((acc, s) => {
            (acc[s.pool] ??= []).push(s.hostname);
            return acc;
        }, {});
        this.registerOutputs({ floatingIps: this.floatingIps, nodeNames: this.nodeNames, networkId: this.networkId });
    }
}

/** The first /24 of the network range hosts cloud servers; the vSwitch subnet is configured separately. */
export function cloudSubnetRange(networkRange: string): string {
    const [address] = networkRange.split("/");
    const octets = (address ?? "10.90.0.0").split(".");
    return `${octets[0]}.${octets[1]}.0.0/24`;
}
