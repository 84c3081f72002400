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
        const { CertManager } = await import("../../../components/cert-manager/cert-manager");
        const opts = { provider: provider };
        const withDns = new CertManager("cm", { config: shippedConfig("hel1"), secrets: { hetznerDnsToken: pulumi.secret("dns-token-value") } }, opts);
        return { issuers: withDns.issuers };
    });
});

describe("cert-manager component", () => {
    it("orders Release → webhook → ClusterIssuers", () => {
        expect(named(plan, "cm").type).toBe("platform:addons:CertManager");
        expect(named(plan, "cm-release").inputs).toMatchObject({ chart: "cert-manager", version: "v1.21.1", namespace: "cert-manager" });
        expect(dependencyNames(plan, named(plan, "cm-hetzner-webhook"))).toEqual(expect.arrayContaining(["cm-release", "cm-hetzner-dns-token"]));
        for (const issuer of ["cm-letsencrypt-staging", "cm-letsencrypt-production"]) {
            expect(dependencyNames(plan, named(plan, issuer))).toEqual(expect.arrayContaining(["cm-release", "cm-hetzner-webhook"]));
        }
    });

    it("stores the Hetzner token as a secret in the Secret the issuers name", () => {
        const token = named(plan, "cm-hetzner-dns-token");
        expect(token.inputs.metadata).toMatchObject({ name: "hetzner-dns-token", namespace: "cert-manager" });
        expect(token.inputs.stringData).toEqual({ token: "dns-token-value" });
        expect(token.secretInputs).toContain("stringData");
        expect(token.additionalSecretOutputs).toEqual(expect.arrayContaining(["data", "stringData"]));
    });

    it("registers only schema-valid objects", () => {
        expect(kubernetesObjects(plan.resources).map(validateObject).filter((r) => r.status !== "valid")).toEqual([]);
        expect(plan.outputs.issuers).toEqual({ staging: "letsencrypt-staging", production: "letsencrypt-production" });
    });

    it("refuses DNS-01 without the token", async () => {
        const { CertManager } = await import("../../../components/cert-manager/cert-manager");
        expect(() => new CertManager("no-token", { config: shippedConfig("hel1"), secrets: {} })).toThrow(/hetznerDnsToken/);
    });
});
