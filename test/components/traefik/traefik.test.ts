import { describe, expect, it } from "vitest";
import {
    renderSecurityHeaders,
    renderTlsOption,
    renderTraefikValues,
    SECURITY_HEADERS_REF,
    TLS12_CIPHER_SUITES,
    TRAEFIK_SELECTOR,
    traefikReplicas,
    traefikWorkloads,
} from "../../../components/traefik/values";
import { validateObject } from "../../helpers/k8s-schema";
import { configWith, shippedConfig } from "../../charts/fixtures";

const values = (edgeNodes: number, ips = ["198.51.100.7"]) => renderTraefikValues(configWith({ storageNodes: 1, edgeNodes }), ips) as any;

describe("Traefik placement", () => {
    it.each([1, 2, 3])("runs one replica per edge node (%i edge nodes), spread one per node", (edgeNodes) => {
        const v = values(edgeNodes);
        expect(v.deployment.replicas).toBe(edgeNodes);
        expect(traefikReplicas(configWith({ storageNodes: 1, edgeNodes }))).toBe(edgeNodes);
        expect(v.topologySpreadConstraints).toEqual([
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { ...TRAEFIK_SELECTOR } } },
        ]);
        expect(v.podDisruptionBudget.enabled).toBe(edgeNodes > 1);
        expect(traefikWorkloads(configWith({ storageNodes: 1, edgeNodes }))[0]!.pods).toBe(edgeNodes);
    });

    it("selects the edge pool and tolerates its taint", () => {
        const v = values(2);
        expect(v.nodeSelector).toEqual({ "platform/pool": "edge" });
        expect(v.tolerations).toEqual([{ key: "pool", operator: "Equal", value: "edge", effect: "NoSchedule" }]);
        expect(TRAEFIK_SELECTOR).toEqual({ "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-traefik" });
    });
});

describe("Traefik entry Services", () => {
    it("asks MetalLB for each floating IP on its own LoadBalancer Service with externalTrafficPolicy Local", () => {
        const v = values(2, ["198.51.100.7", "198.51.100.8", "198.51.100.9"]);
        expect(v.service.spec).toEqual({ type: "LoadBalancer", externalTrafficPolicy: "Local" });
        expect(v.service.annotations).toEqual({ "metallb.io/loadBalancerIPs": "198.51.100.7" });
        expect(v.service.additionalServices).toEqual({
            // single: a UDP entry point stays on the same Service (and address) as the TCP ones.
            fip1: { single: true, annotations: { "metallb.io/loadBalancerIPs": "198.51.100.8" }, spec: { type: "LoadBalancer", externalTrafficPolicy: "Local" } },
            fip2: { single: true, annotations: { "metallb.io/loadBalancerIPs": "198.51.100.9" }, spec: { type: "LoadBalancer", externalTrafficPolicy: "Local" } },
        });
        expect(v.ports.web.expose).toEqual({ default: true, fip1: true, fip2: true });
        expect(v.ports.websecure.expose).toEqual({ default: true, fip1: true, fip2: true });
        // Neither the dashboard (traefik) nor the metrics port is on any Service.
        expect(v.ports.traefik.expose).toEqual({ default: false });
        expect(v.ports.metrics.expose).toEqual({ default: false });
        expect(() => renderTraefikValues(shippedConfig("dev"), [])).toThrow(/at least one floating IP/);
    });

    it("redirects HTTP to HTTPS permanently, lets ACME HTTP-01 through, and puts the security headers on every HTTPS router", () => {
        const v = values(1);
        expect(v.ports.web.http.redirections.entryPoint).toEqual({ to: "websecure", scheme: "https", permanent: true });
        expect(v.ports.web.allowACMEByPass).toBe(true);
        expect(v.ports.websecure.http.middlewares).toEqual([SECURITY_HEADERS_REF]);
        expect(SECURITY_HEADERS_REF).toBe("traefik-security-headers@kubernetescrd");
        expect(v.core.strictTLSOptions).toBe(true);
    });

    it("writes JSON access logs to stdout without request headers or query strings, and exports metrics with a ServiceMonitor", () => {
        const v = values(1);
        expect(v.accessLog).toMatchObject({ enabled: true, format: "json", fields: { headers: { defaultMode: "drop" }, queryParameters: { defaultMode: "drop" } } });
        expect(v.accessLog.filePath).toBeUndefined();
        expect(v.log.format).toBe("json");
        expect(v.metrics.prometheus).toMatchObject({ entryPoint: "metrics", serviceMonitor: { enabled: true }, service: { enabled: true } });
        expect(v.ingressRoute.dashboard.enabled).toBe(false);
        expect(v.resources).toEqual({ requests: { cpu: "200m", memory: "192Mi" }, limits: { memory: "512Mi" } });
    });
});

describe("TLS options and security headers", () => {
    it("default TLS option: TLS 1.2 minimum, ECDHE+AEAD suites only, strict SNI, schema-valid", () => {
        const tls = renderTlsOption();
        expect(tls.metadata).toMatchObject({ name: "default", namespace: "traefik" });
        expect(tls.spec).toMatchObject({ minVersion: "VersionTLS12", sniStrict: true });
        expect(tls.spec!.cipherSuites).toEqual([...TLS12_CIPHER_SUITES]);
        for (const suite of tls.spec!.cipherSuites!) {
            expect(suite).toMatch(/^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
        }
        expect(validateObject(tls)).toMatchObject({ status: "valid" });
    });

    it("security headers: one-year HSTS on subdomains, nosniff, same-origin framing, schema-valid", () => {
        const headers = renderSecurityHeaders();
        expect(headers.spec!.headers).toMatchObject({ stsSeconds: 31536000, stsIncludeSubdomains: true, forceSTSHeader: true, contentTypeNosniff: true, customFrameOptionsValue: "SAMEORIGIN" });
        expect(validateObject(headers)).toMatchObject({ status: "valid" });
    });
});
