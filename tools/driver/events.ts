/**
 * Change summary from the engine events the Automation API streams (`onEvent`). Events are the only source
 * that carries per-resource types and policy results; the final `summaryEvent` gives the engine's own totals.
 */
import type { DiagnosticEvent, EngineEvent, OpMap, OpType, PolicyEvent, StepEventMetadata } from "@pulumi/pulumi/automation";

/** Change categories shown per resource type. */
export const CHANGE_KINDS = ["create", "update", "replace", "delete", "same", "other"] as const;

/** One change category. */
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Number of resources per change category. */
export type ChangeCounts = Record<ChangeKind, number>;

/** One policy result reported by the CrossGuard pack. */
export interface PolicyViolation {
    /** Policy pack name. */
    pack: string;
    /** Policy pack version. */
    packVersion: string;
    /** Policy name. */
    policy: string;
    /** `mandatory` blocks the operation; anything else is advisory. */
    enforcementLevel: string;
    /** The violation message (may contain newlines). */
    message: string;
    /** URN of the offending resource, when the violation is about one. */
    urn?: string;
}

/** A warning or error diagnostic from the engine, a provider or the program. */
export interface Diagnostic {
    /** `error` or `warning`. */
    severity: "error" | "warning";
    /** The message, without the CLI's colour codes. */
    message: string;
    /** URN the diagnostic is about, if any. */
    urn?: string;
}

/** Summary of one operation. */
export interface ChangeSummary {
    /** Counts per resource type (types sorted). */
    byType: Record<string, ChangeCounts>;
    /** Counts over all types, from the engine's summary when there was one, else from the steps seen. */
    totals: ChangeCounts;
    /** The engine's own `resourceChanges`, when a summary event arrived. */
    engineChanges?: OpMap;
    /** True when the engine proposed or made any change (anything but same/read/refresh). */
    hasChanges: boolean;
    /** Policy results, mandatory first. */
    policyViolations: PolicyViolation[];
    /** Number of mandatory policy violations. */
    mandatoryViolations: number;
    /** Errors and warnings (not the program's console output). */
    diagnostics: Diagnostic[];
    /** Resources whose operation failed. */
    failedResources: Array<{ urn: string; type: string; op: string }>;
    /** Policy packs that ran (name → version), from the summary event. */
    policyPacks: Record<string, string>;
    /** Duration reported by the engine. */
    durationSeconds?: number;
    /** True when the engine says the state may be corrupt. */
    maybeCorrupt: boolean;
    /** Whether a summary event was seen at all (missing means the operation stopped early). */
    complete: boolean;
}

// The parts of a replacement (the `replace` step itself is counted); the engine marks them non-logical and
// leaves them out of its own totals, so counting them would report one replacement as three changes.
const REPLACEMENT_PARTS = new Set<string>(["create-replacement", "delete-replaced", "discard-replaced"]);

// Ops that never change anything; mirrors the engine's HasChanges, plus `refresh` steps, which a
// `preview --refresh` emits before the diff that actually shows the drift.
const NON_CHANGES = new Set<string>(["same", "read", "read-replacement", "discard", "refresh"]);

function kindOf(op: string): ChangeKind {
    switch (op) {
        case "create":
        case "update":
        case "replace":
        case "delete":
        case "same":
            return op;
        default:
            return "other";
    }
}

// A refresh step's outputs event says what the provider reported: gone (no new state), changed (diffs), or not.
function refreshKind(metadata: StepEventMetadata): ChangeKind {
    if (metadata.old !== undefined && metadata.old !== null && (metadata.new === undefined || metadata.new === null)) {
        return "delete";
    }
    const diffs = (metadata.diffs?.length ?? 0) + Object.keys(metadata.detailedDiff ?? {}).length;
    return diffs > 0 ? "update" : "same";
}

function emptyCounts(): ChangeCounts {
    return { create: 0, update: 0, replace: 0, delete: 0, same: 0, other: 0 };
}

