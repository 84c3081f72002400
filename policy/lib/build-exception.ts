import { BUILD_EXCEPTION } from "./catalogue";
import type { ContainerRef } from "./pod-spec";
import { asArray, asRecord, asString, asStringMap } from "./values";

/**
 * Why the build exception (seccomp and AppArmor unconfined for rootless BuildKit) does not cover a container;
 * empty when it does. Every condition of {@link BUILD_EXCEPTION} is checked, so a pod that drifts from the
 * platform's build Job (another namespace, another pool, a host mount, a capability) loses the exception.
 */
export function buildExceptionProblems(namespace: string, podSpec: Record<string, unknown>, ref: ContainerRef): string[] {
    const problems: string[] = [];
    if (namespace !== BUILD_EXCEPTION.namespace) {
        problems.push(`it is not in the ${BUILD_EXCEPTION.namespace} namespace`);
    }
    if (ref.kind !== "containers" || ref.name !== BUILD_EXCEPTION.container) {
        problems.push(`only the container "${BUILD_EXCEPTION.container}" of a build pod may run unconfined`);
    }
    if (asStringMap(podSpec.nodeSelector)[BUILD_EXCEPTION.poolLabel] !== BUILD_EXCEPTION.pool) {
        problems.push(`the pod is not pinned to the build pool (nodeSelector ${BUILD_EXCEPTION.poolLabel}: ${BUILD_EXCEPTION.pool})`);
    }
    for (const entry of asArray(podSpec.tolerations)) {
        const toleration = asRecord(entry) ?? {};
        if (asString(toleration.key) !== BUILD_EXCEPTION.taintKey || asString(toleration.value) !== BUILD_EXCEPTION.pool) {
            problems.push(`the pod tolerates more than the build pool's taint (${JSON.stringify(toleration)})`);
        }
    }
    for (const key of ["hostNetwork", "hostPID", "hostIPC", "hostUsers"] as const) {
        if (podSpec[key] === true) {
            problems.push(`the pod sets ${key}`);
        }
    }
    if (asArray(podSpec.volumes).some((v) => asRecord(v)?.hostPath !== undefined)) {
        problems.push("the pod mounts a hostPath volume");
    }
    const context = ref.securityContext;
    const podContext = asRecord(podSpec.securityContext) ?? {};
    if (context.privileged === true || context.allowPrivilegeEscalation !== false) {
        problems.push("the container is privileged or may escalate privileges");
    }
    const capabilities = asRecord(context.capabilities) ?? {};
    if (!asArray(capabilities.drop).includes("ALL") || asArray(capabilities.add).length > 0) {
        problems.push("the container does not drop all capabilities");
    }
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true || (context.runAsUser ?? podContext.runAsUser) === 0) {
        problems.push("the container does not run as a non-root user");
    }
    return problems;
}
