import { describe, expect, it } from "vitest";
import { renderGuardCreate } from "../../../components/nodes/disruption-guard";
import { criticalPath, DependencyCycleError, formatCriticalPath, formatDuration, type DurationModel } from "../../../tools/offline/critical-path";
import { durationOf } from "../../../tools/offline/durations";
import type { PlannedResource } from "../../../tools/offline/plan-types";

const urn = (name: string) => `urn:pulumi:test::platform::test:index:Thing::${name}`;

/** A resource named `name` depending on `deps`; `parent` makes it a child; `custom: false` a component. */
function res(name: string, deps: string[] = [], extra: Partial<PlannedResource> = {}): PlannedResource {
    return {
        urn: urn(name),
        type: extra.custom === false ? "test:index:Component" : "test:index:Thing",
        name,
        custom: true,
        inputs: {},
        secretInputs: [],
        additionalSecretOutputs: [],
        dependencies: deps.map(urn),
        ...extra,
        parent: extra.parent !== undefined ? urn(extra.parent) : undefined,
    };
}

/** Durations by name (components take 0 regardless, as in the real model). */
const table =
    (seconds: Record<string, number>): DurationModel =>
    (r) => ({ seconds: r.custom ? (seconds[r.name] ?? 0) : 0, rule: "test" });

const names = (result: ReturnType<typeof criticalPath>) => result.steps.map((s) => s.name);

