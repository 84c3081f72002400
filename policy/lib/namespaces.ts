import { LABELS, TENANT_NAMESPACE_LABEL } from "../../lib/conventions";
import { K8S_TYPES, metadataOf, namespaceOf, objectNameOf } from "./kubernetes";
import { whenKnown } from "./values";

/**
 * Tenant namespaces: a Namespace labelled `platform/tenant: "true"` (TENANT_NAMESPACE_LABEL) that is not one
 * of the configured platform namespaces. Stack policies look namespaces up here; namespace-scoped resource
 * policies, which cannot see the Namespace object, exempt the platform namespaces by name instead.
 */

export { TENANT_NAMESPACE_LABEL };

/** The Pod Security Admission enforce label. */
export const PSA_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

/** Trust levels of a tenant (`platform/trust`). */
export type TenantTrust = "trusted" | "untrusted";

/** A resource as both resource and stack policies see it (structurally a `PolicyResource` subset). */
export interface ResourceView {
    /** Type token. */
    type: string;
    /** Inputs (resource policies) or outputs (stack policies). */
    props: Record<string, unknown>;
    /** URN. */
    urn: string;
    /** Pulumi resource name. */
    name: string;
}

/** What the rules know about one namespace declared in the stack. */
export interface NamespaceInfo {
    /** Kubernetes name. */
    name: string;
    /** Its labels. */
    labels: Record<string, string>;
    /** Its annotations (the platform's grants, NAMESPACE_GRANT_ANNOTATIONS). */
    annotations: Record<string, string>;
    /** Labelled as a tenant namespace and not a platform namespace. */
    tenant: boolean;
    /** `platform/trust`; anything but an explicit `trusted` counts as untrusted (fail closed). */
    trust: TenantTrust;
    /** The Namespace resource. */
    resource: ResourceView;
}

/** Whether namespace labels mark a tenant namespace. */
export function hasTenantLabel(labels: Readonly<Record<string, string>>): boolean {
    return labels[TENANT_NAMESPACE_LABEL] === "true";
}

/** Whether a namespace name is one of the configured platform namespaces. */
export function isPlatformNamespace(name: string, platformNamespaces: readonly string[]): boolean {
    return platformNamespaces.includes(name);
}

/** Every Namespace declared in the stack, by name. */
export function namespacesOf(resources: readonly ResourceView[], platformNamespaces: readonly string[]): Map<string, NamespaceInfo> {
    const namespaces = new Map<string, NamespaceInfo>();
    for (const resource of resources) {
        if (resource.type !== K8S_TYPES.namespace) {
            continue;
        }
        const info = whenKnown<NamespaceInfo | undefined>(() => {
            const { labels, annotations } = metadataOf(resource.props);
            const name = objectNameOf(resource);
            return {
                name,
                labels,
                annotations,
                tenant: hasTenantLabel(labels) && !isPlatformNamespace(name, platformNamespaces),
                trust: labels[LABELS.trust] === "trusted" ? "trusted" : "untrusted",
                resource,
            };
        }, undefined);
        if (info) {
            namespaces.set(info.name, info);
        }
    }
    return namespaces;
}

/** The tenant namespaces declared in the stack. */
export function tenantNamespacesOf(resources: readonly ResourceView[], platformNamespaces: readonly string[]): NamespaceInfo[] {
    return [...namespacesOf(resources, platformNamespaces).values()].filter((n) => n.tenant);
}

/**
 * Per resource list and type: namespace → resources, in list order. Stack rules ask once per tenant, so a
 * filter over the whole list each time was quadratic in the number of tenants (npm run bench: most of a
 * 1,000-tenant plan). Keyed weakly by the list the engine (or the offline evaluator) hands a rule.
 */
const namespaceIndex = new WeakMap<readonly ResourceView[], Map<string, Map<string, ResourceView[]>>>();

/** Resources of one type in one namespace (resources whose namespace is unknown at preview are skipped). */
export function resourcesInNamespace(resources: readonly ResourceView[], type: string, namespace: string): ResourceView[] {
    let byType = namespaceIndex.get(resources);
    if (!byType) {
        byType = new Map();
        namespaceIndex.set(resources, byType);
    }
    let byNamespace = byType.get(type);
    if (!byNamespace) {
        byNamespace = new Map();
        for (const r of resources) {
            if (r.type !== type) {
                continue;
            }
            const ns = whenKnown<string | undefined>(() => namespaceOf(r.props), undefined);
            if (ns !== undefined) {
                const list = byNamespace.get(ns) ?? [];
                list.push(r);
                byNamespace.set(ns, list);
            }
        }
        byType.set(type, byNamespace);
    }
    // A copy: callers may sort or filter in place without touching the index.
    return [...(byNamespace.get(namespace) ?? [])];
}
