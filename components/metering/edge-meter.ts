/**
 * The edge meter: bytes the public TCP/UDP entry points and TLS passthrough routes carry, counted by the
 * kernel of every edge node (where the Traefik pods run) and exported through node-exporter's textfile
 * collector. Pure renderers: cloud-init writes the files on edge nodes, tests load them into a real kernel.
 *
 * Why here and not in Traefik: Traefik v3.7 counts bytes only in its HTTP metrics middleware
 * (traefik/traefik@v3.7.9 pkg/middlewares/metrics/metrics.go: entry point, router and service
 * `*_responses_bytes_total`); its TCP/UDP servers report `traefik_open_connections` and nothing else
 * (pkg/server/server_entrypoint_tcp.go), and there is no access log for TCP routers (traefik/traefik#7800,
 * still open; #11998 unmerged).
 *
 * How: the platform renders every TCP/UDP route with `nativeLB: true` (components/project/routes.ts), so
 * Traefik dials the backend Service's ClusterIP instead of its pod IPs (traefik@v3.7.9
 * pkg/provider/kubernetes/crd/traefikio/v1alpha1/ingressroutetcp.go `NativeLB`; HTTP backends stay on pod
 * IPs: `providers.kubernetesCRD.nativeLBByDefault` and the Ingress provider's default are false). On the edge
 * node, kube-proxy DNATs that connection; its conntrack entry keeps the ClusterIP as the original
 * destination. The forward hook counts every reply-direction packet of connections whose original
 * destination is in the service CIDR, per (original source, original destination): the bytes the project's
 * Service sent to Traefik, which Traefik relays to the internet client unchanged (TCP payload, UDP
 * datagrams; the count is of IP packets, so headers included). The metering rules keep only the sources
 * that are Traefik pods (`kube_pod_info{namespace="traefik"}`) and map the ClusterIP to its Service's
 * namespace (`kube_service_info{cluster_ip}`): the project that owns the route, and so its entry point.
 *
 * A test loads the table into a kernel (test/components/metering/edge-meter.kernel.test.ts): TCP and UDP
 * through a DNATed "ClusterIP" are counted under their pair, a connection to a pod IP is not.
 */

/** Paths, names and limits of the edge meter on a node. */
export const EDGE_METER = {
    /** The meter's own nftables table (never the guard's `inet platform`: reloading one must not reset the other). */
    table: "inet platform_metering",
    /** The dynamic set with a counter per (Traefik pod IP . ClusterIP). */
    set: "service_replies",
    /** Elements idle this long are dropped (a new one starts at 0: a counter reset, which rates handle). */
    elementTimeout: "1h",
    /** At most this many (source, ClusterIP) pairs per node; beyond it new pairs are not counted. */
    setSize: 65536,
    nftFile: "/etc/nftables.d/platform-metering.nft",
    /** Loads the table at boot, deletes only it when stopped. */
    rulesUnit: "/etc/systemd/system/platform-edge-meter-rules.service",
    script: "/usr/local/sbin/platform-edge-meter.sh",
    exportUnit: "/etc/systemd/system/platform-edge-meter.service",
    exportTimer: "/etc/systemd/system/platform-edge-meter.timer",
    /** Seconds between exports (Prometheus scrapes node-exporter every 30 s). */
    exportIntervalSeconds: 15,
    /** node-exporter's textfile directory on the host (the chart mounts the host's / at /host/root). */
    textfileDir: "/var/lib/node_exporter/textfile_collector",
    textfile: "platform_edge_meter.prom",
} as const;

/** The series the exporter writes (node-exporter serves them with its own target labels added). */
export const EDGE_METER_METRICS = {
    /** Counter, labels `source_ip` (the connecting pod) and `service_ip` (the ClusterIP it dialled). */
    replyBytes: "platform_edge_service_reply_bytes_total",
    /** Gauge, Unix seconds of the last export: the trust alert's heartbeat. */
    lastExport: "platform_edge_meter_last_export_timestamp_seconds",
} as const;

/** The argument node-exporter needs to read the textfile directory through its host-root mount. */
export const NODE_EXPORTER_TEXTFILE_ARG = `--collector.textfile.directory=/host/root${EDGE_METER.textfileDir}`;

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * The nftables table. Declared, deleted and declared again as one transaction, so a reload replaces only
 * this table (like the guard, components/nodes/bootstrap-script.ts): never `flush ruleset`.
 */
