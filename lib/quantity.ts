/**
 * Kubernetes resource quantities (`500m`, `2`, `512Mi`, `1.5Gi`, `10G`) as numbers, so quotas, sizing
 * budgets and metering can be compared and summed. CPU is returned in cores, everything else in bytes.
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Matches a Kubernetes quantity with one of the canonical suffixes. */
export const QUANTITY_PATTERN = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** Parses a quantity; returns `undefined` when it is not one. */
export function parseQuantity(value: string | number): number | undefined {
    if (typeof value === "number") {
        return Number.isFinite(value) && value >= 0 ? value : undefined;
    }
    const match = QUANTITY_PATTERN.exec(value.trim());
    if (!match) {
        return undefined;
    }
    const suffix = match[2] ?? "";
    const factor = BINARY[suffix] ?? DECIMAL[suffix];
    return factor === undefined ? undefined : Number(match[1]) * factor;
}

/** Parses a quantity known to be valid (validated input); throws otherwise. */
export function quantity(value: string | number): number {
    const parsed = parseQuantity(value);
    if (parsed === undefined) {
        throw new Error(`not a Kubernetes quantity: ${String(value)}`);
    }
    return parsed;
}

/** Bytes per GiB, for human-readable sums. */
export const GIB = 2 ** 30;
