import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for Loki's query API (node:http on 127.0.0.1, ephemeral port), written from Loki's HTTP API
 * reference independently of tools/logs: `GET /loki/api/v1/query_range` with `query` (a stream selector of
 * `label="value"` matchers: the only LogQL `npm run logs` sends), `start` (inclusive) and `end` (exclusive) as
 * nanosecond epochs, `limit` and `direction`, answering `{status, data: {resultType: "streams", result:
 * [{stream, values: [["<ns>", "<line>"]]}], stats}}`; a query it cannot parse gets 400 with a plain-text message,
 * as Loki does. Like Loki, it picks the `limit` entries nearest the direction's origin over all streams and
 * returns them grouped by stream. Multi-tenant like Loki with `auth_enabled: true` (operations/multi-tenancy.md):
 * a request without `X-Scope-OrgID` gets 401 "no org id"; the header names one tenant, or several joined by `|`
 * (then each stream carries its tenant as `__tenant_id__`), and only those tenants' lines are searched.
 */

/** One stored log line. */
export interface FakeLine {
    /** Stream labels. */
    labels: Record<string, string>;
    /** Nanosecond epoch. */
    ns: bigint;
    /** The line. */
    line: string;
    /** Loki tenant the line was pushed to (default `fake`, Loki's single-tenant id: no project's). */
    tenant?: string;
}

/** A running fake. */
export interface FakeLoki {
    /** `http://127.0.0.1:<port>`. */
    url: string;
    /** The stored lines; tests push more while following. */
    lines: FakeLine[];
    /** Every request's query parameters, in order. */
    requests: Array<Record<string, string>>;
    /** Every request's `X-Scope-OrgID` header (undefined when absent), in order. */
    tenants: Array<string | undefined>;
    /** Answer the next requests with this status and text instead (cleared by setting `undefined`). */
    failWith?: { status: number; body: string };
    /** Stops the server. */
    close(): Promise<void>;
}

/**
 * Parses `{a="x", b=""}` into matchers; Go/LogQL string escapes `\"`, `\\`, `\n`, `\t`, `\r` and `\xNN`.
 *
 * @param query the selector
 * @returns the matchers, or an error message
 */
/** One label matcher: label, value, and `=~` for Loki's (fully anchored) regular-expression match. */
export type Matcher = [label: string, value: string, operator?: "=" | "=~"];

/** Whether a stream's label value satisfies a matcher (Loki anchors regular expressions at both ends). */
export function matches([, value, operator]: Matcher, actual: string): boolean {
    return operator === "=~" ? new RegExp(`^(?:${value})$`).test(actual) : actual === value;
}

export function parseSelector(query: string): Matcher[] | string {
    const body = /^\{(.*)\}$/s.exec(query.trim());
    if (!body) {
        return `parse error : syntax error: unexpected input, expecting {`;
    }
    const matchers: Matcher[] = [];
    let rest = body[1]!.trim();
    while (rest.length > 0) {
        const head = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|=)\s*"/.exec(rest);
        if (!head) {
            return `parse error : syntax error near ${JSON.stringify(rest.slice(0, 20))}`;
        }
        let i = head[0].length;
        let value = "";
        for (;;) {
            const ch = rest[i];
            if (ch === undefined) {
                return "parse error : unterminated string";
            }
            if (ch === '"') {
                break;
            }
            if (ch === "\\") {
                const next = rest[i + 1];
                const simple: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r" };
                if (next !== undefined && next in simple) {
                    value += simple[next];
                    i += 2;
                    continue;
                }
                if (next === "x" && /^[0-9a-fA-F]{2}$/.test(rest.slice(i + 2, i + 4))) {
                    value += String.fromCharCode(parseInt(rest.slice(i + 2, i + 4), 16));
                    i += 4;
                    continue;
                }
                return "parse error : invalid escape";
            }
            value += ch;
            i += 1;
        }
        matchers.push(head[2] === "=~" ? [head[1]!, value, "=~"] : [head[1]!, value]);
        rest = rest.slice(i + 1).trim();
        if (rest.startsWith(",")) {
            rest = rest.slice(1).trim();
        } else if (rest.length > 0) {
            return `parse error : syntax error near ${JSON.stringify(rest.slice(0, 20))}`;
        }
    }
    if (!matchers.some(([, value]) => value !== "")) {
        return "parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value";
    }
    return matchers;
}

/** Starts a fake Loki holding `lines`. */
export async function startFakeLoki(lines: FakeLine[] = []): Promise<FakeLoki> {
    const fake: FakeLoki = {
        url: "",
        lines,
        requests: [],
        tenants: [],
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://fake");
        const params = Object.fromEntries(url.searchParams.entries());
        fake.requests.push(params);
        const text = (status: number, body: string) => {
            res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
            res.end(body);
        };
        if (fake.failWith) {
            return text(fake.failWith.status, fake.failWith.body);
        }
        if (req.method !== "GET" || url.pathname !== "/loki/api/v1/query_range") {
            return text(404, "404 page not found\n");
        }
        const orgHeader = req.headers["x-scope-orgid"];
        const orgId = Array.isArray(orgHeader) ? orgHeader.join(",") : orgHeader;
        fake.tenants.push(orgId);
        if (!orgId) {
            return text(401, "no org id\n");
        }
        const tenants = orgId.split("|");
        const matchers = parseSelector(params.query ?? "");
        if (typeof matchers === "string") {
            return text(400, matchers);
        }
        const start = BigInt(params.start ?? "0");
        const end = BigInt(params.end ?? "0");
        const limit = Number(params.limit ?? "100");
        const forward = params.direction === "forward";
        const labelsOf = (l: FakeLine) => (tenants.length > 1 ? { ...l.labels, __tenant_id__: l.tenant ?? "fake" } : l.labels);
        const matching = fake.lines.filter((l) => tenants.includes(l.tenant ?? "fake") && l.ns >= start && l.ns < end && matchers.every((m) => matches(m, labelsOf(l)[m[0]] ?? "")));
        matching.sort((a, b) => (a.ns === b.ns ? 0 : (a.ns < b.ns) === forward ? -1 : 1));
        const picked = matching.slice(0, limit);
        const streams = new Map<string, { stream: Record<string, string>; values: Array<[string, string]> }>();
        for (const l of picked) {
            const key = JSON.stringify(Object.entries(labelsOf(l)).sort());
            const stream = streams.get(key) ?? { stream: labelsOf(l), values: [] };
            stream.values.push([l.ns.toString(), l.line]);
            streams.set(key, stream);
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ status: "success", data: { resultType: "streams", result: [...streams.values()], stats: { summary: { totalEntriesReturned: picked.length } } } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
}
