import * as yaml from "js-yaml";
import type { PlannedResource } from "./plan-types";

/**
 * Extracts the artefacts the verification spine checks from a synthesized plan: Kubernetes objects,
 * cloud-init user-data, shell scripts and Prometheus rule groups.
 */

/** A Kubernetes object as the program declared it. */
export interface KubernetesObject {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
    [key: string]: unknown;
}

/** A named text artefact taken from a resource input. */
export interface TextArtifact {
    /** File-system-safe name: `<resource name>.<what>`. */
    name: string;
    /** URN of the resource it came from. */
    urn: string;
    /** The text. */
    text: string;
}

/** True for resources that are Kubernetes API objects (not providers, Helm releases or components). */
export function isKubernetesObject(resource: PlannedResource): boolean {
    return (
        resource.custom &&
        resource.type.startsWith("kubernetes:") &&
        !resource.type.startsWith("kubernetes:helm.sh/") &&
        typeof resource.inputs.apiVersion === "string" &&
        typeof resource.inputs.kind === "string"
    );
}

/** Every Kubernetes object in the plan. */
export function kubernetesObjects(resources: readonly PlannedResource[]): KubernetesObject[] {
    return resources.filter(isKubernetesObject).map(kubernetesObjectOf);
}

/** The object a Kubernetes resource applies (its inputs; `metadata.name` defaults to the resource name). */
export function kubernetesObjectOf(resource: PlannedResource): KubernetesObject {
    const metadata = { ...((resource.inputs.metadata as KubernetesObject["metadata"] | undefined) ?? {}) };
    metadata.name ??= resource.name;
    return { ...resource.inputs, metadata } as KubernetesObject;
}

/** Every cloud-init user-data in the plan (hcloud servers, bare-metal nodes). */
export function userDataArtifacts(resources: readonly PlannedResource[]): TextArtifact[] {
    return resources
        .filter((r) => r.custom && typeof r.inputs.userData === "string")
        .map((r) => ({ name: `${r.name}.user-data.yaml`, urn: r.urn, text: r.inputs.userData as string }));
}

interface WriteFile {
    path?: string;
    content?: string;
    encoding?: string;
}

/**
 * Every shell script in the plan: scripts written by cloud-init (`write_files` with a shebang) and any
 * resource input string that starts with a shebang (remote commands, bare-metal install steps).
 */
export function scriptArtifacts(resources: readonly PlannedResource[]): TextArtifact[] {
    const scripts: TextArtifact[] = [];
    for (const artifact of userDataArtifacts(resources)) {
        const doc = yaml.load(artifact.text) as { write_files?: WriteFile[] } | undefined;
        for (const file of doc?.write_files ?? []) {
            const content = file.encoding === "b64" ? Buffer.from(file.content ?? "", "base64").toString("utf8") : (file.content ?? "");
            if (content.startsWith("#!")) {
                scripts.push({ name: `${artifact.name.replace(/\.user-data\.yaml$/, "")}${(file.path ?? "script").replace(/\//g, "_")}`, urn: artifact.urn, text: content });
            }
        }
    }
    for (const resource of resources.filter((r) => r.custom)) {
        for (const [key, value] of Object.entries(resource.inputs)) {
            if (typeof value === "string" && value.startsWith("#!") && key !== "userData") {
                scripts.push({ name: `${resource.name}.${key}.sh`, urn: resource.urn, text: value });
            }
        }
    }
    return scripts;
}

/** A Prometheus rule group as written in a PrometheusRule or a rules file. */
export interface RuleGroup {
    name: string;
    rules: Array<Record<string, unknown>>;
    [key: string]: unknown;
}

/** Every PrometheusRule's groups, keyed by the object's name. */
export function ruleGroupArtifacts(resources: readonly PlannedResource[]): Array<{ name: string; groups: RuleGroup[] }> {
    return kubernetesObjects(resources)
        .filter((o) => o.kind === "PrometheusRule")
        .map((o) => ({ name: String(o.metadata.name), groups: ((o.spec as { groups?: RuleGroup[] } | undefined)?.groups ?? []) }));
}
