import * as path from "node:path";
import { z } from "zod";
import { QUANTITY_PATTERN, quantity as parseQuantity } from "../quantity";
import { domainName, egressPortSchema, LONGHORN_VOLUME_NAME } from "../config/schema";
import { PLATFORM_NAMESPACES } from "../conventions";
import { PLATFORM_BACKUP_SECRET } from "../../policy/lib/catalogue";
import { forbiddenEgressPort, repoUrlProblem, SMTP_PORTS } from "../network-rules";
import { builtImageReference, builtImageTag, PLACEHOLDER_DIGEST } from "../registry";
import { BUCKET_NAME_MAX, bucketNameProblem, labelMessage, labelPattern, PROJECT_NAME_MAX, tenantBucketName } from "./names";

export { SMTP_PORTS };

/**
 * The tenant project file (`stacks/<stack>/projects/<name>.yaml`): one app of one tenant, provisioned by
 * the Project component in one `pulumi up`. The file is untrusted input: every string, path, URL, quantity
 * and count is bounded here, and every privilege it asks for (trust, extra egress ports, custom domains,
 * a git source) must also be granted in the stack config (`platform:projectGrants`, checked by the loader).
 */

const quantity = z.string().max(32).regex(QUANTITY_PATTERN, { error: "must be a Kubernetes quantity such as 250m, 1, 256Mi or 10Gi" });

/** A quantity above zero (a zero CPU or memory limit means "unlimited" or a pod that never starts). */
const positiveQuantity = quantity.refine((q) => !QUANTITY_PATTERN.test(q) || parseQuantity(q) > 0, {
    error: "must be more than zero (a zero limit is no limit, a zero request no reservation)",
    params: { fix: "a positive quantity such as 100m, 128Mi or 1Gi" },
});

/** Hard quota of a tenant bucket whose file sets no `bucket.size`. */
export const DEFAULT_BUCKET_SIZE = "10Gi";

/** Smallest bucket quota: MinIO reads a zero quota as "no quota", and a quota of a few bytes is a typo. */
export const MIN_BUCKET_SIZE = "1Mi";

/** A bucket quota: a byte quantity of at least MIN_BUCKET_SIZE. */
const bucketSize = quantity.refine((q) => !QUANTITY_PATTERN.test(q) || parseQuantity(q) >= parseQuantity(MIN_BUCKET_SIZE), {
    error: `must be at least ${MIN_BUCKET_SIZE} (MinIO reads a zero quota as no quota at all)`,
    params: { fix: "size: 10Gi" },
}).refine((q) => !QUANTITY_PATTERN.test(q) || Number.isSafeInteger(Math.ceil(parseQuantity(q))), {
    error: "is too large to be a MinIO quota in whole bytes (at most 8Pi)",
    params: { fix: "size: 10Gi (at most platform:tenantLimits.maxBucketSize)" },
});

/** A DNS-1123 label usable as a Kubernetes name, without `--` (the separator of derived names). */
const k8sName = (max: number) => z.string().regex(labelPattern(max), { error: labelMessage(max) });

/** Upper bounds of the lists and strings of a tenant file. */
export const TENANT_BOUNDS = {
    services: 50,
    envEntries: 100,
    envValueChars: 32 * 1024,
    secretEnv: 100,
    commandItems: 64,
    commandItemChars: 4096,
    volumes: 8,
    tmpDirs: 8,
    pathChars: 256,
    customDomains: 20,
    egressPorts: 32,
    ports: 16,
    sidecars: 4,
    initContainers: 4,
    files: 8,
    fileKeys: 32,
    configMaps: 16,
    configMapFileChars: 64 * 1024,
    jobs: 16,
    execArgs: 32,
    execArgChars: 1024,
} as const;

/**
 * How often and how many times a blue/green analysis may query the shared Prometheus. The admission policy
 * (components/guardrails/admission-policies.ts) holds a hand-written Rollout (git sync) to the same bounds.
 */
export const ANALYSIS_CADENCE_BOUNDS = {
    count: { min: 1, max: 30 },
    intervalSeconds: { min: 10, max: 600 },
} as const;

/** Mount points no tmpDir or volume may use or contain: kernel interfaces, kubelet-managed files, service account tokens. */
export const FORBIDDEN_MOUNT_ROOTS: readonly string[] = ["/proc", "/sys", "/dev", "/etc", "/var/run/secrets", "/run/secrets"];

/** Why a mount path (volume or tmpDir) is refused; `undefined` when it is fine. */
export function mountPathProblem(mountPath: string): string | undefined {
    if (!/^\/[-a-zA-Z0-9_./]*$/.test(mountPath) || mountPath.length > TENANT_BOUNDS.pathChars) {
        return `"${mountPath}" must be an absolute path of a-z, 0-9, '-', '_', '.', '/' (at most ${TENANT_BOUNDS.pathChars} characters)`;
    }
    // normalize() resolves every '.' and '..' segment of an absolute path and merges '//', so such a path
    // differs from its normal form; it keeps a trailing '/', which is checked apart.
    if (path.posix.normalize(mountPath) !== mountPath || (mountPath.length > 1 && mountPath.endsWith("/"))) {
        return `"${mountPath}" is not a normalized path (no '.', '..', '//' or trailing '/')`;
    }
    if (mountPath === "/") {
        return "/ is the whole root filesystem";
    }
    const root = FORBIDDEN_MOUNT_ROOTS.find((r) => mountPath === r || mountPath.startsWith(`${r}/`) || r.startsWith(`${mountPath}/`));
    return root ? `"${mountPath}" ${mountPath === root || mountPath.startsWith(`${root}/`) ? "is" : "contains"} ${root}, which the kubelet and the kernel own` : undefined;
}

const mountPath = z.string().superRefine((value, ctx) => {
    const problem = mountPathProblem(value);
    if (problem) {
        ctx.addIssue({ code: "custom", message: problem, params: { fix: "an absolute, normalized directory of the app such as /tmp, /var/cache/app or /data" } });
    }
});

/** An HTTP path (probe, metrics): absolute, printable, bounded. */
const httpPath = z.string().max(TENANT_BOUNDS.pathChars).regex(/^\/[\x21-\x7e]*$/, { error: "must be an absolute URL path without spaces" });

/** An image reference with an explicit tag (not `latest`) or digest. */
export const imageReference = z.string().max(512).superRefine((image, ctx) => {
    const withoutDigest = image.split("@")[0] ?? image;
    const lastSlash = withoutDigest.lastIndexOf("/");
    const lastColon = withoutDigest.lastIndexOf(":");
    const tag = lastColon > lastSlash ? withoutDigest.slice(lastColon + 1) : undefined;
    const hasDigest = image.includes("@sha256:");
    // The tag is cut from the name part only: cut from the whole reference, the pattern would take a
    // digest's hex for a tag and refuse a digest-only reference.
    const digest = image.slice(withoutDigest.length);
    if (!/^[a-z0-9]([-a-z0-9._/:]*[a-z0-9])?(@sha256:[a-f0-9]{64})?$/.test(`${withoutDigest.replace(/:[\w][\w.-]{0,127}$/, "")}${digest}`)) {
        ctx.addIssue({ code: "custom", message: `"${image}" is not a valid image reference` });
        return;
    }
    if (tag === undefined && !hasDigest) {
        ctx.addIssue({ code: "custom", message: `image "${image}" has no tag; pin a version so deploys are reproducible` });
    } else if (tag === "latest") {
        ctx.addIssue({ code: "custom", message: `image "${image}" uses the mutable tag "latest"` });
    }
});

const resourcesSchema = z.strictObject({
    requests: z.strictObject({ cpu: positiveQuantity, memory: positiveQuantity }),
    limits: z.strictObject({ cpu: positiveQuantity.optional(), memory: positiveQuantity }),
});

const port = z.number().int().min(1).max(65535);

/**
 * Programs an exec probe may not start: shells and interpreters that would run a command *string*
 * (`sh -c "…"`), where data and code mix. An exec probe is an argv array the kubelet runs directly, so
 * `["redis-cli", "ping"]` is fine and `["sh", "-c", "redis-cli ping"]` is refused, also behind a wrapper that runs
 * its arguments (`["timeout", "5", "sh", "-c", …]`, `["find", "/", "-exec", "sh", …]`): every argument is checked.
 * Not a security boundary (the probe runs in the tenant's own restricted container); it keeps probes declarative.
 */
export const EXEC_PROBE_REFUSED_PROGRAMS: readonly string[] = [
    "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "busybox", "env", "xargs", "eval", "exec",
    "su", "sudo", "doas", "python", "python3", "perl", "ruby", "node", "php", "lua", "awk", "gawk", "pwsh", "powershell",
    "tclsh", "expect", "rbash",
];

/** Why an exec probe's argv is refused; `undefined` when it is fine. */
export function execProbeProblem(argv: readonly string[]): string | undefined {
    const program = argv[0] ?? "";
    const refused = (arg: string) => {
        const base = arg.split("/").pop() ?? arg;
        return EXEC_PROBE_REFUSED_PROGRAMS.includes(base.replace(/[0-9.]+$/, "")) || EXEC_PROBE_REFUSED_PROGRAMS.includes(base);
    };
    const interpreter = argv.find(refused);
    if (interpreter !== undefined) {
        return `exec probes run argv arrays, not shell strings: "${interpreter}" would interpret its arguments as code`;
    }
    const bad = argv.findIndex((a) => /[\x00-\x1f\x7f]/.test(a));
    if (bad >= 0) {
        return `argument ${bad} contains a control character (newline, NUL, …)`;
    }
    if (!/^[A-Za-z0-9_./-]+$/.test(program)) {
        return `"${program}" is not a program name or path (letters, digits, '_', '.', '/', '-')`;
    }
    return undefined;
}

const execArgv = z
    .array(z.string().min(1).max(TENANT_BOUNDS.execArgChars))
    .min(1)
    .max(TENANT_BOUNDS.execArgs)
    .superRefine((argv, ctx) => {
        const problem = execProbeProblem(argv);
        if (problem) {
            ctx.addIssue({ code: "custom", message: problem, params: { fix: "exec: [redis-cli, ping]   # the program and its arguments, one item each; no sh -c" } });
        }
    });

/** Seconds one probe may take (default 3; an exec probe that starts a JVM needs more). */
const probeTimeout = z.number().int().min(1).max(60).optional();

