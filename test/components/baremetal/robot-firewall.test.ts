import { describe, expect, it } from "vitest";
import { renderRobotFirewall, robotFirewallForm, ROBOT_FIREWALL_MAX_RULES } from "../../../components/baremetal/robot-firewall";
import { renderFirewallRules, WORLD } from "../../../components/nodes/firewall-rules";
import { firewallAdmits, firewallAdmitsTcp, type FakeFirewall, type FirewallPacket } from "../../helpers/robot-fake-server";

const asFake = (config: ReturnType<typeof renderRobotFirewall>): FakeFirewall => {
    const form = robotFirewallForm(config);
    const rules: FakeFirewall["rules"] = { input: [], output: [] };
    for (const [key, value] of Object.entries(form)) {
        const m = /^rules\[(input|output)\]\[(\d+)\]\[([a-z_]+)\]$/.exec(key);
        if (m) {
            (rules[m[1] as "input" | "output"][Number(m[2])] ??= {})[m[3]!] = value;
        }
    }
    return { status: form.status!, filter_ipv6: form.filter_ipv6 === "true", whitelist_hos: form.whitelist_hos === "true", rules };
};

describe("Robot firewall rendering", () => {
    const config = renderRobotFirewall(renderFirewallRules(false));

    it("turns the node intent into per-family Robot rules plus stateless return traffic, within Robot's limit", () => {
        expect(config).toMatchObject({ status: "active", filter_ipv6: true, whitelist_hos: true });
        expect(config.input).toEqual([
            { name: "udp 41641 v4", ip_version: "ipv4", protocol: "udp", dst_port: "41641", action: "accept" },
            { name: "udp 41641 v6", ip_version: "ipv6", protocol: "udp", dst_port: "41641", action: "accept" },
            { name: "icmp v4", ip_version: "ipv4", protocol: "icmp", action: "accept" },
            { name: "icmp v6", ip_version: "ipv6", protocol: "icmp", action: "accept" },
            { name: "tcp established v4", ip_version: "ipv4", protocol: "tcp", tcp_flags: "ack", action: "accept" },
            { name: "dns replies v4", ip_version: "ipv4", protocol: "udp", src_port: "53", dst_port: "1024-65535", action: "accept" },
            { name: "ntp replies v4", ip_version: "ipv4", protocol: "udp", src_port: "123", dst_port: "1024-65535", action: "accept" },
            { name: "tcp established v6", ip_version: "ipv6", protocol: "tcp", tcp_flags: "ack", action: "accept" },
            { name: "dns replies v6", ip_version: "ipv6", protocol: "udp", src_port: "53", dst_port: "1024-65535", action: "accept" },
            { name: "ntp replies v6", ip_version: "ipv6", protocol: "udp", src_port: "123", dst_port: "1024-65535", action: "accept" },
        ]);
        expect(config.input.length).toBeLessThanOrEqual(ROBOT_FIREWALL_MAX_RULES);
        expect(config.output).toEqual([{ name: "allow all", action: "accept" }]);
    });

    it("never admits a new TCP connection: SSH, the API, kubelet stay closed", () => {
        const firewall = asFake(config);
        for (const port of [22, 6443, 10250, 2379, 40000]) {
            expect(firewallAdmitsTcp(firewall, port), `tcp ${port}`).toBe(false);
        }
        expect(firewallAdmitsTcp(asFake(renderRobotFirewall([{ protocol: "tcp", port: "443", sourceIps: WORLD }])), 443)).toBe(true);
        expect(firewallAdmitsTcp(asFake(renderRobotFirewall(renderFirewallRules(false), "disabled")), 22)).toBe(true);
    });

    it("encodes Robot's form fields", () => {
        const form = robotFirewallForm(config);
        expect(form).toMatchObject({
            status: "active",
            filter_ipv6: "true",
            whitelist_hos: "true",
            "rules[input][0][name]": "udp 41641 v4",
            "rules[input][0][ip_version]": "ipv4",
            "rules[input][0][protocol]": "udp",
            "rules[input][0][dst_port]": "41641",
            "rules[input][0][action]": "accept",
            "rules[input][4][tcp_flags]": "ack",
            "rules[output][0][name]": "allow all",
            "rules[output][0][action]": "accept",
        });
        expect(Object.keys(form).some((k) => k.startsWith("rules[input][10]"))).toBe(false);
    });

    it("keeps IPv4 source restrictions and refuses what Robot cannot express", () => {
        const restricted = renderRobotFirewall([{ protocol: "tcp", port: "22", sourceIps: ["198.51.100.7/32"] }]);
        expect(restricted.input[0]).toEqual({ name: "tcp 22 198.51.100.7/32", ip_version: "ipv4", protocol: "tcp", dst_port: "22", src_ip: "198.51.100.7/32", action: "accept" });
        expect(restricted.input.some((r) => r.ip_version === "ipv6" && r.dst_port === "22")).toBe(false);
        expect(() => renderRobotFirewall([{ protocol: "tcp", port: "22", sourceIps: ["2001:db8::/32"] }])).toThrow(/cannot filter IPv6 by source/);
        expect(() => renderRobotFirewall([{ protocol: "tcp", port: "22", sourceIps: [] }])).toThrow(/no sources/);
        expect(() => renderRobotFirewall([{ protocol: "icmp", port: "8", sourceIps: WORLD }])).toThrow(/ICMP has none/);
        const tooMany = ["80", "443", "8080"].map((port) => ({ protocol: "tcp" as const, port, sourceIps: WORLD }));
        expect(() => renderRobotFirewall(tooMany)).toThrow(/allows 10 inbound rules; these inbound rules need 12/);
    });
});

