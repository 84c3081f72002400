import { describe, expect, it } from "vitest";
import { renderBuildNetworkPolicies } from "../../../components/builds/network-policies";
import { HARBOR_PODS, renderRegistryNetworkPolicies } from "../../../components/registry/network-policies";
import { NAMESPACES } from "../../../lib/conventions";
import { connectionAllowed, type Endpoint } from "../../helpers/network-policy-eval";
import { validateObject } from "../../helpers/k8s-schema";
import { stackPlatformConfig } from "../project/fixtures";

/**
 * The `builds` namespace runs tenant code (components/builds/network-policies.ts): default-deny, then DNS, the
 * registry's front and the public internet on 80/443 only.
 */

const dev = stackPlatformConfig("dev");
const policies = [...renderBuildNetworkPolicies(dev.cluster), ...renderRegistryNetworkPolicies()];
const build: Endpoint = { namespace: NAMESPACES.builds, labels: { "platform/project": "shop" } };
const pod = (namespace: string, labels: Record<string, string>): Endpoint => ({ namespace, labels });

describe("build pod egress", () => {
    it("reaches DNS, the registry front and the internet on 80/443", () => {
        const dns = pod(NAMESPACES.kubeSystem, { "k8s-app": "kube-dns" });
        expect(connectionAllowed(policies, build, dns, { port: 53, protocol: "UDP" })).toBe(true);
        expect(connectionAllowed(policies, build, dns, { port: 53, protocol: "TCP" })).toBe(true);
        expect(connectionAllowed(policies, build, pod(NAMESPACES.registry, { ...HARBOR_PODS.labels, ...HARBOR_PODS.front }), { port: HARBOR_PODS.frontPort })).toBe(true);
        expect(connectionAllowed(policies, build, { ip: "140.82.121.4" }, { port: 443 })).toBe(true);
        expect(connectionAllowed(policies, build, { ip: "140.82.121.4" }, { port: 80 })).toBe(true);
    });

    it("reaches no mail port, no private, tailnet or metadata address, and no platform pod", () => {
        for (const port of [25, 465, 587, 2525, 22, 6443]) {
            expect(connectionAllowed(policies, build, { ip: "140.82.121.4" }, { port }), `port ${port}`).toBe(false);
        }
        for (const ip of ["169.254.169.254", "10.43.0.1", "10.0.0.2", "100.100.100.100", "192.168.1.1", "172.16.0.1", "127.0.0.1"]) {
            expect(connectionAllowed(policies, build, { ip }, { port: 443 }), ip).toBe(false);
        }
        const platformPods: Array<[Endpoint, number]> = [
            [pod(NAMESPACES.registry, { ...HARBOR_PODS.labels, component: "registry" }), 5000],
            [pod(NAMESPACES.registry, { ...HARBOR_PODS.labels, component: "database" }), 5432],
            [pod(NAMESPACES.monitoring, { "app.kubernetes.io/name": "loki" }), 3100],
            [pod(NAMESPACES.monitoring, { "app.kubernetes.io/name": "prometheus" }), 9090],
            [pod("longhorn-system", { app: "longhorn-manager" }), 9500],
            [pod("shop", { app: "web" }), 8080],
            [pod(NAMESPACES.builds, { "platform/project": "cars" }), 1234],
        ];
        for (const [target, port] of platformPods) {
            expect(connectionAllowed(policies, build, target, { port }), `${JSON.stringify(target)}:${port}`).toBe(false);
        }
    });

    it("admits nothing into a build pod", () => {
        expect(connectionAllowed(policies, pod(NAMESPACES.builds, { "platform/project": "cars" }), build, { port: 1234 })).toBe(false);
        expect(connectionAllowed(policies, { ip: "100.64.0.7" }, build, { port: 1234 })).toBe(false);
    });

    it("keeps a service CIDR outside the private ranges out of the internet rule", () => {
        const outside = renderBuildNetworkPolicies({ clusterCidr: "10.42.0.0/16", serviceCidr: "198.18.0.0/16" });
        expect(connectionAllowed(outside, build, { ip: "198.18.0.1" }, { port: 443 })).toBe(false);
        for (const object of outside) {
            const valid = validateObject(object);
            expect(valid.status, `${valid.id}: ${valid.error ?? ""}`).toBe("valid");
        }
    });
});
