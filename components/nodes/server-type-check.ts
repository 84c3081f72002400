import * as pulumi from "@pulumi/pulumi";
import * as hcloud from "@pulumi/hcloud";
import { assertServerTypesAvailable, typesToOrder } from "../../lib/hetzner/availability";
import type { NodeSpec } from "./node-plan";

/**
 * Asks the hcloud API whether every server type this run has to order can be ordered in `location` now:
 * `hcloud.getServerTypes` (`GET /server_types`, per-location `available` and `isDeprecated`) for the types, and
 * `hcloud.getServers` with the stack's label for the servers that already exist (a running server of the wanted
 * type orders nothing). Resolves to the types of the cloud nodes; rejects with ServerTypeUnavailableError (type,
 * location, nodes, orderable alternatives) otherwise. Cloud servers take their `serverType` from this output, so
 * none is registered when the check fails. Runs at preview too: invokes are read, not planned.
 */
export function checkServerTypesOrderable(nodes: readonly NodeSpec[], location: string, stackLabel: string, opts?: pulumi.InvokeOutputOptions): pulumi.Output<string[]> {
    const cloud = nodes.filter((n) => n.kind === "cloud");
    const existing = hcloud.getServersOutput({ withSelector: `platform/stack=${stackLabel}` }, opts);
    return pulumi.all([hcloud.getServerTypesOutput(opts), existing]).apply(([answer, servers]) => {
        assertServerTypesAvailable(typesToOrder(cloud, servers.servers), location, answer);
        return cloud.map((n) => n.serverType);
    });
}
