import { stalenessWindow, type PlatformRuleGroup } from "../alerting/rules";

/**
 * Alerts on Velero's scheduled backups, from the series the Velero server exports at v1.18.1
 * (pkg/metrics/metrics.go, label `schedule`): `velero_backup_last_status` (1 success, 0 failure; set to 0 when a
 * schedule is first seen, before any run), `velero_backup_attempt_total` (counter, initialised to 0 for every
 * schedule), `velero_backup_last_successful_timestamp` (unix seconds of the newest Completed backup, rebuilt from
 * the bucket on every resync, absent until one completes). The ServiceMonitor of the chart adds
 * `namespace="velero"`; the schedule name says whose backup it is (`platform`, `tenant-<namespace>`).
 */

/** Name of the PrometheusRule holding these alerts (namespace monitoring). */
export const VELERO_ALERTS_RULE = "velero-backup-alerts";

/** The alert group for the stack's backup schedule (`platform:backup.schedule`). */
export function renderVeleroAlertGroups(schedule: string): PlatformRuleGroup[] {
    const window = stalenessWindow(schedule);
    const windowSeconds = Number(window.replace(/m$/, "")) * 60;
    const scheduled = 'schedule!=""';
    return [
        {
            name: "platform-velero-backups",
            rules: [
                {
                    alert: "VeleroBackupFailed",
                    // The 0 a schedule starts with is not a failure: only a status written after an attempt counts.
                    expr: `max by (schedule) (velero_backup_last_status{${scheduled}}) == 0 and on (schedule) max by (schedule) (velero_backup_attempt_total{${scheduled}}) > 0`,
                    for: "15m",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Velero backup of schedule {{ $labels.schedule }} failed",
                        description: "The last backup of this schedule failed or partially failed: `velero backup describe --details` on the newest backup of the schedule says why (bucket, credentials, an object Velero could not read).",
                    },
                },
                {
                    alert: "VeleroBackupTooOld",
                    expr: `(time() - max by (schedule) (velero_backup_last_successful_timestamp{${scheduled}})) > ${windowSeconds}`,
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Velero schedule {{ $labels.schedule }} has no recent successful backup",
                        description: `The newest completed backup of this schedule is older than ${window} (schedule ${schedule}): the cluster objects it covers would come back that old.`,
                    },
                },
                {
                    alert: "VeleroBackupMissing",
                    expr: `max by (schedule) (velero_backup_attempt_total{${scheduled}}) unless on (schedule) velero_backup_last_successful_timestamp{${scheduled}}`,
                    for: window,
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Velero schedule {{ $labels.schedule }} has never completed a backup",
                        description: `No backup of this schedule has completed for ${window}: nothing of what it covers can be restored.`,
                    },
                },
            ],
        },
    ];
}