const probeSchema = z.union([
    z.strictObject({ path: httpPath, port: port.optional(), timeoutSeconds: probeTimeout }),
    z.strictObject({ tcp: z.literal(true), port: port.optional(), timeoutSeconds: probeTimeout }),
    z.strictObject({ exec: execArgv, timeoutSeconds: probeTimeout }),
]);

const envName = z.string().max(128).regex(/^[A-Z_][A-Z0-9_]*$/, { error: "must be an environment variable name like DATABASE_URL" });

/** Words that mark an environment variable name as a credential (matched per `_`-separated word). */
export const SECRET_NAME_WORDS: readonly string[] = ["PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "TOKENS", "KEY", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATE", "AUTH"];

/** Value shapes of well-known credentials (cloud keys, API tokens, private keys, JWTs, URLs with a password). */
export const SECRET_VALUE_PATTERNS: ReadonlyArray<{ what: string; pattern: RegExp }> = [
    { what: "a URL with a password", pattern: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i },
    { what: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
    { what: "an AWS access key", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
    { what: "a GitHub token", pattern: /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/ },
    { what: "a GitLab token", pattern: /\bglpat-[A-Za-z0-9_-]{20,}/ },
    { what: "a Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
    { what: "a Stripe or OpenAI key", pattern: /\b(sk|rk)_(live|test)_[A-Za-z0-9]{16,}|\bsk-[A-Za-z0-9_-]{20,}/ },
    { what: "a Tailscale key", pattern: /\btskey-[A-Za-z0-9-]{10,}/ },
    { what: "a JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\./ },
    { what: "a long random string", pattern: /^(?=.*[a-z])(?=.*[A-Z])(?=.*[0-9])[A-Za-z0-9+/=_-]{32,}$/ },
];

/** Why a plain `env` entry looks like a credential; `undefined` when it does not. */
export function secretLookingEnv(name: string, value: string): string | undefined {
    const word = name.split("_").find((w) => SECRET_NAME_WORDS.includes(w) || /PASSWORD|SECRET|TOKEN|APIKEY|CREDENTIAL/.test(w));
    if (word) {
        return `${name} is named like a credential (${word})`;
    }
    const shape = SECRET_VALUE_PATTERNS.find((p) => p.pattern.test(value));
    return shape ? `the value of ${name} looks like ${shape.what}` : undefined;
}

/**
 * Service names the platform uses for the objects it adds to a project (database, bucket credentials,
 * Argo CD objects, namespace-wide objects labelled `platform/service: shared`).
 */
export const RESERVED_SERVICE_NAMES: readonly string[] = ["database", "bucket", "gitops", "shared", "mongodb", "redis"];

/**
 * Prefix of the objects the platform and CloudNativePG name after the project's database: the backup Secret the
 * platform stack writes (`database-backup-s3`), the credentials Secret, the Cluster's Services (`database-rw`,
 * `database-g<N>-ro`, …) and its ServiceAccount (`database-g<N>`). A service of that name would claim or shadow them.
 */
export const DATABASE_OBJECT_PREFIX = "database-";

/**
 * Prefix of the objects named after the project's MongoDB: the replica set (`mongodb`, `mongodb-g<N>`), the
 * Services, StatefulSet and Secrets the Percona operator derives from it (`mongodb-rs0`, `mongodb-g<N>-users`, …)
 * and the platform's credentials Secret (`mongodb-credentials`).
 */
export const MONGODB_OBJECT_PREFIX = "mongodb-";

/**
 * Prefix of the objects named after the project's Redis: the replication group (`redis`, `redis-g<N>`), the
 * Services, StatefulSets and claims the Redis operator derives from it (`redis-master`, `redis-headless`,
 * `redis-s-hl`, `redis-redis-0`, …) and the platform's credentials Secret (`redis-credentials`).
 */
export const REDIS_OBJECT_PREFIX = "redis-";

/** Namespaces a project may never be named after (its namespace carries the project name). */
export const RESERVED_PROJECT_NAMES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease", ...PLATFORM_NAMESPACES];

/** Environment variables the platform injects when the project has a database. */
export const DATABASE_ENV = ["DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_USER", "DATABASE_PASSWORD"] as const;

/** Environment variables the platform injects into containers with `uses: [mongodb]`. */
export const MONGODB_ENV = ["MONGODB_URI", "MONGODB_HOST", "MONGODB_PORT", "MONGODB_DATABASE", "MONGODB_USER", "MONGODB_PASSWORD"] as const;

/** Environment variables the platform injects into containers with `uses: [redis]`. */
export const REDIS_ENV = ["REDIS_HOST", "REDIS_PORT", "REDIS_USERNAME", "REDIS_PASSWORD"] as const;

/** Environment variables the platform injects into every container of a clustered service. */
export const CLUSTER_ENV = ["POD_NAME", "POD_INDEX", "PEER_DOMAIN"] as const;

/** Environment variables the platform injects when the project has a bucket. */
export const BUCKET_ENV = ["S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const;

/** A volume mounted into a service; services with volumes run as StatefulSets (one volume per replica). */
export const volumeSchema = z.strictObject({
    name: k8sName(40),
    size: positiveQuantity,
    class: z.enum(["fast", "standard"]).default("standard"),
    mountPath,
    /**
     * Restore one replica's claim from a Longhorn backup (README: Restore a tenant volume): the claim is created
     * anew from the backup. The backup's volume must be granted to the project
     * (`platform:projectGrants.<id>.volumeBackups`); a tenant file cannot name another project's backups.
     */
    restore: z
        .strictObject({
            /** The Longhorn backup (`backup-<16 hex>`, Longhorn UI → Backup → the volume). */
            backup: z.string().regex(/^backup-[0-9a-f]{16}$/, { error: "must be a Longhorn backup name such as backup-0123456789abcdef" }),
            /** The Longhorn volume the backup is of (the old claim's PersistentVolume, `pvc-<uid>`). */
            volume: z.string().regex(LONGHORN_VOLUME_NAME, { error: "must be a Longhorn volume name such as pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f" }),
            /** The replica whose claim is restored (`<volume>-<service>-<ordinal>`). */
            ordinal: z.number().int().min(0).max(99).default(0),
        })
        .optional(),
});

/**
 * A port name as Kubernetes requires it of container ports (IANA service name): at most 15 characters of
 * a-z, 0-9 and '-', at least one letter, no leading, trailing or double '-'.
 */
export const portName = z
    .string()
    .regex(/^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/, { error: "must be a port name of at most 15 characters (a-z, 0-9, '-'; at least one letter)" })
    .refine((n) => !n.includes("--"), { error: "must not contain '--'" });

/** Port names the platform gives the service's own ports (`port` and an undeclared metrics port). */
export const RESERVED_PORT_NAMES: readonly string[] = ["http", "metrics"];

/**
 * ConfigMap names others write into every tenant namespace: `kube-root-ca.crt` (kube-controller-manager's root
 * CA publisher, mounted by every pod's projected token volume) and `cnpg-default-monitoring` (the CloudNativePG
 * operator's default metrics queries, copied into each Cluster's namespace). A tenant ConfigMap of that name
 * would fight their owners over it, or feed the database exporter queries of the tenant's choosing.
 */
export const RESERVED_CONFIGMAP_NAMES: readonly string[] = ["kube-root-ca.crt", "cnpg-default-monitoring"];

/** One more named port of a container; `public: true` asks for the entry point granted for it. */
export const namedPortSchema = z.strictObject({
    name: portName,
    port,
    protocol: z.enum(["TCP", "UDP"]).default("TCP"),
    /** Reachable from the internet on the same port of the floating IPs (granted in `platform:projectGrants.<project>.publicPorts`). */
    public: z.boolean().default(false),
});

/** Why a file name inside a mounted directory (a Secret or ConfigMap key) is refused; `undefined` when fine. */
export function fileNameProblem(name: string): string | undefined {
    if (name.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(name)) {
        return `"${name}" must be a file name of a-z, A-Z, 0-9, '-', '_', '.' (no '/', at most 253 characters)`;
    }
    return name === "." || name.startsWith("..") ? `"${name}" must not be '.' or start with '..'` : undefined;
}

/** A record keyed by file names, each key checked with a clear message (zod's own says only "Invalid key"). */
const filesRecord = <T extends z.ZodType>(value: T) =>
    z.record(z.string(), value).superRefine((record, ctx) => {
        for (const key of Object.keys(record)) {
            const problem = fileNameProblem(key);
            if (problem) {
                ctx.addIssue({ code: "custom", path: [key], message: problem, params: { fix: "a plain file name such as tls.crt or app.yaml" } });
            }
        }
        const count = Object.keys(record).length;
        if (count === 0 || count > TENANT_BOUNDS.fileKeys) {
            ctx.addIssue({ code: "custom", message: `1 to ${TENANT_BOUNDS.fileKeys} files`, params: { fix: "{tls.crt: TLS_CRT}" } });
        }
    });

/**
 * A directory of read-only files: keys of the project's secret values (its tenant stack's `tenant:secrets`)
 * under file names (`secret: {server.crt: GATEWAY_TLS_CRT}`), or every file of one of the project's
 * ConfigMaps (`configMap: app-config`).
 */
export const fileMountSchema = z
    .strictObject({
        mountPath,
        secret: filesRecord(envName).optional(),
        configMap: k8sName(40).optional(),
    })
    .refine((f) => (f.secret === undefined) !== (f.configMap === undefined), { error: "set exactly one of secret or configMap" });

/** Keys a container may not set: tenant containers always run restricted, whoever asks. */
export const PRIVILEGE_KEYS: readonly string[] = [
    "privileged", "securityContext", "capabilities", "allowPrivilegeEscalation", "runAsRoot", "runAsNonRoot", "runAsGroup",
    "hostNetwork", "hostPID", "hostIPC", "hostPath", "hostPort", "procMount", "seccompProfile", "sysctls",
];

/** What every container of a tenant pod declares (service, sidecar, init container, job). */
const containerFields = {
    image: imageReference,
    command: z.array(z.string().max(TENANT_BOUNDS.commandItemChars)).max(TENANT_BOUNDS.commandItems).optional(),
    args: z.array(z.string().max(TENANT_BOUNDS.commandItemChars)).max(TENANT_BOUNDS.commandItems).optional(),
    resources: resourcesSchema.default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } }),
    /** Plain settings; anything that looks like a credential is refused (it belongs in `secretEnv`). */
    env: z
        .record(envName, z.string().max(TENANT_BOUNDS.envValueChars))
        .refine((env) => Object.keys(env).length <= TENANT_BOUNDS.envEntries, { error: `at most ${TENANT_BOUNDS.envEntries} entries` })
        .default({}),
    /** Names whose values come from its tenant stack's `tenant:secrets.<NAME>`. */
    secretEnv: z.array(envName).max(TENANT_BOUNDS.secretEnv).default([]),
    /** Read-only files from the project's secret values or ConfigMaps. */
    files: z.array(fileMountSchema).max(TENANT_BOUNDS.files).default([]),
    /** Writable scratch directories (the root filesystem is read-only), each an emptyDir of {@link TMP_DIR_SIZE}. */
    tmpDirs: z.array(mountPath).max(TENANT_BOUNDS.tmpDirs).default(["/tmp"]),
    /** UID the container runs as (never 0). */
    runAsUser: z.number().int().min(1).max(2147483647).default(10001),
    ...Object.fromEntries(PRIVILEGE_KEYS.map((k) => [k, z.unknown().optional()])),
};

/** Shared checks of a container: privileges, env, secretEnv, mount paths. */
function checkContainer(container: { [key: string]: unknown; env: Record<string, string>; secretEnv: string[]; tmpDirs: string[]; files: Array<{ mountPath: string }> }, ctx: z.RefinementCtx, extraMounts: Array<{ p: string; at: Array<string | number> }> = []): void {
    for (const key of PRIVILEGE_KEYS) {
        if (container[key] !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: [key],
                message: `${key} cannot be set: every tenant container runs restricted (non-root, all capabilities dropped, no privilege escalation, RuntimeDefault seccomp, read-only root)`,
                params: { fix: `remove ${key}; a container that needs root or host access cannot run on the platform (use runAsUser for the image's user, tmpDirs for writable paths)` },
            });
        }
    }
    const both = Object.keys(container.env).find((k) => container.secretEnv.includes(k));
    if (both) {
        ctx.addIssue({ code: "custom", path: ["secretEnv"], message: `${both} is both in env and secretEnv` });
    }
    const twice = container.secretEnv.find((n, i) => container.secretEnv.indexOf(n) !== i);
    if (twice) {
        ctx.addIssue({ code: "custom", path: ["secretEnv"], message: `${twice} is listed twice` });
    }
    for (const [name, value] of Object.entries(container.env)) {
        const reason = secretLookingEnv(name, value);
        if (reason) {
            ctx.addIssue({
                code: "custom",
                path: ["env", name],
                message: `${reason}: plain env lands in the plan and the Deployment in clear`,
                params: { fix: `move it to secretEnv: [${name}] and set the value with pulumi config set --secret --path 'tenant:secrets.${name}' <value> --stack <region>--<id> --cwd programs/tenant` },
            });
        }
    }
    const paths = [
        ...container.tmpDirs.map((p, i) => ({ p, at: ["tmpDirs", i] as Array<string | number> })),
        ...container.files.map((f, i) => ({ p: f.mountPath, at: ["files", i, "mountPath"] as Array<string | number> })),
        ...extraMounts,
    ];
    paths.forEach(({ p, at }, index) => {
        if (paths.findIndex((other) => other.p === p) !== index) {
            ctx.addIssue({ code: "custom", path: at, message: `${p} is mounted twice (tmpDirs, files and volumes mount paths must all differ)` });
        }
    });
}

