import { EDGE_METER_METRICS } from "../../../components/metering/edge-meter";
import { BYTES_PER_GIB, RECORDED, TENANT_LABEL_SERIES_NAME, type MeteringPrices } from "../../../components/metering/rules";

/**
 * A synthetic cluster for `promtool test rules`: namespaces with containers, volumes and network traffic at
 * constant rates, turned into promtool `input_series`, and the values the recording rules must produce,
 * computed here from the same loads and the test's prices (so the expectations follow the inputs, they are
 * not typed-in numbers). Rates and sizes are binary fractions and the test prices are powers of two, so
 * every expected value is exact in floating point, in whatever order Prometheus adds.
 */

/** 2^20 bytes. */
export const MiB = 2 ** 20;
/** 2^30 bytes. */
export const GiB = BYTES_PER_GIB;

/** A running container with constant CPU use and working set. */
export interface ContainerLoad {
    pod: string;
    container: string;
    cpuCores: number;
    workingSetBytes: number;
    cpuRequestCores?: number;
    memoryRequestBytes?: number;
    /**
     * `gvisor`: the pod runs under RuntimeClass gvisor: the Sentry runs every container in the pod-level
     * cgroup, so the pod-level series (`container="", image=""`) carry the containers' work plus the sandbox
     * overhead below (google/gvisor#6500: the sandbox moved to the pod cgroup in release-20210518.0).
     */
    runtime?: "runc" | "gvisor";
    /**
     * How cAdvisor shows a gVisor pod's containers: `absent` (the default) on cgroup v2 + systemd, where runsc
     * creates no `cri-containerd-*.scope` for them and cAdvisor sees only the pause container's scope
     * (google/gvisor#13067, open); `zero` where runsc creates empty compatibility cgroups (cgroup v1 since
     * google/gvisor#6657, or v2 + systemd with google/gvisor#13070): the series exist and read 0.
     */
    gvisorContainerSeries?: "absent" | "zero";
    /** CPU of the gVisor Sentry and Gofer, accounted in the pod cgroup (gVisor pods only). */
    sandboxOverheadCores?: number;
    /** Memory of the gVisor sandbox, accounted in the pod cgroup (gVisor pods only). */
    sandboxOverheadBytes?: number;
}

/** A finished container: kube-state-metrics still reports its requests, cAdvisor has no series. */
export interface CompletedContainer {
    pod: string;
    container: string;
    cpuRequestCores: number;
    memoryRequestBytes: number;
    /**
     * A finished init container of a pod that runs on: kube-state-metrics reports its requests as
     * kube_pod_init_container_resource_requests and the container in kube_pod_init_container_info (restart_policy ""),
     * kubernetes/kube-state-metrics@v2.20.0 internal/store/pod.go.
     */
    init?: boolean;
}

/** A PVC with its request, and the kubelet's view of the mounted volume. */
export interface VolumeLoad {
    pvc: string;
    requestedBytes: number;
    usedBytes: number;
    capacityBytes: number;
}

/** Constant pod network traffic. */
export interface NetworkLoad {
    pod: string;
    receiveBytesPerSecond: number;
    transmitBytesPerSecond: number;
    /**
     * Of the transmitted bytes, what the pod sends to a Traefik pod, which relays it to internet clients: HTTP
     * responses, WebSocket frames, TCP/UDP entry point and passthrough replies alike (the node meter on the
     * edge node counts them under (pod IP, Traefik pod IP)).
     */
    edgeBytesPerSecond?: number;
    /** Of the transmitted bytes, what the pod sends straight to internet addresses (the node meter on its node). */
    directBytesPerSecond?: number;
}

/**
 * Target labels of the kubelet's /metrics endpoint as kube-prometheus-stack 88.5.3 scrapes it
 * (templates/exporters/kubelet/servicemonitor.yaml: jobLabel k8s-app, port https-metrics, honorLabels, the
 * metrics_path relabelling; prometheus-operator names `endpoint` after the port and `node` after a Node target).
 */
