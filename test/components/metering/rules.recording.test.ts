import { describe, expect, it } from "vitest";
import { RECORDED, renderMeteringRuleGroups, type RuleGroup } from "../../../components/metering/rules";
import { checkRules } from "../../helpers/promtool";

/**
 * The recording rules of renderMeteringRuleGroups, rendered inside each test (a render at file load checks the
 * unmutated code under `npm run mutation`: README "Mutation testing", static mutants): promtool's own checker
 * on the groups as rendered, the rules in order with their labels, and the expressions whose numbers and
 * windows come from prices and billing, written out by hand. rules.promtool.test.ts proves the math on
 * synthetic series (about 100 s a run, too slow to guard each mutant); these pin what it would notice first.
 */

const prices = { currency: "CHF", cpuCoreHour: 0.5, memoryGiBHour: 0.25, storageGiBHour: 0.125, networkEgressGiB: 2 };
const billing = { region: "fsn1", storageReplicas: 3 };
const TENANTS = "platform:tenant_namespace:info";

const recordOf = (group: RuleGroup, record: string) => {
    const found = group.rules.filter((r) => (r as { record?: string }).record === record);
    expect(found, record).toHaveLength(1);
    return found[0] as { record: string; expr: string; labels?: Record<string, string> };
};

describe("metering recording rules (renderMeteringRuleGroups)", () => {
    it("pass promtool check rules as rendered, every group and all together", () => {
        const groups = renderMeteringRuleGroups(prices, billing);
        const recording = groups.filter((g) => g.name !== groups[3]!.name);
        const result = checkRules(recording);
        expect(result.ok, result.output).toBe(true);
        expect(result.output).toContain(`SUCCESS: ${recording.reduce((n, g) => n + g.rules.length, 0)} rules found`);
    });

    it("are the usage, cost, close and trust groups, evaluated every minute but the close", () => {
        const groups = renderMeteringRuleGroups(prices, billing);
        expect(groups.map((g) => [g.name, g.interval])).toEqual([
            ["platform-metering-usage", "1m"],
            ["platform-metering-cost", "1m"],
            ["platform-metering-close", "10m"],
            ["platform-metering-trust", "1m"],
        ]);
    });

    it("record, in evaluation order, each series once (the region lines after the project rates)", () => {
        const [usage, cost, close] = renderMeteringRuleGroups(prices, { ...billing, infrastructureMonthlyEur: 300 });
        const records = (group: RuleGroup) => group.rules.map((r) => (r as { record: string }).record);
        const R = RECORDED;
        expect(records(usage!).slice(0, 34)).toEqual([
            R.tenantNamespace, R.sandboxedPod, R.podCpuRequest, R.podMemoryRequest, R.namespaceCpuCores, R.namespaceCpuBillable,
            R.namespaceMemoryWorkingSet, R.namespaceMemoryBillable, R.cpuCores, R.cpuRequests, R.cpuBillable, R.memoryWorkingSet,
            R.memoryRequests, R.memoryBillable, R.storageRequested, R.bucketReserved, R.storageBillable, R.storageUsed,
            R.networkReceiveRate, R.networkTransmitRate, R.buildPodProject, R.billedAddress, R.edgeEgressRate, R.directEgressRate,
            R.internetEgressRate, R.internalTransmitRate, R.buildCpuBillable, R.buildMemoryBillable, R.buildCostRate, R.cpuCostRate,
            R.memoryCostRate, R.storageCostRate, R.egressCostRate, R.costRate,
        ]);
        expect(new Set(records(usage!).slice(34))).toEqual(new Set([R.regionCostRate]));
        expect(records(cost!)).toEqual([R.cpuCost, R.memoryCost, R.storageCost, R.egressCost, R.buildCost, R.cost, R.regionCost, R.billingMonthStart, R.monthToDate, R.monthlyProjection]);
        expect(records(close!)).toEqual([R.lastMonth]);
    });

    it("label every cost series with the currency, and no other", () => {
        const [usage, cost, close] = renderMeteringRuleGroups(prices, billing);
        const withCurrency = [RECORDED.buildCostRate, RECORDED.cpuCostRate, RECORDED.memoryCostRate, RECORDED.storageCostRate, RECORDED.egressCostRate, RECORDED.costRate, RECORDED.cpuCost, RECORDED.memoryCost, RECORDED.storageCost, RECORDED.egressCost, RECORDED.buildCost, RECORDED.cost, RECORDED.monthToDate, RECORDED.monthlyProjection, RECORDED.lastMonth];
        for (const rule of [...usage!.rules, ...cost!.rules, ...close!.rules] as Array<{ record: string; labels?: Record<string, string> }>) {
            if (rule.record === RECORDED.regionCostRate) {
                continue;
            }
            expect(rule.labels, rule.record).toEqual((withCurrency as readonly string[]).includes(rule.record) ? { currency: "CHF" } : undefined);
        }
    });

    it("price each resource at its own price, egress per GiB of bytes per hour, storage times the replicas", () => {
        const [usage] = renderMeteringRuleGroups(prices, billing);
        expect(recordOf(usage!, RECORDED.cpuCostRate).expr).toBe(`(platform:project_cpu_billable_cores:sum * 0.5)\nor\n0 * ${TENANTS}`);
        expect(recordOf(usage!, RECORDED.memoryCostRate).expr).toBe(`(platform:project_memory_billable_bytes:sum / 1073741824 * 0.25)\nor\n0 * ${TENANTS}`);
        expect(recordOf(usage!, RECORDED.storageCostRate).expr).toBe(`(platform:project_storage_billable_bytes:sum / 1073741824 * 0.125)\nor\n0 * ${TENANTS}`);
        expect(recordOf(usage!, RECORDED.egressCostRate).expr).toBe(`(platform:project_internet_egress_bytes:increase_rate * 3600 / 1073741824 * 2)\nor\n0 * ${TENANTS}`);
        expect(recordOf(usage!, RECORDED.buildCostRate).expr).toBe(
            `((platform:project_build_cpu_billable_cores:sum * 0.5 or 0 * platform:project_build_memory_billable_bytes:sum)\n+ on (namespace, project)\n(platform:project_build_memory_billable_bytes:sum / 1073741824 * 0.25 or 0 * platform:project_build_cpu_billable_cores:sum))\nor\n0 * ${TENANTS}`,
        );
        expect(recordOf(usage!, RECORDED.costRate).expr).toBe(
            "platform:project_cpu_cost:rate1h\n+ platform:project_memory_cost:rate1h\n+ platform:project_storage_cost:rate1h\n+ platform:project_network_egress_cost:rate1h\n+ platform:project_build_cost:rate1h",
        );
        expect(recordOf(usage!, RECORDED.storageBillable).expr).toBe(
            "(\n  (platform:project_storage_requested_bytes:sum or 0 * platform:project_bucket_reserved_bytes:sum)\n+ on (namespace, project)\n  (platform:project_bucket_reserved_bytes:sum or 0 * platform:project_storage_requested_bytes:sum)\n) * 3",
        );
        expect(recordOf(usage!, RECORDED.sandboxedPod).expr).toBe('max by (namespace, pod) (kube_pod_runtimeclass_name_info{runtimeclass_name="gvisor"})');
        expect(recordOf(usage!, RECORDED.tenantNamespace).expr).toBe('label_replace(\n  max by (namespace) (kube_namespace_labels{label_platform_tenant="true"}),\n  "project", "$1", "namespace", "(.+)"\n)');
    });

    it("sum each hour of samples, at the evaluation interval and range semantics of the billing", () => {
        const hourly = (b: Parameters<typeof renderMeteringRuleGroups>[1]) => recordOf(renderMeteringRuleGroups(prices, b)[1]!, RECORDED.cpuCost).expr;
        expect(hourly(billing)).toBe("sum_over_time(platform:project_cpu_cost:rate1h[1h]) / 60");
        expect(hourly({ ...billing, evaluationMinutes: 5 })).toBe("sum_over_time(platform:project_cpu_cost:rate1h[1h]) / 12");
        expect(hourly({ ...billing, rangeSemantics: "prometheus2" })).toBe("sum_over_time(platform:project_cpu_cost:rate1h[3599999ms]) / 60");
        const [usage] = renderMeteringRuleGroups(prices, { ...billing, evaluationMinutes: 5 });
        expect(recordOf(usage!, RECORDED.networkReceiveRate).expr).toMatch(/\[5m\]|\[300s\]/);
        expect(recordOf(usage!, RECORDED.networkReceiveRate).expr).toContain(") / 300\n");
    });

    it("count a month from its first hour and close it on the 1st", () => {
        const [, cost, close] = renderMeteringRuleGroups(prices, billing);
        expect(recordOf(cost!, RECORDED.billingMonthStart).expr).toBe(`0 * ${TENANTS}\n+ on () group_left ()\nvector(time() - (scalar(day_of_month()) - 1) * 86400 - time() % 86400)`);
        expect(recordOf(cost!, RECORDED.monthlyProjection).expr).toBe(
            "platform:project_cost:month_to_date\n+ avg_over_time(platform:project_cost:hourly[24h])\n  * scalar(days_in_month() * 24 - (day_of_month() - 1) * 24 - hour())",
        );
        expect(recordOf(close!, RECORDED.lastMonth).expr).toMatch(/\)\[32d:1h\]\n\) \/ 60\n\)\nand on \(\) \(day_of_month\(\) == 1\)$/);
        expect(recordOf(cost!, RECORDED.monthToDate).expr).toMatch(/\)\[31d:1h\]\n\) \/ 60\nor\n0 \* platform:project_cost:hourly$/);
    });

    it("select each resource's own series: requests, billable use, running requests and builds per resource", () => {
        const [usage] = renderMeteringRuleGroups(prices, billing);
        const expr = (record: string) => recordOf(usage!, record).expr;
        const cpuRequest = "platform:pod_effective_request_cores:sum";
        const memoryRequest = "platform:pod_effective_request_bytes:sum";
        expect(expr(RECORDED.podCpuRequest)).toContain('kube_pod_container_resource_requests{resource="cpu"}');
        expect(expr(RECORDED.podCpuRequest)).toContain('kube_pod_init_container_resource_requests{resource="cpu"}');
        expect(expr(RECORDED.podCpuRequest)).toContain("max by (namespace, pod) (kube_pod_overhead_cpu_cores)");
        expect(expr(RECORDED.podMemoryRequest)).toContain('kube_pod_container_resource_requests{resource="memory"}');
        expect(expr(RECORDED.podMemoryRequest)).toContain('kube_pod_init_container_resource_requests{resource="memory"}');
        expect(expr(RECORDED.podMemoryRequest)).toContain("max by (namespace, pod) (kube_pod_overhead_memory_bytes)");
        for (const [record, own, other] of [
            [RECORDED.namespaceCpuBillable, cpuRequest, memoryRequest],
            [RECORDED.namespaceMemoryBillable, memoryRequest, cpuRequest],
            [RECORDED.cpuRequests, cpuRequest, memoryRequest],
            [RECORDED.memoryRequests, memoryRequest, cpuRequest],
            [RECORDED.buildCpuBillable, cpuRequest, memoryRequest],
            [RECORDED.buildMemoryBillable, memoryRequest, cpuRequest],
        ] as const) {
            // The request counts while a runc pod runs (the running-requests rules break the line before "and").
            expect(expr(record).replace(/\s+/g, " "), record).toContain(`${own} and on (namespace, pod) container_memory_working_set_bytes{container!="", container!="POD"}`);
            expect(expr(record), record).not.toContain(other);
        }
    });

    it("count a container's CPU from 0 when the container is new, the node meter's bytes when the meter is", () => {
        const [usage] = renderMeteringRuleGroups(prices, billing);
        const expr = (record: string) => recordOf(usage!, record).expr;
        expect(expr(RECORDED.namespaceCpuCores)).toContain("and ignoring (cpu, interface) (max_over_time(container_start_time_seconds[60s]) > time() - 3660)");
        expect(expr(RECORDED.namespaceCpuCores)).not.toContain("platform_node_meter_loaded_timestamp_seconds");
        for (const record of [RECORDED.edgeEgressRate, RECORDED.directEgressRate]) {
            expect(expr(record), record).toContain("max by (instance) (max_over_time(platform_node_meter_loaded_timestamp_seconds[60s])) > time() - 3660");
            expect(expr(record), record).not.toContain("container_start_time_seconds");
        }
    });

    it("map a source address to its pod's namespace, and count only bytes sent to a Traefik pod as edge egress", () => {
        const [usage] = renderMeteringRuleGroups(prices, billing);
        const billed = recordOf(usage!, RECORDED.billedAddress).expr;
        const edge = recordOf(usage!, RECORDED.edgeEgressRate).expr;
        // kube-state-metrics' pods of every namespace, relabelled to the address the node meter reports.
        expect(billed).toContain('max by (namespace, pod, pod_ip) (last_over_time(kube_pod_info{pod_ip!="", host_network="false"}[60s]))');
        expect(billed).toContain('"source_ip", "$1", "pod_ip", "(.+)"');
        expect(billed).not.toContain("destination_ip");
        // The destination side: Traefik's pods only.
        expect(edge).toContain('max by (destination_ip) (label_replace(\n  max by (namespace, pod, pod_ip) (last_over_time(kube_pod_info{namespace="traefik", pod_ip!="", host_network="false"}[60s]))');
        expect(edge).toContain('"destination_ip", "$1", "pod_ip", "(.+)"');
    });

    it("sum the cost of the hours of a month only, each month bounded on both sides", () => {
        const [, cost, close] = renderMeteringRuleGroups(prices, billing);
        const start = "(platform:project_billing_month_start:timestamp_seconds @ end())";
        const now = "on () group_left () vector(time())";
        expect(recordOf(cost!, RECORDED.monthToDate).expr).toContain(`    sum_over_time(platform:project_cost:rate1h[1h])\n    and on (namespace, project)\n    (${start} < ${now})\n  )[31d:1h]`);
        expect(recordOf(close!, RECORDED.lastMonth).expr).toContain(
            `    sum_over_time(platform:project_cost:rate1h[1h])\n    and on (namespace, project)\n    ((${start} - 86400 * days_in_month(${start} - 1)) < ${now})\n    and on (namespace, project)\n    (${start} >= ${now})\n  )[32d:1h]`,
        );
    });
});
