import { describe, expect, it } from "vitest";
import {
    allowDns,
    clusterRole,
    clusterRoleBinding,
    compliantTenant,
    edit,
    gvisorRuntimeClass,
    limitRange,
    messagesOf,
    networkPolicy,
    platformNamespace,
    podSpecIn,
    resourceQuota,
    role,
    roleBinding,
    tenancyFixture,
    tenancyFixtureWithout,
    tenantNamespace,
    workload,
} from "../helpers/policy-fixtures";
import { caseOf, describeRule } from "./rule-cases";
import { tenancyNoWorkloadsInSystemNamespaces } from "../../policy/rules/tenancy/no-workloads-in-system-namespaces";
import { tenancyNamespaceLabels } from "../../policy/rules/tenancy/namespace-labels";
import { tenancyNamespacePodSecurity } from "../../policy/rules/tenancy/namespace-pod-security";
import { tenancyResourceQuota } from "../../policy/rules/tenancy/resource-quota";
import { tenancyLimitRange } from "../../policy/rules/tenancy/limit-range";
import { tenancyDefaultDenyNetworkPolicy } from "../../policy/rules/tenancy/default-deny-network-policy";
import { tenancyDnsEgress } from "../../policy/rules/tenancy/dns-egress";
import { tenancyNoOpenNamespaceSelector } from "../../policy/rules/tenancy/no-open-namespace-selector";
import { tenancyEgressNoCloudMetadata } from "../../policy/rules/tenancy/egress-no-cloud-metadata";
import { tenancyEgressNoSmtp } from "../../policy/rules/tenancy/egress-no-smtp";
import { tenancyUntrustedGvisor } from "../../policy/rules/tenancy/untrusted-gvisor";
import { tenancyRbacNoClusterBindings } from "../../policy/rules/tenancy/rbac-no-cluster-bindings";
import { tenancyRbacNoWildcards } from "../../policy/rules/tenancy/rbac-no-wildcards";

const namespace = tenantNamespace("shop");
const egressPolicy = (egress: unknown[]) => networkPolicy("shop", "allow-extra", { podSelector: {}, policyTypes: ["Egress"], egress });

describeRule(tenancyNoWorkloadsInSystemNamespaces, tenancyFixture, [
    caseOf("no namespace (default)", workload("Deployment", "web", null), ['workload runs in namespace "default" (no metadata.namespace set)']),
    caseOf("explicit default", workload("Pod", "web", "default"), ['workload runs in namespace "default"']),
    caseOf("kube-system", workload("DaemonSet", "agent", "kube-system"), ['workload runs in namespace "kube-system"']),
]);

describeRule(
    tenancyNamespaceLabels,
    tenancyFixture,
    [
        caseOf("no tenant label", edit(namespace, (i) => delete i.metadata.labels["platform/tenant"]), ['namespace "shop" is not a platform namespace and lacks the label platform/tenant: "true"']),
        caseOf("no project label", edit(namespace, (i) => delete i.metadata.labels["platform/project"]), ['namespace "shop" lacks the label platform/project']),
        caseOf("invalid trust", edit(namespace, (i) => (i.metadata.labels["platform/trust"] = "mostly")), ['namespace "shop" has platform/trust: "mostly" (expected trusted or untrusted)']),
        caseOf("no labels at all", edit(namespace, (i) => delete i.metadata.labels), [
            'namespace "shop" is not a platform namespace and lacks the label platform/tenant: "true"',
            'namespace "shop" lacks the label platform/project',
            'namespace "shop" has platform/trust: <unset> (expected trusted or untrusted)',
        ]),
    ],
    [
        { title: "platform namespaces without tenant labels", resources: [platformNamespace("traefik"), platformNamespace("monitoring")] },
        { title: "a namespace added to platformNamespaces", resources: [platformNamespace("ops")], config: { platformNamespaces: ["ops"] } },
    ],
);

