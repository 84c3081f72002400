import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { kubernetesObjects } from "../../../tools/offline/artifacts";
import { readinessEdges } from "../../../tools/offline/readiness";
import { validateObject } from "../../helpers/k8s-schema";
import { dependencyNames, named, ofType, planComponent } from "../../helpers/component-plan";
import { shippedConfig } from "../../charts/fixtures";

let plan: StackPlan;

beforeAll(async () => {
    plan = await planComponent(async (provider) => {
        const { PrometheusOperatorCrds } = await import("../../../components/observability/prometheus-crds");
        const { Observability } = await import("../../../components/observability/observability");
        const opts = { provider: provider };
        const k8s = await import("@pulumi/kubernetes");
        const crds = new PrometheusOperatorCrds("crds", {}, opts);
        // Stand-ins for what Longhorn and MinIO provide (lib/requirements.ts).
        const standard = new k8s.storage.v1.StorageClass("sc-standard", { metadata: { name: "standard" }, provisioner: "driver.longhorn.io" }, opts);
        const s3 = new k8s.core.v1.ConfigMap("minio-s3-stand-in", { metadata: { name: "s3", namespace: "minio" } }, opts);
        const obs = new Observability(
            "obs",
            {
                config: shippedConfig("dev"),
                stack: "dev",
                projects: [
                    { id: "shop", contact: { name: "Shop team", email: "Shop@example.com" } },
                    { id: "shop-eu", contact: { name: "Shop team", email: "shop@example.com" } },
                    { id: "paas-app", contact: { name: "PaaS", email: "paas@example.com" } },
                ],
                lokiCredentials: pulumi.secret({ accessKey: "loki", secretKey: "loki-secret-value" }),
                platform: { "storage-class:standard": [standard], "service:minio/minio": [s3] },
            },
            { ...opts, dependsOn: [crds] },
        );
        return { admin: obs.grafanaAdmin, access: obs.grafanaAccess, loki: obs.lokiUrl, viewers: obs.projectViewers, viewersRevealed: pulumi.unsecret(obs.projectViewers) };
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

    it("orders Loki after its credentials Secret and the StorageClass, not after MinIO (a readiness need); the stack after the StorageClass only; Alloy after neither; dashboards after the stack", () => {
        expect(dependencyNames(plan, named(plan, "obs-loki")).sort()).toEqual(["obs-loki-s3", "sc-standard"]);
        // Alloy is ready once its configuration is loaded and retries its pushes to Loki: it waits for nothing in the component.
        expect(dependencyNames(plan, named(plan, "obs-alloy"))).toEqual([]);
        expect(dependencyNames(plan, named(plan, "obs-kube-prometheus-stack")).sort()).toEqual(["obs-grafana-admin", "sc-standard"]);
        expect(dependencyNames(plan, named(plan, "obs-platform-dashboard-traefik"))).toContain("obs-kube-prometheus-stack");
    });

    it("give each contact one generated password (kept secret) and run the organisations Job after its inputs, beside Grafana (it waits for Grafana itself)", () => {
        const viewers = plan.resources.find((r) => r.name === "obs-grafana-viewers" && r.type === "kubernetes:core/v1:Secret")!;
        // One contact of two projects (e-mail compared case-insensitively) gets one user and one password.
        expect(Object.keys(viewers.inputs.stringData as Record<string, string>)).toHaveLength(2);
        const job = plan.resources.find((r) => r.name === "obs-grafana-orgs" && r.type === "kubernetes:batch/v1:Job")!;
        expect(dependencyNames(plan, job)).toEqual(expect.arrayContaining(["obs-grafana-admin", "obs-grafana-orgs", "obs-grafana-viewers"]));
        expect(dependencyNames(plan, job)).not.toContain("obs-kube-prometheus-stack");
        // The release it waits for in the cluster: a readiness wait of the bring-up estimate (Grafana's Service is the release's).
        expect(readinessEdges(plan.resources).filter((e) => e.consumer === job.urn).map((e) => [named(plan, "obs-kube-prometheus-stack").urn === e.provider, e.need, e.seconds])).toEqual([
            [true, "service:monitoring/kube-prometheus-stack-grafana", 15],
        ]);
        expect((job.inputs.metadata as { name: string }).name).toMatch(/^grafana-project-orgs-[0-9a-f]{10}$/);
        expect(job.secretInputs).not.toContain("metadata");
        const outputs = plan.outputs as Record<string, unknown>;
        expect(outputs.viewers).toBe("[secret]");
        const projectViewers = outputs.viewersRevealed as Record<string, { organisation: string; login: string; password: string }>;
        expect(Object.keys(projectViewers).sort()).toEqual(["paas-app", "shop", "shop-eu"]);
        expect(projectViewers.shop!.password).toBe(projectViewers["shop-eu"]!.password);
        expect(projectViewers.shop!.login).toBe("shop@example.com");
    });

    it("keep the Grafana admin, the contacts' passwords and Loki's MinIO credentials secret", () => {
        for (const name of ["obs-grafana-admin", "obs-loki-s3", "obs-grafana-viewers"]) {
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
