import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { named, planComponent } from "../../helpers/component-plan";
import { copyPlainData, isPlainData } from "../../../tools/offline/mock-engine";

/**
 * The offline engine skips work a real engine needs and the plan does not (aliases, protobuf encoding,
 * re-serializing echoed state): these tests pin that the plan and the resolved outputs stay what the SDK's
 * own mock path produces.
 */
describe("offline mock engine", () => {
    it("records the same resource with or without aliases, and resolves echoed, computed and secret outputs", async () => {
        const plan = await planComponent(async (provider) => {
            const pulumi = await import("@pulumi/pulumi");
            const k8s = await import("@pulumi/kubernetes");
            const namespace = new k8s.core.v1.Namespace("ns", { metadata: { name: "shop" } }, { provider });
            const spec = { metadata: { name: "settings", namespace: "shop", labels: { app: "shop" } }, data: { mode: "fast" } };
            const aliased = new k8s.core.v1.ConfigMap("aliased", spec, { provider, dependsOn: [namespace], aliases: [{ name: "legacy-settings" }] });
            new k8s.core.v1.ConfigMap("plain", spec, { provider, dependsOn: [namespace] });
            const unnamed = new k8s.core.v1.ConfigMap("unnamed", { metadata: { namespace: "shop" }, data: {} }, { provider });
            const mixed = new k8s.core.v1.ConfigMap("mixed", { metadata: { name: "mixed", namespace: "shop" }, data: { user: "app", password: pulumi.secret("hunter2") } }, { provider });
            const secret = new k8s.core.v1.Secret(
                "credentials",
                { metadata: { name: "db", namespace: "shop" }, stringData: { user: "app", password: pulumi.secret("hunter2") } },
                { provider, additionalSecretOutputs: ["data"] },
            );
            return {
                echoed: aliased.data,
                computedName: unnamed.metadata.name,
                secretEcho: secret.stringData,
                // No additionalSecretOutputs here: the echoed state itself must carry the secret.
                mixedEcho: mixed.data,
            };
        });

        const aliased = named(plan, "aliased");
        const plain = named(plan, "plain");
        expect(aliased.inputs).toEqual(plain.inputs);
        expect(aliased.dependencies).toEqual(plain.dependencies);
        expect(aliased.dependencies).toEqual([named(plan, "ns").urn]);
        expect(aliased.urn).toBe(plain.urn.replace(/::plain$/, "::aliased"));

        // Secrets: unwrapped in memory (policies see them, as in a preview), redacted leaf by leaf on disk;
        // a subtree without a secret is shared, not copied.
        const mixed = named(plan, "mixed");
        expect(mixed.inputs.data).toEqual({ user: "app", password: "hunter2" });
        expect(mixed.redactedInputs?.data).toEqual({ user: "app", password: "[secret]" });
        expect(mixed.redactedInputs?.metadata).toBe(mixed.inputs.metadata);
        expect(mixed.secretInputs).toEqual(["data"]);
        // The Kubernetes SDK makes the whole of a Secret's stringData secret.
        const secret = named(plan, "credentials");
        expect(secret.inputs.stringData).toEqual({ user: "app", password: "hunter2" });
        expect(secret.redactedInputs?.stringData).toBe("[secret]");
        expect(secret.additionalSecretOutputs).toEqual(["data", "stringData"]);

        expect(plan.outputs.echoed).toEqual({ mode: "fast" });
        expect(plan.outputs.computedName).toMatch(/^unnamed-[0-9a-f]{1,8}$/);
        expect(plan.outputs.secretEcho).toBe("[secret]");
        expect(plan.outputs.mixedEcho).toBe("[secret]");
    });

    it("fails with an explanation when the program's outputs never settle, instead of exiting quietly", () => {
        const fixture = path.resolve(__dirname, "../../fixtures/never-settling-program.ts");
        const run = spawnSync(process.execPath, ["--import", "tsx", fixture], { encoding: "utf8", cwd: path.resolve(__dirname, "../../.."), timeout: 60_000 });
        expect(run.stdout).not.toContain("synthesized");
        expect(run.stderr).toContain("never settle");
        expect(run.status).toBe(1);
    });

    it("serializes plain data exactly as the SDK does, and leaves everything else to the SDK", async () => {
        const rpc = require("@pulumi/pulumi/runtime/rpc") as { serializeProperty(ctx: string, prop: unknown, deps: Set<unknown>): Promise<unknown> };
        const samples: unknown[] = [
            "text",
            0,
            false,
            null,
            [1, undefined, "two", null, () => 3, [undefined]],
            { keep: 1, dropped: undefined, fn: () => 1, nested: { list: [{ a: undefined, b: [true] }], empty: {} } },
            Object.assign(Object.create(null), { bare: "prototype-less object" }),
        ];
        for (const sample of samples) {
            expect(isPlainData(sample)).toBe(true);
            expect(copyPlainData(sample)).toStrictEqual(await rpc.serializeProperty("sample", sample, new Set()));
        }
        const special: unknown[] = [
            pulumi.output("x"),
            Promise.resolve("x"),
            new Date(0),
            { __pulumiOutput: true },
            { nested: [pulumi.secret("s")] },
            new pulumi.asset.StringAsset("x"),
        ];
        for (const value of special) {
            expect(isPlainData(value)).toBe(false);
        }
    });
});
