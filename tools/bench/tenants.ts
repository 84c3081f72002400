/**
 * The benchmark's synthetic regions: tenants generated from the shipped example tenants
 * (`stacks/<stack>/projects/*.yaml`, with the grants their stacks give them), and the dev stack's config sized so
 * the generated catalog passes the same catalog check (capacity included) as a real region.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { projectGrantSchema, tenantLimitsSchema, type PlatformConfig, type ProjectGrant } from "../../lib/config/schema";
import { DEFAULT_BUCKET_SIZE } from "../../lib/tenants/schema";
import { quantity } from "../../lib/quantity";
import { catalogDirectory, validateTenantDocuments, type TenantProject } from "../../lib/tenants/load";
import { checkCapacity } from "../../lib/tenants/capacity";
import { longhornReplicaCount } from "../../components/longhorn/values";
import { minioUsableBytes } from "../../components/minio/values";
import { readCatalogDirectory } from "../../lib/tenants/read";
import { readStackConfig, shippedStacks } from "../offline/stack-files";
import { platformConfigFromStack } from "../offline/reports";

/** One shipped example tenant: its file as data and the grant its stack gives it. */
export interface ExampleShape {
    /** Stack the example ships in. */
    stack: string;
    /** Project name. */
    name: string;
    /** The parsed tenant file. */
    doc: Record<string, unknown>;
    /** `platform:projectGrants.<name>` of its stack (defaults filled in). */
    grant: ProjectGrant;
}

/** One generated tenant project (YAML text) and what it needs from the region. */
export interface GeneratedTenant {
    /** Project name (and id). */
    name: string;
    /** Which shipped example it copies. */
    shape: string;
    /** The tenant file. */
    text: string;
    /** The quota its file asks for. */
    quota: { cpu: string; memory: string; storage: string; pods: number };
    /** What the stack config must grant it (`platform:projectGrants.<name>`). */
    grant: ProjectGrant;
    /** The secret names its file refers to (secretEnv and secret files), as its tenant stack must hold them. */
    secretNames: string[];
}

/**
 * How often each example appears, per 50 tenants: a PaaS region holds mostly small web apps, a few data-heavy
 * projects and rare clustered or chain workloads (whose volumes dominate the storage). Examples not listed
 * (shipped later) appear once per 50.
 */
export const SHAPE_WEIGHTS: Readonly<Record<string, number>> = { hello: 22, "paas-app": 22, nodezero: 2, cars: 2, caracal: 1, "chain-nodes": 1 };

