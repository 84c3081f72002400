import { describe, expect, it } from "vitest";
import { PolicyEvaluationError, compileTailnetPolicy, tagNameProblem } from "../../policy/lib/tailscale-evaluator";
import { DOC_EXAMPLES, clientTestdata, criticalAccess, syntaxReferenceTests } from "./tailscale-doc-examples";

const compile = (policy: Record<string, unknown>) => compileTailnetPolicy(policy);
const problemsOf = (run: () => unknown): readonly string[] => {
    try {
        run();
    } catch (error) {
        if (error instanceof PolicyEvaluationError) return error.problems;
        throw error;
    }
    return [];
};

describe("offline tailnet policy evaluator against Tailscale's documented examples", () => {
    it.each(DOC_EXAMPLES.map((e) => [e.title, e] as const))("%s", (_title, example) => {
        if (example.verdict === "unsupported") {
            expect(problemsOf(() => compile(example.policy).runTests()).length, example.source).toBeGreaterThan(0);
            return;
        }
        const failures = compile(example.policy).runTests();
        expect(failures.length === 0 ? "tests pass" : "tests fail", example.source).toBe(example.verdict);
    });

    it("answers the syntax reference's questions one by one", () => {
        const policy = compile(syntaxReferenceTests.policy);
        expect(policy.allows("dave@example.com", "example-host-1:65535", "tcp")).toBe(true);
        expect(policy.allows("dave@example.com", "vega:443", "udp")).toBe(true); // no proto in the rule: TCP, UDP, ICMP
        expect(policy.allows("dave@example.com", "vega:8080")).toBe(false);
        expect(policy.allows("eve@example.com", "vega:80")).toBe(false);
        expect(policy.allows("dave@example.com", "100.101.102.103:80")).toBe(true); // the alias is its address
    });

    it("matches groups, tags, autogroup:member and autogroup:self as documented", () => {
        const policy = compile(clientTestdata.policy);
        expect(policy.allows("group:dev", "tag:dev:22")).toBe(true);
        expect(policy.allows("group:dev", "tag:prod:22")).toBe(false);
        expect(policy.allows("bob@example.com", "tag:monitoring:443")).toBe(true);
        expect(policy.allows("bob@example.com", "tag:monitoring:22")).toBe(false);
        expect(policy.allows("bob@example.com", "bob@example.com:22")).toBe(true); // autogroup:self
        expect(policy.allows("bob@example.com", "alice@example.com:22")).toBe(false);
        expect(policy.allows("tag:prod", "tag:monitoring:80")).toBe(false); // a tagged device is not a member
    });

    it("honours acl proto: a TCP-only rule does not open UDP", () => {
        const policy = compile(criticalAccess.policy);
        expect(policy.allows("auditor@example.com", "tag:logging:22", "tcp")).toBe(true);
        expect(policy.allows("auditor@example.com", "tag:logging:22", "udp")).toBe(false);
    });

    it("needs every group member for accept and no member for deny", () => {
        const policy = compile({
            groups: { "group:ops": ["a@example.com", "b@example.com"] },
            tagOwners: { "tag:db": [] },
            acls: [{ action: "accept", src: ["a@example.com"], proto: "tcp", dst: ["tag:db:5432"] }],
            tests: [
                { src: "group:ops", proto: "tcp", accept: ["tag:db:5432"] },
                { src: "group:ops", proto: "tcp", deny: ["tag:db:5432"] },
            ],
        });
        expect(policy.runTests().map((f) => f.expected)).toEqual(["accept", "deny"]);
    });

    it("reads grants' ip forms: bare ports are TCP and UDP, tcp: only TCP", () => {
        const policy = compile({
            tagOwners: { "tag:web": [], "tag:dns": [] },
            grants: [
                { src: ["autogroup:member"], dst: ["tag:web"], ip: ["tcp:80-90"] },
                { src: ["autogroup:member"], dst: ["tag:dns"], ip: ["53"] },
            ],
        });
        expect(policy.allows("a@example.com", "tag:web:85", "tcp")).toBe(true);
        expect(policy.allows("a@example.com", "tag:web:85", "udp")).toBe(false);
        expect(policy.allows("a@example.com", "tag:web:91", "tcp")).toBe(false);
        expect(policy.allows("a@example.com", "tag:dns:53", "udp")).toBe(true);
        expect(policy.allows("a@example.com", "tag:dns:53", "tcp")).toBe(true);
    });

    it("keeps identities and addresses apart (it cannot know which device holds an address)", () => {
        const policy = compile({ tagOwners: { "tag:x": [] }, acls: [{ action: "accept", src: ["*"], dst: ["tag:x:22", "10.0.0.0/8:443"] }] });
        expect(policy.allows("a@example.com", "100.64.0.1:22")).toBe(false);
        expect(policy.allows("a@example.com", "10.1.2.3:443")).toBe(true);
        expect(policy.allows("a@example.com", "10.1.2.3:22")).toBe(false);
    });

    it("refuses what it does not model, naming where, instead of allowing or denying", () => {
        const problems = problemsOf(() =>
            compile({
                ipsets: {},
                groups: { "group:a": ["group:b"] },
                tagOwners: { "tag:9lives": [], "tag:ok": ["group:missing"] },
                hosts: { v6: "fd7a:115c:a1e0::1" },
                acls: [
                    { action: "deny", src: ["*"], dst: ["*:*"] },
                    { action: "accept", src: ["autogroup:admin"], proto: "sctp", dst: ["tag:undeclared:22", "svc:web:443", "[fd7a::1]:22", "tag:ok:22-"] },
                    { action: "accept", src: ["autogroup:self"], dst: ["tag:ok:22"], extra: true },
                ],
                grants: [{ src: ["*"], dst: ["tag:ok"], ip: ["sctp:9"], via: ["tag:ok"] }],
            }),
        );
        expect(problems).toEqual([
            "ipsets: section not modelled by the offline evaluator",
            'groups["group:a"]: member "group:b" is not a user login (nested groups and tags are not modelled)',
            'tagOwners["tag:9lives"]: tag names must start with a letter, after \'tag:\'',
            'tagOwners["tag:ok"]: owner "group:missing" is not a login, a defined group or tag, autogroup:admin or autogroup:member',
            'hosts.v6: "fd7a:115c:a1e0::1" is not an IPv4 address or CIDR (IPv6 is not modelled)',
            'acls[0].action: must be "accept" (got "deny")',
            'acls[1].proto: "sctp" is not modelled (tcp, udp, icmp, 6, 17, 1)',
            'acls[1].src[0]: unknown selector "autogroup:admin"',
            'acls[1].dst[0]: tag "tag:undeclared" is not defined in tagOwners',
            'acls[1].dst[1]: unknown selector "svc:web"',
            'acls[1].dst[2]: unknown selector "[fd7a::1]"',
            'acls[1].dst[3]: "tag:ok:22-" must be <selector>:<ports> with ports *, N, N-M or a comma list',
            "acls[2].extra: field not modelled by the offline evaluator",
            "acls[2].src[0]: autogroup:self is only allowed as a destination",
            "grants[0].via: field not modelled by the offline evaluator",
            'grants[0].ip[0]: "sctp:9" is not modelled (*, N, N-M, tcp:<ports>, udp:<ports>, icmp:*)',
        ]);
    });

    it("refuses malformed tests: * source, port ranges, CIDRs, unknown names", () => {
        const policy = { hosts: { net: "10.0.0.0/8" }, tagOwners: { "tag:x": [] }, acls: [] };
        const cases: Array<[Record<string, unknown>, string]> = [
            [{ src: "*", accept: ["tag:x:22"] }, 'tests[0].src: "*" is not allowed as a test source'],
            [{ src: "a@example.com", accept: ["tag:x:22-23"] }, 'tests[0]: destination "tag:x:22-23" must be <host>:<port> with one numeric port'],
            [{ src: "a@example.com", deny: ["net:22"] }, 'tests[0]: destination "net:22": host "net" is the range 10.0.0.0/8; tests need one address'],
            [{ src: "tag:y", deny: ["tag:x:22"] }, 'tests[0].src: tag "tag:y" is not defined in tagOwners'],
            [{ src: "a@example.com", deny: ["autogroup:member:22"] }, 'tests[0]: destination "autogroup:member:22": "autogroup:member" is not a login, group, tag, host alias or IPv4 address the evaluator models'],
        ];
        for (const [test, message] of cases) {
            expect(problemsOf(() => compile({ ...policy, tests: [test] }).runTests())).toEqual([message]);
        }
    });

    it("applies Tailscale's tag name rule (tailcfg.CheckTag)", () => {
        expect(tagNameProblem("tag:fsn1-server")).toBeUndefined();
        expect(tagNameProblem("tag:Dev-2")).toBeUndefined();
        expect(tagNameProblem("fsn1-server")).toBe("tags must start with 'tag:'");
        expect(tagNameProblem("tag:")).toBe("tag names must not be empty");
        expect(tagNameProblem("tag:1fsn")).toBe("tag names must start with a letter, after 'tag:'");
        expect(tagNameProblem("tag:my_stack")).toBe("tag names can only contain numbers, letters, or dashes");
    });
});

