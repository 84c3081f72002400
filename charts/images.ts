/**
 * Container images the platform itself runs, pinned to immutable release tags (upgrade by editing this
 * file; tenants pin their own images in their project files). Helm charts are pinned beside this file.
 */

/**
 * Images of the project databases: engine → major version (the tenant file's `database.version`) → image.
 * PostgreSQL runs under CloudNativePG (uid 26 in its images); MySQL is Percona XtraDB Cluster under the Percona
 * operator (uid 1001, `mysql`), at the versions the operator's 1.19.0 release tests
 * (e2e-tests/release_versions at github.com/percona/percona-xtradb-cluster-operator@v1.19.0).
 */
export const DATABASE_IMAGES = {
    // CloudNativePG operand images, `system` flavour: it ships barman-cloud, which the in-tree
    // `barmanObjectStore` backups need (CNPG docs/src/image_catalog.md at v1.30.0).
    postgresql: {
        "16": "ghcr.io/cloudnative-pg/postgresql:16.10-system-trixie",
        "17": "ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie",
    },
    mysql: {
        "8.0": "docker.io/percona/percona-xtradb-cluster:8.0.44-35.1",
        "8.4": "docker.io/percona/percona-xtradb-cluster:8.4.7-7.1",
    },
} as const;

/** Major version used when a project's database does not name one. */
export const DEFAULT_DATABASE_VERSION = { postgresql: "17", mysql: "8.4" } as const;

/** MinIO client (`mc`) of the per-project bucket Job (bucket, user, policy). */
export const MINIO_CLIENT_IMAGE = "quay.io/minio/mc:RELEASE.2025-04-16T18-13-26Z";

/**
 * Image of the floating-IP failover loop (components/metallb): bash, kubectl, curl and jq in one image,
 * tagged by its kubectl version (the image publishes no `latest`). Pin a digest once you mirror it.
 */
export const FLOATING_IP_FAILOVER_IMAGE = "docker.io/alpine/k8s:1.34.1";

/**
 * MinIO server and client for the platform MinIO (components/minio). MinIO Inc. archived the community
 * edition (April 2026) and its last images carry an unfixed CVE (CVE-2025-62506, fixed only in the
 * source-only RELEASE.2025-10-15); these are the Pigsty community fork's builds, the pair Grafana's Loki
 * chart 7.0.0 switched its bundled MinIO to for the same reason.
 */
export const MINIO_IMAGES = {
    server: { repository: "docker.io/pgsty/minio", tag: "RELEASE.2026-03-14T12-00-00Z" },
    client: { repository: "docker.io/pgsty/mc", tag: "RELEASE.2026-03-13T08-57-32Z" },
} as const;

/**
 * rancher/system-upgrade-controller: the controller and the images its upgrade Jobs run
 * (components/upgrades). The controller tag is the release whose manifests and CRD (charts/system-upgrade-controller/)
 * are installed; the kubectl image is the release's own default for the cordon/drain init containers
 * (`SYSTEM_UPGRADE_JOB_KUBECTL_IMAGE` in manifests/system-upgrade-controller.yaml at v0.20.1). The k3s upgrade
 * image carries no tag here on purpose: the controller tags it with the Plan's `version` (the configured
 * `platform:cluster.k3sVersion`, `+` written as `-`), which is the pin.
 */
export const SYSTEM_UPGRADE_IMAGES = {
    controller: "docker.io/rancher/system-upgrade-controller:v0.20.1",
    kubectl: "docker.io/rancher/kubectl:v1.30.3",
    k3sUpgrade: "docker.io/rancher/k3s-upgrade",
} as const;

/** kured (Kubernetes Reboot Daemon) of the node-reboot add-on; the chart's appVersion at the pinned chart. */
export const KURED_IMAGE = { repository: "ghcr.io/kubereboot/kured", tag: "1.23.0" } as const;

/** The CloudNativePG operator image: the chart's appVersion at charts/versions.ts' `cloudnativePg`. */
export const CNPG_OPERATOR_IMAGE = { repository: "ghcr.io/cloudnative-pg/cloudnative-pg", tag: "1.30.0" } as const;

/**
 * Runtime of the billing ledger exporter (components/metering/ledger-exporter.js): the official Node image,
 * an LTS line (22, supported until 2027-04), Alpine variant, non-root user `node` (uid 1000). The exporter
 * uses only Node's standard library and the aws4 signer mounted beside it, so no package install at start.
 */
export const LEDGER_EXPORTER_IMAGE = { image: "docker.io/library/node:22.20.0-alpine3.22", uid: 1000 } as const;

/**
 * Velero (components/backups): the server is the chart's appVersion at charts/versions.ts' `velero` (12.1.0 →
 * v1.18.1); the object-store plugin for S3 (Hetzner Object Storage speaks S3) is the line the plugin's
 * compatibility table pairs with Velero 1.18 (plugin v1.14.x), copied into the server pod by an init container.
 */
export const VELERO_IMAGES = {
    server: { repository: "docker.io/velero/velero", tag: "v1.18.1" },
    awsPlugin: "docker.io/velero/velero-plugin-for-aws:v1.14.2",
} as const;

/**
 * Argo Rollouts controller (components/argo-rollouts): the pinned chart's appVersion (argo-helm
 * argo-rollouts-2.41.0 Chart.yaml), made explicit; the image is quay.io/argoproj/argo-rollouts at this tag.
 */
