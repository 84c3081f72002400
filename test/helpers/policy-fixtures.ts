import * as zlib from "node:zlib";
import * as yaml from "js-yaml";
import type { PlannedResource } from "../../tools/offline/plan-types";
import { evaluatePolicies, type PolicyViolation } from "../../policy/offline";
import type { PackConfig } from "../../policy/lib/config";
import type { PackPolicy } from "../../policy/rules";

/**
 * Builders of `PlannedResource` fixtures for the policy tests: a compliant resource of every kind the pack
 * inspects, and a compliant stack made of them. Tests deep-copy a compliant fixture, break one field, and
 * assert the exact violation.
 */

/** Stack name of the fixture URNs. */
export const FIXTURE_STACK = "policy-test";

/** A value with every object's keys in alphabetical order, as the engine's serialisation (protobuf Structs) hands inputs to the pack. */
export function keysSorted(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(keysSorted);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.keys(value).sort().map((key) => [key, keysSorted((value as Record<string, unknown>)[key])]));
    return value;
}

/** A mock-engine style URN. */
export function urnOf(type: string, name: string): string {
    return `urn:pulumi:${FIXTURE_STACK}::platform::${type}::${name}`;
}

/** A planned custom resource. */
export function planned(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlannedResource> = {}): PlannedResource {
    return {
        urn: urnOf(type, name),
        type,
        name,
        custom: true,
        inputs,
        secretInputs: [],
        additionalSecretOutputs: [],
        dependencies: [],
        ...extra,
    };
}

/** A deep copy of a resource with its inputs changed by `mutate` (the original stays compliant). */
export function edit(resource: PlannedResource, mutate: (inputs: any) => void, extra: Partial<PlannedResource> = {}): PlannedResource {
    const copy = structuredClone(resource);
    mutate(copy.inputs);
    return { ...copy, ...extra };
}

/** Runs the pack and keeps the violations of one policy. */
export function violationsOf(policy: string, resources: readonly PlannedResource[], config: Partial<PackConfig> = {}): PolicyViolation[] {
    return evaluatePolicies(resources, config).filter((v) => v.policy === policy);
}

/** Runs the pack and returns the messages of one policy. */
export function messagesOf(policy: string, resources: readonly PlannedResource[], config: Partial<PackConfig> = {}): string[] {
    return violationsOf(policy, resources, config).map((v) => v.message);
}

/** Messages of one rule evaluated alone: the pack's resource rules do not take preview-time unknowns as its stack rules do. */
export function messagesOfRule(policy: PackPolicy, resources: readonly PlannedResource[]): string[] {
    return evaluatePolicies(resources, {}, { policies: [policy] }).map((v) => v.message);
}

/** Named as the policy SDK's error class: policy/lib/values.ts recognises an unknown by the constructor's name. */
class UnknownValueError extends Error {}

/** A copy of the resource whose input `key` is unknown at preview: reading it throws as the policy SDK's proxy does. */
export function withUnknown(resource: PlannedResource, key: string): PlannedResource {
    const inputs = structuredClone(resource.inputs);
    Object.defineProperty(inputs, key, { enumerable: true, get: () => { throw new UnknownValueError(`${key} is unknown during preview`); } });
    return { ...resource, inputs };
}

// ---------------------------------------------------------------------------------------------------------
// Workloads

/** A sha256 digest for pinned images. */
export const DIGEST = `sha256:${"a1".repeat(32)}`;

/** A container that satisfies every workload rule (probes, digest and read-only root included). */
export function compliantContainer(name = "web", image = `ghcr.io/example/${name}:1.4.2@${DIGEST}`): Record<string, any> {
    return {
        name,
        image,
        imagePullPolicy: "IfNotPresent",
        ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: 10001,
            capabilities: { drop: ["ALL"] },
        },
        readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 5 },
        livenessProbe: { httpGet: { path: "/health", port: 8080 }, periodSeconds: 10 },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    };
}

/** An init container (no probes: init containers cannot have them). */
export function compliantInitContainer(name = "migrate"): Record<string, any> {
    const { readinessProbe: _r, livenessProbe: _l, ports: _p, ...container } = compliantContainer(name);
    return container;
}

