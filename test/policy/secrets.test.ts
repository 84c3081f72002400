import { describe, expect, it } from "vitest";
import { credentialResources, kubeconfigCommand, kubernetesSecret, planned, privateKey, randomPassword, tailnetKey, violationsOf } from "../helpers/policy-fixtures";
import { CREDENTIAL_OUTPUTS } from "../../policy/lib/credentials";
import { evaluatePolicyReport } from "../../policy/offline";
import { caseOf, describeRule } from "./rule-cases";
import { secretsCredentialOutputs } from "../../policy/rules/secrets/credential-outputs";

describeRule(
    secretsCredentialOutputs,
    credentialResources,
    [
        caseOf("kubeconfig stdout not secret", kubeconfigCommand({ additionalSecretOutputs: [] }), ["outputs stdout hold a kubeconfig or k3s join token printed by the command but are not in additionalSecretOutputs"]),
        caseOf(
            "kubeconfig named on a local command",
            planned("command:local:Command", "fetch", { create: "scp root@server:/etc/rancher/k3s/k3s.yaml - | sed s/127.0.0.1/server/" }),
            ["outputs stdout hold a kubeconfig or k3s join token printed by the command but are not in additionalSecretOutputs"],
        ),
        caseOf(
            "k3s join token read back without secret stdout",
            planned("command:remote:Command", "token", { create: "#!/usr/bin/env bash\ncat /var/lib/rancher/k3s/server/token\n" }),
            ["outputs stdout hold a kubeconfig or k3s join token printed by the command but are not in additionalSecretOutputs"],
        ),
        caseOf("auth key not secret", { ...tailnetKey({}, "k"), additionalSecretOutputs: [] }, ["outputs key hold the tailnet auth key but are not in additionalSecretOutputs"]),
        caseOf("private key PEM not secret", privateKey({ additionalSecretOutputs: ["privateKeyOpenssh"] }), ["outputs privateKeyPem hold the private key but are not in additionalSecretOutputs"]),
        caseOf("private key OpenSSH not secret", privateKey({ additionalSecretOutputs: ["privateKeyPem"] }), ["outputs privateKeyOpenssh hold the private key but are not in additionalSecretOutputs"]),
        caseOf("password not secret", randomPassword({ additionalSecretOutputs: [] }), ["outputs result hold the generated password but are not in additionalSecretOutputs"]),
        caseOf("Secret with plain stringData", kubernetesSecret("shop", { additionalSecretOutputs: [], secretInputs: [] }), [
            "outputs data, stringData hold the Secret's values but are not in additionalSecretOutputs",
        ]),
        caseOf("Secret with plain data beside secret stringData", { ...kubernetesSecret("shop", { additionalSecretOutputs: [], secretInputs: ["stringData"] }), inputs: { kind: "Secret", metadata: { name: "s", namespace: "shop" }, data: { k: "dg==" }, stringData: { K: "v" } } }, [
            "outputs data, stringData hold the Secret's values but are not in additionalSecretOutputs",
        ]),
        caseOf("Secret with plain data, only stringData listed", { ...kubernetesSecret("shop", { additionalSecretOutputs: ["stringData"], secretInputs: [] }), inputs: { kind: "Secret", metadata: { name: "s", namespace: "shop" }, data: { k: "dg==" } } }, [
            "outputs data hold the Secret's values but are not in additionalSecretOutputs",
        ]),
    ],
    [
        { title: "a Secret whose input was secret (offline: secretInputs)", resources: [kubernetesSecret("shop", { additionalSecretOutputs: [], secretInputs: ["stringData"] })] },
        { title: "a Secret whose secret stringData comes with data: null", resources: [{ ...kubernetesSecret("shop", { additionalSecretOutputs: [], secretInputs: ["stringData"] }), inputs: { kind: "Secret", metadata: { name: "s", namespace: "shop" }, data: null, stringData: { K: "v" } } }] },
        { title: "a Secret without values", resources: [{ ...kubernetesSecret("shop", { additionalSecretOutputs: [] }), inputs: { kind: "Secret", metadata: { name: "empty" }, type: "Opaque" } }] },
        { title: "commands that do not read a kubeconfig", resources: [planned("command:remote:Command", "start", { create: "systemctl restart k3s" })] },
    ],
);

describe("credential table", () => {
    it("names every type the catalogue lists", () => {
        expect(CREDENTIAL_OUTPUTS.map((row) => row.type)).toEqual([
            "command:remote:Command",
            "command:local:Command",
            "tailscale:index/tailnetKey:TailnetKey",
            "tls:index/privateKey:PrivateKey",
            "random:index/randomPassword:RandomPassword",
            "kubernetes:core/v1:Secret",
        ]);
    });

    it("only accepts secret inputs for Secrets (a secret input does not make a generated output secret)", () => {
        const password = randomPassword({ additionalSecretOutputs: [], secretInputs: ["length"] });
        expect(violationsOf("secrets-credential-outputs", [password]).map((v) => v.message)).toEqual(["outputs result hold the generated password but are not in additionalSecretOutputs"]);
    });

    it("is not applicable to commands without a kubeconfig", () => {
        const report = evaluatePolicyReport([planned("command:remote:Command", "start", { create: "systemctl restart k3s" })]);
        expect(report.notApplicable).toContainEqual({ policy: "secrets-credential-outputs", urn: planned("command:remote:Command", "start", {}).urn, reason: "no credential outputs for these inputs" });
    });
});

describe("secrets-credential-outputs as CrossGuard calls it in a real preview", () => {
    /** Validation args without the offline `secretInputs` and with options as the engine may leave them. */
    const previewArgs = (resource: ReturnType<typeof kubernetesSecret>, opts: Record<string, unknown>) => ({
        type: resource.type,
        props: resource.inputs,
        urn: resource.urn,
        name: resource.name,
        opts,
        isType: () => false,
        asType: () => undefined,
        getConfig: () => ({}),
        stackTags: new Map<string, string>(),
        notApplicable: (reason?: string) => {
            throw new Error(`not applicable: ${reason}`);
        },
    });
    const run = (resource: ReturnType<typeof kubernetesSecret>, opts: Record<string, unknown>) => {
        const messages: string[] = [];
        (secretsCredentialOutputs.validateResource as (args: unknown, report: (message: string) => void) => void)(previewArgs(resource, opts), (message) => messages.push(message));
        return messages;
    };

    it("demands additionalSecretOutputs outright: no secretInputs, and none listed", () => {
        expect(run(kubernetesSecret(), {})).toEqual(["outputs data, stringData hold the Secret's values but are not in additionalSecretOutputs"]);
    });

    it("passes a Secret that lists both outputs", () => {
        expect(run(kubernetesSecret(), { additionalSecretOutputs: ["data", "stringData"] })).toEqual([]);
    });
});
