import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderAutosetup } from "../../components/baremetal/autosetup";
import { renderFirewallRules } from "../../components/nodes/firewall-rules";
import { baremetalSchema } from "../../lib/config/schema";
import { startDynamicProviderHost, type DynamicProviderHost, type Props } from "../helpers/dynamic-provider-host";
import { startRescueSshServer, type RescueSshServer } from "../helpers/rescue-ssh-server";
import { md5Fingerprint, startRobotFake, type RobotFake } from "../helpers/robot-fake-server";
import { sshKeyPair } from "../helpers/ssh-keys";
import { ROOT } from "../helpers/synth";

/**
 * The Robot dynamic providers the way `pulumi up` runs them, end to end, in three processes:
 * 1. language host (test/spine/cli-runtime/language-host.js): TypeScript registered exactly as the CLI's
 *    nodejs language host does for `runtime.options.typescript: true` (the ts-node 7.0.1 vendored in
 *    @pulumi/pulumi, the project's TypeScript and tsconfig, run.js's option merge), the real components
 *    construct their resources, and the SDK's dynamic.Resource serializes each provider;
 * 2. the SDK's own dynamic-provider host (cmd/dynamic-provider), which deserializes `__provider` with
 *    require-from-string, driven over gRPC like the engine drives it;
 * 3. this process: the fake Robot web service and a real ssh2 server playing the rescue system.
 * The host's only deviation from the CLI's is a preload that routes the Robot server's IP:22 to that ssh2
 * server (tcp-redirect.js).
 */

const HOST_KEY = sshKeyPair("rescue-host");
const KEY = sshKeyPair("platform-spine");
const SERVER = 2481001;
const HOSTNAME = "spine-run-0";
const SETTINGS = baremetalSchema.parse({});
const USER_DATA = "#cloud-config\nruncmd:\n  - [echo, first-boot]\n";
const CLI_RUNTIME = path.join(ROOT, "test/spine/cli-runtime");
const SERVER_URN = `urn:pulumi:spine::platform::platform:baremetal:Server$pulumi-nodejs:dynamic:Resource::${HOSTNAME}`;
const VSWITCH_URN = "urn:pulumi:spine::platform::platform:baremetal:VSwitch$pulumi-nodejs:dynamic:Resource::spine-vswitch";

interface Registration {
    name: string;
    type: string;
    inputs: Props;
    provider: string;
}

interface Serialized {
    tsnode: string;
    typescript: string;
    typeCheck: boolean;
    registrations: Registration[];
}

let fake: RobotFake;
let rescue: RescueSshServer;
let host: DynamicProviderHost;
let serialized: Serialized;

/** Runs the language-host stand-in in a fresh node process and returns what it serialized. */
function runLanguageHost(env: Record<string, string>): Promise<Serialized> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(CLI_RUNTIME, "language-host.js"), path.join(CLI_RUNTIME, "program.ts")], {
            cwd: ROOT,
            env: { ...process.env, ...env },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => {
            const line = stdout.split("\n").find((l) => l.startsWith("SERIALIZED "));
            if (code !== 0 || !line) {
                reject(new Error(`language host exited with ${code}:\n${stderr}\n${stdout}`));
                return;
            }
            resolve(JSON.parse(line.slice("SERIALIZED ".length)) as Serialized);
        });
    });
}

const registration = (key: string) => {
    const found = serialized.registrations.find((r) => key in r.inputs);
    expect(found, `a dynamic resource with input ${key}`).toBeDefined();
    return found!;
};

