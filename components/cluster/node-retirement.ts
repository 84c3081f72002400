/**
 * Scripts that retire a node when it is replaced (generation bump, bare-metal reinstall) or removed (pool
 * shrunk). They run as the `delete` of commands the cluster creates per node, so Pulumi runs them exactly
 * when it deletes that node's old incarnation:
 * - on a server, over the tailnet: drain, `kubectl delete node` (k3s then removes a server's etcd member)
 *   and the node-password secret (`<node>.node-password.k3s` in kube-system, k3s pkg/nodepassword: while it
 *   exists, a reinstalled node of the same name is refused);
 * - on the machine running `pulumi`: the Tailscale API delete of the old tailnet device, so a reinstalled
 *   node gets its name back instead of `<name>-1`.
 */

/** How many one-minute drain attempts a Ready node gets before the retirement fails (and `pulumi up` with it). */
export const DRAIN_ATTEMPTS = 15;

/**
 * Drains and deletes a node from a server (run with `k3s kubectl`). A Ready node must drain (PodDisruption
 * Budgets, Longhorn's last replica): the script fails rather than force it, unless every node of the
 * cluster is cordoned (the whole stack is being destroyed: nowhere to drain to). A node that is not Ready
 * (dead machine) cannot confirm evictions; its pods are evicted without waiting and the node is deleted. An
 * unreachable API (the cluster is gone) leaves nothing to retire from: a warning, not a failure.
 */
export function renderLeaveScript(hostname: string): string {
    return `#!/usr/bin/env bash
# Retire ${hostname}: rendered by components/cluster/node-retirement.ts.
set -euo pipefail
node="${hostname}"
if ! k3s kubectl get --raw /readyz >/dev/null 2>&1; then
  echo "warning: the Kubernetes API does not answer on this server; \${node} is not drained or deleted" >&2
  exit 0
fi
force_drain() {
  k3s kubectl drain "\${node}" --ignore-daemonsets --delete-emptydir-data --disable-eviction --force --timeout=60s || true
}
if k3s kubectl get node "\${node}" >/dev/null 2>&1; then
  ready="$(k3s kubectl get node "\${node}" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')"
  k3s kubectl cordon "\${node}"
  if [ "\${ready}" = "True" ]; then
    drained=false
    for _ in $(seq 1 ${DRAIN_ATTEMPTS}); do
      if k3s kubectl drain "\${node}" --ignore-daemonsets --delete-emptydir-data --timeout=60s; then
        drained=true
        break
      fi
      schedulable="$(k3s kubectl get nodes -o jsonpath='{range .items[*]}{.spec.unschedulable}{"\n"}{end}' | grep -cv '^true$' || true)"
      if [ "\${schedulable}" = "0" ]; then
        echo "every node is cordoned (the stack is being destroyed): evicting \${node} without waiting" >&2
        force_drain
        drained=true
        break
      fi
    done
    if [ "\${drained}" != "true" ]; then
      echo "drain of \${node} did not finish in ${DRAIN_ATTEMPTS} minutes (a PodDisruptionBudget or Longhorn's last replica); the node stays cordoned. Fix it and rerun pulumi up." >&2
      exit 1
    fi
  else
    echo "node \${node} is not Ready (status \${ready:-unknown}): evicting without waiting" >&2
    force_drain
  fi
  k3s kubectl delete node "\${node}" --wait=true --timeout=5m
fi
k3s kubectl -n kube-system delete secret "\${node}.node-password.k3s" --ignore-not-found
echo "retired \${node}"
`;
}

/** Environment variables the tailnet device removal reads. */
export const DEVICE_REMOVAL_ENV = {
    deviceId: "TAILNET_DEVICE_ID",
    hostname: "TAILNET_DEVICE_HOSTNAME",
    apiKey: "TAILSCALE_API_KEY",
    oauthClientId: "TAILSCALE_OAUTH_CLIENT_ID",
    oauthClientSecret: "TAILSCALE_OAUTH_CLIENT_SECRET",
    baseUrl: "TAILSCALE_BASE_URL",
} as const;

/** Create step of the device record: nothing to do; prints the device id it will remove. */
export function renderDeviceRecordCreate(): string {
    return `printf '%s' "\${${DEVICE_REMOVAL_ENV.deviceId}}"`;
}

/**
 * Deletes the tailnet device through the Tailscale API (`DELETE /api/v2/device/{id}`), with the stack's
 * API key or an OAuth client (scope `devices:core`) exchanged for a token. Credentials travel in the
 * environment and on curl's stdin (`-K -`, `--data-binary @-`), never in argv. 404 counts as done.
 */
export function renderDeviceRemovalScript(): string {
    const e = DEVICE_REMOVAL_ENV;
    return `set -eu
device="\${${e.deviceId}:-}"
if [ -z "\${device}" ]; then
  exit 0
fi
base="\${${e.baseUrl}:-https://api.tailscale.com}"
if [ -n "\${${e.apiKey}:-}" ]; then
  token="\${${e.apiKey}}"
elif [ -n "\${${e.oauthClientId}:-}" ] && [ -n "\${${e.oauthClientSecret}:-}" ]; then
  token="$(printf 'client_id=%s&client_secret=%s&grant_type=client_credentials' "\${${e.oauthClientId}}" "\${${e.oauthClientSecret}}" \\
    | curl -fsS --data-binary @- "\${base}/api/v2/oauth/token" | sed -n 's/.*"access_token" *: *"\\([^"]*\\)".*/\\1/p')"
else
  echo "cannot remove tailnet device \${${e.hostname}} (\${device}): no tailscale:apiKey or OAuth client in the stack config; remove it in the admin console" >&2
  exit 1
fi
status="$(printf 'header = "Authorization: Bearer %s"\\n' "\${token}" | curl -sS -K - -o /dev/null -w '%{http_code}' -X DELETE "\${base}/api/v2/device/\${device}")"
case "\${status}" in
  200|204|404) echo "tailnet device \${${e.hostname}} (\${device}) removed" ;;
  *) echo "Tailscale API refused to delete device \${${e.hostname}} (\${device}): HTTP \${status}" >&2; exit 1 ;;
esac`;
}
