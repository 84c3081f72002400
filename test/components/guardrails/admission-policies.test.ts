import { describe, expect, it } from "vitest";
import { ADMISSION_POLICY_NAMES, renderAdmissionPolicies } from "../../../components/guardrails/admission-policies";
import { renderSandboxPolicy, renderSandboxPolicyBinding } from "../../../components/project/sandbox-policy";
import { admit } from "../../../tools/offline/admission";
import type { PlannedResource } from "../../../tools/offline/plan-types";
import { DEFAULT_PACK_CONFIG } from "../../../policy/lib/config";
import { PXC_OPERATOR_USER } from "../../../components/databases/mysql-values";
import { PSMDB_OPERATOR_USER } from "../../../components/databases/mongodb-values";
import { CNPG_OPERATOR_USER } from "../../../components/databases/values";
import { validateObject } from "../../helpers/k8s-schema";
import { edit, k8sObject, podSpecIn, tenantNamespace, violationsOf, workload, WORKLOAD_KINDS, type WorkloadKind } from "../../helpers/policy-fixtures";

/**
 * Each admission policy against its CrossGuard twin, on the same fixtures: the API server model
 * (tools/offline/admission.ts, CEL in @bufbuild/cel) must deny exactly what the pack reports, and admit what it
 * passes. The expected outcome of each fixture is written here, not derived from either evaluator.
 */

const PAIRS = renderAdmissionPolicies({ allowedRegistries: DEFAULT_PACK_CONFIG.allowedRegistries });
/** Every admission policy a tenant object meets: the guardrails and the gVisor sandbox's policy. */
const ALL_PAIRS = [...PAIRS, { policy: renderSandboxPolicy(), binding: renderSandboxPolicyBinding() }];
const DOMAIN = "apps.example.com";

/** The tenant namespace `shop` with the grants the Project renders (host suffix, custom hosts, entry points). */
function shopNamespace(grants: { customHosts?: string; tcp?: string; udp?: string } = {}): PlannedResource {
    return edit(tenantNamespace("shop"), (inputs) => {
        inputs.metadata.annotations = {
            ...inputs.metadata.annotations,
            "platform/host-suffix": `shop.${DOMAIN}`,
            "platform/custom-hosts": grants.customHosts ?? "shop.example.org",
            "platform/tcp-entrypoints": grants.tcp ?? "",
            "platform/udp-entrypoints": grants.udp ?? "",
        };
    });
}

/** Messages of every admission policy that denies the object in the namespace. */
function admissionDenials(subject: PlannedResource, namespace: PlannedResource): string[] {
    const request = { object: subject.inputs, namespaceObject: namespace.inputs, operation: "CREATE" as const };
    return ALL_PAIRS.flatMap(({ policy, binding }) => {
        const decision = admit(policy, binding, request);
        return decision.allowed ? [] : decision.messages;
    });
}

interface TwinCase {
    /** What the fixture is. */
    title: string;
    /** The CrossGuard twin rule. */
    rule: string;
    /** The object admitted (and planned). */
    subject: PlannedResource;
    /** Its namespace. */
    namespace?: PlannedResource;
    /** What both must decide. */
    expected: "admit" | "deny";
}

const withPod = (kind: WorkloadKind, change: (pod: any) => void) => edit(workload(kind), (inputs) => change(podSpecIn(inputs, kind)));
const withImage = (image: string) => withPod("Deployment", (pod) => (pod.containers[0].image = image));
const service = (spec: Record<string, unknown>) => k8sObject("kubernetes:core/v1:Service", "shop", "web", { spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: "web" }, ...spec } });
const ingress = (hosts: string[], tlsHosts = hosts) =>
    k8sObject("kubernetes:networking.k8s.io/v1:Ingress", "shop", "web", {
        spec: {
            ingressClassName: "traefik",
            tls: [{ hosts: tlsHosts, secretName: "web-tls" }],
            rules: hosts.map((host) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } })),
        },
    });
const route = (kind: "IngressRoute" | "IngressRouteTCP" | "IngressRouteUDP", spec: Record<string, unknown>) =>
    k8sObject(`kubernetes:traefik.io/v1alpha1:${kind}`, "shop", "route", { spec });
const httpRoute = (match: string, entryPoints: string[] | null = ["websecure"]) =>
    route("IngressRoute", { ...(entryPoints ? { entryPoints } : {}), routes: [{ kind: "Rule", match, services: [{ name: "web", port: 80 }] }] });
const tcpRoute = (match: string, entryPoints: string[], passthrough = false) =>
    route("IngressRouteTCP", { entryPoints, routes: [{ match, services: [{ name: "node", port: 30303, nativeLB: true }] }], ...(passthrough ? { tls: { passthrough: true } } : {}) });
const ingressOn = (entryPoints: string) =>
    edit(ingress([`web.shop.${DOMAIN}`]), (inputs) => (inputs.metadata.annotations = { "traefik.ingress.kubernetes.io/router.entrypoints": entryPoints }));
const viaPodIps = (subject: ReturnType<typeof route>) => edit(subject, (inputs) => delete inputs.spec.routes[0].services[0].nativeLB);
const role = (rules: unknown[]) => k8sObject("kubernetes:rbac.authorization.k8s.io/v1:Role", "shop", "app", { rules });
const roleBinding = (roleRef: { kind: string; name: string }) =>
    k8sObject("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "shop", "app", {
        roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
        subjects: [{ kind: "ServiceAccount", name: "app", namespace: "shop" }],
    });

