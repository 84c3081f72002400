import { describe, expect, it } from "vitest";
import { projectContext } from "../../../components/project/common";
import { renderIngress, tlsSecretName } from "../../../components/project/ingress";
import { serviceHosts } from "../../../lib/tenants/load";
import { everyExample, project, stackPlatformConfig } from "./fixtures";

const dev = stackPlatformConfig("dev");

const spec = project({
    services: [
        { name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, expose: { public: true, customDomains: ["shop.example.org", "www.shop.example.org"] } },
        { name: "api", image: "ghcr.io/example/api:1.4.2", port: 9000, expose: { public: true } },
        { name: "worker", image: "ghcr.io/example/worker:1.4.2", port: 9000, expose: { public: false } },
    ],
});
const ctx = projectContext(spec, dev);
const service = (name: string) => spec.services.find((s) => s.name === name)!;

describe("ingress", () => {
    it("serves <service>.<project>.<domain> plus the custom domains, TLS hosts equal to rule hosts", () => {
        const ingress = renderIngress(ctx, service("web"))!;
        const ruleHosts = ingress.spec?.rules?.map((r) => r.host);
        expect(ruleHosts).toEqual(["web.shop.dev.platform.example.com", "shop.example.org", "www.shop.example.org"]);
        expect(ingress.spec?.tls?.flatMap((t) => t.hosts)).toEqual(ruleHosts);
        expect(ruleHosts).toEqual(serviceHosts(spec, "web", dev.domain));
    });

    it("gives every host its own certificate Secret, stable and distinct", () => {
        const tls = renderIngress(ctx, service("web"))!.spec!.tls!;
        expect(tls.map((t) => t.hosts?.length)).toEqual([1, 1, 1]);
        expect(tls[0]?.secretName).toBe("web-tls");
        const names = tls.map((t) => t.secretName);
        expect(new Set(names).size).toBe(3);
        expect(tlsSecretName(ctx, service("web"), "shop.example.org")).toBe(names[1]);
        expect(names.every((n) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n ?? "") && (n ?? "").length <= 253)).toBe(true);
    });

    it("uses the Traefik class, the production ClusterIssuer and routes / to the http port", () => {
        const ingress = renderIngress(ctx, service("api"))!;
        expect(ingress.apiVersion).toBe("networking.k8s.io/v1");
        expect(ingress.spec?.ingressClassName).toBe("traefik");
        expect(ingress.metadata?.annotations?.["cert-manager.io/cluster-issuer"]).toBe("letsencrypt-production");
        expect(ingress.metadata?.annotations).not.toHaveProperty("traefik.ingress.kubernetes.io/router.middlewares");
        expect(ingress.spec?.rules?.[0]?.http?.paths).toEqual([{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { name: "http" } } } }]);
    });

    it("chains the add-ons' Traefik middlewares when given", () => {
        const ingress = renderIngress(ctx, service("api"), { middlewares: ["traefik-https-redirect@kubernetescrd", "traefik-secure-headers@kubernetescrd"] })!;
        expect(ingress.metadata?.annotations?.["traefik.ingress.kubernetes.io/router.middlewares"]).toBe("traefik-https-redirect@kubernetescrd,traefik-secure-headers@kubernetescrd");
    });

    it("is not rendered for internal services", () => {
        expect(renderIngress(ctx, service("worker"))).toBeUndefined();
    });

    it("of every example: TLS on every rule host, no wildcard, the hosts the validator reserved", () => {
        for (const { stack, spec: example, config, objects } of everyExample()) {
            for (const ingress of objects.filter((o) => o.kind === "Ingress") as any[]) {
                const at = `${stack}/${example.name} ${ingress.metadata.name}`;
                const ruleHosts = ingress.spec.rules.map((r: { host: string }) => r.host);
                expect(ruleHosts.every((h: string) => !h.includes("*")), at).toBe(true);
                expect(ingress.spec.tls.flatMap((t: { hosts: string[] }) => t.hosts).sort(), at).toEqual([...ruleHosts].sort());
                expect(ruleHosts, at).toEqual(serviceHosts(example, ingress.metadata.name, config.domain));
            }
        }
    });
});
