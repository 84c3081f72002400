import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exporterSpec, ledgerFields } from "../../../components/metering/ledger";
import { RECORDED } from "../../../components/metering/rules";

// The exporter is plain CommonJS run by `node` in the CronJob; the test runs that same file as a child process
// and reads the bucket back through its own S3 helpers.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const exporter = require("../../../components/metering/ledger-exporter.js") as {
    s3Get: (cfg: S3Config, key: string) => Promise<LedgerDocument>;
    s3List: (cfg: S3Config, prefix: string) => Promise<string[]>;
    hourKey: (prefix: string, startMs: number) => string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver") as new (options: Record<string, unknown>) => { run: () => Promise<AddressInfo>; close: () => Promise<void> };

interface S3Config {
    endpoint: string;
    bucket: string;
    region: string;
    scheme: string;
    accessKeyId: string;
    secretAccessKey: string;
}
interface LedgerDocument {
    hours?: number;
    hourStart?: string;
    projects: Record<string, Record<string, number>>;
    regionLines: Record<string, number>;
}

/**
 * The ledger export against a local S3-compatible server (s3rver, started here for the test; .ci/run runs
 * it through `npm test`) and a fake Prometheus answering `/api/v1/query` range-vector selectors the way the
 * HTTP API does (matrix, `[seconds, "value"]`, samples in (t - 1h, t] as in Prometheus 3).
 */

const HOUR = 3600;
const JAN = Date.UTC(2027, 0, 1) / 1000;
const FEB = Date.UTC(2027, 1, 1) / 1000;
const spec = { region: "fsn1", currency: "EUR", target: { endpoint: "unused", bucket: "ledger", region: "eu-central", prefix: "billing-ledger/fsn1" }, backfillHours: 0 };

/**
 * Per-minute cost-rate samples (EUR/h): shop's evaluations land exactly on minute marks (so the sample at
 * each hour's end must go to the hour it ends), blog's 17 s after them, like a real rule group's offset.
 * shop runs a nightly batch in the last hour of January, and blog only starts on January 31.
 */
function samples(series: string, project: string, fromExclusive: number, toInclusive: number): Array<[number, string]> {
    const offset = project === "shop" ? 0 : 17;
    const out: Array<[number, string]> = [];
    for (let t = Math.floor(fromExclusive / 60) * 60 + offset; t <= toInclusive; t += 60) {
        if (t <= fromExclusive) continue;
        const value = rate(series, project, t);
        if (value !== undefined) out.push([t, String(value)]);
    }
    return out;
}
function rate(series: string, project: string, t: number): number | undefined {
    if (series !== RECORDED.costRate && series !== RECORDED.cpuBillable) return undefined;
    if (project === "blog" && t <= FEB - 24 * HOUR) return undefined;
    const base = project === "shop" ? 0.0625 : 0.015625;
    // The nightly batch: minutes ending in (Jan 31 23:00, Feb 1 00:00] belong to January.
    const batch = project === "shop" && t > FEB - HOUR && t <= FEB ? 0.5 : 0;
    return series === RECORDED.cpuBillable ? 0.5 + (batch ? 2 : 0) : base + batch;
}

let prometheus: http.Server;
let prometheusUrl = "";
let prometheusDown = false;
let s3: InstanceType<typeof S3rver>;
let s3cfg: S3Config;
let directory = "";

beforeAll(async () => {
    prometheus = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        const query = url.searchParams.get("query") ?? "";
        const match = /^\{__name__=~"([^"]+)"\}\[1h\]$/.exec(query);
        if (prometheusDown || url.pathname !== "/api/v1/query" || !match) {
            res.writeHead(prometheusDown ? 503 : 400).end(JSON.stringify({ status: "error", error: `unexpected ${query}` }));
            return;
        }
        const time = Number(url.searchParams.get("time"));
        const result = match[1]!.split("|").flatMap((name) =>
            ["shop", "blog"].map((project) => ({ metric: { __name__: name, namespace: project, project, currency: "EUR" }, values: samples(name, project, time - HOUR, time) })).filter((r) => r.values.length > 0),
        );
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ status: "success", data: { resultType: "matrix", result } }));
    });
    await new Promise<void>((resolve) => prometheus.listen(0, "127.0.0.1", resolve));
    prometheusUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "platform-ledger-s3-"));
    s3 = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, configureBuckets: [{ name: "ledger" }] });
    const address = await s3.run();
    // s3rver's default account; it accepts SigV4 requests without checking the signature (see the vector test).
    s3cfg = { endpoint: `127.0.0.1:${address.port}`, bucket: "ledger", region: "eu-central", scheme: "http", accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
}, 30_000);