const PROBE_CASES: TwinCase[] = [
    ...(Object.keys(WORKLOAD_KINDS) as WorkloadKind[]).flatMap((kind): TwinCase[] => [
        { title: `compliant ${kind}`, rule: "workload-no-probe-host", subject: workload(kind), expected: "admit" },
        {
            title: `${kind} readiness probe to the metadata service`,
            rule: "workload-no-probe-host",
            subject: withPod(kind, (pod) => (pod.containers[0].readinessProbe = { httpGet: { host: "169.254.169.254", path: "/", port: 80 } })),
            expected: "deny",
        },
    ]),
    {
        title: "liveness tcpSocket to the API server",
        rule: "workload-no-probe-host",
        subject: withPod("Deployment", (pod) => (pod.containers[0].livenessProbe = { tcpSocket: { host: "10.43.0.1", port: 443 } })),
        expected: "deny",
    },
    {
        title: "preStop hook to another host",
        rule: "workload-no-probe-host",
        subject: withPod("StatefulSet", (pod) => (pod.containers[0].lifecycle = { preStop: { httpGet: { host: "kubernetes.default", path: "/", port: 443 } } })),
        expected: "deny",
    },
    {
        title: "init container startup probe host",
        rule: "workload-no-probe-host",
        subject: withPod("Job", (pod) => (pod.initContainers[0].startupProbe = { httpGet: { host: "10.0.0.1", port: 80 } })),
        expected: "deny",
    },
    {
        title: "empty probe host (the pod IP)",
        rule: "workload-no-probe-host",
        subject: withPod("Deployment", (pod) => (pod.containers[0].readinessProbe = { httpGet: { host: "", path: "/", port: 8080 } })),
        expected: "admit",
    },
];

const REGISTRY_CASES: TwinCase[] = [
    { title: "ghcr.io image", rule: "workload-image-registry", subject: withImage("ghcr.io/example/web:1.4.2"), expected: "admit" },
    { title: "implicit Docker Hub image", rule: "workload-image-registry", subject: withImage("nginx:1.27.3"), expected: "admit" },
    { title: "Docker Hub alias host", rule: "workload-image-registry", subject: withImage("index.docker.io/library/nginx:1.27.3"), expected: "admit" },
    { title: "unlisted registry", rule: "workload-image-registry", subject: withImage("registry.evil.example/miner:1.0"), expected: "deny" },
    { title: "look-alike registry host", rule: "workload-image-registry", subject: withImage("ghcr.io.evil.example/web:1.0"), expected: "deny" },
    { title: "registry on localhost", rule: "workload-image-registry", subject: withImage("localhost:5000/web:1.0"), expected: "deny" },
    {
        title: "unlisted registry in an init container",
        rule: "workload-image-registry",
        subject: withPod("CronJob", (pod) => (pod.initContainers[0].image = "registry.evil.example/migrate:1.0")),
        expected: "deny",
    },
];

