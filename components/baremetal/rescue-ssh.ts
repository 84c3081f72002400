/**
 * The SSH step of a bare-metal install, behind a small interface so the provider can be tested with a fake:
 * connect to the rescue system as root with the platform key, run commands, upload files.
 *
 * The ssh2 implementation loads `ssh2` with `require` inside the function: this module is captured by value
 * into the serialized dynamic provider, where only Node built-ins and node_modules packages can be required.
 */

/** Where and how to connect. */
export interface SshTarget {
    /** IPv4 address of the server. */
    host: string;
    /** SSH port (22 in the rescue system). */
    port: number;
    /** Login user (root in the rescue system). */
    username: string;
    /** OpenSSH private key whose public half Robot authorized for the rescue system. */
    privateKey: string;
    /**
     * Host keys (`<type> <base64>`) the rescue system announced when it was activated. When non-empty, any
     * other host key is refused, so a still-running old OS (or anything else on that IP) is never trusted.
     */
    hostKeys: readonly string[];
}

/** Result of a remote command. */
export interface ExecResult {
    /** Exit status; null when the command died from a signal or the connection dropped. */
    code: number | null;
    /** Standard output. */
    stdout: string;
    /** Standard error. */
    stderr: string;
}

/** An open SSH session. */
export interface SshSession {
    /** Runs a command (with optional standard input) and waits for it to end. */
    exec(command: string, options?: { stdin?: string; timeoutMs?: number }): Promise<ExecResult>;
    /** Writes a file atomically enough for our use (umask 077, then chmod to `mode`). */
    writeFile(path: string, content: string, mode: number): Promise<void>;
    /** Closes the connection. */
    close(): Promise<void>;
}

/** Opens sessions; the provider receives one of these (tests pass a fake). */
export interface SshConnector {
    /** Connects or rejects within `timeoutMs` (refused, timed out, wrong host key, auth failure). */
    connect(target: SshTarget, timeoutMs: number): Promise<SshSession>;
}

/** The base64 blob of an OpenSSH public key line (`type blob [comment]`) or of a bare blob. */
export function hostKeyBlob(line: string): string {
    const parts = line.trim().split(/\s+/);
    return (parts.length >= 2 ? parts[1] : parts[0]) ?? "";
}

/** Paths the uploader accepts: absolute, no shell metacharacters (they are interpolated into a command). */
export function assertSafePath(path: string): void {
    if (!/^\/[A-Za-z0-9._/-]+$/.test(path) || path.includes("..")) {
        throw new Error(`refusing to upload to unsafe path ${JSON.stringify(path)}`);
    }
}

/** The command that writes standard input to `path` with `mode` (what {@link SshSession.writeFile} runs). */
export function writeFileCommand(path: string, mode: number): string {
    assertSafePath(path);
    return `umask 077 && cat > '${path}' && chmod ${mode.toString(8).padStart(4, "0")} '${path}'`;
}

/** The real connector, on top of the `ssh2` package. */
export function createSsh2Connector(): SshConnector {
    return {
        connect(target: SshTarget, timeoutMs: number): Promise<SshSession> {
            const ssh2 = require("ssh2") as typeof import("ssh2");
            const allowed = new Set(target.hostKeys.map(hostKeyBlob).filter((b) => b.length > 0));
            return new Promise<SshSession>((resolve, reject) => {
                const client = new ssh2.Client();
                let settled = false;
                const fail = (error: Error) => {
                    if (!settled) {
                        settled = true;
                        client.end();
                        reject(error);
                    }
                };
                client.on("error", fail);
                client.on("ready", () => {
                    settled = true;
                    const exec = (command: string, options: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> =>
                        new Promise<ExecResult>((done, failed) => {
                            client.exec(command, (error, stream) => {
                                if (error) {
                                    failed(error);
                                    return;
                                }
                                let stdout = "";
                                let stderr = "";
                                const timer = options.timeoutMs
                                    ? setTimeout(() => {
                                          stream.close();
                                          failed(new Error(`remote command timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)}s`));
                                      }, options.timeoutMs)
                                    : undefined;
                                stream.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
                                stream.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
                                stream.on("close", (code: number | null) => {
                                    if (timer) {
                                        clearTimeout(timer);
                                    }
                                    done({ code: typeof code === "number" ? code : null, stdout, stderr });
                                });
                                stream.end(options.stdin ?? "");
                            });
                        });
                    resolve({
                        exec,
                        async writeFile(path: string, content: string, mode: number): Promise<void> {
                            const result = await exec(writeFileCommand(path, mode), { stdin: content, timeoutMs: 60_000 });
                            if (result.code !== 0) {
                                throw new Error(`upload of ${path} failed (exit ${String(result.code)}): ${result.stderr.trim()}`);
                            }
                        },
                        close: () =>
                            new Promise<void>((closed) => {
                                client.once("close", () => closed());
                                client.end();
                            }),
                    });
                });
                client.connect({
                    host: target.host,
                    port: target.port,
                    username: target.username,
                    privateKey: target.privateKey,
                    readyTimeout: timeoutMs,
                    // installimage runs for many minutes with little output: keep NAT and firewalls from dropping us.
                    keepaliveInterval: 15_000,
                    keepaliveCountMax: 8,
                    // Robot tells us the rescue system's host keys on activation; trust only those when it does.
                    hostVerifier: (key: Buffer) => allowed.size === 0 || allowed.has(key.toString("base64")),
                });
            });
        },
    };
}
