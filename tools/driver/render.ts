/**
 * Rendering of a deploy run (text for the log, markdown for a PR comment, JSON for machines) and the redaction
 * every one of them goes through. Redaction is applied twice on purpose: to structured values before they are
 * serialised (so escaping cannot hide a secret) and to the final text (so nothing added later can leak one).
 */
import type { Subcommand } from "./args";
import { CHANGE_KINDS, type ChangeCounts, type ChangeSummary } from "./events";
import type { ExitCode } from "./exit-codes";

/** Placeholder that replaces every secret value. */
export const REDACTED = "[secret]";

// Values shorter than this are not searched for: replacing every "on" or "1" in a log would make it unreadable
// and such values are not credentials anyway. Tokens, keys and passwords are far longer.
const MIN_SECRET_LENGTH = 4;

// The engine's marker for an encrypted value in exported state (`sig.Secret`).
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Replaces known secret values in text and structured data. */
export class Redactor {
    private readonly values: string[];

    /** @param secretValues every value that must never be printed */
    constructor(secretValues: readonly string[]) {
        // Longest first, so a secret that contains another is replaced whole.
        this.values = [...new Set(secretValues.filter((value) => value.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
    }

    /**
     * The text with every known secret value replaced by {@link REDACTED}.
     *
     * @param text any text
     */
    redact(text: string): string {
        let result = text;
        for (const value of this.values) {
            if (result.includes(value)) {
                result = result.split(value).join(REDACTED);
            }
        }
        return result;
    }

    /**
     * A deep copy with every string redacted and every engine secret marker replaced by {@link REDACTED}.
     *
     * @param value any JSON-like value
     */
    redactDeep(value: unknown): unknown {
        if (typeof value === "string") {
            return this.redact(value);
        }
        if (Array.isArray(value)) {
            return value.map((item) => this.redactDeep(item));
        }
        if (value !== null && typeof value === "object") {
            if (SECRET_SIG_KEY in value) {
                return REDACTED;
            }
            return Object.fromEntries(Object.entries(value).map(([key, item]) => [this.redact(key), this.redactDeep(item)]));
        }
        return value;
    }
}

/**
 * Buffers streamed output to whole lines before redacting: the CLI's output arrives in arbitrary chunks and a
 * secret split across two chunks would otherwise slip through.
 */
export class LineRedactingStream {
    private pending = "";

    /**
     * @param redactor the redactor
     * @param write where redacted lines go
     */
    constructor(
        private readonly redactor: Redactor,
        private readonly write: (text: string) => void,
    ) {}

    /**
     * Accepts a chunk; writes every completed line.
     *
     * @param chunk text as it arrived
     */
    push(chunk: string): void {
        this.pending += chunk;
        const end = this.pending.lastIndexOf("\n");
        if (end === -1) {
            return;
        }
        const complete = this.pending.slice(0, end + 1);
        this.pending = this.pending.slice(end + 1);
        this.write(this.redactor.redact(complete));
    }

    /** Writes whatever is left (a last line without newline). */
    flush(): void {
        if (this.pending !== "") {
            this.write(this.redactor.redact(this.pending));
            this.pending = "";
        }
    }
}

/** A stack output as the workspace reports it. */
export interface OutputEntry {
    /** The value (may be plaintext even when secret; it is redacted before rendering). */
    value: unknown;
    /** True when the engine marks the output secret. */
    secret: boolean;
}

/** Everything known about one run, before rendering. */
export interface DeployReport {
    /** The subcommand. */
    command: Subcommand;
    /** The stack. */
    stack: string;
    /** The exit code the driver returns. */
    exitCode: ExitCode;
    /** Status word for the exit code. */
    status: string;
    /** Backend URL, user-info removed. */
    backend: string;
    /** Summary from engine events. */
    summary: ChangeSummary;
    /** Stack outputs, when the subcommand reports them (`up`). */
    outputs?: Record<string, OutputEntry>;
    /** Short error text when the operation failed. */
    error?: string;
    /** For `drift`: whether drift was found and how it was determined. */
    drift?: { detected: boolean; method: string };
    /** Wall-clock duration of the run in seconds. */
    durationSeconds: number;
}

/**
 * The outputs with secret ones replaced by {@link REDACTED} and known secret values removed from the rest.
 *
 * @param outputs outputs as the workspace reports them
 * @param redactor the redactor
 */
export function redactOutputs(outputs: Record<string, OutputEntry>, redactor: Redactor): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(outputs)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, entry]) => [key, entry.secret ? REDACTED : redactor.redactDeep(entry.value)]),
    );
}

