import { describe, expect, it } from "vitest";
import { connectionAllowed } from "../../helpers/network-policy-eval";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { projectContext } from "../../../components/project/common";
import { renderNetworkPolicies } from "../../../components/project/network-policies";

/** What the internet rule must never reach, written out here (not read from the renderer): metadata, RFC 1918, the tailnet's CGNAT range. */
// "This network", private, tailnet (CGNAT), loopback, all of link-local (cloud metadata), multicast, reserved.
const NEVER_REACHED = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"];
import { everyExample, project, stackPlatformConfig, walk } from "./fixtures";

const dev = stackPlatformConfig("dev");
const hel1 = stackPlatformConfig("hel1");

const full = project({
    services: [
        { name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, metrics: { port: 9100 }, expose: { public: true } },
        { name: "worker", image: "ghcr.io/example/worker:1.4.2", port: 9000, expose: { public: false } },
    ],
    database: { engine: "postgresql" },
    bucket: {},
});

/** Egress from a pod of the project's namespace to an external address (test/helpers/network-policy-eval.ts). */
function egressAllowed(policies: INetworkPolicy[], podLabels: Record<string, string>, ip: string, port: number, protocol: "TCP" | "UDP" = "TCP"): boolean {
    return connectionAllowed(policies, { namespace: policies[0]?.metadata?.namespace ?? "", labels: podLabels }, { ip }, { port, protocol });
}

const webPod = { "platform/project": "shop", "platform/service": "web" };
const databasePod = { "platform/project": "shop", "platform/service": "database" };

describe("network policies", () => {
    // Rendered inside each test, never while the file loads: Stryker activates a mutant only while a test runs
    // (`ignoreStatic`), so a render at load time would check the unmutated policies.
    const policies = () => renderNetworkPolicies(projectContext(full, dev));
    const byName = (name: string) => policies().find((p) => p.metadata?.name === name);

    it("start from default-deny for ingress and egress of every pod", () => {
        expect(byName("default-deny")?.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("allow DNS only to CoreDNS in kube-system on port 53", () => {
        const rule = byName("allow-dns")?.spec?.egress?.[0];
        expect(rule?.to).toEqual([{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }]);
        expect(rule?.ports).toEqual([
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ]);
    });

    it("allow the project's own pods to talk to each other, and nothing else from other namespaces", () => {
        const spec = byName("allow-same-namespace")?.spec;
        expect(spec?.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
        expect(spec?.egress).toEqual([{ to: [{ podSelector: {} }] }]);
    });

    it("let Traefik reach public services on their port only, and never internal ones", () => {
        const web = byName("allow-traefik-web");
        expect(web?.spec?.podSelector).toEqual({ matchLabels: webPod });
        expect(web?.spec?.ingress).toEqual([
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } }],
                ports: [{ protocol: "TCP", port: 8080 }],
            },
        ]);
        expect(byName("allow-traefik-worker")).toBeUndefined();
    });

    it("let Prometheus from monitoring scrape the metrics port", () => {
        const rule = byName("allow-prometheus-web")?.spec?.ingress?.[0];
        expect(rule?.from?.[0]?.namespaceSelector).toEqual({ matchLabels: { "kubernetes.io/metadata.name": "monitoring" } });
        expect(rule?.ports).toEqual([{ protocol: "TCP", port: 9100 }]);
        expect(byName("allow-prometheus-worker")).toBeUndefined();
    });

    it("reach MinIO on 9000 only when the project has a bucket", () => {
        expect(byName("allow-egress-minio")?.spec?.egress).toEqual([
            { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "minio" } } }], ports: [{ protocol: "TCP", port: 9000 }] },
        ]);
        const plain = renderNetworkPolicies(projectContext(project({}), dev));
        expect(plain.find((p) => p.metadata?.name === "allow-egress-minio")).toBeUndefined();
    });

    it("open the internet on 80/443 only: never the metadata IP, private, tailnet or cluster ranges, never SMTP", () => {
        expect(byName("allow-egress-internet-web")?.spec?.egress?.[0]?.to?.[0]?.ipBlock?.except).toEqual(NEVER_REACHED);
        expect(egressAllowed(policies(), webPod, "93.184.215.14", 443)).toBe(true);
        expect(egressAllowed(policies(), webPod, "93.184.215.14", 80)).toBe(true);
        for (const port of [25, 465, 587, 2525, 22, 8080]) {
            expect(egressAllowed(policies(), webPod, "93.184.215.14", port), `port ${port}`).toBe(false);
        }
        for (const ip of ["169.254.169.254", "169.254.0.1", "169.254.170.2", "127.0.0.1", "0.0.0.1", "224.0.0.1", "10.43.0.1", "10.42.3.7", "10.90.0.2", "172.16.5.5", "192.168.1.1", "100.100.100.100", "100.64.0.1"]) {
            expect(egressAllowed(policies(), webPod, ip, 443), ip).toBe(false);
        }
    });

    it("give the database pod no internet egress at all", () => {
        expect(egressAllowed(policies(), databasePod, "93.184.215.14", 443)).toBe(false);
    });

    it("add only the tenant's declared extra ports, with the same exclusions", () => {
        const chain = renderNetworkPolicies(projectContext(project({ egress: { ports: [{ port: 30303 }, { port: 30303, protocol: "UDP" }] } }), dev));
        expect(egressAllowed(chain, webPod, "93.184.215.14", 30303)).toBe(true);
        expect(egressAllowed(chain, webPod, "93.184.215.14", 30303, "UDP")).toBe(true);
        expect(egressAllowed(chain, webPod, "169.254.169.254", 30303)).toBe(false);
        expect(egressAllowed(chain, webPod, "93.184.215.14", 25)).toBe(false);
    });

    it("except cluster CIDRs configured outside the private ranges", () => {
        const odd = { ...dev, cluster: { ...dev.cluster, clusterCidr: "198.18.0.0/16", serviceCidr: "10.43.0.0/16" } };
        const except = renderNetworkPolicies(projectContext(full, odd)).find((p) => p.metadata?.name === "allow-egress-internet-web")?.spec?.egress?.[0]?.to?.[0]?.ipBlock?.except;
        expect(except).toEqual([...NEVER_REACHED, "198.18.0.0/16"]);
    });

    it("let Traefik reach the HTTP-01 solver only when challenges are solved over HTTP", () => {
        expect(byName("allow-acme-http01-solver")?.spec?.ingress?.[0]?.ports).toEqual([{ protocol: "TCP", port: 8089 }]);
        const dns01 = renderNetworkPolicies(projectContext(full, hel1));
        expect(dns01.find((p) => p.metadata?.name === "allow-acme-http01-solver")).toBeUndefined();
    });
});

