import * as path from "node:path";
import { z } from "zod";
import { QUANTITY_PATTERN, quantity as parseQuantity } from "../quantity";
import { domainName, egressPortSchema } from "../config/schema";
import { PLATFORM_NAMESPACES } from "../conventions";
import { forbiddenEgressPort, repoUrlProblem, SMTP_PORTS } from "../network-rules";
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
} as const;

/** Mount points no tmpDir or volume may use or contain: kernel interfaces, kubelet-managed files, service account tokens. */
export const FORBIDDEN_MOUNT_ROOTS: readonly string[] = ["/proc", "/sys", "/dev", "/etc", "/var/run/secrets", "/run/secrets"];

/** Why a mount path (volume or tmpDir) is refused; `undefined` when it is fine. */
export function mountPathProblem(mountPath: string): string | undefined {
    if (!/^\/[-a-zA-Z0-9_./]*$/.test(mountPath) || mountPath.length > TENANT_BOUNDS.pathChars) {
        return `"${mountPath}" must be an absolute path of a-z, 0-9, '-', '_', '.', '/' (at most ${TENANT_BOUNDS.pathChars} characters)`;
    }
    if (path.posix.normalize(mountPath) !== mountPath || mountPath.split("/").some((s) => s === "." || s === "..") || (mountPath.length > 1 && mountPath.endsWith("/"))) {
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
    if (!/^[a-z0-9]([-a-z0-9._/:]*[a-z0-9])?(@sha256:[a-f0-9]{64})?$/.test(image.replace(/:([\w][\w.-]{0,127})(?=@|$)/, ""))) {
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

const probeSchema = z.union([
    z.strictObject({ path: httpPath, port: port.optional() }),
    z.strictObject({ tcp: z.literal(true), port: port.optional() }),
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
export const RESERVED_SERVICE_NAMES: readonly string[] = ["database", "bucket", "gitops", "shared"];

/** Namespaces a project may never be named after (its namespace carries the project name). */
export const RESERVED_PROJECT_NAMES: readonly string[] = ["default", "kube-system", "kube-public", "kube-node-lease", ...PLATFORM_NAMESPACES];

/** Environment variables the platform injects when the project has a database. */
export const DATABASE_ENV = ["DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_USER", "DATABASE_PASSWORD"] as const;

/** Environment variables the platform injects when the project has a bucket. */
export const BUCKET_ENV = ["S3_ENDPOINT", "S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const;

/** A volume mounted into a service; services with volumes run as StatefulSets (one volume per replica). */
export const volumeSchema = z.strictObject({
    name: k8sName(40),
    size: positiveQuantity,
    class: z.enum(["fast", "standard"]).default("standard"),
    mountPath,
});

/** One container service of the project. */
export const serviceSchema = z
    .strictObject({
        name: k8sName(30),
        image: imageReference,
        port,
        replicas: z.number().int().min(0).max(50).optional(),
        autoscale: z
            .strictObject({
                min: z.number().int().min(1).max(50),
                max: z.number().int().min(1).max(100),
                targetCPUUtilization: z.number().int().min(10).max(95).default(70),
            })
            .optional(),
        resources: resourcesSchema.default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } }),
        /** Plain settings; anything that looks like a credential is refused (it belongs in `secretEnv`). */
        env: z
            .record(envName, z.string().max(TENANT_BOUNDS.envValueChars))
            .refine((env) => Object.keys(env).length <= TENANT_BOUNDS.envEntries, { error: `at most ${TENANT_BOUNDS.envEntries} entries` })
            .default({}),
        /** Names whose values come from `platform:tenantSecrets.<id>.<NAME>`. */
        secretEnv: z.array(envName).max(TENANT_BOUNDS.secretEnv).default([]),
        probes: z.strictObject({ liveness: probeSchema.optional(), readiness: probeSchema.optional() }).default({}),
        command: z.array(z.string().max(TENANT_BOUNDS.commandItemChars)).max(TENANT_BOUNDS.commandItems).optional(),
        args: z.array(z.string().max(TENANT_BOUNDS.commandItemChars)).max(TENANT_BOUNDS.commandItems).optional(),
        volumes: z.array(volumeSchema).max(TENANT_BOUNDS.volumes).default([]),
        /** Public exposure: `<service>.<name>.<domain>` plus custom domains (granted in `platform:projectGrants`). */
        expose: z
            .strictObject({
                public: z.boolean().default(true),
                customDomains: z.array(domainName).max(TENANT_BOUNDS.customDomains).default([]),
            })
            .optional(),
        /** Prometheus scrape endpoint of the service. */
        metrics: z.strictObject({ port, path: httpPath.default("/metrics") }).optional(),
        /** Writable scratch directories (the root filesystem is read-only), each an emptyDir of {@link TMP_DIR_SIZE}. */
        tmpDirs: z.array(mountPath).max(TENANT_BOUNDS.tmpDirs).default(["/tmp"]),
        /** UID the container runs as (never 0). */
        runAsUser: z.number().int().min(1).max(2147483647).default(10001),
    })
    .superRefine((service, ctx) => {
        if (RESERVED_SERVICE_NAMES.includes(service.name) || service.name.endsWith("-headless")) {
            ctx.addIssue({
                code: "custom",
                path: ["name"],
                message: `"${service.name}" is reserved for platform objects (${RESERVED_SERVICE_NAMES.join(", ")}, *-headless)`,
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
        const paths = [...service.tmpDirs.map((p, i) => ({ p, at: ["tmpDirs", i] })), ...service.volumes.map((v, i) => ({ p: v.mountPath, at: ["volumes", i, "mountPath"] }))];
        paths.forEach(({ p, at }, index) => {
            if (paths.findIndex((other) => other.p === p) !== index) {
                ctx.addIssue({ code: "custom", path: at, message: `${p} is mounted twice (tmpDirs and volumes mount paths must all differ)` });
            }
        });
        const both = Object.keys(service.env).find((k) => service.secretEnv.includes(k));
        if (both) {
            ctx.addIssue({ code: "custom", path: ["secretEnv"], message: `${both} is both in env and secretEnv` });
        }
        const twice = service.secretEnv.find((n, i) => service.secretEnv.indexOf(n) !== i);
        if (twice) {
            ctx.addIssue({ code: "custom", path: ["secretEnv"], message: `${twice} is listed twice` });
        }
        for (const [name, value] of Object.entries(service.env)) {
            const reason = secretLookingEnv(name, value);
            if (reason) {
                ctx.addIssue({
                    code: "custom",
                    path: ["env", name],
                    message: `${reason}: plain env lands in the plan and the Deployment in clear`,
                    params: { fix: `move it to secretEnv: [${name}] and set the value with pulumi config set --secret --path 'platform:tenantSecrets.<id>.${name}' <value>` },
                });
            }
        }
    });

/** The optional project database. */
export const databaseSchema = z.strictObject({
    engine: z.enum(["postgresql", "mysql"]),
    /** Major version; the image tag is pinned by the platform. */
    version: z.string().regex(/^\d+(\.\d+)?$/).optional(),
    size: positiveQuantity.default("10Gi"),
    class: z.enum(["fast", "standard"]).default("fast"),
    resources: resourcesSchema.default({ requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } }),
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
        database: databaseSchema.optional(),
        /** Object-storage bucket in the platform MinIO: `<id>`, or `<id>--<name>` when named. */
        bucket: z.strictObject({ name: k8sName(BUCKET_NAME_MAX).optional() }).optional(),
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
        const injected: Array<{ names: readonly string[]; what: string }> = [
            ...(project.database ? [{ names: DATABASE_ENV, what: "the database connection" }] : []),
            ...(project.bucket ? [{ names: BUCKET_ENV, what: "the bucket credentials" }] : []),
        ];
        project.services.forEach((service, index) => {
            for (const { names: reserved, what } of injected) {
                for (const key of [...Object.keys(service.env), ...service.secretEnv]) {
                    if (reserved.includes(key)) {
                        const field = key in service.env ? "env" : "secretEnv";
                        ctx.addIssue({ code: "custom", path: ["services", index, field], message: `${key} is set by the platform for ${what}` });
                    }
                }
            }
        });
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
    .transform((project) => ({ ...project, id: project.id ?? project.name }));

/** A validated tenant project (`id` resolved: the file's `id`, else its `name`). */
export type ProjectSpec = z.infer<typeof projectSchema>;
/** A validated tenant service. */
export type ServiceSpec = ProjectSpec["services"][number];
/** A validated database. */
export type DatabaseSpec = NonNullable<ProjectSpec["database"]>;

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
    "services[].probes.readiness": "readiness: {tcp: true}",
    "services[].command": "command: [/app/server]",
    "services[].args": "args: [--port, '8080']",
    "services[].volumes": "volumes: [{name: data, size: 10Gi, class: fast, mountPath: /data}]",
    "services[].volumes[].name": "name: data",
    "services[].volumes[].size": "size: 10Gi",
    "services[].volumes[].class": "class: fast   # fast | standard",
    "services[].volumes[].mountPath": "mountPath: /data",
    "services[].expose": "expose: {public: true, customDomains: [shop.example.org]}",
    "services[].expose.public": "public: false",
    "services[].expose.customDomains": "customDomains: [shop.example.org]",
    "services[].metrics": "metrics: {port: 9100, path: /metrics}",
    "services[].tmpDirs": "tmpDirs: [/tmp, /var/cache/app]",
    "services[].runAsUser": "runAsUser: 10001",
    database: "database: {engine: postgresql, version: '16', size: 10Gi}",
    "database.engine": "engine: postgresql   # postgresql | mysql",
    "database.version": "version: '16'",
    "database.size": "size: 10Gi",
    "database.class": "class: fast",
    "database.resources": "resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {memory: 1Gi}}",
    egress: "egress: {ports: [{port: 30303, protocol: TCP}]}",
    "egress.ports": "ports: [{port: 30303, protocol: TCP}, {port: 30303, protocol: UDP}]",
    "egress.ports[].port": "port: 30303",
    "egress.ports[].protocol": "protocol: TCP   # TCP | UDP",
    bucket: "bucket: {name: uploads}",
    "bucket.name": "name: uploads",
    git: "git: {repoURL: https://github.com/example/shop-deploy.git, path: k8s, targetRevision: main}",
    "git.repoURL": "repoURL: https://github.com/example/shop-deploy.git",
    "git.path": "path: k8s",
    "git.targetRevision": "targetRevision: main",
    decommission: "decommission: {confirm: shop}",
    "decommission.confirm": "confirm: shop",
};
