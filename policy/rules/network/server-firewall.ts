import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { HCLOUD_FIREWALL_ATTACHMENT_TYPE, HCLOUD_FIREWALL_TYPE, HCLOUD_SERVER_TYPE, isBaremetalServer, matchesLabelSelector } from "../../lib/firewall";
import { asArray, asRecord, asString, asStringMap, asStrings, whenKnown } from "../../lib/values";

/** Whether `by` depends on `on` (how Pulumi records `serverIds: [server.id]` and `applyTos: [{server: id}]`). */
function dependsOn(by: PolicyResource, on: PolicyResource): boolean {
    return by.dependencies.some((d) => d.urn === on.urn);
}

function idOf(resource: PolicyResource): string | undefined {
    const id = resource.props.id;
    return typeof id === "string" || typeof id === "number" ? String(id) : undefined;
}

/** Whether some FirewallAttachment or Firewall `applyTos` entry names the server (by id, dependency or label). */
function attachedElsewhere(server: PolicyResource, resources: readonly PolicyResource[]): boolean {
    const labels = asStringMap(server.props.labels);
    const serverId = idOf(server);
    return resources.some((resource) =>
        whenKnown(() => {
            if (resource.type === HCLOUD_FIREWALL_ATTACHMENT_TYPE) {
                const serverIds = asArray(resource.props.serverIds).map(String);
                const selectors = asStrings(resource.props.labelSelectors);
                return (serverIds.length > 0 && (dependsOn(resource, server) || (serverId !== undefined && serverIds.includes(serverId)))) || selectors.some((s) => matchesLabelSelector(s, labels));
            }
            if (resource.type === HCLOUD_FIREWALL_TYPE) {
                return asArray(resource.props.applyTos).some((entry) => {
                    const applyTo = asRecord(entry) ?? {};
                    const selector = asString(applyTo.labelSelector);
                    if (selector !== undefined) {
                        return matchesLabelSelector(selector, labels);
                    }
                    return applyTo.server !== undefined && (dependsOn(resource, server) || (serverId !== undefined && String(applyTo.server) === serverId));
                });
            }
            return false;
        }, true),
    );
}

/**
 * Why a bare-metal server's `firewall` input does not protect it: missing, empty, or switched off (Robot's
 * firewall template has `status: active|disabled`).
 */
function baremetalFirewallProblem(firewall: unknown): string | undefined {
    const record = asRecord(firewall);
    if (record && (record.status === "disabled" || record.enabled === false || record.active === false)) {
        return "has its Robot firewall disabled";
    }
    const rules = Array.isArray(firewall) ? firewall : asArray(record?.rules);
    return rules.length === 0 ? "has no firewall rules" : undefined;
}

/**
 * Every server sits behind a firewall: an hcloud Server lists `firewallIds` or is named by a FirewallAttachment
 * (or a Firewall's `applyTos`); a bare-metal server carries a non-empty `firewall` (its Robot firewall rules).
 * A server without one exposes every port the host's services bind.
 */
export const networkServerFirewall: StackValidationPolicy = {
    name: "network-server-firewall",
    description: "Every hcloud and bare-metal server must have a firewall.",
    enforcementLevel: "mandatory",
    severity: "critical",
    validateStack: (args, report) => {
        const servers = args.resources.filter((r) => r.type === HCLOUD_SERVER_TYPE || whenKnown(() => isBaremetalServer(r.type, r.props), false));
        if (servers.length === 0) {
            args.notApplicable("the stack declares no servers");
        }
        for (const server of servers) {
            if (server.type === HCLOUD_SERVER_TYPE) {
                // `.length` of a list of unknown ids is known at preview; only the ids are not.
                const listed = whenKnown(() => asArray(server.props.firewallIds).length > 0, true);
                if (!listed && !attachedElsewhere(server, args.resources)) {
                    report(`hcloud server "${server.name}" has no firewall (empty firewallIds and no FirewallAttachment names it)`, server.urn);
                }
            } else {
                const problem = whenKnown(() => baremetalFirewallProblem(server.props.firewall), undefined);
                if (problem) {
                    report(`bare-metal server "${server.name}" (Robot server ${String(server.props.serverNumber)}) ${problem}`, server.urn);
                }
            }
        }
    },
};
