import type { ResourceValidationPolicy } from "@pulumi/policy";
import { REDIS_IMAGES } from "../../../charts/images";
import { TENANT_STORAGE_CLASSES } from "../../../lib/conventions";
import { PLATFORM_REDIS_SECRET, TENANT_PLACEMENT } from "../../lib/catalogue";
import { configSchemaFor, packConfig, type PackConfig } from "../../lib/config";
import { metadataOf, namespaceOf, specOf } from "../../lib/kubernetes";
import { forTenantObjects } from "../../lib/rule-helpers";
import { asRecord, asString, at, sameValue } from "../../lib/values";

/** API group of the OpsTree Redis Operator's kinds. */
export const REDIS_API_GROUP = "redis.redis.opstreelabs.in";

/** Pulumi type of a RedisReplication (the one kind a tenant's Redis is). */
export const REDIS_REPLICATION_TYPE = `kubernetes:${REDIS_API_GROUP}/v1beta2:RedisReplication`;

/** The operator's other kinds, which no tenant object may be (standalone Redis, Redis Cluster, a Sentinel group of its own). */
export const REDIS_OTHER_TYPES = ["Redis", "RedisCluster", "RedisSentinel"].map((kind) => `kubernetes:${REDIS_API_GROUP}/v1beta2:${kind}`);

/**
 * The Secret and key of the Redis `default` user's password (`kubernetesConfig.redisSecret`), which is also the
 * one ACL Secret (`acl.secret.secretName`): the platform's {@link PLATFORM_REDIS_SECRET}, written by the grants
 * stack (components/project/redis.ts renderRedisSecrets). A tenant object naming another Secret would choose
 * the operator's password or the ACL file (one of its own, or a Secret of the platform's the operator's pods
 * would then mount).
 */
export const REDIS_OPERATOR_SECRET = { name: PLATFORM_REDIS_SECRET, key: "REDIS_PASSWORD" } as const;

/**
 * Annotations the operator v0.26.0 acts on, which no tenant object carries: any key of `opstreelabs.in` or a
 * subdomain of it (RE2 and ECMAScript read the pattern alike). `redisreplication.opstreelabs.in/skip-reconcile`
 * (internal/controller/common/skip_reconcile.go) stops the operator from applying the platform's object to the
 * StatefulSets (a pinned image's fix, the ACL and password Secret); `redis.opstreelabs.in/recreate-statefulset`
 * and `...-strategy` (internal/k8sutils/redis-replication.go, constants.go) make it delete and recreate the
 * StatefulSets with a propagation of the tenant's choosing; `redis.opstreelabs.instance` and
 * `redis.opstreelabs.in` are the operator's own marks on what it makes (internal/k8sutils/labels.go
 * generateStatefulSetsAnots, which copies the object's annotations onto its StatefulSets and Services).
 */
export const REDIS_OPERATOR_ANNOTATION_PATTERN = "^([a-z0-9.-]+[.])?opstreelabs[.](in|instance)(/|$)";

/** The operator's annotations ({@link REDIS_OPERATOR_ANNOTATION_PATTERN}) on a tenant object, by key. */
export function redisOperatorAnnotations(annotations: Readonly<Record<string, string>> | undefined): string[] {
    const pattern = new RegExp(REDIS_OPERATOR_ANNOTATION_PATTERN);
    return Object.keys(annotations ?? {}).filter((key) => pattern.test(key.toLowerCase()));
}

