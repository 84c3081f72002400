import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import type { PlannedResource } from "./plan-types";
import { criticalPath, formatDuration, type CriticalPath, type DurationModel, type PathStep } from "./critical-path";
import { durationOf, WAIT_FIGURES } from "./durations";

/**
 * The first `up` of a region as the driver runs it (tools/driver/orchestrate.ts), estimated from per-stack plans:
 * the platform stack, then every tenant's pipeline, at most `parallel` at once in catalog order (a worker pool:
 * tools/driver/pool.ts `mapBounded`), each pipeline its grants stack (namespace, grants, builds, digest read-back)
 * then its app stack. A Pulumi stack run is atomic: a pipeline starts once the whole platform stack has finished,
 * an app stack once its grants stack has; each later stack starts a boundary after the one it waits for (a new
 * `pulumi up`): {@link WAIT_FIGURES} `stack-boundary` for a program the CLI compiles with ts-node, and
 * `stack-boundary-javascript` for one it runs as JavaScript (programs/compiled.cjs; {@link programRuntimeOf}).
 * Within a stack the estimate is its critical path (tools/offline/critical-path.ts).
 *
 * The composition takes one plan per stack. Until the grants stacks exist as programs of their own, the
 * platform plan holds them: {@link stagesOfRegion} carves each `platform:project:ProjectGrants` subtree out of it
 * as that project's grants stage; once a grants stack has its own plan, that plan is used instead.
 */

/** The component type whose subtree is a project's grants stack. */
export const GRANTS_COMPONENT_TYPE = "platform:project:ProjectGrants";

/** How `pulumi up` runs a program: compiled by the CLI's ts-node (`typescript`) or as JavaScript. */
export type ProgramRuntime = "typescript" | "javascript";

/**
 * The runtime a project file selects: JavaScript when `runtime.options.typescript` is false and `main` names a
 * `.js` file (the pinned SDK's run.js registers ts-node only for `typescript: true`, its default), else TypeScript.
 */
export function programRuntimeOf(project: unknown): ProgramRuntime {
    const p = (project ?? {}) as { main?: unknown; runtime?: unknown };
    const options = typeof p.runtime === "object" && p.runtime !== null ? ((p.runtime as { options?: Record<string, unknown> }).options ?? {}) : {};
    return options.typescript === false && typeof p.main === "string" && /\.c?js$/.test(p.main) ? "javascript" : "typescript";
}

/** The runtimes of a tenant's two programs, read from programs/grants and programs/tenant's Pulumi.yaml under `root`. */
export function pipelineRuntimes(root: string): { grants: ProgramRuntime; app: ProgramRuntime } {
    const of = (dir: string) => programRuntimeOf(yaml.load(fs.readFileSync(path.join(root, "programs", dir, "Pulumi.yaml"), "utf8")));
    return { grants: of("grants"), app: of("tenant") };
}

/** Seconds between a stack and the next one the driver starts after it, by the next one's program runtime. */
export function boundaryOf(runtime: ProgramRuntime = "typescript"): number {
    return WAIT_FIGURES[runtime === "javascript" ? "stack-boundary-javascript" : "stack-boundary"].seconds;
}

/** One stack's plan. */
export interface StackStage {
    /** The stack's name (`<region>`, `<region>--<id>--grants`, `<region>--<id>`). */
    stack: string;
    /** Its planned resources. */
    resources: readonly PlannedResource[];
    /** How its program runs (default TypeScript): decides the boundary before it. */
    runtime?: ProgramRuntime;
}

/** One tenant's pipeline: its grants stack, then its app stack. */
export interface TenantStages {
    /** The project id. */
    id: string;
    /** The grants stack. */
    grants: StackStage;
    /** The app (tenant) stack. */
    app: StackStage;
}

/** The stacks of a region's first `up`. */
export interface RegionStages {
    /** The platform stack (without the grants stages). */
    platform: StackStage;
    /** The tenants, in the order the driver starts them (the catalog's). */
    tenants: readonly TenantStages[];
}

