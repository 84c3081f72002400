import * as pulumi from "@pulumi/pulumi";
import { LOCATION_GROUPS, SERVER_TYPES, type LocationGroup } from "./server-types";

/**
 * Whether the server types a stack needs can be ordered in its location right now, judged from the hcloud
 * API's answer to `GET /server_types` (the `hcloud.getServerTypes` invoke): each type lists its locations with
 * `available` ("temporarily unavailable" when false) and `isDeprecated`. Pure, so the real run and the tests
 * judge the same answer the same way. `GET /datacenters` (`availableServerTypeIds`) is not used: Hetzner
 * deprecated it on 2026-06-02 and returns HTTP 410 after 2026-10-01 (docs.hetzner.cloud changelog, hcloud
 * 1.41.0 SDK docs).
 */

/** Token of the invoke the availability check calls. */
export const GET_SERVER_TYPES_TOKEN = "hcloud:index/getServerTypes:getServerTypes";
/** Token of the invoke that lists the stack's existing servers (which need no orderable type). */
export const GET_SERVERS_TOKEN = "hcloud:index/getServers:getServers";

/** One location entry of a server type in the API answer (fields the check reads). */
export interface ServerTypeLocationAnswer {
    /** Location name, e.g. fsn1. */
    name: string;
    /** False when the type is temporarily unavailable there. */
    available: boolean;
    /** True when the type is deprecated there. */
    isDeprecated: boolean;
}

/** One server type in the API answer (fields the check reads). */
export interface ServerTypeAnswer {
    /** hcloud id (positional in the offline answer). */
    id?: number;
    /** hcloud name. */
    name: string;
    /** `x86` or `arm`. */
    architecture: string;
    /** vCPUs. */
    cores: number;
    /** Memory in GB. */
    memory: number;
    /** `shared` or `dedicated` (alternatives of the same kind come first). */
    cpuType?: string;
    /** Disk in GB. */
    disk?: number;
    /** Where the type exists. */
    locations: ServerTypeLocationAnswer[];
}

/** The API answer (the `serverTypes` list of `hcloud.getServerTypes`). */
export interface ServerTypesAnswer {
    /** Every server type of the project's view. */
    serverTypes: ServerTypeAnswer[];
}

/** A type the stack needs, and the nodes that need it. */
export interface RequiredServerType {
    /** hcloud name. */
    serverType: string;
    /** Hostnames of the nodes of that type (for the message). */
    nodes: string[];
}

/** A node the stack wants, as the check sees it. */
export interface WantedNode {
    /** Hostname, also the hcloud server name. */
    hostname: string;
    /** hcloud server type. */
    serverType: string;
}

/** An existing hcloud server of the stack (from `hcloud.getServers`). */
export interface ExistingServer {
    /** hcloud server name. */
    name: string;
    /** Its current server type. */
    serverType: string;
}

/**
 * The types that must be orderable for this run: those of nodes whose server does not exist yet or exists with
 * another type (a rescale needs capacity too). A running server of the wanted type needs nothing, so a type
 * that is out of stock for a while does not block updates of a stack that already has its servers.
 */
export function typesToOrder(nodes: readonly WantedNode[], existing: readonly ExistingServer[]): RequiredServerType[] {
    const current = new Map(existing.map((server) => [server.name, server.serverType.toLowerCase()]));
    const byType = new Map<string, string[]>();
    for (const node of nodes) {
        const type = node.serverType.toLowerCase();
        if (current.get(node.hostname) !== type) {
            byType.set(type, [...(byType.get(type) ?? []), node.hostname]);
        }
    }
    return [...byType].map(([serverType, hostnames]) => ({ serverType, nodes: hostnames }));
}

/** A type that cannot be ordered in the location, with what can. */
export interface UnavailableServerType {
    /** The type asked for. */
    serverType: string;
    /** The stack's location. */
    location: string;
    /** Why it cannot be ordered. */
    reason: "unknown to the hcloud API" | "not offered in this location" | "deprecated in this location" | "temporarily unavailable in this location";
    /** Nodes that need it. */
    nodes: string[];
    /** Orderable types in the location from the same answer, closest in size first (same architecture). */
    alternatives: string[];
}

/**
 * Every required type that the API answer says cannot be ordered in `location`. Alternatives are the types the
 * same answer lists as available and not deprecated there, of the same architecture: those with at least the
 * wanted vCPUs and memory first (smallest first), then the smaller ones (largest first); within each, the same
 * CPU kind (shared or dedicated) before the other.
 */
