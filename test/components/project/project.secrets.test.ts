import type { CustomResourceOptions, Output } from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { planComponent } from "../../helpers/component-plan";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { project, stackPlatformConfig, wholeProjects } from "./fixtures";

/**
 * Secrecy the Project component sets itself. The Kubernetes and random SDKs mark a Secret's data and a
 * password's result secret on their own, which would hide a component that forgot to; here both classes are
 * replaced by plain resources of the same type that add nothing, so what the engine records (secret inputs,
 * `additionalSecretOutputs`) is what the component passed.
 */

vi.mock("@pulumi/kubernetes", async (importOriginal) => {
    const original = await importOriginal<typeof import("@pulumi/kubernetes")>();
    const sdk = await import("@pulumi/pulumi");
    class PlainSecret extends sdk.CustomResource {
        declare readonly data: Output<Record<string, string> | undefined>;
        /** A read (as the deployer's token Secret is read back), like the SDK's own `get`. */
        static get(name: string, id: string | Output<string>, opts?: CustomResourceOptions): PlainSecret {
            return new PlainSecret(name, { data: undefined }, { ...opts, id });
        }
        constructor(name: string, args: Record<string, unknown>, opts?: CustomResourceOptions) {
            super("kubernetes:core/v1:Secret", name, { apiVersion: "v1", kind: "Secret", data: undefined, ...args }, opts);
        }
    }
    return { ...original, core: { ...original.core, v1: { ...original.core.v1, Secret: PlainSecret } } };
});

vi.mock("@pulumi/random", async (importOriginal) => {
    const original = await importOriginal<typeof import("@pulumi/random")>();
    const sdk = await import("@pulumi/pulumi");
    class PlainRandomPassword extends sdk.CustomResource {
        declare readonly result: Output<string>;
        constructor(name: string, args: Record<string, unknown>, opts?: CustomResourceOptions) {
            super("random:index/randomPassword:RandomPassword", name, { ...args, result: undefined, bcryptHash: undefined }, opts);
        }
    }
    return { ...original, RandomPassword: PlainRandomPassword };
});

const config = stackPlatformConfig("fsn1");
const spec = project({
    services: [{ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, secretEnv: ["API_KEY"] }],
    database: { engine: "postgresql" },
    bucket: { name: "media" },
});

let plan: StackPlan;

beforeAll(async () => {
    plan = await planComponent(async (provider) => {
        const wholeProject = await wholeProjects();
        // Plain (not secret) values: only the component's own wrapping can make the app Secret's data secret.
        const shop = wholeProject("shop", { project: spec, config, secretValues: { API_KEY: "plain-value" } }, { provider });
        return { databaseCredentials: shop.databaseCredentials };
    });
});

describe("Project secrecy, as the component sets it", () => {
    it("runs with the SDKs' own marking removed", async () => {
        const k8s = await import("@pulumi/kubernetes");
        expect(k8s.core.v1.Secret.name).toBe("PlainSecret");
        const secrets = plan.resources.filter((r) => r.type === "kubernetes:core/v1:Secret");
        expect(secrets.map((s) => s.name).sort()).toEqual(["shop-deployer-token", "shop-secret-app-secrets", "shop-secret-bucket-credentials", "shop-secret-database-credentials", "shop-secret-minio-bucket-shop"]);
    });

    it("wraps every Secret's stringData in pulumi.secret and asks for data and stringData as secret outputs", () => {
        for (const secret of plan.resources.filter((r) => r.type === "kubernetes:core/v1:Secret")) {
            // The deployer's token Secret has no input data (the token controller fills it); its outputs are secret.
            expect(secret.secretInputs, secret.name).toEqual(secret.inputs.type === "kubernetes.io/service-account-token" ? [] : ["stringData"]);
            expect([...secret.additionalSecretOutputs].sort(), secret.name).toEqual(["data", "stringData"]);
        }
    });

    it("asks for every generated password's result as a secret output", () => {
        const passwords = plan.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
        expect(passwords.map((p) => p.name).sort()).toEqual(["shop-bucket-access-key", "shop-bucket-secret-key", "shop-database-password", "shop-database-root-password"]);
        for (const password of passwords) {
            expect(password.additionalSecretOutputs, password.name).toEqual(["result"]);
        }
    });

    it("exports the database credentials as a secret", () => {
        expect(plan.outputs.databaseCredentials).toBe("[secret]");
    });
});
