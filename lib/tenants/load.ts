import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { PROJECT_EXAMPLES, projectSchema, type ProjectSpec } from "./schema";
import type { PlatformConfig } from "../config/schema";
import { InputValidationError, issuesToProblems, type InputProblem } from "../validation";
import { GIB, quantity } from "../quantity";
import { CPU_LIMIT_FACTOR, millicores, projectFootprint, resourceProblems } from "./footprint";
import { DATABASE_IMAGES } from "../../charts/images";

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
    /** Names of tenant secrets set in stack config, per project. */
    secretNames: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Directory holding a stack's tenant files. */
export function catalogDirectory(rootDir: string, stack: string): string {
    return path.join(rootDir, "stacks", stack, "projects");
}

/** Public hosts of one service: `<service>.<project>.<domain>` plus its custom domains. */
export function serviceHosts(project: ProjectSpec, serviceName: string, domain: string): string[] {
    const service = project.services.find((s) => s.name === serviceName);
    if (!service || !(service.expose?.public ?? true)) {
        return [];
    }
    return [`${service.name}.${project.name}.${domain}`, ...(service.expose?.customDomains ?? [])];
}

/**
 * Loads every `*.yaml` of `stacks/<stack>/projects/` and validates it alone and against the others.
 * A missing or empty directory is a valid, empty catalog. Throws `InputValidationError` with every problem.
 */
