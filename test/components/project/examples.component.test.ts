import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { planComponent } from "../../helpers/component-plan";
import { kubernetesObjects } from "../../../tools/offline/artifacts";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { validateObject } from "../../helpers/k8s-schema";
import { everyExample, wholeProjects } from "./fixtures";

/**
 * Every example tenant of every stack through the Project component under the mock engine, each with
 * its stack's config and synthetic secret values (as the offline plan provides them).
 */

const examples = everyExample();
let plan: StackPlan;

beforeAll(async () => {
    plan = await planComponent(
        async (provider) => {
            const wholeProject = await wholeProjects();
            const outputs: Record<string, unknown> = {};
            for (const { stack, spec, config } of examples) {
                const values = Object.fromEntries([...new Set(spec.services.flatMap((s) => s.secretEnv))].map((n) => [n, `synthetic-${n}`]));
                const project = wholeProject(`${stack}-${spec.name}`, { project: spec, config, secretValues: pulumi.secret(values) }, { provider });
                outputs[`${stack}-${spec.name}-urls`] = project.urls;
                outputs[`${stack}-${spec.name}-credentials`] = project.databaseCredentials;
            }
            return outputs;
        },
        {},
        "examples",
    );
});

describe("example tenants under the mock engine", () => {
    it("register one Project per example file", () => {
        expect(plan.resources.filter((r) => r.type === "platform:project:Project").map((r) => r.name).sort()).toEqual(examples.map((e) => `${e.stack}-${e.spec.name}`).sort());
    });

    it("register only schema-valid Kubernetes objects, the same number the renderers produce", () => {
        const objects = kubernetesObjects(plan.resources);
        // Besides the renderers' objects: per project its deployer (ServiceAccount, token Secret, Role, RoleBinding), and the deployers' namespace.
        expect(objects.length).toBe(examples.reduce((n, e) => n + e.objects.length + 4, 0) + 1);
        expect(objects.map(validateObject).filter((r) => r.status !== "valid")).toEqual([]);
    });

    it("keep every Secret and generated credential secret", () => {
        for (const secret of plan.resources.filter((r) => r.type === "kubernetes:core/v1:Secret")) {
            // A deployer's token Secret has no input data: the token controller fills it.
            if (secret.inputs.type !== "kubernetes.io/service-account-token") {
                expect(secret.secretInputs, secret.name).toContain("stringData");
            }
            expect(secret.additionalSecretOutputs, secret.name).toEqual(expect.arrayContaining(["data", "stringData"]));
        }
        for (const password of plan.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword")) {
            expect(password.additionalSecretOutputs, password.name).toContain("result");
        }
        for (const { stack, spec } of examples) {
            expect(plan.outputs[`${stack}-${spec.name}-credentials`]).toBe("[secret]");
        }
    });

    it("resolve the public URLs", () => {
        expect(plan.outputs["fsn1-cars-urls"]).toEqual([
            "https://frontend.cars.fsn1.platform.example.com/",
            "https://cars.example.org/",
            "https://backend.cars.fsn1.platform.example.com/",
        ]);
        // The gateway's passthrough endpoint is public too (TLS reaches the gateway untouched).
        expect(plan.outputs["fsn1-caracal-urls"]).toEqual(["https://gateway.caracal.fsn1.platform.example.com/", "https://gateway.caracal.example.net/"]);
        // P2P entry points are not URLs; RPC stays inside the namespace.
        expect(plan.outputs["fsn1-chain-nodes-urls"]).toEqual([]);
    });
});
