import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import type { PlatformSecrets } from "../../lib/config/load";
import { CLUSTER_ISSUERS, NAMESPACES } from "../../lib/conventions";
import { releaseArgs } from "../../charts/versions";
import { renderPlatformNamespace } from "../nodes/placement";
import { requirement, type Provides } from "../../lib/requirements";
import {
    CERT_MANAGER_RELEASE,
    HETZNER_TOKEN_SECRET,
    HETZNER_WEBHOOK_RELEASE,
    renderCertManagerValues,
    renderClusterIssuers,
    renderHetznerWebhookValues,
} from "./values";

/** Arguments of the cert-manager add-on. */
export interface CertManagerArgs {
    /** Validated stack configuration (ACME e-mail, domain, `addons.certManager.hetznerDns`). */
    config: PlatformConfig;
    /** Stack secrets: `hetznerDnsToken` is required when `addons.certManager.hetznerDns` is on. */
    secrets: Pick<PlatformSecrets, "hetznerDnsToken">;
}

/**
 * cert-manager (`platform:addons:CertManager`): the chart with its CRDs, optionally Hetzner's DNS-01 webhook
 * and its token Secret, and the ClusterIssuers `letsencrypt-staging` / `letsencrypt-production`, created
 * after the CRDs exist.
 */
export class CertManager extends pulumi.ComponentResource {
    /** Names of the ClusterIssuers. */
    readonly issuers: pulumi.Output<{ staging: string; production: string }>;
    /** The cert-manager.io and acme.cert-manager.io API groups (CRDs from the chart, validated by its webhook, ready with the release) and the namespace. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:addons:CertManager", name, {}, opts);
        const { config } = args;
        const ns = renderPlatformNamespace(NAMESPACES.certManager, "restricted");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            releaseArgs("certManager", { name: CERT_MANAGER_RELEASE, namespace: NAMESPACES.certManager, values: renderCertManagerValues(config) }),
            { parent: this, dependsOn: [namespace] },
        );

        const issuerDeps: pulumi.Resource[] = [release];
        if (config.addons.certManager.hetznerDns) {
            if (!args.secrets.hetznerDnsToken) {
                throw new Error("addons.certManager.hetznerDns is on but platform:hetznerDnsToken is not set");
            }
            const token = new k8s.core.v1.Secret(
                `${name}-hetzner-dns-token`,
                {
                    metadata: { name: HETZNER_TOKEN_SECRET.name, namespace: NAMESPACES.certManager, labels: ns.metadata.labels },
                    type: "Opaque",
                    stringData: pulumi.secret(args.secrets.hetznerDnsToken.apply((t) => ({ [HETZNER_TOKEN_SECRET.key]: t }))),
                },
                { parent: this, dependsOn: [namespace], additionalSecretOutputs: ["data", "stringData"] },
            );
            // The webhook's serving certificate is a cert-manager Certificate: after cert-manager.
            const webhook = new k8s.helm.v3.Release(
                `${name}-hetzner-webhook`,
                releaseArgs("certManagerWebhookHetzner", { name: HETZNER_WEBHOOK_RELEASE, namespace: NAMESPACES.certManager, values: renderHetznerWebhookValues(config) }),
                { parent: this, dependsOn: [release, token] },
            );
            issuerDeps.push(webhook, token);
        }

        for (const issuer of renderClusterIssuers(config)) {
            new k8s.apiextensions.CustomResource(
                `${name}-${issuer.metadata!.name}`,
                { apiVersion: issuer.apiVersion, kind: issuer.kind, metadata: issuer.metadata, spec: issuer.spec },
                { parent: this, dependsOn: issuerDeps },
            );
        }

        this.provides = {
            [requirement.apiGroup("cert-manager.io")]: [release],
            [requirement.apiGroup("acme.cert-manager.io")]: [release],
            [requirement.namespace(NAMESPACES.certManager)]: [namespace],
        };
        this.issuers = pulumi.output({ staging: CLUSTER_ISSUERS.staging, production: CLUSTER_ISSUERS.production });
        this.registerOutputs({ issuers: this.issuers });
    }
}
