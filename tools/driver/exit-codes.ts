/**
 * The one exit-code table of `npm run plan` and `npm run deploy`, and the mapping from what happened to one of
 * them. Kept free of the Automation API (errors are recognised by name and message) so the mapping is testable
 * without a CLI.
 */

/** The documented exit codes; CI branches on them (e.g. the nightly drift job treats 3 as "drift found"). */
export const EXIT = {
    /** The operation succeeded (for `drift`: no drift). */
    ok: 0,
    /**
     * Anything else went wrong: usage error, invalid input (stack config, tenant files, capacity), a change the
     * API would refuse (a volume shrink), refusal, missing CLI or credentials, engine or provider error.
     */
    failure: 1,
    /** A mandatory CrossGuard policy reported a violation. */
    policyViolation: 2,
    /** `drift` found differences between the program, the state and the real resources. */
    driftFound: 3,
    /** Another update holds the stack lock. */
    stackLocked: 4,
    /** The change would delete or replace tenant or platform data and nothing acknowledged it (decommission, flag). */
    dataAtRisk: 5,
} as const;

/**
 * Which code wins when several apply, first wins: a locked stack (nothing ran), a mandatory policy violation
 * (the change is blocked whatever else it does), unacknowledged data at risk, drift, any other failure.
 */
export const EXIT_PRECEDENCE: readonly ExitCode[] = [4, 2, 5, 3, 1];

/** One of the values of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Thrown by the workspace when the Automation API reports `ConcurrentUpdateError`, so callers that never
 * load the Automation API can still recognise a locked stack.
 */
export class StackLockedError extends Error {
    /**
     * @param message what the CLI said
     * @param options `cause`: the original Automation API error
     */
    constructor(message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.name = "StackLockedError";
    }
}

// "[409] Conflict: Another update is currently in progress." comes from the Pulumi Cloud backend, "the stack is
// currently locked by N lock(s)" from DIY (file/S3) backends; both are what the Automation API itself matches.
const LOCK_PATTERNS = [/the stack is currently locked/i, /another update is currently in progress/i, /\[409\] conflict/i];

// The CLI's `--expect-no-changes` failure; newer CLIs add the operation name ("... for preview but ...").
const NO_CHANGES_EXPECTED = /no changes were expected(?: for \S+)? but changes were proposed/i;

function messageOf(error: unknown): string {
    if (error instanceof Error) {
        return error.message;
    }
    return typeof error === "string" ? error : "";
}

/**
 * True when `error` means another update holds the stack lock (exit 4).
 *
 * @param error what the operation threw
 */
export function isStackLocked(error: unknown): boolean {
    if (error instanceof StackLockedError) {
        return true;
    }
    if (error instanceof Error && error.name === "ConcurrentUpdateError") {
        return true;
    }
    const message = messageOf(error);
    return LOCK_PATTERNS.some((pattern) => pattern.test(message));
}

/**
 * True when `error` is the CLI refusing because `expectNoChanges` was set and changes were proposed.
 *
 * @param error what the operation threw
 */
export function isNoChangesExpected(error: unknown): boolean {
    return NO_CHANGES_EXPECTED.test(messageOf(error));
}

/** What an operation produced, as far as the exit code is concerned. */
export interface OutcomeFacts {
    /** The error the operation failed with, if it failed. */
    error?: unknown;
    /** Number of policy events with enforcement level `mandatory`. */
    mandatoryViolations: number;
    /** Only for `drift`: whether the engine proposed changes. */
    changesFound?: boolean;
    /** Deletes or replacements of data that nothing acknowledged (the change report's `unacknowledged`). */
    dataAtRisk?: number;
}

/**
 * Maps an outcome to the exit code, in the order of {@link EXIT_PRECEDENCE}: a lock means nothing ran (4); a
 * mandatory violation blocks the change whatever else happened (2); data at risk that nothing acknowledged (5),
 * also when the run failed afterwards (the steps seen are a finding); drift is reported only when the run itself
 * worked or failed solely because of `expectNoChanges` (3) — a drift run that crashed is a failure (1).
 *
 * @param facts the outcome of the operation
 */
