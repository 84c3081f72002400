import { ALL_PORTS, formatRange, isWorldCidr, parsePortRange, rangeCovered, rangesOverlap, type PortRange } from "./network";
import { asArray, asRecord, asString, asStrings } from "./values";

/**
 * Exposure analysis of inbound firewall rules in the hcloud shape
 * (`{direction, protocol, port?, sourceIps}`), shared by the hcloud Firewall resource and the Robot firewall
 * of bare-metal servers (the `firewall` input of the platform's dynamic Robot resource).
 */

/** Type token of an hcloud firewall. */
export const HCLOUD_FIREWALL_TYPE = "hcloud:index/firewall:Firewall";
/** Type token of an hcloud server. */
export const HCLOUD_SERVER_TYPE = "hcloud:index/server:Server";
/** Type token of an hcloud firewall attachment. */
export const HCLOUD_FIREWALL_ATTACHMENT_TYPE = "hcloud:index/firewallAttachment:FirewallAttachment";
/** Type token of Pulumi dynamic resources (bare-metal servers are dynamic resources with `serverNumber`). */
export const DYNAMIC_RESOURCE_TYPE = "pulumi-nodejs:dynamic:Resource";

/** Whether a resource is a bare-metal (Robot) server of the platform. */
export function isBaremetalServer(type: string, props: Record<string, unknown>): boolean {
    return type === DYNAMIC_RESOURCE_TYPE && props.serverNumber !== undefined && props.serverNumber !== null;
}

/** One inbound rule, normalised. */
export interface InboundRule {
    /** Position in the rule list (messages count from 1). */
    index: number;
    /** `tcp`, `udp`, `icmp`, `esp`, `gre` (lower case). */
    protocol: string;
    /** The ports it opens (tcp/udp); `undefined` when the port text does not parse. */
    ports: PortRange | undefined;
    /** Raw port text, for messages. */
    portText: string;
    /** Source ranges. */
    sourceIps: string[];
}

/**
 * The inbound, accepting rules of a rule list. Accepts a list of rules or an object with `rules` (the Robot
 * firewall template shape). Rules without `direction` count as inbound (Robot's input rules have none);
 * rules with an `action` other than `accept` open nothing.
 */
export function inboundRulesOf(value: unknown): InboundRule[] {
    const list = Array.isArray(value) ? value : asArray(asRecord(value)?.rules);
    const rules: InboundRule[] = [];
    list.forEach((entry, index) => {
        const rule = asRecord(entry);
        if (!rule) {
            return;
        }
        const direction = (asString(rule.direction) ?? "in").toLowerCase();
        const action = (asString(rule.action) ?? "accept").toLowerCase();
        if (direction !== "in" || action !== "accept") {
            return;
        }
        const rawPort = rule.port;
        rules.push({
            index: index + 1,
            protocol: (asString(rule.protocol) ?? "tcp").toLowerCase(),
            ports: parsePortRange(rawPort),
            portText: rawPort === undefined || rawPort === null ? "any" : String(rawPort),
            sourceIps: asStrings(rule.sourceIps),
        });
    });
    return rules;
}

/** Whether the rule admits the whole Internet (a /0 source of either family). */
export function isOpenToWorld(rule: InboundRule): boolean {
    return rule.sourceIps.some(isWorldCidr);
}

/** The world sources of a rule, for messages. */
export function worldSourcesOf(rule: InboundRule): string[] {
    return rule.sourceIps.filter(isWorldCidr);
}

/** A port that must never be reachable from the Internet. */
export interface SensitivePort {
    /** Protocol. */
    protocol: "tcp" | "udp";
    /** Ports. */
    range: PortRange;
    /** What listens there. */
    service: string;
}

/** SSH, the Kubernetes API, kubelet, etcd and flannel VXLAN: they travel inside the tailnet only. */
export const SENSITIVE_PORTS: readonly SensitivePort[] = [
    { protocol: "tcp", range: { from: 22, to: 22 }, service: "SSH" },
    { protocol: "tcp", range: { from: 6443, to: 6443 }, service: "Kubernetes API" },
    { protocol: "tcp", range: { from: 10250, to: 10250 }, service: "kubelet" },
    { protocol: "tcp", range: { from: 2379, to: 2380 }, service: "etcd" },
    { protocol: "udp", range: { from: 8472, to: 8472 }, service: "flannel VXLAN" },
];

/** `22/tcp`, `2379-2380/tcp`. */
export function describeSensitivePort(port: SensitivePort): string {
    return `${formatRange(port.range)}/${port.protocol} (${port.service})`;
}

