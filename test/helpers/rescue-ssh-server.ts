import * as crypto from "node:crypto";
import type { AddressInfo } from "node:net";
import * as ssh2 from "ssh2";
import type { RobotFake } from "./robot-fake-server";

/**
 * A real SSH server (ssh2, 127.0.0.1, ephemeral port) that plays one Robot server's rescue system, bound to
 * the fake Robot's state: it lets a client in only while the fake reports that server booted into the rescue
 * system, only with a key whose MD5 fingerprint Robot authorized at that boot (the signature is verified),
 * and presents `hostKey`, which the fake Robot must announce as the rescue host key. `hostname` answers
 * `rescue`, uploads arrive through `cat > <path>` on stdin, and running an uploaded install script that calls
 * installimage "installs" the server (the fake then reports the installed system, as after the reboot).
 */
export interface RescueSshServer {
    /** Port on 127.0.0.1. */
    port: number;
    /** Uploaded files: path → content and mode. */
    files: Map<string, { content: string; mode: string }>;
    /** Every command run, in order. */
    commands: string[];
    /** Completed installs. */
    installs: number;
    /** Authentication attempts that were refused, with the reason. */
    refusals: string[];
    /** Stops the server. */
    close(): Promise<void>;
}

const UPLOAD = /^umask 077 && cat > '([^']+)' && chmod (\d{4}) '\1'$/;

/** Starts the rescue SSH server of Robot server `serverNumber`. */
export async function startRescueSshServer(fake: RobotFake, serverNumber: number, hostKey: { private: string }): Promise<RescueSshServer> {
    const state: Omit<RescueSshServer, "port" | "close"> = { files: new Map(), commands: [], installs: 0, refusals: [] };
    const robotServer = () => {
        const server = fake.servers.get(serverNumber);
        if (!server) {
            throw new Error(`the fake Robot has no server ${serverNumber}`);
        }
        return server;
    };
    const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
        client.on("authentication", (ctx) => {
            const running = robotServer().running;
            if (ctx.method !== "publickey") {
                ctx.reject(["publickey"]);
                return;
            }
            const fingerprint = crypto.createHash("md5").update(ctx.key.data).digest("hex").replace(/(..)(?!$)/g, "$1:");
            if (running.system !== "rescue" || !running.authorizedKeys.includes(fingerprint)) {
                state.refusals.push(running.system !== "rescue" ? "not in the rescue system" : `key ${fingerprint} not authorized`);
                ctx.reject(["publickey"]);
                return;
            }
            if (ctx.signature && ctx.blob) {
                const key = ssh2.utils.parseKey(`${ctx.key.algo} ${ctx.key.data.toString("base64")}`);
                if (key instanceof Error || (Array.isArray(key) ? key[0] : key)?.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
                    state.refusals.push("bad signature");
                    ctx.reject(["publickey"]);
                    return;
                }
            }
            ctx.accept();
        });
        client.on("ready", () => {
            client.on("session", (accept) => {
                accept().on("exec", (acceptExec, _reject, info) => {
                    const stream = acceptExec();
                    state.commands.push(info.command);
                    let stdin = "";
                    stream.on("data", (chunk: Buffer) => (stdin += chunk.toString("utf8")));
                    stream.on("end", () => {
                        const finish = (code: number, stdout = "", stderr = "") => {
                            if (stdout) stream.write(stdout);
                            if (stderr) stream.stderr.write(stderr);
                            stream.exit(code);
                            stream.end();
                        };
                        const upload = UPLOAD.exec(info.command);
                        if (robotServer().running.system !== "rescue") {
                            finish(255, "", "connection to the rescue system lost\n");
                        } else if (info.command === "hostname") {
                            finish(0, "rescue\n");
                        } else if (upload) {
                            state.files.set(upload[1]!, { content: stdin, mode: upload[2]! });
                            finish(0);
                        } else if (state.files.get(info.command)?.content.includes("installimage")) {
                            state.installs++;
                            robotServer().running = { system: "installed", authorizedKeys: [] };
                            finish(0, "installimage finished; rebooting into the installed system\n");
                        } else {
                            finish(127, "", `${info.command}: command not found\n`);
                        }
                    });
                });
            });
        });
        client.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return Object.assign(state, { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
}
