import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { resolve, setupMocks, type Registration } from "../../helpers/mock-pulumi";
import { validateObject } from "../../helpers/k8s-schema";
import { shippedConfig } from "../../charts/fixtures";

/** The Traefik component under the mock engine, through the shared `setupMocks` helper. */

let registrations: Registration[];
let outputs: { ingressClass: string; middlewares: string[]; addresses: string[] };

beforeAll(async () => {
    registrations = await setupMocks("test");
    const k8s = await import("@pulumi/kubernetes");
    const { Traefik } = await import("../../../components/traefik/traefik");
    const provider = new k8s.Provider("k8s", { kubeconfig: "mock", clusterIdentifier: "test" });
    const traefik = new Traefik("traefik", { config: shippedConfig("fsn1"), floatingIps: pulumi.output(["198.51.100.7", "198.51.100.8"]) }, { provider });
    outputs = {
        ingressClass: await resolve(traefik.ingressClass),
        middlewares: await resolve(traefik.middlewares),
        addresses: await resolve(traefik.addresses),
    };
    // Children whose inputs wait on outputs register later than the component's outputs resolve.
    for (let quiet = 0; quiet < 20; ) {
        const before = registrations.length;
        await new Promise((done) => setTimeout(done, 10));
        quiet = registrations.length === before ? quiet + 1 : 0;
    }
});

describe("Traefik component", () => {
    it("registers the namespace, pinned release and the two custom resources", () => {
        // (The mock monitor reports custom resources only; the component's type token is checked in the MetalLB test's harness.)
        const release = registrations.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
        expect(release.inputs).toMatchObject({ chart: "traefik", version: "41.3.0", namespace: "traefik", repositoryOpts: { repo: "https://traefik.github.io/charts" } });
        expect(release.inputs.values.deployment.replicas).toBe(2);
        expect(release.inputs.values.service.additionalServices.fip1.annotations).toEqual({ "metallb.io/loadBalancerIPs": "198.51.100.8" });
        const kinds = registrations.filter((r) => r.custom && r.inputs.kind).map((r) => r.inputs.kind).sort();
        expect(kinds).toEqual(["Middleware", "Namespace", "TLSOption"]);
    });

    it("creates only schema-valid objects", () => {
        for (const r of registrations.filter((x) => x.custom && x.inputs.kind)) {
            expect(validateObject(r.inputs as { apiVersion: string; kind: string }), r.name).toMatchObject({ status: "valid" });
        }
    });

    it("resolves its outputs", () => {
        expect(outputs).toEqual({ ingressClass: "traefik", middlewares: ["traefik-security-headers@kubernetescrd"], addresses: ["198.51.100.7", "198.51.100.8"] });
    });
});