/** The sensitive ports a rule opens (whatever its sources; callers check {@link isOpenToWorld}). */
export function sensitivePortsOpenedBy(rule: InboundRule): SensitivePort[] {
    // An unparseable port cannot be proven narrow: treat it as every port.
    const ports = rule.ports ?? ALL_PORTS;
    return SENSITIVE_PORTS.filter((s) => s.protocol === rule.protocol && rangesOverlap(s.range, ports));
}

/** One entry of `allowedPublicPorts`, parsed. */
export type AllowedPublicPort = { protocol: "tcp" | "udp"; range: PortRange } | { protocol: string; range?: undefined };

/** Protocols without ports that an `allowedPublicPorts` entry may name. */
export const PORTLESS_PROTOCOLS: readonly string[] = ["icmp", "esp", "gre"];

/** Parses `allowedPublicPorts` entries (`80`, `"443"`, `"8000-8010/tcp"`, `"41641/udp"`, `"esp"`). */
export function parseAllowedPublicPorts(entries: ReadonlyArray<string | number>): AllowedPublicPort[] {
    return entries.map((entry) => {
        const text = String(entry).trim().toLowerCase();
        if (PORTLESS_PROTOCOLS.includes(text)) {
            return { protocol: text };
        }
        const [portText = "", protocol = "tcp"] = text.split("/");
        const range = parsePortRange(portText);
        if (!range || portText === "" || portText === "any" || (protocol !== "tcp" && protocol !== "udp")) {
            throw new Error(`policy config allowedPublicPorts: cannot parse "${String(entry)}" (expected "443", "8000-8010/tcp", "41641/udp" or "esp")`);
        }
        return { protocol, range };
    });
}

/**
 * Why a world-open rule is not covered by the allowed public ports, or `undefined` when it is. ICMP is always
 * allowed; other port-less protocols only when listed by name.
 */
export function publicExposureProblem(rule: InboundRule, allowed: readonly AllowedPublicPort[]): string | undefined {
    if (rule.protocol === "icmp") {
        return undefined;
    }
    if (rule.protocol !== "tcp" && rule.protocol !== "udp") {
        return allowed.some((a) => a.protocol === rule.protocol && a.range === undefined) ? undefined : `opens protocol ${rule.protocol}`;
    }
    if (!rule.ports) {
        return `opens unparseable port "${rule.portText}" over ${rule.protocol}`;
    }
    const ranges = allowed.filter((a): a is { protocol: "tcp" | "udp"; range: PortRange } => a.protocol === rule.protocol && a.range !== undefined).map((a) => a.range);
    return rangeCovered(rule.ports, ranges) ? undefined : `opens ${formatRange(rule.ports)}/${rule.protocol}`;
}

/** `rule 3 (tcp 22 from 0.0.0.0/0)`. */
export function describeRule(rule: InboundRule): string {
    const port = rule.protocol === "tcp" || rule.protocol === "udp" ? ` ${rule.portText}` : "";
    return `rule ${rule.index} (${rule.protocol}${port} from ${worldSourcesOf(rule).join(", ") || rule.sourceIps.join(", ")})`;
}

/** Whether a resource carries firewall rules: an hcloud Firewall or a bare-metal server. */
export function isFirewallCarrier(type: string, props: Record<string, unknown>): boolean {
    return type === HCLOUD_FIREWALL_TYPE || isBaremetalServer(type, props);
}

/** The rule list of a firewall carrier: `rules` of an hcloud Firewall, `firewall` of a bare-metal server. */
export function firewallRulesInputOf(type: string, props: Record<string, unknown>): unknown {
    return type === HCLOUD_FIREWALL_TYPE ? props.rules : props.firewall;
}

/**
 * Whether labels match an hcloud label selector: comma-separated terms `k=v`, `k==v`, `k!=v`, `k`, `!k`,
 * `k in (a,b)`, `k notin (a,b)`.
 */
export function matchesLabelSelector(selector: string, labels: Readonly<Record<string, string>>): boolean {
    const terms = selector.split(/,(?![^(]*\))/).map((t) => t.trim()).filter((t) => t.length > 0);
    if (terms.length === 0) {
        return false;
    }
    return terms.every((term) => {
        const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
        if (set) {
            const values = set[3]!.split(",").map((v) => v.trim());
            const value = labels[set[1]!];
            return set[2] === "in" ? value !== undefined && values.includes(value) : value === undefined || !values.includes(value);
        }
        const compare = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
        if (compare) {
            const value = labels[compare[1]!];
            return compare[2] === "!=" ? value !== compare[3] : value === compare[3];
        }
        return term.startsWith("!") ? labels[term.slice(1)] === undefined : labels[term] !== undefined;
    });
}
