import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { projectContext } from "../../../components/project/common";
import {
    REDIS_SECRET,
    REDIS_INTERNAL_SECRET,
    REDIS_GROUP_LABEL,
    redisClaimName,
    redisEnv,
    redisHost,
    renderRedisNetworkPolicies,
    renderRedisPodMonitor,
    renderRedisReplication,
    renderRedisRestoreClaims,
    renderRedisSecrets,
    REDIS_ACL_RULES_ANNOTATION,
    redisAclRulesDigest,
} from "../../../components/project/redis";
import { volumeRestoresOf } from "../../../components/backups/restore-plan";
import { REDIS_IMAGES } from "../../../charts/images";
import { projectSchema } from "../../../lib/tenants/schema";
import { projectFootprint } from "../../../lib/tenants/footprint";
import { crdSchemaErrors } from "../../helpers/crd-schema";
import { validateObject } from "../../helpers/k8s-schema";
import { project, stackPlatformConfig } from "./fixtures";

const fsn1 = stackPlatformConfig("fsn1");
const ctxFor = (redis: Record<string, unknown>, config = fsn1, extra: Record<string, unknown> = {}) => projectContext(project({ name: "shop-eu", redis, ...extra }), config);
type Spec = Record<string, any>;
const specOf = (redis: Record<string, unknown>, config = fsn1, extra: Record<string, unknown> = {}): Spec => renderRedisReplication(ctxFor(redis, config, extra)).spec as Spec;
const RESTORE = { fromGeneration: 0, backup: "backup-0123456789abcdef", volume: "pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f" };

