import { afterEach, describe, expect, it } from "vitest";
import { follow, FOLLOW_OVERLAP_NS, LokiError, queryRange, type LogEntry } from "../../../tools/logs/loki-client";
import { startFakeLoki, type FakeLine, type FakeLoki } from "../../helpers/loki-fake-server";

const QUERY = '{cluster="dev", project="shop", log_stream=""}';
const web = { cluster: "dev", project: "shop", service: "web" };
const api = { cluster: "dev", project: "shop", service: "api" };

let fake: FakeLoki | undefined;
afterEach(async () => {
    await fake?.close();
    fake = undefined;
});

// 30 lines over two streams; timestamps collide (also across streams) so page boundaries fall inside a nanosecond.
function fixture(): FakeLine[] {
    const lines: FakeLine[] = [];
    for (let i = 0; i < 30; i++) {
        lines.push({ tenant: "shop", labels: i % 3 === 0 ? api : web, ns: 1_000n + BigInt(Math.floor(i / 4)), line: `line ${i}` });
    }
    lines.push({ tenant: "other", labels: { ...web, project: "other" }, ns: 1_003n, line: "someone else's" });
    // Another tenant's line with this project's very labels: only the tenant header keeps it out.
    lines.push({ tenant: "other", labels: web, ns: 1_004n, line: "same labels, other tenant" });
    return lines;
}

const asText = (entries: LogEntry[]) => entries.map((e) => `${e.timestampNs} ${e.labels.service} ${e.line}`);
const expected = (lines: FakeLine[], forward: boolean) =>
    lines
        .filter((l) => l.tenant === "shop")
        .sort((a, b) => (a.ns === b.ns ? 0 : (a.ns < b.ns) === forward ? -1 : 1))
        .map((l) => `${l.ns} ${l.labels.service} ${l.line}`);

