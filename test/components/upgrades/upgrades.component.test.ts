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
        const { K3sUpgrades } = await import("../../../components/upgrades/k3s-upgrades");
        const { NodeReboots } = await import("../../../components/upgrades/node-reboots");
        const config = shippedConfig("fsn1");
        // Stand-in for the platform add-ons the Plans wait for.
        const addons = new random.RandomString("addons-settled", { length: 4 });
        const upgrades = new K3sUpgrades("up", { config, plansAfter: [addons] }, { provider });
        const reboots = new NodeReboots("rb", { config }, { provider });
        return { version: upgrades.k3sVersion, plans: upgrades.planNames, window: reboots.rebootWindow };
    });
});

describe("K3sUpgrades component", () => {
    it("creates the server Plan before the agent Plan, both after the CRD, the controller and the add-ons", () => {
        const server = named(plan, "up-plan-server");
        const agent = named(plan, "up-plan-agent");
        expect(dependencyNames(plan, server)).toEqual(expect.arrayContaining(["up-plan-crd", "up-controller", "addons-settled"]));
        expect(dependencyNames(plan, agent)).toEqual(expect.arrayContaining(["up-plan-crd", "up-controller", "up-plan-server", "addons-settled"]));
        expect(dependencyNames(plan, server)).not.toContain("up-plan-agent");
        expect(server.inputs).toMatchObject({ apiVersion: "upgrade.cattle.io/v1", kind: "Plan", spec: { version: "v1.31.6+k3s1", concurrency: 1, cordon: true } });
        expect(plan.outputs).toMatchObject({ version: "v1.31.6+k3s1", plans: ["k3s-server", "k3s-agent"] });
    });

    it("puts every namespaced object into the privileged system-upgrade namespace, created first", () => {
        const namespace = named(plan, "up-namespace");
        expect(namespace.inputs.metadata).toMatchObject({ name: "system-upgrade", labels: { "pod-security.kubernetes.io/enforce": "privileged" } });
        for (const name of ["up-service-account", "up-controller-env", "up-role", "up-role-binding"]) {
            expect(dependencyNames(plan, named(plan, name)), name).toContain("up-namespace");
        }
    });

    it("registers only schema-valid objects, Plans included (validated against the committed CRD)", () => {
        const results = kubernetesObjects(plan.resources).map(validateObject);
        expect(results.filter((r) => r.status !== "valid")).toEqual([]);
        expect(results.map((r) => r.id)).toEqual(expect.arrayContaining(["upgrade.cattle.io/v1/Plan k3s-server", "upgrade.cattle.io/v1/Plan k3s-agent"]));
    });
});

describe("NodeReboots component", () => {
    it("installs the pinned kured chart into its own privileged namespace, one node at a time, in the window", () => {
        const [release] = ofType(plan, "kubernetes:helm.sh/v3:Release");
        expect(release!.inputs).toMatchObject({ chart: "kured", version: "6.1.0", namespace: "kured", repositoryOpts: { repo: "https://kubereboot.github.io/charts" } });
        expect(dependencyNames(plan, release!)).toEqual(["rb-namespace"]);
        expect(named(plan, "rb-namespace").inputs.metadata).toMatchObject({ name: "kured", labels: { "pod-security.kubernetes.io/enforce": "privileged" } });
        const values = release!.inputs.values as { configuration: Record<string, unknown> };
        expect(values.configuration).toMatchObject({ concurrency: 1, startTime: "02:00", endTime: "05:00", timeZone: "UTC" });
        expect(plan.outputs.window).toBe("mo,tu,we,th,fr,sa,su 02:00-05:00 UTC");
    });
});
