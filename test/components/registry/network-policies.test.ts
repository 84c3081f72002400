import { describe, expect, it } from "vitest";
import { HARBOR_PODS, renderRegistryNetworkPolicies } from "../../../components/registry/network-policies";
import { renderBuildNetworkPolicies } from "../../../components/builds/network-policies";
import { NAMESPACES, PROMETHEUS_POD_LABELS } from "../../../lib/conventions";
import { connectionAllowed, type Endpoint } from "../../helpers/network-policy-eval";
import { validateObject } from "../../helpers/k8s-schema";
import { stackPlatformConfig } from "../project/fixtures";

/**
 * The `registry` namespace's ingress (components/registry/network-policies.ts): only the front (nginx) is reachable
 * from outside Harbor; distribution's backend, core, PostgreSQL and Redis only from Harbor's own pods. Pod labels
 * are harbor-helm v1.19.1's (`release`, `app`, `component`).
 */

const dev = stackPlatformConfig("dev");
const policies = [...renderRegistryNetworkPolicies(), ...renderBuildNetworkPolicies(dev.cluster)];
const harbor = (component: string): Endpoint => ({ namespace: NAMESPACES.registry, labels: { ...HARBOR_PODS.labels, component, "app.kubernetes.io/component": component } });
const build: Endpoint = { namespace: NAMESPACES.builds, labels: { "platform/project": "shop", "job-name": "build-shop-web-4fd5f7d6bba4" } };
const configurator: Endpoint = { namespace: NAMESPACES.registry, labels: { "app.kubernetes.io/name": "harbor-configurator" } };
const tenantPod: Endpoint = { namespace: "shop", labels: { app: "web" } };
const node: Endpoint = { ip: "100.64.0.7" };

describe("registry namespace ingress", () => {
    it("lets every client reach the front on its port, and nothing else of it", () => {
        for (const client of [build, configurator, node]) {
            expect(connectionAllowed(policies, client, harbor("nginx"), { port: HARBOR_PODS.frontPort }), JSON.stringify(client)).toBe(true);
        }
        expect(connectionAllowed(policies, node, harbor("nginx"), { port: 9090 })).toBe(false);
    });

    it("keeps the backends (distribution 5000, core, PostgreSQL, Redis) to Harbor's own pods", () => {
        const backends: Array<[string, number]> = [["registry", 5000], ["core", 8080], ["database", 5432], ["redis", 6379], ["trivy", 8080], ["jobservice", 8080]];
        for (const [component, port] of backends) {
            for (const client of [build, configurator, tenantPod, node]) {
                expect(connectionAllowed(policies, client, harbor(component), { port }), `${JSON.stringify(client)} → ${component}:${port}`).toBe(false);
            }
        }
        expect(connectionAllowed(policies, harbor("nginx"), harbor("core"), { port: 8080 })).toBe(true);
        expect(connectionAllowed(policies, harbor("core"), harbor("registry"), { port: 5000 })).toBe(true);
        expect(connectionAllowed(policies, harbor("core"), harbor("database"), { port: 5432 })).toBe(true);
        expect(connectionAllowed(policies, harbor("jobservice"), harbor("redis"), { port: 6379 })).toBe(true);
    });

    it("lets Prometheus scrape the metrics port only", () => {
        const prometheus: Endpoint = { namespace: NAMESPACES.monitoring, labels: { ...PROMETHEUS_POD_LABELS } };
        expect(connectionAllowed(policies, prometheus, harbor("exporter"), { port: HARBOR_PODS.metricsPort })).toBe(true);
        expect(connectionAllowed(policies, prometheus, harbor("database"), { port: 5432 })).toBe(false);
    });

    it("renders schema-valid NetworkPolicies", () => {
        for (const object of renderRegistryNetworkPolicies()) {
            const valid = validateObject(object);
            expect(valid.status, `${valid.id}: ${valid.error ?? ""}`).toBe("valid");
        }
    });
});
