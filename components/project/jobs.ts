import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { ICronJob } from "kubernetes-models/batch/v1/CronJob";
import type { IJobSpec } from "kubernetes-models/batch/v1/JobSpec";
import { LABELS } from "../../lib/conventions";
import type { JobSpec } from "../../lib/tenants/schema";
import { basePodSpec, objectLabels, objectMeta, type ProjectContext } from "./common";
import { containerVolumes, volumePrefix } from "./files";
import { containerEnv, tenantContainer } from "./workloads";

/**
 * The project's run-to-completion tasks: a Job per `jobs[]` entry, or a CronJob when it has a `schedule`.
 * Same pod rules as the services (restricted, sandboxed when untrusted, token-less service account, run
 * pool). A CronJob never overlaps itself (`Forbid`) and keeps one finished Job of each outcome for its logs.
 * A Job's pod template is immutable: a change replaces the Job (the Project component deletes it first).
 */

/** The Job spec both kinds share. */
export function jobSpec(ctx: ProjectContext, job: JobSpec): IJobSpec {
    return {
        backoffLimit: job.backoffLimit,
        activeDeadlineSeconds: job.activeDeadlineSeconds,
        template: {
            metadata: { labels: { ...objectLabels(ctx, job.name), [LABELS.deployment]: job.name } },
            spec: {
                ...basePodSpec(ctx, job.runAsUser),
                restartPolicy: "Never",
                containers: [tenantContainer(ctx, job, { name: job.name, volumePrefix: volumePrefix(undefined), env: containerEnv(ctx, job, job.uses) })],
                volumes: containerVolumes(job, volumePrefix(undefined)),
            },
        },
    };
}

/** The Job or CronJob of one `jobs[]` entry. */
export function renderJob(ctx: ProjectContext, job: JobSpec): IJob | ICronJob {
    const metadata = objectMeta(ctx, job.name, job.name);
    if (job.schedule === undefined) {
        return { apiVersion: "batch/v1", kind: "Job", metadata, spec: jobSpec(ctx, job) };
    }
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata,
        spec: {
            schedule: job.schedule,
            timeZone: "Etc/UTC",
            concurrencyPolicy: "Forbid",
            startingDeadlineSeconds: 600,
            successfulJobsHistoryLimit: 1,
            failedJobsHistoryLimit: 1,
            jobTemplate: { metadata: { labels: objectLabels(ctx, job.name) }, spec: jobSpec(ctx, job) },
        },
    };
}