/** A second container in a service's pods (an exporter, a proxy): same restrictions as the service. */
export const sidecarSchema = z
    .strictObject({
        name: k8sName(30),
        ...containerFields,
        ports: z.array(namedPortSchema).max(TENANT_BOUNDS.ports).default([]),
        probes: z.strictObject({ liveness: probeSchema.optional(), readiness: probeSchema.optional() }).default({}),
    })
    .superRefine((c, ctx) => {
        checkContainer(c, ctx);
        c.ports.forEach((p, i) => {
            if (p.public) {
                ctx.addIssue({ code: "custom", path: ["ports", i, "public"], message: "sidecar ports are never public", params: { fix: "declare the public port on the service (services[].ports)" } });
            }
        });
    });

/** A container that runs to completion before the service's containers start (migrations, config rendering). */
export const initContainerSchema = z
    .strictObject({ name: k8sName(30), ...containerFields })
    .superRefine((c, ctx) => checkContainer(c, ctx));

/** Platform objects a container may use: their credentials are injected only where declared. */
export const USES = ["database", "bucket", "mongodb", "redis"] as const;

/**
 * A clustered StatefulSet: stable per-pod DNS (`<service>-<i>.<service>-headless.<project>.svc.cluster.local`),
 * peers found before they are ready (`publishNotReadyAddresses`), ordered or parallel start and, with
 * `quorum`, a PodDisruptionBudget that keeps a majority running.
 */
export const clusterSchema = z.strictObject({
    podManagementPolicy: z.enum(["OrderedReady", "Parallel"]).default("OrderedReady"),
    quorum: z.boolean().default(false),
});

/** Suffix of a blue/green service's preview Service (`<service>-preview`), reserved like `-headless`. */
export const PREVIEW_SERVICE_SUFFIX = "-preview";

/**
 * How a new version of a service replaces the running one. `rollingUpdate` (the default): a Deployment, one
 * surge pod at a time. `blueGreen`: an Argo Rollouts Rollout; the new version starts beside the old one behind
 * the preview Service, the platform's analysis checks it against Prometheus (its pods stay ready; once it
 * serves, its HTTP error rate through Traefik), and the active Service switches to it automatically
 * (`promotion: auto`) or on `kubectl argo rollouts promote` (`manual`). The old version keeps running for
 * `scaleDownDelaySeconds`, so a rollback within that time is an instant switch back.
 * `strategy: blueGreen` is short for `{type: blueGreen}`.
 */
export const strategySchema = z.preprocess(
    (value) => (typeof value === "string" ? { type: value } : value),
    z.discriminatedUnion("type", [
        z.strictObject({ type: z.literal("rollingUpdate") }),
        z.strictObject({
            type: z.literal("blueGreen"),
            promotion: z.enum(["auto", "manual"]).default("auto"),
            /** Seconds the previous version keeps running after a switch (instant rollback window). */
            scaleDownDelaySeconds: z.number().int().min(30).max(86_400).default(600),
            analysis: z
                .strictObject({
                    /** Highest share of 5xx responses (0-1) the new version may serve after the switch. */
                    maxErrorRate: z.number().min(0).max(1).default(0.05),
                    /** Measurements of each check, one per interval; all must pass. */
                    count: z.number().int().min(ANALYSIS_CADENCE_BOUNDS.count.min).max(ANALYSIS_CADENCE_BOUNDS.count.max).default(5),
                    /** Seconds between measurements. */
                    intervalSeconds: z.number().int().min(ANALYSIS_CADENCE_BOUNDS.intervalSeconds.min).max(ANALYSIS_CADENCE_BOUNDS.intervalSeconds.max).default(30),
                })
                .default({ maxErrorRate: 0.05, count: 5, intervalSeconds: 30 }),
        }),
    ]),
);

/** Builders a service's build may use: Railpack (detects the stack, no Dockerfile needed) or the repository's Dockerfile. */
export const BUILDERS = ["railpack", "dockerfile"] as const;

/** A full git commit id (40 hex digits, or 64 for SHA-256 repositories). */
export const COMMIT_PATTERN = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The service's image is built by the platform from a git source (components/builds): a BuildKit Job on the
 * build pool pushes `<registry>/<project>/<service>:<commit>` and the service runs that image by digest. The
 * build is pinned to a commit (CI writes it on every push), so it is idempotent and reproducible; `ref` names
 * the branch or tag that holds the commit, fetched (and checked to contain it) when the git server refuses
 * fetching a commit by id. The source URL must be granted like `git:`.
 */
export const buildSchema = z
    .strictObject({
        git: z.string().max(512),
        /** Branch or tag holding the commit: fetched when the server refuses a commit by id (protocol v0 servers). */
        ref: z.string().max(255).regex(/^[A-Za-z0-9][-A-Za-z0-9_./]*$/, { error: "must be a branch or tag name (letters, digits, '-', '_', '.', '/')" }).optional(),
        commit: z.string().regex(COMMIT_PATTERN, { error: "must be a full git commit id (40 lowercase hex digits)" }).optional(),
        /** Directory of the app inside the repository. */
        path: z.string().default("."),
        builder: z.enum(BUILDERS).default("railpack"),
        /** Name of the project's secret value (`tenant:secrets`) holding a token for a private repository. */
        credentials: envName.optional(),
    })
    .superRefine((build, ctx) => {
        if (build.commit === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["commit"],
                message: build.ref === undefined ? "a build needs the commit it builds" : `a build is pinned to a commit, not to the moving ref "${build.ref}" (the image tag and the build's name carry the commit)`,
                params: { fix: "commit: 3f2c9a…   # the full commit id; CI writes it on every push (README: The release loop)" },
            });
        }
        // The source step fetches over HTTP(S) with an optional token; it has no SSH key (and the builds
        // namespace's egress is HTTP(S) only).
        if (/^ssh:\/\//i.test(build.git)) {
            ctx.addIssue({ code: "custom", path: ["git"], message: "a build fetches its source over HTTPS", params: { fix: "git: https://github.com/example/web.git   # a private repository's token goes in credentials:" } });
        }
        const problem = gitPathProblem(build.path);
        if (problem) {
            ctx.addIssue({ code: "custom", path: ["path"], message: problem, params: { fix: "path: apps/web   # relative to the repository root" } });
        }
    });

