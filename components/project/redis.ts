import { createHash } from "node:crypto";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IPodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import type { IPersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IAffinity } from "kubernetes-models/v1/Affinity";
import { DEFAULT_REDIS_VERSION, REDIS_IMAGES } from "../../charts/images";
import { LABELS, NAMESPACES, PROMETHEUS_POD_LABELS, TENANT_STORAGE_CLASSES } from "../../lib/conventions";
import { CONTAINER_SCRATCH, REDIS_COMPANION_RESOURCES, REDIS_SENTINELS } from "../../lib/tenants/footprint";
import type { RedisSpec } from "../../lib/tenants/schema";
import { containerResources, containerSecurityContext, hasRunPool, objectLabels, objectMeta, podSecurityContext, type ProjectContext } from "./common";
import { recurringJobLabels, restoreStorageClassName } from "./volumes";
import { PLATFORM_REDIS_SECRET } from "../../policy/lib/catalogue";
import { REDIS_OPERATOR_POD_LABEL } from "../../policy/lib/operator-pod-labels";
import { REDIS_EXPORTER_ENV } from "../../policy/rules/tenancy/redis-replication";

/**
 * A project's Redis as an OpsTree Redis Operator `RedisReplication` (redis.redis.opstreelabs.in/v1beta2 at
 * operator v0.26.0; every field below is checked against charts/redis-operator/crd-redisreplications.yaml by
 * the tests): `replicas` members on different nodes (a primary and replicas; with two or more, an embedded
 * Sentinel group of three fails over to a replica and the operator moves the `<name>-master` Service with the
 * primary), persistence (RDB snapshots and an append-only file in /data, which the operator turns on with a
 * volume claim template), the exporter sidecar with a PodMonitor, and two Redis users from Secrets the grants
 * stack writes ({@link renderRedisSecrets}): `default` for the operator and `app` for the project's services.
 *
 * Backup path: each member's claim is an ordinary Longhorn volume of a retaining tenant class, labelled into the
 * nightly Longhorn backup group (the operator copies the object's labels to its StatefulSet and from there to the
 * claim template: internal/k8sutils/statefulset.go createPVCTemplate), which Longhorn writes to the stack's
 * backup target. The backup is crash-consistent: Redis loads the AOF (or the RDB) on start. Restore: a new
 * generation whose claims the platform creates first, each filled from one named Longhorn backup
 * (components/backups/volume-restores.ts writes the StorageClasses), under the names the StatefulSet
 * controller gives its claims, so the StatefulSet adopts them.
 *
 * Names: the group is `redis` (generation 0) or `redis-g<N>`; its claims are `<group>-<group>-<ordinal>` (the
 * claim template is named after the StatefulSet, which is named after the object).
 */

/** Object stored by the Redis operator's CRDs (no `@kubernetes-models` package exists; validated against the committed CRD). */
export interface RedisObject {
    apiVersion: "redis.redis.opstreelabs.in/v1beta2";
    kind: "RedisReplication";
    metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
    spec: Record<string, unknown>;
}

/** `platform/service` value of the Redis objects and pods. */
export const REDIS_COMPONENT = "redis";

/**
 * The app's Secret: the Redis user the project's services log in as ({@link REDIS_APP_USER}) and its password,
 * which `uses: [redis]` injects. Written by the grants stack (platform credentials, PLATFORM_WRITTEN_SECRETS),
 * because the ACL file that holds the same password is the platform's; the tenant's pods read it.
 */
export const REDIS_SECRET = "redis-credentials";

/**
 * The operator's Secret ({@link PLATFORM_REDIS_SECRET}): the `default` user's password under
 * {@link REDIS_PASSWORD_KEY} (`kubernetesConfig.redisSecret`) and the ACL file under {@link REDIS_ACL_KEY}
 * (`acl.secret`), and the exporter's password under {@link REDIS_EXPORTER_PASSWORD_KEY}. Written by the grants
 * stack; only the operator's StatefulSets mount it.
 */
export const REDIS_INTERNAL_SECRET = PLATFORM_REDIS_SECRET;

/** Key of a password in both Secrets (the operator reads the `default` one through `kubernetesConfig.redisSecret`). */
export const REDIS_PASSWORD_KEY = "REDIS_PASSWORD";

/** Key of the app's user name in {@link REDIS_SECRET}. */
export const REDIS_USERNAME_KEY = "REDIS_USERNAME";

