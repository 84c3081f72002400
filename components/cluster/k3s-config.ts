import * as yaml from "js-yaml";
import type { PlatformConfig } from "../../lib/config/schema";
import type { NodeSpec } from "../nodes/node-plan";

/** Paths on the nodes the rendered k3s files live at. */
export const K3S_PATHS = {
    config: "/etc/rancher/k3s/config.yaml",
    dropInDir: "/etc/rancher/k3s/config.yaml.d",
    secretsDropIn: "/etc/rancher/k3s/config.yaml.d/90-secrets.yaml",
    nodeIpDropIn: "/etc/rancher/k3s/config.yaml.d/10-node-ip.yaml",
    psa: "/etc/rancher/k3s/psa.yaml",
    auditPolicy: "/etc/rancher/k3s/audit-policy.yaml",
    auditLog: "/var/lib/rancher/k3s/server/logs/audit.log",
    kubeconfig: "/etc/rancher/k3s/k3s.yaml",
} as const;

/** Inputs of the k3s config renderer. */
export interface K3sConfigInput {
    /** The node. */
    node: NodeSpec;
    /** Validated stack config (cluster block, mesh suffix). */
    config: PlatformConfig;
}

/**
 * Whether this node bootstraps a new cluster (`cluster-init`): server 0 of generation 0, or the only server.
 * k3s (pkg/etcd/etcd.go, `Start`) starts an existing member from its WAL directory whatever the flags say,
 * creates a new etcd cluster when it has no data and no `server:` to join, and joins when it has a
 * `server:`. A replaced server 0 (generation > 0) has no data, so with `cluster-init` it would start a
 * second, empty cluster: it joins through another server like every other node. A single-server stack has
 * nothing to join; its replacement is a new cluster (restore an etcd snapshot, see README).
 */
export function bootstrapsCluster(node: NodeSpec, config: PlatformConfig): boolean {
    return node.role === "server" && node.index === 0 && (node.generation === 0 || config.servers.count === 1);
}

/** Where a joining node registers and which names its serving certificate must carry; rendered at join time. */
export interface RegistrationInput {
    /** Tailnet name of a running server to register with (absent when the node bootstraps the cluster). */
    server?: string;
    /**
     * Every server the node may register with, preferred first (`server` among them). The start script
     * probes them in order at start time and registers with the first that answers, so a join still works
     * while any one server is down.
     */
    candidates?: readonly string[];
    /** The node's own tailnet name as read back from Tailscale (servers: added to the certificate SANs). */
    ownTailnetName?: string;
}

/**
 * The registration drop-in, written with the secrets when k3s is started: `server:` names a running server
 * read back from the tailnet at that moment (not the name assumed when the user-data was rendered), and a
 * server's certificate gains its real tailnet name (`tls-san+` appends to config.yaml's list; k3s merges
 * `key+` values of drop-ins into the earlier ones).
 */
export function renderRegistrationDropIn(node: NodeSpec, registration: RegistrationInput): string {
    const doc: Record<string, unknown> = {};
    if (registration.server) {
        doc.server = `https://${registration.server}:6443`;
    }
    if (node.role === "server" && registration.ownTailnetName) {
        doc["tls-san+"] = [registration.ownTailnetName];
    }
    const text = Object.keys(doc).length > 0 ? yaml.dump(doc, { lineWidth: 200 }) : "";
    const candidates = (registration.candidates ?? []).filter((c) => c !== "");
    if (registration.server && candidates.length > 0) {
        if (candidates.some((c) => !/^[a-z0-9.-]+$/.test(c))) {
            throw new Error(`registration candidates must be host names: ${candidates.join(", ")}`);
        }
        return `${text}${REGISTRATION_CANDIDATES_COMMENT}${candidates.join(" ")}\n`;
    }
    return text;
}

/** The drop-in line listing registration candidates (a YAML comment: k3s ignores it, the start script reads it). */
export const REGISTRATION_CANDIDATES_COMMENT = "# platform-registration-candidates: ";

/** Namespaces exempt from PSA `restricted` (the platform's own system components need more). */
export const PSA_EXEMPT_NAMESPACES = ["kube-system", "metallb-system", "longhorn-system", "monitoring"] as const;

/**
 * kubelet flags every node gets (CIS hardening; read-only port off). With `rotate-server-certificates` the
 * kubelet requests its serving certificate from the cluster CA as a CSR and renews it itself; the
 * kubelet-csr-approver add-on (components/kubelet-csr-approver) approves those CSRs, without which
 * logs/exec/port-forward and metrics fail against every node.
 */
function kubeletArgs(): string[] {
    return ["read-only-port=0", "anonymous-auth=false", "streaming-connection-idle-timeout=5m", "make-iptables-util-chains=true", "event-qps=0", "rotate-server-certificates=true"];
}

