import { NODE_SOFTWARE } from "../../charts/node-software";
import { K3S_PATHS } from "../cluster/k3s-config";

/** Where cloud-init drops the bootstrap script and the one-time auth key. */
export const BOOTSTRAP_PATHS = {
    script: "/usr/local/sbin/platform-bootstrap.sh",
    authKey: "/run/platform/tailscale-authkey",
    guard: "/etc/nftables.d/platform-guard.nft",
} as const;

/** Inputs of the bootstrap script. */
export interface BootstrapInput {
    /** Tailnet machine name. */
    hostname: string;
    /** Tailnet tag (`tag:k3s-server` …). */
    tag: string;
    /** k3s role: server or agent. */
    k3sRole: "server" | "agent";
    /** Pinned k3s release, e.g. v1.31.6+k3s1. */
    k3sVersion: string;
    /** Install gVisor so untrusted tenants can run under `runsc`. */
    gvisor: boolean;
}

/**
 * The first-boot script: join the tailnet with the one-time key (then delete it), pin the node IP and
 * flannel to the tailnet, fence cluster ports off every other interface, install (not start) the pinned
 * k3s. k3s starts later, when the join token arrives over the tailnet.
 */
export function renderBootstrapScript(input: BootstrapInput): string {
    const k3sUnit = input.k3sRole === "server" ? "k3s" : "k3s-agent";
    return `#!/usr/bin/env bash
# Platform node bootstrap for ${input.hostname}: rendered by components/nodes/bootstrap-script.ts.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
TS_VERSION="${NODE_SOFTWARE.tailscale}"
K3S_VERSION="${input.k3sVersion}"
CODENAME="${NODE_SOFTWARE.ubuntuCodename}"

# Tailscale from its signed apt repository, pinned.
install -d -m 0755 /usr/share/keyrings
curl -fsSL "https://pkgs.tailscale.com/stable/ubuntu/\${CODENAME}.noarmor.gpg" -o /usr/share/keyrings/tailscale-archive-keyring.gpg
curl -fsSL "https://pkgs.tailscale.com/stable/ubuntu/\${CODENAME}.tailscale-keyring.list" -o /etc/apt/sources.list.d/tailscale.list
apt-get update -q
apt-get install -y -q "tailscale=\${TS_VERSION}"
apt-mark hold tailscale

# Join once with the single-use key, then forget it: the metadata service keeps serving user-data.
tailscale up --auth-key="file:${BOOTSTRAP_PATHS.authKey}" --hostname="${input.hostname}" --advertise-tags="${input.tag}" --ssh=false
shred -u "${BOOTSTRAP_PATHS.authKey}"

TS_IP=""
for _ in $(seq 1 60); do
  TS_IP="$(tailscale ip -4 2>/dev/null | head -n1 || true)"
  if [ -n "\${TS_IP}" ]; then break; fi
  sleep 2
done
if [ -z "\${TS_IP}" ]; then
  echo "tailscale did not report an IPv4 address" >&2
  exit 1
fi

install -d -m 0700 ${K3S_PATHS.dropInDir}
printf 'node-ip: %s\\n' "\${TS_IP}" > ${K3S_PATHS.nodeIpDropIn}
chmod 0600 ${K3S_PATHS.nodeIpDropIn}

# Cluster and SSH ports answer on the tailnet, loopback and the pod network only.
systemctl enable --now nftables
nft -f ${BOOTSTRAP_PATHS.guard}
grep -q 'include "/etc/nftables.d/\\*.nft"' /etc/nftables.conf || echo 'include "/etc/nftables.d/*.nft"' >> /etc/nftables.conf
systemctl restart ssh

${input.gvisor ? renderGvisorInstall() : "# gVisor is not needed on this pool."}

# k3s, pinned, installed but not started: it starts when the token arrives over the tailnet.
curl -fsSL "https://raw.githubusercontent.com/k3s-io/k3s/\${K3S_VERSION}/install.sh" -o /usr/local/sbin/k3s-install.sh
INSTALL_K3S_VERSION="\${K3S_VERSION}" INSTALL_K3S_SKIP_START=true INSTALL_K3S_SKIP_ENABLE=true \\
  INSTALL_K3S_EXEC="${input.k3sRole}" sh /usr/local/sbin/k3s-install.sh
echo "bootstrap done; ${k3sUnit} waits for its token" > /run/platform/bootstrap-done
`;
}

function renderGvisorInstall(): string {
    return `# gVisor runsc for untrusted tenants; k3s detects runsc and registers the runtime handler.
GVISOR_URL="https://storage.googleapis.com/gvisor/releases/release/${NODE_SOFTWARE.gvisor}/$(uname -m)"
for bin in runsc containerd-shim-runsc-v1; do
  curl -fsSL "\${GVISOR_URL}/\${bin}" -o "/tmp/\${bin}"
  curl -fsSL "\${GVISOR_URL}/\${bin}.sha512" -o "/tmp/\${bin}.sha512"
  (cd /tmp && sha512sum -c "\${bin}.sha512")
  install -m 0755 "/tmp/\${bin}" "/usr/local/bin/\${bin}"
done`;
}

/** nftables guard: cluster and SSH ports only from trusted interfaces. */
export function renderNftGuard(): string {
    return `table inet platform_guard {
  chain input {
    type filter hook input priority filter - 5; policy accept;
    iifname { "lo", "tailscale0", "cni0", "flannel.1" } accept
    tcp dport { 22, 6443, 9345, 10250, 2379-2380, 7946, 9100 } drop
    udp dport { 8472, 7946 } drop
  }
}
`;
}