/**
 * Key of the ACL file in {@link REDIS_INTERNAL_SECRET}: the operator mounts `acl.secret` with `subPath: user.acl`
 * at /etc/redis/user.acl and sets ACL_MODE, on which the image's entrypoint writes `aclfile /etc/redis/user.acl`
 * (redis-operator v0.26.0 internal/k8sutils/statefulset.go getVolumeMount / getEnvironmentVariables;
 * OT-CONTAINER-KIT/redis entrypoint.sh acl_setup).
 */
export const REDIS_ACL_KEY = "user.acl";

/** The Redis user of the project's services (never `default`, which is the operator's). */
export const REDIS_APP_USER = "app";

/**
 * What the app user may not run, as Redis ACL categories: `@admin` (ACL, CONFIG, MODULE, DEBUG, SHUTDOWN,
 * REPLICAOF/SLAVEOF, FAILOVER, MONITOR, CLIENT LIST/KILL, SAVE, BGSAVE, PSYNC/SYNC, ...: the commands that
 * change the server, its users or its replication, or show other clients) and `@dangerous` (every `@admin`
 * command, plus KEYS, FLUSHDB, FLUSHALL, INFO, SORT, SORT_RO, SWAPDB, MIGRATE, RESTORE, RESTORE-ASKING: Redis
 * 7.0.15's `ACL CAT`, the same lists in the redis source's src/commands/*.json).
 */
export const REDIS_APP_REFUSED_CATEGORIES = ["@admin", "@dangerous"] as const;

/**
 * The `@dangerous` commands outside `@admin` the app user gets back: they read or erase only the group's own
 * keys (KEYS, SORT, FLUSHDB, FLUSHALL, SWAPDB) or report server facts without a secret (INFO, which client
 * libraries run as a ready check). What stays refused of `@dangerous`: MIGRATE (Redis opens a connection to a
 * host of the caller's choosing) and RESTORE/RESTORE-ASKING (Redis parses a serialized value of the caller's,
 * without full payload sanitization by default, in a pod outside gVisor).
 */
export const REDIS_APP_ALLOWED_DANGEROUS = ["info", "keys", "sort", "sort_ro", "flushdb", "flushall", "swapdb"] as const;

/**
 * How the app user may publish: root permissions refuse PUBLISH and SPUBLISH, a Redis 7 ACL selector gives them
 * back on every channel that does not start with `__` (Redis glob: first character not `_`, or `_` and then not
 * `_`, or `_` alone). Channels under `__` are the server's: `__sentinel__:hello`, on which each Sentinel announces
 * itself and its view of the primary to the others (a spoofed hello could add a fake Sentinel or push a
 * configuration epoch), and the keyspace notifications `__keyspace@...`/`__keyevent@...`. SUBSCRIBE stays on
 * every channel (`&*`): reading them gives nothing the app's Secret does not.
 */
export const REDIS_APP_PUBLISH = ["-publish", "-spublish", "(+publish +spublish &[^_]* &_[^_]* &_)"] as const;

/** Passwords the ACL file may carry: letters, digits, `-` and `_` (the generated ones are alphanumeric), so no blank, `#` or line break changes the rule. */
const ACL_PASSWORD = /^[A-Za-z0-9_-]{16,}$/;

/** The passwords of a project's Redis. */
export interface RedisPasswords {
    /** The `default` user's (the operator, the replicas' `masterauth`, the Sentinels, the probes). */
    operator: string;
    /** The app user's ({@link REDIS_APP_USER}), which the project's services receive. */
    app: string;
    /** The exporter's ({@link REDIS_EXPORTER_USER}, REDIS_EXPORTER_ENV): what its /scrape endpoint may give away. */
    exporter: string;
}

/** The exporter's Redis user (REDIS_EXPORTER_ENV gives it the exporter container). */
export const REDIS_EXPORTER_USER = REDIS_EXPORTER_ENV[0].value;

/** Key of the exporter's password in {@link REDIS_INTERNAL_SECRET}. */
export const REDIS_EXPORTER_PASSWORD_KEY = REDIS_EXPORTER_ENV[1].valueFrom.secretKeyRef.key;

