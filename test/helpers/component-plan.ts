import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { synthesize } from "../../tools/offline/mock-engine";
import type { PlannedResource, StackPlan } from "../../tools/offline/plan-types";

/**
 * Component tests run the component under the Pulumi mock engine through the offline plan's
 * harness (`synthesize`): it installs `setMocks` (preview=false) before the component module is imported
 * dynamically inside `build`, awaits every output, and records each registration with its dependencies,
 * secret inputs and `additionalSecretOutputs`, which the assertions need.
 */
export async function planComponent(
    build: (provider: pulumi.ProviderResource) => Promise<Record<string, unknown>>,
    config: Record<string, string> = {},
    stack = "test",
): Promise<StackPlan> {
    return synthesize({
        stack,
        config,
        secretKeys: Object.keys(config),
        loadProgram: async () => {
            const k8s = await import("@pulumi/kubernetes");
            const provider = new k8s.Provider("k8s", { kubeconfig: "mock", clusterIdentifier: stack });
            return build(provider);
        },
    });
}

/** The one resource of a plan with this logical name. */
export function named(plan: StackPlan, name: string): PlannedResource {
    const found = plan.resources.filter((r) => r.name === name);
    if (found.length !== 1) {
        throw new Error(`expected one resource named ${name}, found ${found.length}: ${plan.resources.map((r) => r.name).join(", ")}`);
    }
    return found[0]!;
}

/** Logical names of the resources a resource depends on (explicit dependsOn and input dependencies). */
export function dependencyNames(plan: StackPlan, resource: PlannedResource): string[] {
    return resource.dependencies.map((urn) => plan.resources.find((r) => r.urn === urn)?.name ?? path.basename(urn));
}

/** Resources of one type. */
export function ofType(plan: StackPlan, type: string): PlannedResource[] {
    return plan.resources.filter((r) => r.type === type);
}
