/**
 * Address and port arithmetic for firewall and NetworkPolicy rules: CIDR parsing for both families,
 * containment, and port ranges (`"22"`, `"2379-2380"`, `"any"`).
 */

/** A parsed CIDR block. */
export interface Cidr {
    /** Address family. */
    family: 4 | 6;
    /** Network address as an unsigned integer (host bits cleared). */
    network: bigint;
    /** Prefix length. */
    prefix: number;
}

function parseIpv4(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) {
        return undefined;
    }
    let value = 0n;
    for (const part of parts) {
        if (!/^\d{1,3}$/.test(part) || Number(part) > 255) {
            return undefined;
        }
        value = (value << 8n) | BigInt(Number(part));
    }
    return value;
}

function parseIpv6(text: string): bigint | undefined {
    let address = text;
    // An embedded IPv4 tail (::ffff:1.2.3.4) counts as the last two groups.
    const lastColon = address.lastIndexOf(":");
    const tail = address.slice(lastColon + 1);
    if (tail.includes(".")) {
        const v4 = parseIpv4(tail);
        if (v4 === undefined) {
            return undefined;
        }
        address = `${address.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
    }
    const halves = address.split("::");
    if (halves.length > 2) {
        return undefined;
    }
    const head = halves[0] ? halves[0].split(":") : [];
    const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
    const missing = 8 - head.length - rest.length;
    if ((halves.length === 1 && missing !== 0) || missing < 0) {
        return undefined;
    }
    const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
    let value = 0n;
    for (const group of groups) {
        if (!/^[0-9a-fA-F]{1,4}$/.test(group)) {
            return undefined;
        }
        value = (value << 16n) | BigInt(parseInt(group, 16));
    }
    return value;
}

/** Parses `a.b.c.d/n`, an IPv6 CIDR, or a bare address (as a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
    const [address = "", prefixText, ...extra] = text.trim().split("/");
    if (extra.length > 0) {
        return undefined;
    }
    const family: 4 | 6 = address.includes(":") ? 6 : 4;
    const value = family === 4 ? parseIpv4(address) : parseIpv6(address);
    const bits = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (value === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
        return undefined;
    }
    const hostBits = BigInt(bits - prefix);
    return { family, network: (value >> hostBits) << hostBits, prefix };
}

/** Whether `outer` contains every address of `inner`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    if (outer.family !== inner.family || inner.prefix < outer.prefix) {
        return false;
    }
    const bits = outer.family === 4 ? 32 : 128;
    const hostBits = BigInt(bits - outer.prefix);
    return (inner.network >> hostBits) === (outer.network >> hostBits);
}

/** Whether a CIDR text contains an address text (false when either does not parse). */
export function cidrTextContains(outer: string, inner: string): boolean {
    const o = parseCidr(outer);
    const i = parseCidr(inner);
    return o !== undefined && i !== undefined && cidrContains(o, i);
}

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
