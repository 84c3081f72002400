import * as ssh2 from "ssh2";
import { afterEach, describe, expect, it } from "vitest";
import { createSsh2Connector, writeFileCommand, type SshTarget } from "../../../components/baremetal/rescue-ssh";
import { parseUpload, startSshExecServer } from "../../helpers/ssh-exec-server";
import { sshKeyPair } from "../../helpers/ssh-keys";

/**
 * The real ssh2-based connector against an in-process SSH server (test/helpers/ssh-exec-server.ts) that plays the rescue system: public-key
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
    const ssh = await startSshExecServer({
        hostKey: HOST.private,
        admit: (key) => (key.algo === allowed.type && key.data.equals(allowed.getPublicSSH()) ? undefined : "unknown key"),
        exec: (command, stdin) => {
            const upload = parseUpload(command);
            if (command === "hostname") {
                return { code: 0, stdout: "rescue\n" };
            }
            if (upload && upload.path === "/readonly/file") {
                return { code: 1, stderr: "cat: /readonly/file: Read-only file system\n" };
            }
            if (upload) {
                files.set(upload.path, stdin);
                return { code: 0 };
            }
            return { code: 3, stderr: `${command}: failed\n` };
        },
    });
    return { port: ssh.port, files, commands: ssh.commands, close: ssh.close };
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
