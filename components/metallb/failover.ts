import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import type { IRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { ISecret } from "kubernetes-models/v1/Secret";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { FLOATING_IP_FAILOVER_IMAGE } from "../../charts/images";
import { API_TOKEN, CONTROL_PLANE_TOLERATIONS } from "../nodes/placement";
import { resources, type ResourceBlock } from "../../charts/resources";
import { floatingIpService } from "./values";

/**
 * Floating-IP failover: a one-replica Deployment running a short bash loop that makes every floating IP
 * follow the edge node MetalLB announces its Service from.
 *
 * Why a loop of our own: hcloud-fip-controller (maintained) matches Kubernetes nodes to servers by node
 * address, but these k3s nodes register only their tailnet address; in its pod mode a dead node's pods
 * stay `Running`, so the IP would not move; and it picks nodes on its own, not where MetalLB (and, with
 * externalTrafficPolicy Local, a ready Traefik pod) is. hcloud-ip-floater has had no release since 2024.
 * The loop reads MetalLB's documented ServiceL2Status (`status.node`, MetalLB >= 0.14), looks the node up
 * as an hcloud server by name (the node plan names servers after their nodes) and assigns the IP with the
 * Hetzner Cloud API when it sits elsewhere. A dead edge node is dropped from MetalLB's memberlist within
 * seconds, another edge speaker takes over, and the IP follows within one interval; DNS never changes.
 */

/** Name of the Deployment, ServiceAccount, Role and ConfigMap. */
export const FAILOVER_NAME = "floating-ip-failover";

/** Secret with the Hetzner Cloud API token (key `token`). */
export const FAILOVER_TOKEN_SECRET = "floating-ip-failover-hcloud";

/** Seconds between two reconciliations (Hetzner Cloud allows 3600 API requests per hour and project). */
export const FAILOVER_INTERVAL_SECONDS = 15;

/** One floating IP and the Service whose announcing node it must follow. */
export interface FloatingIpBinding {
    /** hcloud id of the floating IP. */
    id: string;
    /** The address. */
    address: string;
    /** Namespace of the LoadBalancer Service that carries it. */
    serviceNamespace: string;
    /** Name of that Service. */
    serviceName: string;
}

/** Bindings in floating-IP order: the i-th IP follows the i-th Traefik entry Service. */
export function floatingIpBindings(ids: readonly string[], addresses: readonly string[]): FloatingIpBinding[] {
    if (ids.length !== addresses.length) {
        throw new Error(`got ${ids.length} floating IP ids for ${addresses.length} addresses`);
    }
    return ids.map((id, index) => {
        if (!/^\d+$/.test(id)) {
            throw new Error(`floating IP id must be numeric, got ${id}`);
        }
        const service = floatingIpService(index);
        return { id, address: addresses[index]!, serviceNamespace: service.namespace, serviceName: service.name };
    });
}

/** Where the hcloud token Secret is mounted in the failover pod (directory, and the file with the token). */
export const FAILOVER_TOKEN_DIR = "/secrets/hcloud";
/** The token file the loop reads. */
export const FAILOVER_TOKEN_PATH = `${FAILOVER_TOKEN_DIR}/token`;

/** The bindings file the loop reads: `<id> <address> <namespace> <service>` per line. */
export function renderBindings(bindings: readonly FloatingIpBinding[]): string {
    return bindings.map((b) => `${b.id} ${b.address} ${b.serviceNamespace} ${b.serviceName}\n`).join("");
}

/** The loop. Kept deliberately small; `shellcheck --shell=bash --severity=style` passes (tested). */
export function renderFailoverScript(): string {
    return `#!/usr/bin/env bash
# Assigns each Hetzner floating IP to the server of the edge node MetalLB announces its Service from.
# Input: /config/bindings, lines "<floating-ip-id> <address> <namespace> <service>"; the hcloud token in
# the file HCLOUD_TOKEN_FILE (a Secret volume), never in the environment or on a command line.
set -uo pipefail

readonly API="https://api.hetzner.cloud/v1"
readonly BINDINGS="\${BINDINGS_FILE:-/config/bindings}"
readonly INTERVAL="\${INTERVAL_SECONDS:-${FAILOVER_INTERVAL_SECONDS}}"
readonly METALLB_NS="\${METALLB_NAMESPACE:-${NAMESPACES.metallb}}"
readonly TOKEN_FILE="\${HCLOUD_TOKEN_FILE:-${FAILOVER_TOKEN_PATH}}"
declare -A SERVER_IDS=()

# The Authorization header reaches curl on stdin (curl --config -), written by the printf builtin: the token
# never appears in any process's argv (/proc/<pid>/cmdline is readable by every process in the pod).
hcloud_api() {
  local token
  token="$(< "\${TOKEN_FILE}")"
  printf 'header = "Authorization: Bearer %s"\n' "\${token}" |
    curl --config - --fail --silent --show-error --max-time 20 -H "Content-Type: application/json" "$@"
}

# Node MetalLB elected to announce a Service (empty while none or, briefly, two are recorded).
announcing_node() {
  local nodes
  nodes="$(kubectl get servicel2statuses.metallb.io -n "\${METALLB_NS}" \\
    -l "metallb.io/service-namespace=$1,metallb.io/service-name=$2" \\
    -o jsonpath='{.items[*].status.node}')" || return 1
  [[ "\${nodes}" =~ ^[a-z0-9.-]+$ ]] && printf '%s' "\${nodes}"
}

# Caches the hcloud server id of a node in SERVER_IDS (servers are named after their nodes; ids never move).
lookup_server() {
  if [[ -z "\${SERVER_IDS[$1]:-}" ]]; then
    SERVER_IDS[$1]="$(hcloud_api "\${API}/servers?name=$1" | jq -r '.servers[0].id // empty')" || return 1
  fi
}

reconcile() {
  local id address namespace service node target current
  while read -r id address namespace service; do
    [[ -z "\${id}" ]] && continue
    if ! node="$(announcing_node "\${namespace}" "\${service}")"; then
      echo "\${address}: no single node announces \${namespace}/\${service}; leaving the IP where it is" >&2
      continue
    fi
    lookup_server "\${node}"
    target="\${SERVER_IDS[\${node}]:-}"
    if [[ ! "\${target}" =~ ^[0-9]+$ ]]; then
      echo "\${address}: node \${node} is not an hcloud server" >&2
      continue
    fi
    current="$(hcloud_api "\${API}/floating_ips/\${id}" | jq -r '.floating_ip.server // empty')" || continue
    if [[ "\${current}" != "\${target}" ]]; then
      echo "\${address}: assigning to \${node} (server \${target}), was on \${current:-no server}"
      hcloud_api -X POST -d "{\\"server\\":\${target}}" "\${API}/floating_ips/\${id}/actions/assign" >/dev/null ||
        echo "\${address}: assignment failed" >&2
    fi
  done < "\${BINDINGS}"
}

while true; do
  reconcile
  touch /tmp/heartbeat
  sleep "\${INTERVAL}"
done
`;
}

/** Resources of the loop (a bash process and short-lived kubectl/curl/jq children). */
export const FAILOVER_RESOURCES: ResourceBlock = resources("10m", "32Mi", "96Mi");

/** Succeeds while the loop has finished a round within the last two minutes. */
const HEARTBEAT_CHECK = ["/bin/sh", "-c", 'test -n "$(find /tmp/heartbeat -mmin -2)"'];

const labels = { "app.kubernetes.io/name": FAILOVER_NAME, "app.kubernetes.io/part-of": "platform-edge", [LABELS.managedBy]: "pulumi" };
const selector = { "app.kubernetes.io/name": FAILOVER_NAME };
const meta = (name: string) => ({ name, namespace: NAMESPACES.metallb, labels });

/** The objects of the failover loop except the token Secret (whose value is secret; see renderFailoverTokenSecret). */
export function renderFailoverObjects(bindings: string): {
    serviceAccount: IServiceAccount;
    role: IRole;
    roleBinding: IRoleBinding;
    configMap: IConfigMap;
    deployment: IDeployment;
} {
    return {
        serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(FAILOVER_NAME), automountServiceAccountToken: false },
        // Read-only, and only MetalLB's announcement status in its own namespace.
        role: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: meta(FAILOVER_NAME),
            rules: [{ apiGroups: ["metallb.io"], resources: ["servicel2statuses"], verbs: ["get", "list", "watch"] }],
        },
        roleBinding: {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: meta(FAILOVER_NAME),
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: FAILOVER_NAME },
            subjects: [{ kind: "ServiceAccount", name: FAILOVER_NAME, namespace: NAMESPACES.metallb }],
        },
        configMap: {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: meta(FAILOVER_NAME),
            data: { "failover.sh": renderFailoverScript(), bindings },
        },
        deployment: {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: meta(FAILOVER_NAME),
            spec: {
                replicas: 1,
                // Never two loops at once.
                strategy: { type: "Recreate" },
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: FAILOVER_NAME,
                        // kubectl needs an API token: a short-lived projected one at the standard path (volume below)
                        // instead of the automounted legacy mount.
                        automountServiceAccountToken: false,
                        // fsGroup: the kubelet gives the token Secret's files this group, so user 65534 can read them (mode 0440).
                        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                        // Not on an edge node: the loop must survive the node it moves the IP away from.
                        affinity: {
                            nodeAffinity: {
                                requiredDuringSchedulingIgnoredDuringExecution: {
                                    nodeSelectorTerms: [{ matchExpressions: [{ key: LABELS.pool, operator: "NotIn", values: ["edge"] }] }],
                                },
                                preferredDuringSchedulingIgnoredDuringExecution: [
                                    { weight: 100, preference: { matchExpressions: [{ key: LABELS.pool, operator: "In", values: ["server"] }] } },
                                ],
                            },
                        },
                        tolerations: [
                            ...CONTROL_PLANE_TOLERATIONS,
                            // Reschedule quickly if the node running the loop itself fails (default is 300 s).
                            { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
                            { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
                        ],
                        containers: [
                            {
                                name: "failover",
                                image: FLOATING_IP_FAILOVER_IMAGE,
                                command: ["/bin/bash", "/config/failover.sh"],
                                env: [
                                    { name: "HOME", value: "/tmp" },
                                    { name: "INTERVAL_SECONDS", value: String(FAILOVER_INTERVAL_SECONDS) },
                                ],
                                resources: FAILOVER_RESOURCES,
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: true,
                                    runAsNonRoot: true,
                                    capabilities: { drop: ["ALL"] },
                                },
                                // Alive (and ready) while the loop completes rounds; a hung kubectl or curl stops the heartbeat.
                                livenessProbe: { exec: { command: HEARTBEAT_CHECK }, initialDelaySeconds: 60, periodSeconds: 30 },
                                readinessProbe: { exec: { command: HEARTBEAT_CHECK }, initialDelaySeconds: 5, periodSeconds: 15 },
                                volumeMounts: [
                                    { name: "config", mountPath: "/config", readOnly: true },
                                    { name: "tmp", mountPath: "/tmp" },
                                    { name: "hcloud-token", mountPath: FAILOVER_TOKEN_DIR, readOnly: true },
                                    API_TOKEN.mount,
                                ],
                            },
                        ],
                        volumes: [
                            { name: "config", configMap: { name: FAILOVER_NAME, defaultMode: 0o555 } },
                            { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                            { name: "hcloud-token", secret: { secretName: FAILOVER_TOKEN_SECRET, defaultMode: 0o440 } },
                            API_TOKEN.volume,
                        ],
                    },
                },
            },
        },
    };
}

/** Shape of the token Secret (the value itself is passed as a secret Output by the component). */
export function renderFailoverTokenSecret(): ISecret {
    return { apiVersion: "v1", kind: "Secret", metadata: meta(FAILOVER_TOKEN_SECRET), type: "Opaque" };
}
