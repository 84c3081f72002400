import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { kubernetesObjects } from "../../../tools/offline/artifacts";
import { validateObject } from "../../helpers/k8s-schema";
import { dependencyNames, named, ofType, planComponent } from "../../helpers/component-plan";
import { shippedConfig } from "../../charts/fixtures";

let plan: StackPlan;

beforeAll(async () => {
    plan = await planComponent(async (provider) => {
        const { PrometheusOperatorCrds } = await import("../../../components/observability/prometheus-crds");
        const { Observability } = await import("../../../components/observability/observability");
        const opts = { provider: provider };
        const crds = new PrometheusOperatorCrds("crds", {}, opts);
        const obs = new Observability(
            "obs",
            { config: shippedConfig("dev"), stack: "dev", lokiCredentials: pulumi.secret({ accessKey: "loki", secretKey: "loki-secret-value" }) },
            { ...opts, dependsOn: [crds] },
        );
        return { admin: obs.grafanaAdmin, access: obs.grafanaAccess, loki: obs.lokiUrl };
    });
});

describe("Observability components", () => {
    it("install the operator CRDs from their own chart, then the stack without CRDs", () => {
        expect(named(plan, "crds").type).toBe("platform:addons:PrometheusOperatorCrds");
        expect(named(plan, "crds-release").inputs).toMatchObject({ chart: "prometheus-operator-crds", version: "31.0.1", namespace: "monitoring" });
        const releases = ofType(plan, "kubernetes:helm.sh/v3:Release").map((r) => `${r.inputs.chart}@${r.inputs.version}`);
        expect(releases.sort()).toEqual(["alloy@1.11.1", "kube-prometheus-stack@88.5.3", "loki@18.11.0", "prometheus-operator-crds@31.0.1"]);
        // A component's dependsOn expands to the dependency's children; the SDK registers the component (and so its
        // children, which need its URN) only after they exist.
        expect(dependencyNames(plan, named(plan, "obs"))).toEqual(expect.arrayContaining(["crds-release", "crds-namespace"]));
    });

    it("orders Loki after its credentials Secret, Alloy after Loki, dashboards after the stack", () => {
        expect(dependencyNames(plan, named(plan, "obs-loki"))).toContain("obs-loki-s3");
        expect(dependencyNames(plan, named(plan, "obs-alloy"))).toContain("obs-loki");
        expect(dependencyNames(plan, named(plan, "obs-kube-prometheus-stack"))).toContain("obs-grafana-admin");
        expect(dependencyNames(plan, named(plan, "obs-platform-dashboard-traefik"))).toContain("obs-kube-prometheus-stack");
    });

    it("keep the Grafana admin and Loki's MinIO credentials secret", () => {
        for (const name of ["obs-grafana-admin", "obs-loki-s3"]) {
            const secret = plan.resources.find((r) => r.name === name && r.type === "kubernetes:core/v1:Secret")!;
            expect(secret.secretInputs, name).toContain("stringData");
            expect(secret.additionalSecretOutputs, name).toEqual(expect.arrayContaining(["data", "stringData"]));
        }
        expect(plan.resources.find((r) => r.name === "obs-loki-s3")!.inputs.stringData).toEqual({ AWS_ACCESS_KEY_ID: "loki", AWS_SECRET_ACCESS_KEY: "loki-secret-value" });
        expect(plan.outputs.admin).toBe("[secret]");
        expect(plan.outputs.access).toMatch(/^kubectl -n monitoring port-forward svc\/kube-prometheus-stack-grafana 3000:80/);
    });

    it("register only schema-valid objects", () => {
        expect(kubernetesObjects(plan.resources).map(validateObject).filter((r) => r.status !== "valid")).toEqual([]);
    });
});
