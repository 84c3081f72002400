import { describe, expect, it } from "vitest";
import { CLOUD_METADATA_RANGES, ipv4CidrContains, PRIVATE_RANGES, SMTP_PORTS } from "../../lib/network-rules";
import { SMTP_PORTS as PACK_SMTP_PORTS, METADATA_ADDRESS as PACK_METADATA_ADDRESS } from "../../policy/lib/network-policy";
import { cidrTextContains as packCidrContains } from "../../policy/lib/network";
import { EGRESS_EXCEPT } from "../../components/project/network-policies";

/**
 * The policy pack (policy/) is a standalone package, so it cannot import the program's lib/network-rules.ts:
 * it keeps copies. This contract holds the copies equal to the program's single source: the mail ports, the
 * cloud metadata range, and the CIDR containment both sides compute.
 */
describe("policy pack ↔ program network rules contract", () => {
    it("refuses the same mail ports", () => {
        expect([...PACK_SMTP_PORTS]).toEqual([...SMTP_PORTS]);
        // And the one source holds what the design asks for, written out here.
        expect([...SMTP_PORTS]).toEqual([25, 465, 587, 2525]);
    });

    it("guards the same cloud metadata range, which the projects' NetworkPolicies except", () => {
        expect([PACK_METADATA_ADDRESS]).toEqual([...CLOUD_METADATA_RANGES]);
        expect(CLOUD_METADATA_RANGES).toEqual(["169.254.169.254/32"]);
        // Each range is inside one of the internet rule's except blocks (the whole link-local /16 covers metadata).
        for (const range of [...CLOUD_METADATA_RANGES, ...PRIVATE_RANGES]) {
            expect(EGRESS_EXCEPT.some((except) => ipv4CidrContains(except, range)), range).toBe(true);
        }
    });

    // Boundaries of every range both sides reason about, bare addresses, nested and overlapping blocks,
    // host bits set, and text that must not parse.
    const samples = [
        "0.0.0.0/0",
        "10.0.0.0/8",
        "10.0.0.0/7",
        "10.255.255.255",
        "11.0.0.0",
        "9.255.255.255/32",
        "10.42.0.0/16",
        "10.43.7.9/16",
        "172.16.0.0/12",
        "172.15.255.255",
        "172.31.255.255",
        "172.32.0.0/16",
        "192.168.0.0/16",
        "192.168.255.0/24",
        "192.169.0.0/16",
        "100.64.0.0/10",
        "100.63.255.255",
        "100.127.255.255/32",
        "100.128.0.0/10",
        "169.254.169.254/32",
        "169.254.169.254",
        "169.254.0.0/16",
        "169.254.169.255",
        "198.18.0.0/15",
        "198.19.255.255/31",
        "203.0.113.7/0",
        "256.1.1.1",
        "10.0.0.0/33",
        "10.0.0/8",
        "not-a-cidr",
    ];

    it("computes the same IPv4 containment for every pair of sample blocks", () => {
        const differences: string[] = [];
        for (const outer of samples) {
            for (const inner of samples) {
                if (packCidrContains(outer, inner) !== ipv4CidrContains(outer, inner)) {
                    differences.push(`${outer} ⊇ ${inner}: pack ${packCidrContains(outer, inner)}, program ${ipv4CidrContains(outer, inner)}`);
                }
            }
        }
        expect(differences).toEqual([]);
        // Not vacuous: both sides say yes and no somewhere.
        expect(ipv4CidrContains("10.0.0.0/8", "10.42.0.0/16")).toBe(true);
        expect(ipv4CidrContains("10.0.0.0/8", "11.0.0.0")).toBe(false);
        expect(ipv4CidrContains("169.254.169.254/32", "169.254.169.254")).toBe(true);
    });
});
