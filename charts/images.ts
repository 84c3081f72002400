/**
 * Container images the platform itself runs, pinned to immutable release tags (upgrade by editing this
 * file; tenants pin their own images in their project files). Helm charts are pinned beside this file.
 */

/**
 * Images of the project databases: engine → major version (the tenant file's `database.version`) → image.
 * The official images run as uid 999 (`postgres` / `mysql`) without their root entrypoint step.
 */
export const DATABASE_IMAGES = {
    postgresql: {
        "16": "docker.io/library/postgres:16.10",
        "17": "docker.io/library/postgres:17.6",
    },
    mysql: {
        "8.0": "docker.io/library/mysql:8.0.43",
        "8.4": "docker.io/library/mysql:8.4.6",
    },
} as const;

/** Major version used when a project's database does not name one. */
export const DEFAULT_DATABASE_VERSION = { postgresql: "17", mysql: "8.4" } as const;

/** MinIO client (`mc`) of the per-project bucket Job (bucket, user, policy). */
export const MINIO_CLIENT_IMAGE = "quay.io/minio/mc:RELEASE.2025-04-16T18-13-26Z";
