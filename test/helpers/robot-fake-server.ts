import * as crypto from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the Hetzner Robot web service (node:http on 127.0.0.1, ephemeral port) with in-memory
 * state. It speaks the documented shapes: Basic auth, form-encoded POST bodies (`server[]` arrays), replies
 * wrapped by type (`{"server": {...}}`) except the naked vSwitch objects, and `{"error": {...}}` bodies with
 * Robot's codes. Resets move a server into the rescue system when one is activated, which the fake rescue SSH
 * below checks, so the provider's whole sequence runs against consistent state.
 *
 * Written from the Robot documentation independently of the client: fingerprints, parsing and error bodies
 * are computed here, not borrowed from components/baremetal.
 */

/** One fake dedicated server. */
export interface FakeServer {
    /** Server number. */
    server_number: number;
    /** Main IPv4. */
    server_ip: string;
    /** IPv6 /64. */
    server_ipv6_net: string;
    /** Name in Robot. */
    server_name: string;
    /** Product. */
    product: string;
    /** Data center. */
    dc: string;
    /** Reset types GET /reset lists. */
    resetTypes: string[];
    /** A software reset does nothing (hung kernel): the provider has to escalate. */
    softwareResetIneffective: boolean;
    /** Rescue activation. */
    rescue: { active: boolean; authorizedKeys: string[]; password: string | null };
    /** What runs now: the installed OS or the rescue system (with the keys authorized at boot). */
    running: { system: "installed" | "rescue"; authorizedKeys: string[] };
    /** Resets executed, in order. */
    resets: string[];
    /** Robot firewall of the server's switch port. */
    firewall: FakeFirewall;
}

/** A Robot firewall configuration as the fake stores it. */
export interface FakeFirewall {
    /** active, disabled. */
    status: string;
    /** Whether IPv6 is filtered. */
    filter_ipv6: boolean;
    /** Hetzner services whitelisted. */
    whitelist_hos: boolean;
    /** Rules by direction, fields as posted. */
    rules: { input: Array<Record<string, string>>; output: Array<Record<string, string>> };
}

/** One inbound packet as the Robot firewall sees it at the switch port (it keeps no connection state). */
export interface FirewallPacket {
    /** IP family. */
    ipVersion: "ipv4" | "ipv6";
    /** Transport protocol. */
    protocol: "tcp" | "udp" | "icmp";
    /** Source address (IPv4 rules may filter on it). */
    srcIp?: string;
    /** Source port (tcp/udp). */
    srcPort?: number;
    /** Destination port (tcp/udp). */
    dstPort?: number;
    /** TCP flags set in the segment, e.g. ["syn"] for a connection attempt, ["ack"] for a reply. */
    tcpFlags?: string[];
}

function inPortRange(range: string | undefined, port: number | undefined): boolean {
    if (range === undefined) {
        return true;
    }
    if (port === undefined) {
        return false;
    }
    const [from, to = from] = range.split("-").map(Number);
    return port >= from! && port <= to!;
}

function inIpv4Network(cidr: string | undefined, ip: string | undefined): boolean {
    if (cidr === undefined) {
        return true;
    }
    if (ip === undefined) {
        return false;
    }
    const toNumber = (address: string) => address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
    const [network, bits = "32"] = cidr.split("/");
    const size = 2 ** (32 - Number(bits));
    return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(network!) / size);
}

/**
 * Robot's `tcp_flags` expression (Robot docs: flags `syn`, `fin`, `rst`, `psh`, `urg`, `ack`; `|` means any
 * of them, `&` all of them): whether a segment carrying `flags` matches.
 */
function tcpFlagsMatch(expression: string | undefined, flags: readonly string[]): boolean {
    if (expression === undefined) {
        return true;
    }
    const set = new Set(flags.map((f) => f.toLowerCase()));
    return expression
        .toLowerCase()
        .split("|")
        .some((alternative) => alternative.split("&").every((flag) => set.has(flag.trim())));
}

/**
 * Whether an active Robot firewall lets `packet` in: stateless, first matching input rule decides, no match
 * discards. Unfiltered IPv6 passes when `filter_ipv6` is off; a disabled firewall passes everything.
 */
