import * as fs from "node:fs";
import * as path from "node:path";

/**
 * `out/<stack>/` is replaced only by a complete, successful plan: the plan is written to a staging directory
 * beside it and renamed into place at the end; a failed plan leaves the previous output untouched and writes
 * its error beside it (`out/<stack>.error.json`), where the next successful plan removes it.
 */

/** Where a failed plan's error goes: beside the output directory, never inside it. */
export function errorFileFor(outDir: string): string {
    return `${outDir.replace(/[\\/]+$/, "")}.error.json`;
}

/**
 * Where a path inside a staging directory lands once the plan is published (`out/dev.staging-41/tenants/hello` →
 * `out/dev/tenants/hello`): what the plan's messages name, since the staging directory is gone when they are read.
 */
export function publishedPathOf(dir: string): string {
    return dir.replace(/[.]staging-\d+(?=$|[\\/])/, "");
}

/** A fresh, empty staging directory beside `outDir` (unique per process). */
export function createStagingDir(outDir: string): string {
    const staging = `${outDir.replace(/[\\/]+$/, "")}.staging-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    return staging;
}

/**
 * Moves a complete staging directory into `outDir`, replacing the previous output, and removes a stale error
 * file. The previous output is moved aside first, so `outDir` is at every moment either the old or the new plan.
 */
export function publishStagingDir(staging: string, outDir: string): void {
    const previous = `${outDir.replace(/[\\/]+$/, "")}.previous-${process.pid}`;
    fs.mkdirSync(path.dirname(outDir), { recursive: true });
    fs.rmSync(previous, { recursive: true, force: true });
    if (fs.existsSync(outDir)) {
        fs.renameSync(outDir, previous);
    }
    fs.renameSync(staging, outDir);
    fs.rmSync(previous, { recursive: true, force: true });
    fs.rmSync(errorFileFor(outDir), { force: true });
}

/** Records a failed plan: its error beside `outDir`, the staging directory gone, the previous output kept. */
export function recordFailedPlan(staging: string, outDir: string, error: unknown): void {
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(outDir), { recursive: true });
    fs.writeFileSync(errorFileFor(outDir), `${JSON.stringify(error, null, 2)}\n`);
}
