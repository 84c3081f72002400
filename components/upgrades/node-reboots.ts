import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { releaseArgs } from "../../charts/versions";
import { renderPlatformNamespace } from "../nodes/placement";
import { KURED_NAMESPACE, KURED_RELEASE, renderKuredValues } from "./kured";

/** Arguments of the node-reboot add-on. */
export interface NodeRebootsArgs {
    /** Validated stack configuration (`maintenance` is the reboot window). */
    config: PlatformConfig;
}

/**
 * Coordinated reboots for OS updates (`platform:upgrades:NodeReboots`): kured in its own namespace (PSA
 * privileged: it needs hostPID and a read-only hostPath of /var/run), rebooting one node at a time inside the
 * maintenance window when unattended-upgrades left `/var/run/reboot-required`.
 */
export class NodeReboots extends pulumi.ComponentResource {
    /** When reboots may happen, as kured reads it. */
    readonly rebootWindow: pulumi.Output<string>;

    constructor(name: string, args: NodeRebootsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:upgrades:NodeReboots", name, {}, opts);
        const { config } = args;
        const ns = renderPlatformNamespace(KURED_NAMESPACE, "privileged");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });
        new k8s.helm.v3.Release(
            `${name}-release`,
            releaseArgs("kured", { name: KURED_RELEASE, namespace: KURED_NAMESPACE, values: renderKuredValues(config) }),
            { parent: this, dependsOn: [namespace] },
        );
        const w = config.maintenance;
        this.rebootWindow = pulumi.output(`${w.rebootDays.join(",")} ${w.rebootStartTime}-${w.rebootEndTime} ${w.timeZone}`);
        this.registerOutputs({ rebootWindow: this.rebootWindow });
    }
}
