/**
 * The bare-metal side of the vSwitch: a VLAN interface on the server's uplink with the vSwitch's VLAN id,
 * MTU 1400 and an address in the vSwitch subnet, and a route to the whole hcloud network through the
 * subnet's gateway (Hetzner: "vSwitch" docs — the VLAN needs MTU 1400 and is configured on the server;
 * hcloud networks use the first address of a vswitch subnet as the gateway to the cloud servers). Cloud
 * servers get their route from hcloud itself. Tailscale advertises every local address as a candidate
 * endpoint, so peers on both sides find the private path and WireGuard traffic between bare metal and cloud
 * nodes stops crossing the public internet (Tailscale picks the path; nothing forces it).
 */

import { formatIpv4, parseCidr } from "../../lib/network-rules";

/** MTU of a Hetzner vSwitch VLAN (the VLAN header and encapsulation take the rest of 1500). */
export const VSWITCH_MTU = 1400;

/** Name of the VLAN interface on the node. */
export const VSWITCH_INTERFACE = "vswitch0";

/** Where the persistent configuration goes (netplan applies it at every boot). */
export const VSWITCH_NETPLAN_FILE = "/etc/netplan/60-platform-vswitch.yaml";

/** What the node needs to know. */
export interface VSwitchNetworkInput {
    /** VLAN id (4000-4091). */
    vlan: number;
    /** The vSwitch subnet, e.g. 10.90.8.0/24. */
    subnet: string;
    /** The whole hcloud network range, e.g. 10.90.0.0/16 (routed through the gateway). */
    networkRange: string;
    /** 0-based ordinal of the node among the stack's bare-metal nodes. */
    ordinal: number;
}

/** The gateway (first host) and the node's address (`<addr>/<prefix>`, from the third host on) in the subnet. */
export function vswitchAddresses(subnet: string, ordinal: number): { gateway: string; address: string } {
    const cidr = subnet.includes("/") ? parseCidr(subnet) : undefined;
    if (cidr?.family !== 4 || cidr.prefix < 8 || cidr.prefix > 29) {
        throw new Error(`vSwitch subnet "${subnet}" must be an IPv4 CIDR between /8 and /29`);
    }
    const { prefix } = cidr;
    const size = 2 ** (32 - prefix);
    const base = Number(cidr.network);
    // .0 network, .1 gateway (hcloud), the last is broadcast: nodes take .2 onwards.
    const host = base + 2 + ordinal;
    if (!Number.isInteger(ordinal) || ordinal < 0 || host >= base + size - 1) {
        throw new Error(`vSwitch subnet ${subnet} has no address for bare-metal node #${ordinal}`);
    }
    return { gateway: formatIpv4(base + 1), address: `${formatIpv4(host)}/${prefix}` };
}

/**
 * A boot-time script (run by cloud-init before the tailnet join) that finds the uplink (the interface of
 * the default route), writes the netplan file for later boots and brings the VLAN up now with `ip`. It is
 * idempotent: a second run replaces the same link, address and route.
 */
export function renderVSwitchScript(input: VSwitchNetworkInput): string {
    const { gateway, address } = vswitchAddresses(input.subnet, input.ordinal);
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(input.networkRange)) {
        throw new Error(`network range "${input.networkRange}" is not an IPv4 CIDR`);
    }
    if (!Number.isInteger(input.vlan) || input.vlan < 4000 || input.vlan > 4091) {
        throw new Error(`vSwitch VLAN ${input.vlan} is outside 4000-4091`);
    }
    return `#!/usr/bin/env bash
# vSwitch VLAN ${input.vlan} on the uplink: rendered by components/baremetal/vswitch-network.ts.
set -euo pipefail

NETPLAN_FILE="\${PLATFORM_VSWITCH_NETPLAN:-${VSWITCH_NETPLAN_FILE}}"
UPLINK="$(ip -o -4 route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}')"
if [ -z "\${UPLINK}" ]; then
  echo "no default route: cannot tell which interface carries the vSwitch VLAN" >&2
  exit 1
fi

umask 077
mkdir -p "$(dirname "\${NETPLAN_FILE}")"
cat > "\${NETPLAN_FILE}" <<NETPLAN
network:
  version: 2
  vlans:
    ${VSWITCH_INTERFACE}:
      id: ${input.vlan}
      link: \${UPLINK}
      mtu: ${VSWITCH_MTU}
      addresses: [${address}]
      routes:
        - to: ${input.networkRange}
          via: ${gateway}
NETPLAN

ip link show ${VSWITCH_INTERFACE} >/dev/null 2>&1 || ip link add link "\${UPLINK}" name ${VSWITCH_INTERFACE} type vlan id ${input.vlan}
ip link set ${VSWITCH_INTERFACE} mtu ${VSWITCH_MTU} up
ip addr replace ${address} dev ${VSWITCH_INTERFACE}
ip route replace ${input.networkRange} via ${gateway} dev ${VSWITCH_INTERFACE}
echo "vSwitch VLAN ${input.vlan} up on \${UPLINK} as ${VSWITCH_INTERFACE} (${address}, MTU ${VSWITCH_MTU})"
`;
}