beforeAll(async () => {
    fake = await startRobotFake({ servers: [{ server_number: SERVER }], rescueHostKey: HOST_KEY.public.trim() });
    rescue = await startRescueSshServer(fake, SERVER, HOST_KEY);
    const [vswitch] = [{ name: "platform-spine", vlan: 4011, subnet: "10.0.3.0/24" }];
    serialized = await runLanguageHost({
        PLATFORM_SPINE_DYNAMIC_RESOURCES: "2",
        PLATFORM_SPINE_PROGRAM: JSON.stringify({
            robotBaseUrl: fake.url,
            serverNumber: SERVER,
            hostname: HOSTNAME,
            userData: USER_DATA,
            sshPublicKey: KEY.public,
            sshPrivateKey: KEY.private,
            settings: SETTINGS,
            vswitch,
        }),
    });
    host = await startDynamicProviderHost({
        cwd: ROOT,
        nodeArgs: ["--require", path.join(CLI_RUNTIME, "tcp-redirect.js")],
        env: { PLATFORM_TCP_REDIRECT: `${fake.servers.get(SERVER)!.server_ip}:22=127.0.0.1:${rescue.port}` },
    });
});

afterAll(async () => {
    await host?.close();
    await rescue?.close();
    await fake?.close();
});

describe("dynamic providers under the CLI's TypeScript runtime", () => {
    it("are compiled by the ts-node vendored in @pulumi/pulumi, type-checking with the project's TypeScript, as run.js does", () => {
        expect(serialized.tsnode).toBe("node_modules/@pulumi/pulumi/vendor/ts-node@7.0.1");
        expect(serialized.typescript).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/typescript/package.json"), "utf8")).version);
        expect(serialized.typeCheck).toBe(true);
        // The stand-in mirrors the pinned SDK's run.js; these are the lines it mirrors.
        const runJs = fs.readFileSync(path.join(ROOT, "node_modules/@pulumi/pulumi/cmd/run/run.js"), "utf8");
        for (const line of [
            "const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();",
            'target: "ES2020",',
            'module: useNodeNext ? "nodenext" : "commonjs",',
            "...compilerOptions,",
            "tsn.register(options);",
        ]) {
            expect(runJs).toContain(line);
        }
        // The runtime options that select this path (README "How `pulumi up` runs the program").
        const project = yaml.load(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { runtime: { name: string; options: Record<string, unknown> } };
        expect(project.runtime).toEqual({ name: "nodejs", options: { typescript: true, packagemanager: "npm" } });
        // A project-level ts-node would replace the vendored one.
        expect(fs.existsSync(path.join(ROOT, "node_modules/ts-node"))).toBe(false);
        // The ESM branch of run.js needs `"type": "module"`; this project is CommonJS, so the branch above applies.
        expect(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).type).toBeUndefined();
        expect(serialized.registrations.map((r) => r.type)).toEqual(["pulumi-nodejs:dynamic:Resource", "pulumi-nodejs:dynamic:Resource"]);
    });

    it("serialize providers that never read a module's `exports` (ts-node's CommonJS output turns `export const X` into `exports.X`)", () => {
        for (const { name, provider } of serialized.registrations) {
            expect(provider, name).toMatch(/^exports\.handler = /);
            const selfReferences = [...provider.matchAll(/\bexports\b\s*(\.\s*\w+|:)/g)].map((m) => m[0]).filter((m) => !/^exports\.handler$/.test(m));
            expect(selfReferences, `${name}: module exports the serialized code depends on`).toEqual([]);
            expect(provider, name).not.toContain("robot-secret");
        }
    });

    it("do not depend on the serializer re-creating module exports: with every captured `exports` dropped, they still run", async () => {
        // What a serializer that misses a module's `exports` produces (the failure seen under the CLI's runtime):
        // `exports.X` then resolves to the serialized module's own exports in the host, where X is undefined.
        const dropExports = (text: string) => text.replace(/\bexports: [\w$]+, /g, "");
        const server = registration("serverNumber");
        const checked = await host.check(SERVER_URN, {}, { ...server.inputs, serverNumber: -1, __provider: dropExports(server.provider) });
        // A valid firewall: only the bad server number is reported (renderRobotFirewall ran in the host).
        expect(checked.failures).toEqual([{ property: "serverNumber", reason: "must be a positive Robot server number, got -1" }]);
        const vswitch = registration("vlan");
        const error = await host.read(VSWITCH_URN, "1", { ...vswitch.inputs, robotPassword: "wrong", __provider: dropExports(vswitch.provider) }).then(
            () => undefined,
            (e: unknown) => e as Error,
        );
        expect(error?.message).toMatch(/Robot rejected the web-service credentials/);
    });

    it("vSwitch: check, create, read, diff, update, delete through the SDK's provider host", async () => {
        const { inputs, provider } = registration("vlan");
        const news = { ...inputs, __provider: provider };
        expect(await host.check(VSWITCH_URN, {}, { ...news, vlan: 12 })).toMatchObject({ failures: [{ property: "vlan", reason: "Robot vSwitch VLAN ids are 4000-4091, got 12" }] });
        const checked = await host.check(VSWITCH_URN, {}, news);
        expect(checked.failures).toEqual([]);

        const created = await host.create(VSWITCH_URN, checked.inputs);
        expect(fake.vswitches).toHaveLength(1);
        expect(fake.vswitches[0]).toMatchObject({ name: "platform-spine", vlan: 4011, cancelled: false });
        expect(created.id).toBe(String(fake.vswitches[0]!.id));
        expect(created.properties).toMatchObject({ vswitchId: fake.vswitches[0]!.id, name: "platform-spine", vlan: 4011, __provider: provider });

        const read = await host.read(VSWITCH_URN, created.id, created.properties);
        expect(read).toMatchObject({ id: created.id, properties: { vswitchId: fake.vswitches[0]!.id } });
        expect(await host.diff(VSWITCH_URN, created.id, created.properties, news)).toMatchObject({ changes: "none", replaces: [] });
        const renamed = { ...news, name: "platform-spine-b" };
        expect(await host.diff(VSWITCH_URN, created.id, created.properties, renamed)).toMatchObject({ changes: "some", replaces: [] });
        const updated = await host.update(VSWITCH_URN, created.id, created.properties, renamed);
        expect(updated.properties).toMatchObject({ name: "platform-spine-b" });
        expect(fake.vswitches[0]!.name).toBe("platform-spine-b");
        expect(fake.vswitches).toHaveLength(1);
    });

    it("bare-metal server: check rejects bad input and passes the program's inputs", async () => {
        const { inputs, provider } = registration("serverNumber");
        expect(inputs).toMatchObject({ serverNumber: SERVER, hostname: HOSTNAME, autosetup: renderAutosetup(SETTINGS, HOSTNAME), firewall: renderFirewallRules(false), vswitchId: 4242 });
        const news = { ...inputs, __provider: provider };
        const bad = await host.check(SERVER_URN, {}, { ...news, serverNumber: -1, firewall: [{ protocol: "tcp", port: "22", sourceIps: ["2001:db8::/32"] }] });
        expect(bad.failures.map((f) => f.property).sort()).toEqual(["firewall", "serverNumber"]);
        // renderRobotFirewall (RETURN_TRAFFIC_RULES) ran inside the host for this one.
        expect((await host.check(SERVER_URN, {}, news)).failures).toEqual([]);
    });

    it("bare-metal server: create installs over SSH, then read, diff, update and delete", async () => {
        const { inputs, provider } = registration("serverNumber");
        const vswitchId = fake.vswitches[0]!.id;
        // The engine resolves the vSwitch output before creating the server.
        const news = { ...inputs, vswitchId, __provider: provider };
        const checked = await host.check(SERVER_URN, {}, news);
        const created = await host.create(SERVER_URN, checked.inputs);

        expect(fake.calls()).toEqual(
            expect.arrayContaining([`GET /server/${SERVER}`, "POST /key", `POST /boot/${SERVER}/rescue`, `POST /reset/${SERVER}`, `POST /server/${SERVER}`, `POST /vswitch/${vswitchId}/server`, `POST /firewall/${SERVER}`]),
        );
        expect(fake.keys.map((k) => k.fingerprint)).toEqual([md5Fingerprint(KEY.public)]);
        // The real ssh2 client in the host reached the rescue system, uploaded the three files and ran the install.
        expect(rescue.refusals).toEqual([]);
        expect(rescue.commands[0]).toBe("hostname");
        expect([...rescue.files.keys()]).toEqual(["/autosetup", "/root/post-install.sh", "/root/platform-install.sh"]);
        expect(rescue.files.get("/autosetup")).toEqual({ content: renderAutosetup(SETTINGS, HOSTNAME), mode: "0600" });
        expect(rescue.files.get("/root/post-install.sh")!.content).toContain(Buffer.from(USER_DATA).toString("base64"));
        expect(rescue.installs).toBe(1);
        const server = fake.servers.get(SERVER)!;
        expect(server).toMatchObject({ server_name: HOSTNAME, resets: ["sw"], running: { system: "installed" } });
        expect(server.firewall.status).toBe("active");
        expect(server.firewall.rules.input.filter((r) => r.tcp_flags === "ack").map((r) => r.ip_version)).toEqual(["ipv4", "ipv6"]);
        expect(fake.vswitches[0]!.server.map((s) => s.server_number)).toEqual([SERVER]);
        expect(created).toMatchObject({ id: String(SERVER), properties: { ipv4: server.server_ip, serverName: HOSTNAME, vswitchId, resetType: "sw", __provider: provider } });

        server.server_name = "renamed-in-robot";
        const read = await host.read(SERVER_URN, created.id, created.properties);
        expect(read).toMatchObject({ id: String(SERVER), properties: { serverName: "renamed-in-robot", installHash: created.properties.installHash } });

        expect(await host.diff(SERVER_URN, created.id, created.properties, news)).toMatchObject({ changes: "none", replaces: [] });
        expect(await host.diff(SERVER_URN, created.id, created.properties, { ...news, userData: `${USER_DATA}# v2\n` })).toMatchObject({
            changes: "some",
            replaces: ["userData"],
            deleteBeforeReplace: true,
        });
        expect(await host.diff(SERVER_URN, created.id, read.properties, news)).toMatchObject({ changes: "some", replaces: [] });
        const before = fake.requests.length;
        const updated = await host.update(SERVER_URN, created.id, read.properties, news);
        expect(fake.calls().slice(before)).toEqual([`GET /server/${SERVER}`, `POST /server/${SERVER}`, `GET /vswitch/${vswitchId}`]);
        expect(updated.properties).toMatchObject({ serverName: HOSTNAME });
        expect(rescue.installs).toBe(1);

        const beforeDelete = fake.requests.length;
        await host.delete(SERVER_URN, created.id, updated.properties);
        expect(fake.requests.length).toBe(beforeDelete);
        // The provider's log reaches the host's stderr (the engine log) asynchronously.
        for (let waited = 0; !host.stderr().includes("left as installed") && waited < 5000; waited += 50) {
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(host.stderr()).toContain(`Robot server ${SERVER} left as installed`);
    });

    it("Robot errors keep their message through the serialized code and the host", async () => {
        const { inputs, provider } = registration("serverNumber");
        const error = await host.create(SERVER_URN, { ...inputs, robotPassword: "wrong", __provider: provider }).then(
            () => undefined,
            (e: unknown) => e as Error,
        );
        expect(error?.message).toMatch(/Robot rejected the web-service credentials \(GET \/server\/2481001: 401 UNAUTHORIZED\)/);
    });

    it("vSwitch: delete cancels it in Robot", async () => {
        const { inputs, provider } = registration("vlan");
        const id = String(fake.vswitches[0]!.id);
        await host.delete(VSWITCH_URN, id, { ...inputs, vswitchId: Number(id), __provider: provider });
        expect(fake.vswitches[0]!.cancelled).toBe(true);
    });
});
