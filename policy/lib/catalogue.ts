/**
 * The facts the security rule catalogue is made of, in one place: the CrossGuard rules of this pack read them,
 * and the program's admission policies (components/guardrails) render their CEL from them, so a rule checked
 * at `pulumi preview` and the same rule enforced by the API server cannot drift apart. Pure data; each list
 * cites the upstream source it was taken from.
 */

/** Service types that expose a Service outside the cluster network (or, ExternalName, alias foreign names). */
export const FORBIDDEN_TENANT_SERVICE_TYPES: readonly string[] = ["NodePort", "LoadBalancer", "ExternalName"];

/**
 * Traefik's Service annotation that makes an Ingress dial the Service's ClusterIP. Tenant Services must not set it:
 * HTTP egress is metered at Traefik, and through the ClusterIP the edge meter would bill it a second time.
 */
export const SERVICE_NATIVE_LB_ANNOTATION = "traefik.ingress.kubernetes.io/service.nativelb";

/**
 * Safe sysctls by the Kubernetes minor version that first allows them (pod-security-admission
 * policy/check_sysctls.go, sysctlsAllowedV1Dot0 … V1Dot37).
 */
export const SAFE_SYSCTLS_SINCE: ReadonlyArray<{ minor: number; sysctls: readonly string[] }> = [
    { minor: 0, sysctls: ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"] },
    { minor: 27, sysctls: ["net.ipv4.ip_local_reserved_ports"] },
    { minor: 29, sysctls: ["net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"] },
    { minor: 32, sysctls: ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"] },
    { minor: 37, sysctls: ["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"] },
];

/** The safe sysctls of a Kubernetes version (`v1.31`, `1.31`, `v1.31.6+k3s1`). */
export function safeSysctlsFor(kubernetesVersion: string): string[] {
    const match = /^v?1\.(\d+)/.exec(kubernetesVersion.trim());
    if (!match) {
        throw new Error(`cannot read a Kubernetes 1.x minor version from "${kubernetesVersion}"`);
    }
    const minor = Number(match[1]);
    return SAFE_SYSCTLS_SINCE.filter((entry) => entry.minor <= minor).flatMap((entry) => entry.sysctls);
}

/** SELinux types a pod may set (pod-security-admission policy/check_seLinuxOptions.go); user and role may not be set. */
export const ALLOWED_SELINUX_TYPES: readonly string[] = ["", "container_t", "container_init_t", "container_kvm_t"];

/** Prefix of the deprecated per-container AppArmor annotation (pod-security-admission check_appArmorProfile.go). */
export const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

/** AppArmor annotation values allowed: `runtime/default`, `localhost/<profile>` or empty. */
export function appArmorAnnotationAllowed(value: string): boolean {
    return value === "" || value === "runtime/default" || value.startsWith("localhost/");
}

/** `securityContext.appArmorProfile.type` values allowed (absent is allowed too). */
export const ALLOWED_APPARMOR_PROFILE_TYPES: readonly string[] = ["RuntimeDefault", "Localhost"];

/**
 * Probe and lifecycle handlers whose `host` field makes the kubelet (which runs on the node, outside the pod's
 * network policy) send the request: a `host` of 169.254.169.254 or the API server turns a probe into a
 * request from the node. Pod Security Standards restrict only `host` of lifecycle/probes in recent releases
 * and only to "" (baseline "Probe / Lifecycle Host", Kubernetes ≥ 1.34); the platform forbids it everywhere.
 */
export const PROBE_FIELDS: readonly string[] = ["livenessProbe", "readinessProbe", "startupProbe"];
/** Lifecycle hooks (handlers like probes). */
export const LIFECYCLE_HOOKS: readonly string[] = ["postStart", "preStop"];
/** Handler kinds that carry a `host`. */
export const HOST_HANDLERS: readonly string[] = ["httpGet", "tcpSocket"];

/** ClusterRoles a tenant namespace may never bind (cluster-admin, and admin which can edit RoleBindings there). */
export const FORBIDDEN_TENANT_CLUSTER_ROLES: readonly string[] = ["cluster-admin", "admin"];

/** Traefik entry points every project's HTTP routes may use (the platform's web and websecure). */
export const TENANT_HTTP_ENTRY_POINTS: readonly string[] = ["web", "websecure"];

/** A project's grants as its namespace annotations state them (lib/conventions NAMESPACE_GRANT_ANNOTATIONS). */
export interface HostGrants {
    /** Hosts ending in `.<hostSuffix>` belong to the project. */
    hostSuffix: string;
    /** Exact hosts outside the platform domain. */
    customHosts: readonly string[];
    /** Granted TCP entry points. */
    tcpEntryPoints: readonly string[];
    /** Granted UDP entry points. */
    udpEntryPoints: readonly string[];
}

/** Splits a comma-separated annotation value (empty → []). */
export function annotationList(value: string | undefined): string[] {
    return (value ?? "").split(",").map((entry) => entry.trim()).filter((entry) => entry.length > 0);
}

/** Whether a host belongs to the project: under its suffix, or one of its granted custom hosts (exact). */
export function hostInSpace(host: string, grants: HostGrants): boolean {
    const name = host.toLowerCase();
    return (grants.hostSuffix !== "" && name.endsWith(`.${grants.hostSuffix.toLowerCase()}`)) || grants.customHosts.map((h) => h.toLowerCase()).includes(name);
}

/** Regular expressions over Traefik rule strings, shared verbatim by the pack and the admission CEL (RE2 subset). */
export const TRAEFIK_MATCHERS = {
    /** One `Host(`name`)` with a single argument. */
    host: "Host\\(`[^`]*`\\)",
    /** Any `Host(` call (to tell multi-argument forms apart). */
    anyHost: "Host\\(",
    /** One `HostSNI(`name`)`. */
    hostSni: "HostSNI\\(`[^`]*`\\)",
    /** Any `HostSNI(` call. */
    anyHostSni: "HostSNI\\(",
    /** Regexp host matchers, never allowed (they match hosts outside the project's space). */
    regexp: "HostRegexp|HostSNIRegexp",
} as const;

const findAll = (text: string, pattern: string) => text.match(new RegExp(pattern, "g")) ?? [];
/** The names inside `Host(`…`)` / `HostSNI(`…`)` matchers (the part between the backquotes). */
const argumentOf = (call: string) => call.slice(call.indexOf("`") + 1, call.lastIndexOf("`"));

/**
 * Why a tenant's Traefik route may not be admitted (empty when it may): HTTP routes only on the platform's web
 * entry points and only for the project's hosts; TCP routes on a granted entry point, or TLS passthrough on
 * websecure for the project's own hosts (HostSNI(`*`) only on a granted entry point); UDP routes only on
 * granted entry points. A route without entryPoints listens on every entry point, so entryPoints are required.
 */
export function traefikRouteProblems(kind: string, spec: Record<string, unknown>, grants: HostGrants): string[] {
    const problems: string[] = [];
    const entryPoints = Array.isArray(spec.entryPoints) ? spec.entryPoints.map(String) : [];
    const routes = Array.isArray(spec.routes) ? (spec.routes as Array<Record<string, unknown>>) : [];
    if (entryPoints.length === 0) {
        problems.push(`${kind} names no entryPoints (it would listen on every entry point)`);
    }
    const matchProblems = (match: string, single: string, any: string, label: string, allowStar: boolean) => {
        if (new RegExp(TRAEFIK_MATCHERS.regexp).test(match)) {
            return [`${label} rule "${match}" uses a regexp host matcher`];
        }
        const calls = findAll(match, single);
        if (calls.length === 0 || calls.length !== findAll(match, any).length) {
            return [`${label} rule "${match}" must name each host in its own ${any.replace("\\(", "(`…`)")}`];
        }
        return calls
            .map(argumentOf)
            .filter((host) => !(allowStar && host === "*") && !hostInSpace(host, grants))
            .map((host) => `${label} rule "${match}" names host ${host} outside the project's host space`);
    };
    const services = routes.flatMap((route) => (Array.isArray(route.services) ? (route.services as Array<Record<string, unknown>>) : []));
    if (kind === "IngressRoute") {
        // HTTP egress is metered at Traefik; dialled through the ClusterIP the edge meter would bill it again.
        for (const service of services.filter((s) => s.nativeLB === true)) {
            problems.push(`IngressRoute service ${String(service.name)} sets nativeLB: HTTP backends are dialled by pod IP (metered at Traefik; through the ClusterIP the edge meter would bill it twice)`);
        }
    } else {
        // The edge meter counts TCP/UDP and passthrough replies only from the Service's ClusterIP.
        for (const service of services.filter((s) => s.nativeLB !== true)) {
            problems.push(`${kind} service ${String(service.name)} must set nativeLB: true (the edge meter bills TCP/UDP and passthrough egress through the Service's ClusterIP)`);
        }
    }
    if (kind === "IngressRoute") {
        for (const entryPoint of entryPoints.filter((e) => !TENANT_HTTP_ENTRY_POINTS.includes(e))) {
            problems.push(`IngressRoute uses entry point ${entryPoint}; HTTP routes may use ${TENANT_HTTP_ENTRY_POINTS.join(", ")}`);
        }
        for (const route of routes) {
            problems.push(...matchProblems(String(route.match ?? ""), TRAEFIK_MATCHERS.host, TRAEFIK_MATCHERS.anyHost, "route", false));
        }
    } else if (kind === "IngressRouteTCP") {
        const granted = entryPoints.every((e) => grants.tcpEntryPoints.includes(e));
        const passthrough = asPassthrough(spec);
        if (!granted) {
            const ungranted = entryPoints.filter((e) => !grants.tcpEntryPoints.includes(e));
            if (!(ungranted.every((e) => e === "websecure") && passthrough)) {
                problems.push(`IngressRouteTCP uses entry point(s) ${ungranted.join(", ")} not granted to the project (only TLS passthrough for its own hosts may use websecure)`);
            }
        }
        for (const route of routes) {
            problems.push(...matchProblems(String(route.match ?? ""), TRAEFIK_MATCHERS.hostSni, TRAEFIK_MATCHERS.anyHostSni, "TCP route", granted));
        }
    } else if (kind === "IngressRouteUDP") {
        for (const entryPoint of entryPoints.filter((e) => !grants.udpEntryPoints.includes(e))) {
            problems.push(`IngressRouteUDP uses entry point ${entryPoint}, not granted to the project`);
        }
    }
    return problems;
}

function asPassthrough(spec: Record<string, unknown>): boolean {
    const tls = spec.tls;
    return typeof tls === "object" && tls !== null && (tls as Record<string, unknown>).passthrough === true;
}

/** Traefik's Ingress annotation naming the entry points of an Ingress's routers (comma-separated). */
export const INGRESS_ENTRY_POINTS_ANNOTATION = "traefik.ingress.kubernetes.io/router.entrypoints";

/**
 * Entry points an Ingress names through {@link INGRESS_ENTRY_POINTS_ANNOTATION} beyond the platform's web entry
 * points: a tenant Ingress must not attach HTTP routers to another project's TCP/UDP entry point or the platform's.
 */
export function ingressEntryPointProblems(metadata: Record<string, unknown> | undefined): string[] {
    const annotations = (metadata?.annotations ?? {}) as Record<string, unknown>;
    const value = annotations[INGRESS_ENTRY_POINTS_ANNOTATION];
    if (value === undefined) {
        return [];
    }
    return String(value)
        .split(",")
        .map((e) => e.trim())
        .filter((e) => !TENANT_HTTP_ENTRY_POINTS.includes(e))
        .map((e) => `Ingress annotation ${INGRESS_ENTRY_POINTS_ANNOTATION} names entry point "${e}"; tenant Ingresses may use ${TENANT_HTTP_ENTRY_POINTS.join(", ")}`);
}

/** Hosts of an Ingress spec outside the project's host space (rules and TLS entries). */
export function ingressHostProblems(spec: Record<string, unknown>, grants: HostGrants): string[] {
    const problems: string[] = [];
    const rules = Array.isArray(spec.rules) ? (spec.rules as Array<Record<string, unknown>>) : [];
    rules.forEach((rule, index) => {
        const host = typeof rule.host === "string" ? rule.host : "";
        if (host === "" || !hostInSpace(host, grants)) {
            problems.push(`Ingress rule ${index + 1} host "${host}" is outside the project's host space`);
        }
    });
    const tls = Array.isArray(spec.tls) ? (spec.tls as Array<Record<string, unknown>>) : [];
    tls.forEach((entry, index) => {
        for (const host of Array.isArray(entry.hosts) ? entry.hosts.map(String) : []) {
            if (!hostInSpace(host, grants)) {
                problems.push(`Ingress tls entry ${index + 1} host "${host}" is outside the project's host space`);
            }
        }
    });
    return problems;
}

/**
 * The Secret the platform stack writes into a tenant namespace with the off-cluster backup bucket's keys
 * (CloudNativePG 1.30 reads `barmanObjectStore.s3Credentials` only from a Secret in the Cluster's namespace).
 * The keys reach every project's archive in the bucket, so no tenant pod may read them: only the operator's
 * pods may reference the Secret, and only the operator's pods may run as the Cluster's ServiceAccount, whose
 * Role (written by the operator) can read it through the API.
 */
export const PLATFORM_BACKUP_SECRET = "database-backup-s3";

/**
 * ServiceAccounts CloudNativePG creates per Cluster (named after the Cluster: `database`, `database-g<N>`), whose
 * Role grants `get` on the backup Secret. RE2 and ECMAScript read this pattern alike.
 */
export const DATABASE_SERVICE_ACCOUNT_PATTERN = "^database(-g[0-9]+)?$";

/**
 * Users that may create pods naming the backup Secret or a database ServiceAccount: the database operators
 * (CloudNativePG's instance pods and Jobs; the Percona XtraDB Cluster operator's backup and restore Jobs and its
 * binlog collector Deployment) and the controllers that turn the operators' Jobs and Deployments into pods (job,
 * deployment and replicaset controllers; k3s runs its controllers with per-controller ServiceAccount
 * credentials, otherwise as the controller manager). A tenant's own Job or Deployment naming either is refused
 * before a controller sees it.
 */
export function backupSecretUsers(...operatorUsers: string[]): string[] {
    const controllers = ["job-controller", "deployment-controller", "replicaset-controller"].map((c) => `system:serviceaccount:kube-system:${c}`);
    return [...operatorUsers, ...controllers, "system:kube-controller-manager"];
}

/**
 * Secrets the database operators write or mount for themselves in a tenant namespace, named after the cluster
 * (`database`, `database-g<N>` for MySQL; `mongodb`, `mongodb-g<N>` for MongoDB). Percona XtraDB Cluster operator
 * v1.19.0: `<cluster>-secrets` (root, xtrabackup, monitor, operator passwords: pxc_types.go CheckNSetDefaults),
 * `internal-<cluster>` (its copy, controller/pxc/secrets.go internalSecretsPrefix), `<cluster>-ssl` and
 * `<cluster>-ssl-internal` (TLS keys) and `<cluster>-ca-cert` (their CA, cert-manager's: {@link CERT_MANAGER_TLS_SECRET_PATTERN}), `<cluster>-vault`, `<cluster>-mysql-init` (statefulset/node.go),
 * `<cluster>-log-collector` and the `<cluster>-env-vars-{pxc,haproxy,proxysql}` the nodes take their environment
 * from. Percona Operator for MongoDB v1.22.0: `<cluster>-users` (spec.secrets.users as the platform renders it) and
 * `internal-<cluster>-users` (psmdb_types.go InternalUserSecretName: backup, clusterAdmin, userAdmin, monitor
 * passwords), `<cluster>-mongodb-keyfile`, `<cluster>-mongodb-encryption-key`, `<cluster>-ssl`,
 * `<cluster>-ssl-internal` (psmdb_defaults.go), `<cluster>-ca-cert` (pkg/psmdb/tls/certificate.go). CloudNativePG 1.30.0 (api/v1/cluster_types.go suffixes, Clusters
 * named `database`/`database-g<N>` too): `<cluster>-superuser` (the postgres password), `<cluster>-replication`
 * (streaming_replica's client certificate), `<cluster>-ca` (server and client CA keys), `<cluster>-server` (the
 * server key) and `<cluster>-pull-secret` (the operator's registry credentials); its `<cluster>-app` is the
 * application owner's and stays the tenant's (the platform names that one `database-credentials` through
 * `bootstrap.*.secret`). A tenant pod reads none of them: the project's own user-level
 * credentials (`database-credentials`, `mongodb-credentials`) stay its to read. RE2 and ECMAScript read this
 * pattern alike.
 */
export const OPERATOR_INTERNAL_SECRET_PATTERN = `^(${operatorSecretNames("cnpg")}|${operatorSecretNames("pxc")}|${operatorSecretNames("psmdb")})$`;

/**
 * Each database operator's own Secret names (the parts of {@link OPERATOR_INTERNAL_SECRET_PATTERN}, sources named
 * there), so that an operator may write its own and no other's: the MySQL operator taking `database-superuser`
 * would choose the PostgreSQL superuser's password of a project that runs both engines' clusters under
 * `database`-named objects. Anchored, RE2 and ECMAScript alike.
 */
export const OPERATOR_SECRET_PATTERNS: Readonly<Record<DatabaseOperator, string>> = {
    cnpg: `^(${operatorSecretNames("cnpg")})$`,
    pxc: `^(${operatorSecretNames("pxc")})$`,
    psmdb: `^(${operatorSecretNames("psmdb")})$`,
};

/**
 * The Percona clusters' TLS Secrets that cert-manager's controller writes: with cert-manager installed, both
 * Percona operators create a self-signed CA Issuer (`<cluster>-pxc-ca-issuer`, `-psmdb-ca-issuer`), the CA
 * Certificate `<cluster>-ca-cert` and a CA Issuer on it (`<cluster>-pxc-issuer`, `-psmdb-issuer`), and the
 * Certificates `<cluster>-ssl` and `<cluster>-ssl-internal`, each with a Secret of its own name (PXC operator
 * v1.19.0 pkg/controller/pxc/tls.go, PSMDB operator v1.22.0 pkg/psmdb/tls/certmanager.go, certificate.go). The
 * Secrets are issued by cert-manager, not by the operator: PXC falls back to generating its own after 30 s, the
 * MongoDB operator has no fallback and its cluster stays without TLS. Tenants may write none of them (they are in
 * {@link OPERATOR_INTERNAL_SECRET_PATTERN}: a tenant's `<cluster>-ca-cert` would be the CA the nodes trust).
 */
export const CERT_MANAGER_TLS_SECRET_PATTERN = "^(database|mongodb)(-g[0-9]+)?-(ca-cert|ssl|ssl-internal)$";

/** The database operators that keep Secrets of their own in tenant namespaces: CloudNativePG, the Percona MySQL and MongoDB operators. */
export type DatabaseOperator = "cnpg" | "pxc" | "psmdb";

/** The unanchored alternation of one operator's Secret names. */
function operatorSecretNames(operator: DatabaseOperator): string {
    switch (operator) {
        case "cnpg":
            return "database(-g[0-9]+)?-(superuser|replication|ca|server|pull-secret)";
        case "pxc":
            return "internal-database(-g[0-9]+)?|database(-g[0-9]+)?-(secrets|ssl|ssl-internal|ca-cert|vault|mysql-init|log-collector|env-vars-(pxc|haproxy|proxysql))";
        case "psmdb":
            return "internal-mongodb(-g[0-9]+)?-users|mongodb(-g[0-9]+)?-(users|mongodb-keyfile|mongodb-encryption-key|ssl|ssl-internal|ca-cert)";
    }
}

/**
 * Secrets the platform (the tenant's grants stack, with the cluster's admin credentials) writes into a tenant
 * namespace and the tenant's own writers (its app stack's deployer, its Argo CD, kubectl) must not create or
 * replace: the backup bucket's keys every database CR is pinned to ({@link PLATFORM_BACKUP_SECRET}), the
 * project bucket's credentials (`bucket-credentials`, components/project/storage.ts BUCKET_SECRET), the Redis
 * operator's password and ACL file ({@link PLATFORM_REDIS_SECRET}: a tenant copy would be the ACL) and the Redis
 * app user's credentials (`redis-credentials`, components/project/redis.ts REDIS_SECRET, whose password the ACL
 * file holds). A tenant copy would break the project's backups, bucket or Redis access until the grants stack's
 * next run, and a tenant-written `redis-internal` would choose the ACL.
 */
export const PLATFORM_WRITTEN_SECRETS: readonly string[] = [PLATFORM_BACKUP_SECRET, "bucket-credentials", "redis-internal", "redis-credentials"];

/**
 * The Secret the grants stack writes for a project's Redis operator (components/project/redis.ts
 * renderRedisSecrets): the `default` user's password, which the operator v0.26.0 hands to every member
 * (`requirepass`, `masterauth`), the probes, the exporter and the Sentinels through `kubernetesConfig.redisSecret`,
 * and the ACL file (`acl.secret`) that defines `default` and the app's user. Whoever reads it is Redis's
 * `default` (every command, ACL and CONFIG included) and whoever writes it writes the ACL: so no tenant pod
 * mounts or reads it (only the operator's StatefulSets, {@link redisInternalSecretUsers}), no tenant writer
 * writes it ({@link PLATFORM_WRITTEN_SECRETS}), and the tenant's deployer Role does not name it.
 */
export const PLATFORM_REDIS_SECRET = "redis-internal";

/**
 * Users that may create pods (or pod templates) reading {@link PLATFORM_REDIS_SECRET}: the Redis operator, which
 * writes the members' and Sentinels' StatefulSets, and the StatefulSet controller, which makes their pods. A
 * tenant's own StatefulSet naming it is refused before the controller sees it.
 */
export function redisInternalSecretUsers(redisOperatorUser: string): string[] {
    return [redisOperatorUser, "system:serviceaccount:kube-system:statefulset-controller"];
}

/**
 * The group of the cluster's admin credentials (k3s's `system:admin` client certificate, written to k3s.yaml, is in
 * `system:masters`: k3s pkg/daemons/control/deps/deps.go genClientCerts),
 * with which the platform and grants stacks write {@link PLATFORM_WRITTEN_SECRETS}; no tenant identity is in it.
 */
export const PLATFORM_WRITER_GROUP = "system:masters";

/**
 * Users that may create pods reading an operator's own Secrets ({@link OPERATOR_INTERNAL_SECRET_PATTERN}): the
 * operators and the controllers that turn their StatefulSets, Jobs and Deployments into pods. A tenant's own
 * StatefulSet, Job or Deployment naming one is refused before a controller sees it.
 */
export function operatorSecretUsers(...operatorUsers: string[]): string[] {
    return [...backupSecretUsers(...operatorUsers), "system:serviceaccount:kube-system:statefulset-controller"];
}

/** The Secrets a pod spec reads: volumes (secret, projected), env `secretKeyRef` and `envFrom.secretRef` of every container. */
export function podSecretReferences(podSpec: Record<string, unknown>): string[] {
    const names: string[] = [];
    const record = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
    const array = (v: unknown) => (Array.isArray(v) ? v : []);
    const push = (v: unknown) => typeof v === "string" && names.push(v);
    for (const volume of array(podSpec.volumes)) {
        push(record(record(volume)?.secret)?.secretName);
        for (const source of array(record(record(volume)?.projected)?.sources)) {
            push(record(record(source)?.secret)?.name);
        }
    }
    for (const kind of ["containers", "initContainers", "ephemeralContainers"]) {
        for (const container of array(podSpec[kind])) {
            for (const env of array(record(container)?.env)) {
                push(record(record(record(env)?.valueFrom)?.secretKeyRef)?.name);
            }
            for (const from of array(record(container)?.envFrom)) {
                push(record(record(from)?.secretRef)?.name);
            }
        }
    }
    return names;
}

/**
 * The platform registry's host (Harbor, components/registry): a tenant pod may run an image from it only under
 * its own project's path (`<host>/<namespace>/…`), the path its pull robot can read.
 */
export const PLATFORM_REGISTRY_HOST = "registry.platform.internal";

/**
 * Where a pod in a tenant namespace may be placed, whoever sends it (Pulumi, an Argo CD sync, the deployer
 * kubeconfig, an operator): what the Project renders (components/project/common.ts `podPlacement`) and nothing
 * that reaches another pool. Node-level settings are not pod security, so Pod Security Admission does not
 * look at them; without this a tenant pod could tolerate the build pool's taint and select it (sharing nodes
 * with every project's unconfined BuildKit and its push credentials), or set `spec.nodeName`, which skips the
 * scheduler and with it every NoSchedule taint (the kubelet admits the pod anyway), reaching the servers too.
 * - `pools`: values of `poolLabel` a pod may select: the run pool, or the schedulable servers of a stack
 *   without one (selecting `server` where servers are tainted only leaves the pod pending).
 * - `toleratedTaint`: the one platform taint a tenant pod tolerates (`pool=run`; the gVisor RuntimeClass's
 *   scheduling merges the same toleration in). Kubernetes' own node-condition taints (`nodeConditionTaintPrefix`:
 *   not-ready, unreachable, which the DefaultTolerationSeconds admission adds to every pod, and the pressure
 *   taints) are tolerable too: they name a node's state, not a pool.
 * - `nodeNameLabels`: node labels that name one node (kubelet's `kubernetes.io/hostname`, k3s' own): a policy
 *   cannot tell which pool a named node is in, so tenant pods never pick a node by name, nor by `matchFields`
 *   (`metadata.name`), nor with `spec.nodeName`. Equal for trusted and untrusted projects. (The DaemonSet
 *   controller pins its pods with `matchFields`: no tenant path creates DaemonSets — neither the deployer Role nor
 *   a git source's AppProject lists them — so their pods would be refused here too.)
 */
export const TENANT_PLACEMENT = {
    poolLabel: "platform/pool",
    pools: ["run", "server"],
    toleratedTaint: { key: "pool", value: "run" },
    nodeConditionTaintPrefix: "node.kubernetes.io/",
    nodeNameLabels: ["kubernetes.io/hostname", "k3s.io/hostname"],
} as const;

/**
 * The one exception to the restricted profile: rootless BuildKit (moby/buildkit docs/rootless.md) in the
 * platform's build Jobs, which needs seccomp and AppArmor unconfined and privilege escalation for its set-uid
 * `newuidmap`/`newgidmap` with a bounding set of `capabilities` only (moby/buildkit#1671). It holds only for the
 * container named `container` of a pod in `namespace`, pinned to the build pool and tolerating only its taint,
 * without host namespaces, host paths, host ports, an unmasked /proc or privilege, dropping ALL and adding no
 * more than `capabilities`, as a non-root user, labelled with its project (`projectLabel`) and mounting only that
 * project's Secrets (names `secretPrefixes` + project id) (policy/lib/build-exception.ts checks each condition).
 */
export const BUILD_EXCEPTION = {
    namespace: "builds",
    container: "buildkit",
    poolLabel: "platform/pool",
    pool: "build",
    taintKey: "pool",
    capabilities: ["SETUID", "SETGID"],
    projectLabel: "platform/project",
    secretPrefixes: ["registry-push-", "build-source-"],
} as const;

/**
 * Platform namespaces where tenant code runs (a build's Dockerfile `RUN` steps, Railpack's install scripts): each
 * must deny ingress and egress by default, like a tenant namespace. A platform namespace can also declare itself
 * with the label {@link UNTRUSTED_CODE_LABEL}: `"true"`.
 */
export const UNTRUSTED_CODE_NAMESPACES: readonly string[] = [BUILD_EXCEPTION.namespace];

/** Label of a platform namespace that runs tenant code (see {@link UNTRUSTED_CODE_NAMESPACES}). */
export const UNTRUSTED_CODE_LABEL = "platform/untrusted-code";
