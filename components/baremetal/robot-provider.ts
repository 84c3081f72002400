import type * as pulumi from "@pulumi/pulumi";
import { renderPostInstallScript } from "./autosetup";
import { renderRobotFirewall, robotFirewallForm, type FirewallIntentRule } from "./robot-firewall";
import { createSsh2Connector, type SshConnector, type SshSession } from "./rescue-ssh";
import { isRobotError, RobotClient, robotKeyFingerprint, type ResetType, type RetryPolicy, type RobotKey, type RobotVSwitch } from "./robot-client";

/**
 * The Pulumi dynamic provider that turns an ordered Robot server into an installed node:
 * ensure the SSH key in Robot → activate the rescue system with it → reset (software, escalating to
 * hardware) → wait for the rescue SSH → upload `/autosetup`, the post-install script and the install script,
 * run installimage → reboot → set the Robot server name → join the vSwitch → activate the Robot firewall.
 *
 * Pulumi serializes the provider object with its closure (runtime.serializeFunction) and runs it in the
 * dynamic-provider host, a separate Node process without a TypeScript loader. Everything it needs is either
 * captured by value (the local modules above; the `pulumi` import is type-only and vanishes) or `require`d
 * lazily inside a function (Node built-ins, `ssh2`, resolved from the project's node_modules by the host).
 *
 * Why captured closures and not a `require()` of this module inside the methods: the host has no TypeScript
 * loader (it could only require compiled JavaScript that this project does not ship) and an absolute module
 * path would tie the provider to one checkout. Captured values travel inside the serialized text itself.
 *
 * The rule that makes the capture reliable: code that ends up in the provider never reads its own module's
 * `exports`. `pulumi up` compiles the program with ts-node (the language host's TypeScript path), whose
 * CommonJS output turns every use of an `export const X` inside its own module into `exports.X`; the
 * serialized functions then depend on the serializer finding and re-creating each module's `exports` object
 * (a path that has regressed before: pulumi/pulumi#11942, #15879), and an `exports.X` it misses resolves to
 * the serialized module's own `exports` in the host, where `X` is undefined. So module-level values in
 * components/baremetal are plain `const`s exported by a list (`export { X }`), which TypeScript compiles to
 * local references; functions and classes are compiled that way already. test/spine/dynamic-providers.test.ts
 * checks the serialized text for it and drives the providers the way the CLI runs them.
 */

/** Inputs of the dynamic resource (all plain values: the engine strips secrets before calling the provider). */
export interface BaremetalServerInputs {
    /** Robot server number. */
    serverNumber: number;
    /** Hostname of the node (also the Robot server name). */
    hostname: string;
    /** installimage image path (part of the reinstall trigger). */
    image: string;
    /** Rendered `/autosetup`. */
    autosetup: string;
    /** Rendered rescue-side install script (a change does not reinstall: it only matters for the next install). */
    installScript: string;
    /** cloud-init user-data of the node (secret). */
    userData: string;
    /** OpenSSH public key authorized for the rescue system. */
    sshPublicKey: string;
    /** Its private key, used to reach the rescue system (secret). */
    sshPrivateKey: string;
    /** Name under which the key is stored in Robot. */
    keyName: string;
    /** Robot web-service user (secret). */
    robotUser: string;
    /** Robot web-service password (secret). */
    robotPassword: string;
    /** Robot base URL override (tests). */
    robotBaseUrl?: string;
    /** vSwitch to join, if any. */
    vswitchId?: number | string;
    /**
     * Inbound firewall intent (hcloud rule shape, what the policy pack judges), applied as the server's Robot
     * firewall after the install. Absent: the Robot firewall is left as it is.
     */
    firewall?: FirewallIntentRule[];
}

/** State (outputs) of the dynamic resource. Credentials are kept so `read` can refresh; mark them secret. */
export interface BaremetalServerState {
    /** Robot server number. */
    serverNumber: number;
    /** Hostname. */
    hostname: string;
    /** Main IPv4 (from GET /server). */
    ipv4: string;
    /** IPv6 /64 (from GET /server). */
    ipv6Net: string;
    /** Server name in Robot. */
    serverName: string;
    /** installimage image path. */
    image: string;
    /** SHA-256 of the autosetup text. */
    autosetupHash: string;
    /** SHA-256 of the user-data. */
    userDataHash: string;
    /** SHA-256 over image, autosetup and user-data: what the installed system was built from. */
    installHash: string;
    /** Robot fingerprint of the rescue key. */
    keyFingerprint: string;
    /** Name of the key in Robot. */
    keyName: string;
    /** The reset type that brought the rescue system up. */
    resetType: ResetType | "";
    /** vSwitch the server joined (0: none). */
    vswitchId: number;
    /** SHA-256 of the firewall intent in force ("" when the Robot firewall is not managed). */
    firewallHash: string;
    /** When the install finished (ISO 8601). */
    installedAt: string;
    /** Robot web-service user (secret: additionalSecretOutputs). */
    robotUser: string;
    /** Robot web-service password (secret: additionalSecretOutputs). */
    robotPassword: string;
    /** Robot base URL override. */
    robotBaseUrl?: string;
}