export const KUBELET_METRICS_TARGET = { job: "kubelet", metrics_path: "/metrics", instance: "100.64.0.21:10250", node: "fsn1-run-0", endpoint: "https-metrics", service: "kube-prometheus-stack-kubelet" } as const;

/** The Traefik pod the synthetic edge node runs (kube_pod_info shape below). */
export const TRAEFIK_POD = { namespace: "traefik", pod: "traefik-7d9c6b5f4-x2k8q", podIp: "10.42.3.17", node: "fsn1-edge-0", hostIp: "100.64.0.31" } as const;

/**
 * Labels Prometheus adds to every series node-exporter serves from its textfile directory, as the chart's
 * ServiceMonitor scrapes it: prometheus-community/helm-charts@prometheus-node-exporter-4.56.1
 * charts/prometheus-node-exporter/templates/servicemonitor.yaml (`jobLabel`, endpoint `port:
 * {{ .Values.service.portName }}`), with kube-prometheus-stack-88.5.3 values.yaml setting
 * `prometheus-node-exporter.prometheus.monitor.jobLabel: jobLabel`, the Service label `jobLabel: node-exporter`
 * and `service.portName: http-metrics`; the operator adds namespace, service, pod, container and endpoint,
 * and node-exporter runs on the host network (instance = node address:9100).
 */
export const NODE_EXPORTER_TARGET = {
    job: "node-exporter",
    instance: `${TRAEFIK_POD.hostIp}:9100`,
    namespace: "monitoring",
    service: "kube-prometheus-stack-prometheus-node-exporter",
    endpoint: "http-metrics",
    pod: "kube-prometheus-stack-prometheus-node-exporter-9fxlw",
    container: "node-exporter",
} as const;

/** A pod as kube-state-metrics describes it. */
export interface PodIdentity {
    namespace: string;
    pod: string;
    podIp: string;
    node: string;
    hostIp: string;
}

/** The phases kube-state-metrics reports for every pod (kubernetes/kube-state-metrics@v2.20.0 internal/store/pod.go). */
export const POD_PHASES = ["Pending", "Running", "Succeeded", "Failed", "Unknown"] as const;

/**
 * kube-state-metrics' kube_pod_info and kube_pod_status_phase: kubernetes/kube-state-metrics@v2.20.0
 * internal/store/pod.go (kube_pod_info labels host_ip, pod_ip, node, created_by_kind, created_by_name,
 * priority_class, host_network, plus namespace, pod, uid; kube_pod_status_phase one series per phase, 1 for
 * the pod's phase and 0 for the others). Scraped with honorLabels, so namespace is the pod's. A Succeeded or
 * Failed pod keeps its pod_ip (the API keeps status.podIP).
 */
export function podInfo(pod: PodIdentity, samples: number, phase: (typeof POD_PHASES)[number] = "Running"): InputSeries[] {
    const id = { namespace: pod.namespace, pod: pod.pod, uid: `uid-${pod.namespace}-${pod.pod}` };
    return [
        gauge(
            "kube_pod_info",
            { ...id, host_ip: pod.hostIp, pod_ip: pod.podIp, node: pod.node, created_by_kind: "ReplicaSet", created_by_name: pod.pod.replace(/-[a-z0-9]+$/, ""), priority_class: "", host_network: "false" },
            1,
            samples,
        ),
        ...POD_PHASES.map((p) => gauge("kube_pod_status_phase", { ...id, phase: p }, p === phase ? 1 : 0, samples)),
    ];
}

/**
 * kube-state-metrics' kube_pod_init_container_info (kubernetes/kube-state-metrics@v2.20.0 internal/store/pod.go):
 * namespace, pod, uid, container, image_spec, image, image_id, container_id, restart_policy ("Always" for a
 * sidecar, "" otherwise).
 */
export function initContainerInfo(namespace: string, pod: string, container: string, restartPolicy: "" | "Always", samples: number): InputSeries {
    return gauge(
        "kube_pod_init_container_info",
        { namespace, pod, uid: `uid-${namespace}-${pod}`, container, image_spec: `example/${container}:1.0`, image: `docker.io/example/${container}:1.0`, image_id: "", container_id: `containerd://${container}0`, restart_policy: restartPolicy },
        1,
        samples,
    );
}

