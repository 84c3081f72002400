import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { renderDeployerNamespace } from "./deployer";

/**
 * The namespace of the tenant deployers' ServiceAccounts and token Secrets (`platform:project:DeployerNamespace`),
 * once per region: outside every tenant namespace, so no tenant pod runs as a deployer and no tenant Secret can
 * ask the token controller for a deployer's token.
 */
export class DeployerNamespace extends pulumi.ComponentResource {
    /** The namespace resource (ProjectGrants wait for it). */
    readonly resource: k8s.core.v1.Namespace;

    constructor(name: string, args: Record<string, never>, opts?: pulumi.ComponentResourceOptions) {
        super("platform:project:DeployerNamespace", name, args, opts);
        const namespace = renderDeployerNamespace();
        this.resource = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: namespace.metadata as k8s.types.input.meta.v1.ObjectMeta }, { parent: this });
        this.registerOutputs({});
    }
}
