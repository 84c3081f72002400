import { describe, expect, it } from "vitest";
import { renderFirewallRules, WORLD } from "../../../components/nodes/firewall-rules";

const FORBIDDEN = [22, 6443, 9345, 10250, 2379, 2380, 8472];

function opensToWorld(rules: ReturnType<typeof renderFirewallRules>, port: number): boolean {
    return rules.some((r) => {
        if (!r.sourceIps.some((ip) => WORLD.includes(ip))) return false;
        if (r.port === undefined) return r.protocol !== "icmp";
        const [lo, hi] = r.port.split("-").map(Number);
        return port >= lo! && port <= (hi ?? lo!);
    });
}

describe("firewall rules", () => {
    it("opens only HTTP(S), Tailscale UDP and ICMP on edge nodes", () => {
        const rules = renderFirewallRules(true);
        expect(rules.map((r) => `${r.protocol}/${r.port ?? "-"}`).sort()).toEqual(["icmp/-", "tcp/443", "tcp/80", "udp/41641"]);
    });

    it("keeps HTTP off non-edge nodes", () => {
        const rules = renderFirewallRules(false);
        expect(opensToWorld(rules, 80)).toBe(false);
        expect(opensToWorld(rules, 443)).toBe(false);
    });

    it.each(FORBIDDEN)("never opens %i to the world", (port) => {
        expect(opensToWorld(renderFirewallRules(true), port)).toBe(false);
        expect(opensToWorld(renderFirewallRules(false), port)).toBe(false);
    });
});
