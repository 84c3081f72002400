import { describe, expect, it, vi } from "vitest";

/**
 * `policy/index.ts` is the only module that constructs the PolicyPack (construction starts a gRPC server), so
 * here the constructor is replaced by a spy and the entry point is imported to see what it passes.
 */
const constructed = vi.hoisted(() => [] as unknown[][]);
vi.mock("@pulumi/policy", () => ({
    PolicyPack: class {
        constructor(...args: unknown[]) {
            constructed.push(args);
        }
    },
}));

describe("policy/index.ts", () => {
    it("constructs exactly one PolicyPack from the rule list, mandatory by default, with initial config", async () => {
        await import("../../policy/index");
        const { POLICIES } = await import("../../policy/rules");
        const { initialPackConfig } = await import("../../policy/lib/config");
        expect(constructed).toHaveLength(1);
        const [name, args, initialConfig] = constructed[0] as [string, { policies: unknown[]; enforcementLevel: string }, Record<string, unknown>];
        expect(name).toBe("hetzner-platform");
        expect(args.policies).toEqual([...POLICIES]);
        expect(args.enforcementLevel).toBe("mandatory");
        expect(initialConfig).toEqual(initialPackConfig(POLICIES));
        expect(Object.keys(initialConfig)).toContain("workload-image-registry");
    });
});
