import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EXIT } from "../../../tools/driver/exit-codes";
import { DEFAULT_LIMIT, DEFAULT_LOKI_URL, formatEntry, parseLogsArgs, runLogs } from "../../../tools/logs/command";
import { startFakeLoki, type FakeLoki } from "../../helpers/loki-fake-server";

const REPO = path.resolve(__dirname, "../../..");
const NOW_MS = Date.UTC(2026, 11, 1, 12, 0, 0);
const NOW_NS = BigInt(NOW_MS) * 1_000_000n;
const MINUTE_NS = 60_000_000_000n;
const web = { cluster: "dev", namespace: "shop", project: "shop", service: "web", pod: "web-1" };
/** A build pod's lines: the platform's builds namespace, full commit ids (components/builds/build-job.ts). */
const build = { ...web, namespace: "builds", log_stream: "build" };

let fake: FakeLoki | undefined;
afterEach(async () => {
    await fake?.close();
    fake = undefined;
});

function run(argv: string[], extra: { env?: Record<string, string>; follow?: { polls: number; onPoll: (poll: number) => void } } = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const controller = new AbortController();
    let poll = 0;
    const done = runLogs(argv, {
        repoRoot: REPO,
        env: extra.env ?? {},
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        nowMs: () => NOW_MS + poll * 1000,
        signal: controller.signal,
        sleep: async () => {
            poll += 1;
            if (!extra.follow || poll > extra.follow.polls) {
                controller.abort();
                return;
            }
            extra.follow.onPoll(poll);
        },
    });
    return done.then((code) => ({ code, out: out.join(""), err: err.join("") }));
}

describe("parseLogsArgs", () => {
    it("defaults: last hour, 1000 lines, no follow, Loki on the port-forward unless LOKI_URL says otherwise", () => {
        const args = parseLogsArgs(["--stack", "dev", "--project", "shop"], {});
        expect(args).toEqual({ selection: { stack: "dev", project: "shop" }, sinceMs: 3_600_000, limit: DEFAULT_LIMIT, follow: false, lokiUrl: DEFAULT_LOKI_URL });
        expect(parseLogsArgs(["--stack", "dev", "--project", "shop"], { LOKI_URL: "http://loki.tail1.ts.net:3100" })).toMatchObject({ lokiUrl: "http://loki.tail1.ts.net:3100" });
        expect(parseLogsArgs(["--stack", "dev", "--project", "shop", "--loki", "http://x:1"], { LOKI_URL: "http://y:2" })).toMatchObject({ lokiUrl: "http://x:1" });
    });

    it("reads every option", () => {
        const argv = ["--stack", "fsn1", "--project", "shop", "--service", "web", "--deployment", "web", "--build", "abcdef0", "--since", "2d", "--limit", "50", "--follow"];
        expect(parseLogsArgs(argv, {})).toMatchObject({
            selection: { stack: "fsn1", project: "shop", service: "web", deployment: "web", build: "abcdef0" },
            sinceMs: 2 * 86_400_000,
            limit: 50,
            follow: true,
        });
        expect(parseLogsArgs(["--help"], {})).toBe("help");
    });
});

