import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import type { NodeSpec } from "../nodes/node-plan";
import { releaseArgs } from "../../charts/versions";
import { KUBELET_CSR_APPROVER_NAMESPACE, KUBELET_CSR_APPROVER_RELEASE, renderKubeletCsrApproverValues } from "./values";

/** Arguments of the kubelet CSR approver. */
export interface KubeletCsrApproverArgs {
    /** Validated stack configuration (sizing profile). */
    config: PlatformConfig;
    /** Every node of the stack: only their names are approved. */
    nodes: readonly NodeSpec[];
}

/**
 * kubelet-csr-approver (`platform:addons:KubeletCsrApprover`): the pinned chart in kube-system, approving
 * kubelet serving certificates for this stack's node names and tailnet addresses only (see values.ts).
 * Installed right after the control plane is up, before the add-ons whose logs and metrics need it.
 */
export class KubeletCsrApprover extends pulumi.ComponentResource {
    /** Name of the Helm release. */
    readonly releaseName: pulumi.Output<string>;

    constructor(name: string, args: KubeletCsrApproverArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:addons:KubeletCsrApprover", name, {}, opts);
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            releaseArgs("kubeletCsrApprover", {
                name: KUBELET_CSR_APPROVER_RELEASE,
                namespace: KUBELET_CSR_APPROVER_NAMESPACE,
                values: renderKubeletCsrApproverValues(args.config, args.nodes),
            }),
            { parent: this },
        );
        this.releaseName = release.name;
        this.registerOutputs({ releaseName: this.releaseName });
    }
}
