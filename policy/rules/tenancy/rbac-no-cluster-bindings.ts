import type { StackValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, namespaceOf } from "../../lib/kubernetes";
import { describeClusterScoped, describeNamespaced, describeSubject, roleRefOf, subjectsOf, tenantOfSubject } from "../../lib/rbac";
import { forTenantNamespaces } from "../../lib/rule-helpers";
import { whenKnown } from "../../lib/values";
import { FORBIDDEN_TENANT_CLUSTER_ROLES } from "../../lib/catalogue";

/**
 * Tenant RBAC only through RoleBindings, never cluster-admin: no ClusterRoleBinding names a tenant's
 * ServiceAccounts (or a group containing them), and no RoleBinding grants cluster-admin or admin in a tenant
 * namespace or to a tenant subject (either, in a namespace, still means every Secret, Role and NetworkPolicy there).
 */
export const tenancyRbacNoClusterBindings: StackValidationPolicy = {
    name: "tenancy-rbac-no-cluster-bindings",
    description: "Tenants get RBAC only through RoleBindings, never ClusterRoleBindings or cluster-admin.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: configSchemaFor("platformNamespaces"),
    validateStack: forTenantNamespaces(({ resources, tenants }, report) => {
        const tenantNames = new Set(tenants.map((t) => t.name));
        for (const resource of resources) {
            if (resource.type === K8S_TYPES.clusterRoleBinding) {
                const subjects = whenKnown(() => subjectsOf(resource.props), []);
                for (const subject of subjects) {
                    const tenant = tenantOfSubject(subject, tenantNames);
                    if (tenant !== undefined) {
                        const whose = tenant === "*" ? "every tenant" : `tenant namespace "${tenant}"`;
                        report(`${describeClusterScoped(resource)} binds ${describeSubject(subject)} (${whose}) cluster-wide; use a RoleBinding`, resource.urn);
                    }
                }
            } else if (resource.type === K8S_TYPES.roleBinding) {
                const problem = whenKnown(() => {
                    const roleRef = roleRefOf(resource.props);
                    if (roleRef.kind !== "ClusterRole" || !FORBIDDEN_TENANT_CLUSTER_ROLES.includes(roleRef.name)) {
                        return undefined;
                    }
                    const namespace = namespaceOf(resource.props);
                    const tenantSubject = subjectsOf(resource.props).find((s) => tenantOfSubject(s, tenantNames, namespace) !== undefined);
                    if (tenantNames.has(namespace)) {
                        return `${describeNamespaced(resource)} grants ${roleRef.name} in tenant namespace "${namespace}"`;
                    }
                    return tenantSubject ? `${describeNamespaced(resource)} grants ${roleRef.name} to ${describeSubject(tenantSubject)}` : undefined;
                }, undefined);
                if (problem) {
                    report(problem, resource.urn);
                }
            }
        }
    }),
};
