import { beforeAll, describe, expect, it } from "vitest";
import type { PlannedResource, StackPlan } from "../../../tools/offline/plan-types";
import { planWholeProject, project, stackPlatformConfig } from "./fixtures";

/**
 * Where a project's Redis credentials are written (review 19d, major 3): both Secrets, the operator's
 * `redis-internal` (default's password, the ACL file) and the app's `redis-credentials`, and the passwords in
 * them, are ProjectGrants' (the grants stack, run by the platform with the admin credentials), never the tenant
 * Project's, whose deployer could otherwise rewrite the ACL file. Planned with the mock engine as the two stacks
 * register them.
 */

const config = stackPlatformConfig("fsn1");
const spec = project({
    trust: "untrusted",
    services: [{ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080, uses: ["redis"] }],
    redis: { replicas: 2 },
});

let plan: StackPlan;

beforeAll(async () => {
    plan = await planWholeProject("shop", spec, config);
});

const urnOf = (type: string, name: string) => plan.resources.find((r) => r.type === type && r.name === name)?.urn ?? `missing ${type} ${name}`;
const children = (type: string) => plan.resources.filter((r) => r.parent === urnOf(type, "shop"));
const secretNamed = (resources: PlannedResource[], name: string) => resources.find((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs.metadata as { name?: string }).name === name);

describe("a project's Redis credentials, across its two stacks", () => {
    it("are written by the grants stack's ProjectGrants, passwords included, and by nothing of the tenant's Project", () => {
        const grants = children("platform:project:ProjectGrants");
        const tenant = children("platform:project:Project");
        for (const name of ["redis-internal", "redis-credentials"]) {
            expect(secretNamed(grants, name), name).toBeDefined();
            expect(secretNamed(tenant, name), name).toBeUndefined();
            expect(secretNamed(grants, name)!.secretInputs, name).toContain("stringData");
            expect(secretNamed(grants, name)!.additionalSecretOutputs, name).toEqual(expect.arrayContaining(["data", "stringData"]));
        }
        const passwords = (resources: PlannedResource[]) => resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.startsWith("shop-redis")).map((r) => r.name).sort();
        expect(passwords(grants)).toEqual(["shop-redis-app-password", "shop-redis-exporter-password", "shop-redis-operator-password"]);
        expect(passwords(tenant)).toEqual([]);
    });

    it("give the app a user of its own whose password the ACL file holds, and keep default's password apart", () => {
        const grants = children("platform:project:ProjectGrants");
        const internal = secretNamed(grants, "redis-internal")!.inputs.stringData as Record<string, string>;
        const app = secretNamed(grants, "redis-credentials")!.inputs.stringData as Record<string, string>;
        expect(app.REDIS_USERNAME).toBe("app");
        expect(app.REDIS_PASSWORD).not.toBe(internal.REDIS_PASSWORD);
        const lines = internal["user.acl"]!.trim().split("\n");
        expect(lines).toHaveLength(3);
        expect(lines[0]).toBe(`user default on >${internal.REDIS_PASSWORD} ~* &* +@all`);
        expect(lines[1]!.startsWith(`user app on >${app.REDIS_PASSWORD} ~* &* +@all -@admin -@dangerous `)).toBe(true);
        expect(lines[1]!.split(" ")).toContain("-@scripting");
        // The exporter's user: its own password, only the commands redis_exporter sends, no key and no channel.
        expect(lines[2]!.startsWith(`user exporter on >${internal.REDIS_EXPORTER_PASSWORD} resetchannels -@all +`)).toBe(true);
        expect(new Set([internal.REDIS_PASSWORD, internal.REDIS_EXPORTER_PASSWORD, app.REDIS_PASSWORD]).size).toBe(3);
        expect(Object.keys(app).sort()).toEqual(["REDIS_PASSWORD", "REDIS_USERNAME"]);
    });

    it("point the RedisReplication at the operator's Secret and the services at the app's", () => {
        const tenant = children("platform:project:Project");
        const group = tenant.find((r) => r.type === "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication")!;
        const groupSpec = group.inputs.spec as { kubernetesConfig: { redisSecret: unknown }; acl: unknown };
        expect(groupSpec.kubernetesConfig.redisSecret).toEqual({ name: "redis-internal", key: "REDIS_PASSWORD" });
        expect(groupSpec.acl).toEqual({ secret: { secretName: "redis-internal" } });
        expect((group.inputs.spec as { redisExporter: { env: unknown } }).redisExporter.env).toEqual([
            { name: "REDIS_USER", value: "exporter" },
            { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-internal", key: "REDIS_EXPORTER_PASSWORD" } } },
        ]);
        const web = tenant.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "shop-deployment-web")!;
        const env = (web.inputs.spec as { template: { spec: { containers: Array<{ env?: unknown[] }> } } }).template.spec.containers[0]!.env ?? [];
        expect(env).toEqual(
            expect.arrayContaining([
                { name: "REDIS_USERNAME", valueFrom: { secretKeyRef: { name: "redis-credentials", key: "REDIS_USERNAME" } } },
                { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-credentials", key: "REDIS_PASSWORD" } } },
            ]),
        );
        expect(JSON.stringify(env)).not.toContain("redis-internal");
    });
});
