import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectContext } from "../../../components/project/common";
import { REDIS_ACL_KEY, REDIS_APP_USER, REDIS_EXPORTER_PASSWORD_KEY, REDIS_EXPORTER_USER, REDIS_PASSWORD_KEY, renderRedisSecrets, type RedisPasswords } from "../../../components/project/redis";
import { eventually, startRedisMember, type RedisServer } from "../../helpers/redis-server";
import { project, stackPlatformConfig } from "./fixtures";

/**
 * The ACL file the grants stack writes (components/project/redis.ts renderRedisSecrets), loaded by a real Redis
 * (Debian bookworm's redis-server 7.0.15; the pinned image runs Redis 8.2.2, whose ACL categories of these
 * commands are the same in the redis source's src/commands/*.json) configured as OpsTree's entrypoint configures
 * a member: the app user the services get cannot change users, configuration, modules or replication, nor (in an
 * untrusted project) run Lua; `default`, which the operator, the replicas (`masterauth`), the Sentinels, the
 * exporter and the probes log in as with the password alone, still can do everything, replication included.
 * Review 19d, major 3: with the previous file (one `default` user, `+@all -@scripting`) the services were
 * `default` and `ACL SETUSER default +@scripting` brought Lua back.
 */

const PASSWORDS: RedisPasswords = { operator: "0perat0rPassw0rdXYZ0perat0rPassw0", app: "4ppUserPassw0rdXYZ4ppUserPassw0rd", exporter: "3xp0rterPassw0rdXYZ3xp0rterPassw0" };
const config = stackPlatformConfig("fsn1");
const secretsOf = (trust: "trusted" | "untrusted") => renderRedisSecrets(projectContext(project({ name: "shop", redis: { replicas: 2 }, trust }), config), PASSWORDS);

/** What the services get: REDIS_USERNAME and REDIS_PASSWORD of redis-credentials. */
function appLogin(trust: "trusted" | "untrusted"): string[] {
    const app = secretsOf(trust).app.stringData!;
    return ["--user", app.REDIS_USERNAME!, "--pass", app[REDIS_PASSWORD_KEY]!];
}

/** How the operator v0.26.0 logs in: the password of kubernetesConfig.redisSecret, no user name (AUTH <password>, i.e. default). */
const OPERATOR_LOGIN = ["-a", PASSWORDS.operator];

/** Commands the app user must be refused, whatever the trust: users, configuration, modules, replication, the server, other clients, crafted payloads. */
const ADMIN_COMMANDS: string[][] = [
    ["ACL", "SETUSER", "default", "+@scripting"],
    ["ACL", "SETUSER", REDIS_APP_USER, "+@all"],
    ["ACL", "SETUSER", "evil", "on", "nopass", "+@all"],
    ["ACL", "LOAD"],
    ["ACL", "SAVE"],
    ["ACL", "LIST"],
    ["ACL", "GETUSER", "default"],
    ["CONFIG", "SET", "dir", "/tmp"],
    ["CONFIG", "SET", "enable-module-command", "yes"],
    ["CONFIG", "GET", "requirepass"],
    ["CONFIG", "REWRITE"],
    ["MODULE", "LOAD", "/tmp/evil.so"],
    ["DEBUG", "SLEEP", "0"],
    ["SHUTDOWN", "NOSAVE"],
    ["REPLICAOF", "127.0.0.1", "1"],
    ["SLAVEOF", "127.0.0.1", "1"],
    ["FAILOVER"],
    ["MONITOR"],
    ["CLIENT", "LIST"],
    ["CLIENT", "KILL", "USER", "default"],
    ["SAVE"],
    ["BGSAVE"],
    ["BGREWRITEAOF"],
    ["SYNC"],
    ["RESTORE", "k", "0", "crafted-payload"],
    ["MIGRATE", "127.0.0.1", "1", "a", "0", "1000"],
];

/** Lua in every form Redis 7 and 8 run it. */
const SCRIPTING_COMMANDS: string[][] = [
    ["EVAL", "return 1", "0"],
    ["EVAL_RO", "return 1", "0"],
    ["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"],
    ["SCRIPT", "LOAD", "return 1"],
    ["FCALL", "f", "0"],
    ["FUNCTION", "LOAD", "#!lua name=x\nredis.register_function('f', function() return 1 end)"],
];

