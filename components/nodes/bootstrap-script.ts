import { NODE_SOFTWARE } from "../../charts/node-software";
import { K3S_PATHS } from "../cluster/k3s-config";

/** Where cloud-init drops the bootstrap script and the one-time auth key. */
export const BOOTSTRAP_PATHS = {
    script: "/usr/local/sbin/platform-bootstrap.sh",
    authKey: "/run/platform/tailscale-authkey",
    guard: "/etc/nftables.d/platform-guard.nft",
    /** systemd unit that loads (and on stop deletes) only the platform's own nftables table. */
    firewallUnit: "/etc/systemd/system/platform-firewall.service",
    /** Replaces Ubuntu's stock file, whose first line is `flush ruleset`. */
    nftablesConf: "/etc/nftables.conf",
} as const;

/** The one nftables table the platform owns; Tailscale's and kube-proxy's tables are never touched. */
export const PLATFORM_NFT_TABLE = "inet platform";

/** Inputs of the bootstrap script. */
export interface BootstrapInput {
    /** Tailnet machine name. */
    hostname: string;
    /** Tailnet tag of the node's stack and role (`tag:fsn1-server` …). */
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
# The release tag as a URL path segment: its "+" percent-encoded (a bare "+" is read as a space by form decoders).
K3S_REF="${encodeURIComponent(input.k3sVersion)}"

# Cluster and SSH ports answer on the tailnet, loopback and the pod network only. The guard is loaded
# before tailscaled starts: Ubuntu's stock nftables.service runs \`flush ruleset\` on start and on stop,
# which would wipe Tailscale's (and later kube-proxy's) rules, so it is masked and the platform's own unit
# manages only the platform table.
systemctl mask nftables.service
cat > ${BOOTSTRAP_PATHS.nftablesConf} <<'NFTABLES_CONF'
${renderNftablesConf()}NFTABLES_CONF
systemctl daemon-reload
systemctl enable --now platform-firewall.service
systemctl restart ssh

# Tailscale from its signed apt repository, pinned.
install -d -m 0755 /usr/share/keyrings
curl -fsSL "https://pkgs.tailscale.com/stable/ubuntu/\${CODENAME}.noarmor.gpg" -o /usr/share/keyrings/tailscale-archive-keyring.gpg
curl -fsSL "https://pkgs.tailscale.com/stable/ubuntu/\${CODENAME}.tailscale-keyring.list" -o /etc/apt/sources.list.d/tailscale.list
apt-get update -q
apt-get install -y -q "tailscale=\${TS_VERSION}"
apt-mark hold tailscale

# Join once with the single-use key, then forget it: the metadata service keeps serving user-data.
# --timeout: by default \`tailscale up\` waits forever for the control plane; fail the boot visibly instead.
tailscale up --auth-key="file:${BOOTSTRAP_PATHS.authKey}" --hostname="${input.hostname}" --advertise-tags="${input.tag}" --ssh=false --timeout=10m
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

${input.gvisor ? renderGvisorInstall() : "# gVisor is not needed on this pool."}

# k3s, pinned, installed but not started: it starts when the token arrives over the tailnet.
curl -fsSL "https://raw.githubusercontent.com/k3s-io/k3s/\${K3S_REF}/install.sh" -o /usr/local/sbin/k3s-install.sh
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

/**
 * nftables guard: cluster and SSH ports only from trusted interfaces. The file replaces the platform's own
 * table and nothing else (`flush ruleset` would remove Tailscale's and kube-proxy's rules): declaring the
 * table first makes the delete succeed on the first load, and the three statements apply as one transaction.
 */
export function renderNftGuard(): string {
    return `# Rendered by components/nodes/bootstrap-script.ts; loaded with \`nft -f\`. Only the platform's table: never \`flush ruleset\`.
table ${PLATFORM_NFT_TABLE}
delete table ${PLATFORM_NFT_TABLE}
table ${PLATFORM_NFT_TABLE} {
  chain input {
    type filter hook input priority filter - 5; policy accept;
    # Replies to connections the node opened pass whatever their port (only new connections are fenced).
    ct state established,related accept
    iifname { "lo", "tailscale0", "cni0", "flannel.1" } accept
    tcp dport { 22, 6443, 9345, 10250, 2379-2380, 7946, 9100 } drop
    udp dport { 8472, 7946 } drop
  }
}
`;
}

/** `/etc/nftables.conf` for whoever runs `nft -f /etc/nftables.conf` by hand: the guard, no flush. */
export function renderNftablesConf(): string {
    return `#!/usr/sbin/nft -f
# Managed by the platform (components/nodes/bootstrap-script.ts). Ubuntu's stock file starts with
# \`flush ruleset\`, which removes Tailscale's and kube-proxy's rules: this one loads only the platform table.
include "${BOOTSTRAP_PATHS.guard}"
`;
}

/**
 * The unit that loads the guard at boot, before the network and tailscaled come up (k3s' units start after
 * network-online.target, so after it too), and deletes only the platform table when stopped (the stock
 * nftables.service flushes the whole ruleset on stop).
 */
export function renderFirewallUnit(): string {
    return `[Unit]
Description=Platform nftables guard (table ${PLATFORM_NFT_TABLE} only)
DefaultDependencies=no
Wants=network-pre.target
Before=network-pre.target tailscaled.service shutdown.target
Conflicts=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f ${BOOTSTRAP_PATHS.guard}
ExecReload=/usr/sbin/nft -f ${BOOTSTRAP_PATHS.guard}
ExecStop=/usr/sbin/nft delete table ${PLATFORM_NFT_TABLE}

[Install]
WantedBy=sysinit.target
`;
}
