/**
 * Which input changes replace a resource, and which ones its API refuses, per resource type: the semantics the
 * change plan (tools/offline/change-plan.ts) applies to the input paths that differ between two plans.
 *
 * Sources, checked against the upstream code (not assumed):
 * - pulumi-kubernetes `provider/pkg/provider/diff.go` (`forceNew`): `.metadata.name`/`.metadata.namespace` of
 *   every kind; StatefulSet `podManagementPolicy`, `revisionHistoryLimit`, `selector`, `serviceName`,
 *   `volumeClaimTemplates`; Deployment `selector`; Job `completions`, `parallelism`, `selector`, `template`;
 *   PVC `accessModes`, `selector`, `storageClassName`, `volumeName` (its `resources` were taken out of the list by
 *   pulumi-kubernetes#1705, so a size change is an in-place update); Service `clusterIP`; Secret `type`,
 *   `stringData`, `data`; ConfigMap `data`, `binaryData`; ResourceQuota `scopes`; (Cluster)RoleBinding `roleRef`;
 *   StorageClass `parameters`, `provisioner`. (Its DaemonSet entry is keyed `Daemonset`, which never matches the
 *   kind `DaemonSet`: a DaemonSet selector change is not replaced, and the API refuses it, see below.)
 * - Kubernetes validation (`pkg/apis/*\/validation`): fields the API refuses to change that the provider does not
 *   replace: PVC `volumeMode`, `dataSource`, `dataSourceRef` and a smaller `resources.requests.storage` ("field
 *   can not be less than previous value"); DaemonSet `selector`; StorageClass `reclaimPolicy`,
 *   `volumeBindingMode`.
 * - terraform-provider-hcloud `internal/server/resource.go` (what pulumi-hcloud bridges): `image`, `location`,
 *   `datacenter`, `userData`, `sshKeys` are ForceNew; `serverType` changes in place (power off, change type).
 * - The Robot provider of this repository (components/baremetal/robot-provider.ts `diff`): `serverNumber`,
 *   `image`, `autosetup`, `userData` reinstall the machine.
 * - random, tls and tailscale resources: every argument is ForceNew in their Terraform providers.
 */

/** Why a changed path replaces a resource or fails its update. */
export interface ReplacementRule {
    /** Input path pattern: dotted keys, `[*]` for any array index; a changed path under it matches. */
    path: string;
    /** Where the rule comes from (shown in the change plan). */
    source: string;
}

/** The replacement semantics of one resource type. */
export interface TypeRules {
    /** Changes that make the provider replace the resource. */
    replace: readonly ReplacementRule[];
    /** Changes the provider sends as updates and the API refuses. */
    refused: readonly ReplacementRule[];
    /** Every input change replaces the resource. */
    replaceOnAnyChange?: boolean;
}

const K8S_PROVIDER = "pulumi-kubernetes forceNew";
const K8S_API = "Kubernetes validation (immutable field)";
const rule = (source: string) => (path: string): ReplacementRule => ({ path, source });
const provider = rule(K8S_PROVIDER);
const api = rule(K8S_API);

const METADATA = ["metadata.name", "metadata.namespace"].map(provider);

const KUBERNETES: Readonly<Record<string, { replace?: string[]; refused?: string[] }>> = {
    "apps/v1:StatefulSet": { replace: ["spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"] },
    "apps/v1:Deployment": { replace: ["spec.selector"] },
    "apps/v1:DaemonSet": { refused: ["spec.selector"] },
    "batch/v1:Job": { replace: ["spec.completions", "spec.parallelism", "spec.selector", "spec.template"] },
    "core/v1:PersistentVolumeClaim": {
        replace: ["spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
        refused: ["spec.volumeMode", "spec.dataSource", "spec.dataSourceRef"],
    },
    "core/v1:Service": { replace: ["spec.clusterIP"] },
    "core/v1:Secret": { replace: ["type", "stringData", "data"] },
    "core/v1:ConfigMap": { replace: ["data", "binaryData"] },
    "core/v1:ResourceQuota": { replace: ["spec.scopes"] },
    "rbac.authorization.k8s.io/v1:RoleBinding": { replace: ["roleRef"] },
    "rbac.authorization.k8s.io/v1:ClusterRoleBinding": { replace: ["roleRef"] },
    "storage.k8s.io/v1:StorageClass": { replace: ["parameters", "provisioner"], refused: ["reclaimPolicy", "volumeBindingMode"] },
};

const HCLOUD_SERVER = ["image", "location", "datacenter", "userData", "sshKeys"].map(rule("pulumi-hcloud (terraform-provider-hcloud ForceNew)"));
const ROBOT_SERVER = ["serverNumber", "image", "autosetup", "userData"].map(rule("Robot provider diff: reinstall"));

/** Resource types whose every input is ForceNew upstream. */
const REPLACED_ON_ANY_CHANGE = /^(random:|tls:|tailscale:index\/tailnetKey:)/;

/** True when `urn` is the Robot server dynamic resource (its type token is the generic dynamic one). */
export function isRobotServer(urn: string): boolean {
    return urn.includes("platform:baremetal:Server$pulumi-nodejs:dynamic:Resource");
}

/** The rules of a resource (by type token and URN); unknown types have none (every change is an update). */
export function rulesFor(type: string, urn: string): TypeRules {
    if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh/")) {
        const kind = type.slice("kubernetes:".length);
        const entry = KUBERNETES[kind];
        return { replace: [...METADATA, ...(entry?.replace ?? []).map(provider)], refused: (entry?.refused ?? []).map(api) };
    }
    if (type === "hcloud:index/server:Server") {
        return { replace: HCLOUD_SERVER, refused: [] };
    }
    if (isRobotServer(urn)) {
        return { replace: ROBOT_SERVER, refused: [] };
    }
    if (REPLACED_ON_ANY_CHANGE.test(type)) {
        return { replace: [], refused: [], replaceOnAnyChange: true };
    }
    return { replace: [], refused: [] };
}

/** True when `changed` (a concrete path such as `spec.template.spec.containers[0].image`) lies under `pattern`. */
export function pathUnder(changed: string, pattern: string): boolean {
    const concrete = splitPath(changed);
    const wanted = splitPath(pattern);
    if (wanted.length > concrete.length) {
        // A changed parent (e.g. a whole array replaced) also touches the pattern below it.
        return wanted.slice(0, concrete.length).every((segment, i) => segment === "*" || segment === concrete[i]);
    }
    return wanted.every((segment, i) => segment === "*" || segment === concrete[i]);
}

function splitPath(path: string): string[] {
    return path.split(/\.|(?=\[)/).map((s) => (s.startsWith("[") ? (s === "[*]" ? "*" : s.slice(1, -1)) : s)).filter((s) => s !== "");
}
