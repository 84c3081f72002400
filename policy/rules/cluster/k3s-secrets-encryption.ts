import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forK3sNodes } from "../../lib/rule-helpers";
import { isTrue } from "../../lib/values";

/** k3s servers encrypt Secrets at rest (`secrets-encryption: true`): etcd snapshots leave the node for S3. */
export const clusterK3sSecretsEncryption: ResourceValidationPolicy = {
    name: "cluster-k3s-secrets-encryption",
    description: "k3s servers must enable secrets-encryption.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forK3sNodes((node, args, report) => {
        if (node.role !== "server") {
            args.notApplicable("agents do not store Secrets");
        }
        if (!isTrue(node.config["secrets-encryption"])) {
            report("k3s server config does not set secrets-encryption: true");
        }
    }),
};
