import { describe, expect, it } from "vitest";
import type { PlannedResource } from "../../tools/offline/plan-types";
import { evaluatePolicyReport } from "../../policy/offline";
import type { PackPolicy } from "../../policy/rules";
import {
    baremetalServer,
    clusterIpService,
    component,
    edgeFirewallRules,
    edit,
    hcloudFirewall,
    hcloudServer,
    k8sObject,
    messagesOf,
    messagesOfRule,
    networkPolicy,
    planned,
    platformNamespace,
    tailnetKey,
    tailnetPolicyDocument,
    tailscaleAcl,
    tenantNamespace,
    tlsIngress,
    WORLD,
    withUnknown,
} from "../helpers/policy-fixtures";
import { caseOf, describeRule } from "./rule-cases";
import { networkTenantServiceExposure } from "../../policy/rules/network/tenant-service-exposure";
import { networkIngressTls } from "../../policy/rules/network/ingress-tls";
import { networkFirewallSensitivePorts } from "../../policy/rules/network/firewall-sensitive-ports";
import { networkFirewallPublicPorts } from "../../policy/rules/network/firewall-public-ports";
import { networkServerFirewall } from "../../policy/rules/network/server-firewall";
import { networkTailscaleAcl } from "../../policy/rules/network/tailscale-acl";
import { networkTailnetKey } from "../../policy/rules/network/tailnet-key";
import { networkUntrustedCodeDefaultDeny } from "../../policy/rules/network/untrusted-code-default-deny";
import { grantsOf, networkTenantHostSpace } from "../../policy/rules/network/tenant-host-space";
import { renderBuildNetworkPolicies } from "../../components/builds/network-policies";
import { networkOperatorDefaultDenyEgress } from "../../policy/rules/network/operator-default-deny-egress";
import { operatorEgressPolicies } from "../../components/databases/operator-network-policies";
import { stackPlatformConfig } from "../components/project/fixtures";

/** The not-applicable markers one rule records over the resources. */
const notApplicableOf = (policy: PackPolicy, resources: PlannedResource[]) => evaluatePolicyReport(resources, {}, { policies: [policy] }).notApplicable;

const service = clusterIpService("shop");
describeRule(
    networkTenantServiceExposure,
    () => [service],
    [
        caseOf("NodePort", edit(service, (i) => (i.spec.type = "NodePort")), ['Service in namespace "shop" has type NodePort']),
        caseOf("LoadBalancer", edit(service, (i) => (i.spec.type = "LoadBalancer")), ['Service in namespace "shop" has type LoadBalancer']),
        caseOf("externalIPs", edit(service, (i) => (i.spec.externalIPs = ["198.51.100.7"])), ['Service in namespace "shop" sets externalIPs 198.51.100.7']),
        caseOf("two externalIPs", edit(service, (i) => (i.spec.externalIPs = ["198.51.100.7", "198.51.100.8"])), ['Service in namespace "shop" sets externalIPs 198.51.100.7, 198.51.100.8']),
        caseOf("Traefik's nativelb annotation", edit(service, (i) => (i.metadata.annotations = { "traefik.ingress.kubernetes.io/service.nativelb": "true" })), [
            'Service in namespace "shop" sets traefik.ingress.kubernetes.io/service.nativelb: HTTP egress is metered at Traefik, through the ClusterIP the edge meter would bill it twice',
        ]),
        caseOf("NodePort in the default namespace", edit(service, (i) => {
            delete i.metadata.namespace;
            i.spec.type = "NodePort";
        }), ['Service in namespace "default" has type NodePort']),
    ],
    [{ title: "Traefik's LoadBalancer in its platform namespace", resources: [k8sObject("kubernetes:core/v1:Service", "traefik", "traefik", { spec: { type: "LoadBalancer" } })] }],
);

