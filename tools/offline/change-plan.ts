/**
 * The change plan: what a change does, resource by resource (create, update with the fields, replace with the
 * input that forces it, delete), which of those steps lose data, and whether something acknowledged that loss.
 *
 * One engine for both sources: `npm run plan -- --against <previous plan.json>` compares two offline plans
 * (through tools/offline/plan-diff.ts), and the deploy driver's preview hook (tools/driver/preview-changes.ts)
 * turns the real engine's step events into the same steps. Data at risk is judged on the resource as it was
 * (the earlier plan, or the engine's old state): what would be deleted is what existed.
 */
import { DECOMMISSION_ANNOTATION, LABELS, TENANT_PROJECT_TYPE } from "../../lib/conventions";
import { parseQuantity } from "../../lib/quantity";
import { changedPaths, comparePlans, type ComparableResource } from "./plan-diff";
import { isRobotServer, pathUnder, rulesFor } from "./replacement-rules";

export { DECOMMISSION_ANNOTATION };

/** A resource as the change plan reads it (a written plan line, or the engine's state of one). */
export interface ChangeResource extends ComparableResource {
    /** URN of the parent component, when known. */
    parent?: string;
    /** `retainOnDelete`: a delete only removes it from the state. */
    retainOnDelete?: boolean;
    /** `protect`: the engine refuses to delete it. */
    protect?: boolean;
    /** URNs this resource was known as before (`aliases`): a rename, not a delete and a create. */
    aliases?: string[];
    /** `ignoreChanges`: the engine keeps these input paths at their state value, so they never change it. */
    ignoreChanges?: string[];
}

/** What happens to one resource. */
export type ChangeOp = "create" | "update" | "replace" | "delete";

/** One step of the change plan. */
export interface ChangeStep {
    /** What happens. */
    op: ChangeOp;
    /** URN (the new one for a rename through an alias). */
    urn: string;
    /** Type token. */
    type: string;
    /** Logical name. */
    name: string;
    /** The tenant project the resource belongs to, if any. */
    tenant?: string;
    /** Changed input paths (update and replace). */
    fields: string[];
    /** Why it is replaced: `<path> (<source>)`. */
    replaceReasons: string[];
    /** Changes the API or the engine would refuse: `<path>: <why>`. */
    refused: string[];
    /** The URN it had before, when an alias carried it over. */
    renamedFrom?: string;
    /** A delete that only forgets the resource (retainOnDelete): the object stays. */
    retained?: boolean;
}

/** Data that a step destroys. */
export interface DataAtRisk {
    /** URN of the step. */
    urn: string;
    /** Logical name (what `--accept-data-loss` names). */
    name: string;
    /** The step that destroys it. */
    op: "replace" | "delete";
    /** Tenant project, or undefined for platform data. */
    tenant?: string;
    /** What is lost, for a human. */
    data: string;
    /** What acknowledged the loss, when something did. */
    acknowledgedBy?: string;
}

/** The change plan of one stack. */
export interface ChangeReport {
    /** Every step that changes something, in URN order. */
    steps: ChangeStep[];
    /** Every step that destroys data. */
    dataAtRisk: DataAtRisk[];
    /** The part of {@link dataAtRisk} nothing acknowledged (exit 5 when non-empty). */
    unacknowledged: DataAtRisk[];
    /** Every refused change, as `<name> <path>: <why>` (exit 1 when non-empty). */
    refused: string[];
}

/** What acknowledges data loss besides a decommission declared in the catalog. */
export interface Acknowledgements {
    /** `--accept-data-loss` values: a resource's logical name or URN, or a tenant project name. */
    accepted?: readonly string[];
}

type Inputs = Record<string, unknown>;
const record = (value: unknown): Inputs => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Inputs) : {});

function metadataOf(resource: ComparableResource): { name?: string; namespace?: string; labels: Inputs; annotations: Inputs } {
    const metadata = record(resource.inputs.metadata);
    return {
        name: typeof metadata.name === "string" ? metadata.name : undefined,
        namespace: typeof metadata.namespace === "string" ? metadata.namespace : undefined,
        labels: record(metadata.labels),
        annotations: record(metadata.annotations),
    };
}