/** When one stack runs, seconds after the region's `up` began. */
export interface StageEstimate {
    /** The stack. */
    stack: string;
    /** When its `pulumi up` starts creating. */
    startSeconds: number;
    /** When its last resource is done. */
    finishSeconds: number;
    /** Its own critical path (times relative to its start). */
    path: CriticalPath;
    /** Seconds between the stack it waits for and its start (0 for the platform stack). */
    boundarySeconds: number;
}

/** One tenant's pipeline as scheduled. */
export interface PipelineEstimate {
    /** The project id. */
    id: string;
    /** The driver's slot (0 … parallel − 1) that ran it. */
    slot: number;
    /** Its grants stack. */
    grants: StageEstimate;
    /** Its app stack. */
    app: StageEstimate;
}

/** The region's first `up`. */
export interface RegionBringUp {
    /** The platform stack. */
    platform: StageEstimate;
    /** Every tenant pipeline, in start order. */
    pipelines: PipelineEstimate[];
    /** The pipeline that finishes last (the region's end), if any. */
    slowest?: PipelineEstimate;
    /** Seconds until the last stack has finished. */
    totalSeconds: number;
    /** Tenant pipelines at once. */
    parallel: number;
    /** Seconds before the first tenant stack (its program's boundary figure; a TypeScript program's without tenants). */
    boundarySeconds: number;
}

/** Splits today's platform plan into the platform stage and one grants stage per ProjectGrants subtree (keyed by project id). */
export function carveGrantsStages(platform: readonly PlannedResource[]): { platform: PlannedResource[]; grants: Map<string, PlannedResource[]> } {
    const byUrn = new Map(platform.map((r) => [r.urn, r]));
    const owner = new Map<string, string | undefined>();
    const ownerOf = (r: PlannedResource): string | undefined => {
        if (owner.has(r.urn)) {
            return owner.get(r.urn);
        }
        // Cycles cannot occur in a parent chain the engine accepted; the map also memoizes each chain once.
        owner.set(r.urn, undefined);
        const parent = r.parent !== undefined ? byUrn.get(r.parent) : undefined;
        const id = r.type === GRANTS_COMPONENT_TYPE ? r.name : parent ? ownerOf(parent) : undefined;
        owner.set(r.urn, id);
        return id;
    };
    const rest: PlannedResource[] = [];
    const grants = new Map<string, PlannedResource[]>();
    for (const r of platform) {
        const id = ownerOf(r);
        if (id === undefined) {
            rest.push(r);
        } else {
            grants.set(id, [...(grants.get(id) ?? []), r]);
        }
    }
    return { platform: rest, grants };
}

/**
 * The region's stages from the plans as they are: the platform plan, each tenant's app plan, and each tenant's
 * grants plan where one exists (else its ProjectGrants subtree carved out of the platform plan; none when it has
 * neither). Tenants keep the order given.
 */
export function stagesOfRegion(
    region: string,
    platform: readonly PlannedResource[],
    tenants: ReadonlyArray<{ id: string; app: readonly PlannedResource[]; grants?: readonly PlannedResource[] }>,
    runtimes: { grants: ProgramRuntime; app: ProgramRuntime } = { grants: "typescript", app: "typescript" },
): RegionStages {
    const carved = carveGrantsStages(platform);
    return {
        platform: { stack: region, resources: carved.platform },
        tenants: tenants.map((t) => ({
            id: t.id,
            grants: { stack: `${region}--${t.id}--grants`, resources: t.grants ?? carved.grants.get(t.id) ?? [], runtime: runtimes.grants },
            app: { stack: `${region}--${t.id}`, resources: t.app, runtime: runtimes.app },
        })),
    };
}

