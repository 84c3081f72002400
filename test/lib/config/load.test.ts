import { describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../../lib/config/parse";
import { rawStackConfig, stackConfig } from "../../helpers/config";
import { configProblems } from "../../helpers/config-problems";
import { STACKS } from "../../helpers/plans";

const problemsOf = configProblems;

/** Grants of one project per entry of `portsPerProject`, each with that many public TCP ports. */
function publicPortGrants(portsPerProject: number[]): string {
    const grants: Record<string, unknown> = {};
    portsPerProject.forEach((count, p) => {
        grants[`p${p}`] = { publicPorts: Array.from({ length: count }, (_, i) => ({ port: 20000 + p * 100 + i, protocol: "TCP" })) };
    });
    return JSON.stringify(grants);
}

describe("stack config", () => {
    it.each(STACKS)("shipped stack %s validates", (stack) => {
        const config = stackConfig(stack);
        expect(config.pools.some((p) => p.role === "edge")).toBe(true);
    });

    it("applies documented defaults", () => {
        const config = stackConfig("dev");
        expect(config.allowedRegistries).toContain("ghcr.io");
        expect(config.prices.currency).toBe("EUR");
        expect(config.tenantLimits.maxPods).toBe(200);
        expect(config.baremetal.swraidLevel).toBe(1);
    });

    it("refuses the platform registry in platform:allowedRegistries, in any spelling, naming the entry", () => {
        for (const entry of ["registry.platform.internal", "Registry.Platform.Internal/shop", "registry.platform.internal:80", "http://registry.platform.internal/"]) {
            const raw = rawStackConfig("dev", { "platform:allowedRegistries": JSON.stringify(["ghcr.io", entry]) });
            const problems = problemsOf(raw);
            expect(problems.map((p) => p.path), entry).toEqual(["platform:allowedRegistries[1]"]);
            expect(problems[0]!.problem).toContain("must not name the platform registry registry.platform.internal");
        }
        // A registry whose name only contains the platform host is another registry.
        const lookalike = rawStackConfig("dev", { "platform:allowedRegistries": JSON.stringify(["ghcr.io", "registry.platform.internal.example.com"]) });
        expect(parsePlatformConfig(lookalike, "Pulumi.dev.yaml").config.allowedRegistries).toContain("registry.platform.internal.example.com");
    });

    it("reports every bad key at once with expectation and example fix", () => {
        const raw = rawStackConfig("dev", {
            "platform:location": "mars1",
            "platform:servers": JSON.stringify({ count: 2, kind: "cloud" }),
            "platform:domain": "*.example.com",
            "platform:colour": "blue",
        });
        const problems = problemsOf(raw);
        const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
        expect(Object.keys(byPath).sort()).toEqual(["platform:colour", "platform:domain", "platform:location", "platform:servers.count"]);
        expect(byPath["platform:location"]!.problem).toContain("fsn1");
        expect(byPath["platform:servers.count"]!.problem).toContain("must be 1");
        expect(byPath["platform:servers.count"]!.fix).toContain("count: 3");
        expect(byPath["platform:colour"]!.fix).toContain("platform:domain");
        expect(problems.every((p) => p.source === "Pulumi.test.yaml")).toBe(true);
    });

    it("formats one aggregated message naming file, keys and fixes", () => {
        const raw = rawStackConfig("dev", { "platform:acmeEmail": "nobody", "platform:environment": "prod" });
        let message = "";
        try {
            parsePlatformConfig(raw, "Pulumi.dev.yaml");
        } catch (error) {
            message = (error as Error).message;
        }
        expect(message).toContain("2 problem(s)");
        expect(message).toContain("Pulumi.dev.yaml:");
        expect(message).toMatch(/platform:acmeEmail: .*e-mail/);
        expect(message).toMatch(/platform:environment: .*\n\s+fix: for example platform:environment: dev/);
    });

    it("requires the edge pool on cloud machines and run capacity", () => {
        const raw = rawStackConfig("dev", {
            "platform:pools": JSON.stringify([{ role: "edge", kind: "baremetal", count: 1, robotServers: [1] }]),
            "platform:servers": JSON.stringify({ count: 1, schedulable: false }),
        });
        const messages = problemsOf(raw).map((p) => p.problem);
        expect(messages).toContain("the edge pool must be kind cloud: floating IPs attach to Hetzner Cloud servers");
        expect(messages.some((m) => m.includes("run pool"))).toBe(true);
    });

    it("requires Robot server numbers to match bare-metal pool counts", () => {
        const raw = rawStackConfig("fsn1", {
            "platform:pools": JSON.stringify([
                { role: "run", kind: "baremetal", count: 3, robotServers: [1, 2] },
                { role: "edge", count: 1 },
            ]),
        });
        const problem = problemsOf(raw).find((p) => p.path === "platform:pools[0].robotServers");
        expect(problem?.problem).toContain("needs exactly 3 Robot server numbers, got 2");
    });

    it("names missing secrets with the command that sets them", () => {
        const raw = rawStackConfig("fsn1");
        delete raw["platform:robotPassword"];
        delete raw["platform:etcdS3SecretKey"];
        const problems = problemsOf(raw);
        expect(problems.map((p) => p.path).sort()).toEqual(["platform:etcdS3SecretKey", "platform:robotPassword"]);
        expect(problems[0]!.fix).toMatch(/^pulumi config set --secret platform:/);
    });

    it("refuses platform:tenantSecrets, well-formed or not, with the move to the tenant stack's own config as the fix", () => {
        for (const value of [{ shop: { KEY: 1 } }, { shop: { DB_PASSWORD: "s3cr3t" } }]) {
            const problems = problemsOf(rawStackConfig("dev", { "platform:tenantSecrets": JSON.stringify(value) }));
            expect(problems.map((p) => p.path)).toEqual(["platform:tenantSecrets"]);
            expect(problems[0]!.problem).toMatch(/no longer read/);
            expect(problems[0]!.fix).toContain("pulumi config set --secret --path 'tenant:secrets.<NAME>' --stack <region>--<id> --cwd programs/tenant");
            expect(problems[0]!.fix).toContain("pulumi config rm platform:tenantSecrets");
        }
    });
});

describe("billing config", () => {
    it("keeps the ledger in the etcd snapshot bucket by default, 48 hours of backfill", () => {
        const config = stackConfig("dev");
        expect(config.billing.ledger).toEqual({ target: "etcdSnapshots", folder: "billing-ledger", backfillHours: 48 });
        expect(config.addons.monitoring.retention).toBe("35d");
    });

    it("rejects a Prometheus retention shorter than billing reads, naming the key and the fix", () => {
        const raw = rawStackConfig("dev", { "platform:addons": JSON.stringify({ monitoring: { retention: "30d" } }) });
        const problem = problemsOf(raw).find((p) => p.path === "platform:addons.monitoring.retention")!;
        expect(problem.problem).toMatch(/30d is shorter than billing reads: month to date sums 31 days, last month is closed from 32 days/);
        expect(problem.fix).toContain("retention: 35d");
        // A backfill longer than 35 days needs that much history.
        const longBackfill = rawStackConfig("dev", { "platform:billing": JSON.stringify({ ledger: { backfillHours: 960 } }) });
        expect(problemsOf(longBackfill).map((p) => p.path)).toContain("platform:billing.ledger.backfillHours");
        const longEnough = rawStackConfig("dev", { "platform:billing": JSON.stringify({ ledger: { backfillHours: 720 } }), "platform:addons": JSON.stringify({ monitoring: { retention: "30d" } }) });
        expect(problemsOf(longEnough).find((p) => p.path === "platform:addons.monitoring.retention")!.fix).toContain("retention: 35d");
    });

    it("requires the bucket and the credentials of the target it names", () => {
        const own = rawStackConfig("dev", { "platform:billing": JSON.stringify({ ledger: { target: "own" } }) });
        expect(problemsOf(own).map((p) => p.path)).toEqual(["platform:billing.ledger.s3"]);
        const ownBucket = rawStackConfig("dev", { "platform:billing": JSON.stringify({ ledger: { target: "own", s3: { endpoint: "fsn1.your-objectstorage.com", bucket: "billing-fsn1" } } }) });
        // The synthetic secrets of the helper include every secret key; take the ledger's away.
        const withoutSecrets = Object.fromEntries(Object.entries(ownBucket).filter(([key]) => !key.startsWith("platform:billingS3")));
        expect(problemsOf(withoutSecrets).map((p) => p.path)).toEqual(["platform:billingS3AccessKey", "platform:billingS3SecretKey"]);
        expect(() => parsePlatformConfig(ownBucket, "Pulumi.test.yaml")).not.toThrow();
        const longhorn = rawStackConfig("dev", { "platform:billing": JSON.stringify({ ledger: { target: "longhornBackups" } }) });
        expect(problemsOf(longhorn).find((p) => p.path === "platform:billing.ledger.target")!.problem).toMatch(/addons.longhorn.external/);
    });

    // Hetzner Cloud firewalls hold 50 rule entries (set_rules API reference); the edge firewall has 4 of its own.
    it("refuses more public ports than the edge firewall can hold, naming the count and the fix", () => {
        const { config: accepted } = parsePlatformConfig(rawStackConfig("dev", { "platform:projectGrants": publicPortGrants([16, 16, 14]) }), "Pulumi.dev.yaml");
        expect(Object.values(accepted.projectGrants).reduce((n, g) => n + g.publicPorts.length, 0)).toBe(46);
        const problems = problemsOf(rawStackConfig("dev", { "platform:projectGrants": publicPortGrants([16, 16, 16]) }));
        expect(problems.map((p) => p.path)).toEqual(["platform:projectGrants"]);
        expect(problems[0]!.problem).toContain("48 public ports are granted");
        expect(problems[0]!.problem).toContain("at most 46 public ports per region");
        expect(problems[0]!.fix).toContain("remove 2 publicPorts entries");
    });
});