/**
 * The exporter's environment, exactly: its own Redis user (`REDIS_USER`, redis_exporter v1.44.0 main.go) and that
 * user's password from the platform's Secret. The operator v0.26.0 gives the exporter `REDIS_PASSWORD` of
 * `kubernetesConfig.redisSecret` (default's) and appends `redisExporter.env` after it
 * (internal/k8sutils/statefulset.go getExporterEnvironmentVariables, a stable sort by name), and the kubelet
 * keeps the last value of a name (pkg/kubelet/kubelet_pods.go makeEnvironmentVariables), so the exporter logs in
 * as `exporter`. Why it must not hold default's password: redis_exporter v1.44.0 serves `/scrape?target=<any
 * host>` on its metrics port and dials that host with its configured user and password (exporter/http.go
 * scrapeHandler, exporter/redis.go configureOptions), and the port is reachable from the project's pods (the
 * same-namespace NetworkPolicy) and through Prometheus (a PodMonitor of the tenant's with `path: /scrape` and a
 * `target` parameter): whoever points it at a listener of their own reads the password.
 */
export const REDIS_EXPORTER_ENV = [
    { name: "REDIS_USER", value: "exporter" },
    { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: PLATFORM_REDIS_SECRET, key: "REDIS_EXPORTER_PASSWORD" } } },
] as const;

/** The images a tenant group may run: the platform's pinned builds (charts/images.ts), so no tenant picks an unpatched Redis. */
export const TENANT_REDIS_IMAGES = {
    redis: Object.values<string>(REDIS_IMAGES.redis),
    sentinel: Object.values<string>(REDIS_IMAGES.sentinel),
    exporter: [REDIS_IMAGES.exporter as string],
} as const;

/**
 * The fields a tenant RedisReplication may carry, by object path below `spec` (`""` is `spec` itself): exactly
 * what components/project/redis.ts renders. The OpsTree operator cannot set `runtimeClassName` (no release up
 * to v0.26.0 has it), so the pods it makes run outside gVisor even for untrusted projects; they are safe only
 * while everything in them is the platform's: the pinned images with the operator's own commands. Audited
 * against the operator at v0.26.0 (api/redisreplication/v1beta2/redisreplication_types.go RedisReplicationSpec
 * and Sentinel, api/common/v1beta2/common_types.go KubernetesConfig, RedisExporter, RedisConfig, Storage,
 * SentinelConfig, TLSConfig, ACLConfig, InitContainer, Sidecar; internal/k8sutils/redis-replication.go
 * generateRedisReplicationParams / ContainerParams / InitContainerParams and statefulset.go
 * generateStatefulSetsDef / generateContainerDef / generateInitContainerDef / getProbeInfo /
 * getEnvironmentVariables; internal/controller/redisreplication/redisreplication_sentinel.go
 * buildSentinelPodTemplate / buildSentinelContainer), every field of the spec lands in a pod, a StatefulSet,
 * a Service or the running Redis/Sentinel configuration. The ones kept here carry no command, file or
 * configuration of the tenant's:
 * - `clusterSize` (instance limit), `kubernetesConfig.image`, `sentinel.image`, `redisExporter.image` (pinned),
 *   `storage.keepAfterDelete` (true) and
 *   `storage.volumeClaimTemplate.spec.{storageClassName, accessModes, resources}` (a tenant Longhorn class),
 *   `kubernetesConfig.persistentVolumeClaimRetentionPolicy` (Retain on deletion and scale-down);
 * - `nodeSelector`, `tolerations`, `affinity`, pinned to the rendered placement ({@link REDIS_PLACEMENT});
 * - `kubernetesConfig.redisSecret` and `acl.secret.secretName`, required and pinned to {@link REDIS_OPERATOR_SECRET}
 *   (the `default` password and the ACL file with the app's user, which the grants stack writes; in every
 *   project, trusted or not: without the file the services would be `default`);
 * - `redisExporter.env`, required and exactly {@link REDIS_EXPORTER_ENV} (the exporter's own Redis user);
 * - `imagePullPolicy`, `resources`, `redisExporter.enabled`, `pdb`, `podSecurityContext`, `securityContext`
 *   (sizing and the security contexts Pod Security Admission `restricted` holds in every tenant namespace).
 * Every other field is refused ({@link REDIS_REFUSED_FIELDS} says why for each). Redis configuration in
 * particular: a tenant sets none (no `redisConfig`, no Sentinel config), so no `loadmodule`/`MODULE LOAD`,
 * `enable-module-command`, `enable-debug-command`, `enable-protected-configs`, `dir` or `dbfilename` reaches
 * Redis 8.2, whose defaults keep module loading, DEBUG and the protected configs (`dir`, `dbfilename`) off and
 * not settable through CONFIG SET by the tenant's clients.
 */