/** A pod spec that satisfies every workload rule, sandboxed (valid for untrusted tenants too). */
export function compliantPodSpec(): Record<string, any> {
    return {
        serviceAccountName: "workload",
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        runtimeClassName: "gvisor",
        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
        initContainers: [compliantInitContainer()],
        containers: [compliantContainer()],
        volumes: [
            { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
            { name: "config", configMap: { name: "web-config" } },
        ],
    };
}

/** Workload kinds and where each keeps its pod spec. */
export const WORKLOAD_KINDS = {
    Pod: { type: "kubernetes:core/v1:Pod", apiVersion: "v1", path: ["spec"] },
    Deployment: { type: "kubernetes:apps/v1:Deployment", apiVersion: "apps/v1", path: ["spec", "template", "spec"] },
    StatefulSet: { type: "kubernetes:apps/v1:StatefulSet", apiVersion: "apps/v1", path: ["spec", "template", "spec"] },
    DaemonSet: { type: "kubernetes:apps/v1:DaemonSet", apiVersion: "apps/v1", path: ["spec", "template", "spec"] },
    ReplicaSet: { type: "kubernetes:apps/v1:ReplicaSet", apiVersion: "apps/v1", path: ["spec", "template", "spec"] },
    Job: { type: "kubernetes:batch/v1:Job", apiVersion: "batch/v1", path: ["spec", "template", "spec"] },
    CronJob: { type: "kubernetes:batch/v1:CronJob", apiVersion: "batch/v1", path: ["spec", "jobTemplate", "spec", "template", "spec"] },
} as const;

/** A workload kind name. */
export type WorkloadKind = keyof typeof WORKLOAD_KINDS;

const labelsFor = (app: string) => ({ "platform/project": "shop", "platform/service": app });

/** A workload of any kind around a pod spec (compliant by default), in namespace `shop` (`null`: no namespace). */
export function workload(kind: WorkloadKind = "Deployment", name = "web", namespace: string | null = "shop", podSpec: Record<string, any> = compliantPodSpec()): PlannedResource {
    const { type, apiVersion } = WORKLOAD_KINDS[kind];
    const template = { metadata: { labels: labelsFor(name) }, spec: podSpec };
    const specs: Record<WorkloadKind, Record<string, unknown>> = {
        Pod: podSpec,
        Deployment: { replicas: 2, selector: { matchLabels: labelsFor(name) }, template },
        StatefulSet: { replicas: 1, serviceName: `${name}-headless`, selector: { matchLabels: labelsFor(name) }, template },
        DaemonSet: { selector: { matchLabels: labelsFor(name) }, template },
        ReplicaSet: { replicas: 1, selector: { matchLabels: labelsFor(name) }, template },
        Job: { backoffLimit: 2, template: { ...template, spec: { ...podSpec, restartPolicy: "Never" } } },
        CronJob: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { ...template, spec: { ...podSpec, restartPolicy: "Never" } } } } },
    };
    const metadata = { name, ...(namespace === null ? {} : { namespace }), labels: labelsFor(name) };
    return planned(type, `${namespace ?? "default"}-${kind.toLowerCase()}-${name}`, { apiVersion, kind, metadata, spec: specs[kind] });
}

/** The pod spec inside a workload's inputs (for mutation in `edit`). */
export function podSpecIn(inputs: any, kind: WorkloadKind = "Deployment"): any {
    return WORKLOAD_KINDS[kind].path.reduce((value: any, key) => value[key], inputs);
}

// ---------------------------------------------------------------------------------------------------------
// Tenancy

const k8sName = (kind: string, namespace: string, name: string) => `${namespace}-${kind.toLowerCase()}-${name}`;