/**
 * A short error text from an Automation API error: the CLI's `error:` lines, not the whole command transcript
 * (which the log already streamed).
 *
 * @param error what the operation threw
 */
export function conciseError(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    const errorLines = [
        ...new Set(
            message
                .split("\n")
                // CommandResult.toString() puts the first stderr line right after its " stderr: " label.
                .map((line) => line.trim().replace(/^(?:stdout|stderr):\s*/, ""))
                .filter((line) => /^error:/.test(line)),
        ),
    ];
    if (errorLines.length > 0) {
        return errorLines.slice(0, 6).join("\n");
    }
    const trimmed = message.trim();
    return trimmed.length > 600 ? `${trimmed.slice(0, 600)}…` : trimmed;
}

const VERB: Record<Subcommand, string> = { preview: "preview", up: "update", refresh: "refresh", drift: "drift check", destroy: "destroy", rollback: "rollback" };

function headline(counts: ChangeCounts, planned: boolean): string {
    const verb = (word: string): string => (planned ? `to ${word}` : `${word}d`);
    const parts = [
        `${counts.create} ${verb("create")}`,
        `${counts.update} ${verb("update")}`,
        `${counts.replace} ${verb("replace")}`,
        `${counts.delete} ${verb("delete")}`,
        `${counts.same} unchanged`,
    ];
    if (counts.other > 0) {
        parts.push(`${counts.other} other`);
    }
    return parts.join(", ");
}

function isPlanned(command: Subcommand): boolean {
    return command === "preview" || command === "drift";
}

/**
 * One line of change counts for a report: `2 to create, … 6 unchanged` (planned) or `2 created, …`.
 *
 * @param report the run
 */
export function changeHeadline(report: DeployReport): string {
    return headline(report.summary.totals, isPlanned(report.command));
}

function outputsJson(report: DeployReport, redactor: Redactor): string | undefined {
    if (!report.outputs || Object.keys(report.outputs).length === 0) {
        return undefined;
    }
    return JSON.stringify(redactOutputs(report.outputs, redactor), null, 2);
}

/**
 * The report as plain text for the terminal / CI log.
 *
 * @param report the run
 * @param redactor the redactor
 */
export function renderText(report: DeployReport, redactor: Redactor): string {
    const { summary } = report;
    const lines: string[] = [];
    lines.push(`${VERB[report.command]} of stack ${report.stack}: ${report.status} (exit ${report.exitCode})`);
    lines.push(`  backend: ${report.backend}`);
    lines.push(`  changes: ${headline(summary.totals, isPlanned(report.command))}${summary.complete ? "" : " (incomplete: no summary from the engine)"}`);
    if (report.drift) {
        lines.push(`  drift: ${report.drift.detected ? "FOUND" : "none"} (${report.drift.method})`);
    }
    const changedTypes = Object.entries(summary.byType).filter(([, counts]) => counts.create + counts.update + counts.replace + counts.delete + counts.other > 0);
    if (changedTypes.length > 0) {
        lines.push("  by type:");
        const width = Math.max(...changedTypes.map(([type]) => type.length));
        for (const [type, counts] of changedTypes) {
            const cells = CHANGE_KINDS.filter((kind) => kind !== "same" && counts[kind] > 0).map((kind) => `${kind} ${counts[kind]}`);
            lines.push(`    ${type.padEnd(width)}  ${cells.join(", ")}`);
        }
    }
    if (summary.policyViolations.length > 0) {
        lines.push(`  policy: ${summary.mandatoryViolations} mandatory, ${summary.policyViolations.length - summary.mandatoryViolations} advisory`);
        for (const violation of summary.policyViolations) {
            lines.push(`    [${violation.enforcementLevel}] ${violation.pack}/${violation.policy}${violation.urn ? ` ${violation.urn}` : ""}`);
            lines.push(`      ${violation.message.replace(/\n/g, "\n      ")}`);
        }
    }
    for (const failed of summary.failedResources) {
        lines.push(`  failed: ${failed.op} ${failed.urn}`);
    }
    const errors = summary.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0) {
        lines.push("  errors:");
        for (const diagnostic of errors) {
            lines.push(`    ${diagnostic.urn ? `${diagnostic.urn}: ` : ""}${diagnostic.message.replace(/\n/g, "\n      ")}`);
        }
    }
    if (report.error) {
        lines.push(`  error: ${report.error.replace(/\n/g, "\n    ")}`);
    }
    const outputs = outputsJson(report, redactor);
    if (outputs) {
        lines.push("  outputs:");
        lines.push(...outputs.split("\n").map((line) => `    ${line}`));
    }
    return redactor.redact(`${lines.join("\n")}\n`);
}

