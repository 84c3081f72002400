import * as crypto from "node:crypto";
import type { RobotFake } from "./robot-fake-server";
import { parseUpload, startSshExecServer } from "./ssh-exec-server";

/**
 * A real SSH server ({@link startSshExecServer}) that plays one Robot server's rescue system, bound to
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

/** Starts the rescue SSH server of Robot server `serverNumber`. */
export async function startRescueSshServer(fake: RobotFake, serverNumber: number, hostKey: { private: string }): Promise<RescueSshServer> {
    const files: RescueSshServer["files"] = new Map();
    let installs = 0;
    const robotServer = () => {
        const server = fake.servers.get(serverNumber);
        if (!server) {
            throw new Error(`the fake Robot has no server ${serverNumber}`);
        }
        return server;
    };
    const ssh = await startSshExecServer({
        hostKey: hostKey.private,
        admit: (key) => {
            const running = robotServer().running;
            const fingerprint = crypto.createHash("md5").update(key.data).digest("hex").replace(/(..)(?!$)/g, "$1:");
            if (running.system !== "rescue") return "not in the rescue system";
            return running.authorizedKeys.includes(fingerprint) ? undefined : `key ${fingerprint} not authorized`;
        },
        exec: (command, stdin) => {
            const upload = parseUpload(command);
            if (robotServer().running.system !== "rescue") {
                return { code: 255, stderr: "connection to the rescue system lost\n" };
            }
            if (command === "hostname") {
                return { code: 0, stdout: "rescue\n" };
            }
            if (upload) {
                files.set(upload.path, { content: stdin, mode: upload.mode });
                return { code: 0 };
            }
            if (files.get(command)?.content.includes("installimage")) {
                installs++;
                robotServer().running = { system: "installed", authorizedKeys: [] };
                return { code: 0, stdout: "installimage finished; rebooting into the installed system\n" };
            }
            return { code: 127, stderr: `${command}: command not found\n` };
        },
    });
    return {
        port: ssh.port,
        files,
        commands: ssh.commands,
        get installs() {
            return installs;
        },
        refusals: ssh.refusals,
        close: ssh.close,
    };
}
