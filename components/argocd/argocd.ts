import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { PlatformConfig } from "../../lib/config/schema";
import { NAMESPACES } from "../../lib/conventions";
import { releaseArgs } from "../../charts/versions";
import { renderPlatformNamespace } from "../nodes/placement";
import { requirement, type Provides } from "../../lib/requirements";
import { ARGOCD_RELEASE, ARGOCD_SERVER_SERVICE, DEFAULT_ADMIN_PASSWORD_MTIME, renderArgocdValues } from "./values";

/** Arguments of the Argo CD add-on. */
export interface ArgoCDArgs {
    /** Validated stack configuration (`addons.argocd.repositories`, sizing profile). */
    config: PlatformConfig;
    /** Admin password modification time; change it together with a password rotation. */
    adminPasswordMtime?: string;
}

/**
 * Argo CD (`platform:addons:ArgoCD`) with a generated admin password (the hash goes into argocd-secret
 * through the chart; the clear password is a secret stack output) and the configured repositories.
 * Needs the Prometheus Operator CRDs first (ServiceMonitor).
 */
export class ArgoCD extends pulumi.ComponentResource {
    /** The admin password (secret). */
    readonly adminPassword: pulumi.Output<string>;
    /** How to reach the UI over the tailnet. */
    readonly access: pulumi.Output<string>;
    /** The argoproj.io API group (AppProject, Application; CRDs from the chart) and the argocd namespace. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: ArgoCDArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:addons:ArgoCD", name, {}, opts);
        const { config } = args;
        const ns = renderPlatformNamespace(NAMESPACES.argocd, "restricted");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });

        const password = new random.RandomPassword(
            `${name}-admin-password`,
            { length: 32, special: false },
            { parent: this, additionalSecretOutputs: ["result", "bcryptHash"] },
        );
        const values = pulumi.secret(password.bcryptHash.apply((hash) => renderArgocdValues(config, hash, args.adminPasswordMtime ?? DEFAULT_ADMIN_PASSWORD_MTIME)));
        const release = new k8s.helm.v3.Release(`${name}-release`, releaseArgs("argocd", { name: ARGOCD_RELEASE, namespace: NAMESPACES.argocd, values }), {
            parent: this,
            dependsOn: [namespace],
        });

        this.provides = { [requirement.apiGroup("argoproj.io")]: [release], [requirement.namespace(NAMESPACES.argocd)]: [namespace] };
        this.adminPassword = pulumi.secret(password.result);
        this.access = pulumi.output(`kubectl -n ${NAMESPACES.argocd} port-forward svc/${ARGOCD_SERVER_SERVICE} 8080:443  # then https://localhost:8080, user admin`);
        this.registerOutputs({ adminPassword: this.adminPassword, access: this.access });
    }
}
