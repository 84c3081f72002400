import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import type { PlannedResource, StackPlan } from "./plan-types";
import { TENANT_PROJECT_TYPE } from "../../lib/conventions";
import { syncFileSink, type FileSink } from "./file-sink";
import { redactedInputs } from "./mock-engine";
import { isKubernetesObject, kubernetesObjectOf, ruleGroupArtifacts, scriptArtifacts, userDataArtifacts, type KubernetesObject } from "./artifacts";

/** The form of one resource in `plan.json` (inputs with secrets redacted). */
export function writtenResource(r: PlannedResource): Record<string, unknown> {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        custom: r.custom,
        provider: r.provider,
        dependencies: r.dependencies,
        additionalSecretOutputs: r.additionalSecretOutputs,
        secretInputs: r.secretInputs,
        ...(r.replaceOnChanges ? { replaceOnChanges: r.replaceOnChanges } : {}),
        ...(r.ignoreChanges ? { ignoreChanges: r.ignoreChanges } : {}),
        ...(r.customTimeouts ? { customTimeouts: r.customTimeouts } : {}),
        ...(r.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
        ...(r.protect ? { protect: true } : {}),
        ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
        inputs: redactedInputs(r),
    };
}

/** Indentation of a resource line inside `plan.json`'s `resources` array. */
const RESOURCE_INDENT = "    ";

/**
 * The `plan.json` lines of some resources: one compact JSON object per line, so a diff between two plans
 * shows which resources changed. Joined by `,\n`.
 */
function planJsonResourceLines(resources: readonly PlannedResource[]): string {
    return resources.map((r) => RESOURCE_INDENT + JSON.stringify(writtenResource(r))).join(",\n");
}

/**
 * Writes `plan.json`: stack, resource count, every resource (type, name, parent, dependencies, inputs with
 * secrets redacted; one per line) and the outputs, to `files` (default: at once). Streamed a thousand
 * resources at a time, never built as one string: a 1,000-tenant plan is 80 MB of JSON.
 */
export function writePlanJson(outDir: string, plan: StackPlan, files: FileSink = syncFileSink): void {
    const file = path.join(outDir, "plan.json");
    files.write(file, `{\n  "stack": ${JSON.stringify(plan.stack)},\n  "resourceCount": ${plan.resources.length},\n  "resources": [`);
    for (let start = 0; start < plan.resources.length; start += 1000) {
        files.append(file, `${start === 0 ? "\n" : ",\n"}${planJsonResourceLines(plan.resources.slice(start, start + 1000))}`);
    }
    const outputs = JSON.stringify(plan.outputs, null, 2).replace(/\n/g, "\n  ");
    files.append(file, `${plan.resources.length === 0 ? "" : "\n  "}],\n  "outputs": ${outputs}\n}\n`);
}

/**
 * The manifest file of every Kubernetes object, grouped by the top-level component that owns it:
 * `projects/<tenant>.json` for a tenant Project, `platform/<component>.json` for everything else
 * (`platform/metallb.json`, `platform/sandbox.json`), in registration order. One file per component keeps a
 * thousand-tenant plan at a thousand files.
 */
export function manifestFiles(resources: readonly PlannedResource[]): Map<string, KubernetesObject[]> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const files = new Map<string, KubernetesObject[]>();
    for (const resource of resources) {
        if (!isKubernetesObject(resource)) {
            continue;
        }
        const root = topLevelComponent(resource, byUrn);
        const file = `${root?.type === TENANT_PROJECT_TYPE ? "projects" : "platform"}/${root?.name ?? "stack"}.json`;
        const list = files.get(file) ?? [];
        list.push(kubernetesObjectOf(resource));
        files.set(file, list);
    }
    return files;
}

/** Kubernetes' generic list: the form `kubectl apply -f` takes for many objects in one JSON document. */
export function manifestList(objects: readonly KubernetesObject[]): { apiVersion: "v1"; kind: "List"; items: KubernetesObject[] } {
    return { apiVersion: "v1", kind: "List", items: [...objects] };
}

