import { describe, expect, it } from "vitest";
import { forbiddenEgressPort, isNonPublicAddress, nonPublicHostReason, repoUrlProblem } from "../../../lib/network-rules";
import { renderFirewallRules, TAILSCALE_UDP_PORT } from "../../../components/nodes/firewall-rules";

describe("non-public addresses", () => {
    it.each([
        "169.254.169.254",
        "169.254.0.1",
        "10.1.2.3",
        "172.31.255.255",
        "192.168.0.1",
        "100.64.0.1",
        "100.127.255.254",
        "127.0.0.1",
        "0.0.0.0",
        "224.0.0.251",
        "::1",
        "::",
        "fe80::1",
        "fd7a:115c:a1e0::1",
        "fc00::5",
        "ff02::1",
        "::ffff:169.254.169.254",
        "[::1]",
    ])("%s is not public", (ip) => {
        expect(isNonPublicAddress(ip)).toBe(true);
    });

    it.each(["93.184.215.14", "1.1.1.1", "100.63.255.255", "100.128.0.1", "172.32.0.1", "2a01:4f8::1", "::ffff:8.8.8.8"])("%s is public", (ip) => {
        expect(isNonPublicAddress(ip)).toBe(false);
    });
});

describe("host names", () => {
    it.each([
        ["localhost", /in-cluster, local or tailnet name \(\*\.localhost\)/],
        ["api.localhost", /\(\*\.localhost\)/],
        ["minio", /not a fully qualified name: inside the cluster it resolves to a Service/],
        ["minio.minio", /resolves inside the cluster \(its last label "minio" is not a public top-level domain\)/],
        ["argocd-server.argocd.svc", /\(\*\.svc\)/],
        ["kubernetes.default.svc.cluster.local", /\(\*\.cluster\.local\)/],
        ["nas.local", /\(\*\.local\)/],
        ["box.internal", /\(\*\.internal\)/],
        ["node-1.tail4f2a1c.ts.net", /\(\*\.ts\.net\)/],
        ["x.y.123", /last label "123" is not a public top-level domain/],
    ] as const)("%s is refused, with the reason", (host, reason) => {
        expect(nonPublicHostReason(host, ["minio", "argocd"])).toMatch(reason);
        expect(nonPublicHostReason(host, ["minio", "argocd"])).toMatch(new RegExp(`^${host.replace(/\./g, "\\.")} `));
    });

    it.each(["github.com", "gitlab.example.org", "git.example.co.uk"])("%s is public", (host) => {
        expect(nonPublicHostReason(host, ["minio"])).toBeUndefined();
    });

    it("https and ssh URLs to public hosts pass; credentials, other schemes and dot segments do not", () => {
        expect(repoUrlProblem("https://github.com/example/shop.git")).toBeUndefined();
        expect(repoUrlProblem("ssh://git@github.com/example/shop.git")).toBeUndefined();
        expect(repoUrlProblem("ssh://git:pw@github.com/example/shop.git")).toMatch(/credentials/);
        expect(repoUrlProblem("https://token@github.com/example/shop.git")).toMatch(/credentials/);
        expect(repoUrlProblem("file:///etc/passwd")).toMatch(/file:\/\/ is not allowed/);
        expect(repoUrlProblem("https://github.com/example/shop.git?ref=x")).toMatch(/query/);
        expect(repoUrlProblem("https://github.com/example/%2e%2e/x.git")).toMatch(/encoded/);
        expect(repoUrlProblem("git@github.com:example/shop.git")).toMatch(/^"git@github\.com:example\/shop\.git" is not a URL; write https:\/\/host\/org\/repo\.git or ssh:\/\//);
    });
});

describe("egress ports", () => {
    it("every port the node firewall opens to the world is a node port no tenant egress may use", () => {
        const opened = renderFirewallRules(true)
            .filter((r) => r.port !== undefined && !["80", "443"].includes(r.port))
            .map((r) => Number(r.port));
        expect(opened).toContain(Number(TAILSCALE_UDP_PORT));
        for (const port of opened) {
            expect(forbiddenEgressPort(port), `port ${port}`).toMatch(/node port/);
        }
    });

    it("P2P ports stay grantable", () => {
        for (const port of [30303, 9000, 9001, 8545]) {
            expect(forbiddenEgressPort(port)).toBeUndefined();
        }
    });
});