describe("network policies, whole specs", () => {
    const traefikPeer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } };
    const names = (policies: INetworkPolicy[]) => policies.map((p) => p.metadata?.name);

    it("each policy governs exactly the directions it allows (an empty policyTypes would make it deny nothing)", () => {
        const chain = project({ ...full, egress: { ports: [{ port: 30303 }] } });
        const types = Object.fromEntries(renderNetworkPolicies(projectContext(chain, dev)).map((p) => [p.metadata?.name, p.spec?.policyTypes]));
        expect(types).toEqual({
            "default-deny": ["Ingress", "Egress"],
            "allow-dns": ["Egress"],
            "allow-same-namespace": ["Ingress", "Egress"],
            "allow-traefik-web": ["Ingress"],
            "allow-acme-http01-solver": ["Ingress"],
            "allow-prometheus-web": ["Ingress"],
            "allow-egress-internet-web": ["Egress"],
            "allow-egress-internet-extra": ["Egress"],
            "allow-egress-minio": ["Egress"],
        });
    });

    it("the HTTP-01 solver rule selects the solver pods only and admits Traefik only", () => {
        const spec = renderNetworkPolicies(projectContext(full, dev)).find((p) => p.metadata?.name === "allow-acme-http01-solver")?.spec;
        expect(spec).toEqual({
            podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [traefikPeer], ports: [{ protocol: "TCP", port: 8089 }] }],
        });
    });

    it("a project without public services gets no solver rule; a service without metrics no Prometheus rule", () => {
        const internal = project({ services: [{ name: "worker", image: "ghcr.io/example/worker:1.4.2", port: 9000, expose: { public: false }, metrics: { port: 9100 } }, { name: "batch", image: "ghcr.io/example/batch:1.0", port: 9001, expose: { public: false } }] });
        expect(names(renderNetworkPolicies(projectContext(internal, dev)))).toEqual(["default-deny", "allow-dns", "allow-same-namespace", "allow-prometheus-worker", "allow-egress-internet-web"]);
    });

    it("the Prometheus rule selects its service's pods only", () => {
        const spec = renderNetworkPolicies(projectContext(full, dev)).find((p) => p.metadata?.name === "allow-prometheus-web")?.spec;
        expect(spec?.podSelector).toEqual({ matchLabels: webPod });
        expect(spec?.policyTypes).toEqual(["Ingress"]);
    });

    it("a cluster CIDR outside the private ranges given twice is excepted once", () => {
        const odd = { ...dev, cluster: { ...dev.cluster, clusterCidr: "198.18.0.0/16", serviceCidr: "198.18.0.0/16" } };
        const except = renderNetworkPolicies(projectContext(full, odd)).find((p) => p.metadata?.name === "allow-egress-internet-web")?.spec?.egress?.[0]?.to?.[0]?.ipBlock?.except;
        expect(except).toEqual([...NEVER_REACHED, "198.18.0.0/16"]);
    });
});

