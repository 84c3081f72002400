/**
 * The report of one run over a region's stacks: the platform stack's and every tenant stack's own report
 * (render.ts), a summary table grouped by tenant, and the tenant stacks pending deletion. Text for the log, JSON
 * with one document per tenant, markdown for the pull-request comment (GitHub's size limit respected: failing
 * and changing stacks first, unchanged ones folded into one line).
 */
import type { Subcommand } from "./args";
import type { ExitCode } from "./exit-codes";
import {
    changeHeadline,
    jsonDocument,
    markdownBody,
    markdownCell,
    markdownHeading,
    MAX_MARKDOWN_CHARS,
    renderMarkdown,
    statusIcon,
    type DeployReport,
    type Redactor,
} from "./render";
import type { StackTarget } from "./stacks";

/** What happened to one stack. */
export interface StackOutcome {
    /** Which stack. */
    target: StackTarget;
    /** Its report (a skipped stack has status `skipped` and the reason as error). */
    report: DeployReport;
    /** Whether the engine proposed or made changes. */
    changed: boolean;
    /** A remark for the summary (e.g. the platform was previewed and found unchanged, so not updated). */
    note?: string;
}

/** A tenant's stack (its app or its grants stack) in the backend whose tenant file is gone. */
export interface PendingDeletion {
    /** The tenant id. */
    tenant: string;
    /** The stack. */
    stack: string;
}

/** Everything known about one run over a region. */
export interface RegionReport {
    /** The subcommand. */
    command: Subcommand;
    /** The region (the `--stack` argument). */
    region: string;
    /** Overall exit code: the most severe of the stacks'. */
    exitCode: ExitCode;
    /** Status word of the overall exit code. */
    status: string;
    /** Backend URL, user-info removed. */
    backend: string;
    /** `--parallel`. */
    parallel: number;
    /** The platform stack's outcome, when it ran (or was skipped). */
    platform?: StackOutcome;
    /** Tenants' stacks' outcomes, in catalog order, each tenant's grants stack before its app stack. */
    tenants: StackOutcome[];
    /** Tenant stacks without a tenant file: reported, never run unless destroyed by name. */
    pendingDeletion: PendingDeletion[];
    /** Number of tenants in the catalog. */
    catalogTenants: number;
    /** Wall-clock duration of the whole run in seconds. */
    durationSeconds: number;
}

function outcomes(report: RegionReport): StackOutcome[] {
    return [...(report.platform ? [report.platform] : []), ...report.tenants];
}

function label(outcome: StackOutcome): string {
    return outcome.target.role === "platform" ? "platform" : outcome.target.role === "grants" ? `tenant ${outcome.target.tenant} (grants)` : `tenant ${outcome.target.tenant}`;
}

function decommissionHint(report: RegionReport): string {
    return `npm run deploy -- destroy --stack ${report.region} --tenant <id> --yes --confirm <stack>`;
}

/**
 * Plain text for the end of the log: one line per stack, the pending deletions and the overall result.
 *
 * @param report the run
 * @param redactor the redactor
 */
export function renderRegionText(report: RegionReport, redactor: Redactor): string {
    const lines: string[] = [];
    const all = outcomes(report);
    lines.push(`${report.command} of region ${report.region}: ${report.status} (exit ${report.exitCode}); ${all.length} stack(s), ${report.parallel} tenant(s) at a time`);
    const width = Math.max(0, ...all.map((o) => o.report.stack.length));
    for (const outcome of all) {
        const r = outcome.report;
        const detail = r.status === "skipped" ? (r.error ?? "") : `${changeHeadline(r)}${outcome.note ? `; ${outcome.note}` : ""}`;
        lines.push(`  ${r.stack.padEnd(width)}  ${label(outcome)}: ${r.status} (exit ${r.exitCode}) ${detail}`);
    }
    if (report.pendingDeletion.length > 0) {
        lines.push(`  pending deletion (tenant file removed; never destroyed without an explicit decommission: ${decommissionHint(report)}):`);
        for (const pending of report.pendingDeletion) {
            lines.push(`    ${pending.stack} (tenant ${pending.tenant})`);
        }
    }
    return redactor.redact(`${lines.join("\n")}\n`);
}

