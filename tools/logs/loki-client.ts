/**
 * A small client for the two Loki HTTP API calls `npm run logs` needs (Loki 3.7, the version charts/versions.ts
 * pins): `GET /loki/api/v1/query_range` for a window, paginated, and polling of the same endpoint for `--follow`.
 * Polling, not the `/loki/api/v1/tail` websocket: Node 20 (supported by this repo) has no WebSocket client
 * without a flag or a dependency, and polling forward from the last timestamp returns the same lines.
 *
 * Query parameters and the response shape follow Loki's HTTP API reference: `query`, `start` and `end` as
 * nanosecond Unix epochs, `limit`, `direction` (`forward` | `backward`); the answer is
 * `{status: "success", data: {resultType: "streams", result: [{stream: {labels}, values: [["<ns>", "<line>"]]}]}}`.
 * Every request names its tenant in `X-Scope-OrgID` (Loki's multi-tenancy: operations/multi-tenancy.md).
 */

import { LOKI_TENANT_HEADER } from "../../lib/conventions";

/** One log line. */
export interface LogEntry {
    /** Nanosecond Unix epoch of the line. */
    timestampNs: bigint;
    /** The line as Loki stored it. */
    line: string;
    /** Stream labels of the line. */
    labels: Readonly<Record<string, string>>;
}

/** Loki answered with an error or something that is not its API, or could not be reached. */
export class LokiError extends Error {
    /** True when Loki gave no HTTP answer (connection refused, DNS, timeout). */
    readonly unreachable: boolean;

    /**
     * @param message what went wrong, with the URL
     * @param options `cause`: the underlying error; `unreachable`: no HTTP answer at all
     */
    constructor(message: string, options?: { cause?: unknown; unreachable?: boolean }) {
        super(message, options);
        this.unreachable = options?.unreachable ?? false;
        this.name = "LokiError";
    }
}

/** Where Loki is and how to call it. */
export interface LokiConnection {
    /** Base URL, e.g. `http://127.0.0.1:3100`. */
    baseUrl: string;
    /**
     * The Loki tenant to read, sent as `X-Scope-OrgID` (Loki runs with `auth_enabled: true`: a request without it
     * is refused with 401 "no org id", and each answer holds only the named tenant's lines).
     */
    tenant: string;
    /** Fetch implementation (tests and callers may wrap it); the global `fetch` by default. */
    fetch?: typeof fetch;
}

/** One range query. */
export interface RangeQuery {
    /** The LogQL query. */
    query: string;
    /** Window start (inclusive), nanosecond Unix epoch. */
    startNs: bigint;
    /** Window end (exclusive), nanosecond Unix epoch. */
    endNs: bigint;
    /** `backward` returns the newest lines first (Loki's default), `forward` the oldest. */
    direction: "forward" | "backward";
    /** The most lines to return over all pages. */
    maxLines: number;
    /** Lines per request; Loki caps it at `max_entries_limit_per_query` (5000 by default). */
    pageSize?: number;
}

/** Lines per request unless told otherwise (Loki's default `max_entries_limit_per_query` is 5000). */
export const DEFAULT_PAGE_SIZE = 1000;

const entryKey = (entry: LogEntry) => `${entry.timestampNs}\u0000${JSON.stringify(entry.labels)}\u0000${entry.line}`;

function parseStreams(body: unknown, url: string): LogEntry[] {
    const data = (body as { status?: unknown; data?: { resultType?: unknown; result?: unknown } } | null) ?? {};
    if (data.status !== "success" || data.data?.resultType !== "streams" || !Array.isArray(data.data.result)) {
        throw new LokiError(`${url}: not a Loki streams answer (status ${JSON.stringify(data.status)}, resultType ${JSON.stringify(data.data?.resultType)})`);
    }
    const entries: LogEntry[] = [];
    for (const stream of data.data.result as Array<{ stream?: Record<string, string>; values?: unknown }>) {
        if (!Array.isArray(stream.values)) {
            throw new LokiError(`${url}: a stream without values`);
        }
        for (const value of stream.values as unknown[]) {
            if (!Array.isArray(value) || typeof value[0] !== "string" || typeof value[1] !== "string" || !/^\d+$/.test(value[0])) {
                throw new LokiError(`${url}: a value is not ["<nanoseconds>", "<line>"]: ${JSON.stringify(value)}`);
            }
            entries.push({ timestampNs: BigInt(value[0]), line: value[1], labels: stream.stream ?? {} });
        }
    }
    return entries;
}

async function requestPage(connection: LokiConnection, params: Record<string, string>): Promise<LogEntry[]> {
    const url = new URL("/loki/api/v1/query_range", connection.baseUrl);
    for (const [key, value] of Object.entries(params)) {
        url.searchParams.set(key, value);
    }
    const doFetch = connection.fetch ?? fetch;
    let response: Response;
    try {
        response = await doFetch(url, { headers: { [LOKI_TENANT_HEADER]: connection.tenant } });
    } catch (error) {
        throw new LokiError(`cannot reach Loki at ${connection.baseUrl}: ${error instanceof Error ? error.message : String(error)}`, { cause: error, unreachable: true });
    }
    const text = await response.text();
    if (!response.ok) {
        // Loki answers query errors (bad LogQL, limits) with a plain-text message.
        throw new LokiError(`Loki at ${connection.baseUrl} answered ${response.status}: ${text.trim()}`);
    }
    let body: unknown;
    try {
        body = JSON.parse(text);
    } catch (error) {
        throw new LokiError(`${url.pathname}: the answer is not JSON`, { cause: error });
    }
    return parseStreams(body, url.pathname);
}

