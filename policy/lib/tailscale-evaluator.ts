import { asArray, asRecord } from "./values";
import { parseCidr } from "./network";

/**
 * An offline evaluator of a tailnet policy's network rules and of its own `tests`. Tailscale runs `tests` only
 * on its server when a policy is saved; this answers the same accept/deny questions here, so a policy that
 * would be rejected (or that opens one stack's nodes to another's) is caught before `pulumi up`.
 *
 * It is deliberately narrow and refuses what it does not model instead of guessing: every unknown section,
 * field, selector, protocol or port form is an error, never "allowed" or "denied" by default.
 *
 * Implemented (semantics from https://tailscale.com/kb/1337/acl-syntax, https://tailscale.com/kb/1396/targets,
 * the tests section of https://tailscale.com/docs/reference/syntax/policy-file, and `tailcfg.CheckTag` in
 * tailscale/tailscale for tag names):
 * - `acls`: `action` "accept" only; `src`/`dst` (or the legacy `users`/`ports`); `proto` tcp, udp, icmp or
 *   6, 17, 1; no `proto` means TCP, UDP and ICMP. `dst` is `<selector>:<ports>`, ports `*` or a comma list
 *   of `N` / `N-M`.
 * - `grants`: `src`, `dst`, `ip` (`*`, `N`, `N-M`, `tcp:…`, `udp:…`, `icmp:*`; a bare port means TCP and UDP);
 *   `app` is accepted and grants no network access; `via` and `srcPosture` are refused.
 * - Selectors: `*`; user logins (`alice@example.com`, a user's untagged devices); `group:` (its members);
 *   `tag:` (devices carrying it; it must be declared in `tagOwners`); `autogroup:member` (untagged devices of
 *   tailnet members); `autogroup:tagged`; `autogroup:self` (only in `dst`: devices of the source's own user);
 *   `hosts` aliases, IPv4 addresses and IPv4 CIDRs.
 * - `tests`: `src` a login, group, tag or host (not `*`); `proto` tcp or udp, absent meaning "TCP or UDP"
 *   (accepted when either is allowed, denied only when neither is), or 6 / 17; `accept`/`deny` `<host>:<port>` with one
 *   numeric port and a login, group, tag, host alias or IPv4 address as host. A group source or destination
 *   passes `accept` only when every member reaches, and `deny` only when no member does.
 *
 * Behaviour of Tailscale's server recorded in headscale's compatibility captures
 * (juanfont/headscale, hscontrol/policy/v2/testdata/policytest_results) agrees where it is observable offline:
 * single-port test destinations only (policytest-port-shape-*), numeric test proto (policytest-proto-numeric),
 * CIDR and /32 test destinations rejected (policytest-allpass-grants-only-tag-src-cidr-dst, -prefix32-dst),
 * undeclared tags, groups and hosts rejected (policytest-src-unknown-*, policytest-dst-unknown-*), a test with
 * neither accept nor deny rejected (policytest-malformed-test-missing-accept-and-deny). Not checkable here:
 * Tailscale also rejects a test whose source login is not a user of the tailnet
 * (policytest-src-unknown-user-email).
 *
 * Refused (an error): IPv6, `ipsets`, `postures`, `autogroup:` names other than the four above, `svc:`
 * services, test `proto: icmp`, CIDRs or port ranges in test destinations, nested groups, unknown top-level
 * sections or rule fields.
 *
 * Model limits, stated rather than hidden: identities and addresses are separate worlds. The evaluator does
 * not know which device holds which 100.x address, so tag, user, group and autogroup selectors never match an
 * address endpoint and address selectors never match an identity endpoint; only `*` matches both. A test
 * device carries exactly the one tag or user it is named by; every login is taken as a direct tailnet member.
 */

/** The policy cannot be evaluated: every problem found, each naming where it is. */
export class PolicyEvaluationError extends Error {
    /** One line per problem, e.g. `acls[2].dst[0]: unknown selector "autogroup:owner"`. */
    readonly problems: readonly string[];

    constructor(problems: readonly string[]) {
        super(`the tailnet policy cannot be evaluated offline:\n  - ${problems.join("\n  - ")}`);
        this.name = "PolicyEvaluationError";
        this.problems = problems;
    }
}

/** Network protocols the evaluator models. */
export type Protocol = "tcp" | "udp" | "icmp";

/** A device named by identity: one user's untagged device, or a device carrying tags. */
interface DeviceEndpoint {
    kind: "device";
    user?: string;
    tags: readonly string[];
}

/** An IPv4 address (a host alias or a literal), whose owning device is not known offline. */
interface AddressEndpoint {
    kind: "address";
    ip: number;
}

