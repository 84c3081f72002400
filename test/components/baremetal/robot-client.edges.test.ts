import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { isRobotApiError, RobotApiError, RobotClient, robotKeyFingerprint } from "../../../components/baremetal/robot-client";
import { md5Fingerprint, startRobotFake, type RobotFake } from "../../helpers/robot-fake-server";
import { caughtRobotError } from "../../helpers/robot-errors";
import { sshKeyPair } from "../../helpers/ssh-keys";

/**
 * The Robot client's edges: answers the stateful fake does not give (odd bodies, gateways, fields left out),
 * which methods may be repeated, and the exact words of its errors. Expected values are written from Robot's
 * documented behaviour and the messages the client promises, never read back from the client.
 */

const CREDENTIALS = { user: "#ws+platform", password: "robot-secret" };
const POLICY = { baseDelayMs: 1000, maxDelayMs: 60_000, maxRetries: 4, maxTotalDelayMs: 600_000 };

/** One canned answer of the raw server. */
interface Canned {
    status: number;
    body?: string;
    headers?: Record<string, string>;
}

let fake: RobotFake | undefined;
let raw: http.Server | undefined;
afterEach(async () => {
    await fake?.close();
    fake = undefined;
    await new Promise<void>((resolve) => (raw ? raw.close(() => resolve()) : resolve()));
    raw = undefined;
});

/** A server answering every request with `answer(request)`; records the requests' headers. */
async function rawRobot(answer: (req: http.IncomingMessage) => Canned): Promise<{ client: RobotClient; seen: http.IncomingHttpHeaders[]; sleeps: number[] }> {
    const seen: http.IncomingHttpHeaders[] = [];
    raw = http.createServer((req, res) => {
        seen.push(req.headers);
        req.resume();
        req.on("end", () => {
            const canned = answer(req);
            res.writeHead(canned.status, { "Content-Type": "application/json", ...canned.headers });
            res.end(canned.body ?? "");
        });
    });
    await new Promise<void>((resolve) => raw!.listen(0, "127.0.0.1", () => resolve()));
    const sleeps: number[] = [];
    const client = new RobotClient({ credentials: CREDENTIALS, baseUrl: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`, sleep: async (ms) => void sleeps.push(ms), retry: POLICY });
    return { client, seen, sleeps };
}

const json = (status: number, body: unknown): Canned => ({ status, body: JSON.stringify(body) });

async function fakeRobot() {
    fake = await startRobotFake({ servers: [{ server_number: 1001 }, { server_number: 1002 }] });
    const sleeps: number[] = [];
    const client = new RobotClient({ credentials: CREDENTIALS, baseUrl: fake.url, sleep: async (ms) => void sleeps.push(ms), retry: POLICY });
    return { fake, client, sleeps };
}

describe("Robot client construction", () => {
    it("talks to Robot's documented web-service address unless told otherwise", () => {
        expect(new RobotClient({ credentials: CREDENTIALS }).baseUrl).toBe("https://robot-ws.your-server.de");
    });

    it("drops trailing slashes of a base URL, keeping its path", () => {
        expect(new RobotClient({ credentials: CREDENTIALS, baseUrl: "https://proxy.example.com/robot//" }).baseUrl).toBe("https://proxy.example.com/robot");
        expect(new RobotClient({ credentials: CREDENTIALS, baseUrl: "https://proxy.example.com/robot" }).baseUrl).toBe("https://proxy.example.com/robot");
    });

    it("refuses a user without a password and a password without a user", () => {
        expect(() => new RobotClient({ credentials: { user: "", password: "x" } })).toThrow("Robot web-service credentials are empty: set platform:robotUser and platform:robotPassword");
        expect(() => new RobotClient({ credentials: { user: "#ws+platform", password: "" } })).toThrow("Robot web-service credentials are empty");
    });

    it("sends Basic auth of user:password and asks for JSON", async () => {
        const { client, seen } = await rawRobot(() => json(200, { server: { server_number: 1 } }));
        await client.getServer(1);
        expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from("#ws+platform:robot-secret").toString("base64")}`);
        expect(seen[0]!.accept).toBe("application/json");
    });

    it("waits with real timers when no sleep is injected", async () => {
        fake = await startRobotFake({ servers: [{ server_number: 1001 }] });
        const client = new RobotClient({ credentials: CREDENTIALS, baseUrl: fake.url, retry: { baseDelayMs: 40, maxDelayMs: 40, maxRetries: 2, maxTotalDelayMs: 1000 } });
        fake.gatewayError({ method: "GET", path: "/server/1001" }, 1, 503);
        const started = Date.now();
        expect((await client.getServer(1001)).server_number).toBe(1001);
        expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    });
});