describeRule(
    tenancyNamespacePodSecurity,
    tenancyFixture,
    [
        caseOf("PSA label missing", edit(namespace, (i) => delete i.metadata.labels["pod-security.kubernetes.io/enforce"]), [
            'tenant namespace "shop" has pod-security.kubernetes.io/enforce: <unset> (must be restricted)',
        ]),
        caseOf("PSA baseline", edit(namespace, (i) => (i.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline")), [
            'tenant namespace "shop" has pod-security.kubernetes.io/enforce: baseline (must be restricted)',
        ]),
    ],
    [{ title: "platform namespaces without PSA labels", resources: [platformNamespace("longhorn-system")] }],
);

/** A refused quota whose database CR counts are set to `counts` (key → [value, as the message shows it]), at the platform's limit of 2. */
function databaseCountsCase(field: string, counts: Record<string, [unknown, string]>) {
    return {
        field,
        resources: tenancyFixtureWithout(
            [quota.name],
            edit(quota, (i) => {
                for (const [key, [value]] of Object.entries(counts)) {
                    i.spec.hard[key] = value;
                }
            }),
        ),
        subject: namespace,
        messages: Object.entries(counts).map(([key, [, shown]]) => `ResourceQuota of tenant namespace "shop" must bound ${key} to at most 2 (found ${shown})`),
    };
}

const quota = resourceQuota("shop");
describeRule(
    tenancyResourceQuota,
    tenancyFixture,
    [
        { field: "no ResourceQuota", resources: tenancyFixtureWithout([quota.name]), subject: namespace, messages: ['tenant namespace "shop" has no (unscoped) ResourceQuota'] },
        {
            field: "only a scoped quota",
            resources: tenancyFixtureWithout([quota.name], edit(quota, (i) => (i.spec.scopes = ["BestEffort"]))),
            subject: namespace,
            messages: ['tenant namespace "shop" has no (unscoped) ResourceQuota'],
        },
        {
            field: "compute keys missing",
            resources: tenancyFixtureWithout([quota.name], edit(quota, (i) => ["requests.cpu", "limits.memory"].forEach((k) => delete i.spec.hard[k]))),
            subject: namespace,
            messages: ['ResourceQuota of tenant namespace "shop" does not bound requests.cpu, limits.memory'],
        },
        {
            field: "object counts missing",
            resources: tenancyFixtureWithout([quota.name], edit(quota, (i) => ["pods", "services"].forEach((k) => delete i.spec.hard[k]))),
            subject: namespace,
            messages: ['ResourceQuota of tenant namespace "shop" does not bound pods, services'],
        },
        {
            field: "load balancers allowed",
            resources: tenancyFixtureWithout([quota.name], edit(quota, (i) => (i.spec.hard["services.loadbalancers"] = "2"))),
            subject: namespace,
            messages: ['ResourceQuota of tenant namespace "shop" must set services.loadbalancers to "0" (found "2")'],
        },
        ...["10", "0.5"].map((value) => ({
            field: `load balancers "${value}" (not a zero)`,
            resources: tenancyFixtureWithout([quota.name], edit(quota, (i) => (i.spec.hard["services.loadbalancers"] = value))),
            subject: namespace,
            messages: [`ResourceQuota of tenant namespace "shop" must set services.loadbalancers to "0" (found "${value}")`],
        })),
        {
            field: "load balancers allowed by both quotas, each value listed",
            resources: tenancyFixtureWithout(
                [quota.name],
                edit(quota, (i) => (i.spec.hard["services.loadbalancers"] = "1")),
                edit(quota, (i) => {
                    i.metadata.name = "second";
                    i.spec.hard = { "services.loadbalancers": 2 };
                }, { name: "shop-resourcequota-second", urn: `${quota.urn}-second` }),
            ),
            subject: namespace,
            messages: ['ResourceQuota of tenant namespace "shop" must set services.loadbalancers to "0" (found "1", 2)'],
        },
        {
            field: "the only quota selects pods by a scope selector",
            resources: tenancyFixtureWithout([quota.name], edit(quota, (i) => (i.spec.scopeSelector = { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["low"] }] }))),
            subject: namespace,
            messages: ['tenant namespace "shop" has no (unscoped) ResourceQuota'],
        },
        {
            field: "ScheduledBackups unbounded",
            resources: tenancyFixtureWithout([quota.name], edit(quota, (i) => delete i.spec.hard["count/scheduledbackups.postgresql.cnpg.io"])),
            subject: namespace,
            messages: ['ResourceQuota of tenant namespace "shop" must bound count/scheduledbackups.postgresql.cnpg.io to at most 2 (found none)'],
        },
        databaseCountsCase("restores above the platform's limit, and a count that is not a number", {
            "count/perconaxtradbclusterrestores.pxc.percona.com": ["3", '"3"'],
            "count/perconaservermongodbrestores.psmdb.percona.com": ["1k", '"1k"'],
        }),
        databaseCountsCase("database CR counts that are no plain integer: a sign, a decimal point, not text", {
            "count/scheduledbackups.postgresql.cnpg.io": ["-1", '"-1"'],
            "count/perconaxtradbclusterrestores.pxc.percona.com": ["1.0", '"1.0"'],
            "count/perconaservermongodbrestores.psmdb.percona.com": [true, "true"],
        }),
        {
            field: "node ports unbounded",
            resources: tenancyFixtureWithout([quota.name], edit(quota, (i) => delete i.spec.hard["services.nodeports"])),
            subject: namespace,
            messages: ['ResourceQuota of tenant namespace "shop" must set services.nodeports to "0" (found none)'],
        },
    ],
    [
        {
            title: "keys split over two quotas, count/ object keys",
            resources: tenancyFixtureWithout(
                [quota.name],
                edit(quota, (i) => (i.spec.hard = { "requests.cpu": "4", "requests.memory": "8Gi", "limits.memory": "8Gi" })),
                edit(quota, (i) => {
                    i.metadata.name = "objects";
                    i.spec.hard = {
                        "count/pods": "20",
                        "count/services": "5",
                        "services.loadbalancers": 0,
                        "services.nodeports": "0",
                        "count/scheduledbackups.postgresql.cnpg.io": 1,
                        "count/perconaxtradbclusterrestores.pxc.percona.com": "0",
                        "count/perconaservermongodbrestores.psmdb.percona.com": "2",
                    };
                }, { name: "shop-resourcequota-objects", urn: `${quota.urn}-objects` }),
            ),
        },
        ...["00", "0.00", "0Mi", " 0 "].map((value) => ({
            title: `a zero written "${value}"`,
            resources: tenancyFixtureWithout([quota.name], edit(quota, (i) => (i.spec.hard["services.nodeports"] = value))),
        })),
        {
            title: "one of two quotas sets load balancers to zero (the tighter quota wins)",
            resources: [
                ...tenancyFixture(),
                edit(quota, (i) => {
                    i.metadata.name = "loose";
                    i.spec.hard = { "services.loadbalancers": "3" };
                }, { name: "shop-resourcequota-loose", urn: `${quota.urn}-loose` }),
            ],
        },
        {
            title: "database CR counts written with spaces or a leading zero",
            resources: tenancyFixtureWithout(
                [quota.name],
                edit(quota, (i) => {
                    i.spec.hard["count/scheduledbackups.postgresql.cnpg.io"] = " 2 ";
                    i.spec.hard["count/perconaxtradbclusterrestores.pxc.percona.com"] = "02";
                }),
            ),
        },
        {
            title: "a second, looser quota beside one within the database CR limits (the tighter quota wins)",
            resources: [
                ...tenancyFixture(),
                edit(quota, (i) => {
                    i.metadata.name = "loose-crs";
                    i.spec.hard = { "count/scheduledbackups.postgresql.cnpg.io": "10", "count/perconaservermongodbrestores.psmdb.percona.com": 7 };
                }, { name: "shop-resourcequota-loose-crs", urn: `${quota.urn}-loose-crs` }),
            ],
        },
        { title: "no tenant namespaces (not applicable)", resources: [resourceQuota("elsewhere")] },
    ],
);

