import { beforeAll, describe, expect, it } from "vitest";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { named, planComponent } from "../../helpers/component-plan";
import { shippedConfig } from "../../charts/fixtures";
import { renderedReleases } from "../../../charts/rendered-facts";

let plan: StackPlan;
const config = shippedConfig("fsn1");

beforeAll(async () => {
    plan = await planComponent(async (provider) => {
        const { ArgoRollouts } = await import("../../../components/argo-rollouts/argo-rollouts");
        const rollouts = new ArgoRollouts("rollouts", { config }, { provider });
        return { release: rollouts.releaseName };
    });
});

describe("Argo Rollouts component", () => {
    it("installs the pinned chart with its CRDs into a restricted namespace of its own, after the namespace, atomically", () => {
        expect(named(plan, "rollouts").type).toBe("platform:addons:ArgoRollouts");
        const namespace = named(plan, "rollouts-namespace");
        expect(namespace.inputs.metadata).toMatchObject({ name: "argo-rollouts", labels: { "pod-security.kubernetes.io/enforce": "restricted" } });
        const release = named(plan, "rollouts-release");
        expect(release.parent).toBe(named(plan, "rollouts").urn);
        expect(release.dependencies).toContain(namespace.urn);
        expect(release.inputs).toMatchObject({
            chart: "argo-rollouts",
            version: "2.41.0",
            repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" },
            namespace: "argo-rollouts",
            atomic: true,
            skipAwait: false,
        });
        const values = release.inputs.values as Record<string, any>;
        expect(values).toMatchObject({ installCRDs: true, keepCRDs: true, providerRBAC: { enabled: false }, dashboard: { enabled: false }, createClusterAggregateRoles: false });
        expect(values.controller).toMatchObject({ replicas: 2, tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }], metrics: { serviceMonitor: { enabled: true } } });
        expect(plan.outputs.release).toBe("argo-rollouts");
    });

    it("renders, with real Helm at the pinned tag, five argoproj.io CRDs and one controller from quay.io (the rendered facts)", () => {
        for (const stack of ["dev", "fsn1", "hel1"]) {
            const facts = renderedReleases(stack).find((f) => f.chart === "argo-rollouts")!;
            expect(facts, stack).toBeDefined();
            expect(facts.kinds.CustomResourceDefinition, stack).toBe(5);
            expect(facts.crdsDirectoryCrds, stack).toEqual([]);
            expect(facts.images, stack).toEqual(["quay.io/argoproj/argo-rollouts:v1.9.0"]);
            expect(facts.workloads.map((w) => w.containers.map((c) => c.requests)), stack).not.toContainEqual([{}]);
        }
    });
});
