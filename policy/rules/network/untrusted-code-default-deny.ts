import type { StackValidationPolicy } from "@pulumi/policy";
import { UNTRUSTED_CODE_LABEL, UNTRUSTED_CODE_NAMESPACES } from "../../lib/catalogue";
import { namespacesOf, type ResourceView } from "../../lib/namespaces";
import { defaultDeniedDirections } from "../../lib/network-policy";

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
    validateStack: (args, report) => {
        const resources = args.resources as unknown as ResourceView[];
        const untrusted = [...namespacesOf(resources, []).values()].filter((ns) => UNTRUSTED_CODE_NAMESPACES.includes(ns.name) || ns.labels[UNTRUSTED_CODE_LABEL] === "true");
        if (untrusted.length === 0) {
            args.notApplicable("the stack declares no namespace that runs tenant code");
        }
        for (const namespace of untrusted) {
            const denied = defaultDeniedDirections(resources, namespace.name);
            const open = (["Ingress", "Egress"] as const).filter((direction) => !denied[direction]);
            if (open.length > 0) {
                report(`namespace "${namespace.name}" runs tenant code and has no default-deny NetworkPolicy for ${open.join(" and ")}`, namespace.resource.urn);
            }
        }
    },
};
