/**
 * Small PromQL helpers shared by the metering rules and dashboards: literals that are always valid PromQL,
 * and a metric-name scanner that lets tests prove every query only reads series the stack produces.
 * The scanner is a lexer, not a parser: it relies on the query being valid PromQL (promtool proves that).
 */

/** Aggregation/matching keywords followed by a parenthesised label list that must not count as metrics. */
const LABEL_LIST_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

/** Keywords and operators spelled as identifiers. */
const OPERATOR_KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "atan2"]);

/**
 * Aggregation operators: they may be followed by `by (...)`/`without (...)` instead of `(`, so they are
 * recognised by name, not by the parenthesis.
 */
const AGGREGATIONS = new Set(["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"]);

/** Number literals spelled as identifiers (PromQL accepts them case-insensitively). */
const NUMBER_WORDS = new Set(["inf", "nan"]);

const IDENTIFIER = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const DURATION_OR_NUMBER = /(?:0x[0-9a-fA-F]+|(?:[0-9]+(?:ms|[smhdwy]))+|[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)/y;

/**
 * A number as a PromQL literal. JavaScript's shortest round-trip form (`0.006`, `1e-7`) is valid PromQL and
 * parses back to the same double, so the cost math in Prometheus uses exactly the configured price.
 */
export function promqlNumber(value: number): string {
    if (!Number.isFinite(value)) {
        throw new Error(`cannot write ${value} as a PromQL number: it must be finite`);
    }
    return String(value);
}

/** A double-quoted PromQL string literal (JSON escaping is a subset of what PromQL accepts). */
export function promqlString(value: string): string {
    return JSON.stringify(value);
}

/** Index just after the bracket that closes the one at `start` (strings inside are skipped). */
function skipBalanced(expr: string, start: number, open: string, close: string): number {
    let depth = 0;
    for (let i = start; i < expr.length; i++) {
        const c = expr[i]!;
        if (c === '"' || c === "'" || c === "`") {
            i = skipString(expr, i) - 1;
        } else if (c === open) {
            depth++;
        } else if (c === close) {
            depth--;
            if (depth === 0) {
                return i + 1;
            }
        }
    }
    throw new Error(`unbalanced ${open}${close} in PromQL expression: ${expr}`);
}

/** Index just after the string literal that starts at `start`. */
function skipString(expr: string, start: number): number {
    const quote = expr[start]!;
    for (let i = start + 1; i < expr.length; i++) {
        if (expr[i] === "\\" && quote !== "`") {
            i++;
        } else if (expr[i] === quote) {
            return i + 1;
        }
    }
    throw new Error(`unterminated string in PromQL expression: ${expr}`);
}

function nextNonSpace(expr: string, from: number): number {
    let i = from;
    while (i < expr.length && /\s/.test(expr[i]!)) {
        i++;
    }
    return i;
}

/**
 * Every metric name a PromQL expression selects (sorted, unique): identifiers that are not functions,
 * aggregations, keywords, label names (matchers, `by`/`on` lists), durations, numbers or Grafana variables
 * (`$project`, `${datasource}`, `$__rate_interval`).
 */
export function promqlMetricNames(expr: string): string[] {
    const names = new Set<string>();
    let i = 0;
    while (i < expr.length) {
        const c = expr[i]!;
        if (/\s/.test(c)) {
            i++;
        } else if (c === "#") {
            const end = expr.indexOf("\n", i);
            i = end === -1 ? expr.length : end;
        } else if (c === '"' || c === "'" || c === "`") {
            i = skipString(expr, i);
        } else if (c === "{") {
            // Label matchers (or a Grafana `${var}`): nothing inside names a metric.
            i = skipBalanced(expr, i, "{", "}");
        } else if (c === "[") {
            // Range or subquery durations.
            i = skipBalanced(expr, i, "[", "]");
        } else if (c === "$") {
            i++;
            if (expr[i] === "{") {
                i = skipBalanced(expr, i, "{", "}");
            } else {
                IDENTIFIER.lastIndex = i;
                i = IDENTIFIER.exec(expr) ? IDENTIFIER.lastIndex : i;
            }
        } else if (/[0-9.]/.test(c)) {
            DURATION_OR_NUMBER.lastIndex = i;
            i = DURATION_OR_NUMBER.exec(expr) ? DURATION_OR_NUMBER.lastIndex : i + 1;
        } else if (/[a-zA-Z_:]/.test(c)) {
            IDENTIFIER.lastIndex = i;
            const word = IDENTIFIER.exec(expr)![0];
            i = IDENTIFIER.lastIndex;
            const after = nextNonSpace(expr, i);
            const lower = word.toLowerCase();
            if (LABEL_LIST_KEYWORDS.has(lower)) {
                if (expr[after] === "(") {
                    i = skipBalanced(expr, after, "(", ")");
                }
            } else if (OPERATOR_KEYWORDS.has(lower) || NUMBER_WORDS.has(lower) || AGGREGATIONS.has(lower)) {
                // not a metric
            } else if (expr[after] === "(") {
                // a function or aggregation call; its arguments are scanned as usual
            } else {
                names.add(word);
            }
        } else {
            i++;
        }
    }
    return [...names].sort();
}
