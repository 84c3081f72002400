/**
 * The dependency model: what a Kubernetes object needs to exist in the cluster before it can be created and
 * become ready, read from the object itself, and which platform resource provides each need. Components
 * declare what they provide (`Provides`); a consumer derives its requirements from the objects it renders and
 * depends on exactly their providers, instead of on every add-on.
 *
 * Requirements (string keys, so they can be listed, compared and printed):
 * - `api-group:<group>`: a kind outside the built-in API groups needs its CustomResourceDefinitions (and the
 *   webhook that validates it, which the installing release serves once Helm's wait is over);
 * - `storage-class:<name>`: a PersistentVolumeClaim (or a StatefulSet's claim template) needs its StorageClass
 *   and the provisioner behind it;
 * - `runtime-class:<name>`: a pod naming a RuntimeClass is rejected by admission until that class exists;
 * - `nodes:<pool>`: a pod pinned to a pool (`platform/pool` node selector) waits for that pool's nodes Ready;
 * - `service:<namespace>/<name>`: a pod configured with a platform Service's cluster DNS name
 *   (`<name>.<namespace>.svc.cluster.local`) talks to it at start (the bucket Job and MinIO);
 * - `namespace:<name>`: an object placed in a namespace it does not create itself;
 * - `admission:<scope>`: admission policies that must be in force before any object of a scope exists
 *   (declared by the consumer, e.g. a tenant namespace; objects do not name them).
 *
 * Pure: no Pulumi imports, so the offline tools and the tests can use it on plans and rendered objects.
 */

/** A requirement key (see the module comment). */
export type RequirementKey = string;

/** API groups served by the Kubernetes API server itself (no CRD, no add-on needed). */
export const BUILT_IN_API_GROUPS: ReadonlySet<string> = new Set([
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    // k3s' own CRDs (HelmChart, Addon, ETCDSnapshotFile) exist from the first server start.
    "helm.cattle.io",
    "k3s.cattle.io",
]);

/** Node label that pins a pod to a pool (components/nodes/node-plan.ts sets it on every node). */
export const POOL_LABEL = "platform/pool";

/** The requirement keys. */
export const requirement = {
    apiGroup: (group: string): RequirementKey => `api-group:${group}`,
    storageClass: (name: string): RequirementKey => `storage-class:${name}`,
    runtimeClass: (name: string): RequirementKey => `runtime-class:${name}`,
    nodes: (pool: string): RequirementKey => `nodes:${pool}`,
    service: (namespace: string, name: string): RequirementKey => `service:${namespace}/${name}`,
    namespace: (name: string): RequirementKey => `namespace:${name}`,
    admission: (scope: string): RequirementKey => `admission:${scope}`,
} as const;

/** The API group of an `apiVersion` (`monitoring.coreos.com/v1` → `monitoring.coreos.com`, `v1` → ""). */
export function apiGroupOf(apiVersion: string): string {
    const slash = apiVersion.indexOf("/");
    return slash < 0 ? "" : apiVersion.slice(0, slash);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The pod spec of a workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). */
function podSpecOf(object: Obj): Obj | undefined {
    const spec = object.spec;
    if (!isObj(spec)) {
        return undefined;
    }
    if (object.kind === "Pod") {
        return spec;
    }
    const template = object.kind === "CronJob" && isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec) ? spec.jobTemplate.spec.template : spec.template;
    return isObj(template) && isObj(template.spec) ? template.spec : undefined;
}