/** Either side of a connection. */
type Endpoint = DeviceEndpoint | AddressEndpoint;

/** A compiled selector: does it cover this endpoint (for `autogroup:self`, given the source)? */
type Matcher = (endpoint: Endpoint, source: Endpoint) => boolean;

/** An inclusive port range. */
interface PortRange {
    first: number;
    last: number;
}

/** One compiled allow rule: sources, destinations with their ports, protocols. */
interface CompiledRule {
    where: string;
    src: Matcher[];
    dst: Array<{ match: Matcher; ports: PortRange[]; protocols: ReadonlySet<Protocol> }>;
}

/** The outcome of one `tests` assertion that did not hold. */
export interface PolicyTestFailure {
    /** `tests[3]`. */
    where: string;
    /** The test's source. */
    src: string;
    /** The destination `host:port`. */
    dst: string;
    /** The test's `proto` (absent: TCP or UDP). */
    proto?: string;
    /** What the test asserted. */
    expected: "accept" | "deny";
}

const ALL_PORTS: PortRange[] = [{ first: 0, last: 65535 }];
const DEFAULT_PROTOCOLS: ReadonlySet<Protocol> = new Set(["tcp", "udp", "icmp"]);
const BARE_PORT_PROTOCOLS: ReadonlySet<Protocol> = new Set(["tcp", "udp"]);
/** Sections that do not change who reaches which port, so they are allowed and ignored. */
const IGNORED_SECTIONS = new Set(["ssh", "sshTests", "nodeAttrs", "autoApprovers", "derpMap", "disableIPv4", "randomizeClientPort", "OneCGNATRoute"]);
const EVALUATED_SECTIONS = new Set(["groups", "tagOwners", "hosts", "acls", "grants", "tests"]);
const LOGIN = /^[^\s@:]+@[^\s@:]+$/;
const HOST_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

/** Tailscale's tag name rule (tailcfg.CheckTag): `tag:` then a letter, then letters, digits and dashes. */
export function tagNameProblem(tag: string): string | undefined {
    if (!tag.startsWith("tag:")) return "tags must start with 'tag:'";
    const name = tag.slice(4);
    if (name === "") return "tag names must not be empty";
    if (!/^[A-Za-z]/.test(name)) return "tag names must start with a letter, after 'tag:'";
    if (!/^[A-Za-z0-9-]+$/.test(name)) return "tag names can only contain numbers, letters, or dashes";
    return undefined;
}

/** An IPv4 address as a number; CIDRs, IPv6 and padded text are not one. */
function parseIpv4(text: string): number | undefined {
    const parsed = text.includes("/") || text.trim() !== text ? undefined : parseCidr(text);
    return parsed?.family === 4 ? Number(parsed.network) : undefined;
}

/** An IPv4 CIDR (prefix written out) as its first address and size. */
function parseIpv4Range(text: string): { base: number; size: number } | undefined {
    const parsed = /^\S+\/\d{1,2}$/.test(text) ? parseCidr(text) : undefined;
    return parsed?.family === 4 ? { base: Number(parsed.network), size: 2 ** (32 - parsed.prefix) } : undefined;
}

function parsePortRanges(text: string): PortRange[] | undefined {
    if (text === "*") return ALL_PORTS;
    const ranges: PortRange[] = [];
    for (const part of text.split(",")) {
        const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
        if (!m) return undefined;
        const first = Number(m[1]);
        const last = m[2] === undefined ? first : Number(m[2]);
        if (first > 65535 || last > 65535 || last < first) return undefined;
        ranges.push({ first, last });
    }
    return ranges;
}

function parseProtocol(value: unknown): Protocol | undefined {
    switch (value) {
        case "tcp":
        case "6":
            return "tcp";
        case "udp":
        case "17":
            return "udp";
        case "icmp":
        case "1":
            return "icmp";
        default:
            return undefined;
    }
}

function stringList(value: unknown, where: string, problems: string[]): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
        problems.push(`${where}: must be a list of strings`);
        return [];
    }
    return value;
}

function checkFields(entry: Record<string, unknown>, allowed: readonly string[], where: string, problems: string[]): void {
    for (const key of Object.keys(entry)) {
        if (!allowed.includes(key)) problems.push(`${where}.${key}: field not modelled by the offline evaluator`);
    }
}

/** A tailnet policy compiled for offline reachability questions. Build it with {@link compileTailnetPolicy}. */
export class CompiledTailnetPolicy {
    /** @internal */
    constructor(
        private readonly rules: readonly CompiledRule[],
        private readonly groups: ReadonlyMap<string, readonly string[]>,
        private readonly tagOwners: ReadonlySet<string>,
        private readonly hosts: ReadonlyMap<string, string>,
        private readonly tests: readonly unknown[],
    ) {}

