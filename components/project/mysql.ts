import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IService } from "kubernetes-models/v1/Service";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IEnvVar } from "kubernetes-models/v1/EnvVar";
import type { IProbe } from "kubernetes-models/v1/Probe";
import { STORAGE_CLASSES } from "../../lib/conventions";
import type { DatabaseSpec } from "../../lib/tenants/schema";
import { DATABASE_EMPTY_DIRS, databaseEphemeralStorage } from "../../lib/tenants/footprint";
import { basePodSpec, containerResources, containerSecurityContext, objectLabels, objectMeta, selectorLabels, type ProjectContext } from "./common";
import { DATABASE_COMPONENT, DATABASE_SECRET, databaseImage, requireDatabase } from "./database";

/**
 * A MySQL database: one pod as a StatefulSet on a Longhorn volume, with the generated credentials of
 * components/project/database.ts and a headless Service. The official image runs directly as its unprivileged
 * user (uid 999) instead of starting as root and dropping privileges: the volume is group-owned through
 * `fsGroup`, the data directory is a subdirectory of the volume (the filesystem root holds `lost+found`, which
 * `mysqld --initialize` refuses), and the root filesystem is read-only with emptyDirs for the socket directory
 * and /tmp. Its backup path is Longhorn's: the recurring backup job (components/longhorn/values.ts) copies the
 * volume to the Longhorn backup target, crash-consistent (InnoDB recovers on start), no point in time.
 */

/** uid/gid of the `mysql` user in the official image. */
export const MYSQL_UID = 999;

/** Port, data and socket paths of the official image. */
export const MYSQL = { port: 3306, portName: "mysql", dataMount: "/var/lib/mysql", runDir: "/var/run/mysqld" } as const;

const fromSecret = (name: string, key: string): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: DATABASE_SECRET, key } } });

function engineContainer(ctx: ProjectContext, database: DatabaseSpec): IContainer {
    const engine = MYSQL;
    const image = databaseImage(database);
    const mounts = [
        { name: "data", mountPath: engine.dataMount },
        { name: "run", mountPath: engine.runDir },
        { name: "tmp", mountPath: "/tmp" },
    ];
    const probe = (command: string[], extra: Partial<IProbe>): IProbe => ({ exec: { command: [...command] }, timeoutSeconds: 5, ...extra });
    const ping = ["mysqladmin", "ping", "-h", "127.0.0.1", "--silent"];
    return {
        name: "mysql",
        image,
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
        securityContext: containerSecurityContext(MYSQL_UID),
        volumeMounts: mounts,
        startupProbe: probe(ping, { periodSeconds: 5, failureThreshold: 60 }),
        readinessProbe: probe(ping, { periodSeconds: 10, failureThreshold: 3 }),
        livenessProbe: probe(ping, { periodSeconds: 20, failureThreshold: 6 }),
    };
}

/** The MySQL StatefulSet: one replica, one Longhorn volume on the requested class (default fast). */
export function renderMysqlStatefulSet(ctx: ProjectContext): IStatefulSet {
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
                    ...basePodSpec(ctx, MYSQL_UID),
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

/** Headless Service of the MySQL database (stable DNS name; never exposed outside the namespace). */
export function renderMysqlService(ctx: ProjectContext): IService {
    const engine = MYSQL;
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
