import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliMissingMessage, detectPulumiCli } from "../../../tools/driver/cli-detect";

const REPO = path.resolve(__dirname, "..", "..", "..");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-cli-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function dir(name: string): string {
    const full = path.join(scratch, name);
    fs.mkdirSync(full, { recursive: true });
    return full;
}

function fakeBinary(directory: string, mode = 0o755): string {
    const file = path.join(directory, "pulumi");
    fs.writeFileSync(file, "#!/bin/sh\necho v3.248.0\n");
    fs.chmodSync(file, mode);
    return file;
}

describe("Pulumi CLI detection", () => {
    const home = dir("home-empty");

    it("finds an executable pulumi on PATH", () => {
        const bin = dir("path-bin");
        const binary = fakeBinary(bin);
        expect(detectPulumiCli({ env: { PATH: `${dir("other")}:${bin}` }, homedir: home, platform: "linux" })).toEqual({ found: true, command: binary, source: "PATH" });
    });

    it("ignores a non-executable file named pulumi", () => {
        const bin = dir("path-noexec");
        fakeBinary(bin, 0o644);
        const result = detectPulumiCli({ env: { PATH: bin }, homedir: home, platform: "linux" });
        expect(result.found).toBe(false);
    });

    it("falls back to $PULUMI_HOME/bin, then ~/.pulumi/bin, and reports the installation root", () => {
        const pulumiHome = dir("pulumi-home");
        const homeBinary = fakeBinary(dir("pulumi-home/bin"));
        expect(detectPulumiCli({ env: { PATH: "", PULUMI_HOME: pulumiHome }, homedir: home, platform: "linux" })).toEqual({
            found: true,
            command: homeBinary,
            root: pulumiHome,
            source: "PULUMI_HOME",
        });
        const user = dir("user");
        const userBinary = fakeBinary(dir("user/.pulumi/bin"));
        expect(detectPulumiCli({ env: { PATH: "/nonexistent" }, homedir: user, platform: "linux" })).toEqual({
            found: true,
            command: userBinary,
            root: path.join(user, ".pulumi"),
            source: "home",
        });
    });

    it("lists where it looked when nothing is found", () => {
        const result = detectPulumiCli({ env: { PATH: "/a:/b:/a", PULUMI_HOME: "/opt/pulumi" }, homedir: home, platform: "linux" });
        expect(result).toEqual({ found: false, searchedPath: ["/a", "/b"], searchedRoots: ["/opt/pulumi/bin", path.join(home, ".pulumi", "bin")] });
        if (!result.found) {
            const message = cliMissingMessage(result);
            expect(message).toContain("PATH (2 directories)");
            expect(message).toContain("/opt/pulumi/bin");
            expect(message).toContain("curl -fsSL https://get.pulumi.com | sh");
        }
    });
});

describe("npx tsx tools/deploy.ts without a Pulumi CLI", () => {
    // PATH keeps node/npx but loses every directory that holds a pulumi binary; HOME points to an empty directory
    // so ~/.pulumi/bin cannot be found either.
    function env(): NodeJS.ProcessEnv {
        const pathDirs = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== "" && !fs.existsSync(path.join(d, "pulumi")));
        const nodeDir = path.dirname(process.execPath);
        const stripped: NodeJS.ProcessEnv = { ...process.env, PATH: [nodeDir, ...pathDirs].join(path.delimiter), HOME: dir("spawn-home"), npm_config_cache: dir("spawn-npm-cache") };
        delete stripped.PULUMI_HOME;
        return stripped;
    }

    function deploy(args: string[]) {
        return spawnSync("npx", ["tsx", "tools/deploy.ts", ...args], { cwd: REPO, env: env(), encoding: "utf8", timeout: 120_000 });
    }

    it("prints install guidance and exits non-zero without a stack trace", () => {
        const run = deploy(["preview", "--stack", "dev"]);
        expect(run.error).toBeUndefined();
        expect(run.status).not.toBe(0);
        expect(run.status).toBe(1);
        expect(run.stderr).toContain("error: the Pulumi CLI was not found.");
        expect(run.stderr).toContain("curl -fsSL https://get.pulumi.com | sh");
        expect(run.stderr).toContain("pulumi/actions@v6");
        const output = `${run.stdout}${run.stderr}`;
        expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
        expect(output).not.toMatch(/Error: spawn|ENOENT|node:internal/);
    });

    it("prints a usage error, not a trace, for a bad command line", () => {
        const run = deploy(["preveiw", "--stack", "dev"]);
        expect(run.status).toBe(1);
        expect(run.stderr).toContain('error: unknown subcommand "preveiw"');
        expect(run.stderr).toContain("usage: npm run deploy --");
        expect(run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    });
});