export function exitCodeFor(facts: OutcomeFacts): ExitCode {
    if (facts.error !== undefined && isStackLocked(facts.error)) {
        return EXIT.stackLocked;
    }
    if (facts.mandatoryViolations > 0) {
        return EXIT.policyViolation;
    }
    if ((facts.dataAtRisk ?? 0) > 0) {
        return EXIT.dataAtRisk;
    }
    if (facts.changesFound !== undefined) {
        if (facts.error === undefined) {
            return facts.changesFound ? EXIT.driftFound : EXIT.ok;
        }
        if (isNoChangesExpected(facts.error)) {
            return EXIT.driftFound;
        }
    }
    return facts.error === undefined ? EXIT.ok : EXIT.failure;
}

/** One row of the exit-code table. */
export interface ExitCodeRow {
    /** Short status word used in the text, markdown and JSON reports. */
    status: string;
    /** What the code means, for the usage text and the README. */
    meaning: string;
    /**
     * Rank when several stacks ran (`npm run deploy -- ... --all`): the overall exit code is the code of the
     * highest-ranked outcome among the stacks. Highest first: 1 failure (something broke, state may be partly
     * applied: look first), 2 policy violation (a change must be fixed), 4 locked (that stack did not run: run
     * again), 3 drift (a finding), 0 ok; 5 data at risk ranks between 1 and 2: nothing ran, a human must acknowledge.
     * This ranks stacks against each other; {@link EXIT_PRECEDENCE} decides among the findings of one stack.
     */
    rank: number;
}

/**
 * The one exit-code table of the driver (and of `npm run plan`, which reuses the same numbers). Adding a code:
 * add it to {@link EXIT} and a row here (the type makes the row mandatory), then the README's table.
 */
export const EXIT_CODES: Readonly<Record<ExitCode, ExitCodeRow>> = {
    [EXIT.ok]: { status: "succeeded", meaning: "ok (for drift: no drift)", rank: 0 },
    [EXIT.failure]: { status: "failed", meaning: "failure (usage, refusal, missing CLI or credentials, catalog, engine or provider error)", rank: 100 },
    [EXIT.policyViolation]: { status: "policy-violation", meaning: "mandatory policy violation", rank: 60 },
    [EXIT.driftFound]: { status: "drift", meaning: "drift found", rank: 20 },
    [EXIT.stackLocked]: { status: "locked", meaning: "stack locked by another update", rank: 40 },
    [EXIT.dataAtRisk]: { status: "data-at-risk", meaning: "data would be lost and nothing acknowledged it (decommission, --accept-data-loss)", rank: 80 },
};

/**
 * Short status word per exit code, used in the text, markdown and JSON reports.
 *
 * @param code the exit code
 */
export function statusOf(code: ExitCode): string {
    return EXIT_CODES[code].status;
}

/**
 * The overall exit code of a run over several stacks: the highest-ranked code of {@link EXIT_CODES} among them
 * (0 when none ran). Every stack's own code stays in the reports.
 *
 * @param codes the exit code of every stack that ran or was refused
 */
export function overallExitCode(codes: Iterable<ExitCode>): ExitCode {
    let overall: ExitCode = EXIT.ok;
    for (const code of codes) {
        if (EXIT_CODES[code].rank > EXIT_CODES[overall].rank) {
            overall = code;
        }
    }
    return overall;
}

/** `0 ok, 1 failure, …` for the usage text, in code order. */
export function exitCodeLegend(): string {
    return (Object.entries(EXIT_CODES) as Array<[string, ExitCodeRow]>)
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([code, row]) => `${code} ${row.meaning.replace(/ \(.*\)$/, "")}`)
        .join(", ");
}
