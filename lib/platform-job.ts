import type { IJobSpec } from "kubernetes-models/batch/v1/JobSpec";
import type { IJob } from "kubernetes-models/batch/v1/Job";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IPodSecurityContext } from "kubernetes-models/v1/PodSecurityContext";
import type { ISecurityContext } from "kubernetes-models/v1/SecurityContext";
import type { IVolume } from "kubernetes-models/v1/Volume";

/**
 * The restricted pod of every one-shot Job the platform runs itself (the Grafana organisations, the registry
 * configurator, the ledger export, a project's bucket): one container, no service-account token, no service
 * links, restricted security contexts. Written once so that a hardening of one is a hardening of all.
 */

/** Pod-level restricted security context: non-root with a fixed uid/gid, volumes group-owned, seccomp on. */
export function podSecurityContext(uid: number): IPodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        fsGroupChangePolicy: "OnRootMismatch",
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** Container-level restricted security context (Pod Security Standard `restricted` and more). */
export function containerSecurityContext(uid: number): ISecurityContext {
    return {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** What differs between the platform's Jobs; everything else is fixed by {@link renderPlatformJobSpec}. */
export interface PlatformJobArgs {
    /** uid and gid the container runs as (the image's unprivileged user). */
    uid: number;
    /** Labels of the Job's pods. */
    labels: Record<string, string>;
    /** Retries before the Job fails. */
    backoffLimit: number;
    /** Seconds the Job may run in all, retries included. */
    activeDeadlineSeconds: number;
    /** Exit codes of the container that fail the Job at once, not retried (a podFailurePolicy); none by default. */
    failJobOnExitCodes?: number[];
    /** The one container; its security context is set here and may not be passed. */
    container: Omit<IContainer, "securityContext">;
    /** The pod's volumes (what the container mounts). */
    volumes: IVolume[];
}

/** The spec of a platform Job (also a CronJob's `jobTemplate.spec`): a restricted one-container pod that never restarts in place. */
export function renderPlatformJobSpec(args: PlatformJobArgs): IJobSpec {
    return {
        backoffLimit: args.backoffLimit,
        activeDeadlineSeconds: args.activeDeadlineSeconds,
        ...(args.failJobOnExitCodes?.length
            ? { podFailurePolicy: { rules: [{ action: "FailJob", onExitCodes: { containerName: args.container.name, operator: "In", values: args.failJobOnExitCodes } }] } }
            : {}),
        template: {
            metadata: { labels: args.labels },
            spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: podSecurityContext(args.uid),
                containers: [{ ...args.container, securityContext: containerSecurityContext(args.uid) }],
                volumes: args.volumes,
            },
        },
    };
}

/** A platform Job: {@link renderPlatformJobSpec} under the given metadata. */
export function renderPlatformJob(metadata: NonNullable<IJob["metadata"]>, args: PlatformJobArgs): IJob {
    return { apiVersion: "batch/v1", kind: "Job", metadata, spec: renderPlatformJobSpec(args) };
}
