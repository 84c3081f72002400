import type { ResourceValidationPolicy } from "@pulumi/policy";
import { safeSysctlsFor } from "../../lib/catalogue";
import { configSchemaFor } from "../../lib/config";
import { asArray, asRecord, asString } from "../../lib/values";
import { forWorkloads } from "../../lib/rule-helpers";

/**
 * Safe sysctls only: the others change kernel behaviour for the whole node or its neighbours. Which ones are
 * safe grows with the Kubernetes version (pack config `kubernetesVersion`, pod-security-admission's list).
 */
export const workloadSafeSysctls: ResourceValidationPolicy = {
    name: "workload-safe-sysctls",
    description: "Pods may only set the sysctls Pod Security baseline calls safe for the cluster's Kubernetes version.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("kubernetesVersion"),
    validateResource: forWorkloads(({ podSecurityContext, config }, report) => {
        const safe = safeSysctlsFor(config.kubernetesVersion);
        for (const entry of asArray(podSecurityContext.sysctls)) {
            const name = asString(asRecord(entry)?.name) ?? "<unnamed>";
            if (!safe.includes(name)) {
                report(`pod sets sysctl ${name}, which is not safe on Kubernetes ${config.kubernetesVersion}`);
            }
        }
    }),
};
