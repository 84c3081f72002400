import * as pulumi from "@pulumi/pulumi";
import { renderFirewallRules } from "../nodes/firewall-rules";
import { renderAutosetup, renderInstallCommand, type BaremetalSettings } from "./autosetup";
import { renderRobotFirewall, type FirewallIntentRule } from "./robot-firewall";
import { createBaremetalProvider } from "./robot-provider";

/** Robot web-service credentials as the stack config provides them. */
export interface RobotCredentialInputs {
    /** Web-service user (secret). */
    user: pulumi.Input<string>;
    /** Web-service password (secret). */
    password: pulumi.Input<string>;
}

/** Arguments of {@link BaremetalServer}. */
export interface BaremetalServerArgs {
    /** Robot server number of the ordered machine (`platform:pools[].robotServers`). */
    serverNumber: number;
    /** Node hostname: written into `/autosetup`, the NoCloud meta-data and the Robot server name. */
    hostname: string;
    /** The node's cloud-init user-data; seeded as NoCloud by the post-install script. Treated as secret. */
    userData: pulumi.Input<string>;
    /** OpenSSH public key Robot authorizes for the rescue system (stored in Robot under `keyName`). */
    sshPublicKey: pulumi.Input<string>;
    /** Matching private key, used only to reach the rescue system. Treated as secret. */
    sshPrivateKey: pulumi.Input<string>;
    /** Robot web-service credentials. Treated as secret. */
    robot: RobotCredentialInputs;
    /** Validated `platform:baremetal` settings (image, drives, RAID, partitions). */
    settings: BaremetalSettings;
    /** Robot vSwitch to join after the install (the VSwitch component's `vswitchId`). */
    vswitchId?: pulumi.Input<string | number>;
    /** Name of the SSH key in Robot; defaults to `platform-<project>-<stack>` (shared by every node of the stack). */
    keyName?: string;
    /**
     * Inbound rules of the server's Robot firewall, in the hcloud rule shape (the policy pack judges this
     * input). Defaults to the node rules of components/nodes/firewall-rules.ts (Tailscale UDP and ICMP only);
     * the provider adds the return-traffic rules Robot's stateless filter needs. `false` leaves the Robot
     * firewall unmanaged (the policy pack then reports the server as unprotected).
     */
    firewall?: FirewallIntentRule[] | false;
    /** Robot base URL override, for tests against a local fake; production uses the default. */
    robotBaseUrl?: string;
    /**
     * Whether changed user-data reinstalls the server (default true: the node's cloud-init only runs at first
     * boot, so new user-data means nothing until a reinstall). Set false to keep running nodes when only
     * volatile parts change (for example a re-minted one-time tailnet key); reinstall with `--replace` then.
     */
    reinstallOnUserDataChange?: boolean;
}

let provider: ReturnType<typeof createBaremetalProvider> | undefined;

/** The Robot server as a dynamic resource; its outputs are the provider's state. */
class RobotServerResource extends pulumi.dynamic.Resource {
    /** Main IPv4. */
    declare readonly ipv4: pulumi.Output<string>;
    /** IPv6 /64. */
    declare readonly ipv6Net: pulumi.Output<string>;
    /** Robot server number. */
    declare readonly serverNumber: pulumi.Output<number>;
    /** Hostname. */
    declare readonly hostname: pulumi.Output<string>;
    /** What the installed system was built from. */
    declare readonly installHash: pulumi.Output<string>;

    constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
        provider ??= createBaremetalProvider();
        super(provider, name, { ...props, ipv4: undefined, ipv6Net: undefined, serverName: undefined, installHash: undefined }, opts);
    }
}

/**
 * One Hetzner Robot dedicated server installed as a platform node: rescue system, installimage with the
 * stack's disk layout, cloud-init seeded as NoCloud, Robot server name, optional vSwitch membership, and
 * the Robot firewall (closed except Tailscale and ICMP by default: SSH and the cluster ride the tailnet).
 * Re-running is idempotent: only a changed image, disk layout or user-data reinstalls (a replacement).
 */
export class BaremetalServer extends pulumi.ComponentResource {
    /** Main IPv4 address. */
    readonly ipv4: pulumi.Output<string>;
    /** IPv6 /64 network. */
    readonly ipv6Net: pulumi.Output<string>;
    /** Robot server number. */
    readonly serverNumber: pulumi.Output<number>;
    /** Hostname. */
    readonly hostname: pulumi.Output<string>;
    /** The dynamic resource (for dependsOn: completes when the node rebooted into its installed system). */
    readonly server: pulumi.CustomResource;

    constructor(name: string, args: BaremetalServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:baremetal:Server", name, {}, opts);
        // Rendered now (pure, synchronous): invalid disk layouts fail the preview, not minute 8 of an install.
        const autosetup = renderAutosetup(args.settings, args.hostname);
        const reinstallOnUserData = args.reinstallOnUserDataChange ?? true;
        const firewall = args.firewall === false ? undefined : (args.firewall ?? renderFirewallRules(false));
        if (firewall) {
            // Same reason: a rule set Robot cannot express (or too many rules) fails here, not after the install.
            renderRobotFirewall(firewall);
        }
        this.server = new RobotServerResource(
            name,
            {
                serverNumber: args.serverNumber,
                hostname: args.hostname,
                image: args.settings.image,
                autosetup,
                installScript: renderInstallCommand(),
                userData: pulumi.secret(args.userData),
                sshPublicKey: args.sshPublicKey,
                sshPrivateKey: pulumi.secret(args.sshPrivateKey),
                keyName: args.keyName ?? `platform-${pulumi.getProject()}-${pulumi.getStack()}`,
                robotUser: pulumi.secret(args.robot.user),
                robotPassword: pulumi.secret(args.robot.password),
                ...(args.robotBaseUrl ? { robotBaseUrl: args.robotBaseUrl } : {}),
                ...(args.vswitchId !== undefined ? { vswitchId: args.vswitchId } : {}),
                ...(firewall ? { firewall } : {}),
            },
            {
                parent: this,
                // The component's dependsOn must hold the machine back too: children do not inherit it.
                dependsOn: opts?.dependsOn,
                // The state keeps the Robot credentials so `pulumi refresh` can read the server.
                additionalSecretOutputs: ["robotUser", "robotPassword"],
                deleteBeforeReplace: true,
                customTimeouts: { create: "90m", update: "30m" },
                ignoreChanges: reinstallOnUserData ? [] : ["userData"],
            },
        );
        const resource = this.server as RobotServerResource;
        this.ipv4 = resource.ipv4;
        this.ipv6Net = resource.ipv6Net;
        this.serverNumber = resource.serverNumber;
        this.hostname = resource.hostname;
        this.registerOutputs({ ipv4: this.ipv4, ipv6Net: this.ipv6Net, serverNumber: this.serverNumber, hostname: this.hostname });
    }
}
