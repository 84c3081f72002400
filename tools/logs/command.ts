/**
 * `npm run logs`: the command line, and the run itself with its outputs injected so tests drive it against a
 * local HTTP server. Exit codes come from the driver's one table (tools/driver/exit-codes.ts): 0 when the
 * query ran (also when it found no lines), 1 for a usage error, an unknown stack or a Loki failure.
 */
import { parseArgs } from "node:util";
import { lokiTenantOf, NAMESPACES } from "../../lib/conventions";
import { RELEASES } from "../../components/observability/values";
import { EXIT, type ExitCode } from "../driver/exit-codes";
import { availableStacks } from "../driver/stack-file";
import { follow, LokiError, queryRange, type LogEntry, type LokiConnection } from "./loki-client";
import { buildLogQuery, parseDuration, SelectionError, type LogSelection } from "./query";

/** Loki's Service port-forwarded to this machine (see the README: `kubectl port-forward` over the tailnet). */
export const DEFAULT_LOKI_URL = "http://127.0.0.1:3100";

/** How to open {@link DEFAULT_LOKI_URL}; printed when Loki cannot be reached. */
export const PORT_FORWARD_HINT = `kubectl -n ${NAMESPACES.monitoring} port-forward svc/${RELEASES.loki} 3100:3100`;

/** Lines printed without `--limit`. */
export const DEFAULT_LIMIT = 1000;

/** Window without `--since`. */
export const DEFAULT_SINCE = "1h";

/** Milliseconds between polls of `--follow`. */
export const FOLLOW_INTERVAL_MS = 2000;

/** Usage text printed with `--help` and after every usage error. */
export const USAGE = `usage: npm run logs -- --stack <s> --project <p> [--service <svc>] [--deployment <d>] [--build <commit>]
                      [--since 1h] [--limit ${DEFAULT_LIMIT}] [--follow] [--loki <url>]

  --stack       stack (region) whose cluster's logs to read (the cluster label)
  --project     project id (the tenant file's name)
  --service     only this service
  --deployment  only this workload (Deployment, StatefulSet or Rollout)
  --build       the build logs of this commit instead of runtime logs
  --since       how far back: s, m, h, d, w (default ${DEFAULT_SINCE})
  --limit       the most lines to print (default ${DEFAULT_LIMIT}; the newest ones)
  --follow      keep printing new lines until Ctrl-C
  --loki        Loki's URL (default $LOKI_URL, else ${DEFAULT_LOKI_URL}: a port-forward of svc/loki)

exit codes: ${EXIT.ok} ok, ${EXIT.failure} failure (usage, unknown stack, Loki unreachable or refusing the query)`;

/** Parsed command line. */
export interface LogsArgs {
    /** What to select. */
    selection: LogSelection;
    /** Milliseconds back from now. */
    sinceMs: number;
    /** The most lines to print. */
    limit: number;
    /** Keep polling for new lines. */
    follow: boolean;
    /** Loki's base URL. */
    lokiUrl: string;
}

/** A command line that cannot be run. */
export class LogsUsageError extends Error {
    /** @param message what is wrong, one problem per line */
    constructor(message: string) {
        super(message);
        this.name = "LogsUsageError";
    }
}

/**
 * Parses and validates the command line; all problems are reported together.
 *
 * @param argv arguments after `npm run logs --`
 * @param env environment (`LOKI_URL`)
 * @returns the arguments, or `"help"` for `--help`
 * @throws LogsUsageError listing every problem
 */
export function parseLogsArgs(argv: string[], env: Readonly<Record<string, string | undefined>>): LogsArgs | "help" {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            strict: true,
            allowPositionals: false,
            options: {
                stack: { type: "string" },
                project: { type: "string" },
                service: { type: "string" },
                deployment: { type: "string" },
                build: { type: "string" },
                since: { type: "string" },
                limit: { type: "string" },
                follow: { type: "boolean" },
                loki: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (error) {
        throw new LogsUsageError(error instanceof Error ? error.message : String(error));
    }
    if (values.help) {
        return "help";
    }
    const problems: string[] = [];
    if (values.stack === undefined) {
        problems.push("--stack is required");
    }
    if (values.project === undefined) {
        problems.push("--project is required");
    }
    const since = values.since ?? DEFAULT_SINCE;
    const sinceMs = parseDuration(since);
    if (sinceMs === undefined) {
        problems.push(`--since ${JSON.stringify(since)}: must be a duration like 30m, 1h, 1h30m or 7d`);
    }
    const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit);
    if (!Number.isSafeInteger(limit) || limit < 1 || (values.limit !== undefined && !/^\d+$/.test(values.limit))) {
        problems.push(`--limit ${JSON.stringify(values.limit)}: must be a whole number of lines, at least 1`);
    }
    const lokiUrl = values.loki ?? env.LOKI_URL ?? DEFAULT_LOKI_URL;
    if (!/^https?:\/\/[^/\s]+\/?$/.test(lokiUrl)) {
        problems.push(`Loki URL ${JSON.stringify(lokiUrl)} (--loki or LOKI_URL): must be http(s)://host[:port]`);
    }
    const selection: LogSelection = {
        stack: values.stack ?? "",
        project: values.project ?? "",
        service: values.service,
        deployment: values.deployment,
        build: values.build,
    };
    if (values.stack !== undefined && values.project !== undefined) {
        try {
            buildLogQuery(selection);
        } catch (error) {
            if (!(error instanceof SelectionError)) {
                throw error;
            }
            problems.push(...error.problems);
        }
    }
    if (problems.length > 0) {
        throw new LogsUsageError(problems.join("\n"));
    }
    return { selection, sinceMs: sinceMs!, limit, follow: values.follow ?? false, lokiUrl };
}