/** One container service of the project. */
export const serviceSchema = z
    .strictObject({
        name: k8sName(30),
        ...containerFields,
        /** The image to run; omit it when the platform builds the image (`build`). */
        image: imageReference.optional(),
        /** Build the image from a git source on the platform instead of naming one (`image`). */
        build: buildSchema.optional(),
        /** The service's main port (named `http`): the one its Ingress and default readiness probe use. Omit for a worker. */
        port: port.optional(),
        /** More named ports (peer, P2P, RPC, WebSocket), TCP or UDP; `public: true` ones get the granted entry point. */
        ports: z.array(namedPortSchema).max(TENANT_BOUNDS.ports).default([]),
        replicas: z.number().int().min(0).max(50).optional(),
        autoscale: z
            .strictObject({
                min: z.number().int().min(1).max(50),
                max: z.number().int().min(1).max(100),
                targetCPUUtilization: z.number().int().min(10).max(95).default(70),
            })
            .optional(),
        probes: z.strictObject({ liveness: probeSchema.optional(), readiness: probeSchema.optional() }).default({}),
        volumes: z.array(volumeSchema).max(TENANT_BOUNDS.volumes).default([]),
        /** Public exposure: nothing is public unless `public: true`; then `<service>.<project>.<domain>` plus granted custom domains. */
        expose: z
            .strictObject({
                public: z.boolean().default(false),
                customDomains: z.array(domainName).max(TENANT_BOUNDS.customDomains).default([]),
                /** `terminate`: Traefik terminates HTTPS (certificate from cert-manager). `passthrough`: the TLS stream goes to the service's own TLS port (mTLS). */
                tls: z.enum(["terminate", "passthrough"]).default("terminate"),
                /** With passthrough: the name of the TCP port that speaks TLS (default the main port). */
                port: portName.optional(),
            })
            .optional(),
        /** Prometheus scrape endpoint of the service (a port of the service or of a sidecar). */
        metrics: z.strictObject({ port, path: httpPath.default("/metrics") }).optional(),
        /** More containers in every pod of the service. */
        sidecars: z.array(sidecarSchema).max(TENANT_BOUNDS.sidecars).default([]),
        /** Containers run to completion, in order, before the pod's containers start. */
        initContainers: z.array(initContainerSchema).max(TENANT_BOUNDS.initContainers).default([]),
        /** Platform credentials this service receives (`DATABASE_*`, `S3_*`, `MONGODB_*`, `REDIS_*`); none unless listed. */
        uses: z.array(z.enum(USES)).max(USES.length).default([]),
        /** Run as a clustered StatefulSet (also without volumes). */
        cluster: clusterSchema.optional(),
        /** How a new version replaces the running one (default rolling update). */
        strategy: strategySchema.default({ type: "rollingUpdate" }),
    })
    .superRefine((service, ctx) => {
        if ((service.image === undefined) === (service.build === undefined)) {
            ctx.addIssue({
                code: "custom",
                path: [service.image === undefined ? "image" : "build"],
                message: service.image === undefined ? "a service needs an image or a build" : "set either image or build, not both (a built service runs the image its build pushes)",
                params: { fix: "image: ghcr.io/example/web:1.4.2, or build: {git: https://github.com/example/web.git, commit: <sha>}" },
            });
        }
        if (RESERVED_SERVICE_NAMES.includes(service.name) || service.name.endsWith("-headless") || service.name.endsWith(PREVIEW_SERVICE_SUFFIX)) {
            ctx.addIssue({
                code: "custom",
                path: ["name"],
                message: `"${service.name}" is reserved for platform objects (${RESERVED_SERVICE_NAMES.join(", ")}, *-headless, *${PREVIEW_SERVICE_SUFFIX})`,
            });
        } else if (service.name.startsWith(MONGODB_OBJECT_PREFIX)) {
            ctx.addIssue({
                code: "custom",
                path: ["name"],
                message: `"${service.name}" is in the MongoDB replica set's name space (${MONGODB_OBJECT_PREFIX}*: its Services, StatefulSet and Secrets)`,
                params: { fix: `rename the service, e.g. ${service.name.slice(MONGODB_OBJECT_PREFIX.length)}` },
            });
        } else if (service.name.startsWith(REDIS_OBJECT_PREFIX)) {
            ctx.addIssue({
                code: "custom",
                path: ["name"],
                message: `"${service.name}" is in the Redis replication group's name space (${REDIS_OBJECT_PREFIX}*: its Services, StatefulSets, claims and Secret)`,
                params: { fix: `rename the service, e.g. ${service.name.slice(REDIS_OBJECT_PREFIX.length)}` },
            });
        } else if (service.name.startsWith(DATABASE_OBJECT_PREFIX)) {
            ctx.addIssue({
                code: "custom",
                path: ["name"],
                message: `"${service.name}" is in the database's name space (${DATABASE_OBJECT_PREFIX}*: the platform's backup Secret ${PLATFORM_BACKUP_SECRET}, the CloudNativePG Services and ServiceAccounts)`,
                params: { fix: `rename the service, e.g. ${service.name.slice(DATABASE_OBJECT_PREFIX.length)}` },
            });
        }
        if (service.strategy.type === "blueGreen" && (service.volumes.length > 0 || service.cluster !== undefined)) {
            ctx.addIssue({
                code: "custom",
                path: ["strategy"],
                message: "a blue/green service runs two versions at once; a service with volumes (or clustered) is a StatefulSet whose ReadWriteOnce volumes one pod holds at a time",
                params: { fix: "keep the state in the database or the bucket and drop `volumes`, or remove `strategy: blueGreen` (rolling update)" },
            });
        }
        if (service.replicas !== undefined && service.autoscale !== undefined) {
            ctx.addIssue({ code: "custom", path: ["autoscale"], message: "set either replicas or autoscale, not both" });
        }
        if (service.autoscale && service.autoscale.min > service.autoscale.max) {
            ctx.addIssue({ code: "custom", path: ["autoscale", "min"], message: "min must not exceed max" });
        }
        const mounts = service.volumes.map((v) => v.name);
        const dup = mounts.find((m, i) => mounts.indexOf(m) !== i);
        if (dup) {
            ctx.addIssue({ code: "custom", path: ["volumes"], message: `volume "${dup}" is declared twice` });
        }
        checkContainer(service, ctx, service.volumes.map((v, i) => ({ p: v.mountPath, at: ["volumes", i, "mountPath"] })));
        // Every port of the pod (service and sidecars) has a unique name and a unique number per protocol.
        const podPorts = [
            ...(service.port !== undefined ? [{ name: "http", port: service.port, protocol: "TCP", at: ["port"] as Array<string | number> }] : []),
            ...service.ports.map((p, i) => ({ ...p, at: ["ports", i] as Array<string | number> })),
            ...service.sidecars.flatMap((s, j) => s.ports.map((p, i) => ({ ...p, at: ["sidecars", j, "ports", i] as Array<string | number> }))),
        ];
        podPorts.forEach((p, index) => {
            if (index > (service.port !== undefined ? 0 : -1) && RESERVED_PORT_NAMES.includes(p.name)) {
                ctx.addIssue({ code: "custom", path: [...p.at, "name"], message: `port name "${p.name}" is the platform's (the main port is "http", an undeclared metrics port "metrics")`, params: { fix: "name: rpc   # any other name" } });
            }
            if (podPorts.findIndex((o) => o.name === p.name) !== index) {
                ctx.addIssue({ code: "custom", path: [...p.at, "name"], message: `port name "${p.name}" is used twice in the pod` });
            }
            if (podPorts.findIndex((o) => o.port === p.port && o.protocol === p.protocol) !== index) {
                ctx.addIssue({ code: "custom", path: [...p.at, "port"], message: `${p.protocol} ${p.port} is declared twice in the pod` });
            }
        });
        const containers = [service.name, ...service.sidecars.map((s) => s.name), ...service.initContainers.map((c) => c.name)];
        containers.forEach((name, index) => {
            if (containers.indexOf(name) !== index) {
                ctx.addIssue({ code: "custom", path: index <= service.sidecars.length ? ["sidecars", index - 1, "name"] : ["initContainers", index - 1 - service.sidecars.length, "name"], message: `container name "${name}" is used twice in the pod (the service's own container is named after the service)` });
            }
        });
        const expose = service.expose;
        if (expose?.public && service.port === undefined && expose.tls === "terminate") {
            ctx.addIssue({ code: "custom", path: ["expose", "public"], message: "a public HTTPS service needs a port (the main port the Ingress sends traffic to)", params: { fix: "port: 8080, or expose: {public: false}" } });
        }
        if (expose && !expose.public && expose.customDomains.length > 0) {
            ctx.addIssue({ code: "custom", path: ["expose", "customDomains"], message: "custom domains only apply to a public service", params: { fix: "expose: {public: true, customDomains: [...]}" } });
        }
        if (expose?.port !== undefined && expose.tls !== "passthrough") {
            ctx.addIssue({ code: "custom", path: ["expose", "port"], message: "expose.port names the TLS port of a passthrough service", params: { fix: "expose: {public: true, tls: passthrough, port: https}" } });
        }
        if (expose?.tls === "passthrough") {
            if (!expose.public) {
                ctx.addIssue({ code: "custom", path: ["expose", "tls"], message: "TLS passthrough applies to a public service", params: { fix: "expose: {public: true, tls: passthrough, port: https}" } });
            }
            const target = expose.port ?? "http";
            const found = podPorts.find((p) => p.name === target);
            if (!found || found.protocol !== "TCP" || found.at[0] === "sidecars") {
                ctx.addIssue({ code: "custom", path: ["expose", expose.port !== undefined ? "port" : "tls"], message: `passthrough needs a TCP port of the service named "${target}"`, params: { fix: "ports: [{name: https, port: 8443}] and expose: {public: true, tls: passthrough, port: https}" } });
            }
        }
        if (service.cluster) {
            if (service.autoscale) {
                ctx.addIssue({ code: "custom", path: ["autoscale"], message: "a clustered service has a fixed membership: set replicas, not autoscale" });
            }
            if (service.cluster.quorum && (service.replicas ?? 1) < 3) {
                ctx.addIssue({ code: "custom", path: ["cluster", "quorum"], message: `a quorum needs at least 3 replicas (got ${service.replicas ?? 1})`, params: { fix: "replicas: 3" } });
            }
        }
        if (service.port === undefined && service.ports.length === 0 && service.probes.readiness && !("exec" in service.probes.readiness) && service.probes.readiness.port === undefined) {
            ctx.addIssue({ code: "custom", path: ["probes", "readiness"], message: "a worker without ports needs an exec probe or an explicit probe port", params: { fix: "readiness: {exec: [/app/healthcheck]}" } });
        }
    });