/** A namespaced Kubernetes object. */
export function k8sObject(type: string, namespace: string | undefined, name: string, fields: Record<string, unknown>, labels: Record<string, string> = {}): PlannedResource {
    const kind = type.split(":").pop()!;
    const apiVersion = type.split(":")[1]!.replace(/^core\//, "");
    const metadata = { name, ...(namespace === undefined ? {} : { namespace }), ...(Object.keys(labels).length > 0 ? { labels } : {}) };
    return planned(type, k8sName(kind, namespace ?? "cluster", name), { apiVersion, kind, metadata, ...fields });
}

/** A tenant namespace: tenant label, project, trust and PSA restricted. */
export function tenantNamespace(name = "shop", trust: "trusted" | "untrusted" = "untrusted"): PlannedResource {
    return planned("kubernetes:core/v1:Namespace", `${name}-namespace`, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name,
            labels: {
                "platform/tenant": "true",
                "platform/project": name,
                "platform/trust": trust,
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "v1.31",
            },
            // The grants the Project renders: the project's own host space under the fixtures' domain.
            annotations: {
                "platform/host-suffix": `${name}.apps.example.com`,
                "platform/custom-hosts": "",
                "platform/tcp-entrypoints": "",
                "platform/udp-entrypoints": "",
            },
        },
    });
}

/** A platform namespace (no tenant labels). */
export function platformNamespace(name = "traefik"): PlannedResource {
    return planned("kubernetes:core/v1:Namespace", `${name}-namespace`, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

/** The tenant quota: compute, object counts, no load balancers or node ports. */
export function resourceQuota(namespace = "shop"): PlannedResource {
    return k8sObject("kubernetes:core/v1:ResourceQuota", namespace, "compute-and-objects", {
        spec: {
            hard: {
                "requests.cpu": "4",
                "limits.cpu": "8",
                "requests.memory": "8Gi",
                "limits.memory": "8Gi",
                "requests.storage": "50Gi",
                pods: "20",
                services: "10",
                persistentvolumeclaims: "10",
                "services.loadbalancers": "0",
                "services.nodeports": "0",
                "count/scheduledbackups.postgresql.cnpg.io": "2",
                "count/perconaxtradbclusterrestores.pxc.percona.com": "2",
                "count/perconaservermongodbrestores.psmdb.percona.com": "2",
            },
        },
    });
}

/** The tenant LimitRange with Container defaults. */
export function limitRange(namespace = "shop"): PlannedResource {
    return k8sObject("kubernetes:core/v1:LimitRange", namespace, "container-defaults", {
        spec: {
            limits: [
                { type: "Container", default: { cpu: "500m", memory: "256Mi" }, defaultRequest: { cpu: "50m", memory: "64Mi" }, max: { cpu: "8", memory: "8Gi" } },
                { type: "PersistentVolumeClaim", max: { storage: "50Gi" } },
            ],
        },
    });
}

/** A NetworkPolicy. */
export function networkPolicy(namespace: string, name: string, spec: Record<string, unknown>): PlannedResource {
    return k8sObject("kubernetes:networking.k8s.io/v1:NetworkPolicy", namespace, name, { spec });
}

/** Default deny, both directions. */
export function defaultDeny(namespace = "shop"): PlannedResource {
    return networkPolicy(namespace, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
}

/** DNS egress to CoreDNS for every pod. */
export function allowDns(namespace = "shop"): PlannedResource {
    return networkPolicy(namespace, "allow-dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                ports: [
                    { protocol: "UDP", port: 53 },
                    { protocol: "TCP", port: 53 },
                ],
            },
        ],
    });
}

/** Internet egress on 80/443 with the metadata address and private ranges excepted. */
export function allowInternetWeb(namespace = "shop"): PlannedResource {
    return networkPolicy(namespace, "allow-egress-internet-web", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
            {
                to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] } }],
                ports: [
                    { protocol: "TCP", port: 80 },
                    { protocol: "TCP", port: 443 },
                ],
            },
        ],
    });
}

/** Ingress from Traefik to the web pods. */
export function allowFromTraefik(namespace = "shop"): PlannedResource {
    return networkPolicy(namespace, "allow-traefik-web", {
        podSelector: { matchLabels: labelsFor("web") },
        policyTypes: ["Ingress"],
        ingress: [
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "traefik" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } }],
                ports: [{ protocol: "TCP", port: 8080 }],
            },
        ],
    });
}

