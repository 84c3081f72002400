import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import type { PlatformConfig } from "../config/schema";
import { SERVER_TYPES } from "../hetzner/server-types";
import { DEFAULT_ROBOT_MODEL, ROBOT_MODELS } from "../hetzner/robot-models";
import { GIB, parseQuantity, quantity } from "../quantity";
import type { InputProblem } from "../validation";
import { RENDERED_DIR, type RenderedRelease, type RenderedWorkload } from "../../charts/rendered-facts";
import type { TenantProject } from "./load";
import { projectFootprint } from "./footprint";
import { LONGHORN_DATA_PATH } from "../conventions";

/**
 * Capacity check of the tenant catalog against the stack's machines, before anything is registered:
 * - every pod of a tenant (each service's pod, the database pod) fits on one node of the pool it runs on (the
 *   run pool, or the schedulable servers without one), after the platform DaemonSets that land on that node;
 * - the sum of the tenants' CPU and memory quotas against the run pool's allocatable capacity: a warning above
 *   100%, a refusal above `platform:tenantLimits.overcommit`;
 * - the sum of the tenants' storage quotas × the Longhorn replica count against the storage nodes' disks.
 *
 * Node sizes come from lib/hetzner (server types as sold, Robot models); allocatable memory subtracts the
 * kubelet's default hard eviction threshold (`memory.available<100Mi`; the platform sets no kube/system
 * reserve); DaemonSet requests come from the rendered chart facts of the stack (charts/rendered/<stack>/), with
 * containers without requests counted as zero. Longhorn schedules replicas on 100% - 30% (its default reserved
 * share of a default disk) of each storage node's disk.
 */

/** The kubelet's default hard eviction threshold for memory (kubelet `evictionHard` `memory.available`). */
export const KUBELET_EVICTION_MEMORY = 100 * 2 ** 20;

/** Longhorn's default `storage-reserved-percentage-for-default-disk` (the platform does not change it). */
export const LONGHORN_RESERVED_SHARE = 0.3;

/** One machine shape of a pool. */
export interface PoolCapacity {
    /** `run`, `server`, … (the `platform/pool` label). */
    pool: string;
    /** Where its size came from, e.g. `cx43` or `AX42 (bare metal)`. */
    machine: string;
    /** Nodes in the pool. */
    nodes: number;
    /** Allocatable CPU of one node after the DaemonSets (cores). */
    cpu: number;
    /** Allocatable memory of one node after the DaemonSets and the eviction threshold (bytes). */
    memory: number;
    /** What the DaemonSets take per node. */
    daemonSets: { cpu: number; memory: number };
    /** Longhorn-schedulable disk of one node (bytes), when the pool stores volumes. */
    storage?: number;
}

/** Result of the check: problems refuse the catalog, warnings are printed. */
export interface CapacityReport {
    /** Refusals (file, key, fix). */
    problems: InputProblem[];
    /** Warnings (above 100% but within the overcommit). */
    warnings: string[];
}

function machineOf(kind: string, serverType: string): { machine: string; vcpu: number; memoryGb: number; diskGb: number } | undefined {
    if (kind === "baremetal") {
        const model = ROBOT_MODELS[serverType.toUpperCase()] ? serverType.toUpperCase() : DEFAULT_ROBOT_MODEL;
        const size = ROBOT_MODELS[model]!;
        return { machine: `${model} (bare metal)`, ...size };
    }
    const type = SERVER_TYPES[serverType.toLowerCase()];
    return type ? { machine: type.name, vcpu: type.vcpu, memoryGb: type.memoryGb, diskGb: type.diskGb } : undefined;
}

/** Whether a rendered DaemonSet lands on a node with these labels and taints (no affinity modelled: then yes). */
function daemonSetLandsOn(workload: RenderedWorkload, labels: Readonly<Record<string, string>>, taints: readonly string[]): boolean {
    if (!Object.entries(workload.nodeSelector).every(([k, v]) => labels[k] === v)) {
        return false;
    }
    return taints.every((taint) => {
        const [keyValue, effect] = taint.split(":");
        const [key, value] = (keyValue ?? "").split("=");
        return workload.tolerations.some(
            (t) =>
                (t.operator === "Exists" && (t.key === undefined || t.key === key)) ||
                (t.key === key && (t.value ?? "") === (value ?? "") && (t.effect === undefined || t.effect === effect)),
        );
    });
}

