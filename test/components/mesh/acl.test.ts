import { describe, expect, it } from "vitest";
import {
    CI_TAG,
    CROSS_STACK_DENIED_TCP,
    CROSS_STACK_DENIED_UDP,
    K3S_PORTS,
    NODE_ROLES,
    adminGroup,
    nodeTag,
    renderTailnetPolicy,
    stackNodeTags,
    type StackMeshDeclaration,
} from "../../../components/mesh/acl";
import { readStackMeshDeclarations } from "../../../lib/config/tailnet-stacks";
import { compileTailnetPolicy, tagNameProblem } from "../../../policy/lib/tailscale-evaluator";
import { ROOT } from "../../helpers/synth";

/** The shipped stacks' declarations, read from the repository's Pulumi.<stack>.yaml files. */
const shipped = readStackMeshDeclarations(ROOT);
const policy = renderTailnetPolicy(shipped.declarations);
const evaluated = compileTailnetPolicy(policy as unknown as Record<string, unknown>);
const STACK_NAMES = ["dev", "fsn1", "hel1"];
const pairs = STACK_NAMES.flatMap((from) => STACK_NAMES.filter((to) => to !== from).map((to) => [from, to] as const));

describe("tailnet policy rendered from every shipped stack", () => {
    it("reads dev, fsn1 and hel1 from the repository's stack files", () => {
        expect(shipped.problems).toEqual([]);
        expect(shipped.declarations.map((d) => d.stack)).toEqual(STACK_NAMES);
    });

    it("gives each stack its own node tags, owned by that stack's admins", () => {
        for (const stack of STACK_NAMES) {
            for (const role of NODE_ROLES) {
                const tag = `tag:${stack}-${role}`;
                expect(nodeTag(stack, role)).toBe(tag);
                expect(tagNameProblem(tag)).toBeUndefined();
                expect(policy.tagOwners[tag]).toEqual([`group:${stack}-admins`]);
            }
            expect(policy.groups[adminGroup(stack)]).toEqual(["alice@example.com", "bob@example.com"]);
        }
        expect(policy.tagOwners[CI_TAG]).toEqual(STACK_NAMES.map((s) => `group:${s}-admins`));
        // No tag is shared between stacks any more.
        expect(Object.keys(policy.tagOwners).filter((t) => t !== CI_TAG)).toHaveLength(STACK_NAMES.length * NODE_ROLES.length);
    });

    it("denies every node of one stack the other stacks' SSH, API, supervisor, etcd, kubelet and VXLAN ports", () => {
        for (const [from, to] of pairs) {
            for (const role of NODE_ROLES) {
                for (const target of NODE_ROLES) {
                    for (const port of CROSS_STACK_DENIED_TCP) {
                        expect(evaluated.allows(`tag:${from}-${role}`, `tag:${to}-${target}:${port}`, "tcp"), `${from}-${role} → ${to}-${target}:${port}/tcp`).toBe(false);
                    }
                    for (const port of CROSS_STACK_DENIED_UDP) {
                        expect(evaluated.allows(`tag:${from}-${role}`, `tag:${to}-${target}:${port}`, "udp"), `${from}-${role} → ${to}-${target}:${port}/udp`).toBe(false);
                    }
                }
            }
        }
    });

    it("keeps every intended path inside a stack open", () => {
        for (const stack of STACK_NAMES) {
            const t = stackNodeTags(stack);
            const open: Array<[string, string, "tcp" | "udp"]> = [
                ["alice@example.com", `${t.server}:22`, "tcp"],
                ["alice@example.com", `${t.server}:${K3S_PORTS.apiServer}`, "tcp"],
                ["alice@example.com", `${t.agent}:22`, "tcp"],
                ["alice@example.com", `${t.edge}:22`, "tcp"],
                [CI_TAG, `${t.server}:${K3S_PORTS.apiServer}`, "tcp"],
                [CI_TAG, `${t.edge}:22`, "tcp"],
                [t.agent, `${t.server}:${K3S_PORTS.apiServer}`, "tcp"],
                [t.edge, `${t.server}:${K3S_PORTS.supervisor}`, "tcp"],
                [t.server, `${t.server}:2379`, "tcp"],
                [t.server, `${t.server}:2380`, "tcp"],
                [t.server, `${t.agent}:${K3S_PORTS.kubelet}`, "tcp"],
                [t.edge, `${t.agent}:${K3S_PORTS.flannelVxlan}`, "udp"],
                [t.agent, `${t.edge}:${K3S_PORTS.metallbMemberlist}`, "udp"],
                [t.agent, `${t.server}:${K3S_PORTS.nodeExporter}`, "tcp"],
            ];
            for (const [src, dst, proto] of open) expect(evaluated.allows(src, dst, proto), `${src} → ${dst}/${proto}`).toBe(true);
            const closed: Array<[string, string, "tcp" | "udp"]> = [
                ["alice@example.com", `${t.server}:2379`, "tcp"],
                ["alice@example.com", `${t.agent}:${K3S_PORTS.kubelet}`, "tcp"],
                [CI_TAG, `${t.server}:2379`, "tcp"],
                [t.agent, `${t.server}:2379`, "tcp"],
                [t.agent, `${t.server}:22`, "tcp"],
                [t.edge, `${t.agent}:22`, "tcp"],
                [t.server, `${t.server}:${K3S_PORTS.apiServer}`, "udp"],
            ];
            for (const [src, dst, proto] of closed) expect(evaluated.allows(src, dst, proto), `${src} ↛ ${dst}/${proto}`).toBe(false);
        }
    });

    it("ships tests Tailscale will run, and they all hold offline", () => {
        expect(evaluated.runTests()).toEqual([]);
        for (const [from, to] of pairs) {
            for (const role of NODE_ROLES) {
                const denies = policy.tests.filter((t) => t.src === `tag:${from}-${role}`).flatMap((t) => (t.deny ?? []).map((d) => `${d}/${t.proto}`));
                for (const dst of [`tag:${to}-server:6443/tcp`, `tag:${to}-server:2379/tcp`, `tag:${to}-server:9345/tcp`, `tag:${to}-agent:10250/tcp`, `tag:${to}-server:22/tcp`, `tag:${to}-agent:8472/udp`]) {
                    expect(denies, `${from}-${role} test denies ${dst}`).toContain(dst);
                }
            }
        }
    });

    it("has no allow-all rule", () => {
        for (const rule of policy.acls) {
            expect(rule.src).not.toContain("*");
            expect(rule.dst.some((d) => d.startsWith("*:") || d.endsWith(":*"))).toBe(false);
        }
    });
});