/**
 * The JSON report: the overall result, then one document per stack (render.ts's) keyed by tenant id.
 *
 * @param report the run
 * @param redactor the redactor
 */
export function renderRegionJson(report: RegionReport, redactor: Redactor): string {
    const stackDocument = (outcome: StackOutcome) => ({ ...(jsonDocument(outcome.report, redactor) as object), changed: outcome.changed, note: outcome.note ?? null });
    const document = {
        command: report.command,
        region: report.region,
        status: report.status,
        exitCode: report.exitCode,
        backend: report.backend,
        parallel: report.parallel,
        durationSeconds: report.durationSeconds,
        catalogTenants: report.catalogTenants,
        platform: report.platform ? stackDocument(report.platform) : null,
        // Each tenant's app stack under `tenants`, its grants stack under `grants`, by tenant id.
        tenants: Object.fromEntries(report.tenants.filter((t) => t.target.role !== "grants").map((t) => [t.target.tenant ?? t.report.stack, stackDocument(t)])),
        grants: Object.fromEntries(report.tenants.filter((t) => t.target.role === "grants").map((t) => [t.target.tenant ?? t.report.stack, stackDocument(t)])),
        pendingDeletion: report.pendingDeletion,
    };
    return redactor.redact(`${JSON.stringify(redactor.redactDeep(document), null, 2)}\n`);
}

// Unchanged, successful tenants beyond this many rows are folded into one line of the table.
const MAX_QUIET_ROWS = 20;

// Share of the comment the summary table may take; the folded list and the pending deletions follow it.
const MAX_FOLDED_NAMES = 200;
const TABLE_BUDGET = Math.floor(MAX_MARKDOWN_CHARS * 0.6);

function interesting(outcome: StackOutcome): boolean {
    return outcome.report.exitCode !== 0 || outcome.changed || outcome.report.status === "skipped";
}

/**
 * Markdown for the pull-request comment, grouped by tenant. A run of the platform stack alone renders exactly as
 * a single-stack report. Starts with `<!-- platform-deploy:<command>:<region> -->` for the workflow's
 * update-in-place.
 *
 * @param report the run
 * @param redactor the redactor
 */
