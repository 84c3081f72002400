import type { ITLSOption } from "@kubernetes-models/traefik/traefik.io/v1alpha1/TLSOption";
import type { IMiddleware } from "@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware";
import { grantedPublicPorts, type PlatformConfig } from "../../lib/config/schema";
import { LABELS, NAMESPACES, TRAEFIK } from "../../lib/conventions";
import { chartValues, type Values } from "../../charts/versions";
import { poolPlacement, poolSize } from "../nodes/placement";
import { resources, sizingProfile, type ResourceBlock, type WorkloadResources } from "../../charts/resources";
import { floatingIpServiceKey, LOAD_BALANCER_IPS_ANNOTATION } from "../metallb/values";

/**
 * Traefik, the public entry (HTTP(S) and the TCP/UDP entry points granted to projects): one replica per edge node (spread one per node), LoadBalancer Services on the
 * floating IPs with externalTrafficPolicy Local (client addresses preserved; a node without a ready
 * Traefik pod never receives the traffic, MetalLB announces only from nodes that have one), HTTP → HTTPS
 * redirect, TLS ≥ 1.2 with forward-secret AEAD ciphers and strict SNI, security headers on every HTTPS
 * response, JSON access logs on stdout, Prometheus metrics with a ServiceMonitor. The dashboard is never
 * routed.
 */

/** Helm release name; with namespace `traefik` the pods carry app.kubernetes.io/instance=traefik-traefik. */
export const TRAEFIK_RELEASE = "traefik";

/** The Middleware adding security headers to every HTTPS response. */
export const SECURITY_HEADERS_MIDDLEWARE = "security-headers";

/** How routers and entry points reference that Middleware (`<namespace>-<name>@kubernetescrd`). */
export const SECURITY_HEADERS_REF = `${NAMESPACES.traefik}-${SECURITY_HEADERS_MIDDLEWARE}@kubernetescrd`;

/** Name of the TLSOption Traefik applies to every router that names none. */
export const DEFAULT_TLS_OPTION = "default";

/** Selector labels of the Traefik pods (chart `traefik.labelselector`). */
export const TRAEFIK_SELECTOR = { ...TRAEFIK.podLabels, "app.kubernetes.io/instance": `${TRAEFIK_RELEASE}-${NAMESPACES.traefik}` } as const;

/**
 * TLS 1.2 cipher suites: ECDHE key exchange (forward secrecy) with AEAD ciphers only, ECDSA first.
 * TLS 1.3 suites are not configurable in Go and are all strong.
 */
export const TLS12_CIPHER_SUITES = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
] as const;

/** Replicas: one per edge node. */
export function traefikReplicas(config: PlatformConfig): number {
    return Math.max(1, poolSize(config, "edge"));
}

/** Resources of a Traefik pod. */
export function traefikSizing(config: PlatformConfig): ResourceBlock {
    return sizingProfile(config) === "small" ? resources("50m", "96Mi", "256Mi") : resources("200m", "192Mi", "512Mi");
}

/**
 * Values of the Traefik release. `floatingIps[i]` goes to entry Service i: the chart's main Service for
 * the first, `service.additionalServices.fip<i>` for the others.
 */
export function renderTraefikValues(config: PlatformConfig, floatingIps: readonly string[]): Values {
    if (floatingIps.length === 0) {
        throw new Error("Traefik needs at least one floating IP for its LoadBalancer Service");
    }
    const replicas = traefikReplicas(config);
    const edge = poolPlacement(config, "edge");
    const lbSpec = { type: "LoadBalancer", externalTrafficPolicy: "Local" };
    const annotationsFor = (ip: string) => ({ [LOAD_BALANCER_IPS_ANNOTATION]: ip });
    // single: TCP and UDP entry points share one Service per floating IP (two Services could not share its address).
    const extra = floatingIps.slice(1).map((ip, i) => [floatingIpServiceKey(i + 1), { single: true, annotations: annotationsFor(ip), spec: lbSpec }] as const);
    const exposeOn = Object.fromEntries([["default", true], ...extra.map(([key]) => [key, true])]);
    return chartValues("traefik", {
        deployment: { kind: "Deployment", replicas },
        podDisruptionBudget: replicas > 1 ? { enabled: true, maxUnavailable: 1 } : { enabled: false },
        nodeSelector: edge.nodeSelector,
        tolerations: edge.tolerations,
        // At most one pod per edge node: every edge node can carry a floating IP and must serve it locally.
        topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { ...TRAEFIK_SELECTOR } } },
        ],
        resources: traefikSizing(config),
        service: {
            enabled: true,
            single: true,
            annotations: annotationsFor(floatingIps[0]!),
            spec: lbSpec,
            additionalServices: Object.fromEntries(extra),
        },
        ports: {
            // Platform-owned TCP/UDP entry points for the public ports granted to projects, on every floating IP.
            ...Object.fromEntries(
                grantedPublicPorts(config.projectGrants).map((p) => [p.entryPoint, { port: p.port, exposedPort: p.port, protocol: p.protocol, expose: exposeOn }]),
            ),
            web: { expose: exposeOn },
            websecure: {
                expose: exposeOn,
                // The security headers apply to every HTTPS router, tenant routes included.
                http: { middlewares: [SECURITY_HEADERS_REF], tls: { enabled: true } },
            },
        },
    });
}

/** Traefik's workloads for the sizing report. */
export function traefikWorkloads(config: PlatformConfig): WorkloadResources[] {
    return [
        {
            addon: "traefik",
            workload: "traefik",
            kind: "Deployment",
            pods: traefikReplicas(config),
            containers: { traefik: traefikSizing(config) },
            note: "one per edge node",
        },
    ];
}

const labels = { [LABELS.managedBy]: "pulumi", "app.kubernetes.io/part-of": "platform-edge" };

/** The default TLS options: TLS 1.2 minimum, the AEAD/ECDHE suites above, modern curves, strict SNI. */
export function renderTlsOption(): ITLSOption & { apiVersion: "traefik.io/v1alpha1"; kind: "TLSOption" } {
    return {
        apiVersion: "traefik.io/v1alpha1",
        kind: "TLSOption",
        metadata: { name: DEFAULT_TLS_OPTION, namespace: NAMESPACES.traefik, labels },
        spec: {
            minVersion: "VersionTLS12",
            cipherSuites: [...TLS12_CIPHER_SUITES],
            curvePreferences: ["X25519", "CurveP256", "CurveP384"],
            // A client that sends no SNI, or one no certificate matches, is refused instead of getting the
            // default certificate.
            sniStrict: true,
            alpnProtocols: ["h2", "http/1.1"],
        },
    };
}

/** Security headers on every HTTPS response (HSTS one year, no sniffing, no framing by other origins). */
export function renderSecurityHeaders(): IMiddleware & { apiVersion: "traefik.io/v1alpha1"; kind: "Middleware" } {
    return {
        apiVersion: "traefik.io/v1alpha1",
        kind: "Middleware",
        metadata: { name: SECURITY_HEADERS_MIDDLEWARE, namespace: NAMESPACES.traefik, labels },
        spec: {
            headers: {
                stsSeconds: 31536000,
                stsIncludeSubdomains: true,
                // Preload is a promise about the whole registrable domain, which tenants' custom domains
                // are not ours to make.
                stsPreload: false,
                forceSTSHeader: true,
                contentTypeNosniff: true,
                customFrameOptionsValue: "SAMEORIGIN",
                referrerPolicy: "strict-origin-when-cross-origin",
                permissionsPolicy: "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
                customResponseHeaders: { "X-Powered-By": "", Server: "" },
            },
        },
    };
}
