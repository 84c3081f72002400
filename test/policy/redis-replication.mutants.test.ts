import { describe, expect, it } from "vitest";
import { redisReplicationProblems } from "../../policy/rules/tenancy/redis-replication";
import { messagesOf, planned } from "../helpers/policy-fixtures";

/**
 * `redisReplicationProblems` and the rule's report called directly, each refusal's message written out in full:
 * the admission twin's tests (test/components/guardrails/redis-policy.test.ts) compare admit/deny of whole
 * objects and the edges file covers the placement checks, which left the messages, the instance bounds, a
 * half-set password Secret, the optional images and the retention pair open (49 survivors of `npm run mutation
 * -- policy-redis` at f076dc6, 79.2%). The spec is written here by hand after what components/project/redis.ts
 * renders, so the guard set loads no renderer (and no Pulumi SDK). Everything is called inside `it`: the
 * mutation run activates a mutant only while a test runs.
 */

const CONFIG = { maxDatabaseInstances: 3 };
const RUN = { "platform/pool": "run" };
const TOLERATION = { key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" };
const REDIS = "quay.io/opstree/redis:v8.2.2";
const SENTINEL = "quay.io/opstree/redis-sentinel:v8.2.2";
const EXPORTER = "quay.io/opstree/redis-exporter:v1.44.0";
const EXPORTER_ENV = [
    { name: "REDIS_USER", value: "exporter" },
    { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-internal", key: "REDIS_EXPORTER_PASSWORD" } } },
];
const EXPORTER_ENV_JSON = '[{"name":"REDIS_USER","value":"exporter"},{"name":"REDIS_PASSWORD","valueFrom":{"secretKeyRef":{"name":"redis-internal","key":"REDIS_EXPORTER_PASSWORD"}}}]';
const OUTSIDE = ": the operator's pods run outside gVisor and carry only what the platform renders";
const PLACEMENT_WHY = 'is not the platform\'s ({"platform/pool":"run"} or {"platform/pool":"server"}): the unsandboxed Redis pods stay on the tenant pool';
const REPLICATION = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication";

/** A three-member group with Sentinels as the program renders it (sizing trimmed). */
const base = (): Record<string, any> => ({
    clusterSize: 3,
    kubernetesConfig: {
        image: REDIS,
        imagePullPolicy: "IfNotPresent",
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "256Mi" } },
        redisSecret: { name: "redis-internal", key: "REDIS_PASSWORD" },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
    },
    redisExporter: { enabled: true, image: EXPORTER, imagePullPolicy: "IfNotPresent", env: EXPORTER_ENV },
    storage: {
        keepAfterDelete: true,
        volumeClaimTemplate: { spec: { storageClassName: "tenant-fast", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
    },
    nodeSelector: RUN,
    tolerations: [TOLERATION],
    affinity: { podAntiAffinity: {} },
    podSecurityContext: { runAsNonRoot: true },
    securityContext: { allowPrivilegeEscalation: false },
    acl: { secret: { secretName: "redis-internal" } },
    pdb: { enabled: true, maxUnavailable: 1 },
    sentinel: { image: SENTINEL, imagePullPolicy: "IfNotPresent", size: 3, nodeSelector: RUN, tolerations: [TOLERATION], affinity: { podAntiAffinity: {} } },
});
const problems = (spec: Record<string, unknown>) => redisReplicationProblems(spec, CONFIG);
const withKubernetesConfig = (changes: Record<string, unknown>) => {
    const spec = base();
    return { ...spec, kubernetesConfig: { ...spec.kubernetesConfig, ...changes } };
};

describe("redisReplicationProblems", () => {
    it("accepts the rendered group, one member without Sentinel, the standard class and no exporter or Sentinel image", () => {
        expect(problems(base())).toEqual([]);
        const { sentinel: _sentinel, pdb: _pdb, ...single } = base();
        expect(problems({ ...single, clusterSize: 1 })).toEqual([]);
        const standard = base();
        standard.storage.volumeClaimTemplate.spec.storageClassName = "tenant-standard";
        expect(problems(standard)).toEqual([]);
        // Only the Redis image is required: the operator's defaults for the others are not reached with them unset.
        const bare = base();
        delete bare.redisExporter.image;
        delete bare.sentinel.image;
        expect(problems(bare)).toEqual([]);
    });

    it("refuses an instance count outside 1..maxDatabaseInstances, a fraction and a non-number", () => {
        const why = "is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)";
        expect(problems({ ...base(), clusterSize: 0 })).toEqual([`clusterSize 0 ${why}`]);
        expect(problems({ ...base(), clusterSize: -1 })).toEqual([`clusterSize -1 ${why}`]);
        expect(problems({ ...base(), clusterSize: 4 })).toEqual([`clusterSize 4 ${why}`]);
        expect(problems({ ...base(), clusterSize: 2.5 })).toEqual([`clusterSize 2.5 ${why}`]);
        expect(problems({ ...base(), clusterSize: "2" })).toEqual([`clusterSize 2 ${why}`]);
        expect(problems({ ...base(), clusterSize: undefined })).toEqual([`clusterSize undefined ${why}`]);
        expect(redisReplicationProblems({ ...base(), clusterSize: 4 }, { maxDatabaseInstances: 5 })).toEqual([]);
    });

    it("needs the password Secret's name and key, and the platform's of both", () => {
        const unset = "kubernetesConfig.redisSecret is not set: Redis would accept clients without a password";
        expect(problems(withKubernetesConfig({ redisSecret: undefined }))).toEqual([unset]);
        expect(problems(withKubernetesConfig({ redisSecret: { name: "redis-internal" } }))).toEqual([unset]);
        expect(problems(withKubernetesConfig({ redisSecret: { key: "REDIS_PASSWORD" } }))).toEqual([unset]);
        expect(problems(withKubernetesConfig({ redisSecret: { name: "redis-internal", key: "" } }))).toEqual([unset]);
        const wrong = (shown: string) =>
            `kubernetesConfig.redisSecret ${shown} is not the platform's ({"name":"redis-internal","key":"REDIS_PASSWORD"}): the operator logs in as Redis's default user with it, and only the grants stack writes that Secret`;
        expect(problems(withKubernetesConfig({ redisSecret: { name: "mine", key: "REDIS_PASSWORD" } }))).toEqual([wrong('{"name":"mine","key":"REDIS_PASSWORD"}')]);
        expect(problems(withKubernetesConfig({ redisSecret: { name: "redis-internal", key: "REDIS_EXPORTER_PASSWORD" } }))).toEqual([
            wrong('{"name":"redis-internal","key":"REDIS_EXPORTER_PASSWORD"}'),
        ]);
    });

    it("names each image that is not the platform's, and the Redis image when it is missing", () => {
        expect(problems(withKubernetesConfig({ image: undefined }))).toEqual([`kubernetesConfig.image (unset) is not the platform's Redis image (${REDIS})`]);
        expect(problems(withKubernetesConfig({ image: "quay.io/opstree/redis:v7.0.15" }))).toEqual([`kubernetesConfig.image quay.io/opstree/redis:v7.0.15 is not the platform's Redis image (${REDIS})`]);
        const sentinel = base();
        sentinel.sentinel.image = "docker.io/library/redis:7.4.2";
        expect(problems(sentinel)).toEqual([`sentinel.image docker.io/library/redis:7.4.2 is not the platform's Sentinel image (${SENTINEL})`]);
        const exporter = base();
        exporter.redisExporter.image = "docker.io/oliver006/redis_exporter:v1.50.0";
        expect(problems(exporter)).toEqual([`redisExporter.image docker.io/oliver006/redis_exporter:v1.50.0 is not the platform's exporter image (${EXPORTER})`]);
    });

    it("needs Retain on deletion and on scale-down", () => {
        const why = "kubernetesConfig.persistentVolumeClaimRetentionPolicy is not Retain on deletion and scale-down: the StatefulSet would delete the members' claims";
        expect(problems(withKubernetesConfig({ persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" } }))).toEqual([why]);
        expect(problems(withKubernetesConfig({ persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Delete" } }))).toEqual([why]);
        expect(problems(withKubernetesConfig({ persistentVolumeClaimRetentionPolicy: undefined }))).toEqual([why]);
    });

    it("needs a tenant Longhorn class and the volumes kept after deletion", () => {
        const classWhy = "is not a tenant Longhorn class (tenant-fast, tenant-standard): no persistence, or none the nightly backup covers";
        const local = base();
        local.storage.volumeClaimTemplate.spec.storageClassName = "local-path";
        expect(problems(local)).toEqual([`storage.volumeClaimTemplate.spec.storageClassName local-path ${classWhy}`]);
        const unset = base();
        delete unset.storage.volumeClaimTemplate.spec.storageClassName;
        expect(problems(unset)).toEqual([`storage.volumeClaimTemplate.spec.storageClassName (unset) ${classWhy}`]);
        const kept = "storage.keepAfterDelete is not true: deleting the object would delete the members' volumes";
        expect(problems({ ...base(), storage: { ...base().storage, keepAfterDelete: false } })).toEqual([kept]);
        expect(problems({ ...base(), storage: { ...base().storage, keepAfterDelete: "true" } })).toEqual([kept]);
    });

    it("names the members' and the Sentinels' placement apart", () => {
        const { nodeSelector: _members, ...members } = base();
        expect(problems(members)).toEqual([`nodeSelector null ${PLACEMENT_WHY}`]);
        const sentinels = base();
        delete sentinels.sentinel.nodeSelector;
        expect(problems(sentinels)).toEqual([`sentinel.nodeSelector null ${PLACEMENT_WHY}`]);
    });

    it("needs exactly the exporter's own user, and the platform's ACL Secret", () => {
        const envWhy = (shown: string) =>
            `redisExporter.env ${shown} is not the platform's (${EXPORTER_ENV_JSON}): without it the exporter holds default's password, which its /scrape endpoint sends to any host it is pointed at`;
        const missing = base();
        delete missing.redisExporter.env;
        expect(problems(missing)).toEqual([envWhy("null")]);
        const userOnly = base();
        userOnly.redisExporter.env = [{ name: "REDIS_USER", value: "exporter" }];
        expect(problems(userOnly)).toEqual([envWhy('[{"name":"REDIS_USER","value":"exporter"}]')]);
        const aclWhy = (shown: string) =>
            `acl.secret.secretName ${shown} is not the platform's redis-internal: without its ACL file the services would log in as default (ACL, CONFIG, MODULE and, in an untrusted project, Lua outside gVisor)`;
        expect(problems({ ...base(), acl: { secret: { secretName: "mine" } } })).toEqual([aclWhy('"mine"')]);
        expect(problems({ ...base(), acl: { secret: {} } })).toEqual([aclWhy("null")]);
    });

    it("names each field it does not render by its full path, with its reason", () => {
        expect(problems({ ...base(), env: [{ name: "X", value: "1" }] })).toEqual([
            `env is set (copied into the Redis container and the operator's init-config container, whose entrypoints act on their environment)${OUTSIDE}`,
        ]);
        expect(problems({ ...base(), schedulerName: "mine" })).toEqual([`schedulerName is set (not a field the platform renders)${OUTSIDE}`]);
        expect(problems(withKubernetesConfig({ service: { serviceType: "ClusterIP" } }))).toEqual([
            `kubernetesConfig.service is set (the operator's Services stay ClusterIP without annotations of the tenant's)${OUTSIDE}`,
        ]);
        expect(problems(withKubernetesConfig({ minReadySeconds: 5 }))).toEqual([`kubernetesConfig.minReadySeconds is set (not a field the platform renders)${OUTSIDE}`]);
        const block = base();
        block.storage.volumeClaimTemplate.spec.volumeMode = "Block";
        expect(problems(block)).toEqual([`storage.volumeClaimTemplate.spec.volumeMode is set (a raw block device instead of the file system Redis writes)${OUTSIDE}`]);
    });
});

describe("tenancy-redis-replication messages", () => {
    it("refuse the operator's other kinds by name", () => {
        const cluster = planned("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", "redis", { metadata: { name: "redis", namespace: "shop" }, spec: base() });
        expect(messagesOf("tenancy-redis-replication", [cluster], CONFIG)).toEqual([
            'RedisCluster in namespace "shop": tenants run Redis as the project file\'s redis (a RedisReplication), not as this kind',
        ]);
    });

    it("name the namespace of a RedisReplication's problem and of an operator annotation", () => {
        const group = planned(REPLICATION, "redis", {
            metadata: { name: "redis", namespace: "shop", annotations: { "redis.opstreelabs.in/recreate-statefulset": "true" } },
            spec: { ...base(), clusterSize: 4 },
        });
        expect(messagesOf("tenancy-redis-replication", [group], CONFIG)).toEqual([
            'RedisReplication in namespace "shop": clusterSize 4 is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)',
            'RedisReplication in namespace "shop": annotation redis.opstreelabs.in/recreate-statefulset is the Redis operator\'s (skip-reconcile stops it applying the platform\'s object, recreate-statefulset deletes the StatefulSets): remove it',
        ]);
    });
});
