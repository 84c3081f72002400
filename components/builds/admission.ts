import type { IValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import type { IValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { BUILD_IMAGES } from "../../charts/images";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { BUILD_EXCEPTION } from "../../policy/lib/catalogue";
import { pushSecretName, sourceSecretName } from "../../lib/registry";
import { BUILDER_SERVICE_ACCOUNT, BUILDKIT_CAPABILITIES, BUILDKIT_CONTAINER } from "./build-job";

/**
 * The cluster's half of the build exception: the builds namespace enforces Pod Security `privileged` (rootless
 * BuildKit's unconfined seccomp and AppArmor fail `baseline`), so this ValidatingAdmissionPolicy holds its Jobs
 * and pods to what the policy pack checks before deploy (policy/lib/build-exception.ts) — whoever creates them.
 */

/** Name of the policy and its binding. */
export const BUILD_POD_POLICY = "platform-build-pods";

/** Tolerations Kubernetes' DefaultTolerationSeconds admission adds to every pod (before validation runs). */
const DEFAULT_TOLERATION_KEYS = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

const list = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(", ")}]`;
const unconfined = (field: "seccompProfile" | "appArmorProfile") =>
    `(has(c.securityContext) && has(c.securityContext.${field}) && c.securityContext.${field}.type == 'Unconfined')`;

/** The policy and its binding (namespace builds only). */
export function renderBuildPodPolicy(): { policy: IValidatingAdmissionPolicy; binding: IValidatingAdmissionPolicyBinding } {
    const metadata = { name: BUILD_POD_POLICY, labels: { [LABELS.managedBy]: "pulumi" } };
    const check = (expression: string, message: string) => ({ expression, message, reason: "Forbidden" as const });
    return {
        policy: {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicy",
            metadata,
            spec: {
                failurePolicy: "Fail",
                matchConstraints: {
                    resourceRules: [
                        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods", "pods/ephemeralcontainers"] },
                        { apiGroups: ["batch"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["jobs"] },
                    ],
                },
                variables: [
                    { name: "podSpec", expression: "object.kind == 'Pod' ? object.spec : object.spec.template.spec" },
                    {
                        name: "labels",
                        expression:
                            "object.kind == 'Pod' ? (has(object.metadata.labels) ? object.metadata.labels : {}) : (has(object.spec.template.metadata) && has(object.spec.template.metadata.labels) ? object.spec.template.metadata.labels : {})",
                    },
                    // The project a build pod builds for: the only one whose Secrets it may read.
                    { name: "project", expression: `'${LABELS.project}' in variables.labels ? variables.labels['${LABELS.project}'] : ''` },
                    {
                        name: "containers",
                        expression:
                            "variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])" +
                            " + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])",
                    },
                ],
                validations: [
                    check(
                        `has(variables.podSpec.nodeSelector) && '${BUILD_EXCEPTION.poolLabel}' in variables.podSpec.nodeSelector && variables.podSpec.nodeSelector['${BUILD_EXCEPTION.poolLabel}'] == '${BUILD_EXCEPTION.pool}'`,
                        `build pods run on the build pool only (nodeSelector ${BUILD_EXCEPTION.poolLabel}: ${BUILD_EXCEPTION.pool})`,
                    ),
                    check(
                        `!has(variables.podSpec.tolerations) || variables.podSpec.tolerations.all(t, (has(t.key) && t.key == '${BUILD_EXCEPTION.taintKey}' && has(t.value) && t.value == '${BUILD_EXCEPTION.pool}') || (has(t.key) && t.key in ${list(DEFAULT_TOLERATION_KEYS)}))`,
                        "build pods tolerate only the build pool's taint",
                    ),
                    check(
                        "!(has(variables.podSpec.hostNetwork) && variables.podSpec.hostNetwork) && !(has(variables.podSpec.hostPID) && variables.podSpec.hostPID) && !(has(variables.podSpec.hostIPC) && variables.podSpec.hostIPC) && (!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath)))",
                        "build pods use no host namespaces and no hostPath volumes",
                    ),
                    check(
                        `has(variables.podSpec.serviceAccountName) && variables.podSpec.serviceAccountName == '${BUILDER_SERVICE_ACCOUNT}' && has(variables.podSpec.automountServiceAccountToken) && !variables.podSpec.automountServiceAccountToken`,
                        `build pods run as ServiceAccount ${BUILDER_SERVICE_ACCOUNT} without an API token`,
                    ),
                    check(
                        "has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsNonRoot) && variables.podSpec.securityContext.runAsNonRoot && !(has(variables.podSpec.securityContext.runAsUser) && variables.podSpec.securityContext.runAsUser == 0) && !(has(variables.podSpec.securityContext.seccompProfile) && variables.podSpec.securityContext.seccompProfile.type == 'Unconfined')",
                        "build pods run as non-root, with a confined pod-level seccomp profile",
                    ),
                    check(
                        "variables.containers.all(c, !has(c.securityContext) || (!(has(c.securityContext.runAsNonRoot) && !c.securityContext.runAsNonRoot) && !(has(c.securityContext.runAsUser) && c.securityContext.runAsUser == 0)))",
                        "every build container runs as non-root (no container turns runAsNonRoot off or runs as uid 0)",
                    ),
                    check(
                        "variables.containers.all(c, (!has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0)) && !(has(c.securityContext) && has(c.securityContext.procMount) && c.securityContext.procMount != 'Default')) && !(has(variables.podSpec.hostUsers) && !variables.podSpec.hostUsers)",
                        "build pods use no host ports, the default /proc mount and the host user namespace setting of the build Job",
                    ),
                    check(
                        `variables.project != '' && (!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, has(v.emptyDir) || (has(v.secret) && v.secret.secretName in ['${pushSecretName("")}' + variables.project, '${sourceSecretName("")}' + variables.project]))) && variables.containers.all(c, !has(c.envFrom) && (!has(c.env) || c.env.all(e, !has(e.valueFrom))))`,
                        `build pods carry their project's ${LABELS.project} label and read only that project's Secrets (its push robot and source credentials, as mounted files; emptyDir scratch otherwise)`,
                    ),
                    check(
                        `variables.containers.all(c, c.image in ${list(Object.values(BUILD_IMAGES))})`,
                        "build pods run the platform's pinned build images only (charts/images.ts BUILD_IMAGES)",
                    ),
                    check(
                        "variables.containers.all(c, has(c.securityContext) && !(has(c.securityContext.privileged) && c.securityContext.privileged) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.drop) && 'ALL' in c.securityContext.capabilities.drop)",
                        "build containers are unprivileged and drop all capabilities",
                    ),
                    check(
                        `variables.containers.all(c, has(c.securityContext) && has(c.securityContext.capabilities) && (c.name == '${BUILDKIT_CONTAINER}' ? (!has(c.securityContext.capabilities.add) || c.securityContext.capabilities.add.all(a, a in ${list(BUILDKIT_CAPABILITIES)})) : (has(c.securityContext.allowPrivilegeEscalation) && !c.securityContext.allowPrivilegeEscalation && !has(c.securityContext.capabilities.add))))`,
                        `only the ${BUILDKIT_CONTAINER} container may escalate, and only to ${BUILDKIT_CAPABILITIES.join(" and ")} (rootless BuildKit's set-uid newuidmap/newgidmap); every other build container never escalates and adds no capability`,
                    ),
                    check(
                        `variables.containers.all(c, c.name == '${BUILDKIT_CONTAINER}' || (!${unconfined("seccompProfile")} && !${unconfined("appArmorProfile")}))`,
                        `only the ${BUILDKIT_CONTAINER} container may run with seccomp and AppArmor unconfined`,
                    ),
                ],
            },
        },
        binding: {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicyBinding",
            metadata,
            spec: {
                policyName: BUILD_POD_POLICY,
                validationActions: ["Deny"],
                matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": NAMESPACES.builds } } },
            },
        },
    };
}
