import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { kubernetesObjects } from "../../../tools/offline/artifacts";
import { validateObject } from "../../helpers/k8s-schema";
import { dependencyNames, named, ofType, planComponent } from "../../helpers/component-plan";
import { shippedConfig } from "../../charts/fixtures";

let plan: StackPlan;
let secrecy: Record<string, boolean>;

beforeAll(async () => {
    plan = await planComponent(async (provider) => {
        const { Minio } = await import("../../../components/minio/minio");
        const minio = new Minio("minio", { config: shippedConfig("dev") }, { provider: provider });
        secrecy = {
            root: await pulumi.isSecret(minio.rootCredentials),
            loki: await pulumi.isSecret(minio.lokiCredentials),
        };
        return { endpoint: minio.endpoint, mode: minio.mode, root: minio.rootCredentials, loki: minio.lokiCredentials };
    });
});

describe("MinIO component", () => {
    it("generates root and user credentials with @pulumi/random, kept secret end to end", () => {
        const passwords = ofType(plan, "random:index/randomPassword:RandomPassword");
        expect(passwords.map((p) => p.name).sort()).toEqual(["minio-root-password", "minio-root-user", "minio-user-loki", "minio-user-longhorn"]);
        for (const p of passwords) {
            expect(p.additionalSecretOutputs, p.name).toContain("result");
        }
        for (const secret of ofType(plan, "kubernetes:core/v1:Secret")) {
            expect(secret.secretInputs, secret.name).toContain("stringData");
            expect(secret.additionalSecretOutputs, secret.name).toEqual(expect.arrayContaining(["data", "stringData"]));
        }
        expect(secrecy).toEqual({ root: true, loki: true });
        expect(plan.outputs).toMatchObject({ endpoint: "http://minio.minio.svc.cluster.local:9000", mode: "standalone", root: "[secret]", loki: "[secret]" });
    });

    it("writes the root Secret in the chart's existingSecret layout before the release", () => {
        const root = named(plan, "minio-root");
        expect(root.inputs.metadata).toMatchObject({ name: "minio-root", namespace: "minio" });
        expect(Object.keys(root.inputs.stringData as object).sort()).toEqual(["rootPassword", "rootUser"]);
        expect(dependencyNames(plan, named(plan, "minio-release"))).toEqual(expect.arrayContaining(["minio-root", "minio-users"]));
        expect(Object.keys(named(plan, "minio-users").inputs.stringData as object).sort()).toEqual(["loki", "longhorn"]);
    });

    it("hands Longhorn its backup user in longhorn-system", () => {
        const secret = named(plan, "minio-longhorn-backup-credentials");
        expect(secret.inputs.metadata).toMatchObject({ name: "longhorn-backup-target", namespace: "longhorn-system" });
        expect((secret.inputs.stringData as Record<string, string>).AWS_ACCESS_KEY_ID).toBe("longhorn");
        expect((secret.inputs.stringData as Record<string, string>).AWS_ENDPOINTS).toBe("http://minio.minio.svc.cluster.local:9000");
    });

    it("registers only schema-valid objects", () => {
        expect(kubernetesObjects(plan.resources).map(validateObject).filter((r) => r.status !== "valid")).toEqual([]);
    });
});