/**
 * What the exporter user may run: what redis_exporter v1.44.0 sends to a member (exporter/exporter.go
 * scrapeRedisHost: PING, CLIENT SETNAME, INFO ALL, LATENCY LATEST, SLOWLOG GET/LEN; its CONFIG GET * is refused
 * and skipped, since CONFIG GET shows requirepass and masterauth), no key and no channel.
 */
export const REDIS_EXPORTER_COMMANDS = ["ping", "info", "client|setname", "latency|latest", "slowlog|get", "slowlog|len"] as const;

/**
 * The ACL file of a project's Redis (Redis ACL file syntax: one `user` rule per line): `default`, the operator's,
 * with every command (the operator v0.26.0 logs in with a password only, as `default`: replication setup,
 * Sentinel, exporter, probes), and {@link REDIS_APP_USER}, every key and channel and every command but
 * {@link REDIS_APP_REFUSED_CATEGORIES} (less {@link REDIS_APP_ALLOWED_DANGEROUS}), so the app cannot change
 * users, configuration, modules or replication; and for an untrusted project not `@scripting` either (EVAL,
 * EVALSHA, FCALL, FUNCTION, SCRIPT), so no Lua of the tenant's runs in Redis, whose pods are outside gVisor, and
 * no PUBLISH to the server's `__` channels ({@link REDIS_APP_PUBLISH}); and
 * {@link REDIS_EXPORTER_USER}, the exporter's, with only {@link REDIS_EXPORTER_COMMANDS}. The
 * file must define `default` with its password: Redis resets a default user the file leaves out to `nopass`
 * (acl.c ACLLoadFromFile), and the file is read after `requirepass`.
 */
export function redisAclFile(passwords: RedisPasswords, withoutScripting: boolean): string {
    for (const [user, password] of Object.entries(passwords)) {
        if (!ACL_PASSWORD.test(password)) {
            throw new Error(`the Redis ${user} password must be 16 or more letters, digits, - or _ (it is written into the ACL file)`);
        }
    }
    const app = ["+@all", ...REDIS_APP_REFUSED_CATEGORIES.map((c) => `-${c}`), ...REDIS_APP_ALLOWED_DANGEROUS.map((c) => `+${c}`), ...(withoutScripting ? ["-@scripting"] : []), ...REDIS_APP_PUBLISH];
    const exporter = ["resetchannels", "-@all", ...REDIS_EXPORTER_COMMANDS.map((c) => `+${c}`)];
    return [
        `user default on >${passwords.operator} ~* &* +@all`,
        `user ${REDIS_APP_USER} on >${passwords.app} ~* &* ${app.join(" ")}`,
        `user ${REDIS_EXPORTER_USER} on >${passwords.exporter} ${exporter.join(" ")}`,
        "",
    ].join("\n");
}

/** Whether the project's Redis refuses the app Lua (untrusted projects: their code is not the platform's to run unsandboxed). */
export function redisWithoutScripting(ctx: ProjectContext): boolean {
    return ctx.project.trust === "untrusted";
}

/** Ports of a member (Redis, the exporter) and of a Sentinel (internal/controller/common/constants.go). */
export const REDIS_PORTS = { redis: 6379, metrics: 9121, sentinel: 26379 } as const;

/** Name of the exporter's container port (common.RedisExporterPortName). */
export const REDIS_EXPORTER_PORT_NAME = "redis-exporter";

/**
 * allow-same-namespace's pod selector in a project with Redis: every pod but the Redis operator's, whose traffic
 * renderRedisNetworkPolicies opens port by port.
 */
export const REDIS_POD_EXCLUSION = { matchExpressions: [{ key: REDIS_OPERATOR_POD_LABEL, operator: "DoesNotExist" }] };

/** The operator's pod label naming the group (`app`: internal/controller/common/labels.go). */
export const REDIS_GROUP_LABEL = "app";

/** uid/gid of OpsTree's Redis, Sentinel and exporter images (the operator's charts: `runAsUser: 1000, fsGroup: 1000`). */
export const REDIS_UID = 1000;

/** The project's Redis spec; throws for a project without one (renderers are only called when it exists). */
export function requireRedis(ctx: ProjectContext): RedisSpec {
    if (!ctx.project.redis) {
        throw new Error(`project ${ctx.project.id} has no redis`);
    }
    return ctx.project.redis;
}