export const REDIS_ALLOWED_FIELDS: Readonly<Record<string, readonly string[]>> = {
    "": ["clusterSize", "kubernetesConfig", "redisExporter", "storage", "nodeSelector", "tolerations", "podSecurityContext", "securityContext", "affinity", "pdb", "sentinel", "acl"],
    acl: ["secret"],
    "acl.secret": ["secretName"],
    kubernetesConfig: ["image", "imagePullPolicy", "resources", "redisSecret", "persistentVolumeClaimRetentionPolicy"],
    redisExporter: ["enabled", "image", "imagePullPolicy", "resources", "securityContext", "env"],
    storage: ["keepAfterDelete", "volumeClaimTemplate"],
    "storage.volumeClaimTemplate": ["spec"],
    "storage.volumeClaimTemplate.spec": ["storageClassName", "accessModes", "resources"],
    sentinel: ["image", "imagePullPolicy", "size", "resources", "nodeSelector", "tolerations", "affinity", "podSecurityContext", "securityContext"],
};

const NOT_RENDERED = "not a field the platform renders";

/**
 * Where a tenant's Redis pods (members, `spec`, and Sentinels, `spec.sentinel`) may run, pinned to what
 * components/project/redis.ts renders: the operator copies `nodeSelector`, `tolerations` and `affinity` into its
 * StatefulSets as given (v0.26.0 internal/k8sutils/statefulset.go generateStatefulSetsDef), and the pods run
 * outside gVisor, so a toleration of another pool's taint (the build pool's, the servers') would put
 * unsandboxed tenant database pods beside platform workloads. The pod admission policy holds the same on the
 * pods; this refuses the object before the operator acts on it.
 * - `nodeSelector`: exactly `{<pool label>: run}` (or `server` on a stack without a run pool);
 * - `tolerations`: none, or exactly the run pool's taint (`pool=run:NoSchedule`);
 * - `affinity`: only `podAntiAffinity` (it keeps members apart, never draws a pod to a node).
 */
export const REDIS_PLACEMENT = {
    nodeSelectors: TENANT_PLACEMENT.pools.map((pool) => ({ [TENANT_PLACEMENT.poolLabel]: pool })),
    tolerations: [{ key: TENANT_PLACEMENT.toleratedTaint.key, operator: "Equal", value: TENANT_PLACEMENT.toleratedTaint.value, effect: "NoSchedule" }],
    affinityKeys: ["podAntiAffinity"],
} as const;

/** Why the placement fields of a Redis pod group (`spec` or `spec.sentinel`, at `where`) differ from {@link REDIS_PLACEMENT}. */
export function redisPlacementProblems(group: Record<string, unknown>, where: string): string[] {
    const problems: string[] = [];
    const same = sameValue;
    const selector = group.nodeSelector;
    const selectorOk = asRecord(selector) !== undefined && REDIS_PLACEMENT.nodeSelectors.some((allowed) => same(Object.entries(asRecord(selector)!).sort(), Object.entries(allowed).sort()));
    if (!selectorOk) {
        problems.push(`${where}nodeSelector ${JSON.stringify(selector ?? null)} is not the platform's (${REDIS_PLACEMENT.nodeSelectors.map((s) => JSON.stringify(s)).join(" or ")}): the unsandboxed Redis pods stay on the tenant pool`);
    }
    const tolerations = group.tolerations;
    const tolerationsOk = tolerations === undefined || (Array.isArray(tolerations) && (tolerations.length === 0 || (tolerations.length === 1 && same(Object.entries(asRecord(tolerations[0]) ?? {}).sort(), Object.entries(REDIS_PLACEMENT.tolerations[0]).sort()))));
    if (!tolerationsOk) {
        problems.push(`${where}tolerations ${JSON.stringify(tolerations)} are not the platform's (${JSON.stringify(REDIS_PLACEMENT.tolerations)}): another pool's taint would let the unsandboxed Redis pods onto platform nodes`);
    }
    const affinity = asRecord(group.affinity);
    const extra = Object.keys(affinity ?? {}).filter((key) => !(REDIS_PLACEMENT.affinityKeys as readonly string[]).includes(key));
    if (group.affinity !== undefined && (affinity === undefined || extra.length > 0)) {
        problems.push(`${where}affinity sets ${extra.join(", ") || "a non-object value"}: only podAntiAffinity (members apart), no node or pod affinity choosing where the unsandboxed Redis pods run`);
    }
    return problems;
}

