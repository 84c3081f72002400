import type { PlatformConfig } from "../../lib/config/schema";
import { planNodes } from "../nodes/node-plan";

/**
 * The region rebuild from an etcd snapshot, as a script an operator runs from a machine on the tailnet (the
 * servers answer SSH only there). It follows k3s' documented restore of an embedded-etcd cluster from S3
 * (docs.k3s.io/cli/etcd-snapshot, "Restoring Snapshots"): stop k3s on every server; on server 0 run
 * `k3s server --cluster-reset --cluster-reset-restore-path=<snapshot>` (the servers' config.yaml already carries
 * the `etcd-s3-*` settings and keys the platform wrote, so the snapshot is fetched from the stack's bucket);
 * start server 0; on every other server remove the old etcd data directory and start k3s, which rejoins the
 * restored member. A snapshot restores cluster state only: volumes come back from Longhorn backups and
 * databases from their archives (README: Disaster recovery).
 */

/** Shell-quotes a value for a POSIX shell (single quotes; an embedded quote closes, escapes and reopens). */
function quote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The rebuild script of one stack: its servers' MagicDNS names and its snapshot bucket filled in. */
export function renderEtcdRestoreScript(config: PlatformConfig, stack: string): string {
    const servers = planNodes(config, stack)
        .filter((n) => n.role === "server")
        .map((n) => `${n.hostname}.${config.mesh.magicDnsSuffix}`);
    const s3 = config.cluster.etcdSnapshots.s3;
    const where = `s3://${s3.bucket}/${s3.folder ? `${s3.folder}/` : ""} on ${s3.endpoint}`;
    return `#!/usr/bin/env bash
# Rebuilds the control plane of stack ${stack} from an etcd snapshot in ${where}.
# Usage: restore-etcd-${stack}.sh <snapshot-name>
#   List the snapshots with: ssh root@${servers[0]} k3s etcd-snapshot ls
#   K3S_TOKEN=<token>: only when server 0 is a new machine (the token of the cluster the snapshot was taken
#   from; \`pulumi stack output\` does not print it, read it from the old server's /var/lib/rancher/k3s/server/token).
set -euo pipefail

SNAPSHOT="\${1:?usage: $0 <snapshot-name> (list them with: ssh root@${servers[0]} k3s etcd-snapshot ls)}"
SERVERS=(${servers.map(quote).join(" ")})
FIRST="\${SERVERS[0]}"

on() {
    local host="$1"
    shift
    ssh -o BatchMode=yes -o ConnectTimeout=10 "root@\${host}" "$@"
}

echo "Stopping k3s on every server of ${stack}"
for server in "\${SERVERS[@]}"; do
    on "\${server}" systemctl stop k3s
done

echo "Resetting \${FIRST} to snapshot \${SNAPSHOT}"
token_flag=()
if [[ -n "\${K3S_TOKEN:-}" ]]; then
    token_flag=(--token "\${K3S_TOKEN}")
fi
on "\${FIRST}" k3s server --cluster-reset --cluster-reset-restore-path="$(printf '%q' "\${SNAPSHOT}")" "\${token_flag[@]}"
on "\${FIRST}" systemctl start k3s

for server in "\${SERVERS[@]:1}"; do
    echo "Rejoining \${server}"
    on "\${server}" rm -rf /var/lib/rancher/k3s/server/db
    on "\${server}" systemctl start k3s
done

on "\${FIRST}" k3s kubectl get nodes -o wide
echo "Restored. Next: check the add-ons (kubectl get pods -A), then restore volumes and databases (README: Disaster recovery)."
`;
}
