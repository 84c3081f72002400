/**
 * A typed client for the Hetzner Robot web service (https://robot.hetzner.com/doc/webservice/en.html): the
 * handful of endpoints that turn an ordered dedicated server into a platform node.
 *
 * Shapes follow the Robot docs: HTTP Basic auth with the *web-service* user (not the Robot login), form-encoded
 * POST bodies (`server[]=1&server[]=2` for arrays), JSON replies wrapped in an object named after the type
 * (`{"server": {...}}`) except the vSwitch endpoints, which answer naked objects. Errors are
 * `{"error": {"status", "code", "message"}}` and become {@link RobotApiError}.
 *
 * This module is captured by value into the serialized dynamic provider (see robot-provider.ts), so it only
 * uses globals (`fetch`, `Buffer`, `URLSearchParams`, `AbortSignal`) and imports nothing at module level.
 * Its values are plain `const`s exported by the list at the end, never `export const`: see
 * robot-provider.ts for why serialized code must not read the module's own `exports`.
 */

/** Where the Robot web service lives. */
const ROBOT_DEFAULT_BASE_URL = "https://robot-ws.your-server.de";

/** Robot web-service credentials (Robot → Settings → Web service and app settings). */
export interface RobotCredentials {
    /** Web-service user name (`#ws+...`). */
    user: string;
    /** Web-service password. */
    password: string;
}

/** How rate-limited or transiently failing *safe* requests are retried. */
export interface RetryPolicy {
    /** Retries after the first attempt; 0 disables retrying. */
    maxRetries: number;
    /** First back-off delay; doubled on each retry. */
    baseDelayMs: number;
    /** Upper bound of a single delay (Robot's hourly windows would otherwise ask for very long waits). */
    maxDelayMs: number;
    /** Upper bound of the sum of all delays of one call: the budget. When the next delay would exceed it, the call fails. */
    maxTotalDelayMs: number;
}

/** Default retry budget: five retries, at most three minutes of waiting per call. */
const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 5, baseDelayMs: 2_000, maxDelayMs: 60_000, maxTotalDelayMs: 180_000 };

/** Options of {@link RobotClient}. */
export interface RobotClientOptions {
    /** Web-service credentials. */
    credentials: RobotCredentials;
    /** Base URL without trailing slash; defaults to {@link ROBOT_DEFAULT_BASE_URL} (tests point it at a local fake). */
    baseUrl?: string;
    /** Retry budget for safe requests; merged over {@link DEFAULT_RETRY_POLICY}. */
    retry?: Partial<RetryPolicy>;
    /** Sleep used between retries; injectable so tests do not wait. */
    sleep?: (ms: number) => Promise<void>;
    /** Per-request timeout. */
    requestTimeoutMs?: number;
}

/** Error codes the platform reacts to (Robot has more; any other code is kept as a plain string). */
export type RobotErrorCode =
    | "UNAUTHORIZED"
    | "RATE_LIMIT_EXCEEDED"
    | "INVALID_INPUT"
    | "NOT_FOUND"
    | "SERVER_NOT_FOUND"
    | "KEY_ALREADY_EXISTS"
    | "BOOT_ALREADY_ENABLED"
    | "BOOT_NOT_AVAILABLE"
    | "RESET_NOT_AVAILABLE"
    | "RESET_MANUAL_ACTIVE"
    | "VSWITCH_IN_PROCESS"
    | "FIREWALL_IN_PROCESS"
    | "FIREWALL_NOT_AVAILABLE"
    | "FIREWALL_PORT_NOT_FOUND"
    | "CONFLICT"
    | "INTERNAL_ERROR"
    | "NETWORK_ERROR"
    | (string & {});

/** Extra fields Robot attaches to some errors. */
export interface RobotErrorDetails {
    /** INVALID_INPUT: fields that were missing. */
    missing?: string[];
    /** INVALID_INPUT: fields whose value was rejected. */
    invalid?: string[];
    /** RATE_LIMIT_EXCEEDED: requests allowed per interval. */
    maxRequest?: number;
    /** RATE_LIMIT_EXCEEDED: the interval in seconds. */
    interval?: number;
    /** Retries spent before giving up (0 when the request was not retryable). */
    retries?: number;
    /** 429/503: how long the `Retry-After` header asked to wait before the next request, in milliseconds. */
    retryAfterMs?: number;
}

