import * as fs from "node:fs";
import * as path from "node:path";
import { derivedStore } from "../derived-store";
import { containerSecretNames, PROJECT_EXAMPLES, projectContainers, projectSchema, type ProjectSpec } from "./schema";
import { gitSourceGranted, NO_GRANT, OFF_CLUSTER_ENDPOINT_FIX, offClusterBackupTargets, publicEntryPointName, withinDomain, type PlatformConfig, type ProjectGrant } from "../config/schema";
import { nonPublicHostReason } from "../network-rules";
import { PLATFORM_BUCKETS, PLATFORM_NAMESPACES } from "../conventions";
import { tenantBucketName } from "./names";
import { parseDocument } from "yaml";
import { MAX_TENANT_ALIASES, parseTenantYaml, readCatalogDirectory } from "./read";
import { InputValidationError, issuesToProblems, type InputProblem } from "../validation";
import { GIB, quantity } from "../quantity";
import { CPU_LIMIT_FACTOR, ephemeralStorageQuota, maxReplicas, millicores, projectFootprint, resourceProblems, TMP_DIR_SIZE } from "./footprint";
import { DATABASE_IMAGES, DEFAULT_DATABASE_VERSION, DEFAULT_MONGODB_VERSION, DEFAULT_REDIS_VERSION, MONGODB_IMAGES, MYSQL_OPERATOR_IMAGES, REDIS_IMAGES } from "../../charts/images";

/** A validated tenant project and the file it came from. */
export interface TenantProject {
    /** Path of the YAML file relative to the repository root. */
    file: string;
    /** The validated spec. */
    spec: ProjectSpec;
}

/** Context the tenant files are validated against. */
export interface TenantContext {
    /** Validated stack configuration (domain, limits, registries). */
    config: PlatformConfig;
    /**
     * Names of the tenant secrets set in config, per project id. Absent for a check over the catalog without
     * the tenants' secrets (they live in each tenant stack, which checks its own).
     */
    secretNames?: ReadonlyMap<string, ReadonlySet<string>>;
    /** The command that sets a missing secret (default: `tenant:secrets.<NAME>` of the project's tenant stack). */
    secretFix?: (id: string, name: string) => string;
    /** Stack name, for the `Pulumi.<stack>.yaml` the grant fixes point at. */
    stack?: string;
    /** Platform domains of the other stacks of the repository: their host spaces are never a custom domain. */
    otherStackDomains?: ReadonlyArray<{ stack: string; domain: string }>;
    /**
     * Checks over the whole validated catalog that need the renderers (resource names the Project
     * component would register); their problems join the same aggregated error.
     */
    catalogChecks?: ReadonlyArray<(projects: readonly TenantProject[]) => InputProblem[]>;
}

/** The grant of a project in `platform:projectGrants`, or none. */
export function projectGrant(config: PlatformConfig, project: string): ProjectGrant {
    return config.projectGrants[project] ?? NO_GRANT;
}

/**
 * Platform domains of the other `Pulumi.<stack>.yaml` files in `rootDir` (read loosely: a stack file
 * without a domain is skipped; the stack's own validation reports it when it is planned).
 */
export function otherStackDomains(rootDir: string, stack: string): Array<{ stack: string; domain: string }> {
    const out: Array<{ stack: string; domain: string }> = [];
    for (const file of fs.existsSync(rootDir) ? fs.readdirSync(rootDir).sort() : []) {
        const other = /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(file)?.[1];
        if (!other || other === stack) {
            continue;
        }
        const domain = stackFileDomain(fs.readFileSync(path.join(rootDir, file), "utf8"));
        if (domain !== undefined) {
            out.push({ stack: other, domain });
        }
    }
    return out;
}

/** The {@link derivedStore} kind of a stack file's `platform:domain` (null: the file has none, or none that is a string). */
export const STACK_DOMAIN_KIND = "stack-domain";

/**
 * The `platform:domain` of a stack file's text. Of another region's stack file only its domain is needed, and
 * the file holds that region's every project grant: with a {@link derivedStore} installed (the offline plan), the
 * domain alone is kept per file content, so a tenant stack of this region does not read back, and parse, the other
 * region's whole file on every plan (its cost grew with the other region).
 */
function stackFileDomain(text: string): string | undefined {
    const store = derivedStore();
    const stored = store?.get(STACK_DOMAIN_KIND, text);
    if (typeof stored === "string" || stored === null) {
        return stored ?? undefined;
    }
    const data = stackFileData(text);
    if (data === undefined) {
        return undefined;
    }
    const domain = (data as { config?: Record<string, unknown> } | null)?.config?.["platform:domain"];
    store?.set(STACK_DOMAIN_KIND, text, typeof domain === "string" ? domain : null);
    return typeof domain === "string" ? domain : undefined;
}

/**
 * A stack file's data, parsed as tenant files are (YAML 1.2 core schema, unique keys, the alias budget) but without
 * their size bound: a region's stack file holds every project's grant and outgrows a tenant file's
 * 256 KiB (`MAX_TENANT_FILE_BYTES`) at ~1,300 tenants, and a file refused for its size dropped that region's domain from
 * the cross-region check without a word. Undefined for a file that is not valid YAML (its own plan reports it).
 */
function stackFileData(text: string): unknown {
    try {
        const doc = parseDocument(text, { schema: "core", uniqueKeys: true, merge: false, prettyErrors: false, strict: true });
        return doc.errors.length > 0 ? undefined : doc.toJS({ maxAliasCount: MAX_TENANT_ALIASES });
    } catch {
        return undefined;
    }
}