/** Why each field of the v0.26.0 RedisReplication spec outside {@link REDIS_ALLOWED_FIELDS} is refused (path below `spec`). */
export const REDIS_REFUSED_FIELDS: Readonly<Record<string, string>> = {
    redisConfig: "additionalRedisConfig mounts a ConfigMap of the tenant's as Redis configuration (loadmodule, enable-module-command, enable-debug-command, dir, dbfilename) and dynamicConfig is applied by the operator with CONFIG SET: code and files inside Redis",
    readinessProbe: "copied into the Redis container as given: an exec probe runs the tenant's command outside gVisor",
    livenessProbe: "copied into the Redis container as given: an exec probe runs the tenant's command outside gVisor",
    env: "copied into the Redis container and the operator's init-config container, whose entrypoints act on their environment",
    initContainer: "an init container of the tenant's image, command and arguments runs before Redis on its volume",
    sidecars: "containers of the tenant's image and command run beside Redis with its password and data",
    TLS: "mounts a Secret of the tenant's into the Redis and exporter containers",
    "acl.persistentVolumeClaim": "mounts an ACL file from a claim the tenant can write",
    "acl.secret.items": NOT_RENDERED,
    "acl.secret.defaultMode": NOT_RENDERED,
    "acl.secret.optional": "an ACL Secret that may be missing would start Redis without the file",
    serviceAccountName: "the pods run as the namespace's default ServiceAccount",
    hostPort: "no host ports",
    priorityClassName: "a priority class could preempt platform pods",
    topologySpreadConstraints: NOT_RENDERED,
    terminationGracePeriodSeconds: NOT_RENDERED,
    podManagementPolicy: NOT_RENDERED,
    "kubernetesConfig.imagePullSecrets": "the pinned images are public; no pull credentials of the tenant's",
    "kubernetesConfig.service": "the operator's Services stay ClusterIP without annotations of the tenant's",
    "kubernetesConfig.updateStrategy": NOT_RENDERED,
    "kubernetesConfig.ignoreAnnotations": NOT_RENDERED,
    "kubernetesConfig.minReadySeconds": NOT_RENDERED,
    "redisExporter.port": NOT_RENDERED,
    "storage.volumeMount": "extra volumes and mounts in the Redis and init containers",
    "storage.volumeClaimTemplate.apiVersion": NOT_RENDERED,
    "storage.volumeClaimTemplate.kind": NOT_RENDERED,
    "storage.volumeClaimTemplate.metadata": "the operator names and labels the claims (the labels put them in the nightly backup)",
    "storage.volumeClaimTemplate.status": NOT_RENDERED,
    "storage.volumeClaimTemplate.spec.dataSource": "a claim filled from another claim or snapshot, not from the group's own data",
    "storage.volumeClaimTemplate.spec.dataSourceRef": "a claim filled from another claim or snapshot, not from the group's own data",
    "storage.volumeClaimTemplate.spec.selector": "binds existing volumes by label instead of provisioning the group's own",
    "storage.volumeClaimTemplate.spec.volumeName": "binds a named existing volume instead of provisioning the group's own",
    "storage.volumeClaimTemplate.spec.volumeAttributesClassName": NOT_RENDERED,
    "storage.volumeClaimTemplate.spec.volumeMode": "a raw block device instead of the file system Redis writes",
    "sentinel.additionalSentinelConfig": "Sentinel configuration of the tenant's",
    ...Object.fromEntries(
        ["quorum", "parallelSyncs", "failoverTimeout", "downAfterMilliseconds", "resolveHostnames", "announceHostnames"].map((key) => [`sentinel.${key}`, "Sentinel settings the operator applies: the platform's defaults"]),
    ),
    ...Object.fromEntries(["service", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "ignoreAnnotations", "minReadySeconds", "topologySpreadConstraints", "terminationGracePeriodSeconds"].map((key) => [`sentinel.${key}`, NOT_RENDERED])),
    "sentinel.redisSecret": "the Sentinels use the group's password",
    "sentinel.serviceAccountName": "the Sentinels run as the namespace's default ServiceAccount",
    "sentinel.priorityClassName": "a priority class could preempt platform pods",
    "sentinel.imagePullSecrets": "the pinned images are public; no pull credentials of the tenant's",
};

