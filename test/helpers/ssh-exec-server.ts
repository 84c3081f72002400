import type { AddressInfo } from "node:net";
import * as ssh2 from "ssh2";

/** What an {@link SshExecServer} answers to one `exec` request once its stdin has ended. */
export interface ExecAnswer {
    /** Exit status. */
    code: number;
    /** Written to the channel's stdout. */
    stdout?: string;
    /** Written to the channel's stderr. */
    stderr?: string;
}

/** Behaviour of an {@link SshExecServer}: who may log in and what each command does. */
export interface SshExecBehaviour {
    /** Private host key the server presents (OpenSSH format). */
    hostKey: string;
    /**
     * Decides a public-key login before its signature is checked: `undefined` admits the key, a string refuses it
     * with that reason (recorded in {@link SshExecServer.refusals}). The signature is verified after an admission.
     */
    admit(key: { algo: string; data: Buffer }): string | undefined;
    /** Runs one command; `stdin` is everything the client sent before closing its side. */
    exec(command: string, stdin: string): ExecAnswer;
}

/** A real SSH server (ssh2) on 127.0.0.1 and an ephemeral port that accepts public-key logins and `exec` only. */
export interface SshExecServer {
    /** Port on 127.0.0.1. */
    port: number;
    /** Every command run, in order. */
    commands: string[];
    /** Refused public-key logins, with the reason (the behaviour's, or "bad signature"). */
    refusals: string[];
    /** Stops the server. */
    close(): Promise<void>;
}

/** Verifies the login's signature over its blob with the offered key (ssh2 leaves that to the server). */
function signatureValid(key: { algo: string; data: Buffer }, blob: Buffer, signature: Buffer, hashAlgo: string | undefined): boolean {
    const parsed = ssh2.utils.parseKey(`${key.algo} ${key.data.toString("base64")}`);
    const publicKey = parsed instanceof Error ? undefined : Array.isArray(parsed) ? parsed[0] : parsed;
    return publicKey?.verify(blob, signature, hashAlgo) === true;
}

/** Starts an {@link SshExecServer} with the given behaviour. */
export async function startSshExecServer(behaviour: SshExecBehaviour): Promise<SshExecServer> {
    const commands: string[] = [];
    const refusals: string[] = [];
    const server = new ssh2.Server({ hostKeys: [behaviour.hostKey] }, (client) => {
        client.on("authentication", (ctx) => {
            if (ctx.method !== "publickey") {
                // Clients probe with "none" first; only refused keys are worth recording.
                ctx.reject(["publickey"]);
                return;
            }
            const refusal = behaviour.admit(ctx.key);
            if (refusal !== undefined) {
                refusals.push(refusal);
                ctx.reject(["publickey"]);
                return;
            }
            if (ctx.signature && ctx.blob && !signatureValid(ctx.key, ctx.blob, ctx.signature, ctx.hashAlgo)) {
                refusals.push("bad signature");
                ctx.reject(["publickey"]);
                return;
            }
            ctx.accept();
        });
        client.on("ready", () => {
            client.on("session", (accept) => {
                accept().on("exec", (acceptExec, _reject, info) => {
                    const stream = acceptExec();
                    commands.push(info.command);
                    let stdin = "";
                    stream.on("data", (chunk: Buffer) => (stdin += chunk.toString("utf8")));
                    stream.on("end", () => {
                        const answer = behaviour.exec(info.command, stdin);
                        if (answer.stdout) stream.write(answer.stdout);
                        if (answer.stderr) stream.stderr.write(answer.stderr);
                        stream.exit(answer.code);
                        stream.end();
                    });
                });
            });
        });
        client.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { port, commands, refusals, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The upload command of the rescue connector (`umask 077 && cat > '<path>' && chmod <mode> '<path>'`): path and mode. */
export function parseUpload(command: string): { path: string; mode: string } | undefined {
    const match = /^umask 077 && cat > '([^']+)' && chmod (\d{4}) '\1'$/.exec(command);
    return match ? { path: match[1]!, mode: match[2]! } : undefined;
}