describe("criticalPath", () => {
    it("follows a chain end to end", () => {
        const result = criticalPath([res("a"), res("b", ["a"]), res("c", ["b"])], table({ a: 5, b: 7, c: 11 }));
        expect(result.totalSeconds).toBe(23);
        expect(names(result)).toEqual(["a", "b", "c"]);
        expect(result.steps.map((s) => s.startSeconds)).toEqual([0, 5, 12]);
        expect(result.serialSeconds).toBe(23);
    });

    it("breaks ties by registration order: of two equally long chains, the first registered is reported", () => {
        const plan = [res("top"), res("left", ["top"]), res("right", ["top"]), res("bottom", ["left", "right"])];
        const result = criticalPath(plan, table({ top: 1, left: 10, right: 10, bottom: 3 }));
        expect(result.totalSeconds).toBe(14);
        expect(names(result)).toEqual(["top", "left", "bottom"]);
        // Registered the other way round, the other side is reported: the order decides, not the names.
        const swapped = criticalPath([res("top"), res("right", ["top"]), res("left", ["top"]), res("bottom", ["left", "right"])], table({ top: 1, left: 10, right: 10, bottom: 3 }));
        expect(names(swapped)).toEqual(["top", "right", "bottom"]);
    });

    it("of two independent resources finishing at the same time, reports the first registered", () => {
        const result = criticalPath([res("first"), res("second")], table({ first: 7, second: 7 }));
        expect(result.totalSeconds).toBe(7);
        expect(names(result)).toEqual(["first"]);
    });

    it("takes the longer side of a diamond", () => {
        const plan = [res("top"), res("left", ["top"]), res("right", ["top"]), res("bottom", ["left", "right"])];
        const viaRight = criticalPath(plan, table({ top: 1, left: 2, right: 10, bottom: 3 }));
        expect(viaRight.totalSeconds).toBe(14);
        expect(names(viaRight)).toEqual(["top", "right", "bottom"]);
        const viaLeft = criticalPath(plan, table({ top: 1, left: 20, right: 10, bottom: 3 }));
        expect(viaLeft.totalSeconds).toBe(24);
        expect(names(viaLeft)).toEqual(["top", "left", "bottom"]);
    });

    it("runs independent branches in parallel: the total is the longest branch, not the sum", () => {
        const plan = [res("a1"), res("a2", ["a1"]), res("b1"), res("b2", ["b1"]), res("c")];
        const result = criticalPath(plan, table({ a1: 3, a2: 4, b1: 10, b2: 1, c: 9 }));
        expect(result.totalSeconds).toBe(11);
        expect(names(result)).toEqual(["b1", "b2"]);
        expect(result.serialSeconds).toBe(27);
    });

    it("finishes a component when its children do: depending on it waits for the slowest child", () => {
        const plan = [
            res("nodes", [], { custom: false }),
            res("fast", [], { parent: "nodes" }),
            res("slow", [], { parent: "nodes" }),
            res("cluster", ["nodes"]),
        ];
        const result = criticalPath(plan, table({ fast: 1, slow: 40, cluster: 5 }));
        expect(result.totalSeconds).toBe(45);
        expect(names(result)).toEqual(["slow", "cluster"]);
    });

    it("starts a component's children only after the component's own dependencies", () => {
        const plan = [res("subnet"), res("node", ["subnet"], { custom: false }), res("server", [], { parent: "node" })];
        const result = criticalPath(plan, table({ subnet: 2, server: 45 }));
        expect(result.totalSeconds).toBe(47);
        expect(result.steps.find((s) => s.name === "server")!.startSeconds).toBe(2);
    });

    it("nests components: the outer one waits for grandchildren", () => {
        const plan = [
            res("outer", [], { custom: false }),
            res("inner", [], { parent: "outer", custom: false }),
            res("leaf", [], { parent: "inner" }),
            res("after", ["outer"]),
        ];
        expect(criticalPath(plan, table({ leaf: 30, after: 1 })).totalSeconds).toBe(31);
    });

    it("waits for the provider a resource was created with", () => {
        const provider = res("k8s", ["kubeconfig"]);
        const plan = [res("kubeconfig"), provider, res("namespace", [], { provider: `${provider.urn}::k8s-provider-id` })];
        const result = criticalPath(plan, table({ kubeconfig: 10, k8s: 1, namespace: 2 }));
        expect(result.totalSeconds).toBe(13);
        expect(names(result)).toEqual(["kubeconfig", "k8s", "namespace"]);
    });

    it("does not turn a resource whose provider reference names itself into a cycle", () => {
        // The same as a dependency on itself (no precondition): finish(r) → start(r) would be a one-resource cycle.
        const plan = [res("kubeconfig"), res("k8s", ["kubeconfig"], { provider: `${urn("k8s")}::k8s-provider-id` })];
        const result = criticalPath(plan, table({ kubeconfig: 10, k8s: 1 }));
        expect(result.totalSeconds).toBe(11);
        expect(names(result)).toEqual(["kubeconfig", "k8s"]);
    });

    it("traces the path through the first-listed resource back to one listed after it", () => {
        // The plan's order is not the bring-up order: event 0 (start of the first resource) can have a predecessor.
        const result = criticalPath([res("b", ["a"]), res("a")], table({ a: 5, b: 7 }));
        expect(result.totalSeconds).toBe(12);
        expect(result.steps.map((s) => [s.name, s.startSeconds, s.finishSeconds])).toEqual([
            ["a", 0, 5],
            ["b", 5, 12],
        ]);
    });

    it("does not turn a dependency on one's own ancestor into a cycle", () => {
        const plan = [res("component", [], { custom: false }), res("child", ["component"], { parent: "component" })];
        expect(criticalPath(plan, table({ child: 3 })).totalSeconds).toBe(3);
    });

    it("reports no step for a finish reached through a component, only the custom resources that run", () => {
        // P's finish waits for its component child C, whose custom child D runs 100 s: the path is D alone
        // (P ran its second before), not D then a 1 s step of P starting at 100.
        const nested = criticalPath([res("P"), res("C", [], { custom: false, parent: "P" }), res("D", [], { parent: "C" })], table({ P: 1, D: 100 }));
        expect(nested.totalSeconds).toBe(100);
        expect(nested.steps.map((s) => [s.name, s.startSeconds, s.finishSeconds])).toEqual([["D", 0, 100]]);
        // A readiness wait on a component: A finishes 3 s after K is ready (K's custom child B, 7 s), not after its own
        // 5 s run, so A's run is no step of the path (it would wrongly start at 7).
        const waits = criticalPath([res("A"), res("K", [], { custom: false }), res("B", [], { parent: "K" })], table({ A: 5, B: 7 }), [
            { consumer: urn("A"), provider: urn("K"), need: "test", seconds: 3 },
        ]);
        expect(waits.totalSeconds).toBe(10);
        expect(waits.steps.map((s) => [s.name, s.startSeconds, s.finishSeconds])).toEqual([["B", 0, 7]]);
    });

    it("rejects a resource that is its own parent, naming it (a one-resource cycle)", () => {
        let caught: unknown;
        try {
            criticalPath([res("A"), res("S", [], { parent: "S" })], table({ A: 1, S: 1 }));
        } catch (e) {
            caught = e;
        }
        expect(caught).toBeInstanceOf(DependencyCycleError);
        expect((caught as DependencyCycleError).cycle).toEqual([urn("S"), urn("S")]);
        expect((caught as Error).message).toBe("dependency cycle, the bring-up cannot be ordered: S (test:index:Thing) → S (test:index:Thing)");
    });

    it("ignores dependencies outside the plan (e.g. the stack)", () => {
        const plan = [res("a", ["not-in-plan"])];
        expect(criticalPath(plan, table({ a: 4 })).totalSeconds).toBe(4);
    });

    it("rejects a cycle and names the resources on it", () => {
        const plan = [res("start"), res("a", ["start", "c"]), res("b", ["a"]), res("c", ["b"]), res("d", ["c"])];
        let caught: unknown;
        try {
            criticalPath(plan, table({}));
        } catch (error) {
            caught = error;
        }
        expect(caught).toBeInstanceOf(DependencyCycleError);
        const cycle = (caught as DependencyCycleError).cycle;
        expect(cycle[0]).toBe(cycle[cycle.length - 1]);
        expect(new Set(cycle)).toEqual(new Set([urn("a"), urn("b"), urn("c")]));
        expect((caught as Error).message).toMatch(/dependency cycle.*a \(test:index:Thing\).*→/);
    });

    it("rejects a cycle closed through a component's children", () => {
        // `late` depends on the component, and the component's child depends on `late`.
        const plan = [res("group", [], { custom: false }), res("member", ["late"], { parent: "group" }), res("late", ["group"])];
        expect(() => criticalPath(plan, table({}))).toThrow(DependencyCycleError);
    });

    it("handles an empty plan", () => {
        expect(criticalPath([], table({}))).toEqual({ totalSeconds: 0, steps: [], serialSeconds: 0, resourceCount: 0, tenants: { count: 0 } });
    });

    it("names the cycle error and gives the exact cycle of a two-resource loop", () => {
        let caught: unknown;
        try {
            criticalPath([res("x", ["y"]), res("y", ["x"])], table({}));
        } catch (error) {
            caught = error;
        }
        expect((caught as Error).name).toBe("DependencyCycleError");
        expect((caught as DependencyCycleError).cycle).toEqual([urn("x"), urn("y"), urn("x")]);
        expect((caught as Error).message).toBe("dependency cycle, the bring-up cannot be ordered: x (test:index:Thing) → y (test:index:Thing) → x (test:index:Thing)");
    });

    it("finds the cycle when the plan's first resource only waits behind it (the search restarts past a dead end)", () => {
        let caught: unknown;
        try {
            criticalPath([res("after", ["x"]), res("other"), res("x", ["y"]), res("y", ["x"])], table({}));
        } catch (error) {
            caught = error;
        }
        expect((caught as DependencyCycleError).cycle).toEqual([urn("x"), urn("y"), urn("x")]);
    });

    it("leaves a dead end without following the edges listed after it (the next resource's)", () => {
        // `a` waits behind the cycle b ↔ c and nothing waits for `a`: the search from `a` ends at its finish, whose
        // edge list is empty; the next edges in the flat list are b's, which must not be taken for a's.
        let caught: unknown;
        try {
            criticalPath([res("a", ["b"]), res("b", ["c"]), res("c", ["b"])], table({}));
        } catch (error) {
            caught = error;
        }
        expect((caught as DependencyCycleError).cycle).toEqual([urn("b"), urn("c"), urn("b")]);
    });

    it("starts the reported cycle at its first-registered resource, even when an earlier resource leads into it", () => {
        let caught: unknown;
        try {
            // a is ordered; y waits for a and for x, x for y: the search must not enter the cycle through a → y.
            criticalPath([res("a"), res("x", ["y"]), res("y", ["x", "a"])], table({}));
        } catch (error) {
            caught = error;
        }
        expect((caught as DependencyCycleError).cycle).toEqual([urn("x"), urn("y"), urn("x")]);
    });

    it("reports only the cycle the search closes, not the resources it walked through to reach it", () => {
        // `s` waits behind the cycle a ↔ b and leads into the cycle x ↔ y: the search starts at `s` (the first
        // resource left unordered) and closes x ↔ y; `s` is on no cycle and must not be named.
        const plan = [res("s", ["a"]), res("a", ["b"]), res("b", ["a"]), res("x", ["s", "y"]), res("y", ["x"])];
        const error = (() => {
            try {
                criticalPath(plan, table({}));
            } catch (e) {
                return e as DependencyCycleError;
            }
            throw new Error("no cycle reported");
        })();
        expect(error.cycle).toEqual([urn("x"), urn("y"), urn("x")]);
    });

    it("names a component once when the cycle is entered through its finish and closed at its start", () => {
        // w waits for the child x; the component p waits for w's readiness and for q, and q for p. The search
        // starts at w, reaches p's finish through the readiness wait, then q, then p's start, whose own edge to
        // p's finish closes the cycle: p is both its first and last resource and is named once.
        const plan = [res("w", ["x"]), res("p", ["q"], { custom: false }), res("x", [], { parent: "p" }), res("q", ["p"])];
        const readiness = [{ consumer: urn("p"), provider: urn("w"), need: "storage-class:standard", seconds: 0 }];
        const error = (() => {
            try {
                criticalPath(plan, table({}), readiness);
            } catch (e) {
                return e as DependencyCycleError;
            }
            throw new Error("no cycle reported");
        })();
        expect(error.cycle).toEqual([urn("p"), urn("q"), urn("p")]);
        expect(error.message).toBe("dependency cycle, the bring-up cannot be ordered: p (test:index:Component) → q (test:index:Thing) → p (test:index:Component)");
    });

    it("leaves resources without a URN (never registered) out of the graph", () => {
        const result = criticalPath([res("a"), { ...res("ghost"), urn: "" }, res("b", ["a"])], table({ a: 1, ghost: 500, b: 2 }));
        expect(result.resourceCount).toBe(2);
        expect(result.totalSeconds).toBe(3);
        expect(result.serialSeconds).toBe(3);
    });

    it("traces a chain through zero-length steps to its start", () => {
        const result = criticalPath([res("a"), res("b", ["a"]), res("c", ["b"])], table({ a: 0, b: 0, c: 1 }));
        expect(result.totalSeconds).toBe(1);
        expect(names(result)).toEqual(["a", "b", "c"]);
    });

    it("treats a parent outside the plan (the stack) as no parent, and a dependency on itself as none", () => {
        const plan = [res("first"), { ...res("child"), parent: "urn:pulumi:test::platform::pulumi:pulumi:Stack::platform-test" }, res("self", ["self"])];
        const result = criticalPath(plan, table({ first: 3, child: 5, self: 2 }));
        expect(result.totalSeconds).toBe(5);
        expect(names(result)).toEqual(["child"]);
        expect(result.steps[0]!.startSeconds).toBe(0);
    });

    it("finishes a consumer no earlier than the provider its readiness waits for, and reports that wait", () => {
        // The consumer starts at once (no dependsOn) but, say, its claims bind only once the provider runs.
        const plan = [res("nodes"), res("provider", ["nodes"]), res("consumer", ["nodes"]), res("after", ["consumer"])];
        const readiness = [{ consumer: urn("consumer"), provider: urn("provider"), need: "storage-class:standard", seconds: 0 }];
        const result = criticalPath(plan, table({ nodes: 10, provider: 180, consumer: 120, after: 2 }), readiness);
        // provider 10→190; the consumer's own figure would end at 130, its readiness at 190; then `after`.
        expect(result.totalSeconds).toBe(192);
        expect(names(result)).toEqual(["nodes", "provider", "consumer", "after"]);
        const consumer = result.steps.find((s) => s.name === "consumer")!;
        expect(consumer).toMatchObject({ startSeconds: 10, durationSeconds: 120, finishSeconds: 190, readyWith: "provider" });
        expect(formatCriticalPath(result)).toContain("consumer (test:index:Thing) [test], ready with provider at 3 min 10 s");
        // Without the wait the consumer's own figure decides.
        expect(criticalPath(plan, table({ nodes: 10, provider: 180, consumer: 120, after: 2 }), []).totalSeconds).toBe(190);
        // A consumer slower than its provider keeps its own figure.
        const slow = criticalPath(plan, table({ nodes: 10, provider: 20, consumer: 120, after: 2 }), readiness);
        expect(slow.totalSeconds).toBe(132);
        expect(slow.steps.find((s) => s.name === "consumer")!.readyWith).toBeUndefined();
    });

    it("adds what a consumer still does once its provider is ready (the wait's seconds), and prints it", () => {
        const plan = [res("nodes"), res("provider", ["nodes"]), res("consumer", ["nodes"]), res("after", ["consumer"])];
        const readiness = [{ consumer: urn("consumer"), provider: urn("provider"), need: "storage-class:standard", seconds: 35 }];
        const result = criticalPath(plan, table({ nodes: 10, provider: 180, consumer: 120, after: 2 }), readiness);
        // provider 10→190, the consumer 35 s later at 225, then `after`.
        expect(result.totalSeconds).toBe(227);
        expect(result.steps.find((s) => s.name === "consumer")).toMatchObject({ finishSeconds: 225, readyWith: "provider", readyAfterSeconds: 35 });
        expect(formatCriticalPath(result)).toContain("consumer (test:index:Thing) [test], ready 35 s after provider at 3 min 45 s");
        // A consumer whose own figure ends later still keeps it: the wait only bounds it from below.
        expect(criticalPath(plan, table({ nodes: 10, provider: 20, consumer: 120, after: 2 }), readiness).totalSeconds).toBe(132);
    });

    it("waits for a provider registered before everything else (the wait leaves the provider's finish, wherever it is registered)", () => {
        // provider 0→50, consumer (first of all in the plan after it) 0→20 on its own, ready 4 s after the provider.
        const plan = [res("provider"), res("other"), res("consumer"), res("after", ["consumer"])];
        const readiness = [{ consumer: urn("consumer"), provider: urn("provider"), need: "storage-class:standard", seconds: 4 }];
        const result = criticalPath(plan, table({ provider: 50, other: 7, consumer: 20, after: 1 }), readiness);
        expect(result.totalSeconds).toBe(55);
        expect(result.steps).toEqual([
            { urn: urn("provider"), type: "test:index:Thing", name: "provider", startSeconds: 0, durationSeconds: 50, finishSeconds: 50, rule: "test" },
            { urn: urn("consumer"), type: "test:index:Thing", name: "consumer", startSeconds: 0, durationSeconds: 20, finishSeconds: 54, rule: "test", readyWith: "provider", readyAfterSeconds: 4 },
            { urn: urn("after"), type: "test:index:Thing", name: "after", startSeconds: 54, durationSeconds: 1, finishSeconds: 55, rule: "test" },
        ]);
        // The same with the provider registered third and the consumer fourth: a consumer that starts late.
        const later = [res("first"), res("second"), res("provider"), res("consumer", ["second"]), res("after", ["consumer"])];
        const moved = criticalPath(later, table({ first: 3, second: 6, provider: 50, consumer: 20, after: 1 }), readiness);
        expect(moved.totalSeconds).toBe(55);
        expect(moved.steps.map((s) => [s.name, s.startSeconds, s.finishSeconds])).toEqual([["provider", 0, 50], ["consumer", 6, 54], ["after", 54, 55]]);
    });

    it("ignores a readiness wait whose provider or consumer is not in the plan, or that waits for itself", () => {
        const plan = [res("a"), res("b", ["a"])];
        const waits = [
            { consumer: urn("b"), provider: urn("gone"), need: "storage-class:standard", seconds: 30 },
            { consumer: urn("gone"), provider: urn("a"), need: "storage-class:standard", seconds: 30 },
            { consumer: urn("b"), provider: urn("b"), need: "storage-class:standard", seconds: 30 },
        ];
        for (const wait of waits) {
            const result = criticalPath(plan, table({ a: 5, b: 7 }), [wait]);
            expect(result.totalSeconds).toBe(12);
            expect(names(result)).toEqual(["a", "b"]);
            expect(result.steps.every((s) => s.readyWith === undefined)).toBe(true);
        }
    });

    it("renders every line of the estimate", () => {
        const text = formatCriticalPath(criticalPath([res("a"), res("b", ["a"])], table({ a: 60, b: 65 })));
        expect(text.split("\n")).toEqual([
            "Bring-up estimate (an ESTIMATE from a duration model, not a measurement): ~2 min 05 s for a first `pulumi up`",
            "  critical path of 2 resource(s) out of 2; a fully serial run would take ~2 min 05 s.",
            "  Durations per resource type: tools/offline/durations.ts; parallelism assumed unbounded.",
            "           0 s +  60 s  a (test:index:Thing) [test]",
            "    1 min 00 s +  65 s  b (test:index:Thing) [test]",
        ]);
    });

    it("names the first-registered project among those ready at the same time, for the earliest and the latest", () => {
        const project = (name: string) => ({ ...res(name, [], { custom: false }), type: "platform:project:Project" });
        const plan = ["a", "b", "c", "e"].flatMap((name) => [project(name), res(`${name}-ns`, [], { parent: name })]);
        const result = criticalPath(plan, table({ "a-ns": 30, "b-ns": 5, "c-ns": 30, "e-ns": 5 }));
        expect(result.tenants).toEqual({ count: 4, earliest: { name: "b", seconds: 5 }, latest: { name: "a", seconds: 30 } });
    });

    it("says when the tenant projects are ready: a Project finishes with its last child", () => {
        const project = (name: string) => ({ ...res(name, ["addon"], { custom: false }), type: "platform:project:Project" });
        const plan = [res("addon"), project("fast"), res("fast-ns", [], { parent: "fast" }), project("slow"), res("slow-ns", [], { parent: "slow" }), res("late", ["slow-ns"])];
        const result = criticalPath(plan, table({ addon: 10, "fast-ns": 2, "slow-ns": 30, late: 100 }));
        expect(result.tenants).toEqual({ count: 2, earliest: { name: "fast", seconds: 12 }, latest: { name: "slow", seconds: 40 } });
        expect(result.totalSeconds).toBe(140);
        expect(formatCriticalPath(result)).toContain("  tenant projects ready after ~12 s (first, fast) to ~40 s (last, slow) of 2.");
        const single = criticalPath(plan.slice(0, 3), table({ addon: 10, "fast-ns": 2 }));
        expect(formatCriticalPath(single)).toContain("  tenant project ready after ~12 s (fast).");
    });

    it("labels the output as an estimate", () => {
        const text = formatCriticalPath(criticalPath([res("a"), res("b", ["a"])], table({ a: 60, b: 65 })));
        expect(text).toMatch(/ESTIMATE.*not a measurement/);
        expect(text).toContain("~2 min 05 s");
        expect(text).toContain("b (test:index:Thing)");
    });
});

