import { describe, expect, it } from "vitest";
import { renderDatabaseAlertGroups, WAL_READY_THRESHOLD } from "../../../components/databases/rules";
import { stalenessWindow, type PlatformRuleGroup } from "../../../components/alerting/rules";
import { checkRules, testRules } from "../../helpers/promtool";

/**
 * `promtool test rules` over the database backup alerts with series shaped as CloudNativePG 1.30's instance
 * manager exports them (one sample set per instance pod; the PodMonitor adds `cluster` and `project`). promtool's
 * clock starts at 0, so a backup timestamp of 60 means "a backup finished one minute in". Samples are 5 minutes
 * apart at most (Prometheus' lookback).
 */

const SCHEDULE = "0 3 * * *";
const labels = 'namespace="caracal",project="caracal",cluster="database"';
const alertLabels = { namespace: "caracal", project: "caracal", cluster: "database", severity: "critical" };
const withoutAnnotations = (groups: PlatformRuleGroup[]) => groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, annotations: {} })) }));

function run(alertname: string, interval: string, series: Array<{ series: string; values: string }>, evals: Array<{ at: string; alerts: Array<Record<string, string>> }>) {
    return testRules(withoutAnnotations(renderDatabaseAlertGroups(SCHEDULE)), {
        tests: [{ interval, input_series: series, alert_rule_test: evals.map((e) => ({ eval_time: e.at, alertname, exp_alerts: e.alerts.map((l) => ({ exp_labels: l })) })) }],
    });
}

describe("database backup alerts", () => {
    // A daily schedule tolerates one missed run: twice the longest gap, 48 h.
    const window = stalenessWindow(SCHEDULE);

    it("allow one missed daily run before a backup counts as too old", () => {
        expect(window).toBe("2880m");
    });

    it("pass promtool check rules", () => {
        const result = checkRules(renderDatabaseAlertGroups(SCHEDULE));
        expect(result.output).toMatch(/SUCCESS/);
        expect(result.ok).toBe(true);
    });

    it("DatabaseBackupTooOld fires once the newest base backup is older than the window, on either instance", () => {
        const series = [
            { series: `cnpg_collector_last_available_backup_timestamp{${labels},pod="database-1"}`, values: "60x600" },
            { series: `cnpg_collector_last_available_backup_timestamp{${labels},pod="database-2"}`, values: "60x600" },
        ];
        const result = run("DatabaseBackupTooOld", "5m", series, [
            { at: "2800m", alerts: [] },
            { at: "2890m", alerts: [alertLabels] },
        ]);
        expect(result.output).toMatch(/SUCCESS/);
    });

    it("DatabaseBackupTooOld stays quiet while backups keep coming, and for a cluster that never backed up", () => {
        const fresh = run("DatabaseBackupTooOld", "5m", [{ series: `cnpg_collector_last_available_backup_timestamp{${labels},pod="database-1"}`, values: "0+300x600" }], [{ at: "2890m", alerts: [] }]);
        expect(fresh.output).toMatch(/SUCCESS/);
        const never = run("DatabaseBackupTooOld", "5m", [{ series: `cnpg_collector_last_available_backup_timestamp{${labels},pod="database-1"}`, values: "0x600" }], [{ at: "2890m", alerts: [] }]);
        expect(never.output).toMatch(/SUCCESS/);
    });

    it("DatabaseBackupMissing fires when no base backup completed within the window", () => {
        const result = run("DatabaseBackupMissing", "5m", [{ series: `cnpg_collector_last_available_backup_timestamp{${labels},pod="database-1"}`, values: "0x600" }], [
            { at: "2870m", alerts: [] },
            { at: "2890m", alerts: [alertLabels] },
        ]);
        expect(result.output).toMatch(/SUCCESS/);
    });

    it("DatabaseWalArchivingStuck fires after 15 minutes of WAL piling up, not for a short queue", () => {
        const stuck = run("DatabaseWalArchivingStuck", "1m", [{ series: `cnpg_collector_pg_wal_archive_status{${labels},pod="database-1",value="ready"}`, values: `${WAL_READY_THRESHOLD + 5}x30` }], [
            { at: "10m", alerts: [] },
            { at: "17m", alerts: [alertLabels] },
        ]);
        expect(stuck.output).toMatch(/SUCCESS/);
        const short = run("DatabaseWalArchivingStuck", "1m", [{ series: `cnpg_collector_pg_wal_archive_status{${labels},pod="database-1",value="ready"}`, values: "3x30" }], [{ at: "20m", alerts: [] }]);
        expect(short.output).toMatch(/SUCCESS/);
    });
});