/** The shipped example tenants, one per name (the first stack in name order that ships it), in name order. */
export function shippedShapes(rootDir: string): ExampleShape[] {
    const byName = new Map<string, ExampleShape>();
    for (const stack of shippedStacks(rootDir)) {
        const raw = readStackConfig(rootDir, stack);
        const grants = (raw["platform:projectGrants"] ? JSON.parse(raw["platform:projectGrants"]) : {}) as Record<string, unknown>;
        for (const read of readCatalogDirectory(catalogDirectory(rootDir, stack), rootDir)) {
            if (!("text" in read)) {
                throw new Error(`bench: cannot read the shipped example ${read.problem.source}: ${read.problem.problem}`);
            }
            const doc = yaml.load(read.text) as Record<string, unknown>;
            const name = String(doc.name);
            if (!byName.has(name)) {
                byName.set(name, { stack, name, doc, grant: projectGrantSchema.parse(grants[name] ?? {}) });
            }
        }
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The example each tenant index copies: a smooth weighted round-robin over {@link SHAPE_WEIGHTS} (deterministic,
 * and the rare shapes spread over the catalog rather than bunched), so the first ten tenants already mix shapes.
 */
export function shapeSequence(shapes: readonly ExampleShape[], count: number): ExampleShape[] {
    const weights = shapes.map((s) => SHAPE_WEIGHTS[s.name] ?? 1);
    const total = weights.reduce((a, b) => a + b, 0);
    const current = shapes.map(() => 0);
    const out: ExampleShape[] = [];
    for (let n = 0; n < count; n++) {
        let best = 0;
        for (let i = 0; i < shapes.length; i++) {
            current[i]! += weights[i]!;
            if (current[i]! > current[best]!) {
                best = i;
            }
        }
        current[best]! -= total;
        out.push(shapes[best]!);
    }
    return out;
}

type Doc = Record<string, unknown>;
const list = (value: unknown): Doc[] => (Array.isArray(value) ? (value as Doc[]) : []);

/** A copy of the example's git URL (and grant entry) unique to the tenant: `…/hello-deploy.git` → `…/hello-deploy-0007.git`. */
function renamedRepo(url: string, suffix: string): string {
    return url.endsWith(".git") ? `${url.slice(0, -4)}-${suffix}.git` : `${url}-${suffix}`;
}

/**
 * Tenant `index` (1-based) of a generated region: a copy of `shape` renamed `<example>-<index>`, with its own
 * owner, custom domains (`<name>.<example's domain>`) and git repository, granted what the example's stack grants
 * the example. Public TCP/UDP ports belong to one project per region: only the first copy of an example keeps
 * them (`keepPublicPorts`); later copies serve those ports inside the cluster only.
 */
export function generateTenant(shape: ExampleShape, index: number, keepPublicPorts: boolean): GeneratedTenant {
    const suffix = String(index).padStart(4, "0");
    const name = `${shape.name}-${suffix}`;
    const doc = structuredClone(shape.doc);
    doc.name = name;
    delete doc.id;
    doc.owner = { name: `Team ${name}`, email: `${name}@example.com` };
    const domains = new Map(shape.grant.customDomains.map((d) => [d, `${name}.${d}`]));
    const services = list(doc.services);
    for (const service of services) {
        const expose = service.expose as Doc | undefined;
        if (expose && Array.isArray(expose.customDomains)) {
            expose.customDomains = (expose.customDomains as string[]).map((d) => domains.get(d) ?? `${name}.${d}`);
        }
        // A build's source is a git grant like the project's own repository: the copy builds from its own copy.
        const build = service.build as Doc | undefined;
        if (build && typeof build.git === "string" && shape.grant.git.includes(build.git)) {
            build.git = renamedRepo(build.git, suffix);
        }
        if (!keepPublicPorts) {
            for (const port of list(service.ports)) {
                delete port.public;
            }
        }
    }
    const git = doc.git as Doc | undefined;
    if (git && typeof git.repoURL === "string") {
        git.repoURL = renamedRepo(git.repoURL, suffix);
    }
    const grant: ProjectGrant = {
        ...shape.grant,
        customDomains: shape.grant.customDomains.map((d) => domains.get(d)!),
        git: shape.grant.git.map((url) => (url.endsWith("/") ? url : renamedRepo(url, suffix))),
        publicPorts: keepPublicPorts ? shape.grant.publicPorts : [],
    };
    const quota = doc.quota as GeneratedTenant["quota"];
    const containers = [...services.flatMap((s) => [s, ...list(s.sidecars), ...list(s.initContainers)]), ...list(doc.jobs)];
    const secretNames = [
        ...new Set(
            containers.flatMap((c) => [
                ...(Array.isArray(c.secretEnv) ? (c.secretEnv as string[]) : []),
                ...list(c.files).flatMap((f) => (f.secret && typeof f.secret === "object" ? Object.values(f.secret as Record<string, string>) : [])),
            ]),
        ),
    ];
    return { name, shape: shape.name, text: yaml.dump(doc, { lineWidth: 200 }), quota: { ...quota }, grant, secretNames };
}

/** `count` tenants generated from the shipped examples (see {@link generateTenant}). */
export function generateTenants(shapes: readonly ExampleShape[], count: number): GeneratedTenant[] {
    const seen = new Set<string>();
    return shapeSequence(shapes, count).map((shape, i) => {
        const first = !seen.has(shape.name);
        seen.add(shape.name);
        return generateTenant(shape, i + 1, first);
    });
}

/** `platform:projectGrants` for generated tenants (the privileges their files ask for). */
export function grantsFor(tenants: readonly GeneratedTenant[]): Record<string, ProjectGrant> {
    return Object.fromEntries(tenants.map((t) => [t.name, t.grant]));
}

/** Robot server numbers of the generated run pool (any numbers: nothing is ordered offline). */
const ROBOT_SERVER_BASE = 3_100_000;

/** Largest run pool the config schema accepts (`platform:pools[].count`). */
const MAX_POOL_COUNT = 50;

/**
 * Smallest generated run pool: tenant databases run up to `tenantLimits.maxDatabaseInstances` (3) instances on
 * separate nodes, and clustered StatefulSets spread their quorum over nodes.
 */
const MIN_RUN_NODES = 3;

/** Bare-metal machine of the generated run pool: the largest Robot model the capacity check knows. */
const RUN_MACHINE = "AX102";

/** What the generated region's config changes in the stack file's, and why. */
export interface RegionSizing {
    /** Nodes of the run pool (bare metal, storage). */
    runNodes: number;
    /** `platform:tenantLimits.overcommit` (the stack's own unless the quotas need more). */
    overcommit: number;
    /**
     * Bare-metal storage nodes of the build pool (0: the stack's own build pool): when even the largest run pool
     * cannot hold every replica of the tenants' volumes, the build pool's nodes carry Longhorn disks too.
     */
    storageBuildNodes: number;
}

/** Most storage nodes a generated build pool gets (beside the largest run pool). */
const MAX_STORAGE_BUILD_NODES = 20;

/**
 * The stack file's config for a generated region: the grants of every tenant, `platform:tenantLimits` raised to
 * their largest quota, and a bare-metal run pool with the fewest nodes (at the least overcommit) for which the
 * real capacity check (lib/tenants/capacity.ts) accepts the catalog, so the region plans as a real one would.
 */
export function regionStackDoc(stackFile: string, stack: string, tenants: readonly GeneratedTenant[]): { doc: { config: Record<string, unknown> }; sizing: RegionSizing } {
    const doc = yaml.load(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
    const raw = readStackConfig(path.dirname(stackFile), stack);
    const current = tenantLimitsSchema.parse(raw["platform:tenantLimits"] ? JSON.parse(raw["platform:tenantLimits"]) : {});
    const max = (key: "cpu" | "memory" | "storage", limit: string) => tenants.reduce((best, t) => (quantity(t.quota[key]) > quantity(best) ? t.quota[key] : best), limit);
    const limits = {
        ...current,
        maxCpu: max("cpu", current.maxCpu),
        maxMemory: max("memory", current.maxMemory),
        maxStorage: max("storage", current.maxStorage),
        maxPods: Math.max(current.maxPods, ...tenants.map((t) => t.quota.pods)),
    };
    doc.config["platform:projectGrants"] = grantsFor(tenants);
    const bucketBytes = tenants.reduce((sum, t) => {
        const bucket = (yaml.load(t.text) as { bucket?: { size?: string } } | undefined)?.bucket;
        return sum + (bucket ? quantity(bucket.size ?? DEFAULT_BUCKET_SIZE) : 0);
    }, 0);
    const otherPools = ((doc.config["platform:pools"] as Doc[] | undefined) ?? []).filter((p) => p.role !== "run");
    const withSizing = ({ runNodes, overcommit, storageBuildNodes }: RegionSizing) => {
        doc.config["platform:tenantLimits"] = { ...limits, overcommit };
        const storageBuild = (pool: Doc): Doc =>
            storageBuildNodes === 0 || pool.role !== "build"
                ? pool
                : { ...pool, kind: "baremetal", count: storageBuildNodes, serverType: RUN_MACHINE, storage: true, robotServers: Array.from({ length: storageBuildNodes }, (_, i) => ROBOT_SERVER_BASE + MAX_POOL_COUNT + i) };
        doc.config["platform:pools"] = [
            { role: "run", kind: "baremetal", count: runNodes, serverType: RUN_MACHINE, storage: true, robotServers: Array.from({ length: runNodes }, (_, i) => ROBOT_SERVER_BASE + i) },
            ...otherPools.map(storageBuild),
        ];
        const flat = () => Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
        const config = platformConfigFromStack(flat());
        // MinIO's drives must hold every bucket quota (components/minio/values.ts bucketCapacityCheck): as a real
        // region of this many buckets would be, its drives are sized for them.
        const usable = minioUsableBytes(config);
        if (bucketBytes <= usable) {
            return config;
        }
        const addons = (doc.config["platform:addons"] ?? {}) as Doc & { minio?: Doc };
        const volumeGi = Math.ceil((quantity(config.addons.minio.volumeSize) * bucketBytes) / usable / 2 ** 30);
        doc.config["platform:addons"] = { ...addons, minio: { ...(addons.minio ?? {}), volumeSize: `${volumeGi}Gi` } };
        return platformConfigFromStack(flat());
    };
    // Validated once (at the smallest pool: the per-file checks only get easier with more nodes); only the
    // capacity check is repeated per size.
    const projects = validateTenantDocuments(
        tenants.map((t) => ({ file: `stacks/${stack}/projects/${t.name}.yaml`, text: t.text })),
        { config: withSizing({ runNodes: MIN_RUN_NODES, overcommit: limits.overcommit, storageBuildNodes: 0 }), secretNames: new Map(tenants.map((t) => [t.name, new Set(t.secretNames)])) },
    );
    const fits = (sizing: RegionSizing, config: PlatformConfig = withSizing(sizing)) =>
        checkCapacity(projects as TenantProject[], config, { stack, storageReplicas: longhornReplicaCount(config) }).problems.length === 0;
    for (let overcommit = limits.overcommit; overcommit <= 10; overcommit = Math.round((overcommit + 0.5) * 10) / 10) {
        // Storage build nodes only when the largest run pool cannot hold every volume replica at this overcommit.
        let storageBuildNodes = 0;
        while (storageBuildNodes <= MAX_STORAGE_BUILD_NODES && !fits({ runNodes: MAX_POOL_COUNT, overcommit, storageBuildNodes })) {
            storageBuildNodes = storageBuildNodes === 0 && !fits({ runNodes: MAX_POOL_COUNT, overcommit, storageBuildNodes: MAX_STORAGE_BUILD_NODES }) ? MAX_STORAGE_BUILD_NODES + 1 : storageBuildNodes + 1;
        }
        if (storageBuildNodes > MAX_STORAGE_BUILD_NODES) {
            continue;
        }
        let low = MIN_RUN_NODES;
        let high = MAX_POOL_COUNT;
        while (low < high) {
            const middle = Math.floor((low + high) / 2);
            if (fits({ runNodes: middle, overcommit, storageBuildNodes })) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        const sizing = { runNodes: low, overcommit, storageBuildNodes };
        withSizing(sizing);
        return { doc, sizing };
    }
    const config = withSizing({ runNodes: MAX_POOL_COUNT, overcommit: 10, storageBuildNodes: MAX_STORAGE_BUILD_NODES });
    const { problems } = checkCapacity(projects as TenantProject[], config, { stack, storageReplicas: longhornReplicaCount(config) });
    throw new Error(`bench: ${tenants.length} generated tenants fit no run pool of up to ${MAX_POOL_COUNT} × ${RUN_MACHINE} at an overcommit of up to 10 with up to ${MAX_STORAGE_BUILD_NODES} storage build nodes:\n${problems.map((p) => `  ${p.source} ${p.path}: ${p.problem}`).join("\n")}`);
}