/** Directory holding a stack's tenant files. */
export function catalogDirectory(rootDir: string, stack: string): string {
    return path.join(rootDir, "stacks", stack, "projects");
}

/** Public hosts of one service: `<service>.<project>.<domain>` plus its custom domains. */
export function serviceHosts(project: ProjectSpec, serviceName: string, domain: string): string[] {
    const service = project.services.find((s) => s.name === serviceName);
    // Nothing is public unless the file asks for it.
    if (!service || service.expose?.public !== true) {
        return [];
    }
    return [`${service.name}.${project.name}.${domain}`, ...(service.expose?.customDomains ?? [])];
}

/**
 * Loads every `*.yaml` of `stacks/<stack>/projects/` and validates it alone and against the others.
 * A missing or empty directory is a valid, empty catalog. Throws `InputValidationError` with every problem.
 */
export function loadTenantCatalog(rootDir: string, stack: string, context: TenantContext): TenantProject[] {
    const reads = readCatalogDirectory(catalogDirectory(rootDir, stack), rootDir);
    const documents = reads.filter((r): r is { file: string; text: string } => "text" in r);
    const refused = reads.flatMap((r) => ("problem" in r ? [r.problem] : []));
    return validateTenantDocuments(documents, { stack, ...context }, refused);
}

/**
 * Validates already-read tenant documents (exported for tests and the benchmark's generated tenants);
 * `unreadable` are the problems of files the reader refused (symlinks, devices, oversized), reported with the rest.
 */
export function validateTenantDocuments(
    documents: ReadonlyArray<{ file: string; text: string }>,
    context: TenantContext,
    unreadable: readonly InputProblem[] = [],
): TenantProject[] {
    const problems: InputProblem[] = [...unreadable];
    const projects: TenantProject[] = [];
    const rawData = new Map<string, unknown>();
    for (const { file, text } of documents) {
        const read = parseTenantYaml(text, file);
        if ("problem" in read) {
            problems.push(read.problem);
            continue;
        }
        rawData.set(file, read.data);
        const parsed = parseProjectSpec(text, read.data);
        if (!parsed.success) {
            problems.push(...issuesToProblems(file, "", parsed.error.issues, PROJECT_EXAMPLES));
            continue;
        }
        const spec = parsed.data;
        problems.push(...checkFileName(file, spec));
        problems.push(...checkAgainstStack(file, spec, context));
        projects.push({ file, spec });
    }
    problems.push(...checkAcrossProjects(projects, context));
    problems.push(...inClusterBackupTargetProblems(projects, context));
    // Checks that render the projects run in the same pass, on the files that are valid so far (a file with a
    // problem may not render), so one run reports everything.
    const clean = projects.filter((p) => !problems.some((problem) => problem.source === p.file));
    for (const check of context.catalogChecks ?? []) {
        problems.push(...check(clean));
    }
    if (problems.length > 0) {
        throw new InputValidationError(problems.map((problem) => withServiceNames(problem, rawData.get(problem.source))));
    }
    return projects;
}

/**
 * Project specs that passed the schema in this process, by the text they were parsed from: a region plan's tenant
 * worker validates each tenant file twice (its grants stack, then its app stack), the schema being most of that.
 * The schema's output depends on the text alone; every other check runs every time, against its own context.
 * A copy each time, so no stack sees another's objects; a text that fails the schema is never kept.
 * Across processes the offline plan's store answers (lib/derived-store.ts). `PLATFORM_OFFLINE_SHORTCUTS=0`
 * parses every time.
 */
const parsedSpecs = new Map<string, ProjectSpec>();

/** The {@link derivedStore} kind of a tenant file's validated spec (the schema's output: a function of the text alone). */
export const PROJECT_SPEC_KIND = "project-spec";

/** How many specs {@link parsedSpecs} keeps (a worker's share of a region). */
const PARSED_SPECS_KEPT = 2000;

/** `projectSchema.safeParse` of a tenant file's data, answered from {@link parsedSpecs} for a text seen before. */
function parseProjectSpec(text: string, data: unknown): ReturnType<typeof projectSchema.safeParse> {
    const remember = process.env.PLATFORM_OFFLINE_SHORTCUTS !== "0";
    const known = remember ? parsedSpecs.get(text) : undefined;
    if (known) {
        return { success: true, data: structuredClone(known) } as ReturnType<typeof projectSchema.safeParse>;
    }
    const stored = remember ? (derivedStore()?.get(PROJECT_SPEC_KIND, text) as ProjectSpec | undefined) : undefined;
    const parsed = stored !== undefined ? ({ success: true, data: stored } as ReturnType<typeof projectSchema.safeParse>) : projectSchema.safeParse(data ?? {});
    if (parsed.success && remember) {
        if (stored === undefined) {
            derivedStore()?.set(PROJECT_SPEC_KIND, text, parsed.data);
        }
        if (parsedSpecs.size >= PARSED_SPECS_KEPT) {
            parsedSpecs.clear();
        }
        parsedSpecs.set(text, structuredClone(parsed.data));
    }
    return parsed;
}

/**
 * `services[1].volumes[0].size` → `services[backend].volumes[data].size`: a problem's path names the service and
 * volume as the file does (when the name is a plain, unique label), so it can be found without counting.
 */
