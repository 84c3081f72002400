import type { ResourceValidationPolicy } from "@pulumi/policy";
import { argValue, flagList } from "../../lib/k3s-config";
import { forK3sNodes } from "../../lib/rule-helpers";
import { isTrue } from "../../lib/values";

/**
 * Every node (server and agent) turns off the kubelet's unauthenticated read-only port
 * (`kubelet-arg: read-only-port=0`) and runs with `protect-kernel-defaults: true` (the kubelet refuses to start
 * on kernel settings that differ from the hardened ones instead of silently changing them).
 */
export const clusterK3sKubeletHardening: ResourceValidationPolicy = {
    name: "cluster-k3s-kubelet-hardening",
    description: "Every k3s node must set kubelet read-only-port=0 and protect-kernel-defaults: true.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forK3sNodes((node, _args, report) => {
        const readOnlyPort = argValue(flagList(node.config, "kubelet-arg"), "read-only-port");
        if (readOnlyPort !== "0") {
            report(`k3s ${node.role} config does not set kubelet-arg read-only-port=0${readOnlyPort === undefined ? "" : ` (found "${readOnlyPort}")`}`);
        }
        if (!isTrue(node.config["protect-kernel-defaults"])) {
            report(`k3s ${node.role} config does not set protect-kernel-defaults: true`);
        }
    }),
};