describe("isRobotApiError judges by class, or by name and code when the prototype was lost", () => {
    it.each([
        ["a RobotApiError", new RobotApiError(404, "NOT_FOUND", "not found", "GET /key"), true],
        ["an Error named RobotApiError with a string code", Object.assign(new Error("x"), { name: "RobotApiError", code: "NOT_FOUND" }), true],
        ["an Error named RobotApiError without a code", Object.assign(new Error("x"), { name: "RobotApiError" }), false],
        ["an Error named RobotApiError with a numeric code", Object.assign(new Error("x"), { name: "RobotApiError", code: 404 }), false],
        ["another Error with a code", Object.assign(new Error("x"), { code: "ECONNRESET" }), false],
        ["a plain object shaped like one", { name: "RobotApiError", code: "NOT_FOUND", message: "x" }, false],
    ] as const)("%s: %s", (_what, error, expected) => {
        expect(isRobotApiError(error)).toBe(expected);
    });
});

describe("robotKeyFingerprint", () => {
    const key = sshKeyPair("platform").public;
    const [type, blob] = key.split(" ") as [string, string];
    const refusal = "not an OpenSSH public key (expected `<type> <base64> [comment]`)";

    it("ignores surrounding whitespace and runs of blanks between the fields", () => {
        const expected = md5Fingerprint(key);
        expect(robotKeyFingerprint(`  ${key}\n`)).toBe(expected);
        expect(robotKeyFingerprint(`${type}  \t${blob}   comment`)).toBe(expected);
    });

    it.each([
        ["an empty line", ""],
        ["a type only", "ssh-ed25519"],
        ["a blob that is not base64", "ssh-ed25519 ***"],
        ["junk after the blob", `TYPE BLOB!`],
        ["junk before the blob", `TYPE !BLOB`],
        ["a blob of another key type", "ssh-rsa BLOB"],
        ["a blob too short to name its type", "ssh-ed25519 AAAA"],
    ])("refuses %s", (_what, line) => {
        expect(() => robotKeyFingerprint(line.replace("TYPE", type).replace("BLOB", blob))).toThrow(refusal);
    });
});

