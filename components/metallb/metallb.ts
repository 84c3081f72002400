import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { NAMESPACES } from "../../lib/conventions";
import { releaseArgs } from "../../charts/versions";
import { renderPlatformNamespace } from "../nodes/placement";
import { requirement, type Provides } from "../../lib/requirements";
import { addressPoolMetadata, METALLB_RELEASE, renderAddressPool, renderL2Advertisement, renderMetallbValues, FLOATING_IP_POOL } from "./values";
import { floatingIpBindings, renderBindings, renderFailoverObjects, renderFailoverTokenSecret } from "./failover";

/** Arguments of the MetalLB add-on. */
export interface MetalLBArgs {
    /** Validated stack configuration (edge pool, sizing profile). */
    config: PlatformConfig;
    /** The region's floating IPs (`infrastructure.floatingIps`), in order. */
    floatingIps: pulumi.Input<string[]>;
    /** Their hcloud ids (`infrastructure.floatingIpIds`), same order. */
    floatingIpIds: pulumi.Input<string[]>;
    /**
     * Hetzner Cloud API token the failover loop assigns floating IPs with (stored as a Secret in
     * metallb-system). A token of the project that owns the servers and floating IPs, read/write.
     */
    hcloudToken: pulumi.Input<string>;
}

/**
 * MetalLB (`platform:addons:MetalLB`): the chart (with its CRDs), the floating IPs as a layer-2 address pool
 * announced from edge nodes only, and the failover loop that keeps each floating IP assigned to the edge
 * node announcing it. Traefik's LoadBalancer Services take their addresses from here.
 */
export class MetalLB extends pulumi.ComponentResource {
    /** Name of the address pool of the floating IPs. */
    readonly addressPool: pulumi.Output<string>;
    /** The addresses in the pool. */
    readonly addresses: pulumi.Output<string[]>;
    /** The metallb.io API group (CRDs from the chart, validated by the controller's webhook, ready with the release) and the namespace. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: MetalLBArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:addons:MetalLB", name, {}, opts);
        const { config } = args;

        // The speaker needs host networking and NET_RAW; the namespace is exempt from `restricted`.
        const nsShape = renderPlatformNamespace(NAMESPACES.metallb, "privileged");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: nsShape.metadata }, { parent: this });

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            releaseArgs("metallb", { name: METALLB_RELEASE, namespace: NAMESPACES.metallb, values: renderMetallbValues(config) }),
            { parent: this, dependsOn: [namespace] },
        );

        // Custom resources only after the release: their CRDs come with the chart.
        const addresses = pulumi.output(args.floatingIps);
        const poolShape = addresses.apply((ips) => renderAddressPool(ips));
        const pool = new k8s.apiextensions.CustomResource(
            `${name}-address-pool`,
            { apiVersion: "metallb.io/v1beta1", kind: "IPAddressPool", metadata: addressPoolMetadata(), spec: poolShape.apply((p) => p.spec) },
            { parent: this, dependsOn: [release] },
        );
        const advertisement = renderL2Advertisement();
        new k8s.apiextensions.CustomResource(
            `${name}-l2-advertisement`,
            { apiVersion: advertisement.apiVersion, kind: advertisement.kind, metadata: advertisement.metadata, spec: advertisement.spec },
            { parent: this, dependsOn: [pool] },
        );

        // Failover loop: token Secret, RBAC, script + bindings, Deployment.
        const tokenShape = renderFailoverTokenSecret();
        const token = new k8s.core.v1.Secret(
            `${name}-failover-token`,
            { metadata: tokenShape.metadata, type: tokenShape.type, stringData: pulumi.secret(pulumi.output(args.hcloudToken).apply((t) => ({ token: t }))) },
            { parent: this, dependsOn: [namespace], additionalSecretOutputs: ["data", "stringData"] },
        );
        const bindings = pulumi.all([args.floatingIpIds, addresses]).apply(([ids, ips]) => renderBindings(floatingIpBindings(ids, ips)));
        const objects = renderFailoverObjects("");
        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-failover-sa`,
            { metadata: objects.serviceAccount.metadata, automountServiceAccountToken: objects.serviceAccount.automountServiceAccountToken },
            { parent: this, dependsOn: [namespace] },
        );
        const role = new k8s.rbac.v1.Role(`${name}-failover-role`, { metadata: objects.role.metadata, rules: objects.role.rules }, { parent: this, dependsOn: [namespace] });
        const roleBinding = new k8s.rbac.v1.RoleBinding(
            `${name}-failover-rolebinding`,
            { metadata: objects.roleBinding.metadata, roleRef: objects.roleBinding.roleRef, subjects: objects.roleBinding.subjects },
            { parent: this, dependsOn: [role, serviceAccount] },
        );
        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-failover-config`,
            { metadata: objects.configMap.metadata, data: bindings.apply((b) => renderFailoverObjects(b).configMap.data ?? {}) },
            { parent: this, dependsOn: [namespace] },
        );
        new k8s.apps.v1.Deployment(
            `${name}-failover`,
            { metadata: objects.deployment.metadata, spec: objects.deployment.spec as k8s.types.input.apps.v1.DeploymentSpec },
            { parent: this, dependsOn: [release, token, configMap, roleBinding] },
        );

        this.addressPool = pulumi.output(FLOATING_IP_POOL);
        this.addresses = addresses;
        this.provides = { [requirement.apiGroup("metallb.io")]: [release], [requirement.namespace(NAMESPACES.metallb)]: [namespace] };
        this.registerOutputs({ addressPool: this.addressPool, addresses: this.addresses });
    }
}