/** The outermost component above a resource (its ancestor whose parent is the stack), if any. */
export function topLevelComponent(resource: PlannedResource, byUrn: ReadonlyMap<string, PlannedResource>): PlannedResource | undefined {
    let root: PlannedResource | undefined;
    for (let current = resource.parent ? byUrn.get(resource.parent) : undefined; current && current.type !== "pulumi:pulumi:Stack"; ) {
        root = current;
        current = current.parent ? byUrn.get(current.parent) : undefined;
    }
    return root;
}

/**
 * Writes the manifests and artefacts of a synthesized plan:
 * - `manifests/{platform,projects}/<component>.json`: every Kubernetes object, one `v1` `List` per top-level
 *   component (`kubectl apply -f`, kubeconform and the test spine read it). JSON, not YAML: it is what the API
 *   speaks, and emitting YAML was a tenth of a 1,000-tenant plan's time;
 * - `artifacts/{user-data,scripts,rules}/`: user-data, scripts and rule groups as the spine checks them (offline
 *   secrets are synthetic); a kind's directory only when the plan has one of its files.
 */
export function writeManifestsAndArtifacts(outDir: string, resources: readonly PlannedResource[], files: FileSink = syncFileSink): void {
    // Each directory is created with its first file: a tenant stack has no artefacts, and the six empty
    // directories it had (artifacts/ and its three kinds, in its grants and app stacks) were most of a region
    // plan's mkdir calls. Every reader takes a missing directory for an empty one (test/helpers/plans.ts artifactFiles).
    const directories = new Set<string>();
    const write = (target: string, text: string) => {
        const dir = path.dirname(target);
        if (!directories.has(dir)) {
            directories.add(dir);
            files.mkdir(dir);
        }
        files.write(target, text);
    };
    const manifests = path.join(outDir, "manifests");
    for (const [file, objects] of manifestFiles(resources)) {
        write(path.join(manifests, file), `${JSON.stringify(manifestList(objects), null, 2)}\n`);
    }
    const artifacts = path.join(outDir, "artifacts");
    for (const a of userDataArtifacts(resources)) {
        write(path.join(artifacts, "user-data", a.name), a.text);
    }
    for (const a of scriptArtifacts(resources)) {
        write(path.join(artifacts, "scripts", a.name.endsWith(".sh") ? a.name : `${a.name}.sh`), a.text);
    }
    for (const r of ruleGroupArtifacts(resources)) {
        write(path.join(artifacts, "rules", `${r.name}.yaml`), yaml.dump({ groups: r.groups }, { noRefs: true, lineWidth: 200 }));
    }
}

/** Counts of resources per component, with the component tree indented by parentage. */
export function renderTree(plan: StackPlan): string {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const children = new Map<string, PlannedResource[]>();
    for (const r of plan.resources) {
        const parent = r.parent && byUrn.has(r.parent) ? r.parent : "";
        const list = children.get(parent) ?? [];
        list.push(r);
        children.set(parent, list);
    }
    const lines: string[] = [`Resources of stack "${plan.stack}" (${plan.resources.length}), grouped by component:`];
    const walk = (urn: string, depth: number) => {
        const kids = children.get(urn) ?? [];
        const components = kids.filter((k) => !k.custom);
        const customs = kids.filter((k) => k.custom);
        const counts = new Map<string, number>();
        for (const c of customs) {
            counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
        }
        for (const [type, count] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
            lines.push(`${"  ".repeat(depth)}${String(count).padStart(4)} × ${type}`);
        }
        for (const component of components) {
            lines.push(`${"  ".repeat(depth)}${component.type} "${component.name}" (${countDescendants(component.urn)} resources)`);
            walk(component.urn, depth + 1);
        }
    };
    const countDescendants = (urn: string): number =>
        (children.get(urn) ?? []).reduce((sum, c) => sum + 1 + countDescendants(c.urn), 0);
    walk("", 1);
    return lines.join("\n");
}