export function firewallAdmits(firewall: FakeFirewall, packet: FirewallPacket): boolean {
    if (firewall.status !== "active" || (packet.ipVersion === "ipv6" && !firewall.filter_ipv6)) {
        return true;
    }
    const rule = firewall.rules.input.find(
        (r) =>
            (r.ip_version === undefined || r.ip_version === packet.ipVersion) &&
            (r.protocol === undefined || r.protocol === packet.protocol) &&
            (r.tcp_flags === undefined || (packet.protocol === "tcp" && tcpFlagsMatch(r.tcp_flags, packet.tcpFlags ?? []))) &&
            inPortRange(r.dst_port, packet.dstPort) &&
            inPortRange(r.src_port, packet.srcPort) &&
            (packet.ipVersion === "ipv6" ? r.src_ip === undefined : inIpv4Network(r.src_ip, packet.srcIp)),
    );
    return rule?.action === "accept";
}

/** Whether an active firewall lets a new TCP connection (a SYN) to `port` from an IPv4 Internet address through. */
export function firewallAdmitsTcp(firewall: FakeFirewall, port: number): boolean {
    return firewallAdmits(firewall, { ipVersion: "ipv4", protocol: "tcp", srcIp: "203.0.113.50", srcPort: 51515, dstPort: port, tcpFlags: ["syn"] });
}

/** A stored key. */
export interface FakeKey {
    /** Name. */
    name: string;
    /** MD5 fingerprint. */
    fingerprint: string;
    /** Algorithm. */
    type: string;
    /** Bits. */
    size: number;
    /** OpenSSH public key. */
    data: string;
    /** Creation time. */
    created_at: string;
}

/** A vSwitch. */
export interface FakeVSwitch {
    /** Id. */
    id: number;
    /** Name. */
    name: string;
    /** VLAN. */
    vlan: number;
    /** Cancelled. */
    cancelled: boolean;
    /** Members. */
    server: Array<{ server_number: number; server_ip: string; status: string }>;
}

/** A request as the fake saw it. */
export interface RecordedRequest {
    /** HTTP method. */
    method: string;
    /** Path without query. */
    path: string;
    /** Decoded form fields (repeated keys kept in order). */
    form: Record<string, string[]>;
    /** Content-Type header. */
    contentType: string | undefined;
    /** Status answered. */
    status: number;
}

/** Matches requests for injected failures. */
export interface RequestMatch {
    /** HTTP method; any when omitted. */
    method?: string;
    /** Exact path or pattern. */
    path: string | RegExp;
}

/** Options of {@link startRobotFake}. */
export interface RobotFakeOptions {
    /** Accepted web-service user. */
    user?: string;
    /** Accepted password. */
    password?: string;
    /** Answer 401 with an empty body instead of Robot's JSON error. */
    unauthorizedBody?: "json" | "empty";
    /** Servers in the account. */
    servers?: Array<Partial<FakeServer> & { server_number: number }>;
    /** Keys already stored. */
    keys?: Array<{ name: string; data: string }>;
    /** vSwitches already present. */
    vswitches?: Array<Partial<FakeVSwitch> & { name: string; vlan: number }>;
    /** Host key the rescue systems present (`ssh-ed25519 AAAA...`); reported on activation. */
    rescueHostKey?: string;
}

/** The running fake. */
export interface RobotFake {
    /** Base URL, `http://127.0.0.1:<port>`. */
    url: string;
    /** Live state. */
    servers: Map<number, FakeServer>;
    /** Stored keys. */
    keys: FakeKey[];
    /** vSwitches. */
    vswitches: FakeVSwitch[];
    /** Every request, in order. */
    requests: RecordedRequest[];
    /** Host key of the rescue systems. */
    rescueHostKey: string;
    /** The next `times` matching requests get 403 RATE_LIMIT_EXCEEDED. */
    rateLimit(match: RequestMatch, times: number, limits?: { maxRequest: number; interval: number }): void;
    /** The next `times` matching requests get this error. */
    failNext(match: RequestMatch, times: number, status: number, code: string, message: string): void;
    /**
     * The next `times` matching requests get a gateway error (502, 503 or 504) the way the proxy in front of
     * Robot sends one: an HTML body, no Robot error JSON, and `Retry-After` when given (seconds or HTTP-date).
     */
    gatewayError(match: RequestMatch, times: number, status: 502 | 503 | 504, options?: { retryAfter?: string }): void;
    /** The next `times` matching requests get a plain HTTP 429 with `Retry-After: <retryAfter>`. */
    tooManyRequests(match: RequestMatch, times: number, retryAfter: string): void;
    /** `METHOD /path` of every request, for sequence assertions. */
    calls(): string[];
    /** Stops the server. */
    close(): Promise<void>;
}