/** The tenant of a resource: its `platform/project` label, or the Project component above it. */
export function tenantOf(resource: ChangeResource, byUrn: ReadonlyMap<string, ChangeResource>): string | undefined {
    const label = metadataOf(resource).labels[LABELS.project];
    if (typeof label === "string") {
        return label;
    }
    for (let current = resource.parent ? byUrn.get(resource.parent) : undefined; current; current = current.parent ? byUrn.get(current.parent) : undefined) {
        if (current.type === TENANT_PROJECT_TYPE) {
            return current.name;
        }
    }
    return resource.type === TENANT_PROJECT_TYPE ? resource.name : undefined;
}

/** Helm charts whose releases own volumes (Longhorn holds every volume; the others keep platform data on PVCs). */
const STATEFUL_CHARTS = new Set(["longhorn", "minio", "loki", "kube-prometheus-stack"]);

/** The storage request of a claim (or claim template). */
const storageOf = (claim: unknown): string => String(record(record(record(record(claim).spec).resources).requests).storage ?? "?");

/**
 * The operator kinds that own their members' claims (issue 19): deleting or replacing one deletes the database
 * (the operator removes its StatefulSet, and with it what the claims hold or their binding), so each counts as
 * data at risk, named with its engine and the size of each member's claim. Velero's objects hold no data: a
 * Schedule's backups outlive it (`useOwnerReferencesInBackup: false`, components/backups/values.ts), a Restore is
 * one run. A new stateful kind is added here, and test/tools/offline/change-plan.test.ts has a case per kind.
 */
export const STATEFUL_OPERATOR_KINDS: ReadonlyArray<{ type: string; engine: string; storage: (spec: Record<string, unknown>) => string }> = [
    { type: "kubernetes:postgresql.cnpg.io/v1:Cluster", engine: "CloudNativePG", storage: (spec) => String(record(spec.storage).size ?? "?") },
    { type: "kubernetes:pxc.percona.com/v1:PerconaXtraDBCluster", engine: "Percona XtraDB Cluster", storage: (spec) => storageOf({ spec: record(record(spec.pxc).volumeSpec).persistentVolumeClaim }) },
    {
        type: "kubernetes:psmdb.percona.com/v1:PerconaServerMongoDB",
        engine: "Percona Server for MongoDB",
        storage: (spec) => (Array.isArray(spec.replsets) && spec.replsets.length > 0 ? spec.replsets.map((r) => storageOf({ spec: record(record(r).volumeSpec).persistentVolumeClaim })).join(", ") : "?"),
    },
    { type: "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication", engine: "Redis replication", storage: (spec) => storageOf(record(record(spec.storage).volumeClaimTemplate)) },
];