/** A pod IP in 10.42.0.0/16 for a pod of the synthetic cluster (stable per namespace and name). */
export function podIpOf(namespace: string, pod: string): string {
    let h = 7;
    for (const c of `${namespace}/${pod}`) {
        h = (h * 131 + c.charCodeAt(0)) % 64516;
    }
    return `10.42.${Math.floor(h / 254)}.${(h % 254) + 1}`;
}

/**
 * The node meter's counters as node-exporter serves them: the series components/metering/edge-meter.ts'
 * exporter writes (proven against a kernel in edge-meter.kernel.test.ts) plus the scrape's target labels.
 * `edgePodBytes`: on the edge node, bytes from `sourceIp` to the pod `destinationIp` of that node.
 */
export function edgePodBytes(sourceIp: string, destinationIp: string, bytesPerSecond: number, samples: number): InputSeries {
    return counter(EDGE_METER_METRICS.edgePodBytes, { ...NODE_EXPORTER_TARGET, source_ip: sourceIp, destination_ip: destinationIp }, bytesPerSecond * 60, samples);
}

/** `externalBytes`: on the node of the pod `sourceIp` (another node-exporter target), bytes it sent to the internet. */
export function externalBytes(sourceIp: string, bytesPerSecond: number, samples: number): InputSeries {
    return counter(EDGE_METER_METRICS.externalBytes, { ...NODE_EXPORTER_TARGET, instance: "100.64.0.21:9100", pod: "kube-prometheus-stack-prometheus-node-exporter-k7p2d", source_ip: sourceIp }, bytesPerSecond * 60, samples);
}

/** One namespace of the synthetic cluster. */
export interface NamespaceLoad {
    namespace: string;
    /** Carries `platform/tenant=true` (a project) or not (a platform namespace). */
    tenant: boolean;
    containers?: ContainerLoad[];
    /** Unix seconds the namespace's cgroups were created (cAdvisor's container_start_time_seconds); default 0, promtool's start. */
    startedAt?: number;
    completed?: CompletedContainer[];
    volumes?: VolumeLoad[];
    network?: NetworkLoad[];
}

/** A promtool input series. */
export interface InputSeries {
    series: string;
    values: string;
}

/** A promtool sample expectation. */
export interface ExpectedSample {
    labels: string;
    value: number;
}

const labelText = (labels: Record<string, string>) =>
    `{${Object.entries(labels)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(", ")}}`;

/** `name{labels}` as promtool reads it. */
export function seriesName(name: string, labels: Record<string, string>): string {
    return `${name}${labelText(labels)}`;
}

/** A gauge constant for `samples + 1` samples. */
export function gauge(name: string, labels: Record<string, string>, value: number, samples: number): InputSeries {
    return { series: seriesName(name, labels), values: `${value}+0x${samples}` };
}

/** A counter from 0 growing by `perSample` at every sample. */
export function counter(name: string, labels: Record<string, string>, perSample: number, samples: number): InputSeries {
    return { series: seriesName(name, labels), values: `0+${perSample}x${samples}` };
}

/**
 * promtool input series for the namespaces over `samples` one-minute samples. Besides the real signal it
 * writes what the rules must ignore: pod-level and pause-container cgroup series, and a second
 * kube-state-metrics replica exporting the namespace labels again.
 */
