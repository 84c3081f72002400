import { describe, expect, it } from "vitest";
import * as yaml from "js-yaml";
import { FLOATING_IP_NETPLAN, renderFloatingIpScript } from "../../../components/nodes/floating-ip-script";
import { inNetworkNamespace, shellcheck } from "../../helpers/tools";

/** An edge node's network in a namespace: eth0 with its primary address and the default route through it. */
const EDGE_NETWORK = [
    "ip link add eth0 type veth peer name gateway0",
    "ip link set gateway0 up",
    "ip link set eth0 up",
    "ip addr add 203.0.113.10/32 dev eth0",
    "ip route add 172.31.1.1 dev eth0 scope link",
    "ip route add default via 172.31.1.1 dev eth0",
].join("\n");

/** Runs the rendered script(s) on that network with the netplan drop-in redirected into the working directory. */
function onEdgeNode(...scripts: string[]) {
    const files = Object.fromEntries(scripts.map((s, i) => [`bind-${i}.sh`, s.replaceAll(FLOATING_IP_NETPLAN, "./netplan.yaml")]));
    const runs = scripts.map((_, i) => `bash bind-${i}.sh`).join("\n");
    const result = inNetworkNamespace(`${EDGE_NETWORK}\n${runs}\necho '--- addresses'\nip -4 -o addr show dev eth0\necho '--- netplan'\ncat netplan.yaml`, files);
    const [, addresses = "", netplan = ""] = result.output.split(/--- addresses|--- netplan/);
    return { ...result, addresses, netplan };
}

describe("floating IP binding on an edge node", () => {
    it("binds every floating IP as /32 on the default-route interface and persists them in netplan", () => {
        const result = onEdgeNode(renderFloatingIpScript(["198.51.100.8", "198.51.100.7"]));
        expect(result.ok, result.output).toBe(true);
        expect(result.addresses).toContain("inet 203.0.113.10/32");
        expect(result.addresses).toMatch(/inet 198\.51\.100\.7\/32 .*eth0:fip/);
        expect(result.addresses).toMatch(/inet 198\.51\.100\.8\/32 .*eth0:fip/);
        expect(yaml.load(result.netplan)).toEqual({
            network: {
                version: 2,
                ethernets: { eth0: { addresses: [{ "198.51.100.7/32": { label: "eth0:fip" } }, { "198.51.100.8/32": { label: "eth0:fip" } }] } },
            },
        });
    });

    it("re-runs idempotently and drops an address the stack no longer has, never the primary one", () => {
        const result = onEdgeNode(renderFloatingIpScript(["198.51.100.7", "198.51.100.8"]), renderFloatingIpScript(["198.51.100.8"]), renderFloatingIpScript(["198.51.100.8"]));
        expect(result.ok, result.output).toBe(true);
        expect(result.addresses).toContain("inet 203.0.113.10/32");
        expect(result.addresses).toContain("inet 198.51.100.8/32");
        expect(result.addresses).not.toContain("198.51.100.7");
    });

    it("passes shellcheck and rejects anything but IPv4 addresses", () => {
        const check = shellcheck(renderFloatingIpScript(["198.51.100.7"]));
        expect(check.ok, check.output).toBe(true);
        expect(() => renderFloatingIpScript(["198.51.100.7; reboot"])).toThrow(/not an IPv4 address/);
    });
});
