import * as net from "node:net";

/**
 * Network facts every tenant rule shares: which ports and address ranges a tenant may never reach, how to tell
 * an in-cluster, private or metadata host from a public one, and the CIDR arithmetic. The tenant schema, the
 * stack config (project grants), the tenant NetworkPolicies, the node meter, the vSwitch addressing and the
 * policy pack (policy/lib/network.ts, policy/lib/network-policy.ts) all read them from here, so none can
 * disagree. Only `node:net` is imported, so the pack can import this module like it imports lib/conventions.
 */

/** Mail submission ports no tenant egress may open (spam relays; the platform never allows SMTP out). */
export const SMTP_PORTS: readonly number[] = [25, 465, 587, 2525];

/** A port a node (or a hostNetwork platform pod) listens on, with what listens there. */
export interface NodePort {
    /** Port number (refused for TCP and UDP alike: a grant cannot pick the protocol that slips through). */
    port: number;
    /** What listens there. */
    what: string;
}

/**
 * Ports the nodes listen on (k3s inbound rules of the k3s requirements page, the embedded etcd and
 * registry, node-exporter and MetalLB on the host network, SSH, Tailscale). Tenant egress to the internet
 * includes the nodes' own public addresses, so none of these may be opened to a tenant. The NodePort range
 * (30000-32767) stays grantable (P2P clients use it, e.g. 30303): tenants get no NodePort Services, and the
 * only platform NodePorts are those of Traefik's LoadBalancer, which serves 80/443 to the world anyway.
 */
export const NODE_PORTS: readonly NodePort[] = [
    { port: 22, what: "SSH on the nodes" },
    { port: 2379, what: "etcd client (k3s embedded etcd)" },
    { port: 2380, what: "etcd peer (k3s embedded etcd)" },
    { port: 2381, what: "etcd metrics" },
    { port: 4789, what: "VXLAN" },
    { port: 5001, what: "k3s embedded registry (spegel)" },
    { port: 6443, what: "Kubernetes API and k3s supervisor" },
    { port: 6444, what: "k3s API server behind the local load balancer" },
    { port: 7472, what: "MetalLB speaker metrics (host network)" },
    { port: 7946, what: "MetalLB memberlist (host network)" },
    { port: 8472, what: "flannel VXLAN" },
    { port: 9099, what: "flannel/canal health probe" },
    { port: 9100, what: "node-exporter (host network)" },
    { port: 9345, what: "RKE2-style supervisor" },
    { port: 10010, what: "containerd stream server" },
    { port: 10248, what: "kubelet healthz" },
    { port: 10249, what: "kube-proxy metrics" },
    { port: 10250, what: "kubelet API" },
    { port: 10251, what: "kube-scheduler (legacy insecure port)" },
    { port: 10252, what: "kube-controller-manager (legacy insecure port)" },
    { port: 10254, what: "ingress controller metrics" },
    { port: 10255, what: "kubelet read-only API (off here, refused anyway)" },
    { port: 10256, what: "kube-proxy health" },
    { port: 10257, what: "kube-controller-manager" },
    { port: 10258, what: "cloud-controller-manager" },
    { port: 10259, what: "kube-scheduler" },
    { port: 41641, what: "Tailscale WireGuard" },
    { port: 51820, what: "flannel WireGuard (IPv4)" },
    { port: 51821, what: "flannel WireGuard (IPv6)" },
];

/** Why a port may never be granted or asked for as tenant egress; `undefined` when it may. */
export function forbiddenEgressPort(port: number): string | undefined {
    if (SMTP_PORTS.includes(port)) {
        return `port ${port} is mail submission (SMTP); tenants never send mail directly`;
    }
    const node = NODE_PORTS.find((p) => p.port === port);
    return node ? `port ${port} is a node port (${node.what}); tenant egress reaches the nodes' public addresses, so it is never opened` : undefined;
}

/**
 * IPv4 ranges the tenant internet egress rule always excludes: "this network", private, tailnet (CGNAT),
 * loopback, the whole link-local range (the cloud metadata service at 169.254.169.254 serves user-data with
 * bootstrap secrets), multicast and reserved. Tenant egress is IPv4 only: no rule allows `::/0`.
 */
export const TENANT_EGRESS_EXCEPT_IPV4: readonly string[] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

/**
 * The `except` list of an internet egress rule in a cluster: {@link TENANT_EGRESS_EXCEPT_IPV4} plus the cluster's
 * pod and service CIDRs where they lie outside it (tenant pods and build pods share it).
 */
export function clusterEgressExcept(cluster: { clusterCidr: string; serviceCidr: string }): string[] {
    const extra = [cluster.clusterCidr, cluster.serviceCidr].filter((c) => !withinPrivateRanges(c));
    return [...TENANT_EGRESS_EXCEPT_IPV4, ...extra.filter((c, i) => extra.indexOf(c) === i)];
}

