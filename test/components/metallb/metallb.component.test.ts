import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { kubernetesObjects } from "../../../tools/offline/artifacts";
import { validateObject } from "../../helpers/k8s-schema";
import { dependencyNames, named, planComponent } from "../../helpers/component-plan";
import { shippedConfig } from "../../charts/fixtures";

let plan: StackPlan;

beforeAll(async () => {
    plan = await planComponent(async (provider) => {
        const { MetalLB } = await import("../../../components/metallb/metallb");
        const metallb = new MetalLB(
            "metallb",
            {
                config: shippedConfig("fsn1"),
                floatingIps: pulumi.output(["198.51.100.7", "198.51.100.8"]),
                floatingIpIds: pulumi.output(["101", "102"]),
                hcloudToken: pulumi.secret("hcloud-token-value"),
            },
            { provider: provider },
        );
        return { addresses: metallb.addresses, pool: metallb.addressPool };
    });
});

describe("MetalLB component", () => {
    it("registers the component with its type token and every child under it", () => {
        const component = named(plan, "metallb");
        expect(component.type).toBe("platform:addons:MetalLB");
        for (const child of plan.resources.filter((r) => r.name.startsWith("metallb-"))) {
            expect(child.parent, child.name).toBe(component.urn);
        }
    });

    it("installs the pinned chart and creates the custom resources only after it", () => {
        const release = named(plan, "metallb-release");
        expect(release.inputs).toMatchObject({ chart: "metallb", version: "0.16.1", namespace: "metallb-system" });
        expect(dependencyNames(plan, named(plan, "metallb-address-pool"))).toContain("metallb-release");
        expect(dependencyNames(plan, named(plan, "metallb-l2-advertisement"))).toContain("metallb-address-pool");
        expect(dependencyNames(plan, named(plan, "metallb-failover"))).toEqual(expect.arrayContaining(["metallb-release", "metallb-failover-token", "metallb-failover-config"]));
        expect((named(plan, "metallb-address-pool").inputs.spec as { addresses: string[] }).addresses).toEqual(["198.51.100.7/32", "198.51.100.8/32"]);
        expect((named(plan, "metallb-failover-config").inputs.data as Record<string, string>).bindings).toBe("101 198.51.100.7 traefik traefik\n102 198.51.100.8 traefik traefik-fip1\n");
    });

    it("keeps the hcloud token secret", () => {
        const token = named(plan, "metallb-failover-token");
        expect(token.secretInputs).toContain("stringData");
        expect(token.additionalSecretOutputs).toEqual(expect.arrayContaining(["data", "stringData"]));
        expect(token.inputs.stringData).toEqual({ token: "hcloud-token-value" });
    });

    it("registers only schema-valid objects apart from MetalLB's own kinds", () => {
        const results = kubernetesObjects(plan.resources).map(validateObject);
        expect(results.filter((r) => r.status === "invalid")).toEqual([]);
        expect(results.filter((r) => r.status === "no-schema").map((r) => r.id.split(" ")[0]).sort()).toEqual(["metallb.io/v1beta1/IPAddressPool", "metallb.io/v1beta1/L2Advertisement"]);
    });

    it("resolves its outputs", () => {
        expect(plan.outputs).toEqual({ addresses: ["198.51.100.7", "198.51.100.8"], pool: "floating-ips" });
    });
});