const ingress = tlsIngress("shop", "web.shop.apps.example.com");
describeRule(
    networkIngressTls,
    () => [ingress],
    [
        caseOf("no tls section", edit(ingress, (i) => delete i.spec.tls), ['rule 1 host "web.shop.apps.example.com" is not covered by the Ingress\'s tls hosts']),
        caseOf("a rule host outside tls", edit(ingress, (i) => i.spec.rules.push({ ...i.spec.rules[0], host: "shop.example.org" })), ['rule 2 host "shop.example.org" is not covered by the Ingress\'s tls hosts']),
        caseOf("a rule without host", edit(ingress, (i) => i.spec.rules.push({ http: i.spec.rules[0].http })), ["rule 2 has no host"]),
        caseOf("a rule with an empty host", edit(ingress, (i) => i.spec.rules.push({ host: "", http: i.spec.rules[0].http })), ["rule 2 has no host"]),
        caseOf("a rule with a blank host", edit(ingress, (i) => i.spec.rules.push({ host: "  ", http: i.spec.rules[0].http })), ["rule 2 has no host"]),
        caseOf("a rule that is not an object", edit(ingress, (i) => i.spec.rules.push(null)), ["rule 2 has no host"]),
        caseOf("a wildcard rule host", edit(ingress, (i) => {
            i.spec.rules[0].host = "*.apps.example.com";
            i.spec.tls[0].hosts = ["*.apps.example.com"];
        }), ['tls entry 1 names wildcard host "*.apps.example.com"', 'rule 1 has wildcard host "*.apps.example.com"']),
        caseOf("a defaultBackend", edit(ingress, (i) => (i.spec.defaultBackend = { service: { name: "web", port: { number: 80 } } })), ["Ingress sets a defaultBackend, which serves every host"]),
    ],
    [
        { title: "hosts compared case-insensitively", resources: [edit(ingress, (i) => (i.spec.rules[0].host = "WEB.shop.apps.example.com"))] },
        { title: "a defaultBackend of null (none)", resources: [edit(ingress, (i) => (i.spec.defaultBackend = null))] },
        { title: "a tls entry that is not an object beside one that covers the host", resources: [edit(ingress, (i) => i.spec.tls.unshift(null, "web-tls"))] },
    ],
);

const firewall = hcloudFirewall();
const withRule = (rule: Record<string, unknown>) => edit(firewall, (i) => i.rules.push(rule));
describeRule(
    networkFirewallSensitivePorts,
    () => [firewall, baremetalServer()],
    [
        caseOf("SSH to the world", withRule({ direction: "in", protocol: "tcp", port: "22", sourceIps: WORLD }), ["firewall rule 6 (tcp 22 from 0.0.0.0/0, ::/0) opens 22/tcp (SSH) to the Internet"]),
        caseOf("a range around etcd", withRule({ direction: "in", protocol: "tcp", port: "2000-3000", sourceIps: ["0.0.0.0/0"] }), [
            "firewall rule 6 (tcp 2000-3000 from 0.0.0.0/0) opens 2379-2380/tcp (etcd) to the Internet",
        ]),
        caseOf("any TCP port over IPv6", withRule({ direction: "in", protocol: "tcp", port: "any", sourceIps: ["::/0"] }), [
            "firewall rule 6 (tcp any from ::/0) opens 22/tcp (SSH), 6443/tcp (Kubernetes API), 10250/tcp (kubelet), 2379-2380/tcp (etcd) to the Internet",
        ]),
        caseOf("kubelet as a number", withRule({ direction: "in", protocol: "tcp", port: 10250, sourceIps: ["0.0.0.0/0"] }), ["firewall rule 6 (tcp 10250 from 0.0.0.0/0) opens 10250/tcp (kubelet) to the Internet"]),
        caseOf("flannel VXLAN", withRule({ direction: "in", protocol: "udp", port: "8472", sourceIps: WORLD }), ["firewall rule 6 (udp 8472 from 0.0.0.0/0, ::/0) opens 8472/udp (flannel VXLAN) to the Internet"]),
        caseOf("Kubernetes API on a bare-metal Robot firewall", baremetalServer("fsn1-server-1", { firewall: [{ protocol: "tcp", port: "6443", sourceIps: ["0.0.0.0/0"] }] }), [
            "bare-metal firewall rule 1 (tcp 6443 from 0.0.0.0/0) opens 6443/tcp (Kubernetes API) to the Internet",
        ]),
    ],
    [
        {
            title: "SSH from private ranges, outbound rules, discard rules, UDP 22",
            resources: [
                withRule({ direction: "in", protocol: "tcp", port: "22", sourceIps: ["100.64.0.0/10", "10.0.0.0/8"] }),
                hcloudFirewall("out-fw", [{ direction: "out", protocol: "tcp", port: "any", destinationIps: WORLD }]),
                baremetalServer("fsn1-run-1", { firewall: { rules: [{ protocol: "tcp", port: "22", sourceIps: WORLD, action: "discard" }, { protocol: "udp", port: "22", sourceIps: WORLD }] } }),
            ],
        },
    ],
);

