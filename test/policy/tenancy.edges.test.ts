import { describe, expect, it } from "vitest";
import { evaluatePolicyReport } from "../../policy/offline";
import {
    clusterRole,
    clusterRoleBinding,
    edit,
    gvisorRuntimeClass,
    k8sObject,
    limitRange,
    messagesOfRule,
    networkPolicy,
    planned,
    platformNamespace,
    resourceQuota,
    role,
    roleBinding,
    tenancyFixture,
    tenancyFixtureWithout,
    tenantNamespace,
    withUnknown,
    workload,
} from "../helpers/policy-fixtures";
import { caseOf, describeRule } from "./rule-cases";
import { tenancyDnsEgress } from "../../policy/rules/tenancy/dns-egress";
import { tenancyResourceQuota } from "../../policy/rules/tenancy/resource-quota";
import { tenancyLimitRange } from "../../policy/rules/tenancy/limit-range";
import { tenancyNamespaceLabels } from "../../policy/rules/tenancy/namespace-labels";
import { tenancyNamespacePodSecurity } from "../../policy/rules/tenancy/namespace-pod-security";
import { tenancyNoWorkloadsInSystemNamespaces } from "../../policy/rules/tenancy/no-workloads-in-system-namespaces";
import { tenancyRbacNoClusterBindings } from "../../policy/rules/tenancy/rbac-no-cluster-bindings";
import { tenancyRbacNoWildcards } from "../../policy/rules/tenancy/rbac-no-wildcards";
import { tenancyUntrustedGvisor } from "../../policy/rules/tenancy/untrusted-gvisor";

/**
 * The edges of the tenancy rules that the table of tenancy.test.ts left open (found by `npm run mutation --
 * policy-tenancy`): the second of two objects, the other side of each `&&`/`||`, and preview-time unknowns.
 */

const shopSa = [{ kind: "ServiceAccount", name: "workload", namespace: "shop" }];

describeRule(tenancyNoWorkloadsInSystemNamespaces, tenancyFixture, [
    caseOf("a workload without metadata at all", edit(workload("Pod", "bare", null), (i) => delete i.metadata), ['workload runs in namespace "default" (no metadata.namespace set)']),
]);

describeRule(tenancyNamespaceLabels, tenancyFixture, [], [{ title: "a trusted tenant namespace", resources: [tenantNamespace("blog", "trusted")] }]);

describe("tenancy-namespace-pod-security on namespaces it does not govern", () => {
    const unlabelled = planned("kubernetes:core/v1:Namespace", "stray-namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "stray" } });

    it("leaves a namespace outside the platform's without the tenant label to the labels rule", () => {
        expect(messagesOfRule(tenancyNamespacePodSecurity, [unlabelled])).toEqual([]);
    });

    it("says why it does not apply", () => {
        const report = evaluatePolicyReport([unlabelled, platformNamespace("traefik")]);
        expect(report.notApplicable.filter((n) => n.policy === tenancyNamespacePodSecurity.name).map((n) => n.reason)).toEqual(["not a tenant namespace", "not a tenant namespace"]);
    });
});

const limits = limitRange("shop");
describeRule(
    tenancyLimitRange,
    tenancyFixture,
    [
        {
            field: "defaults on a Pod entry, not a Container entry",
            resources: tenancyFixtureWithout([limits.name], edit(limits, (i) => (i.spec.limits = [{ type: "Pod", default: { cpu: "1" }, defaultRequest: { cpu: "100m" } }]))),
            subject: tenantNamespace("shop"),
            messages: ['LimitRange of tenant namespace "shop" sets no Container default and defaultRequest'],
        },
        {
            field: "a Container entry with defaultRequest only",
            resources: tenancyFixtureWithout([limits.name], edit(limits, (i) => (i.spec.limits = [{ type: "Container", defaultRequest: { cpu: "100m" } }]))),
            subject: tenantNamespace("shop"),
            messages: ['LimitRange of tenant namespace "shop" sets no Container default and defaultRequest'],
        },
    ],
    [
        {
            title: "a second LimitRange without Container defaults beside the one with them",
            resources: [...tenancyFixture(), edit(limits, (i) => (i.spec.limits = [{ type: "PersistentVolumeClaim", max: { storage: "5Gi" } }]), { name: "shop-limitrange-pvc", urn: `${limits.urn}-pvc` })],
        },
    ],
);

describeRule(
    tenancyRbacNoClusterBindings,
    tenancyFixture,
    [],
    [
        { title: "a RoleBinding to a namespaced Role that happens to be called admin", resources: [...tenancyFixture(), roleBinding("shop", "local-admin", { kind: "Role", name: "admin" }, shopSa)] },
        { title: "a RoleBinding to ClusterRole view in the tenant namespace", resources: [...tenancyFixture(), roleBinding("shop", "viewers", { kind: "ClusterRole", name: "view" }, shopSa)] },
        {
            title: "admin granted in a platform namespace to a platform ServiceAccount",
            resources: [...tenancyFixture(), roleBinding("monitoring", "grafana-admin", { kind: "ClusterRole", name: "admin" }, [{ kind: "ServiceAccount", name: "grafana", namespace: "monitoring" }])],
        },
    ],
);

describeRule(
    tenancyRbacNoWildcards,
    tenancyFixture,
    [
        caseOf("two wildcard rules, one with both fields", role("shop", "wide", [{ apiGroups: [""], resources: ["*"], verbs: ["*"] }, { apiGroups: ["apps"], resources: ["*"], verbs: ["get"] }]), [
            'Role "shop/wide" uses wildcards in rule 1 (verbs, resources), rule 2 (resources)',
        ], tenancyFixture()),
    ],
    [
        {
            title: "a RoleBinding to a Role named like a wildcard ClusterRole",
            resources: [...tenancyFixture(), clusterRole("everything", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]), role("shop", "everything", [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }]), roleBinding("shop", "everything", { kind: "Role", name: "everything" }, shopSa)],
        },
        {
            title: "a RoleBinding to a ClusterRole of the stack without wildcards",
            resources: [...tenancyFixture(), clusterRole("reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]), roleBinding("shop", "reader", { kind: "ClusterRole", name: "reader" }, shopSa)],
        },
    ],
);

const withoutTemplate = edit(workload("Deployment", "empty", "shop"), (i) => (i.spec = { replicas: 0 }));
describeRule(
    tenancyUntrustedGvisor,
    tenancyFixture,
    [
        {
            field: "a workload of an untrusted tenant without a pod template",
            resources: [...tenancyFixture(), withoutTemplate],
            subject: withoutTemplate,
            messages: ['Deployment "shop/empty" of untrusted tenant namespace "shop" runs with runtimeClassName <unset> instead of gvisor'],
        },
    ],
    [
        {
            title: "another RuntimeClass with its own handler",
            resources: [...tenancyFixture(), gvisorRuntimeClass(), planned("kubernetes:node.k8s.io/v1:RuntimeClass", "kata-runtimeclass", { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "kata" }, handler: "kata" })],
        },
    ],
);

