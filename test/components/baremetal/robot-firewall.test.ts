import { describe, expect, it } from "vitest";
import { EPHEMERAL_PORTS, renderRobotFirewall, robotFirewallForm, ROBOT_FIREWALL_MAX_RULES } from "../../../components/baremetal/robot-firewall";
import { renderFirewallRules, WORLD } from "../../../components/nodes/firewall-rules";
import { firewallAdmitsTcp, type FakeFirewall } from "../../helpers/robot-fake-server";

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
            { name: "tcp established v4", ip_version: "ipv4", protocol: "tcp", dst_port: EPHEMERAL_PORTS, tcp_flags: "ack", action: "accept" },
            { name: "dns replies v4", ip_version: "ipv4", protocol: "udp", src_port: "53", dst_port: EPHEMERAL_PORTS, action: "accept" },
            { name: "ntp replies v4", ip_version: "ipv4", protocol: "udp", src_port: "123", dst_port: EPHEMERAL_PORTS, action: "accept" },
            { name: "tcp established v6", ip_version: "ipv6", protocol: "tcp", dst_port: EPHEMERAL_PORTS, tcp_flags: "ack", action: "accept" },
            { name: "dns replies v6", ip_version: "ipv6", protocol: "udp", src_port: "53", dst_port: EPHEMERAL_PORTS, action: "accept" },
            { name: "ntp replies v6", ip_version: "ipv6", protocol: "udp", src_port: "123", dst_port: EPHEMERAL_PORTS, action: "accept" },
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