/** A failed Robot call: HTTP status, Robot's error code and message, plus the request it answered. */
interface RobotApiError extends Error {
    /** Always "RobotApiError". */
    readonly name: "RobotApiError";
    /** HTTP status (0 for network failures). */
    readonly status: number;
    /** Robot error code, e.g. SERVER_NOT_FOUND. */
    readonly code: RobotErrorCode;
    /** Robot's own message (the Error message adds context). */
    readonly robotMessage: string;
    /** `GET /server/123`. */
    readonly request: string;
    /** Extra fields. */
    readonly details: RobotErrorDetails;
}

/** `new RobotApiError(status, code, robotMessage, request, message?, details?)`. */
export interface RobotApiErrorConstructor {
    new (status: number, code: RobotErrorCode, robotMessage: string, request: string, message?: string, details?: RobotErrorDetails): RobotApiError;
    readonly prototype: RobotApiError;
}

/**
 * Constructor of {@link RobotApiError}. Deliberately not `class extends Error`: Pulumi's closure serializer
 * rewrites `super(...)` into `Error.call(this, ...)`, which leaves message and stack empty in the dynamic
 * provider host. This builds a real Error and re-parents it instead, so `instanceof` works in both worlds.
 */
const RobotApiError: RobotApiErrorConstructor = function RobotApiErrorImpl(
    status: number,
    code: RobotErrorCode,
    robotMessage: string,
    request: string,
    message?: string,
    details: RobotErrorDetails = {},
): RobotApiError {
    const error = new Error(message ?? `Robot ${request} failed: ${status} ${code}: ${robotMessage}`);
    // Re-parented here, at run time, because the serializer does not carry the prototype's own parent over.
    if (Object.getPrototypeOf(RobotApiError.prototype) !== Error.prototype) {
        Object.setPrototypeOf(RobotApiError.prototype, Error.prototype);
    }
    Object.setPrototypeOf(error, RobotApiError.prototype);
    return Object.assign(error, { name: "RobotApiError" as const, status, code, robotMessage, request, details });
} as unknown as RobotApiErrorConstructor;
Object.setPrototypeOf(RobotApiError.prototype, Error.prototype);

/** Whether `error` is a {@link RobotApiError} (judged by shape too, should a prototype not survive serialization). */
export function isRobotApiError(error: unknown): error is RobotApiError {
    return error instanceof RobotApiError || (error instanceof Error && error.name === "RobotApiError" && typeof (error as { code?: unknown }).code === "string");
}

/** Whether `error` is a {@link RobotApiError} with the given code. */
export function isRobotError(error: unknown, code: RobotErrorCode): error is RobotApiError {
    return isRobotApiError(error) && error.code === code;
}

/** `GET /server/{number}`. */
export interface RobotServer {
    /** Main IPv4 address. */
    server_ip: string;
    /** IPv6 /64 network, e.g. `2a01:4f8:111:4221::`. */
    server_ipv6_net: string;
    /** Server number. */
    server_number: number;
    /** Name shown in Robot. */
    server_name: string;
    /** Product, e.g. AX52. */
    product?: string;
    /** Data center, e.g. FSN1-DC14. */
    dc?: string;
    /** `ready` or `in process`. */
    status?: string;
    /** Whether the server is cancelled. */
    cancelled?: boolean;
}

/** An SSH key stored in Robot (`GET /key`). */
export interface RobotKey {
    /** Key name (unique per account). */
    name: string;
    /** MD5 fingerprint, `aa:bb:...`; Robot identifies keys by it. */
    fingerprint: string;
    /** ED25519, RSA, ... */
    type?: string;
    /** Bits. */
    size?: number;
    /** OpenSSH public key. */
    data?: string;
}

/** Rescue boot configuration (`GET /boot/{number}/rescue`), normalized. */
export interface RobotRescue {
    /** Server number. */
    server_number: number;
    /** Whether the next boot goes into the rescue system. */
    active: boolean;
    /** Active OS, or the available ones when inactive. */
    os: string[];
    /** Root password of an activated rescue system (only returned on activation). */
    password: string | null;
    /** Fingerprints of authorized keys. */
    authorized_key: string[];
    /** Host keys the rescue system will present (OpenSSH format), when Robot reports them. */
    host_key: string[];
}

