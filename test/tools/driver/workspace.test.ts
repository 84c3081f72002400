import { describe, expect, it } from "vitest";
import { redactOutputs, Redactor } from "../../../tools/driver/render";
import { outputsFromDeployment } from "../../../tools/driver/workspace";

// Shape of `pulumi stack export` (deployment version 3) for the stack resource; secrets stay encrypted.
const exported = {
    version: 3,
    deployment: {
        manifest: { time: "2025-11-22T21:00:00Z", magic: "x", version: "v3.248.0" },
        secrets_providers: { type: "passphrase", state: { salt: "v1:abc" } },
        resources: [
            { urn: "urn:pulumi:dev::platform::pulumi:providers:hcloud::default", type: "pulumi:providers:hcloud", outputs: { token: "ignored" } },
            {
                urn: "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev",
                type: "pulumi:pulumi:Stack",
                outputs: {
                    kubeconfig: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:kubeconfig-ciphertext" },
                    publicIps: ["203.0.113.24"],
                    nodes: { server: ["dev-server-0"], nested: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:nested" } },
                },
            },
        ],
    },
};

describe("stack outputs from an exported deployment", () => {
    it("reads the stack resource's outputs and flags encrypted ones as secret without decrypting", () => {
        const outputs = outputsFromDeployment(exported);
        expect(Object.keys(outputs).sort()).toEqual(["kubeconfig", "nodes", "publicIps"]);
        expect(outputs.kubeconfig?.secret).toBe(true);
        expect(outputs.publicIps).toEqual({ value: ["203.0.113.24"], secret: false });
        expect(outputs.nodes?.secret).toBe(false);
    });

    it("renders top-level and nested secrets as [secret]", () => {
        expect(redactOutputs(outputsFromDeployment(exported), new Redactor([]))).toEqual({
            kubeconfig: "[secret]",
            nodes: { nested: "[secret]", server: ["dev-server-0"] },
            publicIps: ["203.0.113.24"],
        });
    });

    it("returns no outputs for an empty or unexpected export", () => {
        expect(outputsFromDeployment({ version: 3, deployment: {} })).toEqual({});
        expect(outputsFromDeployment(undefined)).toEqual({});
    });
});