    /** Tags declared in `tagOwners`. */
    get declaredTags(): readonly string[] {
        return [...this.tagOwners].sort();
    }

    /**
     * Whether `src` (a login, group, tag or host, as in a test) reaches `dst` (`host:port`) over `proto`
     * (absent: TCP or UDP). A group is reached only when every member is. Throws on an unknown name.
     */
    allows(src: string, dst: string, proto?: string): boolean {
        const problems: string[] = [];
        const result = this.evaluate(src, dst, proto, "query", problems);
        if (problems.length > 0 || result === undefined) throw new PolicyEvaluationError(problems);
        return result.all;
    }

    /** Runs the policy's own `tests`; returns the assertions that do not hold. Throws when a test is malformed. */
    runTests(): PolicyTestFailure[] {
        const problems: string[] = [];
        const failures: PolicyTestFailure[] = [];
        this.tests.forEach((raw, index) => {
            const where = `tests[${index}]`;
            const test = asRecord(raw);
            if (!test) {
                problems.push(`${where}: must be an object`);
                return;
            }
            checkFields(test, ["src", "proto", "accept", "deny", "allow", "user"], where, problems);
            const src = typeof test.src === "string" ? test.src : typeof test.user === "string" ? test.user : undefined;
            if (src === undefined) {
                problems.push(`${where}.src: required (a login, group, tag or host)`);
                return;
            }
            const proto = test.proto === undefined ? undefined : String(test.proto);
            const accept = [...stringList(test.accept, `${where}.accept`, problems), ...stringList(test.allow, `${where}.allow`, problems)];
            const deny = stringList(test.deny, `${where}.deny`, problems);
            if (test.accept === undefined && test.allow === undefined && test.deny === undefined) {
                problems.push(`${where}: has neither accept nor deny (Tailscale rejects such a test)`);
            }
            for (const dst of accept) {
                const result = this.evaluate(src, dst, proto, where, problems);
                if (result && !result.all) failures.push({ where, src, dst, proto, expected: "accept" });
            }
            for (const dst of deny) {
                const result = this.evaluate(src, dst, proto, where, problems);
                if (result && result.any) failures.push({ where, src, dst, proto, expected: "deny" });
            }
        });
        if (problems.length > 0) throw new PolicyEvaluationError(problems);
        return failures;
    }

    /** For every (source device, destination device) pair: whether all / any of them connect. */
    private evaluate(src: string, dst: string, proto: string | undefined, where: string, problems: string[]): { all: boolean; any: boolean } | undefined {
        let protocols: Protocol[];
        if (proto === undefined) {
            protocols = ["tcp", "udp"];
        } else if (parseProtocol(proto) === "tcp" || parseProtocol(proto) === "udp") {
            protocols = [parseProtocol(proto)!];
        } else {
            problems.push(`${where}.proto: "${proto}" is not modelled in tests (tcp or udp)`);
            return undefined;
        }
        if (src === "*") {
            problems.push(`${where}.src: "*" is not allowed as a test source`);
            return undefined;
        }
        const sources = this.testEndpoints(src, `${where}.src`, problems);
        const colon = dst.lastIndexOf(":");
        const host = colon < 0 ? "" : dst.slice(0, colon);
        const portText = colon < 0 ? "" : dst.slice(colon + 1);
        if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
            problems.push(`${where}: destination "${dst}" must be <host>:<port> with one numeric port`);
            return undefined;
        }
        if (host === "*") {
            problems.push(`${where}: destination "${dst}" cannot be "*"`);
            return undefined;
        }
        const targets = this.testEndpoints(host, `${where}: destination "${dst}"`, problems);
        if (!sources || !targets) return undefined;
        const port = Number(portText);
        let all = true;
        let any = false;
        for (const s of sources) {
            for (const t of targets) {
                const reached = protocols.some((p) => this.connects(s, t, port, p));
                all &&= reached;
                any ||= reached;
            }
        }
        return { all, any };
    }

    /** The devices or address a test names. */
    private testEndpoints(name: string, where: string, problems: string[]): Endpoint[] | undefined {
        if (LOGIN.test(name)) return [{ kind: "device", user: name, tags: [] }];
        if (name.startsWith("group:")) {
            const members = this.groups.get(name);
            if (!members) {
                problems.push(`${where}: group "${name}" is not defined in groups`);
                return undefined;
            }
            if (members.length === 0) {
                problems.push(`${where}: group "${name}" has no members`);
                return undefined;
            }
            return members.map((user) => ({ kind: "device", user, tags: [] }));
        }
        if (name.startsWith("tag:")) {
            if (!this.tagOwners.has(name)) {
                problems.push(`${where}: tag "${name}" is not defined in tagOwners`);
                return undefined;
            }
            return [{ kind: "device", tags: [name] }];
        }
        const alias = this.hosts.get(name);
        const literal = parseIpv4(alias ?? name);
        if (literal !== undefined) return [{ kind: "address", ip: literal }];
        problems.push(
            alias !== undefined
                ? `${where}: host "${name}" is the range ${alias}; tests need one address`
                : `${where}: "${name}" is not a login, group, tag, host alias or IPv4 address the evaluator models`,
        );
        return undefined;
    }

    private connects(src: Endpoint, dst: Endpoint, port: number, protocol: Protocol): boolean {
        return this.rules.some(
            (rule) =>
                rule.src.some((m) => m(src, src)) &&
                rule.dst.some((d) => d.protocols.has(protocol) && d.ports.some((r) => port >= r.first && port <= r.last) && d.match(dst, src)),
        );
    }
}

