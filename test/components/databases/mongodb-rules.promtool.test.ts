import { describe, expect, it } from "vitest";
import { renderMongoDbAlertGroups } from "../../../components/databases/mongodb-rules";
import { stalenessWindow, type PlatformRuleGroup } from "../../../components/alerting/rules";
import { checkRules, testRules } from "../../helpers/promtool";

/**
 * `promtool test rules` over the MongoDB backup alerts with series shaped as percona/mongodb_exporter v0.53.0's
 * PBM collector exports them (exporter/pbm_collector.go: one backup series per backup and member, labelled with
 * its `name` and `status`; the PodMonitor adds `cluster` and `project`). promtool's clock starts at 0.
 */

const SCHEDULE = "0 3 * * *";
const labels = 'namespace="cars",project="cars",cluster="mongodb"';
const alertLabels = { namespace: "cars", project: "cars", cluster: "mongodb", severity: "critical" };
const withoutAnnotations = (groups: PlatformRuleGroup[]) => groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, annotations: {} })) }));

function run(alertname: string, interval: string, series: Array<{ series: string; values: string }>, evals: Array<{ at: string; alerts: Array<Record<string, string>> }>) {
    return testRules(withoutAnnotations(renderMongoDbAlertGroups(SCHEDULE)), {
        tests: [{ interval, input_series: series, alert_rule_test: evals.map((e) => ({ eval_time: e.at, alertname, exp_alerts: e.alerts.map((l) => ({ exp_labels: l })) })) }],
    });
}

describe("MongoDB backup alerts", () => {
    it("pass promtool check rules", () => {
        const result = checkRules(renderMongoDbAlertGroups(SCHEDULE));
        expect(result.output).toMatch(/SUCCESS/);
        expect(result.ok).toBe(true);
    });

    it("MongoDbBackupTooOld fires once the newest completed backup is older than the window (48 h for a daily schedule)", () => {
        expect(stalenessWindow(SCHEDULE)).toBe("2880m");
        const done = `mongodb_pbm_backup_last_transition_ts{${labels},name="2026-01-01T03:00:00Z",status="done",host="mongodb-rs0-0",pod="mongodb-rs0-0"}`;
        const result = run("MongoDbBackupTooOld", "5m", [{ series: done, values: "60x600" }], [
            { at: "2800m", alerts: [] },
            { at: "2890m", alerts: [alertLabels] },
        ]);
        expect(result.output).toMatch(/SUCCESS/);
    });

    it("MongoDbBackupTooOld ignores a failed backup: only status done counts", () => {
        const failed = `mongodb_pbm_backup_last_transition_ts{${labels},name="2026-01-02T03:00:00Z",status="error",host="mongodb-rs0-0",pod="mongodb-rs0-0"}`;
        const done = `mongodb_pbm_backup_last_transition_ts{${labels},name="2026-01-01T03:00:00Z",status="done",host="mongodb-rs0-0",pod="mongodb-rs0-0"}`;
        const result = run("MongoDbBackupTooOld", "5m", [{ series: done, values: "60x600" }, { series: failed, values: "172000x600" }], [{ at: "2890m", alerts: [alertLabels] }]);
        expect(result.output).toMatch(/SUCCESS/);
    });

    it("MongoDbBackupMissing fires when backups are configured but none completed within the window, not once one has", () => {
        const configured = { series: `mongodb_pbm_cluster_backup_configured{${labels},pod="mongodb-rs0-0"}`, values: "1x600" };
        const never = run("MongoDbBackupMissing", "5m", [configured], [
            { at: "2870m", alerts: [] },
            { at: "2890m", alerts: [alertLabels] },
        ]);
        expect(never.output).toMatch(/SUCCESS/);
        const done = { series: `mongodb_pbm_backup_last_transition_ts{${labels},name="2026-01-01T03:00:00Z",status="done",host="mongodb-rs0-0",pod="mongodb-rs0-0"}`, values: "60x600" };
        const fine = run("MongoDbBackupMissing", "5m", [configured, done], [{ at: "2890m", alerts: [] }]);
        expect(fine.output).toMatch(/SUCCESS/);
    });

    it("MongoDbPointInTimeRecoveryOff fires after an hour without oplog slicing", () => {
        const result = run("MongoDbPointInTimeRecoveryOff", "5m", [{ series: `mongodb_pbm_cluster_pitr_backup_enabled{${labels},pod="mongodb-rs0-0"}`, values: "0x30" }], [
            { at: "50m", alerts: [] },
            { at: "65m", alerts: [{ ...alertLabels, severity: "warning" }] },
        ]);
        expect(result.output).toMatch(/SUCCESS/);
    });

    it("MongoDbBackupAgentDown fires per member after 15 minutes of error or lost heartbeat", () => {
        const result = run(
            "MongoDbBackupAgentDown",
            "1m",
            [
                { series: `mongodb_pbm_agent_status{${labels},host="mongodb-rs0-1",pod="mongodb-rs0-0",replica_set="rs0"}`, values: "2x30" },
                { series: `mongodb_pbm_agent_status{${labels},host="mongodb-rs0-0",pod="mongodb-rs0-0",replica_set="rs0"}`, values: "0x30" },
            ],
            [
                { at: "10m", alerts: [] },
                { at: "17m", alerts: [{ ...alertLabels, host: "mongodb-rs0-1" }] },
            ],
        );
        expect(result.output).toMatch(/SUCCESS/);
    });
});
