import { describe, expect, it } from "vitest";
import { mapBounded } from "../../../tools/driver/pool";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("bounded parallel map", () => {
    it("returns results in item order whatever order the tasks finish in", async () => {
        const delays = [30, 5, 20, 1, 10];
        expect(await mapBounded(delays, 3, async (ms, i) => (await tick(ms), `${i}:${ms}`))).toEqual(["0:30", "1:5", "2:20", "3:1", "4:10"]);
    });

    it("keeps exactly `limit` tasks in flight while there is work", async () => {
        let running = 0;
        const seen: number[] = [];
        await mapBounded(Array.from({ length: 9 }, (_, i) => i), 3, async () => {
            running += 1;
            seen.push(running);
            await tick(5);
            running -= 1;
        });
        expect(Math.max(...seen)).toBe(3);
        expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
    });

    it("runs nothing for no items and refuses a limit below 1", async () => {
        expect(await mapBounded([], 4, async () => 1)).toEqual([]);
        await expect(mapBounded([1], 0, async () => 1)).rejects.toThrow("parallelism must be a whole number of at least 1, got 0");
        await expect(mapBounded([1], 1.5, async () => 1)).rejects.toThrow(RangeError);
    });

    it("rejects with a task's error after the running tasks settled, starting no new ones", async () => {
        const started: number[] = [];
        const finished: number[] = [];
        const run = mapBounded([0, 1, 2, 3, 4], 2, async (i) => {
            started.push(i);
            await tick(i === 0 ? 1 : 10);
            if (i === 0) {
                throw new Error("first failed");
            }
            finished.push(i);
        });
        await expect(run).rejects.toThrow("first failed");
        expect(started).toEqual([0, 1]);
        expect(finished).toEqual([1]);
    });
});
