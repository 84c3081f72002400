import { afterEach, describe, expect, it } from "vitest";
import { renderAutosetup, renderInstallCommand, renderPostInstallScript } from "../../../components/baremetal/autosetup";
import { createBaremetalProvider, DEFAULT_TIMEOUTS, RESCUE_FILES, type BaremetalServerInputs, type BaremetalServerState } from "../../../components/baremetal/robot-provider";
import { renderRobotFirewall, robotFirewallForm } from "../../../components/baremetal/robot-firewall";
import { createVSwitchProvider } from "../../../components/baremetal/vswitch-provider";
import { renderFirewallRules, WORLD } from "../../../components/nodes/firewall-rules";
import { baremetalSchema } from "../../../lib/config/schema";
import { createFakeRescueSsh, md5Fingerprint, startRobotFake, type RobotFake, type RobotFakeOptions } from "../../helpers/robot-fake-server";
import { sshKeyPair } from "../../helpers/ssh-keys";

const KEY = sshKeyPair("platform-test");
const SETTINGS = baremetalSchema.parse({});
const USER_DATA = "#cloud-config\nhostname: fsn1-run-0\nruncmd:\n  - [echo, first-boot]\n";

let fake: RobotFake | undefined;
afterEach(async () => {
    await fake?.close();
    fake = undefined;
});

