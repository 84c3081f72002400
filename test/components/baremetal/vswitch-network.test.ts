import * as fs from "node:fs";
import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { renderVSwitchScript, vswitchAddresses } from "../../../components/baremetal/vswitch-network";
import { inNetworkNamespace, shellcheck } from "../../helpers/tools";
import { artifactFiles } from "../../helpers/plans";

const fsn1 = { vlan: 4010, subnet: "10.90.8.0/24", networkRange: "10.90.0.0/16" };

describe("vSwitch addresses", () => {
    it.each([
        ["10.90.8.0/24", 0, { gateway: "10.90.8.1", address: "10.90.8.2/24" }],
        ["10.90.8.0/24", 2, { gateway: "10.90.8.1", address: "10.90.8.4/24" }],
        ["10.90.8.128/25", 0, { gateway: "10.90.8.129", address: "10.90.8.130/25" }],
        ["172.16.4.0/29", 4, { gateway: "172.16.4.1", address: "172.16.4.6/29" }],
    ])("%s, node #%i → %j", (subnet, ordinal, expected) => {
        expect(vswitchAddresses(subnet, ordinal)).toEqual(expected);
    });

    it("refuses a node the subnet has no room for, and a malformed subnet", () => {
        expect(() => vswitchAddresses("172.16.4.0/29", 5)).toThrow(/no address for bare-metal node #5/);
        expect(() => vswitchAddresses("10.90.8.0", 0)).toThrow(/must be an IPv4 CIDR/);
        // One message for every malformed subnet (the program's one CIDR parser, lib/network-rules.ts).
        for (const bad of ["10.90.8.256/24", "10.90.8/24", "fd00::/64", "10.90.8.0/30", "10.90.8.0/7"]) {
            expect(() => vswitchAddresses(bad, 0), bad).toThrow(`vSwitch subnet "${bad}" must be an IPv4 CIDR between /8 and /29`);
        }
    });
});

describe("vSwitch VLAN script", () => {
    const script = renderVSwitchScript({ ...fsn1, ordinal: 1 });

    it("passes shellcheck", () => {
        const result = shellcheck(script);
        expect(result.output).toBe("");
        expect(result.ok).toBe(true);
    });

    // The sandbox kernels this runs on (here and in CI) have no 802.1Q support ("Unknown device type"), so the
    // VLAN link itself cannot be created: the uplink and default route are real (a veth in a network
    // namespace), and an `ip` shim records every command on vswitch0 instead of passing it to the kernel.
    const IP_SHIM = [
        "#!/usr/bin/env bash",
        'if [[ "$*" == *vswitch0* ]]; then',
        '  echo "ip $*" >> "$SHIM_LOG"',
        '  if [[ "$1 $2" == "link show" ]]; then [ -e "$SHIM_STATE" ]; exit; fi',
        '  if [[ "$1 $2" == "link add" ]]; then touch "$SHIM_STATE"; fi',
        "  exit 0",
        "fi",
        'exec /usr/sbin/ip "$@"',
    ].join("\n");

    it("brings VLAN 4010 up on the default-route interface with MTU 1400, its address and the route to the cloud network, idempotently", () => {
        const setup = [
            "ip link add eth0 type veth peer name peer0",
            "ip addr add 192.0.2.10/24 dev eth0",
            "ip link set eth0 up",
            "ip link set peer0 up",
            "ip route add default via 192.0.2.1",
            "mkdir -p shim && cp ip-shim shim/ip && chmod +x shim/ip",
            "export PATH=$PWD/shim:$PATH SHIM_LOG=$PWD/ip.log SHIM_STATE=$PWD/vlan-exists PLATFORM_VSWITCH_NETPLAN=$PWD/netplan.yaml",
            "bash ./vswitch.sh",
            "bash ./vswitch.sh",
            "echo '--- log'; cat ip.log",
            "echo '--- netplan'; cat netplan.yaml",
        ].join("\n");
        const result = inNetworkNamespace(setup, { "vswitch.sh": script, "ip-shim": IP_SHIM });
        expect(result.ok, result.output).toBe(true);
        const [, log = "", netplan = ""] = result.output.split(/--- \w+\n/);
        const commands = log.trim().split("\n");
        const once = [
            "ip link show vswitch0",
            "ip link add link eth0 name vswitch0 type vlan id 4010",
            "ip link set vswitch0 mtu 1400 up",
            "ip addr replace 10.90.8.3/24 dev vswitch0",
            "ip route replace 10.90.0.0/16 via 10.90.8.1 dev vswitch0",
        ];
        // The second run finds the link and only re-applies MTU, address and route.
        expect(commands).toEqual([...once, "ip link show vswitch0", ...once.slice(2)]);
        expect(yaml.load(netplan)).toEqual({
            network: {
                version: 2,
                vlans: { vswitch0: { id: 4010, link: "eth0", mtu: 1400, addresses: ["10.90.8.3/24"], routes: [{ to: "10.90.0.0/16", via: "10.90.8.1" }] } },
            },
        });
    });

    it("fails clearly without a default route", () => {
        const result = inNetworkNamespace("bash ./vswitch.sh", { "vswitch.sh": script });
        expect(result.ok).toBe(false);
        expect(result.output).toContain("no default route");
    });
});

describe("vSwitch in the fsn1 plan", () => {
    it("configures the VLAN on every bare-metal node, each with its own address, before the tailnet join, and on no cloud node", () => {
        const files = artifactFiles("fsn1", "user-data").map((f) => ({ name: f, text: fs.readFileSync(f, "utf8") }));
        const withVSwitch = files.filter((f) => f.text.includes("platform-vswitch.sh"));
        expect(withVSwitch.map((f) => /fsn1-run-\d/.exec(f.name)?.[0]).sort()).toEqual(["fsn1-run-0", "fsn1-run-1", "fsn1-run-2"]);
        const addresses = withVSwitch.map((f) => /addresses: \[([\d./]+)\]/.exec(f.text)?.[1]).sort();
        expect(addresses).toEqual(["10.90.8.2/24", "10.90.8.3/24", "10.90.8.4/24"]);
        for (const file of withVSwitch) {
            const document = yaml.load(file.text) as { runcmd: string[][] };
            const order = document.runcmd.map((c) => c.join(" "));
            expect(order.findIndex((c) => c.includes("platform-vswitch.sh"))).toBeLessThan(order.findIndex((c) => c.includes("bootstrap")));
        }
    });
});
