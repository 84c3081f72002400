import { describe, expect, it } from "vitest";
import { DATABASE_IMAGES } from "../../../charts/images";
import { projectContext } from "../../../components/project/common";
import {
    databaseEndpoint,
    databaseImage,
    renderDatabaseSecret,
    renderDatabaseService,
    renderDatabaseStatefulSet,
} from "../../../components/project/database";
import { project, stackPlatformConfig } from "./fixtures";

const dev = stackPlatformConfig("dev");
const ctxFor = (database: Record<string, unknown>, extra: Record<string, unknown> = {}) => projectContext(project({ name: "shop-eu", database, ...extra }), dev);

describe("database", () => {
    it("pins the image per engine and major version, defaulting to the newest pinned one", () => {
        expect(databaseImage({ engine: "postgresql", size: "1Gi", class: "fast", resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } } })).toBe(DATABASE_IMAGES.postgresql["17"]);
        expect(databaseImage({ engine: "mysql", version: "8.0", size: "1Gi", class: "fast", resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } } })).toBe(DATABASE_IMAGES.mysql["8.0"]);
        expect(() => databaseImage({ engine: "mysql", version: "5.7", size: "1Gi", class: "fast", resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } } })).toThrow(/not offered/);
        for (const image of Object.values(DATABASE_IMAGES).flatMap((versions) => Object.values(versions))) {
            expect(image).toMatch(/^docker\.io\/library\/(postgres|mysql):\d+\.\d+(\.\d+)?$/);
        }
    });

    it("runs PostgreSQL as uid 999 with fsGroup, read-only root, PGDATA below the mount point", () => {
        const sts = renderDatabaseStatefulSet(ctxFor({ engine: "postgresql", version: "16" }));
        const pod = sts.spec!.template.spec!;
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: "RuntimeDefault" } });
        const container = pod.containers[0]!;
        expect(container.image).toBe(DATABASE_IMAGES.postgresql["16"]);
        expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsUser: 999 });
        expect(container.env).toContainEqual({ name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" });
        expect(container.volumeMounts?.map((m) => m.mountPath)).toEqual(["/var/lib/postgresql/data", "/var/run/postgresql", "/tmp"]);
        expect(container.readinessProbe?.exec?.command?.join(" ")).toContain("pg_isready");
        expect(pod.volumes?.every((v) => v.emptyDir !== undefined)).toBe(true);
        expect(pod.automountServiceAccountToken).toBe(false);
    });

    it("runs MySQL as uid 999 with the data directory below the mount point, no native AIO under gVisor", () => {
        const untrusted = renderDatabaseStatefulSet(ctxFor({ engine: "mysql" })).spec!.template.spec!;
        expect(untrusted.runtimeClassName).toBe("gvisor");
        expect(untrusted.containers[0]?.args).toEqual(["mysqld", "--datadir=/var/lib/mysql/data", "--innodb-use-native-aio=0"]);
        expect(untrusted.containers[0]?.env?.map((e) => e.name)).toEqual(["MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE", "MYSQL_ROOT_PASSWORD"]);
        const trusted = renderDatabaseStatefulSet(ctxFor({ engine: "mysql" }, { trust: "trusted" })).spec!.template.spec!;
        expect(trusted.runtimeClassName).toBeUndefined();
        expect(trusted.containers[0]?.args).toEqual(["mysqld", "--datadir=/var/lib/mysql/data"]);
    });

    it("stores the data on a Longhorn volume of the requested class (default fast) and size", () => {
        const fast = renderDatabaseStatefulSet(ctxFor({ engine: "postgresql", size: "25Gi" })).spec!;
        expect(fast.replicas).toBe(1);
        expect(fast.volumeClaimTemplates?.[0]?.spec).toEqual({ accessModes: ["ReadWriteOnce"], storageClassName: "fast", resources: { requests: { storage: "25Gi" } } });
        const standard = renderDatabaseStatefulSet(ctxFor({ engine: "postgresql", class: "standard" })).spec!;
        expect(standard.volumeClaimTemplates?.[0]?.spec?.storageClassName).toBe("standard");
    });

    it("is reached through a headless Service inside the namespace", () => {
        const svc = renderDatabaseService(ctxFor({ engine: "postgresql" }));
        expect(svc.spec).toMatchObject({ type: "ClusterIP", clusterIP: "None", ports: [{ port: 5432 }] });
        expect(databaseEndpoint(ctxFor({ engine: "mysql" }))).toEqual({ host: "database.shop-eu.svc.cluster.local", port: 3306, name: "shop_eu", user: "app" });
    });

    it("keeps every connection value in the credentials Secret; MySQL adds its root password", () => {
        const pg = renderDatabaseSecret(ctxFor({ engine: "postgresql" }), { password: "pw", rootPassword: "root" });
        expect(pg.stringData).toEqual({ DATABASE_HOST: "database.shop-eu.svc.cluster.local", DATABASE_PORT: "5432", DATABASE_NAME: "shop_eu", DATABASE_USER: "app", DATABASE_PASSWORD: "pw" });
        const mysql = renderDatabaseSecret(ctxFor({ engine: "mysql" }), { password: "pw", rootPassword: "root" });
        expect(mysql.stringData?.DATABASE_ROOT_PASSWORD).toBe("root");
        expect(mysql.metadata?.labels?.["platform/service"]).toBe("database");
    });

    it("refuses to render for a project without a database", () => {
        expect(() => renderDatabaseStatefulSet(projectContext(project({}), dev))).toThrow(/has no database/);
    });
});