export function withServiceNames(problem: InputProblem, data: unknown): InputProblem {
    const named = (list: unknown, index: number): string | undefined => {
        const items = Array.isArray(list) ? (list as unknown[]) : [];
        const name = (items[index] as { name?: unknown } | undefined)?.name;
        const names = items.map((item) => (item as { name?: unknown } | undefined)?.name);
        return typeof name === "string" && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && names.indexOf(name) === names.lastIndexOf(name) ? name : undefined;
    };
    const services = (data as { services?: unknown } | null | undefined)?.services;
    const path = problem.path.replace(/^services\[(\d+)\](\.volumes\[(\d+)\])?/, (whole, service: string, volumePart: string | undefined, volume: string | undefined) => {
        const serviceName = named(services, Number(service));
        if (!serviceName) {
            return whole;
        }
        const volumes = (Array.isArray(services) ? (services[Number(service)] as { volumes?: unknown }) : undefined)?.volumes;
        const volumeName = volume !== undefined ? named(volumes, Number(volume)) : undefined;
        return `services[${serviceName}]${volumePart === undefined ? "" : `.volumes[${volumeName ?? volume}]`}`;
    });
    return path === problem.path ? problem : { ...problem, path };
}

/**
 * A tenant file is named after its project id (`<id>.yaml`), the key that never changes. When the file and the
 * id differ the fix depends on which was meant: a file without `id` whose `name` was edited is a rename, which
 * keeps the project (namespace, bucket, data, stack) only with `id:` set to the old name.
 */
function checkFileName(file: string, spec: ProjectSpec): InputProblem[] {
    const fileId = path.basename(file).replace(/\.ya?ml$/, "");
    if (spec.id === fileId) {
        return [];
    }
    const explicitId = spec.id !== spec.name;
    return [
        {
            source: file,
            path: explicitId ? "id" : "name",
            problem: `project id "${spec.id}" must live in ${spec.id}.yaml (a tenant file is named after its id${explicitId ? "" : ", which defaults to name"})`,
            fix: explicitId
                ? `set id: ${fileId} (the id never changes; to rename the project change name only), or move the file to ${spec.id}.yaml if this is a new project`
                : `to rename project ${fileId} to ${spec.name} keep the file and add id: ${fileId} (namespace, bucket, data and stack stay; only the hosts change); for a new project, rename the file to ${spec.name}.yaml`,
        },
    ];
}

