import type { IClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import type { PlatformConfig } from "../../lib/config/schema";
import { CLUSTER_ISSUERS, LABELS, NAMESPACES, TRAEFIK } from "../../lib/conventions";
import { chartValues, type Values } from "../../charts/versions";
import { CONTROL_PLANE_TOLERATIONS } from "../nodes/placement";
import { resources, sizingProfile, type ResourceBlock, type WorkloadResources } from "../../charts/resources";

/**
 * cert-manager with the two Let's Encrypt ClusterIssuers every tenant Ingress names. Certificates are
 * solved over HTTP-01 through Traefik; with `addons.certManager.hetznerDns` names under the platform domain
 * (wildcards included) are solved over DNS-01 by Hetzner's official webhook instead, while tenants'
 * custom domains keep HTTP-01.
 */

/** Helm release names. */
export const CERT_MANAGER_RELEASE = "cert-manager";

/** The controller's API user (the chart's ServiceAccount is the release name): it writes every Certificate's Secret. */
export const CERT_MANAGER_USER = `system:serviceaccount:${NAMESPACES.certManager}:${CERT_MANAGER_RELEASE}`;
export const HETZNER_WEBHOOK_RELEASE = "cert-manager-webhook-hetzner";

/** The Secret (in cert-manager's namespace) holding the Hetzner DNS API token under `token`. */
export const HETZNER_TOKEN_SECRET = { name: "hetzner-dns-token", key: "token" } as const;

/** Solver identity of the Hetzner webhook (chart value `groupName`, solver name fixed by the webhook). */
export const HETZNER_SOLVER = { groupName: "acme.hetzner.com", solverName: "hetzner" } as const;

/** ACME directory of each issuer. */
export const ACME_SERVERS: Readonly<Record<keyof typeof CLUSTER_ISSUERS, string>> = {
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
    production: "https://acme-v02.api.letsencrypt.org/directory",
};

/** Resources of cert-manager's workloads. */
export function certManagerSizing(config: PlatformConfig): { controller: ResourceBlock; webhook: ResourceBlock; cainjector: ResourceBlock; startupapicheck: ResourceBlock; hetznerWebhook: ResourceBlock } {
    const small = sizingProfile(config) === "small";
    return {
        controller: small ? resources("10m", "64Mi", "192Mi") : resources("25m", "96Mi", "256Mi"),
        webhook: small ? resources("10m", "32Mi", "96Mi") : resources("10m", "48Mi", "128Mi"),
        cainjector: small ? resources("10m", "64Mi", "192Mi") : resources("10m", "96Mi", "256Mi"),
        startupapicheck: resources("10m", "32Mi", "64Mi"),
        hetznerWebhook: resources("10m", "32Mi", "96Mi"),
    };
}

/** Values of the cert-manager release. */
export function renderCertManagerValues(config: PlatformConfig): Values {
    const sizing = certManagerSizing(config);
    const replicas = sizingProfile(config) === "small" ? 1 : 2;
    return chartValues("certManager", {
        replicaCount: 1,
        resources: sizing.controller,
        tolerations: CONTROL_PLANE_TOLERATIONS,
        webhook: {
            // The webhook admits every cert-manager object: two replicas outside dev.
            replicaCount: replicas,
            resources: sizing.webhook,
            tolerations: CONTROL_PLANE_TOLERATIONS,
            ...(replicas > 1 ? { podDisruptionBudget: { enabled: true, minAvailable: 1 } } : {}),
        },
        cainjector: { resources: sizing.cainjector, tolerations: CONTROL_PLANE_TOLERATIONS },
        startupapicheck: { resources: sizing.startupapicheck, tolerations: CONTROL_PLANE_TOLERATIONS },
    });
}

/** Values of the Hetzner DNS webhook release. */
export function renderHetznerWebhookValues(config: PlatformConfig): Values {
    return chartValues("certManagerWebhookHetzner", {
        groupName: HETZNER_SOLVER.groupName,
        certManager: { namespace: NAMESPACES.certManager, serviceAccountName: CERT_MANAGER_RELEASE },
        resources: certManagerSizing(config).hetznerWebhook,
        tolerations: CONTROL_PLANE_TOLERATIONS,
    });
}

/** cert-manager's workloads for the sizing report (the Hetzner webhook only when DNS-01 is on). */
export function certManagerWorkloads(config: PlatformConfig): WorkloadResources[] {
    const sizing = certManagerSizing(config);
    const webhookReplicas = sizingProfile(config) === "small" ? 1 : 2;
    return [
        { addon: "cert-manager", workload: "cert-manager", kind: "Deployment", pods: 1, containers: { controller: sizing.controller } },
        { addon: "cert-manager", workload: "cert-manager-webhook", kind: "Deployment", pods: webhookReplicas, containers: { webhook: sizing.webhook } },
        { addon: "cert-manager", workload: "cert-manager-cainjector", kind: "Deployment", pods: 1, containers: { cainjector: sizing.cainjector } },
        { addon: "cert-manager", workload: "cert-manager-startupapicheck", kind: "Job", pods: 1, containers: { startupapicheck: sizing.startupapicheck } },
        ...(config.addons.certManager.hetznerDns
            ? [{ addon: "cert-manager", workload: HETZNER_WEBHOOK_RELEASE, kind: "Deployment" as const, pods: 1, containers: { webhook: sizing.hetznerWebhook } }]
            : []),
    ];
}

type ClusterIssuer = IClusterIssuer & { apiVersion: "cert-manager.io/v1"; kind: "ClusterIssuer" };

/**
 * The two ClusterIssuers. HTTP-01 is the default solver (Ingress class traefik, ClusterIP solver Service:
 * tenant quotas allow no NodePorts). With Hetzner DNS a DNS-01 solver is added for the platform domain;
 * cert-manager prefers the solver whose dnsZones selector matches, so only names under the domain use it.
 */
export function renderClusterIssuers(config: PlatformConfig): ClusterIssuer[] {
    return (Object.keys(CLUSTER_ISSUERS) as Array<keyof typeof CLUSTER_ISSUERS>).map((which) => {
        const name = CLUSTER_ISSUERS[which];
        const http01 = { http01: { ingress: { ingressClassName: TRAEFIK.ingressClass, serviceType: "ClusterIP" } } };
        const dns01 = {
            selector: { dnsZones: [config.domain] },
            dns01: {
                webhook: {
                    groupName: HETZNER_SOLVER.groupName,
                    solverName: HETZNER_SOLVER.solverName,
                    config: { tokenSecretKeyRef: { name: HETZNER_TOKEN_SECRET.name, key: HETZNER_TOKEN_SECRET.key } },
                },
            },
        };
        return {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name, labels: { [LABELS.managedBy]: "pulumi" } },
            spec: {
                acme: {
                    server: ACME_SERVERS[which],
                    email: config.acmeEmail,
                    privateKeySecretRef: { name: `${name}-account-key` },
                    solvers: config.addons.certManager.hetznerDns ? [http01, dns01] : [http01],
                },
            },
        };
    });
}
