/**
 * Scripts of the per-node disruption guard: a local command whose `environment` carries the node's
 * disruptive settings (components/nodes/node-plan.ts `disruptiveSettings`). Its machine depends on it, so
 * when those settings change, the guard's update runs first and can stop `pulumi up` before the machine is
 * resized or reinstalled. The previous settings come from the guard's own last stdout, which
 * @pulumi/command passes to the next run as `PULUMI_COMMAND_STDOUT`.
 */

/** Environment variable names the guard scripts read. */
export const GUARD_ENV = {
    node: "PLATFORM_NODE",
    settings: "PLATFORM_NODE_SETTINGS",
    allow: "PLATFORM_ALLOW_DISRUPTIVE",
} as const;

/** First creation: nothing runs yet; remember the settings (stdout). */
export function renderGuardCreate(): string {
    return `printf '%s' "\${${GUARD_ENV.settings}}"`;
}

/**
 * Update: unchanged settings (another input changed, e.g. the flag) or an acknowledged change pass and
 * record the new settings; an unacknowledged change fails, naming the node, the old and the new settings.
 */
export function renderGuardUpdate(): string {
    return `set -eu
previous="\${PULUMI_COMMAND_STDOUT:-}"
if [ "\${previous}" = "\${${GUARD_ENV.settings}}" ] || [ "\${${GUARD_ENV.allow}}" = "true" ]; then
  printf '%s' "\${${GUARD_ENV.settings}}"
  exit 0
fi
echo "refusing to change node \${${GUARD_ENV.node}}: [\${previous}] -> [\${${GUARD_ENV.settings}}] resizes or reinstalls a running node (or, for a stack's only server, starts a new cluster)." >&2
echo "fix: set 'platform:allowDisruptive: true' for this pulumi up (the affected nodes then roll one at a time), or revert the change." >&2
exit 1`;
}
