/**
 * A small evaluator of Kubernetes RBAC rules, written after the upstream authorizer
 * (kubernetes/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go: VerbMatches, APIGroupMatches, ResourceMatches,
 * ResourceNameMatches; plugin/pkg/auth/authorizer/rbac: a Role only ever applies inside its own namespace).
 * The tests judge every object a tenant stack registers against the deployer Role with it, statically.
 */

/** One rule of a Role (rbac.authorization.k8s.io/v1 PolicyRule, resource rules only). */
export interface PolicyRule {
    /** API groups (`""` is the core group, `"*"` every group). */
    apiGroups: string[];
    /** Resources (plural), `resource/subresource`, `"*"`, or `"*\/subresource"` (any resource's subresource). */
    resources: string[];
    /** Verbs, or `"*"`. */
    verbs: string[];
    /** When set, only requests naming one of these objects match (never a create: its name is not known then). */
    resourceNames?: string[];
}

/** A namespaced Role: its rules and the one namespace they apply in. */
export interface NamespacedRole {
    /** Namespace of the Role (its RoleBinding is there too). */
    namespace: string;
    /** Its rules. */
    rules: readonly PolicyRule[];
}

/** One API request as the authorizer sees it (resource requests only). */
export interface ResourceRequest {
    /** API verb: get, list, watch, create, update, patch, delete, deletecollection, ... */
    verb: string;
    /** API group of the resource (`""` for core). */
    apiGroup: string;
    /** Resource (plural). */
    resource: string;
    /** Subresource, e.g. `status`. */
    subresource?: string;
    /** Object name; empty for create, list, watch and deletecollection of a collection. */
    name?: string;
    /** Namespace of the request; undefined for a cluster-scoped object. */
    namespace?: string;
}

/** The wildcard of verbs, groups and resources (rbacv1.VerbAll / APIGroupAll / ResourceAll). */
export const RBAC_ALL = "*";

/** Verbs that may change what a subject is allowed to do: never in a tenant deployer's Role. */
export const PRIVILEGE_VERBS: readonly string[] = ["escalate", "bind", "impersonate"];

/** VerbMatches: the rule lists the verb or `*`. */
export function verbMatches(rule: PolicyRule, verb: string): boolean {
    return rule.verbs.some((v) => v === RBAC_ALL || v === verb);
}

/** APIGroupMatches: the rule lists the group or `*`. */
export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
    return rule.apiGroups.some((g) => g === RBAC_ALL || g === group);
}

/** ResourceMatches: `*`, the exact `resource[/subresource]`, or `*\/<subresource>` for a subresource request. */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string | undefined): boolean {
    return rule.resources.some((r) => r === RBAC_ALL || r === combined || (subresource !== undefined && subresource !== "" && r === `*/${subresource}`));
}

/** ResourceNameMatches: no names in the rule, or the requested name is one of them (an empty name matches none). */
export function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
    return rule.resourceNames === undefined || rule.resourceNames.length === 0 || rule.resourceNames.includes(name ?? "");
}

/** RuleAllows for a resource request. */
export function ruleAllows(rule: PolicyRule, request: ResourceRequest): boolean {
    const combined = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
    return verbMatches(rule, request.verb) && apiGroupMatches(rule, request.apiGroup) && resourceMatches(rule, combined, request.subresource) && resourceNameMatches(rule, request.name);
}

/**
 * Whether a subject bound to these Roles (through RoleBindings in each Role's namespace) may make the request:
 * a Role grants nothing outside its namespace and nothing on cluster-scoped objects.
 */
export function rolesAllow(roles: readonly NamespacedRole[], request: ResourceRequest): boolean {
    return roles.some((role) => request.namespace === role.namespace && role.rules.some((rule) => ruleAllows(rule, request)));
}

/**
 * The resource (plural) of a kind as the API server's REST mapper guesses it (apimachinery
 * pkg/api/meta/restmapper.go UnsafeGuessKindToResource): lower-case; `-s` → `-ses`, `-y` → `-ies`, else `+s`;
 * `Endpoints` stays `endpoints`. The CRDs this platform installs follow the same rule (their `plural`).
 */
export function resourceOfKind(kind: string): string {
    const singular = kind.toLowerCase();
    if (singular === "endpoints") {
        return singular;
    }
    if (singular.endsWith("s")) {
        return `${singular}es`;
    }
    if (singular.endsWith("y")) {
        return `${singular.slice(0, -1)}ies`;
    }
    return `${singular}s`;
}

