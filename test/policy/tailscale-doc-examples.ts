/**
 * Tailnet policies from Tailscale's documentation (and the API reference in tailscale/tailscale), copied as
 * published, each with what Tailscale says about it. The offline evaluator (policy/lib/tailscale-evaluator.ts)
 * is tested against them: the verdicts below come from the documents, not from the evaluator.
 */

/** One documented policy and what Tailscale's server does with it. */
export interface DocExample {
    /** Where it is published. */
    source: string;
    /** What it shows. */
    title: string;
    /** The policy document. */
    policy: Record<string, unknown>;
    /** Whether Tailscale accepts it (its `tests` pass); `unsupported` when the evaluator must refuse it. */
    verdict: "tests pass" | "tests fail" | "unsupported";
}

/**
 * The `tests` example of the policy-file syntax reference, with the ACL of the same page that it tests
 * (https://tailscale.com/kb/1337/acl-syntax#tests; reproduced in the README of the Nix ACL module that quotes
 * it): dave reaches example-host-1 on any port and vega on 80 and 443, nothing else.
 */
export const syntaxReferenceTests: DocExample = {
    source: "https://tailscale.com/kb/1337/acl-syntax#tests",
    title: "dave@example.com reaches example-host-1:22 and vega:80, not 1.2.3.4:443",
    policy: {
        acls: [{ action: "accept", src: ["dave@example.com"], dst: ["example-host-1:*", "vega:80,443"] }],
        hosts: { "example-host-1": "100.100.100.100", vega: "100.101.102.103" },
        tests: [{ src: "dave@example.com", proto: "tcp", accept: ["example-host-1:22", "vega:80"], deny: ["1.2.3.4:443"] }],
    },
    verdict: "tests pass",
};

/** The same policy, with a test that asserts what the rules do not grant: vega only opens 80 and 443. */
export const syntaxReferenceBrokenTest: DocExample = {
    ...syntaxReferenceTests,
    title: "a test expecting vega:22 is rejected (vega only opens 80,443)",
    policy: { ...syntaxReferenceTests.policy, tests: [{ src: "dave@example.com", proto: "tcp", accept: ["vega:22"] }] },
    verdict: "tests fail",
};

/**
 * The default policy of the API reference (`POST /api/v2/tailnet/{tailnet}/acl`, docs/api.md of
 * tailscale/tailscale and https://tailscale.com/api): match everything, legacy `users`/`ports` fields, with its
 * commented example test enabled.
 */
export const apiDefaultAllowAll: DocExample = {
    source: "https://github.com/tailscale/tailscale/blob/main/api.md#tailnet-acl-post (request example)",
    title: "the default allow-all policy lets user1 reach example-host-1:22",
    policy: {
        tests: [{ src: "user1@example.com", accept: ["example-host-1:22"] }],
        groups: { "group:example": ["user1@example.com", "user2@example.com"] },
        hosts: { "example-host-1": "100.100.100.100" },
        acls: [{ action: "accept", users: ["*"], ports: ["*:*"] }],
    },
    verdict: "tests pass",
};

/** The API example's commented test (`deny example-host-2:100`) cannot hold under allow-all. */
export const apiDefaultDenyUnderAllowAll: DocExample = {
    ...apiDefaultAllowAll,
    title: "under allow-all a deny test fails",
    policy: { ...apiDefaultAllowAll.policy, hosts: { "example-host-1": "100.100.100.100", "example-host-2": "100.100.101.100" }, tests: [{ src: "user1@example.com", deny: ["example-host-2:100"] }] },
    verdict: "tests fail",
};

/**
 * The allow-all grant of the Pulumi Tailscale provider's `Acl` example
 * (https://www.pulumi.com/registry/packages/tailscale/api-docs/acl), with a test.
 */
export const providerAllowAllGrant: DocExample = {
    source: "https://www.pulumi.com/registry/packages/tailscale/api-docs/acl",
    title: "grants src * dst * ip * reach everything",
    policy: { grants: [{ src: ["*"], dst: ["*"], ip: ["*"] }], tagOwners: { "tag:prod": [] }, tests: [{ src: "alice@example.com", accept: ["tag:prod:3389"] }] },
    verdict: "tests pass",
};

/**
 * The "Ensure critical access is not revoked" tests of the policy-file reference
 * (https://tailscale.com/docs/reference/syntax/policy-file, tests section), with rules that grant on-call SSH
 * and HTTPS on tag:prod and auditors SSH on tag:logging.
 */