/** Quota, limits and network isolation of a tenant namespace. */
export function tenantGuardrails(namespace = "shop"): PlannedResource[] {
    return [resourceQuota(namespace), limitRange(namespace), defaultDeny(namespace), allowDns(namespace), allowInternetWeb(namespace), allowFromTraefik(namespace)];
}

/** A ClusterIP Service. */
export function clusterIpService(namespace = "shop", name = "web"): PlannedResource {
    return k8sObject("kubernetes:core/v1:Service", namespace, name, {
        spec: { type: "ClusterIP", selector: labelsFor(name), ports: [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }] },
    });
}

/** An Ingress with TLS for its one host. */
export function tlsIngress(namespace = "shop", host = `web.${namespace}.apps.example.com`): PlannedResource {
    return k8sObject("kubernetes:networking.k8s.io/v1:Ingress", namespace, "web", {
        spec: {
            ingressClassName: "traefik",
            tls: [{ hosts: [host], secretName: "web-tls" }],
            rules: [{ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { name: "http" } } } }] } }],
        },
    });
}

/** A whole compliant tenant: namespace, guardrails, workload, Service and Ingress. */
export function compliantTenant(namespace = "shop", trust: "trusted" | "untrusted" = "untrusted"): PlannedResource[] {
    return [tenantNamespace(namespace, trust), ...tenantGuardrails(namespace), workload("Deployment", "web", namespace), clusterIpService(namespace), tlsIngress(namespace)];
}

/** The gVisor RuntimeClass. */
export function gvisorRuntimeClass(handler = "runsc"): PlannedResource {
    return planned("kubernetes:node.k8s.io/v1:RuntimeClass", "sandbox-runtimeclass", { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "gvisor" }, handler });
}

/** A Role. */
export function role(namespace: string, name: string, rules: unknown[]): PlannedResource {
    return k8sObject("kubernetes:rbac.authorization.k8s.io/v1:Role", namespace, name, { rules });
}

/** A RoleBinding. */
export function roleBinding(namespace: string, name: string, roleRef: { kind: string; name: string }, subjects: unknown[]): PlannedResource {
    return k8sObject("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", namespace, name, { roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects });
}

/** A ClusterRole. */
export function clusterRole(name: string, rules: unknown[]): PlannedResource {
    return k8sObject("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", undefined, name, { rules });
}

/** A ClusterRoleBinding. */
export function clusterRoleBinding(name: string, roleRef: { kind: string; name: string }, subjects: unknown[]): PlannedResource {
    return k8sObject("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", undefined, name, { roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects });
}

/** Least-privilege tenant RBAC: a read-only Role on ConfigMaps bound to the tenant's ServiceAccount. */
export function tenantRbac(namespace = "shop"): PlannedResource[] {
    return [
        role(namespace, "config-reader", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }]),
        roleBinding(namespace, "config-reader", { kind: "Role", name: "config-reader" }, [{ kind: "ServiceAccount", name: "workload", namespace }]),
    ];
}

/** The tenancy rules' compliant fixture: the untrusted tenant "shop" with its least-privilege RBAC. */
export function tenancyFixture(): PlannedResource[] {
    return [...compliantTenant("shop"), ...tenantRbac("shop")];
}

/** {@link tenancyFixture} without the resources named (Pulumi names), plus the given extra resources. */
export function tenancyFixtureWithout(names: readonly string[], ...extra: PlannedResource[]): PlannedResource[] {
    return [...tenancyFixture().filter((r) => !names.includes(r.name)), ...extra];
}

// ---------------------------------------------------------------------------------------------------------
// Nodes: firewalls, servers, user-data

/** The world, both families. */
export const WORLD = ["0.0.0.0/0", "::/0"];

/** hcloud firewall rules of an edge node: Tailscale UDP, ICMP, HTTP(S). */
export function edgeFirewallRules(): Array<Record<string, unknown>> {
    return [
        { direction: "in", protocol: "udp", port: "41641", sourceIps: WORLD, description: "tailscale" },
        { direction: "in", protocol: "icmp", sourceIps: WORLD, description: "icmp" },
        { direction: "in", protocol: "tcp", port: "80", sourceIps: WORLD, description: "http" },
        { direction: "in", protocol: "tcp", port: "443", sourceIps: WORLD, description: "https" },
        { direction: "in", protocol: "tcp", port: "22", sourceIps: ["100.64.0.0/10"], description: "ssh from the tailnet range only" },
    ];
}

