import * as yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { bootstrapsCluster, renderAuditPolicy, renderK3sConfig, renderPsaConfig, renderRegistrationDropIn, renderSecretsDropIn } from "../../../components/cluster/k3s-config";
import { registrationCandidates, registrationServer } from "../../../components/cluster/k3s-cluster";
import { renderKubeconfigScript, renderStartScript, rewriteKubeconfig } from "../../../components/cluster/k3s-join";
import { planNodes } from "../../../components/nodes/node-plan";
import { stackConfig } from "../../helpers/config";
import { shellcheck } from "../../helpers/tools";

const FIRST = "fsn1-server-0.tail4f2a1c.ts.net";
const config = stackConfig("fsn1");
const nodes = planNodes(config, "fsn1");
const render = (hostname: string, from = config, stack = "fsn1") =>
    yaml.load(renderK3sConfig({ node: planNodes(from, stack).find((n) => n.hostname === hostname)!, config: from })) as Record<string, any>;
const withServerGenerations = (generations: Record<string, number>, count: 1 | 3 = 3) =>
    stackConfig("fsn1", { "platform:servers": JSON.stringify({ count, kind: "cloud", serverType: "ccx23", generations }) });

describe("k3s config", () => {
    it("initialises etcd on server 0 of the first generation only; every other server joins", () => {
        expect(render("fsn1-server-0")["cluster-init"]).toBe(true);
        for (const name of ["fsn1-server-1", "fsn1-server-2"]) {
            expect(render(name)["cluster-init"]).toBeUndefined();
        }
        // A replaced server 0 has no etcd data: with cluster-init it would start a second, empty cluster.
        const replaced = withServerGenerations({ "0": 1 });
        expect(render("fsn1-server-0-g1", replaced)["cluster-init"]).toBeUndefined();
        expect(bootstrapsCluster(planNodes(replaced, "fsn1")[0]!, replaced)).toBe(false);
        // The only server of a single-server stack has nothing to join: its replacement is a new cluster.
        const single = withServerGenerations({ "0": 1 }, 1);
        expect(bootstrapsCluster(planNodes(single, "fsn1")[0]!, single)).toBe(true);
    });

    it("keeps the registration address out of the user-data: it is chosen when k3s starts", () => {
        for (const node of nodes) {
            expect(render(node.hostname).server, node.hostname).toBeUndefined();
        }
    });

    it("registers agents with the first server and a joining server with the first other one, by read-back name", () => {
        const handles = (from = config) => planNodes(from, "fsn1").map((spec) => ({ spec, tailnetName: `${spec.hostname}-1.tail4f2a1c.ts.net` }));
        const all = handles();
        const servers = all.filter((n) => n.spec.role === "server");
        expect(registrationServer(servers[0]!, servers, config)).toBeUndefined();
        expect(registrationServer(servers[1]!, servers, config)!.spec.hostname).toBe("fsn1-server-0");
        expect(registrationServer(all.find((n) => n.spec.role === "edge")!, servers, config)!.spec.hostname).toBe("fsn1-server-0");
        // Server 0 replaced: it joins through server 1, which is running.
        const replaced = withServerGenerations({ "0": 1 });
        const replacedServers = handles(replaced).filter((n) => n.spec.role === "server");
        const target = registrationServer(replacedServers[0]!, replacedServers, replaced)!;
        expect(target.spec.hostname).toBe("fsn1-server-1");
        const dropIn = yaml.load(renderRegistrationDropIn(replacedServers[0]!.spec, { server: target.tailnetName, ownTailnetName: replacedServers[0]!.tailnetName })) as Record<string, unknown>;
        expect(dropIn).toEqual({ server: "https://fsn1-server-1-1.tail4f2a1c.ts.net:6443", "tls-san+": ["fsn1-server-0-g1-1.tail4f2a1c.ts.net"] });
        // An agent's certificate is not the API's: no SANs for it; a bootstrapping server gets no server:.
        expect(yaml.load(renderRegistrationDropIn(all.find((n) => n.spec.role === "edge")!.spec, { server: "s.ts.net", ownTailnetName: "e.ts.net" }))).toEqual({ server: "https://s.ts.net:6443" });
        expect(yaml.load(renderRegistrationDropIn(servers[0]!.spec, { ownTailnetName: "x.ts.net" }))).toEqual({ "tls-san+": ["x.ts.net"] });
    });

    it("lists every server as an agent's registration candidate, the preferred one first, for the start script to probe", () => {
        const all = planNodes(config, "fsn1").map((spec) => ({ spec, tailnetName: `${spec.hostname}.tail4f2a1c.ts.net` }));
        const servers = all.filter((n) => n.spec.role === "server");
        const agent = all.find((n) => n.spec.role === "edge")!;
        expect(registrationCandidates(agent, servers, config).map((s) => s.spec.hostname)).toEqual(["fsn1-server-0", "fsn1-server-1", "fsn1-server-2"]);
        // A joining server keeps its one registration server: later servers must not hold its join back.
        expect(registrationCandidates(servers[2]!, servers, config).map((s) => s.spec.hostname)).toEqual(["fsn1-server-0"]);
        expect(registrationCandidates(servers[0]!, servers, config)).toEqual([]);
        const text = renderRegistrationDropIn(agent.spec, { server: "a.ts.net", candidates: ["a.ts.net", "b.ts.net"] });
        expect(text.split("\n")).toContain("# platform-registration-candidates: a.ts.net b.ts.net");
        // A comment to k3s: the YAML it reads is unchanged.
        expect(yaml.load(text)).toEqual({ server: "https://a.ts.net:6443" });
        expect(() => renderRegistrationDropIn(agent.spec, { server: "a.ts.net", candidates: ["a.ts.net; rm -rf /"] })).toThrow(/must be host names/);
    });

    it("hardens servers: secrets encryption, PSA, audit log with rotation, no anonymous auth", () => {
        const server = render("fsn1-server-1");
        expect(server["secrets-encryption"]).toBe(true);
        expect(server["protect-kernel-defaults"]).toBe(true);
        expect(server["kube-apiserver-arg"]).toEqual(
            expect.arrayContaining([
                "admission-control-config-file=/etc/rancher/k3s/psa.yaml",
                "audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log",
                "audit-log-maxage=30",
                "audit-log-maxbackup=10",
                "audit-log-maxsize=100",
                "anonymous-auth=false",
            ]),
        );
        expect(server.disable).toEqual(["traefik", "servicelb", "local-storage"]);
        expect(server["tls-san"]).toContain("fsn1-server-1.tail4f2a1c.ts.net");
    });

    it("snapshots etcd to S3 over TLS on the configured schedule, credentials kept out", () => {
        const server = render("fsn1-server-0");
        expect(server).toMatchObject({
            "etcd-s3": true,
            "etcd-s3-endpoint": "fsn1.your-objectstorage.com",
            "etcd-s3-bucket": "platform-etcd-fsn1",
            "etcd-snapshot-schedule-cron": "0 */2 * * *",
            "etcd-snapshot-retention": 84,
        });
        expect(server["etcd-s3-insecure"]).toBeUndefined();
        expect(Object.keys(server).some((k) => k.includes("access-key") || k.includes("secret-key") || k === "token")).toBe(false);
    });

    it("gives every node the tailnet flannel interface, kubelet read-only port 0, labels and taints", () => {
        for (const node of nodes) {
            const cfg = render(node.hostname);
            expect(cfg["flannel-iface"]).toBe("tailscale0");
            expect(cfg["kubelet-arg"]).toContain("read-only-port=0");
            expect(cfg["node-label"]).toContain(`platform/pool=${node.pool}`);
            expect(cfg["node-taint"] ?? []).toEqual(node.taints);
        }
        const edge = render("fsn1-edge-1");
        expect(edge["node-taint"]).toEqual(["pool=edge:NoSchedule"]);
        expect(edge["secrets-encryption"]).toBeUndefined();
    });

    it("puts the join token and, on servers only, S3 keys into the secrets drop-in", () => {
        const server = yaml.load(renderSecretsDropIn("t0k3n", nodes[0]!, { accessKey: "ak", secretKey: "sk" })) as Record<string, string>;
        expect(server).toEqual({ token: "t0k3n", "etcd-s3-access-key": "ak", "etcd-s3-secret-key": "sk" });
        const agent = yaml.load(renderSecretsDropIn("t0k3n", nodes.find((n) => n.role === "edge")!, { accessKey: "ak", secretKey: "sk" }));
        expect(agent).toEqual({ token: "t0k3n" });
    });

    it("enforces PSA restricted by default with platform exemptions, audits secrets at Metadata level", () => {
        const psa = yaml.load(renderPsaConfig()) as any;
        const configuration = psa.plugins[0].configuration;
        expect(configuration.defaults.enforce).toBe("restricted");
        expect(configuration.exemptions.namespaces).toContain("kube-system");
        expect(configuration.exemptions.namespaces).not.toContain("default");
        const audit = yaml.load(renderAuditPolicy()) as any;
        const secretsRule = audit.rules.find((r: any) => r.resources?.some((x: any) => x.resources?.includes("secrets")));
        expect(secretsRule.level).toBe("Metadata");
    });
});

