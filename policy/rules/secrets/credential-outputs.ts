import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { CREDENTIAL_OUTPUTS, credentialOutputsOf } from "../../lib/credentials";
import { forTypes } from "../../lib/rule-helpers";

/**
 * Validation args as the offline evaluator passes them: the plan also knows which inputs were secret
 * (`PlannedResource.secretInputs`). A real preview does not tell policies that, so there the rule demands
 * `additionalSecretOutputs` outright.
 */
export type ArgsWithSecretInputs = ResourceValidationArgs & { secretInputs?: readonly string[] };

/**
 * Credential outputs are marked secret through `additionalSecretOutputs`: otherwise kubeconfigs, auth keys,
 * private keys and passwords land in the state file (and `pulumi stack export`) in plain text.
 */
export const secretsCredentialOutputs: ResourceValidationPolicy = {
    name: "secrets-credential-outputs",
    description: "Outputs that hold credentials must be listed in additionalSecretOutputs.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forTypes(
        CREDENTIAL_OUTPUTS.map((row) => row.type),
        (args, report) => {
            const row = credentialOutputsOf(args.type)!;
            const required = row.outputs(args.props);
            if (required.length === 0) {
                args.notApplicable("no credential outputs for these inputs");
            }
            const secretInputs = (args as ArgsWithSecretInputs).secretInputs ?? [];
            const carried = row.secretInputsSuffice?.filter((key) => args.props[key] !== undefined && args.props[key] !== null) ?? [];
            if (carried.length > 0 && carried.every((key) => secretInputs.includes(key))) {
                return;
            }
            const listed = args.opts.additionalSecretOutputs ?? [];
            const missing = required.filter((output) => !listed.includes(output));
            if (missing.length > 0) {
                report(`outputs ${missing.join(", ")} hold ${row.holds} but are not in additionalSecretOutputs`);
            }
        },
    ),
};
