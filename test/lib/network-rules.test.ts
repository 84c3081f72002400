import { describe, expect, it } from "vitest";
import {
    apiServerEgressPeers,
    cidrContains,
    cidrTextContains,
    clusterEgressExcept,
    forbiddenEgressPort,
    formatIpv4,
    ipv4CidrContains,
    isNonPublicAddress,
    nonPublicHostReason,
    parseCidr,
    repoUrlProblem,
    withinPrivateRanges,
} from "../../lib/network-rules";

/**
 * lib/network-rules.ts is the one CIDR and range source of the program and the policy pack; its parser and
 * predicates with each edge written out (found by `npm run mutation -- network-rules`: the schema and pack
 * tests reach them with well-formed IPv4 only). Expected values are written by hand, network addresses in hex.
 */

describe("parseCidr", () => {
    it("parses IPv4 blocks and bare addresses, clearing host bits, after trimming", () => {
        expect(parseCidr("10.1.2.3/8")).toEqual({ family: 4, network: 0x0a000000n, prefix: 8 });
        expect(parseCidr(" 192.168.1.7/24 ")).toEqual({ family: 4, network: 0xc0a80100n, prefix: 24 });
        expect(parseCidr("1.2.3.4")).toEqual({ family: 4, network: 0x01020304n, prefix: 32 });
        expect(parseCidr("0.0.0.0/0")).toEqual({ family: 4, network: 0n, prefix: 0 });
        expect(parseCidr("1.2.3.255/32")).toEqual({ family: 4, network: 0x010203ffn, prefix: 32 });
    });

    it("refuses malformed IPv4: wrong part count, a part over 255 or not decimal, a bad or extra prefix", () => {
        for (const text of ["1.2.3", "1.2.3.4.5", "1.2.3.256", "1.2.3.4a", "1.2.3.a4", "1.2.3.1234", "1.2.3.4/33", "1.2.3.4/-1", "1.2.3.4/", "1.2.3.4/8/1", ""]) {
            expect(parseCidr(text), text).toBeUndefined();
        }
    });

    it("refuses a prefix that is a number to JavaScript but not one to three decimal digits", () => {
        // Number() reads each of these as 8 or 10: only the anchored digit pattern refuses them.
        for (const text of ["10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0.0/0x8", "10.0.0.0/1e1", "10.0.0.0/8.0", "::1/+8", "::1/1e1"]) {
            expect(parseCidr(text), text).toBeUndefined();
        }
    });

    it("parses IPv6 with and without ::, with an embedded IPv4 tail", () => {
        expect(parseCidr("::1")).toEqual({ family: 6, network: 1n, prefix: 128 });
        expect(parseCidr("::")).toEqual({ family: 6, network: 0n, prefix: 128 });
        expect(parseCidr("1::")).toEqual({ family: 6, network: 0x0001_0000_0000_0000_0000_0000_0000_0000n, prefix: 128 });
        expect(parseCidr("::2:3")).toEqual({ family: 6, network: 0x0002_0003n, prefix: 128 });
        expect(parseCidr("1:2:3:4:5:6:7:8")).toEqual({ family: 6, network: 0x0001_0002_0003_0004_0005_0006_0007_0008n, prefix: 128 });
        expect(parseCidr("fd7a:115c:a1e0::/48")).toEqual({ family: 6, network: 0xfd7a_115c_a1e0_0000_0000_0000_0000_0000n, prefix: 48 });
        expect(parseCidr("FE80::1:2/10")).toEqual({ family: 6, network: 0xfe80_0000_0000_0000_0000_0000_0000_0000n, prefix: 10 });
        expect(parseCidr("::ffff:1.2.3.4")).toEqual({ family: 6, network: 0xffff_0102_0304n, prefix: 128 });
    });

    it("refuses malformed IPv6: two ::, too few or too many groups, a bad group or IPv4 tail, a prefix over 128", () => {
        for (const text of ["1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", "g::1", "1::g1", "::ffff:1.2.3.256", "fe80::1%eth0", "::1/129", "1:2:3:4::5:6:7:8:9", "1::2:3:4:5:6:7:8:9"]) {
            expect(parseCidr(text), text).toBeUndefined();
        }
    });
});

