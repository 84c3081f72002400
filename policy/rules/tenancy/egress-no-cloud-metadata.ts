import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configSchemaFor } from "../../lib/config";
import { K8S_TYPES, specOf } from "../../lib/kubernetes";
import { METADATA_ADDRESS, ruleReachesAddress, rulesOf } from "../../lib/network-policy";
import { forTenantObjects } from "../../lib/rule-helpers";

/**
 * Tenant egress never reaches 169.254.169.254: Hetzner serves each server's user-data (with its bootstrap
 * secrets) there. An ipBlock containing the address must list it in `except`; a rule without peers reaches
 * every address, the metadata service included.
 */
export const tenancyEgressNoCloudMetadata: ResourceValidationPolicy = {
    name: "tenancy-egress-no-cloud-metadata",
    description: `Tenant NetworkPolicy egress must not reach the cloud metadata address ${METADATA_ADDRESS}.`,
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: configSchemaFor("platformNamespaces"),
    validateResource: forTenantObjects([K8S_TYPES.networkPolicy], (args, report) => {
        for (const rule of rulesOf(specOf(args.props), "egress")) {
            if (rule.peers.length === 0) {
                report(`egress rule ${rule.index} allows every destination, ${METADATA_ADDRESS} included`);
            } else if (ruleReachesAddress(rule, METADATA_ADDRESS)) {
                report(`egress rule ${rule.index} has an ipBlock containing ${METADATA_ADDRESS} without excepting it`);
            }
        }
    }),
};
