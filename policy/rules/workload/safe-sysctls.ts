import type { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray, asRecord, asString } from "../../lib/values";
import { forWorkloads } from "../../lib/rule-helpers";

/** Namespaced sysctls the Pod Security Standards (baseline, Kubernetes ≥ 1.29) call safe. */
export const SAFE_SYSCTLS: readonly string[] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

/** Safe sysctls only: the others change kernel behaviour for the whole node or its neighbours. */
export const workloadSafeSysctls: ResourceValidationPolicy = {
    name: "workload-safe-sysctls",
    description: "Pods may only set safe sysctls.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forWorkloads(({ podSecurityContext }, report) => {
        for (const entry of asArray(podSecurityContext.sysctls)) {
            const name = asString(asRecord(entry)?.name) ?? "<unnamed>";
            if (!SAFE_SYSCTLS.includes(name)) {
                report(`pod sets unsafe sysctl ${name}`);
            }
        }
    }),
};