/** What a run reads and writes. */
export interface LogsDependencies {
    /** Repository root (to check that `Pulumi.<stack>.yaml` exists). */
    repoRoot: string;
    /** Environment variables. */
    env: Readonly<Record<string, string | undefined>>;
    /** Standard output. */
    stdout: (text: string) => void;
    /** Standard error. */
    stderr: (text: string) => void;
    /** Fetch implementation; the global one by default. */
    fetch?: typeof fetch;
    /** The current time in milliseconds. */
    nowMs?: () => number;
    /** Stops `--follow`. */
    signal?: AbortSignal;
    /** Waits between polls of `--follow`. */
    sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * One printed line: RFC 3339 time with nanoseconds, the service (or pod) it came from, and the line.
 *
 * @param entry the log line
 */
export function formatEntry(entry: LogEntry): string {
    const ms = entry.timestampNs / 1_000_000n;
    const nanos = (entry.timestampNs % 1_000_000_000n).toString().padStart(9, "0");
    const time = new Date(Number(ms)).toISOString().replace(/\.\d{3}Z$/, `.${nanos}Z`);
    const source = entry.labels.service ?? entry.labels.pod ?? "-";
    return `${time} ${source} ${entry.line}\n`;
}

/**
 * Runs `npm run logs`: validates, prints the newest `limit` lines of the window oldest first, then with
 * `--follow` polls for new lines until the signal aborts.
 *
 * @param argv arguments after `npm run logs --`
 * @param deps outputs, clock and network
 * @returns the exit code
 */
export async function runLogs(argv: string[], deps: LogsDependencies): Promise<ExitCode> {
    let args;
    try {
        args = parseLogsArgs(argv, deps.env);
    } catch (error) {
        if (error instanceof LogsUsageError) {
            deps.stderr(`error: ${error.message.split("\n").join("\nerror: ")}\n\n${USAGE}\n`);
            return EXIT.failure;
        }
        throw error;
    }
    if (args === "help") {
        deps.stdout(`${USAGE}\n`);
        return EXIT.ok;
    }
    const stacks = availableStacks(deps.repoRoot);
    if (!stacks.includes(args.selection.stack)) {
        deps.stderr(`error: no stack file Pulumi.${args.selection.stack}.yaml; stacks: ${stacks.join(", ")}\n`);
        return EXIT.failure;
    }
    const query = buildLogQuery(args.selection);
    // The project's own Loki tenant: its runtime and its build logs (Alloy routes both there), nobody else's.
    const tenant = lokiTenantOf(args.selection.project);
    const connection: LokiConnection = { baseUrl: args.lokiUrl, tenant, fetch: deps.fetch };
    const nowNs = BigInt((deps.nowMs ?? Date.now)()) * 1_000_000n;
    const startNs = nowNs - BigInt(args.sinceMs) * 1_000_000n;
    deps.stderr(`# ${query} since ${new Date(Number(startNs / 1_000_000n)).toISOString()} (${args.lokiUrl}, tenant ${tenant})\n`);
    try {
        const newestFirst = await queryRange(connection, { query, startNs, endNs: nowNs + 1n, direction: "backward", maxLines: args.limit });
        const oldestFirst = newestFirst.reverse();
        for (const entry of oldestFirst) {
            deps.stdout(formatEntry(entry));
        }
        if (args.follow) {
            // Resume at the newest line printed, looking back by the overlap for late lines; follow() skips what was printed.
            const resumeNs = oldestFirst.length > 0 ? oldestFirst[oldestFirst.length - 1]!.timestampNs : nowNs + 1n;
            await follow(
                connection,
                {
                    query,
                    startNs: resumeNs,
                    alreadySeen: oldestFirst,
                    intervalMs: FOLLOW_INTERVAL_MS,
                    signal: deps.signal ?? new AbortController().signal,
                    nowNs: deps.nowMs ? () => BigInt(deps.nowMs!()) * 1_000_000n : undefined,
                    sleep: deps.sleep,
                },
                (entry) => deps.stdout(formatEntry(entry)),
            );
        }
    } catch (error) {
        if (error instanceof LokiError) {
            const hint = error.unreachable ? `\nhint: is Loki forwarded? ${PORT_FORWARD_HINT}` : "";
            deps.stderr(`error: ${error.message}${hint}\n`);
            return EXIT.failure;
        }
        throw error;
    }
    return EXIT.ok;
}