/** An hcloud Firewall. */
export function hcloudFirewall(name = "nodes-edge-fw", rules: Array<Record<string, unknown>> = edgeFirewallRules()): PlannedResource {
    return planned("hcloud:index/firewall:Firewall", name, { name: `platform-${name}`, rules, labels: { "platform/stack": FIXTURE_STACK } });
}

/** k3s config of the first server (cluster-init), hardened as the catalogue requires. */
export function k3sServerConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        "cluster-init": true,
        "tls-san": ["fsn1-server-0.tail1234.ts.net"],
        "cluster-cidr": "10.42.0.0/16",
        "service-cidr": "10.43.0.0/16",
        disable: ["traefik", "servicelb", "local-storage"],
        "write-kubeconfig-mode": "0600",
        "secrets-encryption": true,
        "kube-apiserver-arg": [
            "admission-control-config-file=/etc/rancher/k3s/psa.yaml",
            "audit-policy-file=/etc/rancher/k3s/audit-policy.yaml",
            "audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log",
            "audit-log-maxage=30",
            "audit-log-maxbackup=10",
            "audit-log-maxsize=100",
            "anonymous-auth=false",
        ],
        "etcd-snapshot-schedule-cron": "0 */6 * * *",
        "etcd-snapshot-retention": 28,
        "etcd-s3": true,
        "etcd-s3-endpoint": "fsn1.your-objectstorage.com",
        "etcd-s3-bucket": "platform-etcd",
        "flannel-iface": "tailscale0",
        "protect-kernel-defaults": true,
        "kubelet-arg": ["read-only-port=0", "anonymous-auth=false"],
        ...overrides,
    };
}

/** k3s config of an agent. */
export function k3sAgentConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        server: "https://fsn1-server-0.tail1234.ts.net:6443",
        "flannel-iface": "tailscale0",
        "protect-kernel-defaults": true,
        "kubelet-arg": ["read-only-port=0", "anonymous-auth=false"],
        ...overrides,
    };
}

/** Options of {@link cloudConfig}. */
export interface CloudConfigOptions {
    /** k3s role the bootstrap installs (`INSTALL_K3S_EXEC`); omit for no marker. */
    role?: "server" | "agent";
    /** How the k3s config file is encoded in write_files. */
    encoding?: "plain" | "b64" | "gz+b64";
    /** Extra write_files entries (drop-ins, other files). */
    extraFiles?: Array<Record<string, unknown>>;
}

/** `#cloud-config` user-data writing a k3s config (object or raw text) and a bootstrap script. */
export function cloudConfig(k3sConfig: Record<string, unknown> | string, options: CloudConfigOptions = {}): string {
    const text = typeof k3sConfig === "string" ? k3sConfig : yaml.dump(k3sConfig);
    const encoding = options.encoding ?? "plain";
    const configFile =
        encoding === "plain"
            ? { path: "/etc/rancher/k3s/config.yaml", permissions: "0600", content: text }
            : encoding === "b64"
              ? { path: "/etc/rancher/k3s/config.yaml", permissions: "0600", encoding: "b64", content: Buffer.from(text).toString("base64") }
              : { path: "/etc/rancher/k3s/config.yaml", permissions: "0600", encoding: "gz+b64", content: zlib.gzipSync(Buffer.from(text)).toString("base64") };
    const install = options.role ? `INSTALL_K3S_EXEC="${options.role}" sh /usr/local/sbin/k3s-install.sh\n` : "sh /usr/local/sbin/k3s-install.sh\n";
    const document = {
        hostname: "node",
        write_files: [
            { path: "/etc/ssh/sshd_config.d/10-platform.conf", permissions: "0644", content: "PasswordAuthentication no\n" },
            configFile,
            ...(options.extraFiles ?? []),
            { path: "/usr/local/sbin/platform-bootstrap.sh", permissions: "0700", content: `#!/usr/bin/env bash\nset -euo pipefail\n${install}` },
        ],
        runcmd: [["bash", "/usr/local/sbin/platform-bootstrap.sh"]],
    };
    return `#cloud-config\n${yaml.dump(document, { lineWidth: -1 })}`;
}

