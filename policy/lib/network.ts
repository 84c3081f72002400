/**
 * Address and port arithmetic for firewall and NetworkPolicy rules: port ranges (`"22"`, `"2379-2380"`,
 * `"any"`) here; CIDR parsing and containment (both families) are the program's own, from lib/network-rules.ts.
 */

import { parseCidr } from "../../lib/network-rules";

export { cidrContains, cidrTextContains, parseCidr, type Cidr } from "../../lib/network-rules";

/** Whether a source range is the whole Internet of its family (`0.0.0.0/0`, `::/0`). */
export function isWorldCidr(text: string): boolean {
    return parseCidr(text)?.prefix === 0;
}

/** An inclusive port range. */
export interface PortRange {
    /** First port. */
    from: number;
    /** Last port. */
    to: number;
}

/** Every port. */
export const ALL_PORTS: Readonly<PortRange> = Object.freeze({ from: 1, to: 65535 });

/**
 * Parses a firewall port field: `"22"`, `22`, `"2379-2380"`, `"any"` or absent (both mean every port).
 * Returns `undefined` for text that is not a port (callers treat that as "cannot prove it is narrow").
 */
export function parsePortRange(value: unknown): PortRange | undefined {
    if (value === undefined || value === null || value === "" || (typeof value === "string" && value.trim().toLowerCase() === "any")) {
        return { ...ALL_PORTS };
    }
    if (typeof value === "number") {
        return Number.isInteger(value) && value >= 0 && value <= 65535 ? { from: value, to: value } : undefined;
    }
    if (typeof value !== "string") {
        return undefined;
    }
    const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(value);
    if (!match) {
        return undefined;
    }
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    return from <= to && to <= 65535 ? { from, to } : undefined;
}

/** Whether two ranges share a port. */
export function rangesOverlap(a: PortRange, b: PortRange): boolean {
    return a.from <= b.to && b.from <= a.to;
}

/** Whether every port of `range` lies in the union of `allowed`. */
export function rangeCovered(range: PortRange, allowed: readonly PortRange[]): boolean {
    let next = range.from;
    const sorted = [...allowed].sort((a, b) => a.from - b.from);
    for (const r of sorted) {
        if (r.from > next) {
            break;
        }
        if (r.to >= next) {
            next = r.to + 1;
        }
        if (next > range.to) {
            return true;
        }
    }
    return next > range.to;
}

/** `22`, `2379-2380`, or `any`. */
export function formatRange(range: PortRange): string {
    if (range.from <= 1 && range.to >= 65535) {
        return "any";
    }
    return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}
