import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import * as tls from "@pulumi/tls";
import * as command from "@pulumi/command";
import * as tailscale from "@pulumi/tailscale";
import { grantedPublicPorts, type PlatformConfig } from "../../lib/config/schema";
import type { PlatformSecrets } from "../../lib/config/load";
import type { Mesh } from "../mesh/mesh";
import { renderK3sConfig } from "../cluster/k3s-config";
import { BaremetalServer } from "../baremetal/baremetal-server";
import { VSwitch } from "../baremetal/vswitch";
import { CloudNode } from "./cloud-node";
import { renderUserData } from "./cloud-init";
import { networkZoneOf, renderFirewallRules } from "./firewall-rules";
import { disruptiveSettings, planNodes, type NodeSpec } from "./node-plan";
import { GUARD_ENV, renderGuardCreate, renderGuardUpdate } from "./disruption-guard";
import { checkServerTypesOrderable } from "./server-type-check";
import { renderVSwitchScript } from "../baremetal/vswitch-network";
import { renderRegistriesYaml } from "../registry/node-registries";

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
    /**
     * The node's MagicDNS name as the tailnet reports it once the node joined (read back, not assumed:
     * Tailscale renames a device whose name is taken). The only address SSH and the Kubernetes API use.
     */
    tailnetName: pulumi.Output<string>;
    /** The node's tailnet IPv4 address (100.64.0.0/10), read back like the name. */
    tailnetIp: pulumi.Output<string>;
    /** Tailscale device id (to remove the device when the node is replaced or deleted). */
    tailnetDeviceId: pulumi.Output<string>;
    /** Public IPv4. */
    publicIp: pulumi.Output<string>;
    /** The resource whose completion means "machine booted with its user-data". */
    ready: pulumi.Resource;
    /** The node's disruptive settings (`disruptiveSettings`): a change re-runs its k3s start. */
    disruptive: { replace: string; resize: string };
}

/** How long the tailnet read-back waits for a new node to join (first boot installs Tailscale; bare metal reinstalls first). */
export const TAILNET_JOIN_WAIT = { cloud: "20m", baremetal: "45m" } as const;