describe("containment", () => {
    it("cidrContains: same family, the inner block no larger, the outer's network bits equal", () => {
        const p = (text: string) => parseCidr(text)!;
        expect(cidrContains(p("10.0.0.0/8"), p("10.1.0.0/16"))).toBe(true);
        expect(cidrContains(p("10.0.0.0/8"), p("10.0.0.0/8"))).toBe(true);
        expect(cidrContains(p("10.1.0.0/16"), p("10.0.0.0/8"))).toBe(false);
        // A larger block with the same leading bits: the network bits alone would match.
        expect(cidrContains(p("10.0.0.0/16"), p("10.0.0.0/8"))).toBe(false);
        expect(cidrContains(p("fd00::/16"), p("fd00::/8"))).toBe(false);
        expect(cidrContains(p("10.0.0.0/8"), p("11.0.0.0/8"))).toBe(false);
        expect(cidrContains(p("0.0.0.0/0"), p("::1"))).toBe(false);
        expect(cidrContains(p("fc00::/7"), p("fd7a:115c:a1e0::/48"))).toBe(true);
        expect(cidrContains(p("fc00::/7"), p("fe80::/10"))).toBe(false);
    });

    it("cidrTextContains is false when either side does not parse", () => {
        expect(cidrTextContains("10.0.0.0/8", "10.2.3.4")).toBe(true);
        expect(cidrTextContains("10.0.0.0/8", "x")).toBe(false);
        expect(cidrTextContains("x", "10.0.0.0/8")).toBe(false);
        expect(cidrTextContains("::/0", "2a01:4f8::1")).toBe(true);
    });

    it("ipv4CidrContains is false for IPv6 on either side and for what does not parse", () => {
        expect(ipv4CidrContains("10.0.0.0/8", "10.2.3.4")).toBe(true);
        expect(ipv4CidrContains("::/0", "::1")).toBe(false);
        expect(ipv4CidrContains("0.0.0.0/0", "::1")).toBe(false);
        expect(ipv4CidrContains("x", "10.0.0.1")).toBe(false);
        expect(ipv4CidrContains("10.0.0.0/8", "x")).toBe(false);
    });

    it("withinPrivateRanges: RFC 1918 and CGNAT only", () => {
        expect(withinPrivateRanges("10.42.0.0/16")).toBe(true);
        expect(withinPrivateRanges("100.64.0.0/10")).toBe(true);
        expect(withinPrivateRanges("172.31.0.0/16")).toBe(true);
        expect(withinPrivateRanges("100.128.0.0/16")).toBe(false);
        expect(withinPrivateRanges("198.18.0.0/15")).toBe(false);
        expect(withinPrivateRanges("fd00::/8")).toBe(false);
    });

    it("formatIpv4 writes dotted quads", () => {
        expect(formatIpv4(0x0a000001)).toBe("10.0.0.1");
        expect(formatIpv4(0xc0a80101n)).toBe("192.168.1.1");
        expect(formatIpv4(0xffffffffn)).toBe("255.255.255.255");
        expect(formatIpv4(0)).toBe("0.0.0.0");
    });
});

describe("clusterEgressExcept", () => {
    const FIXED = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"];

    it("is the fixed list while the pod and service CIDRs are private", () => {
        expect(clusterEgressExcept({ clusterCidr: "10.42.0.0/16", serviceCidr: "10.43.0.0/16" })).toEqual(FIXED);
    });

    it("adds public pod and service CIDRs once each", () => {
        expect(clusterEgressExcept({ clusterCidr: "198.18.0.0/16", serviceCidr: "198.18.0.0/16" })).toEqual([...FIXED, "198.18.0.0/16"]);
        expect(clusterEgressExcept({ clusterCidr: "198.18.0.0/16", serviceCidr: "198.19.0.0/16" })).toEqual([...FIXED, "198.18.0.0/16", "198.19.0.0/16"]);
    });
});

describe("apiServerEgressPeers", () => {
    it("is the tailnet on 6443 and the service CIDR's first address on 443", () => {
        expect(apiServerEgressPeers("10.43.0.0/16")).toEqual([
            { cidr: "100.64.0.0/10", port: 6443 },
            { cidr: "10.43.0.1/32", port: 443 },
        ]);
        expect(apiServerEgressPeers("172.20.8.0/22")).toEqual([
            { cidr: "100.64.0.0/10", port: 6443 },
            { cidr: "172.20.8.1/32", port: 443 },
        ]);
    });
});