/** An hcloud server with a firewall and user-data. */
export function hcloudServer(name = "fsn1-server-0", inputs: Record<string, unknown> = {}, extra: Partial<PlannedResource> = {}): PlannedResource {
    return planned(
        "hcloud:index/server:Server",
        name,
        {
            name,
            serverType: "cpx31",
            image: "ubuntu-24.04",
            location: "fsn1",
            firewallIds: [12345678],
            labels: { "platform/pool": "server", "platform/role": "server" },
            userData: cloudConfig(k3sServerConfig(), { role: "server" }),
            ...inputs,
        },
        { secretInputs: ["userData"], ...extra },
    );
}

/** Robot firewall rules of a bare-metal node (same shape as hcloud's). */
export function baremetalFirewallRules(): Array<Record<string, unknown>> {
    return [
        { direction: "in", protocol: "udp", port: "41641", sourceIps: WORLD, description: "tailscale" },
        { direction: "in", protocol: "icmp", sourceIps: WORLD, description: "icmp" },
    ];
}

/** A bare-metal server: the platform's dynamic Robot resource. */
export function baremetalServer(name = "fsn1-run-0", inputs: Record<string, unknown> = {}): PlannedResource {
    return planned(
        "pulumi-nodejs:dynamic:Resource",
        name,
        {
            serverNumber: 2345678,
            hostname: name,
            firewall: baremetalFirewallRules(),
            userData: cloudConfig(k3sAgentConfig(), { role: "agent" }),
            ...inputs,
        },
        { secretInputs: ["userData"] },
    );
}

// ---------------------------------------------------------------------------------------------------------
// Tailnet

/**
 * A tailnet policy document that passes: two stacks (policy-test, the fixtures' stack, and prod) with their own node tags, admins on SSH/API,
 * nodes on their own stack's k3s ports, tests asserting both the intended paths and the stacks' isolation.
 */
export function tailnetPolicyDocument(): Record<string, any> {
    return {
        groups: { "group:policy-test-admins": ["alice@example.com"], "group:prod-admins": ["alice@example.com"] },
        tagOwners: {
            "tag:policy-test-server": ["group:policy-test-admins"],
            "tag:policy-test-agent": ["group:policy-test-admins"],
            "tag:prod-server": ["group:prod-admins"],
            "tag:prod-agent": ["group:prod-admins"],
        },
        acls: [
            { action: "accept", src: ["group:policy-test-admins"], proto: "tcp", dst: ["tag:policy-test-server:22,6443"] },
            { action: "accept", src: ["group:prod-admins"], proto: "tcp", dst: ["tag:prod-server:22,6443"] },
            { action: "accept", src: ["tag:policy-test-agent"], proto: "tcp", dst: ["tag:policy-test-server:6443,9345"] },
            { action: "accept", src: ["tag:prod-agent"], proto: "tcp", dst: ["tag:prod-server:6443,9345"] },
        ],
        tests: [
            { src: "alice@example.com", accept: ["tag:policy-test-server:6443", "tag:prod-server:6443"], deny: ["tag:policy-test-server:2379"] },
            { src: "tag:policy-test-agent", proto: "tcp", accept: ["tag:policy-test-server:6443"], deny: ["tag:prod-server:6443"] },
            { src: "tag:policy-test-server", deny: ["tag:prod-server:6443"] },
            { src: "tag:prod-agent", proto: "tcp", deny: ["tag:policy-test-server:6443"] },
            { src: "tag:prod-server", proto: "tcp", deny: ["tag:policy-test-server:6443"] },
        ],
    };
}

/** The Acl resource around a document (object → JSON, string → as is). */
export function tailscaleAcl(document: Record<string, unknown> | string = tailnetPolicyDocument()): PlannedResource {
    return planned("tailscale:index/acl:Acl", "mesh-policy", { acl: typeof document === "string" ? document : JSON.stringify(document, null, 2), overwriteExistingContent: true });
}

