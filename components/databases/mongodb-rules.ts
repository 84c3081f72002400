import { stalenessWindow, type PlatformRuleGroup } from "../alerting/rules";

/**
 * Alerts on tenant MongoDB backups, from the series percona/mongodb_exporter v0.53.0 exports with
 * `--collector.pbm` (exporter/pbm_collector.go): `mongodb_pbm_backup_last_transition_ts{status}` (unix seconds
 * of each Percona Backup for MongoDB backup's last state change; `status="done"` once it completed),
 * `mongodb_pbm_cluster_backup_configured` (1 once PBM has a storage), `mongodb_pbm_cluster_pitr_backup_enabled`
 * (oplog slicing for point-in-time recovery) and `mongodb_pbm_agent_status` (0 ok, 1 error, 2 lost). The exporter
 * runs beside every mongod (components/project/mongodb.ts); the PodMonitor adds the `project` and `cluster`
 * labels, so a project's alerts also reach its owner.
 */

/** Name of the PrometheusRule holding these alerts (namespace monitoring). */
export const MONGODB_ALERTS_RULE = "mongodb-backup-alerts";

const BY = "namespace, project, cluster";

/** The MongoDB backup alert group for the stack's backup schedule (`platform:backup.schedule`). */
export function renderMongoDbAlertGroups(backupSchedule: string): PlatformRuleGroup[] {
    const window = stalenessWindow(backupSchedule);
    const windowSeconds = Number(window.replace(/m$/, "")) * 60;
    const newestDone = `max by (${BY}) (mongodb_pbm_backup_last_transition_ts{status="done"})`;
    return [
        {
            name: "platform-mongodb-backups",
            rules: [
                {
                    alert: "MongoDbBackupTooOld",
                    expr: `(time() - ${newestDone}) > ${windowSeconds}`,
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "MongoDB {{ $labels.namespace }}/{{ $labels.cluster }} has no recent backup",
                        description: `The newest completed backup is older than ${window} (schedule ${backupSchedule}): check the PerconaServerMongoDBBackup objects in the namespace.`,
                    },
                },
                {
                    alert: "MongoDbBackupMissing",
                    // Backups are configured but none ever completed (the exporter lists no `done` backup).
                    expr: `max by (${BY}) (mongodb_pbm_cluster_backup_configured) == 1 unless on (${BY}) ${newestDone}`,
                    for: window,
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "MongoDB {{ $labels.namespace }}/{{ $labels.cluster }} has never completed a backup",
                        description: `No backup of this replica set has completed for ${window}: a restore is impossible until one does.`,
                    },
                },
                {
                    alert: "MongoDbPointInTimeRecoveryOff",
                    // A restore turns oplog slicing off while it runs; longer than that means PITR is lost.
                    expr: `max by (${BY}) (mongodb_pbm_cluster_pitr_backup_enabled) == 0`,
                    for: "1h",
                    labels: { severity: "warning" },
                    annotations: {
                        summary: "MongoDB {{ $labels.namespace }}/{{ $labels.cluster }} does not archive its oplog",
                        description: "Point-in-time recovery past the last full backup is impossible while oplog slicing is off.",
                    },
                },
                {
                    alert: "MongoDbBackupAgentDown",
                    expr: `max by (${BY}, host) (mongodb_pbm_agent_status) > 0`,
                    for: "15m",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Backup agent of {{ $labels.host }} ({{ $labels.namespace }}/{{ $labels.cluster }}) is failing",
                        description: "The Percona Backup for MongoDB agent beside this mongod reports an error or lost its heartbeat: backups and oplog slicing stop.",
                    },
                },
            ],
        },
    ];
}
