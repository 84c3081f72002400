import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import * as yaml from "js-yaml";

/**
 * Validates custom resources against the `openAPIV3Schema` of an upstream CRD committed in the repository, for
 * kinds no `@kubernetes-models/*` package describes. The validator is Ajv 8 (the JSON-schema validator
 * `@kubernetes-models/validate` is built on, pinned as a dev dependency at the same version). A structural
 * CRD schema is JSON schema plus Kubernetes extensions: `x-kubernetes-int-or-string` is checked (integer or
 * string), the other `x-kubernetes-*` keywords only shape merges and are accepted as annotations, and the
 * `int32`/`int64`/`date-time` formats are not checked (Ajv has no such formats; the apiserver checks them).
 */

/** Committed CRDs by API group (paths relative to the repository root; one CRD per file). */
const CRD_FILES: Record<string, readonly string[]> = {
    "upgrade.cattle.io": ["charts/system-upgrade-controller/crd.yaml"],
    "postgresql.cnpg.io": ["charts/cloudnative-pg/crd-clusters.yaml", "charts/cloudnative-pg/crd-scheduledbackups.yaml"],
    "velero.io": ["charts/velero/crd-schedules.yaml", "charts/velero/crd-restores.yaml"],
    // Kinds @kubernetes-models/argo-cd does not model (the Argo Rollouts CRDs share the argoproj.io group).
    "argoproj.io": ["charts/argo-rollouts/crd-rollout.yaml", "charts/argo-rollouts/crd-analysis-template.yaml", "charts/argo-rollouts/crd-cluster-analysis-template.yaml"],
    "psmdb.percona.com": ["charts/psmdb-operator/crd-perconaservermongodbs.yaml", "charts/psmdb-operator/crd-perconaservermongodbbackups.yaml", "charts/psmdb-operator/crd-perconaservermongodbrestores.yaml"],
    "redis.redis.opstreelabs.in": ["charts/redis-operator/crd-redisreplications.yaml"],
    "pxc.percona.com": ["charts/pxc-operator/crd-perconaxtradbclusters.yaml", "charts/pxc-operator/crd-perconaxtradbclusterbackups.yaml", "charts/pxc-operator/crd-perconaxtradbclusterrestores.yaml"],
};

const ROOT = path.resolve(__dirname, "../..");

interface CrdDocument {
    spec: { group: string; names: { kind: string }; versions: Array<{ name: string; schema?: { openAPIV3Schema?: object } }> };
}

function newAjv(): Ajv {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    ajv.addKeyword({
        keyword: "x-kubernetes-int-or-string",
        schemaType: "boolean",
        validate: (enabled: boolean, data: unknown) => !enabled || typeof data === "string" || Number.isInteger(data),
        errors: false,
    });
    for (const keyword of ["x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource"]) {
        ajv.addKeyword({ keyword });
    }
    return ajv;
}

/**
 * The schema with unknown fields refused: the API server prunes a field its structural schema does not declare,
 * silently, so a misspelled field would pass plain JSON-schema validation and never take effect. Objects that
 * declare `properties` get `additionalProperties: false` unless they preserve unknown fields.
 */
function refuseUnknownFields(schema: unknown): unknown {
    if (Array.isArray(schema)) {
        return schema.map(refuseUnknownFields);
    }
    if (schema === null || typeof schema !== "object") {
        return schema;
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
        // `properties` maps names to schemas: recurse into each schema, not into the map itself as a schema.
        out[key] = key === "properties" && value && typeof value === "object" ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, refuseUnknownFields(v)])) : refuseUnknownFields(value);
    }
    if (out.properties && out.additionalProperties === undefined && out["x-kubernetes-preserve-unknown-fields"] !== true) {
        out.additionalProperties = false;
    }
    return out;
}

const validators = new Map<string, ValidateFunction | undefined>();

/** The compiled validator of `group/version` `kind`, or undefined when no committed CRD describes it. */
export function crdValidator(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion}/${kind}`;
    if (validators.has(key)) {
        return validators.get(key);
    }
    const [group, version] = apiVersion.split("/");
    let validator: ValidateFunction | undefined;
    for (const file of group ? (CRD_FILES[group] ?? []) : []) {
        const crd = yaml.load(fs.readFileSync(path.join(ROOT, file), "utf8")) as CrdDocument;
        const schema = crd.spec.names.kind === kind ? crd.spec.versions.find((v) => v.name === version)?.schema?.openAPIV3Schema : undefined;
        if (schema) {
            validator = newAjv().compile(refuseUnknownFields(schema) as object);
            break;
        }
    }
    validators.set(key, validator);
    return validator;
}

/** Errors of an object against its committed CRD schema (`[]` when valid), or undefined when there is no such CRD. */
export function crdSchemaErrors(object: object & { apiVersion?: string; kind?: string }): string[] | undefined {
    if (!object.apiVersion || !object.kind) {
        return undefined;
    }
    const validate = crdValidator(object.apiVersion, object.kind);
    if (!validate) {
        return undefined;
    }
    return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message ?? e.keyword}`);
}
