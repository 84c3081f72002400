/**
 * Translation of the node firewall intent (inbound rules in the hcloud shape, as
 * components/nodes/firewall-rules.ts renders them and the policy pack judges them) into Robot's firewall
 * form: `POST /firewall/{number}` with `status`, `filter_ipv6`, `whitelist_hos` and
 * `rules[input][i][name|ip_version|src_ip|dst_port|src_port|protocol|tcp_flags|action]`.
 *
 * Robot's firewall filters at the switch port and is stateless: without explicit rules for return traffic
 * every outbound connection of the node (apt, image pulls, the Tailscale DERP relays over 443, DNS, NTP)
 * would have its answers dropped. {@link RETURN_TRAFFIC_RULES} adds exactly those, and nothing that accepts
 * a new inbound TCP connection (an ACK-only rule never matches a SYN).
 *
 * Pure and import-free at runtime: captured by value into the serialized dynamic provider. Values are plain
 * `const`s exported by the list at the end (see robot-provider.ts for why).
 */

/** One inbound rule in the hcloud shape (the `firewall` input of the bare-metal resource). */
export interface FirewallIntentRule {
    /** Only inbound rules are supported (Robot output rules stay "allow all"). */
    direction?: "in";
    /** tcp, udp or icmp. */
    protocol: "tcp" | "udp" | "icmp";
    /** Port or range (`"41641"`, `"2379-2380"`); absent for ICMP or "any port". */
    port?: string;
    /** Sources: IPv4/IPv6 CIDRs; `0.0.0.0/0` and `::/0` mean the whole Internet. */
    sourceIps: string[];
    /** Why the rule exists. */
    description?: string;
}

/** One Robot firewall rule (field names as Robot's form expects them). */
export interface RobotFirewallRule {
    /** Rule name shown in Robot. */
    name: string;
    /** ipv4 or ipv6; Robot requires it whenever a protocol is set (omitted: both families, ports only). */
    ip_version?: "ipv4" | "ipv6";
    /** Source network (IPv4 only; Robot cannot filter IPv6 by address). */
    src_ip?: string;
    /** Destination port or range. */
    dst_port?: string;
    /** Source port or range. */
    src_port?: string;
    /** Protocol. */
    protocol?: "tcp" | "udp" | "icmp";
    /** TCP flags to match, e.g. `ack`. */
    tcp_flags?: string;
    /** accept or discard. */
    action: "accept" | "discard";
}

/** A complete Robot firewall configuration. */
export interface RobotFirewallConfig {
    /** active or disabled. */
    status: "active" | "disabled";
    /** Whether IPv6 is filtered too (otherwise IPv6 passes unfiltered). */
    filter_ipv6: boolean;
    /** Let Hetzner's own services (monitoring, installimage mirrors) through. */
    whitelist_hos: boolean;
    /** Inbound rules, in order (first match wins; the implicit default is discard). */
    input: RobotFirewallRule[];
    /** Outbound rules. */
    output: RobotFirewallRule[];
}

/** Robot accepts at most this many rules per direction. */
const ROBOT_FIREWALL_MAX_RULES = 10;

/**
 * Destination ports of UDP replies. Pod egress leaves the node through flannel's
 * `-s <cluster-cidr> ! -d 224.0.0.0/4 -j MASQUERADE --random-fully` (flannel
 * pkg/trafficmngr/iptables/iptables.go, masqRules, whenever iptables supports it), and MASQUERADE without
 * `--to-ports` maps a source port of 1024 or more onto any port of 1024-65535 (netfilter
 * nf_nat_l4proto_unique_tuple; `--random-fully` draws it at random over that whole range). The node's own
 * sockets use 32768-60999. So answers arrive anywhere in 1024-65535, not only in Linux's ephemeral range;
 * the privileged ports stay closed (rpcbind listens on 111/udp once nfs-common is installed).
 */
const UDP_REPLY_PORTS = "1024-65535";

/**
 * Answers to the node's own and its pods' connections, per IP family. TCP: every segment with ACK set, to any
 * port (masqueraded pod connections use any port, see {@link UDP_REPLY_PORTS}); an ACK-only match never
 * admits a SYN, so no new connection can be opened through it, and the host's stateful nftables guard drops
 * what is not part of a connection. UDP: DNS and NTP replies to 1024-65535.
 */
const RETURN_TRAFFIC_RULES: ReadonlyArray<Omit<RobotFirewallRule, "ip_version">> = [
    { name: "tcp established", protocol: "tcp", tcp_flags: "ack", action: "accept" },
    { name: "dns replies", protocol: "udp", src_port: "53", dst_port: UDP_REPLY_PORTS, action: "accept" },
    { name: "ntp replies", protocol: "udp", src_port: "123", dst_port: UDP_REPLY_PORTS, action: "accept" },
];

