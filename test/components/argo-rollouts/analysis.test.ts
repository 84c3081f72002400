import { describe, expect, it } from "vitest";
import { ANALYSIS_TEMPLATES, renderAnalysisTemplates } from "../../../components/argo-rollouts/analysis";
import { PROMETHEUS_URL } from "../../../lib/conventions";
import { validateObject } from "../../helpers/k8s-schema";
import { checkRules, testRules } from "../../helpers/promtool";

/**
 * The platform's ClusterAnalysisTemplates: schema-valid against the CRD the pinned chart ships, pointed at the
 * platform Prometheus, and their queries — with the arguments a tenant Rollout passes substituted the way Argo
 * Rollouts does — judged by promtool on synthetic series: a project's error rate counts only its own
 * service's responses, never another project's.
 */

const templates = renderAnalysisTemplates();
const byName = (name: string) => templates.find((t) => t.metadata.name === name)!;
/** `{{args.x}}` → value, as Argo Rollouts resolves a template's arguments. */
const substitute = (text: string, args: Record<string, string>) => text.replace(/\{\{args\.([a-z-]+)\}\}/g, (_, name: string) => args[name] ?? `<missing ${name}>`);
const args = { namespace: "shop", service: "web", "pod-template-hash": "7d9f8c", "max-error-rate": "0.05", count: "5", interval: "30s" };