/** MD5 fingerprint of an OpenSSH public key, as Robot shows it. */
export function md5Fingerprint(publicKey: string): string {
    const blob = Buffer.from(publicKey.trim().split(/\s+/)[1] ?? "", "base64");
    return crypto.createHash("md5").update(blob).digest("hex").replace(/(..)(?!$)/g, "$1:");
}

interface Injection {
    match: RequestMatch;
    remaining: number;
    status: number;
    /** JSON body, or raw text (an HTML error page). */
    body: Record<string, unknown> | string;
    headers?: Record<string, string>;
}

function matches(match: RequestMatch, method: string, path: string): boolean {
    if (match.method && match.method !== method) {
        return false;
    }
    return typeof match.path === "string" ? match.path === path : match.path.test(path);
}

function errorBody(status: number, code: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { error: { status, code, message, ...extra } };
}

/** Starts the fake on an ephemeral port. */
export async function startRobotFake(options: RobotFakeOptions = {}): Promise<RobotFake> {
    const user = options.user ?? "#ws+platform";
    const password = options.password ?? "robot-secret";
    const rescueHostKey = options.rescueHostKey ?? `ssh-ed25519 ${Buffer.from("fake-rescue-host-key-blob").toString("base64")}`;
    const servers = new Map<number, FakeServer>();
    for (const s of options.servers ?? []) {
        servers.set(s.server_number, {
            server_ip: `192.0.2.${(s.server_number % 250) + 2}`,
            server_ipv6_net: `2001:db8:${(s.server_number % 0xffff).toString(16)}::`,
            server_name: "",
            product: "AX52",
            dc: "FSN1-DC14",
            resetTypes: ["sw", "hw", "man"],
            softwareResetIneffective: false,
            rescue: { active: false, authorizedKeys: [], password: null },
            running: { system: "installed", authorizedKeys: [] },
            resets: [],
            firewall: { status: "disabled", filter_ipv6: false, whitelist_hos: true, rules: { input: [], output: [] } },
            ...s,
        });
    }
    const keys: FakeKey[] = (options.keys ?? []).map((k) => ({
        name: k.name,
        fingerprint: md5Fingerprint(k.data),
        type: k.data.startsWith("ssh-ed25519") ? "ED25519" : "RSA",
        size: 256,
        data: k.data.trim(),
        created_at: "2025-01-01 00:00:00",
    }));
    let nextVSwitchId = 50_000;
    const vswitches: FakeVSwitch[] = (options.vswitches ?? []).map((v) => ({ id: ++nextVSwitchId, cancelled: false, server: [], ...v }));
    const requests: RecordedRequest[] = [];
    const injections: Injection[] = [];

    const rescueView = (s: FakeServer) => ({
        server_ip: s.server_ip,
        server_ipv6_net: s.server_ipv6_net,
        server_number: s.server_number,
        os: s.rescue.active ? "linux" : ["linux", "vkvm"],
        active: s.rescue.active,
        password: s.rescue.password,
        authorized_key: s.rescue.authorizedKeys.map((fp) => {
            const key = keys.find((k) => k.fingerprint === fp);
            return { key: { name: key?.name ?? "", fingerprint: fp, type: key?.type ?? "", size: key?.size ?? 0 } };
        }),
        host_key: s.rescue.active ? [rescueHostKey] : [],
        boot_time: null,
    });
    const serverView = (s: FakeServer) => ({
        server_ip: s.server_ip,
        server_ipv6_net: s.server_ipv6_net,
        server_number: s.server_number,
        server_name: s.server_name,
        product: s.product,
        dc: s.dc,
        traffic: "unlimited",
        status: "ready",
        cancelled: false,
        paid_until: "2030-01-01",
    });

    function route(method: string, path: string, form: Record<string, string[]>): { status: number; body?: unknown } {
        const field = (name: string) => form[name]?.[0];
        const serverOr404 = (n: string) => servers.get(Number(n));
        let m: RegExpMatchArray | null;

        if ((m = path.match(/^\/server\/(\d+)$/))) {
            const s = serverOr404(m[1]!);
            if (!s) {
                return { status: 404, body: errorBody(404, "SERVER_NOT_FOUND", "Server not found") };
            }
            if (method === "GET") {
                return { status: 200, body: { server: serverView(s) } };
            }
            if (method === "POST") {
                const name = field("server_name");
                if (name === undefined) {
                    return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing: ["server_name"], invalid: null }) };
                }
                s.server_name = name;
                return { status: 200, body: { server: serverView(s) } };
            }
        }
        if (path === "/key") {
            if (method === "GET") {
                return keys.length === 0 ? { status: 404, body: errorBody(404, "NOT_FOUND", "No keys found") } : { status: 200, body: keys.map((k) => ({ key: k })) };
            }
            if (method === "POST") {
                const name = field("name");
                const data = field("data");
                const missing = [...(name ? [] : ["name"]), ...(data ? [] : ["data"])];
                if (missing.length > 0) {
                    return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing, invalid: null }) };
                }
                if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256) [A-Za-z0-9+/]+=*( .*)?$/.test(data!.trim())) {
                    return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing: null, invalid: ["data"] }) };
                }
                const fingerprint = md5Fingerprint(data!);
                if (keys.some((k) => k.fingerprint === fingerprint || k.name === name)) {
                    return { status: 409, body: errorBody(409, "KEY_ALREADY_EXISTS", "The key already exists") };
                }
                const key: FakeKey = { name: name!, fingerprint, type: data!.startsWith("ssh-ed25519") ? "ED25519" : "RSA", size: 256, data: data!.trim(), created_at: "2025-01-01 00:00:00" };
                keys.push(key);
                return { status: 201, body: { key } };
            }
        }
        if ((m = path.match(/^\/boot\/(\d+)\/rescue$/))) {
            const s = serverOr404(m[1]!);
            if (!s) {
                return { status: 404, body: errorBody(404, "SERVER_NOT_FOUND", "Server not found") };
            }
            if (method === "GET") {
                return { status: 200, body: { rescue: rescueView(s) } };
            }
            if (method === "POST") {
                if (s.rescue.active) {
                    return { status: 409, body: errorBody(409, "BOOT_ALREADY_ENABLED", "Another boot option is already enabled") };
                }
                const os = field("os");
                const authorized = form.authorized_key ?? form["authorized_key[]"] ?? [];
                if (os !== "linux" && os !== "vkvm") {
                    return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing: os ? null : ["os"], invalid: os ? ["os"] : null }) };
                }
                if (authorized.some((fp) => !keys.some((k) => k.fingerprint === fp))) {
                    return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing: null, invalid: ["authorized_key"] }) };
                }
                s.rescue = { active: true, authorizedKeys: [...authorized], password: authorized.length > 0 ? null : "generated-root-password" };
                return { status: 200, body: { rescue: rescueView(s) } };
            }
            if (method === "DELETE") {
                s.rescue = { active: false, authorizedKeys: [], password: null };
                return { status: 200, body: { rescue: rescueView(s) } };
            }
        }
        if ((m = path.match(/^\/reset\/(\d+)$/))) {
            const s = serverOr404(m[1]!);
            if (!s) {
                return { status: 404, body: errorBody(404, "SERVER_NOT_FOUND", "Server not found") };
            }
            if (method === "GET") {
                return { status: 200, body: { reset: { server_ip: s.server_ip, server_ipv6_net: s.server_ipv6_net, server_number: s.server_number, type: s.resetTypes, operating_status: "not supported" } } };
            }
            if (method === "POST") {
                const type = field("type");
                if (!type) {
                    return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing: ["type"], invalid: null }) };
                }
                if (!s.resetTypes.includes(type)) {
                    return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing: null, invalid: ["type"] }) };
                }
                s.resets.push(type);
                const effective = !(type === "sw" && s.softwareResetIneffective);
                if (effective) {
                    // The boot consumes the rescue activation, as on Robot.
                    s.running = s.rescue.active ? { system: "rescue", authorizedKeys: s.rescue.authorizedKeys } : { system: "installed", authorizedKeys: [] };
                    s.rescue = { active: false, authorizedKeys: [], password: null };
                }
                return { status: 200, body: { reset: { server_ip: s.server_ip, server_ipv6_net: s.server_ipv6_net, type } } };
            }
        }
        if ((m = path.match(/^\/firewall\/(\d+)$/))) {
            const s = serverOr404(m[1]!);
            if (!s) {
                return { status: 404, body: errorBody(404, "SERVER_NOT_FOUND", "Server not found") };
            }
            const view = () => ({ firewall: { server_ip: s.server_ip, server_number: s.server_number, port: "main", ...s.firewall } });
            if (method === "GET") {
                return { status: 200, body: view() };
            }
            if (method === "POST") {
                const status = field("status");
                if (status !== "active" && status !== "disabled") {
                    return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing: status ? null : ["status"], invalid: status ? ["status"] : null }) };
                }
                const rules: FakeFirewall["rules"] = { input: [], output: [] };
                for (const [key, values] of Object.entries(form)) {
                    const rule = /^rules\[(input|output)\]\[(\d+)\]\[([a-z_]+)\]$/.exec(key);
                    if (rule) {
                        const list = rules[rule[1] as "input" | "output"];
                        (list[Number(rule[2])] ??= {})[rule[3]!] = values[0]!;
                    }
                }
                if (rules.input.length > 10 || rules.output.length > 10 || rules.input.some((r) => !r || !r.action || (r.protocol && !r.ip_version))) {
                    return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing: null, invalid: ["rules"] }) };
                }
                s.firewall = { status, filter_ipv6: field("filter_ipv6") === "true", whitelist_hos: field("whitelist_hos") === "true", rules };
                return { status: 200, body: view() };
            }
        }
        if (path === "/vswitch") {
            if (method === "GET") {
                return { status: 200, body: vswitches.map((v) => ({ id: v.id, name: v.name, vlan: v.vlan, cancelled: v.cancelled })) };
            }
            if (method === "POST") {
                const name = field("name");
                const vlan = Number(field("vlan"));
                if (!name || !Number.isInteger(vlan) || vlan < 4000 || vlan > 4091) {
                    return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing: name ? null : ["name"], invalid: Number.isInteger(vlan) && vlan >= 4000 && vlan <= 4091 ? null : ["vlan"] }) };
                }
                const vswitch: FakeVSwitch = { id: ++nextVSwitchId, name, vlan, cancelled: false, server: [] };
                vswitches.push(vswitch);
                return { status: 201, body: { ...vswitch, subnet: [], cloud_network: [] } };
            }
        }
        if ((m = path.match(/^\/vswitch\/(\d+)(\/server)?$/))) {
            const vswitch = vswitches.find((v) => v.id === Number(m![1]));
            if (!vswitch) {
                return { status: 404, body: errorBody(404, "NOT_FOUND", "vSwitch not found") };
            }
            if (m[2] && method === "POST") {
                const numbers = (form["server[]"] ?? []).map(Number);
                if (numbers.length === 0) {
                    return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing: ["server"], invalid: null }) };
                }
                for (const n of numbers) {
                    const s = servers.get(n);
                    if (!s) {
                        return { status: 404, body: errorBody(404, "SERVER_NOT_FOUND", "Server not found") };
                    }
                    if (vswitch.server.some((member) => member.server_number === n)) {
                        return { status: 400, body: errorBody(400, "INVALID_INPUT", "invalid input", { missing: null, invalid: ["server"] }) };
                    }
                    vswitch.server.push({ server_number: n, server_ip: s.server_ip, status: "processing" });
                }
                return { status: 201 };
            }
            if (!m[2] && method === "GET") {
                return { status: 200, body: { ...vswitch, subnet: [], cloud_network: [] } };
            }
            if (!m[2] && method === "POST") {
                vswitch.name = field("name") ?? vswitch.name;
                vswitch.vlan = Number(field("vlan") ?? vswitch.vlan);
                return { status: 201 };
            }
            if (!m[2] && method === "DELETE") {
                vswitch.cancelled = true;
                return { status: 204 };
            }
        }
        return { status: 404, body: errorBody(404, "NOT_FOUND", `No route for ${method} ${path}`) };
    }

    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            const method = req.method ?? "GET";
            const path = (req.url ?? "/").split("?")[0]!;
            const contentType = req.headers["content-type"];
            const form: Record<string, string[]> = {};
            const raw = Buffer.concat(chunks).toString("utf8");
            for (const [key, value] of new URLSearchParams(raw)) {
                (form[key] ??= []).push(value);
            }
            const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
                requests.push({ method, path, form, contentType, status });
                if (body === undefined) {
                    res.writeHead(status, headers).end();
                } else if (typeof body === "string") {
                    res.writeHead(status, { "Content-Type": "text/html", ...headers }).end(body);
                } else {
                    res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
                }
            };
            const expected = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
            if (req.headers.authorization !== expected) {
                answer(401, options.unauthorizedBody === "empty" ? undefined : errorBody(401, "UNAUTHORIZED", "Unauthorized"));
                return;
            }
            if ((method === "POST" || (method === "DELETE" && raw.length > 0)) && raw.length > 0 && contentType !== "application/x-www-form-urlencoded") {
                answer(400, errorBody(400, "INVALID_INPUT", `expected a form body, got ${String(contentType)}`));
                return;
            }
            const injection = injections.find((i) => i.remaining > 0 && matches(i.match, method, path));
            if (injection) {
                injection.remaining--;
                answer(injection.status, injection.body, injection.headers);
                return;
            }
            const result = route(method, path, form);
            answer(result.status, result.body);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;

    return {
        url: `http://127.0.0.1:${port}`,
        servers,
        keys,
        vswitches,
        requests,
        rescueHostKey,
        rateLimit(match, times, limits = { maxRequest: 200, interval: 3600 }) {
            injections.push({
                match,
                remaining: times,
                status: 403,
                body: errorBody(403, "RATE_LIMIT_EXCEEDED", "Rate limit exceeded", { max_request: limits.maxRequest, interval: limits.interval }),
            });
        },
        failNext(match, times, status, code, message) {
            injections.push({ match, remaining: times, status, body: errorBody(status, code, message) });
        },
        gatewayError(match, times, status, gatewayOptions = {}) {
            const reason = { 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out" }[status];
            injections.push({
                match,
                remaining: times,
                status,
                body: `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n</body>\r\n</html>\r\n`,
                headers: gatewayOptions.retryAfter !== undefined ? { "Retry-After": gatewayOptions.retryAfter } : {},
            });
        },
        tooManyRequests(match, times, retryAfter) {
            injections.push({ match, remaining: times, status: 429, body: "Too Many Requests", headers: { "Retry-After": retryAfter } });
        },
        calls: () => requests.map((r) => `${r.method} ${r.path}`),
        close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
    };
}