describeRule(
    networkFirewallPublicPorts,
    () => [firewall, baremetalServer()],
    [
        caseOf("an unlisted TCP port", withRule({ direction: "in", protocol: "tcp", port: "8080", sourceIps: WORLD }), [
            "firewall rule 6 (tcp 8080 from 0.0.0.0/0, ::/0) opens 8080/tcp to the Internet, which allowedPublicPorts does not list",
        ]),
        caseOf("a range wider than the allowed ports", withRule({ direction: "in", protocol: "tcp", port: "80-443", sourceIps: WORLD }), [
            "firewall rule 6 (tcp 80-443 from 0.0.0.0/0, ::/0) opens 80-443/tcp to the Internet, which allowedPublicPorts does not list",
        ]),
        caseOf("an allowed port over the wrong protocol", withRule({ direction: "in", protocol: "udp", port: "443", sourceIps: ["0.0.0.0/0"] }), [
            "firewall rule 6 (udp 443 from 0.0.0.0/0) opens 443/udp to the Internet, which allowedPublicPorts does not list",
        ]),
        caseOf("ESP", withRule({ direction: "in", protocol: "esp", sourceIps: WORLD }), ["firewall rule 6 (esp from 0.0.0.0/0, ::/0) opens protocol esp to the Internet, which allowedPublicPorts does not list"]),
        caseOf("every port on bare metal", baremetalServer("fsn1-run-1", { firewall: [{ protocol: "udp", sourceIps: WORLD }] }), [
            "bare-metal firewall rule 1 (udp any from 0.0.0.0/0, ::/0) opens any/udp to the Internet, which allowedPublicPorts does not list",
        ]),
        caseOf("an unparseable port", withRule({ direction: "in", protocol: "tcp", port: "http", sourceIps: WORLD }), [
            'firewall rule 6 (tcp http from 0.0.0.0/0, ::/0) opens unparseable port "http" over tcp to the Internet, which allowedPublicPorts does not list',
        ]),
    ],
    [
        { title: "ports added to allowedPublicPorts", resources: [withRule({ direction: "in", protocol: "tcp", port: "8000-8010", sourceIps: WORLD }), withRule({ direction: "in", protocol: "esp", sourceIps: WORLD })], config: { allowedPublicPorts: ["80", "443", "41641/udp", "8000-8010/tcp", "esp"] } },
        { title: "a range split over allowed entries", resources: [withRule({ direction: "in", protocol: "tcp", port: "80-81", sourceIps: WORLD })], config: { allowedPublicPorts: [80, "81", "443", "41641/udp"] } },
    ],
);

describe("allowedPublicPorts config", () => {
    it("refuses entries it cannot parse", () => {
        expect(() => messagesOf("network-firewall-public-ports", [firewall], { allowedPublicPorts: ["80/sctp"] })).toThrow(/cannot parse "80\/sctp"/);
    });
});

const server = hcloudServer("fsn1-server-0");
const bare = baremetalServer("fsn1-run-0");
const attachment = (inputs: Record<string, unknown>, dependencies: string[] = []) => planned("hcloud:index/firewallAttachment:FirewallAttachment", "attach", { firewallId: 1, ...inputs }, { dependencies });
/** The hcloud server without firewallIds: only an attachment or a Firewall's applyTos can protect it. */
const unattached = edit(server, (i) => delete i.firewallIds);
/** {@link unattached} with an `id` among its props (what a server already created shows). */
const withId = (id: unknown) => edit(unattached, (i) => (i.id = id));
/** An hcloud Firewall applied through `applyTos`. */
const applyingTo = (applyTos: unknown[], dependencies: string[] = []) => edit(firewall, (i) => (i.applyTos = applyTos), { dependencies });
const UNPROTECTED = 'hcloud server "fsn1-server-0" has no firewall (empty firewallIds and no FirewallAttachment names it)';
describeRule(
    networkServerFirewall,
    () => [firewall, server, bare],
    [
        caseOf("hcloud server without firewallIds", edit(server, (i) => (i.firewallIds = [])), ['hcloud server "fsn1-server-0" has no firewall (empty firewallIds and no FirewallAttachment names it)'], [firewall]),
        caseOf("hcloud server with firewallIds missing", edit(server, (i) => delete i.firewallIds), ['hcloud server "fsn1-server-0" has no firewall (empty firewallIds and no FirewallAttachment names it)'], [
            attachment({ serverIds: [99], labelSelectors: ["platform/pool=edge"] }),
        ]),
        caseOf("bare-metal server without firewall", edit(bare, (i) => delete i.firewall), ['bare-metal server "fsn1-run-0" (Robot server 2345678) has no firewall rules']),
        caseOf("bare-metal server with an empty rule list", edit(bare, (i) => (i.firewall = { rules: [] })), ['bare-metal server "fsn1-run-0" (Robot server 2345678) has no firewall rules']),
        caseOf("bare-metal firewall disabled", edit(bare, (i) => (i.firewall = { status: "disabled", rules: edgeFirewallRules() })), ['bare-metal server "fsn1-run-0" (Robot server 2345678) has its Robot firewall disabled']),
        caseOf("bare-metal firewall with enabled: false", edit(bare, (i) => (i.firewall = { enabled: false, rules: edgeFirewallRules() })), ['bare-metal server "fsn1-run-0" (Robot server 2345678) has its Robot firewall disabled']),
        caseOf("bare-metal firewall with active: false", edit(bare, (i) => (i.firewall = { active: false, rules: edgeFirewallRules() })), ['bare-metal server "fsn1-run-0" (Robot server 2345678) has its Robot firewall disabled']),
        // Attachments and applyTos entries that name some other server, or nothing, protect nothing.
        caseOf("a FirewallAttachment that depends on another resource only", unattached, [UNPROTECTED], [firewall, attachment({ serverIds: [99] }, [firewall.urn])]),
        caseOf("a FirewallAttachment naming another server's id", withId("12345"), [UNPROTECTED], [attachment({ serverIds: [99] })]),
        caseOf("a FirewallAttachment that depends on the server but lists no server ids", unattached, [UNPROTECTED], [attachment({ labelSelectors: ["platform/pool=edge"] }, [server.urn])]),
        caseOf("a Firewall applyTos naming another server's id", withId("12345"), [UNPROTECTED], [applyingTo([{ server: 99 }])]),
        caseOf("a Firewall that depends on the server, with an applyTos entry naming no server", unattached, [UNPROTECTED], [applyingTo([{}], [server.urn])]),
        caseOf("a null server id matches no null applyTos entry", withId(null), [UNPROTECTED], [applyingTo([{ server: null }])]),
        caseOf("applyTos on a resource that is not a Firewall", unattached, [UNPROTECTED], [planned("hcloud:index/network:Network", "net", { applyTos: [{ labelSelector: "platform/role" }] })]),
    ],
    [
        { title: "a FirewallAttachment naming the server (dependency)", resources: [unattached, attachment({ serverIds: [12345] }, [server.urn])] },
        { title: "a FirewallAttachment selecting the server's labels", resources: [unattached, attachment({ labelSelectors: ["platform/pool=server,platform/role in (server, edge)"] })] },
        { title: "a FirewallAttachment with two selectors, the second one matching", resources: [unattached, attachment({ labelSelectors: ["platform/pool=edge", "platform/role=server"] })] },
        { title: "a FirewallAttachment naming the server's id (a string id, numeric serverIds)", resources: [withId("12345"), attachment({ serverIds: [12345] })] },
        { title: "a Firewall applyTos label selector", resources: [unattached, applyingTo([{ labelSelector: "platform/role" }])] },
        { title: "a Firewall applyTos naming the server (dependency)", resources: [unattached, applyingTo([{ server: 42 }], [server.urn])] },
        { title: "a Firewall applyTos naming the server's id (a numeric id, a string entry)", resources: [withId(777), applyingTo([{ server: "777" }])] },
        { title: "stacks without servers (not applicable)", resources: [component("platform:nodes:Infrastructure", "nodes")] },
    ],
);

