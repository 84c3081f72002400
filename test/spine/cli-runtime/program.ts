import * as pulumi from "@pulumi/pulumi";
import { BaremetalServer } from "../../../components/baremetal/baremetal-server";
import type { BaremetalSettings } from "../../../components/baremetal/autosetup";
import { VSwitch } from "../../../components/baremetal/vswitch";

/**
 * The program language-host.js runs under the CLI's TypeScript path: one vSwitch and one bare-metal server,
 * built by the real components (so their dynamic providers are serialized by the SDK's dynamic.Resource).
 * Parameters come from the test in PLATFORM_SPINE_PROGRAM.
 */
interface SpineProgramParameters {
    /** Fake Robot base URL. */
    robotBaseUrl: string;
    /** Robot server number. */
    serverNumber: number;
    /** Node hostname. */
    hostname: string;
    /** cloud-init user-data. */
    userData: string;
    /** Rescue key pair. */
    sshPublicKey: string;
    /** Its private half. */
    sshPrivateKey: string;
    /** Validated baremetal settings. */
    settings: BaremetalSettings;
    /** vSwitch name and VLAN. */
    vswitch: { name: string; vlan: number; subnet: string };
}

const parameters = JSON.parse(process.env.PLATFORM_SPINE_PROGRAM ?? "{}") as SpineProgramParameters;
const robot = { user: pulumi.secret("#ws+platform"), password: pulumi.secret("robot-secret") };
const vswitch = new VSwitch("spine-vswitch", {
    ...parameters.vswitch,
    networkId: "4711",
    networkZone: "eu-central",
    robot,
    robotBaseUrl: parameters.robotBaseUrl,
});
new BaremetalServer(parameters.hostname, {
    serverNumber: parameters.serverNumber,
    hostname: parameters.hostname,
    userData: parameters.userData,
    sshPublicKey: parameters.sshPublicKey,
    sshPrivateKey: parameters.sshPrivateKey,
    robot,
    settings: parameters.settings,
    vswitchId: vswitch.vswitchId,
    robotBaseUrl: parameters.robotBaseUrl,
});
