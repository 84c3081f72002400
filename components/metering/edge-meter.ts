import { ipv4CidrContains, parseCidr, TENANT_EGRESS_EXCEPT_IPV4 } from "../../lib/network-rules";

/**
 * The node meter (historically "edge meter"): bytes the pods send to Traefik and to the internet, counted by
 * the kernel of the nodes per pod IP and exported through node-exporter's textfile collector. Pure renderers:
 * cloud-init writes the files on every node, tests load them into a real kernel.
 *
 * Why the kernel and not Traefik: Traefik v3.7 counts bytes only in its HTTP metrics middleware
 * (traefik/traefik@v3.7.9 pkg/middlewares/metrics/metrics.go), under a backend name that mixes namespace and
 * Service with `-` (two projects can produce the same name), not for upgraded (WebSocket) connections once
 * hijacked, and its TCP/UDP servers count nothing (pkg/server/server_entrypoint_tcp.go; traefik/traefik#7800).
 * Pods reaching the internet directly never pass Traefik at all.
 *
 * How, in the forward hook (before POSTROUTING, so before flannel's masquerade and before kube-proxy's reverse
 * NAT of replies: the source is still the sending pod's IP):
 * - on edge nodes, every packet from a pod IP to a pod IP that leaves towards a pod of this node (not into
 *   flannel's VXLAN device: the packet is then counted on the node of the receiving pod, once), per
 *   (source pod, destination pod). Traefik reaches HTTP backends by pod IP and TCP/UDP/passthrough backends by
 *   ClusterIP (DNATed to a pod IP before forward), so every byte a backend sends Traefik is here, whatever the
 *   port or protocol. The rules keep the pairs whose destination is a Traefik pod.
 * - on every node, every packet from a pod IP to an address outside the cluster, service and private ranges
 *   (RFC 1918, the tailnet's 100.64.0.0/10, this network, link-local, loopback, multicast, reserved), per source pod: the internet.
 * The count is of IP packets, so headers included. The rules map a pod IP to the pod holding it during the
 * window (`kube_pod_info{pod_ip}` of a Pending or Running pod) or, for a pod kube-state-metrics never saw (it
 * lived less than a scrape interval), to the pod the node itself gave the address: the exporter reads the CNI
 * result cache containerd writes for every pod sandbox (libcni `cachedInfo`, containernetworking/cni
 * libcni/api.go: `<cache dir>/results/<network>-<container id>-<interface>` with `cniArgs` holding
 * K8S_POD_NAMESPACE and K8S_POD_NAME, which containerd's CRI passes to every CNI ADD, and `result.ips`), when a
 * sandbox appears (a systemd path unit) and on its timer, and keeps each address's pod for an hour after the
 * sandbox is gone unless a newer sandbox takes the address.
 *
 * A test loads the table into a kernel (test/components/metering/edge-meter.kernel.test.ts): replies to a
 * "Traefik" pod through a DNATed ClusterIP and by pod IP are counted under their pair, bytes to an internet
 * address under the source pod, bytes into the VXLAN device and to private ranges not at all.
 */

/** The VXLAN device of flannel's default backend in k3s (flannel pkg/backend/vxlan: `flannel.<VNI>`, VNI 1). */
export const FLANNEL_VXLAN_INTERFACE = "flannel.1";

/**
 * Destinations that are never the internet (besides the cluster's pod and service CIDRs): the ranges the tenant
 * internet egress rule excepts, so the meter bills exactly what that rule lets out. It includes 0.0.0.0/8, which
 * an earlier copy here missed: the IANA IPv4 special-purpose registry (RFC 6890, RFC 791 "this network") lists it
 * as neither a valid destination nor forwardable, so no byte to it reaches the internet.
 */
export const NON_INTERNET_IPV4: readonly string[] = TENANT_EGRESS_EXCEPT_IPV4;