async function setup(options: RobotFakeOptions = {}) {
    fake = await startRobotFake({ servers: [{ server_number: 1001 }, { server_number: 1002 }], vswitches: [{ name: "platform-fsn1", vlan: 4010 }], ...options });
    const ssh = createFakeRescueSsh(fake);
    const clock = { now: 0 };
    const sleeps: number[] = [];
    const logs: string[] = [];
    const provider = createBaremetalProvider({
        ssh: ssh.connector,
        sleep: async (ms) => {
            sleeps.push(ms);
            clock.now += ms;
        },
        now: () => clock.now,
        log: (message) => logs.push(message),
    });
    const vswitchId = fake.vswitches[0]!.id;
    const inputsFor = (serverNumber = 1001, hostname = "fsn1-run-0", overrides: Partial<BaremetalServerInputs> = {}): BaremetalServerInputs => ({
        serverNumber,
        hostname,
        image: SETTINGS.image,
        autosetup: renderAutosetup(SETTINGS, hostname),
        installScript: renderInstallCommand(),
        userData: USER_DATA,
        sshPublicKey: KEY.public,
        sshPrivateKey: KEY.private,
        keyName: "platform-test",
        robotUser: "#ws+platform",
        robotPassword: "robot-secret",
        robotBaseUrl: fake!.url,
        vswitchId: String(vswitchId),
        firewall: renderFirewallRules(false),
        ...overrides,
    });
    return { fake, ssh, provider, sleeps, logs, vswitchId, inputsFor, clock };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { id?: string; properties?: BaremetalServerState }> {
    const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    return error as Error & { id?: string; properties?: BaremetalServerState };
}

describe("bare-metal provider: create", () => {
    it("drives an ordered server through key, rescue, reset, installimage, name and vSwitch", async () => {
        const { fake, ssh, provider, vswitchId, inputsFor } = await setup();
        const inputs = inputsFor();
        const result = await provider.create(inputs);
        const fingerprint = md5Fingerprint(KEY.public);

        expect(fake.calls()).toEqual([
            "GET /server/1001",
            "GET /key",
            "POST /key",
            // The firewall is disabled (it is, on a fresh server) so the rescue SSH can get through.
            "GET /firewall/1001",
            // Reset options first: a server that cannot be reset is refused before any rescue activation.
            "GET /reset/1001",
            "GET /boot/1001/rescue",
            "POST /boot/1001/rescue",
            "POST /reset/1001",
            "POST /server/1001",
            `GET /vswitch/${vswitchId}`,
            `POST /vswitch/${vswitchId}/server`,
            "POST /firewall/1001",
            "GET /firewall/1001",
        ]);
        const form = (call: string) => fake.requests.find((r) => `${r.method} ${r.path}` === call)!.form;
        expect(form("POST /key")).toEqual({ name: ["platform-test"], data: [KEY.public.trim()] });
        expect(form("POST /boot/1001/rescue")).toEqual({ os: ["linux"], authorized_key: [fingerprint] });
        expect(form("POST /reset/1001")).toEqual({ type: ["sw"] });
        expect(form("POST /server/1001")).toEqual({ server_name: ["fsn1-run-0"] });
        expect(form(`POST /vswitch/${vswitchId}/server`)).toEqual({ "server[]": ["1001"] });
        const firewallForm = Object.fromEntries(Object.entries(robotFirewallForm(renderRobotFirewall(renderFirewallRules(false)))).map(([k, v]) => [k, [v]]));
        expect(form("POST /firewall/1001")).toEqual(firewallForm);

        // The SSH step: exactly these files, then exactly these commands.
        expect(ssh.uploads.get(1001)).toEqual([
            { path: RESCUE_FILES.autosetup, content: inputs.autosetup, mode: 0o600 },
            { path: RESCUE_FILES.postInstall, content: renderPostInstallScript(USER_DATA, { hostname: "fsn1-run-0" }), mode: 0o700 },
            { path: RESCUE_FILES.installScript, content: inputs.installScript, mode: 0o700 },
        ]);
        expect(ssh.commands.get(1001)).toEqual(["hostname", RESCUE_FILES.installScript]);
        expect(ssh.installs.get(1001)).toBe(1);

        const server = fake.servers.get(1001)!;
        expect(server.firewall.status).toBe("active");
        expect(server.firewall.rules.input).toHaveLength(10);
        expect(server.running.system).toBe("installed");
        expect(server.resets).toEqual(["sw"]);
        expect(fake.vswitches[0]!.server.map((s) => s.server_number)).toEqual([1001]);
        expect(result.id).toBe("1001");
        expect(result.outs).toMatchObject({
            serverNumber: 1001,
            hostname: "fsn1-run-0",
            ipv4: server.server_ip,
            ipv6Net: server.server_ipv6_net,
            serverName: "fsn1-run-0",
            keyFingerprint: fingerprint,
            resetType: "sw",
            vswitchId,
        });
        // Neither the user-data nor the private key is kept in the state.
        expect(JSON.stringify(result.outs)).not.toContain(USER_DATA.split("\n")[1]);
        expect(JSON.stringify(result.outs)).not.toContain("PRIVATE KEY");
    });

    it("is idempotent: the same inputs again change nothing, no second reset or install", async () => {
        const { fake, ssh, provider, vswitchId, inputsFor } = await setup();
        const inputs = inputsFor();
        const { id, outs } = await provider.create(inputs);
        const diff = await provider.diff!(id, outs!, inputs);
        expect(diff).toMatchObject({ changes: false, replaces: [] });

        const before = fake.requests.length;
        const updated = await provider.update!(id, outs!, inputs);
        expect(fake.calls().slice(before)).toEqual(["GET /server/1001", `GET /vswitch/${vswitchId}`]);
        expect(fake.servers.get(1001)!.resets).toEqual(["sw"]);
        expect(ssh.installs.get(1001)).toBe(1);
        expect(ssh.attempts.filter((a) => a.ok)).toHaveLength(1);
        expect(updated.outs).toEqual(outs);
    });

    it("replaces (reinstalls) only when image, disk layout or user-data change", async () => {
        const { provider, inputsFor } = await setup();
        const inputs = inputsFor();
        const { id, outs } = await provider.create(inputs);
        const diffOf = (overrides: Partial<BaremetalServerInputs>) => provider.diff!(id, outs!, { ...inputs, ...overrides });

        expect(await diffOf({ userData: `${USER_DATA}# new\n` })).toMatchObject({ changes: true, replaces: ["userData"], deleteBeforeReplace: true });
        const raid0 = renderAutosetup({ ...SETTINGS, swraidLevel: 0 }, "fsn1-run-0");
        expect(await diffOf({ autosetup: raid0 })).toMatchObject({ changes: true, replaces: ["autosetup"] });
        const image = "/root/images/Debian-1208-bookworm-amd64-base.tar.gz";
        expect(await diffOf({ image, autosetup: renderAutosetup({ ...SETTINGS, image }, "fsn1-run-0") })).toMatchObject({ replaces: ["image", "autosetup"] });
        expect(await diffOf({ serverNumber: 1002 })).toMatchObject({ replaces: ["serverNumber"] });
        // Not install-relevant: update in place.
        expect(await diffOf({ installScript: `${inputs.installScript}# tweak\n` })).toMatchObject({ changes: false, replaces: [] });
        expect(await diffOf({ vswitchId: undefined })).toMatchObject({ changes: true, replaces: [] });
        expect(await diffOf({ robotPassword: "rotated" })).toMatchObject({ changes: true, replaces: [] });
        expect(await diffOf({ sshPublicKey: sshKeyPair().public })).toMatchObject({ changes: true, replaces: [] });
        // Preview: values of resources still being changed arrive as Pulumi's unknown marker.
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        expect(await diffOf({ vswitchId: unknown })).toMatchObject({ changes: true, replaces: [] });
        expect(await diffOf({ sshPublicKey: unknown })).toMatchObject({ changes: true, replaces: [] });
        expect(await diffOf({ userData: unknown })).toMatchObject({ changes: true, replaces: ["userData"] });
    });

    it("escalates to a hardware reset when the software reset does not bring up the rescue system", async () => {
        const { fake, provider, inputsFor, sleeps, logs } = await setup({ servers: [{ server_number: 1001, softwareResetIneffective: true }] });
        const { outs } = await provider.create(inputsFor(1001, "fsn1-run-0", { vswitchId: undefined }));
        expect(fake.servers.get(1001)!.resets).toEqual(["sw", "hw"]);
        expect(outs!.resetType).toBe("hw");
        // It waited the software-reset budget out before escalating, polling SSH in between.
        expect(sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(DEFAULT_TIMEOUTS.rescueAfterSoftwareResetMs - DEFAULT_TIMEOUTS.sshPollIntervalMs);
        expect(logs.some((l) => l.includes("escalating to a hardware reset"))).toBe(true);
        // The activation survived the ineffective reset, so it was not renewed.
        expect(fake.calls().filter((c) => c === "POST /boot/1001/rescue")).toHaveLength(1);
    });

    it("uses the hardware reset directly when software reset is not offered", async () => {
        const { fake, provider, inputsFor, sleeps } = await setup({ servers: [{ server_number: 1001, resetTypes: ["hw", "man"] }] });
        await provider.create(inputsFor(1001, "fsn1-run-0", { vswitchId: undefined }));
        expect(fake.servers.get(1001)!.resets).toEqual(["hw"]);
        expect(sleeps).toEqual([]);
    });

    it("fails clearly when no automatic reset is possible", async () => {
        const { fake, provider, inputsFor } = await setup({ servers: [{ server_number: 1001, resetTypes: ["man"] }] });
        expect((await rejection(provider.create(inputsFor()))).message).toMatch(/allows no automatic reset \(allowed: man\)/);
        expect(fake.calls().some((c) => c.includes("/boot/"))).toBe(false);
        expect(fake.servers.get(1001)!.resets).toEqual([]);
    });

    it("replaces a pending rescue activation that may carry another key", async () => {
        const other = sshKeyPair().public;
        const { fake, provider, inputsFor } = await setup({ keys: [{ name: "someone-else", data: other }] });
        fake.servers.get(1001)!.rescue = { active: true, authorizedKeys: [md5Fingerprint(other)], password: null };
        await provider.create(inputsFor());
        const sequence = fake.calls().filter((c) => c.includes("/boot/1001/rescue"));
        expect(sequence).toEqual(["GET /boot/1001/rescue", "DELETE /boot/1001/rescue", "POST /boot/1001/rescue"]);
    });

    it("reuses the key Robot already stores (found by fingerprint) and shares it between parallel nodes", async () => {
        const { fake, provider, inputsFor } = await setup();
        await Promise.all([provider.create(inputsFor(1001, "fsn1-run-0")), provider.create(inputsFor(1002, "fsn1-run-1"))]);
        expect(fake.keys.map((k) => k.name)).toEqual(["platform-test"]);
        const keyPosts = fake.requests.filter((r) => r.method === "POST" && r.path === "/key").map((r) => r.status);
        expect(keyPosts.sort()).toEqual([201, 409]);
        expect(fake.vswitches[0]!.server.map((s) => s.server_number).sort()).toEqual([1001, 1002]);
    });

    it("does not upload a key that is already stored under another name", async () => {
        const { fake, provider, inputsFor } = await setup({ keys: [{ name: "uploaded-by-hand", data: KEY.public }] });
        const { outs } = await provider.create(inputsFor(1001, "fsn1-run-0", { vswitchId: undefined }));
        expect(fake.calls()).not.toContain("POST /key");
        expect(outs!.keyFingerprint).toBe(md5Fingerprint(KEY.public));
    });

    it("waits out a busy vSwitch (VSWITCH_IN_PROCESS) and rides a rate-limited read", async () => {
        const { fake, provider, inputsFor, vswitchId, sleeps } = await setup();
        fake.rateLimit({ method: "GET", path: "/server/1001" }, 1);
        fake.failNext({ method: "POST", path: `/vswitch/${vswitchId}/server` }, 2, 409, "VSWITCH_IN_PROCESS", "There is an update running for this vswitch");
        await provider.create(inputsFor());
        expect(fake.requests.filter((r) => r.path === `/vswitch/${vswitchId}/server`).map((r) => r.status)).toEqual([409, 409, 201]);
        expect(sleeps.filter((ms) => ms === DEFAULT_TIMEOUTS.vswitchRetryDelayMs)).toHaveLength(2);
        expect(fake.requests.filter((r) => r.path === "/server/1001" && r.method === "GET").map((r) => r.status)).toEqual([403, 200]);
    });

    it("reports an installimage failure with its output and leaves no resource behind", async () => {
        const { fake, ssh, provider, inputsFor } = await setup();
        ssh.installBehaviour = { code: 1, stderr: "installimage failed; last lines: ERROR: image not found" };
        const error = await rejection(provider.create(inputsFor()));
        expect(error.message).toMatch(/installimage on Robot server 1001 failed \(exit 1\)/);
        expect(error.message).toContain("image not found");
        expect(error.id).toBeUndefined();
        expect(fake.calls()).not.toContain("POST /server/1001");
    });

    it("fails before touching the machine when the server is not in the account", async () => {
        const { fake, provider, inputsFor } = await setup();
        const error = await rejection(provider.create(inputsFor(4242)));
        expect(error.message).toContain("Robot server 4242 is not in this account");
        expect(fake.calls()).toEqual(["GET /server/4242"]);
    });

    it("records an installed server whose configuration failed, and the next update finishes it without reinstalling", async () => {
        const { fake, ssh, provider, inputsFor, vswitchId } = await setup();
        fake.failNext({ method: "POST", path: `/vswitch/${vswitchId}/server` }, 1, 409, "VSWITCH_SERVER_LIMIT_REACHED", "limit reached");
        const inputs = inputsFor();
        const error = await rejection(provider.create(inputs));
        expect(error.message).toMatch(/is installed, but configuring it failed/);
        expect(error.id).toBe("1001");
        expect(error.properties).toMatchObject({ serverNumber: 1001, vswitchId: 0, installHash: expect.stringMatching(/^[0-9a-f]{64}$/) });

        // The engine keeps that partial state; the next run calls diff/update with it.
        expect((await provider.diff!("1001", error.properties!, inputs)).replaces).toEqual([]);
        const { outs } = await provider.update!("1001", error.properties!, inputs);
        expect(outs!.vswitchId).toBe(vswitchId);
        expect(ssh.installs.get(1001)).toBe(1);
        expect(fake.servers.get(1001)!.resets).toEqual(["sw"]);
        expect(fake.vswitches[0]!.server.map((s) => s.server_number)).toEqual([1001]);
    });
});

describe("bare-metal provider: Robot firewall", () => {
    it("reinstalls a server whose firewall is active: disabled for the rescue SSH, re-activated afterwards", async () => {
        const { fake, ssh, provider, inputsFor } = await setup();
        const inputs = inputsFor(1001, "fsn1-run-0", { vswitchId: undefined });
        // A previous install left the node firewall active: it never lets SSH in.
        await provider.create(inputs);
        expect(fake.servers.get(1001)!.firewall.status).toBe("active");
        const before = fake.requests.length;

        await provider.create({ ...inputs, userData: `${USER_DATA}# v2\n` });
        const calls = fake.calls().slice(before);
        const statuses = fake.requests.slice(before).filter((r) => r.method === "POST" && r.path === "/firewall/1001").map((r) => r.form.status![0]);
        expect(statuses).toEqual(["disabled", "active"]);
        expect(calls.indexOf("POST /firewall/1001")).toBeLessThan(calls.indexOf("POST /reset/1001"));
        expect(ssh.installs.get(1001)).toBe(2);
        expect(fake.servers.get(1001)!.firewall.status).toBe("active");
    });

    it("without firewall management, an active Robot firewall makes the rescue unreachable, and the error says why", async () => {
        const { fake, ssh, provider, inputsFor } = await setup({ servers: [{ server_number: 1001, resetTypes: ["hw"] }] });
        fake.servers.get(1001)!.firewall = { status: "active", filter_ipv6: true, whitelist_hos: true, rules: { input: [{ name: "icmp", ip_version: "ipv4", protocol: "icmp", action: "accept" }], output: [] } };
        const error = await rejection(provider.create(inputsFor(1001, "fsn1-run-0", { firewall: undefined, vswitchId: undefined })));
        expect(error.message).toMatch(/did not answer SSH .* after hw reset \(if the server has a Robot firewall, it must let SSH through/);
        expect(ssh.attempts.every((a) => !a.ok && /Robot firewall/.test(a.reason ?? ""))).toBe(true);
        expect(fake.calls()).not.toContain("POST /firewall/1001");
    });

    it("updates only a changed firewall, in place, and waits out FIREWALL_IN_PROCESS", async () => {
        const { fake, provider, inputsFor } = await setup();
        const inputs = inputsFor(1001, "fsn1-run-0", { vswitchId: undefined });
        const { id, outs } = await provider.create(inputs);
        expect(outs!.firewallHash).toMatch(/^[0-9a-f]{64}$/);

        // The node intent already uses Robot's whole rule budget: swap ICMP for HTTPS rather than add.
        const widened = { ...inputs, firewall: [renderFirewallRules(false)[0]!, { direction: "in" as const, protocol: "tcp" as const, port: "443", sourceIps: WORLD, description: "https" }] };
        const diff = await provider.diff!(id, outs!, widened);
        expect(diff).toMatchObject({ changes: true, replaces: [] });
        fake.failNext({ method: "POST", path: "/firewall/1001" }, 1, 409, "FIREWALL_IN_PROCESS", "The firewall is currently being processed");
        const before = fake.requests.length;
        const updated = await provider.update!(id, outs!, widened);
        expect(fake.requests.slice(before).filter((r) => r.path === "/firewall/1001" && r.method === "POST").map((r) => r.status)).toEqual([409, 200]);
        expect(fake.calls().slice(before)).not.toContain("POST /reset/1001");
        expect(fake.servers.get(1001)!.firewall.rules.input.some((r) => r.dst_port === "443" && r.protocol === "tcp" && r.tcp_flags === undefined)).toBe(true);
        expect(updated.outs!.firewallHash).not.toBe(outs!.firewallHash);

        const again = fake.requests.length;
        await provider.update!(id, updated.outs!, widened);
        expect(fake.calls().slice(again)).toEqual(["GET /server/1001"]);
    });

    it("rejects a firewall intent Robot cannot express at check time", async () => {
        const { provider, inputsFor } = await setup();
        const result = await provider.check!(inputsFor(), { ...inputsFor(), firewall: [{ protocol: "tcp", port: "22", sourceIps: ["2001:db8::/32"] }] });
        expect(result.failures).toEqual([{ property: "firewall", reason: expect.stringMatching(/cannot filter IPv6 by source/) }]);
    });
});

describe("bare-metal provider: check and read", () => {
    it("rejects inputs that would fail at install time", async () => {
        const { provider, inputsFor } = await setup();
        const result = await provider.check!(inputsFor(), { ...inputsFor(), serverNumber: -1, autosetup: renderAutosetup(SETTINGS, "other-host"), sshPublicKey: "not a key", vswitchId: "abc" });
        expect(result.failures!.map((f) => f.property).sort()).toEqual(["autosetup", "serverNumber", "sshPublicKey", "vswitchId"]);
        expect((await provider.check!(inputsFor(), inputsFor())).failures).toEqual([]);
    });

    it("refreshes addresses and name from GET /server, and reports a vanished server as gone", async () => {
        const { fake, provider, inputsFor } = await setup();
        const { id, outs } = await provider.create(inputsFor(1001, "fsn1-run-0", { vswitchId: undefined }));
        fake.servers.get(1001)!.server_ip = "192.0.2.200";
        fake.servers.get(1001)!.server_name = "renamed-in-robot";
        const read = await provider.read!(id, outs);
        expect(read.id).toBe("1001");
        expect(read.props).toMatchObject({ ipv4: "192.0.2.200", serverName: "renamed-in-robot", installHash: outs!.installHash });
        // A renamed server shows up as a change; update sets the name back without reinstalling.
        expect(await provider.diff!(id, read.props!, inputsFor(1001, "fsn1-run-0", { vswitchId: undefined }))).toMatchObject({ changes: true, replaces: [] });

        fake.servers.delete(1001);
        expect(await provider.read!(id, outs)).toEqual({});
    });

    it("leaves the machine alone on delete", async () => {
        const { fake, provider, inputsFor } = await setup();
        const { id, outs } = await provider.create(inputsFor(1001, "fsn1-run-0", { vswitchId: undefined }));
        const before = fake.requests.length;
        await provider.delete!(id, outs!);
        expect(fake.requests.length).toBe(before);
    });
});

describe("vSwitch provider", () => {
    const credentials = (url: string) => ({ robotUser: "#ws+platform", robotPassword: "robot-secret", robotBaseUrl: url });

    it("adopts a live vSwitch with the same name and VLAN instead of creating a second", async () => {
        fake = await startRobotFake({ vswitches: [{ name: "platform-fsn1", vlan: 4010 }] });
        const provider = createVSwitchProvider({ sleep: async () => {} });
        const { id, outs } = await provider.create({ name: "platform-fsn1", vlan: 4010, ...credentials(fake.url) });
        expect(id).toBe(String(fake.vswitches[0]!.id));
        expect(outs!.vswitchId).toBe(fake.vswitches[0]!.id);
        expect(fake.calls()).toEqual(["GET /vswitch"]);
    });

    it("creates, renames in place, refreshes and cancels", async () => {
        fake = await startRobotFake({ vswitches: [{ name: "platform-fsn1", vlan: 4010, cancelled: true }] });
        const provider = createVSwitchProvider({ sleep: async () => {} });
        const inputs = { name: "platform-fsn1", vlan: 4010, ...credentials(fake.url) };
        const { id, outs } = await provider.create(inputs);
        expect(fake.vswitches).toHaveLength(2);
        expect(fake.requests.at(-1)!.form).toEqual({ name: ["platform-fsn1"], vlan: ["4010"] });

        expect(await provider.diff!(id, outs!, inputs)).toMatchObject({ changes: false, replaces: [] });
        const renamed = { ...inputs, name: "platform-fsn1-b" };
        expect(await provider.diff!(id, outs!, renamed)).toMatchObject({ changes: true, replaces: [] });
        await provider.update!(id, outs!, renamed);
        expect(fake.vswitches[1]!.name).toBe("platform-fsn1-b");

        expect((await provider.read!(id, outs)).props).toMatchObject({ name: "platform-fsn1-b", vlan: 4010 });
        await provider.delete!(id, outs!);
        expect(fake.vswitches[1]!.cancelled).toBe(true);
        expect(await provider.read!(id, outs)).toEqual({});
        expect((await provider.check!(inputs, { ...inputs, vlan: 12 })).failures).toHaveLength(1);
    });
});
