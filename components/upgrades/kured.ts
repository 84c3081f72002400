import type { PlatformConfig } from "../../lib/config/schema";
import { NAMESPACES } from "../../lib/conventions";
import { KURED_IMAGE } from "../../charts/images";
import { chartValues, type Values } from "../../charts/versions";
import { nodeCount } from "../nodes/placement";
import { resources, type ResourceBlock, type WorkloadResources } from "../../charts/resources";
import { REBOOT_LABEL, UPGRADE_JOB_POD_LABEL } from "./plans";

/**
 * kured (kubereboot/kured), the node-reboot coordinator: on every node it watches `/var/run/reboot-required`,
 * which unattended-upgrades writes when an installed security update (a kernel, libc, systemd) needs a reboot.
 * Cloud-init configures unattended-upgrades with `Automatic-Reboot "false"`, so no node reboots on its own;
 * kured takes a cluster-wide lock, cordons and drains the node, reboots it, uncordons it and releases the
 * lock: one node at a time, only inside the maintenance window (`platform:maintenance`).
 *
 * Why kured and not an OS Plan of system-upgrade-controller: a Plan runs once per resolved version, so
 * recurring security updates would need a new version for every run (by hand or from a channel server we
 * would have to operate), and a Plan cannot tell which node actually needs a reboot. Ubuntu already installs
 * security updates daily; kured reboots exactly the nodes that need it, and nothing else.
 */

/** Namespace and Helm release name. */
export const KURED_NAMESPACE = NAMESPACES.kured;

/** Helm release name (also the DaemonSet name, which holds the reboot lock annotation). */
export const KURED_RELEASE = "kured";

/** Resources of kured (a Go daemon polling a file once per period). */
export const KURED_RESOURCES: ResourceBlock = resources("10m", "32Mi", "96Mi");

/** Values of the kured release. */
export function renderKuredValues(config: PlatformConfig): Values {
    const window = config.maintenance;
    return chartValues("kured", {
        image: { repository: KURED_IMAGE.repository, tag: KURED_IMAGE.tag },
        configuration: {
            rebootDays: window.rebootDays,
            startTime: window.rebootStartTime,
            endTime: window.rebootEndTime,
            timeZone: window.timeZone,
            // The Plans skip a node labelled in-progress; kured skips a node that runs an upgrade Job.
            preRebootNodeLabels: [`${REBOOT_LABEL.key}=${REBOOT_LABEL.inProgress}`],
            postRebootNodeLabels: [`${REBOOT_LABEL.key}=${REBOOT_LABEL.done}`],
            blockingPodSelector: [UPGRADE_JOB_POD_LABEL],
        },
        resources: KURED_RESOURCES,
        // Every node reboots for its updates, servers (CriticalAddonsOnly) and dedicated pools included.
        tolerations: [{ operator: "Exists" }],
    });
}

/** kured for the sizing report: one pod per node. */
export function kuredWorkloads(config: PlatformConfig): WorkloadResources[] {
    return [{ addon: "upgrades", workload: "kured", kind: "DaemonSet", pods: nodeCount(config), containers: { kured: KURED_RESOURCES }, note: "every node" }];
}
