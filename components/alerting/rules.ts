import { CronExpressionParser } from "cron-parser";
import { NAMESPACES, PLATFORM_NAMESPACES } from "../../lib/conventions";

/**
 * The platform's own alerts, beside kube-prometheus-stack's defaults (which keep `Watchdog`, the heartbeat of
 * the dead man's switch, and the generic Kubernetes alerts). Every expression reads series as their exporters
 * publish them at the pinned versions:
 *
 * - kube-state-metrics: `kube_node_status_condition`, `kube_node_role` (from `node-role.kubernetes.io/<role>`
 *   labels; k3s sets `etcd` on servers running embedded etcd), `kube_service_status_load_balancer_ingress`.
 * - k3s (one metrics registry per process, served on every metrics endpoint, so the kubelet scrape carries
 *   them; docs.k3s.io/reference/metrics): `k3s_etcd_snapshot_save_s3_duration_seconds` histogram with
 *   `status` = `success` | `error` (k3s pkg/metrics ObserveWithStatus), `k3s_certificate_expiration_seconds`.
 * - Longhorn manager v1.12.1 (metrics_collector/volume_collector.go, backup_collector.go):
 *   `longhorn_volume_robustness{volume, state}` = 1 for the current state (unknown|healthy|degraded|faulted),
 *   `longhorn_backup_state{volume, backup, recurring_job}` 0 New … 3 Completed, 4 Error, 5 Unknown.
 * - cert-manager: `certmanager_certificate_expiration_timestamp_seconds` (0 until a certificate is issued)
 *   and `certmanager_certificate_ready_status{condition}`.
 */

/** One alerting rule as Prometheus reads it. */
export interface PlatformAlertRule {
    alert: string;
    expr: string;
    for?: string;
    labels: { severity: "critical" | "warning" };
    annotations: { summary: string; description: string };
}

/** A rule group. */
export interface PlatformRuleGroup {
    name: string;
    rules: PlatformAlertRule[];
}

/** What the rules need to know about the stack. */
export interface PlatformAlertArgs {
    /** Number of k3s servers (embedded etcd members). */
    servers: number;
    /** Number of floating IPs the Traefik LoadBalancer Service must carry. */
    floatingIps: number;
    /** Cron schedule of the etcd snapshots. */
    etcdSnapshotSchedule: string;
    /** Cron schedule of the Longhorn backup job (absent when no backup target is used). */
    longhornBackupSchedule?: string;
}

/** Days before expiry a platform certificate alerts (cert-manager renews 30 days before by default). */
export const CERTIFICATE_WARNING_DAYS = 14;
/** Days before expiry a k3s internal certificate alerts (k3s renews certificates within 90 days of expiry on restart). */
export const K3S_CERTIFICATE_WARNING_DAYS = 30;

/**
 * How old the newest successful run of a cron schedule may be before it is late: twice the longest gap
 * between two runs (one missed run is tolerated, two are not), in Prometheus duration syntax (minutes).
 */
export function stalenessWindow(cron: string): string {
    const runs = CronExpressionParser.parse(cron, { currentDate: new Date("2026-01-05T00:00:00Z"), tz: "UTC" });
    let previous = runs.next().getTime();
    let longest = 0;
    // Two weeks of runs cover every weekday-dependent schedule.
    const end = previous + 14 * 86_400_000;
    while (previous < end) {
        const next = runs.next().getTime();
        longest = Math.max(longest, next - previous);
        previous = next;
    }
    return `${Math.round((2 * longest) / 60_000)}m`;
}

const platformNamespaceRegex = PLATFORM_NAMESPACES.join("|");
const readyEtcdMembers = 'sum(kube_node_role{role="etcd"} * on(node) group_left() kube_node_status_condition{condition="Ready",status="true"}) or vector(0)';

