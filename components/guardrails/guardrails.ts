import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { renderAdmissionPolicies, type AdmissionPolicyArgs } from "./admission-policies";
import { requirement, type Provides } from "../../lib/requirements";

/** Admission scope of the guardrails: every tenant object (a Project declares it for its namespace). */
export const TENANT_ADMISSION = requirement.admission("tenant");

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
    /** The tenant admission scope: every policy and binding, in force before a tenant namespace exists. */
    readonly provides: Provides<pulumi.Resource>;

    constructor(name: string, args: GuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:guardrails:Guardrails", name, {}, opts);
        this.policyNames = [];
        const inForce: pulumi.Resource[] = [];
        for (const { policy, binding } of renderAdmissionPolicies(args)) {
            const policyName = policy.metadata!.name!;
            const created = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
                `${name}-${policyName}`,
                { metadata: policy.metadata, spec: policy.spec as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec },
                { parent: this },
            );
            const bound = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                `${name}-${policyName}-binding`,
                { metadata: binding.metadata, spec: binding.spec as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec },
                { parent: this, dependsOn: [created] },
            );
            inForce.push(created, bound);
            this.policyNames.push(policyName);
        }
        this.provides = { [TENANT_ADMISSION]: inForce };
        this.registerOutputs({ policyNames: this.policyNames });
    }
}