describe("network-server-firewall with unknown values and without servers", () => {
    it("takes an hcloud server whose firewallIds are unknown at preview for protected", () => {
        expect(messagesOfRule(networkServerFirewall, [withUnknown(server, "firewallIds")])).toEqual([]);
    });

    it("takes a FirewallAttachment whose serverIds are unknown at preview for naming the server", () => {
        expect(messagesOfRule(networkServerFirewall, [unattached, withUnknown(attachment({}), "serverIds")])).toEqual([]);
    });

    it("does not judge a dynamic resource whose serverNumber is unknown at preview as a bare-metal server", () => {
        const unknownNumber = withUnknown(edit(bare, (i) => delete i.firewall), "serverNumber");
        expect(messagesOfRule(networkServerFirewall, [server, unknownNumber])).toEqual([]);
    });

    it("is not applicable to a stack without servers, and says why", () => {
        expect(notApplicableOf(networkServerFirewall, [component("platform:nodes:Infrastructure", "nodes")])).toEqual([{ policy: "network-server-firewall", reason: "the stack declares no servers" }]);
        expect(notApplicableOf(networkServerFirewall, [firewall, server])).toEqual([]);
    });
});

describe("label selectors", () => {
    it("does not attach through a selector that does not match", () => {
        const unprotected = edit(server, (i) => delete i.firewallIds);
        for (const selector of ["platform/pool=edge", "platform/pool!=server", "!platform/role", "platform/role notin (server)"]) {
            expect(messagesOf("network-server-firewall", [unprotected, attachment({ labelSelectors: [selector] })])).toHaveLength(1);
        }
    });
});