describe("Redis as an OpsTree RedisReplication", () => {
    it("passes the operator's CRD schema at the pinned version, with and without Sentinel", () => {
        for (const object of [renderRedisReplication(ctxFor({})), renderRedisReplication(ctxFor({ replicas: 3 })), renderRedisReplication(ctxFor({ generation: 1, replicas: 2, restore: RESTORE }))]) {
            expect(crdSchemaErrors(object), `${object.metadata.name}`).toEqual([]);
        }
    });

    it("refuses a field the CRD does not declare (the validator is not vacuous)", () => {
        const object = renderRedisReplication(ctxFor({}));
        expect(crdSchemaErrors({ ...object, spec: { ...object.spec, replicas: 3 } } as object & { apiVersion: string; kind: string })).not.toEqual([]);
    });

    it("runs the members on different run nodes with the pinned images, the password from the platform's Secret, and persistence on a retaining Longhorn class", () => {
        const spec = specOf({ replicas: 3, size: "8Gi", class: "standard" });
        expect(spec.clusterSize).toBe(3);
        expect(spec.kubernetesConfig).toMatchObject({ image: REDIS_IMAGES.redis["8.2"], redisSecret: { name: "redis-internal", key: "REDIS_PASSWORD" } });
        expect(spec.storage).toEqual({
            keepAfterDelete: true,
            volumeClaimTemplate: { spec: { storageClassName: "tenant-standard", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "8Gi" } } } },
        });
        expect(spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{ labelSelector: { matchLabels: { [REDIS_GROUP_LABEL]: "redis" } }, topologyKey: "kubernetes.io/hostname" }]);
        expect(spec.nodeSelector).toEqual({ "platform/pool": "run" });
        expect(spec.kubernetesConfig.service).toBeUndefined();
        expect(spec.hostPort).toBeUndefined();
    });

    it("fails over with three Sentinels and a disruption budget from two members on, and runs neither for one", () => {
        expect(specOf({ replicas: 2 }).sentinel).toMatchObject({ size: 3, image: REDIS_IMAGES.sentinel["8.2"] });
        expect(specOf({ replicas: 2 }).pdb).toEqual({ enabled: true, maxUnavailable: 1 });
        expect(specOf({}).sentinel).toBeUndefined();
        expect(specOf({}).pdb).toBeUndefined();
    });

    it("holds every operator-made container to the restricted profile (a writable root only where the images' entrypoints write their config)", () => {
        const spec = specOf({ replicas: 3 });
        for (const context of [spec.securityContext, spec.redisExporter.securityContext, spec.sentinel.securityContext]) {
            expect(context).toMatchObject({ allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
        }
        expect(spec.redisExporter.securityContext.readOnlyRootFilesystem).toBe(true);
        expect(spec.podSecurityContext).toMatchObject({ runAsNonRoot: true, fsGroup: 1000 });
        expect(spec.sentinel.podSecurityContext).toMatchObject({ runAsNonRoot: true });
        // Redis: the tenant file's default (100m/256Mi, limit 512Mi; CPU limit twice the request); exporter and
        // Sentinels: the platform's sizes. Every container gets the 256Mi scratch allowance.
        expect(spec.kubernetesConfig.resources).toEqual({
            requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "256Mi" },
            limits: { cpu: "200m", memory: "512Mi", "ephemeral-storage": "256Mi" },
        });
        for (const resources of [spec.redisExporter.resources, spec.sentinel.resources]) {
            expect(resources).toEqual({
                requests: { cpu: "25m", memory: "32Mi", "ephemeral-storage": "256Mi" },
                limits: { cpu: "100m", memory: "64Mi", "ephemeral-storage": "256Mi" },
            });
        }
    });

    it("labels the group into the nightly Longhorn backup (the operator copies the labels to the claims), and into the final backup while decommissioning", () => {
        const labels = renderRedisReplication(ctxFor({})).metadata.labels;
        expect(labels).toMatchObject({ "recurring-job.longhorn.io/source": "enabled", "recurring-job-group.longhorn.io/default": "enabled", "platform/project": "shop-eu" });
        const leaving = renderRedisReplication(ctxFor({}, fsn1, { decommission: { confirm: "shop-eu" } })).metadata.labels;
        expect(Object.keys(leaving)).toContain("recurring-job-group.longhorn.io/decommission-shop-eu");
    });

    it("restores a new generation: every member claim created first, under the StatefulSet's claim names, from the one Longhorn backup", () => {
        const ctx = ctxFor({ generation: 1, replicas: 2, restore: RESTORE });
        expect(renderRedisReplication(ctx).metadata.name).toBe("redis-g1");
        const claims = renderRedisRestoreClaims(ctx);
        expect(claims.map((c) => c.metadata!.name)).toEqual(["redis-g1-redis-g1-0", "redis-g1-redis-g1-1"]);
        expect(claims.map((c) => c.spec!.storageClassName)).toEqual(["restore.shop-eu.redis-g1-redis-g1-0", "restore.shop-eu.redis-g1-redis-g1-1"]);
        for (const claim of claims) {
            expect(validateObject(claim).status).toBe("valid");
        }
        const restores = volumeRestoresOf(ctx.project, fsn1);
        expect(restores).toEqual([0, 1].map((i) => ({ namespace: "shop-eu", claim: redisClaimName("redis-g1", i), class: "fast", backup: RESTORE.backup, volume: RESTORE.volume })));
        expect(renderRedisRestoreClaims(ctxFor({}))).toEqual([]);
    });

    it("scrapes the exporters labelled with project and group, and admits only the operator and Prometheus from outside the namespace", () => {
        const monitor = renderRedisPodMonitor(ctxFor({}));
        expect(monitor.spec.selector).toEqual({ matchLabels: { app: "redis" } });
        expect(monitor.spec.podMetricsEndpoints![0]).toMatchObject({ port: "redis-exporter" });
        expect(validateObject(monitor).status).toBe("valid");
        const policy = renderRedisNetworkPolicies(ctxFor({})).find((p) => p.metadata?.name === "allow-redis-operator");
        expect(validateObject(policy!).status).toBe("valid");
        const peers = policy!.spec!.ingress!.map((rule) => rule.from![0]!.namespaceSelector!.matchLabels!["kubernetes.io/metadata.name"]);
        expect(peers).toEqual(["redis-operator", "monitoring"]);
        expect(policy!.spec!.podSelector).toEqual({ matchExpressions: [{ key: "app", operator: "In", values: ["redis", "redis-s"] }] });
    });

    it("hands services the primary's Service and the app user with its password, never in plain text and never the operator's default (review 19d, major 3)", () => {
        const ctx = ctxFor({ generation: 2 });
        expect(redisHost(ctx)).toBe("redis-g2-master.shop-eu.svc.cluster.local");
        expect(redisEnv(ctx)).toEqual([
            { name: "REDIS_HOST", value: "redis-g2-master.shop-eu.svc.cluster.local" },
            { name: "REDIS_PORT", value: "6379" },
            { name: "REDIS_USERNAME", valueFrom: { secretKeyRef: { name: "redis-credentials", key: "REDIS_USERNAME" } } },
            { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-credentials", key: "REDIS_PASSWORD" } } },
        ]);
        const secrets = renderRedisSecrets(ctx, { operator: "0perat0rPassw0rdX", app: "4ppUserPassw0rdXY", exporter: "3xp0rterPassw0rdX" });
        expect(secrets.app.stringData).toEqual({ REDIS_USERNAME: "app", REDIS_PASSWORD: "4ppUserPassw0rdXY" });
        expect(JSON.stringify(secrets.app)).not.toContain("0perat0rPassw0rdX");
        for (const secret of [secrets.app, secrets.internal]) {
            expect(validateObject(secret).status).toBe("valid");
        }
    });

    it("loads one ACL file from the operator's Secret in every project: default for the operator, app without @admin/@dangerous, and without @scripting when untrusted (review 19d, major 3)", () => {
        const passwords = { operator: "0perat0rPassw0rdX", app: "4ppUserPassw0rdXY", exporter: "3xp0rterPassw0rdX" };
        const untrusted = ctxFor({ replicas: 3 });
        expect(untrusted.project.trust).toBe("untrusted");
        const trusted = ctxFor({ replicas: 3 }, fsn1, { trust: "trusted" });
        for (const ctx of [untrusted, trusted]) {
            const spec = renderRedisReplication(ctx).spec as Spec;
            // The operator mounts the Secret's key user.acl (subPath) at /etc/redis/user.acl and logs in as default with REDIS_PASSWORD.
            expect(spec.acl).toEqual({ secret: { secretName: "redis-internal" } });
            expect(spec.kubernetesConfig.redisSecret).toEqual({ name: "redis-internal", key: "REDIS_PASSWORD" });
            expect(crdSchemaErrors(renderRedisReplication(ctx))).toEqual([]);
        }
        expect(REDIS_INTERNAL_SECRET).toBe("redis-internal");
        const allowedBack = "+info +keys +sort +sort_ro +flushdb +flushall +swapdb";
        // PUBLISH only outside the server's __ channels (__sentinel__:hello, keyspace events): a selector gives it back.
        const publish = "-publish -spublish (+publish +spublish &[^_]* &_[^_]* &_)";
        const exporter = "user exporter on >3xp0rterPassw0rdX resetchannels -@all +ping +info +client|setname +latency|latest +slowlog|get +slowlog|len";
        expect(renderRedisSecrets(untrusted, passwords).internal.stringData).toEqual({
            REDIS_PASSWORD: "0perat0rPassw0rdX",
            REDIS_EXPORTER_PASSWORD: "3xp0rterPassw0rdX",
            "user.acl": `user default on >0perat0rPassw0rdX ~* &* +@all\nuser app on >4ppUserPassw0rdXY ~* &* +@all -@admin -@dangerous ${allowedBack} -@scripting ${publish}\n${exporter}\n`,
        });
        expect(renderRedisSecrets(trusted, passwords).internal.stringData!["user.acl"]).toBe(`user default on >0perat0rPassw0rdX ~* &* +@all\nuser app on >4ppUserPassw0rdXY ~* &* +@all -@admin -@dangerous ${allowedBack} ${publish}\n${exporter}\n`);
        // The exporter logs in as its own user: the operator appends redisExporter.env after its REDIS_PASSWORD (default's), and the last value of a name wins.
        expect((renderRedisReplication(untrusted).spec as Spec).redisExporter.env).toEqual([
            { name: "REDIS_USER", value: "exporter" },
            { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-internal", key: "REDIS_EXPORTER_PASSWORD" } } },
        ]);
    });

    it("annotates the group with a digest of its ACL rules (no password), so a trust change rolls the members: the file is a subPath mount Redis reads at start", () => {
        const sha = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);
        const x = "x".repeat(16);
        const back = "+info +keys +sort +sort_ro +flushdb +flushall +swapdb";
        const exporter = `user exporter on >${x} resetchannels -@all +ping +info +client|setname +latency|latest +slowlog|get +slowlog|len`;
        const rules = (scripting: string) => `user default on >${x} ~* &* +@all\nuser app on >${x} ~* &* +@all -@admin -@dangerous ${back}${scripting} -publish -spublish (+publish +spublish &[^_]* &_[^_]* &_)\n${exporter}\n`;
        const untrusted = renderRedisReplication(ctxFor({ replicas: 2 })).metadata.annotations;
        const trusted = renderRedisReplication(ctxFor({ replicas: 2 }, fsn1, { trust: "trusted" })).metadata.annotations;
        expect(untrusted).toEqual({ [REDIS_ACL_RULES_ANNOTATION]: sha(rules(" -@scripting")) });
        expect(trusted).toEqual({ [REDIS_ACL_RULES_ANNOTATION]: sha(rules("")) });
        expect(redisAclRulesDigest(ctxFor({ replicas: 2 }))).not.toBe(redisAclRulesDigest(ctxFor({ replicas: 2 }, fsn1, { trust: "trusted" })));
    });

    it("refuses a password that could break an ACL rule (a blank, #, a line break) or is short", () => {
        for (const bad of ["short", "has a blank in it xx", "hash#hash#hash#hash", "line\nuser evil on nopass +@all x"]) {
            const good = { operator: "0perat0rPassw0rdX", app: "4ppUserPassw0rdXY", exporter: "3xp0rterPassw0rdX" };
            for (const user of ["operator", "app", "exporter"] as const) {
                expect(() => renderRedisSecrets(ctxFor({}), { ...good, [user]: bad }), `${user}: ${bad}`).toThrow(/16 or more letters, digits, - or _/);
            }
        }
    });

    it("counts the members, the exporters, the Sentinels and the volumes in the project's footprint", () => {
        const base = project({ name: "shop-eu" });
        const withRedis = project({ name: "shop-eu", redis: { replicas: 3, size: "4Gi" } });
        const a = projectFootprint(base);
        const b = projectFootprint(withRedis);
        // 3 members (Redis + exporter) and 3 Sentinels.
        expect(b.pods - a.pods).toBe(6);
        expect(b.persistentVolumeClaims - a.persistentVolumeClaims).toBe(3);
        expect(b.storage - a.storage).toBe(3 * 4 * 1024 ** 3);
    });
});

