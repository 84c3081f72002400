import type { PlatformRuleGroup } from "../alerting/rules";

/**
 * Alerts on tenant Redis, from the series the OpsTree exporter sidecar (oliver006/redis_exporter v1.44.0,
 * exporter/exporter.go and info.go) exports beside every member: `redis_up`, `redis_instance_info{role}` (`master`
 * or `slave`), `redis_master_link_up` (replicas only), `redis_rdb_last_bgsave_status` and
 * `redis_aof_last_write_status` (1 for `ok`, 0 for `err`: exporter/metrics.go). The PodMonitor
 * (components/project/redis.ts) adds the `project` and `cluster` labels, so a project's alerts also reach its
 * owner. Backup age is the Longhorn backup alert's: a member's volume is an ordinary Longhorn volume of the
 * nightly backup group.
 */

/** Name of the PrometheusRule holding these alerts (namespace monitoring). */
export const REDIS_ALERTS_RULE = "redis-alerts";

const BY = "namespace, project, cluster";

/** The tenant Redis alert group. */
export function renderRedisAlertGroups(): PlatformRuleGroup[] {
    return [
        {
            name: "platform-redis",
            rules: [
                {
                    alert: "RedisDown",
                    expr: `max by (${BY}, pod) (redis_up) == 0`,
                    for: "5m",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Redis {{ $labels.pod }} ({{ $labels.namespace }}/{{ $labels.cluster }}) does not answer",
                        description: "The exporter beside this member cannot reach Redis: the member is down or still loading its data.",
                    },
                },
                {
                    alert: "RedisNoPrimary",
                    // Members answer, but none is the primary: writes fail until Sentinel (or the operator) promotes one.
                    expr: `count by (${BY}) (redis_up == 1) unless on (${BY}) count by (${BY}) (redis_instance_info{role="master"})`,
                    for: "5m",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Redis {{ $labels.namespace }}/{{ $labels.cluster }} has no primary",
                        description: "Every member that answers is a replica: writes fail. Check the Sentinel pods (<cluster>-s) and the operator's log.",
                    },
                },
                {
                    alert: "RedisReplicaLinkDown",
                    expr: `max by (${BY}, pod) (redis_master_link_up) == 0`,
                    for: "10m",
                    labels: { severity: "warning" },
                    annotations: {
                        summary: "Redis replica {{ $labels.pod }} ({{ $labels.namespace }}/{{ $labels.cluster }}) lost its primary",
                        description: "The replica does not replicate: a failover to it would lose the writes since the link went down.",
                    },
                },
                {
                    alert: "RedisPersistenceFailing",
                    // The Longhorn backup copies what is on the volume: failing saves mean the backups hold old data.
                    expr: `(min by (${BY}, pod) (redis_rdb_last_bgsave_status) == 0) or (min by (${BY}, pod) (redis_aof_last_write_status) == 0)`,
                    for: "15m",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Redis {{ $labels.pod }} ({{ $labels.namespace }}/{{ $labels.cluster }}) cannot write its data to disk",
                        description: "The last RDB snapshot or AOF write failed (volume full or read-only?): the volume, and so its backups, fall behind memory.",
                    },
                },
            ],
        },
    ];
}
