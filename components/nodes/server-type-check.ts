import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import { assertServerTypesAvailable, type RequiredServerType } from "../../lib/hetzner/availability";
import type { NodeSpec } from "./node-plan";

/** The hcloud server types the cloud nodes need, each with the hostnames that need it (first-use order). */
export function requiredServerTypes(nodes: readonly NodeSpec[]): RequiredServerType[] {
    const byType = new Map<string, string[]>();
    for (const node of nodes) {
        if (node.kind === "cloud") {
            const type = node.serverType.toLowerCase();
            byType.set(type, [...(byType.get(type) ?? []), node.hostname]);
        }
    }
    return [...byType].map(([serverType, hostnames]) => ({ serverType, nodes: hostnames }));
}

/**
 * Asks the hcloud API (`hcloud.getServerTypes`, i.e. `GET /server_types`) whether every type the cloud nodes
 * need can be ordered in `location` now. Resolves to the checked types; rejects with ServerTypeUnavailableError
 * (type, location, orderable alternatives) otherwise. Cloud servers take their `serverType` from this output,
 * so none is registered when the check fails. Runs at preview too: invokes are read, not planned.
 */
export function checkServerTypesOrderable(nodes: readonly NodeSpec[], location: string, opts?: pulumi.InvokeOutputOptions): pulumi.Output<string[]> {
    const required = requiredServerTypes(nodes);
    return hcloud.getServerTypesOutput(opts).apply((answer) => {
        assertServerTypesAvailable(required, location, answer);
        return required.map((r) => r.serverType);
    });
}