/** The tailnet's CGNAT range: k3s serves the Kubernetes API on the nodes' tailnet addresses (port 6443). */
export const TAILNET_RANGE = "100.64.0.0/10";

/** The Kubernetes API server's port on the nodes. */
export const API_SERVER_NODE_PORT = 6443;

/**
 * Where a pod reaches the Kubernetes API: the `kubernetes` Service's ClusterIP (the first address of the service
 * CIDR) on 443, and the nodes' tailnet addresses on {@link API_SERVER_NODE_PORT} behind it (a NetworkPolicy may see
 * either, before or after the Service's address translation).
 */
export function apiServerEgressPeers(serviceCidr: string): Array<{ cidr: string; port: number }> {
    const [address] = serviceCidr.split("/");
    const octets = address!.split(".").map(Number);
    octets[3] = octets[3]! + 1;
    return [
        { cidr: TAILNET_RANGE, port: API_SERVER_NODE_PORT },
        { cidr: `${octets.join(".")}/32`, port: 443 },
    ];
}

/** IPv6 ranges that are never a public host: unspecified, loopback, link-local, unique-local (Tailscale's fd7a:115c:a1e0::/48), site-local, multicast. */
export const NON_PUBLIC_IPV6: readonly string[] = ["::/128", "::1/128", "fe80::/10", "fc00::/7", "fec0::/10", "ff00::/8"];

const nonPublic = (() => {
    const list = new net.BlockList();
    for (const cidr of TENANT_EGRESS_EXCEPT_IPV4) {
        const [address, bits] = cidr.split("/");
        list.addSubnet(address!, Number(bits), "ipv4");
    }
    for (const cidr of NON_PUBLIC_IPV6) {
        const [address, bits] = cidr.split("/");
        list.addSubnet(address!, Number(bits), "ipv6");
    }
    return list;
})();

/** Whether an IP literal is private, tailnet, loopback, link-local (metadata), multicast or reserved. */
export function isNonPublicAddress(ip: string): boolean {
    const bare = ip.replace(/^\[|\]$/g, "");
    const family = net.isIP(bare);
    if (family === 4) {
        return nonPublic.check(bare, "ipv4");
    }
    if (family === 6) {
        const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
        return mapped ? nonPublic.check(mapped[1]!, "ipv4") : nonPublic.check(bare, "ipv6");
    }
    return false;
}

/** DNS suffixes that name in-cluster services, the host itself or private networks, never a public host. */
export const NON_PUBLIC_HOST_SUFFIXES: readonly string[] = ["localhost", "svc", "cluster.local", "local", "internal", "localdomain", "home.arpa", "ts.net"];

/**
 * Why a host name (from a URL) is not a public host; `undefined` when it is. Single- and two-label names
 * of in-cluster services (`minio`, `minio.minio`) resolve through the pods' DNS search path, so a public
 * host must be a fully qualified name whose last label is not a namespace or `svc`.
 */
export function nonPublicHostReason(host: string, namespaces: readonly string[] = []): string | undefined {
    const name = host.toLowerCase().replace(/\.$/, "");
    if (net.isIP(name.replace(/^\[|\]$/g, "")) !== 0) {
        return isNonPublicAddress(name) ? `${host} is a private, tailnet, loopback or link-local (cloud metadata) address` : `${host} is an IP address; use the host's DNS name`;
    }
    const suffix = NON_PUBLIC_HOST_SUFFIXES.find((s) => name === s || name.endsWith(`.${s}`));
    if (suffix) {
        return `${host} is an in-cluster, local or tailnet name (*.${suffix})`;
    }
    const labels = name.split(".");
    if (labels.length < 2) {
        return `${host} is not a fully qualified name: inside the cluster it resolves to a Service`;
    }
    const last = labels[labels.length - 1]!;
    if (namespaces.includes(last) || !/^[a-z]{2,63}$/.test(last)) {
        return `${host} resolves inside the cluster (its last label "${last}" is not a public top-level domain)`;
    }
    return undefined;
}

/**
 * Why a git repository URL may not be a tenant source; `undefined` when it may. Only `https://` and
 * `ssh://` to a public host, no credentials in the URL (they would land in the plan and the AppProject),
 * no `..` in the path, no query or fragment.
 */