describe("answers the fake does not give", () => {
    it("a reset with one type as a string, and one without types", async () => {
        let answer = json(200, { reset: { server_number: 7, type: "hw", operating_status: "ready" } });
        const { client } = await rawRobot(() => answer);
        expect(await client.getReset(7)).toEqual({ server_number: 7, type: ["hw"], operating_status: "ready" });
        answer = json(200, { reset: {} });
        expect(await client.getReset(8)).toEqual({ server_number: 8, type: [], operating_status: undefined });
        answer = json(200, { reset: { type: null } });
        expect((await client.getReset(8)).type).toEqual([]);
    });

    it("a rescue with keys as strings, as {key: {...}} and as bare objects, dropping empty and unreadable ones", async () => {
        const { client } = await rawRobot(() =>
            json(200, {
                rescue: {
                    os: "linux",
                    authorized_key: ["aa:bb", { key: { fingerprint: "cc:dd" } }, { fingerprint: "ee:ff" }, { key: {} }, "", null, 42],
                    host_key: [{ key: { data: "ssh-ed25519 AAAA" } }, "ssh-rsa BBBB", { key: { fingerprint: "not data" } }],
                },
            }),
        );
        expect(await client.getRescue(5)).toEqual({
            server_number: 5,
            active: false,
            os: ["linux"],
            password: null,
            authorized_key: ["aa:bb", "cc:dd", "ee:ff"],
            host_key: ["ssh-ed25519 AAAA", "ssh-rsa BBBB"],
        });
    });

    it("a rescue without key lists", async () => {
        const { client } = await rawRobot(() => json(200, { rescue: { server_number: 5, active: true, os: ["linux"], password: "pw" } }));
        expect(await client.getRescue(5)).toEqual({ server_number: 5, active: true, os: ["linux"], password: "pw", authorized_key: [], host_key: [] });
    });

    it("a firewall with fields left out, and one with every switch on", async () => {
        let answer = json(200, { firewall: {} });
        const { client } = await rawRobot(() => answer);
        expect(await client.getFirewall(9)).toEqual({ server_number: 9, status: "disabled", filter_ipv6: false, whitelist_hos: false, rules: { input: [], output: [] } });
        answer = json(200, { firewall: { server_number: 9, status: "active", filter_ipv6: true, whitelist_hos: true, rules: { input: [{ action: "accept" }] } } });
        expect(await client.getFirewall(9)).toEqual({ server_number: 9, status: "active", filter_ipv6: true, whitelist_hos: true, rules: { input: [{ action: "accept" }], output: [] } });
        answer = json(200, { firewall: { filter_ipv6: "true", whitelist_hos: 1 } });
        expect(await client.getFirewall(9)).toMatchObject({ filter_ipv6: false, whitelist_hos: false });
    });

    it("empty bodies of a key list and a vSwitch list (blank or whitespace) are empty lists", async () => {
        let answer: Canned = { status: 200, body: "" };
        const { client } = await rawRobot(() => answer);
        expect(await client.listKeys()).toEqual([]);
        answer = { status: 200, body: " \n" };
        expect(await client.listKeys()).toEqual([]);
        expect(await client.listVSwitches()).toEqual([]);
    });

    it("a vSwitch list answered 404 NOT_FOUND is empty; another error is thrown", async () => {
        let answer = json(404, { error: { status: 404, code: "NOT_FOUND", message: "No vSwitch found" } });
        const { client } = await rawRobot(() => answer);
        expect(await client.listVSwitches()).toEqual([]);
        answer = json(403, { error: { status: 403, code: "FORBIDDEN", message: "no access" } });
        expect(await caughtRobotError(client.listVSwitches())).toMatchObject({ code: "FORBIDDEN", status: 403 });
    });

    it("a 200 that is not JSON is INVALID_RESPONSE quoting at most 200 characters", async () => {
        let answer: Canned = { status: 200, body: "<html>maintenance</html>" };
        const { client } = await rawRobot(() => answer);
        expect(await caughtRobotError(client.getServer(1))).toMatchObject({ status: 200, code: "INVALID_RESPONSE", robotMessage: "not JSON: <html>maintenance</html>", request: "GET /server/1" });
        answer = { status: 200, body: `<${"x".repeat(300)}` };
        expect((await caughtRobotError(client.getServer(1))).robotMessage).toBe(`not JSON: <${"x".repeat(199)}`);
    });
});

describe("errors without Robot's JSON", () => {
    it.each([
        [404, "nope", "NOT_FOUND", "nope"],
        [500, "", "INTERNAL_ERROR", "HTTP 500"],
        [501, "not implemented", "INTERNAL_ERROR", "not implemented"],
        [418, "  short\n\n  and   stout  ", "HTTP_418", "short and stout"],
        [400, "", "HTTP_400", "HTTP 400"],
        [409, "<html><head><title> 409 Conflict </title></head></html>", "HTTP_409", "409 Conflict"],
    ])("%i %j is %s with message %j", async (status, body, code, message) => {
        const { client } = await rawRobot(() => ({ status, body, headers: { "Content-Type": "text/plain" } }));
        const error = await caughtRobotError(client.reset(1, "sw"));
        expect(error).toMatchObject({ status, code, robotMessage: message });
        expect(error.message).toBe(`Robot POST /reset/1 failed: ${status} ${code}: ${message}`);
    });

    it("quotes at most 200 characters of a text body", async () => {
        const { client } = await rawRobot(() => ({ status: 400, body: "y".repeat(250), headers: { "Content-Type": "text/plain" } }));
        expect((await caughtRobotError(client.reset(1, "sw"))).robotMessage).toBe("y".repeat(200));
    });

    it("a connection failure names fetch's reason and its cause", async () => {
        const { client } = await rawRobot(() => json(200, {}));
        const port = (raw!.address() as AddressInfo).port;
        await new Promise<void>((resolve) => raw!.close(() => resolve()));
        raw = undefined;
        const error = await caughtRobotError(client.reset(1, "sw"));
        expect(error.code).toBe("NETWORK_ERROR");
        expect(error.robotMessage).toBe(`fetch failed (connect ECONNREFUSED 127.0.0.1:${port})`);
    });
});