export const ARGO_ROLLOUTS_VERSION = "v1.9.0";

/**
 * Images of the platform's builds (components/builds), pinned to release tags. BuildKit's `-rootless` variant
 * runs buildkitd as uid 1000 inside a user namespace (moby/buildkit docs/rootless.md); Railpack publishes one
 * image per release, its BuildKit frontend (`railpack-frontend`, .goreleaser.yml and release.yml at v0.15.4:
 * `FROM alpine; COPY railpack /; ENTRYPOINT ["/railpack", "frontend"]`), which also carries the CLI: the plan
 * step runs `/railpack prepare` from it and BuildKit runs it as the frontend, so CLI and frontend are the same
 * release (railpack.com "Running Railpack in production"). There is no `ghcr.io/railwayapp/railpack` CLI image.
 * alpine/git fetches the source. Not pulled here: the tags were taken from the projects' release pipelines, not
 * checked against the registries (README: what remains unverified).
 */
export const BUILD_IMAGES = {
    buildkit: "docker.io/moby/buildkit:v0.25.2-rootless",
    railpackFrontend: "ghcr.io/railwayapp/railpack-frontend:v0.15.4",
    git: "docker.io/alpine/git:v2.49.1",
} as const;

/** uid/gid BuildKit's rootless image runs as (user `user`, home /home/user). */
export const BUILDKIT_ROOTLESS_UID = 1000;

/**
 * The Percona Operator for MongoDB (components/databases/percona-mongodb.ts) and the images of the tenant
 * MongoDB replica sets it runs (components/project/mongodb.ts), as its release pins them
 * (e2e-tests/release_versions at github.com/percona/percona-server-mongodb-operator@v1.22.0). The operator
 * image is also the replica sets' init image (it copies its entrypoint into the pod). `mongod` is keyed by the
 * tenant file's `mongodb.version`; Percona Backup for MongoDB (the backup agent beside every mongod) and the
 * metrics exporter (percona/mongodb_exporter v0.53.0, `docker_manifests` of its .goreleaser.yml; uid 65535)
 * are the same for every version.
 */
export const MONGODB_IMAGES = {
    operator: { repository: "docker.io/percona/percona-server-mongodb-operator", tag: "1.22.0" },
    mongod: {
        "7.0": "docker.io/percona/percona-server-mongodb:7.0.30-16",
        "8.0": "docker.io/percona/percona-server-mongodb:8.0.19-7",
    },
    backup: "docker.io/percona/percona-backup-mongodb:2.12.0",
    exporter: "docker.io/percona/mongodb_exporter:0.53.0",
} as const;

/** MongoDB major version used when a project's `mongodb` does not name one. */
export const DEFAULT_MONGODB_VERSION = "8.0";

/**
 * The OpsTree Redis Operator (components/databases/redis-operator.ts) and the images of the tenant Redis
 * replication groups it runs (components/project/redis.ts). The operator starts its own images' entrypoints
 * (they write redis.conf and sentinel.conf from the environment it sets), so the Redis and Sentinel images are
 * OpsTree's builds: 8.2.2 is the first 8.2 release with the fix of CVE-2025-49844 (Lua use-after-free, remote
 * code execution for any authenticated client), which every tenant holding the password is. The tags are the
 * ones the operator's own code references at v0.26.0 (internal/k8sutils/sentinel_volume_mount_test.go names
 * redis-sentinel:v8.2.2; the exporter tag is the one of its examples and charts); they run as uid 1000 (the
 * operator's charts set `runAsUser: 1000, fsGroup: 1000`). Keyed by the tenant file's `redis.version`.
 */
export const REDIS_IMAGES = {
    operator: { repository: "quay.io/opstree/redis-operator", tag: "v0.26.0" },
    redis: { "8.2": "quay.io/opstree/redis:v8.2.2" },
    sentinel: { "8.2": "quay.io/opstree/redis-sentinel:v8.2.2" },
    exporter: "quay.io/opstree/redis-exporter:v1.44.0",
} as const;

/** Redis version used when a project's `redis` does not name one. */
export const DEFAULT_REDIS_VERSION = "8.2";

/**
 * The Percona Operator for MySQL based on Percona XtraDB Cluster (components/databases/percona-mysql.ts) and the
 * companions of the tenant clusters it runs (components/project/mysql.ts), as its 1.19.0 release pins them
 * (e2e-tests/release_versions at github.com/percona/percona-xtradb-cluster-operator@v1.19.0). The operator image
 * is also the init image (it copies its entrypoint, peer-list and the binlog collector into the pods). XtraBackup
 * must match the server's major version (`IMAGE_BACKUP84` / `IMAGE_BACKUP80`); it runs the backup and restore
 * Jobs and the binlog collector (point-in-time recovery). HAProxy routes clients to one writer node.
 */
export const MYSQL_OPERATOR_IMAGES = {
    operator: { repository: "docker.io/percona/percona-xtradb-cluster-operator", tag: "1.19.0" },
    backup: {
        "8.0": "docker.io/percona/percona-xtrabackup:8.0.35-34.1",
        "8.4": "docker.io/percona/percona-xtrabackup:8.4.0-5.1",
    },
    haproxy: "docker.io/percona/haproxy:2.8.17",
} as const;
