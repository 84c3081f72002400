import type { ResourceValidationPolicy } from "@pulumi/policy";
import { argValue, flagList } from "../../lib/k3s-config";
import { forK3sNodes } from "../../lib/rule-helpers";

/** k3s servers refuse anonymous API requests (`kube-apiserver-arg: anonymous-auth=false`). */
export const clusterK3sAnonymousAuth: ResourceValidationPolicy = {
    name: "cluster-k3s-anonymous-auth",
    description: "k3s servers must disable anonymous API server authentication.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forK3sNodes((node, args, report) => {
        if (node.role !== "server") {
            args.notApplicable("agents run no API server");
        }
        const value = argValue(flagList(node.config, "kube-apiserver-arg"), "anonymous-auth");
        if (value?.toLowerCase() !== "false") {
            report(`k3s server config does not set kube-apiserver-arg anonymous-auth=false${value === undefined ? "" : ` (found "${value}")`}`);
        }
    }),
};