export function renderEdgeMeterNft(serviceCidr: string): string {
    const match = IPV4_CIDR.exec(serviceCidr);
    if (!match || match.slice(1, 5).some((octet) => Number(octet) > 255) || Number(match[5]) > 32) {
        throw new Error(`edge meter: service CIDR "${serviceCidr}" must be an IPv4 CIDR such as 10.43.0.0/16 (platform:cluster.serviceCidr)`);
    }
    const pair = "ct original ip saddr . ct original ip daddr";
    return `# Rendered by components/metering/edge-meter.ts; loaded with \`nft -f\`. Only the meter's table: never \`flush ruleset\`.
table ${EDGE_METER.table}
delete table ${EDGE_METER.table}
table ${EDGE_METER.table} {
  # Bytes Services sent back on connections dialled to their ClusterIP, per (dialling pod, ClusterIP).
  set ${EDGE_METER.set} {
    typeof ${pair}
    flags dynamic, timeout
    timeout ${EDGE_METER.elementTimeout}
    size ${EDGE_METER.setSize}
    counter
  }
  chain forward {
    # Counts only; accepts everything (the guard and kube-proxy decide what passes).
    type filter hook forward priority filter - 10; policy accept;
    ct direction reply ct original ip daddr ${serviceCidr} update @${EDGE_METER.set} { ${pair} }
  }
}
`;
}

/**
 * The exporter: the set's counters as Prometheus text, written atomically (a temporary file renamed into
 * place, as node-exporter's textfile collector documents) with a heartbeat. `TEXTFILE_DIR` overrides the
 * directory (tests). Needs nft and jq (both in the node packages).
 */
export function renderEdgeMeterScript(): string {
    const { replyBytes, lastExport } = EDGE_METER_METRICS;
    return `#!/usr/bin/env bash
# Rendered by components/metering/edge-meter.ts: exports the edge meter's counters for node-exporter.
set -euo pipefail
dir="\${TEXTFILE_DIR:-${EDGE_METER.textfileDir}}"
install -d -m 0755 "\${dir}"
tmp="$(mktemp "\${dir}/.${EDGE_METER.textfile}.XXXXXX")"
trap 'rm -f "\${tmp}"' EXIT
elements="$(nft -j list set ${EDGE_METER.table} ${EDGE_METER.set})"
{
  echo "# HELP ${replyBytes} Bytes a Service sent back on connections a pod dialled to its ClusterIP (edge node, reply direction, IP packets)."
  echo "# TYPE ${replyBytes} counter"
  # libnftables-json: {"set": {..., "elem": [{"elem": {"val": {"concat": [src, dst]}, "counter": {"packets", "bytes"}}}]}}
  jq -r '.nftables[] | select(.set) | (.set.elem // [])[] | .elem | select(.counter)
    | "${replyBytes}{source_ip=\\"\\(.val.concat[0])\\",service_ip=\\"\\(.val.concat[1])\\"} \\(.counter.bytes)"' <<<"\${elements}"
  echo "# HELP ${lastExport} Unix time of the edge meter's last export."
  echo "# TYPE ${lastExport} gauge"
  echo "${lastExport} $(date +%s)"
} >"\${tmp}"
chmod 0644 "\${tmp}"
mv -f "\${tmp}" "\${dir}/${EDGE_METER.textfile}"
trap - EXIT
`;
}

/** The systemd units: load the table at boot (before k3s starts forwarding), export on a timer. */
export function renderEdgeMeterUnits(): { rules: string; export: string; timer: string } {
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
ExecStop=/usr/sbin/nft delete table ${EDGE_METER.table}

[Install]
WantedBy=sysinit.target
`,
        export: `[Unit]
Description=Export the platform edge meter for node-exporter
Requires=platform-edge-meter-rules.service
After=platform-edge-meter-rules.service

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

/** Every file of the edge meter, for an edge node's user-data. */
export function edgeMeterFiles(serviceCidr: string): EdgeMeterFile[] {
    const units = renderEdgeMeterUnits();
    return [
        { path: EDGE_METER.nftFile, permissions: "0644", content: renderEdgeMeterNft(serviceCidr) },
        { path: EDGE_METER.script, permissions: "0755", content: renderEdgeMeterScript() },
        { path: EDGE_METER.rulesUnit, permissions: "0644", content: units.rules },
        { path: EDGE_METER.exportUnit, permissions: "0644", content: units.export },
        { path: EDGE_METER.exportTimer, permissions: "0644", content: units.timer },
    ];
}

/** The commands that start the meter once its files are written. */
export const EDGE_METER_START: string[][] = [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", "platform-edge-meter-rules.service", "platform-edge-meter.timer"]];
