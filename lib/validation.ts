// The SDK's own RunError (the same class `@pulumi/pulumi` re-exports from this file), without loading the
// whole SDK: every refusal path and its tests import this module, and the SDK's index costs seconds to load.
import { RunError } from "@pulumi/pulumi/errors";
import type { z } from "zod";

/** One problem found in user input (stack config or a tenant file). */
export interface InputProblem {
    /** Where the input came from: `Pulumi.dev.yaml` or `stacks/dev/projects/shop.yaml`. */
    source: string;
    /** Dotted key path inside that source, e.g. `platform:pools[1].count` or `services[0].image`. */
    path: string;
    /** What is wrong and what was expected. */
    problem: string;
    /** An example of a correct value or the command that fixes it. */
    fix: string;
}

/**
 * Every problem in the user's input, reported at once. Extends `pulumi.RunError` so the
 * Pulumi CLI prints the message without a stack trace; thrown before any resource is registered.
 */
export class InputValidationError extends RunError {
    /** The individual problems, in source order. */
    readonly problems: InputProblem[];

    constructor(problems: InputProblem[]) {
        super(formatProblems(problems));
        this.name = "InputValidationError";
        this.problems = problems;
    }
}

/** Renders problems as one aggregated, human-readable message grouped by source file. */
export function formatProblems(problems: InputProblem[]): string {
    const bySource = new Map<string, InputProblem[]>();
    for (const problem of problems) {
        const list = bySource.get(problem.source) ?? [];
        list.push(problem);
        bySource.set(problem.source, list);
    }
    const lines = [`Invalid platform input: ${problems.length} problem(s) found; nothing was registered.`];
    for (const [source, list] of bySource) {
        lines.push(``, `${source}:`);
        for (const p of list) {
            lines.push(`  - ${p.path}: ${p.problem}`, `      fix: ${p.fix}`);
        }
    }
    return lines.join("\n");
}

/** The path of the whole document, and the examples table's key for its example. */
export const ROOT_PATTERN = "(root)";

/** Joins a zod issue path into `a.b[2].c` form, prefixed by `root` when given. */
export function joinPath(root: string, path: ReadonlyArray<PropertyKey>): string {
    let out = root;
    for (const segment of path) {
        if (typeof segment === "number") {
            out += `[${segment}]`;
        } else {
            out += out === "" ? String(segment) : `.${String(segment)}`;
        }
    }
    return out === "" ? ROOT_PATTERN : out;
}

/** Replaces array indices by `[]` so a path can be looked up in an examples table. */
export function pathPattern(path: ReadonlyArray<PropertyKey>): string {
    return joinPath("", path.map((s) => (typeof s === "number" ? -1 : s))).replace(/\[-1\]/g, "[]");
}

/**
 * Converts zod issues into problems. `examples` maps a path pattern (`services[].image`) to an example
 * value; the nearest ancestor's example is used when the exact path has none.
 */
export function issuesToProblems(
    source: string,
    root: string,
    issues: ReadonlyArray<z.core.$ZodIssue>,
    examples: Readonly<Record<string, string>>,
): InputProblem[] {
    const problems: InputProblem[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                const path = [...issue.path, key];
                const known = Object.keys(examples)
                    .filter((p) => p.startsWith(prefixOf(issue.path)))
                    .map((p) => p.slice(prefixOf(issue.path).length).split(/[.[]/)[0])
                    // "(root)" keys the whole document's example: it is no key a file can use.
                    .filter((k, i, all) => k !== "" && k !== ROOT_PATTERN && all.indexOf(k) === i);
                problems.push({
                    source,
                    path: joinPath(root, path),
                    problem: `unknown key "${key}"`,
                    fix: known.length > 0 ? `remove it, or use one of: ${known.join(", ")}` : "remove it",
                });
            }
            continue;
        }
        // A refinement that knows the fix (e.g. a deprecated server type's replacement) passes it in params.fix.
        const knownFix = issue.code === "custom" && typeof issue.params?.fix === "string" ? issue.params.fix : undefined;
        problems.push({
            source,
            path: joinPath(root, issue.path),
            problem: issue.message,
            fix: knownFix ?? exampleFor(issue.path, examples),
        });
    }
    return problems;
}

function prefixOf(path: ReadonlyArray<PropertyKey>): string {
    const pattern = path.length === 0 ? "" : pathPattern(path);
    return pattern === ROOT_PATTERN || pattern === "" ? "" : `${pattern}.`;
}

function exampleFor(path: ReadonlyArray<PropertyKey>, examples: Readonly<Record<string, string>>): string {
    for (let depth = path.length; depth >= 0; depth--) {
        const pattern = depth === 0 ? ROOT_PATTERN : pathPattern(path.slice(0, depth));
        const example = examples[pattern];
        if (example !== undefined) {
            return depth === path.length ? `for example ${example}` : `see the shape of ${pattern}: ${example}`;
        }
    }
    return "see README.md (Configuration)";
}
