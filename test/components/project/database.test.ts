import { describe, expect, it } from "vitest";
import { DATABASE_IMAGES } from "../../../charts/images";
import { projectContext } from "../../../components/project/common";
import { databaseEndpoint, databaseImage, renderDatabaseSecret } from "../../../components/project/database";
import { project, stackPlatformConfig } from "./fixtures";

const dev = stackPlatformConfig("dev");
const ctxFor = (database: Record<string, unknown>, extra: Record<string, unknown> = {}) => projectContext(project({ name: "shop-eu", database, ...extra }), dev);

describe("database (engine-independent parts)", () => {
    it("pins the image per engine and major version, defaulting to the newest pinned one", () => {
        expect(databaseImage({ engine: "postgresql" })).toBe(DATABASE_IMAGES.postgresql["17"]);
        expect(databaseImage({ engine: "mysql", version: "8.0" })).toBe(DATABASE_IMAGES.mysql["8.0"]);
        expect(() => databaseImage({ engine: "mysql", version: "5.7" })).toThrow(/not offered/);
        // MySQL is Percona XtraDB Cluster (the Percona operator's server images, release_versions at v1.19.0).
        for (const image of Object.values(DATABASE_IMAGES.mysql)) {
            expect(image).toMatch(/^docker\.io\/percona\/percona-xtradb-cluster:\d+\.\d+\.\d+-\d+\.\d+$/);
        }
        // CloudNativePG's in-tree barmanObjectStore needs barman-cloud, which only the `system` images carry.
        for (const image of Object.values(DATABASE_IMAGES.postgresql)) {
            expect(image).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:\d+\.\d+-system-trixie$/);
        }
    });

    it("reaches MySQL through HAProxy in front of 3 nodes (the node's Service for one) and PostgreSQL through CloudNativePG's read-write Service", () => {
        expect(databaseEndpoint(ctxFor({ engine: "mysql" }))).toEqual({ host: "database-pxc.shop-eu.svc.cluster.local", port: 3306, name: "shop_eu", user: "app" });
        expect(databaseEndpoint(ctxFor({ engine: "mysql", instances: 3, generation: 1 })).host).toBe("database-g1-haproxy.shop-eu.svc.cluster.local");
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
        // The operator generates the cluster's root into its own Secret: the tenant's holds no root password.
        expect(mysql.stringData).toEqual({ DATABASE_HOST: "database-pxc.shop-eu.svc.cluster.local", DATABASE_PORT: "3306", DATABASE_NAME: "shop_eu", DATABASE_USER: "app", DATABASE_PASSWORD: "pw" });
        expect(mysql.metadata?.labels?.["platform/service"]).toBe("database");
    });

    it("refuses to render for a project without a database", () => {
        expect(() => databaseEndpoint(projectContext(project({}), dev))).toThrow(/has no database/);
    });
});