/** A run-to-completion task of the project: a Job, or a CronJob when it has a schedule. */
export const jobSchema = z
    .strictObject({
        name: k8sName(30),
        ...containerFields,
        /** Cron schedule (`m h dom mon dow` or `@hourly`/`@daily`/`@weekly`/`@monthly`); without it a one-off Job. */
        schedule: z
            .string()
            .max(100)
            .regex(/^(@(hourly|daily|weekly|monthly|yearly)|(\S+\s+){4}\S+)$/, { error: "must be a cron schedule of 5 fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly" })
            .refine((s) => s.startsWith("@") || s.split(/\s+/).every((f) => /^[0-9*/,-]+$/.test(f) || /^[A-Za-z]{3}(-[A-Za-z]{3})?$/.test(f)), { error: "cron fields may hold digits, '*', '/', ',', '-' or month/day names" })
            .optional(),
        /** Retries before the Job fails. */
        backoffLimit: z.number().int().min(0).max(10).default(2),
        /** Seconds a run may take before it is stopped. */
        activeDeadlineSeconds: z.number().int().min(60).max(86400).default(3600),
        uses: z.array(z.enum(USES)).max(USES.length).default([]),
    })
    .superRefine((job, ctx) => checkContainer(job, ctx));

/** A ConfigMap of the project: plain configuration files mounted with `files: [{configMap: <name>}]`. */
export const configMapSchema = z
    .strictObject({
        name: k8sName(40),
        data: filesRecord(z.string().max(TENANT_BOUNDS.configMapFileChars)),
    })
    .superRefine((configMap, ctx) => {
        for (const [file, content] of Object.entries(configMap.data)) {
            const shape = SECRET_VALUE_PATTERNS.find((p) => p.what === "a private key" || p.what === "a URL with a password" ? p.pattern.test(content) : false);
            if (shape) {
                ctx.addIssue({ code: "custom", path: ["data", file], message: `${file} contains ${shape.what}: ConfigMaps are stored and shown in clear`, params: { fix: "put it in the tenant stack's tenant:secrets.<NAME> (pulumi config set --secret --path 'tenant:secrets.<NAME>' <value> --stack <region>--<id> --cwd programs/tenant) and mount it with files: [{mountPath: …, secret: {<file>: <NAME>}}]" } });
            }
        }
    });

/**
 * A restore of a PostgreSQL database from its own backups (never another project's: the archive paths are
 * per namespace). The restored cluster is a new generation; the old one is left running for comparison and
 * deleted by hand (README: Restore a tenant database).
 */
/** A Percona XtraDB Cluster backup folder: `<cluster>-<YYYY-MM-DD-HH:MM:SS>-full` (pkg/controller/pxcbackup at v1.19.0); the time is the backup's creation, UTC. */
export const MYSQL_BACKUP_NAME = /^(database(?:-g\d+)?)-(\d{4}-\d{2}-\d{2})-(\d{2}:\d{2}:\d{2})-full$/;

export const databaseRestoreSchema = z.strictObject({
    /** Generation whose base backups and WAL archive are read (the `generation` the database had before). */
    fromGeneration: z.number().int().min(0).max(999),
    /** Point in time to recover to (RFC 3339 with offset); absent means the end of the archived WAL (PostgreSQL) or the backup itself (MySQL). */
    targetTime: z.iso.datetime({ offset: true, error: "must be an RFC 3339 time with a zone, like 2026-11-30T23:15:00Z" }).optional(),
    /**
     * MySQL only: the full backup to start from, the last segment of its PerconaXtraDBClusterBackup's destination
     * (`kubectl get pxc-backup`, e.g. `database-2026-11-30-03:00:21-full`); binlogs replay from it to `targetTime`.
     */
    backup: z.string().regex(MYSQL_BACKUP_NAME, { error: "must be a backup folder like database-2026-11-30-03:00:21-full (the Destination's last segment of kubectl get pxc-backup)" }).optional(),
});

/** The optional project database. */
export const databaseSchema = z
    .strictObject({
        engine: z.enum(["postgresql", "mysql"]),
        /** Major version; the image tag is pinned by the platform. */
        version: z.string().regex(/^\d+(\.\d+)?$/).optional(),
        /** Volume size per instance; grows in place (the operator expands the volumes), never shrinks. */
        size: positiveQuantity.default("10Gi"),
        class: z.enum(["fast", "standard"]).default("fast"),
        resources: resourcesSchema.default({ requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } }),
        /**
         * Instances on different nodes. PostgreSQL: one primary, the rest streaming replicas. MySQL: Percona XtraDB
         * Cluster nodes (synchronous Galera replication), 1, 3 or 5 (a majority must survive a node loss).
         */
        instances: z.number().int().min(1).max(9).default(1),
        /**
         * Which cluster (and backup archive) this is: 0 at first; a restore creates generation N+1 from the
         * backups of an earlier one, so the new cluster never writes into the archive it reads.
         */
        generation: z.number().int().min(0).max(999).default(0),
        restore: databaseRestoreSchema.optional(),
    })
    .superRefine((db, ctx) => {
        if (db.engine === "mysql" && ![1, 3, 5].includes(db.instances)) {
            ctx.addIssue({
                code: "custom",
                path: ["instances"],
                message: `a MySQL cluster runs 1, 3 or 5 nodes (${db.instances} ${db.instances % 2 === 0 ? "cannot keep a majority after losing half of them" : "is more than the operator's safe maximum of 5"})`,
                params: { fix: `instances: ${db.instances > 5 ? 5 : db.instances + 1}` },
            });
        }
        if (db.restore && db.engine === "mysql") {
            const match = db.restore.backup ? MYSQL_BACKUP_NAME.exec(db.restore.backup) : null;
            const source = db.restore.fromGeneration === 0 ? "database" : `database-g${db.restore.fromGeneration}`;
            if (!db.restore.backup) {
                ctx.addIssue({ code: "custom", path: ["restore", "backup"], message: "a MySQL restore starts from a full backup", params: { fix: `backup: ${source}-2026-11-30-03:00:21-full   # kubectl get pxc-backup, Destination's last segment` } });
            } else if (match && match[1] !== source) {
                ctx.addIssue({ code: "custom", path: ["restore", "backup"], message: `backup ${db.restore.backup} is of cluster ${match[1]}, not of generation ${db.restore.fromGeneration} (${source})`, params: { fix: `name a backup of ${source}, or fromGeneration of ${match[1]}` } });
            } else if (match && db.restore.targetTime && Date.parse(db.restore.targetTime) <= Date.parse(`${match[2]}T${match[3]}Z`)) {
                ctx.addIssue({ code: "custom", path: ["restore", "targetTime"], message: `the point in time must come after the backup ${db.restore.backup} (binlogs are replayed forward from it)`, params: { fix: "name an earlier backup, or a later targetTime" } });
            }
        }
        if (db.restore?.backup !== undefined && db.engine === "postgresql") {
            ctx.addIssue({ code: "custom", path: ["restore", "backup"], message: "a PostgreSQL restore reads the whole archive (base backup and WAL), it names no backup", params: { fix: "remove backup (set targetTime for a point in time)" } });
        }
        if (db.restore && db.restore.fromGeneration >= db.generation) {
            ctx.addIssue({
                code: "custom",
                path: ["generation"],
                message: `a restore from generation ${db.restore.fromGeneration} must create a newer generation (the new cluster must not write into the archive it reads)`,
                params: { fix: `generation: ${db.restore.fromGeneration + 1}` },
            });
        }
    });

/**
 * A restore of a MongoDB replica set from one of its own full backups (Percona Backup for MongoDB), optionally
 * replayed to a point in time from the archived oplog. Like a PostgreSQL restore it creates a new generation, so
 * the new replica set never writes into the backups it reads; the old one is deleted by hand after checking.
 */
export const mongodbRestoreSchema = z.strictObject({
    /** Generation whose backups are read (the `generation` the replica set had before). */
    fromGeneration: z.number().int().min(0).max(999),
    /** Name of the full backup to start from: PBM names each backup by its start time, UTC (`pbm list`, or the PerconaServerMongoDBBackup's status.pbmName). */
    backup: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, { error: "must be a PBM backup name like 2026-11-30T03:00:21Z (its start time, UTC)" }),
    /** Point in time to replay the oplog to (RFC 3339 with offset, after the backup); absent means the backup itself. */
    targetTime: z.iso.datetime({ offset: true, error: "must be an RFC 3339 time with a zone, like 2026-11-30T23:15:00Z" }).optional(),
});

/** The optional project MongoDB: a replica set run by the Percona operator, backed up to the stack's off-cluster bucket. */
export const mongodbSchema = z
    .strictObject({
        /** Major version; the image tag is pinned by the platform (charts/images.ts MONGODB_IMAGES). */
        version: z.string().regex(/^\d+\.\d+$/).optional(),
        /** Volume size per member; grows in place, never shrinks. */
        size: positiveQuantity.default("10Gi"),
        class: z.enum(["fast", "standard"]).default("fast"),
        /** Resources of each mongod container (the backup agent and the exporter beside it are sized by the platform). */
        resources: resourcesSchema.default({ requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } }),
        /** Replica set members, on different nodes: 1, or an odd number for a voting majority. */
        instances: z.number().int().min(1).max(7).default(1),
        /** Which replica set (and backup prefix) this is: 0 at first; a restore creates generation N+1. */
        generation: z.number().int().min(0).max(999).default(0),
        restore: mongodbRestoreSchema.optional(),
    })
    .superRefine((db, ctx) => {
        if (db.instances % 2 === 0) {
            ctx.addIssue({ code: "custom", path: ["instances"], message: `${db.instances} members cannot elect a primary after losing half of them`, params: { fix: `instances: ${db.instances + 1}` } });
        }
        if (db.restore && db.restore.fromGeneration >= db.generation) {
            ctx.addIssue({
                code: "custom",
                path: ["generation"],
                message: `a restore from generation ${db.restore.fromGeneration} must create a newer generation (the new replica set must not write into the backups it reads)`,
                params: { fix: `generation: ${db.restore.fromGeneration + 1}` },
            });
        }
        if (db.restore?.targetTime && Date.parse(db.restore.targetTime) <= Date.parse(db.restore.backup)) {
            ctx.addIssue({ code: "custom", path: ["restore", "targetTime"], message: `the point in time must come after the backup ${db.restore.backup} (the oplog is replayed forward from it)`, params: { fix: "name an earlier backup, or a later targetTime" } });
        }
    });