/** Every problem of a tenant RedisReplication's spec (exported for the tests and the admission twin's cases). */
export function redisReplicationProblems(spec: Record<string, unknown>, config: Pick<PackConfig, "maxDatabaseInstances">): string[] {
    const problems: string[] = [];
    const size = spec.clusterSize;
    if (typeof size !== "number" || !Number.isInteger(size) || size < 1 || size > config.maxDatabaseInstances) {
        problems.push(`clusterSize ${String(size)} is outside 1..${config.maxDatabaseInstances} (platform:tenantLimits.maxDatabaseInstances)`);
    }
    const secret = asRecord(at(spec, ["kubernetesConfig", "redisSecret"]));
    if (!asString(secret?.name) || !asString(secret?.key)) {
        problems.push("kubernetesConfig.redisSecret is not set: Redis would accept clients without a password");
    } else if (secret?.name !== REDIS_OPERATOR_SECRET.name || secret?.key !== REDIS_OPERATOR_SECRET.key) {
        problems.push(
            `kubernetesConfig.redisSecret ${JSON.stringify({ name: secret?.name, key: secret?.key })} is not the platform's (${JSON.stringify(REDIS_OPERATOR_SECRET)}): the operator logs in as Redis's default user with it, and only the grants stack writes that Secret`,
        );
    }
    const image = (path: string[], allowed: readonly string[], what: string, required: boolean) => {
        const value = asString(at(spec, path));
        if ((value !== undefined || required) && !allowed.includes(value ?? "")) {
            problems.push(`${path.join(".")} ${value ?? "(unset)"} is not the platform's ${what} image (${allowed.join(", ")})`);
        }
    };
    image(["kubernetesConfig", "image"], TENANT_REDIS_IMAGES.redis, "Redis", true);
    image(["sentinel", "image"], TENANT_REDIS_IMAGES.sentinel, "Sentinel", false);
    image(["redisExporter", "image"], TENANT_REDIS_IMAGES.exporter, "exporter", false);
    const retention = asRecord(at(spec, ["kubernetesConfig", "persistentVolumeClaimRetentionPolicy"]));
    if (retention?.whenDeleted !== "Retain" || retention?.whenScaled !== "Retain") {
        problems.push("kubernetesConfig.persistentVolumeClaimRetentionPolicy is not Retain on deletion and scale-down: the StatefulSet would delete the members' claims");
    }
    const classes: readonly string[] = Object.values(TENANT_STORAGE_CLASSES);
    const storageClass = asString(at(spec, ["storage", "volumeClaimTemplate", "spec", "storageClassName"]));
    if (!storageClass || !classes.includes(storageClass)) {
        problems.push(`storage.volumeClaimTemplate.spec.storageClassName ${storageClass ?? "(unset)"} is not a tenant Longhorn class (${classes.join(", ")}): no persistence, or none the nightly backup covers`);
    }
    if (at(spec, ["storage", "keepAfterDelete"]) !== true) {
        problems.push("storage.keepAfterDelete is not true: deleting the object would delete the members' volumes");
    }
    problems.push(...redisPlacementProblems(spec, ""));
    if (!sameValue(at(spec, ["redisExporter", "env"]), REDIS_EXPORTER_ENV)) {
        problems.push(
            `redisExporter.env ${JSON.stringify(at(spec, ["redisExporter", "env"]) ?? null)} is not the platform's (${JSON.stringify(REDIS_EXPORTER_ENV)}): without it the exporter holds default's password, which its /scrape endpoint sends to any host it is pointed at`,
        );
    }
    const aclSecret = at(spec, ["acl", "secret", "secretName"]);
    if (aclSecret !== REDIS_OPERATOR_SECRET.name) {
        problems.push(
            `acl.secret.secretName ${JSON.stringify(aclSecret ?? null)} is not the platform's ${REDIS_OPERATOR_SECRET.name}: without its ACL file the services would log in as default (ACL, CONFIG, MODULE and, in an untrusted project, Lua outside gVisor)`,
        );
    }
    const sentinel = asRecord(spec.sentinel);
    if (sentinel) {
        problems.push(...redisPlacementProblems(sentinel, "sentinel."));
    }
    for (const [path, allowed] of Object.entries(REDIS_ALLOWED_FIELDS)) {
        const record = asRecord(path === "" ? spec : at(spec, path.split(".")));
        for (const key of Object.keys(record ?? {}).filter((k) => !allowed.includes(k))) {
            const field = path === "" ? key : `${path}.${key}`;
            problems.push(`${field} is set (${REDIS_REFUSED_FIELDS[field] ?? NOT_RENDERED}): the operator's pods run outside gVisor and carry only what the platform renders`);
        }
    }
    return problems;
}

