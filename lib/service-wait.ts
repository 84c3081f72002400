/**
 * The wait of a platform Job that is created beside the Helm release it configures (Grafana's organisations Job
 * beside the monitoring release, Harbor's configurator beside Harbor's): a bash loop that probes the service's
 * health until it answers, and fails the Job at once, with its own exit code, once the service's name stops
 * resolving after it did (an atomic release that failed is uninstalled, its Service with it), instead of waiting
 * out the Job's deadline. The Job's podFailurePolicy makes that exit final ({@link SERVICE_GONE_EXIT}).
 */

/**
 * Probes in a row whose name does not resolve, after it once did, that make the Job give up: a minute at 10 s. A
 * deleted Service is answered NXDOMAIN at once; the margin is for cluster DNS itself restarting (k3s runs one
 * CoreDNS), which must not fail a bring-up.
 */
export const SERVICE_GONE_PROBES = 6;

/**
 * The script's exit code when the service is gone: the Job's podFailurePolicy fails the Job on it instead of
 * retrying (a retry would wait for a Service that no longer comes back until the deadline), so `pulumi up` ends
 * with the release's error within about a minute of it. Above curl's and jq's own exit codes, which a failing API
 * call passes on (and which are retried).
 */
export const SERVICE_GONE_EXIT = 100;

/** What {@link renderServiceWait} waits for. */
export interface ServiceWait {
    /** The service's name in the script's messages, e.g. `Grafana`. */
    service: string;
    /** The release that creates it, as the failure message names it, e.g. `the monitoring release`. */
    release: string;
    /** The shell variable that holds the API's base URL: `$<apiVariable>/health` is probed. */
    apiVariable: string;
    /** The environment variable that may override the poll interval (tests shorten it). */
    pollVariable: string;
    /** Seconds between two probes by default. */
    pollSeconds: number;
}

/**
 * The bash loop (under `set -euo pipefail`): no attempt cap of its own below the Job's deadline, so a slow release
 * does not make the Job give up first; curl exit 6 (the name does not resolve) counts towards
 * {@link SERVICE_GONE_PROBES} only once the name has resolved, so a Service the release has not created yet is
 * waited for.
 */
export function renderServiceWait(wait: ServiceWait): string {
    return `# Created beside ${wait.release}: wait for ${wait.service} as long as the release may take (no cap below the Job's
# deadline, which covers the release's Helm timeout: a slow release does not make the Job give up first). The
# release is atomic, so a failed install is uninstalled, ${wait.service}'s Service with it: once the Service's name has
# resolved, ${SERVICE_GONE_PROBES} probes in a row that cannot resolve it (curl exit 6) mean the release is gone, and the Job
# fails at once (exit ${SERVICE_GONE_EXIT}, final by the Job's podFailurePolicy) instead of waiting out its deadline.
attempt=0
seen=false
unresolved=0
while true; do
  probe=0
  curl -sf "$${wait.apiVariable}/health" >/dev/null || probe=$?
  if [ "$probe" -eq 0 ]; then
    break
  elif [ "$probe" -eq 6 ]; then
    unresolved=$((unresolved + 1))
    if [ "$seen" = true ] && [ "$unresolved" -ge ${SERVICE_GONE_PROBES} ]; then
      echo "${wait.service}'s Service is gone (its name stopped resolving): ${wait.release} failed and was rolled back; see the release's error in the pulumi up output" >&2
      exit ${SERVICE_GONE_EXIT}
    fi
  else
    seen=true
    unresolved=0
  fi
  attempt=$((attempt + 1))
  echo "waiting for ${wait.service} (attempt $attempt)"
  sleep "\${${wait.pollVariable}:-${wait.pollSeconds}}"
done
`;
}
