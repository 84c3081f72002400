"use strict";
/**
 * Billing ledger exporter: run hourly by the billing-ledger CronJob (components/metering/ledger.ts) in the
 * official Node image, with aws4 (the SigV4 signer, mounted beside this file) as its only dependency.
 *
 * For every full UTC hour of the backfill window not yet in the bucket it reads the per-minute metering
 * samples of that hour from Prometheus (`{__name__=~"…"}[1h]` at the hour's end: t in (H, H+1h]),
 * sums them per project and writes `<prefix>/hours/YYYY/MM/DD/HH.json`. An exported hour is never
 * rewritten. Once every hour of a month is in the bucket it writes `<prefix>/months/YYYY-MM.json`, the sum of
 * those hour files (read back from the bucket, not from Prometheus), so a month's total is the sum of its
 * hours and anyone can recompute it from the same files.
 *
 * Environment: PROMETHEUS_URL, LEDGER_SPEC (JSON, rendered by ledger.ts: region, currency, prefix, fields),
 * S3_ENDPOINT (host[:port]), S3_BUCKET, S3_REGION, S3_SCHEME (https unless http is asked for),
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, BACKFILL_HOURS, NOW (ISO time, tests only).
 * Exit status 0 when every hour of the window is exported, 1 otherwise (the Job fails, the
 * BillingLedgerExportStale alert watches its last success).
 */
const http = require("node:http");
const https = require("node:https");
const path = require("node:path");
const fs = require("node:fs");
// In the CronJob aws4 is mounted beside this file; in the repository it is the npm dependency.
const aws4 = fs.existsSync(path.join(__dirname, "aws4.js")) ? require(path.join(__dirname, "aws4.js")) : require("aws4");

const HOUR_MS = 3600 * 1000;

function env(name) {
    const value = process.env[name];
    if (value === undefined || value === "") {
        throw new Error(`ledger: environment variable ${name} is not set`);
    }
    return value;
}

/** One HTTP request; resolves {status, body}. */
function request(url, options, body) {
    return new Promise((resolve, reject) => {
        const client = url.protocol === "http:" ? http : https;
        const req = client.request(url, options, (res) => {
            const chunks = [];
            res.on("data", (c) => chunks.push(c));
            res.on("end", () => resolve({ status: res.statusCode || 0, body: Buffer.concat(chunks).toString("utf8") }));
        });
        req.on("error", reject);
        req.setTimeout(60000, () => req.destroy(new Error(`timeout: ${options.method || "GET"} ${url.href}`)));
        if (body !== undefined) {
            req.write(body);
        }
        req.end();
    });
}

/** A signed S3 request (path-style: /bucket/key). */
function s3(s3cfg, method, key, { query = "", body } = {}) {
    const keyPath = key === "" ? "" : `/${key.split("/").map(encodeURIComponent).join("/")}`;
    const signed = aws4.sign(
        {
            host: s3cfg.endpoint,
            path: `/${s3cfg.bucket}${keyPath}${query ? `?${query}` : ""}`,
            method,
            service: "s3",
            region: s3cfg.region,
            headers: body !== undefined ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } : {},
            body,
        },
        { accessKeyId: s3cfg.accessKeyId, secretAccessKey: s3cfg.secretAccessKey },
    );
    const url = new URL(`${s3cfg.scheme}://${s3cfg.endpoint}${signed.path}`);
    return request(url, { method, headers: signed.headers }, body);
}

async function s3Exists(s3cfg, key) {
    const res = await s3(s3cfg, "HEAD", key);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new Error(`ledger: HEAD ${key}: HTTP ${res.status}`);
}

async function s3Put(s3cfg, key, document) {
    const res = await s3(s3cfg, "PUT", key, { body: `${JSON.stringify(document, null, 2)}\n` });
    if (res.status !== 200) {
        throw new Error(`ledger: PUT ${key}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    }
}

async function s3Get(s3cfg, key) {
    const res = await s3(s3cfg, "GET", key);
    if (res.status !== 200) {
        throw new Error(`ledger: GET ${key}: HTTP ${res.status}`);
    }
    return JSON.parse(res.body);
}

/** Every key below a prefix (ListObjectsV2, all pages). */
async function s3List(s3cfg, prefix) {
    const keys = [];
    let token;
    for (;;) {
        const params = new URLSearchParams({ "list-type": "2", prefix });
        if (token) params.set("continuation-token", token);
        params.sort();
        const res = await s3(s3cfg, "GET", "", { query: params.toString().replace(/\+/g, "%20") });
        if (res.status !== 200) {
            throw new Error(`ledger: list ${prefix}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
        }
        for (const m of res.body.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1].replace(/&amp;/g, "&"));
        const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(res.body);
        if (!/<IsTruncated>true<\/IsTruncated>/.test(res.body) || !next) break;
        token = next[1];
    }
    return keys.sort();
}

