import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { withServerContexts } from "../../../components/cluster/kubeconfig";
import { rewriteKubeconfig } from "../../../components/cluster/k3s-join";

const K3S_KUBECONFIG = [
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    "    certificate-authority-data: Q0E=",
    "    server: https://127.0.0.1:6443",
    "  name: default",
    "contexts:",
    "- context:",
    "    cluster: default",
    "    user: default",
    "  name: default",
    "current-context: default",
    "kind: Config",
    "users:",
    "- name: default",
    "  user:",
    "    client-key-data: S0VZ",
].join("\n");

describe("kubeconfig with a context per server", () => {
    it("keeps the first server current and reaches the cluster through every other server with the same CA and user", () => {
        const first = rewriteKubeconfig(K3S_KUBECONFIG, "fsn1-server-0.tail1.ts.net", "platform-fsn1");
        const doc = yaml.load(
            withServerContexts(first, "platform-fsn1", [
                { hostname: "fsn1-server-1", tailnetName: "fsn1-server-1.tail1.ts.net" },
                { hostname: "fsn1-server-2", tailnetName: "fsn1-server-2-1.tail1.ts.net" },
            ]),
        ) as any;
        expect(doc["current-context"]).toBe("platform-fsn1");
        expect(doc.clusters.map((c: any) => [c.name, c.cluster.server, c.cluster["certificate-authority-data"]])).toEqual([
            ["platform-fsn1", "https://fsn1-server-0.tail1.ts.net:6443", "Q0E="],
            ["platform-fsn1-fsn1-server-1", "https://fsn1-server-1.tail1.ts.net:6443", "Q0E="],
            ["platform-fsn1-fsn1-server-2", "https://fsn1-server-2-1.tail1.ts.net:6443", "Q0E="],
        ]);
        expect(doc.contexts.find((c: any) => c.name === "platform-fsn1-fsn1-server-2").context).toEqual({ cluster: "platform-fsn1-fsn1-server-2", user: "platform-fsn1" });
        expect(doc.users).toHaveLength(1);
    });

    it("refuses a kubeconfig without the named cluster", () => {
        expect(() => withServerContexts(K3S_KUBECONFIG, "platform-x", [])).toThrow(/no cluster and context named platform-x/);
    });
});