const BACKUP = "database-backup-s3";
const BACKUP_SECRET_CASES: TwinCase[] = [
    { title: "pod reading its own Secret", rule: "workload-no-platform-backup-secret", subject: withPod("Deployment", (pod) => (pod.volumes = [{ name: "s", secret: { secretName: "app-secrets" } }])), expected: "admit" },
    ...(Object.keys(WORKLOAD_KINDS) as WorkloadKind[]).map((kind): TwinCase => ({
        title: `${kind} mounting the backup Secret as a volume`,
        rule: "workload-no-platform-backup-secret",
        subject: withPod(kind, (pod) => (pod.volumes = [...(pod.volumes ?? []), { name: "keys", secret: { secretName: BACKUP } }])),
        expected: "deny",
    })),
    {
        title: "projected volume with the backup Secret",
        rule: "workload-no-platform-backup-secret",
        subject: withPod("Pod", (pod) => (pod.volumes = [{ name: "p", projected: { sources: [{ configMap: { name: "c" } }, { secret: { name: BACKUP } }] } }])),
        expected: "deny",
    },
    {
        title: "env secretKeyRef to the backup Secret",
        rule: "workload-no-platform-backup-secret",
        subject: withPod("StatefulSet", (pod) => (pod.containers[0].env = [{ name: "K", valueFrom: { secretKeyRef: { name: BACKUP, key: "ACCESS_SECRET_KEY" } } }])),
        expected: "deny",
    },
    {
        title: "init container envFrom the backup Secret",
        rule: "workload-no-platform-backup-secret",
        subject: withPod("CronJob", (pod) => (pod.initContainers[0].envFrom = [{ secretRef: { name: BACKUP } }])),
        expected: "deny",
    },
    {
        title: "pod running as the database Cluster's ServiceAccount",
        rule: "workload-no-platform-backup-secret",
        subject: withPod("Deployment", (pod) => (pod.serviceAccountName = "database-g2")),
        expected: "deny",
    },
    {
        title: "pod running as the deprecated serviceAccount alias of the database's",
        rule: "workload-no-platform-backup-secret",
        subject: withPod("Pod", (pod) => (pod.serviceAccount = "database")),
        expected: "deny",
    },
    { title: "ServiceAccount merely named like a database", rule: "workload-no-platform-backup-secret", subject: withPod("Deployment", (pod) => (pod.serviceAccountName = "database-migrator")), expected: "admit" },
    // Review 19 / issue 19 point 4: the operators' own Secrets (names from the operators' sources, see OPERATOR_INTERNAL_SECRET_PATTERN).
    ...[
        "database-secrets",
        "database-g2-secrets",
        "internal-database",
        "internal-database-g1",
        "database-ssl-internal",
        "database-mysql-init",
        "database-env-vars-pxc",
        "internal-mongodb-users",
        "mongodb-g1-users",
        "mongodb-mongodb-keyfile",
        "mongodb-mongodb-encryption-key",
        // Review f19c 2: CloudNativePG's own (api/v1/cluster_types.go at 1.30.0).
        "database-superuser",
        "database-replication",
        "database-ca",
        "database-server",
        "database-g1-server",
        "database-pull-secret",
    ].flatMap((name): TwinCase[] => [
        { title: `Deployment env from the operator's ${name}`, rule: "workload-no-platform-backup-secret", subject: withPod("Deployment", (pod) => (pod.containers[0].env = [{ name: "P", valueFrom: { secretKeyRef: { name, key: "root" } } }])), expected: "deny" },
        { title: `Pod mounting the operator's ${name}`, rule: "workload-no-platform-backup-secret", subject: withPod("Pod", (pod) => (pod.volumes = [{ name: "s", secret: { secretName: name } }])), expected: "deny" },
    ]),
    { title: "CronJob init container envFrom the MySQL system users", rule: "workload-no-platform-backup-secret", subject: withPod("CronJob", (pod) => (pod.initContainers[0].envFrom = [{ secretRef: { name: "database-secrets" } }])), expected: "deny" },
    {
        title: "projected volume with MongoDB's internal users",
        rule: "workload-no-platform-backup-secret",
        subject: withPod("StatefulSet", (pod) => (pod.volumes = [{ name: "p", projected: { sources: [{ secret: { name: "internal-mongodb-g2-users" } }] } }])),
        expected: "deny",
    },
    { title: "pod reading the project's MySQL credentials", rule: "workload-no-platform-backup-secret", subject: withPod("Deployment", (pod) => (pod.containers[0].envFrom = [{ secretRef: { name: "database-credentials" } }])), expected: "admit" },
    { title: "pod reading the project's MongoDB credentials", rule: "workload-no-platform-backup-secret", subject: withPod("Deployment", (pod) => (pod.containers[0].env = [{ name: "U", valueFrom: { secretKeyRef: { name: "mongodb-credentials", key: "MONGODB_URI" } } }])), expected: "admit" },
    { title: "a Secret merely named like one", rule: "workload-no-platform-backup-secret", subject: withPod("Deployment", (pod) => (pod.volumes = [{ name: "s", secret: { secretName: "database-secrets-backup" } }])), expected: "admit" },
    { title: "pod reading CloudNativePG's application Secret", rule: "workload-no-platform-backup-secret", subject: withPod("Deployment", (pod) => (pod.containers[0].envFrom = [{ secretRef: { name: "database-app" } }])), expected: "admit" },
    // Review 19d, major 3: the Redis operator's Secret (default's password, the ACL file) is for its StatefulSets only.
    { title: "Deployment env from redis-internal (default's password)", rule: "workload-no-platform-backup-secret", subject: withPod("Deployment", (pod) => (pod.containers[0].env = [{ name: "P", valueFrom: { secretKeyRef: { name: "redis-internal", key: "REDIS_PASSWORD" } } }])), expected: "deny" },
    { title: "Pod mounting redis-internal (the ACL file)", rule: "workload-no-platform-backup-secret", subject: withPod("Pod", (pod) => (pod.volumes = [{ name: "acl", secret: { secretName: "redis-internal" } }])), expected: "deny" },
    { title: "StatefulSet with redis-internal in a projected volume", rule: "workload-no-platform-backup-secret", subject: withPod("StatefulSet", (pod) => (pod.volumes = [{ name: "p", projected: { sources: [{ secret: { name: "redis-internal" } }] } }])), expected: "deny" },
    { title: "CronJob init container envFrom redis-internal", rule: "workload-no-platform-backup-secret", subject: withPod("CronJob", (pod) => (pod.initContainers[0].envFrom = [{ secretRef: { name: "redis-internal" } }])), expected: "deny" },
    { title: "pod reading the project's Redis app user (redis-credentials)", rule: "workload-no-platform-backup-secret", subject: withPod("Deployment", (pod) => (pod.containers[0].envFrom = [{ secretRef: { name: "redis-credentials" } }])), expected: "admit" },
];

const SERVICE_CASES: TwinCase[] = [
    { title: "ClusterIP Service", rule: "network-tenant-service-exposure", subject: service({ type: "ClusterIP" }), expected: "admit" },
    { title: "Service without type", rule: "network-tenant-service-exposure", subject: service({}), expected: "admit" },
    { title: "NodePort Service", rule: "network-tenant-service-exposure", subject: service({ type: "NodePort" }), expected: "deny" },
    { title: "LoadBalancer Service", rule: "network-tenant-service-exposure", subject: service({ type: "LoadBalancer" }), expected: "deny" },
    { title: "ExternalName Service", rule: "network-tenant-service-exposure", subject: service({ type: "ExternalName", externalName: "metadata.google.internal" }), expected: "deny" },
    {
        title: "Service with Traefik's nativelb annotation (HTTP egress billed twice)",
        rule: "network-tenant-service-exposure",
        subject: edit(service({}), (inputs) => (inputs.metadata.annotations = { "traefik.ingress.kubernetes.io/service.nativelb": "true" })),
        expected: "deny",
    },
    { title: "Service with an unrelated annotation", rule: "network-tenant-service-exposure", subject: edit(service({}), (inputs) => (inputs.metadata.annotations = { "example.org/owner": "web" })), expected: "admit" },
    { title: "Service with externalIPs (CVE-2020-8554)", rule: "network-tenant-service-exposure", subject: service({ externalIPs: ["1.1.1.1"] }), expected: "deny" },
];

