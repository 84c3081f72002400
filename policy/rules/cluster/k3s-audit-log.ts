import type { ResourceValidationPolicy } from "@pulumi/policy";
import { argValue, flagList } from "../../lib/k3s-config";
import { forK3sNodes } from "../../lib/rule-helpers";

/** API server arguments that must name a path (without a policy file the API server audits nothing). */
export const AUDIT_PATH_ARGS: readonly string[] = ["audit-log-path", "audit-policy-file"];
/** Rotation arguments that must be positive integers (0 disables that bound). */
export const AUDIT_ROTATION_ARGS: readonly string[] = ["audit-log-maxage", "audit-log-maxbackup", "audit-log-maxsize"];

/**
 * k3s servers write an API audit log with rotation (k3s CIS hardening guide): a log path, a policy, and
 * positive maxage/maxbackup/maxsize so the log neither fills the disk nor disappears.
 */
export const clusterK3sAuditLog: ResourceValidationPolicy = {
    name: "cluster-k3s-audit-log",
    description: "k3s servers must write a rotated API audit log (audit-log-path, audit-policy-file, audit-log-maxage/maxbackup/maxsize).",
    enforcementLevel: "mandatory",
    severity: "medium",
    validateResource: forK3sNodes((node, args, report) => {
        if (node.role !== "server") {
            args.notApplicable("agents run no API server");
        }
        const apiserverArgs = flagList(node.config, "kube-apiserver-arg");
        for (const name of AUDIT_PATH_ARGS) {
            if (!argValue(apiserverArgs, name)) {
                report(`k3s server config does not set kube-apiserver-arg ${name}=<path>`);
            }
        }
        for (const name of AUDIT_ROTATION_ARGS) {
            const value = argValue(apiserverArgs, name);
            if (value === undefined || !/^\d+$/.test(value) || Number(value) <= 0) {
                report(`k3s server config does not set kube-apiserver-arg ${name} to a positive number${value === undefined ? "" : ` (found "${value}")`}`);
            }
        }
    }),
};