afterAll(async () => {
    await s3?.close();
    await new Promise((resolve) => prometheus?.close(resolve));
    fs.rmSync(directory, { recursive: true, force: true });
});

/** Runs the exporter's entry point as the CronJob does. */
function runExporter(now: string, backfillHours: number): Promise<{ code: number; stdout: string; stderr: string }> {
    const program = path.join(__dirname, "../../../components/metering/ledger-exporter.js");
    const child = spawn(process.execPath, [program], {
        env: {
            PATH: process.env.PATH ?? "",
            PROMETHEUS_URL: prometheusUrl,
            LEDGER_SPEC: JSON.stringify(exporterSpec(spec)),
            S3_ENDPOINT: s3cfg.endpoint,
            S3_BUCKET: s3cfg.bucket,
            S3_REGION: s3cfg.region,
            S3_SCHEME: "http",
            AWS_ACCESS_KEY_ID: s3cfg.accessKeyId,
            AWS_SECRET_ACCESS_KEY: s3cfg.secretAccessKey,
            BACKFILL_HOURS: String(backfillHours),
            NOW: now,
        },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

/** What an hour must hold: Σ of the fake samples in (start, start + 1h] / 60, summed in time order. */
function expectedHour(series: string, project: string, start: number): number | undefined {
    const values = samples(series, project, start, start + HOUR);
    return values.length === 0 ? undefined : values.reduce((acc, [, v]) => acc + Number(v), 0) * (1 / 60);
}

describe("billing ledger export to S3", () => {
    it("exports every full hour of January, closes the month as the sum of its 744 hours, and is idempotent", async () => {
        // Feb 1 02:30 with 746 hours of backfill: Jan 1 00:00 … Feb 1 01:00 (the last hour ends at 02:00).
        const first = await runExporter("2027-02-01T02:30:00Z", 746);
        expect(first.code, first.stderr).toBe(0);
        const hourKeys = await exporter.s3List(s3cfg, `${spec.target.prefix}/hours/`);
        expect(hourKeys).toHaveLength(746);
        expect(hourKeys[0]).toBe(`${spec.target.prefix}/hours/2027/01/01/00.json`);
        expect(hourKeys.at(-1)).toBe(`${spec.target.prefix}/hours/2027/02/01/01.json`);

        const january: LedgerDocument[] = [];
        for (let start = JAN; start < FEB; start += HOUR) {
            january.push(await exporter.s3Get(s3cfg, exporter.hourKey(spec.target.prefix, start * 1000)));
        }
        // The last hour of January holds the batch up to and including the sample at Feb 1 00:00 ...
        const last = january.at(-1)!;
        expect(last.hourStart).toBe("2027-01-31T23:00:00.000Z");
        expect(last.projects.shop!.cost).toBe(expectedHour(RECORDED.costRate, "shop", FEB - HOUR));
        expect(last.projects.shop!.minutes).toBe(60);
        expect(last.projects.shop!.cpuCoreHours).toBe(expectedHour(RECORDED.cpuBillable, "shop", FEB - HOUR));
        // ... and February's first hour none of it.
        const feb = await exporter.s3Get(s3cfg, exporter.hourKey(spec.target.prefix, FEB * 1000));
        expect(feb.projects.shop!.cost).toBe(expectedHour(RECORDED.costRate, "shop", FEB));
        expect(feb.projects.shop!.cost).toBeLessThan(last.projects.shop!.cost!);
        // blog exists from Jan 31 00:00 only: 24 of January's hours carry it.
        expect(january.filter((h) => h.projects.blog).length).toBe(24);

        const month = await exporter.s3Get(s3cfg, `${spec.target.prefix}/months/2027-01.json`);
        expect(month.hours).toBe(744);
        for (const project of ["shop", "blog"]) {
            for (const field of ["cost", "cpuCoreHours", "minutes"]) {
                const sumOfHours = january.reduce((acc, h) => acc + (h.projects[project]?.[field] ?? 0), 0);
                expect(month.projects[project]![field], `${project} ${field}`).toBe(sumOfHours);
            }
        }
        // Independently of the exporter's arithmetic: 744 h at the base rate plus the batch hour.
        expect(month.projects.shop!.cost).toBeCloseTo(744 * 0.0625 + 0.5, 9);
        expect(month.projects.shop!.minutes).toBe(744 * 60);
        expect(month.projects.blog!.cost).toBeCloseTo(24 * 0.015625, 9);

        // A second run finds everything exported: nothing rewritten, nothing closed again.
        const second = await runExporter("2027-02-01T02:45:00Z", 746);
        expect(second.code, second.stderr).toBe(0);
        expect(JSON.parse(second.stdout.trim().split("\n").at(-1)!)).toEqual({ exported: [], closed: [], incomplete: false });
    }, 240_000);

    it("fails (and the Job with it) when Prometheus cannot be read, writing nothing for that hour", async () => {
        prometheusDown = true;
        try {
            const result = await runExporter("2027-02-01T03:30:00Z", 2);
            expect(result.code).toBe(1);
            expect(result.stderr).toMatch(/HTTP 503/);
            expect(await exporter.s3List(s3cfg, `${spec.target.prefix}/hours/2027/02/01/02`)).toEqual([]);
        } finally {
            prometheusDown = false;
        }
        // The next run backfills the hour it missed.
        const retry = await runExporter("2027-02-01T03:40:00Z", 2);
        expect(retry.code, retry.stderr).toBe(0);
        expect(await exporter.s3List(s3cfg, `${spec.target.prefix}/hours/2027/02/01/02`)).toEqual([`${spec.target.prefix}/hours/2027/02/01/02.json`]);
    }, 60_000);

    it("closes the ledger's first month as partial, from its first exported hour", async () => {
        // March with only its last 5 hours exported: the ledger "began" on March 31 19:00.
        const result = await runExporter("2027-04-01T04:10:00Z", 9);
        expect(result.code, result.stderr).toBe(0);
        const march = await exporter.s3Get(s3cfg, `${spec.target.prefix}/months/2027-03.json`);
        expect(march.hours).toBe(5);
        expect((march as unknown as { partial: unknown }).partial).toEqual({ hoursBeforeLedger: 739, firstHour: "2027-03-31T19:00:00.000Z" });
    }, 60_000);

    it("does not close a month with a gap after its first exported hour, and says which hour", async () => {
        // June 30 10:00 and 11:00 exported, then nothing until 23:00: hours 12…22 are lost to the ledger.
        expect((await runExporter("2027-06-30T12:10:00Z", 2)).code).toBe(0);
        const result = await runExporter("2027-07-01T02:10:00Z", 3);
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(/month 2027-06 not closed: 11 hour\(s\) missing after its first exported hour, first billing-ledger\/fsn1\/hours\/2027\/06\/30\/12\.json/);
        expect(await exporter.s3List(s3cfg, `${spec.target.prefix}/months/2027-06`)).toEqual([]);
    }, 60_000);
});

describe("ledger fields", () => {
    it("turn per-minute samples into amounts: cost and usage per hour, bytes per second into GiB", () => {
        const fields = Object.fromEntries(ledgerFields("EUR").map((f) => [f.name, f]));
        expect(fields.cost!.factor * 60).toBe(1);
        expect(fields.memoryGiBHours!.factor * 60 * 2 ** 30).toBeCloseTo(1, 12);
        // 1 byte/s for a minute is 60 bytes.
        expect(fields.internetEgressGiB!.factor * 2 ** 30).toBeCloseTo(60, 9);
        expect(fields.internalGiB!.unit).toMatch(/not billed/);
    });

    it("sign S3 requests like AWS's published SigV4 example (s3rver does not check signatures)", async () => {
        // docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "GET Bucket (List Objects)"
        // example (the exporter lists the month's hours the same way). aws4 leaves Range unsigned, so the
        // page's "GET Object" example, which signs it, does not apply.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const aws4 = require("aws4") as { sign: (req: Record<string, unknown>, creds: Record<string, string>) => { headers: Record<string, string> } };
        const signed = aws4.sign(
            {
                host: "examplebucket.s3.amazonaws.com",
                path: "/?max-keys=2&prefix=J",
                method: "GET",
                service: "s3",
                region: "us-east-1",
                headers: { "X-Amz-Date": "20130524T000000Z", "X-Amz-Content-Sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
            },
            { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
        );
        expect(signed.headers.Authorization).toBe(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        );
    });
});