const limits = limitRange("shop");
describeRule(tenancyLimitRange, tenancyFixture, [
    { field: "no LimitRange", resources: tenancyFixtureWithout([limits.name]), subject: namespace, messages: ['tenant namespace "shop" has no LimitRange'] },
    {
        field: "no Container defaults",
        resources: tenancyFixtureWithout([limits.name], edit(limits, (i) => (i.spec.limits = [{ type: "Container", max: { memory: "8Gi" } }]))),
        subject: namespace,
        messages: ['LimitRange of tenant namespace "shop" sets no Container default and defaultRequest'],
    },
    {
        field: "a LimitRange in another namespace",
        resources: tenancyFixtureWithout([limits.name], limitRange("other")),
        subject: namespace,
        messages: ['tenant namespace "shop" has no LimitRange'],
    },
]);

describeRule(
    tenancyDefaultDenyNetworkPolicy,
    tenancyFixture,
    [
        { field: "no default-deny policy", resources: tenancyFixtureWithout(["shop-networkpolicy-default-deny"]), subject: namespace, messages: ['tenant namespace "shop" has no default-deny NetworkPolicy for Ingress and Egress'] },
        {
            field: "ingress only",
            resources: tenancyFixtureWithout(["shop-networkpolicy-default-deny"], networkPolicy("shop", "default-deny", { podSelector: {}, policyTypes: ["Ingress"] })),
            subject: namespace,
            messages: ['tenant namespace "shop" has no default-deny NetworkPolicy for Egress'],
        },
        {
            field: "a selector that leaves pods out",
            resources: tenancyFixtureWithout(["shop-networkpolicy-default-deny"], networkPolicy("shop", "default-deny", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress", "Egress"] })),
            subject: namespace,
            messages: ['tenant namespace "shop" has no default-deny NetworkPolicy for Ingress and Egress'],
        },
        {
            field: "a 'deny' that has allow rules",
            resources: tenancyFixtureWithout(["shop-networkpolicy-default-deny"], networkPolicy("shop", "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}] })),
            subject: namespace,
            messages: ['tenant namespace "shop" has no default-deny NetworkPolicy for Ingress'],
        },
    ],
    [
        {
            title: "one deny policy per direction",
            resources: tenancyFixtureWithout(
                ["shop-networkpolicy-default-deny"],
                networkPolicy("shop", "deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] }),
                networkPolicy("shop", "deny-egress", { podSelector: { matchLabels: {} }, policyTypes: ["Egress"], egress: [] }),
            ),
        },
    ],
);

describeRule(tenancyDnsEgress, tenancyFixture, [
    { field: "no DNS allow", resources: tenancyFixtureWithout(["shop-networkpolicy-allow-dns"]), subject: namespace, messages: ['tenant namespace "shop" has no NetworkPolicy allowing DNS egress (UDP 53) for all pods'] },
    {
        field: "TCP 53 only",
        resources: tenancyFixtureWithout(["shop-networkpolicy-allow-dns"], edit(allowDns("shop"), (i) => (i.spec.egress[0].ports = [{ protocol: "TCP", port: 53 }]))),
        subject: namespace,
        messages: ['tenant namespace "shop" has no NetworkPolicy allowing DNS egress (UDP 53) for all pods'],
    },
    {
        field: "UDP on another port",
        resources: tenancyFixtureWithout(["shop-networkpolicy-allow-dns"], edit(allowDns("shop"), (i) => (i.spec.egress[0].ports = [{ protocol: "UDP", port: 5353 }]))),
        subject: namespace,
        messages: ['tenant namespace "shop" has no NetworkPolicy allowing DNS egress (UDP 53) for all pods'],
    },
    {
        field: "DNS for some pods only",
        resources: tenancyFixtureWithout(["shop-networkpolicy-allow-dns"], edit(allowDns("shop"), (i) => (i.spec.podSelector = { matchLabels: { app: "web" } }))),
        subject: namespace,
        messages: ['tenant namespace "shop" has no NetworkPolicy allowing DNS egress (UDP 53) for all pods'],
    },
], [
    {
        title: "DNS port written as a string",
        resources: tenancyFixtureWithout(["shop-networkpolicy-allow-dns"], edit(allowDns("shop"), (i) => (i.spec.egress[0].ports = [{ protocol: "UDP", port: "53" }]))),
    },
]);

describeRule(
    tenancyNoOpenNamespaceSelector,
    tenancyFixture,
    [
        caseOf("ingress from every namespace", networkPolicy("shop", "open-ingress", { podSelector: {}, ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: {} }] }] }), [
            "ingress rule 1 peer 2 selects every namespace (namespaceSelector: {})",
        ]),
        caseOf("egress to every namespace", egressPolicy([{ to: [{ namespaceSelector: { matchLabels: {} }, podSelector: { matchLabels: { app: "db" } } }] }]), [
            "egress rule 1 peer 1 selects every namespace (namespaceSelector: {})",
        ]),
    ],
    [{ title: "platform namespaces (monitoring scrapes every namespace)", resources: [networkPolicy("monitoring", "scrape", { podSelector: {}, egress: [{ to: [{ namespaceSelector: {} }] }] })] }],
);

describeRule(
    tenancyEgressNoCloudMetadata,
    tenancyFixture,
    [
        caseOf("egress to every destination", egressPolicy([{ ports: [{ protocol: "TCP", port: 443 }] }]), ["egress rule 1 allows every destination, 169.254.169.254/32 included"]),
        caseOf("0.0.0.0/0 without except", egressPolicy([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ port: 443 }] }]), [
            "egress rule 1 has an ipBlock containing 169.254.169.254/32 without excepting it",
        ]),
        caseOf("the link-local range", egressPolicy([{ to: [{ podSelector: {} }] }, { to: [{ ipBlock: { cidr: "169.254.0.0/16" } }] }]), [
            "egress rule 2 has an ipBlock containing 169.254.169.254/32 without excepting it",
        ]),
    ],
    [
        { title: "excepted by a wider range", resources: [egressPolicy([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } }] }])] },
        { title: "IPv6 internet", resources: [egressPolicy([{ to: [{ ipBlock: { cidr: "::/0" } }], ports: [{ port: 443 }] }])] },
    ],
);

