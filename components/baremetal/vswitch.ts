import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import type { RobotCredentialInputs } from "./baremetal-server";
import { createVSwitchProvider } from "./vswitch-provider";

/** Arguments of {@link VSwitch}. */
export interface VSwitchArgs {
    /** vSwitch name in Robot (`platform:baremetal.vswitch.name`). */
    name: string;
    /** VLAN id 4000-4091 (`platform:baremetal.vswitch.vlan`). */
    vlan: number;
    /** IP range of the hcloud subnet coupled to the vSwitch (`platform:baremetal.vswitch.subnet`). */
    subnet: string;
    /** hcloud network the subnet is added to. */
    networkId: pulumi.Input<string | number>;
    /** hcloud network zone of the region, e.g. eu-central. */
    networkZone: pulumi.Input<string>;
    /** Robot web-service credentials. Treated as secret. */
    robot: RobotCredentialInputs;
    /** Robot base URL override, for tests against a local fake. */
    robotBaseUrl?: string;
}

let provider: ReturnType<typeof createVSwitchProvider> | undefined;

/** The Robot vSwitch as a dynamic resource. */
class RobotVSwitchResource extends pulumi.dynamic.Resource {
    /** Robot vSwitch id. */
    declare readonly vswitchId: pulumi.Output<number>;

    constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        provider ??= createVSwitchProvider();
        super(provider, name, { ...props, vswitchId: undefined }, opts);
    }
}

/**
 * A Robot vSwitch coupled to the stack's hcloud network through a subnet of type `vswitch`: bare-metal
 * servers that join the vSwitch (BaremetalServer `vswitchId`) and cloud servers share one private network.
 */
export class VSwitch extends pulumi.ComponentResource {
    /** Robot vSwitch id (pass to BaremetalServer). */
    readonly vswitchId: pulumi.Output<number>;
    /** hcloud subnet id. */
    readonly subnetId: pulumi.Output<string>;

    constructor(name: string, args: VSwitchArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:baremetal:VSwitch", name, {}, opts);
        const vswitch = new RobotVSwitchResource(
            name,
            {
                name: args.name,
                vlan: args.vlan,
                robotUser: pulumi.secret(args.robot.user),
                robotPassword: pulumi.secret(args.robot.password),
                ...(args.robotBaseUrl ? { robotBaseUrl: args.robotBaseUrl } : {}),
            },
            { parent: this, additionalSecretOutputs: ["robotUser", "robotPassword"] },
        );
        this.vswitchId = vswitch.vswitchId.apply((id) => Number(id));
        const subnet = new hcloud.NetworkSubnet(
            `${name}-subnet`,
            {
                networkId: pulumi.output(args.networkId).apply((id) => Number(id)),
                type: "vswitch",
                networkZone: args.networkZone,
                ipRange: args.subnet,
                vswitchId: this.vswitchId,
            },
            { parent: this },
        );
        this.subnetId = subnet.id;
        this.registerOutputs({ vswitchId: this.vswitchId, subnetId: this.subnetId });
    }
}