/** The raw samples of the hour ending at `endMs` of every series named: `{__name__=~"a|b"}[1h]`. */
async function hourSamples(prometheusUrl, names, endMs) {
    const url = new URL("/api/v1/query", prometheusUrl);
    const bad = names.find((n) => !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(n));
    if (bad !== undefined) throw new Error(`ledger: "${bad}" is not a metric name`);
    url.searchParams.set("query", `{__name__=~"${names.join("|")}"}[1h]`);
    url.searchParams.set("time", String(endMs / 1000));
    const res = await request(url, { method: "GET" });
    if (res.status !== 200) {
        throw new Error(`ledger: Prometheus query at ${new Date(endMs).toISOString()}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
    }
    const parsed = JSON.parse(res.body);
    if (parsed.status !== "success" || parsed.data.resultType !== "matrix") {
        throw new Error(`ledger: Prometheus query at ${new Date(endMs).toISOString()}: unexpected answer ${res.body.slice(0, 300)}`);
    }
    return parsed.data.result;
}

const pad = (n) => String(n).padStart(2, "0");
/** `<prefix>/hours/YYYY/MM/DD/HH.json` of the hour starting at `startMs`. */
function hourKey(prefix, startMs) {
    const d = new Date(startMs);
    return `${prefix}/hours/${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}.json`;
}
const monthId = (ms) => {
    const d = new Date(ms);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
};

/**
 * The ledger document of one hour: per project, each field's Σ samples × factor (samples with
 * startMs < t <= startMs + 1h, so a sample on the boundary belongs to the hour it ends) and the minutes
 * metered (samples of the minute field); per region line its cost.
 */
async function exportHour(spec, prometheusUrl, startMs) {
    const endMs = startMs + HOUR_MS;
    const projects = {};
    const regionLines = {};
    const results = await hourSamples(prometheusUrl, [...new Set(spec.fields.map((f) => f.series))], endMs);
    for (const field of spec.fields) {
        for (const r of results.filter((x) => x.metric.__name__ === field.series)) {
            const inHour = r.values.filter(([t]) => t * 1000 > startMs && t * 1000 <= endMs);
            const total = inHour.reduce((acc, [, v]) => acc + Number(v), 0) * field.factor;
            if (field.scope === "region") {
                const line = r.metric.line;
                regionLines[line] = (regionLines[line] || 0) + total;
                continue;
            }
            const project = r.metric.project;
            if (!project) continue;
            const entry = (projects[project] = projects[project] || { minutes: 0 });
            entry[field.name] = (entry[field.name] || 0) + total;
            if (field.countsMinutes) entry.minutes = Math.max(entry.minutes, inHour.length * (60 / spec.samplesPerHour));
        }
    }
    return {
        schema: 1,
        region: spec.region,
        currency: spec.currency,
        hourStart: new Date(startMs).toISOString(),
        hourEnd: new Date(endMs).toISOString(),
        fields: spec.fields.map(({ name, series, unit }) => ({ name, series, unit })),
        projects: Object.fromEntries(Object.entries(projects).sort(([a], [b]) => (a < b ? -1 : 1))),
        regionLines,
    };
}

/** Sums hour documents field by field (in hour order): a month is the sum of its hours. */
function sumHours(spec, month, hours) {
    const projects = {};
    const regionLines = {};
    for (const hour of hours) {
        for (const [project, values] of Object.entries(hour.projects)) {
            const entry = (projects[project] = projects[project] || {});
            for (const [name, value] of Object.entries(values)) entry[name] = (entry[name] || 0) + value;
        }
        for (const [line, value] of Object.entries(hour.regionLines)) regionLines[line] = (regionLines[line] || 0) + value;
    }
    return { schema: 1, region: spec.region, currency: spec.currency, month, hours: hours.length, projects, regionLines };
}

/** Hours of the UTC month `YYYY-MM`, in milliseconds since the epoch of each hour start. */
function monthHours(month) {
    const [y, m] = month.split("-").map(Number);
    const start = Date.UTC(y, m - 1, 1);
    const end = Date.UTC(y, m, 1);
    const hours = [];
    for (let t = start; t < end; t += HOUR_MS) hours.push(t);
    return hours;
}

/**
 * Writes the month file of a finished month from its hour files. Every hour from the month's first exported
 * hour on must be there; hours before it are the time before the ledger existed (its first month), and the
 * month is closed as `partial` with their count, so nobody mistakes it for a whole month. A missing hour
 * after the first one is a gap: the month stays open and the run fails until someone restores the hour.
 */
async function closeMonth(spec, s3cfg, month, log) {
    const monthKey = `${spec.prefix}/months/${month}.json`;
    if (await s3Exists(s3cfg, monthKey)) return { closed: false, missing: [] };
    const expected = monthHours(month).map((t) => hourKey(spec.prefix, t));
    const present = new Set(await s3List(s3cfg, `${spec.prefix}/hours/${month.replace("-", "/")}/`));
    const first = expected.findIndex((k) => present.has(k));
    if (first < 0) return { closed: false, missing: [] }; // nothing of this month was ever exported
    const missing = expected.slice(first).filter((k) => !present.has(k));
    if (missing.length > 0) {
        log(`month ${month} not closed: ${missing.length} hour(s) missing after its first exported hour, first ${missing[0]}`);
        return { closed: false, missing };
    }
    const hours = [];
    for (const key of expected.slice(first)) hours.push(await s3Get(s3cfg, key));
    const document = sumHours(spec, month, hours);
    if (first > 0) document.partial = { hoursBeforeLedger: first, firstHour: hours[0].hourStart };
    await s3Put(s3cfg, monthKey, document);
    log(`closed ${monthKey} from ${hours.length} hours${first > 0 ? ` (partial: the ledger began ${hours[0].hourStart})` : ""}`);
    return { closed: true, missing: [] };
}

/** One run: export the missing hours of the window, then close every finished month it touches. */
async function run(options) {
    const { spec, prometheusUrl, s3cfg, nowMs, backfillHours, log = console.log } = options;
    const lastEnd = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
    const exported = [];
    for (let start = lastEnd - backfillHours * HOUR_MS; start < lastEnd; start += HOUR_MS) {
        const key = hourKey(spec.prefix, start);
        if (await s3Exists(s3cfg, key)) continue;
        await s3Put(s3cfg, key, await exportHour(spec, prometheusUrl, start));
        exported.push(key);
        log(`exported ${key}`);
    }
    const months = [...new Set([lastEnd - backfillHours * HOUR_MS, lastEnd - HOUR_MS].map(monthId))];
    const closed = [];
    let incomplete = false;
    for (const month of months) {
        const [y, m] = month.split("-").map(Number);
        if (Date.UTC(y, m, 1) > lastEnd) continue; // still running
        const result = await closeMonth(spec, s3cfg, month, log);
        if (result.closed) closed.push(month);
        if (result.missing.length > 0) incomplete = true;
    }
    return { exported, closed, incomplete };
}

async function main() {
    const spec = JSON.parse(env("LEDGER_SPEC"));
    const s3cfg = {
        endpoint: env("S3_ENDPOINT"),
        bucket: env("S3_BUCKET"),
        region: env("S3_REGION"),
        scheme: process.env.S3_SCHEME === "http" ? "http" : "https",
        accessKeyId: env("AWS_ACCESS_KEY_ID"),
        secretAccessKey: env("AWS_SECRET_ACCESS_KEY"),
    };
    const nowMs = process.env.NOW ? Date.parse(process.env.NOW) : Date.now();
    const result = await run({ spec, prometheusUrl: env("PROMETHEUS_URL"), s3cfg, nowMs, backfillHours: Number(env("BACKFILL_HOURS")) });
    console.log(JSON.stringify(result));
    process.exitCode = result.incomplete ? 1 : 0;
}

module.exports = { run, exportHour, sumHours, hourKey, monthHours, s3Get, s3List, s3Exists };

if (require.main === module) {
    main().catch((err) => {
        console.error(err && err.stack ? err.stack : String(err));
        process.exitCode = 1;
    });
}
