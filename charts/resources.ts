/**
 * Resource requests and limits of the platform's own workloads, as the add-on components pass them to their
 * charts. Every add-on keeps its container `resources` blocks in one sizing object that both its values
 * renderer and its `*Workloads(config)` function read (a test compares the two). What they add up to on a
 * stack is computed from the plan by tools/offline/overhead.ts, the one overhead model (`npm run plan` prints it).
 * Data only: nothing here imports the program.
 */

/** A container's `resources` block as the charts take it. */
export interface ResourceBlock {
    /** Requests: what the scheduler reserves. */
    requests: { cpu: string; memory: string };
    /** Limits: memory always (OOM bound); CPU only where throttling is wanted. */
    limits: { cpu?: string; memory: string };
}

/** Shorthand for a resources block. */
export function resources(cpu: string, memory: string, memoryLimit: string, cpuLimit?: string): ResourceBlock {
    return { requests: { cpu, memory }, limits: { memory: memoryLimit, ...(cpuLimit ? { cpu: cpuLimit } : {}) } };
}

/** One workload of an add-on with its container resources and how many pods run. */
export interface WorkloadResources {
    /** Add-on (component folder) it belongs to. */
    addon: string;
    /** Workload name (as the chart names it, or the object name). */
    workload: string;
    /** Kind of controller. */
    kind: "Deployment" | "StatefulSet" | "DaemonSet" | "Job";
    /** Pods running at once (replicas, or the nodes a DaemonSet lands on). */
    pods: number;
    /** Container name → resources. */
    containers: Record<string, ResourceBlock>;
    /** Why a number is what it is (e.g. which nodes a DaemonSet runs on), or what the chart does not expose. */
    note?: string;
}

/** Every `resources` block (with requests or limits) found in a values document, keyed by its dotted path. */
export function resourceBlocksIn(values: unknown, prefix = ""): Map<string, ResourceBlock> {
    const found = new Map<string, ResourceBlock>();
    const walk = (value: unknown, at: string) => {
        if (Array.isArray(value)) {
            value.forEach((v, i) => walk(v, `${at}[${i}]`));
            return;
        }
        if (value === null || typeof value !== "object") {
            return;
        }
        for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
            const here = at ? `${at}.${key}` : key;
            if (key === "resources" && child !== null && typeof child === "object" && ("requests" in child || "limits" in child)) {
                found.set(here, child as ResourceBlock);
            } else {
                walk(child, here);
            }
        }
    };
    walk(values, prefix);
    return found;
}

/**
 * Sizing profile of a stack: `small` for dev stacks (everything on a handful of small nodes, no HA
 * replicas), `standard` for staging and production.
 */
export type SizingProfile = "small" | "standard";

/** The sizing profile of a validated configuration. */
export function sizingProfile(config: { environment: string }): SizingProfile {
    return config.environment === "dev" ? "small" : "standard";
}
