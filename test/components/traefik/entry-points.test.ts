import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { grantedPublicPorts } from "../../../lib/config/schema";
import { renderTraefikValues } from "../../../components/traefik/values";
import { renderFirewallRules } from "../../../components/nodes/firewall-rules";
import { policyPackConfigFile, stackPackConfig } from "../../../tools/offline/policy-config";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { planned, violationsOf } from "../../helpers/policy-fixtures";
import { stackPlatformConfig } from "../project/fixtures";
import { ROOT } from "../../helpers/synth";

/**
 * Public TCP/UDP entry points: a port granted in platform:projectGrants.<id>.publicPorts becomes a Traefik
 * entry point on every floating IP, an edge-firewall rule, and an allowance of the pack's
 * network-firewall-public-ports rule (from the stack config, never from a tenant file).
 */

const fsn1 = stackPlatformConfig("fsn1");
const dev = stackPlatformConfig("dev");
const IPS = ["203.0.113.10", "203.0.113.11"];

describe("public entry points", () => {
    it("Traefik listens on each granted port under its entry point name, exposed on every floating IP's Service", () => {
        const ports = (renderTraefikValues(fsn1, IPS) as { ports: Record<string, unknown> }).ports;
        expect(ports["tcp-30303"]).toEqual({ port: 30303, exposedPort: 30303, protocol: "TCP", expose: { default: true, fip1: true } });
        expect(ports["udp-30303"]).toEqual({ port: 30303, exposedPort: 30303, protocol: "UDP", expose: { default: true, fip1: true } });
        expect(ports["tcp-18333"]).toMatchObject({ port: 18333, protocol: "TCP" });
        expect(Object.keys(ports).filter((k) => /^(tcp|udp)-/.test(k)).sort()).toEqual(["tcp-18333", "tcp-30303", "udp-30303"]);
        const devPorts = (renderTraefikValues(dev, IPS.slice(0, 1)) as { ports: Record<string, unknown> }).ports;
        expect(Object.keys(devPorts).filter((k) => /^(tcp|udp)-/.test(k))).toEqual([]);
    });

    it("the edge firewall opens exactly the granted ports beside 80/443; the node firewall none of them", () => {
        const granted = grantedPublicPorts(fsn1.projectGrants);
        const edge = renderFirewallRules(true, granted).map((r) => `${r.protocol} ${r.port ?? ""}`.trim());
        expect(edge).toEqual(["udp 41641", "icmp", "tcp 80", "tcp 443", "tcp 18333", "tcp 30303", "udp 30303"]);
        expect(renderFirewallRules(false, granted).map((r) => r.port)).toEqual(["41641", undefined]);
    });

    it("the pack allows the granted ports for the stack, and still refuses any other", () => {
        const config = stackPackConfig(readStackConfig(ROOT, "fsn1"));
        expect(config.allowedPublicPorts).toEqual(["80", "443", "41641/udp", "18333/tcp", "30303/tcp", "30303/udp"]);
        const firewall = (port: string, protocol: string) =>
            planned("hcloud:index/firewall:Firewall", "edge-fw", { name: "edge", rules: [...renderFirewallRules(true, grantedPublicPorts(fsn1.projectGrants)), { direction: "in", protocol, port, sourceIps: ["0.0.0.0/0"] }] });
        expect(violationsOf("network-firewall-public-ports", [firewall("30303", "udp")], config)).toEqual([]);
        expect(violationsOf("network-firewall-public-ports", [firewall("30304", "tcp")], config).map((v) => v.message)).toEqual([expect.stringMatching(/30304\/tcp/)]);
        // Without the stack's allowance (the pack's defaults), the granted ports are violations.
        expect(violationsOf("network-firewall-public-ports", [firewall("30303", "udp")]).length).toBeGreaterThan(0);
        expect(policyPackConfigFile(config)["network-firewall-public-ports"]).toEqual({ allowedPublicPorts: config.allowedPublicPorts });
        expect(stackPackConfig(readStackConfig(ROOT, "dev")).allowedPublicPorts).toBeUndefined();
    });

    it("the shipped fsn1 grants match the chain-nodes example's public ports", () => {
        const text = fs.readFileSync(path.join(ROOT, "stacks/fsn1/projects/chain-nodes.yaml"), "utf8");
        expect(text).toContain("public: true");
        expect(fsn1.projectGrants["chain-nodes"]?.publicPorts).toEqual([
            { port: 30303, protocol: "TCP" },
            { port: 30303, protocol: "UDP" },
            { port: 18333, protocol: "TCP" },
        ]);
    });
});
