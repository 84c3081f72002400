import { K3S_PATHS } from "./k3s-config";

/**
 * Remote scripts run over the tailnet (via `@pulumi/command`) once a node has booted: they deliver the
 * secrets drop-in through stdin, so the join token never appears in user-data or on a command line.
 */

/** Script that installs the secrets drop-in from stdin, starts k3s and waits for the node to be Ready. */
export function renderStartScript(hostname: string, role: "server" | "agent"): string {
    const unit = role === "server" ? "k3s" : "k3s-agent";
    const waitReady =
        role === "server"
            ? `for _ in $(seq 1 90); do
  if k3s kubectl get node "${hostname}" --no-headers 2>/dev/null | grep -q ' Ready'; then exit 0; fi
  sleep 5
done
echo "node ${hostname} did not become Ready" >&2
exit 1`
            : `for _ in $(seq 1 90); do
  if systemctl is-active --quiet ${unit}; then exit 0; fi
  sleep 5
done
echo "${unit} did not stay active on ${hostname}" >&2
exit 1`;
    return `#!/usr/bin/env bash
# Start k3s on ${hostname}: rendered by components/cluster/k3s-join.ts.
set -euo pipefail
cloud-init status --wait >/dev/null || { echo "cloud-init failed on ${hostname}" >&2; exit 1; }
umask 077
install -d -m 0700 ${K3S_PATHS.dropInDir}
cat > ${K3S_PATHS.secretsDropIn}.tmp
mv ${K3S_PATHS.secretsDropIn}.tmp ${K3S_PATHS.secretsDropIn}
systemctl enable ${unit}
systemctl restart ${unit}
${waitReady}
`;
}

/** Prints the admin kubeconfig of a server. */
export function renderKubeconfigScript(): string {
    return `#!/usr/bin/env bash
set -euo pipefail
cat ${K3S_PATHS.kubeconfig}
`;
}

/** Points a k3s kubeconfig (which names 127.0.0.1) at the server's tailnet name. */
export function rewriteKubeconfig(kubeconfig: string, serverHost: string, clusterName: string): string {
    return kubeconfig
        .replace(/server: https:\/\/127\.0\.0\.1:6443/g, `server: https://${serverHost}:6443`)
        .replace(/^(\s*-?\s*(?:name|cluster|user|current-context)): default$/gm, `$1: ${clusterName}`);
}
