import { describe, expect, it } from "vitest";
import { redisPlacementProblems, redisReplicationProblems } from "../../policy/rules/tenancy/redis-replication";
import { messagesOf, planned } from "../helpers/policy-fixtures";

/**
 * The checks of `tenancy-redis-replication` called directly, each message and edge written out: the admission
 * twin's tests (test/components/guardrails/redis-policy.test.ts) compare admit/deny of whole objects, which left
 * the messages, the placement near misses and the size bounds open (found by `npm run mutation --
 * policy-redis`, 74.1% in its first run). Importing only the rule keeps each mutant's run short.
 */

const RUN = { "platform/pool": "run" };
const TOLERATION = { key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" };
const PLACEMENT_WHY = 'is not the platform\'s ({"platform/pool":"run"} or {"platform/pool":"server"}): the unsandboxed Redis pods stay on the tenant pool';
const FIELD_WHY = "the operator's pods run outside gVisor and carry only what the platform renders";
const TRUSTED = { "platform/trust": "trusted" };

/** A RedisReplication spec as the platform renders it (values written here, not taken from the renderer). */
const compliant = (): Record<string, any> => ({
    clusterSize: 3,
    kubernetesConfig: {
        image: "quay.io/opstree/redis:v8.2.2",
        redisSecret: { name: "redis-password", key: "password" },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
    },
    storage: { keepAfterDelete: true, volumeClaimTemplate: { spec: { storageClassName: "tenant-fast", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } } },
    nodeSelector: RUN,
    tolerations: [TOLERATION],
    acl: { secret: { secretName: "redis-password" } },
});
const problems = (spec: Record<string, any>, labels: Record<string, string> = {}) => redisReplicationProblems(spec, { maxDatabaseInstances: 3 }, labels);

describe("redisPlacementProblems", () => {
    it("accepts a tenant pool's selector (either key order), the run pool's toleration or none, and anti-affinity only", () => {
        expect(redisPlacementProblems({ nodeSelector: RUN, tolerations: [TOLERATION], affinity: { podAntiAffinity: {} } }, "")).toEqual([]);
        expect(redisPlacementProblems({ nodeSelector: { "platform/pool": "server" }, tolerations: [] }, "")).toEqual([]);
        expect(redisPlacementProblems({ nodeSelector: RUN, tolerations: [{ effect: "NoSchedule", value: "run", operator: "Equal", key: "pool" }] }, "")).toEqual([]);
    });

    it("names each wrong field at its place with what it has", () => {
        expect(redisPlacementProblems({}, "sentinel.")).toEqual([`sentinel.nodeSelector null ${PLACEMENT_WHY}`]);
        expect(redisPlacementProblems({ nodeSelector: { "platform/pool": "build" } }, "")).toEqual([`nodeSelector {"platform/pool":"build"} ${PLACEMENT_WHY}`]);
        expect(redisPlacementProblems({ nodeSelector: { ...RUN, zone: "a" } }, "")).toEqual([`nodeSelector {"platform/pool":"run","zone":"a"} ${PLACEMENT_WHY}`]);
        expect(redisPlacementProblems({ nodeSelector: RUN, tolerations: [TOLERATION, TOLERATION] }, "")).toEqual([
            `tolerations [${JSON.stringify(TOLERATION)},${JSON.stringify(TOLERATION)}] are not the platform's ([${JSON.stringify(TOLERATION)}]): another pool's taint would let the unsandboxed Redis pods onto platform nodes`,
        ]);
        expect(redisPlacementProblems({ nodeSelector: RUN, tolerations: [{ ...TOLERATION, value: "build" }] }, "").join("\n")).toMatch(/^tolerations /);
        expect(redisPlacementProblems({ nodeSelector: RUN, tolerations: TOLERATION }, "").join("\n")).toMatch(/^tolerations /);
        expect(redisPlacementProblems({ nodeSelector: RUN, affinity: { nodeAffinity: {}, podAffinity: {}, podAntiAffinity: {} } }, "x.")).toEqual([
            "x.affinity sets nodeAffinity, podAffinity: only podAntiAffinity (members apart), no node or pod affinity choosing where the unsandboxed Redis pods run",
        ]);
        expect(redisPlacementProblems({ nodeSelector: RUN, affinity: "anywhere" }, "")).toEqual([
            "affinity sets a non-object value: only podAntiAffinity (members apart), no node or pod affinity choosing where the unsandboxed Redis pods run",
        ]);
    });
});

describe("redisReplicationProblems", () => {
    it("passes the rendered form, trusted without an ACL too", () => {
        expect(problems(compliant())).toEqual([]);
        const { acl: _acl, ...withoutAcl } = compliant();
        expect(problems(withoutAcl, TRUSTED)).toEqual([]);
    });

    it("bounds the size to 1..maxDatabaseInstances, integers only", () => {
        for (const clusterSize of [0, 4, 1.5, "3", undefined]) {
            expect(problems({ ...compliant(), clusterSize })).toEqual([`clusterSize ${String(clusterSize)} is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)`]);
        }
        expect(problems({ ...compliant(), clusterSize: 1 })).toEqual([]);
    });

    it("needs a password Secret with a key, the pinned images, claims kept, a backed-up class", () => {
        const spec = compliant();
        const without = (changes: Record<string, any>) => problems({ ...spec, kubernetesConfig: { ...spec.kubernetesConfig, ...changes } }, TRUSTED);
        const { acl: _acl, ...noAcl } = spec;
        expect(problems({ ...noAcl, kubernetesConfig: { ...spec.kubernetesConfig, redisSecret: { name: "redis-password" } } }, TRUSTED)).toEqual(["kubernetesConfig.redisSecret is not set: Redis would accept clients without a password"]);
        expect(problems({ ...noAcl, kubernetesConfig: { ...spec.kubernetesConfig, redisSecret: { key: "password" } } }, TRUSTED)).toEqual(["kubernetesConfig.redisSecret is not set: Redis would accept clients without a password"]);
        expect(problems({ ...noAcl, kubernetesConfig: { ...spec.kubernetesConfig, redisSecret: undefined } }, TRUSTED)).toEqual(["kubernetesConfig.redisSecret is not set: Redis would accept clients without a password"]);
        expect(without({ image: undefined })).toEqual(["kubernetesConfig.image (unset) is not the platform's Redis image (quay.io/opstree/redis:v8.2.2)"]);
        expect(without({ image: "redis:7" })).toEqual(["kubernetesConfig.image redis:7 is not the platform's Redis image (quay.io/opstree/redis:v8.2.2)"]);
        expect(problems({ ...spec, sentinel: { image: "evil/sentinel:1", nodeSelector: RUN } })).toEqual(["sentinel.image evil/sentinel:1 is not the platform's Sentinel image (quay.io/opstree/redis-sentinel:v8.2.2)"]);
        expect(problems({ ...spec, sentinel: { nodeSelector: RUN } })).toEqual([]);
        expect(problems({ ...spec, redisExporter: { enabled: true, image: "evil/exporter:1" } })).toEqual(["redisExporter.image evil/exporter:1 is not the platform's exporter image (quay.io/opstree/redis-exporter:v1.44.0)"]);
        expect(problems({ ...spec, redisExporter: { enabled: true } })).toEqual([]);
        const retention = "kubernetesConfig.persistentVolumeClaimRetentionPolicy is not Retain on deletion and scale-down: the StatefulSet would delete the members' claims";
        expect(without({ persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Delete" } })).toEqual([retention]);
        expect(without({ persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" } })).toEqual([retention]);
        expect(without({ persistentVolumeClaimRetentionPolicy: undefined })).toEqual([retention]);
        const storage = (storageClassName: string | undefined, keepAfterDelete: unknown = true) => problems({ ...spec, storage: { keepAfterDelete, volumeClaimTemplate: { spec: { ...spec.storage.volumeClaimTemplate.spec, storageClassName } } } });
        expect(storage("longhorn")).toEqual(["storage.volumeClaimTemplate.spec.storageClassName longhorn is not a tenant Longhorn class (tenant-fast, tenant-standard): no persistence, or none the nightly backup covers"]);
        expect(storage(undefined)).toEqual(["storage.volumeClaimTemplate.spec.storageClassName (unset) is not a tenant Longhorn class (tenant-fast, tenant-standard): no persistence, or none the nightly backup covers"]);
        expect(storage("tenant-standard", "true")).toEqual(["storage.keepAfterDelete is not true: deleting the object would delete the members' volumes"]);
    });

    it("pins the ACL to the group's password Secret, and requires it unless the object is trusted", () => {
        const spec = compliant();
        expect(problems({ ...spec, acl: { secret: { secretName: "mine" } } })).toEqual(['acl.secret.secretName "mine" is not the group\'s password Secret (redis-password): the ACL file is the platform\'s']);
        expect(problems({ ...spec, acl: {} })).toEqual(["acl.secret.secretName null is not the group's password Secret (redis-password): the ACL file is the platform's"]);
        expect(problems({ ...spec, acl: {}, kubernetesConfig: { ...spec.kubernetesConfig, redisSecret: undefined } })).toEqual([
            "kubernetesConfig.redisSecret is not set: Redis would accept clients without a password",
            "acl.secret.secretName null is not the group's password Secret (kubernetesConfig.redisSecret.name): the ACL file is the platform's",
        ]);
        const { acl: _acl, ...noAcl } = spec;
        const untrusted = "acl is not set on an untrusted project's Redis: without the platform's ACL file (no @scripting) the tenant's Lua (EVAL, FUNCTION) runs in Redis, outside gVisor";
        expect(problems(noAcl)).toEqual([untrusted]);
        expect(problems(noAcl, { "platform/trust": "untrusted" })).toEqual([untrusted]);
    });

    it("places the Redis pods and the Sentinels", () => {
        expect(problems({ ...compliant(), nodeSelector: undefined })).toEqual([`nodeSelector null ${PLACEMENT_WHY}`]);
        expect(problems({ ...compliant(), sentinel: { size: 3 } })).toEqual([`sentinel.nodeSelector null ${PLACEMENT_WHY}`]);
    });

    it("refuses every field it does not render, with its reason or the default one, at its path", () => {
        const spec = compliant();
        expect(problems({ ...spec, env: [], hostPort: 6379, madeUp: 1, kubernetesConfig: { ...spec.kubernetesConfig, service: {} }, storage: { ...spec.storage, volumeClaimTemplate: { spec: { ...spec.storage.volumeClaimTemplate.spec, volumeName: "pv-1" } } } })).toEqual([
            `env is set (copied into the Redis container and the operator's init-config container, whose entrypoints act on their environment): ${FIELD_WHY}`,
            `hostPort is set (no host ports): ${FIELD_WHY}`,
            `madeUp is set (not a field the platform renders): ${FIELD_WHY}`,
            `kubernetesConfig.service is set (the operator's Services stay ClusterIP without annotations of the tenant's): ${FIELD_WHY}`,
            `storage.volumeClaimTemplate.spec.volumeName is set (binds a named existing volume instead of provisioning the group's own): ${FIELD_WHY}`,
        ]);
    });
});

describe("tenancy-redis-replication messages", () => {
    it("name the kind and the namespace, and refuse the operator's other kinds", () => {
        const other = planned("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisCluster", "cache", { metadata: { name: "cache", namespace: "shop" }, spec: {} });
        expect(messagesOf("tenancy-redis-replication", [other])).toEqual(['RedisCluster in namespace "shop": tenants run Redis as the project file\'s redis (a RedisReplication), not as this kind']);
        const replication = planned("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication", "redis", { metadata: { name: "redis", namespace: "shop" }, spec: { ...compliant(), clusterSize: 9 } });
        expect(messagesOf("tenancy-redis-replication", [replication], { maxDatabaseInstances: 3 })).toEqual(['RedisReplication in namespace "shop": clusterSize 9 is outside 1..3 (platform:tenantLimits.maxDatabaseInstances)']);
    });
});
