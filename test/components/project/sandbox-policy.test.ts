import { describe, expect, it } from "vitest";
import { ACME_SOLVER_IMAGE, renderRuntimeClass, renderSandboxPolicy, renderSandboxPolicyBinding, SANDBOX_POLICY_NAME, STATEFULSET_CONTROLLER_USER } from "../../../components/project/sandbox-policy";
import { REDIS_OPERATOR_USER } from "../../../components/databases/redis-values";
import { projectContext } from "../../../components/project/common";
import { renderNamespace } from "../../../components/project/namespace";
import { planNodes } from "../../../components/nodes/node-plan";
import { validateObject } from "../../helpers/k8s-schema";
import { project, stackPlatformConfig, TENANT_STACKS } from "./fixtures";
import { admit } from "../../../tools/offline/admission";
import { CNPG_OPERATOR_IMAGE, DATABASE_IMAGES, REDIS_IMAGES } from "../../../charts/images";
import { CNPG_OPERATOR_USER } from "../../../components/databases/values";

describe("gVisor sandbox", () => {
    it("is the RuntimeClass gvisor with the runsc handler, scheduled onto gVisor nodes", () => {
        const runtimeClass = renderRuntimeClass();
        expect(runtimeClass).toMatchObject({ metadata: { name: "gvisor" }, handler: "runsc" });
        expect(runtimeClass.scheduling?.nodeSelector).toEqual({ "platform/gvisor": "true" });
        expect(runtimeClass.scheduling?.tolerations).toEqual([{ key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" }]);
    });

    it("schedules onto nodes that exist: every stack labels its tenant nodes platform/gvisor", () => {
        for (const stack of TENANT_STACKS) {
            const nodes = planNodes(stackPlatformConfig(stack), stack);
            const tenantNodes = nodes.filter((n) => n.pool === "run");
            expect(tenantNodes.length, stack).toBeGreaterThan(0);
            expect(tenantNodes.every((n) => n.labels["platform/gvisor"] === "true"), stack).toBe(true);
        }
    });

    it("admits pods in untrusted tenant namespaces only with runtimeClassName gvisor", () => {
        const policy = renderSandboxPolicy();
        expect(policy.spec?.failurePolicy).toBe("Fail");
        expect(policy.spec?.matchConstraints?.resourceRules).toEqual([
            { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] },
            { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["statefulsets"] },
        ]);
        expect(policy.spec?.validations?.[0]).toEqual(expect.objectContaining({ expression: "object.kind != 'Pod' || (has(object.spec.runtimeClassName) && object.spec.runtimeClassName == 'gvisor')", reason: "Forbidden" }));
        const exemption = policy.spec?.matchConditions?.[0]?.expression ?? "";
        expect(exemption).toContain("'acme.cert-manager.io/http01-solver' in object.metadata.labels");
        expect(exemption).toContain(`c.image.startsWith('${ACME_SOLVER_IMAGE}')`);
        expect(exemption).toContain("!has(c.command)");
        expect(exemption.startsWith("!(")).toBe(true);
    });

    it("binds to exactly the namespaces the Project labels untrusted", () => {
        const binding = renderSandboxPolicyBinding();
        expect(binding.spec).toEqual({
            policyName: SANDBOX_POLICY_NAME,
            validationActions: ["Deny"],
            matchResources: { namespaceSelector: { matchLabels: { "platform/tenant": "true", "platform/trust": "untrusted" } } },
        });
        const selector = binding.spec!.matchResources!.namespaceSelector!.matchLabels!;
        const matches = (labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
        const config = stackPlatformConfig("dev");
        expect(matches(renderNamespace(projectContext(project({ trust: "untrusted" }), config)).metadata!.labels!)).toBe(true);
        expect(matches(renderNamespace(projectContext(project({ trust: "trusted" }), config)).metadata!.labels!)).toBe(false);
    });

    it("validates against the Kubernetes schemas", () => {
        for (const object of [renderRuntimeClass(), renderSandboxPolicy(), renderSandboxPolicyBinding()]) {
            expect(validateObject(object)).toMatchObject({ status: "valid" });
        }
    });
});

describe("gVisor sandbox and the CloudNativePG instances", () => {
    const policy = renderSandboxPolicy();
    const binding = renderSandboxPolicyBinding();
    const namespace = renderNamespace(projectContext(project({ name: "shop", trust: "untrusted", database: { engine: "postgresql" } }), stackPlatformConfig("dev"))) as unknown as Record<string, unknown>;
    const instancePod = (image: string, initImage = `${CNPG_OPERATOR_IMAGE.repository}:${CNPG_OPERATOR_IMAGE.tag}`) => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "database-1", namespace: "shop", labels: { "cnpg.io/cluster": "database" } },
        spec: { initContainers: [{ name: "bootstrap-controller", image: initImage }], containers: [{ name: "postgres", image }] },
    });
    const operator = { username: CNPG_OPERATOR_USER, groups: ["system:serviceaccounts"] };

    it("admits the operator's PostgreSQL pods without gVisor (its Cluster has no runtimeClassName)", () => {
        const decision = admit(policy, binding, { object: instancePod(DATABASE_IMAGES.postgresql["17"]), namespaceObject: namespace, operation: "CREATE", userInfo: operator });
        expect(decision).toEqual({ matched: false, allowed: true, messages: [] });
    });

    it("holds the same pod to the sandbox when anyone else creates it, and the operator's pods with another image", () => {
        const tenant = admit(policy, binding, { object: instancePod(DATABASE_IMAGES.postgresql["17"]), namespaceObject: namespace, operation: "CREATE", userInfo: { username: "system:serviceaccount:argocd:argocd-application-controller" } });
        expect(tenant.allowed).toBe(false);
        const otherImage = admit(policy, binding, { object: instancePod("docker.io/library/postgres:17.6"), namespaceObject: namespace, operation: "CREATE", userInfo: operator });
        expect(otherImage.allowed).toBe(false);
        const otherInit = admit(policy, binding, { object: instancePod(DATABASE_IMAGES.postgresql["16"], "docker.io/library/busybox:1.36"), namespaceObject: namespace, operation: "CREATE", userInfo: operator });
        expect(otherInit.allowed).toBe(false);
    });
});