/**
 * Renders `/etc/rancher/k3s/config.yaml` (keys are k3s CLI flags). Secrets (token, S3 keys) are not in it:
 * they reach the node over the tailnet in a separate drop-in, never through user-data; so does the
 * registration address (`server:`, see {@link renderRegistrationDropIn}), which is only known once the
 * servers have joined the tailnet.
 */
export function renderK3sConfig({ node, config }: K3sConfigInput): string {
    const isServer = node.role === "server";
    const common: Record<string, unknown> = {
        "flannel-iface": "tailscale0",
        "protect-kernel-defaults": true,
        "node-name": node.hostname,
        "node-label": Object.entries(node.labels).map(([k, v]) => `${k}=${v}`),
        ...(node.taints.length > 0 ? { "node-taint": node.taints } : {}),
        "kubelet-arg": kubeletArgs(),
    };
    if (!isServer) {
        return yaml.dump(common, { lineWidth: 200 });
    }
    const s3 = config.cluster.etcdSnapshots.s3;
    const server: Record<string, unknown> = {
        ...(bootstrapsCluster(node, config) ? { "cluster-init": true } : {}),
        "tls-san": [`${node.hostname}.${config.mesh.magicDnsSuffix}`, node.hostname],
        "cluster-cidr": config.cluster.clusterCidr,
        "service-cidr": config.cluster.serviceCidr,
        disable: ["traefik", "servicelb", "local-storage"],
        "write-kubeconfig-mode": "0600",
        "secrets-encryption": true,
        "kube-apiserver-arg": [
            `admission-control-config-file=${K3S_PATHS.psa}`,
            `audit-policy-file=${K3S_PATHS.auditPolicy}`,
            `audit-log-path=${K3S_PATHS.auditLog}`,
            "audit-log-maxage=30",
            "audit-log-maxbackup=10",
            "audit-log-maxsize=100",
            "anonymous-auth=false",
            "enable-admission-plugins=NodeRestriction",
        ],
        "kube-controller-manager-arg": ["terminated-pod-gc-threshold=1000", "bind-address=127.0.0.1"],
        "kube-scheduler-arg": ["bind-address=127.0.0.1"],
        "etcd-snapshot-schedule-cron": config.cluster.etcdSnapshots.schedule,
        "etcd-snapshot-retention": config.cluster.etcdSnapshots.retention,
        "etcd-s3": true,
        "etcd-s3-endpoint": s3.endpoint,
        "etcd-s3-bucket": s3.bucket,
        "etcd-s3-region": s3.region,
        ...(s3.folder ? { "etcd-s3-folder": s3.folder } : {}),
        "etcd-expose-metrics": false,
    };
    return yaml.dump({ ...server, ...common }, { lineWidth: 200 });
}

/** The drop-in with the join token and S3 credentials, delivered over the tailnet (secret). */
export function renderSecretsDropIn(token: string, node: NodeSpec, s3: { accessKey: string; secretKey: string }): string {
    const doc: Record<string, string> = { token };
    if (node.role === "server") {
        doc["etcd-s3-access-key"] = s3.accessKey;
        doc["etcd-s3-secret-key"] = s3.secretKey;
    }
    return yaml.dump(doc);
}

/** Pod Security admission config: `restricted` everywhere, platform namespaces exempt. */
export function renderPsaConfig(): string {
    return yaml.dump({
        apiVersion: "apiserver.config.k8s.io/v1",
        kind: "AdmissionConfiguration",
        plugins: [
            {
                name: "PodSecurity",
                configuration: {
                    apiVersion: "pod-security.admission.config.k8s.io/v1",
                    kind: "PodSecurityConfiguration",
                    defaults: { enforce: "restricted", "enforce-version": "latest", audit: "restricted", "audit-version": "latest", warn: "restricted", "warn-version": "latest" },
                    exemptions: { usernames: [], runtimeClasses: [], namespaces: [...PSA_EXEMPT_NAMESPACES] },
                },
            },
        ],
    });
}

/** Audit policy: metadata for everything, no request bodies of secrets, noisy read-only endpoints skipped. */
export function renderAuditPolicy(): string {
    return yaml.dump({
        apiVersion: "audit.k8s.io/v1",
        kind: "Policy",
        omitStages: ["RequestReceived"],
        rules: [
            { level: "None", nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version"] },
            { level: "None", users: ["system:kube-proxy"], verbs: ["watch"] },
            { level: "Metadata", resources: [{ group: "", resources: ["secrets", "configmaps"] }] },
            { level: "RequestResponse", verbs: ["create", "update", "patch", "delete"], resources: [{ group: "rbac.authorization.k8s.io" }] },
            { level: "Metadata" },
        ],
    });
}
