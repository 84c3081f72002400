import type { NodeRole } from "../nodes/node-plan";
import { stackNameProblem, type StackMeshDeclaration } from "../../lib/config/tailnet-stacks";

export { stackNameProblem, type StackMeshDeclaration };

/**
 * The tailnet policy file as code. The tailnet has one policy for every stack, so it is rendered from all the
 * stacks' declarations (their `platform:mesh` blocks) and applied by the one stack that sets
 * `mesh.manageAcl: true`: applying it never drops another stack's rules.
 *
 * Each stack's nodes carry their own tags (`tag:<stack>-server|agent|edge`) and reach only their own stack's
 * k3s ports; each stack's admins (`group:<stack>-admins`) and CI (`tag:ci`) reach SSH and the Kubernetes API.
 * Nothing is allow-all, and `tests` make Tailscale reject an edit that opens one stack to another.
 */

/** Node roles; every stack has one tag per role. */
export const NODE_ROLES = ["server", "agent", "edge"] as const satisfies readonly NodeRole[];

/** Tag of CI runners (GitHub Actions joins the tailnet with it to run `pulumi up`). */
export const CI_TAG = "tag:ci";

/** One ACL rule of the `acls` syntax. */
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

/** TCP ports no other stack's node may reach: SSH, API, supervisor, etcd, kubelet, memberlist, node-exporter. */
export const CROSS_STACK_DENIED_TCP = [22, 6443, 9345, 2379, 2380, 10250, 7946, 9100] as const;
/** UDP ports no other stack's node may reach: flannel VXLAN and MetalLB memberlist. */
export const CROSS_STACK_DENIED_UDP = [8472, 7946] as const;

/** The tag a node of `role` in `stack` carries, e.g. `tag:fsn1-server`. */
export function nodeTag(stack: string, role: NodeRole): string {
    const problem = stackNameProblem(stack);
    if (problem) {
        throw new Error(problem);
    }
    return `tag:${stack}-${role}`;
}

/** The tags of one stack's nodes by role. */
export function stackNodeTags(stack: string): Readonly<Record<NodeRole, string>> {
    return { server: nodeTag(stack, "server"), agent: nodeTag(stack, "agent"), edge: nodeTag(stack, "edge") };
}

/** The group of one stack's admins in the rendered policy, e.g. `group:fsn1-admins`. */
export function adminGroup(stack: string): string {
    const problem = stackNameProblem(stack);
    if (problem) {
        throw new Error(problem);
    }
    return `group:${stack}-admins`;
}

function stackRules(stack: string): AclRule[] {
    const tags = stackNodeTags(stack);
    const nodes = [tags.server, tags.agent, tags.edge];
    const onNodes = (ports: string) => nodes.map((tag) => `${tag}:${ports}`);
    return [
        // Admins and CI deploy: k3s is started over SSH and the API is used to apply the add-ons.
        { action: "accept", src: [adminGroup(stack), CI_TAG], proto: "tcp", dst: [...onNodes("22"), `${tags.server}:${K3S_PORTS.apiServer}`] },
        { action: "accept", src: nodes, proto: "tcp", dst: [`${tags.server}:${K3S_PORTS.apiServer},${K3S_PORTS.supervisor}`] },
        { action: "accept", src: [tags.server], proto: "tcp", dst: [`${tags.server}:${K3S_PORTS.etcd}`] },
        { action: "accept", src: nodes, proto: "tcp", dst: onNodes(`${K3S_PORTS.kubelet},${K3S_PORTS.metallbMemberlist},${K3S_PORTS.nodeExporter}`) },
        { action: "accept", src: nodes, proto: "udp", dst: onNodes(`${K3S_PORTS.flannelVxlan},${K3S_PORTS.metallbMemberlist}`) },
    ];
}

function stackTests(declaration: StackMeshDeclaration, all: readonly StackMeshDeclaration[]): AclTest[] {
    const tags = stackNodeTags(declaration.stack);
    const admin = declaration.admins[0];
    const tests: AclTest[] = [];
    if (admin) {
        tests.push({
            src: admin,
            proto: "tcp",
            accept: [`${tags.server}:22`, `${tags.server}:${K3S_PORTS.apiServer}`, `${tags.edge}:22`],
            deny: [`${tags.server}:2379`, `${tags.agent}:${K3S_PORTS.kubelet}`],
        });
    }
    tests.push(
        { src: tags.agent, proto: "tcp", accept: [`${tags.server}:${K3S_PORTS.apiServer}`, `${tags.server}:${K3S_PORTS.supervisor}`], deny: [`${tags.server}:22`, `${tags.server}:2379`] },
        { src: tags.edge, proto: "tcp", accept: [`${tags.agent}:${K3S_PORTS.kubelet}`], deny: [`${tags.agent}:22`, `${tags.server}:2380`] },
        { src: tags.server, proto: "tcp", accept: [`${tags.server}:2380`] },
        { src: tags.agent, proto: "udp", accept: [`${tags.server}:${K3S_PORTS.flannelVxlan}`] },
        { src: CI_TAG, proto: "tcp", accept: [`${tags.server}:22`, `${tags.server}:${K3S_PORTS.apiServer}`], deny: [`${tags.server}:2379`] },
    );
    for (const other of all.filter((o) => o.stack !== declaration.stack)) {
        const theirs = stackNodeTags(other.stack);
        const targets = NODE_ROLES.map((role) => theirs[role]);
        for (const role of NODE_ROLES) {
            tests.push(
                { src: tags[role], proto: "tcp", deny: targets.flatMap((tag) => CROSS_STACK_DENIED_TCP.map((port) => `${tag}:${port}`)) },
                { src: tags[role], proto: "udp", deny: targets.flatMap((tag) => CROSS_STACK_DENIED_UDP.map((port) => `${tag}:${port}`)) },
            );
        }
        // An admin of this stack who is not one of the other stack's admins reaches none of its nodes.
        const outsider = declaration.admins.find((login) => !other.admins.includes(login));
        if (outsider) {
            tests.push({ src: outsider, proto: "tcp", deny: [`${theirs.server}:22`, `${theirs.server}:${K3S_PORTS.apiServer}`, `${theirs.agent}:22`] });
        }
    }
    return tests;
}

/**
 * Renders the whole tailnet policy from every stack's declaration (sorted by stack name so the document is
 * the same whichever stack renders it). Throws when a stack name cannot prefix tags or is declared twice.
 */
export function renderTailnetPolicy(declarations: readonly StackMeshDeclaration[]): TailnetPolicy {
    const stacks = [...declarations].sort((a, b) => a.stack.localeCompare(b.stack));
    const names = stacks.map((s) => s.stack);
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate !== undefined) {
        throw new Error(`stack "${duplicate}" is declared twice in the tailnet policy`);
    }
    const groups: Record<string, string[]> = {};
    const tagOwners: Record<string, string[]> = {};
    for (const { stack, admins } of stacks) {
        groups[adminGroup(stack)] = [...admins];
        // Only the stack's admins may mint keys carrying its node tags; nodes cannot re-tag themselves.
        for (const role of NODE_ROLES) {
            tagOwners[nodeTag(stack, role)] = [adminGroup(stack)];
        }
    }
    tagOwners[CI_TAG] = stacks.map((s) => adminGroup(s.stack));
    return {
        groups,
        tagOwners,
        acls: stacks.flatMap((s) => stackRules(s.stack)),
        tests: stacks.flatMap((s) => stackTests(s, stacks)),
    };
}
