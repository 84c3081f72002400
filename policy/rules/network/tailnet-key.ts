import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forTypes } from "../../lib/rule-helpers";
import { PLATFORM_NODE_ROLES, TAILNET_KEY_TYPE, stackOfUrn } from "../../lib/tailscale";
import { asStrings } from "../../lib/values";

/** Longest auth-key lifetime: a node joins within minutes of boot; a day covers slow bare-metal installs. */
export const MAX_KEY_EXPIRY_SECONDS = 86_400;

/**
 * Tailnet auth keys are tagged (a node gets its role's ACLs, never a user's identity), expire within a day
 * (the provider's default is 90 days; user-data is readable on the metadata address long after boot), and are
 * reusable only when ephemeral (a leaked reusable key would otherwise enrol permanent devices), and carry only
 * the node tags of their own stack (`tag:<stack>-server|agent|edge`): a shared or another stack's tag would
 * give the node that stack's access.
 */
export const networkTailnetKey: ResourceValidationPolicy = {
    name: "network-tailnet-key",
    description: `Tailnet keys must carry their stack's node tags, expire within ${MAX_KEY_EXPIRY_SECONDS} seconds, and be reusable only if ephemeral.`,
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: forTypes([TAILNET_KEY_TYPE], (args, report) => {
        const { props } = args;
        const tags = asStrings(props.tags);
        if (tags.length === 0) {
            report("tailnet key has no tags");
        } else {
            const untagged = tags.filter((t) => !t.startsWith("tag:"));
            if (untagged.length > 0) {
                report(`tailnet key tags ${untagged.join(", ")} do not start with "tag:"`);
            }
            const stack = stackOfUrn(args.urn);
            const own = PLATFORM_NODE_ROLES.map((role) => `tag:${stack}-${role}`);
            const foreign = tags.filter((t) => t.startsWith("tag:") && !own.includes(t));
            if (stack !== undefined && foreign.length > 0) {
                report(`tailnet key tags ${foreign.join(", ")} are not node tags of stack ${stack} (${own.join(", ")})`);
            }
        }
        const expiry = props.expiry;
        if (typeof expiry !== "number") {
            report(`tailnet key sets no expiry (the default is 90 days; at most ${MAX_KEY_EXPIRY_SECONDS} seconds allowed)`);
        } else if (expiry <= 0 || expiry > MAX_KEY_EXPIRY_SECONDS) {
            report(`tailnet key expiry ${expiry} seconds is not within 1..${MAX_KEY_EXPIRY_SECONDS}`);
        }
        if (props.reusable === true && props.ephemeral !== true) {
            report("tailnet key is reusable but not ephemeral");
        }
    }),
};