describe("addresses and host names", () => {
    it("isNonPublicAddress: only IP literals, bracketed once at most, mapped IPv4 by its IPv4 range", () => {
        expect(isNonPublicAddress("example.com")).toBe(false);
        expect(isNonPublicAddress("::ffff:10.0.0.1")).toBe(true);
        expect(isNonPublicAddress("1::ffff:10.0.0.1")).toBe(false);
        expect(isNonPublicAddress("[[::1]")).toBe(false);
        expect(isNonPublicAddress("[::1]]")).toBe(false);
    });

    it("nonPublicHostReason: IP literals with their own reasons, names case- and trailing-dot-insensitive", () => {
        expect(nonPublicHostReason("10.0.0.1")).toBe("10.0.0.1 is a private, tailnet, loopback or link-local (cloud metadata) address");
        expect(nonPublicHostReason("[::1]")).toBe("[::1] is a private, tailnet, loopback or link-local (cloud metadata) address");
        expect(nonPublicHostReason("8.8.8.8")).toBe("8.8.8.8 is an IP address; use the host's DNS name");
        expect(nonPublicHostReason("[2a01:4f8::1]")).toBe("[2a01:4f8::1] is an IP address; use the host's DNS name");
        expect(nonPublicHostReason("[[10.0.0.1]")).toBe('[[10.0.0.1] resolves inside the cluster (its last label "1]" is not a public top-level domain)');
        expect(nonPublicHostReason("[10.0.0.1]]")).toBe('[10.0.0.1]] resolves inside the cluster (its last label "1]]" is not a public top-level domain)');
        expect(nonPublicHostReason("LOCALHOST.")).toBe("LOCALHOST. is an in-cluster, local or tailnet name (*.localhost)");
        expect(nonPublicHostReason("github.com.")).toBeUndefined();
        expect(nonPublicHostReason("example.1com")).toBe('example.1com resolves inside the cluster (its last label "1com" is not a public top-level domain)');
        expect(nonPublicHostReason("example.com1")).toBe('example.com1 resolves inside the cluster (its last label "com1" is not a public top-level domain)');
    });

    it("repoUrlProblem: fragments, dot segments and non-public hosts, each with its message", () => {
        expect(repoUrlProblem("https://github.com/example/shop.git#main")).toBe("the URL has a query or fragment; name the repository only");
        expect(repoUrlProblem("https://github.com/example/../shop.git")).toBe("the URL path contains '.', '..' or encoded dots/slashes");
        expect(repoUrlProblem("https://github.com/example/./shop.git")).toBe("the URL path contains '.', '..' or encoded dots/slashes");
        expect(repoUrlProblem("https://github.com/example/%2E%2E/shop.git")).toBe("the URL path contains '.', '..' or encoded dots/slashes");
        expect(repoUrlProblem("https://minio/shop.git")).toBe("minio is not a fully qualified name: inside the cluster it resolves to a Service");
        expect(repoUrlProblem("https://git.shop/x.git", ["shop"])).toBe('git.shop resolves inside the cluster (its last label "shop" is not a public top-level domain)');
        expect(repoUrlProblem("https://git.shop/x.git")).toBeUndefined();
    });
});

describe("forbiddenEgressPort", () => {
    it.each([25, 465, 587, 2525])("port %i is SMTP", (port) => {
        expect(forbiddenEgressPort(port)).toBe(`port ${port} is mail submission (SMTP); tenants never send mail directly`);
    });

    it("names the node port it would reach, and leaves other ports grantable", () => {
        expect(forbiddenEgressPort(41641)).toBe("port 41641 is a node port (Tailscale WireGuard); tenant egress reaches the nodes' public addresses, so it is never opened");
        expect(forbiddenEgressPort(6443)).toBe("port 6443 is a node port (Kubernetes API and k3s supervisor); tenant egress reaches the nodes' public addresses, so it is never opened");
        expect(forbiddenEgressPort(443)).toBeUndefined();
        expect(forbiddenEgressPort(2526)).toBeUndefined();
    });
});