const WORLD_V4 = "0.0.0.0/0";
const WORLD_V6 = "::/0";

/**
 * The Robot configuration for an intent: each intent rule becomes one Robot rule per IP family it admits
 * (IPv4 sources become `src_ip`, the whole IPv6 Internet an unfiltered-source IPv6 rule), then the
 * return-traffic rules for both families. Throws when Robot cannot express the intent faithfully (a specific
 * IPv6 source, an outbound rule) or the result exceeds Robot's rule limit, rather than widening it.
 */
export function renderRobotFirewall(intent: readonly FirewallIntentRule[], status: "active" | "disabled" = "active"): RobotFirewallConfig {
    const input: RobotFirewallRule[] = [];
    intent.forEach((rule, index) => {
        const label = `firewall rule ${index + 1} (${rule.protocol}${rule.port ? ` ${rule.port}` : ""})`;
        if (rule.direction !== undefined && rule.direction !== "in") {
            throw new Error(`${label}: Robot output rules are not managed here; only inbound rules are supported`);
        }
        if (!["tcp", "udp", "icmp"].includes(rule.protocol)) {
            throw new Error(`${label}: protocol ${String(rule.protocol)} is not supported`);
        }
        if (rule.port !== undefined && (rule.protocol === "icmp" || !/^\d{1,5}(-\d{1,5})?$/.test(rule.port))) {
            throw new Error(`${label}: port "${rule.port}" must be a port or range, and ICMP has none`);
        }
        if (rule.sourceIps.length === 0) {
            throw new Error(`${label}: no sources; list 0.0.0.0/0 and ::/0 to mean the Internet`);
        }
        const base = {
            protocol: rule.protocol,
            ...(rule.port ? { dst_port: rule.port } : {}),
            action: "accept" as const,
        };
        const name = (suffix: string) => `${rule.protocol}${rule.port ? ` ${rule.port}` : ""} ${suffix}`.slice(0, 40);
        const v4 = rule.sourceIps.filter((ip) => !ip.includes(":"));
        const v6 = rule.sourceIps.filter((ip) => ip.includes(":"));
        if (v4.includes(WORLD_V4)) {
            input.push({ name: name("v4"), ip_version: "ipv4", ...base });
        } else {
            for (const cidr of v4) {
                if (!/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(cidr)) {
                    throw new Error(`${label}: source "${cidr}" is not an IPv4 address or network`);
                }
                input.push({ name: name(cidr), ip_version: "ipv4", src_ip: cidr, ...base });
            }
        }
        if (v6.length > 0) {
            if (!v6.includes(WORLD_V6)) {
                throw new Error(`${label}: Robot's firewall cannot filter IPv6 by source (${v6.join(", ")}); use IPv4 sources or the tailnet`);
            }
            input.push({ name: name("v6"), ip_version: "ipv6", ...base });
        }
    });
    for (const ipVersion of ["ipv4", "ipv6"] as const) {
        for (const rule of RETURN_TRAFFIC_RULES) {
            input.push({ ...rule, name: `${rule.name} ${ipVersion === "ipv4" ? "v4" : "v6"}`, ip_version: ipVersion });
        }
    }
    if (input.length > ROBOT_FIREWALL_MAX_RULES) {
        throw new Error(
            `the Robot firewall allows ${ROBOT_FIREWALL_MAX_RULES} inbound rules; these inbound rules need ${input.length} ` +
                `(${input.length - 2 * RETURN_TRAFFIC_RULES.length} from the intent, ${2 * RETURN_TRAFFIC_RULES.length} for return traffic)`,
        );
    }
    return {
        status,
        filter_ipv6: true,
        whitelist_hos: true,
        input,
        // Outbound stays open: the node's own connections are what the return-traffic rules answer.
        output: [{ name: "allow all", action: "accept" }],
    };
}

/** Robot's form fields for a configuration: `rules[input][0][name]=...`. */
export function robotFirewallForm(config: RobotFirewallConfig): Record<string, string> {
    const form: Record<string, string> = {
        status: config.status,
        filter_ipv6: String(config.filter_ipv6),
        whitelist_hos: String(config.whitelist_hos),
    };
    for (const direction of ["input", "output"] as const) {
        config[direction].forEach((rule, index) => {
            for (const [field, value] of Object.entries(rule)) {
                if (value !== undefined) {
                    form[`rules[${direction}][${index}][${field}]`] = String(value);
                }
            }
        });
    }
    return form;
}

export { RETURN_TRAFFIC_RULES, ROBOT_FIREWALL_MAX_RULES };
