import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../../lib/rule-helpers";
import { TAILSCALE_ACL_TYPE, allowAllRulesOf, parseHuJson } from "../../lib/tailscale";
import { asArray, asRecord } from "../../lib/values";

/**
 * The tailnet policy has no allow-all rule (every device could reach SSH, the Kubernetes API and etcd on every
 * node) and ships `tests`, so Tailscale itself rejects an edit that breaks the intended access.
 */
export const networkTailscaleAcl: ResourceValidationPolicy = {
    name: "network-tailscale-acl",
    description: "The tailnet policy must have no allow-all rule and must include tests.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateResource: forTypes([TAILSCALE_ACL_TYPE], (args, report) => {
        const text = args.props.acl;
        if (typeof text !== "string") {
            report("tailnet policy has no acl document");
            return;
        }
        let policy: Record<string, unknown> | undefined;
        try {
            policy = asRecord(parseHuJson(text));
        } catch (error) {
            report(`tailnet policy is not valid HuJSON: ${error instanceof Error ? error.message : String(error)}`);
            return;
        }
        if (!policy) {
            report("tailnet policy is not a JSON object");
            return;
        }
        for (const rule of allowAllRulesOf(policy)) {
            report(`tailnet policy ${rule.where} allows all sources to reach all destinations`);
        }
        if (asArray(policy.tests).length === 0) {
            report("tailnet policy has no tests");
        }
    }),
};
