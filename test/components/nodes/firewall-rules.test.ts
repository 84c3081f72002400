import { describe, expect, it } from "vitest";
import { renderFirewallRules, WORLD } from "../../../components/nodes/firewall-rules";
import { EDGE_FIREWALL_BASE_RULES } from "../../../lib/hetzner/limits";

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

    // The config check (lib/config/schema.ts) budgets the Hetzner rule limit from this count.
    it("gives the edge firewall its base rules plus one rule per granted public port", () => {
        expect(renderFirewallRules(true)).toHaveLength(EDGE_FIREWALL_BASE_RULES);
        const ports = [30303, 30304, 30305].map((port) => ({ port, protocol: "UDP" as const, project: "chain", entryPoint: `udp-${port}` }));
        expect(renderFirewallRules(true, ports)).toHaveLength(EDGE_FIREWALL_BASE_RULES + 3);
    });
});
