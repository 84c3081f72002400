import * as crypto from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PlannedResource, StackPlan } from "./plan-types";
import { GET_SERVERS_TOKEN, GET_SERVER_TYPES_TOKEN, serverTypesAnswerFromTable } from "../../lib/hetzner/availability";

/**
 * Runs a Pulumi program under the mock engine (`pulumi.runtime.setMocks`) and records every registration,
 * with parents, dependencies, secret markers and `additionalSecretOutputs`, which the stock mocks drop.
 * Outputs are plausible (documentation-range IPs, numeric Hetzner ids, a parseable kubeconfig) so the whole
 * graph resolves. One program per process: the Pulumi runtime keeps global state.
 */

/** The pinned SDK's version, named in every error about its internals. */
export const SDK_VERSION: string = (require("@pulumi/pulumi/version") as { version: string }).version;

// The SDK's own markers of serialized special values (secrets, assets, resource references).
const sdkRpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey?: string; specialSecretSig?: string };
const SECRET_SIG_KEY = sdkRpc.specialSigKey!;
const SECRET_SIG = sdkRpc.specialSecretSig!;

export { SHORTCUTS_SWITCH, shortcutsEnabled } from "./shortcuts-switch";
import { SHORTCUTS_SWITCH, shortcutsEnabled } from "./shortcuts-switch";

/** An SDK symbol the offline engine relies on: where it lives and whether the loaded SDK still has it. */
export interface SdkSymbol {
    /** Where the symbol lives, as `module.path` (what an error names). */
    name: string;
    /** Whether only a shortcut needs it (checked only when shortcuts are on). */
    shortcut: boolean;
    /** Whether the loaded SDK has it, with the expected kind. */
    present(): boolean;
}

type Lookup = () => unknown;
const member = (owner: Lookup, key: string): unknown => (owner() as Record<string, unknown> | undefined)?.[key];
const isFunction = (owner: Lookup, key: string) => () => typeof member(owner, key) === "function";
const sdkModule = (id: string): Lookup => () => require(`@pulumi/pulumi/${id}`);

/** The google-protobuf `Struct` class the pinned SDK loads (it builds its requests with it). */
function sdkStruct(): { new (): { toJavaScript(): unknown }; fromJavaScript(value: Record<string, unknown>): { toJavaScript(): unknown }; prototype: object } {
    const sdkDirectory = path.dirname(require.resolve("@pulumi/pulumi"));
    return (require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDirectory] })) as { Struct: ReturnType<typeof sdkStruct> }).Struct;
}

/** A MockMonitor as the SDK constructs one (its instance fields exist only after construction). */
function sampleMonitor(): unknown {
    const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: new (mocks: pulumi.runtime.Mocks) => unknown };
    return new MockMonitor({ newResource: () => ({ id: "", state: {} }), call: () => ({}) });
}

/**
 * Every SDK internal the offline engine reads or replaces. A renamed or removed one would turn a shortcut
 * into a silent no-op (or a wrong plan), so {@link assertSdkSymbols} checks them all before a plan starts.
 */
export function sdkSymbols(): SdkSymbol[] {
    const rpc = sdkModule("runtime/rpc");
    const proto = sdkModule("proto/resource_pb");
    const response = () => (member(proto, "RegisterResourceResponse") as { prototype?: object } | undefined)?.prototype;
    const request = () => (member(proto, "RegisterResourceRequest") as { prototype?: object } | undefined)?.prototype;
    const timeouts = () => (member(() => member(proto, "RegisterResourceRequest"), "CustomTimeouts") as { prototype?: object } | undefined)?.prototype;
    const mockMonitor = () => (member(sdkModule("runtime/mocks"), "MockMonitor") as { prototype?: object } | undefined)?.prototype;
    return [
        { name: "runtime/rpc.specialSigKey", shortcut: false, present: () => typeof member(rpc, "specialSigKey") === "string" },
        { name: "runtime/rpc.specialSecretSig", shortcut: false, present: () => typeof member(rpc, "specialSecretSig") === "string" },
        { name: "runtime/debuggable.debuggablePromise", shortcut: true, present: isFunction(sdkModule("runtime/debuggable"), "debuggablePromise") },
        { name: "resource.Resource.callsites", shortcut: true, present: isFunction(() => pulumi.Resource, "callsites") },
        { name: "google-protobuf Struct.fromJavaScript", shortcut: true, present: isFunction(sdkStruct, "fromJavaScript") },
        { name: "google-protobuf Struct.prototype.toJavaScript", shortcut: true, present: isFunction(() => sdkStruct().prototype, "toJavaScript") },
        { name: "runtime/rpc.serializeResourceProperties", shortcut: true, present: isFunction(rpc, "serializeResourceProperties") },
        { name: "runtime/rpc.serializeProperty", shortcut: true, present: isFunction(rpc, "serializeProperty") },
        { name: "runtime/rpc.serializeProperties", shortcut: true, present: isFunction(rpc, "serializeProperties") },
        { name: "runtime/mocks.MockMonitor.prototype.registerResource", shortcut: false, present: isFunction(mockMonitor, "registerResource") },
        { name: "runtime/mocks.MockMonitor.prototype.newUrn", shortcut: true, present: isFunction(mockMonitor, "newUrn") },
        { name: "runtime/mocks.MockMonitor#mocks.newResource", shortcut: true, present: isFunction(() => member(sampleMonitor, "mocks"), "newResource") },
        { name: "runtime/mocks.MockMonitor#resources (a Map)", shortcut: true, present: () => member(sampleMonitor, "resources") instanceof Map },
        ...RESPONSE_GETTERS.map((getter) => ({ name: `proto/resource_pb.RegisterResourceResponse.prototype.${getter}`, shortcut: true, present: isFunction(response, getter) })),
        { name: "proto/resource_pb.Result.SUCCESS", shortcut: true, present: () => typeof member(() => member(proto, "Result"), "SUCCESS") === "number" },
        // Every plan records from the request, shortcuts or not: a renamed getter would drop protect & co. silently.
        ...REQUEST_GETTERS.map((getter) => ({ name: `proto/resource_pb.RegisterResourceRequest.prototype.${getter}`, shortcut: false, present: isFunction(request, getter) })),
        ...TIMEOUT_GETTERS.map((getter) => ({ name: `proto/resource_pb.RegisterResourceRequest.CustomTimeouts.prototype.${getter}`, shortcut: false, present: isFunction(timeouts, getter) })),
    ];
}