const acl = tailscaleAcl();
/** What an allow-all rule does to the fixture: its deny tests fail, and every stack reaches the other. */
const allowAllConsequences = [
    "tailnet policy tests[0] fails offline: alice@example.com → tag:policy-test-server:2379 should be denied",
    "tailnet policy tests[1] fails offline: tag:policy-test-agent → tag:prod-server:6443/tcp should be denied",
    "tailnet policy tests[2] fails offline: tag:policy-test-server → tag:prod-server:6443 should be denied",
    "tailnet policy tests[3] fails offline: tag:prod-agent → tag:policy-test-server:6443/tcp should be denied",
    "tailnet policy tests[4] fails offline: tag:prod-server → tag:policy-test-server:6443/tcp should be denied",
    ...["policy-test", "prod"].flatMap((from) => {
        const to = from === "policy-test" ? "prod" : "policy-test";
        return [`tag:${from}-server`, `tag:${from}-agent`].flatMap((src) =>
            [`tag:${to}-server`, `tag:${to}-agent`].flatMap((dst) => [
                ...[22, 6443, 9345, 2379, 2380, 10250].map((port) => `tailnet policy does not keep stack ${to} apart from ${from}: ${src} reaches ${dst}:${port}/tcp`),
                `tailnet policy does not keep stack ${to} apart from ${from}: ${src} reaches ${dst}:8472/udp`,
            ]),
        );
    }),
];
const aclWith = (change: (doc: Record<string, any>) => void) => {
    const doc = tailnetPolicyDocument();
    change(doc);
    return tailscaleAcl(doc);
};
/** Today's shape before per-stack tags: every stack's nodes shared tag:k3s-server, tag:k3s-agent, tag:edge. */
const sharedTagsDocument = {
    groups: { "group:platform-admins": ["alice@example.com"] },
    tagOwners: { "tag:k3s-server": ["group:platform-admins"], "tag:k3s-agent": ["group:platform-admins"] },
    acls: [{ action: "accept", src: ["tag:k3s-agent"], proto: "tcp", dst: ["tag:k3s-server:6443,9345"] }],
    tests: [{ src: "tag:k3s-agent", proto: "tcp", accept: ["tag:k3s-server:6443"] }],
};
describeRule(
    networkTailscaleAcl,
    () => [acl],
    [
        caseOf("allow-all acl", aclWith((d) => d.acls.push({ action: "accept", src: ["*"], dst: ["*:*"] })), [
            "tailnet policy acls[4] allows all sources to reach all destinations",
            ...allowAllConsequences,
        ]),
        caseOf("allow-all grant", aclWith((d) => (d.grants = [{ src: ["*"], dst: ["*"], ip: ["*"] }])), [
            "tailnet policy grants[0] allows all sources to reach all destinations",
            ...allowAllConsequences,
        ]),
        caseOf("no tests", aclWith((d) => delete d.tests), [
            "tailnet policy has no tests",
            "tailnet policy does not keep stack prod apart from policy-test: no test denies tag:prod-server:6443 to every policy-test node tag",
            "tailnet policy does not keep stack policy-test apart from prod: no test denies tag:policy-test-server:6443 to every prod node tag",
        ]),
        caseOf("empty tests", aclWith((d) => (d.tests = [])), [
            "tailnet policy has no tests",
            "tailnet policy does not keep stack prod apart from policy-test: no test denies tag:prod-server:6443 to every policy-test node tag",
            "tailnet policy does not keep stack policy-test apart from prod: no test denies tag:policy-test-server:6443 to every prod node tag",
        ]),
        caseOf("shared node tags (no tag per stack)", tailscaleAcl(sharedTagsDocument), [
            "tailnet policy declares no node tags of its own stack policy-test (tag:policy-test-server, -agent, -edge): node tags must be per stack",
        ]),
        caseOf("node tags without any stack prefix", tailscaleAcl({ ...sharedTagsDocument, tagOwners: { "tag:k3s": [], "tag:ci": [] }, acls: [], tests: [{ src: "tag:ci", deny: ["tag:k3s:22"] }] }), [
            "tailnet policy declares no per-stack node tags (tag:<stack>-server, tag:<stack>-agent, tag:<stack>-edge in tagOwners)",
        ]),
        caseOf("one stack's agents reach another's API", aclWith((d) => d.acls.push({ action: "accept", src: ["tag:policy-test-agent"], proto: "tcp", dst: ["tag:prod-server:6443"] })), [
            "tailnet policy tests[1] fails offline: tag:policy-test-agent → tag:prod-server:6443/tcp should be denied",
            "tailnet policy does not keep stack prod apart from policy-test: tag:policy-test-agent reaches tag:prod-server:6443/tcp",
        ]),
        caseOf("one stack's servers reach another's etcd over a grant", aclWith((d) => (d.grants = [{ src: ["tag:prod-server"], dst: ["tag:policy-test-server"], ip: ["tcp:2379-2380"] }])), [
            "tailnet policy does not keep stack policy-test apart from prod: tag:prod-server reaches tag:policy-test-server:2379/tcp",
            "tailnet policy does not keep stack policy-test apart from prod: tag:prod-server reaches tag:policy-test-server:2380/tcp",
        ]),
        caseOf("isolation not asserted by tests", aclWith((d) => (d.tests = d.tests.filter((t: { src: string }) => t.src !== "tag:prod-server"))), [
            "tailnet policy does not keep stack policy-test apart from prod: no test denies tag:policy-test-server:6443 to every prod node tag",
        ]),
        caseOf("a test the rules do not satisfy", aclWith((d) => d.tests.push({ src: "alice@example.com", proto: "tcp", accept: ["tag:policy-test-agent:22"] })), [
            "tailnet policy tests[5] fails offline: alice@example.com → tag:policy-test-agent:22/tcp should be accepted",
        ]),
        caseOf("a selector the evaluator does not model", aclWith((d) => d.acls.push({ action: "accept", src: ["autogroup:owner"], dst: ["tag:policy-test-server:22"] })), [
            'tailnet policy cannot be evaluated offline: acls[4].src[0]: unknown selector "autogroup:owner"',
        ]),
        caseOf("not HuJSON", tailscaleAcl('{"acls": [], "tests": [{}] /* unterminated'), ["tailnet policy is not valid HuJSON: unterminated block comment"]),
        caseOf("no document", edit(acl, (i) => delete i.acl), ["tailnet policy has no acl document"]),
        caseOf("a JSON array", tailscaleAcl("[]"), ["tailnet policy is not a JSON object"]),
    ],
    [
        // Without a stack in the URN there is no own stack to look for; every other check still runs.
        { title: "a URN without a stack name", resources: [edit(acl, () => undefined, { urn: "mesh-policy" })] },
        {
            title: "HuJSON with comments and trailing commas",
            resources: [
                tailscaleAcl(
                    `// tailnet policy\n{\n  /* admins */ "groups": {"group:policy-test-admins": ["a@example.com"],},\n  "tagOwners": {"tag:policy-test-server": ["group:policy-test-admins"],},\n` +
                        `  "acls": [{"action": "accept", "src": ["group:policy-test-admins"], "dst": ["tag:policy-test-server:22"],},],\n` +
                        `  "tests": [{"src": "a@example.com", "accept": ["tag:policy-test-server:22"]}], // done\n` +
                        `  "ssh": [{"action": "accept", "src": ["group:policy-test-admins"], "dst": ["tag:policy-test-server"], "users": ["// not a comment"]}],\n}\n`,
                ),
            ],
        },
        { title: "a grant from everyone to one port that is not a cluster port", resources: [aclWith((d) => (d.grants = [{ src: ["*"], dst: ["tag:prod-server"], ip: ["443"] }]))] },
    ],
);