describeRule(
    tenancyEgressNoSmtp,
    tenancyFixture,
    [
        caseOf("port 25", egressPolicy([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 25 }] }]), ["egress rule 1 allows SMTP port 25"]),
        caseOf("a range over 465", egressPolicy([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ port: 400, endPort: 500 }] }]), ["egress rule 1 allows SMTP port 465"]),
        caseOf("every port to the internet", egressPolicy([{ to: [{ ipBlock: { cidr: "203.0.113.0/24" } }] }]), ["egress rule 1 allows every port outside the cluster, SMTP 25/465/587/2525 included"]),
        caseOf("every TCP port", egressPolicy([{ to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ protocol: "TCP" }] }]), ["egress rule 1 allows SMTP port 25, 465, 587, 2525"]),
        caseOf("port 587", egressPolicy([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ protocol: "TCP", port: 587 }] }]), ["egress rule 1 allows SMTP port 587"]),
        caseOf("port 2525 by name of its number", egressPolicy([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ port: "2525" }] }]), ["egress rule 1 allows SMTP port 2525"]),
        caseOf("a range from 500 to 600", egressPolicy([{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ port: 500, endPort: 600 }] }]), ["egress rule 1 allows SMTP port 587"]),
    ],
    [{ title: "UDP 25 and in-cluster egress without ports", resources: [egressPolicy([{ to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ protocol: "UDP", port: 25 }] }, { to: [{ podSelector: {} }] }])] }],
);