/** Estimates the region's first `up` (see the module comment). */
export function regionBringUp(stages: RegionStages, parallel: number, model: DurationModel = durationOf): RegionBringUp {
    if (!Number.isInteger(parallel) || parallel < 1) {
        throw new RangeError(`parallelism must be a whole number of at least 1, got ${parallel}`);
    }
    const boundarySeconds = boundaryOf(stages.tenants[0]?.grants.runtime);
    const platformPath = criticalPath(stages.platform.resources, model);
    const platform: StageEstimate = { stack: stages.platform.stack, startSeconds: 0, finishSeconds: platformPath.totalSeconds, path: platformPath, boundarySeconds: 0 };
    const free = Array.from({ length: parallel }, () => platform.finishSeconds);
    const pipelines: PipelineEstimate[] = [];
    for (const tenant of stages.tenants) {
        // mapBounded: the next tenant goes to the first worker that is free (the lowest one on a tie).
        const slot = free.indexOf(Math.min(...free));
        const stage = (s: StackStage, after: number): StageEstimate => {
            const path = criticalPath(s.resources, model);
            const boundary = boundaryOf(s.runtime);
            const startSeconds = after + boundary;
            return { stack: s.stack, startSeconds, finishSeconds: startSeconds + path.totalSeconds, path, boundarySeconds: boundary };
        };
        const grants = stage(tenant.grants, free[slot]!);
        const app = stage(tenant.app, grants.finishSeconds);
        free[slot] = app.finishSeconds;
        pipelines.push({ id: tenant.id, slot, grants, app });
    }
    const slowest = pipelines.reduce<PipelineEstimate | undefined>((worst, p) => (!worst || p.app.finishSeconds > worst.app.finishSeconds ? p : worst), undefined);
    return { platform, pipelines, slowest, totalSeconds: slowest?.app.finishSeconds ?? platform.finishSeconds, parallel, boundarySeconds };
}

function stepLine(step: PathStep, offset: number): string {
    const start = formatDuration(offset + step.startSeconds).padStart(12);
    const ready = step.readyWith
        ? `, ready ${step.readyAfterSeconds ? `${Math.round(step.readyAfterSeconds)} s after` : "with"} ${step.readyWith} at ${formatDuration(offset + step.finishSeconds)}`
        : "";
    return `  ${start} +${String(Math.round(step.durationSeconds)).padStart(4)} s  ${step.name} (${step.type}) [${step.rule}]${ready}`;
}

/** How long after the stack it waits for each tenant stack starts (the boundary figures of their programs). */
function boundaryText(result: RegionBringUp): string {
    const first = result.pipelines[0];
    const runtime = (seconds: number) => (seconds === boundaryOf("javascript") ? " (a program run as JavaScript)" : "");
    if (!first || first.grants.boundarySeconds === first.app.boundarySeconds) {
        const seconds = first?.grants.boundarySeconds ?? result.boundarySeconds;
        return `each ${seconds} s after the stack it waits for${runtime(seconds)}`;
    }
    return `the grants stack ${first.grants.boundarySeconds} s${runtime(first.grants.boundarySeconds)} and the app stack ${first.app.boundarySeconds} s${runtime(first.app.boundarySeconds)} after the stack each waits for`;
}

/** The region estimate as text: the platform's critical path, then the slowest tenant pipeline's, on one clock. */
export function formatRegionBringUp(region: string, result: RegionBringUp): string {
    const out = [
        `Region bring-up estimate (an ESTIMATE from a duration model, not a measurement): ~${formatDuration(result.totalSeconds)} for the first \`up\` of region ${region} as the driver runs it`,
        `  platform stack ${result.platform.stack}: ~${formatDuration(result.platform.finishSeconds)} (the projects' grants counted as their own stacks), then ${result.pipelines.length} tenant pipeline(s), ${result.parallel} at a time: a grants stack, then the app stack, ${boundaryText(result)}.`,
    ];
    for (const step of result.platform.path.steps) {
        out.push(stepLine(step, 0));
    }
    const slowest = result.slowest;
    if (slowest) {
        out.push(`  slowest tenant pipeline: ${slowest.id} (slot ${slowest.slot + 1} of ${result.parallel})`);
        for (const stage of [slowest.grants, slowest.app]) {
            out.push(`  ${formatDuration(stage.startSeconds).padStart(12)}        stack ${stage.stack} starts (${stage.path.resourceCount} resource(s), ~${formatDuration(stage.path.totalSeconds)})`);
            for (const step of stage.path.steps) {
                out.push(stepLine(step, stage.startSeconds));
            }
        }
        out.push(`  ${formatDuration(result.totalSeconds).padStart(12)}        region done`);
    }
    return out.join("\n");
}
