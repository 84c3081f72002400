import type { CompiledTailnetPolicy } from "./tailscale-evaluator";
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

/** Node roles of the platform; a stack's nodes carry `tag:<stack>-<role>`. */
export const PLATFORM_NODE_ROLES = ["server", "agent", "edge"] as const;

/** TCP ports one stack's nodes must never reach on another stack's nodes (SSH, API, supervisor, etcd, kubelet…). */
export const CROSS_STACK_TCP_PORTS = [22, 6443, 9345, 2379, 2380, 10250] as const;
/** UDP ports one stack's nodes must never reach on another stack's nodes (flannel VXLAN). */
export const CROSS_STACK_UDP_PORTS = [8472] as const;

/** Stacks whose node tags (`tag:<stack>-server`, `-agent`, `-edge`) the policy declares in `tagOwners`. */
export function platformStacksOf(policy: Record<string, unknown>): string[] {
    const stacks = new Set<string>();
    for (const tag of Object.keys(asRecord(policy.tagOwners) ?? {})) {
        const m = /^tag:([a-z][a-z0-9-]*)-(server|agent|edge)$/.exec(tag);
        if (m) stacks.add(m[1]!);
    }
    return [...stacks].sort();
}

/** A connection from one stack's node to another stack's node the policy allows, or a missing test. */
export interface CrossStackFinding {
    /** Source stack. */
    from: string;
    /** Destination stack. */
    to: string;
    /** What is wrong, for messages. */
    detail: string;
}

/**
 * Every sensitive port one stack's nodes reach on another's, evaluated offline from the rules, and every ordered
 * stack pair whose isolation the policy's own `tests` do not assert (Tailscale enforces only what tests say).
 */
export function crossStackFindings(policy: Record<string, unknown>, compiled: CompiledTailnetPolicy): CrossStackFinding[] {
    const stacks = platformStacksOf(policy);
    const declared = new Set(compiled.declaredTags);
    const tagsOf = (stack: string) => PLATFORM_NODE_ROLES.map((role) => `tag:${stack}-${role}`).filter((tag) => declared.has(tag));
    const denied = new Set<string>();
    for (const entry of asArray(policy.tests)) {
        const test = asRecord(entry) ?? {};
        for (const dst of asStrings(test.deny)) denied.add(`${String(test.src)}→${dst}→${String(test.proto ?? "")}`);
    }
    const findings: CrossStackFinding[] = [];
    for (const from of stacks) {
        for (const to of stacks.filter((s) => s !== from)) {
            for (const src of tagsOf(from)) {
                for (const dst of tagsOf(to)) {
                    for (const [proto, ports] of [["tcp", CROSS_STACK_TCP_PORTS], ["udp", CROSS_STACK_UDP_PORTS]] as const) {
                        for (const port of ports) {
                            if (compiled.allows(src, `${dst}:${port}`, proto)) {
                                findings.push({ from, to, detail: `${src} reaches ${dst}:${port}/${proto}` });
                            }
                        }
                    }
                }
            }
            const server = `tag:${to}-server`;
            const asserted = tagsOf(from).every((src) => denied.has(`${src}→${server}:6443→tcp`) || denied.has(`${src}→${server}:6443→`));
            if (declared.has(server) && !asserted) {
                findings.push({ from, to, detail: `no test denies ${server}:6443 to every ${from} node tag` });
            }
        }
    }
    return findings;
}

/** The stack a resource belongs to, from its URN (`urn:pulumi:<stack>::<project>::…`). */
export function stackOfUrn(urn: string): string | undefined {
    return /^urn:pulumi:([^:]+)::/.exec(urn)?.[1];
}
