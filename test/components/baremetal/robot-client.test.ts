import { afterEach, describe, expect, it } from "vitest";
import { encodeForm, RobotClient, robotKeyFingerprint } from "../../../components/baremetal/robot-client";
import { md5Fingerprint, startRobotFake, type RobotFake, type RobotFakeOptions } from "../../helpers/robot-fake-server";
import { caughtRobotError } from "../../helpers/robot-errors";
import { sshKeyPair } from "../../helpers/ssh-keys";

const CREDENTIALS = { user: "#ws+platform", password: "robot-secret" };
const publicKey = () => sshKeyPair("platform").public;

let fake: RobotFake | undefined;
afterEach(async () => {
    await fake?.close();
    fake = undefined;
});

async function setup(options: RobotFakeOptions = {}, retry?: ConstructorParameters<typeof RobotClient>[0]["retry"]) {
    fake = await startRobotFake({ servers: [{ server_number: 1001, server_name: "ordered" }], ...options });
    const sleeps: number[] = [];
    const client = new RobotClient({ credentials: CREDENTIALS, baseUrl: fake.url, sleep: async (ms) => void sleeps.push(ms), retry });
    return { fake, client, sleeps };
}

describe("Robot client", () => {
    it("reads a server with Basic auth and returns its addresses", async () => {
        const { client, fake } = await setup();
        const server = await client.getServer(1001);
        expect(server).toMatchObject({ server_number: 1001, server_ip: fake.servers.get(1001)!.server_ip, server_ipv6_net: fake.servers.get(1001)!.server_ipv6_net, server_name: "ordered" });
        expect(fake.calls()).toEqual(["GET /server/1001"]);
    });

    it("sends form-encoded POST bodies, arrays as name[]", async () => {
        expect(encodeForm({ server: [1, 2], name: "a b&c", skip: undefined })).toBe("server%5B%5D=1&server%5B%5D=2&name=a+b%26c");
        const { client, fake } = await setup({ servers: [{ server_number: 1001 }, { server_number: 1002 }] });
        const vswitch = await client.createVSwitch("platform-fsn1", 4010);
        await client.addServerToVSwitch(vswitch.id, [1001, 1002]);
        const add = fake.requests.at(-1)!;
        expect(add.contentType).toBe("application/x-www-form-urlencoded");
        expect(add.form["server[]"]).toEqual(["1001", "1002"]);
        expect((await client.getVSwitch(vswitch.id)).server?.map((s) => s.server_number)).toEqual([1001, 1002]);
        expect(await client.listVSwitches()).toEqual([{ id: vswitch.id, name: "platform-fsn1", vlan: 4010, cancelled: false }]);
    });

    it("sets the server name", async () => {
        const { client, fake } = await setup();
        expect((await client.setServerName(1001, "fsn1-run-0")).server_name).toBe("fsn1-run-0");
        expect(fake.servers.get(1001)!.server_name).toBe("fsn1-run-0");
        expect(fake.requests.at(-1)!.form).toEqual({ server_name: ["fsn1-run-0"] });
    });

    it("maps 401 with Robot's JSON body to UNAUTHORIZED", async () => {
        const { fake } = await setup();
        const client = new RobotClient({ credentials: { user: "#ws+platform", password: "wrong" }, baseUrl: fake.url, sleep: async () => {} });
        const error = await caughtRobotError(client.getServer(1001));
        expect(error).toMatchObject({ status: 401, code: "UNAUTHORIZED" });
        expect(error.message).toMatch(/web-service user/);
        expect(fake.requests).toHaveLength(1);
    });

    it("maps a 401 without a JSON body to UNAUTHORIZED as well", async () => {
        const { fake } = await setup({ unauthorizedBody: "empty" });
        const client = new RobotClient({ credentials: { user: "someone", password: "x" }, baseUrl: fake.url, sleep: async () => {} });
        expect(await caughtRobotError(client.listKeys())).toMatchObject({ status: 401, code: "UNAUTHORIZED" });
    });

    it("says clearly when a server is not in the account", async () => {
        const { client } = await setup();
        const error = await caughtRobotError(client.getServer(4242));
        expect(error).toMatchObject({ status: 404, code: "SERVER_NOT_FOUND", robotMessage: "Server not found", request: "GET /server/4242" });
        expect(error.message).toContain("Robot server 4242 is not in this account");
    });

    it("surfaces INVALID_INPUT with the fields Robot names", async () => {
        const { client } = await setup();
        const error = await caughtRobotError(client.createVSwitch("x", 12));
        expect(error).toMatchObject({ status: 400, code: "INVALID_INPUT" });
        expect(error.details.invalid).toEqual(["vlan"]);
        expect(error.message).toContain("invalid vlan");
    });

    it("retries a rate-limited GET with back-off, then succeeds", async () => {
        const { client, fake, sleeps } = await setup({}, { baseDelayMs: 1000, maxDelayMs: 60_000, maxRetries: 5, maxTotalDelayMs: 600_000 });
        fake.rateLimit({ method: "GET", path: "/server/1001" }, 2, { maxRequest: 200, interval: 3600 });
        expect((await client.getServer(1001)).server_number).toBe(1001);
        expect(fake.requests.map((r) => r.status)).toEqual([403, 403, 200]);
        // At least Robot's average spacing (3600 s / 200 requests = 18 s), growing exponentially, capped.
        expect(sleeps).toEqual([18_000, 18_000]);
    });

    it("gives up when the retry budget is exhausted and says so", async () => {
        const { client, fake, sleeps } = await setup({}, { baseDelayMs: 1000, maxDelayMs: 8000, maxRetries: 3, maxTotalDelayMs: 600_000 });
        fake.rateLimit({ method: "GET", path: "/server/1001" }, 10, { maxRequest: 1000, interval: 1 });
        const error = await caughtRobotError(client.getServer(1001));
        expect(error).toMatchObject({ status: 403, code: "RATE_LIMIT_EXCEEDED" });
        expect(error.details).toMatchObject({ retries: 3, maxRequest: 1000, interval: 1 });
        expect(error.message).toMatch(/after 3 retries/);
        expect(fake.requests).toHaveLength(4);
        expect(sleeps).toEqual([1000, 2000, 4000]);
    });

    it("stops early when the next delay would overrun the time budget", async () => {
        const { client, fake, sleeps } = await setup({}, { baseDelayMs: 10_000, maxDelayMs: 60_000, maxRetries: 10, maxTotalDelayMs: 25_000 });
        fake.rateLimit({ path: "/key" }, 10, { maxRequest: 1000, interval: 1 });
        await caughtRobotError(client.listKeys());
        expect(sleeps).toEqual([10_000]);
        expect(fake.requests).toHaveLength(2);
    });

    it("never retries a rate-limited reset (not idempotent)", async () => {
        const { client, fake, sleeps } = await setup();
        fake.rateLimit({ method: "POST", path: "/reset/1001" }, 1);
        expect(await caughtRobotError(client.reset(1001, "sw"))).toMatchObject({ code: "RATE_LIMIT_EXCEEDED" });
        expect(fake.calls()).toEqual(["POST /reset/1001"]);
        expect(sleeps).toEqual([]);
        expect(fake.servers.get(1001)!.resets).toEqual([]);
    });

    it("retries the name update (setting a value is idempotent)", async () => {
        const { client, fake } = await setup();
        fake.rateLimit({ method: "POST", path: "/server/1001" }, 1);
        await client.setServerName(1001, "fsn1-run-0");
        expect(fake.calls()).toEqual(["POST /server/1001", "POST /server/1001"]);
    });

    it("treats Robot's 404 for an empty key list as no keys, and uploads a key", async () => {
        const { client, fake } = await setup();
        expect(await client.listKeys()).toEqual([]);
        const data = publicKey();
        const key = await client.createKey("platform-dev", data);
        expect(key.fingerprint).toBe(md5Fingerprint(data));
        expect(robotKeyFingerprint(data)).toBe(md5Fingerprint(data));
        expect((await client.listKeys()).map((k) => k.name)).toEqual(["platform-dev"]);
        expect(fake.requests.find((r) => r.method === "POST")!.form).toEqual({ name: ["platform-dev"], data: [data.trim()] });
    });

    it("reuses a key Robot already stores under another name (KEY_ALREADY_EXISTS)", async () => {
        const data = publicKey();
        const { client, fake } = await setup({ keys: [{ name: "uploaded-by-hand", data }] });
        const key = await client.createKey("platform-dev", data);
        expect(key).toMatchObject({ name: "uploaded-by-hand", fingerprint: md5Fingerprint(data) });
        expect(fake.calls()).toEqual(["POST /key", "GET /key"]);
        expect(fake.requests[0]!.status).toBe(409);
        expect(fake.keys).toHaveLength(1);
    });

    it("refuses to silently reuse a different key that holds our name", async () => {
        const { client } = await setup({ keys: [{ name: "platform-dev", data: publicKey() }] });
        const error = await caughtRobotError(client.createKey("platform-dev", publicKey()));
        expect(error.code).toBe("KEY_ALREADY_EXISTS");
        expect(error.message).toMatch(/different key named "platform-dev"/);
    });

    it("activates the rescue system with a key fingerprint and reports its host key", async () => {
        const data = publicKey();
        const { client, fake } = await setup({ keys: [{ name: "k", data }] });
        expect((await client.getRescue(1001)).active).toBe(false);
        const rescue = await client.activateRescue(1001, { os: "linux", authorized_key: md5Fingerprint(data) });
        expect(rescue).toMatchObject({ active: true, os: ["linux"], authorized_key: [md5Fingerprint(data)], host_key: [fake.rescueHostKey] });
        expect(fake.requests.at(-1)!.form).toEqual({ os: ["linux"], authorized_key: [md5Fingerprint(data)] });
        // Activating twice is a conflict, which is why activation is never retried.
        expect(await caughtRobotError(client.activateRescue(1001, { os: "linux", authorized_key: md5Fingerprint(data) }))).toMatchObject({ status: 409, code: "BOOT_ALREADY_ENABLED" });
        expect((await client.deactivateRescue(1001)).active).toBe(false);
    });

    it("lists the allowed reset types and resets", async () => {
        const { client, fake } = await setup({ servers: [{ server_number: 1001, resetTypes: ["hw", "man"] }] });
        expect((await client.getReset(1001)).type).toEqual(["hw", "man"]);
        expect(await caughtRobotError(client.reset(1001, "sw"))).toMatchObject({ code: "INVALID_INPUT" });
        expect(await client.reset(1001, "hw")).toBe("hw");
        expect(fake.servers.get(1001)!.resets).toEqual(["hw"]);
    });

    it("turns a connection failure into NETWORK_ERROR and retries it only for safe calls", async () => {
        const started = await setup();
        const url = started.fake.url;
        await started.fake.close();
        fake = undefined;
        const sleeps: number[] = [];
        const client = new RobotClient({ credentials: CREDENTIALS, baseUrl: url, sleep: async (ms) => void sleeps.push(ms), retry: { maxRetries: 2, baseDelayMs: 5 } });
        expect(await caughtRobotError(client.getServer(1001))).toMatchObject({ status: 0, code: "NETWORK_ERROR" });
        expect(sleeps).toEqual([5, 10]);
        sleeps.length = 0;
        expect(await caughtRobotError(client.reset(1001, "sw"))).toMatchObject({ code: "NETWORK_ERROR" });
        expect(sleeps).toEqual([]);
    });

    it("rejects empty credentials before calling Robot", () => {
        expect(() => new RobotClient({ credentials: { user: "", password: "" } })).toThrow(/robotUser/);
    });
});