/**
 * Tailscale's server on the `tests` block, as recorded against a real tailnet in headscale's compatibility
 * captures (juanfont/headscale, hscontrol/policy/v2/testdata/policytest_results/<id>.hujson): each case
 * re-creates the capture's situation (same hosts, rule and test shape) and asserts the same verdict.
 */
describe("offline tailnet policy evaluator against Tailscale's recorded verdicts on tests", () => {
    const base = {
        groups: { "group:developers": ["thor@example.org", "odin@example.com"] },
        tagOwners: { "tag:server": ["odin@example.com"], "tag:client": ["odin@example.com"] },
        hosts: { internal: "10.0.0.0/8", prodbox: "100.103.8.15", webserver: "100.64.0.16" },
    };
    type Verdict = "accepted" | "rejected" | "unsupported";
    const cases: Array<[string, Record<string, unknown>, Verdict]> = [
        ["policytest-proto-empty", { acls: [{ action: "accept", src: ["thor@example.org"], dst: ["webserver:80"] }], tests: [{ src: "thor@example.org", accept: ["webserver:80"] }] }, "accepted"],
        ["policytest-proto-numeric", { acls: [{ action: "accept", src: ["thor@example.org"], proto: "6", dst: ["webserver:443"] }], tests: [{ src: "thor@example.org", proto: "6", accept: ["webserver:443"] }] }, "accepted"],
        ["policytest-proto-udp", { acls: [{ action: "accept", src: ["thor@example.org"], proto: "udp", dst: ["webserver:53"] }], tests: [{ src: "thor@example.org", proto: "udp", accept: ["webserver:53"] }] }, "accepted"],
        ["policytest-accept-fail-proto-mismatch-tcp-vs-udp", { acls: [{ action: "accept", src: ["group:developers"], proto: "tcp", dst: ["webserver:53"] }], tests: [{ src: "thor@example.org", proto: "udp", accept: ["webserver:53"] }] }, "rejected"],
        ["policytest-allpass-acls-group-src-host-dst", { acls: [{ action: "accept", src: ["group:developers"], dst: ["webserver:22"] }], tests: [{ src: "group:developers", accept: ["webserver:22"] }] }, "accepted"],
        ["policytest-allpass-acls-and-grants-mixed", { acls: [{ action: "accept", src: ["odin@example.com"], dst: ["tag:server:22"] }], grants: [{ src: ["tag:client"], dst: ["webserver"], ip: ["tcp:80"] }], tests: [{ src: "odin@example.com", accept: ["tag:server:22"] }, { src: "tag:client", accept: ["webserver:80"] }] }, "accepted"],
        ["policytest-allpass-grants-only-tag-src-host-alias-non-topology-dst", { grants: [{ src: ["tag:client"], dst: ["prodbox"], ip: ["tcp:22"] }], tests: [{ src: "tag:client", accept: ["prodbox:22"] }] }, "accepted"],
        ["policytest-deny-fail-user-src-tag-dst", { acls: [{ action: "accept", src: ["thor@example.org"], dst: ["tag:server:22"] }], tests: [{ src: "thor@example.org", deny: ["tag:server:22"] }] }, "rejected"],
        ["policytest-malformed-test-duplicate-entries", { acls: [{ action: "accept", src: ["thor@example.org"], dst: ["tag:server:22"] }], tests: [{ src: "thor@example.org", accept: ["tag:server:22"] }, { src: "thor@example.org", accept: ["tag:server:22"] }] }, "accepted"],
        ["policytest-malformed-test-missing-accept-and-deny", { acls: [{ action: "accept", src: ["thor@example.org"], dst: ["tag:server:22"] }], tests: [{ src: "thor@example.org" }] }, "unsupported"],
        ["policytest-malformed-test-empty-string-src", { acls: [], tests: [{ src: "", accept: ["tag:server:22"] }] }, "unsupported"],
        ["policytest-malformed-test-port-out-of-range", { acls: [], tests: [{ src: "thor@example.org", accept: ["tag:server:70000"] }] }, "unsupported"],
        ["policytest-port-shape-range", { acls: [{ action: "accept", src: ["thor@example.org"], dst: ["tag:server:*"] }], tests: [{ src: "thor@example.org", accept: ["tag:server:8000-8100"] }] }, "unsupported"],
        ["policytest-port-shape-list", { acls: [{ action: "accept", src: ["thor@example.org"], dst: ["tag:server:*"] }], tests: [{ src: "thor@example.org", accept: ["tag:server:80,443,8080"] }] }, "unsupported"],
        ["policytest-port-shape-wildcard", { acls: [{ action: "accept", src: ["thor@example.org"], dst: ["tag:server:*"] }], tests: [{ src: "thor@example.org", accept: ["tag:server:*"] }] }, "unsupported"],
        ["policytest-allpass-grants-only-tag-src-cidr-dst", { grants: [{ src: ["tag:client"], dst: ["10.0.0.0/8"], ip: ["tcp:22"] }], tests: [{ src: "tag:client", accept: ["10.0.0.0/8:22"] }] }, "unsupported"],
        ["policytest-allpass-grants-only-tag-src-host-alias-cidr-dst", { grants: [{ src: ["tag:client"], dst: ["internal"], ip: ["tcp:22"] }], tests: [{ src: "tag:client", accept: ["internal:22"] }] }, "unsupported"],
        ["policytest-allpass-grants-only-tag-src-prefix32-dst", { grants: [{ src: ["tag:client"], dst: ["100.64.0.16/32"], ip: ["tcp:22"] }], tests: [{ src: "tag:client", accept: ["100.64.0.16/32:22"] }] }, "unsupported"],
        ["policytest-src-unknown-tag", { acls: [], tests: [{ src: "tag:phantom", accept: ["tag:server:22"] }] }, "unsupported"],
        ["policytest-dst-unknown-tag", { acls: [{ action: "accept", src: ["thor@example.org"], dst: ["tag:server:22"] }], tests: [{ src: "thor@example.org", accept: ["tag:phantom:22"] }] }, "unsupported"],
        ["policytest-src-unknown-group", { acls: [], tests: [{ src: "group:nonexistent", accept: ["tag:server:22"] }] }, "unsupported"],
        ["policytest-dst-unknown-host", { acls: [], tests: [{ src: "thor@example.org", accept: ["nohost:22"] }] }, "unsupported"],
        ["policytest-src-unknown-autogroup", { acls: [], tests: [{ src: "autogroup:nonexistent", accept: ["tag:server:22"] }] }, "unsupported"],
    ];
    it.each(cases)("%s", (_id, policy, verdict) => {
        const run = () => compileTailnetPolicy({ ...base, ...policy }).runTests();
        if (verdict === "unsupported") {
            expect(problemsOf(run).length).toBeGreaterThan(0);
            return;
        }
        expect(run().length === 0 ? "accepted" : "rejected").toBe(verdict);
    });
});