describe("timeouts and unreadable Retry-After", () => {
    it("a request Robot never answers is aborted after requestTimeoutMs as NETWORK_ERROR", async () => {
        raw = http.createServer(() => {
            // never answers
        });
        await new Promise<void>((resolve) => raw!.listen(0, "127.0.0.1", () => resolve()));
        const client = new RobotClient({ credentials: CREDENTIALS, baseUrl: `http://127.0.0.1:${(raw.address() as AddressInfo).port}`, requestTimeoutMs: 100, sleep: async () => {} });
        const error = await caughtRobotError(client.reset(1, "sw"));
        expect(error).toMatchObject({ code: "NETWORK_ERROR", robotMessage: "The operation was aborted due to timeout" });
        raw.closeAllConnections();
    });

    it.each(["120abc", "abc120", "soon"])("Retry-After %j is neither seconds nor a date: the back-off alone decides", async (retryAfter) => {
        let calls = 0;
        const { client, sleeps } = await rawRobot(() =>
            calls++ === 0 ? { status: 503, body: "busy", headers: { "Retry-After": retryAfter, "Content-Type": "text/plain" } } : json(200, { server: { server_number: 1 } }),
        );
        await client.getServer(1);
        expect(sleeps).toEqual([1000]);
    });
});

describe("error messages and details", () => {
    it("a Robot error with another code gets the plain message and no Retry-After detail", async () => {
        const { client } = await rawRobot(() => json(409, { error: { status: 409, code: "CONFLICT", message: "already in use" } }));
        const error = await caughtRobotError(client.reset(3, "hw"));
        expect(error.message).toBe("Robot POST /reset/3 failed: 409 CONFLICT: already in use");
        expect("retryAfterMs" in error.details).toBe(false);
    });

    it("SERVER_NOT_FOUND for a call not about one server keeps the plain message", async () => {
        const { client } = await fakeRobot();
        const vswitch = await client.createVSwitch("platform", 4001);
        const error = await caughtRobotError(client.addServerToVSwitch(vswitch.id, [4242]));
        expect(error.code).toBe("SERVER_NOT_FOUND");
        expect(error.message).toBe(`Robot POST /vswitch/${vswitch.id}/server failed: 404 SERVER_NOT_FOUND: Server not found`);
    });

    it.each([
        [{ missing: ["name", "vlan"], invalid: ["type", "ip"] }, " (missing name, vlan; invalid type, ip)"],
        [{ missing: ["name"], invalid: null }, " (missing name)"],
        [{ missing: null, invalid: ["vlan"] }, " (invalid vlan)"],
        [{ missing: [], invalid: [] }, ""],
    ])("INVALID_INPUT %j names the fields", async (fields, named) => {
        const { client } = await rawRobot(() => json(400, { error: { status: 400, code: "INVALID_INPUT", message: "invalid input", ...fields } }));
        expect((await caughtRobotError(client.createVSwitch("x", 4000))).message).toBe(`Robot POST /vswitch rejected its input${named}: invalid input`);
    });

    it("a non-rate-limit error carrying Robot's rate fields backs off exponentially, not by the rate spacing", async () => {
        let calls = 0;
        const { client, sleeps } = await rawRobot(() =>
            calls++ === 0 ? json(503, { error: { status: 503, code: "MAINTENANCE", message: "later", max_request: 1, interval: 3600 } }) : json(200, { server: { server_number: 1 } }),
        );
        await client.getServer(1);
        expect(sleeps).toEqual([1000]);
    });
});

describe("keys", () => {
    it("uploads the key line trimmed, and retries the upload through a gateway error", async () => {
        const { client, fake } = await fakeRobot();
        const key = sshKeyPair("platform").public;
        fake.gatewayError({ method: "POST", path: "/key" }, 1, 503);
        const stored = await client.createKey("platform", `${key}\n`);
        expect(stored.fingerprint).toBe(md5Fingerprint(key));
        expect(fake.keys.map((k) => k.data)).toEqual([key]);
        expect(fake.requests.filter((r) => r.method === "POST").map((r) => r.status)).toEqual([503, 201]);
        // What goes over the wire, not what the fake keeps (it trims on its own): both attempts send the bare line.
        expect(fake.requests.filter((r) => r.method === "POST").map((r) => r.form.data)).toEqual([[key], [key]]);
    });

    it("KEY_ALREADY_EXISTS without a stored key of that fingerprint or name says so", async () => {
        const other = sshKeyPair("someone").public;
        fake = await startRobotFake({ servers: [{ server_number: 1001 }], keys: [{ name: "someone", data: other }] });
        const client = new RobotClient({ credentials: CREDENTIALS, baseUrl: fake.url, sleep: async () => {} });
        const key = sshKeyPair("platform").public;
        fake.failNext({ method: "POST", path: "/key" }, 1, 409, "KEY_ALREADY_EXISTS", "key already exists");
        const error = await caughtRobotError(client.createKey("platform", key));
        expect(error.message).toBe(`Robot reported KEY_ALREADY_EXISTS for key "platform" but no stored key has fingerprint ${md5Fingerprint(key)}`);
    });
});

