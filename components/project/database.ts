import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IService } from "kubernetes-models/v1/Service";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IProbe } from "kubernetes-models/v1/Probe";
import { DATABASE_IMAGES, DEFAULT_DATABASE_VERSION } from "../../charts/images";
import { STORAGE_CLASSES } from "../../lib/conventions";
import type { DatabaseSpec } from "../../lib/tenants/schema";
import { DATABASE_EMPTY_DIRS, databaseEphemeralStorage } from "../../lib/tenants/footprint";
import {
    basePodSpec,
    containerResources,
    containerSecurityContext,
    objectLabels,
    objectMeta,
    selectorLabels,
    type ProjectContext,
} from "./common";

/**
 * The optional project database: one PostgreSQL or MySQL pod as a StatefulSet on a Longhorn volume, with
 * generated credentials in a Secret and a headless Service. The official images run directly as their
 * unprivileged user (uid 999) instead of starting as root and dropping privileges: the volume is
 * group-owned through `fsGroup`, the data directory is a subdirectory of the volume (the filesystem root
 * holds `lost+found`, which both `initdb` and `mysqld --initialize` refuse), and the root filesystem is
 * read-only with emptyDirs for the socket directory and /tmp.
 */

/** `platform/service` value and object name of the database StatefulSet, Service and pods. */
export const DATABASE_COMPONENT = "database";

/** Secret with the connection values (`DATABASE_*`), injected into every service. */
export const DATABASE_SECRET = "database-credentials";

/** uid/gid of the `postgres` and `mysql` users in the official images. */
export const DATABASE_UID = 999;

/** Database user the services connect as. */
export const DATABASE_USER = "app";

/** Generated credentials of the database. */
export interface DatabaseCredentials {
    /** Password of {@link DATABASE_USER}. */
    password: string;
    /** MySQL root password (PostgreSQL has no separate superuser: the app user owns the instance). */
    rootPassword: string;
}

/** How services reach the database. */
export interface DatabaseEndpoint {
    /** Cluster DNS name of the database Service. */
    host: string;
    /** TCP port. */
    port: number;
    /** Database (schema) name. */
    name: string;
    /** User name. */
    user: string;
}

interface EngineProfile {
    port: number;
    portName: string;
    dataMount: string;
    runDir: string;
    image: string;
}

/** The pinned image of the project's engine and major version. */
export function databaseImage(database: DatabaseSpec): string {
    const version = database.version ?? DEFAULT_DATABASE_VERSION[database.engine];
    const images: Readonly<Record<string, string>> = DATABASE_IMAGES[database.engine];
    const image = images[version];
    if (!image) {
        throw new Error(`${database.engine} ${version} is not offered (pinned: ${Object.keys(images).join(", ")})`);
    }
    return image;
}

function profile(database: DatabaseSpec): EngineProfile {
    const image = databaseImage(database);
    return database.engine === "postgresql"
        ? { port: 5432, portName: "postgresql", dataMount: "/var/lib/postgresql/data", runDir: "/var/run/postgresql", image }
        : { port: 3306, portName: "mysql", dataMount: "/var/lib/mysql", runDir: "/var/run/mysqld", image };
}

function requireDatabase(ctx: ProjectContext): DatabaseSpec {
    if (!ctx.project.database) {
        throw new Error(`project ${ctx.project.id} has no database`);
    }
    return ctx.project.database;
}

/** Connection coordinates of the project database. */
export function databaseEndpoint(ctx: ProjectContext): DatabaseEndpoint {
    const database = requireDatabase(ctx);
    return {
        host: `${DATABASE_COMPONENT}.${ctx.namespace}.svc.cluster.local`,
        port: profile(database).port,
        name: ctx.project.id.replace(/-/g, "_"),
        user: DATABASE_USER,
    };
}

