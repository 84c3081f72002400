import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ALLOWED_SELINUX_TYPES } from "../../lib/catalogue";
import { describeContainer } from "../../lib/pod-spec";
import { forWorkloads } from "../../lib/rule-helpers";
import { asRecord, asString } from "../../lib/values";

/**
 * SELinux options stay with the runtime's container types and never set a user or role: a custom type such as
 * `spc_t` (super-privileged container) or `unconfined_t` lifts SELinux confinement from the container
 * (Pod Security Standards baseline, pod-security-admission policy/check_seLinuxOptions.go).
 */
export const workloadSelinux: ResourceValidationPolicy = {
    name: "workload-selinux",
    description: "Pods and containers may only set the container SELinux types and no SELinux user or role.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ podSecurityContext, containers }, report) => {
        const check = (where: string, options: Record<string, unknown> | undefined) => {
            if (!options) {
                return;
            }
            const type = asString(options.type) ?? "";
            if (!ALLOWED_SELINUX_TYPES.includes(type)) {
                report(`${where} sets seLinuxOptions.type ${type}`);
            }
            for (const field of ["user", "role"]) {
                const value = asString(options[field]) ?? "";
                if (value !== "") {
                    report(`${where} sets seLinuxOptions.${field} ${value}`);
                }
            }
        };
        check("pod", asRecord(podSecurityContext.seLinuxOptions));
        for (const ref of containers) {
            check(describeContainer(ref), asRecord(ref.securityContext.seLinuxOptions));
        }
    }),
};
