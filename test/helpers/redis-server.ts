import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/**
 * A real `redis-server` (Debian's redis-server package) on this machine's loopback and a Unix socket, configured
 * the way OpsTree's image entrypoint configures a member (entrypoint.sh: `masterauth` and `requirepass` from
 * REDIS_PASSWORD, `aclfile /etc/redis/user.acl` when ACL_MODE is set), and `redis-cli` to talk to it as a given
 * user. A missing redis-server or redis-cli fails the test with the install hint; it never skips.
 */

function tool(name: string): string {
    const which = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
    if (which.status !== 0 || !which.stdout.trim()) {
        throw new Error(`${name} is not installed: apt-get install -y redis-server redis-tools (bash .ci/run does this)`);
    }
    return which.stdout.trim();
}

/** A free TCP port on 127.0.0.1 (the kernel's pick, released before the server binds it). */
export async function freePort(): Promise<number> {
    return await new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

/** One running server. */
export interface RedisServer {
    /** Its TCP port on 127.0.0.1. */
    port: number;
    /** Runs `redis-cli` against it with these login arguments (`--user/--pass`, `-a`, or none) and the command; stdout trimmed. */
    cli(login: readonly string[], ...command: string[]): string;
    /** Stops the server and removes its directory. */
    stop(): void;
}

/** What a member's configuration adds to the image's defaults. */
export interface MemberConfig {
    /** REDIS_PASSWORD: `requirepass` and `masterauth`. */
    password: string;
    /** The ACL file's content (the operator mounts it at /etc/redis/user.acl). */
    aclFile: string;
    /** `replicaof 127.0.0.1 <port>`: a replica of that server, as the operator makes one. */
    replicaOf?: number;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Starts a member and waits until it answers PING to `default`. */
export async function startRedisMember(config: MemberConfig): Promise<RedisServer> {
    const server = tool("redis-server");
    const cliPath = tool("redis-cli");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-redis-"));
    const port = await freePort();
    fs.writeFileSync(path.join(dir, "user.acl"), config.aclFile);
    const lines = [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        'save ""',
        "appendonly no",
        // entrypoint.sh common_operation (password set) and acl_setup (ACL_MODE=true), in that order.
        `masterauth ${config.password}`,
        `requirepass ${config.password}`,
        "protected-mode yes",
        `aclfile ${path.join(dir, "user.acl")}`,
        ...(config.replicaOf !== undefined ? [`replicaof 127.0.0.1 ${config.replicaOf}`] : []),
    ];
    fs.writeFileSync(path.join(dir, "redis.conf"), `${lines.join("\n")}\n`);
    const child: ChildProcess = spawn(server, [path.join(dir, "redis.conf")], { stdio: ["ignore", "pipe", "pipe"] });
    // redis-server logs to stdout (logfile ""): kept for the error when it does not start.
    let log = "";
    child.stdout?.on("data", (chunk) => (log += String(chunk)));
    child.stderr?.on("data", (chunk) => (log += String(chunk)));
    const cli = (login: readonly string[], ...command: string[]): string => {
        const result = spawnSync(cliPath, ["-h", "127.0.0.1", "-p", String(port), "--no-auth-warning", ...login, ...command], { encoding: "utf8", timeout: 10_000 });
        return `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
    };
    const stop = () => {
        child.kill("SIGKILL");
        fs.rmSync(dir, { recursive: true, force: true });
    };
    for (let attempt = 0; attempt < 100; attempt++) {
        if (cli(["-a", config.password], "PING") === "PONG") {
            return { port, cli, stop };
        }
        if (child.exitCode !== null) {
            break;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    stop();
    throw new Error(`redis-server did not start (exit ${child.exitCode}): ${log}`);
}

/** Waits (up to `ms`) until `check` holds; whether it did. */
export function eventually(check: () => boolean, ms = 10_000): boolean {
    const until = Date.now() + ms;
    while (Date.now() < until) {
        if (check()) {
            return true;
        }
        sleep(100);
    }
    return check();
}