/** What the engine reads from every RegisterResourceRequest (the {@link RegisterRequest} surface). */
const REQUEST_GETTERS = [
    "getProtect",
    "getRetainondelete",
    "getReplaceonchangesList",
    "getDeletebeforereplace",
    "getImportid",
    "getType",
    "getName",
    "getParent",
    "getCustom",
    "getProvider",
    "getObject",
    "getAdditionalsecretoutputsList",
    "getDependenciesList",
    "getIgnorechangesList",
    "getCustomtimeouts",
] as const satisfies ReadonlyArray<keyof RegisterRequest>;

/** What the engine reads from a request's custom timeouts. */
const TIMEOUT_GETTERS = ["getCreate", "getUpdate", "getDelete"] as const;

/** What the SDK reads from a RegisterResourceResponse (runtime/resource.js), all that the direct registration builds. */
const RESPONSE_GETTERS = ["getUrn", "getId", "getObject", "getPropertydependenciesMap", "getResult"] as const;

/**
 * Fails loudly, naming the SDK version, when an SDK symbol the offline engine needs is missing: after an SDK
 * upgrade a renamed internal must stop the plan, not quietly change it or slow it down.
 */
export function assertSdkSymbols(shortcuts = shortcutsEnabled(), symbols = sdkSymbols()): void {
    const missing = symbols
        .filter((s) => shortcuts || !s.shortcut)
        .filter((s) => {
            try {
                return !s.present();
            } catch {
                return true;
            }
        })
        .map((s) => s.name);
    if (missing.length > 0) {
        throw new Error(
            `offline plan: @pulumi/pulumi ${SDK_VERSION} lacks ${missing.join(", ")}, which the offline engine (tools/offline/mock-engine.ts) relies on. ` +
                `Adapt the engine to this SDK version${shortcuts ? `, or plan without its shortcuts: ${SHORTCUTS_SWITCH}=0` : ""}.`,
        );
    }
}

/** Options of a synthesis run. */
export interface SynthesisOptions {
    /** Stack name (region). */
    stack: string;
    /** Full config map `namespace:key → string value` (objects JSON-encoded, as Pulumi stores them). */
    config: Record<string, string>;
    /** Config keys that are secrets. */
    secretKeys: string[];
    /** Loads the program (e.g. `() => import("../../programs/platform/index")`); its exports (or its async entry's result) become stack outputs. */
    loadProgram: () => Promise<unknown>;
    /** Answers provider functions before {@link mockInvoke} does (tests: a tailnet that renamed a device). */
    invoke?: (token: string, inputs: Record<string, unknown>) => Record<string, unknown> | undefined;
    /** Pulumi project of the program (URNs carry it); default `platform`. */
    project?: string;
    /**
     * Outputs of the stacks the program reads through a `pulumi.StackReference`, by the name it passes: a
     * tenant stack's platform stack is answered with the platform plan's outputs. A reference to any other
     * stack fails the plan.
     */
    stackReferences?: Readonly<Record<string, StackReferenceAnswer>>;
}

/** What a mocked StackReference returns: the referenced stack's outputs and which of them are secret. */
export interface StackReferenceAnswer {
    /** Output values by name (plain values; secret ones listed in `secretOutputNames`). */
    outputs: Record<string, unknown>;
    /** Names of the outputs that are secret. */
    secretOutputNames: string[];
}

/** Type token of `pulumi.StackReference` (a read of another stack's outputs). */
export const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

