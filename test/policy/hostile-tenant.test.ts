import { describe, expect, it } from "vitest";
import { compliantStack, planned } from "../helpers/policy-fixtures";
import { evaluatePolicies, formatViolations } from "../../policy/offline";

/**
 * A hostile tenant slips raw Kubernetes objects into an otherwise compliant stack (as a tenant-controlled
 * manifest directory, a `kubernetes:yaml` config file, or a hand-written resource would). Each must be caught
 * by name, and nothing compliant may be blamed.
 */

const privilegedPod = planned("kubernetes:core/v1:Pod", "shop-pod-miner", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "miner", namespace: "shop" },
    spec: { runtimeClassName: "gvisor", containers: [{ name: "miner", image: "docker.io/library/alpine:3.20", securityContext: { privileged: true } }] },
});

const hostPathDeployment = planned("kubernetes:apps/v1:Deployment", "shop-deployment-node-reader", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "node-reader", namespace: "shop" },
    spec: {
        selector: { matchLabels: { app: "node-reader" } },
        template: {
            metadata: { labels: { app: "node-reader" } },
            spec: {
                runtimeClassName: "gvisor",
                containers: [{ name: "reader", image: "ghcr.io/example/reader:1.0", volumeMounts: [{ name: "host", mountPath: "/host" }] }],
                volumes: [{ name: "host", hostPath: { path: "/", type: "Directory" } }],
            },
        },
    },
});

const nodePortService = planned("kubernetes:core/v1:Service", "shop-service-backdoor", {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "backdoor", namespace: "shop" },
    spec: { type: "NodePort", selector: { app: "node-reader" }, ports: [{ port: 22, nodePort: 30022 }] },
});

const unisolatedNamespace = planned("kubernetes:core/v1:Namespace", "sidecar-namespace", {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
        name: "sidecar",
        labels: { "platform/tenant": "true", "platform/project": "sidecar", "platform/trust": "untrusted", "pod-security.kubernetes.io/enforce": "restricted" },
    },
});

const HOSTILE = [privilegedPod, hostPathDeployment, nodePortService, unisolatedNamespace];

describe("a hostile tenant", () => {
    const compliant = compliantStack();
    const violations = evaluatePolicies([...compliant, ...HOSTILE]);
    const caught = (policy: string, urn: string) => violations.filter((v) => v.policy === policy && v.urn === urn);

    it("starts from a stack that passes", () => {
        expect(evaluatePolicies(compliant)).toEqual([]);
    });

    it("is caught running a privileged pod", () => {
        expect(caught("workload-no-privileged", privilegedPod.urn).map((v) => v.message)).toEqual(['container "miner" sets securityContext.privileged: true']);
    });

    it("is caught mounting the node's filesystem", () => {
        expect(caught("workload-no-host-path", hostPathDeployment.urn).map((v) => v.message)).toEqual(['volume "host" is a hostPath volume']);
        expect(caught("workload-restricted-volume-types", hostPathDeployment.urn).map((v) => v.message)).toEqual(['volume "host" uses the hostPath volume type']);
    });

    it("is caught opening a NodePort", () => {
        expect(caught("network-tenant-service-exposure", nodePortService.urn).map((v) => v.message)).toEqual(['Service in namespace "shop" has type NodePort']);
    });

    it("is caught adding a tenant namespace without network isolation, quota or limits", () => {
        expect(caught("tenancy-default-deny-network-policy", unisolatedNamespace.urn).map((v) => v.message)).toEqual(['tenant namespace "sidecar" has no default-deny NetworkPolicy for Ingress and Egress']);
        expect(caught("tenancy-dns-egress", unisolatedNamespace.urn)).toHaveLength(1);
        expect(caught("tenancy-resource-quota", unisolatedNamespace.urn)).toHaveLength(1);
        expect(caught("tenancy-limit-range", unisolatedNamespace.urn)).toHaveLength(1);
    });

    it("blames only the injected resources, and every mandatory finding blocks the deployment", () => {
        const hostileUrns = new Set(HOSTILE.map((r) => r.urn));
        expect(violations.filter((v) => !hostileUrns.has(v.urn ?? ""))).toEqual([]);
        expect(new Set(violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => v.urn))).toEqual(hostileUrns);
        const report = formatViolations(violations);
        for (const name of ["workload-no-privileged", "workload-no-host-path", "network-tenant-service-exposure", "tenancy-default-deny-network-policy"]) {
            expect(report).toContain(`[${name}]`);
        }
    });
});
