import { BUILD_EXCEPTION } from "./catalogue";
import type { ContainerRef } from "./pod-spec";
import { asArray, asRecord, asString, asStringMap, asStrings, dropsAll, normaliseCapability } from "./values";

/**
 * Why the build exception (seccomp and AppArmor unconfined, escalation to SETUID/SETGID for rootless BuildKit)
 * does not cover a container; empty when it does. Every condition of {@link BUILD_EXCEPTION} is checked, so a
 * pod that drifts from the platform's build Job (another namespace, another pool, a host mount or port, a
 * capability, another project's Secret) loses the exception.
 */
export function buildExceptionProblems(namespace: string, podSpec: Record<string, unknown>, ref: ContainerRef, podLabels: Record<string, string>): string[] {
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
    for (const key of ["hostNetwork", "hostPID", "hostIPC"] as const) {
        if (podSpec[key] === true) {
            problems.push(`the pod sets ${key}`);
        }
    }
    if (podSpec.hostUsers === false) {
        problems.push("the pod sets hostUsers: false (the build Job runs in the host user namespace; its own user namespace is RootlessKit's)");
    }
    const project = podLabels[BUILD_EXCEPTION.projectLabel] ?? "";
    if (project === "") {
        problems.push(`the pod has no ${BUILD_EXCEPTION.projectLabel} label`);
    }
    const ownSecrets = BUILD_EXCEPTION.secretPrefixes.map((prefix) => `${prefix}${project}`);
    for (const entry of asArray(podSpec.volumes)) {
        const volume = asRecord(entry) ?? {};
        const secretName = asString(asRecord(volume.secret)?.secretName);
        if (volume.emptyDir !== undefined && Object.keys(volume).length === 2) {
            continue;
        }
        if (secretName !== undefined && ownSecrets.includes(secretName) && Object.keys(volume).length === 2) {
            continue;
        }
        problems.push(`the pod mounts a volume other than emptyDir scratch and its project's Secrets (${asString(volume.name) ?? "?"})`);
    }
    const context = ref.securityContext;
    const podContext = asRecord(podSpec.securityContext) ?? {};
    if (context.privileged === true) {
        problems.push("the container is privileged");
    }
    const capabilities = asRecord(context.capabilities) ?? {};
    const allowed: readonly string[] = BUILD_EXCEPTION.capabilities;
    if (!asStrings(capabilities.drop).some(dropsAll) || asStrings(capabilities.add).some((c) => !allowed.includes(normaliseCapability(c)))) {
        problems.push(`the container does not drop all capabilities but ${allowed.join(" and ")}`);
    }
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true || (context.runAsUser ?? podContext.runAsUser) === 0) {
        problems.push("the container does not run as a non-root user");
    }
    if (context.procMount !== undefined && context.procMount !== "Default") {
        problems.push("the container unmasks /proc");
    }
    for (const port of asArray(ref.container.ports)) {
        const hostPort = asRecord(port)?.hostPort;
        if (hostPort !== undefined && hostPort !== 0) {
            problems.push("the container binds a host port");
        }
    }
    if (asArray(ref.container.envFrom).length > 0) {
        problems.push("the container imports environment from a Secret or ConfigMap");
    }
    for (const env of asArray(ref.container.env)) {
        const secretName = asString(asRecord(asRecord(asRecord(env)?.valueFrom)?.secretKeyRef)?.name);
        if (secretName !== undefined && !ownSecrets.includes(secretName)) {
            problems.push(`the container reads Secret ${secretName}, not its project's`);
        }
    }
    return problems;
}