describe("tenancy RBAC rules read the RBAC kinds only", () => {
    // A custom resource with roleRef and subjects fields grants nothing through Kubernetes RBAC: only its own controller reads it.
    const grant = (roleName: string) =>
        k8sObject("kubernetes:example.com/v1:Grant", "shop", "grant", { roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName }, subjects: shopSa });

    it("tenancy-rbac-no-cluster-bindings leaves another kind naming cluster-admin alone", () => {
        expect(messagesOfRule(tenancyRbacNoClusterBindings, [...tenancyFixture(), grant("cluster-admin")])).toEqual([]);
    });

    it("tenancy-rbac-no-wildcards leaves another kind naming a wildcard ClusterRole alone", () => {
        const wide = clusterRole("everything", [{ apiGroups: ["*"], resources: ["*"], verbs: ["get"] }]);
        expect(messagesOfRule(tenancyRbacNoWildcards, [...tenancyFixture(), wide, grant("everything")])).toEqual([]);
    });
});

describe("tenancy stack rules with unknown values at preview (benefit of the doubt)", () => {
    it("tenancy-dns-egress takes a policy whose spec is unknown for one allowing DNS", () => {
        const unknown = withUnknown(networkPolicy("shop", "allow-dns", {}), "spec");
        expect(messagesOfRule(tenancyDnsEgress, [...tenancyFixtureWithout(["shop-networkpolicy-allow-dns"]), unknown])).toEqual([]);
    });

    it("tenancy-limit-range takes a LimitRange whose spec is unknown for one with Container defaults", () => {
        expect(messagesOfRule(tenancyLimitRange, [...tenancyFixtureWithout([limits.name]), withUnknown(limits, "spec")])).toEqual([]);
    });

    it("tenancy-resource-quota judges the known quota beside one whose spec is unknown", () => {
        const unknown = withUnknown(edit(resourceQuota("shop"), () => undefined, { name: "shop-resourcequota-later", urn: `${resourceQuota("shop").urn}-later` }), "spec");
        expect(messagesOfRule(tenancyResourceQuota, [...tenancyFixture(), unknown])).toEqual([]);
    });

    it("tenancy-untrusted-gvisor does not blame a RuntimeClass whose name is unknown", () => {
        expect(messagesOfRule(tenancyUntrustedGvisor, [...tenancyFixture(), withUnknown(gvisorRuntimeClass("runc"), "metadata")])).toEqual([]);
    });

    it("tenancy-rbac-no-cluster-bindings binds no one through a ClusterRoleBinding whose subjects are unknown, and still reports a known one", () => {
        const unknown = withUnknown(clusterRoleBinding("later", { kind: "ClusterRole", name: "view" }, []), "subjects");
        const known = clusterRoleBinding("shop-view", { kind: "ClusterRole", name: "view" }, shopSa);
        expect(messagesOfRule(tenancyRbacNoClusterBindings, [...tenancyFixture(), unknown, known])).toEqual([
            'ClusterRoleBinding "shop-view" binds ServiceAccount "shop/workload" (tenant namespace "shop") cluster-wide; use a RoleBinding',
        ]);
    });
});
