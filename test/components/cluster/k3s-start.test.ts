import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { afterEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { fullToken, parseFullToken, remoteCommandTimeouts, renderReadTokenScript, renderServerCaScript, renderStartScript, serverCaHash, SERVER_TOKEN_PATH, START_DEADLINES } from "../../../components/cluster/k3s-join";
import { cleanUpFakeNode, runOnFakeNode, type FakeNodeRun } from "../../helpers/fake-node";
import { shellcheck } from "../../helpers/tools";

/** Short waits so a "never ready" node fails within seconds instead of 15 minutes. */
const FAST = { cloudInitSeconds: 5, k3sReadySeconds: 2, pollSeconds: 1, journalLines: 5 };
const runs: FakeNodeRun[] = [];
const run = (...args: Parameters<typeof runOnFakeNode>) => {
    const result = runOnFakeNode(...args);
    runs.push(result);
    return result;
};
afterEach(() => runs.splice(0).forEach(cleanUpFakeNode));

describe("k3s start script on a node", () => {
    it("registers with the first candidate server that answers, so a join works while server 0 is down", () => {
        const dropIn = "token: t\nserver: https://dev-server-0.tail.ts.net:6443\n# platform-registration-candidates: dev-server-0.tail.ts.net dev-server-1.tail.ts.net dev-server-2.tail.ts.net\n";
        const result = run(renderStartScript("dev-run-0", "agent", FAST), { cloudInitExit: 0, becomesActive: true, reachable: ["dev-server-1.tail.ts.net", "dev-server-2.tail.ts.net"] }, { stdin: dropIn });
        expect(result.status, result.stderr).toBe(0);
        expect(result.stderr).toContain("dev-run-0 registers with dev-server-1.tail.ts.net");
        const written = fs.readFileSync(path.join(result.k3sDir, "config.yaml.d", fs.readdirSync(path.join(result.k3sDir, "config.yaml.d"))[0]!), "utf8");
        expect(written).toMatch(/^server: https:\/\/dev-server-1\.tail\.ts\.net:6443$/m);
        expect(written).not.toContain("server: https://dev-server-0");
    });

    it("refuses to start when no candidate server answers, naming them", () => {
        const dropIn = "token: t\nserver: https://a.ts.net:6443\n# platform-registration-candidates: a.ts.net b.ts.net\n";
        const result = run(renderStartScript("dev-run-0", "agent", FAST), { cloudInitExit: 0, becomesActive: true }, { stdin: dropIn });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("no k3s server answers on 6443 (tried: a.ts.net b.ts.net); dev-run-0 cannot join");
        expect(result.systemctlCalls.some((c) => c.includes("restart"))).toBe(false);
    });

    it("treats cloud-init exit 2 (recoverable errors, cloud-init >= 23.4) as success and logs the warnings", () => {
        const result = run(renderStartScript("fsn1-run-0", "agent", FAST), { cloudInitExit: 2, becomesActive: true }, { stdin: "token: t\n" });
        expect(result.status, result.stderr).toBe(0);
        expect(result.stderr).toContain("recoverable errors");
        expect(result.stderr).toContain("fake-deprecated-key");
    });

    it("still fails on a critical cloud-init error (exit 1) and says so", () => {
        const result = run(renderStartScript("fsn1-run-0", "agent", FAST), { cloudInitExit: 1, becomesActive: true });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("cloud-init failed on fsn1-run-0 (exit 1)");
        expect(result.systemctlCalls.some((c) => c.includes("restart"))).toBe(false);
    });

    it("gives up at its deadline with the unit's journal when an agent never reaches a server", () => {
        const result = run(renderStartScript("fsn1-run-0", "agent", FAST), { cloudInitExit: 0, becomesActive: false }, { stdin: "token: t\n", killAfterSeconds: 30 });
        // A blocking `systemctl restart` (Type=notify, TimeoutStartSec=0) would still hang when the harness kills it.
        expect(result.status, `${result.stderr} after ${result.seconds}s`).toBe(1);
        expect(result.stderr).toContain("k3s-agent did not become active on fsn1-run-0 within 2s");
        expect(result.stderr).toContain("fake-journal -u k3s-agent --no-pager -n 5");
        expect(result.systemctlCalls).toContain("--no-block restart k3s-agent");
    });

    it("installs the secrets drop-in from stdin, root-only, and succeeds once the unit is active", () => {
        const result = run(renderStartScript("fsn1-run-0", "agent", FAST), { cloudInitExit: 0, becomesActive: true }, { stdin: "token: K10abc::server:pw\n" });
        expect(result.status, result.stderr).toBe(0);
        const dropIn = path.join(result.k3sDir, "config.yaml.d", "90-secrets.yaml");
        expect(yaml.load(fs.readFileSync(dropIn, "utf8"))).toEqual({ token: "K10abc::server:pw" });
        expect(fs.statSync(dropIn).mode & 0o777).toBe(0o600);
    });

    it("waits on servers for the node to be Ready, with the same deadline", () => {
        const ok = run(renderStartScript("fsn1-server-0", "server", FAST), { cloudInitExit: 0, becomesActive: true });
        expect(ok.status, ok.stderr).toBe(0);
        const stuck = run(renderStartScript("fsn1-server-0", "server", FAST), { cloudInitExit: 0, becomesActive: false }, { killAfterSeconds: 30 });
        expect(stuck.status).toBe(1);
        expect(stuck.stderr).toContain("node fsn1-server-0 did not become Ready within 2s");
    });

    it("passes shellcheck with the real deadlines", () => {
        for (const role of ["server", "agent"] as const) {
            const result = shellcheck(renderStartScript("fsn1-server-1", role));
            expect(result.ok, result.output).toBe(true);
        }
    });

    it("bounds the remote command beyond the SSH dialing and the script's own deadlines", () => {
        const timeouts = remoteCommandTimeouts(40);
        const minutes = Number(timeouts.create.replace(/m$/, ""));
        expect(minutes).toBeGreaterThan(40 + (START_DEADLINES.cloudInitSeconds + START_DEADLINES.k3sReadySeconds) / 60);
        expect(timeouts.update).toBe(timeouts.create);
    });
});

describe("full join token", () => {
    const hash = "a".repeat(64);

    it("is read back from the server's token file", () => {
        expect(renderReadTokenScript()).toContain(`cat ${SERVER_TOKEN_PATH}`);
        expect(SERVER_TOKEN_PATH).toBe("/var/lib/rancher/k3s/server/token");
    });

    it("accepts k3s' K10<sha256 hex>::<user>:<password> format (pkg/clientaccess/token.go) and trims the newline", () => {
        expect(parseFullToken(`K10${hash}::server:s3cret\n`)).toBe(`K10${hash}::server:s3cret`);
    });

    it.each([
        ["a short token (no CA pin)", "s3cret"],
        ["a hash of the wrong length", `K10${"a".repeat(63)}::server:s3cret`],
        ["no credentials", `K10${hash}::`],
        ["an empty file", ""],
    ])("rejects %s", (_label, raw) => {
        expect(() => parseFullToken(raw)).toThrow(/K10<ca-hash>::<user>:<password>/);
    });
});

/** A PEM-shaped certificate and key (the scripts never parse them; k3s would). */
const CA_CERT = `-----BEGIN CERTIFICATE-----\n${"MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrM3Mtc2Vy".repeat(1)}\ndmVyLWNhQDE3MDAwMDAwMDAwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAw\n-----END CERTIFICATE-----\n`;
const CA_KEY = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CA5i0vHPuBhgyzcbToAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n";
/** sha256 of the certificate file's bytes, as `sha256sum` on the node and k3s' hashCA of a one-certificate file compute it. */
const sha256 = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

describe("the platform's server CA", () => {
    const hash = serverCaHash(CA_CERT);

    it("hashes a one-certificate file over its literal bytes (k3s pkg/clientaccess/token.go) and refuses a bundle", () => {
        expect(hash).toBe(sha256(Buffer.from(CA_CERT, "utf8")));
        expect(() => serverCaHash(CA_CERT + CA_CERT)).toThrow(/exactly one PEM certificate/);
        expect(fullToken(hash, "s3cret")).toBe(`K10${hash}::server:s3cret`);
        // The token k3s would write is the one the agents get: it parses as a full, CA-pinning token.
        expect(parseFullToken(fullToken(hash, "s3cret"))).toBe(`K10${hash}::server:s3cret`);
        expect(() => fullToken("abc", "s3cret")).toThrow(/64 hex digits/);
    });

    it("installs key and certificate before k3s first starts, byte for byte, so the token's hash is the file's", () => {
        const result = run(renderServerCaScript(hash), { cloudInitExit: 0, becomesActive: true }, { stdin: CA_CERT + CA_KEY });
        expect(result.status, result.stderr).toBe(0);
        const cert = fs.readFileSync(path.join(result.dataDir, "server/tls/server-ca.crt"));
        expect(sha256(cert)).toBe(hash);
        expect(fs.readFileSync(path.join(result.dataDir, "server/tls/server-ca.key"), "utf8")).toBe(CA_KEY);
        expect(fs.statSync(path.join(result.dataDir, "server/tls/server-ca.key")).mode & 0o777).toBe(0o600);
        expect(fs.statSync(path.join(result.dataDir, "server/tls")).mode & 0o777).toBe(0o700);
    });

    it("keeps a server's CA when it is the platform's, and refuses another one, changing nothing and naming the fix", () => {
        const same = run(renderServerCaScript(hash), { cloudInitExit: 0, becomesActive: true, dataFiles: { "/var/lib/rancher/k3s/server/tls/server-ca.crt": CA_CERT } }, { stdin: CA_CERT + CA_KEY });
        expect(same.status, same.stderr).toBe(0);
        expect(same.stderr).toContain("already in place");
        const k3sMade = "-----BEGIN CERTIFICATE-----\nazNzLW1hZGU=\n-----END CERTIFICATE-----\n";
        const other = run(renderServerCaScript(hash), { cloudInitExit: 0, becomesActive: true, dataFiles: { "/var/lib/rancher/k3s/server/tls/server-ca.crt": k3sMade } }, { stdin: CA_CERT + CA_KEY });
        expect(other.status).toBe(1);
        expect(other.stderr).toContain("set platform:cluster.certificateAuthority to k3s");
        expect(fs.readFileSync(path.join(other.dataDir, "server/tls/server-ca.crt"), "utf8")).toBe(k3sMade);
        expect(fs.existsSync(path.join(other.dataDir, "server/tls/server-ca.key"))).toBe(false);
    });

    it("installs nothing when stdin does not carry the certificate the hash names, or no key", () => {
        for (const stdin of [CA_CERT.replace("MIIB", "MIIC") + CA_KEY, CA_CERT]) {
            const result = run(renderServerCaScript(hash), { cloudInitExit: 0, becomesActive: true }, { stdin });
            expect(result.status).toBe(1);
            expect(result.stderr).toContain("nothing was installed");
            expect(fs.existsSync(path.join(result.dataDir, "server/tls"))).toBe(false);
        }
    });

    it("passes shellcheck", () => {
        const result = shellcheck(renderServerCaScript(hash));
        expect(result.ok, result.output).toBe(true);
    });
});

describe("k3s start script of a node started beside its servers (the platform's CA pinned)", () => {
    const pinned = { caHash: serverCaHash(CA_CERT) };
    const dropIn = "token: t\nserver: https://dev-server-0.tail.ts.net:6443\n# platform-registration-candidates: dev-server-0.tail.ts.net\n";

    it("waits for a server that is still starting instead of failing at once", () => {
        const result = run(renderStartScript("dev-run-0", "agent", { ...FAST, k3sReadySeconds: 20 }, pinned), { cloudInitExit: 0, becomesActive: true, reachable: ["dev-server-0.tail.ts.net"], reachableAfterProbes: 3 }, { stdin: dropIn });
        expect(result.status, result.stderr).toBe(0);
        expect(result.stderr).toContain("dev-run-0 registers with dev-server-0.tail.ts.net");
        expect(result.systemctlCalls).toContain("--no-block restart k3s-agent");
    });

    it("still gives up at the deadline when no server ever answers, without restarting k3s", () => {
        const result = run(renderStartScript("dev-run-0", "agent", { ...FAST, k3sReadySeconds: 2 }, pinned), { cloudInitExit: 0, becomesActive: true }, { stdin: dropIn });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("no k3s server answers on 6443 (tried: dev-server-0.tail.ts.net); dev-run-0 cannot join");
        expect(result.systemctlCalls.some((c) => c.includes("restart"))).toBe(false);
    });

    it("refuses a node that joined a cluster with another CA, before touching its config or unit", () => {
        const result = run(renderStartScript("dev-run-0", "agent", FAST, pinned), {
            cloudInitExit: 0,
            becomesActive: true,
            reachable: ["dev-server-0.tail.ts.net"],
            dataFiles: { "/var/lib/rancher/k3s/agent/server-ca.crt": "-----BEGIN CERTIFICATE-----\nazNzLW1hZGU=\n-----END CERTIFICATE-----\n" },
        }, { stdin: dropIn });
        expect(result.status).toBe(1);
        expect(result.stderr).toContain("set platform:cluster.certificateAuthority to k3s");
        expect(fs.existsSync(path.join(result.k3sDir, "config.yaml.d"))).toBe(false);
        expect(result.systemctlCalls).toEqual([]);
    });

    it("restarts a node that joined the platform's cluster as before", () => {
        const result = run(renderStartScript("dev-run-0", "agent", FAST, pinned), {
            cloudInitExit: 0,
            becomesActive: true,
            reachable: ["dev-server-0.tail.ts.net"],
            dataFiles: { "/var/lib/rancher/k3s/agent/server-ca.crt": CA_CERT },
        }, { stdin: dropIn });
        expect(result.status, result.stderr).toBe(0);
    });

    it("is the script of a cluster whose CA k3s made, unchanged, when nothing is pinned", () => {
        for (const role of ["server", "agent"] as const) {
            expect(renderStartScript("dev-run-0", role, START_DEADLINES, undefined)).toBe(renderStartScript("dev-run-0", role));
            expect(renderStartScript("dev-run-0", role)).not.toMatch(/probe_deadline|server-ca\.crt/);
        }
    });

    it("passes shellcheck with the real deadlines", () => {
        for (const role of ["server", "agent"] as const) {
            const result = shellcheck(renderStartScript("fsn1-server-1", role, START_DEADLINES, pinned));
            expect(result.ok, result.output).toBe(true);
        }
    });
});
