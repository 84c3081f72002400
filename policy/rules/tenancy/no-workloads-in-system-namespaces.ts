import type { ResourceValidationPolicy } from "@pulumi/policy";
import { DEFAULT_NAMESPACE } from "../../lib/kubernetes";
import { forWorkloads } from "../../lib/rule-helpers";

/** Namespaces no workload of the program may run in. */
export const SYSTEM_NAMESPACES: readonly string[] = [DEFAULT_NAMESPACE, "kube-system"];

/**
 * No workloads in `default` or `kube-system` (a manifest without a namespace lands in `default`): neither has
 * the tenant guardrails, and kube-system pods are trusted by the control plane.
 */
export const tenancyNoWorkloadsInSystemNamespaces: ResourceValidationPolicy = {
    name: "tenancy-no-workloads-in-system-namespaces",
    description: "Workloads must not run in the default or kube-system namespace.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ args, namespace }, report) => {
        if (!SYSTEM_NAMESPACES.includes(namespace)) {
            return;
        }
        const implicit = args.props.metadata === undefined || (args.props.metadata as Record<string, unknown>).namespace === undefined;
        report(`workload runs in namespace "${namespace}"${implicit ? " (no metadata.namespace set)" : ""}`);
    }),
};