function checkAgainstStack(file: string, spec: ProjectSpec, context: TenantContext): InputProblem[] {
    const { config, secretNames } = context;
    const problems: InputProblem[] = [...checkGrants(file, spec, context), ...checkCustomDomains(file, spec, context), ...checkBucket(file, spec, config)];
    const limits = config.tenantLimits;
    const over = (key: "cpu" | "memory" | "storage", max: string) => {
        if (quantity(spec.quota[key]) > quantity(max)) {
            problems.push({ source: file, path: `quota.${key}`, problem: `${spec.quota[key]} exceeds the stack's per-tenant limit ${max} (platform:tenantLimits)`, fix: `${key}: ${max} or less, or raise platform:tenantLimits` });
        }
    };
    over("cpu", limits.maxCpu);
    over("memory", limits.maxMemory);
    over("storage", limits.maxStorage);
    if (spec.bucket && quantity(spec.bucket.size) > quantity(limits.maxBucketSize)) {
        problems.push({ source: file, path: "bucket.size", problem: `${spec.bucket.size} exceeds the stack's per-tenant bucket limit ${limits.maxBucketSize} (platform:tenantLimits.maxBucketSize; every bucket shares MinIO's volume)`, fix: `size: ${limits.maxBucketSize} or less, or ask the platform operators to raise platform:tenantLimits.maxBucketSize` });
    }
    if (spec.quota.pods > limits.maxPods) {
        problems.push({ source: file, path: "quota.pods", problem: `${spec.quota.pods} exceeds the stack's per-tenant limit ${limits.maxPods}`, fix: `pods: ${limits.maxPods} or less` });
    }
    const available = secretNames?.get(spec.id);
    for (const { container, at } of projectContainers(spec)) {
        const registry = registryOf(container.image);
        // A built service's image is the platform registry's, under the project's own path (lib/registry.ts).
        const built = "build" in container && container.build !== undefined;
        if (!built && !config.allowedRegistries.includes(registry)) {
            problems.push({ source: file, path: `${at}.image`, problem: `registry "${registry}" is not allowed on this stack`, fix: `use one of ${config.allowedRegistries.join(", ")} or add it to platform:allowedRegistries` });
        }
        for (const { name, path: where } of containerSecretNames(container, at)) {
            if (secretNames && !available?.has(name)) {
                problems.push({ source: file, path: where, problem: `secret ${name} is not set in stack config`, fix: context.secretFix?.(spec.id, name) ?? `pulumi config set --secret --path 'tenant:secrets.${name}' <value> --stack ${context.stack ?? "<region>"}--${spec.id} --cwd programs/tenant` });
            }
        }
        // The services' own resources are checked below, with their pod counts.
        if (!/^services\[\d+\]$/.test(at)) {
            for (const problem of resourceProblems(container.resources)) {
                problems.push({ source: file, path: `${at}.resources`, problem, fix: "a request must not exceed its limit" });
            }
        }
    }
    spec.services.forEach((service, index) => {
        if (service.build && !config.pools.some((p) => p.role === "build" && p.count > 0)) {
            problems.push({ source: file, path: `services[${index}].build`, problem: "this stack has no build pool: builds run only on build nodes", fix: "add a pool {role: build, count: 1, dedicated: true} to platform:pools in the stack file, or use image: instead of build:" });
        }
        // A private source's token is one of the project's own secret values: the driver hands it from the
        // tenant's stack config to the build (components/project/grants.ts), never through the tenant file.
        const token = service.build?.credentials;
        if (token !== undefined && secretNames && !available?.has(token)) {
            problems.push({ source: file, path: `services[${index}].build.credentials`, problem: `secret ${token} is not set in stack config`, fix: context.secretFix?.(spec.id, token) ?? `pulumi config set --secret --path 'tenant:secrets.${token}' <value>` });
        }
        const podsNeeded = service.autoscale?.max ?? service.replicas ?? 1;
        if (podsNeeded > spec.quota.pods) {
            problems.push({ source: file, path: `services[${index}]`, problem: `needs up to ${podsNeeded} pods but quota.pods is ${spec.quota.pods}`, fix: `raise quota.pods to at least ${podsNeeded}` });
        }
        for (const problem of resourceProblems(service.resources)) {
            problems.push({ source: file, path: `services[${index}].resources`, problem, fix: "a request must not exceed its limit" });
        }
    });
    if (spec.database) {
        const versions = Object.keys(DATABASE_IMAGES[spec.database.engine]);
        if (spec.database.version !== undefined && !versions.includes(spec.database.version)) {
            problems.push({ source: file, path: "database.version", problem: `${spec.database.engine} ${spec.database.version} is not offered by the platform`, fix: `version: '${versions[versions.length - 1]}'   # one of ${versions.join(", ")}` });
        }
        for (const problem of resourceProblems(spec.database.resources)) {
            problems.push({ source: file, path: "database.resources", problem, fix: "a request must not exceed its limit" });
        }
        if (spec.database.instances > limits.maxDatabaseInstances) {
            problems.push({ source: file, path: "database.instances", problem: `${spec.database.instances} instances exceed the platform limit of ${limits.maxDatabaseInstances}`, fix: `instances: ${limits.maxDatabaseInstances}   # or raise platform:tenantLimits.maxDatabaseInstances` });
        }
        // Instances must land on different nodes (required anti-affinity): more than the nodes would never schedule.
        const runNodes = config.pools.filter((p) => p.role === "run").reduce((n, p) => n + p.count, 0);
        const nodes = runNodes > 0 ? runNodes : config.servers.count;
        if (spec.database.instances > nodes && spec.database.instances <= limits.maxDatabaseInstances) {
            problems.push({ source: file, path: "database.instances", problem: `${spec.database.instances} instances need ${spec.database.instances} nodes for tenant pods, this stack has ${nodes}`, fix: `instances: ${nodes}` });
        }
        // The tenant-pod admission policy holds the database pods to platform:allowedRegistries too.
        const image = (DATABASE_IMAGES[spec.database.engine] as Record<string, string>)[spec.database.version ?? DEFAULT_DATABASE_VERSION[spec.database.engine]];
        if (image && !config.allowedRegistries.includes(registryOf(image))) {
            problems.push({ source: file, path: "database.engine", problem: `the platform's ${spec.database.engine} image comes from ${registryOf(image)}, which platform:allowedRegistries does not allow on this stack`, fix: `add ${registryOf(image)} to platform:allowedRegistries in the stack file` });
        }
        // The Percona operator's pods beside MySQL (init copy, HAProxy, XtraBackup Jobs, binlog collector) too.
        if (spec.database.engine === "mysql") {
            const version = (spec.database.version ?? DEFAULT_DATABASE_VERSION.mysql) as keyof typeof MYSQL_OPERATOR_IMAGES.backup;
            const companions = [MYSQL_OPERATOR_IMAGES.operator.repository, MYSQL_OPERATOR_IMAGES.haproxy, MYSQL_OPERATOR_IMAGES.backup[version]].filter(Boolean);
            for (const registry of new Set(companions.map(registryOf))) {
                if (registry !== (image ? registryOf(image) : undefined) && !config.allowedRegistries.includes(registry)) {
                    problems.push({ source: file, path: "database.engine", problem: `the platform's MySQL operator images come from ${registry}, which platform:allowedRegistries does not allow on this stack`, fix: `add ${registry} to platform:allowedRegistries in the stack file` });
                }
            }
        }
        // The MySQL pack rule and admission twin refuse a cluster without its off-cluster backups: say so here, by the file.
        if (spec.database.engine === "mysql" && !config.backup.s3) {
            problems.push({ source: file, path: "database.engine", problem: "a MySQL database backs up to the stack's off-cluster target, and this stack has none (platform:backup.s3)", fix: "set platform:backup.s3 in the stack file, or use engine: postgresql" });
        } else if (spec.database.restore && !config.backup.s3) {
            problems.push({ source: file, path: "database.restore", problem: "this stack has no backup target (platform:backup.s3) to restore from", fix: "remove restore, or set platform:backup.s3 in the stack file" });
        }
    }
    if (spec.mongodb) {
        problems.push(...checkMongoDb(file, spec.mongodb, config, limits.maxDatabaseInstances));
    }
    if (spec.redis) {
        problems.push(...checkRedis(file, spec.redis, config, limits.maxDatabaseInstances));
    }
    problems.push(...checkFootprint(file, spec, limits.maxEphemeralStorage));
    return problems;
}

