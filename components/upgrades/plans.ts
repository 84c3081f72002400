import type { PlatformConfig } from "../../lib/config/schema";
import { LABELS } from "../../lib/conventions";
import { SYSTEM_UPGRADE_IMAGES } from "../../charts/images";
import { SYSTEM_UPGRADE_NAMESPACE, SYSTEM_UPGRADE_SERVICE_ACCOUNT } from "./system-upgrade-controller";

/**
 * The k3s upgrade Plans, following k3s' documented automated-upgrade pattern (docs.k3s.io, Automated Upgrades):
 * a server Plan over the control-plane nodes (one at a time, cordoned) and an agent Plan over every other node
 * whose `prepare` step (`k3s-upgrade prepare k3s-server`) waits until the server Plan is applying on no node and
 * every control-plane node's kubelet reports the agent Plan's version (k3s-io/k3s-upgrade scripts/upgrade.sh,
 * `prepare` and `verify_controlplane_versions`), so servers are upgraded before agents even when the controller
 * picks up the agent Plan first; agents are drained, one at a time. Both Plans pin `version`
 * to `platform:cluster.k3sVersion` (never a channel), and the controller tags the `rancher/k3s-upgrade` image
 * with it. The k3s-upgrade image swaps the binary and restarts k3s; it refuses a downgrade on its own too.
 */

/** Name of the server Plan (the agent Plan's prepare step names it). */
export const SERVER_PLAN = "k3s-server";

/** Name of the agent Plan. */
export const AGENT_PLAN = "k3s-agent";

/**
 * Node label kured sets before it cordons a node for a reboot and changes after the node is back
 * (see kured.ts). The Plans skip a node while it reads `in-progress`, so an upgrade never starts on a node
 * that is being rebooted; kured in turn does not reboot a node that runs an upgrade Job.
 */
export const REBOOT_LABEL = { key: "platform/reboot", inProgress: "in-progress", done: "done" } as const;

/** Label on every Job pod the controller creates for a Plan (kured's blocking pod selector uses it). */
export const UPGRADE_JOB_POD_LABEL = "upgrade.cattle.io/plan";

/** Seconds a Job for one node may take before the Plan stops (drain, image pull, k3s restart). */
export const JOB_DEADLINE_SECONDS = { server: 1200, agent: 1800 } as const;

/** How long the agent drain waits for evictions (PodDisruptionBudgets, Longhorn's drain policy) before it fails and is retried. */
export const AGENT_DRAIN_TIMEOUT = "10m";

/** A label selector requirement (as the Plan CRD takes it). */
interface Requirement {
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
}

/** An `upgrade.cattle.io/v1` Plan (the fields these Plans use; the CRD schema is validated in the tests). */
export interface UpgradePlan {
    apiVersion: "upgrade.cattle.io/v1";
    kind: "Plan";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
        concurrency: number;
        version: string;
        serviceAccountName: string;
        nodeSelector: { matchExpressions: Requirement[] };
        tolerations: Array<{ operator: "Exists" }>;
        jobActiveDeadlineSecs: number;
        cordon: boolean;
        drain?: { force: boolean; ignoreDaemonSets: boolean; deleteEmptydirData: boolean; skipWaitForDeleteTimeout: number; timeout: string };
        prepare?: { image: string; args: string[] };
        upgrade: { image: string };
    };
}

const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";

const notRebooting: Requirement = { key: REBOOT_LABEL.key, operator: "NotIn", values: [REBOOT_LABEL.inProgress] };

/**
 * The server and the agent Plan, in that order, for the configured k3s version.
 * Jobs tolerate every taint: servers carry CriticalAddonsOnly when not schedulable and dedicated pools carry
 * `pool=<role>:NoSchedule`, and every selected node must be upgraded whatever runs on it.
 */
export function renderK3sUpgradePlans(config: PlatformConfig): [UpgradePlan, UpgradePlan] {
    const common = (name: string, component: string) => ({
        apiVersion: "upgrade.cattle.io/v1" as const,
        kind: "Plan" as const,
        metadata: {
            name,
            namespace: SYSTEM_UPGRADE_NAMESPACE,
            labels: { "app.kubernetes.io/part-of": "platform-upgrades", "app.kubernetes.io/component": component, [LABELS.managedBy]: "pulumi" },
        },
    });
    const spec = {
        concurrency: 1,
        version: config.cluster.k3sVersion,
        serviceAccountName: SYSTEM_UPGRADE_SERVICE_ACCOUNT,
        tolerations: [{ operator: "Exists" as const }],
        upgrade: { image: SYSTEM_UPGRADE_IMAGES.k3sUpgrade },
    };
    const server: UpgradePlan = {
        ...common(SERVER_PLAN, "k3s-server-upgrade"),
        spec: {
            ...spec,
            nodeSelector: { matchExpressions: [{ key: CONTROL_PLANE_LABEL, operator: "In", values: ["true"] }, notRebooting] },
            jobActiveDeadlineSecs: JOB_DEADLINE_SECONDS.server,
            // Cordon only, as k3s documents: draining a server would evict the platform controllers that tolerate
            // the control plane while etcd keeps quorum through the other servers.
            cordon: true,
        },
    };
    const agent: UpgradePlan = {
        ...common(AGENT_PLAN, "k3s-agent-upgrade"),
        spec: {
            ...spec,
            nodeSelector: { matchExpressions: [{ key: CONTROL_PLANE_LABEL, operator: "DoesNotExist" }, notRebooting] },
            jobActiveDeadlineSecs: JOB_DEADLINE_SECONDS.agent,
            cordon: true,
            drain: { force: true, ignoreDaemonSets: true, deleteEmptydirData: true, skipWaitForDeleteTimeout: 60, timeout: AGENT_DRAIN_TIMEOUT },
            prepare: { image: SYSTEM_UPGRADE_IMAGES.k3sUpgrade, args: ["prepare", SERVER_PLAN] },
        },
    };
    return [server, agent];
}