const refused = (reply: string) => reply.startsWith("NOPERM");

describe("the Redis ACL file in a real redis-server (review 19d, major 3)", () => {
    const servers: Partial<Record<"untrusted" | "trusted" | "replica", RedisServer>> = {};

    beforeAll(async () => {
        for (const trust of ["untrusted", "trusted"] as const) {
            const internal = secretsOf(trust).internal.stringData!;
            servers[trust] = await startRedisMember({ password: internal[REDIS_PASSWORD_KEY]!, aclFile: internal[REDIS_ACL_KEY]! });
        }
        const internal = secretsOf("untrusted").internal.stringData!;
        servers.replica = await startRedisMember({ password: internal[REDIS_PASSWORD_KEY]!, aclFile: internal[REDIS_ACL_KEY]!, replicaOf: servers.untrusted!.port });
    });

    afterAll(() => {
        for (const server of Object.values(servers)) {
            server?.stop();
        }
    });

    it.each(["untrusted", "trusted"] as const)("%s: the app user reads and writes every key, and keeps the commands clients need (INFO, KEYS, FLUSHDB)", (trust) => {
        const redis = servers[trust]!;
        const app = appLogin(trust);
        expect(redis.cli(app, "ACL", "WHOAMI")).toBe(REDIS_APP_USER);
        expect(redis.cli(app, "SET", "session:1", "x")).toBe("OK");
        expect(redis.cli(app, "GET", "session:1")).toBe("x");
        expect(redis.cli(app, "PUBLISH", "events", "hi")).toBe("0");
        expect(redis.cli(app, "PUBLISH", "_events", "hi")).toBe("0");
        expect(redis.cli(app, "PUBLISH", "_", "hi")).toBe("0");
        expect(redis.cli(app, "SUBSCRIBE", "__sentinel__:hello")).not.toMatch(/NOPERM/);
        expect(redis.cli(app, "INFO", "server")).toContain("redis_version:");
        expect(redis.cli(app, "KEYS", "session:*")).toBe("session:1");
        expect(redis.cli(app, "FLUSHDB")).toBe("OK");
    });

    it.each(["untrusted", "trusted"] as const)("%s: the app user may not change users, configuration, modules or replication, nor read the passwords", (trust) => {
        const redis = servers[trust]!;
        const app = appLogin(trust);
        for (const command of ADMIN_COMMANDS) {
            // Redis checks MODULE and DEBUG against enable-module-command / enable-debug-command before the ACL.
            expect(redis.cli(app, ...command), command.join(" ")).toMatch(/NOPERM this user has no permissions|^ERR (MODULE|DEBUG) command not allowed/);
            // The ACL itself, whatever those settings: ACL DRYRUN asks it for the app user without running anything.
            expect(redis.cli(OPERATOR_LOGIN, "ACL", "DRYRUN", REDIS_APP_USER, ...command), `ACL DRYRUN ${command.join(" ")}`).toMatch(/no permissions to run/);
        }
        // The ACL is not vacuous: DRYRUN admits what the app may run.
        expect(redis.cli(OPERATOR_LOGIN, "ACL", "DRYRUN", REDIS_APP_USER, "SET", "k", "v")).toBe("OK");
        // Nothing changed: default still has only its password and the app user its rules.
        expect(redis.cli(OPERATOR_LOGIN, "ACL", "USERS")).toBe(`${REDIS_APP_USER}\ndefault\n${REDIS_EXPORTER_USER}`);
        expect(redis.cli(OPERATOR_LOGIN, "CONFIG", "GET", "dir")).not.toBe("dir\n/tmp");
    });

    it.each(["untrusted", "trusted"] as const)("%s: the app user may not publish on the server's __ channels (a spoofed Sentinel hello, fake keyspace events), not even from Lua", (trust) => {
        const redis = servers[trust]!;
        for (const channel of ["__sentinel__:hello", "__keyspace@0__:k", "__keyevent@0__:set", "__"]) {
            for (const command of ["PUBLISH", "SPUBLISH"]) {
                expect(redis.cli(appLogin(trust), command, channel, "x"), `${command} ${channel}`).toMatch(/^NOPERM/);
            }
        }
        if (trust === "trusted") {
            expect(redis.cli(appLogin(trust), "EVAL", "return redis.call('publish', '__sentinel__:hello', 'x')", "0")).toMatch(/can't publish to the channel/);
        }
    });

    it("untrusted: the app user runs no Lua at all", () => {
        const redis = servers.untrusted!;
        for (const command of SCRIPTING_COMMANDS) {
            expect(redis.cli(appLogin("untrusted"), ...command), command.join(" ")).toMatch(/^NOPERM/);
        }
    });

    it("trusted: the app user keeps Lua (its code runs in Redis outside gVisor, as README says)", () => {
        expect(servers.trusted!.cli(appLogin("trusted"), "EVAL", "return 7", "0")).toBe("7");
    });

    it("the app's password is no way in as default, and no password is no way in at all", () => {
        const redis = servers.untrusted!;
        expect(redis.cli(["--user", "default", "--pass", PASSWORDS.app], "PING")).toMatch(/WRONGPASS|NOAUTH/);
        expect(redis.cli(["-a", PASSWORDS.app], "PING")).toMatch(/WRONGPASS|NOAUTH/);
        expect(redis.cli([], "GET", "x")).toMatch(/^NOAUTH/);
    });

    it("default, as the operator logs in (password only), runs what the operator, the probes and the exporter send", () => {
        const redis = servers.untrusted!;
        expect(redis.cli(OPERATOR_LOGIN, "ACL", "WHOAMI")).toBe("default");
        expect(redis.cli(OPERATOR_LOGIN, "PING")).toBe("PONG");
        expect(redis.cli(OPERATOR_LOGIN, "INFO", "replication")).toContain("role:master");
        expect(redis.cli(OPERATOR_LOGIN, "CONFIG", "GET", "maxmemory")).toContain("maxmemory");
        expect(refused(redis.cli(OPERATOR_LOGIN, "CLIENT", "LIST"))).toBe(false);
    });

    it("the exporter's user (whose password its /scrape endpoint may give away) runs what redis_exporter v1.44.0 sends, and nothing that reads or changes data, users or configuration", () => {
        const redis = servers.untrusted!;
        const internal = secretsOf("untrusted").internal.stringData!;
        const exporter = ["--user", REDIS_EXPORTER_USER, "--pass", internal[REDIS_EXPORTER_PASSWORD_KEY]!];
        expect(redis.cli(exporter, "PING")).toBe("PONG");
        expect(redis.cli(exporter, "CLIENT", "SETNAME", "redis_exporter")).toBe("OK");
        expect(redis.cli(exporter, "INFO", "ALL")).toContain("role:master");
        expect(redis.cli(exporter, "SLOWLOG", "LEN")).toMatch(/^\d+$/);
        expect(refused(redis.cli(exporter, "LATENCY", "LATEST"))).toBe(false);
        expect(refused(redis.cli(exporter, "SLOWLOG", "GET", "10"))).toBe(false);
        // CONFIG GET shows requirepass and masterauth (default's password): the exporter skips it when refused.
        for (const command of [["CONFIG", "GET", "*"], ["CONFIG", "GET", "masterauth"], ["GET", "session:1"], ["SET", "k", "v"], ["KEYS", "*"], ["SUBSCRIBE", "__sentinel__:hello"], ["PUBLISH", "__sentinel__:hello", "x"], ["ACL", "SETUSER", "exporter", "+@all"], ["EVAL", "return 1", "0"], ["CLIENT", "LIST"], ["MONITOR"]]) {
            expect(redis.cli(exporter, ...command), command.join(" ")).toMatch(/NOPERM/);
        }
    });

    it("a replica authenticates to the primary with masterauth (default's password) through the ACL file, and replicates the app's writes", () => {
        const primary = servers.untrusted!;
        const replica = servers.replica!;
        expect(eventually(() => replica.cli(OPERATOR_LOGIN, "INFO", "replication").includes("master_link_status:up"))).toBe(true);
        expect(primary.cli(appLogin("untrusted"), "SET", "replicated", "yes")).toBe("OK");
        expect(eventually(() => replica.cli(appLogin("untrusted"), "GET", "replicated") === "yes")).toBe(true);
    });
});