/** Answers a StackReference read from {@link SynthesisOptions.stackReferences}, or fails naming the stack. */
export function answerStackReference(references: SynthesisOptions["stackReferences"], inputs: Record<string, unknown>): { id: string; state: Record<string, unknown> } {
    const name = String(inputs.name);
    const answer = references?.[name];
    if (!answer) {
        throw new Error(`offline plan: the program reads stack ${name} through a StackReference, which this plan does not provide (known: ${Object.keys(references ?? {}).join(", ") || "none"})`);
    }
    return { id: name, state: { name, outputs: answer.outputs, secretOutputNames: answer.secretOutputNames } };
}

/**
 * The program's outputs from what loading it returned: a module's exports, or, for a program that
 * `export =`s an async function (a tenant stack awaits its platform contract), that function's result.
 */
export async function programOutputs(loaded: unknown): Promise<Record<string, unknown>> {
    const module = loaded as Record<string, unknown> | ((...args: unknown[]) => unknown);
    const entry = typeof module === "function" ? module : typeof module.default === "function" && Object.keys(module).every((k) => k === "default" || k === "module.exports") ? module.default : undefined;
    if (entry) {
        return { ...((await (entry as () => Promise<Record<string, unknown>>)()) ?? {}) };
    }
    return { ...(module as Record<string, unknown>) };
}

/** Deterministic small hash of a string, for stable mock ids and addresses. */
export function stableHash(text: string): number {
    return crypto.createHash("sha256").update(text).digest().readUInt32BE(0);
}

function ipFrom(prefix: string, seed: string): string {
    return `${prefix}.${(stableHash(seed) % 250) + 2}`;
}

/** A parseable kubeconfig for `server` with synthetic credentials (mock outputs, and a tenant plan's cluster access). */
export const syntheticKubeconfig = (server: string): string =>
    [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- cluster:",
        "    certificate-authority-data: bW9jay1jYQ==",
        `    server: ${server}`,
        "  name: default",
        "contexts:",
        "- context:",
        "    cluster: default",
        "    user: default",
        "  name: default",
        "current-context: default",
        "users:",
        "- name: default",
        "  user:",
        "    client-certificate-data: bW9jay1jZXJ0",
        "    client-key-data: bW9jay1rZXk=",
        "",
    ].join("\n");