const ROUTE_CASES: TwinCase[] = [
    { title: "Ingress for the project's host", rule: "network-tenant-host-space", subject: ingress([`web.shop.${DOMAIN}`]), expected: "admit" },
    { title: "Ingress for a granted custom domain", rule: "network-tenant-host-space", subject: ingress(["shop.example.org"]), expected: "admit" },
    { title: "Ingress for another tenant's host", rule: "network-tenant-host-space", subject: ingress([`web.bank.${DOMAIN}`]), expected: "deny" },
    { title: "Ingress for the platform's Grafana", rule: "network-tenant-host-space", subject: ingress([`grafana.${DOMAIN}`]), expected: "deny" },
    { title: "Ingress for the bare platform domain", rule: "network-tenant-host-space", subject: ingress([DOMAIN]), expected: "deny" },
    { title: "Ingress for a look-alike suffix", rule: "network-tenant-host-space", subject: ingress([`web.evilshop.${DOMAIN}`]), expected: "deny" },
    { title: "Ingress TLS entry for a foreign host", rule: "network-tenant-host-space", subject: ingress([`web.shop.${DOMAIN}`], [`web.shop.${DOMAIN}`, "bank.example.org"]), expected: "deny" },
    { title: "HTTP route for the project's host", rule: "network-tenant-host-space", subject: httpRoute(`Host(\`api.shop.${DOMAIN}\`) && PathPrefix(\`/v1\`)`), expected: "admit" },
    { title: "HTTP route for another tenant's host", rule: "network-tenant-host-space", subject: httpRoute(`Host(\`api.bank.${DOMAIN}\`)`), expected: "deny" },
    { title: "HTTP route smuggling a second host", rule: "network-tenant-host-space", subject: httpRoute(`Host(\`api.shop.${DOMAIN}\`) || Host(\`grafana.${DOMAIN}\`)`), expected: "deny" },
    { title: "HTTP route with a multi-argument Host", rule: "network-tenant-host-space", subject: httpRoute(`Host(\`api.shop.${DOMAIN}\`, \`grafana.${DOMAIN}\`)`), expected: "deny" },
    { title: "HTTP route with HostRegexp", rule: "network-tenant-host-space", subject: httpRoute("HostRegexp(`^.+$`)"), expected: "deny" },
    { title: "HTTP route with a path only", rule: "network-tenant-host-space", subject: httpRoute("PathPrefix(`/`)"), expected: "deny" },
    { title: "HTTP route without entryPoints", rule: "network-tenant-host-space", subject: httpRoute(`Host(\`api.shop.${DOMAIN}\`)`, null), expected: "deny" },
    { title: "HTTP route on the dashboard entry point", rule: "network-tenant-host-space", subject: httpRoute(`Host(\`api.shop.${DOMAIN}\`)`, ["traefik"]), expected: "deny" },
    { title: "TCP HostSNI(*) on websecure", rule: "network-tenant-host-space", subject: tcpRoute("HostSNI(`*`)", ["websecure"]), expected: "deny" },
    {
        title: "TCP HostSNI(*) on the project's granted entry point",
        rule: "network-tenant-host-space",
        subject: tcpRoute("HostSNI(`*`)", ["shop-p2p"]),
        namespace: shopNamespace({ tcp: "shop-p2p" }),
        expected: "admit",
    },
    {
        title: "TCP HostSNI(*) on another project's entry point",
        rule: "network-tenant-host-space",
        subject: tcpRoute("HostSNI(`*`)", ["bank-p2p"]),
        namespace: shopNamespace({ tcp: "shop-p2p" }),
        expected: "deny",
    },
    { title: "TLS passthrough for the project's host on websecure", rule: "network-tenant-host-space", subject: tcpRoute(`HostSNI(\`gw.shop.${DOMAIN}\`)`, ["websecure"], true), expected: "admit" },
    { title: "TLS passthrough for a foreign host", rule: "network-tenant-host-space", subject: tcpRoute(`HostSNI(\`gw.bank.${DOMAIN}\`)`, ["websecure"], true), expected: "deny" },
    { title: "TCP route on websecure without passthrough", rule: "network-tenant-host-space", subject: tcpRoute(`HostSNI(\`gw.shop.${DOMAIN}\`)`, ["websecure"]), expected: "deny" },
    { title: "UDP route on a granted entry point", rule: "network-tenant-host-space", subject: route("IngressRouteUDP", { entryPoints: ["shop-udp"], routes: [{ services: [{ name: "node", port: 30303, nativeLB: true }] }] }), namespace: shopNamespace({ udp: "shop-udp" }), expected: "admit" },
    // Metering: the edge meter bills TCP/UDP and passthrough replies from the Service's ClusterIP; Traefik meters HTTP.
    { title: "TCP route dialling pod IPs (unmetered)", rule: "network-tenant-host-space", subject: viaPodIps(tcpRoute("HostSNI(`*`)", ["shop-p2p"])), namespace: shopNamespace({ tcp: "shop-p2p" }), expected: "deny" },
    {
        title: "UDP route dialling pod IPs (unmetered)",
        rule: "network-tenant-host-space",
        subject: viaPodIps(route("IngressRouteUDP", { entryPoints: ["shop-udp"], routes: [{ services: [{ name: "node", port: 30303, nativeLB: true }] }] })),
        namespace: shopNamespace({ udp: "shop-udp" }),
        expected: "deny",
    },
    { title: "HTTP route through the ClusterIP (billed twice)", rule: "network-tenant-host-space", subject: edit(httpRoute(`Host(\`api.shop.${DOMAIN}\`)`), (inputs) => (inputs.spec.routes[0].services[0].nativeLB = true)), expected: "deny" },
    { title: "Ingress on the web entry points by annotation", rule: "network-tenant-host-space", subject: ingressOn("web,websecure"), expected: "admit" },
    { title: "Ingress on another project's TCP entry point by annotation", rule: "network-tenant-host-space", subject: ingressOn("websecure,bank-p2p"), namespace: shopNamespace({ tcp: "shop-p2p" }), expected: "deny" },
    { title: "Ingress on the dashboard entry point by annotation", rule: "network-tenant-host-space", subject: ingressOn("traefik"), expected: "deny" },
    { title: "UDP route on an ungranted entry point", rule: "network-tenant-host-space", subject: route("IngressRouteUDP", { entryPoints: ["dns"], routes: [{ services: [{ name: "node", port: 53 }] }] }), expected: "deny" },
];

