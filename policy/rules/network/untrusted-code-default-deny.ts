import type { StackValidationPolicy } from "@pulumi/policy";
import { UNTRUSTED_CODE_LABEL, UNTRUSTED_CODE_NAMESPACES } from "../../lib/catalogue";
import { declaredNamespacesDefaultDeny } from "../../lib/network-policy";

/**
 * A platform namespace that runs tenant code (the builds namespace, {@link UNTRUSTED_CODE_NAMESPACES}, or any
 * namespace labelled {@link UNTRUSTED_CODE_LABEL}) denies ingress and egress by default, like a tenant namespace:
 * without it, a build's `RUN` step reaches every pod and address of the cluster (Harbor's backends, Loki, the
 * kube-apiserver, the cloud metadata address) and the internet on every port. Checked where the Namespace is
 * declared (the platform stack).
 */
export const networkUntrustedCodeDefaultDeny: StackValidationPolicy = {
    name: "network-untrusted-code-default-deny",
    description: "Every platform namespace that runs tenant code (builds) must have a default-deny ingress and egress NetworkPolicy.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateStack: declaredNamespacesDefaultDeny({
        covers: (namespace) => UNTRUSTED_CODE_NAMESPACES.includes(namespace.name) || namespace.labels[UNTRUSTED_CODE_LABEL] === "true",
        directions: ["Ingress", "Egress"],
        notApplicable: "the stack declares no namespace that runs tenant code",
        message: (namespace, open) => `namespace "${namespace}" runs tenant code and has no default-deny NetworkPolicy for ${open.join(" and ")}`,
    }),
};