/** Plausible provider outputs for a resource type; inputs are echoed back as state. */
export function mockOutputs(type: string, name: string, inputs: Record<string, unknown>): { id: string; state: Record<string, unknown> } {
    const numericId = String(10_000_000 + (stableHash(`${type}/${name}`) % 89_999_999));
    const state: Record<string, unknown> = { ...inputs };
    switch (type) {
        case "hcloud:index/server:Server":
        case "hcloud:index/primaryIp:PrimaryIp":
            state.ipv4Address = ipFrom("203.0.113", name);
            state.ipv6Address = `2001:db8:${(stableHash(name) % 0xffff).toString(16)}::1`;
            state.ipAddress = state.ipv4Address;
            state.status = "running";
            return { id: numericId, state };
        case "hcloud:index/floatingIp:FloatingIp":
            state.ipAddress = ipFrom("198.51.100", name);
            return { id: numericId, state };
        case "hcloud:index/sshKey:SshKey":
            state.fingerprint = crypto.createHash("md5").update(String(inputs.publicKey ?? name)).digest("hex").match(/../g)!.join(":");
            return { id: numericId, state };
        case "tls:index/privateKey:PrivateKey":
            state.publicKeyOpenssh = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA${Buffer.from(name).toString("base64").slice(0, 32)} ${name}\n`;
            state.privateKeyOpenssh = `-----BEGIN OPENSSH PRIVATE KEY-----\nmock-${name}\n-----END OPENSSH PRIVATE KEY-----\n`;
            state.privateKeyPem = state.privateKeyOpenssh;
            state.publicKeyFingerprintMd5 = crypto.createHash("md5").update(name).digest("hex").match(/../g)!.join(":");
            return { id: numericId, state };
        case "tls:index/selfSignedCert:SelfSignedCert":
            state.certPem = `-----BEGIN CERTIFICATE-----\n${Buffer.from(`mock-${name}`).toString("base64")}\n-----END CERTIFICATE-----\n`;
            return { id: numericId, state };
        case "random:index/randomPassword:RandomPassword":
        case "random:index/randomString:RandomString": {
            const length = typeof inputs.length === "number" ? inputs.length : 32;
            const result = crypto.createHash("sha512").update(name).digest("base64url").slice(0, length);
            state.result = result;
            state.bcryptHash = `$2a$10$${crypto.createHash("sha256").update(result).digest("base64url").slice(0, 53)}`;
            return { id: name, state };
        }
        case "tailscale:index/tailnetKey:TailnetKey":
            state.key = `tskey-auth-k${stableHash(name).toString(16)}-${crypto.createHash("sha1").update(name).digest("hex")}`;
            return { id: `k${stableHash(name).toString(16)}`, state };
        case "command:remote:Command": {
            const create = String(inputs.create ?? "");
            state.stdout = create.includes("k3s.yaml")
                ? syntheticKubeconfig("https://127.0.0.1:6443")
                : create.includes("/var/lib/rancher/k3s/server/token")
                  ? `K10${crypto.createHash("sha256").update(`mock-server-ca-${name}`).digest("hex")}::server:${crypto.createHash("sha1").update(name).digest("hex")}\n`
                  : "";
            state.stderr = "";
            return { id: `${name}-${stableHash(create).toString(16)}`, state };
        }
        case "pulumi-nodejs:dynamic:Resource":
            if ("serverNumber" in inputs) {
                state.ipv4 = ipFrom("192.0.2", String(inputs.serverNumber));
                state.ipv6Net = `2001:db8:${(Number(inputs.serverNumber) % 0xffff).toString(16)}::/64`;
            }
            if ("vlan" in inputs) {
                state.vswitchId = numericId;
            }
            return { id: numericId, state };
        default:
            break;
    }
    if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh")) {
        const metadata = { ...((inputs.metadata as Record<string, unknown> | undefined) ?? {}) };
        metadata.name ??= `${name}-${stableHash(name).toString(16).slice(0, 8)}`;
        state.metadata = metadata;
        return { id: `${metadata.namespace ? `${String(metadata.namespace)}/` : ""}${String(metadata.name)}`, state };
    }
    if (type === "kubernetes:helm.sh/v3:Release") {
        state.status = { name: inputs.name ?? name, namespace: inputs.namespace ?? "default", status: "deployed", version: inputs.version };
        return { id: `${String(inputs.namespace ?? "default")}/${String(inputs.name ?? name)}`, state };
    }
    return { id: type.startsWith("pulumi:providers:") ? `${name}-provider-id` : numericId, state };
}

/** The tailnet's MagicDNS suffix from a stack's config map (`platform:mesh`), for mock tailnet devices. */
function magicDnsSuffixOf(config: Readonly<Record<string, string>>): string {
    try {
        const suffix = (JSON.parse(config["platform:mesh"] ?? "{}") as { magicDnsSuffix?: unknown }).magicDnsSuffix;
        return typeof suffix === "string" && suffix !== "" ? suffix : "tail0000.ts.net";
    } catch {
        return "tail0000.ts.net";
    }
}

/**
 * Plausible answers to the provider functions the program calls, or undefined for any other. A tailnet
 * device (`tailscale.getDevice` by hostname) answers as a node that joined with the name it asked for,
 * a 100.64.0.0/10 address and a Tailscale-style device id.
 */
export function mockInvoke(token: string, inputs: Record<string, unknown>, config: Readonly<Record<string, string>> = {}): Record<string, unknown> | undefined {
    if (token === "tailscale:index/getDevice:getDevice") {
        const hostname = String(inputs.hostname ?? inputs.name ?? "device").split(".")[0]!;
        const hash = stableHash(`tailnet/${hostname}`);
        return {
            id: String(1_000_000_000_000 + (hash % 8_999_999_999_999)),
            nodeId: `n${hash.toString(16)}CNTRL`,
            name: `${hostname}.${magicDnsSuffixOf(config)}`,
            hostname,
            addresses: [`100.${64 + (hash % 64)}.${(hash >>> 8) % 256}.${((hash >>> 16) % 254) + 1}`, `fd7a:115c:a1e0::${(hash % 0xffff).toString(16)}`],
            authorized: true,
            tags: [],
            user: "tagged-devices",
            os: "linux",
            ...(inputs.waitFor !== undefined ? { waitFor: inputs.waitFor } : {}),
        };
    }
    return undefined;
}

/**
 * Walks a serialized property value: unwraps secrets, reports whether any secret was inside, and builds a
 * copy with only the secret subtrees replaced by "[secret]" (so a connection's host stays readable while its
 * private key is redacted).
 */
function unwrap(value: unknown): { value: unknown; redacted: unknown; secret: boolean } {
    // Most values hold no secret, asset or reference: they are kept as the SDK serialized them, not copied.
    if (isPlainValue(value)) {
        return { value, redacted: value, secret: false };
    }
    if (Array.isArray(value)) {
        let secret = false;
        const parts = value.map((v) => {
            const r = unwrap(v);
            secret ||= r.secret;
            return r;
        });
        const out = parts.map((r) => r.value);
        // Without a secret inside, the redacted view is the value itself (one copy of a large plan, not two).
        return { value: out, redacted: secret ? parts.map((r) => r.redacted) : out, secret };
    }
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SECRET_SIG_KEY] === SECRET_SIG) {
            return { value: unwrap(obj.value).value, redacted: "[secret]", secret: true };
        }
        if (typeof obj[SECRET_SIG_KEY] === "string") {
            // Assets, archives and resource references: keep a readable marker.
            const marker = obj.urn ?? obj.path ?? obj.text ?? "[special]";
            return { value: marker, redacted: marker, secret: false };
        }
        let secret = false;
        const out: Record<string, unknown> = {};
        const parts: Array<[string, unknown]> = [];
        for (const key of Object.keys(obj)) {
            if (key === "__provider") {
                continue; // serialized dynamic provider source: noise, not an input
            }
            const r = unwrap(obj[key]);
            secret ||= r.secret;
            out[key] = r.value;
            parts.push([key, r.redacted]);
        }
        return { value: out, redacted: secret ? Object.fromEntries(parts) : out, secret };
    }
    return { value, redacted: value, secret: false };
}

/** True when a serialized value holds nothing {@link unwrap} would change (no signature object, no `__provider`). */
function isPlainValue(value: unknown): boolean {
    return isPlainTree(value, (key) => key === SECRET_SIG_KEY || key === "__provider");
}

/**
 * Turns the SDK's per-promise and per-resource diagnostics off for the duration of `run`, then restores them.
 * Profiling the offline plan (npm run bench) showed them as its largest costs, growing with the plan:
 * - `debuggablePromise` formats a stack trace (through source maps, under tsx) for each of the four promises
 *   of every resource property, keeps it on the promise, and tracks every promise in a set to list the
 *   never-settled ones at exit. Even without the stack trace, the tracking alone (a set entry and two extra
 *   promise reactions per promise) was a third of the SDK's time for 29,000 small resources. A program whose
 *   outputs never settle is reported by {@link synthesize} instead (see `neverSettles`).
 * - `Resource.callsites` formats an unbounded stack trace per resource for the source position the engine
 *   shows in diagnostics; the mock monitor discards it.
 * `PULUMI_DEBUG_PROMISE_LEAKS=1` keeps the SDK's full diagnostics (to find which promise never settles).
 */
async function withLeanSdkDiagnostics<T>(run: () => Promise<T>): Promise<T> {
    if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
        return run();
    }
    // Internal SDK modules (@pulumi/pulumi is pinned in package.json): their call sites read these exports
    // at call time (`debuggable_1.debuggablePromise(...)`), so replacing the property takes effect.
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: (p: Promise<unknown>, ctx: unknown) => Promise<unknown> };
    const resourceClass = pulumi.Resource as unknown as { callsites: () => unknown[] };
    const original = { debuggablePromise: debuggable.debuggablePromise, callsites: resourceClass.callsites };
    debuggable.debuggablePromise = (p) => p;
    resourceClass.callsites = () => [];
    try {
        return await run();
    } finally {
        debuggable.debuggablePromise = original.debuggablePromise;
        resourceClass.callsites = original.callsites;
    }
}

/**
 * Rejects if the event loop runs dry before `work` settles: a program output that never resolves would
 * otherwise end the process quietly with exit code 0 and no plan.
 */
async function neverSettles<T>(work: Promise<T>): Promise<T> {
    let onBeforeExit: (() => void) | undefined;
    const drained = new Promise<never>((_, reject) => {
        onBeforeExit = () =>
            reject(new Error("offline plan: the program left promises that never settle (an output that never resolves); rerun with PULUMI_DEBUG_PROMISE_LEAKS=1 to list them"));
        process.once("beforeExit", onBeforeExit);
    });
    try {
        return await Promise.race([work, drained]);
    } finally {
        process.off("beforeExit", onBeforeExit!);
    }
}

/**
 * Lets the SDK hand property maps to the mock monitor as they are instead of encoding each into a protobuf
 * `Struct` the mock decodes again at once (a real engine needs the encoding; the in-process mock does not).
 * The SDK builds every request with `Struct.fromJavaScript(props)`; for the duration of `run` that returns an
 * empty `Struct` whose `toJavaScript()` gives back `props`, so request handling is unchanged and nothing is
 * encoded: about a tenth of a large plan's CPU time (npm run bench).
 */
async function withPlainStructs<T>(run: () => Promise<T>): Promise<T> {
    const Struct = sdkStruct();
    const original = Struct.fromJavaScript;
    Struct.fromJavaScript = (value) => {
        const struct = new Struct();
        struct.toJavaScript = () => value;
        return struct;
    };
    try {
        return await run();
    } finally {
        Struct.fromJavaScript = original;
    }
}

/**
 * Drops resource aliases before the SDK resolves them. Aliases tell a real engine which existing state a
 * renamed resource continues; the mock engine has no state and the plan does not record them, so the plan
 * is the same without them. It is not the same cost: every `@pulumi/kubernetes` resource carries aliases for
 * its older API versions, and the SDK turns each into a chain of outputs: 40% of a 1,000-tenant plan's
 * synthesis time (npm run bench). test/tools/offline/mock-engine.test.ts pins that a resource with aliases is
 * recorded exactly as one without.
 */
const withoutAliases: pulumi.ResourceTransformation = (args) =>
    args.opts.aliases ? { props: args.props, opts: { ...args.opts, aliases: undefined } } : undefined;

/**
 * Serializes resource properties that are plain data (strings, numbers, booleans, null, arrays and plain
 * objects of them) synchronously, with the SDK's rules (undefined and functions dropped from objects, null in
 * arrays), and hands every other property (outputs, promises, resources, assets, unknowns) to the SDK's own
 * serializer. The SDK walks plain data with one awaited promise per value; rendered Kubernetes objects are
 * almost all plain data. Same result, same key order, same (empty) dependencies for plain properties.
 */
async function withPlainDataSerialization<T>(run: () => Promise<T>): Promise<T> {
    type Serialize = (ctx: string, prop: unknown, dependentResources: Set<unknown> | undefined, opts?: unknown) => Promise<unknown>;
    type SerializeResource = (label: string, props: Record<string, unknown>, opts?: unknown) => Promise<[Record<string, unknown>, Map<string, Set<unknown>>]>;
    const rpc = require("@pulumi/pulumi/runtime/rpc") as { serializeProperty: Serialize; serializeResourceProperties: SerializeResource };
    const original = rpc.serializeResourceProperties;
    rpc.serializeResourceProperties = async (label, props, opts) => {
        const result: Record<string, unknown> = {};
        const dependencies = new Map<string, Set<unknown>>();
        for (const key of Object.keys(props)) {
            if (key === "id" || key === "urn") {
                continue;
            }
            const dependentResources = new Set<unknown>();
            let value: unknown;
            if (isPlainData(props[key])) {
                value = copyPlainData(props[key]);
            } else {
                try {
                    value = await rpc.serializeProperty(`${label}.${key}`, props[key], dependentResources, opts);
                } catch (error) {
                    if (error instanceof Error) {
                        error.message = `error serializing property "${key}": ${error.message}`;
                        throw error;
                    }
                    throw new Error(`error serializing property "${key}": ${String(error)}`);
                }
            }
            if (value !== undefined) {
                result[key] = value;
                dependencies.set(key, dependentResources);
            }
        }
        return [result, dependencies];
    };
    try {
        return await run();
    } finally {
        rpc.serializeResourceProperties = original;
    }
}

/** Plain data: primitives, undefined, functions (dropped), arrays and plain objects of plain data, nothing the SDK treats specially. */
export function isPlainData(value: unknown): boolean {
    // The SDK recognizes outputs, resources, assets and unknowns by `__pulumi*` markers, not classes.
    return isPlainTree(value, (key) => key.startsWith("__pulumi"));
}

/** Primitives, arrays and plain (Object or null prototype) objects all the way down, without a reserved key. */
function isPlainTree(value: unknown, isReservedKey: (key: string) => boolean): boolean {
    if (value === null || typeof value !== "object") {
        return true;
    }
    if (Array.isArray(value)) {
        return Object.getPrototypeOf(value) === Array.prototype && value.every((element) => isPlainTree(element, isReservedKey));
    }
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
        return false;
    }
    for (const key in value) {
        if (isReservedKey(key) || !isPlainTree((value as Record<string, unknown>)[key], isReservedKey)) {
            return false;
        }
    }
    return true;
}

/** The SDK's serialization of plain data: objects drop undefined and function values, arrays turn them into null. */
export function copyPlainData(value: unknown): unknown {
    if (typeof value === "function") {
        return undefined;
    }
    if (value === null || typeof value !== "object") {
        return value;
    }
    if (Array.isArray(value)) {
        return value.map((element) => copyPlainData(element) ?? null);
    }
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
        const element = copyPlainData((value as Record<string, unknown>)[key]);
        if (element !== undefined) {
            copy[key] = element;
        }
    }
    return copy;
}

/**
 * Answers the provider functions the program calls: for the availability check, the hcloud server-type list
 * from lib/hetzner/server-types.ts (so the offline plan agrees with the config schema's table) and no existing
 * servers (a plan is a first run). Any other invoke is a mistake: the plan must not depend on provider state.
 */
export function answerInvoke(token: string): Record<string, unknown> {
    if (token === GET_SERVER_TYPES_TOKEN) {
        return serverTypesAnswerFromTable() as unknown as Record<string, unknown>;
    }
    if (token === GET_SERVERS_TOKEN) {
        return { id: "offline", servers: [] };
    }
    throw new Error(`offline plan: unexpected invoke ${token}; the program must not call provider functions at plan time`);
}

/** The modes (with or without the shortcuts) whose SDK symbols {@link assertSdkSymbols} found present in this process. */
const sdkSymbolsChecked = new Set<boolean>();

/** Runs the program and returns its plan. One program at a time: the runtime's mocks, config and stack are set anew for each. */
export async function synthesize(options: SynthesisOptions): Promise<StackPlan> {
    const shortcuts = shortcutsEnabled();
    // The loaded SDK cannot change within a process: checked once per mode (it cost ~0.7 ms per tenant stack
    // of a region plan, mostly its sample MockMonitor).
    if (!sdkSymbolsChecked.has(shortcuts)) {
        assertSdkSymbols(shortcuts);
        sdkSymbolsChecked.add(shortcuts);
    }
    if (!shortcuts) {
        return neverSettles(synthesizeProgram(options, false));
    }
    return withLeanSdkDiagnostics(() => withPlainStructs(() => withPlainDataSerialization(() => neverSettles(synthesizeProgram(options, true)))));
}

async function synthesizeProgram(options: SynthesisOptions, shortcuts: boolean): Promise<StackPlan> {
    pulumi.runtime.setAllConfig(options.config, options.secretKeys);
    const resources: PlannedResource[] = [];
    let pending = 0;
    await pulumi.runtime.setMocks(
        {
            newResource: (args) =>
                args.type === STACK_REFERENCE_TYPE
                    ? answerStackReference(options.stackReferences, args.inputs as Record<string, unknown>)
                    : mockOutputs(args.type, args.name, args.inputs as Record<string, unknown>),
            call: (args) => {
                const inputs = args.inputs as Record<string, unknown>;
                return options.invoke?.(args.token, inputs) ?? mockInvoke(args.token, inputs, options.config) ?? answerInvoke(args.token);
            },
        },
        options.project ?? "platform",
        options.stack,
        false,
    );
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: RegisterRequest, callback: (err: unknown, resp: { getUrn(): string } | undefined) => void): Promise<void>;
    };
    const original = monitor.registerResource.bind(monitor);
    const direct = shortcuts ? directRegistration(monitor) : undefined;
    monitor.registerResource = (req, callback) => {
        pending++;
        const raw = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
        const inputs: Record<string, unknown> = {};
        const redacted: Record<string, unknown> = {};
        const secretInputs: string[] = [];
        for (const [key, value] of Object.entries(raw)) {
            if (key === "__provider") {
                continue;
            }
            const r = unwrap(value);
            inputs[key] = r.value;
            redacted[key] = r.redacted;
            if (r.secret) {
                secretInputs.push(key);
            }
        }
        const entry: PlannedResource = {
            urn: "",
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent() || undefined,
            custom: req.getCustom(),
            provider: req.getProvider() || undefined,
            inputs,
            secretInputs,
            redactedInputs: redacted,
            additionalSecretOutputs: [...new Set(req.getAdditionalsecretoutputsList())],
            dependencies: req.getDependenciesList(),
            ...replacementOptions(req),
        };
        const ignoreChanges = req.getIgnorechangesList();
        if (ignoreChanges.length > 0) {
            entry.ignoreChanges = ignoreChanges;
        }
        const timeouts = req.getCustomtimeouts();
        if (timeouts && (timeouts.getCreate() || timeouts.getUpdate() || timeouts.getDelete())) {
            entry.customTimeouts = { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() };
        }
        resources.push(entry);
        const done = (err: unknown, resp: { getUrn(): string } | undefined) => {
            if (resp) {
                entry.urn = resp.getUrn();
            }
            pending--;
            callback(err, resp);
        };
        return direct ? direct(req, raw, inputs, done) : original(req, done);
    };
    // Keep the module's own exports: the stack's resolved outputs have lost their secret markers.
    let outputs: Record<string, unknown> = {};
    // Resources constructed so far, counted in the Resource constructor (stack transformations run there,
    // synchronously): the monitor sees a resource only after its inputs resolve, too late to tell whether a
    // program that threw had already created one.
    let constructed = 0;
    const countConstruction: pulumi.ResourceTransformation = (args) => {
        // A StackReference reads another stack's outputs; it creates nothing.
        if (args.type !== STACK_REFERENCE_TYPE) {
            constructed++;
        }
        return undefined;
    };
    try {
        await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation(countConstruction);
            if (shortcuts) {
                pulumi.runtime.registerStackTransformation(withoutAliases);
            }
            outputs = await programOutputs(await options.loadProgram());
            return outputs;
        });
    } catch (error) {
        // Tests prove that invalid input registers nothing: report how many resources were created before the failure.
        if (error !== null && typeof error === "object") {
            (error as { registeredResources?: number }).registeredResources = constructed;
        }
        throw error;
    }
    // Components may register children after the program's exports resolve; drain until quiet.
    for (let quietTicks = 0; quietTicks < 5; ) {
        await new Promise((resolve) => setImmediate(resolve));
        quietTicks = pending === 0 ? quietTicks + 1 : 0;
    }
    const plainOutputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(outputs)) {
        plainOutputs[key] = (await resolveOutput(value)).redacted;
    }
    return { stack: options.stack, resources, outputs: plainOutputs };
}

/** The parts of the SDK's MockMonitor (@pulumi/pulumi/runtime/mocks.js, pinned) a direct registration uses. */
interface MockMonitorInternals {
    mocks: { newResource(args: Record<string, unknown>): Promise<{ id?: string; state: Record<string, unknown> }> | { id?: string; state: Record<string, unknown> } };
    newUrn(parent: string, type: string, name: string): string;
    resources: Map<string, { urn: string; id: string | null; state: unknown }>;
}

/**
 * MockMonitor.registerResource without its round trips: it decodes the request's properties a second time
 * (the wrapper above already did: `inputs`, secrets unwrapped), serializes the whole echoed state again
 * (values the request already carried in serialized form, `raw`), encodes it into a protobuf Struct that the
 * SDK decodes again right away, and the SDK's debug logging stringifies that response. Same mock, same
 * resulting outputs, minus the copies: about a tenth of the CPU and a fifth of the peak memory of a large
 * plan (npm run bench). Its members are checked by {@link assertSdkSymbols}; PLATFORM_OFFLINE_SHORTCUTS=0
 * uses the SDK's own method instead.
 */
function directRegistration(
    monitor: unknown,
): (req: RegisterRequest, raw: Record<string, unknown>, inputs: Record<string, unknown>, done: (err: unknown, resp: RegisterResponse | undefined) => void) => Promise<void> {
    // assertSdkSymbols checked these members on the SDK's MockMonitor before the plan started.
    const m = monitor as MockMonitorInternals;
    const SUCCESS = (require("@pulumi/pulumi/proto/resource_pb") as { Result: { SUCCESS: number } }).Result.SUCCESS;
    const rpc = require("@pulumi/pulumi/runtime/rpc") as {
        serializeProperties(label: string, props: Record<string, unknown>): Promise<Record<string, unknown>>;
    };
    return async (req, raw, inputs, done) => {
        try {
            const result = await m.mocks.newResource({
                type: req.getType(),
                name: req.getName(),
                inputs,
                provider: req.getProvider(),
                custom: req.getCustom(),
                id: req.getImportid(),
            });
            const urn = m.newUrn(req.getParent(), req.getType(), req.getName());
            // Echoed inputs (the same value the mock was given) are already serialized in `raw`: only values
            // the mock computed go through the SDK's (recursive, promise-per-value) serialization again.
            const computed: Record<string, unknown> = {};
            const state: Record<string, unknown> = {};
            for (const [key, value] of Object.entries(result.state)) {
                if (value !== undefined && value === inputs[key] && key in raw) {
                    state[key] = raw[key];
                } else {
                    computed[key] = value;
                }
            }
            Object.assign(state, await rpc.serializeProperties("", computed));
            m.resources.set(urn, { urn, id: result.id ?? null, state });
            // What the SDK reads from a RegisterResourceResponse (RESPONSE_GETTERS); SUCCESS: outputs known.
            done(null, { getUrn: () => urn, getId: () => result.id || "", getObject: () => ({ toJavaScript: () => state }), getPropertydependenciesMap: () => undefined, getResult: () => SUCCESS });
        } catch (error) {
            done(error, undefined);
        }
    };
}

/** The RegisterResourceResponse surface the SDK uses. */
interface RegisterResponse {
    getUrn(): string;
    getId(): string;
    getObject(): { toJavaScript(): unknown };
    getPropertydependenciesMap(): undefined;
    getResult(): number;
}

/** The options that make a change a replacement (recorded only when set, to keep plans small). */
function replacementOptions(req: RegisterRequest): Pick<PlannedResource, "replaceOnChanges" | "deleteBeforeReplace" | "protect" | "retainOnDelete"> {
    const replaceOnChanges = req.getReplaceonchangesList();
    const deleteBeforeReplace = req.getDeletebeforereplace();
    return {
        ...(replaceOnChanges.length > 0 ? { replaceOnChanges } : {}),
        ...(deleteBeforeReplace ? { deleteBeforeReplace } : {}),
        ...(req.getProtect() ? { protect: true } : {}),
        ...(req.getRetainondelete() ? { retainOnDelete: true } : {}),
    };
}

interface RegisterRequest {
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getReplaceonchangesList(): string[];
    getDeletebeforereplace(): boolean;
    getImportid(): string;
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getObject(): { toJavaScript(): unknown } | undefined;
    getAdditionalsecretoutputsList(): string[];
    getDependenciesList(): string[];
    getIgnorechangesList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}

async function resolveOutput(value: unknown): Promise<{ redacted: unknown }> {
    if (pulumi.Output.isInstance(value)) {
        const output = value as pulumi.Output<unknown>;
        const [plain, secret] = await Promise.all([
            new Promise<unknown>((resolve) => output.apply((v) => resolve(v))),
            pulumi.isSecret(output),
        ]);
        return { redacted: secret ? "[secret]" : (await resolveOutput(plain)).redacted };
    }
    if (Array.isArray(value)) {
        return { redacted: await Promise.all(value.map(async (v) => (await resolveOutput(v)).redacted)) };
    }
    if (value !== null && typeof value === "object" && !(value instanceof pulumi.Resource)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
            out[k] = (await resolveOutput(v)).redacted;
        }
        return { redacted: out };
    }
    return { redacted: value instanceof pulumi.Resource ? "[resource]" : value };
}

/** Inputs with secret values replaced by "[secret]", for writing plans to disk. */
export function redactedInputs(resource: PlannedResource): Record<string, unknown> {
    if (resource.redactedInputs) {
        return resource.redactedInputs;
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(resource.inputs)) {
        out[key] = resource.secretInputs.includes(key) ? "[secret]" : value;
    }
    return out;
}