describe("duration model", () => {
    const typed = (type: string, inputs: Record<string, unknown> = {}, name = "x"): PlannedResource => ({ ...res(name), type, inputs });

    it("uses the documented figures per resource kind", () => {
        expect(durationOf(typed("hcloud:index/server:Server"))).toEqual({ seconds: 45, rule: "hcloud-server" });
        expect(durationOf(typed("command:remote:Command", { create: "..." }, "fsn1-server-0-k3s-start")).seconds).toBe(90);
        expect(durationOf(typed("pulumi-nodejs:dynamic:Resource", { serverNumber: 1, autosetup: "DRIVE1 /dev/nvme0n1" })).seconds).toBe(900);
        expect(durationOf(typed("pulumi-nodejs:dynamic:Resource", { vlan: 4000 })).seconds).toBe(5);
        expect(durationOf(typed("tailscale:index/tailnetKey:TailnetKey")).seconds).toBe(1);
        expect(durationOf(typed("kubernetes:core/v1:Namespace")).seconds).toBe(2);
        expect(durationOf(typed("something:else:Entirely"))).toEqual({ seconds: 2, rule: "default" });
        expect(durationOf({ ...res("c", [], { custom: false }) }).seconds).toBe(0);
    });

    it("times a disruption guard's create (one printf in a local shell) as a local computation, the digest read-back as one API call, other local commands as an SSH-sized call", () => {
        // 0.1 s, 2 s and 10 s written out here: the frozen figures of rule:local, rule:local-api-read and rule:remote-command.
        expect(durationOf(typed("command:local:Command", { create: renderGuardCreate() }, "fsn1-server-0-disruption-guard"))).toEqual({ seconds: 0.1, rule: "local" });
        expect(durationOf(typed("command:local:Command", { create: 'node "/repo/components/builds/build-digest.js"' }, "app-image-digest"))).toEqual({ seconds: 2, rule: "local-api-read" });
        expect(durationOf(typed("command:local:Command", { create: "curl -sf https://api.tailscale.com/api/v2/device/x" }, "node-tailnet-device"))).toEqual({ seconds: 10, rule: "remote-command" });
    });

    it("times Helm releases by chart (workload charts within 60-180 s)", () => {
        expect(durationOf(typed("kubernetes:helm.sh/v3:Release", { chart: "longhorn" }))).toEqual({ seconds: 180, rule: "helm:longhorn" });
        expect(durationOf(typed("kubernetes:helm.sh/v3:Release", { chart: "oci://ghcr.io/traefik/helm/traefik" })).seconds).toBe(60);
        // A CRD-only chart has no workloads to wait for.
        expect(durationOf(typed("kubernetes:helm.sh/v3:Release", { chart: "prometheus-operator-crds" })).seconds).toBeLessThan(60);
        const unknown = durationOf(typed("kubernetes:helm.sh/v3:Release", { chart: "something-new" })).seconds;
        expect(unknown).toBeGreaterThanOrEqual(60);
        expect(unknown).toBeLessThanOrEqual(180);
    });

    it("formats durations", () => {
        expect(formatDuration(5)).toBe("5 s");
        expect(formatDuration(905)).toBe("15 min 05 s");
        expect(formatDuration(3725)).toBe("1 h 02 min");
    });
});