/** The data a resource holds, if deleting or replacing it loses some; `others` are the resources around it. */
export function dataHeldBy(resource: ChangeResource, others: readonly ChangeResource[]): string | undefined {
    const meta = metadataOf(resource);
    const where = `${meta.namespace ? `${meta.namespace}/` : ""}${meta.name ?? resource.name}`;
    const spec = record(resource.inputs.spec);
    switch (resource.type) {
        case "kubernetes:core/v1:PersistentVolumeClaim":
            return `volume ${where} (${storageOf(resource.inputs)})`;
        case "kubernetes:apps/v1:StatefulSet": {
            const claims = Array.isArray(spec.volumeClaimTemplates) ? spec.volumeClaimTemplates : [];
            if (claims.length === 0) {
                return undefined;
            }
            const list = claims.map((c) => `${String(record(record(c).metadata).name)} ${storageOf(c)}`).join(", ");
            return meta.labels[LABELS.service] === "database" ? `database ${where} (claims ${list})` : `StatefulSet ${where} with claims ${list}`;
        }
        case "kubernetes:batch/v1:Job": {
            if (meta.labels[LABELS.service] !== "bucket") {
                return undefined;
            }
            const containers = record(record(spec.template).spec).containers;
            const env = Array.isArray(containers) ? (record(containers[0]).env as unknown[] | undefined) ?? [] : [];
            const bucket = env.map(record).find((e) => e.name === "BUCKET")?.value;
            return `bucket ${String(bucket ?? meta.name)} (its Job goes; the bucket's objects are no longer managed)`;
        }
        case "kubernetes:core/v1:Namespace": {
            const name = meta.name ?? resource.name;
            const inside = others
                .filter((o) => o !== resource && metadataOf(o).namespace === name && o.type !== "kubernetes:core/v1:Namespace")
                .map((o) => dataHeldBy(o, others))
                .filter((d): d is string => d !== undefined && !d.startsWith("bucket"));
            return inside.length > 0 ? `namespace ${name} holding ${inside.join("; ")}` : undefined;
        }
        case "kubernetes:longhorn.io/v1beta2:Volume":
            return `Longhorn volume ${where}`;
        case "kubernetes:helm.sh/v3:Release":
            return STATEFUL_CHARTS.has(String(resource.inputs.chart)) ? `Helm release ${String(resource.inputs.name ?? resource.name)} (chart ${String(resource.inputs.chart)}) and its volumes` : undefined;
        case "hcloud:index/server:Server":
            return `cloud server ${String(resource.inputs.name ?? resource.name)} and its local disk`;
        default: {
            const operatorKind = STATEFUL_OPERATOR_KINDS.find((k) => k.type === resource.type);
            if (operatorKind) {
                return `database ${where} (${operatorKind.engine}, ${operatorKind.storage(spec)})`;
            }
            return isRobotServer(resource.urn) ? `bare-metal server ${String(resource.inputs.hostname ?? resource.name)}: a reinstall wipes its disks (Longhorn replicas, local data)` : undefined;
        }
    }
}

/**
 * A storage size that got smaller (a claim's `resources.requests.storage`, a database operator's `storage.size`):
 * the API (or the operator) refuses it.
 */