/**
 * Pod egress on a bare-metal node, as flannel and the kernel really do it: flannel installs
 * `-s <cluster-cidr> ! -d 224.0.0.0/4 -j MASQUERADE --random-fully` (flannel-io/flannel
 * pkg/trafficmngr/iptables/iptables.go, masqRules), and netfilter's nf_nat_l4proto_unique_tuple picks the new
 * source port from 1024-65535 for an original port of 1024 or more (1-511 below 512, 600-1023 in between),
 * at random with --random-fully. Replies come back to that port through the stateless Robot firewall.
 */
describe("Robot firewall return rules against flannel's masquerade ports", () => {
    const firewall = asFake(renderRobotFirewall(renderFirewallRules(false)));
    // The kernel's ranges, copied from netfilter (not from the code under test).
    const MASQUERADE_MIN = 1024;
    const MASQUERADE_MAX = 65535;
    /** What --random-fully may pick for a pod socket bound to an ephemeral port: every port of the range, spread. */
    const mappedPorts = (() => {
        const ports = [MASQUERADE_MIN, MASQUERADE_MIN + 1, 8472, 10250, 32767, 32768, 60999, 61000, MASQUERADE_MAX];
        let seed = 0x2545f491;
        for (let i = 0; i < 400; i++) {
            seed = (seed * 1103515245 + 12345) >>> 0;
            ports.push(MASQUERADE_MIN + (seed % (MASQUERADE_MAX - MASQUERADE_MIN + 1)));
        }
        return ports;
    })();
    const reply = (packet: Omit<FirewallPacket, "ipVersion" | "srcIp">, ipVersion: "ipv4" | "ipv6" = "ipv4"): FirewallPacket => ({
        ipVersion,
        srcIp: ipVersion === "ipv4" ? "198.51.100.20" : undefined,
        ...packet,
    });

    it("lets the SYN-ACK and every later segment of a masqueraded pod connection back in, whatever port was picked", () => {
        const dropped = mappedPorts.filter(
            (port) =>
                !firewallAdmits(firewall, reply({ protocol: "tcp", srcPort: 443, dstPort: port, tcpFlags: ["syn", "ack"] })) ||
                !firewallAdmits(firewall, reply({ protocol: "tcp", srcPort: 443, dstPort: port, tcpFlags: ["ack", "psh"] })) ||
                !firewallAdmits(firewall, reply({ protocol: "tcp", srcPort: 5432, dstPort: port, tcpFlags: ["fin", "ack"] }, "ipv6")),
        );
        expect(dropped).toEqual([]);
        // The node's own connections (ephemeral 32768-60999) keep working as before.
        expect(firewallAdmits(firewall, reply({ protocol: "tcp", srcPort: 443, dstPort: 45000, tcpFlags: ["ack"] }))).toBe(true);
    });

    it("lets DNS and NTP answers to masqueraded pod sockets in (CoreDNS forwards upstream from the pod network)", () => {
        const dropped = mappedPorts.filter(
            (port) =>
                !firewallAdmits(firewall, reply({ protocol: "udp", srcPort: 53, dstPort: port })) ||
                !firewallAdmits(firewall, reply({ protocol: "udp", srcPort: 123, dstPort: port })) ||
                !firewallAdmits(firewall, reply({ protocol: "udp", srcPort: 53, dstPort: port }, "ipv6")),
        );
        expect(dropped).toEqual([]);
    });

    it("still opens nothing new: SYNs, privileged UDP ports and other UDP stay out", () => {
        for (const port of [22, 80, 443, 1024, 2379, 6443, 9345, 10250, 32768, 65535]) {
            expect(firewallAdmits(firewall, reply({ protocol: "tcp", srcPort: 40000, dstPort: port, tcpFlags: ["syn"] })), `tcp SYN ${port}`).toBe(false);
            expect(firewallAdmits(firewall, reply({ protocol: "tcp", srcPort: 40000, dstPort: port, tcpFlags: ["syn"] }, "ipv6")), `tcp6 SYN ${port}`).toBe(false);
        }
        // rpcbind (nfs-common) listens on 111/udp: a forged "DNS reply" must not reach it.
        expect(firewallAdmits(firewall, reply({ protocol: "udp", srcPort: 53, dstPort: 111 }))).toBe(false);
        expect(firewallAdmits(firewall, reply({ protocol: "udp", srcPort: 4444, dstPort: 40000 }))).toBe(false);
        // Tailscale's port is the one UDP port the intent opens.
        expect(firewallAdmits(firewall, reply({ protocol: "udp", srcPort: 3478, dstPort: 41641 }))).toBe(true);
    });
});