/** Paths, names and limits of the node meter on a node. */
export const EDGE_METER = {
    /** The meter's own nftables table (never the guard's `inet platform`: reloading one must not reset the other). */
    table: "inet platform_metering",
    /** Edge nodes: a counter per (source pod IP . destination pod IP on this node). */
    edgeSet: "edge_pod_bytes",
    /** Every node: a counter per source pod IP of bytes to the internet. */
    externalSet: "external_bytes",
    /** Elements idle this long are dropped (a new one starts at 0: the rules count it from 0). */
    elementTimeout: "1h",
    /** At most this many elements per set and node; beyond it new pairs are not counted. */
    setSize: 65536,
    nftFile: "/etc/nftables.d/platform-metering.nft",
    /** Loads the table at boot, deletes only it when stopped. */
    rulesUnit: "/etc/systemd/system/platform-edge-meter-rules.service",
    script: "/usr/local/sbin/platform-edge-meter.sh",
    exportUnit: "/etc/systemd/system/platform-edge-meter.service",
    exportTimer: "/etc/systemd/system/platform-edge-meter.timer",
    /** Path unit: runs the export as soon as a pod sandbox gets its address (a pod may live less than the timer). */
    addressesPath: "/etc/systemd/system/platform-edge-meter.path",
    /** libcni's result cache (its default cache directory /var/lib/cni, which containerd's CRI keeps). */
    cniResultsDir: "/var/lib/cni/results",
    /** The exporter's memory of which pod held which address (tmpfs: a reboot starts over, as the counters do). */
    stateDir: "/run/platform-node-meter",
    /** Written when the table is loaded: every counter of the meter started then or later. */
    loadedFile: "/run/platform-node-meter.loaded",
    /** Seconds an address keeps its pod after the sandbox is gone (the element timeout: no byte of it counts later). */
    addressRetentionSeconds: 3600,
    /** Seconds between exports (Prometheus scrapes node-exporter every 30 s). */
    exportIntervalSeconds: 15,
    /** node-exporter's textfile directory on the host (the chart mounts the host's / at /host/root). */
    textfileDir: "/var/lib/node_exporter/textfile_collector",
    textfile: "platform_edge_meter.prom",
} as const;

/** The series the exporter writes (node-exporter serves them with its own target labels added). */
export const EDGE_METER_METRICS = {
    /** Counter (edge nodes), labels `source_ip` (the sending pod) and `destination_ip` (a pod on this node). */
    edgePodBytes: "platform_edge_pod_bytes_total",
    /** Counter (every node), label `source_ip`: bytes the pod sent to addresses outside the cluster. */
    externalBytes: "platform_pod_external_bytes_total",
    /** Gauge, Unix seconds of the last export: the trust alert's heartbeat (old meters export it too). */
    lastExport: "platform_edge_meter_last_export_timestamp_seconds",
    /** Gauge 1, labels `version` ({@link NODE_METER_VERSION}) and `edge` ("true" when the edge set is loaded): which meter runs. */
    info: "platform_node_meter_info",
    /** Gauge, Unix seconds the meter's table was loaded: its counters cannot be older. */
    loaded: "platform_node_meter_loaded_timestamp_seconds",
    /** Gauge 1, labels `source_ip`, `namespace`, `pod`: the pod this node gave the address (CNI result cache). */
    podAddress: "platform_node_meter_pod_address_info",
} as const;

/**
 * Version of the meter the exporter reports. 1: the edge meter of earlier releases (Traefik pairs only, no
 * info series); 2: every node, edge pairs and internet bytes, load time and the pod of each address. Nodes
 * created before keep their user-data, so the trust alert names every node not reporting this version.
 */
export const NODE_METER_VERSION = "2";

/** The argument node-exporter needs to read the textfile directory through its host-root mount. */
export const NODE_EXPORTER_TEXTFILE_ARG = `--collector.textfile.directory=/host/root${EDGE_METER.textfileDir}`;