function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

const ICON: Record<string, string> = { succeeded: "✅", failed: "❌", "policy-violation": "⛔", drift: "⚠️", locked: "🔒", skipped: "⏭️" };

// GitHub rejects comments over 65,536 characters; keep a margin for the marker and the truncation note.
const MAX_MARKDOWN = 60_000;

/**
 * The report as GitHub-flavoured markdown for a PR comment. Starts with an HTML comment marker
 * (`<!-- platform-deploy:<command>:<stack> -->`) so the workflow can update its previous comment.
 *
 * @param report the run
 * @param redactor the redactor
 */
export function renderMarkdown(report: DeployReport, redactor: Redactor): string {
    const out: string[] = [];
    out.push(`<!-- platform-deploy:${report.command}:${report.stack} -->`);
    out.push(markdownHeading(report.command, `stack \`${report.stack}\``, report.status, report.exitCode));
    out.push("");
    out.push(markdownBody(report, redactor));
    let text = redactor.redact(`${out.join("\n")}\n`);
    if (text.length > MAX_MARKDOWN) {
        text = `${text.slice(0, MAX_MARKDOWN)}\n\n… truncated; the full report is in the job log.\n`;
    }
    return text;
}

/**
 * A `###` heading with the status icon: `### ✅ \`preview\` · <what> · succeeded (exit 0)`.
 *
 * @param command the subcommand
 * @param what what ran (markdown)
 * @param status the status word
 * @param exitCode the exit code
 */
export function markdownHeading(command: Subcommand, what: string, status: string, exitCode: number): string {
    return `### ${ICON[status] ?? ""} \`${command}\` · ${what} · ${status} (exit ${exitCode})`.replace("###  ", "### ");
}

/** Icon of a status word in markdown ("" for none). */
export function statusIcon(status: string): string {
    return ICON[status] ?? "";
}

/**
 * Escapes text for a markdown table cell.
 *
 * @param text any text
 */
export function markdownCell(text: string): string {
    return cell(text);
}

/**
 * The body of one stack's markdown report (everything below its heading), not yet redacted.
 *
 * @param report the run
 * @param redactor the redactor (secret outputs become {@link REDACTED})
 */
