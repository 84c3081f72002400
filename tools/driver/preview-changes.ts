/**
 * The change plan of a real engine run: the preview's step events (`resourcePreEvent`: op, old and new state,
 * `diffs`/`detailedDiff`, the replace `keys`) turned into the steps of tools/offline/change-plan.ts and judged by
 * the same rules (data at risk from the old state, decommission annotation, acknowledgements, refused shrinks).
 * `npm run deploy -- preview` prints it and exits 5 on data at risk nothing acknowledged; `up` runs a preview
 * first and does not start when it would exit 5. Acknowledgements: `PLATFORM_ACCEPT_DATA_LOSS` (comma-separated
 * resource names, URNs or tenant ids), the driver's counterpart of `npm run plan -- --accept-data-loss`.
 */
import type { EngineEvent, StepEventMetadata, StepEventStateMetadata } from "@pulumi/pulumi/automation";
import { classifyChange, judgeSteps, renderChangeReport, tenantOf, type ChangeOp, type ChangeReport, type ChangeResource, type ChangeStep } from "../offline/change-plan";

/** Environment variable naming what may lose data (comma-separated names, URNs or tenant ids). */
export const ACCEPT_DATA_LOSS_ENV = "PLATFORM_ACCEPT_DATA_LOSS";

/** The acknowledgements in the environment. */
export function acceptedDataLoss(env: NodeJS.ProcessEnv): string[] {
    return (env[ACCEPT_DATA_LOSS_ENV] ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

function resourceOf(state: StepEventStateMetadata | undefined, urn: string, type: string): ChangeResource | undefined {
    if (!state) {
        return undefined;
    }
    return {
        urn,
        type,
        name: nameOf(urn),
        parent: state.parent || undefined,
        inputs: (state.inputs ?? {}) as Record<string, unknown>,
        ...(state.retainOnDelete ? { retainOnDelete: true } : {}),
        ...(state.protect ? { protect: true } : {}),
    };
}

/** The op of the change plan for an engine op; replacement parts count once, as `replace`. */
function opOf(op: string): ChangeOp | undefined {
    switch (op) {
        case "create":
        case "import":
            return "create";
        case "update":
            return "update";
        case "replace":
        case "create-replacement":
        case "delete-replaced":
            return "replace";
        case "delete":
            return "delete";
        default:
            return undefined;
    }
}

/** Collects the preview's steps from the engine events; feed it the Automation API's `onEvent`. */
export class PreviewChangeCollector {
    private readonly steps = new Map<string, StepEventMetadata>();

    /** Feeds one engine event. */
    readonly onEvent = (event: EngineEvent): void => {
        const metadata = event.resourcePreEvent?.metadata;
        const op = metadata ? opOf(metadata.op) : undefined;
        if (!metadata || !op || metadata.type.startsWith("pulumi:")) {
            return;
        }
        // One step per resource: a replace's parts carry the same URN.
        const known = this.steps.get(metadata.urn);
        if (!known || opOf(known.op) !== "replace") {
            this.steps.set(metadata.urn, metadata);
        }
    };

    /** The change report of what was seen, with the given acknowledgements. */
    report(accepted: readonly string[] = []): ChangeReport {
        const olds = [...this.steps.values()].map((m) => resourceOf(m.old, m.urn, m.type)).filter((r): r is ChangeResource => r !== undefined);
        const byUrn = new Map(olds.map((r) => [r.urn, r]));
        const steps: ChangeStep[] = [...this.steps.values()].map((m) => {
            const op = opOf(m.op)!;
            const old = resourceOf(m.old, m.urn, m.type);
            const next = resourceOf(m.new, m.urn, m.type);
            const fields = m.detailedDiff ? Object.keys(m.detailedDiff).sort() : [...(m.diffs ?? [])].sort();
            const ours = old && next ? classifyChange(old, next, fields) : undefined;
            return {
                op,
                urn: m.urn,
                type: m.type,
                name: nameOf(m.urn),
                tenant: tenantOf(old ?? next ?? { urn: m.urn, type: m.type, name: nameOf(m.urn), inputs: {} }, byUrn),
                fields: op === "update" || op === "replace" ? fields : [],
                // The engine's replace keys are authoritative; the provider decided them.
                replaceReasons: op === "replace" ? (m.keys ?? []).map((key) => `${key} (the provider's replace key)`) : [],
                refused: [...(ours?.refused ?? []), ...(op === "delete" && old?.protect ? ["protect: the engine refuses to delete a protected resource"] : [])],
                ...(op === "delete" && old?.retainOnDelete ? { retained: true } : {}),
            };
        });
        return judgeSteps(steps, olds, { accepted });
    }
}

/** The text the driver prints for a preview's change plan. */
export function renderPreviewChanges(report: ChangeReport): string {
    return `${renderChangeReport(report)}\n`;
}