/** One SSH connection attempt seen by the fake rescue SSH. */
export interface FakeSshAttempt {
    /** Target host. */
    host: string;
    /** Whether it was accepted. */
    ok: boolean;
    /** Why not. */
    reason?: string;
}

/** Behaviour of the fake installimage run. */
export interface FakeInstallBehaviour {
    /** Exit status of the install script. */
    code: number;
    /** Its stderr. */
    stderr?: string;
}

/** The fake rescue SSH and what it saw. */
export interface FakeRescueSsh {
    /** The connector to inject. */
    connector: {
        connect(target: { host: string; port: number; username: string; privateKey: string; hostKeys: readonly string[] }, timeoutMs: number): Promise<{
            exec(command: string, options?: { stdin?: string; timeoutMs?: number }): Promise<{ code: number | null; stdout: string; stderr: string }>;
            writeFile(path: string, content: string, mode: number): Promise<void>;
            close(): Promise<void>;
        }>;
    };
    /** Connection attempts. */
    attempts: FakeSshAttempt[];
    /** Uploads per server number, in order. */
    uploads: Map<number, Array<{ path: string; content: string; mode: number }>>;
    /** Commands per server number, in order. */
    commands: Map<number, string[]>;
    /** Completed installs per server number. */
    installs: Map<number, number>;
    /** What the next install returns. */
    installBehaviour: FakeInstallBehaviour;
}

