import { K3S_PATHS, REGISTRATION_CANDIDATES_COMMENT } from "./k3s-config";

/**
 * Remote scripts run over the tailnet (via `@pulumi/command`) once a node has booted: they deliver the
 * secrets drop-in through stdin, so the join token never appears in user-data or on a command line.
 */

/**
 * How long the start script waits for each step. The installer's units are `Type=notify` with
 * `TimeoutStartSec=0`: a blocking `systemctl restart` waits forever for READY=1 when an agent cannot reach a
 * server, so the script never blocks on systemd and gives up at these deadlines instead.
 */
export const START_DEADLINES: Readonly<{ cloudInitSeconds: number; k3sReadySeconds: number; pollSeconds: number; journalLines: number }> = {
    /** cloud-init's first boot (packages, tailnet join, k3s download) once SSH answers on the tailnet. */
    cloudInitSeconds: 1800,
    /** From `systemctl --no-block restart` to an active unit (agents) or a Ready node (servers). */
    k3sReadySeconds: 900,
    /** Seconds between two readiness checks. */
    pollSeconds: 5,
    /** Journal lines printed when a deadline passes. */
    journalLines: 60,
};

/** The waits of a start script (START_DEADLINES unless a test shortens them). */
export type StartDeadlines = typeof START_DEADLINES;

/**
 * `customTimeouts` of a remote command that first waits for SSH (`connectMinutes`: dial attempts × timeout)
 * and then runs a start script: the engine gives up a little after the script's own deadlines would have.
 */
export function remoteCommandTimeouts(connectMinutes: number): { create: string; update: string; delete: string } {
    const scriptMinutes = Math.ceil((START_DEADLINES.cloudInitSeconds + START_DEADLINES.k3sReadySeconds) / 60);
    const total = `${connectMinutes + scriptMinutes + 5}m`;
    return { create: total, update: total, delete: "10m" };
}

/**
 * Script that waits for cloud-init, installs the secrets drop-in from stdin, starts k3s without blocking on
 * systemd and waits, with a deadline, for the unit (agents) or the Ready node (servers); on a timeout it
 * fails with the unit's last journal lines.
 */
export function renderStartScript(hostname: string, role: "server" | "agent", deadlines: StartDeadlines = START_DEADLINES): string {
    const unit = role === "server" ? "k3s" : "k3s-agent";
    const ready =
        role === "server"
            ? `k3s kubectl get node "${hostname}" --no-headers 2>/dev/null | grep -q ' Ready'`
            : `systemctl is-active --quiet ${unit}`;
    const what = role === "server" ? `node ${hostname} did not become Ready` : `${unit} did not become active on ${hostname}`;
    return `#!/usr/bin/env bash
# Start k3s on ${hostname}: rendered by components/cluster/k3s-join.ts.
set -euo pipefail

# cloud-init exits 0 when done, 2 when done with recoverable errors (cloud-init >= 23.4: deprecations,
# warnings), 1 on a critical error. Exit 2 is success: its warnings are logged, the start goes on.
cloud_init_rc=0
timeout ${deadlines.cloudInitSeconds} cloud-init status --wait >/dev/null || cloud_init_rc=$?
case "\${cloud_init_rc}" in
  0) ;;
  2)
    echo "cloud-init finished on ${hostname} with recoverable errors:" >&2
    cloud-init status --long >&2 || true
    ;;
  124)
    echo "cloud-init did not finish on ${hostname} within ${deadlines.cloudInitSeconds}s:" >&2
    cloud-init status --long >&2 || true
    exit 1
    ;;
  *)
    echo "cloud-init failed on ${hostname} (exit \${cloud_init_rc}):" >&2
    cloud-init status --long >&2 || true
    journalctl -u cloud-final --no-pager -n ${deadlines.journalLines} >&2 || true
    exit 1
    ;;
esac

umask 077
install -d -m 0700 ${K3S_PATHS.dropInDir}
cat > ${K3S_PATHS.secretsDropIn}.tmp
mv ${K3S_PATHS.secretsDropIn}.tmp ${K3S_PATHS.secretsDropIn}

# Register with the first server that answers (k3s serves /cacerts without credentials): a join still works
# while any one server is down. Nodes that joined already keep their own load balancer over all servers.
candidates="$(sed -n 's/^${REGISTRATION_CANDIDATES_COMMENT}//p' ${K3S_PATHS.secretsDropIn})"
if [ -n "\${candidates}" ]; then
  chosen=""
  for candidate in \${candidates}; do
    if curl --silent --insecure --max-time ${PROBE_SECONDS} --output /dev/null "https://\${candidate}:6443/cacerts"; then
      chosen="\${candidate}"
      break
    fi
  done
  if [ -z "\${chosen}" ]; then
    echo "no k3s server answers on 6443 (tried: \${candidates}); ${hostname} cannot join" >&2
    exit 1
  fi
  sed -i "s|^server: .*|server: https://\${chosen}:6443|" ${K3S_PATHS.secretsDropIn}
  echo "${hostname} registers with \${chosen}" >&2
fi
systemctl enable ${unit}

# A new InvocationID marks the restarted process: until it appears, "active" still describes the old one.
previous_invocation="$(systemctl show -p InvocationID --value ${unit})"
systemctl --no-block restart ${unit}
deadline=$((SECONDS + ${deadlines.k3sReadySeconds}))
until [ "$(systemctl show -p InvocationID --value ${unit})" != "\${previous_invocation}" ] && ${ready}; do
  if [ "\${SECONDS}" -ge "\${deadline}" ]; then
    echo "${what} within ${deadlines.k3sReadySeconds}s; last lines of the ${unit} journal:" >&2
    journalctl -u ${unit} --no-pager -n ${deadlines.journalLines} >&2 || true
    exit 1
  fi
  sleep ${deadlines.pollSeconds}
done
`;
}

/** Seconds one registration probe may take. */
export const PROBE_SECONDS = 5;

/** Where a k3s server writes the full join token (`K10<sha256 of the server CA bundle>::server:<password>`). */
export const SERVER_TOKEN_PATH = "/var/lib/rancher/k3s/server/token";

/** The full (CA-pinning) token format k3s writes: pkg/clientaccess/token.go, `K10` + hex sha256 + `::user:password`. */
const FULL_TOKEN = /^K10[0-9a-f]{64}::[^:\s]+:\S+$/;

/** Prints the full join token of a started server (after it wrote the token file). */
export function renderReadTokenScript(): string {
    return `#!/usr/bin/env bash
set -euo pipefail
cat ${SERVER_TOKEN_PATH}
`;
}

/**
 * The full join token read back from a server, validated: joiners given it check the server's CA against
 * its hash before sending credentials, instead of trusting whichever server answers on the address.
 */
export function parseFullToken(raw: string): string {
    const token = raw.trim();
    if (!FULL_TOKEN.test(token)) {
        throw new Error(`${SERVER_TOKEN_PATH} on the first server does not hold a full K10<ca-hash>::<user>:<password> token`);
    }
    return token;
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
