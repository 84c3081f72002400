import { beforeAll, describe, expect, it } from "vitest";
import { alertingSchema } from "../../../lib/config/alerting";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { validateObject } from "../../helpers/k8s-schema";
import { dependencyNames, named, planComponent } from "../../helpers/component-plan";

/** The Alerting component under the mock engine: what it registers, where, and what it keeps secret. */

let plan: StackPlan;

beforeAll(async () => {
    plan = await planComponent(async (provider) => {
        const pulumi = await import("@pulumi/pulumi");
        const k8s = await import("@pulumi/kubernetes");
        const { Alerting } = await import("../../../components/alerting/alerting");
        const monitoring = new k8s.core.v1.Namespace("monitoring-namespace", { metadata: { name: "monitoring" } }, { provider });
        const alerting = new Alerting(
            "alerting",
            {
                alerting: alertingSchema.parse({ receivers: [{ name: "heartbeat", webhook: {} }], critical: ["heartbeat"], deadMansSwitch: "heartbeat" }),
                secrets: pulumi.secret({ urls: { heartbeat: "https://hc.example.com/ping/secret-token" } }),
                tenants: [{ project: "shop", email: "shop@example.com" }],
                servers: 3,
                floatingIps: 2,
                etcdSnapshotSchedule: "0 */6 * * *",
                longhornBackupSchedule: "30 2 * * *",
            },
            { provider, dependsOn: [monitoring] },
        );
        return { configSecretName: alerting.configSecretName };
    });
});

describe("Alerting component", () => {
    it("registers the Alertmanager config Secret and the platform PrometheusRule in monitoring, after the monitoring release", () => {
        const secret = named(plan, "alerting-config");
        const rule = named(plan, "alerting-rules");
        expect(secret.inputs.metadata).toMatchObject({ name: "platform-alertmanager", namespace: "monitoring" });
        expect(rule.inputs.metadata).toMatchObject({ name: "platform-alerts", namespace: "monitoring" });
        expect(validateObject(rule.inputs as never).status).toBe("valid");
        for (const child of [secret, rule]) {
            expect(child.parent).toBe(plan.resources.find((r) => r.type === "platform:alerting:Alerting")!.urn);
            expect(dependencyNames(plan, child)).toContain("monitoring-namespace");
        }
    });

    it("marks the rendered configuration (webhook URL inside) secret on the Secret it creates", () => {
        const secret = named(plan, "alerting-config");
        expect(secret.secretInputs).toContain("stringData");
        expect(secret.additionalSecretOutputs).toEqual(expect.arrayContaining(["data", "stringData"]));
        expect(JSON.stringify(plan.outputs)).not.toContain("secret-token");
    });
});
