/**
 * The tailnet policy file as code. Admins reach SSH and the Kubernetes API; nodes reach each other only on
 * the k3s ports; nothing is allow-all. `tests` make Tailscale reject a policy edit that breaks these rules.
 */

/** Tags the platform's nodes carry; each role gets its own auth key. */
export const NODE_TAGS = {
    server: "tag:k3s-server",
    agent: "tag:k3s-agent",
    edge: "tag:edge",
} as const;

/** Tag of CI runners (GitHub Actions joins the tailnet with it to run `pulumi up`). */
export const CI_TAG = "tag:ci";

/** Group of the platform admins in the rendered policy. */
export const ADMIN_GROUP = "group:platform-admins";

/** One ACL rule of the legacy `acls` syntax (still the documented format of the Acl resource). */
export interface AclRule {
    action: "accept";
    src: string[];
    proto?: "tcp" | "udp";
    dst: string[];
}

/** An ACL test: the policy is rejected if `src` cannot reach `accept` or can reach `deny`. */
export interface AclTest {
    src: string;
    proto?: "tcp" | "udp";
    accept?: string[];
    deny?: string[];
}

/** The tailnet policy document. */
export interface TailnetPolicy {
    groups: Record<string, string[]>;
    tagOwners: Record<string, string[]>;
    acls: AclRule[];
    tests: AclTest[];
}

/** Ports k3s nodes use between each other (https://docs.k3s.io/installation/requirements#inbound-rules-for-k3s-nodes). */
export const K3S_PORTS = {
    apiServer: 6443,
    supervisor: 9345,
    kubelet: 10250,
    etcd: "2379-2380",
    flannelVxlan: 8472,
    metallbMemberlist: 7946,
    nodeExporter: 9100,
} as const;

/** Renders the policy for the given admin logins. */
export function renderTailnetPolicy(admins: readonly string[]): TailnetPolicy {
    const allNodes = [NODE_TAGS.server, NODE_TAGS.agent, NODE_TAGS.edge];
    const onAll = (ports: string) => allNodes.map((tag) => `${tag}:${ports}`);
    return {
        groups: { [ADMIN_GROUP]: [...admins] },
        // Only admins may mint keys carrying node tags; nodes cannot re-tag themselves.
        tagOwners: Object.fromEntries([...allNodes, CI_TAG].map((tag) => [tag, [ADMIN_GROUP]])),
        acls: [
            // CI deploys like an admin: k3s is started over SSH and the API is used to apply the add-ons.
            { action: "accept", src: [ADMIN_GROUP, CI_TAG], proto: "tcp", dst: [...onAll("22"), `${NODE_TAGS.server}:${K3S_PORTS.apiServer}`] },
            { action: "accept", src: allNodes, proto: "tcp", dst: [`${NODE_TAGS.server}:${K3S_PORTS.apiServer},${K3S_PORTS.supervisor}`] },
            { action: "accept", src: [NODE_TAGS.server], proto: "tcp", dst: [`${NODE_TAGS.server}:${K3S_PORTS.etcd}`] },
            { action: "accept", src: allNodes, proto: "tcp", dst: onAll(`${K3S_PORTS.kubelet},${K3S_PORTS.metallbMemberlist},${K3S_PORTS.nodeExporter}`) },
            { action: "accept", src: allNodes, proto: "udp", dst: onAll(`${K3S_PORTS.flannelVxlan},${K3S_PORTS.metallbMemberlist}`) },
        ],
        tests: [
            {
                src: admins[0] ?? ADMIN_GROUP,
                proto: "tcp",
                accept: [`${NODE_TAGS.server}:22`, `${NODE_TAGS.server}:${K3S_PORTS.apiServer}`, `${NODE_TAGS.edge}:22`],
                deny: [`${NODE_TAGS.server}:2379`, `${NODE_TAGS.agent}:${K3S_PORTS.kubelet}`],
            },
            { src: NODE_TAGS.agent, proto: "tcp", accept: [`${NODE_TAGS.server}:${K3S_PORTS.apiServer}`, `${NODE_TAGS.server}:${K3S_PORTS.supervisor}`], deny: [`${NODE_TAGS.server}:22`, `${NODE_TAGS.server}:2379`] },
            { src: NODE_TAGS.edge, proto: "tcp", accept: [`${NODE_TAGS.agent}:${K3S_PORTS.kubelet}`], deny: [`${NODE_TAGS.agent}:22`, `${NODE_TAGS.server}:2380`] },
            { src: NODE_TAGS.server, proto: "tcp", accept: [`${NODE_TAGS.server}:2380`] },
            { src: CI_TAG, proto: "tcp", accept: [`${NODE_TAGS.server}:22`, `${NODE_TAGS.server}:${K3S_PORTS.apiServer}`], deny: [`${NODE_TAGS.server}:2379`] },
        ],
    };
}
