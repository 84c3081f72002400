import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../../lib/rule-helpers";
import { TAILSCALE_ACL_TYPE, allowAllRulesOf, crossStackFindings, parseHuJson, platformStacksOf, stackOfUrn } from "../../lib/tailscale";
import { PolicyEvaluationError, compileTailnetPolicy } from "../../lib/tailscale-evaluator";
import { asArray, asRecord } from "../../lib/values";

/**
 * The tailnet policy has no allow-all rule (every device could reach SSH, the Kubernetes API and etcd on every
 * node), ships `tests` (Tailscale rejects an edit that breaks them) and keeps stacks apart: node tags are per
 * stack (`tag:<stack>-server|agent|edge`), no stack's node reaches another stack's SSH, API, supervisor, etcd,
 * kubelet or VXLAN port, and tests assert that isolation. The rules and the policy's own tests are evaluated
 * offline (policy/lib/tailscale-evaluator.ts), since Tailscale runs tests only on its server; a policy the
 * evaluator cannot model is reported, never passed.
 */
export const networkTailscaleAcl: ResourceValidationPolicy = {
    name: "network-tailscale-acl",
    description: "The tailnet policy must have no allow-all rule, include passing tests, use per-stack node tags and keep stacks apart.",
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
        const stacks = platformStacksOf(policy);
        const ownStack = stackOfUrn(args.urn);
        if (stacks.length === 0) {
            report("tailnet policy declares no per-stack node tags (tag:<stack>-server, tag:<stack>-agent, tag:<stack>-edge in tagOwners)");
        } else if (ownStack !== undefined && !stacks.includes(ownStack)) {
            // Shared tags (tag:k3s-server for every stack) read as one stack named "k3s": the applying stack
            // must find its own tags in the document, or its nodes share tags with another stack.
            report(`tailnet policy declares no node tags of its own stack ${ownStack} (tag:${ownStack}-server, -agent, -edge): node tags must be per stack`);
        }
        try {
            const compiled = compileTailnetPolicy(policy);
            for (const failure of compiled.runTests()) {
                const proto = failure.proto ? `/${failure.proto}` : "";
                report(`tailnet policy ${failure.where} fails offline: ${failure.src} → ${failure.dst}${proto} should be ${failure.expected === "accept" ? "accepted" : "denied"}`);
            }
            for (const finding of crossStackFindings(policy, compiled)) {
                report(`tailnet policy does not keep stack ${finding.to} apart from ${finding.from}: ${finding.detail}`);
            }
        } catch (error) {
            if (!(error instanceof PolicyEvaluationError)) throw error;
            for (const problem of error.problems) {
                report(`tailnet policy cannot be evaluated offline: ${problem}`);
            }
        }
    }),
};