describe("npm run logs", () => {
    it("prints the newest lines of the window oldest first, from the project's streams only", async () => {
        fake = await startFakeLoki([
            { tenant: "shop", labels: web, ns: NOW_NS - 2n * MINUTE_NS, line: "GET / 200" },
            { tenant: "shop", labels: { ...web, service: "api" }, ns: NOW_NS - MINUTE_NS, line: "ready" },
            { tenant: "other", labels: { ...web, project: "other" }, ns: NOW_NS - MINUTE_NS, line: "not mine" },
            // Another tenant's line with this project's labels (and namespace): only the tenant header keeps it out.
            { tenant: "other", labels: web, ns: NOW_NS - MINUTE_NS, line: "other tenant, same labels" },
            // The platform's tenant too: logs of platform namespaces are never a project's.
            { tenant: "_platform", labels: web, ns: NOW_NS - MINUTE_NS, line: "platform tenant" },
            { tenant: "shop", labels: web, ns: NOW_NS - 120n * MINUTE_NS, line: "too old" },
            { tenant: "shop", labels: build, ns: NOW_NS - MINUTE_NS, line: "build step" },
            { tenant: "shop", labels: { ...web, namespace: "mallory" }, ns: NOW_NS - MINUTE_NS, line: "injected by another project's pods" },
        ]);
        const result = await run(["--stack", "dev", "--project", "shop", "--loki", fake.url]);
        expect(result.code).toBe(EXIT.ok);
        expect(result.out).toBe("2026-12-01T11:58:00.000000000Z web GET / 200\n2026-12-01T11:59:00.000000000Z api ready\n");
        expect(fake.requests[0]).toMatchObject({
            query: '{cluster="dev", project="shop", namespace="shop", log_stream=""}',
            start: (NOW_NS - 60n * MINUTE_NS).toString(),
            direction: "backward",
            limit: String(DEFAULT_LIMIT),
        });
        expect(fake.tenants).toEqual(["shop"]);
        expect(result.err).toContain("tenant shop");
    });

    it("prints a commit's build logs with --build", async () => {
        fake = await startFakeLoki([
            { tenant: "shop", labels: { ...build, commit: "abcdef0" + "1".repeat(33) }, ns: NOW_NS - MINUTE_NS, line: "#5 DONE 2.1s" },
            { tenant: "shop", labels: { ...build, commit: "1234567" + "1".repeat(33) }, ns: NOW_NS - MINUTE_NS, line: "other build" },
            { tenant: "shop", labels: web, ns: NOW_NS - MINUTE_NS, line: "runtime" },
        ]);
        const result = await run(["--stack", "dev", "--project", "shop", "--build", "abcdef0", "--loki", fake.url]);
        expect(result.out).toBe("2026-12-01T11:59:00.000000000Z web #5 DONE 2.1s\n");
        // Build logs are the project's tenant too (Alloy routes a build pod by its project), not the platform's.
        expect(fake.tenants).toEqual(["shop"]);
    });

    it("follows: prints new lines as they arrive, none twice, until stopped", async () => {
        fake = await startFakeLoki([{ tenant: "shop", labels: web, ns: NOW_NS - MINUTE_NS, line: "before" }]);
        const lines = fake.lines;
        const result = await run(["--stack", "dev", "--project", "shop", "--service", "web", "--follow", "--loki", fake.url], {
            follow: {
                polls: 2,
                onPoll: (poll) => lines.push({ tenant: "shop", labels: web, ns: NOW_NS + BigInt(poll) * 1_000_000n, line: `new ${poll}` }),
            },
        });
        expect(result.code).toBe(EXIT.ok);
        expect(result.out.split("\n").filter(Boolean).map((l) => l.split(" ").slice(2).join(" "))).toEqual(["before", "new 1", "new 2"]);
        expect(fake.requests.slice(1).every((r) => r.direction === "forward" && r.query?.includes('service="web"') === true)).toBe(true);
    });

    it("exits 1 with every usage problem listed, asking Loki nothing", async () => {
        fake = await startFakeLoki();
        const result = await run(["--project", 'x"}', "--since", "soon", "--limit", "0", "--loki", fake.url]);
        expect(result.code).toBe(EXIT.failure);
        expect(result.err).toContain("error: --stack is required");
        expect(result.err).toContain("error: --since");
        expect(result.err).toContain("error: --limit");
        expect(result.err).toContain("usage: npm run logs");
        expect(fake.requests).toEqual([]);
        const invalid = await run(["--stack", "dev", "--project", 'x", project=~".+', "--loki", fake.url]);
        expect(invalid.code).toBe(EXIT.failure);
        expect(invalid.err).toContain("--project");
        expect(fake.requests).toEqual([]);
    });

    it("exits 1 for a stack without a stack file, and when Loki fails or cannot be reached", async () => {
        fake = await startFakeLoki();
        const unknown = await run(["--stack", "nbg9", "--project", "shop", "--loki", fake.url]);
        expect(unknown.code).toBe(EXIT.failure);
        expect(unknown.err).toMatch(/no stack file Pulumi\.nbg9\.yaml; stacks: .*dev/);
        fake.failWith = { status: 500, body: "too many outstanding requests" };
        const failing = await run(["--stack", "dev", "--project", "shop", "--loki", fake.url]);
        expect(failing.code).toBe(EXIT.failure);
        expect(failing.err).toContain("answered 500: too many outstanding requests");
        const url = fake.url;
        await fake.close();
        fake = undefined;
        const down = await run(["--stack", "dev", "--project", "shop", "--loki", url]);
        expect(down.code).toBe(EXIT.failure);
        expect(down.err).toContain("port-forward svc/loki 3100:3100");
    });

    it("prints --help and exits 0", async () => {
        const result = await run(["--help"]);
        expect(result.code).toBe(EXIT.ok);
        expect(result.out).toContain("--follow");
    });
});

describe("formatEntry", () => {
    it("keeps the nanoseconds and falls back to the pod when a line has no service", () => {
        expect(formatEntry({ timestampNs: 1_700_000_000_123_456_789n, line: "x", labels: { pod: "p-1" } })).toBe("2023-11-14T22:13:20.123456789Z p-1 x\n");
    });
});
