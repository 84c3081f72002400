import * as crypto from "node:crypto";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { CLUSTER_ISSUERS, TRAEFIK } from "../../lib/conventions";
import { serviceHosts } from "../../lib/tenants/load";
import type { ServiceSpec } from "../../lib/tenants/schema";
import { objectMeta, type ProjectContext } from "./common";
import { HTTP_PORT_NAME } from "./workloads";

/**
 * Public exposure of a service through Traefik: one Ingress with a rule per host
 * (`<service>.<project>.<domain>` and the custom domains) and TLS for exactly those hosts.
 *
 * Certificates: cert-manager's ingress-shim issues them from the `cert-manager.io/cluster-issuer`
 * annotation (no Certificate objects to keep in sync with the hosts). Each host gets its own TLS entry and
 * Secret, so a custom domain whose DNS does not point at the platform yet cannot hold back the
 * certificate of the platform host or of the other domains.
 */

/** Options of the Ingress renderer. */
export interface IngressOptions {
    /**
     * Traefik middlewares to chain on every tenant router, as Traefik references
     * (`<namespace>-<name>@kubernetescrd`), e.g. the add-ons' HTTPS redirect and security headers.
     * Only pass middlewares that exist: Traefik refuses a router whose middleware is missing.
     */
    middlewares?: readonly string[];
}

/** Name of the TLS Secret of one host: `<service>-tls` for the platform host, a stable hash for others. */
export function tlsSecretName(ctx: ProjectContext, service: ServiceSpec, host: string): string {
    if (host === `${service.name}.${ctx.project.name}.${ctx.config.domain}`) {
        return `${service.name}-tls`;
    }
    return `${service.name}-${crypto.createHash("sha256").update(host).digest("hex").slice(0, 10)}-tls`;
}

/** The Ingress of a public service; `undefined` when the service is not exposed. */
export function renderIngress(ctx: ProjectContext, service: ServiceSpec, options: IngressOptions = {}): IIngress | undefined {
    const hosts = serviceHosts(ctx.project, service.name, ctx.config.domain);
    // A passthrough service's hosts are TCP routes by SNI (routes.ts); a worker has no HTTP port.
    if (hosts.length === 0 || service.expose?.tls === "passthrough" || service.port === undefined) {
        return undefined;
    }
    const metadata = objectMeta(ctx, service.name, service.name);
    const middlewares = options.middlewares ?? [];
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: {
            ...metadata,
            annotations: {
                "cert-manager.io/cluster-issuer": CLUSTER_ISSUERS.production,
                ...(middlewares.length > 0 ? { "traefik.ingress.kubernetes.io/router.middlewares": middlewares.join(",") } : {}),
                // Readiness of the app is awaited on its Deployment/StatefulSet; the Ingress status is
                // written only when Traefik publishes its service address, which the platform does not require.
                "pulumi.com/skipAwait": "true",
            },
        },
        spec: {
            ingressClassName: TRAEFIK.ingressClass,
            tls: hosts.map((host) => ({ hosts: [host], secretName: tlsSecretName(ctx, service, host) })),
            rules: hosts.map((host) => ({
                host,
                http: {
                    paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: service.name, port: { name: HTTP_PORT_NAME } } } }],
                },
            })),
        },
    };
}
