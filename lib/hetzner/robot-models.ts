/**
 * Sizes of the Hetzner Robot dedicated-server models a bare-metal pool may name in `serverType` (the Robot API
 * does not take a model: the machine is ordered by hand and referenced by number). Threads as vCPU, memory in
 * GiB, and the usable local disk in GB with the platform's mirrored (RAID 1) layout, i.e. one drive.
 * Source: Hetzner's server auction/product pages as transcribed for lib/cost/prices.ts (which keeps the prices).
 */

/** One Robot model. */
export interface RobotModel {
    /** Hardware threads. */
    vcpu: number;
    /** Memory in GiB. */
    memoryGb: number;
    /** Usable disk in GB with two mirrored drives (one drive's size). */
    diskGb: number;
}

/** The models the platform knows (AX41-NVMe: 2 × 512 GB, AX42: 2 × 512 GB, AX52: 2 × 1 TB, AX102: 2 × 1.92 TB). */
export const ROBOT_MODELS: Readonly<Record<string, RobotModel>> = {
    AX41: { vcpu: 12, memoryGb: 64, diskGb: 512 },
    AX42: { vcpu: 16, memoryGb: 64, diskGb: 512 },
    AX52: { vcpu: 16, memoryGb: 64, diskGb: 1024 },
    AX102: { vcpu: 32, memoryGb: 128, diskGb: 1920 },
};

/** The model a bare-metal pool is sized as when its `serverType` names none (the cost estimate's default too). */
export const DEFAULT_ROBOT_MODEL = "AX42";