/** Timing knobs of the install; defaults suit real hardware, tests shrink them. */
export interface ProviderTimeouts {
    /** How long the rescue system may take to answer after a software reset before escalating to hardware. */
    rescueAfterSoftwareResetMs: number;
    /** How long after a hardware reset. */
    rescueAfterHardwareResetMs: number;
    /** Pause between SSH probes. */
    sshPollIntervalMs: number;
    /** Connect timeout of one SSH probe. */
    sshConnectTimeoutMs: number;
    /** Upper bound for installimage (RAID sync starts in the background; image unpack takes 5-10 minutes). */
    installTimeoutMs: number;
    /** Attempts to join the vSwitch while Robot reports VSWITCH_IN_PROCESS (parallel nodes queue up). */
    vswitchAttempts: number;
    /** Pause between those attempts (also used while a firewall change is in process). */
    vswitchRetryDelayMs: number;
}

/** Default timing. */
const DEFAULT_TIMEOUTS: ProviderTimeouts = {
    rescueAfterSoftwareResetMs: 6 * 60_000,
    rescueAfterHardwareResetMs: 12 * 60_000,
    sshPollIntervalMs: 15_000,
    sshConnectTimeoutMs: 20_000,
    installTimeoutMs: 45 * 60_000,
    vswitchAttempts: 20,
    vswitchRetryDelayMs: 30_000,
};

/** What the provider talks to; injectable so tests run without hardware or waiting. */
export interface ProviderDeps {
    /** Opens SSH sessions to the rescue system. */
    ssh: SshConnector;
    /** Sleep between polls (and Robot retries). */
    sleep: (ms: number) => Promise<void>;
    /** Clock for deadlines. */
    now: () => number;
    /** Progress messages (the dynamic provider host forwards stderr to the engine log). */
    log: (message: string) => void;
    /** Robot retry budget. */
    retry?: Partial<RetryPolicy>;
    /** Timing. */
    timeouts: ProviderTimeouts;
}

/** Where the uploads go in the rescue system. */
const RESCUE_FILES = {
    autosetup: "/autosetup",
    postInstall: "/root/post-install.sh",
    installScript: "/root/platform-install.sh",
} as const;

function sha256(text: string): string {
    const crypto = require("node:crypto") as typeof import("node:crypto");
    return crypto.createHash("sha256").update(text).digest("hex");
}

/** The hashes the reinstall decision is based on. */
export function installHashes(inputs: Pick<BaremetalServerInputs, "image" | "autosetup" | "userData">): { autosetupHash: string; userDataHash: string; installHash: string } {
    const autosetupHash = sha256(inputs.autosetup);
    const userDataHash = sha256(inputs.userData);
    return { autosetupHash, userDataHash, installHash: sha256(JSON.stringify([inputs.image, autosetupHash, userDataHash])) };
}

/** Hash of the firewall intent; "" when none is managed. */
export function firewallHashOf(firewall: readonly FirewallIntentRule[] | undefined): string {
    return firewall === undefined ? "" : sha256(JSON.stringify(firewall));
}

function vswitchNumber(value: number | string | undefined): number {
    if (value === undefined || value === null || value === "") {
        return 0;
    }
    const id = Number(value);
    if (!Number.isInteger(id) || id <= 0) {
        throw new Error(`vswitchId ${JSON.stringify(value)} is not a Robot vSwitch id`);
    }
    return id;
}

/** An error that tells the engine the resource exists (partial state is saved; the next `up` updates it). */
function initError(message: string, id: string, properties: BaremetalServerState): Error {
    return Object.assign(new Error(message), { id, properties, reasons: [message] });
}

