import { describe, expect, it } from "vitest";
import { promqlMetricNames, promqlNumber, promqlString } from "../../../components/metering/promql";

/** The metric-name scanner the dashboard and rule checks rest on: it must neither miss nor invent names. */

describe("promqlMetricNames", () => {
    it.each([
        ["up", ["up"]],
        ['sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container!="", namespace="$project"}[5m]))', ["container_cpu_usage_seconds_total"]],
        ["sum(rate(a_total[5m])) by (job) / on (job) group_left (instance) b_info", ["a_total", "b_info"]],
        ['label_replace(x, "dst", "$1", "src", "(.+)") or vector(0)', ["x"]],
        ["platform:project_cost:hourly offset 1h > bool 0.5", ["platform:project_cost:hourly"]],
        ["sum_over_time((a and on () (b @ end() < on () group_left () vector(time())))[31d:1h])", ["a", "b"]],
        ["topk(5, max without (pod) (m1)) unless ignoring (x) m2 + Inf - NaN * 1e-7", ["m1", "m2"]],
        ["increase(c[$__rate_interval]) * ${factor} + scalar(days_in_month() * 24 - hour())", ["c"]],
        ["histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m]))) # a comment naming not_a_metric", ["h_bucket"]],
        ['count_values("v", m3) or quantile(0.5, m4) or count(m5)', ["m3", "m4", "m5"]],
    ])("%s", (expr, names) => {
        expect(promqlMetricNames(expr)).toEqual(names);
    });

    it("fails loudly on unbalanced input instead of guessing", () => {
        expect(() => promqlMetricNames('sum(x{a="b"')).toThrow(/unbalanced/);
        expect(() => promqlMetricNames('x{a="b}')).toThrow(/unterminated|unbalanced/);
    });
});

describe("PromQL literals", () => {
    it("writes numbers that parse back to the same double", () => {
        for (const value of [0.006, 0.0025, 0.00008, 1e-7, 40, 12.5, 2 ** -10]) {
            expect(Number(promqlNumber(value))).toBe(value);
        }
        expect(() => promqlNumber(Number.NaN)).toThrow(/finite/);
    });

    it("quotes strings", () => {
        expect(promqlString('a"b')).toBe('"a\\"b"');
    });
});
