import { stalenessWindow, type PlatformRuleGroup } from "../alerting/rules";

/**
 * Alerts on tenant MySQL (Percona XtraDB Cluster) backups. The operator exports no backup metrics of its own, so
 * full backups are judged from the Jobs it runs for them, as kube-state-metrics v2 exports them
 * (internal/store/job.go): each PerconaXtraDBClusterBackup runs one Job it owns (pkg/controller/pxcbackup at
 * v1.19.0: SetControllerReference), so `kube_job_owner{owner_kind="PerconaXtraDBClusterBackup"}` picks them out,
 * `kube_job_status_completion_time` is set once one succeeded and `kube_job_failed{condition="true"}` once one
 * failed. `project` comes from the namespace's `platform/project` label (`kube_namespace_labels`, allowlisted for
 * metering). The binlog collector (point-in-time recovery, cmd/pitr/collector/collector.go at v1.19.0) exports
 * `pxc_binlog_collector_last_processing_timestamp` (each successful cycle, every `timeBetweenUploads`),
 * `pxc_binlog_collector_success_total` and `pxc_binlog_collector_gap_detected_total`; the tenant PodMonitor
 * (components/project/mysql.ts) adds `project` and `cluster`. A project's alerts also reach its owner.
 */

/** Name of the PrometheusRule holding these alerts (namespace monitoring). */
export const MYSQL_ALERTS_RULE = "mysql-backup-alerts";

/** Seconds the binlog collector may go without a successful cycle (it runs every minute) before point-in-time recovery is at risk. */
export const BINLOG_STALE_SECONDS = 30 * 60;

const BACKUP_JOBS = 'kube_job_owner{owner_kind="PerconaXtraDBClusterBackup"}';
const PROJECT_OF_NAMESPACE = 'label_replace(kube_namespace_labels{label_platform_project!=""}, "project", "$1", "label_platform_project", "(.+)")';

/** A kube-state-metrics Job series restricted to the operator's backup Jobs, with the project label. */
function backupJobSeries(series: string, keep: readonly string[] = []): string {
    return `(${series} * on (namespace, job_name) group_left (${keep.join(", ")}) ${BACKUP_JOBS}) * on (namespace) group_left (project) ${PROJECT_OF_NAMESPACE}`;
}

/** The MySQL backup alert group for the stack's backup schedule (`platform:backup.schedule`). */
export function renderMysqlAlertGroups(backupSchedule: string): PlatformRuleGroup[] {
    const window = stalenessWindow(backupSchedule);
    const windowSeconds = Number(window.replace(/m$/, "")) * 60;
    const newestDone = `max by (namespace, project) (${backupJobSeries("kube_job_status_completion_time")})`;
    const collector = "namespace, project, cluster";
    return [
        {
            name: "platform-mysql-backups",
            rules: [
                {
                    alert: "MysqlBackupTooOld",
                    expr: `(time() - ${newestDone}) > ${windowSeconds}`,
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "MySQL in {{ $labels.namespace }} has no recent full backup",
                        description: `The newest completed XtraBackup backup is older than ${window} (schedule ${backupSchedule}): check the PerconaXtraDBClusterBackup objects (kubectl get pxc-backup) in the namespace.`,
                    },
                },
                {
                    alert: "MysqlBackupFailed",
                    expr: `max by (namespace, project, owner_name) (${backupJobSeries('kube_job_failed{condition="true"}', ["owner_name"])}) > 0`,
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "MySQL backup {{ $labels.owner_name }} in {{ $labels.namespace }} failed",
                        description: "The backup Job gave up (kubectl describe pxc-backup {{ $labels.owner_name }}); delete the failed PerconaXtraDBClusterBackup once the cause is fixed.",
                    },
                },
                {
                    alert: "MysqlBackupMissing",
                    // The collector runs once the cluster is ready; no completed backup Job in the namespace since.
                    expr: `max by (${collector}) (pxc_binlog_collector_success_total) unless on (namespace, project) ${newestDone}`,
                    for: window,
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "MySQL {{ $labels.namespace }}/{{ $labels.cluster }} has never completed a full backup",
                        description: `No full backup of this cluster has completed for ${window}: a restore is impossible until one does (binlogs alone do not restore).`,
                    },
                },
                {
                    alert: "MysqlBinlogCollectorStuck",
                    expr: `(time() - max by (${collector}) (pxc_binlog_collector_last_processing_timestamp)) > ${BINLOG_STALE_SECONDS}`,
                    for: "15m",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Binlogs of {{ $labels.namespace }}/{{ $labels.cluster }} are not reaching the object store",
                        description: `The binlog collector has not completed a cycle for ${BINLOG_STALE_SECONDS / 60} minutes: point-in-time recovery past its last upload is lost if the cluster goes.`,
                    },
                },
                {
                    alert: "MysqlBinlogGap",
                    expr: `max by (${collector}) (increase(pxc_binlog_collector_gap_detected_total[1h])) > 0`,
                    labels: { severity: "warning" },
                    annotations: {
                        summary: "Binlog gap in {{ $labels.namespace }}/{{ $labels.cluster }}",
                        description: "The collector found binlogs missing since its last upload: point-in-time recovery into the gap is impossible until the next full backup (start one with a PerconaXtraDBClusterBackup).",
                    },
                },
            ],
        },
    ];
}
