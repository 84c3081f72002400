/**
 * The tenant egress rules the program enforces (tenant validation, the projects' NetworkPolicies) and the
 * policy pack checks again: one source for the program. The pack (policy/, a standalone package run by
 * `pulumi preview --policy-pack policy`) keeps its own copy; test/policy/network-rules.contract.test.ts
 * holds the two equal, CIDR arithmetic included.
 */

/** Mail ports no tenant egress may open (SMTP 25, SMTPS 465, submission 587, the common alternative 2525): spam sent from the platform's addresses gets them blocklisted for every tenant. */
export const SMTP_PORTS: readonly number[] = Object.freeze([25, 465, 587, 2525]);

/** The cloud metadata address: Hetzner serves each server's user-data, bootstrap secrets included, here. */
export const CLOUD_METADATA_RANGES: readonly string[] = Object.freeze(["169.254.169.254/32"]);

/**
 * Private ranges tenant pods never reach through the internet allow rule: the hcloud network, vSwitch, pod
 * and service CIDRs live in the RFC 1918 ranges; the tailnet (node SSH, the Kubernetes API) in CGNAT space.
 */
export const PRIVATE_RANGES: readonly string[] = Object.freeze(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]);

/** A parsed IPv4 CIDR block. */
export interface Ipv4Cidr {
    /** Network address as an unsigned 32-bit integer (host bits cleared). */
    network: number;
    /** Prefix length, 0–32. */
    prefix: number;
}

/** Parses `a.b.c.d/n` or a bare address (a /32); undefined for anything else. */
export function parseIpv4Cidr(text: string): Ipv4Cidr | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(text.trim());
    if (!match) {
        return undefined;
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = match[5] === undefined ? 32 : Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) {
        return undefined;
    }
    const address = octets.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    return { network: Math.floor(address / size) * size, prefix };
}

/** Whether `outer` contains all of `inner` (both IPv4 CIDRs or addresses); false when either does not parse. */
export function ipv4CidrContains(outer: string, inner: string): boolean {
    const a = parseIpv4Cidr(outer);
    const b = parseIpv4Cidr(inner);
    if (!a || !b || b.prefix < a.prefix) {
        return false;
    }
    const size = 2 ** (32 - a.prefix);
    return Math.floor(b.network / size) * size === a.network;
}

/** Whether a CIDR lies inside one of the {@link PRIVATE_RANGES} (so the fixed except list already covers it). */
export function withinPrivateRanges(cidr: string): boolean {
    return PRIVATE_RANGES.some((range) => ipv4CidrContains(range, cidr));
}
