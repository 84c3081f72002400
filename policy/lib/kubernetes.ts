import { asRecord, asString, asStringMap } from "./values";

/**
 * Kubernetes resource types as Pulumi type tokens and readers of their metadata. Pulumi Kubernetes resources
 * carry the object's fields at the top level of their inputs (`apiVersion`, `kind`, `metadata`, `spec`).
 */

/** Type tokens of the Kubernetes resources the rules inspect. */
export const K8S_TYPES = {
    namespace: "kubernetes:core/v1:Namespace",
    pod: "kubernetes:core/v1:Pod",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
    resourceQuota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    runtimeClass: "kubernetes:node.k8s.io/v1:RuntimeClass",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
} as const;

/**
 * The namespace Kubernetes puts an object in when its manifest names none. (A Pulumi Kubernetes provider can
 * configure another default; the platform's provider does not.)
 */
export const DEFAULT_NAMESPACE = "default";

/** The metadata fields rules read. */
export interface ObjectMetadata {
    /** `metadata.name`, when set. */
    name?: string;
    /** `metadata.namespace`, when set. */
    namespace?: string;
    /** `metadata.labels` (string values only). */
    labels: Record<string, string>;
    /** `metadata.annotations` (string values only). */
    annotations: Record<string, string>;
}

/** The metadata of a Kubernetes resource's props. */
export function metadataOf(props: unknown): ObjectMetadata {
    const metadata = asRecord(asRecord(props)?.metadata) ?? {};
    return {
        name: asString(metadata.name),
        namespace: asString(metadata.namespace),
        labels: asStringMap(metadata.labels),
        annotations: asStringMap(metadata.annotations),
    };
}

/** The namespace an object lands in: `metadata.namespace`, or `default` when the manifest names none. */
export function namespaceOf(props: unknown): string {
    const namespace = metadataOf(props).namespace;
    return namespace && namespace.length > 0 ? namespace : DEFAULT_NAMESPACE;
}

/**
 * The Kubernetes name of an object: `metadata.name`, else the Pulumi resource name (Pulumi auto-names from it
 * with a random suffix, so it is the best available approximation before the object exists).
 */
export function objectNameOf(resource: { name: string; props: unknown }): string {
    return metadataOf(resource.props).name ?? resource.name;
}

/** The `spec` of a Kubernetes resource's props (empty object when missing). */
export function specOf(props: unknown): Record<string, unknown> {
    return asRecord(asRecord(props)?.spec) ?? {};
}

/**
 * Whether a label selector selects everything: `{}` or only empty `matchLabels`/`matchExpressions`.
 * (An absent selector is not "empty": callers decide what absence means for their field.)
 */
export function isEmptySelector(selector: unknown): boolean {
    const record = asRecord(selector);
    if (!record) {
        return false;
    }
    const matchLabels = asRecord(record.matchLabels);
    const matchExpressions = record.matchExpressions;
    const noLabels = matchLabels === undefined || Object.keys(matchLabels).length === 0;
    const noExpressions = matchExpressions === undefined || (Array.isArray(matchExpressions) && matchExpressions.length === 0);
    return noLabels && noExpressions;
}
