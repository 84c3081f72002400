import { describe, expect, it } from "vitest";
import { renderRedisAlertGroups } from "../../../components/databases/redis-rules";
import type { PlatformRuleGroup } from "../../../components/alerting/rules";
import { checkRules, testRules } from "../../helpers/promtool";

/**
 * `promtool test rules` over the tenant Redis alerts with series shaped as oliver006/redis_exporter v1.44.0
 * exports them beside each member (exporter/exporter.go: `redis_up`, `redis_instance_info{role,...}`,
 * `redis_master_link_up{master_host,master_port}`, the persistence statuses as 1/0); the PodMonitor adds
 * `cluster` and `project`. promtool's clock starts at 0.
 */

const labels = 'namespace="caracal",project="caracal",cluster="redis"';
const critical = { namespace: "caracal", project: "caracal", cluster: "redis", severity: "critical" };
const withoutAnnotations = (groups: PlatformRuleGroup[]) => groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, annotations: {} })) }));

function run(alertname: string, series: Array<{ series: string; values: string }>, evals: Array<{ at: string; alerts: Array<Record<string, string>> }>) {
    return testRules(withoutAnnotations(renderRedisAlertGroups()), {
        tests: [{ interval: "1m", input_series: series, alert_rule_test: evals.map((e) => ({ eval_time: e.at, alertname, exp_alerts: e.alerts.map((l) => ({ exp_labels: l })) })) }],
    });
}

describe("tenant Redis alerts", () => {
    it("pass promtool check rules", () => {
        const result = checkRules(renderRedisAlertGroups());
        expect(result.output).toMatch(/SUCCESS/);
        expect(result.ok).toBe(true);
    });

    it("RedisDown fires per member after 5 minutes without an answer", () => {
        const result = run(
            "RedisDown",
            [
                { series: `redis_up{${labels},pod="redis-1"}`, values: "0x20" },
                { series: `redis_up{${labels},pod="redis-0"}`, values: "1x20" },
            ],
            [
                { at: "4m", alerts: [] },
                { at: "6m", alerts: [{ ...critical, pod: "redis-1" }] },
            ],
        );
        expect(result.output).toMatch(/SUCCESS/);
    });

    it("RedisNoPrimary fires when every answering member is a replica, not while one is the primary", () => {
        const up = (pod: string) => ({ series: `redis_up{${labels},pod="${pod}"}`, values: "1x20" });
        const info = (pod: string, role: string) => ({ series: `redis_instance_info{${labels},pod="${pod}",role="${role}",redis_version="8.2.2"}`, values: "1x20" });
        const none = run("RedisNoPrimary", [up("redis-0"), up("redis-1"), info("redis-0", "slave"), info("redis-1", "slave")], [
            { at: "4m", alerts: [] },
            { at: "6m", alerts: [critical] },
        ]);
        expect(none.output).toMatch(/SUCCESS/);
        const fine = run("RedisNoPrimary", [up("redis-0"), up("redis-1"), info("redis-0", "master"), info("redis-1", "slave")], [{ at: "6m", alerts: [] }]);
        expect(fine.output).toMatch(/SUCCESS/);
    });

    it("RedisReplicaLinkDown fires for a replica whose link to the primary is down for 10 minutes", () => {
        const result = run("RedisReplicaLinkDown", [{ series: `redis_master_link_up{${labels},pod="redis-2",master_host="10.42.1.7",master_port="6379"}`, values: "0x20" }], [
            { at: "9m", alerts: [] },
            { at: "11m", alerts: [{ ...critical, severity: "warning", pod: "redis-2" }] },
        ]);
        expect(result.output).toMatch(/SUCCESS/);
    });

    it("RedisPersistenceFailing fires when the RDB snapshot or the AOF write fails for 15 minutes", () => {
        const rdb = run(
            "RedisPersistenceFailing",
            [
                { series: `redis_rdb_last_bgsave_status{${labels},pod="redis-0"}`, values: "0x30" },
                { series: `redis_aof_last_write_status{${labels},pod="redis-0"}`, values: "1x30" },
            ],
            [
                { at: "14m", alerts: [] },
                { at: "16m", alerts: [{ ...critical, pod: "redis-0" }] },
            ],
        );
        expect(rdb.output).toMatch(/SUCCESS/);
        const aof = run(
            "RedisPersistenceFailing",
            [
                { series: `redis_rdb_last_bgsave_status{${labels},pod="redis-0"}`, values: "1x30" },
                { series: `redis_aof_last_write_status{${labels},pod="redis-0"}`, values: "0x30" },
            ],
            [{ at: "16m", alerts: [{ ...critical, pod: "redis-0" }] }],
        );
        expect(aof.output).toMatch(/SUCCESS/);
        const healthy = run("RedisPersistenceFailing", [{ series: `redis_rdb_last_bgsave_status{${labels},pod="redis-0"}`, values: "1x30" }], [{ at: "16m", alerts: [] }]);
        expect(healthy.output).toMatch(/SUCCESS/);
    });
});
