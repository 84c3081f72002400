import type { IIngressRouteTCP } from "@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRouteTCP";
import type { IIngressRouteUDP } from "@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRouteUDP";
import { publicEntryPointName } from "../../lib/config/schema";
import { serviceHosts } from "../../lib/tenants/load";
import type { ServiceSpec } from "../../lib/tenants/schema";
import { objectMeta, type ProjectContext } from "./common";
import { HTTP_PORT_NAME, podPorts } from "./workloads";

/**
 * Traefik TCP and UDP routes of a service:
 *
 * - each `public: true` port on the platform-owned entry point granted for it (`tcp-<port>` with
 *   HostSNI(`*`), i.e. plain TCP; `udp-<port>`), the only place a project's catch-all route is admitted;
 * - TLS passthrough (`expose.tls: passthrough`): the service's own hosts (platform host and granted custom
 *   domains) on websecure by SNI, the TLS stream untouched, so the backend terminates TLS and checks client
 *   certificates itself (mTLS). Those hosts get no Ingress (and no platform certificate).
 *
 * Every route dials the Service's ClusterIP (`nativeLB: true`), not its pod IPs: that is how the edge meter
 * (components/metering/edge-meter.ts) tells these bytes, billed as internet egress, from HTTP backends'.
 *
 * The admission policy `platform-tenant-routes` and the pack's `network-tenant-host-space` hold the same
 * rules for routes that reach the namespace another way.
 */

/** A Traefik TCP route as rendered (apiVersion and kind always set). */
export type TcpRoute = IIngressRouteTCP & { apiVersion: "traefik.io/v1alpha1"; kind: "IngressRouteTCP" };
/** A Traefik UDP route as rendered. */
export type UdpRoute = IIngressRouteUDP & { apiVersion: "traefik.io/v1alpha1"; kind: "IngressRouteUDP" };

/** The entry point TLS passthrough routes use (Traefik's HTTPS entry point, port 443). */
export const PASSTHROUGH_ENTRY_POINT = "websecure";

/** The name of the port a passthrough service receives its TLS stream on. */
export function passthroughPortName(service: ServiceSpec): string | undefined {
    return service.expose?.public && service.expose.tls === "passthrough" ? (service.expose.port ?? HTTP_PORT_NAME) : undefined;
}

/** Every TCP/UDP route of a service (none for a service without public ports or passthrough). */
export function renderRoutes(ctx: ProjectContext, service: ServiceSpec): Array<TcpRoute | UdpRoute> {
    const routes: Array<TcpRoute | UdpRoute> = [];
    for (const port of podPorts(service).filter((p) => p.public)) {
        const entryPoint = publicEntryPointName(port);
        const metadata = objectMeta(ctx, `${service.name}-${port.name}`, service.name);
        if (port.protocol === "TCP") {
            routes.push({
                apiVersion: "traefik.io/v1alpha1",
                kind: "IngressRouteTCP",
                metadata,
                spec: { entryPoints: [entryPoint], routes: [{ match: "HostSNI(`*`)", services: [{ name: service.name, port: port.name, nativeLB: true }] }] },
            });
        } else {
            routes.push({
                apiVersion: "traefik.io/v1alpha1",
                kind: "IngressRouteUDP",
                metadata,
                spec: { entryPoints: [entryPoint], routes: [{ services: [{ name: service.name, port: port.name, nativeLB: true }] }] },
            });
        }
    }
    const passthrough = passthroughPortName(service);
    if (passthrough) {
        const hosts = serviceHosts(ctx.project, service.name, ctx.config.domain);
        routes.push({
            apiVersion: "traefik.io/v1alpha1",
            kind: "IngressRouteTCP",
            metadata: objectMeta(ctx, `${service.name}-passthrough`, service.name),
            spec: {
                entryPoints: [PASSTHROUGH_ENTRY_POINT],
                routes: [{ match: hosts.map((h) => `HostSNI(\`${h}\`)`).join(" || "), services: [{ name: service.name, port: passthrough, nativeLB: true }] }],
                tls: { passthrough: true },
            },
        });
    }
    return routes;
}
