import { z } from "zod";
import { QUANTITY_PATTERN } from "../quantity";
import { domainName } from "../config/schema";
import { PLATFORM_NAMESPACES } from "../conventions";
import { SMTP_PORTS } from "../network-rules";

/**
 * The tenant project file (`stacks/<stack>/projects/<name>.yaml`): one app of one tenant, provisioned by
 * the Project component in one `pulumi up`.
 */

const quantity = z.string().regex(QUANTITY_PATTERN, { error: "must be a Kubernetes quantity such as 250m, 1, 256Mi or 10Gi" });

/** A DNS-1123 label usable as a Kubernetes name. */
const k8sName = (max: number) =>
    z.string().regex(new RegExp(`^[a-z]([-a-z0-9]{0,${max - 2}}[a-z0-9])?$`), {
        error: `must be a lowercase DNS label (a-z, 0-9, '-'), starting with a letter, at most ${max} characters`,
    });

/** An image reference with an explicit tag (not `latest`) or digest. */
export const imageReference = z.string().superRefine((image, ctx) => {
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
    requests: z.strictObject({ cpu: quantity, memory: quantity }),
    limits: z.strictObject({ cpu: quantity.optional(), memory: quantity }),
});

const probeSchema = z.union([
    z.strictObject({ path: z.string().startsWith("/"), port: z.number().int().min(1).max(65535).optional() }),
    z.strictObject({ tcp: z.literal(true), port: z.number().int().min(1).max(65535).optional() }),
]);

const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: "must be an environment variable name like DATABASE_URL" });

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

/** Mail ports no tenant egress may open (one source with the NetworkPolicies: lib/network-rules.ts). */
export { SMTP_PORTS } from "../network-rules";

/** A volume mounted into a service; services with volumes run as StatefulSets (one volume per replica). */
export const volumeSchema = z.strictObject({
    name: k8sName(40),
    size: quantity,
    class: z.enum(["fast", "standard"]).default("standard"),
    mountPath: z.string().regex(/^\/[-a-zA-Z0-9_./]*$/, { error: "must be an absolute path" }),
});

/** One container service of the project. */
export const serviceSchema = z
    .strictObject({
        name: k8sName(30),
        image: imageReference,
        port: z.number().int().min(1).max(65535),
        replicas: z.number().int().min(0).max(50).optional(),
        autoscale: z
            .strictObject({
                min: z.number().int().min(1).max(50),
                max: z.number().int().min(1).max(100),
                targetCPUUtilization: z.number().int().min(10).max(95).default(70),
            })
            .optional(),
        resources: resourcesSchema.default({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } }),
        env: z.record(envName, z.string()).default({}),
        /** Names whose values come from `platform:tenantSecrets.<project>.<NAME>`. */
        secretEnv: z.array(envName).default([]),
        probes: z.strictObject({ liveness: probeSchema.optional(), readiness: probeSchema.optional() }).default({}),
        command: z.array(z.string()).optional(),
        args: z.array(z.string()).optional(),
        volumes: z.array(volumeSchema).default([]),
        /** Public exposure: `<service>.<project>.<domain>` plus custom domains. */
        expose: z
            .strictObject({
                public: z.boolean().default(true),
                customDomains: z.array(domainName).default([]),
            })
            .optional(),
        /** Prometheus scrape endpoint of the service. */
        metrics: z.strictObject({ port: z.number().int().min(1).max(65535), path: z.string().startsWith("/").default("/metrics") }).optional(),
        /** Writable scratch directory (the root filesystem is read-only). */
        tmpDirs: z.array(z.string().startsWith("/")).default(["/tmp"]),
        /** UID the container runs as (never 0). */
        runAsUser: z.number().int().min(1).default(10001),
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
        const both = Object.keys(service.env).find((k) => service.secretEnv.includes(k));
        if (both) {
            ctx.addIssue({ code: "custom", path: ["secretEnv"], message: `${both} is both in env and secretEnv` });
        }
    });

/** The optional project database. */
export const databaseSchema = z.strictObject({
    engine: z.enum(["postgresql", "mysql"]),
    /** Major version; the image tag is pinned by the platform. */
    version: z.string().regex(/^\d+(\.\d+)?$/).optional(),
    size: quantity.default("10Gi"),
    class: z.enum(["fast", "standard"]).default("fast"),
    resources: resourcesSchema.default({ requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } }),
});

/** The tenant project file. */
export const projectSchema = z
    .strictObject({
        name: k8sName(30),
        owner: z.strictObject({ name: z.string().min(1), email: z.email() }),
        trust: z.enum(["trusted", "untrusted"]).default("untrusted"),
        quota: z.strictObject({
            cpu: quantity,
            memory: quantity,
            storage: quantity,
            pods: z.number().int().min(1),
        }),
        /** Monthly cost budget in the stack's currency; an alert fires above it. */
        budget: z.strictObject({ monthly: z.number().positive() }).optional(),
        services: z.array(serviceSchema).min(1),
        database: databaseSchema.optional(),
        /** Object-storage bucket in the platform MinIO. */
        bucket: z.strictObject({ name: k8sName(40).optional() }).optional(),
        /**
         * Extra outbound ports to the internet beyond 80/443 (e.g. a blockchain node's P2P port). Private,
         * tailnet and metadata addresses stay unreachable; SMTP ports are refused.
         */
        egress: z
            .strictObject({
                ports: z
                    .array(
                        z.strictObject({
                            port: z.number().int().min(1).max(65535),
                            protocol: z.enum(["TCP", "UDP"]).default("TCP"),
                        }),
                    )
                    .min(1),
            })
            .optional(),
        /** Git source synced by Argo CD into the project namespace. */
        git: z
            .strictObject({
                repoURL: z.url(),
                path: z.string().default("."),
                targetRevision: z.string().default("HEAD"),
            })
            .optional(),
    })
    .superRefine((project, ctx) => {
        if (RESERVED_PROJECT_NAMES.includes(project.name) || project.name.startsWith("kube-")) {
            ctx.addIssue({ code: "custom", path: ["name"], message: `"${project.name}" is a system or platform namespace` });
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
            const bucket = project.bucket.name ? `${project.name}-${project.bucket.name}` : project.name;
            if (bucket.length < 3 || bucket.length > 63) {
                ctx.addIssue({ code: "custom", path: ["bucket", "name"], message: `the bucket is named "${bucket}" (<project>-<name>), which must be 3 to 63 characters` });
            }
        }
        project.egress?.ports.forEach((entry, index) => {
            if (SMTP_PORTS.includes(entry.port)) {
                ctx.addIssue({ code: "custom", path: ["egress", "ports", index, "port"], message: `port ${entry.port} is mail submission (SMTP); tenants never send mail directly` });
            }
        });
    });

/** A validated tenant project. */
export type ProjectSpec = z.infer<typeof projectSchema>;
/** A validated tenant service. */
export type ServiceSpec = ProjectSpec["services"][number];
/** A validated database. */
export type DatabaseSpec = NonNullable<ProjectSpec["database"]>;

/** Example values for error messages, keyed by path pattern. */
export const PROJECT_EXAMPLES: Readonly<Record<string, string>> = {
    "(root)": "name: shop\nowner: {name: Shop team, email: shop@example.com}\nquota: {cpu: '4', memory: 8Gi, storage: 50Gi, pods: 20}\nservices: [{name: web, image: ghcr.io/example/web:1.4.2, port: 8080}]",
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
};
