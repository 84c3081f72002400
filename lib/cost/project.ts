import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config/schema";
import { GIB } from "../quantity";
import type { InputProblem } from "../validation";
import { projectFootprint } from "../tenants/footprint";
import type { TenantProject } from "../tenants/load";
import type { ProjectSpec } from "../tenants/schema";

/**
 * What a project's reservations cost per month at the stack's metering prices (`platform:prices`): the part of
 * its bill it pays whatever it uses. Storage is billed as metering bills it (components/metering/rules.ts,
 * `storageBillable`): the claims' requested size plus the bucket's hard quota, × Longhorn's replica count, at
 * `storageGiBHour`. The bucket takes the volume price because MinIO's drive is itself a Longhorn volume on the
 * same storage nodes' disks with the same replicas: a reserved GiB of bucket takes the disk a GiB of claim
 * does (it is not Hetzner Object Storage, whose account the platform pays apart). CPU and memory are the
 * requests at full scale (every service at its maximum replicas, the database, one release surge), which
 * metering bills at least while the pods run.
 */

/** Hours of the average month (365 × 24 / 12), what a monthly figure of an hourly price assumes. */
export const HOURS_PER_MONTH = 730;

/** The monthly cost of a project's reservations, in `currency`. */
export interface ProjectReservationCost {
    /** `platform:prices.currency`. */
    currency: string;
    /** CPU requests at full scale × cpuCoreHour. */
    cpu: number;
    /** Memory requests at full scale × memoryGiBHour. */
    memory: number;
    /** (claims + bucket quota) × replicas × storageGiBHour. */
    storage: number;
    /** The bucket's share of `storage`. */
    bucket: number;
    /** GiB billed for storage every hour (claims and bucket, × replicas). */
    storageBilledGiB: number;
    /** cpu + memory + storage. */
    total: number;
}

/**
 * The monthly cost of a project's reservations.
 *
 * @param spec the validated tenant file
 * @param prices `platform:prices`
 * @param storageReplicas Longhorn's replica count (components/longhorn/values.ts longhornReplicaCount)
 * @param hours hours of the month (default {@link HOURS_PER_MONTH})
 */
export function projectReservationCost(spec: ProjectSpec, prices: PlatformConfig["prices"], storageReplicas: number, hours = HOURS_PER_MONTH): ProjectReservationCost {
    const need = projectFootprint(spec);
    const perGiB = storageReplicas * prices.storageGiBHour * hours;
    const cpu = need.requestsCpu * prices.cpuCoreHour * hours;
    const memory = (need.requestsMemory / GIB) * prices.memoryGiBHour * hours;
    const storage = ((need.storage + need.bucket) / GIB) * perGiB;
    const bucket = (need.bucket / GIB) * perGiB;
    return { currency: prices.currency, cpu, memory, storage, bucket, storageBilledGiB: ((need.storage + need.bucket) / GIB) * storageReplicas, total: cpu + memory + storage };
}

/**
 * Warnings for budgets below what a project's reservations alone cost per month: the over-budget alert would
 * fire every month the project runs at full scale, whatever it does. A warning, not a refusal: the floor counts
 * every service at its maximum replicas and a release surge, which a project may rarely reach.
 */
export function budgetFloorWarnings(projects: readonly TenantProject[], config: PlatformConfig, storageReplicas: number): string[] {
    return projects.flatMap(({ file, spec }) => {
        if (!spec.budget) {
            return [];
        }
        const cost = projectReservationCost(spec, config.prices, storageReplicas);
        if (cost.total <= spec.budget.monthly) {
            return [];
        }
        const money = (n: number) => `${(Math.ceil(n * 100) / 100).toFixed(2)} ${cost.currency}`;
        const parts = `CPU ${money(cost.cpu)}, memory ${money(cost.memory)}, storage ${money(cost.storage)}${cost.bucket > 0 ? ` (of which the bucket ${money(cost.bucket)})` : ""}`;
        return [
            `${file} budget.monthly: ${spec.budget.monthly} ${cost.currency} is below what the project's reservations at full scale cost per month, ${money(cost.total)} (${parts}; platform:prices, storage × ${storageReplicas} Longhorn replicas): the over-budget alert fires whenever it runs at full scale; raise it to ${Math.ceil(cost.total)} or reserve less`,
        ];
    });
}

/** {@link budgetFloorWarnings} as a catalog check of `loadTenantCatalog`: the warnings go to the Pulumi log, nothing is refused. */
export function budgetFloorCheck(config: PlatformConfig, storageReplicas: number): (projects: readonly TenantProject[]) => InputProblem[] {
    return (projects) => {
        for (const warning of budgetFloorWarnings(projects, config, storageReplicas)) {
            void pulumi.log.warn(warning);
        }
        return [];
    };
}