/** Options of a rescue activation. */
export interface RescueActivation {
    /** Rescue OS; the platform uses `linux`. */
    os: "linux" | (string & {});
    /** Fingerprint of a key stored in Robot, authorized for root in the rescue system. */
    authorized_key: string;
}

/** Reset types Robot knows: software (Ctrl+Alt+Del), hardware, power button, long power press, manual. */
export type ResetType = "sw" | "hw" | "power" | "power_long" | "man";

/** `GET /reset/{number}`. */
export interface RobotResetOptions {
    /** Server number. */
    server_number: number;
    /** Allowed reset types. */
    type: ResetType[];
    /** Power state, when Robot knows it. */
    operating_status?: string;
}

/** A server's membership in a vSwitch. */
export interface RobotVSwitchServer {
    /** Server number. */
    server_number: number;
    /** `ready`, `processing`/`in process` or `failed`. */
    status: string;
}

/** A vSwitch (`GET /vswitch/{id}`; the list omits `server`). */
export interface RobotVSwitch {
    /** vSwitch id. */
    id: number;
    /** Name. */
    name: string;
    /** VLAN id 4000-4091. */
    vlan: number;
    /** Cancelled vSwitches linger until their cancellation date. */
    cancelled: boolean;
    /** Connected servers (detail view only). */
    server?: RobotVSwitchServer[];
}

/** `GET /firewall/{number}`, reduced to what the platform compares. */
export interface RobotFirewallStatus {
    /** Server number. */
    server_number: number;
    /** `active`, `disabled` or `in process` (a change is being applied). */
    status: string;
    /** Whether IPv6 is filtered. */
    filter_ipv6: boolean;
    /** Whether Hetzner services are whitelisted. */
    whitelist_hos: boolean;
    /** Rules as Robot reports them. */
    rules: { input: Array<Record<string, unknown>>; output: Array<Record<string, unknown>> };
}

/** A form body; arrays become repeated `key[]` fields. */
export type FormFields = Record<string, string | number | boolean | ReadonlyArray<string | number> | undefined>;

/** Encodes a Robot POST body: `application/x-www-form-urlencoded`, arrays as `name[]=a&name[]=b`. */
export function encodeForm(fields: FormFields): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(fields)) {
        if (value === undefined) {
            continue;
        }
        if (Array.isArray(value)) {
            for (const item of value) {
                params.append(`${key}[]`, String(item));
            }
        } else {
            params.append(key, String(value));
        }
    }
    return params.toString();
}

/**
 * Robot's fingerprint of an OpenSSH public key: MD5 over the base64-decoded key blob, hex pairs joined by `:`.
 * Robot answers a duplicate key body with KEY_ALREADY_EXISTS; this finds the stored copy.
 */
export function robotKeyFingerprint(publicKey: string): string {
    const [type, blob] = publicKey.trim().split(/\s+/);
    const bytes = blob && /^[A-Za-z0-9+/]+={0,2}$/.test(blob) ? Buffer.from(blob, "base64") : Buffer.alloc(0);
    // The blob starts with its own key type (length-prefixed): a cheap proof this is a real key line.
    const embeddedType = bytes.length > 4 ? bytes.subarray(4, 4 + bytes.readUInt32BE(0)).toString("latin1") : "";
    if (!type || embeddedType !== type) {
        throw new Error("not an OpenSSH public key (expected `<type> <base64> [comment]`)");
    }
    // `require` keeps this module free of top-level imports (it is serialized into the dynamic provider).
    const crypto = require("node:crypto") as typeof import("node:crypto");
    const hex = crypto.createHash("md5").update(bytes).digest("hex");
    return (hex.match(/../g) ?? []).join(":");
}

/**
 * A `Retry-After` header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) as milliseconds from now;
 * undefined when absent or unreadable.
 */
