import { describe, expect, it } from "vitest";
import type { DurationModel } from "../../../tools/offline/critical-path";
import type { PlannedResource } from "../../../tools/offline/plan-types";
import { carveGrantsStages, formatRegionBringUp, GRANTS_COMPONENT_TYPE, programRuntimeOf, regionBringUp, stagesOfRegion } from "../../../tools/offline/region-bring-up";

const urn = (stack: string, name: string) => `urn:pulumi:${stack}::platform::test:index:Thing::${name}`;

/** A resource of `stack`; `parent` names another resource of the same stack. */
function res(stack: string, name: string, extra: { deps?: string[]; parent?: string; type?: string } = {}): PlannedResource {
    const component = extra.type !== undefined && extra.type !== "test:index:Thing";
    return {
        urn: urn(stack, name),
        type: extra.type ?? "test:index:Thing",
        name,
        custom: !component,
        inputs: {},
        secretInputs: [],
        additionalSecretOutputs: [],
        dependencies: (extra.deps ?? []).map((d) => urn(stack, d)),
        parent: extra.parent !== undefined ? urn(stack, extra.parent) : undefined,
    };
}

/** Durations by name (components take 0). */
const table =
    (seconds: Record<string, number>): DurationModel =>
    (r) => ({ seconds: r.custom ? (seconds[r.name] ?? 0) : 0, rule: "test" });

/** The frozen `wait:stack-boundary` figure, written out (test/fixtures/duration-model.frozen.json). */
const BOUNDARY = 30;
/** The frozen `wait:stack-boundary-javascript` figure, written out. */
const JS_BOUNDARY = 10;

/** Today's platform plan: a cluster chain, and one ProjectGrants subtree per project with a namespace and a build. */
function platformPlan(ids: readonly string[]): PlannedResource[] {
    const plan = [res("dev", "cluster"), res("dev", "registry", { deps: ["cluster"] })];
    for (const id of ids) {
        plan.push(
            res("dev", id, { type: GRANTS_COMPONENT_TYPE, deps: ["cluster"] }),
            res("dev", `${id}-namespace`, { parent: id }),
            res("dev", `${id}-build`, { parent: id, deps: [`${id}-namespace`, "registry"] }),
        );
    }
    return plan;
}