/** A project's Redis within the platform's offer: pinned version, member limit, nodes for its members, allowed registry. */
function checkRedis(file: string, redis: NonNullable<ProjectSpec["redis"]>, config: PlatformConfig, maxInstances: number): InputProblem[] {
    const problems: InputProblem[] = [];
    const versions = Object.keys(REDIS_IMAGES.redis);
    if (redis.version !== undefined && !versions.includes(redis.version)) {
        problems.push({ source: file, path: "redis.version", problem: `Redis ${redis.version} is not offered by the platform`, fix: `version: '${versions[versions.length - 1]}'   # one of ${versions.join(", ")}` });
    }
    for (const problem of resourceProblems(redis.resources)) {
        problems.push({ source: file, path: "redis.resources", problem, fix: "a request must not exceed its limit" });
    }
    if (redis.replicas > maxInstances) {
        problems.push({ source: file, path: "redis.replicas", problem: `${redis.replicas} members exceed the platform limit of ${maxInstances}`, fix: `replicas: ${maxInstances}   # or raise platform:tenantLimits.maxDatabaseInstances` });
    }
    // Members land on different nodes (required anti-affinity, components/project/redis.ts): more would never schedule.
    const runNodes = config.pools.filter((p) => p.role === "run").reduce((n, p) => n + p.count, 0);
    const nodes = runNodes > 0 ? runNodes : config.servers.count;
    if (redis.replicas > nodes && redis.replicas <= maxInstances) {
        problems.push({ source: file, path: "redis.replicas", problem: `${redis.replicas} members need ${redis.replicas} nodes for tenant pods, this stack has ${nodes}`, fix: `replicas: ${nodes}` });
    }
    // The tenant-pod admission policy holds the operator's pods to platform:allowedRegistries too.
    const version = (redis.version ?? DEFAULT_REDIS_VERSION) as keyof typeof REDIS_IMAGES.redis;
    const images = [REDIS_IMAGES.redis[version], REDIS_IMAGES.sentinel[version], REDIS_IMAGES.exporter].filter(Boolean);
    for (const registry of new Set(images.map(registryOf))) {
        if (!config.allowedRegistries.includes(registry)) {
            problems.push({ source: file, path: "redis", problem: `the platform's Redis images come from ${registry}, which platform:allowedRegistries does not allow on this stack`, fix: `add ${registry} to platform:allowedRegistries in the stack file` });
        }
    }
    return problems;
}

/** The project at full scale (autoscale max, database, one release surge: a rolling-update pod or a blue/green service's new set) must fit its own quota. */
/** A project's MongoDB within the platform's offer: pinned version, member limit, nodes for its members, allowed registry, a backup target to restore from. */
function checkMongoDb(file: string, mongodb: NonNullable<ProjectSpec["mongodb"]>, config: PlatformConfig, maxInstances: number): InputProblem[] {
    const problems: InputProblem[] = [];
    // The MongoDB pack rule and admission twin refuse a replica set without its off-cluster backups: say so here, by the file.
    if (!config.backup.s3) {
        problems.push({ source: file, path: "mongodb", problem: "a MongoDB backs up to the stack's off-cluster target, and this stack has none (platform:backup.s3)", fix: "set platform:backup.s3 in the stack file" });
    }
    const versions = Object.keys(MONGODB_IMAGES.mongod);
    if (mongodb.version !== undefined && !versions.includes(mongodb.version)) {
        problems.push({ source: file, path: "mongodb.version", problem: `MongoDB ${mongodb.version} is not offered by the platform`, fix: `version: '${versions[versions.length - 1]}'   # one of ${versions.join(", ")}` });
    }
    for (const problem of resourceProblems(mongodb.resources)) {
        problems.push({ source: file, path: "mongodb.resources", problem, fix: "a request must not exceed its limit" });
    }
    if (mongodb.instances > maxInstances) {
        problems.push({ source: file, path: "mongodb.instances", problem: `${mongodb.instances} members exceed the platform limit of ${maxInstances}`, fix: `instances: ${maxInstances % 2 === 0 ? maxInstances - 1 : maxInstances}   # or raise platform:tenantLimits.maxDatabaseInstances` });
    }
    // Members land on different nodes (the operator's required anti-affinity): more than the nodes would never schedule.
    const runNodes = config.pools.filter((p) => p.role === "run").reduce((n, p) => n + p.count, 0);
    const nodes = runNodes > 0 ? runNodes : config.servers.count;
    if (mongodb.instances > nodes && mongodb.instances <= maxInstances) {
        problems.push({ source: file, path: "mongodb.instances", problem: `${mongodb.instances} members need ${mongodb.instances} nodes for tenant pods, this stack has ${nodes}`, fix: `instances: ${nodes % 2 === 0 ? nodes - 1 : nodes}` });
    }
    // The tenant-pod admission policy holds the replica-set pods to platform:allowedRegistries too.
    const images = [MONGODB_IMAGES.mongod[(mongodb.version ?? DEFAULT_MONGODB_VERSION) as keyof typeof MONGODB_IMAGES.mongod], MONGODB_IMAGES.backup, MONGODB_IMAGES.exporter, MONGODB_IMAGES.operator.repository].filter(Boolean);
    for (const registry of new Set(images.map(registryOf))) {
        if (!config.allowedRegistries.includes(registry)) {
            problems.push({ source: file, path: "mongodb", problem: `the platform's MongoDB images come from ${registry}, which platform:allowedRegistries does not allow on this stack`, fix: `add ${registry} to platform:allowedRegistries in the stack file` });
        }
    }
    if (mongodb.restore && !config.backup.s3) {
        problems.push({ source: file, path: "mongodb.restore", problem: "this stack has no backup target (platform:backup.s3) to restore from", fix: "remove restore, or set platform:backup.s3 in the stack file" });
    }
    return problems;
}

