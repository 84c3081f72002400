import type {
    EnforcementLevel,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import type { PlannedResource } from "../tools/offline/plan-types";
import { POLICY_PACK_NAME, resolvePackConfig, type PackConfig } from "./lib/config";
import type { TypeFilteredValidation } from "./lib/rule-helpers";
import { POLICIES, type PackPolicy } from "./rules";

/**
 * The offline evaluator: runs the pack's rules over a mock-engine plan (`PlannedResource[]`) the way the
 * CrossGuard engine runs them over a preview: every ResourceValidationPolicy once per custom resource, every
 * StackValidationPolicy once over the whole stack. The validation args are faithful fakes of
 * `@pulumi/policy`'s (type, props, urn, name, opts, provider, isType/asType, getConfig, notApplicable,
 * stackTags); secret inputs arrive unwrapped, as in a real preview. It does not import `policy/index.ts`
 * (that would start the gRPC server).
 */

/** One reported violation. */
export interface PolicyViolation {
    /** Policy name. */
    policy: string;
    /** Effective level (`remediate` is reported as mandatory, as the engine does for validations). */
    enforcementLevel: Exclude<EnforcementLevel, "disabled" | "remediate">;
    /** URN of the offending resource (absent for stack-wide violations). */
    urn?: string;
    /** Its type token. */
    type?: string;
    /** Its Pulumi name. */
    name?: string;
    /** What is wrong. */
    message: string;
}

/** A policy that was not applicable to a resource (or to the stack), with its reason. */
export interface NotApplicableRecord {
    /** Policy name. */
    policy: string;
    /** URN of the resource (absent for stack policies). */
    urn?: string;
    /** The reason the policy gave. */
    reason?: string;
}

/** Everything one evaluation found. */
export interface PolicyReport {
    /** Violations, in policy order. */
    violations: PolicyViolation[];
    /** Not-applicable markers (useful to see which rules looked at what). */
    notApplicable: NotApplicableRecord[];
    /** Number of policies run (not disabled). */
    policiesRun: number;
}

/** Options of an offline evaluation. */
export interface EvaluateOptions {
    /** Rules to run (default: the whole pack). */
    policies?: readonly PackPolicy[];
    /** Per-policy enforcement overrides, like `--policy-pack-config` (`disabled` skips the policy). */
    enforcementLevels?: Readonly<Record<string, EnforcementLevel>>;
    /** Stack tags passed to the rules. */
    stackTags?: Readonly<Record<string, string>>;
    /** Keep the not-applicable markers in the report (default true; a large plan has about a million). */
    recordNotApplicable?: boolean;
}

/** Thrown by the fake `notApplicable`; the evaluator records it instead of a violation. */
export class NotApplicableSignal extends Error {
    /** The reason given. */
    readonly reason?: string;

    constructor(reason?: string) {
        // A control-flow signal, thrown for most rule × resource pairs (1.3 million in a 1,000-tenant plan):
        // capturing and source-mapping a stack trace for each was a sixth of that plan's time. Nothing reads it.
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        super(reason ?? "policy does not apply");
        Error.stackTraceLimit = limit;
        this.name = "NotApplicableSignal";
        this.reason = reason;
    }
}

const throwNotApplicable = (reason?: string): never => {
    throw new NotApplicableSignal(reason);
};

function isStackPolicy(policy: PackPolicy): policy is StackValidationPolicy {
    return typeof (policy as StackValidationPolicy).validateStack === "function";
}

/** `isType`/`asType` compare the type token a resource class carries (`__pulumiType`), as the engine does. */
function typeOfClass(resourceClass: unknown): string | undefined {
    const token = (resourceClass as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof token === "string" && token.length > 0 ? token : undefined;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const token = typeOfClass(resourceClass);
    if (token) {
        return token === type;
    }
    const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean } | undefined)?.isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/** `isType` of validation args and policy resources, shared rather than a closure per resource. */
function isTypeMethod(this: { type: string }, resourceClass: unknown): boolean {
    return isTypeOf(this.type, resourceClass);
}

/** `asType`: the props when the resource is of the class's type. */
function asTypeMethod(this: { type: string; props: Record<string, unknown> }, resourceClass: unknown): Record<string, unknown> | undefined {
    return isTypeOf(this.type, resourceClass) ? this.props : undefined;
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.freeze(value);
        Object.values(value).forEach(deepFreeze);
    }
    return value;
}

/** The resource options a policy sees (plus `dependsOn` and `provider`, which the plan records). */
export type OfflineResourceOptions = PolicyResourceOptions & { dependsOn: string[]; provider?: string };