const key = tailnetKey();
describeRule(
    networkTailnetKey,
    () => [key],
    [
        caseOf("no tags", edit(key, (i) => delete i.tags), ["tailnet key has no tags"]),
        caseOf("a user-ish tag", edit(key, (i) => (i.tags = ["k3s-server"])), ['tailnet key tags k3s-server do not start with "tag:"']),
        caseOf("two user-ish tags", edit(key, (i) => (i.tags = ["k3s-server", "k3s-agent"])), ['tailnet key tags k3s-server, k3s-agent do not start with "tag:"']),
        caseOf("two of another stack's node tags", edit(key, (i) => (i.tags = ["tag:prod-server", "tag:prod-agent"])), [
            "tailnet key tags tag:prod-server, tag:prod-agent are not node tags of stack policy-test (tag:policy-test-server, tag:policy-test-agent, tag:policy-test-edge)",
        ]),
        caseOf("an expiry of zero", edit(key, (i) => (i.expiry = 0)), ["tailnet key expiry 0 seconds is not within 1..86400"]),
        caseOf("a negative expiry", edit(key, (i) => (i.expiry = -1)), ["tailnet key expiry -1 seconds is not within 1..86400"]),
        caseOf("another stack's node tag", edit(key, (i) => (i.tags = ["tag:prod-server"])), [
            "tailnet key tags tag:prod-server are not node tags of stack policy-test (tag:policy-test-server, tag:policy-test-agent, tag:policy-test-edge)",
        ]),
        caseOf("a tag shared by every stack", edit(key, (i) => (i.tags = ["tag:k3s-server", "tag:policy-test-server"])), [
            "tailnet key tags tag:k3s-server are not node tags of stack policy-test (tag:policy-test-server, tag:policy-test-agent, tag:policy-test-edge)",
        ]),
        caseOf("no expiry", edit(key, (i) => delete i.expiry), ["tailnet key sets no expiry (the default is 90 days; at most 86400 seconds allowed)"]),
        caseOf("a week", edit(key, (i) => (i.expiry = 604_800)), ["tailnet key expiry 604800 seconds is not within 1..86400"]),
        caseOf("reusable, not ephemeral", edit(key, (i) => (i.reusable = true)), ["tailnet key is reusable but not ephemeral"]),
    ],
    [
        { title: "reusable and ephemeral", resources: [edit(key, (i) => Object.assign(i, { reusable: true, ephemeral: true, expiry: 86_400 }))] },
        // Without a stack in the URN no tag can be told foreign; the "tag:" prefix is still required.
        { title: "a URN without a stack name", resources: [edit(key, (i) => (i.tags = ["tag:ci"]), { urn: "fsn1-server-0-authkey" })] },
    ],
);

