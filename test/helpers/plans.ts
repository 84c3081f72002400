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

/** Output directory of a shipped stack's plan (written by the global setup). */
export function planDir(stack: string): string {
    return path.join(ROOT, "out", stack);
}

function readRequired(file: string): string {
    if (!fs.existsSync(file)) {
        throw new Error(`${file} is missing: the global test setup plans every shipped stack (unset PLATFORM_SYNTH=off)`);
    }
    return fs.readFileSync(file, "utf8");
}

/** The written plan of a shipped stack. */
export function readPlan(stack: string): { resources: WrittenResource[]; outputs: Record<string, unknown> } {
    return JSON.parse(readRequired(path.join(planDir(stack), "plan.json")));
}

/** Resources of a type in a stack's plan. */
export function resourcesOfType(stack: string, type: string): WrittenResource[] {
    return readPlan(stack).resources.filter((r) => r.type === type);
}

/** Every Kubernetes object written for a stack (`manifests/{platform,projects}/<component>.json` lists). */
export function readManifests(stack: string): KubernetesObject[] {
    const dir = path.join(planDir(stack), "manifests");
    readRequired(path.join(planDir(stack), "plan.json"));
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".json")).sort();
    return files.flatMap((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { kind: string; items: KubernetesObject[] }).items);
}

/** Files of an artefact kind (`user-data`, `scripts`, `rules`) written for a stack. */
export function artifactFiles(stack: string, kind: "user-data" | "scripts" | "rules"): string[] {
    const dir = path.join(planDir(stack), "artifacts", kind);
    readRequired(path.join(planDir(stack), "plan.json"));
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort().map((f) => path.join(dir, f)) : [];
}