describe("platform analysis templates", () => {
    it("are schema-valid ClusterAnalysisTemplates querying only the platform Prometheus", () => {
        expect(templates.map((t) => t.metadata.name)).toEqual([ANALYSIS_TEMPLATES.readiness, ANALYSIS_TEMPLATES.errorRate]);
        for (const template of templates) {
            expect(validateObject(template), template.metadata.name).toEqual({ id: `argoproj.io/v1alpha1/ClusterAnalysisTemplate ${template.metadata.name}`, status: "valid" });
            expect(template.spec.metrics.map((m) => m.provider.prometheus.address)).toEqual([PROMETHEUS_URL]);
            // Every argument a metric uses is declared (an undeclared one fails the AnalysisRun).
            const used = new Set([...JSON.stringify(template.spec.metrics).matchAll(/\{\{args\.([a-z-]+)\}\}/g)].map((m) => m[1]));
            expect([...used].sort(), template.metadata.name).toEqual(template.spec.args.map((a) => a.name).sort());
        }
    });

    it("have queries promtool accepts once the arguments are substituted", () => {
        const rules = templates.map((t) => ({ record: `analysis:${t.spec.metrics[0]!.name.replace(/-/g, "_")}`, expr: substitute(t.spec.metrics[0]!.provider.prometheus.query, args) }));
        const result = checkRules([{ name: "analysis", rules }]);
        expect(result.output).toMatch(/SUCCESS/);
        expect(result.ok).toBe(true);
    });

    it("measure the error rate of the project's own service only, and 0 without traffic", () => {
        const errorRate = substitute(byName(ANALYSIS_TEMPLATES.errorRate).spec.metrics[0]!.provider.prometheus.query, args);
        const idle = substitute(byName(ANALYSIS_TEMPLATES.errorRate).spec.metrics[0]!.provider.prometheus.query, { ...args, service: "idle" });
        const result = testRules([{ name: "analysis", rules: [{ record: "analysis:error_rate", expr: `round(${errorRate}, 0.0001)` }, { record: "analysis:idle_error_rate", expr: idle }] }], {
            evaluation_interval: "1m",
            tests: [
                {
                    interval: "1m",
                    input_series: [
                        // shop/web: 90 good and 10 failed responses a minute → 10 %.
                        { series: 'traefik_service_requests_total{service="shop-web-http@kubernetes", code="200", namespace="traefik"}', values: "0+90x10" },
                        { series: 'traefik_service_requests_total{service="shop-web-http@kubernetes", code="503", namespace="traefik"}', values: "0+10x10" },
                        // Another project's service fails all the time: it must not count.
                        { series: 'traefik_service_requests_total{service="other-web-http@kubernetes", code="500", namespace="traefik"}', values: "0+1000x10" },
                    ],
                    promql_expr_test: [
                        { expr: "analysis:error_rate", eval_time: "8m", exp_samples: [{ labels: "analysis:error_rate", value: 0.1 }] },
                        { expr: "analysis:idle_error_rate", eval_time: "8m", exp_samples: [{ labels: "analysis:idle_error_rate", value: 0 }] },
                    ],
                },
            ],
        });
        expect(result.output).toMatch(/SUCCESS/);
        expect(result.ok).toBe(true);
    });

    it("count the new ReplicaSet's ready pods against its desired count, in the project's namespace", () => {
        const readiness = substitute(byName(ANALYSIS_TEMPLATES.readiness).spec.metrics[0]!.provider.prometheus.query, args);
        const result = testRules([{ name: "analysis", rules: [{ record: "analysis:ready", expr: readiness }] }], {
            evaluation_interval: "1m",
            tests: [
                {
                    interval: "1m",
                    input_series: [
                        { series: 'kube_replicaset_status_ready_replicas{namespace="shop", replicaset="web-7d9f8c"}', values: "1 2 2" },
                        { series: 'kube_replicaset_spec_replicas{namespace="shop", replicaset="web-7d9f8c"}', values: "2 2 2" },
                        { series: 'kube_replicaset_status_ready_replicas{namespace="other", replicaset="web-7d9f8c"}', values: "0 0 0" },
                        { series: 'kube_replicaset_spec_replicas{namespace="other", replicaset="web-7d9f8c"}', values: "9 9 9" },
                    ],
                    promql_expr_test: [
                        { expr: "analysis:ready", eval_time: "0m", exp_samples: [{ labels: "analysis:ready", value: 0.5 }] },
                        { expr: "analysis:ready", eval_time: "2m", exp_samples: [{ labels: "analysis:ready", value: 1 }] },
                    ],
                },
            ],
        });
        expect(result.output).toMatch(/SUCCESS/);
        expect(result.ok).toBe(true);
        expect(byName(ANALYSIS_TEMPLATES.readiness).spec.metrics[0]!.successCondition).toBe("len(result) == 1 && result[0] >= 1");
        expect(substitute(byName(ANALYSIS_TEMPLATES.errorRate).spec.metrics[0]!.successCondition, args)).toBe("len(result) == 1 && result[0] <= 0.05");
    });

    it("wait two kube-state-metrics scrapes before the first readiness measurement (saturated, but Prometheus still holds the previous scrape)", () => {
        // Argo starts the run the moment the ReplicaSet is saturated; with 30 s scrapes, the first scrape that has
        // seen it can be 30 s old and is queryable only after it lands: the measurement waits for two.
        const metric = byName(ANALYSIS_TEMPLATES.readiness).spec.metrics[0]!;
        expect(metric.initialDelay).toBe("60s");
        const scrapeSeconds = 30;
        const seconds = Number(/^(\d+)s$/.exec(metric.initialDelay ?? "")?.[1]);
        expect(seconds).toBeGreaterThanOrEqual(2 * scrapeSeconds);
        // A ReplicaSet created at 0 s: no series until the first scrape that has seen it (30 s), complete at 60 s.
        const readiness = substitute(metric.provider.prometheus.query, args);
        const result = testRules([{ name: "analysis", rules: [{ record: "analysis:ready", expr: readiness }] }], {
            evaluation_interval: "30s",
            tests: [
                {
                    interval: "30s",
                    input_series: [
                        { series: 'kube_replicaset_status_ready_replicas{namespace="shop", replicaset="web-7d9f8c"}', values: "_ 1 2 2" },
                        { series: 'kube_replicaset_spec_replicas{namespace="shop", replicaset="web-7d9f8c"}', values: "_ 2 2 2" },
                    ],
                    promql_expr_test: [
                        // At 0 s the result is empty: `len(result) == 1` fails, and with failureLimit 0 would abort.
                        { expr: "analysis:ready", eval_time: "0s", exp_samples: [] },
                        { expr: "analysis:ready", eval_time: `${seconds}s`, exp_samples: [{ labels: "analysis:ready", value: 1 }] },
                    ],
                },
            ],
        });
        expect(result.output).toMatch(/SUCCESS/);
        expect(result.ok).toBe(true);
        expect(byName(ANALYSIS_TEMPLATES.errorRate).spec.metrics[0]!.initialDelay).toBeUndefined();
    });
});
