import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { NAMESPACES } from "../../lib/conventions";
import { requirement, type Provides } from "../../lib/requirements";
import { renderPushSecret } from "../registry/credentials";
import { renderPlatformNamespace } from "../nodes/placement";
import { renderBuildPodPolicy } from "./admission";
import { renderBuildNetworkPolicies } from "./network-policies";
import { BUILDER_SERVICE_ACCOUNT } from "./build-job";

/** Arguments of {@link BuildNamespace}. */
export interface BuildNamespaceArgs {
    /** Push robot secrets by project id (components/registry `Registry.pushPasswords`). */
    pushPasswords: Readonly<Record<string, pulumi.Input<string>>>;
    /** The cluster's pod and service CIDRs (`platform:cluster`), kept out of the builds' internet egress. */
    cluster: { clusterCidr: string; serviceCidr: string };
}

/**
 * The platform-owned namespace of the image builds (`platform:builds:BuildNamespace`): Pod Security `privileged`
 * (rootless BuildKit's unconfined seccomp and AppArmor fail `baseline`) with the build-pod admission policy in
 * force first, its NetworkPolicies (./network-policies.ts), the token-less `builder` ServiceAccount and each
 * project's push Secret. Tenants get no RBAC here;
 * their stacks create only the build Jobs the platform's renderer writes (components/builds/build-job.ts).
 */
export class BuildNamespace extends pulumi.ComponentResource {
    /** What it provides: the builds namespace, once its admission policy, ServiceAccount and push Secrets exist. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: BuildNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:builds:BuildNamespace", name, {}, opts);
        const { policy, binding } = renderBuildPodPolicy();
        const admissionPolicy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(`${name}-pod-policy`, policy as k8s.admissionregistration.v1.ValidatingAdmissionPolicyArgs, { parent: this });
        const admissionBinding = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            `${name}-pod-policy-binding`,
            binding as k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs,
            { parent: this, dependsOn: [admissionPolicy] },
        );
        const ns = renderPlatformNamespace(NAMESPACES.builds, "privileged");
        // The policy first: no pod may be admitted here before it is in force.
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this, dependsOn: [admissionBinding] });
        const serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-builder`,
            { metadata: { name: BUILDER_SERVICE_ACCOUNT, namespace: NAMESPACES.builds, labels: ns.metadata.labels }, automountServiceAccountToken: false },
            { parent: this, dependsOn: [namespace] },
        );
        const pushSecrets = Object.entries(args.pushPasswords).map(([id, password]) => {
            const shape = renderPushSecret(id, "");
            return new k8s.core.v1.Secret(
                `${name}-push-${id}`,
                { metadata: shape.metadata as k8s.types.input.meta.v1.ObjectMeta, type: shape.type, stringData: pulumi.secret(pulumi.output(password).apply((p) => renderPushSecret(id, p).stringData ?? {})) },
                { parent: this, dependsOn: [namespace], additionalSecretOutputs: ["data", "stringData"] },
            );
        });
        // Tenant code runs here: its network policies are in force before the namespace counts as provided.
        const networkPolicies = renderBuildNetworkPolicies(args.cluster).map(
            (p) => new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${p.metadata!.name}`, { metadata: p.metadata as k8s.types.input.meta.v1.ObjectMeta, spec: p.spec as k8s.types.input.networking.v1.NetworkPolicySpec }, { parent: this, dependsOn: [namespace] }),
        );
        this.provides = { [requirement.namespace(NAMESPACES.builds)]: [namespace, serviceAccount, admissionBinding, ...pushSecrets, ...networkPolicies] };
        this.registerOutputs({});
    }
}