/**
 * A restore of a Redis replication group from a Longhorn backup of one of its members' volumes (the nightly
 * backup holds the member's RDB snapshot and AOF). Every member of the new generation starts from that same
 * backup, so whichever becomes the primary holds the data; the old generation keeps running until deleted by
 * hand. The backup's volume must be granted to the project (`platform:projectGrants.<id>.volumeBackups`).
 */
export const redisRestoreSchema = z.strictObject({
    /** Generation whose member volume was backed up (the `generation` the group had before). */
    fromGeneration: z.number().int().min(0).max(999),
    /** The Longhorn backup (`backup-<16 hex>`, Longhorn UI → Backup → the member's volume). */
    backup: z.string().regex(/^backup-[0-9a-f]{16}$/, { error: "must be a Longhorn backup name such as backup-0123456789abcdef" }),
    /** The Longhorn volume the backup is of (the old member claim's PersistentVolume, `pvc-<uid>`). */
    volume: z.string().regex(LONGHORN_VOLUME_NAME, { error: "must be a Longhorn volume name such as pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f" }),
});

/**
 * The optional project Redis: a replication group run by the Redis operator (a primary, replicas, and Sentinel
 * failover from two members on), persisted with RDB snapshots and an append-only file on Longhorn volumes that
 * the nightly Longhorn backup copies to the stack's backup target.
 */
export const redisSchema = z
    .strictObject({
        /** Version; the image tags are pinned by the platform (charts/images.ts REDIS_IMAGES). */
        version: z.string().regex(/^\d+\.\d+$/).optional(),
        /** Volume size per member (RDB snapshot and AOF: at least twice the data set); grows in place, never shrinks. */
        size: positiveQuantity.default("5Gi"),
        class: z.enum(["fast", "standard"]).default("fast"),
        /** Resources of each Redis container (the exporter and the Sentinels are sized by the platform). */
        resources: resourcesSchema.default({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } }),
        /** Members on different nodes: 1 (no failover), or a primary and replicas with Sentinel failover. */
        replicas: z.number().int().min(1).max(7).default(1),
        /** Which replication group (and set of volumes) this is: 0 at first; a restore creates generation N+1. */
        generation: z.number().int().min(0).max(999).default(0),
        restore: redisRestoreSchema.optional(),
    })
    .superRefine((redis, ctx) => {
        if (redis.restore && redis.restore.fromGeneration >= redis.generation) {
            ctx.addIssue({
                code: "custom",
                path: ["generation"],
                message: `a restore from generation ${redis.restore.fromGeneration} must create a newer generation (new claims, filled from the backup)`,
                params: { fix: `generation: ${redis.restore.fromGeneration + 1}` },
            });
        }
    });

/** Why a git `path` is refused; `undefined` when it is fine. */
export function gitPathProblem(value: string): string | undefined {
    if (value === ".") {
        return undefined;
    }
    if (value.length > TENANT_BOUNDS.pathChars || !/^[-a-zA-Z0-9_./]+$/.test(value)) {
        return `"${value}" must be a relative path of a-z, 0-9, '-', '_', '.', '/' (at most ${TENANT_BOUNDS.pathChars} characters)`;
    }
    if (value.startsWith("/") || value.split("/").some((s) => s === ".." || s === "." || s === "") ) {
        return `"${value}" must be relative to the repository root, without '.', '..' or empty segments`;
    }
    return undefined;
}

/** The tenant project file. */
export const projectSchema = z
    .strictObject({
        /**
         * Stable project id (defaults to `name`): the namespace, bucket, Kubernetes object and Pulumi resource
         * names, the grant and secret keys and the tenant stack all key on it, so a rename (a new `name`, the
         * same `id`) keeps the project's stack and data. `name` only names hosts and display labels.
         */
        id: k8sName(PROJECT_NAME_MAX).optional(),
        name: k8sName(PROJECT_NAME_MAX),
        owner: z.strictObject({ name: z.string().min(1).max(100), email: z.email().max(254) }),
        /** Asked for by the file; takes effect only when `platform:projectGrants.<name>.trust` is trusted. */
        trust: z.enum(["trusted", "untrusted"]).default("untrusted"),
        quota: z.strictObject({
            cpu: positiveQuantity,
            memory: positiveQuantity,
            storage: quantity,
            pods: z.number().int().min(1).max(10000),
            /** emptyDirs, logs and writable layers of every pod; defaults to what the project's pods declare plus headroom. */
            ephemeralStorage: positiveQuantity.optional(),
        }),
        /** Monthly cost budget in the stack's currency; an alert fires above it. */
        budget: z.strictObject({ monthly: z.number().positive().max(1e7) }).optional(),
        services: z.array(serviceSchema).min(1).max(TENANT_BOUNDS.services),
        /** Jobs (one-off) and CronJobs (with `schedule`): migrations, topic creation, the tenant's own backups. */
        jobs: z.array(jobSchema).max(TENANT_BOUNDS.jobs).default([]),
        /** Configuration files, mounted with `files: [{mountPath, configMap: <name>}]`. */
        configMaps: z.array(configMapSchema).max(TENANT_BOUNDS.configMaps).default([]),
        database: databaseSchema.optional(),
        /** A MongoDB replica set (Percona operator), reached by containers with `uses: [mongodb]`. */
        mongodb: mongodbSchema.optional(),
        /** A Redis replication group (Redis operator), reached by containers with `uses: [redis]`. */
        redis: redisSchema.optional(),
        /** Object-storage bucket in the platform MinIO: `<id>`, or `<id>--<name>` when named. */
        bucket: z
            .strictObject({
                name: k8sName(BUCKET_NAME_MAX).optional(),
                /**
                 * Hard quota of the bucket (MinIO refuses writes above it). It is reserved on MinIO's shared
                 * volume, so it counts with the volumes against `quota.storage`, is capped by
                 * `platform:tenantLimits.maxBucketSize` and billed like a volume of this size.
                 */
                size: bucketSize.default(DEFAULT_BUCKET_SIZE),
            })
            .optional(),
        /**
         * Extra outbound ports to the internet beyond 80/443 (e.g. a blockchain node's P2P port), each granted
         * in `platform:projectGrants.<name>.egressPorts`. Private, tailnet, link-local and cluster addresses
         * stay unreachable; SMTP and node ports are refused.
         */
        egress: z.strictObject({ ports: z.array(egressPortSchema).min(1).max(TENANT_BOUNDS.egressPorts) }).optional(),
        /**
         * Decommission of the project, declared before its file is removed: workloads stop, a final Longhorn backup
         * of its volumes is taken, and its stateful resources are no longer retained, so that removing the file
         * afterwards deletes them (the change plan allows it). `confirm` repeats the project name.
         */
        decommission: z.strictObject({ confirm: z.string().max(PROJECT_NAME_MAX) }).optional(),
        /** Git source synced by Argo CD into the project namespace (granted in `platform:projectGrants.<name>.git`). */
        git: z
            .strictObject({
                repoURL: z.string().max(512),
                path: z.string().default("."),
                targetRevision: z
                    .string()
                    .regex(/^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/, { error: "must be a branch, tag or commit (a-z, 0-9, '.', '_', '/', '-'; no '..')" })
                    .default("HEAD"),
            })
            .optional(),
    })
    .superRefine((project, ctx) => {
        const id = project.id ?? project.name;
        for (const [key, value] of [["name", project.name], ["id", id]] as const) {
            if ((key === "name" || project.id !== undefined) && (RESERVED_PROJECT_NAMES.includes(value) || value.startsWith("kube-"))) {
                ctx.addIssue({ code: "custom", path: [key], message: `"${value}" is a system or platform namespace` });
            }
        }
        if (project.decommission && project.decommission.confirm !== id) {
            ctx.addIssue({ code: "custom", path: ["decommission", "confirm"], message: `must repeat the project id "${id}" to decommission it`, params: { fix: `decommission: {confirm: ${id}}` } });
        }
        const names = project.services.map((s) => s.name);
        names.forEach((name, index) => {
            if (names.indexOf(name) !== index) {
                ctx.addIssue({ code: "custom", path: ["services", index, "name"], message: `service "${name}" is declared twice` });
            }
        });
        project.jobs.forEach((job, index) => {
            if (names.includes(job.name) || project.jobs.findIndex((j) => j.name === job.name) !== index) {
                ctx.addIssue({ code: "custom", path: ["jobs", index, "name"], message: `"${job.name}" is already the name of a service or job of the project` });
            }
            if (RESERVED_SERVICE_NAMES.includes(job.name)) {
                ctx.addIssue({ code: "custom", path: ["jobs", index, "name"], message: `"${job.name}" is reserved for platform objects (${RESERVED_SERVICE_NAMES.join(", ")})` });
            }
        });
        project.configMaps.forEach((configMap, index) => {
            if (project.configMaps.findIndex((c) => c.name === configMap.name) !== index) {
                ctx.addIssue({ code: "custom", path: ["configMaps", index, "name"], message: `ConfigMap "${configMap.name}" is declared twice` });
            }
            if (RESERVED_CONFIGMAP_NAMES.includes(configMap.name)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["configMaps", index, "name"],
                    message: `ConfigMap "${configMap.name}" is reserved: Kubernetes or a platform operator writes it in every tenant namespace (${RESERVED_CONFIGMAP_NAMES.join(", ")})`,
                    params: { fix: `rename it, e.g. ${configMap.name.replace(/[^a-z0-9]+/g, "-")}-app` },
                });
            }
        });
        const injected: Array<{ names: readonly string[]; what: string }> = [
            { names: DATABASE_ENV, what: "the database connection (to containers with uses: [database])" },
            { names: BUCKET_ENV, what: "the bucket credentials (to containers with uses: [bucket])" },
            { names: MONGODB_ENV, what: "the MongoDB connection (to containers with uses: [mongodb])" },
            { names: REDIS_ENV, what: "the Redis connection (to containers with uses: [redis])" },
        ];
        const configMapNames = project.configMaps.map((c) => c.name);
        const eachContainer = (
            visit: (container: { env: Record<string, string>; secretEnv: string[]; files: Array<{ configMap?: string | undefined }> }, at: Array<string | number>, kind: "service" | "sidecar" | "init" | "job", service?: ServiceSpecShape) => void,
        ) => {
            project.services.forEach((service, i) => {
                visit(service, ["services", i], "service", service);
                service.sidecars.forEach((c, j) => visit(c, ["services", i, "sidecars", j], "sidecar", service));
                service.initContainers.forEach((c, j) => visit(c, ["services", i, "initContainers", j], "init", service));
            });
            project.jobs.forEach((job, i) => visit(job, ["jobs", i], "job"));
        };
        eachContainer((container, at, _kind, service) => {
            const reserved = [...injected, ...(service?.cluster ? [{ names: CLUSTER_ENV, what: "the pod's identity in a clustered service" }] : [])];
            for (const { names: list, what } of reserved) {
                for (const key of [...Object.keys(container.env), ...container.secretEnv]) {
                    if (list.includes(key)) {
                        const field = key in container.env ? "env" : "secretEnv";
                        ctx.addIssue({ code: "custom", path: [...at, field], message: `${key} is set by the platform for ${what}`, params: { fix: `remove ${key}; the platform sets it` } });
                    }
                }
            }
            container.files.forEach((file, k) => {
                if (file.configMap !== undefined && !configMapNames.includes(file.configMap)) {
                    ctx.addIssue({ code: "custom", path: [...at, "files", k, "configMap"], message: `ConfigMap "${file.configMap}" is not declared in configMaps`, params: { fix: `configMaps: [{name: ${file.configMap}, data: {app.yaml: "…"}}]` } });
                }
            });
        });
        const checkUses = (uses: readonly string[], at: Array<string | number>) => {
            uses.forEach((use, k) => {
                if (use === "database" && !project.database) {
                    ctx.addIssue({ code: "custom", path: [...at, "uses", k], message: "uses: database, but the project has no database", params: { fix: "add database: {engine: postgresql}, or remove database from uses" } });
                }
                if (use === "mongodb" && !project.mongodb) {
                    ctx.addIssue({ code: "custom", path: [...at, "uses", k], message: "uses: mongodb, but the project has no mongodb", params: { fix: "add mongodb: {size: 10Gi}, or remove mongodb from uses" } });
                }
                if (use === "redis" && !project.redis) {
                    ctx.addIssue({ code: "custom", path: [...at, "uses", k], message: "uses: redis, but the project has no redis", params: { fix: "add redis: {size: 5Gi}, or remove redis from uses" } });
                }
                if (use === "bucket" && !project.bucket) {
                    ctx.addIssue({ code: "custom", path: [...at, "uses", k], message: "uses: bucket, but the project has no bucket", params: { fix: "add bucket: {}, or remove bucket from uses" } });
                }
            });
        };
        project.services.forEach((service, i) => checkUses(service.uses, ["services", i]));
        project.jobs.forEach((job, i) => checkUses(job.uses, ["jobs", i]));
        if (project.bucket) {
            const problem = bucketNameProblem(tenantBucketName(id, project.bucket.name));
            if (problem) {
                ctx.addIssue({ code: "custom", path: ["bucket", "name"], message: `the bucket (<id> or <id>--<name>) is invalid: ${problem}`, params: { fix: "choose another bucket name, e.g. bucket: {name: uploads}" } });
            }
        }
        project.egress?.ports.forEach((entry, index) => {
            const reason = forbiddenEgressPort(entry.port);
            if (reason) {
                ctx.addIssue({ code: "custom", path: ["egress", "ports", index, "port"], message: reason, params: { fix: SMTP_PORTS.includes(entry.port) ? "remove it; send mail through a provider's HTTPS API (port 443)" : "remove it; node ports are never opened to tenants" } });
            }
            if (project.egress!.ports.findIndex((other) => other.port === entry.port && other.protocol === entry.protocol) !== index) {
                ctx.addIssue({ code: "custom", path: ["egress", "ports", index], message: `${entry.protocol} ${entry.port} is listed twice` });
            }
        });
        project.services.forEach((service, i) => {
            const urlProblem = service.build ? repoUrlProblem(service.build.git, [...PLATFORM_NAMESPACES, id]) : undefined;
            if (urlProblem) {
                ctx.addIssue({ code: "custom", path: ["services", i, "build", "git"], message: urlProblem, params: { fix: "git: https://github.com/<org>/<repo>.git (a public host, granted in platform:projectGrants)" } });
            }
        });
        if (project.git) {
            const urlProblem = repoUrlProblem(project.git.repoURL, [...PLATFORM_NAMESPACES, id]);
            if (urlProblem) {
                ctx.addIssue({ code: "custom", path: ["git", "repoURL"], message: urlProblem, params: { fix: "repoURL: https://github.com/<org>/<repo>.git (a public host, granted in platform:projectGrants)" } });
            }
            const pathProblem = gitPathProblem(project.git.path);
            if (pathProblem) {
                ctx.addIssue({ code: "custom", path: ["git", "path"], message: pathProblem, params: { fix: "path: k8s/prod (relative to the repository root)" } });
            }
        }
    })
    // Every consumer reads the resolved id: nothing downstream repeats the default.
    .transform((project) => {
        const id = project.id ?? project.name;
        // A built service runs its build's image: the platform registry, the project's path, the commit's tag,
        // and the offline placeholder digest until the Project resolves the real one (components/builds).
        const services = project.services.map((service) => ({ ...service, image: service.image ?? `${builtImageReference(id, service.name, builtImageTag({ ...service.build!, commit: service.build!.commit! }))}@${PLACEHOLDER_DIGEST}` }));
        return { ...project, id, services };
    });

