import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { GVISOR_RUNTIME_CLASS } from "../../lib/conventions";
import { requirement, type Provides } from "../../lib/requirements";
import { renderRuntimeClass, renderSandboxPolicy, renderSandboxPolicyBinding, type SandboxArgs } from "./sandbox-policy";

/** Admission scope of the sandbox policy: objects of untrusted tenants (a Project declares it for its namespace). */
export const UNTRUSTED_TENANT_ADMISSION = requirement.admission("untrusted-tenant");

/**
 * The stack's gVisor sandbox (`platform:project:Sandbox`): RuntimeClass plus the admission policy that
 * keeps every pod of an untrusted tenant in it. Projects depend on it.
 */
export class Sandbox extends pulumi.ComponentResource {
    /** Name of the RuntimeClass (`runtimeClassName` of sandboxed pods). */
    readonly runtimeClassName: pulumi.Output<string>;
    /** The RuntimeClass (pods naming it) and the untrusted-tenant admission scope (the policy binding, after the policy). */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: SandboxArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("platform:project:Sandbox", name, {}, opts);
        const runtimeClass = renderRuntimeClass(args);
        const created = new k8s.node.v1.RuntimeClass(
            `${name}-runtimeclass`,
            { metadata: runtimeClass.metadata, handler: runtimeClass.handler, scheduling: runtimeClass.scheduling },
            { parent: this },
        );
        const policy = renderSandboxPolicy(args);
        const admission = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            `${name}-admission-policy`,
            { metadata: policy.metadata, spec: policy.spec as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec },
            { parent: this, dependsOn: [created] },
        );
        const binding = renderSandboxPolicyBinding(args);
        const bound = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            `${name}-admission-binding`,
            { metadata: binding.metadata, spec: binding.spec as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec },
            { parent: this, dependsOn: [admission] },
        );
        this.provides = { [requirement.runtimeClass(GVISOR_RUNTIME_CLASS.name)]: [created], [UNTRUSTED_TENANT_ADMISSION]: [admission, bound] };
        this.runtimeClassName = created.metadata.name;
        this.registerOutputs({ runtimeClassName: this.runtimeClassName });
    }
}
