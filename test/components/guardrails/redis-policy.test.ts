import { describe, expect, it } from "vitest";
import { renderRedisPolicy } from "../../../components/guardrails/admission-policies";
import { databaseAdmission } from "../../../components/guardrails/guardrails";
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

function decide(kind: string, objectSpec: Spec): { admission: "admit" | "deny"; pack: "admit" | "deny"; messages: string[] } {
    const object = { ...group, kind, spec: objectSpec };
    const decision = admit(pair.policy, pair.binding, { object, namespaceObject: tenantNamespace("shop").inputs, operation: "CREATE" });
    const reported = messagesOf("tenancy-redis-replication", [planned(`kubernetes:redis.redis.opstreelabs.in/v1beta2:${kind}`, "redis", object)], pack);
    return { admission: decision.allowed ? "admit" : "deny", pack: reported.length === 0 ? "admit" : "deny", messages: decision.messages };
}

const CASES: Array<{ title: string; kind?: string; spec: Spec; expected: "admit" | "deny" }> = [
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
    { title: "ClusterIP Services spelled out", spec: kubernetesConfig({ service: { serviceType: "ClusterIP", headless: { type: "ClusterIP" } } }), expected: "admit" },
    { title: "no persistence", spec: spec({ storage: undefined }), expected: "deny" },
    { title: "a class no backup covers", spec: storage({ volumeClaimTemplate: { spec: { ...base.storage.volumeClaimTemplate.spec, storageClassName: "local-path" } } }), expected: "deny" },
    { title: "volumes deleted with the object", spec: storage({ keepAfterDelete: false }), expected: "deny" },
    { title: "an extra hostPath volume", spec: storage({ volumeMount: { volume: [{ name: "host", hostPath: { path: "/" } }] } }), expected: "deny" },
    { title: "a sidecar", spec: spec({ sidecars: [{ name: "x", image: "docker.io/library/busybox:1.37" }] }), expected: "deny" },
    { title: "an init container", spec: spec({ initContainer: { enabled: true, image: "docker.io/library/busybox:1.37" } }), expected: "deny" },
    { title: "a ServiceAccount of its own", spec: spec({ serviceAccountName: "database" }), expected: "deny" },
    { title: "a host port", spec: spec({ hostPort: 6379 }), expected: "deny" },
    { title: "more members than the limit", spec: spec({ clusterSize: 4 }), expected: "deny" },
];

describe("platform-tenant-redis (admission twin of tenancy-redis-replication)", () => {
    it("is a schema-valid ValidatingAdmissionPolicy bound to tenant namespaces, holding the stack's limit and the pinned images", () => {
        expect(validateObject(pair.policy).status).toBe("valid");
        expect(validateObject(pair.binding).status).toBe("valid");
        expect(JSON.stringify(pair.policy.spec)).toContain("object.spec.clusterSize <= 3");
        expect(JSON.stringify(pair.policy.spec)).toContain(base.kubernetesConfig.image);
    });

    it.each(CASES)("$title: $expected by admission and by the pack", ({ kind, spec: objectSpec, expected }) => {
        const outcome = decide(kind ?? "RedisReplication", objectSpec);
        expect(outcome.admission, outcome.messages.join("; ")).toBe(expected);
        expect(outcome.pack).toBe(expected);
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
