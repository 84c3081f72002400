import { describe, expect, it } from "vitest";
import { renderVeleroAlertGroups } from "../../../components/backups/rules";
import { stalenessWindow, type PlatformRuleGroup } from "../../../components/alerting/rules";
import { checkRules, testRules } from "../../helpers/promtool";

/**
 * `promtool test rules` over the Velero alerts with series shaped as the Velero v1.18.1 server exports them
 * (pkg/metrics/metrics.go: label `schedule`; InitSchedule sets every counter and `velero_backup_last_status` to 0
 * when a schedule appears; `velero_backup_last_successful_timestamp` exists once a backup completed). The
 * ServiceMonitor adds `namespace`, `pod`, `job`. promtool's clock starts at 0.
 */

const SCHEDULE = "0 3 * * *";
const target = 'namespace="velero",job="velero",pod="velero-0"';
const withoutAnnotations = (groups: PlatformRuleGroup[]) => groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, annotations: {} })) }));

function run(alertname: string, interval: string, series: Array<{ series: string; values: string }>, evals: Array<{ at: string; alerts: Array<Record<string, string>> }>) {
    return testRules(withoutAnnotations(renderVeleroAlertGroups(SCHEDULE)), {
        tests: [{ interval, input_series: series, alert_rule_test: evals.map((e) => ({ eval_time: e.at, alertname, exp_alerts: e.alerts.map((l) => ({ exp_labels: l })) })) }],
    });
}

const shop = { schedule: "tenant-shop", severity: "critical" };

describe("Velero backup alerts", () => {
    it("pass promtool check rules, with a window of one missed daily run", () => {
        expect(stalenessWindow(SCHEDULE)).toBe("2880m");
        const result = checkRules(renderVeleroAlertGroups(SCHEDULE));
        expect(result.output).toMatch(/SUCCESS/);
        expect(result.ok).toBe(true);
    });

    it("VeleroBackupFailed fires 15 minutes after a failed attempt, not for a schedule that has not run yet", () => {
        const failed = run(
            "VeleroBackupFailed",
            "1m",
            [
                { series: `velero_backup_last_status{${target},schedule="tenant-shop"}`, values: "1x10 0x30" },
                { series: `velero_backup_attempt_total{${target},schedule="tenant-shop"}`, values: "1x10 2x30" },
                { series: `velero_backup_last_status{${target},schedule="tenant-new"}`, values: "0x40" },
                { series: `velero_backup_attempt_total{${target},schedule="tenant-new"}`, values: "0x40" },
            ],
            [
                { at: "20m", alerts: [] },
                { at: "27m", alerts: [shop] },
            ],
        );
        expect(failed.output).toMatch(/SUCCESS/);
    });

    it("VeleroBackupTooOld fires once the newest completed backup is older than the window, not while backups keep coming", () => {
        const old = run("VeleroBackupTooOld", "5m", [{ series: `velero_backup_last_successful_timestamp{${target},schedule="tenant-shop"}`, values: "60x600" }], [
            { at: "2800m", alerts: [] },
            { at: "2890m", alerts: [shop] },
        ]);
        expect(old.output).toMatch(/SUCCESS/);
        const fresh = run("VeleroBackupTooOld", "5m", [{ series: `velero_backup_last_successful_timestamp{${target},schedule="tenant-shop"}`, values: "0+300x600" }], [{ at: "2890m", alerts: [] }]);
        expect(fresh.output).toMatch(/SUCCESS/);
    });

    it("VeleroBackupMissing fires for a schedule that never completed a backup within the window, not for one that did", () => {
        const result = run(
            "VeleroBackupMissing",
            "5m",
            [
                { series: `velero_backup_attempt_total{${target},schedule="tenant-shop"}`, values: "0x600" },
                { series: `velero_backup_attempt_total{${target},schedule="platform"}`, values: "1x600" },
                { series: `velero_backup_last_successful_timestamp{${target},schedule="platform"}`, values: "60x600" },
            ],
            [
                { at: "2870m", alerts: [] },
                { at: "2890m", alerts: [shop] },
            ],
        );
        expect(result.output).toMatch(/SUCCESS/);
    });
});