describe("Robot client: gateway errors and Retry-After", () => {
    const policy = { baseDelayMs: 1000, maxDelayMs: 60_000, maxRetries: 4, maxTotalDelayMs: 600_000 };

    for (const status of [502, 503, 504] as const) {
        it(`retries a GET answered ${status} by the gateway, then returns Robot's answer`, async () => {
            const { client, fake, sleeps } = await setup({}, policy);
            fake.gatewayError({ method: "GET", path: "/server/1001" }, 2, status);
            expect((await client.getServer(1001)).server_number).toBe(1001);
            expect(fake.requests.map((r) => r.status)).toEqual([status, status, 200]);
            expect(sleeps).toEqual([1000, 2000]);
        });
    }

    it("retries an idempotent POST (the name update) through a 502", async () => {
        const { client, fake } = await setup({}, policy);
        fake.gatewayError({ method: "POST", path: "/server/1001" }, 1, 502);
        expect((await client.setServerName(1001, "fsn1-run-0")).server_name).toBe("fsn1-run-0");
        expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["POST /server/1001 502", "POST /server/1001 200"]);
    });

    it("never repeats a reset or a rescue activation after a 503 (the first may have gone through)", async () => {
        const { client, fake, sleeps } = await setup({}, policy);
        fake.gatewayError({ method: "POST", path: "/reset/1001" }, 1, 503);
        const reset = await caughtRobotError(client.reset(1001, "sw"));
        expect(reset).toMatchObject({ status: 503, code: "INTERNAL_ERROR", request: "POST /reset/1001" });
        fake.gatewayError({ method: "POST", path: "/boot/1001/rescue" }, 1, 502);
        expect(await caughtRobotError(client.activateRescue(1001, { os: "linux", authorized_key: "00:11" }))).toMatchObject({ status: 502 });
        expect(fake.calls()).toEqual(["POST /reset/1001", "POST /boot/1001/rescue"]);
        expect(sleeps).toEqual([]);
    });

    it("gives up after the policy's retries with an error that names the status, the request and the budget", async () => {
        const { client, fake, sleeps } = await setup({}, { ...policy, maxRetries: 3 });
        fake.gatewayError({ method: "GET", path: "/server/1001" }, 10, 504);
        const error = await caughtRobotError(client.getServer(1001));
        expect(error).toMatchObject({ status: 504, request: "GET /server/1001", details: { retries: 3 } });
        expect(error.message).toBe("Robot GET /server/1001 still failing with 504 INTERNAL_ERROR after 3 retries (7s of back-off, budget 3 retries / 600s): 504 Gateway Time-out");
        expect(fake.requests).toHaveLength(4);
        expect(sleeps).toEqual([1000, 2000, 4000]);
    });

    it("waits as long as Retry-After (seconds) asks on 503 and 429, longer than its own back-off", async () => {
        const { client, fake, sleeps } = await setup({}, policy);
        fake.gatewayError({ method: "GET", path: "/server/1001" }, 1, 503, { retryAfter: "30" });
        fake.tooManyRequests({ method: "GET", path: "/server/1001" }, 1, "7");
        expect((await client.getServer(1001)).server_number).toBe(1001);
        expect(fake.requests.map((r) => r.status)).toEqual([503, 429, 200]);
        // Back-off alone would have been 1 s and 2 s.
        expect(sleeps).toEqual([30_000, 7_000]);
    });

    it("honours Retry-After as an HTTP-date", async () => {
        const { client, fake, sleeps } = await setup({}, policy);
        fake.gatewayError({ path: "/key" }, 1, 503, { retryAfter: new Date(Date.now() + 20_000).toUTCString() });
        await client.listKeys();
        expect(sleeps).toHaveLength(1);
        // HTTP-dates have whole seconds: between 19 and 20 s from now.
        expect(sleeps[0]).toBeGreaterThanOrEqual(18_000);
        expect(sleeps[0]).toBeLessThanOrEqual(20_000);
    });

    it("does not wait when Retry-After exceeds the time budget, and says what Robot asked for", async () => {
        const { client, fake, sleeps } = await setup({}, { ...policy, maxTotalDelayMs: 120_000 });
        fake.tooManyRequests({ method: "GET", path: "/server/1001" }, 1, "3600");
        const error = await caughtRobotError(client.getServer(1001));
        expect(error).toMatchObject({ status: 429, code: "RATE_LIMIT_EXCEEDED", details: { retries: 0, retryAfterMs: 3_600_000 } });
        expect(error.message).toMatch(/after 0 retries \(0s of back-off, budget 4 retries \/ 120s; Robot asked to retry after 3600s\)/);
        expect(fake.requests).toHaveLength(1);
        expect(sleeps).toEqual([]);
    });
});