/** `<name>.<namespace>.svc.cluster.local` names in a string. */
const SERVICE_DNS = /\b([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc\.cluster\.local\b/g;

function serviceNames(value: string): Array<{ namespace: string; name: string }> {
    return [...value.matchAll(SERVICE_DNS)].map((m) => ({ name: m[1]!, namespace: m[3]! }));
}

/**
 * What one Kubernetes object needs before it can be created and become ready. `ownNamespaces` are the
 * namespaces the consumer creates itself (no requirement for objects placed there).
 */
export function requirementsOf(object: unknown, ownNamespaces: readonly string[] = []): RequirementKey[] {
    if (!isObj(object)) {
        return [];
    }
    const needs = new Set<RequirementKey>();
    const group = apiGroupOf(String(object.apiVersion ?? ""));
    if (!BUILT_IN_API_GROUPS.has(group)) {
        needs.add(requirement.apiGroup(group));
    }
    const metadata = isObj(object.metadata) ? object.metadata : {};
    const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
    if (namespace && object.kind !== "Namespace" && !ownNamespaces.includes(namespace)) {
        needs.add(requirement.namespace(namespace));
    }
    const spec = isObj(object.spec) ? object.spec : {};
    if (object.kind === "PersistentVolumeClaim" && typeof spec.storageClassName === "string") {
        needs.add(requirement.storageClass(spec.storageClassName));
    }
    for (const claim of list(spec.volumeClaimTemplates)) {
        const className = isObj(claim) && isObj(claim.spec) ? claim.spec.storageClassName : undefined;
        if (typeof className === "string") {
            needs.add(requirement.storageClass(className));
        }
    }
    const pod = podSpecOf(object);
    if (pod) {
        if (typeof pod.runtimeClassName === "string") {
            needs.add(requirement.runtimeClass(pod.runtimeClassName));
        }
        const pool = isObj(pod.nodeSelector) ? pod.nodeSelector[POOL_LABEL] : undefined;
        if (typeof pool === "string") {
            needs.add(requirement.nodes(pool));
        }
        for (const container of [...list(pod.initContainers), ...list(pod.containers)]) {
            for (const env of isObj(container) ? list(container.env) : []) {
                const value = isObj(env) ? env.value : undefined;
                for (const service of typeof value === "string" ? serviceNames(value) : []) {
                    if (!ownNamespaces.includes(service.namespace)) {
                        needs.add(requirement.service(service.namespace, service.name));
                    }
                }
            }
        }
    }
    return [...needs].sort();
}

/**
 * When a need must be met, relative to its consumer:
 * - `create`: before the consumer is created (Pulumi `dependsOn`): the API server rejects the object otherwise
 *   (CRDs and their webhook, the namespace, a pod's RuntimeClass), or an ordering guarantee rests on it
 *   (admission policies, a pool's nodes, a StorageClass object, so a claim never falls to another class);
 * - `ready`: the consumer can be created at once and the cluster holds it until the provider runs, so only its
 *   readiness follows the provider's. A long-running client of a Service (a Helm release, a Deployment,
 *   StatefulSet or DaemonSet) restarts until the Service answers (Loki exits at start when its object store
 *   does not answer, grafana/loki#13780, and kubelet restarts it); a Job or bare Pod runs once and would fail,
 *   so for them a Service is a `create` need. The provisioner behind a StorageClass is always a `ready` need
 *   (the PV controller leaves a claim of an out-of-tree class Pending, "waiting for a volume to be created, either
 *   by external provisioner ...", kubernetes/kubernetes pkg/controller/volume/persistentvolume/pv_controller.go,
 *   until the driver's external-provisioner runs and provisions it), resolved by the bring-up estimate from the class's `provisioner` (CSI_DRIVERS_BY_CHART).
 */
export type RequirementPhase = "create" | "ready";

/** Kinds that run until stopped and restart on a failed start (workloads, Argo Rollouts, Helm releases of them). */
const LONG_RUNNING_KINDS: ReadonlySet<string> = new Set(["Release", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout"]);

/**
 * Annotation (`"true"`) of a Job whose pods wait for the platform Services they are given: they probe each until it
 * answers, bounded by the Job's `activeDeadlineSeconds`, which covers the Service's release timeout (the registry's
 * configurator, components/registry/configurator.ts). For such a Job a Service is a `ready` need, like for a
 * long-running client; without it a Job runs once and would fail, so a Service is a `create` need.
 */
export const WAITS_FOR_SERVICES_ANNOTATION = "platform/waits-for-services";

/** Whether an object carries {@link WAITS_FOR_SERVICES_ANNOTATION}. */
export function waitsForServices(object: unknown): boolean {
    const metadata = isObj(object) && isObj(object.metadata) ? object.metadata : {};
    return isObj(metadata.annotations) && metadata.annotations[WAITS_FOR_SERVICES_ANNOTATION] === "true";
}

/**
 * The phase of one need of a consumer of `consumerKind` (see RequirementPhase); `waitsForItsServices` for a Job
 * annotated with {@link WAITS_FOR_SERVICES_ANNOTATION}.
 */
export function phaseOf(key: RequirementKey, consumerKind: string, waitsForItsServices = false): RequirementPhase {
    return key.startsWith("service:") && (LONG_RUNNING_KINDS.has(consumerKind) || (consumerKind === "Job" && waitsForItsServices)) ? "ready" : "create";
}

/** The needs of a consumer that must be met before it is created (what its `dependsOn` holds). */
export function creationNeeds(keys: readonly RequirementKey[], consumerKind: string, waitsForItsServices = false): RequirementKey[] {
    return keys.filter((key) => phaseOf(key, consumerKind, waitsForItsServices) === "create");
}

/** The needs of a consumer its readiness waits for in the cluster, after it was created. */
export function readinessNeeds(keys: readonly RequirementKey[], consumerKind: string, waitsForItsServices = false): RequirementKey[] {
    return keys.filter((key) => phaseOf(key, consumerKind, waitsForItsServices) === "ready");
}

/**
 * CSI drivers (a StorageClass's `provisioner`) each pinned chart runs: a claim of such a class binds only once
 * that chart's release is ready. longhorn/longhorn@v1.12.1:chart/templates/storageclass.yaml
 * (`provisioner: driver.longhorn.io`); the driver is deployed by the chart's driver-deployer
 * (chart/templates/deployment-driver.yaml) once longhorn-manager answers. Helm's wait covers the deployer, not the
 * CSI pods it creates: the estimate takes the release's readiness for the driver's (a lower bound). k3s' own local-path provisioner
 * (`rancher.io/local-path`) runs from the first server start and is in no chart.
 */
export const CSI_DRIVERS_BY_CHART: Readonly<Record<string, readonly string[]>> = {
    longhorn: ["driver.longhorn.io"],
};

/** What a component provides: requirement key → the resources after which the need is met. */
export type Provides<R> = Readonly<Record<RequirementKey, readonly R[]>>;

/** Merges what several components provide (a key provided twice lists both providers). */
export function mergeProvides<R>(...all: ReadonlyArray<Provides<R>>): Provides<R> {
    const merged: Record<RequirementKey, R[]> = {};
    for (const provides of all) {
        for (const [key, resources] of Object.entries(provides)) {
            (merged[key] ??= []).push(...resources);
        }
    }
    return merged;
}

/** A requirement no platform component provides. */
export interface UnmetRequirement {
    /** The requirement key. */
    requirement: RequirementKey;
    /** What needs it (`<kind>/<name>`). */
    neededBy: string;
}

/** A consumer's requirements that nothing provides: the program stops with all of them listed. */
export class UnmetRequirementsError extends Error {
    /** Every unmet requirement. */
    readonly unmet: readonly UnmetRequirement[];

    constructor(consumer: string, unmet: readonly UnmetRequirement[]) {
        super(
            `${consumer}: ${unmet.length} requirement(s) no platform component provides; nothing was registered for it.\n` +
                unmet.map((u) => `  - ${u.neededBy} needs ${u.requirement}`).join("\n") +
                "\n  fix: enable the add-on that provides it (platform:addons), or change the object to use one the stack has",
        );
        this.name = "UnmetRequirementsError";
        this.unmet = unmet;
    }
}

/**
 * The providers of a list of requirements, in the order given; requirements in `internal` are met by the
 * consumer itself. Unmet ones are collected into `unmet` (so a consumer reports all of them at once).
 */
export function providersOf<R>(
    requirements: readonly RequirementKey[],
    provides: Provides<R>,
    neededBy: string,
    unmet: UnmetRequirement[],
    internal: ReadonlySet<RequirementKey> = new Set(),
): R[] {
    const resources: R[] = [];
    for (const key of requirements) {
        if (internal.has(key)) {
            continue;
        }
        const found = provides[key];
        if (!found || found.length === 0) {
            if (!OPTIONAL_REQUIREMENT_PREFIXES.some((prefix) => key.startsWith(prefix))) {
                unmet.push({ requirement: key, neededBy });
            }
            continue;
        }
        for (const r of found) {
            if (!resources.includes(r)) {
                resources.push(r);
            }
        }
    }
    return resources;
}

/**
 * What a Helm release needs, read from the values the program passes: every `storageClass`/`storageClassName`
 * it sets (its claims) and every platform Service it is pointed at by cluster DNS name. Chart defaults the
 * values do not set are not seen; the rendered-facts test compares this with the claims Helm really renders.
 */
export function releaseRequirements(values: unknown, ownNamespaces: readonly string[] = []): RequirementKey[] {
    const needs = new Set<RequirementKey>();
    const walk = (value: unknown, key: string | undefined): void => {
        if (typeof value === "string") {
            if ((key === "storageClass" || key === "storageClassName") && value !== "" && value !== "-") {
                needs.add(requirement.storageClass(value));
            }
            for (const service of serviceNames(value)) {
                if (!ownNamespaces.includes(service.namespace)) {
                    needs.add(requirement.service(service.namespace, service.name));
                }
            }
        } else if (Array.isArray(value)) {
            value.forEach((v) => walk(v, undefined));
        } else if (isObj(value)) {
            Object.entries(value).forEach(([k, v]) => walk(v, k));
        }
    };
    walk(values, undefined);
    return [...needs].sort();
}

/**
 * Requirement kinds a consumer may leave unmet: a Service no component declares is either the consumer's own,
 * a tenant's, or one whose clients retry (Grafana and Alloy pointed at Loki); only Services that clients need
 * at start are declared (MinIO for the bucket Job and Loki).
 */
export const OPTIONAL_REQUIREMENT_PREFIXES: readonly string[] = ["service:"];

/**
 * Resolves a consumer's needs against what the platform provides and collects the unmet ones, so the consumer
 * can stop with all of them (`throwIfUnmet`) before it registers anything. Without `provides` (the platform
 * already exists, e.g. in a tenant stack) every need resolves to nothing and none is unmet.
 */
export class Needs<R> {
    private readonly unmet: UnmetRequirement[] = [];

    constructor(
        private readonly consumer: string,
        private readonly provides: Provides<R> | undefined,
    ) {}

    /** The providers of `requirements`, needed by `neededBy` (`<kind>/<name>`); `internal` ones the consumer meets itself. */
    of(requirements: readonly RequirementKey[], neededBy: string, internal?: ReadonlySet<RequirementKey>): R[] {
        return this.provides ? providersOf(requirements, this.provides, neededBy, this.unmet, internal) : [];
    }

    /** Throws `UnmetRequirementsError` listing every need nothing provides. */
    throwIfUnmet(): void {
        if (this.unmet.length > 0) {
            throw new UnmetRequirementsError(this.consumer, this.unmet);
        }
    }
}