/** Requests of one pod of a rendered workload: max(sum of containers, largest init container). */
function podRequests(workload: RenderedWorkload): { cpu: number; memory: number } {
    const of = (init: boolean, key: "cpu" | "memory") => workload.containers.filter((c) => c.init === init).map((c) => parseQuantity(c.requests[key] ?? "0") ?? 0);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    return {
        cpu: Math.max(sum(of(false, "cpu")), ...of(true, "cpu"), 0),
        memory: Math.max(sum(of(false, "memory")), ...of(true, "memory"), 0),
    };
}

/** The DaemonSets of a stack's rendered charts (none when the stack has no facts). */
export function renderedDaemonSets(stack: string, dir = RENDERED_DIR): RenderedWorkload[] {
    const folder = path.join(dir, stack);
    if (!fs.existsSync(folder)) {
        return [];
    }
    return fs
        .readdirSync(folder)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .flatMap((f) => (JSON.parse(fs.readFileSync(path.join(folder, f), "utf8")) as RenderedRelease).workloads.filter((w) => w.kind === "DaemonSet"));
}

/** The pool tenant pods run on (the run pool, else the schedulable servers), sized per node. */
export function tenantPool(config: PlatformConfig, daemonSets: readonly RenderedWorkload[]): PoolCapacity | undefined {
    const run = config.pools.find((p) => p.role === "run" && p.count > 0);
    const pool = run
        ? { pool: "run", kind: run.kind, serverType: run.serverType, nodes: run.count, taints: run.dedicated ? ["pool=run:NoSchedule"] : [], labels: { "platform/pool": "run", ...(run.storage ? { "platform/storage": "true" } : {}) } }
        : config.servers.schedulable
          ? { pool: "server", kind: config.servers.kind, serverType: config.servers.serverType, nodes: config.servers.count, taints: [], labels: { "platform/pool": "server", "platform/storage": "true" } }
          : undefined;
    if (!pool) {
        return undefined;
    }
    const machine = machineOf(pool.kind, pool.serverType);
    if (!machine) {
        return undefined;
    }
    const taken = daemonSets
        .filter((d) => daemonSetLandsOn(d, pool.labels, pool.taints))
        .map(podRequests)
        .reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0, memory: 0 });
    return {
        pool: pool.pool,
        machine: machine.machine,
        nodes: pool.nodes,
        cpu: machine.vcpu - taken.cpu,
        memory: machine.memoryGb * GIB - KUBELET_EVICTION_MEMORY - taken.memory,
        daemonSets: taken,
    };
}