export function repoUrlProblem(url: string, namespaces: readonly string[] = []): string | undefined {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return `"${url}" is not a URL; write https://host/org/repo.git or ssh://git@host/org/repo.git`;
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "ssh:") {
        return `${parsed.protocol}// is not allowed; only https:// (or ssh:// when granted) reaches a repository outside the cluster`;
    }
    if (parsed.password !== "" || (parsed.protocol === "https:" && parsed.username !== "")) {
        return "the URL carries credentials; Argo CD gets repository credentials from the platform, never from the URL";
    }
    if (parsed.search !== "" || parsed.hash !== "") {
        return "the URL has a query or fragment; name the repository only";
    }
    if (url.split(/[?#]/)[0]!.split("/").some((segment) => segment === ".." || segment === ".") || /%2e|%2f/i.test(url)) {
        return "the URL path contains '.', '..' or encoded dots/slashes";
    }
    const hostReason = nonPublicHostReason(parsed.hostname, namespaces);
    if (hostReason) {
        return hostReason;
    }
    return undefined;
}

// --- CIDR arithmetic: the one parser of the program and the policy pack (policy/lib/network.ts re-exports it) ---

/** The cloud metadata address: Hetzner serves each server's user-data, bootstrap secrets included, here. */
export const CLOUD_METADATA_RANGES: readonly string[] = Object.freeze(["169.254.169.254/32"]);

/**
 * Private ranges tenant pods never reach through the internet allow rule: the hcloud network, vSwitch, pod
 * and service CIDRs live in the RFC 1918 ranges; the tailnet (node SSH, the Kubernetes API) in CGNAT space.
 */
export const PRIVATE_RANGES: readonly string[] = Object.freeze(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"]);

/** A parsed CIDR block. */
export interface Cidr {
    /** Address family. */
    family: 4 | 6;
    /** Network address as an unsigned integer (host bits cleared). */
    network: bigint;
    /** Prefix length. */
    prefix: number;
}

function parseIpv4(text: string): bigint | undefined {
    const parts = text.split(".");
    if (parts.length !== 4) {
        return undefined;
    }
    let value = 0n;
    for (const part of parts) {
        if (!/^\d{1,3}$/.test(part) || Number(part) > 255) {
            return undefined;
        }
        value = (value << 8n) | BigInt(Number(part));
    }
    return value;
}

function parseIpv6(text: string): bigint | undefined {
    let address = text;
    // An embedded IPv4 tail (::ffff:1.2.3.4) counts as the last two groups.
    const lastColon = address.lastIndexOf(":");
    const tail = address.slice(lastColon + 1);
    if (tail.includes(".")) {
        const v4 = parseIpv4(tail);
        if (v4 === undefined) {
            return undefined;
        }
        address = `${address.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
    }
    const halves = address.split("::");
    if (halves.length > 2) {
        return undefined;
    }
    const head = halves[0] ? halves[0].split(":") : [];
    const rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
    const missing = 8 - head.length - rest.length;
    if ((halves.length === 1 && missing !== 0) || missing < 0) {
        return undefined;
    }
    const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
    let value = 0n;
    for (const group of groups) {
        if (!/^[0-9a-fA-F]{1,4}$/.test(group)) {
            return undefined;
        }
        value = (value << 16n) | BigInt(parseInt(group, 16));
    }
    return value;
}

/** Parses `a.b.c.d/n`, an IPv6 CIDR, or a bare address (as a /32 or /128). */
export function parseCidr(text: string): Cidr | undefined {
    const [address = "", prefixText, ...extra] = text.trim().split("/");
    if (extra.length > 0) {
        return undefined;
    }
    const family: 4 | 6 = address.includes(":") ? 6 : 4;
    const value = family === 4 ? parseIpv4(address) : parseIpv6(address);
    const bits = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (value === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
        return undefined;
    }
    const hostBits = BigInt(bits - prefix);
    return { family, network: (value >> hostBits) << hostBits, prefix };
}

/** Whether `outer` contains every address of `inner`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
    if (outer.family !== inner.family || inner.prefix < outer.prefix) {
        return false;
    }
    const bits = outer.family === 4 ? 32 : 128;
    const hostBits = BigInt(bits - outer.prefix);
    return (inner.network >> hostBits) === (outer.network >> hostBits);
}

/** Whether a CIDR text contains an address text (false when either does not parse). */
export function cidrTextContains(outer: string, inner: string): boolean {
    const o = parseCidr(outer);
    const i = parseCidr(inner);
    return o !== undefined && i !== undefined && cidrContains(o, i);
}

/** Whether `outer` contains all of `inner` (both IPv4 CIDRs or addresses); false when either does not parse or is IPv6. */
export function ipv4CidrContains(outer: string, inner: string): boolean {
    const o = parseCidr(outer);
    const i = parseCidr(inner);
    return o?.family === 4 && i?.family === 4 && cidrContains(o, i);
}

/** An IPv4 address (an unsigned 32-bit integer) in dotted-quad notation. */
export function formatIpv4(value: number | bigint): string {
    const n = Number(value);
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** Whether a CIDR lies inside one of the {@link PRIVATE_RANGES} (so the fixed except list already covers it). */
export function withinPrivateRanges(cidr: string): boolean {
    return PRIVATE_RANGES.some((range) => ipv4CidrContains(range, cidr));
}