/** A validated tenant project (`id` resolved: the file's `id`, else its `name`). */
export type ProjectSpec = z.infer<typeof projectSchema>;
/** A validated tenant service. */
export type ServiceSpec = ProjectSpec["services"][number];
type ServiceSpecShape = z.infer<typeof serviceSchema>;
/** A validated sidecar. */
export type SidecarSpec = ServiceSpec["sidecars"][number];
/** A validated init container. */
export type InitContainerSpec = ServiceSpec["initContainers"][number];
/** A validated job or cron job. */
export type JobSpec = ProjectSpec["jobs"][number];
/** A validated ConfigMap. */
export type ConfigMapSpec = ProjectSpec["configMaps"][number];
/** What every tenant container declares (service, sidecar, init container, job). */
export type ContainerSpec = ServiceSpec | SidecarSpec | InitContainerSpec | JobSpec;
/** A validated database. */
export type DatabaseSpec = NonNullable<ProjectSpec["database"]>;
/** A validated MongoDB replica set. */
export type MongoDbSpec = NonNullable<ProjectSpec["mongodb"]>;
/** A validated Redis replication group. */
export type RedisSpec = NonNullable<ProjectSpec["redis"]>;

/** Every container of a project with the path of its entry in the file. */
export function projectContainers(project: ProjectSpec): Array<{ container: ContainerSpec; at: string }> {
    return [
        ...project.services.flatMap((s, i) => [
            { container: s as ContainerSpec, at: `services[${i}]` },
            ...s.sidecars.map((c, j) => ({ container: c as ContainerSpec, at: `services[${i}].sidecars[${j}]` })),
            ...s.initContainers.map((c, j) => ({ container: c as ContainerSpec, at: `services[${i}].initContainers[${j}]` })),
        ]),
        ...project.jobs.map((j, i) => ({ container: j as ContainerSpec, at: `jobs[${i}]` })),
    ];
}

/** The secret value names a container reads (`secretEnv` and secret files), each with the path that names it. */
export function containerSecretNames(container: ContainerSpec, at: string): Array<{ name: string; path: string }> {
    return [
        ...container.secretEnv.map((name, j) => ({ name, path: `${at}.secretEnv[${j}]` })),
        ...container.files.flatMap((f, j) => Object.entries(f.secret ?? {}).map(([file, name]) => ({ name, path: `${at}.files[${j}].secret.${file}` }))),
    ];
}