/** The project at full scale (autoscale max, database, one rolling-update surge pod) must fit its own quota. */
function checkFootprint(file: string, spec: ProjectSpec, maxEphemeral: string): InputProblem[] {
    const need = projectFootprint(spec);
    const problems: InputProblem[] = [];
    const gib = (bytes: number) => `${Math.ceil((bytes / GIB) * 100) / 100}Gi`;
    const quotaCpu = quantity(spec.quota.cpu);
    const quotaMemory = quantity(spec.quota.memory);
    const why = "summed over every service at its maximum replicas, the database and one release surge (a rolling-update pod, or a blue/green service's whole new set)";
    if (need.requestsCpu > quotaCpu + 1e-9) {
        problems.push({ source: file, path: "quota.cpu", problem: `the project requests ${millicores(need.requestsCpu)} CPU (${why}) but quota.cpu is ${spec.quota.cpu}`, fix: `cpu: ${millicores(need.requestsCpu)} or more, or lower services[].resources.requests.cpu` });
    }
    if (need.limitsCpu > quotaCpu * CPU_LIMIT_FACTOR + 1e-9) {
        problems.push({ source: file, path: "quota.cpu", problem: `CPU limits add up to ${millicores(need.limitsCpu)} (${why}) but the namespace allows ${CPU_LIMIT_FACTOR} × quota.cpu = ${millicores(quotaCpu * CPU_LIMIT_FACTOR)}`, fix: `cpu: ${millicores(need.limitsCpu / CPU_LIMIT_FACTOR)} or more, or lower services[].resources.limits.cpu` });
    }
    if (need.limitsMemory > quotaMemory) {
        problems.push({ source: file, path: "quota.memory", problem: `memory limits add up to ${gib(need.limitsMemory)} (${why}) but quota.memory is ${spec.quota.memory}`, fix: `memory: ${gib(need.limitsMemory)} or more, or lower services[].resources.limits.memory` });
    }
    // The bucket's quota is reserved on MinIO's shared volume: it counts with the claims.
    if (need.storage + need.bucket > quantity(spec.quota.storage)) {
        const bucket = spec.bucket ? ` and the bucket (bucket.size ${spec.bucket.size})` : "";
        problems.push({
            source: file,
            path: "quota.storage",
            problem: `volumes (× replicas), the database${bucket} need ${gib(need.storage + need.bucket)} but quota.storage is ${spec.quota.storage}`,
            fix: `storage: ${gib(need.storage + need.bucket)} or more, or smaller volumes${bucket ? " or a smaller bucket.size" : ""}`,
        });
    }
    const ephemeral = ephemeralStorageQuota(spec);
    if (spec.quota.ephemeralStorage !== undefined && need.ephemeralStorage > quantity(spec.quota.ephemeralStorage)) {
        problems.push({ source: file, path: "quota.ephemeralStorage", problem: `tmpDirs (${TMP_DIR_SIZE} each) and logs need ${gib(need.ephemeralStorage)} (${why}) but quota.ephemeralStorage is ${spec.quota.ephemeralStorage}`, fix: `ephemeralStorage: ${gib(need.ephemeralStorage)} or more, or fewer tmpDirs` });
    }
    if (quantity(ephemeral) > quantity(maxEphemeral)) {
        problems.push({ source: file, path: spec.quota.ephemeralStorage !== undefined ? "quota.ephemeralStorage" : "services", problem: `the namespace needs ${ephemeral} of ephemeral storage (tmpDirs, logs) but the stack allows at most ${maxEphemeral} (platform:tenantLimits.maxEphemeralStorage)`, fix: "fewer tmpDirs or replicas, or ask the platform operators to raise platform:tenantLimits.maxEphemeralStorage" });
    }
    if (need.pods > spec.quota.pods) {
        problems.push({ source: file, path: "quota.pods", problem: `the project runs up to ${need.pods} pods (${why}) but quota.pods is ${spec.quota.pods}`, fix: `pods: ${need.pods} or more` });
    }
    return problems;
}

/** The registry host of an image reference (`docker.io` for short names). */
export function registryOf(image: string): string {
    const first = image.split("/")[0] ?? "";
    return image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost") ? first : "docker.io";
}

/** Where a grant fix points the operators. */
function grantFix(context: TenantContext, project: string, what: string): string {
    return `ask the platform operators to add ${what} to platform:projectGrants.${project} in Pulumi.${context.stack ?? "<stack>"}.yaml`;
}

