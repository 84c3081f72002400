import { describe, expect, it } from "vitest";
import { admit, evaluateCel, resourceRulesMatch, selectorMatches, type AdmissionRequest } from "../../../tools/offline/admission";
import type { IValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import type { IValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";

describe("Kubernetes regex library (k8s.io/apiserver pkg/cel/library/regex.go)", () => {
    // Examples from regex.go's doc comment and from the apiserver's own tests (environment_test.go, cost_test.go).
    it.each([
        [`"abc 123".find('xyz')`, ""],
        [`"123 abc 456".findAll('xyz')`, []],
        [`'a 1 b 2'.find('[0-9]') == '1'`, true],
        [`'abc 123 def 123'.find('123')`, "123"],
        [`'abc 123 def 123'.findAll('123')`, ["123", "123"]],
        [`'abc 123 def 123'.findAll('123', 1)`, ["123"]],
        [`"123 abc 456".findAll('[0-9]+')`, ["123", "456"]],
        [`"123 abc 456".findAll('[0-9]+', 1)`, ["123"]],
    ])("%s", (expression, expected) => {
        const result = evaluateCel(expression, {});
        expect(Array.isArray(expected) ? [...(result as Iterable<unknown>)] : result).toEqual(expected);
    });

    it("follows Go's regexp semantics where the doc comment's `[0-9]*` examples are loose", () => {
        // Go's FindString is leftmost-first: `[0-9]*` matches the empty string at offset 0 of "abc 123"; FindAllString
        // skips only empty matches that abut a previous match.
        expect(evaluateCel(`"abc 123".find('[0-9]*')`, {})).toBe("");
        expect([...(evaluateCel(`"12 a".findAll('[0-9]*')`, {}) as Iterable<unknown>)]).toEqual(["12", "", ""]);
    });

    it("offers the strings extension Kubernetes enables (split, lowerAscii, trim)", () => {
        expect([...(evaluateCel(`' A , b '.split(',').map(h, h.trim().lowerAscii())`, {}) as Iterable<unknown>)]).toEqual(["a", "b"]);
    });

    it("refuses functions it does not implement instead of guessing", () => {
        expect(evaluateCel(`quantity('1Gi').isGreaterThan(quantity('500Mi'))`, {})).toBeInstanceOf(Error);
    });

    it("binds integral JSON numbers as CEL int, as the API server does for integer fields", () => {
        expect(evaluateCel("object.port == 80 && type(object.port) == int", { object: { port: 80 } })).toBe(true);
        expect(evaluateCel("type(object.ratio) == double", { object: { ratio: 0.5 } })).toBe(true);
    });
});

describe("label selectors", () => {
    const labels = { a: "1", b: "2" };
    it.each([
        [{ matchLabels: { a: "1" } }, true],
        [{ matchLabels: { a: "2" } }, false],
        [{ matchExpressions: [{ key: "a", operator: "In", values: ["1", "3"] }] }, true],
        [{ matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, false],
        [{ matchExpressions: [{ key: "c", operator: "Exists" }] }, false],
        [{ matchExpressions: [{ key: "c", operator: "DoesNotExist" }] }, true],
        [undefined, true],
    ])("%j → %s", (selector, expected) => {
        expect(selectorMatches(selector, labels)).toBe(expected);
    });
});

const policy = (spec: IValidatingAdmissionPolicy["spec"]): IValidatingAdmissionPolicy => ({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: "p" },
    spec,
});
const binding = (namespaceLabels?: Record<string, string>, actions: Array<"Deny" | "Warn" | "Audit"> = ["Deny"]): IValidatingAdmissionPolicyBinding => ({
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: "p" },
    spec: { policyName: "p", validationActions: actions, ...(namespaceLabels ? { matchResources: { namespaceSelector: { matchLabels: namespaceLabels } } } : {}) },
});
const services = { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE" as const], resources: ["services"] }] };
const request = (object: Record<string, unknown>, namespaceLabels: Record<string, string> = { tenant: "true" }): AdmissionRequest => ({
    object: { apiVersion: "v1", kind: "Service", metadata: { name: "s", namespace: "n" }, ...object },
    namespaceObject: { metadata: { name: "n", labels: namespaceLabels } },
    operation: "CREATE",
});

describe("admission model", () => {
    const noNodePort = policy({
        matchConstraints: services,
        validations: [{ expression: "object.spec.type != 'NodePort'", message: "no NodePort" }],
    });

    it("denies a failed validation with its message, and admits a passing object", () => {
        expect(admit(noNodePort, binding({ tenant: "true" }), request({ spec: { type: "NodePort" } }))).toEqual({ matched: true, allowed: false, messages: ["no NodePort"] });
        expect(admit(noNodePort, binding({ tenant: "true" }), request({ spec: { type: "ClusterIP" } }))).toEqual({ matched: true, allowed: true, messages: [] });
    });

    it("applies only in namespaces the binding selects, and only to the matched resources and operations", () => {
        expect(admit(noNodePort, binding({ tenant: "true" }), request({ spec: { type: "NodePort" } }, { tenant: "false" })).matched).toBe(false);
        expect(admit(noNodePort, binding(), { ...request({ spec: { type: "NodePort" } }), operation: "UPDATE" }).matched).toBe(false);
        expect(() => admit(noNodePort, binding(), { ...request({}), object: { apiVersion: "v1", kind: "Mystery" } })).toThrow(/no REST mapping for kind Mystery/);
    });

    it("fails closed on an evaluation error under failurePolicy Fail, and open under Ignore", () => {
        const broken = (failurePolicy: "Fail" | "Ignore") => policy({ failurePolicy, matchConstraints: services, validations: [{ expression: "object.spec.missing.field == 1" }] });
        expect(admit(broken("Fail"), binding(), request({ spec: {} })).allowed).toBe(false);
        expect(admit(broken("Ignore"), binding(), request({ spec: {} })).allowed).toBe(true);
    });

    it("skips objects a matchCondition excludes, evaluates variables in order, and renders messageExpression", () => {
        const p = policy({
            matchConstraints: services,
            matchConditions: [{ name: "not-system", expression: "object.metadata.name != 'skip'" }],
            variables: [
                { name: "type", expression: "has(object.spec.type) ? object.spec.type : 'ClusterIP'" },
                { name: "exposed", expression: "variables.type in ['NodePort', 'LoadBalancer']" },
            ],
            validations: [{ expression: "!variables.exposed", messageExpression: "'type ' + variables.type + ' is not allowed'" }],
        });
        expect(admit(p, binding(), request({ spec: { type: "LoadBalancer" } })).messages).toEqual(["type LoadBalancer is not allowed"]);
        expect(admit(p, binding(), request({ metadata: { name: "skip" }, spec: { type: "LoadBalancer" } })).matched).toBe(false);
        expect(admit(p, binding(), request({ spec: {} })).allowed).toBe(true);
    });

    it("reports without denying when the binding only warns", () => {
        expect(admit(noNodePort, binding(undefined, ["Warn"]), request({ spec: { type: "NodePort" } }))).toEqual({ matched: true, allowed: true, messages: ["no NodePort"] });
    });
});

describe("resource rules and subresources (k8s.io/apiserver pkg/admission/plugin/webhook/predicates/rules, resource())", () => {
    const withResources = (resources: string[]): IValidatingAdmissionPolicy => ({
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: "p" },
        spec: { matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources }] }, validations: [{ expression: "request.subResource == ''" }] },
    });
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } };
    const matches = (resources: string[], subResource?: string) => resourceRulesMatch(withResources(resources), { object: pod, operation: "UPDATE", ...(subResource ? { subResource } : {}) });

    it.each([
        [["pods"], undefined, true],
        [["pods"], "status", false],
        [["*"], "status", false],
        [["pods/status"], "status", true],
        [["pods/status"], undefined, false],
        [["pods/ephemeralcontainers"], "status", false],
        [["pods/*"], "status", true],
        // The subresource `*` also matches the empty one: `pods/*` and `*/*` select the pod itself.
        [["pods/*"], undefined, true],
        [["*/status"], "status", true],
        [["*/*"], undefined, true],
    ] as Array<[string[], string | undefined, boolean]>)("%j selects subresource %s: %s", (resources, subResource, expected) => {
        expect(matches(resources, subResource)).toBe(expected);
    });

    it("binds request.subResource ('' for the resource itself)", () => {
        const policy = withResources(["pods", "pods/status"]);
        const binding: IValidatingAdmissionPolicyBinding = { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "p" }, spec: { policyName: "p", validationActions: ["Deny"] } };
        expect(admit(policy, binding, { object: pod, operation: "UPDATE" }).allowed).toBe(true);
        expect(admit(policy, binding, { object: pod, operation: "UPDATE", subResource: "status" }).allowed).toBe(false);
    });
});
