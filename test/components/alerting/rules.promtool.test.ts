import { describe, expect, it } from "vitest";
import { renderPlatformAlertGroups, stalenessWindow, type PlatformRuleGroup } from "../../../components/alerting/rules";
import { checkRules, testRules } from "../../helpers/promtool";

/**
 * `promtool test rules` over the platform alerts, with input series shaped as their exporters publish them
 * (kube-state-metrics, k3s, Longhorn manager v1.12.1, cert-manager; see components/alerting/rules.ts). Each
 * alert has a case where it fires, one where it must not, and, where it has a `for:`, one inside the pending
 * window. Samples are at most 5 minutes apart (Prometheus' lookback: a sparser series would read as absent
 * between samples and reset every pending alert). Annotations are left out of the promtool comparison (they are text; their templates are checked
 * by `promtool check rules`); labels, expressions and pending windows are what is proven.
 */

const HA = { servers: 3, floatingIps: 2, etcdSnapshotSchedule: "0 */6 * * *", longhornBackupSchedule: "30 2 * * *" };
const SINGLE = { servers: 1, floatingIps: 1, etcdSnapshotSchedule: "0 */6 * * *", longhornBackupSchedule: "30 2 * * *" };

const withoutAnnotations = (groups: PlatformRuleGroup[]) => groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r, annotations: {} })) }));

interface AlertCase {
    alert: string;
    interval: string;
    series: Array<{ series: string; values: string }>;
    /** eval time → expected alert label sets (empty: must not fire). */
    evals: Array<{ at: string; alerts: Array<Record<string, string>> }>;
}

function run(groups: PlatformRuleGroup[], cases: AlertCase[]) {
    const tests = cases.map((c) => ({
        interval: c.interval,
        input_series: c.series,
        alert_rule_test: c.evals.map((e) => ({ eval_time: e.at, alertname: c.alert, exp_alerts: e.alerts.map((labels) => ({ exp_labels: labels })) })),
    }));
    return testRules(withoutAnnotations(groups), { tests });
}

const ready = (node: string, values: string) => ({ series: `kube_node_status_condition{condition="Ready",status="true",node="${node}"}`, values });
const etcdRole = (node: string) => ({ series: `kube_node_role{node="${node}",role="etcd"}`, values: "1x30" });

