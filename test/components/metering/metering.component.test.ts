import { beforeAll, describe, expect, it } from "vitest";
import { pricesSchema } from "../../../lib/config/schema";
import { kubernetesObjects } from "../../../tools/offline/artifacts";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { renderMeteringObjects, type MeteringArgs } from "../../../components/metering/render";
import { validateObject } from "../../helpers/k8s-schema";
import { planComponent } from "../../helpers/component-plan";

/**
 * The Metering component under the Pulumi mock engine (the offline plan's harness: `setMocks` with
 * preview=false, then the component module imported dynamically; every registration is recorded with its
 * parent, provider and dependencies, and stack outputs are awaited).
 */

const args: MeteringArgs = {
    prices: pricesSchema.parse({ currency: "EUR", cpuCoreHour: 0.0065 }),
    projects: [{ name: "shop", budgetMonthly: 40 }, { name: "docs" }],
    billing: { region: "fsn1", storageReplicas: 2, infrastructureMonthlyEur: 400 },
    ledger: {
        spec: { region: "fsn1", currency: "EUR", target: { endpoint: "fsn1.your-objectstorage.com", bucket: "etcd-fsn1", region: "eu-central", prefix: "billing-ledger/fsn1" }, backfillHours: 48 },
        credentials: { accessKey: "ledger-access", secretKey: "ledger-secret" },
    },
};

let plan: StackPlan;

beforeAll(async () => {
    plan = await planComponent(async (provider) => {
        const k8s = await import("@pulumi/kubernetes");
        const { Metering } = await import("../../../components/metering/metering");
        // Stands in for the monitoring add-on that installs the PrometheusRule CRD.
        const crds = new k8s.core.v1.Namespace("monitoring-namespace", { metadata: { name: "monitoring" } }, { provider });
        const metering = new Metering("metering", args, { provider, dependsOn: [crds] });
        return { prometheusRuleNames: metering.prometheusRuleNames, dashboardConfigMapNames: metering.dashboardConfigMapNames };
    });
});

const component = () => plan.resources.find((r) => r.type === "platform:metering:Metering")!;
const children = () => plan.resources.filter((r) => r.parent === component().urn && r.custom);
const ledger = () => plan.resources.find((r) => r.type === "platform:metering:BillingLedger")!;
const ledgerChildren = () => plan.resources.filter((r) => r.parent === ledger().urn);