/** The credentials Secret: every `DATABASE_*` value, plus the MySQL root password. */
export function renderDatabaseSecret(ctx: ProjectContext, credentials: DatabaseCredentials): ISecret {
    const database = requireDatabase(ctx);
    const endpoint = databaseEndpoint(ctx);
    return {
        apiVersion: "v1",
        kind: "Secret",
        metadata: objectMeta(ctx, DATABASE_SECRET, DATABASE_COMPONENT),
        type: "Opaque",
        stringData: {
            DATABASE_HOST: endpoint.host,
            DATABASE_PORT: String(endpoint.port),
            DATABASE_NAME: endpoint.name,
            DATABASE_USER: endpoint.user,
            DATABASE_PASSWORD: credentials.password,
            ...(database.engine === "mysql" ? { DATABASE_ROOT_PASSWORD: credentials.rootPassword } : {}),
        },
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

function engineContainer(ctx: ProjectContext, database: DatabaseSpec): IContainer {
    const engine = profile(database);
    const mounts = [
        { name: "data", mountPath: engine.dataMount },
        { name: "run", mountPath: engine.runDir },
        { name: "tmp", mountPath: "/tmp" },
    ];
    const probe = (command: string[], extra: Partial<IProbe>): IProbe => ({ exec: { command: [...command] }, timeoutSeconds: 5, ...extra });
    if (database.engine === "postgresql") {
        const ready = ["/bin/sh", "-c", `exec pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB" -h 127.0.0.1 -p ${engine.port}`];
        return {
            name: "postgresql",
            image: engine.image,
            imagePullPolicy: "IfNotPresent",
            ports: [{ name: engine.portName, containerPort: engine.port, protocol: "TCP" }],
            env: [
                fromSecret("POSTGRES_USER", "DATABASE_USER"),
                fromSecret("POSTGRES_PASSWORD", "DATABASE_PASSWORD"),
                fromSecret("POSTGRES_DB", "DATABASE_NAME"),
                { name: "PGDATA", value: `${engine.dataMount}/pgdata` },
            ],
            resources: containerResources(database.resources, databaseEphemeralStorage()),
            securityContext: containerSecurityContext(DATABASE_UID),
            volumeMounts: mounts,
            startupProbe: probe(ready, { periodSeconds: 5, failureThreshold: 60 }),
            readinessProbe: probe(ready, { periodSeconds: 10, failureThreshold: 3 }),
            livenessProbe: probe(ready, { periodSeconds: 20, failureThreshold: 6 }),
        };
    }
    const ping = ["mysqladmin", "ping", "-h", "127.0.0.1", "--silent"];
    return {
        name: "mysql",
        image: engine.image,
        imagePullPolicy: "IfNotPresent",
        // The entrypoint reads --datadir from these arguments; gVisor's AIO support is partial, so
        // sandboxed instances use InnoDB's own I/O threads.
        args: ["mysqld", `--datadir=${engine.dataMount}/data`, ...(ctx.project.trust === "untrusted" ? ["--innodb-use-native-aio=0"] : [])],
        ports: [{ name: engine.portName, containerPort: engine.port, protocol: "TCP" }],
        env: [
            fromSecret("MYSQL_USER", "DATABASE_USER"),
            fromSecret("MYSQL_PASSWORD", "DATABASE_PASSWORD"),
            fromSecret("MYSQL_DATABASE", "DATABASE_NAME"),
            fromSecret("MYSQL_ROOT_PASSWORD", "DATABASE_ROOT_PASSWORD"),
        ],
        resources: containerResources(database.resources, databaseEphemeralStorage()),
        securityContext: containerSecurityContext(DATABASE_UID),
        volumeMounts: mounts,
        startupProbe: probe(ping, { periodSeconds: 5, failureThreshold: 60 }),
        readinessProbe: probe(ping, { periodSeconds: 10, failureThreshold: 3 }),
        livenessProbe: probe(ping, { periodSeconds: 20, failureThreshold: 6 }),
    };
}

/** The database StatefulSet: one replica, one Longhorn volume on the requested class (default fast). */
export function renderDatabaseStatefulSet(ctx: ProjectContext): IStatefulSet {
    const database = requireDatabase(ctx);
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: objectMeta(ctx, DATABASE_COMPONENT, DATABASE_COMPONENT),
        spec: {
            serviceName: DATABASE_COMPONENT,
            replicas: 1,
            selector: { matchLabels: selectorLabels(ctx, DATABASE_COMPONENT) },
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            template: {
                metadata: { labels: objectLabels(ctx, DATABASE_COMPONENT) },
                spec: {
                    ...basePodSpec(ctx, DATABASE_UID),
                    terminationGracePeriodSeconds: 60,
                    containers: [engineContainer(ctx, database)],
                    volumes: [
                        { name: "run", emptyDir: { sizeLimit: DATABASE_EMPTY_DIRS.run } },
                        { name: "tmp", emptyDir: { sizeLimit: DATABASE_EMPTY_DIRS.tmp } },
                    ],
                },
            },
            volumeClaimTemplates: [
                {
                    apiVersion: "v1",
                    kind: "PersistentVolumeClaim",
                    metadata: { name: "data", labels: objectLabels(ctx, DATABASE_COMPONENT) },
                    spec: {
                        accessModes: ["ReadWriteOnce"],
                        storageClassName: STORAGE_CLASSES[database.class],
                        resources: { requests: { storage: database.size } },
                    },
                },
            ],
        },
    };
}

/** Headless Service of the database (stable DNS name; never exposed outside the namespace). */
export function renderDatabaseService(ctx: ProjectContext): IService {
    const engine = profile(requireDatabase(ctx));
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: objectMeta(ctx, DATABASE_COMPONENT, DATABASE_COMPONENT),
        spec: {
            type: "ClusterIP",
            clusterIP: "None",
            selector: selectorLabels(ctx, DATABASE_COMPONENT),
            ports: [{ name: engine.portName, port: engine.port, targetPort: engine.portName, protocol: "TCP" }],
        },
    };
}