/** The engine's marker for values unknown at preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Creates the provider. The returned object is what `pulumi.dynamic.Resource` serializes; `overrides`
 * replace the real SSH connector, clock and sleep in tests.
 */
export function createBaremetalProvider(overrides: Partial<ProviderDeps> = {}): pulumi.dynamic.ResourceProvider<BaremetalServerInputs, BaremetalServerState> {
    const deps: ProviderDeps = {
        ssh: overrides.ssh ?? createSsh2Connector(),
        sleep: overrides.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        now: overrides.now ?? (() => Date.now()),
        log: overrides.log ?? ((message) => console.error(`[baremetal] ${message}`)),
        retry: overrides.retry,
        timeouts: { ...DEFAULT_TIMEOUTS, ...overrides.timeouts },
    };

    const robotFor = (props: { robotUser: string; robotPassword: string; robotBaseUrl?: string }) =>
        new RobotClient({ credentials: { user: props.robotUser, password: props.robotPassword }, baseUrl: props.robotBaseUrl, sleep: deps.sleep, retry: deps.retry });

    /** The key Robot knows by our fingerprint; uploads it when missing (reusing a copy stored under another name). */
    async function ensureKey(robot: RobotClient, name: string, publicKey: string): Promise<RobotKey> {
        const fingerprint = robotKeyFingerprint(publicKey);
        const existing = (await robot.listKeys()).find((k) => k.fingerprint === fingerprint);
        if (existing) {
            return existing;
        }
        deps.log(`uploading SSH key ${name} (${fingerprint}) to Robot`);
        return robot.createKey(name, publicKey);
    }

    /** Polls SSH until the rescue system (hostname `rescue`) answers, or the deadline passes. */
    async function waitForRescue(host: string, inputs: BaremetalServerInputs, hostKeys: readonly string[], budgetMs: number): Promise<SshSession | undefined> {
        const deadline = deps.now() + budgetMs;
        let lastProblem = "no attempt yet";
        for (;;) {
            try {
                const session = await deps.ssh.connect({ host, port: 22, username: "root", privateKey: inputs.sshPrivateKey, hostKeys }, deps.timeouts.sshConnectTimeoutMs);
                const probe = await session.exec("hostname", { timeoutMs: 30_000 });
                if (probe.code === 0 && probe.stdout.trim() === "rescue") {
                    return session;
                }
                lastProblem = `host answers as "${probe.stdout.trim()}", not the rescue system`;
                await session.close();
            } catch (error) {
                lastProblem = error instanceof Error ? error.message : String(error);
            }
            if (deps.now() + deps.timeouts.sshPollIntervalMs > deadline) {
                deps.log(`server ${inputs.serverNumber}: rescue system not reachable at ${host} (${lastProblem})`);
                return undefined;
            }
            await deps.sleep(deps.timeouts.sshPollIntervalMs);
        }
    }

    /** Activates the rescue system for the next boot with our key (dropping a pending one: it may carry another key). */
    async function activateRescue(robot: RobotClient, serverNumber: number, fingerprint: string): Promise<string[]> {
        const current = await robot.getRescue(serverNumber);
        if (current.active) {
            await robot.deactivateRescue(serverNumber);
        }
        const activated = await robot.activateRescue(serverNumber, { os: "linux", authorized_key: fingerprint });
        return activated.host_key;
    }

    /**
     * Resets into the rescue system: software reset first when allowed, hardware when software is not allowed
     * or the rescue system did not answer in time. Returns an open session and the reset type that worked.
     */
    async function bootRescue(robot: RobotClient, inputs: BaremetalServerInputs, host: string, fingerprint: string): Promise<{ session: SshSession; resetType: ResetType }> {
        const allowed = (await robot.getReset(inputs.serverNumber)).type;
        const plan: ResetType[] = [...(allowed.includes("sw") ? (["sw"] as const) : []), ...(allowed.includes("hw") ? (["hw"] as const) : [])];
        if (plan.length === 0) {
            throw new Error(`Robot server ${inputs.serverNumber} allows no automatic reset (allowed: ${allowed.join(", ") || "none"}); reset it into the rescue system manually`);
        }
        let hostKeys: string[] = [];
        for (const [index, type] of plan.entries()) {
            if (index === 0) {
                hostKeys = await activateRescue(robot, inputs.serverNumber, fingerprint);
            } else {
                // The failed attempt may have consumed the activation (a boot that did not reach SSH): renew it.
                const rescue = await robot.getRescue(inputs.serverNumber);
                if (!rescue.active) {
                    hostKeys = await activateRescue(robot, inputs.serverNumber, fingerprint);
                }
                deps.log(`server ${inputs.serverNumber}: software reset did not bring up the rescue system, escalating to a hardware reset`);
            }
            deps.log(`server ${inputs.serverNumber}: ${type} reset into the rescue system`);
            await robot.reset(inputs.serverNumber, type);
            const session = await waitForRescue(host, inputs, hostKeys, type === "sw" ? deps.timeouts.rescueAfterSoftwareResetMs : deps.timeouts.rescueAfterHardwareResetMs);
            if (session) {
                return { session, resetType: type };
            }
        }
        throw new Error(
            `Robot server ${inputs.serverNumber}: the rescue system did not answer SSH on ${host} after ${plan.join(" then ")} reset` +
                (inputs.firewall ? "" : " (if the server has a Robot firewall, it must let SSH through for the install)"),
        );
    }

    /** Uploads the three files and runs installimage; the install script reboots on success. */
    async function runInstall(session: SshSession, inputs: BaremetalServerInputs): Promise<void> {
        await session.writeFile(RESCUE_FILES.autosetup, inputs.autosetup, 0o600);
        await session.writeFile(RESCUE_FILES.postInstall, renderPostInstallScript(inputs.userData, { hostname: inputs.hostname }), 0o700);
        await session.writeFile(RESCUE_FILES.installScript, inputs.installScript, 0o700);
        const result = await session.exec(RESCUE_FILES.installScript, { timeoutMs: deps.timeouts.installTimeoutMs });
        if (result.code !== 0) {
            const tail = `${result.stderr}\n${result.stdout}`.trim().split("\n").slice(-40).join("\n");
            throw new Error(`installimage on Robot server ${inputs.serverNumber} failed (exit ${String(result.code)}):\n${tail}`);
        }
    }

    /**
     * Runs `step` again while Robot answers `busyCode` (it applies vSwitch and firewall changes one at a time,
     * asynchronously); the step itself must be safe to repeat.
     */
    async function whileBusy<T>(busyCode: string, what: string, step: () => Promise<T>): Promise<T> {
        for (let attempt = 1; ; attempt++) {
            try {
                return await step();
            } catch (error) {
                if (!isRobotError(error, busyCode) || attempt >= deps.timeouts.vswitchAttempts) {
                    throw error;
                }
                deps.log(`${what}: Robot is still applying a previous change; retrying (${attempt}/${deps.timeouts.vswitchAttempts})`);
                await deps.sleep(deps.timeouts.vswitchRetryDelayMs);
            }
        }
    }

    /** Joins the vSwitch unless already a member; waits out VSWITCH_IN_PROCESS (parallel nodes queue up). */
    async function ensureVSwitch(robot: RobotClient, vswitchId: number, serverNumber: number): Promise<void> {
        await whileBusy("VSWITCH_IN_PROCESS", `vSwitch ${vswitchId}, server ${serverNumber}`, async () => {
            const vswitch: RobotVSwitch = await robot.getVSwitch(vswitchId);
            if (!(vswitch.server ?? []).some((s) => s.server_number === serverNumber)) {
                await robot.addServerToVSwitch(vswitchId, [serverNumber]);
            }
        });
    }

    /** Writes the whole Robot firewall configuration (safe to repeat: it replaces the previous one). */
    async function setFirewall(robot: RobotClient, serverNumber: number, firewall: readonly FirewallIntentRule[], status: "active" | "disabled"): Promise<void> {
        const form = robotFirewallForm(renderRobotFirewall(firewall, status));
        await whileBusy("FIREWALL_IN_PROCESS", `firewall of server ${serverNumber}`, () => robot.setFirewall(serverNumber, form));
    }

    /**
     * The Robot firewall also filters the rescue system, and the node rules never open SSH: a reinstall of a
     * server whose firewall is active would never reach the rescue SSH. Switch it off for the install window
     * (the rescue system only accepts our key); the install re-activates it.
     */
    async function openFirewallForRescue(robot: RobotClient, inputs: BaremetalServerInputs): Promise<void> {
        if (!inputs.firewall) {
            return;
        }
        const current = await robot.getFirewall(inputs.serverNumber);
        if (current.status !== "disabled") {
            deps.log(`server ${inputs.serverNumber}: disabling the Robot firewall for the rescue install`);
            await setFirewall(robot, inputs.serverNumber, inputs.firewall, "disabled");
        }
    }

    /** Name, vSwitch and firewall: the steps after the install, shared by create and update. */
    async function configure(robot: RobotClient, inputs: BaremetalServerInputs, state: BaremetalServerState): Promise<BaremetalServerState> {
        let serverName = state.serverName;
        if (serverName !== inputs.hostname) {
            serverName = (await robot.setServerName(inputs.serverNumber, inputs.hostname)).server_name ?? inputs.hostname;
        }
        const vswitchId = vswitchNumber(inputs.vswitchId);
        if (vswitchId > 0) {
            await ensureVSwitch(robot, vswitchId, inputs.serverNumber);
        }
        let firewallHash = state.firewallHash;
        if (inputs.firewall && firewallHashOf(inputs.firewall) !== state.firewallHash) {
            await setFirewall(robot, inputs.serverNumber, inputs.firewall, "active");
            firewallHash = firewallHashOf(inputs.firewall);
        }
        return { ...state, serverName, vswitchId, firewallHash };
    }

    function stateFrom(inputs: BaremetalServerInputs, live: { server_ip: string; server_ipv6_net: string; server_name: string }, extra: Pick<BaremetalServerState, "keyFingerprint" | "resetType" | "installedAt">): BaremetalServerState {
        return {
            serverNumber: inputs.serverNumber,
            hostname: inputs.hostname,
            ipv4: live.server_ip,
            ipv6Net: live.server_ipv6_net,
            serverName: live.server_name,
            image: inputs.image,
            ...installHashes(inputs),
            keyFingerprint: extra.keyFingerprint,
            keyName: inputs.keyName,
            resetType: extra.resetType,
            vswitchId: 0,
            firewallHash: "",
            installedAt: extra.installedAt,
            robotUser: inputs.robotUser,
            robotPassword: inputs.robotPassword,
            ...(inputs.robotBaseUrl ? { robotBaseUrl: inputs.robotBaseUrl } : {}),
        };
    }

    return {
        async check(_olds: BaremetalServerInputs, news: BaremetalServerInputs): Promise<pulumi.dynamic.CheckResult<BaremetalServerInputs>> {
            const failures: pulumi.dynamic.CheckFailure[] = [];
            const known = (value: unknown) => value !== undefined && value !== UNKNOWN;
            if (known(news.serverNumber) && !(Number.isInteger(news.serverNumber) && news.serverNumber > 0)) {
                failures.push({ property: "serverNumber", reason: `must be a positive Robot server number, got ${JSON.stringify(news.serverNumber)}` });
            }
            if (known(news.autosetup) && known(news.hostname) && !news.autosetup.split("\n").includes(`HOSTNAME ${news.hostname}`)) {
                failures.push({ property: "autosetup", reason: `does not set HOSTNAME ${news.hostname}` });
            }
            if (known(news.userData) && (typeof news.userData !== "string" || news.userData.trim() === "")) {
                failures.push({ property: "userData", reason: "is empty: the node would boot without its cloud-init" });
            }
            if (known(news.sshPublicKey)) {
                try {
                    robotKeyFingerprint(news.sshPublicKey);
                } catch (error) {
                    failures.push({ property: "sshPublicKey", reason: error instanceof Error ? error.message : String(error) });
                }
            }
            if (known(news.firewall) && news.firewall !== undefined) {
                try {
                    renderRobotFirewall(news.firewall);
                } catch (error) {
                    failures.push({ property: "firewall", reason: error instanceof Error ? error.message : String(error) });
                }
            }
            if (known(news.vswitchId)) {
                try {
                    vswitchNumber(news.vswitchId);
                } catch (error) {
                    failures.push({ property: "vswitchId", reason: error instanceof Error ? error.message : String(error) });
                }
            }
            return { inputs: news, failures };
        },

        async diff(_id: string, olds: BaremetalServerState, news: BaremetalServerInputs): Promise<pulumi.dynamic.DiffResult> {
            const hashes = installHashes(news);
            const replaces: string[] = [];
            if (olds.serverNumber !== news.serverNumber) {
                replaces.push("serverNumber");
            }
            if (olds.image !== news.image) {
                replaces.push("image");
            }
            if (olds.autosetupHash !== hashes.autosetupHash) {
                replaces.push("autosetup");
            }
            if (olds.userDataHash !== hashes.userDataHash) {
                replaces.push("userData");
            }
            // At preview, inputs that depend on resources being changed arrive as the unknown marker: they differ.
            const unknown = (value: unknown) => value === UNKNOWN;
            const changes =
                replaces.length > 0 ||
                olds.hostname !== news.hostname ||
                olds.serverName !== news.hostname ||
                olds.keyName !== news.keyName ||
                unknown(news.sshPublicKey) ||
                olds.keyFingerprint !== robotKeyFingerprint(news.sshPublicKey) ||
                unknown(news.vswitchId) ||
                olds.vswitchId !== vswitchNumber(news.vswitchId) ||
                (news.firewall !== undefined && (olds.firewallHash ?? "") !== firewallHashOf(news.firewall)) ||
                olds.robotUser !== news.robotUser ||
                olds.robotPassword !== news.robotPassword ||
                (olds.robotBaseUrl ?? "") !== (news.robotBaseUrl ?? "");
            // Old and new resource are the same machine: never let a replacement's create and delete overlap.
            return { changes, replaces, deleteBeforeReplace: true };
        },

        async create(inputs: BaremetalServerInputs): Promise<pulumi.dynamic.CreateResult<BaremetalServerState>> {
            const robot = robotFor(inputs);
            const id = String(inputs.serverNumber);
            const server = await robot.getServer(inputs.serverNumber);
            const key = await ensureKey(robot, inputs.keyName, inputs.sshPublicKey);
            await openFirewallForRescue(robot, inputs);
            const { session, resetType } = await bootRescue(robot, inputs, server.server_ip, key.fingerprint);
            try {
                deps.log(`server ${inputs.serverNumber}: running installimage for ${inputs.hostname}`);
                await runInstall(session, inputs);
            } finally {
                await session.close().catch(() => undefined);
            }
            const installed = stateFrom(inputs, server, { keyFingerprint: key.fingerprint, resetType, installedAt: new Date(deps.now()).toISOString() });
            try {
                return { id, outs: await configure(robot, inputs, installed) };
            } catch (error) {
                // The disks are written: record the resource so the next run finishes naming and vSwitch instead of reinstalling.
                const message = `Robot server ${inputs.serverNumber} is installed, but configuring it failed: ${error instanceof Error ? error.message : String(error)}`;
                throw initError(message, id, installed);
            }
        },

        async update(_id: string, olds: BaremetalServerState, news: BaremetalServerInputs): Promise<pulumi.dynamic.UpdateResult<BaremetalServerState>> {
            // Never reinstalls: diff turns install-relevant changes into a replacement.
            const robot = robotFor(news);
            const server = await robot.getServer(news.serverNumber);
            let keyFingerprint = olds.keyFingerprint;
            if (olds.keyFingerprint !== robotKeyFingerprint(news.sshPublicKey) || olds.keyName !== news.keyName) {
                keyFingerprint = (await ensureKey(robot, news.keyName, news.sshPublicKey)).fingerprint;
            }
            const current: BaremetalServerState = {
                ...olds,
                hostname: news.hostname,
                ipv4: server.server_ip,
                ipv6Net: server.server_ipv6_net,
                serverName: server.server_name,
                keyFingerprint,
                keyName: news.keyName,
                robotUser: news.robotUser,
                robotPassword: news.robotPassword,
            };
            delete current.robotBaseUrl;
            if (news.robotBaseUrl) {
                current.robotBaseUrl = news.robotBaseUrl;
            }
            return { outs: await configure(robot, news, current) };
        },

        async read(id: string, props?: BaremetalServerState): Promise<pulumi.dynamic.ReadResult<BaremetalServerState>> {
            if (!props || !props.robotUser || !props.robotPassword) {
                throw new Error(`cannot refresh bare-metal server ${id}: its state carries no Robot credentials`);
            }
            try {
                const server = await robotFor(props).getServer(props.serverNumber);
                return { id, props: { ...props, ipv4: server.server_ip, ipv6Net: server.server_ipv6_net, serverName: server.server_name } };
            } catch (error) {
                if (isRobotError(error, "SERVER_NOT_FOUND")) {
                    // Cancelled or moved to another account: the resource is gone.
                    return {};
                }
                throw error;
            }
        },

        async delete(id: string, props: BaremetalServerState): Promise<void> {
            // A dedicated server is ordered and cancelled in Robot, not here; the node keeps running as installed.
            deps.log(`Robot server ${props?.serverNumber ?? id} left as installed (cancel it in Robot if it is no longer needed)`);
        },
    };
}

export { DEFAULT_TIMEOUTS, RESCUE_FILES };
