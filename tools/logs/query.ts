/**
 * The LogQL selector of `npm run logs`: pure, so every option and every refusal is tested directly. Values come
 * from the command line and name tenant-chosen things (a project name), so each one is checked against the
 * platform's own naming rules first and quoted as a LogQL string second.
 */
import { LOKI_LABELS, NAMESPACES } from "../../lib/conventions";
import { labelMessage, labelPattern, PROJECT_NAME_MAX } from "../../lib/tenants/names";

/** What to select; every field but `stack` and `project` is optional. */
export interface LogSelection {
    /** Stack (region) name: the `cluster` label Alloy adds to every line. */
    stack: string;
    /** Project id (the tenant's `name`). */
    project: string;
    /** Only this service of the project. */
    service?: string;
    /** Only this workload (Deployment, StatefulSet or Rollout). */
    deployment?: string;
    /** Build logs of this commit instead of runtime logs. */
    build?: string;
}

/** Longest service name of the tenant schema (lib/tenants/schema.ts `services[].name`). */
const SERVICE_NAME_MAX = 30;
// Stack names: Pulumi.<stack>.yaml, a short lowercase name like dev or fsn1.
const STACK_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;
// A git commit id: abbreviated (7+) or full SHA-1/SHA-256, lowercase hex.
const COMMIT_PATTERN = /^[0-9a-f]{7,64}$/;
/** Lengths of a full commit id (SHA-1, SHA-256): matched exactly; shorter ones by prefix. */
const FULL_COMMIT_LENGTHS = [40, 64];

/** Value of the `log_stream` label on build pods (pod label `platform/log-stream`). */
export const BUILD_LOG_STREAM = "build";

/** A selection that names something that cannot exist; the message says which option and what is allowed. */
export class SelectionError extends Error {
    /** @param problems one line per invalid option */
    constructor(readonly problems: string[]) {
        super(problems.join("\n"));
        this.name = "SelectionError";
    }
}

/**
 * A LogQL double-quoted string literal. LogQL parses these like Go strings, so backslash, double quote and
 * control characters are escaped; everything else is literal. Ids are validated before they get here; this is
 * the second line of defence and keeps any value inside its matcher.
 *
 * @param value the raw label value
 */
export function quoteLabelValue(value: string): string {
    let out = "";
    for (const ch of value) {
        const code = ch.codePointAt(0)!;
        if (ch === "\\" || ch === '"') {
            out += `\\${ch}`;
        } else if (ch === "\n") {
            out += "\\n";
        } else if (ch === "\r") {
            out += "\\r";
        } else if (ch === "\t") {
            out += "\\t";
        } else if (code < 0x20 || code === 0x7f) {
            out += `\\x${code.toString(16).padStart(2, "0")}`;
        } else {
            out += ch;
        }
    }
    return `"${out}"`;
}

/**
 * Problems of a selection, one per invalid option; empty when it is valid.
 *
 * @param selection what the command line asked for
 */
export function selectionProblems(selection: LogSelection): string[] {
    const problems: string[] = [];
    if (!STACK_PATTERN.test(selection.stack)) {
        problems.push(`--stack ${JSON.stringify(selection.stack)}: must be a stack name like dev or fsn1 (a-z, 0-9, '-')`);
    }
    if (!labelPattern(PROJECT_NAME_MAX).test(selection.project)) {
        problems.push(`--project ${JSON.stringify(selection.project)}: ${labelMessage(PROJECT_NAME_MAX)} (the tenant file's name)`);
    }
    for (const [option, value] of [
        ["--service", selection.service],
        ["--deployment", selection.deployment],
    ] as const) {
        if (value !== undefined && !labelPattern(SERVICE_NAME_MAX).test(value)) {
            problems.push(`${option} ${JSON.stringify(value)}: ${labelMessage(SERVICE_NAME_MAX)}`);
        }
    }
    if (selection.build !== undefined && !COMMIT_PATTERN.test(selection.build)) {
        problems.push(`--build ${JSON.stringify(selection.build)}: must be a git commit id (7 to 64 lowercase hex digits)`);
    }
    return problems;
}

/**
 * The LogQL stream selector for a selection, e.g. `{cluster="dev", project="shop", service="web", log_stream=""}`.
 * Runtime logs match `log_stream=""` (a label matcher on an empty value also matches streams without the label),
 * so build lines never mix into them; `--build` selects `log_stream="build"` and the commit.
 *
 * @param selection what to select
 * @throws SelectionError when an option names something that cannot exist
 */
export function buildLogQuery(selection: LogSelection): string {
    const problems = selectionProblems(selection);
    if (problems.length > 0) {
        throw new SelectionError(problems);
    }
    const matchers: Array<[string, string]> = [
        [LOKI_LABELS.cluster, selection.stack],
        [LOKI_LABELS.project, selection.project],
    ];
    if (selection.service !== undefined) {
        matchers.push([LOKI_LABELS.service, selection.service]);
    }
    if (selection.deployment !== undefined) {
        matchers.push([LOKI_LABELS.deployment, selection.deployment]);
    }
    // `namespace` comes from Alloy's pod discovery, never from a pod label, so a tenant that labels its pods
    // `platform/project: <another project>` cannot write into that project's logs: runtime lines must come from
    // the project's own namespace, build lines from the platform's builds namespace.
    const regex: Array<[string, string]> = [];
    if (selection.build !== undefined) {
        matchers.push([LOKI_LABELS.namespace, NAMESPACES.builds], [LOKI_LABELS.logStream, BUILD_LOG_STREAM]);
        if (FULL_COMMIT_LENGTHS.includes(selection.build.length)) {
            matchers.push([LOKI_LABELS.commit, selection.build]);
        } else {
            // Build pods carry the full commit id; an abbreviated one (hex only, checked above) selects by prefix.
            regex.push([LOKI_LABELS.commit, `${selection.build}.*`]);
        }
    } else {
        matchers.push([LOKI_LABELS.namespace, selection.project], [LOKI_LABELS.logStream, ""]);
    }
    return `{${[...matchers.map(([label, value]) => `${label}=${quoteLabelValue(value)}`), ...regex.map(([label, value]) => `${label}=~${quoteLabelValue(value)}`)].join(", ")}}`;
}

const DURATION_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Milliseconds of a `--since` duration: one or more `<n><unit>` parts, units s, m, h, d, w (`1h`, `1h30m`, `7d`).
 *
 * @param text the duration as typed
 * @returns the duration, or `undefined` when it is not one
 */
export function parseDuration(text: string): number | undefined {
    if (!/^(\d+[smhdw])+$/.test(text)) {
        return undefined;
    }
    let total = 0;
    for (const [, amount, unit] of text.matchAll(/(\d+)([smhdw])/g)) {
        total += Number(amount) * DURATION_UNITS[unit!]!;
    }
    return total > 0 ? total : undefined;
}
