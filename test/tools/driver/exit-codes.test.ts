import { ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { EXIT, EXIT_CODES, EXIT_PRECEDENCE, exitCodeFor, isNoChangesExpected, isStackLocked, overallExitCode, StackLockedError, statusOf } from "../../../tools/driver/exit-codes";
import { translateAutomationError } from "../../../tools/driver/workspace";

const noChanges = new Error("code: 255\n stdout: \n stderr: error: no changes were expected but changes were proposed\n");

describe("exit codes", () => {
    it("are the documented values", () => {
        expect(EXIT).toEqual({ ok: 0, failure: 1, policyViolation: 2, driftFound: 3, stackLocked: 4, dataAtRisk: 5 });
    });

    it("map unacknowledged data at risk to 5: after a lock and a policy violation, before drift and failures", () => {
        expect(exitCodeFor({ mandatoryViolations: 0, dataAtRisk: 1 })).toBe(5);
        expect(exitCodeFor({ error: new Error("error: update failed"), mandatoryViolations: 0, dataAtRisk: 2 })).toBe(5);
        expect(exitCodeFor({ mandatoryViolations: 0, dataAtRisk: 1, changesFound: true })).toBe(5);
        expect(exitCodeFor({ mandatoryViolations: 1, dataAtRisk: 1 })).toBe(2);
        expect(exitCodeFor({ error: new StackLockedError("locked"), mandatoryViolations: 0, dataAtRisk: 1 })).toBe(4);
        expect(exitCodeFor({ mandatoryViolations: 0, dataAtRisk: 0 })).toBe(0);
        expect(statusOf(5)).toBe("data-at-risk");
        expect(EXIT_PRECEDENCE).toEqual([EXIT.stackLocked, EXIT.policyViolation, EXIT.dataAtRisk, EXIT.driftFound, EXIT.failure]);
    });

    it("map success to 0 and any other error to 1", () => {
        expect(exitCodeFor({ mandatoryViolations: 0 })).toBe(0);
        expect(exitCodeFor({ error: new Error("error: update failed"), mandatoryViolations: 0 })).toBe(1);
        expect(exitCodeFor({ error: "string thrown", mandatoryViolations: 0 })).toBe(1);
    });

    it("map a mandatory policy violation to 2, even though the operation failed", () => {
        expect(exitCodeFor({ error: new Error("error: preview failed"), mandatoryViolations: 1 })).toBe(2);
        expect(exitCodeFor({ mandatoryViolations: 2 })).toBe(2);
    });

    it("map drift to 3: changes seen, or the CLI's expect-no-changes failure (old and new wording)", () => {
        expect(exitCodeFor({ mandatoryViolations: 0, changesFound: true })).toBe(3);
        expect(exitCodeFor({ error: noChanges, mandatoryViolations: 0, changesFound: true })).toBe(3);
        expect(exitCodeFor({ error: new Error("no changes were expected for preview but changes were proposed"), mandatoryViolations: 0, changesFound: false })).toBe(3);
        expect(exitCodeFor({ mandatoryViolations: 0, changesFound: false })).toBe(0);
    });

    it("do not call a crashed drift run drift", () => {
        expect(exitCodeFor({ error: new Error("error: hcloud: unauthorized"), mandatoryViolations: 0, changesFound: true })).toBe(1);
    });

    it("map a locked stack to 4, before anything else", () => {
        const messages = [
            "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.",
            "error: [409] Conflict: Another update is currently in progress.",
        ];
        for (const message of messages) {
            expect(isStackLocked(new Error(message))).toBe(true);
            expect(exitCodeFor({ error: new Error(message), mandatoryViolations: 3, changesFound: true })).toBe(4);
        }
        const named = new Error("code: 255");
        named.name = "ConcurrentUpdateError";
        expect(exitCodeFor({ error: named, mandatoryViolations: 0 })).toBe(4);
        expect(exitCodeFor({ error: new StackLockedError("locked"), mandatoryViolations: 0 })).toBe(4);
        expect(isStackLocked(new Error("error: the stack was not found"))).toBe(false);
    });

    it("translate the Automation API's ConcurrentUpdateError into StackLockedError (exit 4)", () => {
        // The constructor is internal; it takes the CLI's CommandResult, of which only toString() is used.
        const Concurrent = ConcurrentUpdateError as unknown as new (result: { toString(): string }) => Error;
        const real = new Concurrent({ toString: () => "code: 255\n stdout: \n stderr: error: could not update\n" });
        expect(real).toBeInstanceOf(ConcurrentUpdateError);
        const translated = translateAutomationError(real);
        expect(translated).toBeInstanceOf(StackLockedError);
        expect((translated as StackLockedError).cause).toBe(real);
        expect(exitCodeFor({ error: translated, mandatoryViolations: 0 })).toBe(4);
        const other = new Error("boom");
        expect(translateAutomationError(other)).toBe(other);
    });

    it("recognise only the expect-no-changes failure as such", () => {
        expect(isNoChangesExpected(noChanges)).toBe(true);
        expect(isNoChangesExpected(new Error("error: preview failed"))).toBe(false);
    });

    it("have a status word each", () => {
        expect([0, 1, 2, 3, 4].map((code) => statusOf(code as 0 | 1 | 2 | 3 | 4))).toEqual(["succeeded", "failed", "policy-violation", "drift", "locked"]);
    });

    it("have one table row each, with distinct ranks", () => {
        expect(Object.keys(EXIT_CODES).map(Number).sort()).toEqual(Object.values(EXIT).sort());
        const ranks = Object.values(EXIT_CODES).map((row) => row.rank);
        expect(new Set(ranks).size).toBe(ranks.length);
    });

    it("over several stacks: the most severe code, in the documented order 1 > 2 > 4 > 3 > 0", () => {
        expect(overallExitCode([])).toBe(0);
        expect(overallExitCode([0, 0])).toBe(0);
        expect(overallExitCode([0, 3, 0])).toBe(3);
        expect(overallExitCode([3, 4])).toBe(4);
        expect(overallExitCode([4, 2, 3])).toBe(2);
        expect(overallExitCode([2, 1, 4, 3])).toBe(1);
        expect(overallExitCode([1, 2])).toBe(1);
    });
});
