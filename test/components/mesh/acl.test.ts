import { describe, expect, it } from "vitest";
import { ADMIN_GROUP, CI_TAG, K3S_PORTS, NODE_TAGS, renderTailnetPolicy } from "../../../components/mesh/acl";

const policy = renderTailnetPolicy(["alice@example.com", "bob@example.com"]);

/** Whether a rule set lets `src` reach `tag:port` over `proto` (the ACL semantics we rely on). */
function allows(src: string, proto: "tcp" | "udp", tag: string, port: number): boolean {
    return policy.acls.some((rule) => {
        const srcOk = rule.src.includes(src) || rule.src.includes("*");
        const protoOk = rule.proto === undefined || rule.proto === proto;
        const dstOk = rule.dst.some((d) => {
            const [dTag, ports] = [d.slice(0, d.lastIndexOf(":")), d.slice(d.lastIndexOf(":") + 1)];
            if (dTag !== tag && dTag !== "*") return false;
            return ports === "*" || ports.split(",").some((p) => {
                const [lo, hi] = p.split("-").map(Number);
                return port >= lo! && port <= (hi ?? lo!);
            });
        });
        return srcOk && protoOk && dstOk;
    });
}

describe("tailnet policy", () => {
    it("makes the admins a group that owns every node tag", () => {
        expect(policy.groups[ADMIN_GROUP]).toEqual(["alice@example.com", "bob@example.com"]);
        for (const tag of Object.values(NODE_TAGS)) {
            expect(policy.tagOwners[tag]).toEqual([ADMIN_GROUP]);
        }
    });

    it("has no allow-all rule", () => {
        for (const rule of policy.acls) {
            expect(rule.src).not.toContain("*");
            expect(rule.dst.some((d) => d === "*:*" || d.endsWith(":*"))).toBe(false);
        }
    });

    it("lets admins reach SSH and the API, not etcd or kubelets", () => {
        expect(allows(ADMIN_GROUP, "tcp", NODE_TAGS.server, 22)).toBe(true);
        expect(allows(ADMIN_GROUP, "tcp", NODE_TAGS.server, K3S_PORTS.apiServer)).toBe(true);
        expect(allows(ADMIN_GROUP, "tcp", NODE_TAGS.edge, 22)).toBe(true);
        expect(allows(ADMIN_GROUP, "tcp", NODE_TAGS.server, 2379)).toBe(false);
        expect(allows(ADMIN_GROUP, "tcp", NODE_TAGS.agent, K3S_PORTS.kubelet)).toBe(false);
    });

    it("lets CI runners deploy (SSH, API) but not reach etcd", () => {
        expect(allows(CI_TAG, "tcp", NODE_TAGS.server, 22)).toBe(true);
        expect(allows(CI_TAG, "tcp", NODE_TAGS.server, K3S_PORTS.apiServer)).toBe(true);
        expect(allows(CI_TAG, "tcp", NODE_TAGS.server, 2379)).toBe(false);
        expect(policy.tagOwners[CI_TAG]).toEqual([ADMIN_GROUP]);
    });

    it("lets nodes reach each other on the k3s ports only", () => {
        expect(allows(NODE_TAGS.agent, "tcp", NODE_TAGS.server, K3S_PORTS.apiServer)).toBe(true);
        expect(allows(NODE_TAGS.edge, "tcp", NODE_TAGS.server, K3S_PORTS.supervisor)).toBe(true);
        expect(allows(NODE_TAGS.edge, "udp", NODE_TAGS.agent, K3S_PORTS.flannelVxlan)).toBe(true);
        expect(allows(NODE_TAGS.server, "tcp", NODE_TAGS.server, 2380)).toBe(true);
        expect(allows(NODE_TAGS.agent, "tcp", NODE_TAGS.server, 2379)).toBe(false);
        expect(allows(NODE_TAGS.agent, "tcp", NODE_TAGS.server, 22)).toBe(false);
        expect(allows(NODE_TAGS.edge, "tcp", NODE_TAGS.agent, 22)).toBe(false);
    });

    it("ships ACL tests that agree with the rules", () => {
        expect(policy.tests.length).toBeGreaterThanOrEqual(3);
        for (const test of policy.tests) {
            const src = test.src.includes("@") ? ADMIN_GROUP : test.src;
            const check = (target: string) => {
                const [tag, port] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1))];
                return allows(src, test.proto ?? "tcp", tag, port);
            };
            for (const target of test.accept ?? []) expect(check(target), `${test.src} → ${target}`).toBe(true);
            for (const target of test.deny ?? []) expect(check(target), `${test.src} ↛ ${target}`).toBe(false);
        }
    });
});