describe("queryRange", () => {
    it("reads only the tenant it names in X-Scope-OrgID, and a Loki that requires one refuses a request without", async () => {
        fake = await startFakeLoki(fixture());
        const entries = await queryRange({ baseUrl: fake.url, tenant: "shop" }, { query: QUERY, startNs: 0n, endNs: 2_000n, direction: "forward", maxLines: 1000 });
        expect(fake.tenants).toEqual(["shop"]);
        expect(entries.map((e) => e.line)).not.toContain("same labels, other tenant");
        expect(entries).toHaveLength(30);
        await expect(queryRange({ baseUrl: fake.url, tenant: "" }, { query: QUERY, startNs: 0n, endNs: 2_000n, direction: "forward", maxLines: 1 })).rejects.toThrow(/answered 401: no org id/);
    });

    it("sends query, start, end, limit and direction to /loki/api/v1/query_range", async () => {
        fake = await startFakeLoki(fixture());
        await queryRange({ baseUrl: fake.url, tenant: "shop" }, { query: QUERY, startNs: 5n, endNs: 2_000n, direction: "backward", maxLines: 10 });
        expect(fake.requests[0]).toEqual({ query: QUERY, start: "5", end: "2000", limit: "10", direction: "backward" });
    });

    it("pages backward through a window, each line once, newest first", async () => {
        const lines = fixture();
        fake = await startFakeLoki(lines);
        const entries = await queryRange({ baseUrl: fake.url, tenant: "shop" }, { query: QUERY, startNs: 0n, endNs: 2_000n, direction: "backward", maxLines: 1000, pageSize: 7 });
        expect(asText(entries).sort()).toEqual(expected(lines, false).sort());
        expect(entries.map((e) => e.timestampNs)).toEqual([...entries.map((e) => e.timestampNs)].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
        expect(fake.requests.length).toBeGreaterThan(4);
        // The next page ends just after the oldest line seen (end is exclusive), never skipping its twins.
        expect(BigInt(fake.requests[1]!.end!)).toBe(entries[6]!.timestampNs + 1n);
    });

    it("pages forward through a window, each line once, oldest first", async () => {
        const lines = fixture();
        fake = await startFakeLoki(lines);
        const entries = await queryRange({ baseUrl: fake.url, tenant: "shop" }, { query: QUERY, startNs: 0n, endNs: 2_000n, direction: "forward", maxLines: 1000, pageSize: 5 });
        expect(asText(entries).sort()).toEqual(expected(lines, true).sort());
        expect(entries.map((e) => e.timestampNs)).toEqual([...entries.map((e) => e.timestampNs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(BigInt(fake.requests[1]!.start!)).toBe(entries[4]!.timestampNs);
    });

    it("gets past more lines in one nanosecond than a page holds", async () => {
        const lines = Array.from({ length: 12 }, (_, i): FakeLine => ({ tenant: "shop", labels: web, ns: 500n + BigInt(i < 10 ? 0 : i), line: `same ${i}` }));
        fake = await startFakeLoki(lines);
        for (const direction of ["backward", "forward"] as const) {
            const entries = await queryRange({ baseUrl: fake.url, tenant: "shop" }, { query: QUERY, startNs: 0n, endNs: 2_000n, direction, maxLines: 1000, pageSize: 3 });
            expect(asText(entries).sort(), direction).toEqual(expected(lines, true).sort());
        }
    });

    it("stops at maxLines: the newest ones backward", async () => {
        const lines = fixture();
        fake = await startFakeLoki(lines);
        const entries = await queryRange({ baseUrl: fake.url, tenant: "shop" }, { query: QUERY, startNs: 0n, endNs: 2_000n, direction: "backward", maxLines: 9, pageSize: 4 });
        expect(entries).toHaveLength(9);
        const newest = expected(lines, false).slice(0, 9).map((t) => t.split(" ")[0]);
        expect(entries.map((e) => e.timestampNs.toString())).toEqual(newest);
    });

    it("turns Loki's plain-text errors into a LokiError with the status", async () => {
        fake = await startFakeLoki(fixture());
        await expect(queryRange({ baseUrl: fake.url, tenant: "shop" }, { query: "{not a selector", startNs: 0n, endNs: 1n, direction: "backward", maxLines: 1 })).rejects.toThrow(
            /answered 400: parse error/,
        );
        fake.failWith = { status: 200, body: "<html>proxy login</html>" };
        await expect(queryRange({ baseUrl: fake.url, tenant: "shop" }, { query: QUERY, startNs: 0n, endNs: 1n, direction: "backward", maxLines: 1 })).rejects.toThrow(/not JSON/);
        fake.failWith = { status: 200, body: JSON.stringify({ status: "success", data: { resultType: "matrix", result: [] } }) };
        await expect(queryRange({ baseUrl: fake.url, tenant: "shop" }, { query: QUERY, startNs: 0n, endNs: 1n, direction: "backward", maxLines: 1 })).rejects.toThrow(/not a Loki streams answer/);
        fake.failWith = { status: 200, body: JSON.stringify({ status: "success", data: { resultType: "streams", result: [{ stream: {}, values: [[1, "x"]] }] } }) };
        await expect(queryRange({ baseUrl: fake.url, tenant: "shop" }, { query: QUERY, startNs: 0n, endNs: 1n, direction: "backward", maxLines: 1 })).rejects.toBeInstanceOf(LokiError);
    });

    it("marks an unreachable Loki as unreachable", async () => {
        fake = await startFakeLoki();
        const url = fake.url;
        await fake.close();
        fake = undefined;
        const error = await queryRange({ baseUrl: url, tenant: "shop" }, { query: QUERY, startNs: 0n, endNs: 1n, direction: "backward", maxLines: 1 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(LokiError);
        expect((error as LokiError).unreachable).toBe(true);
    });
});

describe("follow", () => {
    it("polls forward from the last line and hands out each new line once, also lines sharing its nanosecond", async () => {
        const lines: FakeLine[] = [{ tenant: "shop", labels: web, ns: 100n, line: "old" }];
        fake = await startFakeLoki(lines);
        const controller = new AbortController();
        const got: string[] = [];
        let now = 200n;
        const arrivals: FakeLine[][] = [
            [{ tenant: "shop", labels: web, ns: 150n, line: "a" }],
            [
                { tenant: "shop", labels: api, ns: 150n, line: "b (same nanosecond as a)" },
                { tenant: "shop", labels: web, ns: 190n, line: "c" },
            ],
            [],
            [{ tenant: "shop", labels: web, ns: 250n, line: "d" }],
        ];
        let poll = 0;
        await follow(
            { baseUrl: fake.url, tenant: "shop" },
            {
                query: QUERY,
                startNs: 100n,
                alreadySeen: [{ timestampNs: 100n, line: "old", labels: web }],
                // No overlap: this case is about the window's forward progress (the late-line case is below).
                overlapNs: 0n,
                intervalMs: 1,
                signal: controller.signal,
                nowNs: () => now,
                sleep: async () => {
                    const next = arrivals[poll++];
                    if (next === undefined) {
                        controller.abort();
                        return;
                    }
                    lines.push(...next);
                    now += 100n;
                },
            },
            (entry) => got.push(entry.line),
        );
        expect(got).toEqual(["a", "b (same nanosecond as a)", "c", "d"]);
        expect(fake.requests.every((r) => r.direction === "forward")).toBe(true);
        expect(fake.requests[0]!.start).toBe("100");
        expect(fake.requests.map((r) => r.start)).toEqual(["100", "100", "150", "190", "190"]);
    });

    it("prints a line that arrives late with an older timestamp than the newest one, once, and nothing twice (review 22b, minor 6)", async () => {
        const second = 1_000_000_000n;
        const t0 = 1_000_000n * second;
        const lines: FakeLine[] = [{ tenant: "shop", labels: web, ns: t0, line: "printed before following" }];
        fake = await startFakeLoki(lines);
        const controller = new AbortController();
        const got: string[] = [];
        let now = t0 + 10n * second;
        const arrivals: FakeLine[][] = [
            [{ tenant: "shop", labels: web, ns: t0 + 20n * second, line: "web at +20s" }],
            // api's agent ships a batch late: its lines are older than web's newest.
            [
                { tenant: "shop", labels: api, ns: t0 + 5n * second, line: "api at +5s (late)" },
                { tenant: "shop", labels: web, ns: t0 + 30n * second, line: "web at +30s" },
            ],
            // Later than the overlap behind the newest line: out of the window.
            [{ tenant: "shop", labels: api, ns: t0 + 30n * second - FOLLOW_OVERLAP_NS - second, line: "api beyond the overlap" }],
            [],
        ];
        let poll = 0;
        await follow(
            { baseUrl: fake.url, tenant: "shop" },
            {
                query: QUERY,
                startNs: t0,
                alreadySeen: [{ timestampNs: t0, line: "printed before following", labels: web }],
                intervalMs: 1,
                signal: controller.signal,
                nowNs: () => now,
                sleep: async () => {
                    const next = arrivals[poll++];
                    if (next === undefined) {
                        controller.abort();
                        return;
                    }
                    lines.push(...next);
                    now += 10n * second;
                },
            },
            (entry) => got.push(entry.line),
        );
        expect(got).toEqual(["web at +20s", "api at +5s (late)", "web at +30s"]);
        // Each poll starts the overlap before the newest line seen.
        expect(fake.requests.map((r) => BigInt(r.start!))).toEqual([t0, t0, t0 + 20n * second, t0 + 30n * second, t0 + 30n * second].map((n) => n - FOLLOW_OVERLAP_NS));
    });
});