function checkCidr(cidr: string, key: string): void {
    // A block with its prefix written out, as the nft rule takes it verbatim (no bare address, no padding).
    if (!/^\S+\/\d{1,2}$/.test(cidr) || parseCidr(cidr)?.family !== 4) {
        throw new Error(`node meter: ${key} "${cidr}" must be an IPv4 CIDR such as 10.43.0.0/16 (platform:${key})`);
    }
}

/** What the meter of one node needs. */
export interface NodeMeterInput {
    /** `platform:cluster.clusterCidr`: the pod addresses. */
    clusterCidr: string;
    /** `platform:cluster.serviceCidr`: ClusterIPs (never the internet). */
    serviceCidr: string;
    /** Whether the node is an edge node (runs Traefik): only those count bytes towards their pods. */
    edge: boolean;
}

/**
 * The nftables table. Declared, deleted and declared again as one transaction, so a reload replaces only
 * this table (like the guard, components/nodes/bootstrap-script.ts): never `flush ruleset`.
 */
export function renderEdgeMeterNft(input: NodeMeterInput): string {
    checkCidr(input.clusterCidr, "cluster.clusterCidr");
    checkCidr(input.serviceCidr, "cluster.serviceCidr");
    // Interval sets reject overlapping elements: a cluster range inside a private range is already excluded.
    const notInternet = [...NON_INTERNET_IPV4, ...[input.clusterCidr, input.serviceCidr].filter((c) => !NON_INTERNET_IPV4.some((r) => ipv4CidrContains(r, c)))];
    const set = (name: string, key: string, what: string) => `  # ${what}
  set ${name} {
    typeof ${key}
    flags dynamic, timeout
    timeout ${EDGE_METER.elementTimeout}
    size ${EDGE_METER.setSize}
    counter
  }`;
    const pods = input.clusterCidr;
    const edgeRule = `    ip saddr ${pods} ip daddr ${pods} oifname != "${FLANNEL_VXLAN_INTERFACE}" update @${EDGE_METER.edgeSet} { ip saddr . ip daddr }`;
    return `# Rendered by components/metering/edge-meter.ts; loaded with \`nft -f\`. Only the meter's table: never \`flush ruleset\`.
table ${EDGE_METER.table}
delete table ${EDGE_METER.table}
table ${EDGE_METER.table} {
${input.edge ? `${set(EDGE_METER.edgeSet, "ip saddr . ip daddr", "Bytes a pod sent to a pod on this node (Traefik's backends' replies among them), per (source, destination).")}\n` : ""}${set(EDGE_METER.externalSet, "ip saddr", "Bytes a pod sent to an address outside the cluster and the private ranges, per source pod.")}
  chain forward {
    # Counts only; accepts everything (the guard and kube-proxy decide what passes).
    type filter hook forward priority filter - 10; policy accept;
${input.edge ? `${edgeRule}\n` : ""}    ip saddr ${pods} ip daddr != { ${notInternet.join(", ")} } update @${EDGE_METER.externalSet} { ip saddr }
  }
}
`;
}

/**
 * The exporter: the sets' counters as Prometheus text, written atomically (a temporary file renamed into
 * place, as node-exporter's textfile collector documents) with a heartbeat. `TEXTFILE_DIR` overrides the
 * directory (tests). Needs nft and jq (both in the node packages).
 */
