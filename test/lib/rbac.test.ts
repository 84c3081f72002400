import { describe, expect, it } from "vitest";
import { resourceOfKind, rolesAllow, ruleAllows, type PolicyRule, type ResourceRequest } from "../../lib/rbac";

// Cases from the upstream authorizer's semantics (kubernetes pkg/apis/rbac/v1/evaluation_helpers.go and the
// RBAC docs: "You cannot restrict create or deletecollection requests by their resource name").
const request = (extra: Partial<ResourceRequest>): ResourceRequest => ({ verb: "get", apiGroup: "", resource: "pods", name: "web-0", namespace: "shop", ...extra });
const rule = (extra: Partial<PolicyRule>): PolicyRule => ({ apiGroups: [""], resources: ["pods"], verbs: ["get"], ...extra });

describe("RBAC rule evaluation", () => {
    it("matches a verb, group and resource only when the rule lists each (or its wildcard)", () => {
        expect(ruleAllows(rule({}), request({}))).toBe(true);
        expect(ruleAllows(rule({}), request({ verb: "delete" }))).toBe(false);
        expect(ruleAllows(rule({ verbs: ["*"] }), request({ verb: "delete" }))).toBe(true);
        expect(ruleAllows(rule({}), request({ apiGroup: "apps", resource: "pods" }))).toBe(false);
        expect(ruleAllows(rule({ apiGroups: ["*"] }), request({ apiGroup: "apps" }))).toBe(true);
        expect(ruleAllows(rule({}), request({ resource: "secrets" }))).toBe(false);
        expect(ruleAllows(rule({ resources: ["*"] }), request({ resource: "secrets" }))).toBe(true);
    });

    it("matches a subresource only as `resource/subresource` or `*/subresource`, never by the bare resource", () => {
        expect(ruleAllows(rule({}), request({ subresource: "log" }))).toBe(false);
        expect(ruleAllows(rule({ resources: ["pods/log"] }), request({ subresource: "log" }))).toBe(true);
        expect(ruleAllows(rule({ resources: ["*/log"] }), request({ subresource: "log" }))).toBe(true);
        expect(ruleAllows(rule({ resources: ["*/log"] }), request({}))).toBe(false);
        expect(ruleAllows(rule({ resources: ["*/status"] }), request({ subresource: "log" }))).toBe(false);
    });

    it("restricts by resourceNames, which a create (no name yet) never matches", () => {
        const named = rule({ resources: ["secrets"], verbs: ["get", "create"], resourceNames: ["app-secrets"] });
        expect(ruleAllows(named, request({ resource: "secrets", name: "app-secrets" }))).toBe(true);
        expect(ruleAllows(named, request({ resource: "secrets", name: "bucket-credentials" }))).toBe(false);
        expect(ruleAllows(named, request({ resource: "secrets", verb: "create", name: "" }))).toBe(false);
        expect(ruleAllows(named, request({ resource: "secrets", verb: "list", name: undefined }))).toBe(false);
        expect(ruleAllows(rule({ resourceNames: [] }), request({}))).toBe(true);
    });

    it("lets a Role act only in its own namespace, never on a cluster-scoped object", () => {
        const roles = [{ namespace: "shop", rules: [rule({ apiGroups: ["*"], resources: ["*"], verbs: ["*"] })] }];
        expect(rolesAllow(roles, request({}))).toBe(true);
        expect(rolesAllow(roles, request({ namespace: "blog" }))).toBe(false);
        expect(rolesAllow(roles, request({ resource: "namespaces", name: "shop", namespace: undefined }))).toBe(false);
        expect(rolesAllow([], request({}))).toBe(false);
    });
});

describe("resource of a kind (the REST mapper's guess)", () => {
    it("pluralizes as the API server does for the kinds a tenant stack registers", () => {
        const cases: Record<string, string> = {
            Ingress: "ingresses",
            NetworkPolicy: "networkpolicies",
            PodDisruptionBudget: "poddisruptionbudgets",
            HorizontalPodAutoscaler: "horizontalpodautoscalers",
            IngressRouteTCP: "ingressroutetcps",
            Endpoints: "endpoints",
            Cluster: "clusters",
            ScheduledBackup: "scheduledbackups",
            ConfigMap: "configmaps",
            PersistentVolumeClaim: "persistentvolumeclaims",
        };
        for (const [kind, resource] of Object.entries(cases)) {
            expect(resourceOfKind(kind), kind).toBe(resource);
        }
    });
});