const CASES: AlertCase[] = [
    {
        alert: "PlatformNodeNotReady",
        interval: "1m",
        series: [ready("n1", "1 1 0x20"), ready("n2", "1x22")],
        evals: [
            { at: "5m", alerts: [] }, // not Ready for 3 minutes: pending
            { at: "8m", alerts: [{ severity: "critical", node: "n1", condition: "Ready", status: "true" }] },
        ],
    },
    {
        alert: "PlatformEtcdMemberNotReady",
        interval: "1m",
        series: [etcdRole("s0"), etcdRole("s1"), etcdRole("s2"), ready("s0", "1x30"), ready("s1", "1x30"), ready("s2", "1 0x29")],
        evals: [
            { at: "4m", alerts: [] },
            { at: "7m", alerts: [{ severity: "warning" }] },
        ],
    },
    {
        alert: "PlatformEtcdQuorumAtRisk",
        interval: "1m",
        series: [etcdRole("s0"), etcdRole("s1"), etcdRole("s2"), ready("s0", "1x30"), ready("s1", "1x9 0x20"), ready("s2", "1 0x29")],
        evals: [
            { at: "9m", alerts: [] }, // one of three down: quorum holds
            { at: "11m", alerts: [] }, // two down for 1 minute: pending
            { at: "13m", alerts: [{ severity: "critical" }] },
        ],
    },
    {
        alert: "PlatformEtcdSnapshotFailed",
        interval: "10m",
        series: [
            { series: 'k3s_etcd_snapshot_save_s3_duration_seconds_count{status="success",node="s0"}', values: "1x20" },
            { series: 'k3s_etcd_snapshot_save_s3_duration_seconds_count{status="error",node="s0"}', values: "0x9 1x10" },
        ],
        evals: [
            { at: "80m", alerts: [] },
            { at: "110m", alerts: [{ severity: "critical" }] },
            { at: "200m", alerts: [] }, // the failure is more than an hour old
        ],
    },
    {
        alert: "PlatformEtcdSnapshotTooOld",
        interval: "1h",
        // Every 6 h a snapshot until 12 h, then none: late once the 12 h window (2 × 6 h) holds no upload.
        series: [{ series: 'k3s_etcd_snapshot_save_s3_duration_seconds_count{status="success",node="s0"}', values: "1 1 1 1 1 1 2 2 2 2 2 2 3x30" }],
        evals: [
            { at: "20h", alerts: [] },
            { at: "26h", alerts: [{ severity: "critical" }] },
        ],
    },
    {
        alert: "PlatformEtcdSnapshotMetricsMissing",
        interval: "1h",
        series: [{ series: 'kube_node_role{node="s0",role="etcd"}', values: "1x30" }],
        evals: [
            { at: "11h", alerts: [] }, // pending for the 12 h window
            { at: "13h", alerts: [{ severity: "warning" }] },
        ],
    },
    {
        alert: "PlatformLonghornVolumeDegraded",
        interval: "1m",
        series: [
            { series: 'longhorn_volume_robustness{volume="pvc-1",state="healthy"}', values: "1 1 0x20" },
            { series: 'longhorn_volume_robustness{volume="pvc-1",state="degraded"}', values: "0 0 1x20" },
            { series: 'longhorn_volume_robustness{volume="pvc-2",state="degraded"}', values: "0x22" },
        ],
        evals: [
            { at: "8m", alerts: [] },
            { at: "13m", alerts: [{ severity: "warning", volume: "pvc-1", state: "degraded" }] },
        ],
    },
    {
        alert: "PlatformLonghornVolumeFaulted",
        interval: "1m",
        series: [{ series: 'longhorn_volume_robustness{volume="pvc-1",state="faulted"}', values: "0 0 1x10" }],
        evals: [
            { at: "3m", alerts: [] },
            { at: "5m", alerts: [{ severity: "critical", volume: "pvc-1", state: "faulted" }] },
        ],
    },
    {
        alert: "PlatformLonghornBackupFailed",
        interval: "1m",
        series: [
            { series: 'longhorn_backup_state{volume="pvc-1",backup="backup-a",recurring_job="backup-nightly"}', values: "2 2 4x10" },
            { series: 'longhorn_backup_state{volume="pvc-2",backup="backup-b",recurring_job="backup-nightly"}', values: "3x12" },
        ],
        evals: [
            { at: "4m", alerts: [] },
            { at: "8m", alerts: [{ severity: "critical", volume: "pvc-1", backup: "backup-a", recurring_job: "backup-nightly" }] },
        ],
    },
    {
        alert: "PlatformLonghornBackupTooOld",
        interval: "1h",
        // Nightly schedule → 48 h window. pvc-1: backups at 0 h and 24 h, then none; pvc-2: a new backup every 24 h.
        series: [
            { series: 'longhorn_backup_state{volume="pvc-1",backup="b1",recurring_job="backup-nightly"}', values: "3x100" },
            { series: 'longhorn_backup_state{volume="pvc-1",backup="b2",recurring_job="backup-nightly"}', values: "_x24 3x76" },
            { series: 'longhorn_backup_state{volume="pvc-2",backup="c1",recurring_job="backup-nightly"}', values: "3x100" },
            { series: 'longhorn_backup_state{volume="pvc-2",backup="c2",recurring_job="backup-nightly"}', values: "_x24 3x76" },
            { series: 'longhorn_backup_state{volume="pvc-2",backup="c3",recurring_job="backup-nightly"}', values: "_x48 3x52" },
            { series: 'longhorn_backup_state{volume="pvc-2",backup="c4",recurring_job="backup-nightly"}', values: "_x72 3x28" },
        ],
        evals: [
            { at: "60h", alerts: [] }, // pvc-1's b2 (24 h) is inside the window
            { at: "80h", alerts: [{ volume: "pvc-1", severity: "critical" }] },
        ],
    },
    {
        alert: "PlatformCertificateExpiring",
        interval: "5m",
        series: [
            // Expires 10 days after the start: inside 14 days.
            { series: 'certmanager_certificate_expiration_timestamp_seconds{namespace="monitoring",name="grafana",issuer_name="letsencrypt-production"}', values: "864000x40" },
            // Not issued yet (0): never "expiring".
            { series: 'certmanager_certificate_expiration_timestamp_seconds{namespace="argocd",name="argocd",issuer_name="letsencrypt-production"}', values: "0x40" },
            // 60 days: fine.
            { series: 'certmanager_certificate_expiration_timestamp_seconds{namespace="traefik",name="entry",issuer_name="letsencrypt-production"}', values: "5184000x40" },
            // A tenant's certificate is the metering alerts' business.
            { series: 'certmanager_certificate_expiration_timestamp_seconds{namespace="shop",name="web",issuer_name="letsencrypt-production"}', values: "864000x40" },
        ],
        evals: [
            { at: "50m", alerts: [] }, // pending for an hour
            { at: "80m", alerts: [{ severity: "warning", namespace: "monitoring", name: "grafana", issuer_name: "letsencrypt-production" }] },
        ],
    },
    {
        alert: "PlatformCertificateNotReady",
        interval: "5m",
        series: [
            { series: 'certmanager_certificate_ready_status{namespace="traefik",name="entry",condition="False"}', values: "1x20" },
            { series: 'certmanager_certificate_ready_status{namespace="shop",name="web",condition="False"}', values: "1x20" },
        ],
        evals: [
            { at: "20m", alerts: [] },
            { at: "40m", alerts: [{ severity: "critical", namespace: "traefik", name: "entry", condition: "False" }] },
        ],
    },
    {
        alert: "PlatformK3sCertificateExpiring",
        interval: "5m",
        series: [
            { series: 'k3s_certificate_expiration_seconds{subject="CN=kube-apiserver",usages="ServerAuth"}', values: "1728000x40" },
            { series: 'k3s_certificate_expiration_seconds{subject="CN=k3s-client-ca",usages="CertSign"}', values: "300000000x40" },
        ],
        evals: [
            { at: "50m", alerts: [] },
            { at: "80m", alerts: [{ severity: "warning", subject: "CN=kube-apiserver", usages: "ServerAuth" }] },
        ],
    },
    {
        alert: "PlatformFloatingIpUnassigned",
        interval: "1m",
        series: [
            { series: 'kube_service_status_load_balancer_ingress{namespace="traefik",service="traefik",ip="203.0.113.10"}', values: "1x20" },
            { series: 'kube_service_status_load_balancer_ingress{namespace="traefik",service="traefik",ip="203.0.113.11"}', values: "1 1 1 _x17" },
        ],
        evals: [
            { at: "2m", alerts: [] },
            { at: "6m", alerts: [] }, // one IP gone for 3 minutes (after the 5-minute staleness lookback): pending
            { at: "15m", alerts: [{ severity: "critical" }] },
        ],
    },
];