describe("Metering component", () => {
    it("registers platform:metering:Metering with two PrometheusRules, two dashboard ConfigMaps and the billing ledger as children", () => {
        expect(ledger().parent).toBe(component().urn);
        expect(component().name).toBe("metering");
        expect(component().custom).toBe(false);
        expect(children().map((r) => r.type).sort()).toEqual([
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
            "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
        ]);
    });

    it("uses the provider passed in opts and holds every child back until the dependsOn resources exist", () => {
        const providerUrn = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes")!.urn;
        const crdsUrn = plan.resources.find((r) => r.name === "monitoring-namespace")!.urn;
        for (const child of children()) {
            expect(child.provider?.startsWith(`${providerUrn}::`), child.name).toBe(true);
            expect(child.dependencies, child.name).toContain(crdsUrn);
        }
    });

    it("registers exactly the rendered objects in namespace monitoring", () => {
        const expected = renderMeteringObjects(args);
        // Children register asynchronously: compare by name, not registration order.
        const byName = <T extends { metadata?: { name?: string } }>(list: T[]) => [...list].sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
        const plain = <T>(list: T[]) => list.map((o) => JSON.parse(JSON.stringify(o)) as T);
        const objects = kubernetesObjects(children());
        expect(byName(objects.filter((o) => o.kind === "PrometheusRule"))).toEqual(byName(plain(expected.prometheusRules)));
        expect(byName(objects.filter((o) => o.kind === "ConfigMap"))).toEqual(byName(plain(expected.configMaps)));
        for (const object of objects) {
            expect(object.metadata.namespace).toBe("monitoring");
            expect(object.metadata.labels).toMatchObject({ "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/name": "platform-metering" });
        }
    });

    it("carries the metering groups, the alerts and the budget of the project that has one", () => {
        const rules = kubernetesObjects(children())
            .filter((o) => o.kind === "PrometheusRule")
            .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
        const groups = rules.flatMap((r) => (r.spec as { groups: Array<{ name: string; rules: Array<Record<string, unknown>> }> }).groups);
        expect(groups.map((g) => g.name)).toEqual([
            "platform-metering-usage",
            "platform-metering-cost",
            "platform-metering-close",
            "platform-metering-trust",
            "platform-project-alerts",
            "platform-project-budgets",
        ]);
        // With a ledger, its staleness is alerted on.
        expect(groups.flatMap((g) => g.rules).map((r) => r.alert)).toContain("BillingLedgerExportStale");
        const budgets = groups.flatMap((g) => g.rules).filter((r) => r.record === "platform:project_budget:monthly");
        expect(budgets).toEqual([{ record: "platform:project_budget:monthly", expr: "vector(40)", labels: { namespace: "shop", project: "shop", currency: "EUR" } }]);
        const cpuCost = groups.flatMap((g) => g.rules).find((r) => r.record === "platform:project_cpu_cost:rate1h")!;
        expect(cpuCost.expr).toContain("* 0.0065");
    });

    it("labels the dashboard ConfigMaps for the Grafana sidecar and stores valid dashboard JSON", () => {
        const configMaps = kubernetesObjects(children()).filter((o) => o.kind === "ConfigMap");
        expect(configMaps.map((c) => c.metadata.name).sort()).toEqual(["grafana-dashboard-platform-metering-overview", "grafana-dashboard-platform-metering-project"]);
        for (const configMap of configMaps) {
            expect(configMap.metadata.labels?.grafana_dashboard).toBe("1");
            const data = configMap.data as Record<string, string>;
            const [file, text] = Object.entries(data)[0]!;
            expect(file).toMatch(/\.json$/);
            const dashboard = JSON.parse(text) as { uid: string; panels: unknown[] };
            expect(`grafana-dashboard-${dashboard.uid}`).toBe(configMap.metadata.name);
            expect(dashboard.panels.length).toBeGreaterThan(0);
            // ConfigMaps are limited to 1 MiB; stay far below it.
            expect(Buffer.byteLength(text)).toBeLessThan(256 * 1024);
        }
    });

    it("validates every object against the Kubernetes OpenAPI schemas", () => {
        const results = kubernetesObjects(children()).map(validateObject);
        expect(results).toHaveLength(4);
        expect(results.filter((r) => r.status !== "valid").map((r) => `${r.id}: ${r.status} ${r.error ?? ""}`)).toEqual([]);
    });

    it("creates the ledger's CronJob, exporter ConfigMap and credentials Secret, the Secret's data kept secret", () => {
        expect(ledgerChildren().map((r) => r.type).sort()).toEqual(["kubernetes:batch/v1:CronJob", "kubernetes:core/v1:ConfigMap", "kubernetes:core/v1:Secret"]);
        const secret = ledgerChildren().find((r) => r.type === "kubernetes:core/v1:Secret")!;
        expect(secret.additionalSecretOutputs).toEqual(expect.arrayContaining(["data", "stringData"]));
        const objects = kubernetesObjects(ledgerChildren());
        const cronJob = objects.find((o) => o.kind === "CronJob")! as unknown as { spec: { schedule: string; concurrencyPolicy: string; jobTemplate: { spec: { template: { spec: { containers: Array<{ image: string; env: Array<{ name: string; value?: string }> }> } } } } } };
        expect(cronJob.spec.schedule).toBe("7 * * * *");
        expect(cronJob.spec.concurrencyPolicy).toBe("Forbid");
        const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0]!;
        expect(container.image).toMatch(/^docker\.io\/library\/node:\d+\.\d+\.\d+-alpine/);
        expect(Object.fromEntries(container.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value]))).toMatchObject({ S3_BUCKET: "etcd-fsn1", S3_ENDPOINT: "fsn1.your-objectstorage.com", BACKFILL_HOURS: "48" });
        // The program the Job runs is the repository's exporter, with the signer beside it.
        const configMap = objects.find((o) => o.kind === "ConfigMap")!;
        expect(Object.keys(configMap.data as Record<string, string>).sort()).toEqual(["aws4.js", "ledger-exporter.js", "lru.js"]);
        const results = objects.map(validateObject);
        expect(results.filter((r) => r.status !== "valid").map((r) => `${r.id}: ${r.status} ${r.error ?? ""}`)).toEqual([]);
    });

    it("resolves its outputs", () => {
        // In the order the component created them (Output arrays keep order, unlike registration).
        expect(plan.outputs.prometheusRuleNames).toEqual(["platform-metering", "platform-project-alerts"]);
        expect(plan.outputs.dashboardConfigMapNames).toEqual(["grafana-dashboard-platform-metering-overview", "grafana-dashboard-platform-metering-project"]);
    });

    it("registers nothing when the input is invalid", async () => {
        const { Metering } = await import("../../../components/metering/metering");
        const before = plan.resources.length;
        expect(() => new Metering("bad", { ...args, projects: [{ name: "shop" }, { name: "shop" }] })).toThrow(/twice/);
        // Registrations are asynchronous: give any that was started time to reach the recording monitor.
        for (let i = 0; i < 20; i++) {
            await new Promise((done) => setImmediate(done));
        }
        expect(plan.resources.length).toBe(before);
    });
});