/**
 * Compiles a parsed policy document. Throws {@link PolicyEvaluationError} listing every part it cannot
 * evaluate faithfully (see the module comment for what is modelled).
 */
export function compileTailnetPolicy(policy: Record<string, unknown>): CompiledTailnetPolicy {
    const problems: string[] = [];
    for (const key of Object.keys(policy)) {
        if (!EVALUATED_SECTIONS.has(key) && !IGNORED_SECTIONS.has(key)) problems.push(`${key}: section not modelled by the offline evaluator`);
    }

    const groups = new Map<string, string[]>();
    for (const [name, members] of Object.entries(asRecord(policy.groups) ?? {})) {
        if (!name.startsWith("group:")) problems.push(`groups.${name}: group names start with "group:"`);
        const list = stringList(members, `groups["${name}"]`, problems);
        for (const member of list) {
            if (!LOGIN.test(member)) problems.push(`groups["${name}"]: member "${member}" is not a user login (nested groups and tags are not modelled)`);
        }
        groups.set(name, list);
    }

    const tagOwners = new Set<string>();
    const ownerLists = Object.entries(asRecord(policy.tagOwners) ?? {});
    for (const [tag] of ownerLists) {
        const problem = tagNameProblem(tag);
        if (problem) problems.push(`tagOwners["${tag}"]: ${problem}`);
        tagOwners.add(tag);
    }
    for (const [tag, owners] of ownerLists) {
        for (const owner of stringList(owners, `tagOwners["${tag}"]`, problems)) {
            const known =
                LOGIN.test(owner) || groups.has(owner) || tagOwners.has(owner) || owner === "autogroup:admin" || owner === "autogroup:member";
            if (!known) problems.push(`tagOwners["${tag}"]: owner "${owner}" is not a login, a defined group or tag, autogroup:admin or autogroup:member`);
        }
    }

    const hosts = new Map<string, string>();
    for (const [name, value] of Object.entries(asRecord(policy.hosts) ?? {})) {
        if (!HOST_NAME.test(name) || parseIpv4(name) !== undefined) problems.push(`hosts.${name}: not a host alias name`);
        if (typeof value !== "string" || (parseIpv4(value) === undefined && parseIpv4Range(value) === undefined)) {
            problems.push(`hosts.${name}: "${String(value)}" is not an IPv4 address or CIDR (IPv6 is not modelled)`);
            continue;
        }
        hosts.set(name, value);
    }

    const selector = (text: string, where: string, side: "src" | "dst"): Matcher | undefined => {
        if (text === "*") return () => true;
        if (LOGIN.test(text)) return (e) => e.kind === "device" && e.tags.length === 0 && e.user === text;
        if (text.startsWith("group:")) {
            const members = groups.get(text);
            if (!members) {
                problems.push(`${where}: group "${text}" is not defined in groups`);
                return undefined;
            }
            return (e) => e.kind === "device" && e.tags.length === 0 && e.user !== undefined && members.includes(e.user);
        }
        if (text.startsWith("tag:")) {
            if (!tagOwners.has(text)) {
                problems.push(`${where}: tag "${text}" is not defined in tagOwners`);
                return undefined;
            }
            return (e) => e.kind === "device" && e.tags.includes(text);
        }
        if (text === "autogroup:member") return (e) => e.kind === "device" && e.tags.length === 0 && e.user !== undefined;
        if (text === "autogroup:tagged") return (e) => e.kind === "device" && e.tags.length > 0;
        if (text === "autogroup:self") {
            if (side === "src") {
                problems.push(`${where}: autogroup:self is only allowed as a destination`);
                return undefined;
            }
            return (e, source) =>
                e.kind === "device" && source.kind === "device" && e.tags.length === 0 && source.tags.length === 0 && e.user !== undefined && e.user === source.user;
        }
        const address = hosts.get(text) ?? text;
        const single = parseIpv4(address);
        if (single !== undefined) return (e) => e.kind === "address" && e.ip === single;
        const range = parseIpv4Range(address);
        if (range) return (e) => e.kind === "address" && e.ip >= range.base && e.ip < range.base + range.size;
        problems.push(`${where}: unknown selector "${text}"`);
        return undefined;
    };

    const rules: CompiledRule[] = [];
    asArray(policy.acls).forEach((raw, index) => {
        const where = `acls[${index}]`;
        const rule = asRecord(raw);
        if (!rule) {
            problems.push(`${where}: must be an object`);
            return;
        }
        checkFields(rule, ["action", "src", "dst", "proto", "users", "ports"], where, problems);
        if (rule.action !== "accept") problems.push(`${where}.action: must be "accept" (got ${JSON.stringify(rule.action)})`);
        let protocols = DEFAULT_PROTOCOLS;
        if (rule.proto !== undefined) {
            const protocol = parseProtocol(rule.proto);
            if (!protocol) problems.push(`${where}.proto: "${String(rule.proto)}" is not modelled (tcp, udp, icmp, 6, 17, 1)`);
            protocols = new Set(protocol ? [protocol] : []);
        }
        const srcKey = rule.src !== undefined ? "src" : "users";
        const dstKey = rule.dst !== undefined ? "dst" : "ports";
        const src = stringList(rule[srcKey], `${where}.${srcKey}`, problems)
            .map((s, i) => selector(s, `${where}.${srcKey}[${i}]`, "src"))
            .filter((m): m is Matcher => m !== undefined);
        const dst = stringList(rule[dstKey], `${where}.${dstKey}`, problems).flatMap((d, i) => {
            const at = `${where}.${dstKey}[${i}]`;
            const colon = d.lastIndexOf(":");
            const ports = colon < 0 ? undefined : parsePortRanges(d.slice(colon + 1));
            if (!ports) {
                problems.push(`${at}: "${d}" must be <selector>:<ports> with ports *, N, N-M or a comma list`);
                return [];
            }
            const match = selector(d.slice(0, colon), at, "dst");
            return match ? [{ match, ports, protocols }] : [];
        });
        rules.push({ where, src, dst });
    });

    asArray(policy.grants).forEach((raw, index) => {
        const where = `grants[${index}]`;
        const grant = asRecord(raw);
        if (!grant) {
            problems.push(`${where}: must be an object`);
            return;
        }
        checkFields(grant, ["src", "dst", "ip", "app"], where, problems);
        const access = stringList(grant.ip, `${where}.ip`, problems).flatMap((entry, i) => {
            const at = `${where}.ip[${i}]`;
            if (entry === "*") return [{ ports: ALL_PORTS, protocols: DEFAULT_PROTOCOLS }];
            const m = /^(?:([a-z]+):)?(.+)$/.exec(entry)!;
            const protocol = m[1] === undefined ? undefined : parseProtocol(m[1]);
            const ports = parsePortRanges(m[2]!);
            if ((m[1] !== undefined && !protocol) || !ports || (protocol === "icmp" && m[2] !== "*")) {
                problems.push(`${at}: "${entry}" is not modelled (*, N, N-M, tcp:<ports>, udp:<ports>, icmp:*)`);
                return [];
            }
            return [{ ports, protocols: protocol ? new Set<Protocol>([protocol]) : BARE_PORT_PROTOCOLS }];
        });
        const src = stringList(grant.src, `${where}.src`, problems)
            .map((s, i) => selector(s, `${where}.src[${i}]`, "src"))
            .filter((m): m is Matcher => m !== undefined);
        const dst = stringList(grant.dst, `${where}.dst`, problems).flatMap((d, i) => {
            const match = selector(d, `${where}.dst[${i}]`, "dst");
            return match ? access.map((a) => ({ match, ...a })) : [];
        });
        rules.push({ where, src, dst });
    });

    const tests = policy.tests === undefined ? [] : Array.isArray(policy.tests) ? policy.tests : (problems.push("tests: must be a list"), []);
    if (problems.length > 0) throw new PolicyEvaluationError(problems);
    return new CompiledTailnetPolicy(rules, groups, tagOwners, hosts, tests);
}