export function markdownBody(report: DeployReport, redactor: Redactor): string {
    const { summary } = report;
    const out: string[] = [];
    out.push(`**${headline(summary.totals, isPlanned(report.command))}**${summary.complete ? "" : " _(incomplete: the engine sent no summary)_"}`);
    if (report.drift) {
        out.push("");
        out.push(`Drift: **${report.drift.detected ? "found" : "none"}** — ${report.drift.method}`);
    }
    const types = Object.entries(summary.byType);
    const changed = types.filter(([, c]) => c.create + c.update + c.replace + c.delete + c.other > 0);
    if (changed.length > 0) {
        out.push("");
        out.push("| resource type | create | update | replace | delete | other |");
        out.push("|---|---:|---:|---:|---:|---:|");
        for (const [type, c] of changed) {
            out.push(`| \`${cell(type)}\` | ${c.create || ""} | ${c.update || ""} | ${c.replace || ""} | ${c.delete || ""} | ${c.other || ""} |`);
        }
    }
    const unchanged = types.filter(([, c]) => c.same > 0 && c.create + c.update + c.replace + c.delete + c.other === 0);
    if (unchanged.length > 0) {
        out.push("");
        out.push(`<details><summary>${unchanged.reduce((n, [, c]) => n + c.same, 0)} unchanged resource(s) of ${unchanged.length} type(s)</summary>`);
        out.push("");
        for (const [type, c] of unchanged) {
            out.push(`- \`${cell(type)}\` × ${c.same}`);
        }
        out.push("");
        out.push("</details>");
    }
    if (summary.policyViolations.length > 0) {
        out.push("");
        out.push(`#### Policy: ${summary.mandatoryViolations} mandatory, ${summary.policyViolations.length - summary.mandatoryViolations} advisory`);
        out.push("");
        out.push("| level | policy | resource | message |");
        out.push("|---|---|---|---|");
        for (const v of summary.policyViolations) {
            out.push(`| ${v.enforcementLevel} | \`${cell(`${v.pack}/${v.policy}`)}\` | ${v.urn ? `\`${cell(v.urn.split("::").pop() ?? v.urn)}\`` : ""} | ${cell(v.message)} |`);
        }
    }
    const errors = summary.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0 || report.error || summary.failedResources.length > 0) {
        out.push("");
        out.push("#### Errors");
        out.push("");
        for (const failed of summary.failedResources) {
            out.push(`- failed \`${failed.op}\` of \`${cell(failed.urn)}\``);
        }
        for (const d of errors) {
            out.push(`- ${d.urn ? `\`${cell(d.urn.split("::").pop() ?? d.urn)}\`: ` : ""}${cell(d.message)}`);
        }
        if (report.error) {
            out.push("");
            out.push("```");
            out.push(report.error.replace(/```/g, "'''"));
            out.push("```");
        }
    }
    const outputs = outputsJson(report, redactor);
    if (outputs) {
        out.push("");
        out.push("<details><summary>Stack outputs (secrets redacted)</summary>");
        out.push("");
        out.push("```json");
        out.push(outputs.replace(/```/g, "'''"));
        out.push("```");
        out.push("");
        out.push("</details>");
    }
    const packs = Object.entries(summary.policyPacks);
    out.push("");
    out.push(
        `<sub>backend \`${cell(report.backend)}\`${packs.length > 0 ? ` · policy packs ${packs.map(([name, version]) => `\`${cell(name)}@${cell(version)}\``).join(", ")}` : ""} · ${report.durationSeconds.toFixed(0)} s</sub>`,
    );
    return out.join("\n");
}

/** GitHub's comment limit with a margin: the most a rendered markdown report may hold. */
export const MAX_MARKDOWN_CHARS = MAX_MARKDOWN;

/**
 * The report as a JSON value: summary, policy, diagnostics and outputs (secret outputs as {@link REDACTED}),
 * redacted; one per stack in the region report.
 *
 * @param report the run
 * @param redactor the redactor
 */
export function jsonDocument(report: DeployReport, redactor: Redactor): unknown {
    const document = {
        command: report.command,
        stack: report.stack,
        status: report.status,
        exitCode: report.exitCode,
        backend: report.backend,
        durationSeconds: report.durationSeconds,
        drift: report.drift,
        changes: {
            totals: report.summary.totals,
            hasChanges: report.summary.hasChanges,
            engine: report.summary.engineChanges ?? null,
            byType: report.summary.byType,
            complete: report.summary.complete,
        },
        policy: {
            packs: report.summary.policyPacks,
            mandatoryViolations: report.summary.mandatoryViolations,
            violations: report.summary.policyViolations,
        },
        diagnostics: report.summary.diagnostics,
        failedResources: report.summary.failedResources,
        maybeCorrupt: report.summary.maybeCorrupt,
        outputs: report.outputs ? redactOutputs(report.outputs, redactor) : null,
        error: report.error ?? null,
    };
    return redactor.redactDeep(document);
}

/**
 * The report as a JSON document (see {@link jsonDocument}).
 *
 * @param report the run
 * @param redactor the redactor
 */
export function renderJson(report: DeployReport, redactor: Redactor): string {
    return redactor.redact(`${JSON.stringify(jsonDocument(report, redactor), null, 2)}\n`);
}