export function inputSeries(loads: readonly NamespaceLoad[], samples: number): InputSeries[] {
    const series: InputSeries[] = [];
    if (loads.some((l) => (l.network ?? []).some((n) => n.edgeBytesPerSecond !== undefined))) {
        series.push(...podInfo(TRAEFIK_POD, samples));
    }
    const addresses = new Map<string, string>();
    for (const load of loads) {
        const ns = { namespace: load.namespace };
        // cAdvisor's start time of every cgroup it reports, with that cgroup's labels (google/cadvisor
        // metrics/prometheus.go collectContainersInfo: container_start_time_seconds over the base labels).
        const started = load.startedAt ?? 0;
        for (const instance of load.tenant ? ["ksm-a", "ksm-b"] : ["ksm-a"]) {
            const labels: Record<string, string> = load.tenant ? { ...ns, [TENANT_LABEL_SERIES_NAME]: "true", instance } : { ...ns, instance };
            series.push(gauge("kube_namespace_labels", labels, 1, samples));
        }
        for (const c of load.containers ?? []) {
            const id = { ...ns, pod: c.pod, container: c.container };
            const gvisor = c.runtime === "gvisor";
            const image = { image: `example/${c.container}:1.0` };
            // Label set of the kubelet's /metrics/cadvisor (kubernetes/kubernetes pkg/kubelet/server/server.go
            // containerPrometheusLabelsFunc): id (the cgroup), name (the first alias), image, pod, namespace,
            // container, from the container's io.kubernetes.* labels. The scrape adds the kubelet target labels
            // (honorLabels: the series' namespace wins); kube-prometheus-stack 88.5.3's cAdvisorMetricRelabelings
            // drop only series without a pod (`[id, pod]` regex `.+;`) and CNI interfaces, so all below are kept.
            const uidPath = `kubepods-burstable-pod${c.pod.replace(/-/g, "_")}_uid.slice`;
            const cgroup = (scope: string) => `/kubepods.slice/kubepods-burstable.slice/${uidPath}${scope}`;
            // Per-container cgroups (cri-containerd-<id>.scope): the real usage under runc; under gVisor absent
            // or zero (see gvisorContainerSeries).
            const containerSeries = gvisor ? (c.gvisorContainerSeries ?? "absent") : "real";
            if (containerSeries !== "absent") {
                const scope = { ...id, ...image, id: cgroup(`/cri-containerd-${c.container}0.scope`), name: `${c.container}0` };
                series.push(counter("container_cpu_usage_seconds_total", scope, containerSeries === "zero" ? 0 : c.cpuCores * 60, samples));
                series.push(gauge("container_memory_working_set_bytes", scope, containerSeries === "zero" ? 0 : c.workingSetBytes, samples));
                series.push(gauge("container_start_time_seconds", scope, started, samples));
            }
            // The pod-level cgroup (cgroup v2 + systemd: id=/kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice,
            // no alias, no image, no container; pod and namespace from the kubelet's GetPodByCgroupfs, "to have an
            // accurate accounting of sandbox"): under runc it repeats the containers (plus the pause process),
            // under gVisor it is the only real figure.
            // The pod-level cgroup (cgroup v2 + systemd: id=/kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid>.slice,
            // no alias, no image, no container; pod and namespace from the kubelet's GetPodByCgroupfs, "to have an
            // accurate accounting of sandbox"), the pause container and the runtime class: once per pod, written
            // with its first container. Under runc the pod cgroup repeats the containers (written here as 3× their
            // use, which the rules must ignore), under gVisor it is the only real figure.
            const podContainers = (load.containers ?? []).filter((o) => o.pod === c.pod);
            if (podContainers[0] === c) {
                const podCores = podContainers.reduce((a, o) => a + o.cpuCores + (gvisor ? (o.sandboxOverheadCores ?? 0) : 0), 0);
                const podBytes = podContainers.reduce((a, o) => a + o.workingSetBytes + (gvisor ? (o.sandboxOverheadBytes ?? 0) : 0), 0);
                const podLevel = { ...ns, pod: c.pod, container: "", image: "", id: cgroup(""), name: "" };
                series.push(counter("container_cpu_usage_seconds_total", podLevel, gvisor ? podCores * 60 : podCores * 60 * 3, samples));
                series.push(gauge("container_memory_working_set_bytes", podLevel, gvisor ? podBytes : podBytes * 3, samples));
                series.push(gauge("container_start_time_seconds", podLevel, started, samples));
                // The sandbox (pause) container: container="" with its image under containerd, "POD" under dockershim.
                for (const sandbox of [{ container: "", image: "registry.k8s.io/pause:3.10" }, { container: "POD", image: "registry.k8s.io/pause:3.10" }]) {
                    const scope = { ...ns, pod: c.pod, ...sandbox, id: cgroup(`/cri-containerd-${sandbox.container || "sandbox"}0.scope`), name: `${sandbox.container || "sandbox"}0` };
                    series.push(counter("container_cpu_usage_seconds_total", scope, 6, samples));
                    series.push(gauge("container_memory_working_set_bytes", scope, 1 * MiB, samples));
                    series.push(gauge("container_start_time_seconds", scope, started, samples));
                }
                if (gvisor) {
                    // kubernetes/kube-state-metrics@v2.20.0 internal/store/pod.go: kube_pod_runtimeclass_name_info{namespace, pod, uid, runtimeclass_name}.
                    series.push(gauge("kube_pod_runtimeclass_name_info", { ...ns, pod: c.pod, uid: `uid-${c.pod}`, runtimeclass_name: "gvisor" }, 1, samples));
                }
            }
            if (c.cpuRequestCores !== undefined) {
                series.push(gauge("kube_pod_container_resource_requests", { ...id, resource: "cpu", unit: "core" }, c.cpuRequestCores, samples));
            }
            if (c.memoryRequestBytes !== undefined) {
                series.push(gauge("kube_pod_container_resource_requests", { ...id, resource: "memory", unit: "byte" }, c.memoryRequestBytes, samples));
            }
        }
        for (const c of load.completed ?? []) {
            const id = { ...ns, pod: c.pod, container: c.container };
            const metric = c.init ? "kube_pod_init_container_resource_requests" : "kube_pod_container_resource_requests";
            series.push(gauge(metric, { ...id, resource: "cpu", unit: "core" }, c.cpuRequestCores, samples));
            series.push(gauge(metric, { ...id, resource: "memory", unit: "byte" }, c.memoryRequestBytes, samples));
            if (c.init) {
                series.push(initContainerInfo(load.namespace, c.pod, c.container, "", samples));
            }
        }
        for (const v of load.volumes ?? []) {
            const pvc = { ...ns, persistentvolumeclaim: v.pvc };
            // kubelet_volume_stats_*{namespace, persistentvolumeclaim} (kubernetes/kubernetes
            // pkg/kubelet/metrics/collectors/volume_stats.go), from the kubelet's /metrics endpoint: the
            // kubelet ServiceMonitor adds job="kubelet", metrics_path="/metrics", instance and node.
            series.push(gauge("kube_persistentvolumeclaim_resource_requests_storage_bytes", pvc, v.requestedBytes, samples));
            series.push(gauge("kubelet_volume_stats_used_bytes", { ...pvc, ...KUBELET_METRICS_TARGET }, v.usedBytes, samples));
            series.push(gauge("kubelet_volume_stats_capacity_bytes", { ...pvc, ...KUBELET_METRICS_TARGET }, v.capacityBytes, samples));
        }
        for (const n of load.network ?? []) {
            const pod = { ...ns, pod: n.pod, interface: "eth0" };
            series.push(counter("container_network_receive_bytes_total", pod, n.receiveBytesPerSecond * 60, samples));
            series.push(counter("container_network_transmit_bytes_total", pod, n.transmitBytesPerSecond * 60, samples));
            // The network counters' cgroup (the sandbox): its start time without the `interface` label.
            series.push(gauge("container_start_time_seconds", { ...ns, pod: n.pod }, started, samples));
            const podIp = podIpOf(load.namespace, n.pod);
            const holder = `${load.namespace}/${n.pod}`;
            if (addresses.has(podIp) && addresses.get(podIp) !== holder) {
                throw new Error(`scenario: pods ${addresses.get(podIp)} and ${holder} got the same IP ${podIp}: rename one`);
            }
            addresses.set(podIp, holder);
            series.push(...podInfo({ namespace: load.namespace, pod: n.pod, podIp, node: "fsn1-run-0", hostIp: "100.64.0.21" }, samples));
            if (n.edgeBytesPerSecond !== undefined) {
                series.push(edgePodBytes(podIp, TRAEFIK_POD.podIp, n.edgeBytesPerSecond, samples));
            }
            if (n.directBytesPerSecond !== undefined) {
                series.push(externalBytes(podIp, n.directBytesPerSecond, samples));
            }
        }
    }
    return series;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Usage values the usage group must record for one tenant (undefined: no series at all). */
export function expectedUsage(load: NamespaceLoad, replicas = 1): Partial<Record<string, number>> {
    const containers = load.containers ?? [];
    const volumes = load.volumes ?? [];
    const network = load.network ?? [];
    const cpuRequests = containers.filter((c) => c.cpuRequestCores !== undefined);
    const memoryRequests = containers.filter((c) => c.memoryRequestBytes !== undefined);
    const out: Partial<Record<string, number>> = { [RECORDED.tenantNamespace]: 1 };
    if (containers.length > 0) {
        // gVisor pods: use from the pod cgroup (work + sandbox overhead), billed per pod; runc per container.
        const pods = new Map<string, ContainerLoad[]>();
        for (const c of containers) {
            pods.set(c.pod, [...(pods.get(c.pod) ?? []), c]);
        }
        let cores = 0;
        let workingSet = 0;
        let cpuBillable = 0;
        let memoryBillable = 0;
        for (const pod of pods.values()) {
            if (pod[0]!.runtime === "gvisor") {
                const podCores = sum(pod.map((c) => c.cpuCores + (c.sandboxOverheadCores ?? 0)));
                const podBytes = sum(pod.map((c) => c.workingSetBytes + (c.sandboxOverheadBytes ?? 0)));
                cores += podCores;
                workingSet += podBytes;
                cpuBillable += Math.max(podCores, sum(pod.map((c) => c.cpuRequestCores ?? 0)));
                memoryBillable += Math.max(podBytes, sum(pod.map((c) => c.memoryRequestBytes ?? 0)));
            } else {
                // The same formula as gVisor: per pod, max(Σ requests, Σ use).
                const podCores = sum(pod.map((c) => c.cpuCores));
                const podBytes = sum(pod.map((c) => c.workingSetBytes));
                cores += podCores;
                workingSet += podBytes;
                cpuBillable += Math.max(podCores, sum(pod.map((c) => c.cpuRequestCores ?? 0)));
                memoryBillable += Math.max(podBytes, sum(pod.map((c) => c.memoryRequestBytes ?? 0)));
            }
        }
        out[RECORDED.cpuCores] = cores;
        out[RECORDED.cpuBillable] = cpuBillable;
        out[RECORDED.memoryWorkingSet] = workingSet;
        out[RECORDED.memoryBillable] = memoryBillable;
    }
    if (cpuRequests.length > 0) {
        out[RECORDED.cpuRequests] = sum(cpuRequests.map((c) => c.cpuRequestCores!));
    }
    if (memoryRequests.length > 0) {
        out[RECORDED.memoryRequests] = sum(memoryRequests.map((c) => c.memoryRequestBytes!));
    }
    if (volumes.length > 0) {
        const requested = sum(volumes.map((v) => v.requestedBytes));
        out[RECORDED.storageRequested] = requested;
        out[RECORDED.storageBillable] = requested * replicas;
        out[RECORDED.storageUsed] = sum(volumes.map((v) => v.usedBytes));
    }
    if (network.length > 0) {
        const rx = sum(network.map((n) => n.receiveBytesPerSecond));
        const tx = sum(network.map((n) => n.transmitBytesPerSecond));
        const edge = network.filter((n) => n.edgeBytesPerSecond !== undefined);
        const direct = network.filter((n) => n.directBytesPerSecond !== undefined);
        out[RECORDED.networkReceiveRate] = rx;
        out[RECORDED.networkTransmitRate] = tx;
        if (edge.length > 0) {
            out[RECORDED.edgeEgressRate] = sum(edge.map((n) => n.edgeBytesPerSecond!));
        }
        if (direct.length > 0) {
            out[RECORDED.directEgressRate] = sum(direct.map((n) => n.directBytesPerSecond!));
        }
        if (edge.length + direct.length > 0) {
            out[RECORDED.internetEgressRate] = (out[RECORDED.edgeEgressRate] ?? 0) + (out[RECORDED.directEgressRate] ?? 0);
        }
        out[RECORDED.internalTransmitRate] = Math.max(tx - (out[RECORDED.internetEgressRate] ?? 0), 0);
    }
    return out;
}

/**
 * The hourly cost components of one tenant at `prices`, in the order and form the cost rules compute them:
 * a constant load's hour is 60 equal minute samples of the cost rate, divided by 60.
 */
export function expectedHourlyCost(load: NamespaceLoad, prices: MeteringPrices, replicas = 1): { cpu: number; memory: number; storage: number; egress: number; total: number } {
    const usage = expectedUsage(load, replicas);
    const cpu = (usage[RECORDED.cpuBillable] ?? 0) * prices.cpuCoreHour;
    const memory = ((usage[RECORDED.memoryBillable] ?? 0) / GiB) * prices.memoryGiBHour;
    const storage = ((usage[RECORDED.storageBillable] ?? 0) / GiB) * prices.storageGiBHour;
    const egress = (((usage[RECORDED.internetEgressRate] ?? 0) * 3600) / GiB) * prices.networkEgressGiB;
    return { cpu, memory, storage, egress, total: cpu + memory + storage + egress };
}

/** Calendar facts of a Unix time in UTC. */
export function utcCalendar(seconds: number): { monthStart: number; daysInMonth: number; dayOfMonth: number; hour: number } {
    const date = new Date(seconds * 1000);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth();
    return {
        monthStart: Date.UTC(year, month, 1) / 1000,
        daysInMonth: new Date(Date.UTC(year, month + 1, 0)).getUTCDate(),
        dayOfMonth: date.getUTCDate(),
        hour: date.getUTCHours(),
    };
}

/**
 * Month to date and projection at `evalSeconds` for a tenant whose hourly cost has been `hourly` since one
 * hour after the series began at 0: one hourly cost per full UTC hour of the month so far, then the same
 * cost for every hour left. Valid once the 24h average window holds only full hours (eval >= 25h).
 */
export function expectedMonth(hourly: number, evalSeconds: number): { monthStart: number; monthToDate: number; projection: number } {
    const cal = utcCalendar(evalSeconds);
    const fullHours = Math.floor(evalSeconds / 3600) - Math.max(cal.monthStart, 0) / 3600;
    let monthToDate = 0;
    for (let h = 0; h < fullHours; h++) {
        monthToDate += hourly;
    }
    const remaining = cal.daysInMonth * 24 - (cal.dayOfMonth - 1) * 24 - cal.hour;
    return { monthStart: cal.monthStart, monthToDate, projection: monthToDate + hourly * remaining };
}

/**
 * Go's `fmt.Sprintf("%.Nf", x)`: the exact decimal value of the double rounded half to even (JavaScript's
 * toFixed rounds exact ties up, which binary fractions like 0.125 hit).
 */
export function goFixed(x: number, digits: number): string {
    const exact = x.toFixed(Math.min(100, digits + 60));
    const [int, frac = ""] = exact.split(".");
    const kept = frac.slice(0, digits);
    const rest = frac.slice(digits);
    const half = rest.length > 0 && rest[0] === "5" && /^50*$/.test(rest);
    const up = rest.length > 0 && (rest[0]! > "5" || (rest[0] === "5" && !half));
    const lastDigit = Number((kept || int!).slice(-1));
    const roundUp = up || (half && lastDigit % 2 === 1);
    const scaled = BigInt(`${int}${kept}`.replace("-", "")) + (roundUp ? 1n : 0n);
    const text = scaled.toString().padStart(digits + 1, "0");
    const sign = x < 0 ? "-" : "";
    return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** Prometheus' `humanizePercentage` (Go `%.4g` of x*100, then `%`), for values from 1% to 999%. */
export function humanizePercentage(x: number): string {
    const percent = x * 100;
    if (!(percent >= 1 && percent < 1000)) {
        throw new Error(`humanizePercentage emulation covers 1%..999%, got ${percent}%`);
    }
    return `${Number(percent.toPrecision(4))}%`;
}
