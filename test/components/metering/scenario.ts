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
     * `gvisor`: the pod runs under RuntimeClass gvisor, so (google/gvisor#13067, cgroup v2 + systemd;
     * google/cadvisor#3885) the per-container cgroup series read 0 and the pod-level cgroup
     * (`container="", image=""`) carries the container's work plus the sandbox overhead below.
     */
    runtime?: "runc" | "gvisor";
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
    /** Of the transmitted bytes, what Traefik sends on to internet clients for Service `service`. */
    internetEgress?: { service: string; bytesPerSecond: number };
}

/** One namespace of the synthetic cluster. */
export interface NamespaceLoad {
    namespace: string;
    /** Carries `platform/tenant=true` (a project) or not (a platform namespace). */
    tenant: boolean;
    containers?: ContainerLoad[];
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
    for (const load of loads) {
        const ns = { namespace: load.namespace };
        for (const instance of load.tenant ? ["ksm-a", "ksm-b"] : ["ksm-a"]) {
            const labels: Record<string, string> = load.tenant ? { ...ns, [TENANT_LABEL_SERIES_NAME]: "true", instance } : { ...ns, instance };
            series.push(gauge("kube_namespace_labels", labels, 1, samples));
        }
        for (const c of load.containers ?? []) {
            const id = { ...ns, pod: c.pod, container: c.container };
            const gvisor = c.runtime === "gvisor";
            const image = { image: `example/${c.container}:1.0` };
            // Per-container cgroups: the real usage under runc, zeros under gVisor.
            series.push(counter("container_cpu_usage_seconds_total", { ...id, ...image }, gvisor ? 0 : c.cpuCores * 60, samples));
            series.push(gauge("container_memory_working_set_bytes", { ...id, ...image }, gvisor ? 0 : c.workingSetBytes, samples));
            // The pod-level cgroup (kubelet /metrics/cadvisor: container="", image="", id=.../kubepods-<qos>-pod<uid>.slice):
            // under runc it repeats the containers (plus the pause process), under gVisor it is the only real figure.
            const podLevel = { ...ns, pod: c.pod, container: "", image: "" };
            series.push(counter("container_cpu_usage_seconds_total", podLevel, gvisor ? (c.cpuCores + (c.sandboxOverheadCores ?? 0)) * 60 : c.cpuCores * 60 * 3, samples));
            series.push(gauge("container_memory_working_set_bytes", podLevel, gvisor ? c.workingSetBytes + (c.sandboxOverheadBytes ?? 0) : c.workingSetBytes * 3, samples));
            // The sandbox (pause) container: container="" with its image under containerd, "POD" under dockershim.
            for (const sandbox of [{ container: "", image: "registry.k8s.io/pause:3.10" }, { container: "POD", image: "registry.k8s.io/pause:3.10" }]) {
                series.push(counter("container_cpu_usage_seconds_total", { ...ns, pod: c.pod, ...sandbox }, 6, samples));
                series.push(gauge("container_memory_working_set_bytes", { ...ns, pod: c.pod, ...sandbox }, 1 * MiB, samples));
            }
            if (gvisor) {
                // kube-state-metrics internal/store/pod.go: kube_pod_runtimeclass_name_info{namespace, pod, uid, runtimeclass_name}.
                series.push(gauge("kube_pod_runtimeclass_name_info", { ...ns, pod: c.pod, uid: `uid-${c.pod}`, runtimeclass_name: "gvisor" }, 1, samples));
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
            series.push(gauge("kube_pod_container_resource_requests", { ...id, resource: "cpu", unit: "core" }, c.cpuRequestCores, samples));
            series.push(gauge("kube_pod_container_resource_requests", { ...id, resource: "memory", unit: "byte" }, c.memoryRequestBytes, samples));
        }
        for (const v of load.volumes ?? []) {
            const pvc = { ...ns, persistentvolumeclaim: v.pvc };
            series.push(gauge("kube_persistentvolumeclaim_resource_requests_storage_bytes", pvc, v.requestedBytes, samples));
            series.push(gauge("kubelet_volume_stats_used_bytes", { ...pvc, instance: "node-a" }, v.usedBytes, samples));
            series.push(gauge("kubelet_volume_stats_capacity_bytes", { ...pvc, instance: "node-a" }, v.capacityBytes, samples));
        }
        for (const n of load.network ?? []) {
            const pod = { ...ns, pod: n.pod, interface: "eth0" };
            series.push(counter("container_network_receive_bytes_total", pod, n.receiveBytesPerSecond * 60, samples));
            series.push(counter("container_network_transmit_bytes_total", pod, n.transmitBytesPerSecond * 60, samples));
            if (n.internetEgress) {
                // Traefik's Ingress provider names the backend <namespace>-<service>-<port>@kubernetes; the
                // ServiceMonitor adds Traefik's own namespace. kube_service_info names the Service.
                const backend = `${load.namespace}-${n.internetEgress.service}-http@kubernetes`;
                for (const code of ["200", "404"]) {
                    series.push(
                        counter("traefik_service_responses_bytes_total", { namespace: "traefik", instance: "traefik-0", service: backend, code, method: "GET", protocol: "http" }, (n.internetEgress.bytesPerSecond / 2) * 60, samples),
                    );
                }
                series.push(gauge("kube_service_info", { ...ns, service: n.internetEgress.service, uid: `uid-${n.internetEgress.service}`, cluster_ip: "10.43.0.10" }, 1, samples));
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
                cores += sum(pod.map((c) => c.cpuCores));
                workingSet += sum(pod.map((c) => c.workingSetBytes));
                cpuBillable += sum(pod.map((c) => Math.max(c.cpuCores, c.cpuRequestCores ?? 0)));
                memoryBillable += sum(pod.map((c) => Math.max(c.workingSetBytes, c.memoryRequestBytes ?? 0)));
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
        const egress = network.filter((n) => n.internetEgress);
        out[RECORDED.networkReceiveRate] = rx;
        out[RECORDED.networkTransmitRate] = tx;
        if (egress.length > 0) {
            out[RECORDED.internetEgressRate] = sum(egress.map((n) => n.internetEgress!.bytesPerSecond));
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