describe("platform alerts", () => {
    it("pass promtool check rules for an HA and a single-server stack", () => {
        for (const args of [HA, SINGLE]) {
            const result = checkRules(renderPlatformAlertGroups(args));
            expect(result.output).toContain("SUCCESS");
            expect(result.ok).toBe(true);
        }
    });

    it("fire and stay silent exactly as the promtool cases say", () => {
        const result = run(renderPlatformAlertGroups(HA), CASES);
        expect(result.output).toContain("SUCCESS");
        expect(result.ok).toBe(true);
    });

    it("cover every alert with a promtool case", () => {
        const alerts = renderPlatformAlertGroups(HA).flatMap((g) => g.rules.map((r) => r.alert));
        expect(CASES.map((c) => c.alert).sort()).toEqual([...alerts].sort());
    });

    it("a single-server stack loses quorum with its one server and has no member-down warning", () => {
        const groups = renderPlatformAlertGroups(SINGLE);
        expect(groups.flatMap((g) => g.rules.map((r) => r.alert))).not.toContain("PlatformEtcdMemberNotReady");
        const result = run(groups, [
            {
                alert: "PlatformEtcdQuorumAtRisk",
                interval: "1m",
                series: [etcdRole("s0"), ready("s0", "1 1 0x20")],
                evals: [
                    { at: "1m", alerts: [] },
                    { at: "6m", alerts: [{ severity: "critical" }] },
                ],
            },
        ]);
        expect(result.ok, result.output).toBe(true);
    });

    it("can fail: a case expecting the wrong labels is reported by promtool", () => {
        const wrong = { ...CASES[0]!, evals: [{ at: "8m", alerts: [{ severity: "warning", node: "n1", condition: "Ready", status: "true" }] }] };
        expect(run(renderPlatformAlertGroups(HA), [wrong]).ok).toBe(false);
    });
});

describe("staleness windows", () => {
    it.each([
        ["0 */6 * * *", "720m"],
        ["30 2 * * *", "2880m"],
        ["0 */2 * * *", "240m"],
        // Weekdays only: the weekend gap (Friday 03:00 → Monday 03:00) decides.
        ["0 3 * * 1-5", "8640m"],
    ])("%s → %s", (cron, expected) => {
        expect(stalenessWindow(cron)).toBe(expected);
    });
});
