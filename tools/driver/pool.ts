/**
 * Bounded parallelism for tenant stacks: at most `limit` operations run at once, and a new one starts as soon as
 * one finishes (a worker pool, not batches of `limit`, so one slow tenant does not hold back the next three).
 */

/**
 * Runs `task` over every item with at most `limit` tasks in flight; results come back in the order of `items`.
 * A task that throws rejects the whole call only after the tasks already started have settled, so callers that
 * must report every item make their task catch (the driver's does).
 *
 * @param items what to run, in start order
 * @param limit the most tasks running at once (≥ 1)
 * @param task the work for one item; receives the item and its index
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
    if (!Number.isInteger(limit) || limit < 1) {
        throw new RangeError(`parallelism must be a whole number of at least 1, got ${limit}`);
    }
    const results = new Array<R>(items.length);
    let next = 0;
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
        // Stop taking new items after a failure; what already runs finishes.
        while (failure === undefined && next < items.length) {
            const index = next++;
            try {
                results[index] = await task(items[index]!, index);
            } catch (error) {
                failure ??= { error };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    if (failure !== undefined) {
        throw failure.error;
    }
    return results;
}
