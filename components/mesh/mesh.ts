import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import type { PlatformConfig } from "../../lib/config/schema";
import type { NodeRole, NodeSpec } from "../nodes/node-plan";
import { renderTailnetPolicy, stackNodeTags, type StackMeshDeclaration } from "./acl";

/** Arguments of the Mesh component. */
export interface MeshArgs {
    /** Validated stack configuration (`mesh` block). */
    config: PlatformConfig;
    /** Every node of the stack; each gets its own auth key. */
    nodes: readonly NodeSpec[];
    /** This stack's name; it prefixes the node tags (`tag:<stack>-server`). */
    stack: string;
    /** Every stack's share of the tailnet policy (lib/config/tailnet-stacks.ts), this stack included. */
    tailnet: readonly StackMeshDeclaration[];
}

/**
 * The description of a node's key (Tailscale allows 50 characters): it names the node's generation, so a
 * generation bump replaces the key (every key attribute forces a new key in the provider, and the
 * resource says so with `replaceOnChanges`).
 */
export function authKeyDescription(node: NodeSpec): string {
    const full = `node ${node.hostname}`;
    return full.length <= 50 ? full : `node ${node.id} generation ${node.generation}`;
}

/**
 * The Tailscale side of the platform: the tailnet policy (when this stack owns it) and one pre-authorized,
 * tagged, single-use, short-lived auth key per node.
 */
export class Mesh extends pulumi.ComponentResource {
    /** The rendered tailnet policy (JSON), the same whichever stack renders it. */
    readonly aclDocument: string;
    /** This stack's node tags by role. */
    readonly nodeTags: Readonly<Record<NodeRole, string>>;
    /** Auth key per node id (`NodeSpec.id`; secret). */
    readonly authKeys: ReadonlyMap<string, pulumi.Output<string>>;

    constructor(name: string, args: MeshArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:mesh:Mesh", name, {}, opts);
        this.aclDocument = JSON.stringify(renderTailnetPolicy(args.tailnet), null, 2);
        this.nodeTags = stackNodeTags(args.stack);
        const acl = args.config.mesh.manageAcl
            ? // Never reset on destroy: Tailscale's default policy is allow-all, and moving ownership deletes this.
              new tailscale.Acl(`${name}-policy`, { acl: this.aclDocument, overwriteExistingContent: true, resetAclOnDestroy: false }, { parent: this })
            : undefined;
        const keys = new Map<string, pulumi.Output<string>>();
        for (const node of args.nodes) {
            // Single-use (a node joins once), pre-authorized (no manual approval), not ephemeral (nodes survive
            // reboots), short expiry: a key leaked from user-data is useless soon after the node joined.
            // recreateIfInvalid "always": the provider marks a key invalid once it expired, was revoked or was
            // used, and then plans a new one (terraform-provider-tailscale, resource_tailnet_key.go ModifyPlan;
            // the provider's default for single-use keys is never). That is what lets a failed first `up` be
            // retried after the expiry (`pulumi up --refresh`: the invalid flag is read on refresh); for a node
            // that already joined, the fresh key goes nowhere (running machines ignore user-data changes).
            const key = new tailscale.TailnetKey(
                `${node.id}-authkey`,
                {
                    description: authKeyDescription(node),
                    tags: [this.nodeTags[node.role]],
                    reusable: false,
                    ephemeral: false,
                    preauthorized: true,
                    expiry: args.config.mesh.authKeyExpirySeconds,
                    recreateIfInvalid: "always",
                },
                { parent: this, additionalSecretOutputs: ["key"], dependsOn: acl ? [acl] : [], replaceOnChanges: ["description"] },
            );
            keys.set(node.id, pulumi.secret(key.key));
        }
        this.authKeys = keys;
        this.registerOutputs({ aclDocument: this.aclDocument });
    }
}
