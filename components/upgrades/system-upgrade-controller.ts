import * as fs from "node:fs";
import * as yaml from "js-yaml";
import type { IClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import type { IClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { ICustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import type { IRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { SYSTEM_UPGRADE_IMAGES } from "../../charts/images";
import { chartFilePath, MANIFEST_RELEASES } from "../../charts/versions";
import { resources, type ResourceBlock } from "../../charts/resources";
import { API_TOKEN } from "../nodes/placement";

/**
 * rancher/system-upgrade-controller, rendered from its release manifests at the pinned tag
 * (MANIFEST_RELEASES.systemUpgradeController: `manifests/system-upgrade-controller.yaml`, `clusterrole.yaml`,
 * `clusterrolebinding.yaml`, kustomized into namespace `system-upgrade`). Same objects, names, RBAC rules and
 * controller settings as the release, with these deliberate differences:
 * - no hostPath mounts of /etc/ssl, /etc/pki, /etc/ca-certificates: the image is `FROM scratch` and needs the
 *   host's CA bundle only to resolve a Plan `channel` over HTTPS; these Plans always pin `version`, so the
 *   controller talks to the API server only (in-cluster CA). The policy pack forbids hostPath for workloads.
 * - requests and limits (the release sets none), a read-only root filesystem, and a short-lived projected API
 *   token instead of the automounted one;
 * - `SYSTEM_UPGRADE_JOB_IMAGE_PULL_POLICY: IfNotPresent` (release: Always): every image is pinned by an
 *   immutable tag, and an upgrade Job should not depend on Docker Hub answering at that moment.
 * The CRD is applied from the committed release file; the controller registers the same embedded CRD at start.
 */

/** Namespace of the controller, its Plans and their Jobs (PSA privileged: the upgrade Jobs are privileged). */
export const SYSTEM_UPGRADE_NAMESPACE = NAMESPACES.systemUpgrade;

/** ServiceAccount the controller and the Plans' Jobs use (the release's name). */
export const SYSTEM_UPGRADE_SERVICE_ACCOUNT = "system-upgrade";

/** Name of the controller Deployment and of its `upgrade.cattle.io/controller` label. */
export const SYSTEM_UPGRADE_CONTROLLER_NAME = "system-upgrade-controller";

/** Resources of the controller (a Go controller with a handful of informers). */
export const SYSTEM_UPGRADE_CONTROLLER_RESOURCES: ResourceBlock = resources("10m", "32Mi", "128Mi");

/** The `plans.upgrade.cattle.io` CRD as released at the pinned tag (the committed file, parsed). */
export function loadPlanCrd(): ICustomResourceDefinition {
    const file = chartFilePath(MANIFEST_RELEASES.systemUpgradeController.crd);
    const doc = yaml.load(fs.readFileSync(file, "utf8")) as ICustomResourceDefinition | undefined;
    if (!doc || doc.kind !== "CustomResourceDefinition" || doc.metadata?.name !== "plans.upgrade.cattle.io") {
        throw new Error(`${file} must hold the plans.upgrade.cattle.io CustomResourceDefinition`);
    }
    return doc;
}

const labels = { "app.kubernetes.io/name": SYSTEM_UPGRADE_CONTROLLER_NAME, "app.kubernetes.io/part-of": "platform-upgrades", [LABELS.managedBy]: "pulumi" };
const meta = (name: string) => ({ name, namespace: SYSTEM_UPGRADE_NAMESPACE, labels });
const clusterMeta = (name: string) => ({ name, labels });
const subject = { kind: "ServiceAccount", name: SYSTEM_UPGRADE_SERVICE_ACCOUNT, namespace: SYSTEM_UPGRADE_NAMESPACE };

/** The controller's objects except its Namespace and CRD, in the release's order. */
export function renderSystemUpgradeControllerObjects(): {
    serviceAccount: IServiceAccount;
    configMap: IConfigMap;
    clusterRole: IClusterRole;
    role: IRole;
    drainerClusterRole: IClusterRole;
    drainerBinding: IClusterRoleBinding;
    clusterRoleBinding: IClusterRoleBinding;
    roleBinding: IRoleBinding;
    deployment: IDeployment;
} {
    return {
        serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(SYSTEM_UPGRADE_SERVICE_ACCOUNT) },
        configMap: {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: meta("default-controller-env"),
            data: {
                SYSTEM_UPGRADE_CONTROLLER_DEBUG: "false",
                SYSTEM_UPGRADE_CONTROLLER_THREADS: "2",
                SYSTEM_UPGRADE_CONTROLLER_LEADER_ELECT: "true",
                SYSTEM_UPGRADE_JOB_ACTIVE_DEADLINE_SECONDS: "900",
                SYSTEM_UPGRADE_JOB_BACKOFF_LIMIT: "99",
                SYSTEM_UPGRADE_JOB_IMAGE_PULL_POLICY: "IfNotPresent",
                SYSTEM_UPGRADE_JOB_KUBECTL_IMAGE: SYSTEM_UPGRADE_IMAGES.kubectl,
                SYSTEM_UPGRADE_JOB_KUBECTL_IMAGE_WINDOWS: "",
                SYSTEM_UPGRADE_JOB_PRIVILEGED: "true",
                SYSTEM_UPGRADE_JOB_TTL_SECONDS_AFTER_FINISH: "900",
                SYSTEM_UPGRADE_PLAN_POLLING_INTERVAL: "15m",
            },
        },
        clusterRole: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: clusterMeta("system-upgrade-controller"),
            rules: [
                { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch"] },
                { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch", "create", "patch", "update"] },
                { apiGroups: [""], resources: ["namespaces", "nodes"], verbs: ["get", "list", "watch"] },
                { apiGroups: [""], resources: ["nodes"], verbs: ["update"] },
                { apiGroups: [""], resources: ["events"], verbs: ["get", "create", "patch", "update"] },
                { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
                { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["system-upgrade-controller"], verbs: ["get", "update"] },
                { apiGroups: ["upgrade.cattle.io"], resources: ["plans", "plans/status"], verbs: ["get", "list", "watch", "create", "patch", "update", "delete"] },
            ],
        },
        role: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: meta("system-upgrade-controller"),
            rules: [
                { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "delete", "deletecollection", "patch", "update", "get", "list", "watch"] },
                { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] },
            ],
        },
        // The drain init container of the Jobs runs `kubectl drain` as this ServiceAccount.
        drainerClusterRole: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: clusterMeta("system-upgrade-controller-drainer"),
            rules: [
                { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
                { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "delete"] },
                { apiGroups: [""], resources: ["nodes"], verbs: ["get", "patch"] },
                { apiGroups: ["apps"], resources: ["statefulsets", "daemonsets", "replicasets"], verbs: ["get", "list"] },
            ],
        },
        drainerBinding: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: clusterMeta("system-upgrade-drainer"),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system-upgrade-controller-drainer" },
            subjects: [subject],
        },
        clusterRoleBinding: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: clusterMeta("system-upgrade"),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system-upgrade-controller" },
            subjects: [subject],
        },
        roleBinding: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: meta("system-upgrade"),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "system-upgrade-controller" },
            subjects: [subject],
        },
        deployment: renderControllerDeployment(),
    };
}