function shrinks(before: Inputs, after: Inputs, paths: readonly string[]): string[] {
    const at = (root: Inputs, path: string): unknown =>
        path.split(/\.|(?=\[)/).reduce<unknown>((value, segment) => {
            const key = segment.startsWith("[") ? Number(segment.slice(1, -1)) : segment;
            return Array.isArray(value) && typeof key === "number" ? value[key] : record(value)[String(key)];
        }, root);
    return paths
        .filter((p) => p.endsWith("resources.requests.storage") || p.endsWith("storage.size"))
        .filter((p) => {
            const old = parseQuantity(String(at(before, p)));
            const next = parseQuantity(String(at(after, p)));
            return old !== undefined && next !== undefined && next < old;
        })
        .map((p) => `${p}: shrinking a volume from ${String(at(before, p))} to ${String(at(after, p))} is refused (Kubernetes only grows claims; copy the data to a new, smaller volume instead)`);
}

/** The changed paths the engine acts on: those under the resource's `ignoreChanges` keep their state value. */
export function effectivePaths(resource: ChangeResource, paths: readonly string[]): string[] {
    const ignored = resource.ignoreChanges ?? [];
    return paths.filter((p) => !ignored.some((pattern) => pathUnder(p, pattern) && splitDepth(p) >= splitDepth(pattern)));
}

const splitDepth = (path: string) => path.split(/\.|(?=\[)/).length;

/** Classifies one changed resource: replace (and why), refused (and why), or update. */
export function classifyChange(before: ChangeResource, after: ChangeResource, paths: readonly string[]): Pick<ChangeStep, "op" | "fields" | "replaceReasons" | "refused"> {
    const rules = rulesFor(after.type, after.urn);
    const reasons = new Set<string>();
    for (const path of paths) {
        for (const r of rules.replace) {
            if (pathUnder(path, r.path)) {
                reasons.add(`${r.path} (${r.source})`);
            }
        }
        for (const declared of after.replaceOnChanges ?? []) {
            if (declared === "*" || pathUnder(path, declared)) {
                reasons.add(`${declared} (replaceOnChanges)`);
            }
        }
    }
    if (rules.replaceOnAnyChange && paths.length > 0) {
        reasons.add(`${paths.join(", ")} (every input of ${after.type} forces a new resource)`);
    }
    const refused = new Set<string>(shrinks(before.inputs, after.inputs, paths));
    for (const path of paths) {
        for (const r of rules.refused) {
            if (pathUnder(path, r.path)) {
                refused.add(`${r.path}: ${r.source}; the update would fail`);
            }
        }
    }
    return { op: reasons.size > 0 ? "replace" : "update", fields: [...paths], replaceReasons: [...reasons], refused: [...refused] };
}

/** The steps between two sets of resources (earlier plan → later plan). */
export function planSteps(before: readonly ChangeResource[], after: readonly ChangeResource[]): ChangeStep[] {
    const earlier = new Map(before.map((r) => [r.urn, r]));
    const later = new Map(after.map((r) => [r.urn, r]));
    const earlierAll = new Map(before.map((r) => [r.urn, r]));
    // An alias pointing at an earlier URN makes the later resource that one, renamed.
    const renamedFrom = new Map<string, string>();
    for (const resource of after) {
        const old = (resource.aliases ?? []).find((alias) => earlier.has(alias) && !later.has(alias));
        if (old && !earlier.has(resource.urn)) {
            renamedFrom.set(resource.urn, old);
        }
    }
    const aliased = new Set(renamedFrom.values());
    const steps: ChangeStep[] = [];
    const base = (r: ChangeResource, byUrn: ReadonlyMap<string, ChangeResource>) => ({ urn: r.urn, type: r.type, name: r.name, tenant: tenantOf(r, byUrn) });
    const comparison = comparePlans(before, after);
    for (const change of comparison.changed) {
        const old = earlier.get(change.urn)!;
        const next = later.get(change.urn)!;
        const paths = effectivePaths(next, change.changedPaths);
        if (paths.length > 0) {
            steps.push({ ...base(next, later), ...classifyChange(old, next, paths) });
        }
    }
    for (const urn of comparison.added) {
        const next = later.get(urn)!;
        const from = renamedFrom.get(urn);
        if (from) {
            const old = earlier.get(from)!;
            const paths = effectivePaths(next, changedPaths(old.inputs, next.inputs));
            if (paths.length > 0) {
                steps.push({ ...base(next, later), ...classifyChange(old, next, paths), renamedFrom: from });
            }
            continue;
        }
        steps.push({ ...base(next, later), op: "create", fields: [], replaceReasons: [], refused: [] });
    }
    for (const urn of comparison.removed) {
        if (aliased.has(urn)) {
            continue;
        }
        const old = earlierAll.get(urn)!;
        steps.push({
            ...base(old, earlierAll),
            op: "delete",
            fields: [],
            replaceReasons: [],
            refused: old.protect ? ["protect: the engine refuses to delete a protected resource (pulumi state unprotect first, on purpose)"] : [],
            ...(old.retainOnDelete ? { retained: true } : {}),
        });
    }
    return steps.sort((a, b) => a.urn.localeCompare(b.urn));
}

/**
 * Judges the steps: the data each delete or replace destroys (`resourcesBefore` are the resources as they were:
 * the earlier plan, or the engine's old states), and what acknowledged it: a decommission declared in the catalog
 * (the tenant namespace carried {@link DECOMMISSION_ANNOTATION} before the change) or `--accept-data-loss`.
 */
export function judgeSteps(steps: readonly ChangeStep[], resourcesBefore: readonly ChangeResource[], acknowledgements: Acknowledgements = {}): ChangeReport {
    const byUrn = new Map(resourcesBefore.map((r) => [r.urn, r]));
    const decommissioned = new Set(
        resourcesBefore
            .filter((r) => r.type === "kubernetes:core/v1:Namespace" && metadataOf(r).annotations[DECOMMISSION_ANNOTATION] !== undefined)
            .map((r) => tenantOf(r, byUrn) ?? metadataOf(r).name),
    );
    const accepted = new Set(acknowledgements.accepted ?? []);
    const dataAtRisk: DataAtRisk[] = [];
    for (const step of steps) {
        if (step.op !== "delete" && step.op !== "replace") {
            continue;
        }
        const old = byUrn.get(step.renamedFrom ?? step.urn);
        const held = old ? dataHeldBy(old, resourcesBefore) : undefined;
        // A retained delete keeps the object, but nothing manages it any more (quota, backups, the next
        // decommission): removing a tenant is a decommission, so this too needs an acknowledgement.
        const data = held && step.retained ? `${held}, left behind unmanaged (retainOnDelete)` : held;
        if (!data) {
            continue;
        }
        const acknowledgedBy =
            step.tenant && decommissioned.has(step.tenant)
                ? `decommission of ${step.tenant} declared in the catalog`
                : accepted.has(step.name) || accepted.has(step.urn)
                  ? `--accept-data-loss ${step.name}`
                  : step.tenant && accepted.has(step.tenant)
                    ? `--accept-data-loss ${step.tenant}`
                    : undefined;
        dataAtRisk.push({ urn: step.urn, name: step.name, op: step.op, tenant: step.tenant, data, ...(acknowledgedBy ? { acknowledgedBy } : {}) });
    }
    return {
        steps: [...steps],
        dataAtRisk,
        unacknowledged: dataAtRisk.filter((d) => !d.acknowledgedBy),
        refused: steps.flatMap((s) => s.refused.map((why) => `${s.name} ${why}`)),
    };
}

/** The change plan between two offline plans of one stack. */
export function changeReport(before: readonly ChangeResource[], after: readonly ChangeResource[], acknowledgements: Acknowledgements = {}): ChangeReport {
    return judgeSteps(planSteps(before, after), before, acknowledgements);
}

/** The change plan as text: counts, each step with its fields or reasons, then the data at risk and refusals. */
export function renderChangeReport(report: ChangeReport): string {
    const count = (op: ChangeOp) => report.steps.filter((s) => s.op === op).length;
    const lines = [`Change plan: ${count("create")} to create, ${count("update")} to update, ${count("replace")} to replace, ${count("delete")} to delete.`];
    const symbol: Record<ChangeOp, string> = { create: "+", update: "~", replace: "+-", delete: "-" };
    for (const step of report.steps) {
        const who = step.tenant ? ` [tenant ${step.tenant}]` : "";
        const renamed = step.renamedFrom ? ` (renamed, alias of ${step.renamedFrom.split("::").pop()})` : "";
        lines.push(`  ${symbol[step.op].padEnd(2)} ${step.op.padEnd(7)} ${step.type} ${step.name}${who}${renamed}${step.retained ? " (retainOnDelete: the object stays, Pulumi forgets it)" : ""}`);
        if (step.op === "update" || step.op === "replace") {
            const shown = step.fields.slice(0, 8);
            lines.push(`             fields: ${shown.join(", ")}${step.fields.length > shown.length ? `, … (${step.fields.length - shown.length} more)` : ""}`);
        }
        for (const reason of step.replaceReasons) {
            lines.push(`             replaced because ${reason}`);
        }
        for (const why of step.refused) {
            lines.push(`             REFUSED ${why}`);
        }
    }
    if (report.dataAtRisk.length > 0) {
        lines.push("", "Data at risk:");
        for (const d of report.dataAtRisk) {
            lines.push(`  ${d.acknowledgedBy ? "acknowledged" : "NOT ACKNOWLEDGED"}: ${d.op} ${d.name}${d.tenant ? ` (tenant ${d.tenant})` : " (platform)"}: ${d.data}${d.acknowledgedBy ? ` — ${d.acknowledgedBy}` : ""}`);
        }
    }
    if (report.unacknowledged.length > 0) {
        const tenants = [...new Set(report.unacknowledged.map((d) => d.tenant).filter((t): t is string => t !== undefined))];
        lines.push(
            "",
            `${report.unacknowledged.length} step(s) would destroy data nothing acknowledged${tenants.length > 0 ? ` (tenant ${tenants.join(", ")})` : ""}. ` +
                "To remove a tenant, declare its decommission in its file first (README: Decommissioning a tenant); for anything else, " +
                `name it: ${[...new Set(report.unacknowledged.map((d) => `--accept-data-loss ${d.name}`))].join(" ")}`,
        );
    }
    if (report.refused.length > 0) {
        lines.push("", `${report.refused.length} change(s) would be refused:`, ...report.refused.map((r) => `  ${r}`));
    }
    return lines.join("\n");
}
