import type { ResourceValidationPolicy } from "@pulumi/policy";
import { REDIS_IMAGES } from "../../../charts/images";
import { TENANT_STORAGE_CLASSES } from "../../../lib/conventions";
import { configSchemaFor, packConfig, type PackConfig } from "../../lib/config";
import { namespaceOf, specOf } from "../../lib/kubernetes";
import { forTenantObjects } from "../../lib/rule-helpers";
import { asRecord, asString, at } from "../../lib/values";

/** API group of the OpsTree Redis Operator's kinds. */
export const REDIS_API_GROUP = "redis.redis.opstreelabs.in";

/** Pulumi type of a RedisReplication (the one kind a tenant's Redis is). */
export const REDIS_REPLICATION_TYPE = `kubernetes:${REDIS_API_GROUP}/v1beta2:RedisReplication`;

/** The operator's other kinds, which no tenant object may be (standalone Redis, Redis Cluster, a Sentinel group of its own). */
export const REDIS_OTHER_TYPES = ["Redis", "RedisCluster", "RedisSentinel"].map((kind) => `kubernetes:${REDIS_API_GROUP}/v1beta2:${kind}`);

/** The images a tenant group may run: the platform's pinned builds (charts/images.ts), so no tenant picks an unpatched Redis. */
export const TENANT_REDIS_IMAGES = {
    redis: Object.values<string>(REDIS_IMAGES.redis),
    sentinel: Object.values<string>(REDIS_IMAGES.sentinel),
    exporter: [REDIS_IMAGES.exporter as string],
} as const;

/** Fields that would put something of the tenant's into the operator's pods, or let its pods out of the namespace's rules. */
const FORBIDDEN_FIELDS: ReadonlyArray<{ path: string[]; why: string }> = [
    { path: ["sidecars"], why: "sidecars run beside Redis with its password and data" },
    { path: ["initContainer"], why: "an init container runs before Redis on its volume" },
    { path: ["storage", "volumeMount"], why: "extra volumes and mounts" },
    { path: ["acl", "persistentVolumeClaim"], why: "an ACL file from another claim" },
    { path: ["serviceAccountName"], why: "the pods run as the namespace's default ServiceAccount" },
    { path: ["sentinel", "serviceAccountName"], why: "the Sentinels run as the namespace's default ServiceAccount" },
    { path: ["hostPort"], why: "no host ports" },
];

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
    const service = asRecord(at(spec, ["kubernetesConfig", "service"])) ?? {};
    for (const [value, where] of [
        [service.serviceType, "kubernetesConfig.service.serviceType"],
        [at(service, ["headless", "type"]), "kubernetesConfig.service.headless.type"],
        [at(service, ["additional", "type"]), "kubernetesConfig.service.additional.type"],
    ] as const) {
        if (value !== undefined && value !== "ClusterIP") {
            problems.push(`${where} is ${String(value)}: tenant Redis is reached inside the cluster only (ClusterIP)`);
        }
    }
    const classes: readonly string[] = Object.values(TENANT_STORAGE_CLASSES);
    const storageClass = asString(at(spec, ["storage", "volumeClaimTemplate", "spec", "storageClassName"]));
    if (!storageClass || !classes.includes(storageClass)) {
        problems.push(`storage.volumeClaimTemplate.spec.storageClassName ${storageClass ?? "(unset)"} is not a tenant Longhorn class (${classes.join(", ")}): no persistence, or none the nightly backup covers`);
    }
    if (at(spec, ["storage", "keepAfterDelete"]) !== true) {
        problems.push("storage.keepAfterDelete is not true: deleting the object would delete the members' volumes");
    }
    for (const field of FORBIDDEN_FIELDS) {
        if (at(spec, field.path) !== undefined) {
            problems.push(`${field.path.join(".")} is set (${field.why})`);
        }
    }
    return problems;
}

/**
 * A tenant namespace's Redis is a RedisReplication as the platform renders it: a password, the platform's
 * pinned images, ClusterIP Services only, persistence on a tenant Longhorn class (the nightly backup's) kept
 * after deletion, nothing of the tenant's in the operator's pods, and at most the instance limit; the
 * operator's other kinds are refused. The admission twin (components/guardrails, redis policy) holds the same
 * for objects that do not come from Pulumi.
 */
export const tenancyRedisReplication: ResourceValidationPolicy = {
    name: "tenancy-redis-replication",
    description: "Tenant Redis is a RedisReplication with a password, the platform's images, ClusterIP Services, backed-up persistence kept after deletion and no tenant containers or volumes in its pods, within the instance limit.",
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
    }),
};
