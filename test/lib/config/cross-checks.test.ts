import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../lib/config/parse";
import { rawStackConfig } from "../../helpers/config";
import { IMAGE_HISTORY_DEPTH } from "../../../lib/stacks/releases";
import { configProblems } from "../../helpers/config-problems";

// The cross-checks of lib/config/schema.ts that the key-by-key shape cannot express: node generations within
// the pool, Robot numbers only on bare metal, and the operators' project grants (reserved and mail ports, a
// port or domain granted twice, domains overlapping the platform's). Expected texts are written out here.

/** The problems of the dev stack with these overrides, as `path: problem` lines. */
function problems(overrides: Record<string, string>): string[] {
    return configProblems(rawStackConfig("dev", overrides)).map((p) => `${p.path}: ${p.problem}`);
}

/** The dev stack with these overrides is accepted. */
function accepted(overrides: Record<string, string>): void {
    expect(() => parsePlatformConfig(rawStackConfig("dev", overrides), "Pulumi.test.yaml")).not.toThrow();
}

const grants = (value: unknown) => ({ "platform:projectGrants": JSON.stringify(value) });
const pools = (run: Record<string, unknown>) => ({
    "platform:pools": JSON.stringify([
        { role: "run", kind: "cloud", count: 3, ...run },
        { role: "edge", kind: "cloud", count: 1 },
    ]),
});

describe("pool cross-checks", () => {
    it("accepts a generation for the last node of the pool and refuses one past it", () => {
        accepted(pools({ generations: { "0": 1, "2": 4 } }));
        expect(problems(pools({ generations: { "2": 1, "3": 2, "7": 1 } }))).toEqual([
            "platform:pools[0].generations.3: node index 3 does not exist in a pool of count 3",
            "platform:pools[0].generations.7: node index 7 does not exist in a pool of count 3",
        ]);
    });

    it("refuses Robot server numbers on a cloud pool, and only there", () => {
        expect(problems(pools({ robotServers: [2481001] }))).toEqual(["platform:pools[0].robotServers: robotServers only applies to kind baremetal"]);
        accepted(pools({ robotServers: [] }));
    });

    it("refuses a build pool that is not dedicated, naming the file, the key and the fix (review 22b, minor 3)", () => {
        const withBuild = (build: Record<string, unknown>) => ({
            "platform:pools": JSON.stringify([
                { role: "run", kind: "cloud", count: 1 },
                { role: "build", kind: "cloud", count: 1, ...build },
                { role: "edge", kind: "cloud", count: 1 },
            ]),
        });
        for (const build of [{}, { dedicated: false }]) {
            expect(configProblems(rawStackConfig("dev", withBuild(build)))).toEqual([
                {
                    source: "Pulumi.test.yaml",
                    path: "platform:pools[1].dedicated",
                    problem: "a build pool must be dedicated: only its taint pool=build:NoSchedule keeps everything but the builds off its nodes",
                    fix: "set dedicated: true on the {role: build} pool in platform:pools",
                },
            ]);
        }
        accepted(withBuild({ dedicated: true }));
        // Other roles may stay undedicated.
        accepted(pools({ dedicated: false }));
    });

    it("keeps at least the rollback history's images in the registry: keepLatest below IMAGE_HISTORY_DEPTH is refused (review 22b, minor 4)", () => {
        const registry = (keepLatest: number) => ({ "platform:addons": JSON.stringify({ registry: { keepLatest } }) });
        expect(IMAGE_HISTORY_DEPTH).toBe(10);
        for (const keepLatest of [1, 3, 9]) {
            expect(configProblems(rawStackConfig("dev", registry(keepLatest))).map((p) => `${p.source} ${p.path}: ${p.problem}`)).toEqual([
                "Pulumi.test.yaml platform:addons.registry.keepLatest: must be at least 10: a rollback may pin any of the last 10 released images of a service, which retention must not delete",
            ]);
        }
        accepted(registry(10));
        accepted(registry(25));
    });

    it("checks the server pool too", () => {
        expect(problems({ "platform:servers": JSON.stringify({ count: 1, kind: "cloud", generations: { "1": 1 } }) })).toEqual([
            "platform:servers.generations.1: node index 1 does not exist in a pool of count 1",
        ]);
    });
});