describe("which calls are repeated after a gateway error", () => {
    it("retries every read and every call that sets a value, once each here", async () => {
        const { client, fake, sleeps } = await fakeRobot();
        const vswitch = await client.createVSwitch("platform", 4001);
        const safe: Array<[string, string, () => Promise<unknown>]> = [
            ["GET", "/boot/1001/rescue", () => client.getRescue(1001)],
            ["DELETE", "/boot/1001/rescue", () => client.deactivateRescue(1001)],
            ["GET", "/reset/1001", () => client.getReset(1001)],
            ["GET", "/firewall/1001", () => client.getFirewall(1001)],
            ["POST", "/firewall/1001", () => client.setFirewall(1001, { status: "active", filter_ipv6: "false", whitelist_hos: "true", "rules[input][0][action]": "accept" })],
            ["GET", "/vswitch", () => client.listVSwitches()],
            ["GET", `/vswitch/${vswitch.id}`, () => client.getVSwitch(vswitch.id)],
            ["POST", `/vswitch/${vswitch.id}`, () => client.updateVSwitch(vswitch.id, "renamed", 4002)],
            ["DELETE", `/vswitch/${vswitch.id}`, () => client.cancelVSwitch(vswitch.id)],
        ];
        for (const [method, path, call] of safe) {
            const before = fake.requests.length;
            sleeps.length = 0;
            fake.gatewayError({ method, path }, 1, 503);
            await call();
            expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`).slice(0, 2), `${method} ${path}`).toEqual([`${method} ${path} 503`, `${method} ${path} ${fake.requests[before + 1]!.status}`]);
            expect(fake.requests[before + 1]!.status, `${method} ${path}`).toBeLessThan(300);
            expect(sleeps, `${method} ${path}`).toEqual([1000]);
        }
        expect(fake.vswitches.find((v) => v.id === vswitch.id)).toMatchObject({ name: "renamed", vlan: 4002, cancelled: true });
        expect(fake.requests.filter((r) => r.method === "DELETE" && r.path === `/vswitch/${vswitch.id}`).at(-1)!.form).toEqual({ cancellation_date: ["now"] });
        expect(fake.servers.get(1001)!.firewall).toMatchObject({ status: "active", filter_ipv6: false, whitelist_hos: true });
    });

    it("never repeats creating a vSwitch or adding servers to one (Robot queues both)", async () => {
        const { client, fake, sleeps } = await fakeRobot();
        fake.gatewayError({ method: "POST", path: "/vswitch" }, 1, 503);
        expect(await caughtRobotError(client.createVSwitch("platform", 4001))).toMatchObject({ status: 503 });
        const vswitch = await client.createVSwitch("platform", 4001);
        fake.gatewayError({ method: "POST", path: `/vswitch/${vswitch.id}/server` }, 1, 502);
        expect(await caughtRobotError(client.addServerToVSwitch(vswitch.id, [1001]))).toMatchObject({ status: 502 });
        expect(fake.calls()).toEqual(["POST /vswitch", "POST /vswitch", `POST /vswitch/${vswitch.id}/server`]);
        expect(sleeps).toEqual([]);
    });

    it("spends the whole time budget: a delay that lands exactly on it is still taken", async () => {
        const { fake, sleeps } = await fakeRobot();
        const exact = new RobotClient({ credentials: CREDENTIALS, baseUrl: fake.url, sleep: async (ms) => void sleeps.push(ms), retry: { ...POLICY, maxTotalDelayMs: 3000 } });
        fake.gatewayError({ method: "GET", path: "/server/1001" }, 2, 503);
        expect((await exact.getServer(1001)).server_number).toBe(1001);
        expect(sleeps).toEqual([1000, 2000]);
    });
});
