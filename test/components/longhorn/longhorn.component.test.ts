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
        const random = await import("@pulumi/random");
        const { Longhorn } = await import("../../../components/longhorn/longhorn");
        const opts = { provider: provider };
        // Stand-ins for the cluster's per-node "started" commands.
        const ready = new Map<string, pulumi.Resource>(
            ["fsn1-run-0", "fsn1-run-1", "fsn1-run-2"].map((n) => [n, new random.RandomString(`${n}-ready`, { length: 4 })]),
        );
        // Stand-in for the Prometheus Operator CRDs release.
        const monitoringCrds = new random.RandomString("monitoring-crds", { length: 4 });
        const external = new Longhorn(
            "lh",
            {
                config: shippedConfig("fsn1"),
                secrets: { backupS3: { accessKey: pulumi.secret("AKIA-test"), secretKey: pulumi.secret("backup-secret-value") } },
                nodeReady: ready,
                platform: { "api-group:monitoring.coreos.com": [monitoringCrds] },
            },
            opts,
        );
        return { replicas: external.replicaCount, classes: external.storageClasses };
        // Node names carry the stack name: plan as stack fsn1.
    }, {}, "fsn1");
});

describe("Longhorn component", () => {
    it("labels each storage node after it is Ready and before the chart", () => {
        const patches = ofType(plan, "kubernetes:core/v1:NodePatch");
        expect(patches.map((p) => (p.inputs.metadata as { name: string }).name).sort()).toEqual(["fsn1-run-0", "fsn1-run-1", "fsn1-run-2"]);
        for (const patch of patches) {
            expect(dependencyNames(plan, patch)).toEqual([`${(patch.inputs.metadata as { name: string }).name}-ready`]);
        }
        expect(dependencyNames(plan, named(plan, "lh-release"))).toEqual(expect.arrayContaining([...patches.map((p) => p.name), "lh-backup-credentials"]));
    });

    it("creates RecurringJobs after the chart (its CRDs), the StorageClasses beside it (their claims wait for the CSI driver in the cluster)", () => {
        for (const name of ["lh-job-snapshot-6h", "lh-job-backup-nightly"]) {
            expect(dependencyNames(plan, named(plan, name)), name).toContain("lh-release");
        }
        for (const name of ["lh-sc-standard", "lh-sc-fast"]) {
            expect(dependencyNames(plan, named(plan, name)), name).not.toContain("lh-release");
        }
        expect(named(plan, "lh-release").inputs).toMatchObject({ chart: "longhorn", version: "1.12.1", namespace: "longhorn-system" });
    });

    it("installs the chart without its ServiceMonitor and creates the chart's ServiceMonitor after the release and the Prometheus Operator CRDs", () => {
        expect(dependencyNames(plan, named(plan, "lh-release"))).not.toContain("monitoring-crds");
        expect((named(plan, "lh-release").inputs.values as { metrics: { serviceMonitor: { enabled: boolean } } }).metrics.serviceMonitor.enabled).toBe(false);
        const monitor = named(plan, "lh-service-monitor");
        expect(monitor.type).toBe("kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
        expect(dependencyNames(plan, monitor)).toEqual(expect.arrayContaining(["lh-release", "monitoring-crds"]));
        // As longhorn/longhorn@v1.12.1:chart/templates/servicemonitor.yaml renders it (name, selector, namespace, port).
        expect(monitor.inputs).toMatchObject({
            metadata: { name: "longhorn-prometheus-servicemonitor", namespace: "longhorn-system" },
            spec: { selector: { matchLabels: { app: "longhorn-manager" } }, namespaceSelector: { matchNames: ["longhorn-system"] }, endpoints: [{ port: "manager", interval: "60s" }] },
        });
    });

    it("keeps the external backup credentials secret", () => {
        const secret = named(plan, "lh-backup-credentials");
        expect(secret.inputs.stringData).toEqual({ AWS_ACCESS_KEY_ID: "AKIA-test", AWS_SECRET_ACCESS_KEY: "backup-secret-value", AWS_ENDPOINTS: "https://fsn1.your-objectstorage.com" });
        expect(secret.secretInputs).toContain("stringData");
        expect(secret.additionalSecretOutputs).toEqual(expect.arrayContaining(["data", "stringData"]));
    });

    it("registers schema-valid objects (RecurringJobs have no schema package)", () => {
        const results = kubernetesObjects(plan.resources).map(validateObject);
        expect(results.filter((r) => r.status === "invalid")).toEqual([]);
        expect([...new Set(results.filter((r) => r.status === "no-schema").map((r) => r.id.split(" ")[0]))]).toEqual(["longhorn.io/v1beta2/RecurringJob"]);
        expect(plan.outputs).toEqual({ replicas: 3, classes: ["standard", "fast"] });
    });
});