function renderControllerDeployment(): IDeployment {
    // The release's selector label; the Jobs' drain skips pods carrying it, so the controller is never evicted by its own drain.
    const podLabels = {
        "app.kubernetes.io/component": "controller",
        "app.kubernetes.io/name": SYSTEM_UPGRADE_CONTROLLER_NAME,
        "upgrade.cattle.io/controller": SYSTEM_UPGRADE_CONTROLLER_NAME,
    };
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: meta(SYSTEM_UPGRADE_CONTROLLER_NAME),
        spec: {
            strategy: { type: "Recreate" },
            selector: { matchLabels: { "upgrade.cattle.io/controller": SYSTEM_UPGRADE_CONTROLLER_NAME } },
            template: {
                metadata: { labels: podLabels },
                spec: {
                    serviceAccountName: SYSTEM_UPGRADE_SERVICE_ACCOUNT,
                    automountServiceAccountToken: false,
                    securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                    affinity: {
                        nodeAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: {
                                nodeSelectorTerms: [
                                    {
                                        matchExpressions: [
                                            { key: "node-role.kubernetes.io/control-plane", operator: "Exists" },
                                            { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
                                        ],
                                    },
                                ],
                            },
                        },
                        podAntiAffinity: {
                            requiredDuringSchedulingIgnoredDuringExecution: [
                                {
                                    topologyKey: "kubernetes.io/hostname",
                                    labelSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: [SYSTEM_UPGRADE_CONTROLLER_NAME] }] },
                                },
                            ],
                        },
                    },
                    tolerations: [
                        { key: "CriticalAddonsOnly", operator: "Exists" },
                        { key: "node-role.kubernetes.io/master", operator: "Exists", effect: "NoSchedule" },
                        { key: "node-role.kubernetes.io/controlplane", operator: "Exists", effect: "NoSchedule" },
                        { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
                        { key: "node-role.kubernetes.io/etcd", operator: "Exists", effect: "NoExecute" },
                    ],
                    containers: [
                        {
                            name: SYSTEM_UPGRADE_CONTROLLER_NAME,
                            image: SYSTEM_UPGRADE_IMAGES.controller,
                            imagePullPolicy: "IfNotPresent",
                            securityContext: {
                                runAsNonRoot: true,
                                runAsUser: 65534,
                                runAsGroup: 65534,
                                allowPrivilegeEscalation: false,
                                readOnlyRootFilesystem: true,
                                seccompProfile: { type: "RuntimeDefault" },
                                capabilities: { drop: ["ALL"] },
                            },
                            resources: SYSTEM_UPGRADE_CONTROLLER_RESOURCES,
                            envFrom: [{ configMapRef: { name: "default-controller-env" } }],
                            env: [
                                { name: "SYSTEM_UPGRADE_CONTROLLER_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.labels['upgrade.cattle.io/controller']" } } },
                                { name: "SYSTEM_UPGRADE_CONTROLLER_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                                { name: "SYSTEM_UPGRADE_CONTROLLER_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                            ],
                            volumeMounts: [
                                { name: "tmp", mountPath: "/tmp" },
                                API_TOKEN.mount,
                            ],
                        },
                    ],
                    volumes: [
                        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                        API_TOKEN.volume,
                    ],
                },
            },
        },
    };
}
