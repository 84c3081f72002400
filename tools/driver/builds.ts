/**
 * Which failures of a stack's operation are image builds (components/project/grants.ts: a build Job in the
 * `builds` namespace, or the Command that reads its digest back), by project: the deploy then reports that the
 * project's running release keeps its image (its app stack is not run, so its workload keeps the digest it
 * runs; the contract keeps the previous digest until a build's is read). Pure: judged from the engine's
 * failed-resource events alone.
 */

/** A failed build step of one project. */
export interface FailedBuild {
    /** Project id (the ProjectGrants component's name, the prefix of its children's names). */
    project: string;
    /** The failed resource's logical name (the build Job's, or its digest Command's). */
    resource: string;
    /** What failed: the build itself or the digest read after it. */
    step: "build" | "digest";
}

const GRANTS_TYPE = "platform:project:ProjectGrants";
// childResourceName(<project>, <namespace>, Job/<build name>): `<project>-job-builds-<build name>`.
const BUILD_JOB = /^(.+?)-job-builds-build-/;
// The digest Command of a service: `<project>-<service>-image-digest`.
const DIGEST = /-image-digest$/;

/**
 * The failed builds among an operation's failed resources (others are not builds). A digest Command's name,
 * `<project>-<service>-image-digest`, is attributed to the longest of `projects` it starts with (ids and service
 * names both contain "-").
 */
export function failedBuildsOf(failed: ReadonlyArray<{ urn: string; type: string }>, projects: readonly string[]): FailedBuild[] {
    const builds: FailedBuild[] = [];
    for (const { urn, type } of failed) {
        if (!urn.includes(`${GRANTS_TYPE}$`)) {
            continue;
        }
        const name = urn.slice(urn.lastIndexOf("::") + 2);
        const job = type === "kubernetes:batch/v1:Job" ? BUILD_JOB.exec(name) : null;
        if (job) {
            builds.push({ project: job[1]!, resource: name, step: "build" });
        } else if (type === "command:local:Command" && DIGEST.test(name)) {
            const project = [...projects].sort((a, b) => b.length - a.length).find((id) => name.startsWith(`${id}-`));
            if (project) {
                builds.push({ project, resource: name, step: "digest" });
            }
        }
    }
    return builds;
}

/** The skip reason of a project's app stack when its build failed: its running release is untouched. */
export function buildFailureReason(builds: readonly FailedBuild[], stack: string): string {
    const names = builds.map((b) => `${b.resource}${b.step === "digest" ? " (digest read-back)" : ""}`).join(", ");
    return `not run: the build failed in stack ${stack} (${names}); the running release keeps the image it runs and the contract keeps the previous digest (npm run logs -- --build <commit> shows why; the next up retries it)`;
}