/** The pinned Redis and Sentinel images of a version. */
export function redisImages(redis: Pick<RedisSpec, "version">): { redis: string; sentinel: string } {
    const version = redis.version ?? DEFAULT_REDIS_VERSION;
    const images: Readonly<Record<string, string>> = REDIS_IMAGES.redis;
    const sentinels: Readonly<Record<string, string>> = REDIS_IMAGES.sentinel;
    if (!images[version] || !sentinels[version]) {
        throw new Error(`Redis ${version} is not offered (pinned: ${Object.keys(images).join(", ")})`);
    }
    return { redis: images[version]!, sentinel: sentinels[version]! };
}

/** Name of the replication group (its StatefulSet, Services and claims) of a generation. */
export function redisGroupName(redis: Pick<RedisSpec, "generation">): string {
    return redis.generation === 0 ? REDIS_COMPONENT : `${REDIS_COMPONENT}-g${redis.generation}`;
}

/** The Service that follows the primary (`<group>-master`: the operator labels the primary pod `redis-role: master`). */
export function redisHost(ctx: ProjectContext): string {
    return `${redisGroupName(requireRedis(ctx))}-master.${ctx.namespace}.svc.cluster.local`;
}

/** The claim the StatefulSet controller gives member `ordinal` (`<template>-<statefulset>-<ordinal>`, both named after the group). */
export function redisClaimName(group: string, ordinal: number): string {
    return `${group}-${group}-${ordinal}`;
}

/** Whether the group runs Sentinel failover (two members or more). */
export function hasSentinel(redis: Pick<RedisSpec, "replicas">): boolean {
    return redis.replicas > 1;
}

/** Security context of the operator-made containers: restricted, except a writable root (the images' entrypoints write redis.conf and sentinel.conf under /etc/redis). */
function operandSecurityContext() {
    return { ...containerSecurityContext(REDIS_UID), readOnlyRootFilesystem: false };
}

/** Members on different nodes (required: a node loss costs one member, never the primary and its replica together). */
function memberAffinity(group: string, required: boolean): IAffinity {
    const term = { labelSelector: { matchLabels: { [REDIS_GROUP_LABEL]: group } }, topologyKey: "kubernetes.io/hostname" };
    return required
        ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } }
        : { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } };
}

/**
 * Annotation of the group whose value is {@link redisAclRulesDigest}: the operator v0.26.0 copies the group's
 * annotations into its StatefulSets' pod template (internal/k8sutils/labels.go generateStatefulSetsAnots), so a
 * change of the ACL's rules rolls the members. Without it nothing would: the file is a `subPath` mount of
 * `redis-internal` (never refreshed in a running container), Redis reads `aclfile` only at start, and the operator
 * watches no Secret, so a project made untrusted would keep Lua until its pods happened to restart.
 */
export const REDIS_ACL_RULES_ANNOTATION = "platform/redis-acl-rules";

/** Placeholder passwords: the digest is of the rules only (the app stack never knows the passwords). */
const RULES_ONLY: RedisPasswords = { operator: "x".repeat(16), app: "x".repeat(16), exporter: "x".repeat(16) };

/** The first 16 hex digits of the SHA-256 of the project's ACL file with the passwords left out. */
export function redisAclRulesDigest(ctx: ProjectContext): string {
    return createHash("sha256").update(redisAclFile(RULES_ONLY, redisWithoutScripting(ctx))).digest("hex").slice(0, 16);
}