/**
 * An SSH fake bound to the Robot fake: a connection succeeds only if the server at that IP runs the rescue
 * system, the key's public half was authorized at boot (checked through ssh2's key parser and the MD5
 * fingerprint) and, when the client pins host keys, the rescue host key is among them. Running the install
 * script marks the server installed (it reboots out of the rescue system).
 */
export function createFakeRescueSsh(fake: RobotFake): FakeRescueSsh {
    const attempts: FakeSshAttempt[] = [];
    const uploads = new Map<number, Array<{ path: string; content: string; mode: number }>>();
    const commands = new Map<number, string[]>();
    const installs = new Map<number, number>();
    const state: FakeRescueSsh = {
        attempts,
        uploads,
        commands,
        installs,
        installBehaviour: { code: 0 },
        connector: {
            async connect(target) {
                const server = [...fake.servers.values()].find((s) => s.server_ip === target.host);
                const refuse = (reason: string): never => {
                    attempts.push({ host: target.host, ok: false, reason });
                    throw new Error(reason);
                };
                if (!server || target.port !== 22 || target.username !== "root") {
                    return refuse(`connect ECONNREFUSED ${target.host}:${target.port}`);
                }
                if (target.hostKeys.length > 0 && !target.hostKeys.includes(fake.rescueHostKey)) {
                    return refuse("host key verification failed");
                }
                if (!firewallAdmitsTcp(server.firewall, 22)) {
                    return refuse(`connect ETIMEDOUT ${target.host}:22 (dropped by the Robot firewall)`);
                }
                if (server.running.system !== "rescue") {
                    return refuse("All configured authentication methods failed");
                }
                const ssh2 = require("ssh2") as typeof import("ssh2");
                const parsed = ssh2.utils.parseKey(target.privateKey);
                if (parsed instanceof Error) {
                    return refuse(`cannot parse private key: ${parsed.message}`);
                }
                const key = Array.isArray(parsed) ? parsed[0] : parsed;
                const fingerprint = crypto.createHash("md5").update(key.getPublicSSH()).digest("hex").replace(/(..)(?!$)/g, "$1:");
                if (!server.running.authorizedKeys.includes(fingerprint)) {
                    return refuse("All configured authentication methods failed");
                }
                attempts.push({ host: target.host, ok: true });
                const n = server.server_number;
                const log = (command: string) => commands.set(n, [...(commands.get(n) ?? []), command]);
                return {
                    async exec(command: string) {
                        log(command);
                        if (server.running.system !== "rescue") {
                            throw new Error("connection reset by peer");
                        }
                        if (command === "hostname") {
                            return { code: 0, stdout: "rescue\n", stderr: "" };
                        }
                        const files = uploads.get(n) ?? [];
                        const script = files.find((f) => f.path === command);
                        if (script && script.content.includes("installimage")) {
                            const { code, stderr = "" } = state.installBehaviour;
                            if (code === 0) {
                                installs.set(n, (installs.get(n) ?? 0) + 1);
                                server.running = { system: "installed", authorizedKeys: [] };
                                return { code: 0, stdout: "installimage finished; rebooting into the installed system\n", stderr: "" };
                            }
                            return { code, stdout: "", stderr };
                        }
                        return { code: 127, stdout: "", stderr: `${command}: command not found` };
                    },
                    async writeFile(path: string, content: string, mode: number) {
                        uploads.set(n, [...(uploads.get(n) ?? []), { path, content, mode }]);
                    },
                    async close() {},
                };
            },
        },
    };
    return state;
}