export function renderRegionMarkdown(report: RegionReport, redactor: Redactor): string {
    if (report.platform && report.tenants.length === 0 && report.pendingDeletion.length === 0) {
        return renderMarkdown(report.platform.report, redactor);
    }
    const all = outcomes(report);
    const counts = new Map<string, number>();
    for (const o of all) {
        counts.set(o.report.status, (counts.get(o.report.status) ?? 0) + 1);
    }
    const head: string[] = [];
    head.push(`<!-- platform-deploy:${report.command}:${report.region} -->`);
    head.push(markdownHeading(report.command, `region \`${report.region}\``, report.status, report.exitCode));
    head.push("");
    head.push(
        `**${all.length} stack(s): ${[...counts].map(([status, n]) => `${n} ${status}`).join(", ")}** · ${report.parallel} tenant(s) at a time · catalog of ${report.catalogTenants} tenant(s) checked`,
    );
    head.push("");
    head.push("| stack | tenant | status | exit | changes |");
    head.push("|---|---|---|---:|---|");
    // Platform first, then the tenants that need attention, then those that change, then the quiet rest; each
    // tenant's stacks (grants, then app) together in one group.
    const groups = new Map<string, StackOutcome[]>();
    for (const outcome of report.tenants) {
        const key = outcome.target.tenant ?? outcome.report.stack;
        groups.set(key, [...(groups.get(key) ?? []), outcome]);
    }
    const failing = (group: StackOutcome[]) => group.some((o) => o.report.exitCode !== 0);
    const changing = (group: StackOutcome[]) => group.some((o) => o.changed);
    const byAttention = [...groups.values()].sort((a, b) => Number(failing(b)) - Number(failing(a)) || Number(changing(b)) - Number(changing(a)));
    const quietGroups = byAttention.filter((group) => !group.some(interesting));
    const quiet = quietGroups.flat();
    const shownQuiet = quietGroups.length > MAX_QUIET_ROWS ? [] : quiet;
    const rows = [...(report.platform ? [report.platform] : []), ...byAttention.filter((group) => group.some(interesting)).flat(), ...shownQuiet];
    // The table may take most of the comment; the stacks' details get what is left.
    let size = head.reduce((n, line) => n + line.length + 1, 0);
    let tableRows = 0;
    for (const o of rows) {
        const r = o.report;
        const changes = r.status === "skipped" ? markdownCell(r.error ?? "") : `${changeHeadline(r)}${o.note ? ` (${markdownCell(o.note)})` : ""}`;
        const who = o.target.role === "platform" ? "_platform_" : `\`${markdownCell(o.target.tenant ?? "")}\`${o.target.role === "grants" ? " (grants)" : ""}`;
        const row = `| \`${markdownCell(r.stack)}\` | ${who} | ${statusIcon(r.status)} ${r.status} | ${r.exitCode} | ${changes} |`;
        if (size + row.length > TABLE_BUDGET) {
            break;
        }
        head.push(row);
        size += row.length + 1;
        tableRows += 1;
    }
    if (tableRows < rows.length) {
        head.push("");
        head.push(`… ${rows.length - tableRows} more stack(s) did not fit in the table; every stack is in the JSON report.`);
    }
    if (shownQuiet.length < quiet.length) {
        head.push("");
        const names = quietGroups.slice(0, MAX_FOLDED_NAMES).map((group) => `\`${markdownCell(group[0]!.target.tenant ?? group[0]!.report.stack)}\``);
        head.push(
            `${quietGroups.length} more tenant(s) (${quiet.length} stack(s)) succeeded without changes: ${names.join(", ")}${quietGroups.length > MAX_FOLDED_NAMES ? `, … (${quietGroups.length - MAX_FOLDED_NAMES} more)` : ""}`,
        );
    }
    if (report.pendingDeletion.length > 0) {
        head.push("");
        head.push(`#### Pending deletion: ${report.pendingDeletion.length} stack(s) of ${new Set(report.pendingDeletion.map((p) => p.tenant)).size} tenant(s) without a tenant file`);
        head.push("");
        head.push(`Never destroyed by the driver on its own. Decommission one explicitly: \`${decommissionHint(report)}\`.`);
        head.push("");
        for (const pending of report.pendingDeletion.slice(0, MAX_FOLDED_NAMES)) {
            head.push(`- \`${markdownCell(pending.stack)}\` (tenant \`${markdownCell(pending.tenant)}\`)`);
        }
        if (report.pendingDeletion.length > MAX_FOLDED_NAMES) {
            head.push(`- … ${report.pendingDeletion.length - MAX_FOLDED_NAMES} more in the JSON report`);
        }
    }
    let text = redactor.redact(`${head.join("\n")}\n`);
    // Details per stack that needs a look, in table order, as long as they fit in one comment.
    const detailed = rows.filter((o) => interesting(o) && o.report.status !== "skipped");
    let left = detailed.length;
    for (const o of detailed) {
        const section = redactor.redact(
            `\n<details><summary>${statusIcon(o.report.status)} ${label(o)} · <code>${markdownCell(o.report.stack)}</code> · ${o.report.status} (exit ${o.report.exitCode})</summary>\n\n${markdownBody(o.report, redactor)}\n\n</details>\n`,
        );
        if (text.length + section.length > MAX_MARKDOWN_CHARS) {
            break;
        }
        text += section;
        left -= 1;
    }
    if (left > 0) {
        text += `\n… ${left} more stack report(s) did not fit in one comment; they are in the JSON report and the job log.\n`;
    }
    return text;
}
