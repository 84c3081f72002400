import { asArray, asRecord, asStrings } from "./values";

/**
 * The tailnet policy file (HuJSON: JSON with comments and trailing commas) as the Tailscale provider's `Acl`
 * resource takes it, and the checks on it: no allow-all rule, tests present.
 */

/** Type token of the tailnet policy. */
export const TAILSCALE_ACL_TYPE = "tailscale:index/acl:Acl";
/** Type token of a tailnet auth key. */
export const TAILNET_KEY_TYPE = "tailscale:index/tailnetKey:TailnetKey";

/** Copies a JSON string literal starting at `i` (escapes included); returns the index after it. */
function stringEnd(text: string, i: number): number {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') {
        j += text[j] === "\\" ? 2 : 1;
    }
    return j + 1;
}

function stripComments(text: string): string {
    let out = "";
    let i = 0;
    while (i < text.length) {
        const c = text[i]!;
        if (c === '"') {
            const end = stringEnd(text, i);
            out += text.slice(i, end);
            i = end;
        } else if (c === "/" && text[i + 1] === "/") {
            while (i < text.length && text[i] !== "\n") i++;
        } else if (c === "/" && text[i + 1] === "*") {
            const end = text.indexOf("*/", i + 2);
            if (end < 0) {
                throw new SyntaxError("unterminated block comment");
            }
            out += " ";
            i = end + 2;
        } else {
            out += c;
            i++;
        }
    }
    return out;
}

function stripTrailingCommas(text: string): string {
    let out = "";
    let i = 0;
    while (i < text.length) {
        const c = text[i]!;
        if (c === '"') {
            const end = stringEnd(text, i);
            out += text.slice(i, end);
            i = end;
            continue;
        }
        if (c === ",") {
            // A comma followed (after whitespace) by a closing bracket is a trailing comma.
            let j = i + 1;
            while (j < text.length && /\s/.test(text[j]!)) j++;
            if (text[j] === "}" || text[j] === "]") {
                i++;
                continue;
            }
        }
        out += c;
        i++;
    }
    return out;
}

/** Parses HuJSON: strips `//` and block comments, then trailing commas (both outside strings), then JSON. */
export function parseHuJson(text: string): unknown {
    return JSON.parse(stripTrailingCommas(stripComments(text)));
}

/** A rule that lets everyone reach everything, described for messages. */
export interface AllowAllRule {
    /** `acls[2]` or `grants[0]`. */
    where: string;
}

/**
 * Allow-all rules: an `acls` entry accepting src `*` to dst `*:*`, or a `grants` entry from `*` to `*` with
 * `ip: ["*"]`.
 */
export function allowAllRulesOf(policy: Record<string, unknown>): AllowAllRule[] {
    const found: AllowAllRule[] = [];
    asArray(policy.acls).forEach((entry, index) => {
        const rule = asRecord(entry) ?? {};
        const action = rule.action ?? "accept";
        if (action === "accept" && asStrings(rule.src).includes("*") && asStrings(rule.dst).includes("*:*")) {
            found.push({ where: `acls[${index}]` });
        }
    });
    asArray(policy.grants).forEach((entry, index) => {
        const grant = asRecord(entry) ?? {};
        if (asStrings(grant.src).includes("*") && asStrings(grant.dst).includes("*") && asStrings(grant.ip).includes("*")) {
            found.push({ where: `grants[${index}]` });
        }
    });
    return found;
}