export function findUnavailableServerTypes(required: readonly RequiredServerType[], location: string, answer: ServerTypesAnswer): UnavailableServerType[] {
    const byName = new Map(answer.serverTypes.map((t) => [t.name.toLowerCase(), t]));
    const orderable = answer.serverTypes.filter((t) => t.locations.some((l) => l.name === location && l.available && !l.isDeprecated));
    const result: UnavailableServerType[] = [];
    for (const need of required) {
        const wanted = byName.get(need.serverType.toLowerCase());
        const here = wanted?.locations.find((l) => l.name === location);
        const reason: UnavailableServerType["reason"] | undefined = !wanted
            ? "unknown to the hcloud API"
            : !here
              ? "not offered in this location"
              : here.isDeprecated
                ? "deprecated in this location"
                : !here.available
                  ? "temporarily unavailable in this location"
                  : undefined;
        if (reason) {
            result.push({ serverType: need.serverType, location, reason, nodes: need.nodes, alternatives: alternativesFor(wanted, orderable) });
        }
    }
    return result;
}

function alternativesFor(wanted: ServerTypeAnswer | undefined, orderable: readonly ServerTypeAnswer[]): string[] {
    const candidates = orderable.filter((t) => !wanted || t.architecture === wanted.architecture);
    const size = (t: ServerTypeAnswer) => t.cores * 1000 + t.memory;
    const fits = (t: ServerTypeAnswer) => !wanted || (t.cores >= wanted.cores && t.memory >= wanted.memory);
    const otherKind = (t: ServerTypeAnswer) => (wanted?.cpuType !== undefined && t.cpuType !== wanted.cpuType ? 1 : 0);
    const larger = candidates.filter(fits).sort((a, b) => otherKind(a) - otherKind(b) || size(a) - size(b) || a.name.localeCompare(b.name));
    const smaller = candidates.filter((t) => !fits(t)).sort((a, b) => otherKind(a) - otherKind(b) || size(b) - size(a) || a.name.localeCompare(b.name));
    return [...larger, ...smaller].map((t) => t.name);
}

/** Renders the unavailable types as one message: type, location, reason, nodes and the orderable alternatives. */
export function formatUnavailableServerTypes(unavailable: readonly UnavailableServerType[]): string {
    const lines = [`Hetzner Cloud cannot create ${unavailable.length === 1 ? "a server type" : `${unavailable.length} server types`} this stack needs; no cloud server was created.`];
    for (const u of unavailable) {
        lines.push(
            `  - ${u.serverType} in ${u.location}: ${u.reason} (nodes ${u.nodes.join(", ")})`,
            u.alternatives.length > 0
                ? `      orderable in ${u.location} now: ${u.alternatives.join(", ")}`
                : `      the hcloud API lists no orderable type of the same architecture in ${u.location}`,
        );
    }
    lines.push("  fix: set serverType of the pools above (Pulumi.<stack>.yaml) to an orderable type, or retry later for a temporary shortage.");
    return lines.join("\n");
}

/** Thrown (before any cloud server is registered) when a required type cannot be ordered. */
export class ServerTypeUnavailableError extends pulumi.RunError {
    /** The unavailable types. */
    readonly unavailable: UnavailableServerType[];

    constructor(unavailable: UnavailableServerType[]) {
        super(formatUnavailableServerTypes(unavailable));
        this.name = "ServerTypeUnavailableError";
        this.unavailable = unavailable;
    }
}

/** Throws `ServerTypeUnavailableError` when the answer says any required type cannot be ordered in `location`. */
export function assertServerTypesAvailable(required: readonly RequiredServerType[], location: string, answer: ServerTypesAnswer): void {
    const unavailable = findUnavailableServerTypes(required, location, answer);
    if (unavailable.length > 0) {
        throw new ServerTypeUnavailableError(unavailable);
    }
}

/**
 * The answer the hcloud API would give if it agreed with lib/hetzner/server-types.ts: every type in every
 * location of the groups that offer it, available where current, deprecated where retired. The offline plan
 * and the component tests answer the invoke with it (ids are positional, not Hetzner's).
 */
export function serverTypesAnswerFromTable(): ServerTypesAnswer {
    return {
        serverTypes: Object.values(SERVER_TYPES).map((spec, index) => ({
            id: index + 1,
            name: spec.name,
            architecture: spec.architecture,
            cores: spec.vcpu,
            memory: spec.memoryGb,
            disk: spec.diskGb,
            cpuType: spec.cpu,
            locations: (Object.entries(spec.offers) as Array<[LocationGroup, NonNullable<(typeof spec.offers)[LocationGroup]>]>).flatMap(([group, offer]) =>
                LOCATION_GROUPS[group].map((name) => ({ name, available: offer.status === "current", isDeprecated: offer.status === "deprecated" })),
            ),
        })),
    };
}
