import { describe, expect, it } from "vitest";
import type { Values } from "../../charts/versions";
import { renderMetallbValues } from "../../components/metallb/values";
import { renderTraefikValues } from "../../components/traefik/values";
import { renderCertManagerValues, renderHetznerWebhookValues } from "../../components/cert-manager/values";
import { renderLonghornValues } from "../../components/longhorn/values";
import { renderMinioValues } from "../../components/minio/values";
import { renderAlloyValues, renderKubePrometheusStackValues, renderLokiValues } from "../../components/observability/values";
import { renderArgocdValues } from "../../components/argocd/values";
import { shippedConfig } from "./fixtures";

/**
 * UIs (Grafana, Argo CD, Longhorn, MinIO console, Traefik dashboard, Prometheus, Alertmanager) are never
 * on the public edge: no chart may render an Ingress, HTTPRoute or dashboard IngressRoute, and the only
 * LoadBalancer Services are Traefik's entry Services.
 */

const HASH = "$2a$10$0123456789012345678901234567890123456789012345678901";

function walk(value: unknown, path: string, visit: (path: string, value: unknown) => void): void {
    visit(path, value);
    if (Array.isArray(value)) {
        value.forEach((v, i) => walk(v, `${path}[${i}]`, visit));
    } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            walk(v, path ? `${path}.${k}` : k, visit);
        }
    }
}

describe.each(["dev", "fsn1", "hel1"])("values of stack %s", (stack) => {
    const config = shippedConfig(stack);
    const charts: Record<string, Values> = {
        metallb: renderMetallbValues(config),
        traefik: renderTraefikValues(config, ["198.51.100.7", "198.51.100.8"]),
        certManager: renderCertManagerValues(config),
        hetznerWebhook: renderHetznerWebhookValues(config),
        longhorn: renderLonghornValues(config),
        minio: renderMinioValues(config),
        kubePrometheusStack: renderKubePrometheusStackValues(config),
        loki: renderLokiValues(config),
        alloy: renderAlloyValues(config, stack, []),
        argocd: renderArgocdValues(config, HASH),
    };

    it("enable no Ingress, HTTPRoute or dashboard route in any chart", () => {
        const exposed: string[] = [];
        for (const [chart, values] of Object.entries(charts)) {
            walk(values, "", (path, value) => {
                if (/(^|\.)(ingress|consoleIngress|thanosIngress|httproute|route\.[a-z]+|ingressRoute\.[a-z]+)\.enabled$/i.test(path) && value === true) {
                    exposed.push(`${chart}: ${path}`);
                }
            });
        }
        expect(exposed).toEqual([]);
        // The dashboards that would be routed are explicitly off, not merely absent.
        expect(charts.traefik).toMatchObject({ ingressRoute: { dashboard: { enabled: false } }, ports: { traefik: { expose: { default: false } } } });
        expect(charts.longhorn).toMatchObject({ ingress: { enabled: false }, service: { ui: { type: "ClusterIP" } } });
        expect(charts.minio).toMatchObject({ consoleIngress: { enabled: false }, consoleService: { type: "ClusterIP" }, service: { type: "ClusterIP" } });
        expect(charts.argocd).toMatchObject({ server: { ingress: { enabled: false }, service: { type: "ClusterIP" } } });
        expect(charts.kubePrometheusStack).toMatchObject({ grafana: { ingress: { enabled: false }, service: { type: "ClusterIP" } }, prometheus: { ingress: { enabled: false } } });
    });

    it("render LoadBalancer Services only for Traefik's entry, and NodePorts nowhere", () => {
        const found: string[] = [];
        for (const [chart, values] of Object.entries(charts)) {
            walk(values, "", (path, value) => {
                if (path.endsWith(".type") && (value === "LoadBalancer" || value === "NodePort")) {
                    found.push(`${chart}: ${path}=${String(value)}`);
                }
            });
        }
        expect(found).toEqual(["traefik: service.spec.type=LoadBalancer", "traefik: service.additionalServices.fip1.spec.type=LoadBalancer"]);
    });
});