describe("gVisor sandbox and StatefulSets (the Redis operator's among them)", () => {
    const policy = renderSandboxPolicy();
    const binding = renderSandboxPolicyBinding();
    const namespace = renderNamespace(projectContext(project({ name: "shop", trust: "untrusted" }), stackPlatformConfig("dev"))) as unknown as Record<string, unknown>;
    const redis = REDIS_IMAGES.redis["8.2"]!;
    const statefulSet = (options: { image?: string; runtimeClassName?: string; owner?: boolean } = {}) => ({
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: {
            name: "redis",
            namespace: "shop",
            ...(options.owner === false ? {} : { ownerReferences: [{ apiVersion: "redis.redis.opstreelabs.in/v1beta2", kind: "RedisReplication", name: "redis", uid: "1", controller: true }] }),
        },
        spec: {
            selector: { matchLabels: { app: "redis" } },
            serviceName: "redis-headless",
            template: {
                metadata: { labels: { app: "redis" } },
                spec: {
                    ...(options.runtimeClassName ? { runtimeClassName: options.runtimeClassName } : {}),
                    containers: [
                        { name: "redis", image: options.image ?? redis },
                        { name: "redis-exporter", image: REDIS_IMAGES.exporter },
                    ],
                },
            },
        },
    });
    const decide = (object: unknown, username: string) => admit(policy, binding, { object: object as Record<string, unknown>, namespaceObject: namespace, operation: "CREATE", userInfo: { username } });
    const tenant = "system:serviceaccount:tenant-deployers:shop";

    it("admits the Redis operator's StatefulSet of a RedisReplication with the pinned images, and its pods from the StatefulSet controller", () => {
        expect(decide(statefulSet(), REDIS_OPERATOR_USER).allowed).toBe(true);
        const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "redis-0", namespace: "shop" }, spec: statefulSet().spec.template.spec };
        expect(decide(pod, STATEFULSET_CONTROLLER_USER)).toEqual({ matched: false, allowed: true, messages: [] });
    });

    it("holds every other StatefulSet to the sandbox: a tenant's, one without the RedisReplication owner, one with another image", () => {
        for (const [what, object, user] of [
            ["a tenant's copy of the operator's StatefulSet", statefulSet(), tenant],
            ["the operator's without a RedisReplication owner", statefulSet({ owner: false }), REDIS_OPERATOR_USER],
            ["the operator's with a tenant image", statefulSet({ image: "ghcr.io/example/miner:1" }), REDIS_OPERATOR_USER],
        ] as const) {
            const decision = decide(object, user);
            expect(decision.allowed, what).toBe(false);
            expect(decision.messages.join("; "), what).toMatch(/template the gVisor sandbox/);
        }
        // A tenant's own StatefulSet that templates gVisor is admitted, and so are its pods.
        expect(decide(statefulSet({ runtimeClassName: "gvisor", image: "ghcr.io/example/db:1", owner: false }), tenant).allowed).toBe(true);
    });

    it("still holds pods anyone but the StatefulSet controller creates, whatever they look like", () => {
        const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "redis-0", namespace: "shop" }, spec: statefulSet().spec.template.spec };
        for (const user of [tenant, REDIS_OPERATOR_USER, "system:serviceaccount:kube-system:replicaset-controller"]) {
            expect(decide(pod, user).allowed, user).toBe(false);
        }
    });
});
