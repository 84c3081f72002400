import { describe, expect, it } from "vitest";
import { DATABASE_IMAGES } from "../../../charts/images";
import { projectContext } from "../../../components/project/common";
import { databaseEndpoint, databaseImage, renderDatabaseSecret } from "../../../components/project/database";
import { renderMysqlService, renderMysqlStatefulSet } from "../../../components/project/mysql";
import { project, stackPlatformConfig } from "./fixtures";

const dev = stackPlatformConfig("dev");
const ctxFor = (database: Record<string, unknown>, extra: Record<string, unknown> = {}) => projectContext(project({ name: "shop-eu", database, ...extra }), dev);

describe("database (engine-independent parts and MySQL)", () => {
    it("pins the image per engine and major version, defaulting to the newest pinned one", () => {
        expect(databaseImage({ engine: "postgresql" })).toBe(DATABASE_IMAGES.postgresql["17"]);
        expect(databaseImage({ engine: "mysql", version: "8.0" })).toBe(DATABASE_IMAGES.mysql["8.0"]);
        expect(() => databaseImage({ engine: "mysql", version: "5.7" })).toThrow(/not offered/);
        for (const image of Object.values(DATABASE_IMAGES.mysql)) {
            expect(image).toMatch(/^docker\.io\/library\/mysql:\d+\.\d+\.\d+$/);
        }
        // CloudNativePG's in-tree barmanObjectStore needs barman-cloud, which only the `system` images carry.
        for (const image of Object.values(DATABASE_IMAGES.postgresql)) {
            expect(image).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:\d+\.\d+-system-trixie$/);
        }
    });

    it("runs MySQL as uid 999 with the data directory below the mount point, no native AIO under gVisor", () => {
        const untrusted = renderMysqlStatefulSet(ctxFor({ engine: "mysql" })).spec!.template.spec!;
        expect(untrusted.runtimeClassName).toBe("gvisor");
        expect(untrusted.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, fsGroup: 999 });
        expect(untrusted.containers[0]?.args).toEqual(["mysqld", "--datadir=/var/lib/mysql/data", "--innodb-use-native-aio=0"]);
        expect(untrusted.containers[0]?.env?.map((e) => e.name)).toEqual(["MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE", "MYSQL_ROOT_PASSWORD"]);
        const trusted = renderMysqlStatefulSet(ctxFor({ engine: "mysql" }, { trust: "trusted" })).spec!.template.spec!;
        expect(trusted.runtimeClassName).toBeUndefined();
        expect(trusted.containers[0]?.args).toEqual(["mysqld", "--datadir=/var/lib/mysql/data"]);
    });

    it("stores MySQL data on a Longhorn volume of the requested class (default fast) and size", () => {
        const fast = renderMysqlStatefulSet(ctxFor({ engine: "mysql", size: "25Gi" })).spec!;
        expect(fast.replicas).toBe(1);
        expect(fast.volumeClaimTemplates?.[0]?.spec).toEqual({ accessModes: ["ReadWriteOnce"], storageClassName: "fast", resources: { requests: { storage: "25Gi" } } });
        expect(renderMysqlStatefulSet(ctxFor({ engine: "mysql", class: "standard" })).spec!.volumeClaimTemplates?.[0]?.spec?.storageClassName).toBe("standard");
    });

    it("reaches MySQL through its headless Service and PostgreSQL through CloudNativePG's read-write Service", () => {
        expect(renderMysqlService(ctxFor({ engine: "mysql" })).spec).toMatchObject({ type: "ClusterIP", clusterIP: "None", ports: [{ port: 3306 }] });
        expect(databaseEndpoint(ctxFor({ engine: "mysql" }))).toEqual({ host: "database.shop-eu.svc.cluster.local", port: 3306, name: "shop_eu", user: "app" });
        expect(databaseEndpoint(ctxFor({ engine: "postgresql" }))).toEqual({ host: "database-rw.shop-eu.svc.cluster.local", port: 5432, name: "shop_eu", user: "app" });
        // A restored generation is a new Cluster, so services follow it to its own Service.
        expect(databaseEndpoint(ctxFor({ engine: "postgresql", generation: 2 })).host).toBe("database-g2-rw.shop-eu.svc.cluster.local");
    });

    it("keeps every connection value in the credentials Secret; PostgreSQL's doubles as CloudNativePG's basic-auth owner secret", () => {
        const pg = renderDatabaseSecret(ctxFor({ engine: "postgresql" }), { password: "pw", rootPassword: "root" });
        expect(pg.type).toBe("kubernetes.io/basic-auth");
        expect(pg.stringData).toEqual({
            username: "app",
            password: "pw",
            DATABASE_HOST: "database-rw.shop-eu.svc.cluster.local",
            DATABASE_PORT: "5432",
            DATABASE_NAME: "shop_eu",
            DATABASE_USER: "app",
            DATABASE_PASSWORD: "pw",
        });
        const mysql = renderDatabaseSecret(ctxFor({ engine: "mysql" }), { password: "pw", rootPassword: "root" });
        expect(mysql.type).toBe("Opaque");
        expect(mysql.stringData?.DATABASE_ROOT_PASSWORD).toBe("root");
        expect(mysql.metadata?.labels?.["platform/service"]).toBe("database");
    });

    it("refuses to render for a project without a database", () => {
        expect(() => renderMysqlStatefulSet(projectContext(project({}), dev))).toThrow(/has no database/);
    });
});
