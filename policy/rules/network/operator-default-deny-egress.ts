import type { StackValidationPolicy } from "@pulumi/policy";
import { NAMESPACES } from "../../../lib/conventions";
import { declaredNamespacesDefaultDeny } from "../../lib/network-policy";

/**
 * The database operators' namespaces: each operator holds a cluster-wide ServiceAccount, reads every project's
 * backup keys and system users' Secrets, and connects into tenant namespaces.
 */
export const DATABASE_OPERATOR_NAMESPACES: readonly string[] = [NAMESPACES.cnpg, NAMESPACES.pxc, NAMESPACES.psmdb, NAMESPACES.redisOperator];

/**
 * A database operator's namespace denies egress by default (review 19d): without it an operator (a compromised
 * image, a bug) reaches every pod and node port of the cluster, the cloud metadata address and the internet with
 * the bucket keys it reads. The platform stack renders the default-deny and the few allows each operator needs
 * (components/databases/operator-network-policies.ts). Checked where the Namespace is declared.
 */
export const networkOperatorDefaultDenyEgress: StackValidationPolicy = {
    name: "network-operator-default-deny-egress",
    description: "Every database operator's namespace (CloudNativePG, the Percona MySQL and MongoDB operators, the Redis operator) must have a default-deny egress NetworkPolicy.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateStack: declaredNamespacesDefaultDeny({
        covers: (namespace) => DATABASE_OPERATOR_NAMESPACES.includes(namespace.name),
        directions: ["Egress"],
        notApplicable: "the stack declares no database operator namespace",
        message: (namespace) =>
            `namespace "${namespace}" runs a database operator and has no default-deny egress NetworkPolicy (podSelector {}, policyTypes [Egress], no egress rules): render it with components/databases/operator-network-policies.ts`,
    }),
};