describe("region bring-up", () => {
    it("carves each ProjectGrants subtree out of the platform plan as that project's grants stage", () => {
        const carved = carveGrantsStages(platformPlan(["shop", "blog"]));
        expect(carved.platform.map((r) => r.name)).toEqual(["cluster", "registry"]);
        expect([...carved.grants.keys()]).toEqual(["shop", "blog"]);
        expect(carved.grants.get("shop")!.map((r) => r.name)).toEqual(["shop", "shop-namespace", "shop-build"]);
    });

    it("starts the grants stacks once the whole platform stack is done and each app stack after its grants stack", () => {
        const stages = stagesOfRegion("dev", platformPlan(["shop"]), [{ id: "shop", app: [res("dev--shop", "web")] }]);
        expect(stages.tenants[0]!.grants.stack).toBe("dev--shop--grants");
        const result = regionBringUp(stages, 4, table({ cluster: 100, registry: 50, "shop-namespace": 2, "shop-build": 40, web: 30 }));
        // Platform 0→150 (cluster, registry); grants 150+30 → 222 (namespace 2 s, build 40 s: the registry is the
        // platform stack's, done before); app 222+30 → 282.
        expect(result.platform.finishSeconds).toBe(150);
        expect(result.pipelines[0]!.grants).toMatchObject({ startSeconds: 180, finishSeconds: 222 });
        expect(result.pipelines[0]!.app).toMatchObject({ startSeconds: 252, finishSeconds: 282 });
        expect(result.totalSeconds).toBe(282);
        expect(result.boundarySeconds).toBe(BOUNDARY);
    });

    it("starts each tenant stack after the boundary of its own program: a JavaScript program's or a TypeScript program's", () => {
        const stages = stagesOfRegion("dev", platformPlan(["shop"]), [{ id: "shop", app: [res("dev--shop", "web")] }], { grants: "javascript", app: "typescript" });
        const result = regionBringUp(stages, 4, table({ cluster: 100, registry: 50, "shop-namespace": 2, "shop-build": 40, web: 30 }));
        // Platform 150; grants 150+10 → 202; app 202+30 → 262.
        expect(result.pipelines[0]!.grants).toMatchObject({ startSeconds: 160, finishSeconds: 202, boundarySeconds: JS_BOUNDARY });
        expect(result.pipelines[0]!.app).toMatchObject({ startSeconds: 232, finishSeconds: 262, boundarySeconds: BOUNDARY });
        expect(formatRegionBringUp("dev", result)).toContain("a grants stack, then the app stack, the grants stack 10 s (a program run as JavaScript) and the app stack 30 s after the stack each waits for.");
    });

    it("reads a program's runtime from its project file: JavaScript only for typescript false and a .js main", () => {
        expect(programRuntimeOf({ main: "main.js", runtime: { name: "nodejs", options: { typescript: false } } })).toBe("javascript");
        expect(programRuntimeOf({ main: "main.js", runtime: { name: "nodejs", options: { typescript: true } } })).toBe("typescript");
        expect(programRuntimeOf({ main: "index.ts", runtime: { name: "nodejs", options: { typescript: false } } })).toBe("typescript");
        expect(programRuntimeOf({ main: "main.js", runtime: "nodejs" })).toBe("typescript");
        expect(programRuntimeOf(undefined)).toBe("typescript");
    });

    it("runs at most `parallel` pipelines at once, each next one in the first slot that frees up, in catalog order", () => {
        const ids = ["a", "b", "c", "d", "e"];
        const seconds: Record<string, number> = { cluster: 100 };
        const builds = { a: 100, b: 10, c: 10, d: 10, e: 10 } as Record<string, number>;
        for (const id of ids) {
            seconds[`${id}-build`] = builds[id]!;
            seconds[`${id}-web`] = 20;
        }
        const stages = stagesOfRegion("dev", platformPlan(ids), ids.map((id) => ({ id, app: [res(`dev--${id}`, `${id}-web`)] })));
        const result = regionBringUp(stages, 2, table(seconds));
        // Pipeline = 30 + build + 30 + 20. Slot 1: a 100→280. Slot 2: b 100→190, c 190→280, then d takes slot 1
        // (free at 280, the lower one of the tie), e slot 2: both 280→370.
        expect(result.pipelines.map((p) => [p.id, p.slot, p.grants.startSeconds - BOUNDARY, p.app.finishSeconds])).toEqual([
            ["a", 0, 100, 280],
            ["b", 1, 100, 190],
            ["c", 1, 190, 280],
            ["d", 0, 280, 370],
            ["e", 1, 280, 370],
        ]);
        expect(result.slowest!.id).toBe("d");
        expect(result.totalSeconds).toBe(370);
        // Unbounded enough: every pipeline starts with the platform's end; the slowest is a's 100 s build.
        const wide = regionBringUp(stages, 5, table(seconds));
        expect(wide.totalSeconds).toBe(100 + BOUNDARY + 100 + BOUNDARY + 20);
        expect(wide.slowest!.id).toBe("a");
    });

    it("uses a grants stack's own plan once it has one, instead of the subtree of the platform plan", () => {
        const own = [res("dev--shop--grants", "shop-namespace"), res("dev--shop--grants", "shop-build", { deps: ["shop-namespace"] })];
        const stages = stagesOfRegion("dev", [res("dev", "cluster")], [{ id: "shop", app: [], grants: own }]);
        expect(stages.tenants[0]!.grants.resources).toBe(own);
        const result = regionBringUp(stages, 4, table({ cluster: 10, "shop-namespace": 2, "shop-build": 40 }));
        expect(result.totalSeconds).toBe(10 + BOUNDARY + 42 + BOUNDARY);
    });

    it("is the platform's figure for a region without tenants, and refuses a parallelism below one", () => {
        const stages = stagesOfRegion("dev", [res("dev", "cluster")], []);
        expect(regionBringUp(stages, 4, table({ cluster: 10 })).totalSeconds).toBe(10);
        expect(() => regionBringUp(stages, 0, table({}))).toThrow(/at least 1/);
    });

    it("prints the platform's path and then the slowest pipeline's, on the region's clock", () => {
        const stages = stagesOfRegion("dev", platformPlan(["shop"]), [{ id: "shop", app: [res("dev--shop", "web")] }]);
        const text = formatRegionBringUp("dev", regionBringUp(stages, 4, table({ cluster: 100, registry: 50, "shop-namespace": 2, "shop-build": 40, web: 30 })));
        expect(text.split("\n")).toEqual([
            "Region bring-up estimate (an ESTIMATE from a duration model, not a measurement): ~4 min 42 s for the first `up` of region dev as the driver runs it",
            "  platform stack dev: ~2 min 30 s (the projects' grants counted as their own stacks), then 1 tenant pipeline(s), 4 at a time: a grants stack, then the app stack, each 30 s after the stack it waits for.",
            "           0 s + 100 s  cluster (test:index:Thing) [test]",
            "    1 min 40 s +  50 s  registry (test:index:Thing) [test]",
            "  slowest tenant pipeline: shop (slot 1 of 4)",
            "    3 min 00 s        stack dev--shop--grants starts (3 resource(s), ~42 s)",
            "    3 min 00 s +   2 s  shop-namespace (test:index:Thing) [test]",
            "    3 min 02 s +  40 s  shop-build (test:index:Thing) [test]",
            "    4 min 12 s        stack dev--shop starts (1 resource(s), ~30 s)",
            "    4 min 12 s +  30 s  web (test:index:Thing) [test]",
            "    4 min 42 s        region done",
        ]);
    });
});
