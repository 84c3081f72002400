import { createHash } from "node:crypto";
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
 * and then runs a start script: the engine gives up a little after the script's own deadlines would have
 * (`serverWaitSeconds`: a pinned join's wait for a server to answer, see {@link renderStartScript}).
 */
export function remoteCommandTimeouts(connectMinutes: number, serverWaitSeconds = 0): { create: string; update: string; delete: string } {
    const scriptMinutes = Math.ceil((START_DEADLINES.cloudInitSeconds + serverWaitSeconds + START_DEADLINES.k3sReadySeconds) / 60);
    const total = `${connectMinutes + scriptMinutes + 5}m`;
    return { create: total, update: total, delete: "10m" };
}

/**
 * Script that waits for cloud-init, installs the secrets drop-in from stdin, starts k3s without blocking on
 * systemd and waits, with a deadline, for the unit (agents) or the Ready node (servers); on a timeout it
 * fails with the unit's last journal lines.
 *
 * With `pinned` (a cluster CA the platform generated, so the token is known before any server runs) the node
 * may be started beside its servers: it waits, within the readiness deadline, for a candidate server to answer
 * instead of failing at once, and it refuses to restart a node that already joined a cluster whose CA is not
 * the pinned one (a cluster k3s created keeps its own CA: see {@link renderServerCaScript}). Without it the
 * script is the one nodes of such clusters were started with, byte for byte, so their `up` re-runs nothing.
 */
export function renderStartScript(hostname: string, role: "server" | "agent", deadlines: StartDeadlines = START_DEADLINES, pinned?: PinnedJoin): string {
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

${pinned ? pinnedCaCheck(hostname, pinned) : ""}umask 077
install -d -m 0700 ${K3S_PATHS.dropInDir}
cat > ${K3S_PATHS.secretsDropIn}.tmp
mv ${K3S_PATHS.secretsDropIn}.tmp ${K3S_PATHS.secretsDropIn}

# Register with the first server that answers (k3s serves /cacerts without credentials): a join still works
# while any one server is down. Nodes that joined already keep their own load balancer over all servers.
candidates="$(sed -n 's/^${REGISTRATION_CANDIDATES_COMMENT}//p' ${K3S_PATHS.secretsDropIn})"
if [ -n "\${candidates}" ]; then
  chosen=""
${pinned ? pinnedProbe(deadlines) : `  for candidate in \${candidates}; do
    if curl --silent --insecure --max-time ${PROBE_SECONDS} --output /dev/null "https://\${candidate}:6443/cacerts"; then
      chosen="\${candidate}"
      break
    fi
  done
`}  if [ -z "\${chosen}" ]; then
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

/** A join whose token pins a cluster CA the platform generated (see {@link renderStartScript}). */
export interface PinnedJoin {
    /** Hex sha256 of the server CA file as k3s serves it on /cacerts: the hash inside the node's token. */
    caHash: string;
}

/** Where k3s keeps its CA files and an agent the server CA it downloaded when it joined. */
export const K3S_CA_PATHS = {
    serverTlsDir: "/var/lib/rancher/k3s/server/tls",
    serverCaCert: "/var/lib/rancher/k3s/server/tls/server-ca.crt",
    serverCaKey: "/var/lib/rancher/k3s/server/tls/server-ca.key",
    agentServerCa: "/var/lib/rancher/k3s/agent/server-ca.crt",
} as const;

/** What an operator sets when a cluster's CA is the one k3s generated (lib/config/schema.ts `cluster.certificateAuthority`). */
const KEEP_K3S_CA_FIX = "set platform:cluster.certificateAuthority to k3s in the stack file (a cluster created before the platform generated its CA keeps the CA k3s made)";

/** The registration probe of a pinned join: every candidate, every poll, until one answers or the deadline passes. */
function pinnedProbe(deadlines: StartDeadlines): string {
    return `  # Started beside its servers: wait for one to answer (k3s serves /cacerts without credentials).
  probe_deadline=$((SECONDS + ${deadlines.k3sReadySeconds}))
  while [ -z "\${chosen}" ]; do
    for candidate in \${candidates}; do
      if curl --silent --insecure --max-time ${PROBE_SECONDS} --output /dev/null "https://\${candidate}:6443/cacerts"; then
        chosen="\${candidate}"
        break
      fi
    done
    if [ -n "\${chosen}" ] || [ "\${SECONDS}" -ge "\${probe_deadline}" ]; then
      break
    fi
    sleep ${deadlines.pollSeconds}
  done
`;
}

/**
 * Refuses, before anything changes, a node that joined a cluster whose server CA is not the pinned one: k3s keeps
 * the server CA a node fetched when it joined in `agent/server-ca.crt` (pkg/agent/config `getHostFile`, the same
 * bytes the server's `/cacerts` serves from its `server-ca.crt`), so its sha256 is the hash a token must carry.
 */
function pinnedCaCheck(hostname: string, pinned: PinnedJoin): string {
    return `# The token pins the platform's server CA: a node that joined a cluster with another CA keeps running as it is.
if [ -f ${K3S_CA_PATHS.agentServerCa} ]; then
  joined_ca="$(sha256sum ${K3S_CA_PATHS.agentServerCa} | cut -d' ' -f1)"
  if [ "\${joined_ca}" != "${pinned.caHash}" ]; then
    echo "${hostname} joined a cluster whose server CA (sha256 \${joined_ca}) is not the platform's (${pinned.caHash}); nothing was changed on it: ${KEEP_K3S_CA_FIX}" >&2
    exit 1
  fi
fi
`;
}

/**
 * Script that puts the platform's server CA (certificate, then key, PEM, on stdin) where k3s looks for it before
 * its first start: k3s generates a CA only when `server-ca.crt` and `server-ca.key` are both missing
 * (k3s pkg/daemons/control/deps/deps.go `createSigningCertKey`), and the hash in a full token is the sha256 of
 * that file's bytes when it holds one certificate (pkg/clientaccess/token.go `hashCA`). Run on the bootstrapping
 * server only. A server that already has a CA keeps it: the same one passes, another one fails the `up` before
 * k3s is touched, naming the fix.
 */
export function renderServerCaScript(caHash: string): string {
    return `#!/usr/bin/env bash
# Install the platform's k3s server CA: rendered by components/cluster/k3s-join.ts.
set -euo pipefail
umask 077
work="$(mktemp -d)"
trap 'rm -rf "\${work}"' EXIT
cat > "\${work}/stdin"
sed -n '/^-----BEGIN CERTIFICATE-----$/,/^-----END CERTIFICATE-----$/p' "\${work}/stdin" > "\${work}/server-ca.crt"
sed -n '/^-----BEGIN [A-Z ]*PRIVATE KEY-----$/,/^-----END [A-Z ]*PRIVATE KEY-----$/p' "\${work}/stdin" > "\${work}/server-ca.key"
if [ -f ${K3S_CA_PATHS.serverCaCert} ]; then
  present="$(sha256sum ${K3S_CA_PATHS.serverCaCert} | cut -d' ' -f1)"
  if [ "\${present}" != "${caHash}" ]; then
    echo "this server already has a k3s server CA (sha256 \${present}) that is not the platform's (${caHash}); nothing was changed: ${KEEP_K3S_CA_FIX}" >&2
    exit 1
  fi
  echo "the platform's server CA is already in place" >&2
  exit 0
fi
delivered="$(sha256sum "\${work}/server-ca.crt" | cut -d' ' -f1)"
if [ "\${delivered}" != "${caHash}" ] || [ ! -s "\${work}/server-ca.key" ]; then
  echo "the server CA on stdin is incomplete or does not hash to ${caHash}; nothing was installed" >&2
  exit 1
fi
install -d -m 0700 ${K3S_CA_PATHS.serverTlsDir}
# The key first: k3s regenerates the certificate when only the key exists, never when both do.
install -m 0600 "\${work}/server-ca.key" ${K3S_CA_PATHS.serverCaKey}
install -m 0644 "\${work}/server-ca.crt" ${K3S_CA_PATHS.serverCaCert}
`;
}

/**
 * The hash k3s puts into a full token for a server CA file holding one certificate: the hex sha256 of the
 * file's literal bytes (k3s pkg/clientaccess/token.go `hashCA`; a bundle of several certificates is hashed over
 * its root's DER instead, which the platform's single self-signed CA never is).
 */
export function serverCaHash(certificatePem: string): string {
    const certificates = certificatePem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
    if (certificates !== 1) {
        throw new Error(`the platform's server CA must be exactly one PEM certificate (k3s hashes a bundle differently); got ${certificates}`);
    }
    return createHash("sha256").update(certificatePem, "utf8").digest("hex");
}

/** The full token a node joins with: `K10<ca hash>::server:<secret>`, what k3s writes to its token file. */
export function fullToken(caHash: string, secret: string): string {
    const token = `K10${caHash}::server:${secret}`;
    if (!FULL_TOKEN.test(token)) {
        throw new Error("the join secret must be a non-empty string without whitespace, and the CA hash 64 hex digits");
    }
    return token;
}

/** The role a rendered start script starts k3s as (the unit it enables), or undefined for any other script. */
export function startScriptRole(create: string): "server" | "agent" | undefined {
    if (!create.includes("rendered by components/cluster/k3s-join.ts")) {
        return undefined;
    }
    return /^systemctl enable k3s-agent$/m.test(create) ? "agent" : /^systemctl enable k3s$/m.test(create) ? "server" : undefined;
}

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
