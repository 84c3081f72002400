import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { NAMESPACES } from "../../lib/conventions";
import { releaseArgs } from "../../charts/versions";
import { chartCrdUrls } from "../../charts/crds";
import { renderPlatformNamespace } from "../nodes/placement";
import { requirement, type Provides } from "../../lib/requirements";
import { renderSecurityHeaders, renderTlsOption, renderTraefikValues, SECURITY_HEADERS_REF, TRAEFIK_RELEASE } from "./values";

/** Arguments of the Traefik add-on. */
export interface TraefikArgs {
    /** Validated stack configuration (edge pool size and taint, sizing profile). */
    config: PlatformConfig;
    /** The floating IPs (all in MetalLB's pool); Service i gets address i. */
    floatingIps: pulumi.Input<string[]>;
}

/**
 * Traefik (`platform:addons:Traefik`) on the edge pool behind the floating IPs, with the platform's default
 * TLS options and security-headers Middleware. Needs MetalLB (addresses) and the Prometheus Operator CRDs
 * (ServiceMonitor) first: pass both in `dependsOn`.
 */
export class Traefik extends pulumi.ComponentResource {
    /** IngressClass tenants use. */
    readonly ingressClass: pulumi.Output<string>;
    /** Middleware references already applied to every HTTPS router (at the entry point). */
    readonly middlewares: pulumi.Output<string[]>;
    /** Public addresses the entry Services carry. */
    readonly addresses: pulumi.Output<string[]>;
    /** The traefik.io and hub.traefik.io API groups (CRDs applied from the chart's crds/; no webhook) and the namespace. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: TraefikArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:addons:Traefik", name, {}, opts);
        const { config } = args;
        const ns = renderPlatformNamespace(NAMESPACES.traefik, "restricted");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });

        // Helm installs the chart's crds/ once and never upgrades them: apply them at the pinned version first.
        // Retained on delete: removing a CRD deletes every IngressRoute and Middleware of every tenant.
        const crds = new k8s.yaml.v2.ConfigGroup(`${name}-crds`, { files: chartCrdUrls("traefik") }, { parent: this, retainOnDelete: true });

        const addresses = pulumi.output(args.floatingIps);
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                ...releaseArgs("traefik", { name: TRAEFIK_RELEASE, namespace: NAMESPACES.traefik, values: addresses.apply((ips) => renderTraefikValues(config, ips)) }),
                skipCrds: true,
            },
            { parent: this, dependsOn: [namespace, crds] },
        );

        // Traefik's CRDs come from the ConfigGroup above.
        const tls = renderTlsOption();
        new k8s.apiextensions.CustomResource(`${name}-tls-default`, { apiVersion: tls.apiVersion, kind: tls.kind, metadata: tls.metadata, spec: tls.spec }, { parent: this, dependsOn: [release] });
        const headers = renderSecurityHeaders();
        new k8s.apiextensions.CustomResource(
            `${name}-security-headers`,
            { apiVersion: headers.apiVersion, kind: headers.kind, metadata: headers.metadata, spec: headers.spec },
            { parent: this, dependsOn: [release] },
        );

        this.provides = {
            [requirement.apiGroup("traefik.io")]: [crds],
            [requirement.apiGroup("hub.traefik.io")]: [crds],
            [requirement.namespace(NAMESPACES.traefik)]: [namespace],
        };
        this.ingressClass = pulumi.output("traefik");
        this.middlewares = pulumi.output([SECURITY_HEADERS_REF]);
        this.addresses = addresses;
        this.registerOutputs({ ingressClass: this.ingressClass, middlewares: this.middlewares, addresses: this.addresses });
    }
}
