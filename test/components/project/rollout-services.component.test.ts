import { beforeAll, describe, expect, it } from "vitest";
import type { StackPlan } from "../../../tools/offline/plan-types";
import { planWholeProject, project, stackPlatformConfig } from "./fixtures";

/**
 * A blue/green service's Services under the mock engine (review 22b, minor 6): Argo Rollouts v1.9.0 patches
 * `spec.selector["rollouts-pod-template-hash"]` into the active and preview Services, and the selector is an atomic
 * map, so Pulumi must not re-apply it after creation; every other Service keeps its selector managed.
 */

const config = stackPlatformConfig("dev");
const spec = project({
    name: "shop",
    services: [
        { name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, replicas: 2, expose: { public: true }, strategy: "blueGreen" },
        { name: "api", image: "ghcr.io/example/api:2.0.0", port: 8080 },
    ],
});

let plan: StackPlan;

beforeAll(async () => {
    plan = await planWholeProject("shop", spec, config);
}, 240_000);

describe("Services of a blue/green service", () => {
    const services = () => plan.resources.filter((r) => r.type === "kubernetes:core/v1:Service").map((r) => ({ name: (r.inputs.metadata as { name: string }).name, ignoreChanges: r.ignoreChanges }));

    it("leave the selector to Argo Rollouts after creation, on the active and the preview Service only", () => {
        expect(services().sort((a, b) => a.name.localeCompare(b.name))).toEqual([
            { name: "api", ignoreChanges: undefined },
            { name: "web", ignoreChanges: ["spec.selector"] },
            { name: "web-preview", ignoreChanges: ["spec.selector"] },
        ]);
        // Created with the service's own labels: the controller only adds its hash.
        const web = plan.resources.find((r) => r.type === "kubernetes:core/v1:Service" && (r.inputs.metadata as { name: string }).name === "web")!;
        expect((web.inputs.spec as { selector: Record<string, string> }).selector).toEqual({ "platform/project": "shop", "platform/service": "web" });
    });
});
