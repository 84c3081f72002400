import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readPlan, readRegionPlanIn, STACKS, type WrittenResource } from "../helpers/plans";
import { runPlan } from "../helpers/synth";

/**
 * The offline engine's shortcuts (tools/offline/mock-engine.ts, defer-typescript.ts) must change how fast a plan
 * is made, never what it contains: every shipped stack planned with the shortcuts (the global setup's
 * out/<stack>/plan.json) equals the same stack planned with PLATFORM_OFFLINE_SHORTCUTS=0 (the SDK's own code
 * paths only), resource by resource. test/tools/offline/sdk-symbols.test.ts proves the switch turns each one off. Registration order is not compared: it follows promise timing, which
 * the shortcuts change, and the engine orders by dependencies, not by registration.
 */

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-shortcuts-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/**
 * A written resource with its dependencies and secret input names as sorted sets (the engine's view of them:
 * the SDK's protobuf round trip, which the shortcuts skip, sorts property keys, so the order of secret input
 * names follows it; inputs are compared as objects, where key order does not count).
 */
function comparable(resource: WrittenResource): WrittenResource {
    return { ...resource, dependencies: [...resource.dependencies].sort(), secretInputs: [...resource.secretInputs].sort() };
}

function byUrn(resources: readonly WrittenResource[]): Map<string, WrittenResource> {
    const map = new Map<string, WrittenResource>();
    for (const resource of resources) {
        expect(map.has(resource.urn), `duplicate URN ${resource.urn}`).toBe(false);
        map.set(resource.urn, comparable(resource));
    }
    return map;
}

describe("offline engine shortcuts change nothing in the plan", () => {
    it.each(STACKS)("stack %s planned with and without the shortcuts: same URNs, inputs, dependencies, secrets and outputs", async (stack) => {
        // The region as stacks: the platform and every tenant stack, each planned without the shortcuts.
        const run = await runPlan(stack, { outDir: path.join(scratch, stack), env: { PLATFORM_OFFLINE_SHORTCUTS: "0" }, tenants: true });
        // 0 as with the shortcuts (the shipped stacks break no mandatory policy): exit 2 would be such a violation.
        expect(run.code, run.stderr).toBe(0);
        const withShortcuts = readPlan(stack);
        const without = readRegionPlanIn(run.outDir);
        const fast = byUrn(withShortcuts.resources);
        const slow = byUrn(without.resources);
        expect([...fast.keys()].sort()).toEqual([...slow.keys()].sort());
        expect(fast.size).toBeGreaterThan(100);
        for (const [urn, resource] of fast) {
            // One resource at a time: a difference names the resource it is in.
            expect(slow.get(urn), urn).toEqual(resource);
        }
        expect(without.outputs).toEqual(withShortcuts.outputs);
    }, 300_000); // a plan without the shortcuts on a busy 2-core machine
});
