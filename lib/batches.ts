/**
 * Calls `create` for every item, yielding to the event loop after each `batchSize` items, and resolves to
 * the results in order.
 *
 * Why: every Pulumi resource constructed in one synchronous loop is in flight at the same time, with its
 * promises, outputs and serialized inputs. For a catalog of a thousand tenant Projects (about 29,000
 * resources) that is gigabytes of heap and a garbage collector busy with all of it. Yielding between
 * batches lets registrations that are ready finish first; it never waits for the engine, so a real
 * deployment still registers everything concurrently.
 */
export async function createInBatches<T, R>(items: readonly T[], batchSize: number, create: (item: T) => R): Promise<R[]> {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new Error(`batch size must be a positive integer, got ${batchSize}`);
    }
    const results: R[] = [];
    for (const [index, item] of items.entries()) {
        if (index > 0 && index % batchSize === 0) {
            await new Promise<void>((resolve) => setImmediate(resolve));
        }
        results.push(create(item));
    }
    return results;
}