/** A tagged, single-use, short-lived auth key. */
export function tailnetKey(inputs: Record<string, unknown> = {}, name = "fsn1-server-0-authkey"): PlannedResource {
    return planned(
        "tailscale:index/tailnetKey:TailnetKey",
        name,
        { description: "platform node", tags: [`tag:${FIXTURE_STACK}-server`], reusable: false, ephemeral: false, preauthorized: true, expiry: 3600, recreateIfInvalid: "never", ...inputs },
        { additionalSecretOutputs: ["key"] },
    );
}

// ---------------------------------------------------------------------------------------------------------
// Credential outputs

/** The kubeconfig fetch command. */
export function kubeconfigCommand(extra: Partial<PlannedResource> = { additionalSecretOutputs: ["stdout"] }): PlannedResource {
    return planned("command:remote:Command", "k3s-kubeconfig", { connection: { host: "fsn1-server-0", user: "root" }, create: "#!/usr/bin/env bash\ncat /etc/rancher/k3s/k3s.yaml\n", logging: "none" }, extra);
}

/** The SSH key. */
export function privateKey(extra: Partial<PlannedResource> = { additionalSecretOutputs: ["privateKeyPem", "privateKeyOpenssh"] }): PlannedResource {
    return planned("tls:index/privateKey:PrivateKey", "nodes-ssh", { algorithm: "ED25519" }, extra);
}

/** A generated password. */
export function randomPassword(extra: Partial<PlannedResource> = { additionalSecretOutputs: ["result"] }): PlannedResource {
    return planned("random:index/randomPassword:RandomPassword", "k3s-token", { length: 64, special: false }, extra);
}

/** A tenant Secret. */
export function kubernetesSecret(namespace = "shop", extra: Partial<PlannedResource> = { additionalSecretOutputs: ["data", "stringData"], secretInputs: ["stringData"] }): PlannedResource {
    return { ...k8sObject("kubernetes:core/v1:Secret", namespace, "app-secrets", { type: "Opaque", stringData: { API_KEY: "k" } }), ...extra };
}

/** Every credential-bearing resource, compliant. */
export function credentialResources(): PlannedResource[] {
    return [kubeconfigCommand(), privateKey(), randomPassword(), tailnetKey({}, "fsn1-agent-0-authkey"), kubernetesSecret()];
}

// ---------------------------------------------------------------------------------------------------------
// A whole stack

/** A component resource (not custom), as the mock engine records one. */
export function component(type: string, name: string): PlannedResource {
    return { ...planned(type, name, {}), custom: false };
}

/**
 * A compliant stack: mesh (ACL, keys), nodes (firewalls, a cloud server, a cloud agent, a bare-metal agent),
 * credentials, the sandbox RuntimeClass, an untrusted and a trusted tenant, a platform namespace with a
 * LoadBalancer Service. Evaluating the whole pack over it reports nothing, advisory included.
 */
export function compliantStack(): PlannedResource[] {
    const trusted = compliantTenant("blog", "trusted").map((r) =>
        r.type === "kubernetes:apps/v1:Deployment" ? edit(r, (inputs) => delete podSpecIn(inputs).runtimeClassName) : r,
    );
    return [
        component("platform:mesh:Mesh", "mesh"),
        tailscaleAcl(),
        tailnetKey(),
        component("platform:nodes:Infrastructure", "nodes"),
        hcloudFirewall(),
        hcloudFirewall("nodes-node-fw", edgeFirewallRules().filter((r) => r.port !== "80" && r.port !== "443")),
        hcloudServer(),
        hcloudServer("fsn1-edge-0", { userData: cloudConfig(k3sAgentConfig(), { role: "agent" }), labels: { "platform/pool": "edge", "platform/role": "edge" } }),
        baremetalServer(),
        ...credentialResources(),
        gvisorRuntimeClass(),
        platformNamespace("traefik"),
        k8sObject("kubernetes:core/v1:Service", "traefik", "traefik", { spec: { type: "LoadBalancer", ports: [{ name: "websecure", port: 443, targetPort: 8443 }] } }),
        ...compliantTenant("shop", "untrusted"),
        ...tenantRbac("shop"),
        ...trusted,
    ];
}
