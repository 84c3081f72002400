import * as childProcess from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILD_PATHS, BUILD_SCRIPT } from "../../../components/builds/build-job";

/**
 * The BuildKit step's script (BUILD_SCRIPT) run as the pod runs it, against a local registry speaking the
 * distribution API's manifest HEAD and with `buildctl-daemonless.sh` stubbed on PATH: a tag that exists is
 * never built or pushed again (so it never moves to another digest) and its digest comes from the registry's
 * `Docker-Content-Digest`; a missing tag is built with the renderer's arguments and its digest comes from
 * BuildKit's metadata file. `wget` is the host's (GNU here; the BuildKit image's is BusyBox: both print the
 * response headers indented with -S): what stays unverified is BusyBox's exact output.
 */

const EXISTING = `sha256:${"e1".repeat(32)}`;
const BUILT = `sha256:${"b2".repeat(32)}`;
const AUTH = Buffer.from("robot$shop+push:s3cret").toString("base64");

describe("the build step's script", () => {
    let server: http.Server;
    let base: string;
    let work: string;
    const requests: Array<{ method: string; url: string; authorization: string; accept: string }> = [];

    beforeAll(async () => {
        work = fs.mkdtempSync(path.join(os.tmpdir(), "build-script-"));
        server = http.createServer((request, response) => {
            requests.push({ method: request.method ?? "", url: request.url ?? "", authorization: request.headers.authorization ?? "", accept: String(request.headers.accept ?? "") });
            if (request.headers.authorization !== `Basic ${AUTH}`) {
                response.writeHead(401, { "WWW-Authenticate": 'Basic realm="harbor"' });
                response.end();
                return;
            }
            if (request.url === "/v2/shop/web/manifests/existing") {
                response.writeHead(200, { "Content-Type": "application/vnd.oci.image.index.v1+json", "Docker-Content-Digest": EXISTING, "Content-Length": "0" });
                response.end();
                return;
            }
            response.writeHead(404, { "Content-Type": "application/json" });
            response.end();
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterAll(() => {
        server?.close();
        fs.rmSync(work, { recursive: true, force: true });
    });

    /** Runs the script with the pod's paths moved below a temporary directory and a recording buildctl stub. */
    async function runBuild(name: string, tag: string, credential = "robot$shop+push:s3cret") {
        const dir = path.join(work, name);
        const bin = path.join(dir, "bin");
        const docker = path.join(dir, "docker");
        const tmp = path.join(dir, "tmp");
        for (const d of [bin, docker, tmp]) {
            fs.mkdirSync(d, { recursive: true });
        }
        fs.writeFileSync(path.join(docker, "config.json"), JSON.stringify({ auths: { "registry.platform.internal": { auth: Buffer.from(credential).toString("base64") } } }, null, 2));
        const calls = path.join(dir, "buildctl-calls");
        const termination = path.join(dir, "termination-log");
        // The stub records its arguments and writes the metadata file buildctl --metadata-file would.
        fs.writeFileSync(
            path.join(bin, "buildctl-daemonless.sh"),
            `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(calls)}\nwhile [ $# -gt 0 ]; do [ "$1" = --metadata-file ] && printf '{"containerimage.digest": "${BUILT}"}' > "$2"; shift; done\n`,
            { mode: 0o755 },
        );
        const moved: Record<string, string> = { [`${BUILD_PATHS.dockerConfig}/`]: `${docker}/`, [`${BUILD_PATHS.tmp}/`]: `${tmp}/`, "/dev/termination-log": termination };
        const pattern = new RegExp(Object.keys(moved).map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|"), "g");
        const script = BUILD_SCRIPT.replace(pattern, (podPath) => moved[podPath]!);
        expect(BUILD_SCRIPT.match(pattern)?.length).toBeGreaterThanOrEqual(5);
        const env = {
            PATH: `${bin}:${process.env.PATH ?? ""}`,
            IMAGE: `registry.platform.internal/shop/web:${tag}`,
            REGISTRY_MANIFEST_URL: `${base}/v2/shop/web/manifests/${tag}`,
            BUILDCTL_ARGS: "--frontend=dockerfile.v0 --output=type=image,name=x,push=true",
        };
        const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
            const child = childProcess.spawn("sh", ["-c", script], { env });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
            child.on("close", (status) => resolve({ status, stdout, stderr }));
        });
        const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined);
        return { ...result, builds: read(calls)?.trim().split("\n") ?? [], termination: read(termination)?.trim() };
    }

    it("does not build or push a tag that exists, and reports the registry's digest for it", async () => {
        const run = await runBuild("existing", "existing");
        expect(run.status, run.stderr).toBe(0);
        expect(run.builds, `${run.stdout}${run.stderr}`).toEqual([]);
        expect(run.stdout).toContain("registry.platform.internal/shop/web:existing already exists: nothing to build");
        expect(run.termination).toBe(EXISTING);
        // Asked with the push robot, for an OCI index or manifest (what BuildKit pushes).
        const head = requests.filter((r) => r.url === "/v2/shop/web/manifests/existing");
        expect(head.length).toBeGreaterThan(0);
        expect(head.every((r) => r.method === "HEAD" && r.authorization === `Basic ${AUTH}` && r.accept.includes("application/vnd.oci.image.index.v1+json"))).toBe(true);
    });

    it("neither builds nor pushes when the registry refuses the check (wrong robot): the tag could exist", async () => {
        const run = await runBuild("refused", "existing", "robot$shop+pull:wrong");
        expect(run.status).toBe(1);
        expect(run.builds).toEqual([]);
        expect(run.stderr).toContain("cannot tell whether registry.platform.internal/shop/web:existing exists");
        expect(run.stderr).not.toContain("s3cret");
    });

    it("builds and pushes a missing tag once, with the renderer's arguments, and reports BuildKit's digest", async () => {
        const run = await runBuild("missing", "4fd5f7d6bba4ba5fcd1a95f4ad6f3fbd8b5dd7a1");
        expect(run.status, run.stderr).toBe(0);
        expect(run.builds).toHaveLength(1);
        expect(run.builds[0]).toMatch(/^build --frontend=dockerfile\.v0 --output=type=image,name=x,push=true --metadata-file \S+\/metadata\.json$/);
        expect(run.termination).toBe(BUILT);
    });
});