export function loadTenantCatalog(rootDir: string, stack: string, context: TenantContext): TenantProject[] {
    const dir = catalogDirectory(rootDir, stack);
    const files = fs.existsSync(dir)
        ? fs.readdirSync(dir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml")).sort()
        : [];
    const documents = files.map((file) => ({
        file: path.relative(rootDir, path.join(dir, file)),
        text: fs.readFileSync(path.join(dir, file), "utf8"),
    }));
    return validateTenantDocuments(documents, context);
}

/** Validates already-read tenant documents (exported for tests and the benchmark's generated tenants). */
export function validateTenantDocuments(documents: ReadonlyArray<{ file: string; text: string }>, context: TenantContext): TenantProject[] {
    const problems: InputProblem[] = [];
    const projects: TenantProject[] = [];
    for (const { file, text } of documents) {
        let data: unknown;
        try {
            data = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
        } catch (error) {
            problems.push({ source: file, path: "(file)", problem: `is not valid YAML: ${(error as Error).message.split("\n")[0]}`, fix: "fix the YAML syntax (indentation, quotes)" });
            continue;
        }
        const parsed = projectSchema.safeParse(data ?? {});
        if (!parsed.success) {
            problems.push(...issuesToProblems(file, "", parsed.error.issues, PROJECT_EXAMPLES));
            continue;
        }
        const spec = parsed.data;
        const expectedName = path.basename(file).replace(/\.ya?ml$/, "");
        if (spec.name !== expectedName) {
            problems.push({ source: file, path: "name", problem: `project "${spec.name}" must live in ${expectedName === spec.name ? file : `${spec.name}.yaml`}`, fix: `rename the file to ${spec.name}.yaml or set name: ${expectedName}` });
        }
        problems.push(...checkAgainstStack(file, spec, context));
        projects.push({ file, spec });
    }
    problems.push(...checkAcrossProjects(projects, context.config.domain));
    if (problems.length > 0) {
        throw new InputValidationError(problems);
    }
    return projects;
}

function checkAgainstStack(file: string, spec: ProjectSpec, { config, secretNames }: TenantContext): InputProblem[] {
    const problems: InputProblem[] = [];
    const limits = config.tenantLimits;
    const over = (key: "cpu" | "memory" | "storage", max: string) => {
        if (quantity(spec.quota[key]) > quantity(max)) {
            problems.push({ source: file, path: `quota.${key}`, problem: `${spec.quota[key]} exceeds the stack's per-tenant limit ${max} (platform:tenantLimits)`, fix: `${key}: ${max} or less, or raise platform:tenantLimits` });
        }
    };
    over("cpu", limits.maxCpu);
    over("memory", limits.maxMemory);
    over("storage", limits.maxStorage);
    if (spec.quota.pods > limits.maxPods) {
        problems.push({ source: file, path: "quota.pods", problem: `${spec.quota.pods} exceeds the stack's per-tenant limit ${limits.maxPods}`, fix: `pods: ${limits.maxPods} or less` });
    }
    const available = secretNames.get(spec.name) ?? new Set<string>();
    spec.services.forEach((service, index) => {
        const registry = registryOf(service.image);
        if (!config.allowedRegistries.includes(registry)) {
            problems.push({ source: file, path: `services[${index}].image`, problem: `registry "${registry}" is not allowed on this stack`, fix: `use one of ${config.allowedRegistries.join(", ")} or add it to platform:allowedRegistries` });
        }
        service.secretEnv.forEach((name, j) => {
            if (!available.has(name)) {
                problems.push({ source: file, path: `services[${index}].secretEnv[${j}]`, problem: `secret ${name} is not set in stack config`, fix: `pulumi config set --secret --path 'platform:tenantSecrets.${spec.name}.${name}' <value>` });
            }
        });
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
    }
    problems.push(...checkFootprint(file, spec));
    return problems;
}

/** The project at full scale (autoscale max, database, one rolling-update surge pod) must fit its own quota. */
function checkFootprint(file: string, spec: ProjectSpec): InputProblem[] {
    const need = projectFootprint(spec);
    const problems: InputProblem[] = [];
    const gib = (bytes: number) => `${Math.ceil((bytes / GIB) * 100) / 100}Gi`;
    const quotaCpu = quantity(spec.quota.cpu);
    const quotaMemory = quantity(spec.quota.memory);
    const why = "summed over every service at its maximum replicas, the database and one rolling-update surge pod";
    if (need.requestsCpu > quotaCpu + 1e-9) {
        problems.push({ source: file, path: "quota.cpu", problem: `the project requests ${millicores(need.requestsCpu)} CPU (${why}) but quota.cpu is ${spec.quota.cpu}`, fix: `cpu: ${millicores(need.requestsCpu)} or more, or lower services[].resources.requests.cpu` });
    }
    if (need.limitsCpu > quotaCpu * CPU_LIMIT_FACTOR + 1e-9) {
        problems.push({ source: file, path: "quota.cpu", problem: `CPU limits add up to ${millicores(need.limitsCpu)} (${why}) but the namespace allows ${CPU_LIMIT_FACTOR} × quota.cpu = ${millicores(quotaCpu * CPU_LIMIT_FACTOR)}`, fix: `cpu: ${millicores(need.limitsCpu / CPU_LIMIT_FACTOR)} or more, or lower services[].resources.limits.cpu` });
    }
    if (need.limitsMemory > quotaMemory) {
        problems.push({ source: file, path: "quota.memory", problem: `memory limits add up to ${gib(need.limitsMemory)} (${why}) but quota.memory is ${spec.quota.memory}`, fix: `memory: ${gib(need.limitsMemory)} or more, or lower services[].resources.limits.memory` });
    }
    if (need.storage > quantity(spec.quota.storage)) {
        problems.push({ source: file, path: "quota.storage", problem: `volumes (× replicas) and the database need ${gib(need.storage)} but quota.storage is ${spec.quota.storage}`, fix: `storage: ${gib(need.storage)} or more, or smaller volumes` });
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

function checkAcrossProjects(projects: TenantProject[], domain: string): InputProblem[] {
    const problems: InputProblem[] = [];
    const names = new Map<string, string>();
    const hosts = new Map<string, string>();
    for (const { file, spec } of projects) {
        const firstFile = names.get(spec.name);
        if (firstFile) {
            problems.push({ source: file, path: "name", problem: `project "${spec.name}" is already declared in ${firstFile}`, fix: "give every project a unique name" });
        } else {
            names.set(spec.name, file);
        }
        spec.services.forEach((service, index) => {
            for (const host of serviceHosts(spec, service.name, domain)) {
                const owner = hosts.get(host);
                if (owner) {
                    problems.push({ source: file, path: `services[${index}].expose`, problem: `host ${host} is already served by ${owner}`, fix: "every public host must belong to one service" });
                } else {
                    hosts.set(host, `${file} services[${index}]`);
                }
                if (host !== `${service.name}.${spec.name}.${domain}` && host.endsWith(`.${domain}`)) {
                    problems.push({ source: file, path: `services[${index}].expose.customDomains`, problem: `${host} is inside the platform domain ${domain}; those names are assigned by the platform`, fix: "use a domain you own outside the platform domain" });
                }
            }
        });
    }
    return problems;
}