// The CLI colours messages with `<{%reset%}>` / `<{%fg 1%}>` directives in the raw event stream.
function stripColor(text: string): string {
    return text.replace(/<\{%[^%]*%\}>/g, "").replace(/\u001b\[[0-9;]*m/g, "");
}

/**
 * Totals per category from the engine's `resourceChanges`, folded into the categories above.
 *
 * @param changes the engine's op → count map
 */
export function countsFromOpMap(changes: OpMap): ChangeCounts {
    const counts = emptyCounts();
    for (const [op, count] of Object.entries(changes)) {
        if (REPLACEMENT_PARTS.has(op) || typeof count !== "number") {
            continue;
        }
        counts[kindOf(op)] += count;
    }
    return counts;
}

/**
 * True when an engine `resourceChanges` map contains any change.
 *
 * @param changes the engine's op → count map
 */
export function opMapHasChanges(changes: OpMap): boolean {
    return Object.entries(changes).some(([op, count]) => !NON_CHANGES.has(op) && typeof count === "number" && count > 0);
}

/** Accumulates engine events as they stream and produces a {@link ChangeSummary}. */
export class EventCollector {
    private readonly steps = new Map<string, { type: string; op: OpType }>();
    private readonly refreshes = new Map<string, { type: string; kind: ChangeKind }>();
    private readonly policy: PolicyViolation[] = [];
    private readonly diagnostics: Diagnostic[] = [];
    private readonly failed: Array<{ urn: string; type: string; op: string }> = [];
    private summaryEvent?: EngineEvent["summaryEvent"];
    /** Number of events seen (for tests and debugging). */
    count = 0;

    /**
     * Feeds one event; usable directly as the Automation API's `onEvent` callback.
     *
     * @param event an engine event
     */
    readonly onEvent = (event: EngineEvent): void => {
        this.count += 1;
        if (event.resourcePreEvent) {
            const { op, urn, type } = event.resourcePreEvent.metadata;
            if (op === "refresh") {
                // What a refresh found is only known from its outputs event; until then it counts as unchanged.
                if (!this.refreshes.has(urn)) {
                    this.refreshes.set(urn, { type, kind: "same" });
                }
            } else {
                // One resource can have several steps (replace + its parts); key by both so none is lost or doubled.
                this.steps.set(`${op}\u0000${urn}`, { type, op });
            }
        }
        if (event.resOutputsEvent && event.resOutputsEvent.metadata.op === "refresh") {
            const metadata = event.resOutputsEvent.metadata;
            this.refreshes.set(metadata.urn, { type: metadata.type, kind: refreshKind(metadata) });
        }
        if (event.policyEvent) {
            this.policy.push(toViolation(event.policyEvent));
        }
        if (event.diagnosticEvent) {
            const diagnostic = toDiagnostic(event.diagnosticEvent);
            if (diagnostic) {
                this.diagnostics.push(diagnostic);
            }
        }
        if (event.resOpFailedEvent) {
            const { urn, type, op } = event.resOpFailedEvent.metadata;
            this.failed.push({ urn, type, op });
        }
        if (event.summaryEvent) {
            // `preview --refresh` on older CLIs emits the refresh's summary first; the last one is the preview's.
            this.summaryEvent = event.summaryEvent;
        }
    };

    /** The summary of everything seen so far. */
    summary(): ChangeSummary {
        const byType: Record<string, ChangeCounts> = {};
        const stepTotals = emptyCounts();
        const count = (type: string, kind: ChangeKind): void => {
            const counts = (byType[type] ??= emptyCounts());
            counts[kind] += 1;
            stepTotals[kind] += 1;
        };
        // A `preview --refresh` emits refresh steps and then the real diff for the same resources: the diff is what
        // counts. Only an operation that is nothing but refresh steps (`refresh`) is summarised from them.
        // Failed steps did not happen; they are listed in failedResources instead of being counted as changes.
        const failed = new Set(this.failed.map(({ op, urn }) => `${op}\u0000${urn}`));
        const regular = [...this.steps.entries()].filter(([key, { op }]) => !REPLACEMENT_PARTS.has(op) && !failed.has(key)).map(([, step]) => step);
        if (regular.length > 0) {
            for (const { type, op } of regular) {
                count(type, kindOf(op));
            }
        } else {
            for (const { type, kind } of this.refreshes.values()) {
                count(type, kind);
            }
        }
        const sortedByType = Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b)));
        const engineChanges = this.summaryEvent?.resourceChanges;
        const totals = engineChanges ? countsFromOpMap(engineChanges) : stepTotals;
        const hasChanges = engineChanges
            ? opMapHasChanges(engineChanges)
            : stepTotals.create + stepTotals.update + stepTotals.replace + stepTotals.delete + stepTotals.other > 0;
        const policyViolations = [...this.policy].sort((a, b) => Number(b.enforcementLevel === "mandatory") - Number(a.enforcementLevel === "mandatory"));
        return {
            byType: sortedByType,
            totals,
            engineChanges,
            hasChanges,
            policyViolations,
            mandatoryViolations: policyViolations.filter((v) => v.enforcementLevel === "mandatory").length,
            diagnostics: [...this.diagnostics],
            failedResources: [...this.failed],
            policyPacks: policyPacksOf(this.summaryEvent),
            durationSeconds: this.summaryEvent?.durationSeconds,
            maybeCorrupt: this.summaryEvent?.maybeCorrupt ?? false,
            complete: this.summaryEvent !== undefined,
        };
    }
}

// The engine serialises this field as `PolicyPacks` (a historical missing JSON tag); the TS type says
// `policyPacks`. Accept both so real event logs and hand-built events agree.
function policyPacksOf(summary: EngineEvent["summaryEvent"]): Record<string, string> {
    if (!summary) {
        return {};
    }
    const raw = summary as unknown as Record<string, unknown>;
    const packs = raw.policyPacks ?? raw.PolicyPacks;
    return packs !== null && typeof packs === "object" ? { ...(packs as Record<string, string>) } : {};
}

function toViolation(event: PolicyEvent): PolicyViolation {
    return {
        pack: event.policyPackName,
        packVersion: event.policyPackVersion,
        policy: event.policyName,
        enforcementLevel: event.enforcementLevel,
        message: stripColor(event.message).trim(),
        urn: event.resourceUrn || undefined,
    };
}

function toDiagnostic(event: DiagnosticEvent): Diagnostic | undefined {
    // info and info#err are the program's own console output, already streamed; ephemeral ones are progress.
    if ((event.severity !== "error" && event.severity !== "warning") || event.ephemeral) {
        return undefined;
    }
    const message = stripColor(event.message).trim();
    return message === "" ? undefined : { severity: event.severity, message, urn: event.urn || undefined };
}

/**
 * Summarises a recorded list of events (e.g. a fixture or an event log read back).
 *
 * @param events engine events in sequence order
 */
export function summarizeEvents(events: readonly EngineEvent[]): ChangeSummary {
    const collector = new EventCollector();
    for (const event of events) {
        collector.onEvent(event);
    }
    return collector.summary();
}
