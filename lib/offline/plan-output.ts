import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import type { PlannedResource, StackPlan } from "./plan-types";
import { redactedInputs } from "./mock-engine";
import { kubernetesObjects, ruleGroupArtifacts, scriptArtifacts, userDataArtifacts } from "./artifacts";

/**
 * Writes a synthesized plan to disk:
 * - `plan.json`: every resource (type, name, parent, inputs with secrets redacted);
 * - `manifests/NNNN-<kind>-<namespace>-<name>.yaml`: every Kubernetes object;
 * - `artifacts/`: user-data, scripts and rule groups as the spine checks them (offline secrets are synthetic).
 */
export function writePlanOutputs(outDir: string, plan: StackPlan): void {
    const written = {
        stack: plan.stack,
        resourceCount: plan.resources.length,
        resources: plan.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            custom: r.custom,
            provider: r.provider,
            dependencies: r.dependencies,
            additionalSecretOutputs: r.additionalSecretOutputs,
            secretInputs: r.secretInputs,
            inputs: redactedInputs(r),
        })),
        outputs: plan.outputs,
    };
    fs.writeFileSync(path.join(outDir, "plan.json"), `${JSON.stringify(written, null, 2)}\n`);

    const manifests = path.join(outDir, "manifests");
    fs.mkdirSync(manifests, { recursive: true });
    kubernetesObjects(plan.resources).forEach((object, index) => {
        const slug = [object.kind, object.metadata.namespace, object.metadata.name].filter(Boolean).join("-").toLowerCase().replace(/[^a-z0-9.-]/g, "-");
        fs.writeFileSync(path.join(manifests, `${String(index).padStart(4, "0")}-${slug}.yaml`), yaml.dump(object, { noRefs: true, lineWidth: 160 }));
    });

    const artifacts = path.join(outDir, "artifacts");
    for (const sub of ["user-data", "scripts", "rules"]) {
        fs.mkdirSync(path.join(artifacts, sub), { recursive: true });
    }
    for (const a of userDataArtifacts(plan.resources)) {
        fs.writeFileSync(path.join(artifacts, "user-data", a.name), a.text);
    }
    for (const a of scriptArtifacts(plan.resources)) {
        fs.writeFileSync(path.join(artifacts, "scripts", a.name.endsWith(".sh") ? a.name : `${a.name}.sh`), a.text);
    }
    for (const r of ruleGroupArtifacts(plan.resources)) {
        fs.writeFileSync(path.join(artifacts, "rules", `${r.name}.yaml`), yaml.dump({ groups: r.groups }, { noRefs: true, lineWidth: 200 }));
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
