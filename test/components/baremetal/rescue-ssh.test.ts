import type { AddressInfo } from "node:net";
import * as ssh2 from "ssh2";
import { afterEach, describe, expect, it } from "vitest";
import { createSsh2Connector, writeFileCommand, type SshTarget } from "../../../components/baremetal/rescue-ssh";
import { sshKeyPair } from "../../helpers/ssh-keys";

/**
 * The real ssh2-based connector against an in-process ssh2 server that plays the rescue system: public-key
 * auth for one key, `hostname` answers `rescue`, uploads arrive on stdin, exit codes come back.
 */

const HOST = sshKeyPair("rescue-host");
const CLIENT = sshKeyPair("platform");

interface Rescue {
    port: number;
    files: Map<string, string>;
    commands: string[];
    close(): Promise<void>;
}

let rescue: Rescue | undefined;
afterEach(async () => {
    await rescue?.close();
    rescue = undefined;
});

async function startRescue(): Promise<Rescue> {
    const allowed = ssh2.utils.parseKey(CLIENT.public) as ssh2.ParsedKey;
    const files = new Map<string, string>();
    const commands: string[] = [];
    const server = new ssh2.Server({ hostKeys: [HOST.private] }, (client) => {
        client.on("authentication", (ctx) => {
            if (ctx.method !== "publickey" || ctx.key.algo !== allowed.type || !ctx.key.data.equals(allowed.getPublicSSH())) {
                ctx.reject(["publickey"]);
                return;
            }
            if (ctx.signature && ctx.blob && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
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
                        const upload = /^umask 077 && cat > '([^']+)' && chmod (\d{4}) '\1'$/.exec(info.command);
                        if (info.command === "hostname") {
                            stream.write("rescue\n");
                            stream.exit(0);
                        } else if (upload && upload[1] !== "/readonly/file") {
                            files.set(upload[1]!, stdin);
                            stream.exit(0);
                        } else if (upload) {
                            stream.stderr.write("cat: /readonly/file: Read-only file system\n");
                            stream.exit(1);
                        } else {
                            stream.stderr.write(`${info.command}: failed\n`);
                            stream.exit(3);
                        }
                        stream.end();
                    });
                });
            });
        });
        client.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { port, files, commands, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const target = (port: number, overrides: Partial<SshTarget> = {}): SshTarget => ({
    host: "127.0.0.1",
    port,
    username: "root",
    privateKey: CLIENT.private,
    hostKeys: [HOST.public],
    ...overrides,
});

describe("ssh2 rescue connector", () => {
    it("runs commands, uploads files through stdin and reports exit codes", async () => {
        rescue = await startRescue();
        const session = await createSsh2Connector().connect(target(rescue.port), 5000);
        expect(await session.exec("hostname")).toEqual({ code: 0, stdout: "rescue\n", stderr: "" });
        await session.writeFile("/autosetup", "DRIVE1 /dev/nvme0n1\nHOSTNAME n1\n", 0o600);
        await session.writeFile("/root/post-install.sh", "#!/usr/bin/env bash\necho ok\n", 0o700);
        expect(rescue.files.get("/autosetup")).toBe("DRIVE1 /dev/nvme0n1\nHOSTNAME n1\n");
        expect(rescue.files.get("/root/post-install.sh")).toBe("#!/usr/bin/env bash\necho ok\n");
        expect(rescue.commands).toContain(writeFileCommand("/root/post-install.sh", 0o700));
        expect(writeFileCommand("/autosetup", 0o600)).toBe("umask 077 && cat > '/autosetup' && chmod 0600 '/autosetup'");
        expect(await session.exec("/root/platform-install.sh")).toEqual({ code: 3, stdout: "", stderr: "/root/platform-install.sh: failed\n" });
        await expect(session.writeFile("/readonly/file", "x", 0o600)).rejects.toThrow(/upload of \/readonly\/file failed \(exit 1\): cat: \/readonly\/file: Read-only/);
        await expect(session.writeFile("/tmp/x'; rm -rf /", "x", 0o600)).rejects.toThrow(/unsafe path/);
        await session.close();
    });

    it("trusts only the host keys Robot announced, when it announced any", async () => {
        rescue = await startRescue();
        const other = sshKeyPair().public;
        await expect(createSsh2Connector().connect(target(rescue.port, { hostKeys: [other] }), 5000)).rejects.toThrow(/verification failed/i);
        const unpinned = await createSsh2Connector().connect(target(rescue.port, { hostKeys: [] }), 5000);
        await unpinned.close();
    });

    it("fails when the rescue system does not accept the key", async () => {
        rescue = await startRescue();
        const stranger = sshKeyPair().private;
        await expect(createSsh2Connector().connect(target(rescue.port, { privateKey: stranger }), 5000)).rejects.toThrow(/authentication/i);
    });

    it("fails fast when nothing listens", async () => {
        rescue = await startRescue();
        const port = rescue.port;
        await rescue.close();
        rescue = undefined;
        await expect(createSsh2Connector().connect(target(port), 5000)).rejects.toThrow(/ECONNREFUSED/);
    });
});
