import { stalenessWindow, type PlatformRuleGroup } from "../alerting/rules";

/**
 * Alerts on tenant database backups, from the series CloudNativePG's instance manager exports at v1.30.0
 * (pkg/management/postgres/webserver/metricserver/pg_collector.go; docs/src/monitoring.md):
 * `cnpg_collector_last_available_backup_timestamp` (unix seconds of the newest base backup in the object store,
 * 0 until the first one completes) and `cnpg_collector_pg_wal_archive_status{value="ready"}` (WAL segments
 * written but not yet archived). The tenant PodMonitor (components/project/database.ts) adds the `project`
 * and `cluster` labels, so a project's alerts also reach its owner (components/alerting/alertmanager-config.ts).
 */

/** Name of the PrometheusRule holding these alerts (namespace monitoring). */
export const DATABASE_ALERTS_RULE = "database-backup-alerts";

/** WAL segments (16 MiB each) allowed to wait for archiving before point-in-time recovery is at risk. */
export const WAL_READY_THRESHOLD = 10;

/** The backup alert group for the stack's base-backup schedule (`platform:backup.schedule`). */
export function renderDatabaseAlertGroups(baseBackupSchedule: string): PlatformRuleGroup[] {
    const window = stalenessWindow(baseBackupSchedule);
    const windowSeconds = Number(window.replace(/m$/, "")) * 60;
    const newest = "max by (namespace, project, cluster) (cnpg_collector_last_available_backup_timestamp)";
    return [
        {
            name: "platform-database-backups",
            rules: [
                {
                    alert: "DatabaseBackupTooOld",
                    // A cluster that never finished a backup reports 0; DatabaseBackupMissing covers it.
                    expr: `(time() - ${newest}) > ${windowSeconds} and ${newest} > 0`,
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Database {{ $labels.namespace }}/{{ $labels.cluster }} has no recent base backup",
                        description: `The newest base backup in the object store is older than ${window} (schedule ${baseBackupSchedule}): check the ScheduledBackup and the Backup objects in the namespace.`,
                    },
                },
                {
                    alert: "DatabaseBackupMissing",
                    expr: `${newest} == 0`,
                    for: window,
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Database {{ $labels.namespace }}/{{ $labels.cluster }} has never completed a base backup",
                        description: `No base backup of this cluster has reached the object store for ${window}: a restore is impossible until one does.`,
                    },
                },
                {
                    alert: "DatabaseWalArchivingStuck",
                    expr: `max by (namespace, project, cluster) (cnpg_collector_pg_wal_archive_status{value="ready"}) > ${WAL_READY_THRESHOLD}`,
                    for: "15m",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "WAL of {{ $labels.namespace }}/{{ $labels.cluster }} is not reaching the object store",
                        description: "{{ $value }} WAL segments wait for archiving: point-in-time recovery past the last archived segment is lost if the volume goes, and the volume fills up.",
                    },
                },
            ],
        },
    ];
}
