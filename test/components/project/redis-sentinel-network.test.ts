import { describe, expect, it } from "vitest";
import { projectContext } from "../../../components/project/common";
import { renderNetworkPolicies } from "../../../components/project/network-policies";
import { REDIS_PORTS, renderRedisNetworkPolicies } from "../../../components/project/redis";
import { NAMESPACES } from "../../../lib/conventions";
import { connectionAllowed } from "../../helpers/network-policy-eval";
import { validateObject } from "../../helpers/k8s-schema";
import { project, stackPlatformConfig } from "./fixtures";

/**
 * A Sentinel's port has no password: SENTINEL SET, MONITOR, REMOVE or FAILOVER from any pod of the namespace would
 * point the group (and the replicas' masterauth, the default user's password) at a pod of the tenant's. Only the
 * Redis operator's pods (label `redis_setup_type`, OpsTree v0.26.0 getRedisStableLabels) and the operator reach
 * it; the project's pods still reach Redis itself.
 */

const ctx = projectContext(project({ name: "shop-eu", redis: { replicas: 3 } }), stackPlatformConfig("fsn1"));
const namespace = ctx.namespace;
const policies = [...renderNetworkPolicies(ctx), ...renderRedisNetworkPolicies(ctx)];
const member = { namespace, labels: { app: "redis", redis_setup_type: "replication", role: "replication" } };
const sentinel = { namespace, labels: { app: "redis-s", redis_setup_type: "sentinel", role: "sentinel" } };
const web = { namespace, labels: { "platform/service": "web", app: "web" } };
// A tenant pod dressed as a member by the labels a tenant may still write (app, role): redis_setup_type is refused by admission.
const impostor = { namespace, labels: { app: "redis", role: "replication" } };
const operator = { namespace: NAMESPACES.redisOperator, labels: { name: "redis-operator" } };
const tcp = (port: number) => ({ port, protocol: "TCP" as const });

describe("who reaches a tenant's Redis Sentinels", () => {
    it("renders schema-valid policies", () => {
        for (const policy of policies) {
            expect(validateObject(policy).status, policy.metadata?.name).toBe("valid");
        }
    });

    it("the project's pods reach Redis, not the Sentinels", () => {
        for (const source of [web, impostor]) {
            expect(connectionAllowed(policies, source, member, tcp(REDIS_PORTS.redis))).toBe(true);
            expect(connectionAllowed(policies, source, sentinel, tcp(REDIS_PORTS.sentinel))).toBe(false);
            expect(connectionAllowed(policies, source, member, tcp(REDIS_PORTS.sentinel))).toBe(false);
        }
    });

    it("members, Sentinels and the operator reach each other's Redis and Sentinel ports", () => {
        for (const [source, destination] of [[sentinel, member], [member, member], [sentinel, sentinel], [member, sentinel]] as const) {
            expect(connectionAllowed(policies, source, destination, tcp(REDIS_PORTS.redis)), `${source.labels.app} → ${destination.labels.app} redis`).toBe(true);
            expect(connectionAllowed(policies, source, destination, tcp(REDIS_PORTS.sentinel)), `${source.labels.app} → ${destination.labels.app} sentinel`).toBe(true);
        }
        expect(connectionAllowed(policies, operator, sentinel, tcp(REDIS_PORTS.sentinel))).toBe(true);
        expect(connectionAllowed(policies, operator, member, tcp(REDIS_PORTS.redis))).toBe(true);
    });

    it("Redis pods reach no other port of the namespace's pods; a project without Redis keeps allow-same-namespace whole", () => {
        expect(connectionAllowed(policies, member, web, tcp(8080))).toBe(false);
        expect(connectionAllowed(policies, web, web, tcp(8080))).toBe(true);
        const plain = renderNetworkPolicies(projectContext(project({ name: "shop-eu" }), stackPlatformConfig("fsn1")));
        expect(plain.find((p) => p.metadata?.name === "allow-same-namespace")?.spec?.podSelector).toEqual({});
    });
});