export function renderEdgeMeterScript(): string {
    const { edgePodBytes, externalBytes, lastExport, info, loaded, podAddress } = EDGE_METER_METRICS;
    // libnftables-json: {"set": {"name", ..., "elem": [{"elem": {"val": <addr> | {"concat": [src, dst]}, "counter": {"packets", "bytes"}}}]}}
    const elements = (set: string) => `.nftables[] | select(.set and .set.name == "${set}") | (.set.elem // [])[] | .elem | select(.counter)`;
    // libcni cachedInfo: {"kind": "cniCacheV1", "ifName", "cniArgs": [[key, value], ...], "result": {"ips": [{"address": "10.42.1.5/24"}]}}
    const addresses = `select(.kind == "cniCacheV1" and .ifName != "lo")
      | ((.cniArgs // []) | map({(.[0]): .[1]}) | add // {}) as $args
      | select(($args.K8S_POD_NAMESPACE // "" | test("^[a-z0-9][-a-z0-9.]*$")) and ($args.K8S_POD_NAME // "" | test("^[a-z0-9][-a-z0-9.]*$")))
      | (.result.ips // [])[] | .address | split("/")[0] | select(test("^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$") and (startswith("127.") | not))
      | "\\(.) \\($args.K8S_POD_NAMESPACE) \\($args.K8S_POD_NAME) \\($now)"`;
    return `#!/usr/bin/env bash
# Rendered by components/metering/edge-meter.ts: exports the node meter's counters for node-exporter.
set -euo pipefail
dir="\${TEXTFILE_DIR:-${EDGE_METER.textfileDir}}"
results="\${CNI_RESULTS_DIR:-${EDGE_METER.cniResultsDir}}"
state="\${STATE_DIR:-${EDGE_METER.stateDir}}"
loaded_file="\${LOADED_FILE:-${EDGE_METER.loadedFile}}"
now="$(date +%s)"
install -d -m 0755 "\${dir}"
install -d -m 0700 "\${state}"
touch "\${state}/addresses"
tmp="$(mktemp "\${dir}/.${EDGE_METER.textfile}.XXXXXX")"
trap 'rm -f "\${tmp}" "\${state}/addresses.new"' EXIT
table="$(nft -j list table ${EDGE_METER.table})"
# The pods this node gave an address, newest first: a sandbox seen now, then what was remembered (an hour after
# the sandbox is gone, unless a newer sandbox took the address). A cache file removed while read is skipped.
current=""
if [[ -d "\${results}" ]]; then
  # shellcheck disable=SC2016 # jq's own variables and string interpolation
  current="$(find "\${results}" -maxdepth 1 -type f -print0 | xargs -0 -r jq -r --arg now "\${now}" '${addresses}' 2>/dev/null || true)"
fi
{ [[ -z "\${current}" ]] || printf '%s\\n' "\${current}"; cat "\${state}/addresses"; } \\
  | awk -v cutoff="$((now - ${EDGE_METER.addressRetentionSeconds}))" 'NF == 4 && $4 >= cutoff && !seen[$1]++' >"\${state}/addresses.new"
mv -f "\${state}/addresses.new" "\${state}/addresses"
edge=false
if jq -e 'any(.nftables[]; .set and .set.name == "${EDGE_METER.edgeSet}")' <<<"\${table}" >/dev/null; then
  edge=true
fi
{
  echo "# HELP ${edgePodBytes} Bytes a pod sent to a pod on this edge node (forward hook, IP packets)."
  echo "# TYPE ${edgePodBytes} counter"
  jq -r '${elements(EDGE_METER.edgeSet)}
    | "${edgePodBytes}{source_ip=\\"\\(.val.concat[0])\\",destination_ip=\\"\\(.val.concat[1])\\"} \\(.counter.bytes)"' <<<"\${table}"
  echo "# HELP ${externalBytes} Bytes a pod sent to addresses outside the cluster and the private ranges (forward hook, IP packets)."
  echo "# TYPE ${externalBytes} counter"
  jq -r '${elements(EDGE_METER.externalSet)}
    | "${externalBytes}{source_ip=\\"\\(.val)\\"} \\(.counter.bytes)"' <<<"\${table}"
  echo "# HELP ${podAddress} The pod this node gave the address source_ip (CNI result cache)."
  echo "# TYPE ${podAddress} gauge"
  awk '{ printf "${podAddress}{source_ip=\\"%s\\",namespace=\\"%s\\",pod=\\"%s\\"} 1\\n", $1, $2, $3 }' "\${state}/addresses"
  echo "# HELP ${info} The node meter running on this node."
  echo "# TYPE ${info} gauge"
  echo "${info}{version=\\"${NODE_METER_VERSION}\\",edge=\\"\${edge}\\"} 1"
  echo "# HELP ${loaded} Unix time the node meter's table was loaded (its counters started then or later)."
  echo "# TYPE ${loaded} gauge"
  echo "${loaded} $(cat "\${loaded_file}" 2>/dev/null || echo 0)"
  echo "# HELP ${lastExport} Unix time of the node meter's last export."
  echo "# TYPE ${lastExport} gauge"
  echo "${lastExport} \${now}"
} >"\${tmp}"
chmod 0644 "\${tmp}"
mv -f "\${tmp}" "\${dir}/${EDGE_METER.textfile}"
trap - EXIT
`;
}

