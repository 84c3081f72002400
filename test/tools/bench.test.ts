import { describe, expect, it } from "vitest";
import { tenantRunSchedule } from "../../tools/bench";

describe("the one-tenant measurement's run order", () => {
    it("runs each size's cold run first, then the sizes in turn, so a drift of the load falls on every size alike", () => {
        const schedule = tenantRunSchedule([10, 100, 1000], 5);
        expect(schedule.slice(0, 3)).toEqual([10, 100, 1000].map((size) => ({ size, attempt: 0, cold: true })));
        const warm = schedule.slice(3);
        expect(warm.every((slot) => !slot.cold)).toBe(true);
        // Round by round: 10, 100, 1000, 10, 100, 1000, ...
        expect(warm.map((slot) => slot.size)).toEqual(Array.from({ length: 5 }, () => [10, 100, 1000]).flat());
        for (const size of [10, 100, 1000]) {
            const attempts = schedule.filter((slot) => slot.size === size).map((slot) => slot.attempt);
            // Every run of a size plans a release its content cache has not seen (a real release is new bytes).
            expect(attempts).toEqual([0, 1, 2, 3, 4, 5]);
        }
    });

    it("still has one cold run and the repeats for a single size", () => {
        expect(tenantRunSchedule([10], 2)).toEqual([
            { size: 10, attempt: 0, cold: true },
            { size: 10, attempt: 1, cold: false },
            { size: 10, attempt: 2, cold: false },
        ]);
    });
});
