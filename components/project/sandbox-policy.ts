import type { IRuntimeClass } from "kubernetes-models/node.k8s.io/v1/RuntimeClass";
import type { IValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import type { IValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { GVISOR_RUNTIME_CLASS, LABELS, TENANT_NAMESPACE_LABEL } from "../../lib/conventions";
import { CNPG_OPERATOR_IMAGE, DATABASE_IMAGES, REDIS_IMAGES } from "../../charts/images";
import { CNPG_OPERATOR_USER } from "../databases/values";
import { REDIS_OPERATOR_USER } from "../databases/redis-values";

// The pure half of the gVisor sandbox (components/project/sandbox.ts creates its resources): the objects as
// plain data, importing no Pulumi SDK, so guard tests of the admission rules load without it (README
// "Mutation testing").

/**
 * The gVisor sandbox of untrusted tenants, created once per stack.
 *
 * - RuntimeClass `gvisor` with the `runsc` handler (installed on run nodes by the node bootstrap and
 *   registered with k3s' containerd). Its scheduling constraint keeps sandboxed pods on nodes labelled
 *   `platform/gvisor: "true"`; the run pool's taint is tolerated here too.
 * - A ValidatingAdmissionPolicy (Kubernetes ≥ 1.30, no webhook) bound to every namespace labelled
 *   `platform/tenant: "true"` and `platform/trust: untrusted`: a pod there is admitted only with
 *   `runtimeClassName: gvisor`. The Project renders that field anyway; the policy makes it hold for pods
 *   nobody rendered (an Argo CD-synced app, a Job created by the tenant's own tooling). The one exception
 *   is cert-manager's HTTP-01 solver pod (label, pinned upstream image, no command override), which
 *   cert-manager starts in the tenant namespace and which runs no tenant code.
 */

/** Node label of nodes that have `runsc` installed (set by the node plan). */
export const GVISOR_NODE_LABEL = "platform/gvisor";

/** Name of the admission policy (and its binding). */
export const SANDBOX_POLICY_NAME = "platform-untrusted-pods-in-gvisor";

/** Image repository of cert-manager's HTTP-01 solver, the only pod exempt from the sandbox rule. */
export const ACME_SOLVER_IMAGE = "quay.io/jetstack/cert-manager-acmesolver:";

/** Arguments of the sandbox. */
export interface SandboxArgs {
    /** Labels added to the sandbox's objects (the platform's managed-by label is always set). */
    labels?: Readonly<Record<string, string>>;
}

const labelsOf = (args: SandboxArgs) => ({ [LABELS.managedBy]: "pulumi", ...args.labels });

/** The gVisor RuntimeClass as a plain object. */
export function renderRuntimeClass(args: SandboxArgs = {}): IRuntimeClass {
    return {
        apiVersion: "node.k8s.io/v1",
        kind: "RuntimeClass",
        metadata: { name: GVISOR_RUNTIME_CLASS.name, labels: labelsOf(args) },
        handler: GVISOR_RUNTIME_CLASS.handler,
        scheduling: {
            nodeSelector: { [GVISOR_NODE_LABEL]: "true" },
            tolerations: [{ key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" }],
        },
    };
}

/**
 * Who creates a StatefulSet's pods: k3s runs kube-controller-manager with `use-service-account-credentials=true`
 * (k3s pkg/daemons/control/server.go), so each controller acts as its own ServiceAccount.
 */
export const STATEFULSET_CONTROLLER_USER = "system:serviceaccount:kube-system:statefulset-controller";

/**
 * The admission policy: pods (create/update) must name the gVisor RuntimeClass, except the ACME solver, the
 * PostgreSQL pods the CloudNativePG operator creates, and the pods of StatefulSets, which the policy holds at
 * the StatefulSet instead: a StatefulSet in an untrusted namespace must template gVisor, unless the Redis
 * operator wrote it for a RedisReplication with the platform's pinned Redis images (the operator has no
 * `runtimeClassName` setting: those pods run the platform's images under restricted Pod Security, outside the
 * sandbox; README "Redis").
 */
export function renderSandboxPolicy(args: SandboxArgs = {}): IValidatingAdmissionPolicy {
    const solver = [
        "has(object.metadata.labels)",
        "'acme.cert-manager.io/http01-solver' in object.metadata.labels",
        "!has(object.spec.initContainers)",
        `object.spec.containers.all(c, has(c.image) && c.image.startsWith('${ACME_SOLVER_IMAGE}') && !has(c.command))`,
    ].join(" && ");
    // CloudNativePG's Cluster has no runtimeClassName, so its PostgreSQL pods cannot run in gVisor. They run the
    // platform's pinned images, never tenant code, and only the operator's own user can create them this way: a
    // tenant (or its git sync) creating the same pod is still held to the sandbox.
    const cnpgImages = Object.values(DATABASE_IMAGES.postgresql).map((image) => `'${image}'`).join(", ");
    const databaseInstance = [
        `request.userInfo.username == '${CNPG_OPERATOR_USER}'`,
        `object.spec.containers.all(c, has(c.image) && c.image in [${cnpgImages}])`,
        `(!has(object.spec.initContainers) || object.spec.initContainers.all(c, has(c.image) && c.image == '${CNPG_OPERATOR_IMAGE.repository}:${CNPG_OPERATOR_IMAGE.tag}'))`,
    ].join(" && ");
    const gvisor = (spec: string) => `has(${spec}.runtimeClassName) && ${spec}.runtimeClassName == '${GVISOR_RUNTIME_CLASS.name}'`;
    const redisImages = [...Object.values(REDIS_IMAGES.redis), ...Object.values(REDIS_IMAGES.sentinel), REDIS_IMAGES.exporter].map((image) => `'${image}'`).join(", ");
    const template = "object.spec.template.spec";
    const redisStatefulSet = [
        `request.userInfo.username == '${REDIS_OPERATOR_USER}'`,
        "has(object.metadata.ownerReferences)",
        "object.metadata.ownerReferences.exists(o, o.kind == 'RedisReplication' && o.apiVersion.startsWith('redis.redis.opstreelabs.in/'))",
        `${template}.containers.all(c, has(c.image) && c.image in [${redisImages}])`,
        `(!has(${template}.initContainers) || ${template}.initContainers.all(c, has(c.image) && c.image in [${redisImages}]))`,
    ].join(" && ");
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicy",
        metadata: { name: SANDBOX_POLICY_NAME, labels: labelsOf(args) },
        spec: {
            failurePolicy: "Fail",
            matchConstraints: {
                resourceRules: [
                    { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"] },
                    { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["statefulsets"] },
                ],
            },
            matchConditions: [
                { name: "not-the-acme-http01-solver", expression: `!(object.kind == 'Pod' && ${solver})` },
                { name: "not-a-database-instance", expression: `!(object.kind == 'Pod' && ${databaseInstance})` },
                // Held at the StatefulSet (below): a StatefulSet's pods are exactly its template.
                { name: "not-a-statefulset-pod", expression: `!(object.kind == 'Pod' && request.userInfo.username == '${STATEFULSET_CONTROLLER_USER}')` },
            ],
            validations: [
                {
                    expression: `object.kind != 'Pod' || (${gvisor("object.spec")})`,
                    message: `pods of untrusted tenants run in the gVisor sandbox: set runtimeClassName: ${GVISOR_RUNTIME_CLASS.name}`,
                    reason: "Forbidden",
                },
                {
                    expression: `object.kind != 'StatefulSet' || (${gvisor(template)}) || (${redisStatefulSet})`,
                    message: `StatefulSets of untrusted tenants template the gVisor sandbox (runtimeClassName: ${GVISOR_RUNTIME_CLASS.name}); only the Redis operator's StatefulSets of a RedisReplication with the platform's Redis images are exempt`,
                    reason: "Forbidden",
                },
            ],
        },
    };
}

/** Binds the policy to untrusted tenant namespaces (by the labels only the platform sets). */
export function renderSandboxPolicyBinding(args: SandboxArgs = {}): IValidatingAdmissionPolicyBinding {
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name: SANDBOX_POLICY_NAME, labels: labelsOf(args) },
        spec: {
            policyName: SANDBOX_POLICY_NAME,
            validationActions: ["Deny"],
            matchResources: { namespaceSelector: { matchLabels: { [TENANT_NAMESPACE_LABEL]: "true", [LABELS.trust]: "untrusted" } } },
        },
    };
}

