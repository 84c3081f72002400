import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { plannedTenants, readGrantsPlan, readPlatformPlan, readTenantPlan, STACKS, type WrittenResource } from "../helpers/plans";
import { PRIVILEGE_VERBS, RBAC_ALL, resourceOfKind, rolesAllow, type NamespacedRole, type PolicyRule } from "../../lib/rbac";
import { apiGroupOf } from "../../lib/requirements";
import { NAMESPACES } from "../../lib/conventions";
import { tenantPlanConfig } from "../../tools/offline/stack-plans";
import { computedContract } from "../../tools/offline/stack-plans";
import { readStackConfig, syntheticSecrets } from "../../tools/offline/stack-files";
import { TENANT_CONTRACT_KEY, TENANT_KUBECONFIG_KEY } from "../../programs/tenant/load";
import { ROOT } from "../helpers/synth";

// Every tenant of every shipped region: what its app stack registers, judged against the deployer Role its grants
// stack's plan grants it, with the RBAC evaluator (lib/rbac.ts, tested on the upstream semantics).

const ROLE_TYPE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const BINDING_TYPE = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
/** What Pulumi does to an object over its life with server-side apply: apply (create + patch), read, update, delete. */
const LIFECYCLE_VERBS = ["create", "patch", "get", "update", "delete"];
const isKubernetesObject = (r: WrittenResource) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:");

/** The Roles bound to project `id`'s deployer ServiceAccount in a plan (its grants stack's), read from the plan alone. */
function deployerRoles(platform: readonly WrittenResource[], id: string): NamespacedRole[] {
    const bindings = platform.filter(
        (r) => r.type === BINDING_TYPE && (r.inputs.subjects as Array<{ kind: string; name: string; namespace: string }>).some((s) => s.kind === "ServiceAccount" && s.name === id && s.namespace === NAMESPACES.tenantDeployers),
    );
    return bindings.map((binding) => {
        const role = platform.find((r) => r.type === ROLE_TYPE && r.inputs.metadata.namespace === binding.inputs.metadata.namespace && r.inputs.metadata.name === binding.inputs.roleRef.name)!;
        expect(role, `Role of ${binding.urn}`).toBeDefined();
        return { namespace: role.inputs.metadata.namespace as string, rules: role.inputs.rules as PolicyRule[] };
    });
}

