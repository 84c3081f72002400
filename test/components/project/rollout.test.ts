import { describe, expect, it } from "vitest";
import { renderProject } from "../../../components/project/render";
import { projectSchema } from "../../../lib/tenants/schema";
import { projectFootprint } from "../../../lib/tenants/footprint";
import { validateObject } from "../../helpers/k8s-schema";
import { project, stackPlatformConfig } from "./fixtures";

/**
 * Blue/green services (`strategy: blueGreen`): the Rollout replaces the Deployment with the same pod template,
 * a preview Service sits beside the active one, the platform's ClusterAnalysisTemplates judge the release, and
 * the default stays a rolling update. Objects are checked against the Rollout CRD as chart argo-rollouts 2.41.0
 * ships it (charts/argo-rollouts/crd-rollout.yaml).
 */

const config = stackPlatformConfig("dev");
const web = (extra: Record<string, unknown>) => ({ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, ...extra });
const services = (spec: ReturnType<typeof project>) => renderProject(spec, config).services;

describe("blue/green services", () => {
    it("stay a rolling-update Deployment without a strategy", () => {
        const [service] = services(project({}));
        expect(service!.workload.kind).toBe("Deployment");
        expect((service!.workload as any).spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
        expect(service!.services.map((s) => s.metadata?.name)).toEqual(["web"]);
    });

    it("release as a schema-valid Rollout with the Deployment's pod template, and a preview Service beside the active one", () => {
        const rolling = services(project({ services: [web({ replicas: 2, expose: { public: true } })] }))[0]!;
        const blueGreen = services(project({ services: [web({ replicas: 2, expose: { public: true }, strategy: "blueGreen" })] }))[0]!;
        const rollout = blueGreen.workload as any;
        expect(rollout.kind).toBe("Rollout");
        expect(validateObject(rollout)).toEqual({ id: "argoproj.io/v1alpha1/Rollout web", status: "valid" });
        expect(rollout.spec.template).toEqual((rolling.workload as any).spec.template);
        expect(rollout.spec.replicas).toBe(2);
        expect(rollout.spec.strategy.blueGreen).toMatchObject({ activeService: "web", previewService: "web-preview", autoPromotionEnabled: true, scaleDownDelaySeconds: 600 });
        const [active, preview] = blueGreen.services;
        expect(preview).toEqual({ ...active, metadata: { ...active!.metadata, name: "web-preview" } });
        for (const service of blueGreen.services) {
            expect(validateObject(service).status).toBe("valid");
        }
    });

    it("are judged by the platform's templates, for the Rollout's own namespace, with the project's thresholds", () => {
        const spec = project({ services: [web({ expose: { public: true }, strategy: { type: "blueGreen", promotion: "manual", analysis: { maxErrorRate: 0.01, count: 3, intervalSeconds: 20 } } })] });
        const blueGreen = (services(spec)[0]!.workload as any).spec.strategy.blueGreen;
        expect(blueGreen.autoPromotionEnabled).toBe(false);
        const namespaceArg = { name: "namespace", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } };
        expect(blueGreen.prePromotionAnalysis).toEqual({
            templates: [{ templateName: "platform-readiness", clusterScope: true }],
            args: [namespaceArg, { name: "service", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, { name: "count", value: "3" }, { name: "interval", value: "20s" }, { name: "pod-template-hash", valueFrom: { podTemplateHashValue: "Latest" } }],
        });
        expect(blueGreen.postPromotionAnalysis).toEqual({
            templates: [{ templateName: "platform-error-rate", clusterScope: true }],
            args: [namespaceArg, { name: "service", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, { name: "count", value: "3" }, { name: "interval", value: "20s" }, { name: "max-error-rate", value: "0.01" }],
        });
    });

    it("without public exposure have no Traefik traffic to judge: readiness only", () => {
        const blueGreen = (services(project({ services: [web({ strategy: "blueGreen" })] }))[0]!.workload as any).spec.strategy.blueGreen;
        expect(blueGreen.prePromotionAnalysis.templates[0].templateName).toBe("platform-readiness");
        expect(blueGreen.postPromotionAnalysis).toBeUndefined();
    });

    it("are scaled by their HPA through the Rollout", () => {
        const [service] = services(project({ services: [web({ autoscale: { min: 2, max: 4 }, strategy: "blueGreen" })] }));
        const hpa = service!.extras.find((o) => o.kind === "HorizontalPodAutoscaler") as any;
        expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: "web" });
        expect((service!.workload as any).spec.replicas).toBeUndefined();
    });

    it("reserve their whole new set in the quota check, not one surge pod", () => {
        const resources = { requests: { cpu: "500m", memory: "256Mi" }, limits: { memory: "512Mi" } };
        const rolling = projectFootprint(project({ services: [web({ replicas: 3, resources })] }));
        const blueGreen = projectFootprint(project({ services: [web({ replicas: 3, resources, strategy: "blueGreen" })] }));
        expect(rolling.requestsCpu).toBeCloseTo(4 * 0.5);
        expect(rolling.pods).toBe(4);
        expect(blueGreen.requestsCpu).toBeCloseTo(6 * 0.5);
        expect(blueGreen.requestsMemory).toBe(6 * 256 * 1024 ** 2);
        expect(blueGreen.pods).toBe(6);
    });

    it("refuse volumes and clustering, and the -preview suffix is reserved", () => {
        const issues = (doc: Record<string, unknown>) => {
            const result = projectSchema.safeParse({ name: "shop", owner: { name: "S", email: "s@example.com" }, quota: { cpu: "4", memory: "8Gi", storage: "50Gi", pods: 20 }, ...doc });
            return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
        };
        expect(issues({ services: [web({ strategy: "blueGreen", volumes: [{ name: "data", size: "1Gi", mountPath: "/data" }] })] })).toEqual([
            expect.stringMatching(/^services\.0\.strategy: a blue\/green service runs two versions at once/),
        ]);
        expect(issues({ services: [web({ strategy: "blueGreen", cluster: {} })] })).toEqual([expect.stringMatching(/^services\.0\.strategy: a blue\/green service/)]);
        expect(issues({ services: [web({ name: "web-preview" })] })).toEqual([expect.stringMatching(/^services\.0\.name: .*reserved.*\*-preview/)]);
        expect(issues({ services: [web({ strategy: "canary" })] }).length).toBeGreaterThan(0);
        expect(issues({ services: [web({ strategy: { type: "blueGreen", analysis: { maxErrorRate: 2 } } })] }).length).toBeGreaterThan(0);
    });
});