describe("network policies of every example tenant", () => {
    it("never contain an empty namespaceSelector, and always default-deny plus DNS", () => {
        for (const { stack, spec, objects } of everyExample()) {
            const all = objects.filter((o) => o.kind === "NetworkPolicy");
            expect(all.map((p) => p.metadata?.name)).toEqual(expect.arrayContaining(["default-deny", "allow-dns"]));
            // The one tailnet destination: CloudNativePG's instance manager talks to the API server, which k3s
            // serves on the servers' tailnet addresses; only port 6443 (and the kubernetes Service's 443) is open.
            const apiServer = all.filter((p) => p.metadata?.name === "allow-database-api-server");
            for (const rule of apiServer.flatMap((p) => p.spec?.egress ?? [])) {
                expect(rule.ports, `${stack}/${spec.name}`).toEqual([{ protocol: "TCP", port: rule.to?.[0]?.ipBlock?.cidr === "100.64.0.0/10" ? 6443 : 443 }]);
            }
            const netpols = all.filter((p) => !apiServer.includes(p));
            walk(netpols, (node, at) => {
                if ("namespaceSelector" in node) {
                    const selector = node.namespaceSelector as { matchLabels?: Record<string, string> };
                    expect(Object.keys(selector.matchLabels ?? {}), `${stack}/${spec.name} ${at}`).toEqual(["kubernetes.io/metadata.name"]);
                }
                if ("ipBlock" in node) {
                    const block = node.ipBlock as { cidr: string; except?: string[] };
                    expect(block.except, `${stack}/${spec.name} ${at}`).toEqual(expect.arrayContaining(["169.254.0.0/16", "100.64.0.0/10"]));
                }
                if ("port" in node && typeof node.port === "number") {
                    expect([25, 465, 587], `${stack}/${spec.name} ${at}`).not.toContain(node.port);
                }
            });
        }
    });
});

describe("the ports Traefik may reach", () => {
    const traefikRule = (services: Array<Record<string, unknown>>, name: string) =>
        renderNetworkPolicies(projectContext(project({ services }), dev)).find((p) => p.metadata?.name === `allow-traefik-${name}`)?.spec?.ingress;
    const traefikPeer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } };

    it("a passthrough service: its TLS port only, not the main port behind an Ingress it does not have", () => {
        const ingress = traefikRule([{ name: "mtls", image: "ghcr.io/example/mtls:1.0", port: 8080, ports: [{ name: "https", port: 8443 }], expose: { public: true, tls: "passthrough", port: "https" } }], "mtls");
        expect(ingress).toEqual([{ from: [traefikPeer], ports: [{ protocol: "TCP", port: 8443 }] }]);
    });

    it("a passthrough service on its main port: that port once", () => {
        const ingress = traefikRule([{ name: "mtls", image: "ghcr.io/example/mtls:1.0", port: 8443, expose: { public: true, tls: "passthrough" } }], "mtls");
        expect(ingress).toEqual([{ from: [traefikPeer], ports: [{ protocol: "TCP", port: 8443 }] }]);
    });

    it("public TCP/UDP ports of an internal service, with their protocol, and none of its private ports", () => {
        const ingress = traefikRule(
            [{ name: "game", image: "ghcr.io/example/game:1.0", port: 8080, expose: { public: false }, ports: [{ name: "play", port: 27015, protocol: "UDP", public: true }, { name: "admin", port: 9000 }, { name: "rcon", port: 27016, public: true }] }],
            "game",
        );
        expect(ingress).toEqual([{ from: [traefikPeer], ports: [{ protocol: "UDP", port: 27015 }, { protocol: "TCP", port: 27016 }] }]);
    });

    it("a public HTTPS service with a public UDP port: the main port, then the UDP port", () => {
        const ingress = traefikRule([{ name: "voice", image: "ghcr.io/example/voice:1.0", port: 8080, expose: { public: true }, ports: [{ name: "rtp", port: 40000, protocol: "UDP", public: true }] }], "voice");
        expect(ingress).toEqual([{ from: [traefikPeer], ports: [{ protocol: "TCP", port: 8080 }, { protocol: "UDP", port: 40000 }] }]);
    });

    it("the HTTP-01 solver rule exists for one public service among internal ones, and not for internal ones only", () => {
        const names = (services: Array<Record<string, unknown>>) => renderNetworkPolicies(projectContext(project({ services }), dev)).map((p) => p.metadata?.name);
        const internal = { name: "worker", image: "ghcr.io/example/worker:1.0", port: 9000, expose: { public: false } };
        expect(names([internal, { name: "web", image: "ghcr.io/example/web:1.0", port: 8080, expose: { public: true } }])).toContain("allow-acme-http01-solver");
        expect(names([internal])).not.toContain("allow-acme-http01-solver");
    });
});