/** Every privilege the file asks for must be granted in `platform:projectGrants.<name>`. */
function checkGrants(file: string, spec: ProjectSpec, context: TenantContext): InputProblem[] {
    const grant = projectGrant(context.config, spec.id);
    const problems: InputProblem[] = [];
    if (spec.trust === "trusted" && grant.trust !== "trusted") {
        problems.push({ source: file, path: "trust", problem: "trust: trusted (no gVisor sandbox) is not granted to this project; a tenant file cannot grant itself trust", fix: `${grantFix(context, spec.id, "trust: trusted")}, or remove trust from the file` });
    }
    spec.egress?.ports.forEach((entry, index) => {
        if (!grant.egressPorts.some((g) => g.port === entry.port && g.protocol === entry.protocol)) {
            problems.push({ source: file, path: `egress.ports[${index}]`, problem: `egress to ${entry.protocol} ${entry.port} is not granted to this project`, fix: grantFix(context, spec.id, `egressPorts: [{port: ${entry.port}, protocol: ${entry.protocol}}]`) });
        }
    });
    spec.services.forEach((service, index) => {
        (service.expose?.customDomains ?? []).forEach((domain, j) => {
            if (!grant.customDomains.some((g) => withinDomain(domain, g))) {
                problems.push({ source: file, path: `services[${index}].expose.customDomains[${j}]`, problem: `custom domain ${domain} is not granted to this project`, fix: grantFix(context, spec.id, `customDomains: [${domain}]`) });
            }
        });
    });
    if (spec.redis?.restore && !(grant.volumeBackups ?? []).includes(spec.redis.restore.volume)) {
        problems.push({
            source: file,
            path: "redis.restore.volume",
            problem: `Longhorn volume ${spec.redis.restore.volume} is not granted to this project: a tenant file can restore only backups the operators confirmed are its own`,
            fix: grantFix(context, spec.id, `volumeBackups: [${spec.redis.restore.volume}]`),
        });
    }
    spec.services.forEach((service, index) => {
        service.volumes.forEach((volume, j) => {
            const restore = volume.restore;
            if (!restore) {
                return;
            }
            if (!(grant.volumeBackups ?? []).includes(restore.volume)) {
                problems.push({
                    source: file,
                    path: `services[${index}].volumes[${j}].restore.volume`,
                    problem: `Longhorn volume ${restore.volume} is not granted to this project: a tenant file can restore only backups the operators confirmed are its own`,
                    fix: grantFix(context, spec.id, `volumeBackups: [${restore.volume}]`),
                });
            }
            if (restore.ordinal >= maxReplicas(service)) {
                problems.push({ source: file, path: `services[${index}].volumes[${j}].restore.ordinal`, problem: `replica ${restore.ordinal} does not exist (the service runs at most ${maxReplicas(service)})`, fix: "ordinal: 0" });
            }
        });
    });
    spec.services.forEach((service, index) => {
        service.ports.forEach((p, j) => {
            if (p.public && !grant.publicPorts.some((g) => g.port === p.port && g.protocol === p.protocol)) {
                problems.push({
                    source: file,
                    path: `services[${index}].ports[${j}].public`,
                    problem: `public ${p.protocol} ${p.port} is not granted to this project (it would be the entry point ${publicEntryPointName(p)} on the floating IPs)`,
                    fix: `${grantFix(context, spec.id, `publicPorts: [{port: ${p.port}, protocol: ${p.protocol}}]`)}, or set public: false`,
                });
            }
        });
    });
    spec.services.forEach((service, index) => {
        if (service.build && !gitSourceGranted(service.build.git, grant.git)) {
            problems.push({ source: file, path: `services[${index}].build.git`, problem: `git source ${service.build.git} is not granted to this project`, fix: grantFix(context, spec.id, `git: [${service.build.git}]`) });
        }
    });
    if (spec.git && !gitSourceGranted(spec.git.repoURL, grant.git)) {
        problems.push({ source: file, path: "git.repoURL", problem: `git source ${spec.git.repoURL} is not granted to this project`, fix: grantFix(context, spec.id, `git: [${spec.git.repoURL}]`) });
    }
    return problems;
}

/**
 * Custom domains stay out of every platform host space: the stack's own domain (equal, inside it, or a
 * parent zone of it) and the domains of the repository's other stacks.
 */
function checkCustomDomains(file: string, spec: ProjectSpec, context: TenantContext): InputProblem[] {
    const spaces = [{ stack: context.stack ?? "this stack", domain: context.config.domain, own: true }, ...(context.otherStackDomains ?? []).map((o) => ({ ...o, own: false }))];
    const problems: InputProblem[] = [];
    spec.services.forEach((service, index) => {
        (service.expose?.customDomains ?? []).forEach((domain, j) => {
            for (const space of spaces) {
                if (withinDomain(domain, space.domain) || withinDomain(space.domain, domain)) {
                    const relation = domain === space.domain ? "is" : withinDomain(domain, space.domain) ? "is inside" : "is a parent zone of";
                    problems.push({
                        source: file,
                        path: `services[${index}].expose.customDomains[${j}]`,
                        problem: `${domain} ${relation} the platform domain ${space.domain}${space.own ? "" : ` of stack ${space.stack}`}; those names are assigned by the platform`,
                        fix: "use a domain you own outside every platform domain; the platform host of the service needs no custom domain",
                    });
                    break;
                }
            }
        });
    });
    return problems;
}

/** Buckets the platform itself uses on this stack (MinIO's, and the external etcd/backup targets' names). */
export function platformBucketNames(config: PlatformConfig): string[] {
    return [...Object.values(PLATFORM_BUCKETS), config.cluster.etcdSnapshots.s3.bucket, ...(config.addons.longhorn.external ? [config.addons.longhorn.external.bucket] : []), ...(config.backup.s3 ? [config.backup.s3.bucket] : [])];
}

function checkBucket(file: string, spec: ProjectSpec, config: PlatformConfig): InputProblem[] {
    if (!spec.bucket) {
        return [];
    }
    const bucket = tenantBucketName(spec.id, spec.bucket.name);
    if (!platformBucketNames(config).includes(bucket)) {
        return [];
    }
    return [
        {
            source: file,
            path: spec.bucket.name ? "bucket.name" : "bucket",
            problem: `the project's bucket would be "${bucket}", which is a platform bucket (Loki, Longhorn backups or etcd snapshots)`,
            fix: "give the bucket a name (bucket: {name: uploads}) or choose another project id",
        },
    ];
}

