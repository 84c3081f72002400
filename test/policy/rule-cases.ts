import { describe, expect, it } from "vitest";
import type { PlannedResource } from "../../tools/offline/plan-types";
import type { PackConfig } from "../../policy/lib/config";
import type { PackPolicy } from "../../policy/rules";
import { violationsOf } from "../helpers/policy-fixtures";

/**
 * Table-driven rule tests: a compliant fixture that must pass the rule, and violating fixtures (one per field
 * the rule checks) whose exact messages, level and blamed resource are asserted.
 */

/** One violating fixture. */
export interface RuleCase {
    /** What is broken (test title). */
    field: string;
    /** The resources to evaluate. */
    resources: PlannedResource[];
    /** The resource the violations must name (omit for stack-wide violations without a resource). */
    subject?: PlannedResource;
    /** The exact messages, in order. */
    messages: string[];
    /** Pack config for this case. */
    config?: Partial<PackConfig>;
}

/** A case where `subject` is evaluated alongside `context`. */
export function caseOf(field: string, subject: PlannedResource, messages: string[], context: PlannedResource[] = [], config?: Partial<PackConfig>): RuleCase {
    return { field, resources: [...context, subject], subject, messages, ...(config ? { config } : {}) };
}

/** Registers the tests of one rule. */
export function describeRule(policy: PackPolicy, compliant: () => PlannedResource[], cases: RuleCase[], compliantVariants: Array<{ title: string; resources: PlannedResource[]; config?: Partial<PackConfig> }> = []): void {
    describe(policy.name, () => {
        it("passes the compliant fixture", () => {
            expect(violationsOf(policy.name, compliant())).toEqual([]);
        });
        for (const variant of compliantVariants) {
            it(`passes: ${variant.title}`, () => {
                expect(violationsOf(policy.name, variant.resources, variant.config)).toEqual([]);
            });
        }
        for (const c of cases) {
            it(`catches: ${c.field}`, () => {
                const found = violationsOf(policy.name, c.resources, c.config);
                expect(found.map((v) => v.message)).toEqual(c.messages);
                for (const violation of found) {
                    expect(violation.enforcementLevel).toBe(policy.enforcementLevel);
                    if (c.subject) {
                        expect(violation.urn).toBe(c.subject.urn);
                        expect(violation.type).toBe(c.subject.type);
                        expect(violation.name).toBe(c.subject.name);
                    }
                }
            });
        }
    });
}