const buildsNamespace = k8sObject("kubernetes:core/v1:Namespace", undefined, "builds", {}, { "pod-security.kubernetes.io/enforce": "privileged" });
const buildPolicies = () => renderBuildNetworkPolicies({ clusterCidr: "10.42.0.0/16", serviceCidr: "10.43.0.0/16" }).map((p) => networkPolicy(p.metadata!.namespace!, p.metadata!.name!, p.spec as unknown as Record<string, unknown>));
const labelledNamespace = k8sObject("kubernetes:core/v1:Namespace", undefined, "sandbox", {}, { "platform/untrusted-code": "true" });
describeRule(
    networkUntrustedCodeDefaultDeny,
    () => [buildsNamespace, ...buildPolicies()],
    [
        { field: "the builds namespace without network policies", resources: [buildsNamespace], subject: buildsNamespace, messages: ['namespace "builds" runs tenant code and has no default-deny NetworkPolicy for Ingress and Egress'] },
        {
            field: "only the allow rules (no default-deny)",
            resources: [buildsNamespace, ...buildPolicies().filter((p) => !p.name.endsWith("default-deny"))],
            subject: buildsNamespace,
            messages: ['namespace "builds" runs tenant code and has no default-deny NetworkPolicy for Ingress and Egress'],
        },
        {
            field: "a default-deny for ingress only",
            resources: [buildsNamespace, networkPolicy("builds", "default-deny", { podSelector: {}, policyTypes: ["Ingress"] })],
            subject: buildsNamespace,
            messages: ['namespace "builds" runs tenant code and has no default-deny NetworkPolicy for Egress'],
        },
        { field: "a namespace labelled as running tenant code", resources: [labelledNamespace], subject: labelledNamespace, messages: ['namespace "sandbox" runs tenant code and has no default-deny NetworkPolicy for Ingress and Egress'] },
    ],
    [
        { title: "a labelled namespace with default-deny", resources: [labelledNamespace, networkPolicy("sandbox", "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] })] },
        { title: "other platform namespaces without network policies", resources: [buildsNamespace, ...buildPolicies(), platformNamespace("monitoring"), k8sObject("kubernetes:core/v1:Namespace", undefined, "sandbox", {}, { "platform/untrusted-code": "false" })] },
    ],
);

// Review 19d / issue 19 item 4: the database operators' namespaces deny egress by default.
const operatorNamespace = (name: string) => k8sObject("kubernetes:core/v1:Namespace", undefined, name, {}, { "pod-security.kubernetes.io/enforce": "restricted" });
const operatorPolicies = (name: string) => operatorEgressPolicies(name, stackPlatformConfig("fsn1")).map((p) => networkPolicy(name, p.metadata!.name!, p.spec as unknown as Record<string, unknown>));
const operatorNamespaces = ["cnpg-system", "pxc-system", "psmdb-system", "redis-operator"];
describeRule(
    networkOperatorDefaultDenyEgress,
    () => operatorNamespaces.flatMap((n) => [operatorNamespace(n), ...operatorPolicies(n)]),
    [
        ...operatorNamespaces.map((n) => ({
            field: `${n} without network policies`,
            resources: [operatorNamespace(n)],
            subject: operatorNamespace(n),
            messages: [`namespace "${n}" runs a database operator and has no default-deny egress NetworkPolicy (podSelector {}, policyTypes [Egress], no egress rules): render it with components/databases/operator-network-policies.ts`],
        })),
        {
            field: "cnpg-system with only the allow rules",
            resources: [operatorNamespace("cnpg-system"), ...operatorPolicies("cnpg-system").filter((p) => !p.name.endsWith("default-deny-egress"))],
            subject: operatorNamespace("cnpg-system"),
            messages: ['namespace "cnpg-system" runs a database operator and has no default-deny egress NetworkPolicy (podSelector {}, policyTypes [Egress], no egress rules): render it with components/databases/operator-network-policies.ts'],
        },
        {
            field: "pxc-system with a default-deny for ingress only",
            resources: [operatorNamespace("pxc-system"), networkPolicy("pxc-system", "default-deny", { podSelector: {}, policyTypes: ["Ingress"] })],
            subject: operatorNamespace("pxc-system"),
            messages: ['namespace "pxc-system" runs a database operator and has no default-deny egress NetworkPolicy (podSelector {}, policyTypes [Egress], no egress rules): render it with components/databases/operator-network-policies.ts'],
        },
        {
            field: "psmdb-system whose deny selects only some pods",
            resources: [operatorNamespace("psmdb-system"), networkPolicy("psmdb-system", "default-deny-egress", { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Egress"] })],
            subject: operatorNamespace("psmdb-system"),
            messages: ['namespace "psmdb-system" runs a database operator and has no default-deny egress NetworkPolicy (podSelector {}, policyTypes [Egress], no egress rules): render it with components/databases/operator-network-policies.ts'],
        },
    ],
    [
        { title: "other platform namespaces without network policies", resources: [platformNamespace("monitoring"), platformNamespace("cert-manager")] },
    ],
);

describe("network-operator-default-deny-egress without operator namespaces", () => {
    it("is not applicable, and says why", () => {
        expect(notApplicableOf(networkOperatorDefaultDenyEgress, [platformNamespace("monitoring")])).toEqual([{ policy: "network-operator-default-deny-egress", reason: "the stack declares no database operator namespace" }]);
        expect(notApplicableOf(networkOperatorDefaultDenyEgress, [operatorNamespace("cnpg-system"), ...operatorPolicies("cnpg-system")])).toEqual([]);
    });
});

describe("network-untrusted-code-default-deny without namespaces that run tenant code", () => {
    it("is not applicable, and says why", () => {
        expect(notApplicableOf(networkUntrustedCodeDefaultDeny, [platformNamespace("monitoring")])).toEqual([{ policy: "network-untrusted-code-default-deny", reason: "the stack declares no namespace that runs tenant code" }]);
        expect(notApplicableOf(networkUntrustedCodeDefaultDeny, [buildsNamespace, ...buildPolicies()])).toEqual([]);
    });
});

const shopIngress = tlsIngress("shop");
const foreignHost = "web.bank.apps.example.com";
const ingressRoute = (namespace: string, match: string) =>
    k8sObject("kubernetes:traefik.io/v1alpha1:IngressRoute", namespace, "api", { spec: { entryPoints: ["websecure"], routes: [{ kind: "Rule", match, services: [{ name: "web", port: 8080 }] }] } });
describeRule(
    networkTenantHostSpace,
    () => [tenantNamespace("shop"), shopIngress, ingressRoute("shop", "Host(`api.shop.apps.example.com`)")],
    [
        caseOf("an Ingress for another project's host", edit(shopIngress, (i) => {
            i.spec.rules[0].host = foreignHost;
            i.spec.tls[0].hosts = [foreignHost];
        }), [`Ingress rule 1 host "${foreignHost}" is outside the project's host space`, `Ingress tls entry 1 host "${foreignHost}" is outside the project's host space`], [tenantNamespace("shop")]),
        caseOf("an Ingress on the dashboard entry point", edit(shopIngress, (i) => (i.metadata.annotations = { "traefik.ingress.kubernetes.io/router.entrypoints": "websecure,traefik" })), [
            'Ingress annotation traefik.ingress.kubernetes.io/router.entrypoints names entry point "traefik"; tenant Ingresses may use web, websecure',
        ], [tenantNamespace("shop")]),
        caseOf("an Ingress in a tenant namespace without the host-suffix annotation (no host space)", shopIngress, [
            `Ingress rule 1 host "web.shop.apps.example.com" is outside the project's host space`,
            `Ingress tls entry 1 host "web.shop.apps.example.com" is outside the project's host space`,
        ], [edit(tenantNamespace("shop"), (i) => delete i.metadata.annotations["platform/host-suffix"])]),
        caseOf("an IngressRoute for another project's host", ingressRoute("shop", `Host(\`${foreignHost}\`)`), [`route rule "Host(\`${foreignHost}\`)" names host ${foreignHost} outside the project's host space`], [tenantNamespace("shop")]),
    ],
    [
        { title: "a platform Ingress for a platform host beside a tenant", resources: [tenantNamespace("shop"), shopIngress, platformNamespace("monitoring"), tlsIngress("monitoring", "grafana.apps.example.com")] },
        // The entry-point annotation means something on an Ingress only.
        { title: "a Service carrying Traefik's router annotation", resources: [tenantNamespace("shop"), edit(clusterIpService("shop"), (i) => (i.metadata.annotations = { "traefik.ingress.kubernetes.io/router.entrypoints": "traefik" }))] },
    ],
);

describe("grantsOf", () => {
    // A namespace without the host-suffix annotation has no suffix space: the empty suffix, which hostInSpace
    // reads as "none" (a mutated fallback let `Host(\`a.<fallback>\`)` through: equivalent.md, policy-network).
    it("reads the namespace's grant annotations, and an empty grant where one is missing", () => {
        // grantsOf reads the annotations only.
        const namespace = (annotations: Record<string, string>) => ({ name: "shop", labels: {}, annotations, tenant: true }) as unknown as Parameters<typeof grantsOf>[0];
        expect(grantsOf(namespace({}))).toEqual({ hostSuffix: "", customHosts: [], tcpEntryPoints: [], udpEntryPoints: [] });
        expect(
            grantsOf(namespace({ "platform/host-suffix": "shop.example.com", "platform/custom-hosts": "shop.example.org, www.shop.example.org", "platform/tcp-entrypoints": "p2p-30303" })),
        ).toEqual({ hostSuffix: "shop.example.com", customHosts: ["shop.example.org", "www.shop.example.org"], tcpEntryPoints: ["p2p-30303"], udpEntryPoints: [] });
    });
});