const RBAC_CASES: TwinCase[] = [
    { title: "Role with named verbs", rule: "tenancy-rbac-no-wildcards", subject: role([{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }]), expected: "admit" },
    { title: "Role with wildcard verbs", rule: "tenancy-rbac-no-wildcards", subject: role([{ apiGroups: [""], resources: ["secrets"], verbs: ["*"] }]), expected: "deny" },
    { title: "Role with wildcard resources", rule: "tenancy-rbac-no-wildcards", subject: role([{ apiGroups: [""], resources: ["*"], verbs: ["get"] }]), expected: "deny" },
    { title: "RoleBinding to view", rule: "tenancy-rbac-no-cluster-bindings", subject: roleBinding({ kind: "ClusterRole", name: "view" }), expected: "admit" },
    { title: "RoleBinding to cluster-admin", rule: "tenancy-rbac-no-cluster-bindings", subject: roleBinding({ kind: "ClusterRole", name: "cluster-admin" }), expected: "deny" },
    { title: "RoleBinding to admin", rule: "tenancy-rbac-no-cluster-bindings", subject: roleBinding({ kind: "ClusterRole", name: "admin" }), expected: "deny" },
];

const gvisorPod = (runtimeClassName?: string) => withPod("Pod", (pod) => (runtimeClassName === undefined ? delete pod.runtimeClassName : (pod.runtimeClassName = runtimeClassName)));
const SANDBOX_CASES: TwinCase[] = [
    { title: "untrusted pod in gVisor", rule: "tenancy-untrusted-gvisor", subject: gvisorPod("gvisor"), expected: "admit" },
    { title: "untrusted pod without a runtime class", rule: "tenancy-untrusted-gvisor", subject: gvisorPod(), expected: "deny" },
    { title: "untrusted pod on runc", rule: "tenancy-untrusted-gvisor", subject: gvisorPod("runc"), expected: "deny" },
    {
        title: "trusted pod without a runtime class",
        rule: "tenancy-untrusted-gvisor",
        subject: gvisorPod(),
        namespace: edit(shopNamespace(), (inputs) => (inputs.metadata.labels["platform/trust"] = "trusted")),
        expected: "admit",
    },
];

/**
 * Placement (review 22b, major 1): what the Project renders for tenant pods (run pool selector and toleration), and
 * the ways off the tenant pools that an Argo CD sync or the deployer kubeconfig could otherwise take.
 */
const RUN = { "platform/pool": "run" };
const RUN_TOLERATION = { key: "pool", operator: "Equal", value: "run", effect: "NoSchedule" };
const BUILD_TOLERATION = { key: "pool", operator: "Equal", value: "build", effect: "NoSchedule" };
const placed = (kind: WorkloadKind, placement: Record<string, unknown>) => withPod(kind, (pod) => Object.assign(pod, placement));
const affinity = (nodeAffinity: Record<string, unknown>) => ({ nodeSelector: RUN, tolerations: [RUN_TOLERATION], affinity: { nodeAffinity } });
const requiredPool = (operator: string, values?: string[]) =>
    affinity({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "platform/pool", operator, ...(values ? { values } : {}) }] }] } });