describe("k3s remote scripts", () => {
    it.each(["server", "agent"] as const)("start script for %s passes shellcheck and reads secrets from stdin", (role) => {
        const script = renderStartScript("fsn1-run-0", role);
        const result = shellcheck(script);
        expect(result.ok, result.output).toBe(true);
        expect(script).toContain("cat > /etc/rancher/k3s/config.yaml.d/90-secrets.yaml.tmp");
        // Never a blocking restart: the installer's Type=notify units have no start timeout.
        expect(script).toContain(role === "server" ? "systemctl --no-block restart k3s\n" : "systemctl --no-block restart k3s-agent\n");
        expect(script).not.toMatch(/^systemctl restart/m);
    });

    it("kubeconfig script passes shellcheck", () => {
        expect(shellcheck(renderKubeconfigScript()).ok).toBe(true);
    });

    it("points the kubeconfig at the tailnet name and renames the context", () => {
        const raw = [
            "apiVersion: v1",
            "clusters:",
            "- cluster:",
            "    certificate-authority-data: ZGVmYXVsdA==",
            "    server: https://127.0.0.1:6443",
            "  name: default",
            "contexts:",
            "- context:",
            "    cluster: default",
            "    user: default",
            "  name: default",
            "current-context: default",
            "users:",
            "- name: default",
            "  user:",
            "    client-key-data: ZGVmYXVsdA==",
        ].join("\n");
        const rewritten = yaml.load(rewriteKubeconfig(raw, FIRST, "platform-fsn1")) as any;
        expect(rewritten.clusters[0].cluster.server).toBe(`https://${FIRST}:6443`);
        expect(rewritten["current-context"]).toBe("platform-fsn1");
        expect(rewritten.contexts[0].context).toEqual({ cluster: "platform-fsn1", user: "platform-fsn1" });
        expect(rewritten.users[0].user["client-key-data"]).toBe("ZGVmYXVsdA==");
    });
});
