import { describe, expect, it } from "vitest";
import { BINLOG_STALE_SECONDS, renderMysqlAlertGroups } from "../../../components/databases/mysql-rules";
import { stalenessWindow, type PlatformRuleGroup } from "../../../components/alerting/rules";
import { checkRules, testRules } from "../../helpers/promtool";

/**
 * `promtool test rules` over the MySQL backup alerts with series shaped as kube-state-metrics v2 exports Jobs
 * and namespaces (a backup Job owned by its PerconaXtraDBClusterBackup; `kube_namespace_labels` with the
 * allowlisted `platform/project`) and as the Percona binlog collector exports its counters (the PodMonitor adds
 * `cluster` and `project`). promtool's clock starts at 0.
 */

const SCHEDULE = "0 3 * * *";
const KSM = 'job="kube-state-metrics",instance="10.42.0.9:8080"';
const namespaceLabels = { series: `kube_namespace_labels{${KSM},namespace="cars",label_platform_project="cars"}`, values: "1x600" };
const backupJob = (job: string, backup: string) => ({
    series: `kube_job_owner{${KSM},namespace="cars",job_name="${job}",owner_kind="PerconaXtraDBClusterBackup",owner_name="${backup}",owner_is_controller="true"}`,
    values: "1x600",
});
const collectorLabels = 'namespace="cars",project="cars",cluster="database",pod="database-pitr-5d8f9-abcde"';
const withoutAnnotations = (groups: PlatformRuleGroup[]) => groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, annotations: {} })) }));

function run(alertname: string, interval: string, series: Array<{ series: string; values: string }>, evals: Array<{ at: string; alerts: Array<Record<string, string>> }>) {
    return testRules(withoutAnnotations(renderMysqlAlertGroups(SCHEDULE)), {
        tests: [{ interval, input_series: series, alert_rule_test: evals.map((e) => ({ eval_time: e.at, alertname, exp_alerts: e.alerts.map((l) => ({ exp_labels: l })) })) }],
    });
}

describe("MySQL backup alerts", () => {
    it("pass promtool check rules", () => {
        const result = checkRules(renderMysqlAlertGroups(SCHEDULE));
        expect(result.output).toMatch(/SUCCESS/);
        expect(result.ok).toBe(true);
    });

    it("MysqlBackupTooOld fires once the newest completed backup Job is older than the window (48 h for a daily schedule), with the project", () => {
        expect(stalenessWindow(SCHEDULE)).toBe("2880m");
        const done = { series: `kube_job_status_completion_time{${KSM},namespace="cars",job_name="xb-cron-database-offsite-2026011503000-1a2b3"}`, values: "60x600" };
        const result = run("MysqlBackupTooOld", "5m", [namespaceLabels, backupJob("xb-cron-database-offsite-2026011503000-1a2b3", "cron-database-offsite-2026011503000-1a2b3"), done], [
            { at: "2800m", alerts: [] },
            { at: "2890m", alerts: [{ namespace: "cars", project: "cars", severity: "critical" }] },
        ]);
        expect(result.output).toMatch(/SUCCESS/);
    });

    it("MysqlBackupTooOld counts only the operator's backup Jobs, not another Job of the namespace", () => {
        const other = { series: `kube_job_status_completion_time{${KSM},namespace="cars",job_name="db-migrate-1"}`, values: "172000x600" };
        const otherOwner = { series: `kube_job_owner{${KSM},namespace="cars",job_name="db-migrate-1",owner_kind="CronJob",owner_name="db-migrate",owner_is_controller="true"}`, values: "1x600" };
        const done = { series: `kube_job_status_completion_time{${KSM},namespace="cars",job_name="xb-cron-a"}`, values: "60x600" };
        const result = run("MysqlBackupTooOld", "5m", [namespaceLabels, backupJob("xb-cron-a", "cron-a"), done, other, otherOwner], [{ at: "2890m", alerts: [{ namespace: "cars", project: "cars", severity: "critical" }] }]);
        expect(result.output).toMatch(/SUCCESS/);
    });

    it("MysqlBackupFailed names the failed backup, and stays quiet for a failed Job the operator does not own", () => {
        const failed = { series: `kube_job_failed{${KSM},namespace="cars",job_name="xb-cron-b",condition="true"}`, values: "0x5 1x20" };
        const strangerFailed = { series: `kube_job_failed{${KSM},namespace="cars",job_name="db-migrate-1",condition="true"}`, values: "1x25" };
        const result = run("MysqlBackupFailed", "1m", [namespaceLabels, backupJob("xb-cron-b", "cron-b"), failed, strangerFailed], [
            { at: "3m", alerts: [] },
            { at: "10m", alerts: [{ namespace: "cars", project: "cars", owner_name: "cron-b", severity: "critical" }] },
        ]);
        expect(result.output).toMatch(/SUCCESS/);
    });

    it("MysqlBackupMissing fires when the cluster runs (its collector reports) but no backup completed within the window, not once one has", () => {
        const collector = { series: `pxc_binlog_collector_success_total{${collectorLabels}}`, values: "0+1x600" };
        const never = run("MysqlBackupMissing", "5m", [namespaceLabels, collector], [
            { at: "2870m", alerts: [] },
            { at: "2890m", alerts: [{ namespace: "cars", project: "cars", cluster: "database", severity: "critical" }] },
        ]);
        expect(never.output).toMatch(/SUCCESS/);
        const done = { series: `kube_job_status_completion_time{${KSM},namespace="cars",job_name="xb-cron-a"}`, values: "60x600" };
        const fine = run("MysqlBackupMissing", "5m", [namespaceLabels, collector, backupJob("xb-cron-a", "cron-a"), done], [{ at: "2890m", alerts: [] }]);
        expect(fine.output).toMatch(/SUCCESS/);
    });

    it("MysqlBinlogCollectorStuck fires 15 minutes after the last successful cycle is older than the threshold", () => {
        expect(BINLOG_STALE_SECONDS).toBe(1800);
        // Cycles every minute until minute 10 (the gauge holds unix seconds), then none.
        const result = run("MysqlBinlogCollectorStuck", "1m", [{ series: `pxc_binlog_collector_last_processing_timestamp{${collectorLabels}}`, values: "0+60x10 600x60" }], [
            { at: "30m", alerts: [] },
            { at: "50m", alerts: [] },
            { at: "57m", alerts: [{ namespace: "cars", project: "cars", cluster: "database", severity: "critical" }] },
        ]);
        expect(result.output).toMatch(/SUCCESS/);
    });

    it("MysqlBinlogGap warns for an hour after the collector counted a gap", () => {
        const result = run("MysqlBinlogGap", "1m", [{ series: `pxc_binlog_collector_gap_detected_total{${collectorLabels}}`, values: "0x10 1x120" }], [
            { at: "5m", alerts: [] },
            { at: "20m", alerts: [{ namespace: "cars", project: "cars", cluster: "database", severity: "warning" }] },
            { at: "100m", alerts: [] },
        ]);
        expect(result.output).toMatch(/SUCCESS/);
    });
});