const trustedShop = () => edit(shopNamespace(), (inputs) => (inputs.metadata.labels["platform/trust"] = "trusted"));
const PLACEMENT = "tenancy-pod-placement";
const PLACEMENT_CASES: TwinCase[] = [
    ...(Object.keys(WORKLOAD_KINDS) as WorkloadKind[]).flatMap((kind): TwinCase[] => [
        { title: `${kind} on the run pool, as the Project renders it`, rule: PLACEMENT, subject: placed(kind, { nodeSelector: RUN, tolerations: [RUN_TOLERATION] }), expected: "admit" },
        { title: `${kind} tolerating and selecting the build pool`, rule: PLACEMENT, subject: placed(kind, { nodeSelector: { "platform/pool": "build" }, tolerations: [BUILD_TOLERATION] }), expected: "deny" },
        { title: `${kind} with nodeName`, rule: PLACEMENT, subject: placed(kind, { nodeName: "dev-build-0" }), expected: "deny" },
    ]),
    { title: "on the schedulable servers of a stack without a run pool", rule: PLACEMENT, subject: placed("Deployment", { nodeSelector: { "platform/pool": "server" }, tolerations: [RUN_TOLERATION] }), expected: "admit" },
    { title: "no placement at all", rule: PLACEMENT, subject: workload("Deployment"), expected: "admit" },
    {
        title: "with the gVisor RuntimeClass's selector and the DefaultTolerationSeconds pair merged in",
        rule: PLACEMENT,
        subject: placed("Pod", {
            nodeSelector: { ...RUN, "platform/gvisor": "true", "kubernetes.io/os": "linux" },
            tolerations: [RUN_TOLERATION, { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }, { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }],
        }),
        expected: "admit",
    },
    { title: "only the build toleration (no selector)", rule: PLACEMENT, subject: placed("Deployment", { tolerations: [BUILD_TOLERATION] }), expected: "deny" },
    { title: "only the build pool selector", rule: PLACEMENT, subject: placed("StatefulSet", { nodeSelector: { "platform/pool": "build" } }), expected: "deny" },
    { title: "selecting the edge pool", rule: PLACEMENT, subject: placed("Deployment", { nodeSelector: { "platform/pool": "edge" } }), expected: "deny" },
    { title: "tolerating every taint (empty key, Exists)", rule: PLACEMENT, subject: placed("Deployment", { tolerations: [{ operator: "Exists" }] }), expected: "deny" },
    { title: "tolerating every pool (key pool, Exists)", rule: PLACEMENT, subject: placed("Job", { tolerations: [{ key: "pool", operator: "Exists" }] }), expected: "deny" },
    { title: "tolerating the servers' CriticalAddonsOnly", rule: PLACEMENT, subject: placed("Deployment", { tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }] }), expected: "deny" },
    { title: "tolerating the control-plane role taint", rule: PLACEMENT, subject: placed("Deployment", { tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }] }), expected: "deny" },
    { title: "selecting a node by hostname", rule: PLACEMENT, subject: placed("Deployment", { nodeSelector: { ...RUN, "kubernetes.io/hostname": "dev-server-0" } }), expected: "deny" },
    { title: "node affinity In [run]", rule: PLACEMENT, subject: placed("Deployment", requiredPool("In", ["run"])), expected: "admit" },
    { title: "node affinity In [build]", rule: PLACEMENT, subject: placed("Deployment", requiredPool("In", ["run", "build"])), expected: "deny" },
    { title: "node affinity NotIn [run]", rule: PLACEMENT, subject: placed("Deployment", requiredPool("NotIn", ["run"])), expected: "deny" },
    { title: "node affinity Exists on the pool label", rule: PLACEMENT, subject: placed("CronJob", requiredPool("Exists")), expected: "deny" },
    {
        title: "node affinity by matchFields metadata.name",
        rule: PLACEMENT,
        subject: placed("Deployment", affinity({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["dev-server-0"] }] }] } })),
        expected: "deny",
    },
    {
        title: "node affinity on the hostname label",
        rule: PLACEMENT,
        subject: placed("Deployment", affinity({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["dev-run-0"] }] }] } })),
        expected: "deny",
    },
    {
        title: "preferred node affinity for the build pool",
        rule: PLACEMENT,
        subject: placed("Deployment", affinity({ preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: "platform/pool", operator: "In", values: ["build"] }] } }] })),
        expected: "deny",
    },
    {
        title: "node affinity on an unrelated label (zone)",
        rule: PLACEMENT,
        subject: placed("Deployment", affinity({ requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["fsn1-dc14"] }] }] } })),
        expected: "admit",
    },
    {
        title: "review 22b's pod in a trusted namespace: build selector and toleration, nodeName of a server",
        rule: PLACEMENT,
        subject: placed("Pod", { nodeSelector: { "platform/pool": "build" }, tolerations: [BUILD_TOLERATION], nodeName: "dev-server-0" }),
        namespace: trustedShop(),
        expected: "deny",
    },
    { title: "a trusted project's Deployment tolerating the build pool", rule: PLACEMENT, subject: placed("Deployment", { tolerations: [BUILD_TOLERATION] }), namespace: trustedShop(), expected: "deny" },
    { title: "a trusted project's Deployment on the run pool", rule: PLACEMENT, subject: placed("Deployment", { nodeSelector: RUN, tolerations: [RUN_TOLERATION] }), namespace: trustedShop(), expected: "admit" },
];

// Issue 19 leftover 2: the pod policy's operator selector label rule and its pack twin.
const SELECTOR = "workload-no-operator-selector-labels";
const withPodLabels = (kind: WorkloadKind, labels: Record<string, string>) =>
    edit(workload(kind), (inputs) => {
        const metadata = kind === "Pod" ? inputs.metadata : kind === "CronJob" ? inputs.spec.jobTemplate.spec.template.metadata : inputs.spec.template.metadata;
        metadata.labels = { ...metadata.labels, ...labels };
    });
const SELECTOR_LABEL_CASES: TwinCase[] = [
    ...(Object.keys(WORKLOAD_KINDS) as WorkloadKind[]).flatMap((kind): TwinCase[] => [
        { title: `${kind} labelled cnpg.io/cluster`, rule: SELECTOR, subject: withPodLabels(kind, { "cnpg.io/cluster": "database" }), expected: "deny" },
        { title: `${kind} labelled redis_setup_type`, rule: SELECTOR, subject: withPodLabels(kind, { redis_setup_type: "replication" }), expected: "deny" },
    ]),
    { title: "Deployment labelled percona.com/cluster", rule: SELECTOR, subject: withPodLabels("Deployment", { "percona.com/cluster": "database" }), expected: "deny" },
    { title: "Job with a restored MongoDB's app.kubernetes.io/instance", rule: SELECTOR, subject: withPodLabels("Job", { "app.kubernetes.io/instance": "mongodb-g3" }), expected: "deny" },
    { title: "Deployment with a Helm release's app.kubernetes.io/instance", rule: SELECTOR, subject: withPodLabels("Deployment", { "app.kubernetes.io/instance": "database-cache" }), expected: "admit" },
    { title: "Deployment with a key merely ending in cnpg.io", rule: SELECTOR, subject: withPodLabels("Deployment", { "example.com/cnpg.io": "x" }), expected: "admit" },
];

