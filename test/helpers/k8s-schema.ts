import * as fs from "node:fs";
import * as path from "node:path";
import { crdSchemaErrors } from "./crd-schema";

/**
 * Validates Kubernetes objects against the OpenAPI schemas shipped by `kubernetes-models` (core API) and the
 * `@kubernetes-models/*` CRD packages, or else against a committed upstream CRD (test/helpers/crd-schema.ts).
 * Kinds with no schema at all are reported, never silently passed.
 */

/** Result of validating one object. */
export interface SchemaResult {
    /** `apiVersion/kind name` of the object. */
    id: string;
    /** `valid`, `invalid` (with errors) or `no-schema` (no package describes this kind). */
    status: "valid" | "invalid" | "no-schema";
    /** Validation error text when invalid. */
    error?: string;
}

const CRD_PACKAGES: Record<string, string> = {
    "cert-manager.io": "@kubernetes-models/cert-manager",
    "acme.cert-manager.io": "@kubernetes-models/cert-manager",
    "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
    "traefik.io": "@kubernetes-models/traefik",
    "traefik.containo.us": "@kubernetes-models/traefik",
    "argoproj.io": "@kubernetes-models/argo-cd",
};

const root = path.resolve(__dirname, "../../node_modules");

function modulePathFor(apiVersion: string, kind: string): string | undefined {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    const candidates: string[] = [];
    if (group === "") {
        candidates.push(path.join(root, "kubernetes-models", version!, `${kind}.js`));
    } else if (CRD_PACKAGES[group!]) {
        candidates.push(path.join(root, CRD_PACKAGES[group!]!, group!, version!, `${kind}.js`));
    } else {
        // Built-in groups: "apps" lives at kubernetes-models/apps, "networking.k8s.io" at kubernetes-models/networking.k8s.io.
        candidates.push(path.join(root, "kubernetes-models", group!, version!, `${kind}.js`));
    }
    return candidates.find((c) => fs.existsSync(c));
}

/** Validates one object; `no-schema` when neither kubernetes-models nor a CRD package knows its kind. */
export function validateObject(object: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): SchemaResult {
    const id = `${object.apiVersion}/${object.kind} ${object.metadata?.name ?? "(unnamed)"}`;
    if (!object.apiVersion || !object.kind) {
        return { id, status: "invalid", error: "apiVersion and kind are required" };
    }
    const modulePath = modulePathFor(object.apiVersion, object.kind);
    if (!modulePath) {
        // No model package: an upstream CRD committed in the repository may still describe the kind.
        const crdErrors = crdSchemaErrors(object);
        if (crdErrors === undefined) {
            return { id, status: "no-schema" };
        }
        return crdErrors.length === 0 ? { id, status: "valid" } : { id, status: "invalid", error: crdErrors.join("; ") };
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(modulePath) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = mod[object.kind];
    if (!Model) {
        return { id, status: "no-schema" };
    }
    try {
        new Model(object).validate();
        return { id, status: "valid" };
    } catch (error) {
        return { id, status: "invalid", error: formatError(error) };
    }
}

function formatError(error: unknown): string {
    const e = error as { message?: string; errors?: unknown };
    return e.errors ? `${e.message}: ${JSON.stringify(e.errors)}` : String(e.message ?? error);
}
