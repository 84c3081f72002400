import { describe, expect, it } from "vitest";
import { operatorEgressPolicies, OPERATOR_EGRESS } from "../../../components/databases/operator-network-policies";
import { NAMESPACES } from "../../../lib/conventions";
import { DATABASE_OPERATOR_NAMESPACES } from "../../../policy/rules/network/operator-default-deny-egress";
import { METADATA_ADDRESS, ruleReachesAddress, rulesOf } from "../../../policy/lib/network-policy";
import { validateObject } from "../../helpers/k8s-schema";
import { stackPlatformConfig } from "../project/fixtures";

/**
 * Issue 19, review 19d: the database operators' namespaces get default-deny egress plus exactly what each operator
 * needs (DNS, the API server, the tenant database ports it connects to, the bucket for the Percona operators, which
 * read and delete backups themselves). The expected rules are written out here from the operators' sources
 * (components/databases/operator-network-policies.ts names them) and the stacks' default CIDRs.
 */

const fsn1 = stackPlatformConfig("fsn1");
const noBucket = { ...fsn1, backup: { ...fsn1.backup, s3: undefined } };
const egressOf = (namespace: string, config = fsn1) => operatorEgressPolicies(namespace, config);
const rulesByName = (namespace: string, config = fsn1) => Object.fromEntries(egressOf(namespace, config).map((p) => [p.metadata!.name, p.spec!.egress ?? []]));

const DNS = [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }];
const API = [
    { to: [{ ipBlock: { cidr: "100.64.0.0/10" } }], ports: [{ protocol: "TCP", port: 6443 }] },
    { to: [{ ipBlock: { cidr: "10.43.0.1/32" } }], ports: [{ protocol: "TCP", port: 443 }] },
];
const tenants = (ports: number[]) => [{ to: [{ namespaceSelector: { matchLabels: { "platform/tenant": "true" } } }], ports: ports.map((port) => ({ protocol: "TCP", port })) }];
const BUCKET = [
    {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"] } }],
        ports: [{ protocol: "TCP", port: 443 }],
    },
];

describe("egress of the database operators' namespaces", () => {
    it("covers every operator namespace the platform creates", () => {
        expect(OPERATOR_EGRESS.map((o) => o.namespace).sort()).toEqual(["cnpg-system", "psmdb-system", "pxc-system", "redis-operator"]);
        // The pack rule network-operator-default-deny-egress checks the same namespaces.
        expect([...DATABASE_OPERATOR_NAMESPACES].sort()).toEqual(["cnpg-system", "psmdb-system", "pxc-system", "redis-operator"]);
    });

    it.each([NAMESPACES.cnpg, NAMESPACES.pxc, NAMESPACES.psmdb, NAMESPACES.redisOperator])("%s: schema-valid, default-deny egress for every pod, ingress untouched", (namespace) => {
        const policies = egressOf(namespace);
        for (const policy of policies) {
            expect(validateObject(policy as never).status, policy.metadata!.name).toBe("valid");
            expect(policy.metadata!.namespace).toBe(namespace);
            expect(policy.spec!.podSelector).toEqual({});
            expect(policy.spec!.policyTypes).toEqual(["Egress"]);
        }
        expect(policies[0]!.metadata!.name).toBe("default-deny-egress");
        expect(policies[0]!.spec!.egress).toBeUndefined();
    });

    it("CloudNativePG: DNS, the API server and the instance managers' status port; no bucket, no internet", () => {
        expect(rulesByName(NAMESPACES.cnpg)).toEqual({ "default-deny-egress": [], "allow-dns": DNS, "allow-api-server": API, "allow-tenant-databases": tenants([8000]) });
    });

    it("MySQL operator: the nodes' SQL and admin ports and the binlog collector, and the bucket over HTTPS", () => {
        expect(rulesByName(NAMESPACES.pxc)).toEqual({ "default-deny-egress": [], "allow-dns": DNS, "allow-api-server": API, "allow-tenant-databases": tenants([3306, 33062, 8080]), "allow-backup-bucket": BUCKET });
    });

    it("MongoDB operator: mongod and the bucket over HTTPS", () => {
        expect(rulesByName(NAMESPACES.psmdb)).toEqual({ "default-deny-egress": [], "allow-dns": DNS, "allow-api-server": API, "allow-tenant-databases": tenants([27017]), "allow-backup-bucket": BUCKET });
    });

    it("Redis operator: the members and Sentinels; no internet", () => {
        expect(rulesByName(NAMESPACES.redisOperator)).toEqual({ "default-deny-egress": [], "allow-dns": DNS, "allow-api-server": API, "allow-tenant-databases": tenants([6379, 26379]) });
    });

    it("opens no bucket rule on a stack without an off-cluster target", () => {
        expect(Object.keys(rulesByName(NAMESPACES.pxc, noBucket))).toEqual(["default-deny-egress", "allow-dns", "allow-api-server", "allow-tenant-databases"]);
    });

    it.each([NAMESPACES.cnpg, NAMESPACES.pxc, NAMESPACES.psmdb, NAMESPACES.redisOperator])("%s: reaches neither the cloud metadata service nor a node's SSH or kubelet", (namespace) => {
        const rules = egressOf(namespace).flatMap((p) => rulesOf(p.spec as unknown as Record<string, unknown>, "egress"));
        expect(rules.some((rule) => ruleReachesAddress(rule, METADATA_ADDRESS))).toBe(false);
        // A node's private and tailnet addresses: only the API server's port is open to the tailnet range.
        for (const rule of rules.filter((r) => ruleReachesAddress(r, "100.101.102.103") || ruleReachesAddress(r, "10.0.1.5"))) {
            expect(rule.ports).toEqual([{ protocol: "TCP", port: 6443 }]);
        }
    });

    it("refuses an operator namespace it has no rules for", () => {
        expect(() => operatorEgressPolicies("velero", fsn1)).toThrow(/no egress rules for the operator namespace velero/);
    });
});