describe.each([
    ["pods (operator selector labels)", SELECTOR_LABEL_CASES],
    ["pods (sandbox)", SANDBOX_CASES],
    ["pods (probe host)", PROBE_CASES],
    ["pods (registries)", REGISTRY_CASES],
    ["pods (backup Secret)", BACKUP_SECRET_CASES],
    ["pods (placement)", PLACEMENT_CASES],
    ["services", SERVICE_CASES],
    ["routes", ROUTE_CASES],
    ["rbac", RBAC_CASES],
])("admission policy and CrossGuard twin agree: %s", (_, cases) => {
    it.each(cases.map((c) => [c.title, c] as const))("%s", (_title, c) => {
        const namespace = c.namespace ?? shopNamespace();
        const denials = admissionDenials(c.subject, namespace);
        const violations = violationsOf(c.rule, [namespace, c.subject]);
        expect({ admission: denials.length > 0 ? "deny" : "admit", pack: violations.length > 0 ? "deny" : "admit" }).toEqual({ admission: c.expected, pack: c.expected });
    });
});

describe("admission policies as objects", () => {
    it("are one policy and one tenant-namespace binding per rule group, each schema-valid", () => {
        expect(PAIRS.map((p) => p.policy.metadata?.name)).toEqual(Object.values(ADMISSION_POLICY_NAMES));
        for (const { policy, binding } of PAIRS) {
            expect(validateObject(policy).status).toBe("valid");
            expect(validateObject(binding).status).toBe("valid");
            expect(policy.spec?.failurePolicy).toBe("Fail");
            expect(binding.spec).toMatchObject({
                policyName: policy.metadata?.name,
                validationActions: ["Deny"],
                matchResources: { namespaceSelector: { matchLabels: { "platform/tenant": "true" } } },
            });
        }
    });

    it("leave objects outside tenant namespaces alone", () => {
        const platform = edit(tenantNamespace("traefik"), (inputs) => (inputs.metadata.labels = { "kubernetes.io/metadata.name": "traefik" }));
        expect(admissionDenials(service({ type: "LoadBalancer" }), platform)).toEqual([]);
    });

    it("let only the CloudNativePG operator and the job controller send pods that read the backup Secret", () => {
        const [pods] = renderAdmissionPolicies({ allowedRegistries: DEFAULT_PACK_CONFIG.allowedRegistries });
        const subject = withPod("Pod", (pod) => {
            pod.serviceAccountName = "database";
            pod.containers[0].env = [{ name: "K", valueFrom: { secretKeyRef: { name: BACKUP, key: "ACCESS_KEY_ID" } } }];
        });
        const as = (username: string) => admit(pods!.policy, pods!.binding, { object: subject.inputs, namespaceObject: shopNamespace().inputs, operation: "CREATE" as const, userInfo: { username } }).allowed;
        expect(as("system:serviceaccount:cnpg-system:cnpg-cloudnative-pg")).toBe(true);
        expect(as("system:serviceaccount:kube-system:job-controller")).toBe(true);
        expect(as("system:serviceaccount:shop-argocd:argocd-application-controller")).toBe(false);
        expect(as("system:serviceaccount:cnpg-system:default")).toBe(false);
        expect(as("tenant-user@example.com")).toBe(false);
    });

    it("let the Percona XtraDB Cluster operator's backup Jobs and binlog collector read the backup Secret (through the job, deployment and replicaset controllers), nobody else", () => {
        const [pods] = renderAdmissionPolicies({ allowedRegistries: DEFAULT_PACK_CONFIG.allowedRegistries });
        // The collector as the operator writes it (binlog-collector.go at v1.19.0): the keys as env from the Secret.
        const collector = withPod("Deployment", (pod) => {
            pod.serviceAccountName = "workload";
            pod.containers[0].env = [{ name: "ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: BACKUP, key: "AWS_ACCESS_KEY_ID" } } }];
        });
        const as = (username: string) => admit(pods!.policy, pods!.binding, { object: collector.inputs, namespaceObject: shopNamespace().inputs, operation: "CREATE" as const, userInfo: { username } }).allowed;
        expect(as(PXC_OPERATOR_USER)).toBe(true);
        expect(as("system:serviceaccount:kube-system:deployment-controller")).toBe(true);
        expect(as("system:serviceaccount:kube-system:replicaset-controller")).toBe(true);
        expect(as("system:serviceaccount:pxc-system:default")).toBe(false);
        expect(as("tenant-user@example.com")).toBe(false);
    });

    it("judge a Pod's nodeName when it is created, not on updates of the running Pod (the scheduler's binding sets it)", () => {
        const [pods] = renderAdmissionPolicies({ allowedRegistries: DEFAULT_PACK_CONFIG.allowedRegistries });
        const running = placed("Pod", { nodeSelector: RUN, tolerations: [RUN_TOLERATION], nodeName: "dev-run-0" });
        const decide = (operation: "CREATE" | "UPDATE", subject = running) => admit(pods!.policy, pods!.binding, { object: subject.inputs, oldObject: subject.inputs, namespaceObject: shopNamespace().inputs, operation });
        expect(decide("UPDATE").allowed).toBe(true);
        expect(decide("CREATE").messages).toEqual([expect.stringMatching(/must not set nodeName/)]);
        // A template keeps being judged on updates: a Deployment changed to pin a node is refused.
        const template = placed("Deployment", { nodeName: "dev-server-0" });
        expect(decide("UPDATE", template).messages).toEqual([expect.stringMatching(/must not set nodeName/)]);
    });

    it("let only the MySQL and MongoDB operators and the controllers running their pods send pods that read the operators' own Secrets", () => {
        const [pods] = renderAdmissionPolicies({ allowedRegistries: DEFAULT_PACK_CONFIG.allowedRegistries });
        // A replica-set member as the operator writes its StatefulSet: the internal users Secret mounted.
        const member = withPod("StatefulSet", (pod) => (pod.volumes = [{ name: "users-secret-file", secret: { secretName: "internal-mongodb-users" } }]));
        const as = (username: string) => admit(pods!.policy, pods!.binding, { object: member.inputs, namespaceObject: shopNamespace().inputs, operation: "CREATE" as const, userInfo: { username } }).allowed;
        expect(as(PSMDB_OPERATOR_USER)).toBe(true);
        expect(as(PXC_OPERATOR_USER)).toBe(true);
        expect(as("system:serviceaccount:kube-system:statefulset-controller")).toBe(true);
        // CloudNativePG creates its instance pods itself, with the server key, CA and replication certificate mounted.
        const instance = withPod("Pod", (pod) => (pod.volumes = [{ name: "server-certificates", secret: { secretName: "database-server" } }, { name: "replication", secret: { secretName: "database-replication" } }]));
        const asCnpg = (username: string) => admit(pods!.policy, pods!.binding, { object: instance.inputs, namespaceObject: shopNamespace().inputs, operation: "CREATE" as const, userInfo: { username } }).allowed;
        expect(asCnpg(CNPG_OPERATOR_USER)).toBe(true);
        expect(asCnpg("system:serviceaccount:cnpg-system:default")).toBe(false);
        expect(as("system:serviceaccount:psmdb-system:default")).toBe(false);
        expect(as("system:serviceaccount:shop-argocd:argocd-application-controller")).toBe(false);
        expect(as("tenant-user@example.com")).toBe(false);
    });

    it("let only the Redis operator (its StatefulSets) and the StatefulSet controller (their pods) send pods that read redis-internal (review 19d, major 3)", () => {
        const [pods] = renderAdmissionPolicies({ allowedRegistries: DEFAULT_PACK_CONFIG.allowedRegistries });
        // A member as the operator v0.26.0 writes it: REDIS_PASSWORD from kubernetesConfig.redisSecret, the acl.secret volume.
        const member = withPod("StatefulSet", (pod) => {
            pod.containers[0].env = [{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-internal", key: "REDIS_PASSWORD" } } }];
            pod.volumes = [{ name: "acl-secret", secret: { secretName: "redis-internal" } }];
        });
        const as = (username: string, subject = member) => admit(pods!.policy, pods!.binding, { object: subject.inputs, namespaceObject: shopNamespace().inputs, operation: "CREATE" as const, userInfo: { username } });
        expect(as("system:serviceaccount:redis-operator:redis-operator").allowed).toBe(true);
        expect(as("system:serviceaccount:kube-system:statefulset-controller").allowed).toBe(true);
        for (const other of [PSMDB_OPERATOR_USER, CNPG_OPERATOR_USER, "system:serviceaccount:kube-system:job-controller", "system:serviceaccount:redis-operator:default", "system:serviceaccount:shop-argocd:argocd-application-controller", "system:serviceaccount:tenant-deployers:shop"]) {
            const decision = as(other);
            expect(decision.allowed, other).toBe(false);
            expect(decision.messages, other).toEqual(expect.arrayContaining([expect.stringMatching(/must not read the Secret redis-internal/)]));
        }
        // The app's Secret stays the tenant's to read.
        const app = withPod("Deployment", (pod) => (pod.containers[0].env = [{ name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-credentials", key: "REDIS_PASSWORD" } } }]));
        expect(as("system:serviceaccount:tenant-deployers:shop", app).allowed).toBe(true);
    });

    it("also watch ephemeral containers added to running pods", () => {
        const [pods] = renderAdmissionPolicies({ allowedRegistries: DEFAULT_PACK_CONFIG.allowedRegistries });
        expect(pods!.policy.spec?.matchConstraints?.resourceRules?.find((r) => r.apiGroups?.includes(""))?.resources).toContain("pods/ephemeralcontainers");
    });

    it("take the stack's registry allow-list", () => {
        const [pods] = renderAdmissionPolicies({ allowedRegistries: ["ghcr.io/acme"] });
        const everyImage = (image: string) =>
            withPod("Deployment", (pod) => {
                for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
                    c.image = image;
                }
            });
        const request = (image: string) => ({ object: everyImage(image).inputs, namespaceObject: shopNamespace().inputs, operation: "CREATE" as const });
        expect(admit(pods!.policy, pods!.binding, request("ghcr.io/acme/web:1.0")).allowed).toBe(true);
        expect(admit(pods!.policy, pods!.binding, request("ghcr.io/acmeevil/web:1.0")).allowed).toBe(false);
        expect(admit(pods!.policy, pods!.binding, request("nginx:1.27.3")).allowed).toBe(false);
    });
});
