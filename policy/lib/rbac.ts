import { metadataOf, namespaceOf, objectNameOf } from "./kubernetes";
import type { ResourceView } from "./namespaces";
import { asArray, asRecord, asString, asStrings } from "./values";

/**
 * RBAC reading: binding subjects that belong to tenants, and wildcard rules.
 */

/** Groups every tenant ServiceAccount (or every caller) is a member of. */
export const ALL_TENANTS_GROUPS: readonly string[] = ["system:serviceaccounts", "system:authenticated", "system:unauthenticated"];

/** A binding subject. */
export interface Subject {
    /** `ServiceAccount`, `User` or `Group`. */
    kind: string;
    /** Name. */
    name: string;
    /** Namespace (ServiceAccounts). */
    namespace?: string;
}

/** The subjects of a (Cluster)RoleBinding. */
export function subjectsOf(props: Record<string, unknown>): Subject[] {
    return asArray(props.subjects).map((entry) => {
        const subject = asRecord(entry) ?? {};
        return { kind: asString(subject.kind) ?? "", name: asString(subject.name) ?? "", namespace: asString(subject.namespace) };
    });
}

/** The roleRef of a binding. */
export function roleRefOf(props: Record<string, unknown>): { kind: string; name: string } {
    const ref = asRecord(props.roleRef) ?? {};
    return { kind: asString(ref.kind) ?? "", name: asString(ref.name) ?? "" };
}

/**
 * The tenant namespace a subject belongs to (ServiceAccount in it, or its `system:serviceaccounts:<ns>`
 * group), `*` for groups that contain every tenant, or `undefined` for subjects outside the tenants.
 */
export function tenantOfSubject(subject: Subject, tenants: ReadonlySet<string>, bindingNamespace?: string): string | undefined {
    if (subject.kind === "ServiceAccount") {
        // A RoleBinding's ServiceAccount subject without a namespace means the binding's namespace.
        const namespace = subject.namespace ?? bindingNamespace;
        return namespace !== undefined && tenants.has(namespace) ? namespace : undefined;
    }
    if (subject.kind === "Group") {
        if (ALL_TENANTS_GROUPS.includes(subject.name)) {
            return "*";
        }
        const match = /^system:serviceaccounts:(.+)$/.exec(subject.name);
        return match?.[1] !== undefined && tenants.has(match[1]) ? match[1] : undefined;
    }
    return undefined;
}

/** `ServiceAccount "shop/workload"`, `Group "system:serviceaccounts"`. */
export function describeSubject(subject: Subject): string {
    return `${subject.kind} "${subject.namespace ? `${subject.namespace}/` : ""}${subject.name}"`;
}

/** Rules (by index, from 1) that use `*` in verbs or resources. */
export function wildcardRulesOf(props: Record<string, unknown>): Array<{ index: number; fields: string[] }> {
    const found: Array<{ index: number; fields: string[] }> = [];
    asArray(props.rules).forEach((entry, index) => {
        const rule = asRecord(entry) ?? {};
        const fields = (["verbs", "resources"] as const).filter((field) => asStrings(rule[field]).includes("*"));
        if (fields.length > 0) {
            found.push({ index: index + 1, fields });
        }
    });
    return found;
}

/** `kind "namespace/name"` of a namespaced object, for messages. */
export function describeNamespaced(resource: ResourceView): string {
    const kind = resource.type.split(":").pop() ?? resource.type;
    return `${kind} "${namespaceOf(resource.props)}/${objectNameOf(resource)}"`;
}

/** `kind "name"` of a cluster-scoped object, for messages. */
export function describeClusterScoped(resource: ResourceView): string {
    const kind = resource.type.split(":").pop() ?? resource.type;
    return `${kind} "${metadataOf(resource.props).name ?? resource.name}"`;
}
