import { describe, expect, it } from "vitest";
import { redisPlacementProblems } from "../../policy/rules/tenancy/redis-replication";

/**
 * The checks of `tenancy-redis-replication` called directly, each message and edge written out: the admission
 * twin's tests (test/components/guardrails/redis-policy.test.ts) compare admit/deny of whole objects, which left
 * the placement near misses open (found by `npm run mutation --
 * policy-redis`, 74.1% in its first run). Importing only the rule keeps each mutant's run short. (Its spec and message cases, written against the rule before the
 * two-user ACL of the same day, were dropped at the merge: test/policy and test/components/guardrails cover that rule.)
 */

const RUN = { "platform/pool": "run" };
const TOLERATION = { key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" };
const PLACEMENT_WHY = 'is not the platform\'s ({"platform/pool":"run"} or {"platform/pool":"server"}): the unsandboxed Redis pods stay on the tenant pool';


describe("redisPlacementProblems", () => {
    it("accepts a tenant pool's selector (either key order), the run pool's toleration or none, and anti-affinity only", () => {
        expect(redisPlacementProblems({ nodeSelector: RUN, tolerations: [TOLERATION], affinity: { podAntiAffinity: {} } }, "")).toEqual([]);
        expect(redisPlacementProblems({ nodeSelector: { "platform/pool": "server" }, tolerations: [] }, "")).toEqual([]);
        expect(redisPlacementProblems({ nodeSelector: RUN, tolerations: [{ effect: "NoSchedule", value: "run", operator: "Equal", key: "pool" }] }, "")).toEqual([]);
    });

    it("names each wrong field at its place with what it has", () => {
        expect(redisPlacementProblems({}, "sentinel.")).toEqual([`sentinel.nodeSelector null ${PLACEMENT_WHY}`]);
        expect(redisPlacementProblems({ nodeSelector: { "platform/pool": "build" } }, "")).toEqual([`nodeSelector {"platform/pool":"build"} ${PLACEMENT_WHY}`]);
        expect(redisPlacementProblems({ nodeSelector: { ...RUN, zone: "a" } }, "")).toEqual([`nodeSelector {"platform/pool":"run","zone":"a"} ${PLACEMENT_WHY}`]);
        expect(redisPlacementProblems({ nodeSelector: RUN, tolerations: [TOLERATION, TOLERATION] }, "")).toEqual([
            `tolerations [${JSON.stringify(TOLERATION)},${JSON.stringify(TOLERATION)}] are not the platform's ([${JSON.stringify(TOLERATION)}]): another pool's taint would let the unsandboxed Redis pods onto platform nodes`,
        ]);
        expect(redisPlacementProblems({ nodeSelector: RUN, tolerations: [{ ...TOLERATION, value: "build" }] }, "").join("\n")).toMatch(/^tolerations /);
        expect(redisPlacementProblems({ nodeSelector: RUN, tolerations: TOLERATION }, "").join("\n")).toMatch(/^tolerations /);
        expect(redisPlacementProblems({ nodeSelector: RUN, affinity: { nodeAffinity: {}, podAffinity: {}, podAntiAffinity: {} } }, "x.")).toEqual([
            "x.affinity sets nodeAffinity, podAffinity: only podAntiAffinity (members apart), no node or pod affinity choosing where the unsandboxed Redis pods run",
        ]);
        expect(redisPlacementProblems({ nodeSelector: RUN, affinity: "anywhere" }, "")).toEqual([
            "affinity sets a non-object value: only podAntiAffinity (members apart), no node or pod affinity choosing where the unsandboxed Redis pods run",
        ]);
    });
});
