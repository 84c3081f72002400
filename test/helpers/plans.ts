import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./synth";
import { shippedStacks } from "../../tools/offline/stack-files";
import type { KubernetesObject } from "../../tools/offline/artifacts";

/** A resource as written to `out/<stack>/plan.json` (inputs redacted). */
export interface WrittenResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    dependencies: string[];
    additionalSecretOutputs: string[];
    secretInputs: string[];
    customTimeouts?: { create: string; update: string; delete: string };
    replaceOnChanges?: string[];
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
    inputs: Record<string, any>;
}

/** Every stack shipped in the repository. */
export const STACKS = shippedStacks(ROOT);

/** Output directory of a shipped region's platform plan (written by the global setup). */
export function planDir(stack: string): string {
    return path.join(ROOT, "out", stack);
}

/** Output directory of one tenant stack's plan of a region. */
export function tenantPlanDir(stack: string, id: string): string {
    return path.join(planDir(stack), "tenants", id);
}

/** Output directory of one tenant's grants stack plan of a region. */
export function grantsPlanDir(stack: string, id: string): string {
    return path.join(tenantPlanDir(stack, id), "grants");
}

/** Project ids of the tenant stacks planned for a region. */
export function plannedTenants(stack: string): string[] {
    const dir = path.join(planDir(stack), "tenants");
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/** Every plan directory of a region: the platform stack's, then each tenant's grants stack and app stack. */
export function regionPlanDirs(stack: string): string[] {
    return [planDir(stack), ...plannedTenants(stack).flatMap((id) => [grantsPlanDir(stack, id), tenantPlanDir(stack, id)])];
}

function readRequired(file: string): string {
    if (!fs.existsSync(file)) {
        throw new Error(`${file} is missing: the global test setup plans every shipped stack (unset PLATFORM_SYNTH=off)`);
    }
    return fs.readFileSync(file, "utf8");
}

/** A written plan of one stack. */
export type WrittenPlan = { resources: WrittenResource[]; outputs: Record<string, unknown> };

/** The written plan of a region's platform stack alone. */
export function readPlatformPlan(stack: string): WrittenPlan {
    return JSON.parse(readRequired(path.join(planDir(stack), "plan.json")));
}

/** The written plan of one tenant's grants stack of a region. */
export function readGrantsPlan(stack: string, id: string): WrittenPlan {
    return JSON.parse(readRequired(path.join(grantsPlanDir(stack, id), "plan.json")));
}

/** The written plan of one tenant stack of a region. */
export function readTenantPlan(stack: string, id: string): WrittenPlan {
    return JSON.parse(readRequired(path.join(tenantPlanDir(stack, id), "plan.json")));
}

/**
 * The region as one plan: the platform stack's resources followed by every tenant's grants and app stacks' (so
 * checks over "the stack's" resources keep covering the tenants), with the platform stack's outputs.
 */
export function readPlan(stack: string): WrittenPlan {
    readRequired(path.join(planDir(stack), "plan.json"));
    return readRegionPlanIn(planDir(stack));
}

/** {@link readPlan} of a region plan written to `outDir` (`npm run plan -- --out <dir>`). */
export function readRegionPlanIn(outDir: string): WrittenPlan {
    const platform = JSON.parse(fs.readFileSync(path.join(outDir, "plan.json"), "utf8")) as WrittenPlan;
    const tenantsDir = path.join(outDir, "tenants");
    const ids = fs.existsSync(tenantsDir) ? fs.readdirSync(tenantsDir).sort() : [];
    const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as WrittenPlan;
    const tenants = ids.flatMap((id) => [
        ...(fs.existsSync(path.join(tenantsDir, id, "grants", "plan.json")) ? [read(path.join(tenantsDir, id, "grants", "plan.json"))] : []),
        read(path.join(tenantsDir, id, "plan.json")),
    ]);
    return { resources: [...platform.resources, ...tenants.flatMap((t) => t.resources)], outputs: platform.outputs };
}

/** Resources of a type in a stack's plan. */
export function resourcesOfType(stack: string, type: string): WrittenResource[] {
    return readPlan(stack).resources.filter((r) => r.type === type);
}

/** Every Kubernetes object written for a stack (`manifests/{platform,projects}/<component>.json` lists). */
export function readManifests(stack: string): KubernetesObject[] {
    readRequired(path.join(planDir(stack), "plan.json"));
    return regionPlanDirs(stack).flatMap((planned) => {
        const dir = path.join(planned, "manifests");
        const files = fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".json")).sort() : [];
        return files.flatMap((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { kind: string; items: KubernetesObject[] }).items);
    });
}

/**
 * The Kubernetes objects of a stack's region with who writes them: `tenant` for a tenant app stack's (its
 * deployer), `platform` for the platform and grants stacks' (the cluster's admin credentials).
 */
export function readManifestsWithWriter(stack: string): Array<{ object: KubernetesObject; writer: "platform" | "tenant" }> {
    readRequired(path.join(planDir(stack), "plan.json"));
    const tenantDirs = new Set(plannedTenants(stack).map((id) => tenantPlanDir(stack, id)));
    return regionPlanDirs(stack).flatMap((planned) => {
        const dir = path.join(planned, "manifests");
        const files = fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".json")).sort() : [];
        const writer = tenantDirs.has(planned) ? ("tenant" as const) : ("platform" as const);
        return files.flatMap((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { kind: string; items: KubernetesObject[] }).items.map((object) => ({ object, writer })));
    });
}

/** Files of an artefact kind (`user-data`, `scripts`, `rules`) written for a stack. */
export function artifactFiles(stack: string, kind: "user-data" | "scripts" | "rules"): string[] {
    const dir = path.join(planDir(stack), "artifacts", kind);
    readRequired(path.join(planDir(stack), "plan.json"));
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort().map((f) => path.join(dir, f)) : [];
}