describe("one owner applies every stack's rules", () => {
    const declarations: StackMeshDeclaration[] = [
        { stack: "dev", admins: ["dana@example.com"], manageAcl: false },
        { stack: "prod", admins: ["alice@example.com", "bob@example.com"], manageAcl: true },
        { stack: "stage", admins: ["alice@example.com", "carol@example.com"], manageAcl: false },
    ];

    it("renders the same document whichever order (or stack) the declarations come from", () => {
        const reversed = renderTailnetPolicy([...declarations].reverse());
        expect(JSON.stringify(reversed)).toBe(JSON.stringify(renderTailnetPolicy(declarations)));
    });

    it("keeps each stack's rules in the owner's document: adding a stack never drops another's", () => {
        const withoutStage = compileTailnetPolicy(renderTailnetPolicy(declarations.filter((d) => d.stack !== "stage")) as unknown as Record<string, unknown>);
        const all = compileTailnetPolicy(renderTailnetPolicy(declarations) as unknown as Record<string, unknown>);
        for (const stack of ["dev", "prod"]) {
            const t = stackNodeTags(stack);
            for (const policyOf of [withoutStage, all]) {
                expect(policyOf.allows(t.agent, `${t.server}:${K3S_PORTS.apiServer}`, "tcp")).toBe(true);
                expect(policyOf.allows(t.server, `${t.server}:2380`, "tcp")).toBe(true);
            }
        }
        expect(all.allows("tag:stage-agent", "tag:stage-server:6443", "tcp")).toBe(true);
        expect(all.runTests()).toEqual([]);
    });

    it("lets each stack's admins reach only their stacks", () => {
        const all = compileTailnetPolicy(renderTailnetPolicy(declarations) as unknown as Record<string, unknown>);
        expect(all.allows("dana@example.com", "tag:dev-server:22", "tcp")).toBe(true);
        expect(all.allows("dana@example.com", "tag:prod-server:22", "tcp")).toBe(false);
        expect(all.allows("dana@example.com", "tag:prod-server:6443", "tcp")).toBe(false);
        expect(all.allows("carol@example.com", "tag:stage-server:6443", "tcp")).toBe(true);
        expect(all.allows("carol@example.com", "tag:prod-server:6443", "tcp")).toBe(false);
        expect(all.allows("alice@example.com", "tag:prod-server:6443", "tcp")).toBe(true);
        expect(all.allows("alice@example.com", "tag:stage-server:6443", "tcp")).toBe(true);
        // The outsider tests are in the document, so Tailscale enforces them too.
        const tests = renderTailnetPolicy(declarations).tests;
        expect(tests).toContainEqual({ src: "dana@example.com", proto: "tcp", deny: ["tag:prod-server:22", "tag:prod-server:6443", "tag:prod-agent:22"] });
    });

    it("refuses stack names that cannot prefix a tag, and duplicates", () => {
        expect(() => renderTailnetPolicy([{ stack: "my_stack", admins: ["a@example.com"], manageAcl: true }])).toThrow(/cannot prefix Tailscale tags/);
        expect(() => renderTailnetPolicy([{ stack: "1fsn", admins: ["a@example.com"], manageAcl: true }])).toThrow(/cannot prefix Tailscale tags/);
        expect(() => renderTailnetPolicy([declarations[0]!, declarations[0]!])).toThrow('stack "dev" is declared twice in the tailnet policy');
    });
});