function optionsOf(resource: PlannedResource): OfflineResourceOptions {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [...resource.additionalSecretOutputs],
        ...(resource.parent ? { parent: resource.parent } : {}),
        dependsOn: [...resource.dependencies],
        ...(resource.provider ? { provider: resource.provider } : {}),
    };
}

/** The provider resource a `<urn>::<id>` reference points at, if it is in the plan. */
function providerOf(resource: PlannedResource, byUrn: ReadonlyMap<string, PlannedResource>): PolicyProviderResource | undefined {
    if (!resource.provider) {
        return undefined;
    }
    const urn = resource.provider.slice(0, resource.provider.lastIndexOf("::"));
    const provider = byUrn.get(urn);
    return provider ? { type: provider.type, props: provider.inputs, urn: provider.urn, name: provider.name } : undefined;
}

function checkSync(result: unknown, policy: string): void {
    if (result !== undefined && typeof (result as { then?: unknown }).then === "function") {
        throw new Error(`policy ${policy} returned a promise; the offline evaluator runs synchronous rules only`);
    }
}

function levelOf(policy: PackPolicy, overrides: Readonly<Record<string, EnforcementLevel>>): EnforcementLevel {
    return overrides[policy.name] ?? policy.enforcementLevel ?? "mandatory";
}

/** A policy ready to run: its effective level and its validation functions. */
interface ActivePolicy {
    policy: PackPolicy;
    enforcementLevel: PolicyViolation["enforcementLevel"];
    /** Violations and not-applicable markers it produced, kept per policy so the report stays in policy order. */
    violations: PolicyViolation[];
    notApplicable: NotApplicableRecord[];
}

/**
 * Runs the rules over a plan and returns everything found. `config` overrides the pack config for every
 * policy (as if the same keys were set on each policy in `--policy-pack-config`).
 *
 * Resource policies run resource by resource: the validation args of a resource are built once and shared
 * by every rule (rules only read them), which is what keeps a 30,000-resource plan at seconds rather than
 * minutes. The report is still in policy order, then resource order.
 */