/** The MagicDNS name and tailnet IPv4 of a device as the Tailscale API lists it. */
export function tailnetIdentity(device: { name?: string; addresses: string[]; hostname?: string }): { name: string; ipv4: string } {
    const name = (device.name ?? "").replace(/\.$/, "");
    const ipv4 = device.addresses.find((a) => /^100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.\d{1,3}\.\d{1,3}$/.test(a));
    if (!name || !ipv4) {
        throw new Error(`tailnet device ${device.hostname ?? "?"} has no MagicDNS name or 100.64.0.0/10 address (got name "${name}", addresses ${device.addresses.join(", ")})`);
    }
    return { name, ipv4 };
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
    /** Resolvers of each node's "joined" signal (by node id), see {@link markJoined}. */
    private readonly joinSignals = new Map<string, (joined: pulumi.Resource) => void>();

    constructor(name: string, args: InfrastructureArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:nodes:Infrastructure", name, {}, opts);
        const { config } = args;
        const specs = planNodes(config, pulumi.getStack());
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
            edge: new hcloud.Firewall(`${name}-edge-fw`, { name: `platform-${pulumi.getStack()}-edge`, rules: renderFirewallRules(true, grantedPublicPorts(config.projectGrants)), labels: baseLabels }, { parent: this }),
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
        // Bare-metal nodes on the vSwitch bring its VLAN up at first boot (addresses by bare-metal ordinal).
        const baremetalSpecs = specs.filter((s) => s.kind === "baremetal");
        const vswitchScriptFor = (spec: NodeSpec): string | undefined =>
            vswitch && config.baremetal.vswitch && spec.kind === "baremetal"
                ? renderVSwitchScript({
                      vlan: config.baremetal.vswitch.vlan,
                      subnet: config.baremetal.vswitch.subnet,
                      networkRange: config.baremetal.networkRange,
                      ordinal: baremetalSpecs.findIndex((s) => s.id === spec.id),
                  })
                : undefined;

        // With platform:allowDisruptive, each machine waits for the previous node's k3s start (re-run after a
        // resize or reinstall: it waits for the node to be Ready), so resizes and reinstalls roll one node at a
        // time. Without the flag nothing waits (first bring-up in parallel) and the guards refuse such changes.
        let previousJoin: Promise<pulumi.Resource> | undefined;
        this.nodes = specs.map((spec) => {
            const authKey = args.mesh.authKeys.get(spec.id);
            if (!authKey) {
                throw new Error(`no tailnet auth key for ${spec.id}: Mesh and Infrastructure must be given the same node plan`);
            }
            const disruptive = disruptiveSettings(spec, config);
            const guard = new command.local.Command(
                `${spec.id}-disruption-guard`,
                {
                    create: renderGuardCreate(),
                    update: renderGuardUpdate(),
                    environment: {
                        [GUARD_ENV.node]: spec.hostname,
                        [GUARD_ENV.settings]: `${disruptive.replace} ${disruptive.resize}`.trim(),
                        [GUARD_ENV.allow]: String(config.allowDisruptive),
                    },
                    logging: "stderr",
                },
                { parent: this },
            );
            const rollAfter: pulumi.Input<pulumi.Resource>[] = config.allowDisruptive && previousJoin ? [previousJoin] : [];
            previousJoin = new Promise<pulumi.Resource>((resolve) => this.joinSignals.set(spec.id, resolve));
            const k3sConfig = renderK3sConfig({ node: spec, config });
            const userData = pulumi.secret(
                pulumi.all([authKey, sshKey.publicKeyOpenssh]).apply(([key, publicKey]) =>
                    renderUserData({
                        hostname: spec.hostname,
                        tag: args.mesh.nodeTags[spec.role],
                        k3sRole: spec.role === "server" ? "server" : "agent",
                        k3sVersion: config.cluster.k3sVersion,
                        gvisor: spec.labels["platform/gvisor"] === "true",
                        k3sConfig,
                        registries: renderRegistriesYaml(config.cluster.serviceCidr),
                        tailscaleAuthKey: key,
                        sshAuthorizedKey: publicKey,
                        ...(vswitchScriptFor(spec) !== undefined ? { vswitchScript: vswitchScriptFor(spec) } : {}),
                        nodeMeter: { clusterCidr: config.cluster.clusterCidr, serviceCidr: config.cluster.serviceCidr, edge: spec.role === "edge" },
                        ...(spec.labels["platform/pool"] === "build" ? { rootlessBuilds: true } : {}),
                    }),
                ),
            );
            const readBack = (machine: pulumi.Resource) => {
                // Runs once the machine exists and retries until the node has joined (bounded by waitFor).
                const device = tailscale.getDeviceOutput({ hostname: spec.hostname, waitFor: TAILNET_JOIN_WAIT[spec.kind] }, { parent: this, dependsOn: [machine] });
                const identity = device.apply((d) => tailnetIdentity(d));
                return { tailnetName: identity.name, tailnetIp: identity.ipv4, tailnetDeviceId: device.id };
            };
            if (spec.kind === "cloud") {
                const node = new CloudNode(
                    spec.id,
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
                    { parent: this, dependsOn: [cloudSubnet, guard, ...rollAfter] },
                );
                return { spec, ...readBack(node.server), publicIp: node.publicIp, ready: node.server, disruptive };
            }
            const robot = args.secrets.robot;
            if (!robot || spec.robotServer === undefined) {
                throw new Error(`bare-metal node ${spec.hostname} needs Robot credentials and a server number (validated config guarantees both)`);
            }
            const server = new BaremetalServer(
                spec.id,
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
                    // Reinstall deliberately by bumping the node's generation: the new hostname is in /autosetup,
                    // whose change the Robot provider's diff turns into a reinstall.
                    reinstallOnUserDataChange: false,
                },
                { parent: this, dependsOn: [guard, ...rollAfter] },
            );
            return { spec, ...readBack(server.server), publicIp: server.ipv4, ready: server, disruptive };
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

    /**
     * Called by the cluster with each node's k3s start: with `platform:allowDisruptive`, the next node's
     * machine waits for it (rolling resizes and reinstalls). Every node must be reported, else that wait
     * never ends.
     */
    markJoined(nodeId: string, joined: pulumi.Resource): void {
        const resolve = this.joinSignals.get(nodeId);
        if (!resolve) {
            throw new Error(`unknown node ${nodeId}`);
        }
        resolve(joined);
    }
}

/** The first /24 of the network range hosts cloud servers; the vSwitch subnet is configured separately. */
export function cloudSubnetRange(networkRange: string): string {
    const [address] = networkRange.split("/");
    const octets = (address ?? "10.90.0.0").split(".");
    return `${octets[0]}.${octets[1]}.0.0/24`;
}
