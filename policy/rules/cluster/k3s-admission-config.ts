import type { ResourceValidationPolicy } from "@pulumi/policy";
import { argValue, flagList } from "../../lib/k3s-config";
import { forK3sNodes } from "../../lib/rule-helpers";

/**
 * k3s servers load an admission configuration (`kube-apiserver-arg: admission-control-config-file=…`): it
 * carries the cluster-wide Pod Security defaults and exemptions, so namespaces without labels are not
 * `privileged` by default.
 */
export const clusterK3sAdmissionConfig: ResourceValidationPolicy = {
    name: "cluster-k3s-admission-config",
    description: "k3s servers must pass an admission-control-config-file (Pod Security Admission defaults) to the API server.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forK3sNodes((node, args, report) => {
        if (node.role !== "server") {
            args.notApplicable("agents run no API server");
        }
        const value = argValue(flagList(node.config, "kube-apiserver-arg"), "admission-control-config-file");
        if (!value) {
            report("k3s server config does not set kube-apiserver-arg admission-control-config-file=<path>");
        }
    }),
};