export function evaluatePolicyReport(resources: readonly PlannedResource[], config: Partial<PackConfig> = {}, options: EvaluateOptions = {}): PolicyReport {
    const overrides = options.enforcementLevels ?? {};
    // One deeply frozen copy for every call: a rule that tries to change its config fails instead of leaking
    // the change into the next rule (a fresh copy per call was a tenth of a large plan's policy time). Kept per
    // configuration (by its JSON text: a caller may change its object between calls): the stacks of a region
    // are evaluated with the same one.
    const configKey = JSON.stringify(config);
    let frozenConfig = frozenConfigs.get(configKey);
    if (!frozenConfig) {
        frozenConfig = deepFreeze(structuredClone(resolvePackConfig(config as Record<string, unknown>)));
        frozenConfigs.set(configKey, frozenConfig);
    }
    const getConfig = <T extends object>(): T => frozenConfig as unknown as T;
    const stackTags: ReadonlyMap<string, string> = new Map(Object.entries(options.stackTags ?? {}));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const recordNotApplicable = options.recordNotApplicable ?? true;

    const active: ActivePolicy[] = [];
    for (const policy of options.policies ?? POLICIES) {
        const configured = levelOf(policy, overrides);
        if (configured !== "disabled") {
            active.push({ policy, enforcementLevel: configured === "remediate" ? "mandatory" : configured, violations: [], notApplicable: [] });
        }
    }

    const describe = (urn: string | undefined) => {
        const resource = urn ? byUrn.get(urn) : undefined;
        return resource ? { urn: resource.urn, type: resource.type, name: resource.name } : urn ? { urn } : {};
    };
    const run = (entry: ActivePolicy, urn: string | undefined, body: (report: ReportViolation) => unknown) => {
        try {
            checkSync(
                body((message, reportedUrn) => {
                    entry.violations.push({ policy: entry.policy.name, enforcementLevel: entry.enforcementLevel, ...describe(reportedUrn ?? urn), message: message || entry.policy.description });
                }),
                entry.policy.name,
            );
        } catch (error) {
            if (error instanceof NotApplicableSignal) {
                if (recordNotApplicable) {
                    entry.notApplicable.push({ policy: entry.policy.name, ...(urn ? { urn } : {}), ...(error.reason ? { reason: error.reason } : {}) });
                }
                return;
            }
            const where = urn ? ` on ${urn}` : "";
            throw new Error(`policy ${entry.policy.name} failed${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
    };

    const checks = resourceChecksOf(options.policies ?? POLICIES, active);
    const checksOf = (type: string) => {
        const ofType = checks.ofType(type);
        return recordNotApplicable ? ofType.all : ofType.applicable;
    };
    for (const resource of resources) {
        if (!resource.custom || checks.count === 0) {
            continue;
        }
        let args: ReturnType<typeof resourceArgs> | undefined;
        for (const { activeIndex, validate, byType, typeSkip } of checksOf(resource.type)) {
            const entry = active[activeIndex]!;
            const skip = byType ? typeSkip : (validate as Partial<TypeFilteredValidation>).notApplicableReason?.(resource.type, resource.inputs);
            if (skip !== undefined) {
                if (recordNotApplicable) {
                    entry.notApplicable.push({ policy: entry.policy.name, urn: resource.urn, reason: skip });
                }
                continue;
            }
            args ??= resourceArgs(resource, byUrn, stackTags, getConfig);
            const validationArgs = args;
            run(entry, resource.urn, (report) => validate(validationArgs, report));
        }
    }

    let stackResources: PolicyResource[] | undefined;
    for (const entry of active) {
        const policy = entry.policy;
        if (isStackPolicy(policy)) {
            // Built once for every stack policy: rules only read the resources.
            stackResources ??= stackResourcesOf(resources, byUrn);
            const args: StackValidationArgs = { resources: stackResources, stackTags, getConfig, notApplicable: throwNotApplicable };
            run(entry, undefined, (report) => policy.validateStack(args, report));
        }
    }
    return { violations: active.flatMap((e) => e.violations), notApplicable: active.flatMap((e) => e.notApplicable), policiesRun: active.length };
}

/**
 * What validation args and stack-policy resources both show of a resource: identity, props, options, provider,
 * `isType` (`asType` is typed differently by the two, so each adds the shared {@link asTypeMethod} itself).
 */
function resourceView(resource: PlannedResource, byUrn: ReadonlyMap<string, PlannedResource>): Pick<PolicyResource, "type" | "props" | "urn" | "name" | "opts" | "provider" | "isType"> {
    const provider = providerOf(resource, byUrn);
    return {
        type: resource.type,
        props: resource.inputs,
        urn: resource.urn,
        name: resource.name,
        opts: optionsOf(resource),
        ...(provider ? { provider } : {}),
        isType: isTypeMethod,
    };
}

/** The validation args of one resource, as CrossGuard passes them (plus the plan's secret-input markers). */
function resourceArgs(
    resource: PlannedResource,
    byUrn: ReadonlyMap<string, PlannedResource>,
    stackTags: ReadonlyMap<string, string>,
    getConfig: ResourceValidationArgs["getConfig"],
): ResourceValidationArgs & { secretInputs: readonly string[] } {
    return {
        ...resourceView(resource, byUrn),
        asType: asTypeMethod as ResourceValidationArgs["asType"],
        stackTags,
        getConfig,
        notApplicable: throwNotApplicable,
        // Offline extension: the plan knows which inputs were secret (see secrets-credential-outputs).
        secretInputs: [...resource.secretInputs],
    };
}

/** The stack's resources as `PolicyResource`s: parents and dependencies resolved to the objects themselves. */
function stackResourcesOf(resources: readonly PlannedResource[], byUrn: ReadonlyMap<string, PlannedResource>): PolicyResource[] {
    const converted = new Map<string, PolicyResource>();
    for (const resource of resources) {
        converted.set(resource.urn, { ...resourceView(resource, byUrn), asType: asTypeMethod as PolicyResource["asType"], dependencies: [], propertyDependencies: {} });
    }
    for (const resource of resources) {
        const target = converted.get(resource.urn)!;
        const parent = resource.parent ? converted.get(resource.parent) : undefined;
        if (parent) {
            target.parent = parent;
        }
        target.dependencies = resource.dependencies.map((d) => converted.get(d)).filter((d): d is PolicyResource => d !== undefined);
    }
    return [...converted.values()];
}

/** One resource check of a run: the validation and the index of its policy among the run's active policies. */
interface ResourceCheck {
    activeIndex: number;
    validate: ResourceValidation;
    /** The check's filter reads the type alone; `typeSkip` is then its answer for the type (undefined: it applies). */
    byType: boolean;
    typeSkip?: string;
}

/** A run's resource checks in policy order, and per resource type `all` of them (for the not-applicable record) and the `applicable` ones. */
interface ResourceChecks {
    count: number;
    ofType(type: string): { all: readonly ResourceCheck[]; applicable: readonly ResourceCheck[] };
}

/**
 * Resource checks by policy list and by which of its policies are active (the enforcement overrides may
 * disable some). They hold no per-run state (violations are kept on the run's own active entries, found by
 * index), so every stack of a region planned in one process shares them: building each type's list anew per
 * stack was a tenth of a tenant stack's policy time.
 */
const resourceCheckCache = new WeakMap<readonly PackPolicy[], Map<string, ResourceChecks>>();

function resourceChecksOf(policies: readonly PackPolicy[], active: readonly ActivePolicy[]): ResourceChecks {
    let byActive = resourceCheckCache.get(policies);
    if (!byActive) {
        byActive = new Map();
        resourceCheckCache.set(policies, byActive);
    }
    // Which policies are active, by position in the list (the list itself is the WeakMap key).
    const key = active.map((entry) => policies.indexOf(entry.policy)).join(",");
    let checks = byActive.get(key);
    if (!checks) {
        const listed: Array<{ activeIndex: number; validate: ResourceValidation }> = [];
        active.forEach((entry, activeIndex) => {
            if (!isStackPolicy(entry.policy)) {
                for (const validate of ([] as ResourceValidation[]).concat(entry.policy.validateResource ?? [])) {
                    listed.push({ activeIndex, validate });
                }
            }
        });
        // A type filter that reads only the type gives the same answer for every resource of that type: ask it
        // once per type.
        const byType = new Map<string, { all: ResourceCheck[]; applicable: ResourceCheck[] }>();
        checks = {
            count: listed.length,
            ofType(type) {
                let ofType = byType.get(type);
                if (!ofType) {
                    const all = listed.map((check): ResourceCheck => {
                        const filter = check.validate as Partial<TypeFilteredValidation>;
                        const typeOnly = filter.typeOnly === true;
                        return { ...check, byType: typeOnly, typeSkip: typeOnly ? typeSkipOf(filter as TypeFilteredValidation, type) : undefined };
                    });
                    ofType = { all, applicable: all.filter((c) => c.typeSkip === undefined) };
                    byType.set(type, ofType);
                }
                return ofType;
            },
        };
        byActive.set(key, checks);
    }
    return checks;
}

/** Frozen, resolved pack configurations by the JSON text of the configuration they were made from. */
const frozenConfigs = new Map<string, PackConfig>();

/** Why a type-only check does not apply to a type (undefined: it applies), by check and type, asked once per process. */
const typeSkips = new WeakMap<TypeFilteredValidation, Map<string, string | undefined>>();

/** A type-only filter's answer for `type`: it reads the type alone, so every stack of the process shares it. */
function typeSkipOf(filter: TypeFilteredValidation, type: string): string | undefined {
    let byType = typeSkips.get(filter);
    if (!byType) {
        byType = new Map();
        typeSkips.set(filter, byType);
    }
    if (!byType.has(type)) {
        byType.set(type, filter.notApplicableReason(type, {}));
    }
    return byType.get(type);
}

/** Runs the rules over a plan and returns the violations (see {@link evaluatePolicyReport}). */
export function evaluatePolicies(resources: readonly PlannedResource[], config: Partial<PackConfig> = {}, options: EvaluateOptions = {}): PolicyViolation[] {
    return evaluatePolicyReport(resources, config, { recordNotApplicable: false, ...options }).violations;
}

function formatOne(v: PolicyViolation): string {
    const subject = v.type ? `${v.type} "${v.name ?? v.urn}"` : v.urn ? v.urn : "stack";
    return `  [${v.policy}] ${subject}: ${v.message}`;
}

/** Human-readable report, grouped by level (mandatory first), as `npm run plan` prints it. */
export function formatViolations(violations: readonly PolicyViolation[]): string {
    if (violations.length === 0) {
        return `Policy pack ${POLICY_PACK_NAME}: no violations.`;
    }
    const levels = ["mandatory", "advisory"] as const;
    const counts = levels.map((level) => `${violations.filter((v) => v.enforcementLevel === level).length} ${level}`);
    const lines = [`Policy pack ${POLICY_PACK_NAME}: ${counts.join(", ")} violation(s).`];
    for (const level of levels) {
        const group = violations.filter((v) => v.enforcementLevel === level);
        if (group.length > 0) {
            lines.push(`${level} (${group.length}):`, ...group.map(formatOne));
        }
    }
    return lines.join("\n");
}