/** The RedisReplication of the project's Redis. */
export function renderRedisReplication(ctx: ProjectContext): RedisObject {
    const redis = requireRedis(ctx);
    const name = redisGroupName(redis);
    const images = redisImages(redis);
    const placement = {
        nodeSelector: { [LABELS.pool]: hasRunPool(ctx.config) ? "run" : "server" },
        tolerations: [{ key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" }],
    };
    // Copied by the operator to the StatefulSets, pods and claims: quota, policies and metering see the project,
    // Longhorn puts the claims in the nightly backup group (and the final one while decommissioning).
    const labels = { ...objectLabels(ctx, REDIS_COMPONENT), ...recurringJobLabels(ctx) };
    return {
        apiVersion: "redis.redis.opstreelabs.in/v1beta2",
        kind: "RedisReplication",
        metadata: { name, namespace: ctx.namespace, labels, annotations: { [REDIS_ACL_RULES_ANNOTATION]: redisAclRulesDigest(ctx) } },
        spec: {
            clusterSize: redis.replicas,
            kubernetesConfig: {
                image: images.redis,
                imagePullPolicy: "IfNotPresent",
                resources: containerResources(redis.resources, CONTAINER_SCRATCH),
                // The operator's `default` password, never the app's: whoever holds it can change the ACL.
                redisSecret: { name: REDIS_INTERNAL_SECRET, key: REDIS_PASSWORD_KEY },
                // Claims outlive a scale-down or a deleted object: they are the data (and its backups' source).
                persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            },
            redisExporter: {
                enabled: true,
                image: REDIS_IMAGES.exporter,
                imagePullPolicy: "IfNotPresent",
                resources: containerResources(REDIS_COMPANION_RESOURCES.exporter, CONTAINER_SCRATCH),
                securityContext: containerSecurityContext(REDIS_UID),
                // Its own user, never default: its /scrape endpoint dials any host with its password (REDIS_EXPORTER_ENV).
                env: REDIS_EXPORTER_ENV.map((entry) => structuredClone(entry) as IEnvVar),
            },
            storage: {
                // The operator's finalizer deletes the claims of a deleted object unless told to keep them.
                keepAfterDelete: true,
                volumeClaimTemplate: {
                    spec: {
                        storageClassName: TENANT_STORAGE_CLASSES[redis.class],
                        accessModes: ["ReadWriteOnce"],
                        resources: { requests: { storage: redis.size } },
                    },
                },
            },
            ...placement,
            podSecurityContext: podSecurityContext(REDIS_UID),
            securityContext: operandSecurityContext(),
            affinity: memberAffinity(name, true),
            acl: { secret: { secretName: REDIS_INTERNAL_SECRET } },
            ...(hasSentinel(redis)
                ? {
                      pdb: { enabled: true, maxUnavailable: 1 },
                      sentinel: {
                          image: images.sentinel,
                          imagePullPolicy: "IfNotPresent",
                          size: REDIS_SENTINELS,
                          resources: containerResources(REDIS_COMPANION_RESOURCES.sentinel, CONTAINER_SCRATCH),
                          ...placement,
                          // Preferred: three Sentinels on two nodes still fail over when the node with one is lost.
                          affinity: memberAffinity(`${name}-s`, false),
                          podSecurityContext: podSecurityContext(REDIS_UID),
                          securityContext: operandSecurityContext(),
                      },
                  }
                : {}),
        },
    };
}

/**
 * The claims of a restored generation, created before the RedisReplication: each member's claim under the name
 * its StatefulSet would give it, on the restore StorageClass that fills it from the declared Longhorn backup.
 * Without a restore the operator's StatefulSet creates the claims itself.
 */
export function renderRedisRestoreClaims(ctx: ProjectContext): IPersistentVolumeClaim[] {
    const redis = requireRedis(ctx);
    if (!redis.restore) {
        return [];
    }
    const group = redisGroupName(redis);
    return Array.from({ length: redis.replicas }, (_, ordinal): IPersistentVolumeClaim => {
        const claim = redisClaimName(group, ordinal);
        return {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: {
                name: claim,
                namespace: ctx.namespace,
                labels: { ...objectLabels(ctx, REDIS_COMPONENT), ...recurringJobLabels(ctx) },
                annotations: { "pulumi.com/skipAwait": "true" },
            },
            spec: {
                accessModes: ["ReadWriteOnce"],
                storageClassName: restoreStorageClassName(ctx.namespace, claim),
                resources: { requests: { storage: redis.size } },
            },
        };
    });
}

/** The PodMonitor of the exporters (adds `cluster` and `project`, which the alerts group by). */
export function renderRedisPodMonitor(ctx: ProjectContext): IPodMonitor {
    const name = redisGroupName(requireRedis(ctx));
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: objectMeta(ctx, name, REDIS_COMPONENT),
        spec: {
            selector: { matchLabels: { [REDIS_GROUP_LABEL]: name } },
            podMetricsEndpoints: [
                {
                    port: REDIS_EXPORTER_PORT_NAME,
                    relabelings: [
                        { sourceLabels: [`__meta_kubernetes_pod_label_${REDIS_GROUP_LABEL}`], targetLabel: "cluster", action: "replace" },
                        { sourceLabels: ["__meta_kubernetes_pod_label_platform_project"], targetLabel: "project", action: "replace" },
                    ],
                },
            ],
        },
    };
}

/**
 * What the group needs beyond the namespace's default-deny and same-namespace rules (which keep every other
 * project out): the operator reaches every member and Sentinel (it reads roles, sets up replication and checks
 * the Sentinels through them), Prometheus the exporters. Members and Sentinels need no egress beyond the
 * namespace and DNS.
 */
export function renderRedisNetworkPolicies(ctx: ProjectContext): INetworkPolicy[] {
    const name = redisGroupName(requireRedis(ctx));
    const namespaceOf = (ns: string) => ({ matchLabels: { "kubernetes.io/metadata.name": ns } });
    const redisAndSentinelPorts = [{ protocol: "TCP" as const, port: REDIS_PORTS.redis }, { protocol: "TCP" as const, port: REDIS_PORTS.sentinel }];
    const redisPods = { matchExpressions: [{ key: REDIS_OPERATOR_POD_LABEL, operator: "Exists" }] };
    return [
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            // The group's pods are left out of allow-same-namespace (REDIS_POD_EXCLUSION): the project's pods reach
            // Redis, but only Redis pods reach the Sentinels, whose port has no password (SENTINEL SET, MONITOR and
            // FAILOVER would point the replicas, and the default user's masterauth, at a pod of the tenant's).
            metadata: objectMeta(ctx, `allow-${name}-clients`, REDIS_COMPONENT),
            spec: {
                podSelector: redisPods,
                policyTypes: ["Ingress", "Egress"],
                ingress: [
                    { from: [{ podSelector: {} }], ports: [{ protocol: "TCP", port: REDIS_PORTS.redis }] },
                    { from: [{ podSelector: redisPods }], ports: [{ protocol: "TCP", port: REDIS_PORTS.sentinel }] },
                ],
                egress: [{ to: [{ podSelector: redisPods }], ports: redisAndSentinelPorts }],
            },
        },
        {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: objectMeta(ctx, `allow-${name}-operator`, REDIS_COMPONENT),
            spec: {
                // The members (`<group>`) and the Sentinels (`<group>-s`).
                podSelector: { matchExpressions: [{ key: REDIS_GROUP_LABEL, operator: "In", values: [name, `${name}-s`] }] },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [{ namespaceSelector: namespaceOf(NAMESPACES.redisOperator) }], ports: redisAndSentinelPorts },
                    { from: [{ namespaceSelector: namespaceOf(NAMESPACES.monitoring), podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } } }], ports: [{ protocol: "TCP", port: REDIS_PORTS.metrics }] },
                ],
            },
        },
    ];
}