describe.each(STACKS)("tenant stack credentials in region %s", (region) => {
    const ids = plannedTenants(region);
    const grantsOf = (id: string) => readGrantsPlan(region, id).resources;

    it("binds no deployer in the platform stack, and each project's deployer only in its own grants stack", () => {
        const platform = readPlatformPlan(region).resources;
        expect(platform.filter((r) => r.type === BINDING_TYPE && (r.inputs.subjects as Array<{ namespace?: string }>).some((s) => s.namespace === NAMESPACES.tenantDeployers))).toEqual([]);
        expect(platform.filter((r) => r.type === "platform:project:ProjectGrants")).toEqual([]);
        for (const id of ids) {
            for (const other of ids.filter((o) => o !== id)) {
                expect(deployerRoles(grantsOf(id), other), `${id}'s grants stack binds ${other}'s deployer`).toEqual([]);
            }
        }
    });

    it("binds each project's deployer to Roles in its own namespace only, without RBAC, grant kinds, wildcards or privilege verbs", () => {
        expect(ids.length).toBeGreaterThan(0);
        for (const id of ids) {
            const platform = grantsOf(id);
            const roles = deployerRoles(platform, id);
            expect(roles.map((r) => r.namespace), id).toEqual([id]);
            const rules = roles.flatMap((r) => r.rules);
            expect(rules.flatMap((r) => r.apiGroups)).not.toContain("rbac.authorization.k8s.io");
            for (const field of ["apiGroups", "resources", "verbs"] as const) {
                expect(rules.flatMap((r) => r[field]), `${id} ${field}`).not.toContain(RBAC_ALL);
            }
            for (const verb of PRIVILEGE_VERBS) {
                expect(rules.flatMap((r) => r.verbs), id).not.toContain(verb);
            }
            for (const resource of ["namespaces", "resourcequotas", "limitranges", "networkpolicies", "serviceaccounts", "roles", "rolebindings"]) {
                expect(rules.flatMap((r) => r.resources), `${id} ${resource}`).not.toContain(resource);
            }
            expect(platform.filter((r) => r.type === "kubernetes:core/v1:ServiceAccount" && r.inputs.metadata.namespace === NAMESPACES.tenantDeployers && r.inputs.metadata.name === id)).toHaveLength(1);
        }
    });

    it("allows every object each tenant stack registers (kind, group, verbs, namespace), and the tenant stack registers nothing cluster-scoped or in another namespace", () => {
        for (const id of ids) {
            const roles = deployerRoles(grantsOf(id), id);
            const objects = readTenantPlan(region, id).resources.filter(isKubernetesObject);
            expect(objects.length, id).toBeGreaterThan(0);
            for (const object of objects) {
                const { apiVersion, kind, metadata } = object.inputs as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
                expect(metadata.namespace, `${id}: ${kind}/${metadata.name} must be namespaced in ${id}`).toBe(id);
                for (const verb of LIFECYCLE_VERBS) {
                    const request = { verb, apiGroup: apiGroupOf(apiVersion), resource: resourceOfKind(kind), namespace: metadata.namespace, name: verb === "create" ? "" : metadata.name };
                    expect(rolesAllow(roles, request), `${id}: ${verb} ${kind}/${metadata.name}`).toBe(true);
                }
            }
        }
    });

    it("denies the deployer what belongs to the platform or to another project", () => {
        const [id, other] = ids;
        const roles = deployerRoles(grantsOf(id!), id!);
        const denied = [
            { verb: "create", apiGroup: "networking.k8s.io", resource: "networkpolicies", namespace: id, name: "" },
            { verb: "patch", apiGroup: "", resource: "resourcequotas", namespace: id, name: "compute-and-objects" },
            { verb: "patch", apiGroup: "", resource: "namespaces", name: id },
            { verb: "get", apiGroup: "", resource: "secrets", namespace: id, name: "bucket-credentials" },
            { verb: "list", apiGroup: "", resource: "secrets", namespace: id, name: "" },
            { verb: "create", apiGroup: "rbac.authorization.k8s.io", resource: "rolebindings", namespace: id, name: "" },
            { verb: "create", apiGroup: "batch", resource: "jobs", namespace: NAMESPACES.minio, name: "" },
            { verb: "create", apiGroup: "argoproj.io", resource: "applications", namespace: NAMESPACES.argocd, name: "" },
            { verb: "get", apiGroup: "", resource: "secrets", namespace: NAMESPACES.tenantDeployers, name: `${id}-token` },
            ...(other ? [{ verb: "create", apiGroup: "apps", resource: "deployments", namespace: other, name: "" }] : []),
        ];
        for (const request of denied) {
            expect(rolesAllow(roles, request), JSON.stringify(request)).toBe(false);
        }
    });

    it("reads no other stack: no StackReference, one provider; its config holds its own token kubeconfig and only its own contract entry", () => {
        const stackConfig = readStackConfig(ROOT, region);
        for (const id of ids) {
            const resources = readTenantPlan(region, id).resources;
            expect(resources.filter((r) => r.type === "pulumi:pulumi:StackReference"), id).toEqual([]);
            expect(resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => r.name), id).toEqual(["cluster"]);
            const { config } = tenantPlanConfig(region, id, [], computedContract(region, { ...syntheticSecrets(stackConfig), ...stackConfig }, id));
            const kubeconfig = yaml.load(config[TENANT_KUBECONFIG_KEY]!) as { users: Array<{ user: Record<string, unknown> }>; contexts: Array<{ context: { namespace: string } }> };
            expect(kubeconfig.users.map((u) => Object.keys(u.user)), id).toEqual([["token"]]);
            expect(kubeconfig.contexts.map((c) => c.context.namespace)).toEqual([id]);
            expect(config[TENANT_KUBECONFIG_KEY]).not.toMatch(/client-(certificate|key)/);
            expect(Object.keys(JSON.parse(config[TENANT_CONTRACT_KEY]!).projects)).toEqual([id]);
        }
    });
});
