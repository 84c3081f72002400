import type { PlatformConfig } from "../lib/config/schema";
import { metallbWorkloads } from "../components/metallb/values";
import { failoverWorkloads } from "../components/metallb/failover";
import { traefikWorkloads } from "../components/traefik/values";
import { certManagerWorkloads } from "../components/cert-manager/values";
import { longhornWorkloads } from "../components/longhorn/values";
import { minioWorkloads } from "../components/minio/values";
import { observabilityWorkloads } from "../components/observability/values";
import { argocdWorkloads } from "../components/argocd/values";
import { systemUpgradeWorkloads } from "../components/upgrades/system-upgrade-controller";
import { kuredWorkloads } from "../components/upgrades/kured";
import { kubeletCsrApproverWorkloads } from "../components/kubelet-csr-approver/values";
import { sumResources, type ResourceTotals, type WorkloadResources } from "./resources";

/**
 * What the platform add-ons reserve on a stack: every workload with the requests and limits the add-on
 * components pass to their charts (each component's `*Workloads(config)` reads the same sizing object its
 * values renderer writes). Jobs are listed but not summed (they finish). Pods the charts give no
 * resources key for are listed with no containers and a note.
 */
export function addonResourceRequests(config: PlatformConfig): { workloads: WorkloadResources[]; total: ResourceTotals; byAddon: Record<string, ResourceTotals> } {
    const workloads = [
        ...metallbWorkloads(config),
        ...failoverWorkloads(),
        ...traefikWorkloads(config),
        ...certManagerWorkloads(config),
        ...longhornWorkloads(config),
        ...minioWorkloads(config),
        ...observabilityWorkloads(config),
        ...argocdWorkloads(config),
        ...systemUpgradeWorkloads(),
        ...kuredWorkloads(config),
        ...kubeletCsrApproverWorkloads(config),
    ];
    const addons = [...new Set(workloads.map((w) => w.addon))];
    return {
        workloads,
        total: sumResources(workloads),
        byAddon: Object.fromEntries(addons.map((a) => [a, sumResources(workloads.filter((w) => w.addon === a))])),
    };
}
