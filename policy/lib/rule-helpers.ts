import type { ReportViolation, ResourceValidation, ResourceValidationArgs, StackValidation } from "@pulumi/policy";
import { packConfig, type PackConfig } from "./config";
import { readK3sConfig, type K3sNodeConfig } from "./k3s-config";
import { isPlatformNamespace, tenantNamespacesOf, type NamespaceInfo, type ResourceView } from "./namespaces";
import { namespaceOf } from "./kubernetes";
import { containersOf, isWorkloadType, podMetadataOf, podSecurityContextOf, podSpecOf, type ContainerRef } from "./pod-spec";
import { asStringMap } from "./values";

/**
 * Building blocks of the rules: type filters that mark other resources "not applicable" (so the engine reports
 * applicability the way it does for `validateResourceOfType`), the workload context every pod-security rule
 * starts from, the k3s-config context of the cluster rules and the tenant-namespace context of the tenancy
 * stack rules.
 */

/**
 * A resource-type filter: a list of type tokens, a predicate over the type alone, or a predicate that also
 * reads the props. The form says whether the answer depends on the type only (the offline evaluator then
 * decides once per type instead of once per resource).
 */
export type TypeMatcher =
    | readonly string[]
    | { readonly byType: (type: string) => boolean }
    | { readonly byTypeAndProps: (type: string, props: Record<string, unknown>) => boolean };

/**
 * A validation with a type filter the caller can consult up front. The offline evaluator asks it before
 * calling the rule, so the hundreds of thousands of not-applicable pairs of a large plan cost a function
 * call instead of a thrown signal; the CrossGuard engine just calls the rule, which throws as usual.
 */
export interface TypeFilteredValidation extends ResourceValidation {
    /** Why the rule does not apply to a resource of this type and props, or `undefined` when it does. */
    notApplicableReason(type: string, props: Record<string, unknown>): string | undefined;
    /** True when the answer depends on the type alone (a type list, or a predicate declared over the type only). */
    readonly typeOnly: boolean;
}

/** A validation that only runs for matching resources; others are reported as not applicable. */
export function forTypes(match: TypeMatcher, validate: (args: ResourceValidationArgs, report: ReportViolation) => void): TypeFilteredValidation {
    const types = isTypeList(match) ? new Set(match) : undefined;
    const reason = `applies to ${isTypeList(match) ? match.join(", ") : "other resource kinds"}`;
    const applies = (type: string, props: Record<string, unknown>): boolean =>
        isTypeList(match) ? types!.has(type) : "byType" in match ? match.byType(type) : match.byTypeAndProps(type, props);
    const notApplicableReason = (type: string, props: Record<string, unknown>): string | undefined => (applies(type, props) ? undefined : reason);
    const validation: ResourceValidation = (args, report) => {
        const skip = notApplicableReason(args.type, args.props);
        if (skip !== undefined) {
            args.notApplicable(skip);
        }
        validate(args, report);
    };
    return Object.assign(validation, { notApplicableReason, typeOnly: isTypeList(match) || "byType" in match });
}

function isTypeList(match: TypeMatcher): match is readonly string[] {
    return Array.isArray(match);
}

/**
 * A validation over objects of these types in tenant namespaces: objects in platform namespaces (pack config
 * `platformNamespaces`) are not applicable.
 */
export function forTenantObjects(types: readonly string[], validate: (args: ResourceValidationArgs, report: ReportViolation) => void): TypeFilteredValidation {
    return forTypes(types, (args, report) => {
        if (isPlatformNamespace(namespaceOf(args.props), packConfig(args).platformNamespaces)) {
            args.notApplicable("platform namespace");
        }
        validate(args, report);
    });
}

/** What a pod-security rule sees of one workload. */
export interface WorkloadContext {
    /** The validation args. */
    args: ResourceValidationArgs;
    /** Type token. */
    type: string;
    /** The pod spec (`{}` when missing). */
    podSpec: Record<string, unknown>;
    /** The pod-level security context (`{}` when missing). */
    podSecurityContext: Record<string, unknown>;
    /** Every container of the pod spec (containers, initContainers, ephemeralContainers). */
    containers: ContainerRef[];
    /** Namespace the workload runs in. */
    namespace: string;
    /** Labels of the pod (its template's for controllers). */
    podLabels: Record<string, string>;
    /** The effective pack config. */
    config: PackConfig;
}

/** A validation over every workload kind (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). */
export function forWorkloads(validate: (workload: WorkloadContext, report: ReportViolation) => void): TypeFilteredValidation {
    return forTypes(
        { byType: isWorkloadType },
        (args, report) => {
            const podSpec = podSpecOf(args.type, args.props);
            validate(
                {
                    args,
                    type: args.type,
                    podSpec,
                    podSecurityContext: podSecurityContextOf(podSpec),
                    containers: containersOf(podSpec),
                    namespace: namespaceOf(args.props),
                    podLabels: asStringMap(podMetadataOf(args.type, args.props).labels),
                    config: packConfig(args),
                },
                report,
            );
        },
    );
}

/** What a tenancy stack rule starts from. */
export interface TenancyStackContext {
    /** Every resource of the stack. */
    resources: ResourceView[];
    /** The tenant namespaces declared in the stack. */
    tenants: NamespaceInfo[];
    /** The effective pack config. */
    config: PackConfig;
}

/**
 * A stack validation over the tenant namespaces; not applicable when the stack declares none (a stack that
 * only builds nodes has no tenants to isolate).
 */
export function forTenantNamespaces(validate: (context: TenancyStackContext, report: ReportViolation) => void): StackValidation {
    return (args, report) => {
        const config = packConfig(args);
        const resources = args.resources as unknown as ResourceView[];
        const tenants = tenantNamespacesOf(resources, config.platformNamespaces);
        if (tenants.length === 0) {
            args.notApplicable("the stack declares no tenant namespaces");
        }
        validate({ resources, tenants, config }, report);
    };
}

/**
 * A validation over the k3s config a resource's user-data delivers (hcloud servers, bare-metal servers: any
 * resource with a string `userData`). User-data without a k3s config is not applicable; a k3s config that does
 * not parse is a violation (the rule cannot establish what it checks, so it fails closed).
 */
export function forK3sNodes(validate: (node: K3sNodeConfig, args: ResourceValidationArgs, report: ReportViolation) => void): TypeFilteredValidation {
    return forTypes(
        { byTypeAndProps: (_type, props) => typeof props.userData === "string" },
        (args, report) => {
            const read = readK3sConfig(args.props.userData);
            if (read.kind === "none") {
                args.notApplicable("user-data carries no k3s config");
            } else if (read.kind === "invalid") {
                report(`k3s config ${read.file} in user-data cannot be read: ${read.reason}`);
            } else {
                validate(read.node, args, report);
            }
        },
    );
}