const compareAsc = (a: LogEntry, b: LogEntry) => (a.timestampNs < b.timestampNs ? -1 : a.timestampNs > b.timestampNs ? 1 : 0);

/**
 * All lines of a window up to `maxLines`, in `direction` order, fetched page by page. Loki returns each page
 * grouped by stream; lines are merged by time here. The next page starts at the last timestamp seen (inclusive
 * for `forward`; `end` is exclusive, so `last + 1ns` for `backward`), because several lines may share a
 * nanosecond; the lines of that timestamp already printed are skipped.
 *
 * @param connection where Loki is
 * @param query what to fetch
 */
export async function queryRange(connection: LokiConnection, query: RangeQuery): Promise<LogEntry[]> {
    const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
    const result: LogEntry[] = [];
    let startNs = query.startNs;
    let endNs = query.endNs;
    let boundary = new Set<string>();
    while (result.length < query.maxLines && startNs < endNs) {
        // Ask for the boundary's lines on top: a page must reach past them even when more lines share one
        // nanosecond than a page holds.
        const limit = Math.min(pageSize, query.maxLines - result.length) + boundary.size;
        const page = await requestPage(connection, {
            query: query.query,
            start: startNs.toString(),
            end: endNs.toString(),
            limit: String(limit),
            direction: query.direction,
        });
        page.sort(query.direction === "forward" ? compareAsc : (a, b) => compareAsc(b, a));
        const fresh = page.filter((entry) => !boundary.has(entryKey(entry)));
        result.push(...fresh.slice(0, query.maxLines - result.length));
        if (page.length < limit || fresh.length === 0) {
            break;
        }
        const last = page[page.length - 1]!.timestampNs;
        const atLast = page.filter((entry) => entry.timestampNs === last).map(entryKey);
        boundary = new Set(last === (query.direction === "forward" ? startNs : endNs - 1n) ? [...boundary, ...atLast] : atLast);
        if (query.direction === "forward") {
            startNs = last;
        } else {
            endNs = last + 1n;
        }
    }
    return result;
}

/**
 * How far behind the newest line seen each `--follow` poll looks again. Loki accepts lines older than the newest
 * one of a stream (out-of-order writes within its ingester window) and Alloy on another node ships in batches or
 * catches up after a network blip, so a poll that started strictly at the newest timestamp would never print a
 * line that arrives late with an older one. Lines are de-duplicated by (stream, timestamp, line) across polls.
 */
export const FOLLOW_OVERLAP_NS = 60n * 1_000_000_000n;

/** How `--follow` polls. */
export interface FollowOptions {
    /** The LogQL query. */
    query: string;
    /** Print lines from this time on (nanosecond Unix epoch, inclusive), less the overlap. */
    startNs: bigint;
    /** Milliseconds between polls. */
    intervalMs: number;
    /** Stops following (Ctrl-C). */
    signal: AbortSignal;
    /** The current time in nanoseconds (tests pass a clock). */
    nowNs?: () => bigint;
    /** Waits between polls (tests pass an immediate one). */
    sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
    /** Lines per request. */
    pageSize?: number;
    /** Lines already printed (by the query before following): never handed out again. */
    alreadySeen?: readonly LogEntry[];
    /** How far behind the newest line seen each poll starts ({@link FOLLOW_OVERLAP_NS} by default). */
    overlapNs?: bigint;
}

const realNowNs = () => BigInt(Date.now()) * 1_000_000n;

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
        }
        signal.addEventListener("abort", done, { once: true });
    });
}

/**
 * Follows a query: polls `query_range` forward from the overlap before the newest line seen and hands every line
 * not handed out before (by stream, timestamp and line), in the order Loki returns them, to `onEntry` until
 * `signal` aborts. A line arriving later than the overlap behind the newest one is not printed.
 *
 * @param connection where Loki is
 * @param options what to follow and how often to poll
 * @param onEntry called once per new line
 */
export async function follow(connection: LokiConnection, options: FollowOptions, onEntry: (entry: LogEntry) => void): Promise<void> {
    const nowNs = options.nowNs ?? realNowNs;
    const sleep = options.sleep ?? abortableSleep;
    const overlapNs = options.overlapNs ?? FOLLOW_OVERLAP_NS;
    // Key → timestamp of every line handed out (or printed before), pruned below the next window.
    const seen = new Map<string, bigint>((options.alreadySeen ?? []).map((entry) => [entryKey(entry), entry.timestampNs]));
    let newestNs = options.startNs;
    while (!options.signal.aborted) {
        const startNs = newestNs - overlapNs;
        const endNs = nowNs() + 1n;
        const entries = await queryRange(connection, {
            query: options.query,
            startNs,
            endNs,
            direction: "forward",
            maxLines: Number.MAX_SAFE_INTEGER,
            pageSize: options.pageSize,
        });
        for (const entry of entries) {
            const key = entryKey(entry);
            if (!seen.has(key)) {
                seen.set(key, entry.timestampNs);
                onEntry(entry);
            }
            if (entry.timestampNs > newestNs) {
                newestNs = entry.timestampNs;
            }
        }
        // Nothing below the next window's start can be returned again.
        const nextStartNs = newestNs - overlapNs;
        for (const [key, timestampNs] of seen) {
            if (timestampNs < nextStartNs) {
                seen.delete(key);
            }
        }
        if (options.signal.aborted) {
            break;
        }
        await sleep(options.intervalMs, options.signal);
    }
}