/**
 * The systemd units: load the table at boot (before k3s starts forwarding) and note when, export on a timer and
 * whenever a pod sandbox's CNI result appears (a pod living less than the timer still leaves its address's pod).
 */
export function renderEdgeMeterUnits(): { rules: string; export: string; timer: string; addresses: string } {
    return {
        rules: `[Unit]
Description=Platform edge meter (nftables table ${EDGE_METER.table} only)
DefaultDependencies=no
Wants=network-pre.target
Before=network-pre.target shutdown.target
Conflicts=shutdown.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/sbin/nft -f ${EDGE_METER.nftFile}
ExecStartPost=/bin/sh -c 'date +%%s >${EDGE_METER.loadedFile}'
ExecStop=/usr/sbin/nft delete table ${EDGE_METER.table}

[Install]
WantedBy=sysinit.target
`,
        export: `[Unit]
Description=Export the platform edge meter for node-exporter
Requires=platform-edge-meter-rules.service
After=platform-edge-meter-rules.service
# Started by the timer and by every new pod sandbox: never refused for starting often.
StartLimitIntervalSec=0

[Service]
Type=oneshot
ExecStart=${EDGE_METER.script}
`,
        timer: `[Unit]
Description=Export the platform edge meter every ${EDGE_METER.exportIntervalSeconds}s

[Timer]
OnBootSec=${EDGE_METER.exportIntervalSeconds}s
OnUnitActiveSec=${EDGE_METER.exportIntervalSeconds}s
AccuracySec=1s

[Install]
WantedBy=timers.target
`,
        addresses: `[Unit]
Description=Export the platform node meter when a pod sandbox gets an address

[Path]
PathChanged=${EDGE_METER.cniResultsDir}
Unit=platform-edge-meter.service

[Install]
WantedBy=paths.target
`,
    };
}

/** A file cloud-init writes. */
export interface EdgeMeterFile {
    /** Absolute path on the node. */
    path: string;
    /** Octal mode. */
    permissions: string;
    /** File content. */
    content: string;
}

/** Every file of the node meter, for a node's user-data. */
export function edgeMeterFiles(input: NodeMeterInput): EdgeMeterFile[] {
    const units = renderEdgeMeterUnits();
    return [
        { path: EDGE_METER.nftFile, permissions: "0644", content: renderEdgeMeterNft(input) },
        { path: EDGE_METER.script, permissions: "0755", content: renderEdgeMeterScript() },
        { path: EDGE_METER.rulesUnit, permissions: "0644", content: units.rules },
        { path: EDGE_METER.exportUnit, permissions: "0644", content: units.export },
        { path: EDGE_METER.exportTimer, permissions: "0644", content: units.timer },
        { path: EDGE_METER.addressesPath, permissions: "0644", content: units.addresses },
    ];
}

/** The commands that start the meter once its files are written. */
export const EDGE_METER_START: string[][] = [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", "platform-edge-meter-rules.service", "platform-edge-meter.timer", "platform-edge-meter.path"]];
