import { asRecord, asString } from "./values";

/**
 * Which outputs of which resources carry credentials, and must therefore be listed in
 * `additionalSecretOutputs` (policies see every value unwrapped, so secrecy is judged from the options).
 */

/** One row of the credential table. */
export interface CredentialOutputs {
    /** Resource type token. */
    type: string;
    /** What the outputs hold, for messages and the README. */
    holds: string;
    /** Outputs that must be secret, given the resource's inputs (empty: nothing to protect). */
    outputs: (props: Record<string, unknown>) => string[];
    /**
     * Inputs whose secrecy carries over to the outputs: when every one of them that is present was a secret
     * input, the outputs are secret without `additionalSecretOutputs`.
     */
    secretInputsSuffice?: readonly string[];
}

/**
 * Whether a command's script reads a kubeconfig (k3s writes it to /etc/rancher/k3s/k3s.yaml) or a k3s join
 * token (/var/lib/rancher/k3s/server/token and node-token: whoever holds one can join a node or a server).
 */
export function readsClusterCredential(props: Record<string, unknown>): boolean {
    return ["create", "update"].some((key) => /k3s\.yaml|kubeconfig|\/var\/lib\/rancher\/k3s\/server\/(node-)?token/i.test(asString(props[key]) ?? ""));
}

const present = (value: unknown) => value !== undefined && value !== null && !(asRecord(value) && Object.keys(value as object).length === 0);

/** The credential table. */
export const CREDENTIAL_OUTPUTS: readonly CredentialOutputs[] = [
    { type: "command:remote:Command", holds: "a kubeconfig or k3s join token printed by the command", outputs: (p) => (readsClusterCredential(p) ? ["stdout"] : []) },
    { type: "command:local:Command", holds: "a kubeconfig or k3s join token printed by the command", outputs: (p) => (readsClusterCredential(p) ? ["stdout"] : []) },
    { type: "tailscale:index/tailnetKey:TailnetKey", holds: "the tailnet auth key", outputs: () => ["key"] },
    { type: "tls:index/privateKey:PrivateKey", holds: "the private key", outputs: () => ["privateKeyPem", "privateKeyOpenssh"] },
    { type: "random:index/randomPassword:RandomPassword", holds: "the generated password", outputs: () => ["result"] },
    {
        type: "kubernetes:core/v1:Secret",
        holds: "the Secret's values",
        // The API server folds stringData into data, so both outputs hold the values whichever input was used.
        outputs: (p) => (present(p.data) || present(p.stringData) ? ["data", "stringData"] : []),
        secretInputsSuffice: ["data", "stringData"],
    },
];

/** The table row of a type. */
export function credentialOutputsOf(type: string): CredentialOutputs | undefined {
    return CREDENTIAL_OUTPUTS.find((row) => row.type === type);
}