/** The Secrets of a project's Redis, both written by its grants stack. */
export interface RedisSecrets {
    /** {@link REDIS_INTERNAL_SECRET}: the `default` password and the ACL file, for the operator's pods only. */
    internal: ISecret;
    /** {@link REDIS_SECRET}: the app user and its password, for the project's services. */
    app: ISecret;
}

/** The Secrets of the project's Redis ({@link RedisSecrets}) with these passwords. */
export function renderRedisSecrets(ctx: ProjectContext, passwords: RedisPasswords): RedisSecrets {
    requireRedis(ctx);
    const secret = (name: string, stringData: Record<string, string>): ISecret => ({ apiVersion: "v1", kind: "Secret", metadata: objectMeta(ctx, name, REDIS_COMPONENT), type: "Opaque", stringData });
    return {
        internal: secret(REDIS_INTERNAL_SECRET, {
            [REDIS_PASSWORD_KEY]: passwords.operator,
            [REDIS_EXPORTER_PASSWORD_KEY]: passwords.exporter,
            [REDIS_ACL_KEY]: redisAclFile(passwords, redisWithoutScripting(ctx)),
        }),
        app: secret(REDIS_SECRET, { [REDIS_USERNAME_KEY]: REDIS_APP_USER, [REDIS_PASSWORD_KEY]: passwords.app }),
    };
}

/** Environment the platform injects into containers with `uses: [redis]`: the app user, never `default`. */
export function redisEnv(ctx: ProjectContext): IEnvVar[] {
    const fromSecret = (name: string, key: string): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: REDIS_SECRET, key } } });
    return [
        { name: "REDIS_HOST", value: redisHost(ctx) },
        { name: "REDIS_PORT", value: String(REDIS_PORTS.redis) },
        fromSecret("REDIS_USERNAME", REDIS_USERNAME_KEY),
        fromSecret("REDIS_PASSWORD", REDIS_PASSWORD_KEY),
    ];
}