/**
 * A tenant namespace's Redis is a RedisReplication as the platform renders it: a password, the platform's
 * pinned images, persistence on a tenant Longhorn class (the nightly backup's) kept after deletion and
 * scale-down, only the fields of {@link REDIS_ALLOWED_FIELDS} (nothing of the tenant's in the operator's pods,
 * which run outside gVisor: no probes, env, Redis config, containers, volumes, Services settings), and at most
 * the instance limit; the
 * operator's other kinds are refused. The admission twin (components/guardrails, redis policy) holds the same
 * for objects that do not come from Pulumi.
 */
export const tenancyRedisReplication: ResourceValidationPolicy = {
    name: "tenancy-redis-replication",
    description: "Tenant Redis is a RedisReplication with a password, the platform's images, backed-up persistence kept after deletion and only the fields the platform renders (no probes, env, Redis config, containers or volumes of the tenant's in its unsandboxed pods), within the instance limit.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: configSchemaFor("platformNamespaces", "maxDatabaseInstances"),
    validateResource: forTenantObjects([REDIS_REPLICATION_TYPE, ...REDIS_OTHER_TYPES], (args, report) => {
        const namespace = namespaceOf(args.props);
        if (args.type !== REDIS_REPLICATION_TYPE) {
            report(`${args.type.split(":").pop()} in namespace "${namespace}": tenants run Redis as the project file's redis (a RedisReplication), not as this kind`);
            return;
        }
        for (const problem of redisReplicationProblems(specOf(args.props), packConfig(args))) {
            report(`RedisReplication in namespace "${namespace}": ${problem}`);
        }
        for (const key of redisOperatorAnnotations(metadataOf(args.props).annotations)) {
            report(`RedisReplication in namespace "${namespace}": annotation ${key} is the Redis operator's (skip-reconcile stops it applying the platform's object, recreate-statefulset deletes the StatefulSets): remove it`);
        }
    }),
};