export const criticalAccess: DocExample = {
    source: "https://tailscale.com/docs/reference/syntax/policy-file (tests: ensure critical access is not revoked)",
    title: "oncall reaches tag:prod:22,443 but not 3389; auditor reaches tag:logging:22 only",
    policy: {
        tagOwners: { "tag:prod": ["autogroup:admin"], "tag:logging": ["autogroup:admin"] },
        acls: [
            { action: "accept", src: ["oncall@example.com"], dst: ["tag:prod:22,443"] },
            { action: "accept", src: ["auditor@example.com"], proto: "tcp", dst: ["tag:logging:22"] },
        ],
        tests: [
            { src: "oncall@example.com", accept: ["tag:prod:22", "tag:prod:443"], deny: ["tag:prod:3389"] },
            { src: "auditor@example.com", accept: ["tag:logging:22"], deny: ["tag:prod:22"] },
        ],
    },
    verdict: "tests pass",
};

/**
 * Groups, tags and autogroups, from the policy of the Tailscale API client's test data
 * (tailscale/tailscale-client-go, tailscale/testdata/acl.json), with `autogroup:members` written as today's
 * `autogroup:member` (https://tailscale.com/kb/1396/targets).
 */
export const clientTestdata: DocExample = {
    source: "https://github.com/tailscale/tailscale-client-go/blob/main/tailscale/testdata/acl.json",
    title: "group:dev reaches tag:dev, group:devops reaches tag:prod, members reach their own devices",
    policy: {
        groups: { "group:dev": ["alice@example.com", "bob@example.com"], "group:devops": ["carl@example.com"] },
        acls: [
            { action: "accept", src: ["autogroup:member"], dst: ["autogroup:self:*"] },
            { action: "accept", src: ["group:dev"], dst: ["tag:dev:*"] },
            { action: "accept", src: ["group:devops"], dst: ["tag:prod:*"] },
            { action: "accept", src: ["autogroup:member"], dst: ["tag:monitoring:80,443"] },
        ],
        tagOwners: { "tag:monitoring": ["group:devops"], "tag:dev": ["group:devops"], "tag:prod": ["group:devops"] },
        tests: [
            { src: "carl@example.com", accept: ["tag:prod:80"] },
            { src: "alice@example.com", accept: ["tag:dev:80"], deny: ["tag:prod:80"] },
        ],
    },
    verdict: "tests pass",
};

/** The same file as published, with the retired `autogroup:members`: an unknown selector is refused. */
export const clientTestdataRetiredAutogroup: DocExample = {
    ...clientTestdata,
    title: "the retired autogroup:members is refused, not guessed",
    policy: { ...clientTestdata.policy, acls: [{ action: "accept", src: ["autogroup:members"], dst: ["autogroup:self:*"] }] },
    verdict: "unsupported",
};

/**
 * Tag ownership of the Kubernetes operator (https://tailscale.com/kb/1236/kubernetes-operator and
 * https://tailscale.com/docs/kubernetes-operator/reference/tags): an empty owner list means admins only, and a
 * tag may own another tag.
 */
export const operatorTagOwners: DocExample = {
    source: "https://tailscale.com/docs/kubernetes-operator/reference/tags",
    title: "tag:k8s is owned by tag:k8s-operator; tag:k8s-operator by admins",
    policy: {
        tagOwners: { "tag:k8s-operator": [], "tag:k8s": ["tag:k8s-operator"] },
        grants: [{ src: ["autogroup:member"], dst: ["tag:k8s"], ip: ["tcp:443"] }],
        tests: [{ src: "alice@example.com", proto: "tcp", accept: ["tag:k8s:443"], deny: ["tag:k8s-operator:443", "tag:k8s:80"] }],
    },
    verdict: "tests pass",
};

/** The ICMP test of the policy-file reference (`proto: icmp`, port 0): not modelled, so refused. */
export const icmpTest: DocExample = {
    source: "https://tailscale.com/docs/reference/syntax/policy-file (tests: ICMP test example)",
    title: "an icmp test is refused",
    policy: { tagOwners: { "tag:production": [] }, acls: [{ action: "accept", src: ["*"], dst: ["tag:production:*"] }], tests: [{ src: "alice@example.com", proto: "icmp", accept: ["tag:production:0"] }] },
    verdict: "unsupported",
};

/** Every example, for table tests. */
export const DOC_EXAMPLES: readonly DocExample[] = [
    syntaxReferenceTests,
    syntaxReferenceBrokenTest,
    apiDefaultAllowAll,
    apiDefaultDenyUnderAllowAll,
    providerAllowAllGrant,
    criticalAccess,
    clientTestdata,
    clientTestdataRetiredAutogroup,
    operatorTagOwners,
    icmpTest,
];