describe("the tenant file's redis", () => {
    const baseDoc = { name: "shop", owner: { name: "Shop", email: "shop@example.com" }, quota: { cpu: "4", memory: "8Gi", storage: "50Gi", pods: 20 }, services: [{ name: "web", image: "ghcr.io/example/web:1.4.2", port: 8080 }] };
    const parse = (redis: Record<string, unknown>, extra: Record<string, unknown> = {}) => projectSchema.safeParse({ ...baseDoc, redis, ...extra });
    const messages = (result: ReturnType<typeof parse>) => (result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));

    it("refuses a restore into its own generation and a backup that is not a Longhorn backup name", () => {
        expect(messages(parse({ generation: 0, restore: RESTORE }))).toEqual([expect.stringMatching(/^redis.generation: a restore from generation 0 must create a newer generation/)]);
        expect(messages(parse({ generation: 1, restore: { ...RESTORE, backup: "yesterday" } }))).toEqual([expect.stringMatching(/^redis.restore.backup: must be a Longhorn backup name/)]);
        expect(parse({ replicas: 3, generation: 1, restore: RESTORE }).success).toBe(true);
    });

    it("refuses uses: [redis] without a redis, a service in the group's name space, and the platform's REDIS_* variables set by hand", () => {
        const withoutRedis = projectSchema.safeParse({ ...baseDoc, services: [{ ...baseDoc.services[0], uses: ["redis"] }] });
        expect(messages(withoutRedis)).toEqual(["services.0.uses.0: uses: redis, but the project has no redis"]);
        expect(messages(parse({}, { services: [{ ...baseDoc.services[0], name: "redis-master" }] }))).toEqual([expect.stringMatching(/^services.0.name: "redis-master" is in the Redis replication group's name space/)]);
        expect(messages(parse({}, { services: [{ ...baseDoc.services[0], name: "redis" }] }))).toEqual([expect.stringMatching(/^services.0.name: "redis" is reserved/)]);
        expect(messages(parse({}, { services: [{ ...baseDoc.services[0], env: { REDIS_HOST: "x" } }] }))).toEqual(["services.0.env: REDIS_HOST is set by the platform for the Redis connection (to containers with uses: [redis])"]);
    });
});