/** Every platform alert group. */
export function renderPlatformAlertGroups(args: PlatformAlertArgs): PlatformRuleGroup[] {
    const quorum = Math.floor(args.servers / 2) + 1;
    const etcdWindow = stalenessWindow(args.etcdSnapshotSchedule);
    const nodes: PlatformRuleGroup = {
        name: "platform-nodes",
        rules: [
            {
                alert: "PlatformNodeNotReady",
                expr: 'kube_node_status_condition{condition="Ready",status="true"} == 0',
                for: "5m",
                labels: { severity: "critical" },
                annotations: { summary: "Node {{ $labels.node }} is not Ready", description: "Node {{ $labels.node }} has not been Ready for 5 minutes; its pods are being evicted or are unreachable." },
            },
        ],
    };
    const etcdRules: PlatformAlertRule[] = [
        {
            alert: "PlatformEtcdQuorumAtRisk",
            expr: `(${readyEtcdMembers}) < ${quorum}`,
            for: "2m",
            labels: { severity: "critical" },
            annotations: {
                summary: `Fewer than ${quorum} of ${args.servers} etcd members are Ready`,
                description: `Only {{ $value }} of ${args.servers} k3s servers running etcd are Ready; below ${quorum} the cluster cannot write.`,
            },
        },
    ];
    if (args.servers > 1) {
        etcdRules.push({
            alert: "PlatformEtcdMemberNotReady",
            expr: `(${readyEtcdMembers}) < ${args.servers}`,
            for: "5m",
            labels: { severity: "warning" },
            annotations: { summary: `An etcd member is not Ready`, description: `{{ $value }} of ${args.servers} k3s servers running etcd are Ready: one more failure loses quorum.` },
        });
    }
    etcdRules.push(
        {
            alert: "PlatformEtcdSnapshotFailed",
            expr: 'sum(increase(k3s_etcd_snapshot_save_s3_duration_seconds_count{status="error"}[1h])) > 0',
            labels: { severity: "critical" },
            annotations: { summary: "An etcd snapshot upload to S3 failed", description: "k3s reported a failed etcd snapshot upload in the last hour: check the server's k3s log and the S3 credentials." },
        },
        {
            alert: "PlatformEtcdSnapshotTooOld",
            expr: `sum(increase(k3s_etcd_snapshot_save_s3_duration_seconds_count{status="success"}[${etcdWindow}])) == 0`,
            labels: { severity: "critical" },
            annotations: { summary: "No etcd snapshot reached S3 recently", description: `No successful etcd snapshot upload in the last ${etcdWindow} (schedule ${args.etcdSnapshotSchedule}).` },
        },
        {
            alert: "PlatformEtcdSnapshotMetricsMissing",
            expr: "absent(k3s_etcd_snapshot_save_s3_duration_seconds_count)",
            for: etcdWindow,
            labels: { severity: "warning" },
            annotations: { summary: "No etcd snapshot has been reported", description: `k3s has reported no etcd snapshot upload for ${etcdWindow}: snapshots may not be configured or the kubelet scrape is failing.` },
        },
    );
    const storageRules: PlatformAlertRule[] = [
        {
            alert: "PlatformLonghornVolumeDegraded",
            expr: 'longhorn_volume_robustness{state="degraded"} == 1',
            for: "10m",
            labels: { severity: "warning" },
            annotations: { summary: "Longhorn volume {{ $labels.volume }} is degraded", description: "Volume {{ $labels.volume }} has fewer healthy replicas than configured; Longhorn is rebuilding or cannot place a replica." },
        },
        {
            alert: "PlatformLonghornVolumeFaulted",
            expr: 'longhorn_volume_robustness{state="faulted"} == 1',
            for: "2m",
            labels: { severity: "critical" },
            annotations: { summary: "Longhorn volume {{ $labels.volume }} is faulted", description: "Volume {{ $labels.volume }} has no healthy replica: its data is unavailable until a replica is salvaged or the volume restored from a backup." },
        },
        {
            alert: "PlatformLonghornBackupFailed",
            expr: "longhorn_backup_state == 4",
            for: "5m",
            labels: { severity: "critical" },
            annotations: { summary: "Longhorn backup {{ $labels.backup }} of {{ $labels.volume }} failed", description: "Backup {{ $labels.backup }} of volume {{ $labels.volume }} is in state Error." },
        },
    ];
    if (args.longhornBackupSchedule) {
        const window = stalenessWindow(args.longhornBackupSchedule);
        storageRules.push({
            alert: "PlatformLonghornBackupTooOld",
            // A volume that has backups, none of which appeared (as a new series) within the window.
            expr: `count by (volume) (longhorn_backup_state) unless count by (volume) ((longhorn_backup_state == 3) unless (longhorn_backup_state offset ${window}))`,
            labels: { severity: "critical" },
            annotations: { summary: "No recent Longhorn backup of {{ $labels.volume }}", description: `Volume {{ $labels.volume }} has no backup completed in the last ${window} (schedule ${args.longhornBackupSchedule}).` },
        });
    }
    const certificates: PlatformRuleGroup = {
        name: "platform-certificates",
        rules: [
            {
                alert: "PlatformCertificateExpiring",
                // A certificate not yet issued reports 0: it is not "expiring", PlatformCertificateNotReady covers it.
                expr: `(certmanager_certificate_expiration_timestamp_seconds{namespace=~"${platformNamespaceRegex}"} > 0) - time() < ${CERTIFICATE_WARNING_DAYS} * 86400`,
                for: "1h",
                labels: { severity: "warning" },
                annotations: { summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires soon", description: `It expires in less than ${CERTIFICATE_WARNING_DAYS} days and cert-manager has not renewed it.` },
            },
            {
                alert: "PlatformCertificateNotReady",
                expr: `certmanager_certificate_ready_status{condition="False",namespace=~"${platformNamespaceRegex}"} == 1`,
                for: "30m",
                labels: { severity: "critical" },
                annotations: { summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not Ready", description: "cert-manager cannot issue or renew it (ACME challenge, DNS or rate limit): see `kubectl describe certificate`." },
            },
            {
                alert: "PlatformK3sCertificateExpiring",
                expr: `k3s_certificate_expiration_seconds < ${K3S_CERTIFICATE_WARNING_DAYS} * 86400`,
                for: "1h",
                labels: { severity: "warning" },
                annotations: { summary: "k3s certificate {{ $labels.subject }} expires soon", description: `A k3s internal certificate expires in less than ${K3S_CERTIFICATE_WARNING_DAYS} days: restart k3s on the node to rotate it.` },
            },
        ],
    };
    const entry: PlatformRuleGroup = {
        name: "platform-entry",
        rules: [
            {
                alert: "PlatformFloatingIpUnassigned",
                expr: `(count(kube_service_status_load_balancer_ingress{namespace="${NAMESPACES.traefik}"}) or vector(0)) < ${args.floatingIps}`,
                for: "5m",
                labels: { severity: "critical" },
                annotations: {
                    summary: "The public entry lacks a floating IP",
                    description: `Traefik's LoadBalancer Service carries {{ $value }} of ${args.floatingIps} floating IPs: MetalLB has not assigned them (pool, speaker or edge node down).`,
                },
            },
        ],
    };
    return [nodes, { name: "platform-etcd", rules: etcdRules }, { name: "platform-storage", rules: storageRules }, certificates, entry];
}
