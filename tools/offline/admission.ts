import { celEnv, celMethod, CelScalar, isCelError, isCelList, isCelMap, listType, parse, plan, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import type { IValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import type { IValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { selectorMatches, type LabelSelector } from "./label-selector";

export { selectorMatches } from "./label-selector";

/**
 * An offline model of the API server's ValidatingAdmissionPolicy admission step, so the platform's admission
 * policies are evaluated (not only schema-checked) without a cluster. CEL runs in @bufbuild/cel, a standard CEL
 * implementation; Kubernetes adds libraries on top of standard CEL, of which this module provides the ones the
 * platform's policies use: the cel-go `strings` extension (@bufbuild/cel/ext) and the Kubernetes regex library
 * (`find`, `findAll`, k8s.io/apiserver pkg/cel/library/regex.go). An expression that calls anything else fails
 * to plan here, so a policy cannot silently depend on a function this model lacks.
 *
 * Modelled: the binding's namespaceSelector (matchLabels, matchExpressions), the policy's resourceRules
 * (groups, versions, resources, operations, `*`), matchConditions, variables (in order, each may use the
 * earlier ones), validations with message/messageExpression, failurePolicy on evaluation errors, and
 * validationActions `Deny`. Not modelled: params (the platform's policies take none), audit annotations,
 * CEL cost limits, type checking against the OpenAPI schema.
 */

/** What one admission request carries into CEL. */
export interface AdmissionRequest {
    /** The object being admitted (as the API server sees it after defaulting). */
    object: Record<string, unknown>;
    /** The existing object on UPDATE. */
    oldObject?: Record<string, unknown>;
    /** The namespace object of a namespaced request (labels, annotations). */
    namespaceObject?: Record<string, unknown>;
    /** CREATE, UPDATE, DELETE or CONNECT. */
    operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
    /** The requesting user (`request.userInfo`); a tenant's user when absent. */
    userInfo?: { username: string; groups?: string[] };
    /**
     * The subresource written (`status`, `ephemeralcontainers`); absent for the resource itself. A rule's
     * `pods` (or `*`) matches only the resource; `pods/status`, `pods/*`, `*\/status` and `*\/*` a subresource
     * (admissionregistration/v1 RuleWithOperations `resources`).
     */
    subResource?: string;
}

/** The outcome of one policy (through its binding) for one request. */
export interface AdmissionDecision {
    /** Whether the binding and policy selected the request at all. */
    matched: boolean;
    /** False when a validation failed (or errored under failurePolicy Fail) and the binding denies. */
    allowed: boolean;
    /** Messages of the failed validations, in order. */
    messages: string[];
}

/** Plural resource names of the kinds the platform's policies match (the API server's REST mapping). */
export const RESOURCE_OF_KIND: Readonly<Record<string, string>> = {
    Pod: "pods",
    Service: "services",
    ConfigMap: "configmaps",
    Secret: "secrets",
    ServiceAccount: "serviceaccounts",
    PersistentVolumeClaim: "persistentvolumeclaims",
    Deployment: "deployments",
    StatefulSet: "statefulsets",
    DaemonSet: "daemonsets",
    ReplicaSet: "replicasets",
    ReplicationController: "replicationcontrollers",
    Job: "jobs",
    CronJob: "cronjobs",
    Ingress: "ingresses",
    NetworkPolicy: "networkpolicies",
    Role: "roles",
    RoleBinding: "rolebindings",
    IngressRoute: "ingressroutes",
    IngressRouteTCP: "ingressroutetcps",
    IngressRouteUDP: "ingressrouteudps",
    Middleware: "middlewares",
    // postgresql.cnpg.io: the only `Cluster` kind that reaches tenant namespaces.
    Cluster: "clusters",
    ScheduledBackup: "scheduledbackups",
    // The Redis operator's kinds (redis.redis.opstreelabs.in; `Redis` pluralises to `redis`, as its CRD names it).
    Redis: "redis",
    RedisCluster: "redisclusters",
    RedisReplication: "redisreplications",
    RedisSentinel: "redissentinels",
    PerconaXtraDBCluster: "perconaxtradbclusters",
    PerconaXtraDBClusterRestore: "perconaxtradbclusterrestores",
    PerconaXtraDBClusterBackup: "perconaxtradbclusterbackups",
    PerconaServerMongoDB: "perconaservermongodbs",
    PerconaServerMongoDBRestore: "perconaservermongodbrestores",
    PerconaServerMongoDBBackup: "perconaservermongodbbackups",
    Rollout: "rollouts",
    AnalysisTemplate: "analysistemplates",
    AnalysisRun: "analysisruns",
    Experiment: "experiments",
};

/** Go's regexp syntax is RE2; the patterns the policies use are in the subset JavaScript reads the same way. */
function compile(pattern: string): RegExp {
    return new RegExp(pattern, "gu");
}

/** Go's `FindAllString`: successive non-overlapping matches; an empty match right after a match is skipped. */
function findAllGo(text: string, pattern: string, limit: number): string[] {
    const found: string[] = [];
    const re = compile(pattern);
    let position = 0;
    let previousEnd = -1;
    while (position <= text.length && (limit < 0 || found.length < limit)) {
        re.lastIndex = position;
        const match = re.exec(text);
        if (!match) {
            break;
        }
        const start = match.index;
        const end = start + match[0].length;
        let accept = true;
        if (end === start) {
            if (start === previousEnd) {
                accept = false;
            }
            position = start + 1;
        } else {
            position = end;
        }
        previousEnd = end;
        if (accept) {
            found.push(match[0]);
        }
    }
    return found;
}

/** The Kubernetes regex library (k8s.io/apiserver pkg/cel/library/regex.go). */
export const KUBERNETES_REGEX_FUNCTIONS = [
    celMethod("find", CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (pattern) {
        return findAllGo(this, pattern, 1)[0] ?? "";
    }),
    celMethod("findAll", CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (pattern) {
        return findAllGo(this, pattern, -1);
    }),
    celMethod("findAll", CelScalar.STRING, [CelScalar.STRING, CelScalar.INT], listType(CelScalar.STRING), function (pattern, limit) {
        return findAllGo(this, pattern, Number(limit));
    }),
];

/** Every function the offline API server offers beyond standard CEL. */
const KUBERNETES_FUNCTIONS = [...strings, ...KUBERNETES_REGEX_FUNCTIONS];

/**
 * JSON → CEL values as the API server binds them: integral numbers are CEL `int` (Kubernetes integer fields),
 * other numbers `double`, objects maps, arrays lists.
 */
export function toCel(value: unknown): CelInput {
    if (isCelMap(value) || isCelList(value)) {
        return value;
    }
    if (typeof value === "number") {
        return Number.isInteger(value) ? BigInt(value) : value;
    }
    if (Array.isArray(value)) {
        return value.map(toCel);
    }
    if (value !== null && typeof value === "object") {
        return new Map(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toCel(v)]));
    }
    return value as CelInput;
}

const env = celEnv({ funcs: KUBERNETES_FUNCTIONS });
const compiled = new Map<string, ReturnType<typeof plan>>();

/** Evaluates one CEL expression with the given bindings; a CEL error is returned as an Error. */
export function evaluateCel(expression: string, bindings: Record<string, unknown>): unknown {
    return evaluateBound(expression, Object.fromEntries(Object.entries(bindings).map(([k, v]) => [k, toCel(v)])));
}

/** {@link evaluateCel} over bindings already converted with {@link toCel} (admission converts a request once). */
function evaluateBound(expression: string, bindings: Record<string, CelInput>): unknown {
    let program = compiled.get(expression);
    if (!program) {
        program = plan(env, parse(expression));
        compiled.set(expression, program);
    }
    const result = program(bindings as never);
    if (isCelError(result)) {
        return new Error(`${result.message} (in: ${expression})`);
    }
    return result;
}

const wildcardOr = (list: readonly string[] | undefined, value: string) => (list ?? []).some((entry) => entry === "*" || entry === value);

function groupVersionOf(object: Record<string, unknown>): { group: string; version: string } {
    const apiVersion = String(object.apiVersion ?? "");
    const slash = apiVersion.indexOf("/");
    return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Whether the policy's resourceRules select the request. */
export function resourceRulesMatch(policy: IValidatingAdmissionPolicy, request: AdmissionRequest): boolean {
    const kind = String(request.object.kind ?? "");
    const resource = RESOURCE_OF_KIND[kind];
    if (!resource) {
        throw new Error(`no REST mapping for kind ${kind} in the offline admission model; add it to RESOURCE_OF_KIND`);
    }
    const { group, version } = groupVersionOf(request.object);
    const sub = request.subResource ?? "";
    // As the API server's rule matcher (k8s.io/apiserver pkg/admission/plugin/webhook/predicates/rules, resource()):
    // an entry splits at its first `/` into resource and subresource (none without), each `*` or equal to the request's.
    const resourceMatches = (entries: readonly string[] | undefined) =>
        (entries ?? []).some((entry) => {
            const slash = entry.indexOf("/");
            const [res, entrySub] = slash < 0 ? [entry, ""] : [entry.slice(0, slash), entry.slice(slash + 1)];
            return (res === "*" || res === resource) && (entrySub === "*" || entrySub === sub);
        });
    return (policy.spec?.matchConstraints?.resourceRules ?? []).some(
        (rule) =>
            wildcardOr(rule.apiGroups, group) &&
            wildcardOr(rule.apiVersions, version) &&
            resourceMatches(rule.resources) &&
            wildcardOr(rule.operations as string[] | undefined, request.operation),
    );
}

const labelsOf = (object: Record<string, unknown> | undefined): Record<string, string> =>
    ((object?.metadata as Record<string, unknown> | undefined)?.labels as Record<string, string> | undefined) ?? {};

/**
 * Runs one policy through its binding for one request, the way the API server's admission plugin does:
 * binding selection, policy match, matchConditions, variables, validations.
 */
export function admit(policy: IValidatingAdmissionPolicy, binding: IValidatingAdmissionPolicyBinding, request: AdmissionRequest): AdmissionDecision {
    if (binding.spec?.policyName !== policy.metadata?.name) {
        throw new Error(`binding ${binding.metadata?.name} names policy ${binding.spec?.policyName}, not ${policy.metadata?.name}`);
    }
    if (request.namespaceObject && !selectorMatches(binding.spec?.matchResources?.namespaceSelector as LabelSelector | undefined, labelsOf(request.namespaceObject))) {
        return { matched: false, allowed: true, messages: [] };
    }
    if (!request.namespaceObject && binding.spec?.matchResources?.namespaceSelector) {
        // A namespaceSelector never selects cluster-scoped objects.
        return { matched: false, allowed: true, messages: [] };
    }
    if (!resourceRulesMatch(policy, request)) {
        return { matched: false, allowed: true, messages: [] };
    }
    const spec = policy.spec!;
    const failClosed = (spec.failurePolicy ?? "Fail") === "Fail";
    // Converted once per request; each variable joins `variables` as the CEL value it evaluated to.
    const variables = new Map<string, CelInput>();
    const bindings: Record<string, CelInput> = {
        object: toCel(request.object),
        oldObject: toCel(request.oldObject ?? null),
        namespaceObject: toCel(request.namespaceObject ?? null),
        request: toCel({ operation: request.operation, kind: { kind: request.object.kind }, subResource: request.subResource ?? "", userInfo: request.userInfo ?? { username: "system:serviceaccount:tenant:default", groups: ["system:serviceaccounts"] } }),
        variables,
    };
    const denyOnError = (what: string, error: Error): AdmissionDecision =>
        failClosed ? { matched: true, allowed: false, messages: [`${what}: ${error.message}`] } : { matched: true, allowed: true, messages: [] };

    for (const condition of spec.matchConditions ?? []) {
        const result = evaluateBound(condition.expression, bindings);
        if (result instanceof Error) {
            return denyOnError(`matchCondition ${condition.name}`, result);
        }
        if (result !== true) {
            return { matched: false, allowed: true, messages: [] };
        }
    }
    for (const variable of spec.variables ?? []) {
        const result = evaluateBound(variable.expression, bindings);
        if (result instanceof Error) {
            return denyOnError(`variable ${variable.name}`, result);
        }
        variables.set(variable.name, result as CelInput);
    }
    const messages: string[] = [];
    for (const validation of spec.validations ?? []) {
        const result = evaluateBound(validation.expression, bindings);
        if (result instanceof Error) {
            if (failClosed) {
                messages.push(`validation error: ${result.message}`);
            }
            continue;
        }
        if (result !== true) {
            let message = validation.message ?? `failed expression: ${validation.expression}`;
            if (validation.messageExpression) {
                const rendered = evaluateBound(validation.messageExpression, bindings);
                if (typeof rendered === "string" && rendered.length > 0) {
                    message = rendered;
                }
            }
            messages.push(message);
        }
    }
    const denies = (binding.spec?.validationActions ?? []).includes("Deny");
    return { matched: true, allowed: messages.length === 0 || !denies, messages };
}
