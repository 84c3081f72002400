import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, metadataOf, namespaceOf } from "../../lib/kubernetes";
import { describeNamespaced, roleRefOf, wildcardRulesOf } from "../../lib/rbac";
import { forTenantNamespaces } from "../../lib/rule-helpers";
import { whenKnown } from "../../lib/values";

const describeWildcards = (found: Array<{ index: number; fields: string[] }>) => found.map((f) => `rule ${f.index} (${f.fields.join(", ")})`).join(", ");

/**
 * No wildcard verbs or resources in tenant RBAC: a `*` grows with every CRD and verb the cluster gains.
 * Checked on Roles in tenant namespaces and on ClusterRoles of the stack that a tenant RoleBinding references.
 */
export const tenancyRbacNoWildcards: StackValidationPolicy = {
    name: "tenancy-rbac-no-wildcards",
    description: "Tenant Roles (and ClusterRoles bound in tenant namespaces) must not use wildcard verbs or resources.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces"),
    validateStack: forTenantNamespaces(({ resources, tenants }, report) => {
        const tenantNames = new Set(tenants.map((t) => t.name));
        const clusterRoles = new Map<string, Array<{ index: number; fields: string[] }>>();
        for (const resource of resources.filter((r) => r.type === K8S_TYPES.clusterRole)) {
            whenKnown(() => clusterRoles.set(metadataOf(resource.props).name ?? resource.name, wildcardRulesOf(resource.props)), undefined);
        }
        for (const resource of resources) {
            const problem = whenKnown(() => {
                if (resource.type !== K8S_TYPES.role && resource.type !== K8S_TYPES.roleBinding) {
                    return undefined;
                }
                const namespace = namespaceOf(resource.props);
                if (!tenantNames.has(namespace)) {
                    return undefined;
                }
                if (resource.type === K8S_TYPES.role) {
                    const found = wildcardRulesOf(resource.props);
                    return found.length > 0 ? `${describeNamespaced(resource)} uses wildcards in ${describeWildcards(found)}` : undefined;
                }
                const roleRef = roleRefOf(resource.props);
                const found = roleRef.kind === "ClusterRole" ? clusterRoles.get(roleRef.name) : undefined;
                return found && found.length > 0
                    ? `${describeNamespaced(resource)} binds ClusterRole "${roleRef.name}", which uses wildcards in ${describeWildcards(found)}`
                    : undefined;
            }, undefined);
            if (problem) {
                report(problem, resource.urn);
            }
        }
    }),
};