/** Example values for error messages, keyed by path pattern. */
export const PROJECT_EXAMPLES: Readonly<Record<string, string>> = {
    "(root)": "name: shop\nowner: {name: Shop team, email: shop@example.com}\nquota: {cpu: '4', memory: 8Gi, storage: 50Gi, pods: 20}\nservices: [{name: web, image: ghcr.io/example/web:1.4.2, port: 8080}]",
    id: "id: shop   # stable: keep it when you rename the project",
    name: "name: shop",
    owner: "owner: {name: Shop team, email: shop@example.com}",
    "owner.name": "name: Shop team",
    "owner.email": "email: shop@example.com",
    trust: "trust: untrusted   # trusted | untrusted",
    quota: "quota: {cpu: '4', memory: 8Gi, storage: 50Gi, pods: 20}",
    "quota.cpu": "cpu: '4'",
    "quota.memory": "memory: 8Gi",
    "quota.storage": "storage: 50Gi",
    "quota.pods": "pods: 20",
    "quota.ephemeralStorage": "ephemeralStorage: 10Gi",
    budget: "budget: {monthly: 40}",
    "budget.monthly": "monthly: 40",
    services: "services: [{name: web, image: ghcr.io/example/web:1.4.2, port: 8080}]",
    "services[].name": "name: web",
    "services[].image": "image: ghcr.io/example/web:1.4.2",
    "services[].build": "build: {git: https://github.com/example/web.git, commit: 3f2c9a0b1d4e5f60718293a4b5c6d7e8f9012345, builder: railpack}",
    "services[].build.git": "git: https://github.com/example/web.git",
    "services[].build.ref": "ref: main",
    "services[].build.commit": "commit: 3f2c9a0b1d4e5f60718293a4b5c6d7e8f9012345",
    "services[].build.path": "path: apps/web",
    "services[].build.builder": "builder: railpack   # railpack | dockerfile",
    "services[].build.credentials": "credentials: GIT_TOKEN   # a secret value of the project",
    "services[].port": "port: 8080",
    "services[].replicas": "replicas: 2",
    "services[].autoscale": "autoscale: {min: 2, max: 6, targetCPUUtilization: 70}",
    "services[].autoscale.min": "min: 2",
    "services[].autoscale.max": "max: 6",
    "services[].autoscale.targetCPUUtilization": "targetCPUUtilization: 70",
    "services[].resources": "resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}",
    "services[].resources.requests": "requests: {cpu: 100m, memory: 128Mi}",
    "services[].resources.limits": "limits: {cpu: '1', memory: 256Mi}",
    "services[].env": "env: {LOG_LEVEL: info}",
    "services[].secretEnv": "secretEnv: [DATABASE_PASSWORD]",
    "services[].probes": "probes: {liveness: {path: /healthz}, readiness: {path: /ready}}",
    "services[].probes.liveness": "liveness: {path: /healthz}",
    "services[].probes.readiness": "readiness: {tcp: true}   # or {path: /ready}, or {exec: [redis-cli, ping]}",
    "services[].command": "command: [/app/server]",
    "services[].args": "args: [--port, '8080']",
    "services[].volumes": "volumes: [{name: data, size: 10Gi, class: fast, mountPath: /data}]",
    "services[].volumes[].name": "name: data",
    "services[].volumes[].size": "size: 10Gi",
    "services[].volumes[].class": "class: fast   # fast | standard",
    "services[].volumes[].mountPath": "mountPath: /data",
    "services[].expose": "expose: {public: true, customDomains: [shop.example.org]}",
    "services[].expose.public": "public: true   # default false: nothing is public unless asked",
    "services[].expose.customDomains": "customDomains: [shop.example.org]",
    "services[].metrics": "metrics: {port: 9100, path: /metrics}",
    "services[].tmpDirs": "tmpDirs: [/tmp, /var/cache/app]",
    "services[].runAsUser": "runAsUser: 10001",
    "services[].ports": "ports: [{name: p2p, port: 30303, protocol: TCP, public: true}, {name: ws, port: 8546}]",
    "services[].ports[].name": "name: p2p   # at most 15 characters",
    "services[].ports[].port": "port: 30303",
    "services[].ports[].protocol": "protocol: TCP   # TCP | UDP",
    "services[].ports[].public": "public: true   # needs platform:projectGrants.<id>.publicPorts",
    "services[].expose.tls": "tls: passthrough   # terminate | passthrough",
    "services[].expose.port": "port: https   # the TCP port that speaks TLS",
    "services[].files": "files: [{mountPath: /etc-app/tls, secret: {tls.crt: TLS_CRT}}, {mountPath: /config, configMap: app}]",
    "services[].files[].mountPath": "mountPath: /config",
    "services[].files[].secret": "secret: {tls.crt: TLS_CRT, tls.key: TLS_KEY}",
    "services[].files[].configMap": "configMap: app",
    "services[].sidecars": "sidecars: [{name: exporter, image: docker.io/jvstein/bitcoin-prometheus-exporter:v0.7.0, ports: [{name: exporter, port: 9332}]}]",
    "services[].sidecars[].name": "name: exporter",
    "services[].sidecars[].image": "image: ghcr.io/example/exporter:1.0.0",
    "services[].sidecars[].ports": "ports: [{name: exporter, port: 9332}]",
    "services[].sidecars[].probes": "probes: {readiness: {path: /}}",
    "services[].sidecars[].command": "command: [/exporter]",
    "services[].sidecars[].args": "args: [--port=9332]",
    "services[].sidecars[].env": "env: {LOG_LEVEL: info}",
    "services[].sidecars[].secretEnv": "secretEnv: [RPC_PASSWORD]",
    "services[].sidecars[].files": "files: [{mountPath: /config, configMap: app}]",
    "services[].sidecars[].resources": "resources: {requests: {cpu: 20m, memory: 64Mi}, limits: {memory: 128Mi}}",
    "services[].sidecars[].tmpDirs": "tmpDirs: [/tmp]",
    "services[].sidecars[].runAsUser": "runAsUser: 10001",
    "services[].initContainers": "initContainers: [{name: setup, image: ghcr.io/example/setup:1.0.0, command: [/setup]}]",
    "services[].initContainers[].name": "name: setup",
    "services[].initContainers[].image": "image: ghcr.io/example/setup:1.0.0",
    "services[].initContainers[].command": "command: [/setup]",
    "services[].initContainers[].args": "args: [--once]",
    "services[].initContainers[].env": "env: {MODE: init}",
    "services[].initContainers[].secretEnv": "secretEnv: [SETUP_TOKEN]",
    "services[].initContainers[].files": "files: [{mountPath: /config, configMap: app}]",
    "services[].initContainers[].resources": "resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {memory: 128Mi}}",
    "services[].initContainers[].tmpDirs": "tmpDirs: [/tmp]",
    "services[].initContainers[].runAsUser": "runAsUser: 10001",
    "services[].uses": "uses: [database, bucket]",
    "services[].cluster": "cluster: {podManagementPolicy: Parallel, quorum: true}",
    "services[].strategy": "strategy: blueGreen   # or {type: blueGreen, promotion: manual, analysis: {maxErrorRate: 0.01}}",
    "services[].strategy.type": "type: blueGreen   # or rollingUpdate",
    "services[].strategy.promotion": "promotion: manual   # or auto",
    "services[].strategy.scaleDownDelaySeconds": "scaleDownDelaySeconds: 600",
    "services[].strategy.analysis": "analysis: {maxErrorRate: 0.05, count: 5, intervalSeconds: 30}",
    "services[].strategy.analysis.maxErrorRate": "maxErrorRate: 0.05",
    "services[].strategy.analysis.count": "count: 5",
    "services[].strategy.analysis.intervalSeconds": "intervalSeconds: 30",
    "services[].cluster.podManagementPolicy": "podManagementPolicy: OrderedReady   # OrderedReady | Parallel",
    "services[].cluster.quorum": "quorum: true   # needs replicas >= 3",
    jobs: "jobs: [{name: migrate, image: ghcr.io/example/migrate:1.0.0, uses: [database]}, {name: report, image: ghcr.io/example/report:1.0.0, schedule: '0 * * * *'}]",
    "jobs[].name": "name: migrate",
    "jobs[].image": "image: ghcr.io/example/migrate:1.0.0",
    "jobs[].schedule": "schedule: '0 3 * * *'   # or @hourly, @daily, @weekly, @monthly",
    "jobs[].backoffLimit": "backoffLimit: 2   # 0-10",
    "jobs[].activeDeadlineSeconds": "activeDeadlineSeconds: 3600   # 60-86400",
    "jobs[].uses": "uses: [database]",
    "jobs[].command": "command: [/app/migrate]",
    "jobs[].args": "args: [up]",
    "jobs[].env": "env: {LOG_LEVEL: info}",
    "jobs[].secretEnv": "secretEnv: [MIGRATE_TOKEN]",
    "jobs[].files": "files: [{mountPath: /migrations, configMap: migrations}]",
    "jobs[].resources": "resources: {requests: {cpu: 50m, memory: 64Mi}, limits: {memory: 128Mi}}",
    "jobs[].tmpDirs": "tmpDirs: [/tmp]",
    "jobs[].runAsUser": "runAsUser: 10001",
    configMaps: "configMaps: [{name: app, data: {app.yaml: 'log: info'}}]",
    "configMaps[].name": "name: app",
    "configMaps[].data": "data: {app.yaml: 'log: info'}",
    database: "database: {engine: postgresql, version: '16', size: 10Gi}",
    "database.engine": "engine: postgresql   # postgresql | mysql",
    "database.version": "version: '16'",
    "database.size": "size: 10Gi",
    "database.class": "class: fast",
    "database.resources": "resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {memory: 1Gi}}",
    "database.instances": "instances: 3   # MySQL: 1, 3 or 5; at most platform:tenantLimits.maxDatabaseInstances",
    "database.generation": "generation: 1",
    "database.restore": "restore: {fromGeneration: 0, targetTime: '2026-11-30T23:15:00Z'}",
    "database.restore.fromGeneration": "fromGeneration: 0",
    "database.restore.targetTime": "targetTime: '2026-11-30T23:15:00Z'",
    "database.restore.backup": "backup: database-2026-11-30-03:00:21-full   # MySQL only",
    mongodb: "mongodb: {version: '8.0', size: 20Gi, instances: 3}",
    "mongodb.version": "version: '8.0'",
    "mongodb.size": "size: 20Gi",
    "mongodb.class": "class: fast",
    "mongodb.resources": "resources: {requests: {cpu: 250m, memory: 1Gi}, limits: {memory: 2Gi}}",
    "mongodb.instances": "instances: 3   # 1 or an odd number; at most platform:tenantLimits.maxDatabaseInstances",
    "mongodb.generation": "generation: 1",
    "mongodb.restore": "restore: {fromGeneration: 0, backup: '2026-11-30T03:00:21Z', targetTime: '2026-11-30T23:15:00Z'}",
    "mongodb.restore.fromGeneration": "fromGeneration: 0",
    "mongodb.restore.backup": "backup: '2026-11-30T03:00:21Z'",
    "mongodb.restore.targetTime": "targetTime: '2026-11-30T23:15:00Z'",
    redis: "redis: {size: 5Gi, replicas: 3}",
    "redis.version": "version: '8.2'",
    "redis.size": "size: 5Gi",
    "redis.class": "class: fast",
    "redis.resources": "resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {memory: 512Mi}}",
    "redis.replicas": "replicas: 3   # at most platform:tenantLimits.maxDatabaseInstances and the run nodes",
    "redis.generation": "generation: 1",
    "redis.restore": "restore: {fromGeneration: 0, backup: backup-0123456789abcdef, volume: pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f}",
    "redis.restore.fromGeneration": "fromGeneration: 0",
    "redis.restore.backup": "backup: backup-0123456789abcdef",
    "redis.restore.volume": "volume: pvc-0f4c2d1e-6b7a-4c3d-9e8f-1a2b3c4d5e6f",
    egress: "egress: {ports: [{port: 30303, protocol: TCP}]}",
    "egress.ports": "ports: [{port: 30303, protocol: TCP}, {port: 30303, protocol: UDP}]",
    "egress.ports[].port": "port: 30303",
    "egress.ports[].protocol": "protocol: TCP   # TCP | UDP",
    bucket: "bucket: {name: uploads}",
    "bucket.name": "name: uploads",
    "bucket.size": "size: 10Gi",
    git: "git: {repoURL: https://github.com/example/shop-deploy.git, path: k8s, targetRevision: main}",
    "git.repoURL": "repoURL: https://github.com/example/shop-deploy.git",
    "git.path": "path: k8s",
    "git.targetRevision": "targetRevision: main",
    decommission: "decommission: {confirm: shop}",
    "decommission.confirm": "confirm: shop",
};
