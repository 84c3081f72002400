import { describe, expect, it } from "vitest";
import { ACME_SERVERS, certManagerWorkloads, renderCertManagerValues, renderClusterIssuers, renderHetznerWebhookValues } from "../../../components/cert-manager/values";
import { CLUSTER_ISSUERS } from "../../../lib/conventions";
import { validateObject } from "../../helpers/k8s-schema";
import { shippedConfig } from "../../charts/fixtures";

const dev = shippedConfig("dev");
const hel1 = shippedConfig("hel1"); // addons.certManager.hetznerDns: true

describe("ClusterIssuers", () => {
    it("are letsencrypt-staging and letsencrypt-production with the stack's ACME e-mail, schema-valid", () => {
        const issuers = renderClusterIssuers(dev);
        expect(issuers.map((i) => i.metadata!.name)).toEqual([CLUSTER_ISSUERS.staging, CLUSTER_ISSUERS.production]);
        expect(issuers.map((i) => i.spec!.acme!.server)).toEqual([ACME_SERVERS.staging, ACME_SERVERS.production]);
        expect(ACME_SERVERS.staging).toContain("acme-staging-v02.api.letsencrypt.org");
        expect(ACME_SERVERS.production).toBe("https://acme-v02.api.letsencrypt.org/directory");
        for (const issuer of issuers) {
            expect(issuer.spec!.acme!.email).toBe("ops@example.com");
            expect(validateObject(issuer)).toMatchObject({ status: "valid" });
        }
    });

    it("solve HTTP-01 through the traefik ingress class with a ClusterIP solver Service (no NodePorts)", () => {
        for (const issuer of renderClusterIssuers(dev)) {
            expect(issuer.spec!.acme!.solvers).toEqual([{ http01: { ingress: { ingressClassName: "traefik", serviceType: "ClusterIP" } } }]);
        }
    });

    it("add DNS-01 through the Hetzner webhook for the platform domain only when hetznerDns is on", () => {
        for (const issuer of renderClusterIssuers(hel1)) {
            const solvers = issuer.spec!.acme!.solvers!;
            expect(solvers).toHaveLength(2);
            expect(solvers[0]).toEqual({ http01: { ingress: { ingressClassName: "traefik", serviceType: "ClusterIP" } } });
            expect(solvers[1]).toEqual({
                selector: { dnsZones: ["hel1.platform.example.com"] },
                dns01: { webhook: { groupName: "acme.hetzner.com", solverName: "hetzner", config: { tokenSecretKeyRef: { name: "hetzner-dns-token", key: "token" } } } },
            });
            expect(validateObject(issuer)).toMatchObject({ status: "valid" });
        }
    });
});

describe("cert-manager values", () => {
    it("installs and keeps the CRDs, scrapes metrics, sets resources on every workload", () => {
        const v = renderCertManagerValues(dev) as any;
        expect(v.crds).toEqual({ enabled: true, keep: true });
        expect(v.prometheus.servicemonitor.enabled).toBe(true);
        expect([v.resources, v.webhook.resources, v.cainjector.resources, v.startupapicheck.resources]).toEqual([
            { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "192Mi" } },
            { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "96Mi" } },
            { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "192Mi" } },
            { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
        ]);
    });

    it("runs two webhook replicas outside dev and the Hetzner webhook only with DNS-01", () => {
        expect((renderCertManagerValues(dev) as any).webhook.replicaCount).toBe(1);
        expect((renderCertManagerValues(hel1) as any).webhook.replicaCount).toBe(2);
        expect(certManagerWorkloads(dev).some((w) => w.workload === "cert-manager-webhook-hetzner")).toBe(false);
        expect(certManagerWorkloads(hel1).some((w) => w.workload === "cert-manager-webhook-hetzner")).toBe(true);
        expect(renderHetznerWebhookValues(hel1)).toMatchObject({ groupName: "acme.hetzner.com", certManager: { namespace: "cert-manager", serviceAccountName: "cert-manager" } });
    });
});
