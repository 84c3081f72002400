import { describe, expect, it } from "vitest";
import { missingSecrets } from "../../../tools/offline/secret-commands";
import type { PlannedResource } from "../../../tools/offline/plan-types";

const resource = (inputs: Record<string, unknown>, secretInputs: string[]): PlannedResource => ({ urn: "u", type: "t", name: "n", custom: true, inputs, secretInputs, additionalSecretOutputs: [], dependencies: [] });

describe("secrets a real deploy still needs", () => {
    it("lists the invented secrets whose value reached a secret input (plain, base64 or nested), as config set commands", () => {
        const secrets = {
            "hcloud:token": "offline-synthetic-hcloud-token",
            "platform:robotPassword": "offline-synthetic-robotPassword",
            "platform:etcdS3SecretKey": "offline-synthetic-etcdS3SecretKey",
            "platform:tenantSecrets": JSON.stringify({ shop: { API_KEY: "offline-synthetic-shop-API_KEY", UNUSED: "offline-synthetic-shop-UNUSED" } }),
            "tailscale:tailnet": "example.com-offline",
        };
        const resources = [
            resource({ stringData: { token: "offline-synthetic-hcloud-token" }, name: "offline-synthetic-robotPassword" }, ["stringData"]),
            resource({ userData: Buffer.from("key=offline-synthetic-etcdS3SecretKey\n").toString("base64").slice(0) }, ["userData"]),
            resource({ stringData: { API_KEY: "offline-synthetic-shop-API_KEY" } }, ["stringData"]),
            resource({ tailnet: "example.com-offline" }, ["tailnet"]),
        ];
        expect(missingSecrets(resources, secrets, {}).map((s) => s.command)).toEqual([
            "pulumi config set --secret hcloud:token <value>",
            "pulumi config set --secret platform:etcdS3SecretKey <value>",
            "pulumi config set --secret --path 'platform:tenantSecrets.shop.API_KEY' <value>",
            "pulumi config set tailscale:tailnet <value>",
        ]);
        // A key the stack file sets (a secure: value) is on the real stack already.
        expect(missingSecrets(resources, secrets, { "hcloud:token": "secure-offline" }).map((s) => s.key)).not.toContain("hcloud:token");
    });
});
