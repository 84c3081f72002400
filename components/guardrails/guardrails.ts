import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { renderAdmissionPolicies, type AdmissionPolicyArgs } from "./admission-policies";

/** Arguments of the guardrails. */
export type GuardrailsArgs = AdmissionPolicyArgs;

/**
 * The in-cluster half of the tenant trust boundary (`platform:guardrails:Guardrails`): the admission policies
 * of components/guardrails/admission-policies.ts and their bindings, created once per stack before any tenant
 * project, so nothing reaches a tenant namespace (Argo CD sync, kubectl, Helm) without passing them.
 */
export class Guardrails extends pulumi.ComponentResource {
    /** Names of the admission policies. */
    readonly policyNames: string[];

    constructor(name: string, args: GuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:guardrails:Guardrails", name, {}, opts);
        this.policyNames = [];
        for (const { policy, binding } of renderAdmissionPolicies(args)) {
            const policyName = policy.metadata!.name!;
            const created = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
                `${name}-${policyName}`,
                { metadata: policy.metadata, spec: policy.spec as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec },
                { parent: this },
            );
            new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                `${name}-${policyName}-binding`,
                { metadata: binding.metadata, spec: binding.spec as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec },
                { parent: this, dependsOn: [created] },
            );
            this.policyNames.push(policyName);
        }
        this.registerOutputs({ policyNames: this.policyNames });
    }
}