/** Bytes of an installimage `PART` size (`512M`, `32G`, `1T`: installimage counts in MiB, so binary units). */
function partitionBytes(size: string): number {
    const unit = { M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[size.slice(-1)] ?? 0;
    return Number(size.slice(0, -1)) * unit;
}

/** Share of the drives' total size a software RAID level leaves usable (installimage `SWRAIDLEVEL`). */
function raidUsableDrives(level: number, drives: number): number {
    switch (level) {
        case 0:
            return drives;
        case 5:
            return drives - 1;
        case 6:
            return drives - 2;
        case 10:
            return Math.floor(drives / 2);
        default:
            return 1;
    }
}

/**
 * Bytes of the filesystem that holds Longhorn's data path on a bare-metal node: the partition mounted at the
 * longest prefix of {@link LONGHORN_DATA_PATH} in `platform:baremetal.partitions` (a dedicated
 * `/var/lib/longhorn`, else `/var`, else `/`), sized as declared or, for `all`, what the other partitions leave
 * of the array. `driveGb` is one drive as sold (GB); without software RAID installimage partitions the first
 * drive only.
 */
export function baremetalLonghornBytes(baremetal: PlatformConfig["baremetal"], driveGb: number): number {
    const drives = baremetal.swraid ? raidUsableDrives(baremetal.swraidLevel, baremetal.drives.length) : 1;
    const array = drives * driveGb * 1e9;
    const holder = baremetal.partitions
        .filter((p) => p.mount !== "swap" && (LONGHORN_DATA_PATH === p.mount || LONGHORN_DATA_PATH.startsWith(p.mount.endsWith("/") ? p.mount : `${p.mount}/`)))
        .sort((a, b) => b.mount.length - a.mount.length)[0];
    if (!holder) {
        return 0;
    }
    if (holder.size !== "all") {
        return Math.min(partitionBytes(holder.size), array);
    }
    const others = baremetal.partitions.filter((p) => p !== holder).reduce((sum, p) => sum + (p.size === "all" ? 0 : partitionBytes(p.size)), 0);
    return Math.max(0, array - others);
}

/**
 * Longhorn-schedulable bytes over every storage node of the stack: the disk of a cloud server as sold, the
 * Longhorn filesystem of a bare-metal one ({@link baremetalLonghornBytes}), less Longhorn's reserved share.
 */
export function storageCapacity(config: PlatformConfig): number {
    const pools = [
        ...(config.servers.schedulable ? [{ kind: config.servers.kind, serverType: config.servers.serverType, count: config.servers.count }] : []),
        ...config.pools.filter((p) => p.storage),
    ];
    return pools.reduce((total, p) => {
        const diskGb = machineOf(p.kind, p.serverType)?.diskGb ?? 0;
        const bytes = p.kind === "baremetal" ? baremetalLonghornBytes(config.baremetal, diskGb) : diskGb * 1e9;
        return total + p.count * bytes * (1 - LONGHORN_RESERVED_SHARE);
    }, 0);
}

const cores = (n: number) => `${Math.round(n * 100) / 100}`;
const gib = (bytes: number) => `${Math.round((bytes / GIB) * 10) / 10}Gi`;
const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

/**
 * Checks the catalog against the stack's capacity.
 *
 * @param projects the validated tenant files
 * @param config the stack configuration
 * @param options `stack` (for the rendered facts and the messages), `storageReplicas` (Longhorn's replica count),
 *   `daemonSets` (defaults to the stack's rendered facts)
 */
export function checkCapacity(
    projects: readonly TenantProject[],
    config: PlatformConfig,
    options: { stack: string; storageReplicas: number; daemonSets?: readonly RenderedWorkload[] },
): CapacityReport {
    const problems: InputProblem[] = [];
    const warnings: string[] = [];
    const stackFile = `Pulumi.${options.stack}.yaml`;
    const pool = tenantPool(config, options.daemonSets ?? renderedDaemonSets(options.stack));
    if (!pool) {
        return { problems, warnings };
    }
    const where = `one node of pool ${pool.pool} (${pool.machine}: ${cores(pool.cpu)} CPU and ${gib(pool.memory)} allocatable after the platform DaemonSets' ${cores(pool.daemonSets.cpu)} CPU / ${gib(pool.daemonSets.memory)} and the kubelet's eviction reserve)`;
    const poolFix = `or give platform:pools (role ${pool.pool}) a larger serverType in ${stackFile}`;
    for (const { file, spec } of projects) {
        const pods = [
            ...spec.services.map((s) => ({ path: `services[${s.name}].resources.requests`, what: `service ${s.name}`, requests: s.resources.requests })),
            ...(spec.database ? [{ path: "database.resources.requests", what: "the database", requests: spec.database.resources.requests }] : []),
        ];
        for (const pod of pods) {
            const cpu = quantity(pod.requests.cpu);
            const memory = quantity(pod.requests.memory);
            if (cpu > pool.cpu + 1e-9 || memory > pool.memory) {
                problems.push({
                    source: file,
                    path: pod.path,
                    problem: `a pod of ${pod.what} requests ${pod.requests.cpu} CPU and ${pod.requests.memory} memory, more than ${where}: it would never be scheduled`,
                    fix: `requests of at most cpu: ${cores(pool.cpu)}, memory: ${gib(pool.memory)}, ${poolFix}`,
                });
            }
        }
    }
    const overcommit = config.tenantLimits.overcommit;
    const sums = [
        { key: "cpu" as const, total: projects.reduce((s, p) => s + quantity(p.spec.quota.cpu), 0), capacity: pool.cpu * pool.nodes, show: cores },
        { key: "memory" as const, total: projects.reduce((s, p) => s + quantity(p.spec.quota.memory), 0), capacity: pool.memory * pool.nodes, show: gib },
    ];
    for (const { key, total, capacity, show } of sums) {
        const ratio = capacity > 0 ? total / capacity : Infinity;
        const summary = `the tenants' quota.${key} adds up to ${show(total)}, ${percent(ratio)} of pool ${pool.pool}'s allocatable ${show(capacity)} (${pool.nodes} × ${pool.machine})`;
        if (ratio > overcommit) {
            const largest = [...projects].sort((a, b) => quantity(b.spec.quota[key]) - quantity(a.spec.quota[key]))[0];
            problems.push({
                source: largest?.file ?? stackFile,
                path: `quota.${key}`,
                problem: `${summary}: above the allowed overcommit of ${percent(overcommit)} (platform:tenantLimits.overcommit)`,
                fix: `lower quota.${key} of the largest tenants (this file is the largest), add nodes to pool ${pool.pool}, or raise platform:tenantLimits.overcommit in ${stackFile}`,
            });
        } else if (ratio > 1) {
            warnings.push(`${summary}: overcommitted (allowed up to ${percent(overcommit)}); pods may stay Pending when every tenant uses its quota`);
        }
    }
    // Claims are what Longhorn must place now (refused beyond the disks); quotas are what tenants may still claim.
    const disks = storageCapacity(config);
    const replicas = options.storageReplicas;
    const claimed = (p: TenantProject) => projectFootprint(p.spec).storage;
    const storageSums = [
        { what: "volumes and databases (× maximum replicas)", of: claimed, limit: 1, key: "services" },
        { what: "quota.storage", of: (p: TenantProject) => quantity(p.spec.quota.storage), limit: overcommit, key: "quota.storage" },
    ];
    for (const { what, of, limit, key } of storageSums) {
        const total = projects.reduce((s, p) => s + of(p), 0) * replicas;
        const ratio = disks > 0 ? total / disks : 0;
        const summary = `the tenants' ${what} × ${replicas} Longhorn replicas come to ${gib(total)}, ${percent(ratio)} of the ${gib(disks)} Longhorn can place on the storage nodes' disks (${percent(1 - LONGHORN_RESERVED_SHARE)} of each)`;
        if (ratio > limit) {
            const largest = [...projects].sort((a, b) => of(b) - of(a))[0];
            problems.push({
                source: largest?.file ?? stackFile,
                path: key,
                problem: limit === 1 ? `${summary}: Longhorn could not place every replica` : `${summary}: above the allowed overcommit of ${percent(limit)} (platform:tenantLimits.overcommit)`,
                fix: `smaller volumes or quota.storage in the largest tenants (this file is the largest), or more or larger storage nodes (storage: true on a pool) in ${stackFile}`,
            });
        } else if (ratio > 1) {
            warnings.push(`${summary}: overcommitted (allowed up to ${percent(limit)})`);
        }
    }
    return { problems, warnings };
}

/**
 * The capacity check as a catalog check of `loadTenantCatalog`: refusals join the aggregated input error,
 * warnings go to the Pulumi log.
 */
export function capacityCheck(config: PlatformConfig, options: { stack: string; storageReplicas: number }): (projects: readonly TenantProject[]) => InputProblem[] {
    return (projects) => {
        const report = checkCapacity(projects, config, options);
        for (const warning of report.warnings) {
            void pulumi.log.warn(warning);
        }
        return report.problems;
    };
}
