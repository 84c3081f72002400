import { describe, expect, it } from "vitest";
import { createInBatches } from "../../lib/batches";

describe("createInBatches", () => {
    it("creates every item in order and yields to the event loop between batches only", async () => {
        const events: string[] = [];
        let ticks = 0;
        // A macrotask that re-arms itself: it can only run when createInBatches yields.
        const tick = () => {
            ticks++;
            events.push(`tick${ticks}`);
            if (ticks < 10) setImmediate(tick);
        };
        setImmediate(tick);
        const results = await createInBatches([1, 2, 3, 4, 5], 2, (n) => {
            events.push(`create${n}`);
            return n * 10;
        });
        expect(results).toEqual([10, 20, 30, 40, 50]);
        // Batches [1,2] [3,4] [5]: one yield before each later batch, none inside a batch.
        expect(events.slice(0, 7)).toEqual(["create1", "create2", "tick1", "create3", "create4", "tick2", "create5"]);
    });

    it("creates a batch synchronously, so a single batch never yields", async () => {
        let created = 0;
        const pending = createInBatches([1, 2, 3], 3, () => ++created);
        expect(created).toBe(3);
        await expect(pending).resolves.toEqual([1, 2, 3]);
    });

    it("rejects with the creator's error and stops creating", async () => {
        const created: number[] = [];
        const failing = createInBatches([1, 2, 3, 4], 1, (n) => {
            if (n === 2) throw new Error("project 2 is broken");
            created.push(n);
        });
        await expect(failing).rejects.toThrow("project 2 is broken");
        expect(created).toEqual([1]);
    });

    it("refuses a batch size that is not a positive integer", async () => {
        await expect(createInBatches([1], 0, (n) => n)).rejects.toThrow("positive integer");
        await expect(createInBatches([1], 1.5, (n) => n)).rejects.toThrow("positive integer");
    });
});