const sandboxed = workload("Deployment", "web", "shop");
const unsandboxed = edit(sandboxed, (i) => delete podSpecIn(i).runtimeClassName);
describeRule(
    tenancyUntrustedGvisor,
    () => [...tenancyFixture(), gvisorRuntimeClass()],
    [
        {
            field: "untrusted workload without the sandbox",
            resources: [...tenancyFixtureWithout([sandboxed.name]), unsandboxed],
            subject: unsandboxed,
            messages: ['Deployment "shop/web" of untrusted tenant namespace "shop" runs with runtimeClassName <unset> instead of gvisor'],
        },
        {
            field: "plain runc runtime class",
            resources: [...tenancyFixtureWithout([sandboxed.name]), edit(sandboxed, (i) => (podSpecIn(i).runtimeClassName = "runc"))],
            messages: ['Deployment "shop/web" of untrusted tenant namespace "shop" runs with runtimeClassName runc instead of gvisor'],
        },
        {
            field: "a namespace without trust label counts as untrusted",
            resources: [...tenancyFixtureWithout([sandboxed.name, namespace.name]), edit(namespace, (i) => delete i.metadata.labels["platform/trust"]), edit(workload("CronJob", "report", "shop"), (i) => delete podSpecIn(i, "CronJob").runtimeClassName)],
            messages: ['CronJob "shop/report" of untrusted tenant namespace "shop" runs with runtimeClassName <unset> instead of gvisor'],
        },
        {
            field: "gvisor RuntimeClass pointed at runc",
            resources: [...tenancyFixture(), gvisorRuntimeClass("runc")],
            subject: gvisorRuntimeClass("runc"),
            messages: ['RuntimeClass "gvisor" uses handler "runc" instead of "runsc"'],
        },
    ],
    [{ title: "trusted tenants without the sandbox", resources: [...compliantTenant("blog", "trusted").map((r) => (r.type === sandboxed.type ? edit(r, (i) => delete podSpecIn(i).runtimeClassName) : r))] }],
);

