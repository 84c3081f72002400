import type { StackValidationPolicy } from "@pulumi/policy";
import { TENANT_PLACEMENT } from "../../lib/catalogue";
import { configSchemaFor } from "../../lib/config";
import { namespaceOf } from "../../lib/kubernetes";
import { isWorkloadType, podSpecOf } from "../../lib/pod-spec";
import { tenantPlacementProblems } from "../../lib/placement";
import { describeNamespaced } from "../../lib/rbac";
import { forTenantNamespaces } from "../../lib/rule-helpers";
import { whenKnown } from "../../lib/values";

/**
 * Tenant pods stay on the tenant pools (policy/lib/catalogue.ts TENANT_PLACEMENT): every workload in a tenant
 * namespace, trusted or not, sets no `nodeName`, tolerates no platform taint but the run pool's, and selects
 * (nodeSelector, node affinity) no other pool and no node by name. The build pool is the builds' alone, the
 * servers the control plane's.
 */
export const tenancyPodPlacement: StackValidationPolicy = {
    name: "tenancy-pod-placement",
    description: `Tenant workloads must stay on the tenant pools (${TENANT_PLACEMENT.poolLabel} ${TENANT_PLACEMENT.pools.join(" or ")}): no nodeName, no other pool's toleration or selector.`,
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateStack: forTenantNamespaces(({ resources, tenants }, report) => {
        const tenantNames = new Set(tenants.map((t) => t.name));
        for (const resource of resources) {
            if (!isWorkloadType(resource.type)) {
                continue;
            }
            const problems = whenKnown(() => (tenantNames.has(namespaceOf(resource.props)) ? tenantPlacementProblems(podSpecOf(resource.type, resource.props)) : []), []);
            for (const problem of problems) {
                report(`${describeNamespaced(resource)} ${problem}`, resource.urn);
            }
        }
    }),
};
