import type { StackValidationPolicy } from "@pulumi/policy";
import { GVISOR_RUNTIME_CLASS } from "../../../lib/conventions";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, metadataOf, namespaceOf } from "../../lib/kubernetes";
import { isWorkloadType, podSpecOf } from "../../lib/pod-spec";
import { describeNamespaced } from "../../lib/rbac";
import { forTenantNamespaces } from "../../lib/rule-helpers";
import { asRecord, whenKnown } from "../../lib/values";

/**
 * Untrusted tenants run in the gVisor sandbox: every workload in a tenant namespace that is not labelled
 * `platform/trust: trusted` sets `runtimeClassName: gvisor`, and the stack's `gvisor` RuntimeClass (if it
 * declares one) uses the `runsc` handler, so the name cannot be pointed at the plain runtime.
 */
export const tenancyUntrustedGvisor: StackValidationPolicy = {
    name: "tenancy-untrusted-gvisor",
    description: `Workloads of untrusted tenants must run with runtimeClassName: ${GVISOR_RUNTIME_CLASS.name} (handler ${GVISOR_RUNTIME_CLASS.handler}).`,
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: configSchemaFor("platformNamespaces"),
    validateStack: forTenantNamespaces(({ resources, tenants }, report) => {
        const untrusted = new Set(tenants.filter((t) => t.trust === "untrusted").map((t) => t.name));
        for (const resource of resources) {
            if (resource.type === K8S_TYPES.runtimeClass) {
                const wrongHandler = whenKnown(
                    () => metadataOf(resource.props).name === GVISOR_RUNTIME_CLASS.name && resource.props.handler !== GVISOR_RUNTIME_CLASS.handler,
                    false,
                );
                if (wrongHandler) {
                    report(`RuntimeClass "${GVISOR_RUNTIME_CLASS.name}" uses handler "${String(resource.props.handler)}" instead of "${GVISOR_RUNTIME_CLASS.handler}"`, resource.urn);
                }
                continue;
            }
            if (!isWorkloadType(resource.type)) {
                continue;
            }
            const problem = whenKnown(() => {
                const namespace = namespaceOf(resource.props);
                if (!untrusted.has(namespace)) {
                    return undefined;
                }
                const runtimeClass = asRecord(podSpecOf(resource.type, resource.props))?.runtimeClassName;
                return runtimeClass === GVISOR_RUNTIME_CLASS.name
                    ? undefined
                    : `${describeNamespaced(resource)} of untrusted tenant namespace "${namespace}" runs with runtimeClassName ${runtimeClass === undefined ? "<unset>" : String(runtimeClass)} instead of ${GVISOR_RUNTIME_CLASS.name}`;
            }, undefined);
            if (problem) {
                report(problem, resource.urn);
            }
        }
    }),
};
