/**
 * Binds the stack's floating IPs on an edge node's public interface. Hetzner Cloud routes a floating IP to
 * the server it is assigned to, and documents that the server must also configure the address itself
 * (`ip addr add <ip> dev eth0`, persisted through netplan). kube-proxy would DNAT Service traffic to the
 * address even unbound, but without the address the node drops everything else sent to it (ICMP echo and
 * errors, anything not matching a Service port) or forwards it back out.
 *
 * Every edge node binds every floating IP: the failover loop moves an IP between edge nodes with the Hetzner
 * API and only the assigned server receives its packets, so no two nodes ever answer for one address.
 * MetalLB's layer-2 ARP answers play no part on Hetzner Cloud (the network routes, it does not ARP for
 * floating IPs), so binding cannot conflict with them.
 */

/** netplan drop-in holding the floating IPs (read at boot; this script also adds them at once). */
export const FLOATING_IP_NETPLAN = "/etc/netplan/60-platform-floating-ip.yaml";

/** Label of the bound addresses, so the script can find (and drop) the ones it added earlier. */
export const FLOATING_IP_LABEL_SUFFIX = "fip";

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The script for one edge node: persistent netplan drop-in, live `ip addr replace`, stale addresses removed. */
export function renderFloatingIpScript(addresses: readonly string[]): string {
    for (const address of addresses) {
        if (!IPV4.test(address)) {
            throw new Error(`floating IP "${address}" is not an IPv4 address`);
        }
    }
    const wanted = [...new Set(addresses)].sort();
    return `#!/usr/bin/env bash
# Bind the floating IPs on this edge node: rendered by components/nodes/floating-ip-script.ts.
set -euo pipefail
wanted=(${wanted.join(" ")})

# The public interface is the one of the default route (eth0 on Hetzner's images).
iface="$(ip -4 route show default | awk '{ print $5; exit }')"
if [ -z "\${iface}" ]; then
  echo "no default IPv4 route: cannot tell the public interface" >&2
  exit 1
fi
label="\${iface}:${FLOATING_IP_LABEL_SUFFIX}"

umask 077
{
  echo "# Floating IPs of the platform stack (rendered by components/nodes/floating-ip-script.ts)."
  echo "network:"
  echo "  version: 2"
  echo "  ethernets:"
  echo "    \${iface}:"
  echo "      addresses:"
  for ip in "\${wanted[@]}"; do
    echo "        - \${ip}/32:"
    echo "            label: \\"\${label}\\""
  done
} > ${FLOATING_IP_NETPLAN}.tmp
mv ${FLOATING_IP_NETPLAN}.tmp ${FLOATING_IP_NETPLAN}

for ip in "\${wanted[@]}"; do
  ip addr replace "\${ip}/32" dev "\${iface}" label "\${label}"
done
# Addresses an earlier run bound that the stack no longer has.
for bound in $(ip -4 -o addr show dev "\${iface}" label "\${label}" | awk '{ print $4 }'); do
  keep=false
  for ip in "\${wanted[@]}"; do
    if [ "\${bound}" = "\${ip}/32" ]; then keep=true; fi
  done
  if [ "\${keep}" = false ]; then
    ip addr del "\${bound}" dev "\${iface}"
  fi
done
echo "bound \${#wanted[@]} floating IP(s) on \${iface}"
`;
}
