import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import { DATABASE_IMAGES, DEFAULT_DATABASE_VERSION } from "../../charts/images";
import type { DatabaseSpec } from "../../lib/tenants/schema";
import { mysqlProxyPods } from "../../lib/tenants/footprint";
import { objectMeta, type ProjectContext } from "./common";

/**
 * The optional project database, engine-independent parts: names, the generated credentials Secret, the
 * connection coordinates and the environment every service gets. PostgreSQL runs under CloudNativePG
 * (components/project/postgresql.ts: replicas, WAL archiving, base backups and point-in-time recovery to the
 * off-cluster bucket); MySQL under the Percona XtraDB Cluster operator (components/project/mysql.ts: nodes,
 * HAProxy, XtraBackup backups and binlog point-in-time recovery to the same bucket).
 */

/** `platform/service` value of the database objects and pods; the Cluster's name at generation 0. */
export const DATABASE_COMPONENT = "database";

/** Secret with the connection values (`DATABASE_*`), injected into every service. */
export const DATABASE_SECRET = "database-credentials";

/** Database user the services connect as. */
export const DATABASE_USER = "app";

/** Generated credentials of the database. */
export interface DatabaseCredentials {
    /** Password of {@link DATABASE_USER}. */
    password: string;
    /**
     * Generated for MySQL and kept in state, but not handed out: the Percona operator generates the cluster's
     * system users (root included) into `<cluster>-secrets` itself. PostgreSQL has no separate superuser.
     */
    rootPassword: string;
}

/** How services reach the database. */
export interface DatabaseEndpoint {
    /** Cluster DNS name of the database Service (the primary, for PostgreSQL). */
    host: string;
    /** TCP port. */
    port: number;
    /** Database (schema) name. */
    name: string;
    /** User name. */
    user: string;
}

/** The project's database spec; throws for a project without one (renderers are only called when it exists). */
export function requireDatabase(ctx: ProjectContext): DatabaseSpec {
    if (!ctx.project.database) {
        throw new Error(`project ${ctx.project.id} has no database`);
    }
    return ctx.project.database;
}

/** The pinned image of the project's engine and major version. */
export function databaseImage(database: Pick<DatabaseSpec, "engine" | "version">): string {
    const version = database.version ?? DEFAULT_DATABASE_VERSION[database.engine];
    const images: Readonly<Record<string, string>> = DATABASE_IMAGES[database.engine];
    const image = images[version];
    if (!image) {
        throw new Error(`${database.engine} ${version} is not offered (pinned: ${Object.keys(images).join(", ")})`);
    }
    return image;
}

/** Name of the PostgreSQL Cluster or MySQL PerconaXtraDBCluster (and of its backup folder) of a database generation. */
export function clusterName(database: Pick<DatabaseSpec, "generation">): string {
    return database.generation === 0 ? DATABASE_COMPONENT : `${DATABASE_COMPONENT}-g${database.generation}`;
}

/** Database (schema) name: the project id with `_` for `-`. */
export function databaseName(ctx: ProjectContext): string {
    return ctx.project.id.replace(/-/g, "_");
}

/** Connection coordinates: CloudNativePG's read-write Service `<cluster>-rw`, or the MySQL cluster's HAProxy (or node) Service. */
export function databaseEndpoint(ctx: ProjectContext): DatabaseEndpoint {
    const database = requireDatabase(ctx);
    // MySQL: HAProxy's Service (one writer) in front of 3 or more nodes, else the node's (components/project/mysql.ts).
    const service = database.engine === "postgresql" ? `${clusterName(database)}-rw` : `${clusterName(database)}-${mysqlProxyPods(database.instances) > 0 ? "haproxy" : "pxc"}`;
    return {
        host: `${service}.${ctx.namespace}.svc.cluster.local`,
        port: database.engine === "postgresql" ? 5432 : 3306,
        name: databaseName(ctx),
        user: DATABASE_USER,
    };
}

/**
 * The credentials Secret: every `DATABASE_*` value (for MySQL the operator reads the app user's password from it). For PostgreSQL it is also the
 * owner secret CloudNativePG's bootstrap reads, which must be `kubernetes.io/basic-auth` with `username` and
 * `password` (docs/src/bootstrap.md at v1.30.0).
 */
export function renderDatabaseSecret(ctx: ProjectContext, credentials: DatabaseCredentials): ISecret {
    const database = requireDatabase(ctx);
    const endpoint = databaseEndpoint(ctx);
    const connection = {
        DATABASE_HOST: endpoint.host,
        DATABASE_PORT: String(endpoint.port),
        DATABASE_NAME: endpoint.name,
        DATABASE_USER: endpoint.user,
        DATABASE_PASSWORD: credentials.password,
    };
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: objectMeta(ctx, DATABASE_SECRET, DATABASE_COMPONENT),
        ...(database.engine === "postgresql"
            ? { type: "kubernetes.io/basic-auth", stringData: { username: endpoint.user, password: credentials.password, ...connection } }
            : { type: "Opaque", stringData: { ...connection } }),
    };
}

const fromSecret = (name: string, key: string): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: DATABASE_SECRET, key } } });

/** Environment the platform injects into every service of a project with a database. */
export function databaseEnv(ctx: ProjectContext): IEnvVar[] {
    const endpoint = databaseEndpoint(ctx);
    return [
        { name: "DATABASE_HOST", value: endpoint.host },
        { name: "DATABASE_PORT", value: String(endpoint.port) },
        { name: "DATABASE_NAME", value: endpoint.name },
        fromSecret("DATABASE_USER", "DATABASE_USER"),
        fromSecret("DATABASE_PASSWORD", "DATABASE_PASSWORD"),
    ];
}