function retryAfterMs(header: string | null): number | undefined {
    if (header === null || header.trim() === "") {
        return undefined;
    }
    if (/^\d+$/.test(header.trim())) {
        return Number(header.trim()) * 1000;
    }
    const at = Date.parse(header);
    return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

interface RequestOptions {
    form?: FormFields;
    /** Safe to repeat: GETs, and POSTs the docs define as setting a value. */
    idempotent: boolean;
    /** Server the request is about, for the SERVER_NOT_FOUND message. */
    serverNumber?: number;
}

function asStringArray(value: unknown): string[] {
    if (value === null || value === undefined) {
        return [];
    }
    return (Array.isArray(value) ? value : [value]).map(String);
}

/** `authorized_key` / `host_key` entries come as strings or `{key: {fingerprint|data...}}` objects. */
function keyStrings(value: unknown, field: "fingerprint" | "data"): string[] {
    if (!Array.isArray(value)) {
        return [];
    }
    return value
        .map((entry) => {
            if (typeof entry === "string") {
                return entry;
            }
            const inner = (entry as { key?: Record<string, unknown> } | null)?.key ?? (entry as Record<string, unknown> | null);
            const picked = inner?.[field] ?? inner?.key;
            return typeof picked === "string" ? picked : undefined;
        })
        .filter((s): s is string => typeof s === "string" && s.length > 0);
}

/** Typed Robot web-service client. */
export class RobotClient {
    /** Base URL in use. */
    readonly baseUrl: string;
    private readonly authorization: string;
    private readonly retry: RetryPolicy;
    private readonly sleep: (ms: number) => Promise<void>;
    private readonly requestTimeoutMs: number;

    constructor(options: RobotClientOptions) {
        if (!options.credentials.user || !options.credentials.password) {
            throw new Error("Robot web-service credentials are empty: set platform:robotUser and platform:robotPassword");
        }
        this.baseUrl = (options.baseUrl ?? ROBOT_DEFAULT_BASE_URL).replace(/\/+$/, "");
        this.authorization = `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString("base64")}`;
        this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
        this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
        this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    }

    /** `GET /server/{number}`: IPs and name. Throws "Robot server N is not in this account" on SERVER_NOT_FOUND. */
    async getServer(serverNumber: number): Promise<RobotServer> {
        const body = await this.request<{ server: RobotServer }>("GET", `/server/${serverNumber}`, { idempotent: true, serverNumber });
        return body.server;
    }

    /** `POST /server/{number}` with `server_name`: sets a value, so it is safe to retry. */
    async setServerName(serverNumber: number, name: string): Promise<RobotServer> {
        const body = await this.request<{ server: RobotServer }>("POST", `/server/${serverNumber}`, { form: { server_name: name }, idempotent: true, serverNumber });
        return body.server;
    }

    /** `GET /key`; Robot answers 404 NOT_FOUND when the account has no keys, which is an empty list. */
    async listKeys(): Promise<RobotKey[]> {
        try {
            const body = await this.request<Array<{ key: RobotKey }>>("GET", "/key", { idempotent: true });
            return (body ?? []).map((entry) => entry.key);
        } catch (error) {
            if (isRobotError(error, "NOT_FOUND")) {
                return [];
            }
            throw error;
        }
    }

    /**
     * `POST /key` (`name`, `data`). Robot rejects a key body it already stores (under any name) with
     * KEY_ALREADY_EXISTS; then the stored key is found by fingerprint and reused, whatever its name. That also
     * makes the call safe to retry: a repeat of a create that went through resolves to the same key.
     */
    async createKey(name: string, data: string): Promise<RobotKey> {
        const fingerprint = robotKeyFingerprint(data);
        try {
            const body = await this.request<{ key: RobotKey }>("POST", "/key", { form: { name, data: data.trim() }, idempotent: true });
            return body.key;
        } catch (error) {
            if (!isRobotError(error, "KEY_ALREADY_EXISTS")) {
                throw error;
            }
            const keys = await this.listKeys();
            const existing = keys.find((k) => k.fingerprint === fingerprint);
            if (existing) {
                return existing;
            }
            const sameName = keys.find((k) => k.name === name);
            throw new RobotApiError(
                error.status,
                error.code,
                error.robotMessage,
                error.request,
                sameName
                    ? `Robot already stores a different key named "${name}" (fingerprint ${sameName.fingerprint}, ours is ${fingerprint}); rename or delete it in Robot`
                    : `Robot reported KEY_ALREADY_EXISTS for key "${name}" but no stored key has fingerprint ${fingerprint}`,
                error.details,
            );
        }
    }

    /** `GET /boot/{number}/rescue`. */
    async getRescue(serverNumber: number): Promise<RobotRescue> {
        const body = await this.request<{ rescue: Record<string, unknown> }>("GET", `/boot/${serverNumber}/rescue`, { idempotent: true, serverNumber });
        return this.normalizeRescue(serverNumber, body.rescue);
    }

    /**
     * `POST /boot/{number}/rescue` (`os`, `authorized_key`): the next boot starts the rescue system. Not
     * retried: a repeat of a successful activation fails with BOOT_ALREADY_ENABLED.
     */
    async activateRescue(serverNumber: number, activation: RescueActivation): Promise<RobotRescue> {
        const body = await this.request<{ rescue: Record<string, unknown> }>("POST", `/boot/${serverNumber}/rescue`, {
            form: { os: activation.os, authorized_key: activation.authorized_key },
            idempotent: false,
            serverNumber,
        });
        return this.normalizeRescue(serverNumber, body.rescue);
    }

    /** `DELETE /boot/{number}/rescue`: drops a pending activation (it may carry another key). Idempotent. */
    async deactivateRescue(serverNumber: number): Promise<RobotRescue> {
        const body = await this.request<{ rescue: Record<string, unknown> }>("DELETE", `/boot/${serverNumber}/rescue`, { idempotent: true, serverNumber });
        return this.normalizeRescue(serverNumber, body.rescue);
    }

    /** `GET /reset/{number}`: the reset types this server allows. */
    async getReset(serverNumber: number): Promise<RobotResetOptions> {
        const body = await this.request<{ reset: { server_number?: number; type?: unknown; operating_status?: string } }>("GET", `/reset/${serverNumber}`, {
            idempotent: true,
            serverNumber,
        });
        return {
            server_number: body.reset.server_number ?? serverNumber,
            type: asStringArray(body.reset.type) as ResetType[],
            operating_status: body.reset.operating_status,
        };
    }

    /** `POST /reset/{number}` (`type`). Never retried: a reset that went through must not run twice. */
    async reset(serverNumber: number, type: ResetType): Promise<ResetType> {
        const body = await this.request<{ reset: { type?: unknown } }>("POST", `/reset/${serverNumber}`, { form: { type }, idempotent: false, serverNumber });
        return (asStringArray(body.reset.type)[0] ?? type) as ResetType;
    }

    /** `GET /firewall/{number}`. */
    async getFirewall(serverNumber: number): Promise<RobotFirewallStatus> {
        const body = await this.request<{ firewall: Partial<RobotFirewallStatus> & { rules?: Partial<RobotFirewallStatus["rules"]> } }>("GET", `/firewall/${serverNumber}`, {
            idempotent: true,
            serverNumber,
        });
        const firewall = body.firewall;
        return {
            server_number: firewall.server_number ?? serverNumber,
            status: firewall.status ?? "disabled",
            filter_ipv6: firewall.filter_ipv6 === true,
            whitelist_hos: firewall.whitelist_hos === true,
            rules: { input: firewall.rules?.input ?? [], output: firewall.rules?.output ?? [] },
        };
    }

    /**
     * `POST /firewall/{number}` with a whole configuration (`status`, `filter_ipv6`, `whitelist_hos`,
     * `rules[input][i][...]`): it replaces the configuration, so repeating it is safe. Robot applies it
     * asynchronously (status `in process`) and answers FIREWALL_IN_PROCESS while a change is pending.
     */
    async setFirewall(serverNumber: number, form: Record<string, string>): Promise<RobotFirewallStatus> {
        await this.request<unknown>("POST", `/firewall/${serverNumber}`, { form, idempotent: true, serverNumber });
        return this.getFirewall(serverNumber);
    }

    /** `GET /vswitch` (naked list). */
    async listVSwitches(): Promise<RobotVSwitch[]> {
        try {
            return (await this.request<RobotVSwitch[]>("GET", "/vswitch", { idempotent: true })) ?? [];
        } catch (error) {
            if (isRobotError(error, "NOT_FOUND")) {
                return [];
            }
            throw error;
        }
    }

    /** `GET /vswitch/{id}` with connected servers. */
    async getVSwitch(id: number): Promise<RobotVSwitch> {
        return this.request<RobotVSwitch>("GET", `/vswitch/${id}`, { idempotent: true });
    }

    /** `POST /vswitch` (`name`, `vlan`). Not retried: a repeat would create a second vSwitch. */
    async createVSwitch(name: string, vlan: number): Promise<RobotVSwitch> {
        return this.request<RobotVSwitch>("POST", "/vswitch", { form: { name, vlan }, idempotent: false });
    }

    /** `POST /vswitch/{id}` (`name`, `vlan`): sets values, safe to retry. */
    async updateVSwitch(id: number, name: string, vlan: number): Promise<void> {
        await this.request<unknown>("POST", `/vswitch/${id}`, { form: { name, vlan }, idempotent: true });
    }

    /** `DELETE /vswitch/{id}` (`cancellation_date=now`). */
    async cancelVSwitch(id: number): Promise<void> {
        await this.request<unknown>("DELETE", `/vswitch/${id}`, { form: { cancellation_date: "now" }, idempotent: true });
    }

    /** `POST /vswitch/{id}/server` (`server[]`). Not retried: Robot queues the change (VSWITCH_IN_PROCESS meanwhile). */
    async addServerToVSwitch(id: number, serverNumbers: readonly number[]): Promise<void> {
        await this.request<unknown>("POST", `/vswitch/${id}/server`, { form: { server: serverNumbers }, idempotent: false });
    }

    private normalizeRescue(serverNumber: number, raw: Record<string, unknown> | undefined): RobotRescue {
        const rescue = raw ?? {};
        return {
            server_number: typeof rescue.server_number === "number" ? rescue.server_number : serverNumber,
            active: rescue.active === true,
            os: asStringArray(rescue.os),
            password: typeof rescue.password === "string" ? rescue.password : null,
            authorized_key: keyStrings(rescue.authorized_key, "fingerprint"),
            host_key: keyStrings(rescue.host_key, "data"),
        };
    }

    /** One call with the retry budget applied to safe requests. */
    private async request<T>(method: "GET" | "POST" | "DELETE", path: string, options: RequestOptions): Promise<T> {
        let retries = 0;
        let slept = 0;
        for (;;) {
            try {
                return await this.send<T>(method, path, options);
            } catch (error) {
                if (!isRobotApiError(error) || !options.idempotent || !this.isTransient(error)) {
                    throw error;
                }
                const delay = this.delayFor(retries, error);
                if (retries >= this.retry.maxRetries || slept + delay > this.retry.maxTotalDelayMs) {
                    const asked = error.details.retryAfterMs !== undefined ? `; Robot asked to retry after ${Math.ceil(error.details.retryAfterMs / 1000)}s` : "";
                    throw new RobotApiError(
                        error.status,
                        error.code,
                        error.robotMessage,
                        error.request,
                        `Robot ${error.request} still failing with ${error.status} ${error.code} after ${retries} retries ` +
                            `(${Math.round(slept / 1000)}s of back-off, budget ${this.retry.maxRetries} retries / ${Math.round(this.retry.maxTotalDelayMs / 1000)}s${asked}): ${error.robotMessage}`,
                        { ...error.details, retries },
                    );
                }
                await this.sleep(delay);
                slept += delay;
                retries++;
            }
        }
    }

    /**
     * Rate limits (Robot's 403 RATE_LIMIT_EXCEEDED, a plain 429), gateway errors (502/503/504: the proxy in
     * front of Robot, or Robot in maintenance) and network failures pass; everything else is an answer.
     */
    private isTransient(error: RobotApiError): boolean {
        return error.code === "RATE_LIMIT_EXCEEDED" || error.code === "NETWORK_ERROR" || [429, 502, 503, 504].includes(error.status);
    }

    /**
     * Exponential back-off, capped; for rate limits at least the average spacing Robot allows (`interval`
     * seconds / `max_request`), so a retry does not land in the same exhausted window. A `Retry-After` is
     * honoured even above the cap (retrying earlier is what the server asked us not to do); the budget
     * check in `request` then decides whether waiting that long is acceptable.
     */
    private delayFor(retries: number, error: RobotApiError): number {
        let delay = this.retry.baseDelayMs * 2 ** retries;
        const { interval, maxRequest, retryAfterMs } = error.details;
        if (error.code === "RATE_LIMIT_EXCEEDED" && interval && maxRequest) {
            delay = Math.max(delay, Math.ceil((interval * 1000) / maxRequest));
        }
        return Math.max(Math.min(delay, this.retry.maxDelayMs), retryAfterMs ?? 0);
    }

    private async send<T>(method: string, path: string, options: RequestOptions): Promise<T> {
        const request = `${method} ${path}`;
        const headers: Record<string, string> = { Authorization: this.authorization, Accept: "application/json" };
        let body: string | undefined;
        if (options.form) {
            headers["Content-Type"] = "application/x-www-form-urlencoded";
            body = encodeForm(options.form);
        }
        let response: Response;
        try {
            response = await fetch(`${this.baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(this.requestTimeoutMs) });
        } catch (cause) {
            const reason = cause instanceof Error ? `${cause.message}${cause.cause instanceof Error ? ` (${cause.cause.message})` : ""}` : String(cause);
            throw new RobotApiError(0, "NETWORK_ERROR", reason, request);
        }
        const text = await response.text();
        if (response.ok) {
            if (text.trim() === "") {
                return undefined as T;
            }
            try {
                return JSON.parse(text) as T;
            } catch {
                throw new RobotApiError(response.status, "INVALID_RESPONSE", `not JSON: ${text.slice(0, 200)}`, request);
            }
        }
        throw this.errorFrom(response.status, text, request, options.serverNumber, retryAfterMs(response.headers.get("retry-after")));
    }

    private errorFrom(status: number, text: string, request: string, serverNumber: number | undefined, retryAfter: number | undefined): RobotApiError {
        let parsed: { status?: number; code?: string; message?: string; missing?: unknown; invalid?: unknown; max_request?: unknown; interval?: unknown } | undefined;
        try {
            parsed = (JSON.parse(text) as { error?: typeof parsed }).error;
        } catch {
            parsed = undefined;
        }
        const fallbackCode = status === 401 ? "UNAUTHORIZED" : status === 404 ? "NOT_FOUND" : status === 429 ? "RATE_LIMIT_EXCEEDED" : status >= 500 ? "INTERNAL_ERROR" : `HTTP_${status}`;
        const code = parsed?.code || fallbackCode;
        // A gateway in front of Robot answers with an HTML page: its title says it all.
        const htmlTitle = /<title>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
        const robotMessage = parsed?.message || htmlTitle || text.trim().replace(/\s+/g, " ").slice(0, 200) || `HTTP ${status}`;
        const details: RobotErrorDetails = {
            missing: Array.isArray(parsed?.missing) ? parsed.missing.map(String) : undefined,
            invalid: Array.isArray(parsed?.invalid) ? parsed.invalid.map(String) : undefined,
            maxRequest: typeof parsed?.max_request === "number" ? parsed.max_request : undefined,
            interval: typeof parsed?.interval === "number" ? parsed.interval : undefined,
            ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
        };
        let message: string | undefined;
        if (code === "SERVER_NOT_FOUND" && serverNumber !== undefined) {
            message = `Robot server ${serverNumber} is not in this account (${request}: ${robotMessage}); check the robotServers numbers in the stack config`;
        } else if (code === "UNAUTHORIZED") {
            message = `Robot rejected the web-service credentials (${request}: ${status} UNAUTHORIZED); platform:robotUser must be the web-service user, not the Robot login`;
        } else if (code === "INVALID_INPUT") {
            const parts = [details.missing?.length ? `missing ${details.missing.join(", ")}` : "", details.invalid?.length ? `invalid ${details.invalid.join(", ")}` : ""].filter(Boolean);
            message = `Robot ${request} rejected its input${parts.length ? ` (${parts.join("; ")})` : ""}: ${robotMessage}`;
        }
        return new RobotApiError(parsed?.status ?? status, code, robotMessage, request, message, details);
    }
}

// One export list for the values (and the RobotApiError type merged with its constructor): TypeScript's
// CommonJS output then refers to them by their local names inside this module, never as `exports.X`.
export { DEFAULT_RETRY_POLICY, ROBOT_DEFAULT_BASE_URL, RobotApiError };