const adminBinding = roleBinding("shop", "admin", { kind: "ClusterRole", name: "cluster-admin" }, [{ kind: "ServiceAccount", name: "workload", namespace: "shop" }]);
describeRule(
    tenancyRbacNoClusterBindings,
    tenancyFixture,
    [
        caseOf("ClusterRoleBinding to a tenant ServiceAccount", clusterRoleBinding("shop-view", { kind: "ClusterRole", name: "view" }, [{ kind: "ServiceAccount", name: "workload", namespace: "shop" }]), [
            'ClusterRoleBinding "shop-view" binds ServiceAccount "shop/workload" (tenant namespace "shop") cluster-wide; use a RoleBinding',
        ], tenancyFixture()),
        caseOf("ClusterRoleBinding to a tenant's ServiceAccount group", clusterRoleBinding("shop-sas", { kind: "ClusterRole", name: "view" }, [{ kind: "Group", name: "system:serviceaccounts:shop" }]), [
            'ClusterRoleBinding "shop-sas" binds Group "system:serviceaccounts:shop" (tenant namespace "shop") cluster-wide; use a RoleBinding',
        ], tenancyFixture()),
        caseOf("ClusterRoleBinding to every authenticated caller", clusterRoleBinding("everyone", { kind: "ClusterRole", name: "edit" }, [{ kind: "Group", name: "system:authenticated" }]), [
            'ClusterRoleBinding "everyone" binds Group "system:authenticated" (every tenant) cluster-wide; use a RoleBinding',
        ], tenancyFixture()),
        caseOf("cluster-admin in a tenant namespace", adminBinding, ['RoleBinding "shop/admin" grants cluster-admin in tenant namespace "shop"'], tenancyFixture()),
        caseOf("cluster-admin to a tenant elsewhere", roleBinding("monitoring", "shop-admin", { kind: "ClusterRole", name: "cluster-admin" }, [{ kind: "ServiceAccount", name: "workload", namespace: "shop" }]), [
            'RoleBinding "monitoring/shop-admin" grants cluster-admin to ServiceAccount "shop/workload"',
        ], tenancyFixture()),
    ],
    [{ title: "platform ClusterRoleBindings to platform ServiceAccounts", resources: [...tenancyFixture(), clusterRoleBinding("traefik", { kind: "ClusterRole", name: "traefik" }, [{ kind: "ServiceAccount", name: "traefik", namespace: "traefik" }])] }],
);

const wideRole = clusterRole("everything", [{ apiGroups: ["*"], resources: ["*"], verbs: ["get"] }]);
describeRule(
    tenancyRbacNoWildcards,
    tenancyFixture,
    [
        caseOf("wildcard verbs", role("shop", "writer", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }, { apiGroups: [""], resources: ["secrets"], verbs: ["*"] }]), [
            'Role "shop/writer" uses wildcards in rule 2 (verbs)',
        ], tenancyFixture()),
        caseOf("wildcard resources", role("shop", "reader", [{ apiGroups: ["apps"], resources: ["*"], verbs: ["get", "list"] }]), ['Role "shop/reader" uses wildcards in rule 1 (resources)'], tenancyFixture()),
        caseOf("a RoleBinding to a wildcard ClusterRole", roleBinding("shop", "everything", { kind: "ClusterRole", name: "everything" }, [{ kind: "ServiceAccount", name: "workload" }]), [
            'RoleBinding "shop/everything" binds ClusterRole "everything", which uses wildcards in rule 1 (resources)',
        ], [...tenancyFixture(), wideRole]),
    ],
    [{ title: "wildcards in platform namespaces", resources: [...tenancyFixture(), role("monitoring", "prometheus", [{ apiGroups: [""], resources: ["*"], verbs: ["get"] }])] }],
);

describe("tenant namespace detection", () => {
    it("treats a platform namespace as exempt even when labelled as a tenant", () => {
        const labelled = tenantNamespace("traefik");
        expect(messagesOf("tenancy-default-deny-network-policy", [labelled])).toEqual([]);
        expect(messagesOf("tenancy-default-deny-network-policy", [labelled], { platformNamespaces: [] })).toEqual(['tenant namespace "traefik" has no default-deny NetworkPolicy for Ingress and Egress']);
    });
});