/**
 * No project's namespace may be another namespace followed by `-` (`shop` and `shop-eu`, or `cert` beside the
 * platform's `cert-manager`). Traefik names every backend `<namespace>-<service>-<port>@kubernetes` and its
 * metrics carry only that name, so with both namespaces `shop`/`eu-web` and `shop-eu`/`web` would be one series:
 * the error rate that judges a blue/green release and the HTTP egress bill would mix two projects. Without such a
 * pair the name is unambiguous: two different namespaces N, N' with N-X = N'-X' force the shorter to be a
 * `-`-prefix of the longer. The later file of a pair is the offender (a platform namespace always wins).
 */
function namespacePrefixProblems(projects: TenantProject[]): InputProblem[] {
    const problems: InputProblem[] = [];
    const taken: Array<{ namespace: string; owner: string }> = PLATFORM_NAMESPACES.map((namespace) => ({ namespace, owner: `the platform's namespace ${namespace}` }));
    for (const { file, spec } of projects) {
        const clash = taken.find(({ namespace }) => spec.id.startsWith(`${namespace}-`) || namespace.startsWith(`${spec.id}-`));
        if (clash) {
            problems.push({
                source: file,
                path: spec.id === spec.name ? "name" : "id",
                problem: `project id "${spec.id}" and ${clash.owner} ("${clash.namespace}") differ only by a "-<suffix>": Traefik's metrics name backends <namespace>-<service>-<port>, so their series could not be told apart (release analysis, HTTP egress billing)`,
                fix: `choose an id that is neither "${clash.namespace}-…" nor a prefix of "${clash.namespace}" followed by "-" (e.g. "${spec.id.replace(/-/g, "")}")`,
            });
        } else {
            taken.push({ namespace: spec.id, owner: file });
        }
    }
    return problems;
}

/**
 * A production stack's backup endpoints must not resolve to a project's Service: a two-label name `<svc>.<id>`
 * (e.g. `minio.caracal`, a tenant's own MinIO) resolves through the pods' DNS search path to `<svc>.<id>.svc.cluster.local`,
 * the same way `minio.minio` does for a platform namespace (which the stack config's own check refuses,
 * lib/config/schema.ts). Only here are the projects' namespaces (their ids) known, so the problem names the stack
 * file and key, and the project whose namespace it is.
 */
export function inClusterBackupTargetProblems(projects: readonly TenantProject[], context: TenantContext): InputProblem[] {
    if (context.config.environment !== "production") {
        return [];
    }
    const namespaces = new Map(projects.map(({ file, spec }) => [spec.id, file]));
    return offClusterBackupTargets(context.config).flatMap(({ path, host }) => {
        // Names the stack config already refuses (platform namespaces, *.svc, addresses) are reported there.
        const owner = nonPublicHostReason(host, PLATFORM_NAMESPACES) === undefined ? [...namespaces.keys()].find((id) => nonPublicHostReason(host, [id]) !== undefined) : undefined;
        return owner === undefined
            ? []
            : [{
                  source: `Pulumi.${context.stack ?? "<stack>"}.yaml`,
                  path: `platform:${path.join(".")}`,
                  problem: `a production stack's backups must leave the cluster: ${host} resolves inside the cluster to a Service in project ${owner}'s namespace (${namespaces.get(owner)})`,
                  fix: OFF_CLUSTER_ENDPOINT_FIX,
              }];
    });
}

function checkAcrossProjects(projects: TenantProject[], context: TenantContext): InputProblem[] {
    const { domain } = context.config;
    const problems: InputProblem[] = [];
    const ids = new Map<string, string>();
    const names = new Map<string, string>();
    const buckets = new Map<string, string>();
    for (const { file, spec } of projects) {
        const idOwner = ids.get(spec.id);
        if (idOwner) {
            problems.push({ source: file, path: spec.id === spec.name ? "name" : "id", problem: `project id "${spec.id}" is already the id of ${idOwner}`, fix: "give every project a unique id (id defaults to name)" });
        } else {
            ids.set(spec.id, file);
        }
        const nameOwner = names.get(spec.name);
        if (nameOwner) {
            problems.push({ source: file, path: "name", problem: `project "${spec.name}" is already declared in ${nameOwner}`, fix: "give every project a unique name" });
        } else {
            names.set(spec.name, file);
        }
        if (spec.bucket) {
            const bucket = tenantBucketName(spec.id, spec.bucket.name);
            const owner = buckets.get(bucket);
            if (owner && owner !== file) {
                problems.push({ source: file, path: "bucket", problem: `bucket "${bucket}" is already the bucket of ${owner}`, fix: "give the bucket another name" });
            } else {
                buckets.set(bucket, file);
            }
        }
    }
    problems.push(...namespacePrefixProblems(projects));
    // Platform hosts first: they belong to their service by right, so a custom domain that takes one is the
    // offender, whichever file sorts first; between two custom domains the later file is.
    const hosts = new Map<string, string>();
    for (const { file, spec } of projects) {
        spec.services.forEach((service, index) => {
            if (serviceHosts(spec, service.name, domain).length > 0) {
                hosts.set(`${service.name}.${spec.name}.${domain}`, `${file} services[${service.name}] (platform host)`);
            }
        });
    }
    for (const { file, spec } of projects) {
        spec.services.forEach((service, index) => {
            if (service.expose?.public !== true) {
                return;
            }
            (service.expose?.customDomains ?? []).forEach((host, j) => {
                const owner = hosts.get(host);
                if (owner) {
                    problems.push({ source: file, path: `services[${index}].expose.customDomains[${j}]`, problem: `host ${host} is already served by ${owner}`, fix: "every public host must belong to one service: remove it here or there" });
                } else {
                    hosts.set(host, `${file} services[${service.name}]`);
                }
            });
        });
    }
    return problems;
}