describe("project grant checks", () => {
    it("refuses a public port the edge nodes already listen on, for that protocol only", () => {
        // 41641 and 9100 are node ports as well: the edge listener's own reason is the one given.
        expect(problems(grants({ shop: { publicPorts: [{ port: 41641, protocol: "UDP" }, { port: 9100 }, { port: 8443 }] } }))).toEqual([
            "platform:projectGrants.shop.publicPorts[0].port: UDP 41641 is Tailscale direct connections; it cannot be a public entry point",
            "platform:projectGrants.shop.publicPorts[1].port: TCP 9100 is Traefik's metrics entry point; it cannot be a public entry point",
            "platform:projectGrants.shop.publicPorts[2].port: TCP 8443 is Traefik's websecure entry point (container port); it cannot be a public entry point",
        ]);
        accepted(grants({ shop: { publicPorts: [{ port: 8443, protocol: "UDP" }, { port: 8000, protocol: "UDP" }] } }));
    });

    it("refuses mail and node ports as public entry points with the port's reason", () => {
        expect(problems(grants({ shop: { publicPorts: [{ port: 2525 }, { port: 6443 }] } }))).toEqual([
            "platform:projectGrants.shop.publicPorts[0].port: port 2525 is mail submission (SMTP); tenants never send mail directly; it cannot be a public entry point",
            "platform:projectGrants.shop.publicPorts[1].port: port 6443 is a node port (Kubernetes API and k3s supervisor); tenant egress reaches the nodes' public addresses, so it is never opened; it cannot be a public entry point",
        ]);
    });

    it("refuses a public port listed twice in one grant, but not the same number on the other protocol", () => {
        expect(problems(grants({ shop: { publicPorts: [{ port: 30000 }, { port: 30001 }, { port: 30000, protocol: "TCP" }] } }))).toEqual([
            "platform:projectGrants.shop.publicPorts[2]: TCP 30000 is listed twice",
        ]);
        accepted(grants({ shop: { publicPorts: [{ port: 30000 }, { port: 30000, protocol: "UDP" }] } }));
    });

    it("refuses mail and node ports as egress grants, and grants others", () => {
        expect(problems(grants({ shop: { egressPorts: [{ port: 30303 }, { port: 587 }, { port: 22, protocol: "UDP" }] } }))).toEqual([
            "platform:projectGrants.shop.egressPorts[1].port: port 587 is mail submission (SMTP); tenants never send mail directly; it cannot be granted",
            "platform:projectGrants.shop.egressPorts[2].port: port 22 is a node port (SSH on the nodes); tenant egress reaches the nodes' public addresses, so it is never opened; it cannot be granted",
        ]);
        accepted(grants({ shop: { egressPorts: [{ port: 30303 }, { port: 5432 }] } }));
    });

    it("refuses a git source that is not a plain public repository URL, naming the entry", () => {
        expect(problems(grants({ shop: { git: ["https://github.com/example/shop.git", "http://github.com/example/shop.git"] } }))).toEqual([
            "platform:projectGrants.shop.git[1]: http:// is not allowed; only https:// (or ssh:// when granted) reaches a repository outside the cluster",
        ]);
        accepted(grants({ shop: { git: ["https://github.com/example/", "ssh://git@github.com/example/shop.git"] } }));
    });
});

describe("granted custom domains", () => {
    const overlapsPlatform = (at: string, domain: string) =>
        `platform:projectGrants.${at}: ${domain} overlaps the platform domain dev.platform.example.com (equal, inside it or a parent zone); the platform assigns those names`;

    it("refuses the platform domain, a name inside it and a parent zone of it; accepts a sibling", () => {
        for (const domain of ["dev.platform.example.com", "shop.dev.platform.example.com", "example.com"]) {
            expect(problems(grants({ shop: { customDomains: ["shop.example.org", domain] } }))).toEqual([overlapsPlatform("shop.customDomains[1]", domain)]);
        }
        accepted(grants({ shop: { customDomains: ["staging.platform.example.com", "platform.example.org"] } }));
    });

    it("gives each domain to one project: a subdomain, a parent zone or the same name of another grant is refused", () => {
        expect(
            problems(
                grants({
                    a: { customDomains: ["shop.example.org"] },
                    b: { customDomains: ["eu.shop.example.org", "example.org", "shop.example.net"] },
                }),
            ),
        ).toEqual([
            "platform:projectGrants.b.customDomains[0]: eu.shop.example.org overlaps shop.example.org, granted to project a; every domain belongs to one project",
            "platform:projectGrants.b.customDomains[1]: example.org overlaps shop.example.org, granted to project a; every domain belongs to one project",
        ]);
    });

    it("says so when the overlapping grant is the same project's", () => {
        expect(problems(grants({ a: { customDomains: ["example.org", "www.example.org"] } }))).toEqual([
            "platform:projectGrants.a.customDomains[1]: www.example.org overlaps example.org, granted to this project already; every domain belongs to one project",
        ]);
    });

    it("accepts names that only share a suffix without a dot boundary", () => {
        accepted(grants({ a: { customDomains: ["example.org"] }, b: { customDomains: ["myexample.org"] } }));
    });
});

describe("granted public ports across projects", () => {
    it("refuses a port granted to a second and third project, naming the first owner each time", () => {
        expect(problems(grants({ a: { publicPorts: [{ port: 30000 }] }, b: { publicPorts: [{ port: 30001 }, { port: 30000 }] }, c: { publicPorts: [{ port: 30000 }] } }))).toEqual([
            "platform:projectGrants.b.publicPorts[1]: TCP 30000 is already granted to project a; the floating IPs have one listener per port",
            "platform:projectGrants.c.publicPorts[0]: TCP 30000 is already granted to project a; the floating IPs have one listener per port",
        ]);
    });

    it("lets two projects take the same number on different protocols", () => {
        accepted(grants({ a: { publicPorts: [{ port: 30000 }] }, b: { publicPorts: [{ port: 30000, protocol: "UDP" }] } }));
    });

    it("reports a port listed twice by one project only as listed twice, not as granted to another", () => {
        expect(problems(grants({ a: { publicPorts: [{ port: 30000 }, { port: 30000 }] } }))).toEqual(["platform:projectGrants.a.publicPorts[1]: TCP 30000 is listed twice"]);
    });
});
